/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cli wing (portal/cli/): fzportal's subcommands. Each is a function
 * `cli_<name>_main(argc, argv)` with argv[0] its own name, returning the
 * exit status (0 on success, 1 on any error), as fzagent's are.
 */
#ifndef FZ_PORTAL_CLI_H
#define FZ_PORTAL_CLI_H

#define FZ_PORTAL_NAME "fzportal"
#define FZ_PORTAL_VERSION "0.1.0"

struct cli_subcommand {
	const char *name;
	int (*main)(int argc, char *argv[]);
	const char *description;
};

int cli_admin_main(int argc, char *argv[]);
int cli_init_main(int argc, char *argv[]);
int cli_migrate_main(int argc, char *argv[]);
int cli_serve_main(int argc, char *argv[]);

#endif /* FZ_PORTAL_CLI_H */
