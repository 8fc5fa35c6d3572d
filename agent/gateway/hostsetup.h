/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a gateway changes on its host, and undoes on exit: IPv4 and IPv6
 * forwarding on, but only for what comes from or goes to the fz
 * interface (a forward chain drops the rest of a family whose forwarding
 * was off before), and masquerading of traffic from the tunnel ranges
 * (100.64.0.0/11, fd00:2021:1111::/107) that leaves through any
 * interface but the fz one. Both live in a table of its own,
 * "inet fz-gw-IFACE", created and deleted whole, so nothing else in the
 * host's ruleset is touched and a crashed agent's leftover is replaced.
 */
#ifndef FZ_AGENT_HOSTSETUP_H
#define FZ_AGENT_HOSTSETUP_H

#include <stdbool.h>
#include <stddef.h>

#define GW_HOST_IPV4_FORWARD "/proc/sys/net/ipv4/ip_forward"
#define GW_HOST_IPV6_FORWARD "/proc/sys/net/ipv6/conf/all/forwarding"
#define GW_HOST_TABLE_MAX 64
#define GW_HOST_RULESET_MAX 1024

/* A sysctl we turned on, and what it was. */
struct gw_host_sysctl {
	const char *path;
	char old[16]; /* "" : not changed */
};

struct gw_host {
	char table[GW_HOST_TABLE_MAX];
	bool table_added;
	struct gw_host_sysctl forward[2];
	bool drop_other[2]; /* IPv4, IPv6: forwarding was off before */
};

/*
 * "fz-gw-IFACE" when IFACE is made of letters, digits, '.', '_' and '-'
 * only (nft's identifiers); else "fz-gwx-" and IFACE in hex, so two
 * interfaces never share a table.
 */
void gw_host_table_name(char out[GW_HOST_TABLE_MAX], const char *ifname);

/*
 * The nft script that (re)creates the table: "add table" and "delete
 * table" first, so one left by a crashed agent goes, in the same
 * transaction. drop4/drop6: forwarding of that family not from or to
 * ifname is dropped. Returns the length, or -ENOSPC.
 */
int gw_host_ruleset(char *buf, size_t len, const char *table,
		    const char *ifname, bool drop4, bool drop6);

/* Runs an nft script with libnftables; nft's own errors go to err. */
int gw_host_nft(const char *script, char *err, size_t errlen);

/*
 * Turns forwarding on and adds the table. On error, what was done is
 * undone and err says what failed. A missing IPv6 sysctl (IPv6 disabled)
 * is not an error.
 */
int gw_host_apply(struct gw_host *h, const char *ifname, char *err,
		  size_t errlen);
/* Removes the table and restores forwarding. Errors go to err (the last). */
int gw_host_undo(struct gw_host *h, char *err, size_t errlen);

/* The sysctl helpers, with paths, for the tests. */
int gw_host_sysctl_enable(struct gw_host_sysctl *s, const char *path);
int gw_host_sysctl_restore(struct gw_host_sysctl *s);

#endif /* FZ_AGENT_HOSTSETUP_H */
