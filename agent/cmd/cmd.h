/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cmd wing: `fzagent` itself, one file per subcommand and the
 * dispatch table (main.c), as wireguard-tools' src/. It parses the words
 * the user typed and prints what the user sees; it may use every wing
 * below it (daemon, gateway, proto, ctl, fzk, conf, wg, lib) and nothing
 * below may include it. The conventions every subcommand follows (exit
 * status, "fzagent: CMD: ..." errors, --help) are lib/cli.h's.
 */
#ifndef FZ_AGENT_CMD_H
#define FZ_AGENT_CMD_H

#include "lib/cli.h"

struct cmd_subcommand {
	const char *name;
	int (*main)(int argc, char *argv[]);
	const char *description; /* one line, for `fzagent --help` */
};

/* Subcommand entry points; the dispatch table lives in main.c. */
int cmd_genkey_main(int argc, char *argv[]);
int cmd_pubkey_main(int argc, char *argv[]);
int cmd_show_main(int argc, char *argv[]);
int cmd_up_main(int argc, char *argv[]);
int cmd_set_main(int argc, char *argv[]);
int cmd_down_main(int argc, char *argv[]);
int cmd_gateway_main(int argc, char *argv[]);
int cmd_client_main(int argc, char *argv[]);
int cmd_authorize_main(int argc, char *argv[]);
int cmd_revoke_main(int argc, char *argv[]);
int cmd_signin_main(int argc, char *argv[]);
int cmd_signout_main(int argc, char *argv[]);

#endif /* FZ_AGENT_CMD_H */
