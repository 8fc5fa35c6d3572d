/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The gateway's tunnel addresses on its interface, as the portal's init
 * gives them: each family on its own (a host with IPv6 disabled keeps
 * its IPv4 address), and every other address in the tunnel ranges
 * (100.64.0.0/11, fd00:2021:1111::/107) removed, an earlier run's too:
 * the device outlives the agent, and a stale address would answer for a
 * client's.
 */
#ifndef FZ_AGENT_DAEMON_TUNADDR_H
#define FZ_AGENT_DAEMON_TUNADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/cidr.h"

struct daemon;

/* An address in the tunnel ranges that is neither of want[]: remove. */
bool daemon_tunaddr_stale(const struct fz_cidr *have,
			  const struct fz_cidr want[2]);
/*
 * want[] on d's interface, the stale ones off; a family that fails is
 * logged and the other goes on; added[i]: want[i] is on the interface.
 * Returns 0 if one was added, else the first error with err filled.
 */
int daemon_tunaddr_set(struct daemon *d, const struct fz_cidr want[2],
		       bool added[2], char *err, size_t errlen);

#endif /* FZ_AGENT_DAEMON_TUNADDR_H */
