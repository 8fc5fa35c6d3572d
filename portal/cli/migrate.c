// SPDX-License-Identifier: GPL-2.0
/*
 * fzportal migrate: brings an existing database to the schema of this
 * binary. `fzportal serve` does the same at start; this is for doing it
 * on purpose first (after a backup) and seeing what happened.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "lib/cli.h"
#include "opts.h"
#include "store/store.h"

#define CMD "migrate"

static const char migrate_usage[] =
	"NAME\n"
	"    fzportal migrate - bring the portal's database to this version\n"
	"\n"
	"SYNOPSIS\n"
	"    fzportal migrate --db PATH\n"
	"    fzportal migrate -h | --help\n"
	"\n"
	"DESCRIPTION\n"
	"    Applies to PATH every schema migration this fzportal knows and\n"
	"    the database has not had yet, each in its own transaction, and\n"
	"    says which versions it went from and to. A database already at\n"
	"    the latest version is left alone. A database whose schema is\n"
	"    newer than this fzportal is refused unchanged: run the newer\n"
	"    fzportal instead.\n"
	"\n"
	"    Migrations only add: the portal keeps running on a database a\n"
	"    migration failed on, at the version before it. Back the file up\n"
	"    first all the same (sqlite3 PATH \".backup COPY\").\n"
	"\n"
	"OPTIONS\n"
	"    --db PATH\n"
	"        The database, as given to `fzportal init`. Required; it must\n"
	"        exist.\n"
	"\n"
	"    -h, --help\n"
	"        Print this help to standard output and exit.\n"
	"\n"
	"EXAMPLES\n"
	"    fzportal migrate --db /var/lib/fzportal/fz.db\n"
	"\n"
	"EXIT STATUS\n"
	"    0 when the database is at the latest version; 1 on any error.\n";

static int run(const char *path)
{
	struct store_err err = { 0 };
	char url[PATH_MAX + 8];
	int from = 0, to = 0;
	struct store *s;
	struct stat st;
	int ret;

	if (stat(path, &st) < 0) {
		fz_cli_error(CMD, "%s: %s%s", path, strerror(errno),
			     errno == ENOENT ? " (create it with 'fzportal "
					       "init')" :
					       "");
		return -1;
	}
	snprintf(url, sizeof(url), "sqlite:%s", path);
	s = store_open(url, &err);
	if (!s) {
		fz_cli_error(CMD, "%s", err.msg);
		return -1;
	}
	ret = store_migrate(s, 0, &from, &to, &err);
	store_close(s);
	if (ret) {
		fz_cli_error(CMD, "%s: %s (the schema is at version %d)", path,
			     err.msg, to);
		return -1;
	}
	if (from == to)
		printf("%s: schema version %d, the latest; nothing to do\n",
		       path, to);
	else
		printf("%s: schema migrated from version %d to %d\n", path,
		       from, to);
	return fflush(stdout) == EOF ? -1 : 0;
}

int cli_migrate_main(int argc, char *argv[])
{
	const char *db;
	const struct cli_opt opts[] = { { "--db", "PATH", &db } };

	if (fz_cli_wants_help(argc, argv))
		return fz_cli_print_usage(migrate_usage);
	if (cli_opts_parse(CMD, argc, argv, opts, 1))
		return FZ_CLI_EXIT_USAGE;
	if (!db || !*db)
		return fz_cli_usage_error(CMD, "--db PATH is required");
	return run(db) ? FZ_CLI_EXIT_FAILURE : FZ_CLI_EXIT_OK;
}
