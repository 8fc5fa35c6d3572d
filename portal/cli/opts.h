/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Options of the form "--name VALUE" or "--name=VALUE", as every fzportal
 * subcommand takes them; no positional arguments.
 */
#ifndef FZ_PORTAL_CLI_OPTS_H
#define FZ_PORTAL_CLI_OPTS_H

struct cli_opt {
	const char *name; /* "--db" */
	const char *meta; /* "PATH", in "--db needs PATH" */
	const char **value; /* set when given; NULL when not */
};

/*
 * Fills the values of opts (n of them) from argv[1..]: 0, or the usage
 * error's exit status (already reported as "fzportal: CMD: ...").
 */
int cli_opts_parse(const char *cmd, int argc, char *argv[],
		   const struct cli_opt *opts, int n);

#endif /* FZ_PORTAL_CLI_OPTS_H */
