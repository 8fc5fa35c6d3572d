/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fz links over plain rtnetlink (libnl-route), the way `ip link` makes
 * them, and interface names. Functions return 0 or a negative errno and
 * report nothing themselves: the caller knows the context.
 */
#ifndef FZ_AGENT_LINK_H
#define FZ_AGENT_LINK_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fz_cidr;

/* What rtnetlink knows of a link; is_fz: its kind is FZ_LINK_KIND. */
struct fzk_link_info {
	uint32_t ifindex;
	bool is_fz;
	bool up;
};

/*
 * A name the kernel and wg-quick(8) both accept, so that it is also safe
 * in the control socket's name: 1 to IFNAMSIZ - 1 characters of
 * [A-Za-z0-9_=+.-], not "." or "..".
 */
bool fzk_ifname_valid(const char *name);

/*
 * The interface a config file is for, as wg-quick(8) names it: the file
 * name without its directory and its ".conf". -EINVAL if that is not a
 * valid interface name.
 */
int fzk_ifname_from_config_path(const char *path, char out[IFNAMSIZ]);

/* -ENODEV if there is no such link. */
int fzk_link_get(const char *name, struct fzk_link_info *info);
/* Creates an fz link (NLM_F_EXCL): -EEXIST if the name is taken. */
int fzk_link_create(const char *name, uint32_t *ifindex);
int fzk_link_delete(uint32_t ifindex);
int fzk_link_set_up(uint32_t ifindex);
/* Adds each address with its prefix length, as `ip address add`. */
int fzk_link_add_addresses(uint32_t ifindex, const struct fz_cidr *addrs,
			   size_t n, size_t *failed);
/* Removes one address (with its prefix length), as `ip address del`. */
int fzk_link_del_address(uint32_t ifindex, const struct fz_cidr *addr);
/* The link's addresses with their prefix lengths, the first max in *n. */
int fzk_link_addresses(uint32_t ifindex, struct fz_cidr *out, size_t max,
		       size_t *n);

/* The same with IFA_F_NODAD for IPv6: usable at once (the DNS stub binds it). */
int fzk_link_add_address_nodad(uint32_t ifindex, const struct fz_cidr *addr);
/*
 * A route to dst through the link, in the main table (scope link, proto
 * static), as `ip route add|del DST dev IFACE [src SRC]`: -EEXIST when
 * one exists. src (NULL: none; another family: ignored) is the source
 * address the host picks for it.
 */
int fzk_link_route(uint32_t ifindex, const struct fz_cidr *dst,
		   const struct fz_cidr *src, bool add);

#endif /* FZ_AGENT_LINK_H */
