/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The addresses a host is most likely reached at: those of the
 * interfaces its default routes (IPv4 and IPv6) leave through, as the
 * kernel lists them in /proc/net/route and /proc/net/ipv6_route. A
 * gateway tells the portal these as its endpoints when not told better
 * (`fzagent gateway --endpoint`). IPv6 link-local addresses are left out:
 * no client can reach them.
 */
#ifndef FZ_DEFROUTE_H
#define FZ_DEFROUTE_H

#include <stddef.h>

#include "cidr.h"

#define FZ_ROUTE4_PATH "/proc/net/route"
#define FZ_ROUTE6_PATH "/proc/net/ipv6_route"

/*
 * Up to max addresses (full-length prefixes) into out, IPv4 first;
 * route4/route6 NULL: the /proc files. Returns the count (0: no
 * default route, or no address on its interface) or a negative errno.
 */
int fz_default_route_addrs(const char *route4, const char *route6,
			   struct fz_cidr *out, size_t max);

#endif /* FZ_DEFROUTE_H */
