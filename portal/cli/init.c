// SPDX-License-Identifier: GPL-2.0
/*
 * fzportal init: a new database with one account, its Everyone group, the
 * portal secret, an admin and the admin's first API token, all in one
 * transaction, so that an init that fails leaves nothing half made.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "core/names.h"
#include "core/psk.h"
#include "core/token.h"
#include "lib/cli.h"
#include "opts.h"
#include "store/store.h"

#define CMD "init"

static const char init_usage[] =
	"NAME\n"
	"    fzportal init - create the portal's database and its account\n"
	"\n"
	"SYNOPSIS\n"
	"    fzportal init --account SLUG --db PATH [--name NAME]\n"
	"                  [--admin NAME]\n"
	"    fzportal init -h | --help\n"
	"\n"
	"DESCRIPTION\n"
	"    Creates the SQLite database PATH (mode 0600; its directory, if\n"
	"    missing, with mode 0700), brings it to the latest schema and\n"
	"    makes, in one transaction: the account SLUG, its builtin group\n"
	"    Everyone (every actor is a member), the portal secret from\n"
	"    which preshared keys are derived (32 random bytes), an admin\n"
	"    user, and an API token for that admin.\n"
	"\n"
	"    The token is printed once, alone on standard output; the\n"
	"    database keeps only its hash, so it cannot be shown again. Keep\n"
	"    it where an administrator can read it: it is the credential of\n"
	"    `fzportal admin` over the REST API. Other messages go to\n"
	"    standard error.\n"
	"\n"
	"    A database that is already initialised is refused and left as\n"
	"    it is; to upgrade one, use `fzportal migrate`. A database made\n"
	"    by `fzportal migrate` alone (schema, no account) may be\n"
	"    initialised.\n"
	"\n"
	"OPTIONS\n"
	"    --account SLUG\n"
	"        The account's short name, used in URLs and on command\n"
	"        lines: 1 to 63 lower-case letters, digits and '-',\n"
	"        starting with a letter or digit. Required.\n"
	"\n"
	"    --db PATH\n"
	"        The database file to create. Required.\n"
	"\n"
	"    --name NAME\n"
	"        The account's display name (default: SLUG).\n"
	"\n"
	"    --admin NAME\n"
	"        The admin user's name (default: admin).\n"
	"\n"
	"    -h, --help\n"
	"        Print this help to standard output and exit.\n"
	"\n"
	"EXAMPLES\n"
	"    fzportal init --account acme --db /var/lib/fzportal/fz.db \\\n"
	"        --name 'Acme Corp' --admin alice > /root/fzportal.token\n"
	"    TOKEN=$(fzportal init --account test --db /tmp/fz/fz.db)\n"
	"\n"
	"EXIT STATUS\n"
	"    0 on success; 1 on any error, and then nothing was created.\n";

struct init_opts {
	const char *account, *db, *name, *admin;
};

/* The directory of path, made (0700) if it is missing. */
static int make_parent(const char *path)
{
	char copy[PATH_MAX];
	const char *dir;

	if (strlen(path) >= sizeof(copy)) {
		fz_cli_error(CMD, "%s: path too long", path);
		return -1;
	}
	strcpy(copy, path);
	dir = dirname(copy);
	if (mkdir(dir, 0700) == 0 || errno == EEXIST)
		return 0;
	fz_cli_error(CMD, "cannot create directory %s: %s", dir,
		     strerror(errno));
	return -1;
}

/*
 * Creates path as an empty file of mode 0600 before SQLite opens it, so
 * the secrets are never readable by others, not even for a moment (its
 * -wal and -shm files get the same mode). *created says whether it is new.
 */
static int create_file(const char *path, bool *created)
{
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	*created = fd >= 0;
	if (fd >= 0)
		return close(fd);
	if (errno == EEXIST)
		return 0;
	fz_cli_error(CMD, "cannot create %s: %s", path, strerror(errno));
	return -1;
}

/* A failed init takes back the file it made, WAL files included. */
static void remove_files(const char *path)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	char name[PATH_MAX + 8];

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(name, sizeof(name), "%s%s", path, suffixes[i]);
		unlink(name);
	}
}

/*
 * Initialised = a schema at another version than the latest (made by an
 * init long ago), or the latest with a portal secret.
 */
static int refuse_initialised(struct store *s, const char *path)
{
	uint8_t secret[CORE_PSK_SECRET_LEN];
	size_t len = sizeof(secret);
	struct store_err err = { 0 };
	int version = 0, latest = 0;

	if (store_schema_version(s, &version, &latest, &err)) {
		fz_cli_error(CMD, "%s: %s", path, err.msg);
		return -1;
	}
	if (!version)
		return 0;
	if (version == latest &&
	    store_meta_get(s, "psk_key", secret, &len, &err) == STORE_NOT_FOUND)
		return 0;
	sodium_memzero(secret, sizeof(secret));
	fz_cli_error(CMD,
		     "%s is already initialised (schema version %d); nothing "
		     "was changed (to upgrade it, run 'fzportal migrate')",
		     path, version);
	return -1;
}

static int make_account(struct store *s, const struct init_opts *o,
			struct store_account *a, struct store_err *err)
{
	struct store_group everyone = { 0 };
	uint8_t secret[CORE_PSK_SECRET_LEN];
	int ret;

