/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `fzagent authorize` and `fzagent revoke`: their arguments, checked
 * where the user runs them, and the control-socket words they become
 * (gw_ctl_authorize/revoke in the agent take them from there).
 */
#ifndef FZ_AGENT_AUTHORIZE_H
#define FZ_AGENT_AUTHORIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cmd_authorize_args {
	const char *ifname;
	const char *client; /* base64 public key, checked */
	const char *resource; /* Name or ID, or "all" (revoke) */
	uint64_t expires_ns; /* authorize: 0 = never */
};

/*
 * argv[0] is the command. authorize: IFACE KEY RESOURCE [expires TIME];
 * revoke: IFACE KEY RESOURCE|all. 0, or -EINVAL with a message in err.
 */
int cmd_authorize_parse_args(int argc, char **argv, uint64_t now_ns,
			     struct cmd_authorize_args *out, char *err,
			     size_t errlen);
int cmd_revoke_parse_args(int argc, char **argv, struct cmd_authorize_args *out,
			  char *err, size_t errlen);

#endif /* FZ_AGENT_AUTHORIZE_H */
