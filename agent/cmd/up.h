/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The start of `fzagent up`, shared with `fzagent gateway`, which runs
 * the same agent: arguments, interface name and config file. Errors are
 * reported as "fzagent: CMD: ..." and returned as the exit status (or,
 * for cmd_up_load_config, -EINVAL).
 */
#ifndef FZ_AGENT_UP_H
#define FZ_AGENT_UP_H

#include <net/if.h>
#include <stdbool.h>

struct conf;

struct cmd_up_opts {
	const char *config;
	const char *ifname; /* -i, or NULL */
	const char *auth; /* -a (gateway only), or NULL */
};

/* CONFIG [-i IFACE], and [-a AUTHORIZATIONS] if with_auth. */
int cmd_up_parse_args(const char *cmd, int argc, char *argv[], bool with_auth,
		      struct cmd_up_opts *o);
/* -i IFACE, or the config file's name as wg-quick does. */
int cmd_up_choose_ifname(const char *cmd, const struct cmd_up_opts *o,
			 char out[IFNAMSIZ]);
/* Parses CONFIG and checks what fz.ko would refuse half way. */
int cmd_up_load_config(const char *cmd, const char *path, struct conf *cfg);

#endif /* FZ_AGENT_UP_H */
