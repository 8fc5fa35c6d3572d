// SPDX-License-Identifier: GPL-2.0
/* The gateway's tunnel addresses; see tunaddr.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "daemon.h"
#include "daemon_int.h"
#include "tunaddr.h"
#include "fzk/link.h"

#define MAX_ADDRS 256

static bool same(const struct fz_cidr *a, const struct fz_cidr *b)
{
	size_t len = a->family == AF_INET ? 4 : 16;

	return a->family == b->family && a->cidr == b->cidr &&
	       !memcmp(a->addr, b->addr, len);
}

bool daemon_tunaddr_stale(const struct fz_cidr *have,
			  const struct fz_cidr want[2])
{
	if (have->family != AF_INET && have->family != AF_INET6)
		return false;
	return fz_cidr_in_tunnel(have) && !same(have, &want[0]) &&
	       !same(have, &want[1]);
}

static const char *text(char out[INET6_ADDRSTRLEN + 4], const struct fz_cidr *c)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(c->family, c->addr, a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	snprintf(out, INET6_ADDRSTRLEN + 4, "%s/%u", a, c->cidr);
	return out;
}

static void remove_stale(struct daemon *d, const struct fz_cidr want[2])
{
	struct fz_cidr have[MAX_ADDRS];
	char t[INET6_ADDRSTRLEN + 4];
	size_t n;
	int ret = fzk_link_addresses(d->ifindex, have, MAX_ADDRS, &n);

	if (ret) {
		daemon_log(d,
			   "portal: cannot list the interface's addresses: "
			   "%s; old tunnel addresses may stay",
			   strerror(-ret));
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (!daemon_tunaddr_stale(&have[i], want))
			continue;
		ret = fzk_link_del_address(d->ifindex, &have[i]);
		if (ret && ret != -EADDRNOTAVAIL)
			daemon_log(d,
				   "portal: cannot remove the old tunnel "
				   "address %s: %s",
				   text(t, &have[i]), strerror(-ret));
		else
			daemon_log(d,
				   "portal: removed the old tunnel address %s",
				   text(t, &have[i]));
	}
}

int daemon_tunaddr_set(struct daemon *d, const struct fz_cidr want[2],
		       bool added[2], char *err, size_t errlen)
{
	char t[INET6_ADDRSTRLEN + 4];
	int ret, first = 0;

	remove_stale(d, want);
	for (size_t i = 0; i < 2; i++) {
		ret = fzk_link_add_addresses(d->ifindex, &want[i], 1, NULL);
		added[i] = !ret || ret == -EEXIST;
		if (added[i])
			continue;
		daemon_log(d,
			   "portal: cannot add the tunnel address %s: %s; "
			   "going on without it",
			   text(t, &want[i]), strerror(-ret));
		if (!first) {
			first = ret;
			snprintf(err, errlen,
				 "cannot add the tunnel address %s: %s",
				 text(t, &want[i]), strerror(-ret));
		}
	}
	return added[0] || added[1] ? 0 : first;
}