	snprintf(a->slug, sizeof(a->slug), "%s", o->account);
	snprintf(a->name, sizeof(a->name), "%s", o->name);
	ret = store_account_create(s, a, err);
	if (ret)
		return ret;
	strcpy(everyone.account_id, a->id);
	strcpy(everyone.name, "Everyone");
	everyone.builtin = 1;
	ret = store_create(s, STORE_GROUP, &everyone, err);
	if (ret)
		return ret;
	randombytes_buf(secret, sizeof(secret));
	ret = store_meta_set(s, "psk_key", secret, sizeof(secret), err);
	sodium_memzero(secret, sizeof(secret));
	return ret;
}

static int make_admin(struct store *s, const struct store_account *a,
		      const char *name, struct core_token *token,
		      struct store_err *err)
{
	struct store_actor admin = { 0 };
	struct store_token t = { 0 };
	int ret;

	strcpy(admin.account_id, a->id);
	strcpy(admin.type, "user");
	strcpy(admin.role, "admin");
	snprintf(admin.name, sizeof(admin.name), "%s", name);
	if (strlen(name) >= sizeof(admin.name))
		return store_fail(err, STORE_INVALID, "--admin: too long");
	ret = store_create(s, STORE_ACTOR, &admin, err);
	if (ret)
		return ret;
	core_token_mint(token);
	core_token_id_text(t.id, token);
	strcpy(t.account_id, a->id);
	strcpy(t.kind, "api");
	strcpy(t.actor_id, admin.id);
	strcpy(t.name, "init");
	strcpy(t.created_by, "fzportal init");
	core_token_hash(t.hash, token->id, token->secret,
			sizeof(token->secret));
	return store_token_create(s, &t, err);
}

/* The admin change feed and audit log start with the account itself. */
static int record(struct store *s, const struct store_account *a,
		  struct store_err *err)
{
	struct store_change c = { 0 };
	struct store_audit au = { 0 };

	strcpy(c.account_id, a->id);
	strcpy(c.entity, "account");
	strcpy(c.op, "create");
	strcpy(c.object_id, a->id);
	strcpy(au.account_id, a->id);
	strcpy(au.source, "cli");
	strcpy(au.who, "fzportal init");
	strcpy(au.action, "account.init");
	strcpy(au.object_type, "account");
	strcpy(au.object_id, a->id);
	return store_change_append(s, &c, err) ?:
						 store_audit_append(s, &au, err);
}

static int populate(struct store *s, const struct init_opts *o,
		    struct core_token *token, struct store_err *err)
{
	struct store_account a = { 0 };
	int ret = store_begin(s, err);

	if (ret)
		return ret;
	ret = make_account(s, o, &a, err)		      ?:
		      make_admin(s, &a, o->admin, token, err) ?:
		      record(s, &a, err)		      ?:
		      store_commit(s, err);
	if (ret)
		store_rollback(s);
	return ret;
}

static int print_token(const struct init_opts *o, struct core_token *token)
{
	char text[CORE_TOKEN_TEXT_LEN + 1];
	int ret = 0;

	fprintf(stderr,
		"Created account '%s' in %s.\n"
		"The API token of admin '%s' follows, shown only this once "
		"(only its hash is kept):\n",
		o->account, o->db, o->admin);
	core_token_format(text, token);
	if (puts(text) == EOF || fflush(stdout) == EOF) {
		fz_cli_error(CMD, "cannot write the token: %s",
			     strerror(errno));
		ret = -1;
	}
	sodium_memzero(text, sizeof(text));
	return ret;
}

static int run(const struct init_opts *o, bool *created)
{
	struct store_err err = { 0 };
	struct core_token token;
	char url[PATH_MAX + 8];
	struct store *s;
	int ret;

	if (make_parent(o->db) || create_file(o->db, created))
		return -1;
	snprintf(url, sizeof(url), "sqlite:%s", o->db);
	s = store_open(url, &err);
	if (!s) {
		fz_cli_error(CMD, "%s", err.msg);
		return -1;
	}
	ret = *created ? 0 : refuse_initialised(s, o->db);
	if (!ret && (store_migrate(s, 0, NULL, NULL, &err) ||
		     populate(s, o, &token, &err))) {
		fz_cli_error(CMD, "%s: %s", o->db, err.msg);
		ret = -1;
	}
	store_close(s);
	if (!ret)
		ret = print_token(o, &token);
	core_token_wipe(&token);
	return ret;
}

static int parse(int argc, char *argv[], struct init_opts *o)
{
	const struct cli_opt opts[] = {
		{ "--account", "SLUG", &o->account },
		{ "--db", "PATH", &o->db },
		{ "--name", "NAME", &o->name },
		{ "--admin", "NAME", &o->admin },
	};
	const char *why;
	int ret;

	ret = cli_opts_parse(CMD, argc, argv, opts, 4);
	if (ret)
		return ret;
	if (!o->account)
		return fz_cli_usage_error(CMD, "--account SLUG is required");
	if (!o->db || !*o->db)
		return fz_cli_usage_error(CMD, "--db PATH is required");
	if (!core_slug_valid(o->account, &why))
		return fz_cli_usage_error(CMD, "--account '%s': the slug %s",
					  o->account, why);
	if (!o->name)
		o->name = o->account;
	if (!o->admin)
		o->admin = "admin";
	if (!*o->name || !*o->admin)
		return fz_cli_usage_error(CMD, "--name and --admin may not "
					       "be empty");
	return 0;
}

int cli_init_main(int argc, char *argv[])
{
	struct init_opts o;
	bool created = false;

	if (fz_cli_wants_help(argc, argv))
		return fz_cli_print_usage(init_usage);
	if (parse(argc, argv, &o))
		return FZ_CLI_EXIT_USAGE;
	if (run(&o, &created)) {
		if (created)
			remove_files(o.db);
		return FZ_CLI_EXIT_FAILURE;
	}
	return FZ_CLI_EXIT_OK;
}
