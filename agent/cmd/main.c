// SPDX-License-Identifier: GPL-2.0
/*
 * fzagent: the userspace agent of the fz zero-trust VPN.
 *
 * main() only initialises shared state and dispatches to a subcommand.
 * To add one, write its name_main() in its own file, declare it in cli.h
 * and add a row to the table below.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "lib/keys.h"

static int help_main(int argc, char *argv[]);

static const struct cmd_subcommand commands[] = {
	{ "up", cmd_up_main,
	  "Configure an interface from a file and run its agent" },
	{ "gateway", cmd_gateway_main,
	  "Run an interface as a gateway: up, plus clients and resources" },
	{ "client", cmd_client_main,
	  "Run this host as a client of the portal: resources on demand" },
	{ "authorize", cmd_authorize_main,
	  "Authorize a gateway client for a resource" },
	{ "revoke", cmd_revoke_main,
	  "Revoke a gateway client's authorization" },
	{ "set", cmd_set_main, "Change the configuration of an interface" },
	{ "down", cmd_down_main, "Stop an interface's agent and delete it" },
	{ "show", cmd_show_main,
	  "Show the configuration and state of fz interfaces" },
	{ "sign-in", cmd_signin_main,
	  "Sign this client in to a portal with a browser" },
	{ "sign-out", cmd_signout_main,
	  "Revoke this client's token on the portal and delete it" },
	{ "genkey", cmd_genkey_main,
	  "Generate a new private key on standard output" },
	{ "pubkey", cmd_pubkey_main,
	  "Read a private key on standard input, print its public key" },
	{ "help", help_main, "Show this list, or the help of one command" },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct cmd_subcommand *find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void print_overview(FILE *f)
{
	fputs("Usage: " FZ_AGENT_NAME " <command> [<arguments>]\n"
	      "       " FZ_AGENT_NAME " --help | --version\n"
	      "\n"
	      "Configure and inspect fz interfaces, the data path of the fz\n"
	      "zero-trust VPN in the kernel module fz.ko.\n"
	      "\n"
	      "Commands:\n",
	      f);
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-9s  %s\n", commands[i].name,
			commands[i].description);
	fputs("\nRun '" FZ_AGENT_NAME " <command> --help' for the synopsis, "
	      "options and examples\nof one command.\n",
	      f);
}

static int unknown_command(const char *name)
{
	fz_cli_error(NULL, "%s: unknown %s", name,
		     name[0] == '-' ? "option" : "command");
	fputs("Run '" FZ_AGENT_NAME " --help' for the list of commands.\n",
	      stderr);
	return FZ_CLI_EXIT_USAGE;
}

/* `fzagent help CMD` is the same as `fzagent CMD --help`. */
static int help_main(int argc, char *argv[])
{
	const struct cmd_subcommand *cmd;
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
	const struct cmd_subcommand *cmd;

	if (argc < 2) {
		print_overview(stderr);
		return FZ_CLI_EXIT_USAGE;
	}
	if (fz_cli_is_help(argv[1]))
		return help_main(1, argv + 1);
	if (!strcmp(argv[1], "--version")) {
		puts(FZ_AGENT_NAME " " FZ_AGENT_VERSION);
		return fflush(stdout) == EOF ? FZ_CLI_EXIT_FAILURE :
					       FZ_CLI_EXIT_OK;
	}
	cmd = find_command(argv[1]);
	if (!cmd)
		return unknown_command(argv[1]);
	/* Every key operation needs libsodium; initialise it exactly once. */
	if (fz_keys_init() < 0) {
		fz_cli_error(NULL, "cannot initialise libsodium");
		return FZ_CLI_EXIT_FAILURE;
	}
	return cmd->main(argc - 1, argv + 1);
}
