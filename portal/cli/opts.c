// SPDX-License-Identifier: GPL-2.0
/* The option parser of fzportal's subcommands (opts.h). */
#include <string.h>

#include "lib/cli.h"
#include "opts.h"

static const struct cli_opt *find(const struct cli_opt *opts, int n,
				  const char *arg, size_t len)
{
	for (int i = 0; i < n; i++)
		if (strlen(opts[i].name) == len &&
		    !strncmp(opts[i].name, arg, len))
			return &opts[i];
	return NULL;
}

int cli_opts_parse(const char *cmd, int argc, char *argv[],
		   const struct cli_opt *opts, int n)
{
	for (int i = 0; i < n; i++)
		*opts[i].value = NULL;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *eq = strchr(arg, '=');
		size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
		const struct cli_opt *o = find(opts, n, arg, len);

		if (!o && arg[0] == '-')
			return fz_cli_usage_error(cmd, "unknown option '%s'",
						  arg);
		if (!o)
			return fz_cli_usage_error(
				cmd, "unexpected argument '%s'", arg);
		if (*o->value)
			return fz_cli_usage_error(cmd, "%s given twice",
						  o->name);
		if (eq)
			*o->value = eq + 1;
		else if (++i < argc)
			*o->value = argv[i];
		else
			return fz_cli_usage_error(cmd, "%s needs %s", o->name,
						  o->meta);
	}
	return 0;
}
