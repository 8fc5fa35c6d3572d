// SPDX-License-Identifier: GPL-2.0
/*
 * fzportal: the control plane of the fz zero-trust VPN.
 *
 * main() only initialises shared state and dispatches to a subcommand.
 * To add one, write its cli_<name>_main() in its own file, declare it in
 * cli.h and add a row to the table below.
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "cli.h"
#include "lib/cli.h"
#include "lib/keys.h"

static int help_main(int argc, char *argv[]);

static const struct cli_subcommand commands[] = {
	{ "init", cli_init_main, "Create the database, its account and admin" },
	{ "admin", cli_admin_main,
	  "Administer the account: sites, resources, ..." },
	{ "migrate", cli_migrate_main, "Bring the database to this version" },
	{ "serve", cli_serve_main, "Run the HTTPS and WebSocket server" },
	{ "help", help_main, "Show this list, or the help of one command" },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct cli_subcommand *find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void print_overview(FILE *f)
{
	fputs("Usage: " FZ_PORTAL_NAME " <command> [<arguments>]\n"
	      "       " FZ_PORTAL_NAME " --help | --version\n"
	      "\n"
	      "The control plane of the fz zero-trust VPN: accounts, sites,\n"
	      "resources, groups and policies, and the signalling that tells\n"
	      "gateways and clients what to set up.\n"
	      "\n"
	      "Commands:\n",
	      f);
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-9s  %s\n", commands[i].name,
			commands[i].description);
	fputs("\nRun '" FZ_PORTAL_NAME " <command> --help' for the synopsis, "
	      "options and examples\nof one command.\n",
	      f);
}

static int unknown_command(const char *name)
{
	fz_cli_error(NULL, "%s: unknown %s", name,
		     name[0] == '-' ? "option" : "command");
	fputs("Run '" FZ_PORTAL_NAME " --help' for the list of commands.\n",
	      stderr);
	return FZ_CLI_EXIT_USAGE;
}

/* `fzportal help CMD` is the same as `fzportal CMD --help`. */
static int help_main(int argc, char *argv[])
{
	const struct cli_subcommand *cmd;
	char help_flag[] = "--help";
	char *sub_argv[] = { NULL, help_flag, NULL };

	if (argc == 2 && fz_cli_is_help(argv[1]))
		argc = 1;
	if (argc > 2)
		return fz_cli_usage_error("help", "too many arguments");
	if (argc == 1) {
		print_overview(stdout);
		return fflush(stdout) == EOF ? FZ_CLI_EXIT_FAILURE :
					       FZ_CLI_EXIT_OK;
	}
	cmd = find_command(argv[1]);
	if (!cmd)
		return unknown_command(argv[1]);
	sub_argv[0] = argv[1];
	return cmd->main(2, sub_argv);
}

int main(int argc, char *argv[])
{
	const struct cli_subcommand *cmd;

	fz_cli_prog = FZ_PORTAL_NAME;
	if (argc < 2) {
		print_overview(stderr);
		return FZ_CLI_EXIT_USAGE;
	}
	if (fz_cli_is_help(argv[1]))
		return help_main(1, argv + 1);
	if (!strcmp(argv[1], "--version")) {
		puts(FZ_PORTAL_NAME " " FZ_PORTAL_VERSION);
		return fflush(stdout) == EOF ? FZ_CLI_EXIT_FAILURE :
					       FZ_CLI_EXIT_OK;
	}
	cmd = find_command(argv[1]);
	if (!cmd)
		return unknown_command(argv[1]);
	/* Tokens, keys and IDs all need libsodium; initialise it once. */
	if (fz_keys_init() < 0) {
		fz_cli_error(NULL, "cannot initialise libsodium");
		return FZ_CLI_EXIT_FAILURE;
	}
	/* Before any thread: the sign-in's provider and mail calls. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
		fz_cli_error(NULL, "cannot initialise libcurl");
		return FZ_CLI_EXIT_FAILURE;
	}
	return cmd->main(argc - 1, argv + 1);
}
