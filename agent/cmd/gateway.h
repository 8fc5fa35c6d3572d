/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `fzagent gateway`'s words (gateway.c), and its portal mode
 * (gateway_portal.c): the flags that say where the portal is, how to
 * authenticate to it and where to serve /healthz.
 */
#ifndef FZ_AGENT_CMD_GATEWAY_H
#define FZ_AGENT_CMD_GATEWAY_H

#include <net/if.h>
#include <stddef.h>

#include "up.h"
#include "daemon/daemon.h"

struct cmd_gateway_opts {
	struct cmd_up_opts up; /* CONFIG, -i, -a */
	const char *portal; /* --portal URL */
	const char *token_file; /* --token-file */
	const char *ca_file; /* --ca-file */
	const char *health; /* --health ADDR:PORT */
	const char *endpoints[DAEMON_PORTAL_MAX_ENDPOINTS]; /* --endpoint */
	size_t n_endpoints;
};

/* "1.2.3.4:5" or "[fd00::1]:5" into ip (a full-length prefix), port. */
struct proto_sig_endpoint;
int cmd_gateway_parse_endpoint(const char *text, struct proto_sig_endpoint *ep);

/* The portal mode, once the words are parsed. */
int cmd_gateway_portal(const struct cmd_gateway_opts *o,
		       const char ifname[IFNAMSIZ]);

#endif /* FZ_AGENT_CMD_GATEWAY_H */
