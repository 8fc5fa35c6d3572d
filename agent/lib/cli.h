/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The lib wing (agent/lib/): what every other wing may use and that
 * knows nothing of fz's roles: the command line's conventions (this
 * file), clocks, addresses and Firezone's ranges (cidr.h), UUIDs, domain
 * names and expiries (values.h), resource addresses (resaddr.h) and
 * filters (filter.h), INI reading, files and secrets, the client token
 * file (tokenfile.h), keys, text formatting and JSON writing. It
 * includes nothing above it: only libc, libsodium, json-c (filter.h)
 * and uapi/linux/fz.h. Numeric socket addresses are sockaddr.h.
 *
 * Command line conventions shared by every fzagent subcommand.
 *
 * A subcommand is a function `name_main(argc, argv)` where argv[0] is the
 * subcommand's own name. It returns the process exit status: 0 on success,
 * 1 on any error, usage errors included. Errors go to stderr as
 * "fzagent: <subcommand>: <what is wrong>"; help goes to stdout.
 */
#ifndef FZ_AGENT_CLI_H
#define FZ_AGENT_CLI_H

#include <stdbool.h>

#define FZ_AGENT_NAME "fzagent"
#define FZ_AGENT_VERSION "0.1.0"

/*
 * The program named in error messages: fzagent by default; fzportal
 * sets it in its main() (both share this wing).
 */
extern const char *fz_cli_prog;

enum {
	FZ_CLI_EXIT_OK = 0,
	FZ_CLI_EXIT_FAILURE = 1,
	FZ_CLI_EXIT_USAGE = 1,
};

bool fz_cli_is_help(const char *arg);
bool fz_cli_wants_help(int argc, char *argv[]);
int fz_cli_print_usage(const char *text);

void fz_cli_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int fz_cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* FZ_AGENT_CLI_H */
