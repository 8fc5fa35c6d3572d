// SPDX-License-Identifier: GPL-2.0
/*
 * The default routes' interfaces and their addresses; see defroute.h.
 * The /proc files are the kernel's own text, but they are read as any
 * input: a line that does not parse is skipped.
 */
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "defroute.h"

#define MAX_IFACES 4

struct ifaces {
	char name[MAX_IFACES][IFNAMSIZ];
	int family[MAX_IFACES];
	size_t n;
};

static void add_iface(struct ifaces *l, const char *name, int family)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->family[i] == family && !strcmp(l->name[i], name))
			return;
	if (l->n == MAX_IFACES || strlen(name) >= IFNAMSIZ)
		return;
	snprintf(l->name[l->n], IFNAMSIZ, "%s", name);
	l->family[l->n++] = family;
}

/* "eth0 00000000 ... Mask 00000000": destination and mask zero. */
static void read_route4(const char *path, struct ifaces *l)
{
	char line[512], iface[IFNAMSIZ + 1];
	unsigned int dst, gw, flags, refcnt, use, metric, mask;
	FILE *f = fopen(path, "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%16s %x %x %x %u %u %u %x", iface, &dst, &gw,
			   &flags, &refcnt, &use, &metric, &mask) == 8 &&
		    !dst && !mask && (flags & 1 /* RTF_UP */))
			add_iface(l, iface, AF_INET);
	fclose(f);
}

/* "0000...0000 00 ... IFACE": ::/0, not an unreachable route on lo. */
static void read_route6(const char *path, struct ifaces *l)
{
	char line[512], dst[33], src[33], hop[33], iface[IFNAMSIZ + 1];
	unsigned int plen, splen, metric, refcnt, use, flags;
	FILE *f = fopen(path, "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%32s %x %32s %x %32s %x %x %x %x %16s", dst,
			   &plen, src, &splen, hop, &metric, &refcnt, &use,
			   &flags, iface) == 10 &&
		    !plen && strspn(dst, "0") == 32 &&
		    (flags & 1 /* RTF_UP */) && !(flags & 0x0200 /* REJECT */))
			add_iface(l, iface, AF_INET6);
	fclose(f);
}

static bool wanted(const struct ifaces *l, const struct ifaddrs *ifa)
{
	const struct sockaddr *sa = ifa->ifa_addr;

	if (!sa || (sa->sa_family != AF_INET && sa->sa_family != AF_INET6))
		return false;
	if (sa->sa_family == AF_INET6 &&
	    IN6_IS_ADDR_LINKLOCAL(
		    &((const struct sockaddr_in6 *)sa)->sin6_addr))
		return false;
	for (size_t i = 0; i < l->n; i++)
		if (l->family[i] == sa->sa_family &&
		    !strcmp(l->name[i], ifa->ifa_name))
			return true;
	return false;
}

static void put(struct fz_cidr *out, const struct sockaddr *sa)
{
	memset(out, 0, sizeof(*out));
	out->family = sa->sa_family;
	if (sa->sa_family == AF_INET) {
		memcpy(out->addr, &((const struct sockaddr_in *)sa)->sin_addr,
		       4);
		out->cidr = 32;
	} else {
		memcpy(out->addr, &((const struct sockaddr_in6 *)sa)->sin6_addr,
		       16);
		out->cidr = 128;
	}
}

int fz_default_route_addrs(const char *route4, const char *route6,
			   struct fz_cidr *out, size_t max)
{
	struct ifaddrs *list, *ifa;
	struct ifaces l = { 0 };
	size_t n = 0;

	read_route4(route4 ? route4 : FZ_ROUTE4_PATH, &l);
	read_route6(route6 ? route6 : FZ_ROUTE6_PATH, &l);
	if (!l.n)
		return 0;
	if (getifaddrs(&list))
		return -errno;
	for (int family = AF_INET; family;
	     family = family == AF_INET ? AF_INET6 : 0)
		for (ifa = list; ifa && n < max; ifa = ifa->ifa_next)
			if (wanted(&l, ifa) &&
			    ifa->ifa_addr->sa_family == family)
				put(&out[n++], ifa->ifa_addr);
	freeifaddrs(list);
	return (int)n;
}
