// SPDX-License-Identifier: GPL-2.0
/*
 * Command line helpers: help detection and uniform error messages.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

const char *fz_cli_prog = FZ_AGENT_NAME;

bool fz_cli_is_help(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help");
}

/*
 * --help wins wherever it appears before "--", so that a user who is
 * halfway through typing a command line can still ask what it means.
 */
bool fz_cli_wants_help(int argc, char *argv[])
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return false;
		if (fz_cli_is_help(argv[i]))
			return true;
	}
	return false;
}

int fz_cli_print_usage(const char *text)
{
	fputs(text, stdout);
	if (fflush(stdout) == EOF || ferror(stdout))
		return FZ_CLI_EXIT_FAILURE;
	return FZ_CLI_EXIT_OK;
}

static void verror(const char *cmd, const char *fmt, va_list ap)
{
	if (cmd)
		fprintf(stderr, "%s: %s: ", fz_cli_prog, cmd);
	else
		fprintf(stderr, "%s: ", fz_cli_prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void fz_cli_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(cmd, fmt, ap);
	va_end(ap);
}

/* A usage error also tells the user where the correct usage is written. */
int fz_cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(cmd, fmt, ap);
	va_end(ap);
	fprintf(stderr, "Run '%s %s --help' for usage.\n", fz_cli_prog, cmd);
	return FZ_CLI_EXIT_USAGE;
}
