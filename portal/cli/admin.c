// SPDX-License-Identifier: GPL-2.0
/*
 * fzportal admin: argv into the admin wing's request, the response out
 * as a table or JSON. Nothing is checked here but the shape of the
 * command line; every rule about values is the admin wing's, the same
 * for the REST API.
 */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "admin.h"
#include "admin/admin.h"
#include "cli.h"
#include "lib/cli.h"
#include "store/store.h"

#define DB_DEFAULT "/var/lib/fzportal/fzportal.db"
#define SECRET_FILE_MAX 4096

struct admin_args {
	const char *db, *account;
	bool json, help;
	const char *words[2]; /* noun, verb */
	int nwords;
	const struct cli_admin_noun *noun;
	const struct cli_admin_verb *verb;
	char cmd[96]; /* "admin resource create", for errors */
	int rest; /* where the verb's arguments start in argv */
};

/* --db, --account, --json and --help, wherever they stand. */
static int global_opt(struct admin_args *a, int argc, char *argv[], int *i)
{
	const char *arg = argv[*i];
	const char **slot = NULL;

	if (!strcmp(arg, "--json"))
		return a->json = true;
	if (fz_cli_is_help(arg))
		return a->help = true;
	if (!strncmp(arg, "--db", 4) && (!arg[4] || arg[4] == '='))
		slot = &a->db;
	else if (!strncmp(arg, "--account", 9) && (!arg[9] || arg[9] == '='))
		slot = &a->account;
	if (!slot)
		return 0;
	if (strchr(arg, '=')) {
		*slot = strchr(arg, '=') + 1;
	} else if (++*i < argc) {
		*slot = argv[*i];
	} else {
		fz_cli_usage_error("admin", "%s needs a value", arg);
		return -1;
	}
	return 1;
}

static int find_words(struct admin_args *a)
{
	if (a->nwords < 1)
		return 0;
	a->noun = cli_admin_noun_find(a->words[0]);
	if (!a->noun)
		return fz_cli_usage_error("admin",
					  "unknown noun '%s' (see 'fzportal "
					  "admin --help')",
					  a->words[0]);
	if (a->nwords < 2)
		return 0;
	a->verb = cli_admin_verb_find(a->noun, a->words[1]);
	if (!a->verb)
		return fz_cli_usage_error("admin",
					  "%s: unknown verb '%s' (see "
					  "'fzportal admin %s --help')",
					  a->noun->name, a->words[1],
					  a->noun->name);
	snprintf(a->cmd, sizeof(a->cmd), "admin %s %s", a->noun->name,
		 a->verb->name);
	return 0;
}

/* Global options, then the noun and verb; the rest is the verb's. */
static int parse_head(struct admin_args *a, int argc, char *argv[])
{
	int i, r;

	for (i = 1; i < argc && a->nwords < 2; i++) {
		r = global_opt(a, argc, argv, &i);
		if (r < 0)
			return 1;
		if (r)
			continue;
		if (argv[i][0] == '-')
			return fz_cli_usage_error("admin",
						  "unknown option '%s' before "
						  "NOUN VERB",
						  argv[i]);
		a->words[a->nwords++] = argv[i];
	}
	a->rest = i;
	return find_words(a);
}

static const struct cli_admin_opt *find_opt(const struct cli_admin_verb *v,
					    const char *arg, size_t len)
{
	for (const struct cli_admin_opt *o = v->opts; o->flag; o++)
		if (strlen(o->flag) == len && !strncmp(o->flag, arg, len))
			return o;
	return NULL;
}

/*
 * A secret from a file or standard input ("-"), never from argv where
 * every user's ps shows it; one trailing newline is dropped.
 */
static int put_file(struct admin_args *a, const struct cli_admin_opt *o,
		    const char *path, json_object *req)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char buf[SECRET_FILE_MAX + 1];
	size_t n = 0;
	int ret = -1;

	if (!f) {
		fz_cli_error(a->cmd, "%s: %s", path, strerror(errno));
		return -1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	if (ferror(f) || n > SECRET_FILE_MAX) {
		fz_cli_error(a->cmd, "%s: %s", path,
			     n > SECRET_FILE_MAX ? "longer than 4 KiB" :
						   "cannot read");
		goto out;
	}
	if (n && buf[n - 1] == '\n')
		n--;
	if (n && buf[n - 1] == '\r')
		n--;
	json_object_object_add(req, o->key,
			       json_object_new_string_len(buf, (int)n));
	ret = 0;
out:
	sodium_memzero(buf, sizeof(buf));
	if (f != stdin)
		fclose(f);
	return ret;
}

/* The text of a secret member of req, wiped once the call is done. */
static void wipe_secrets(const struct admin_args *a, json_object *req)
{
	json_object *v;

	for (const struct cli_admin_opt *o = a->verb ? a->verb->opts : NULL;
	     o && o->flag; o++)
		if (o->kind == CLI_ARG_FILE &&
		    json_object_object_get_ex(req, o->key, &v))
			sodium_memzero((char *)json_object_get_string(v),
				       (size_t)json_object_get_string_len(v));
}

/* One option's value into the request (or the id). */
static int put(struct admin_args *a, const struct cli_admin_opt *o,
	       const char *val, json_object *req, const char **id)
{
	json_object *arr, *v;

	switch (o->kind) {
	case CLI_ARG_ID:
		*id = val;
		return 0;
	case CLI_ARG_STR:
		json_object_object_add(req, o->key,
				       json_object_new_string(val));
		return 0;
	case CLI_ARG_TRUE:
	case CLI_ARG_FALSE:
		json_object_object_add(req, o->key,
				       json_object_new_boolean(o->kind ==
							       CLI_ARG_TRUE));
		return 0;
	case CLI_ARG_EMPTY:
		json_object_object_add(req, o->key, json_object_new_array());
		return 0;
	case CLI_ARG_ONOFF:
		if (strcmp(val, "on") && strcmp(val, "off")) {
			fz_cli_usage_error(a->cmd, "%s takes on or off",
					   o->flag);
			return -1;
		}
		json_object_object_add(req, o->key,
				       json_object_new_boolean(val[1] == 'n'));
		return 0;
	case CLI_ARG_FILE:
		return put_file(a, o, val, req);
	case CLI_ARG_JSON:
		v = json_tokener_parse(val);
		if (!v) {
			fz_cli_error(a->cmd, "%s: not JSON: %s", o->key, val);
			return -1;
		}
		if (!json_object_object_get_ex(req, o->key, &arr) ||
		    !json_object_is_type(arr, json_type_array)) {
			arr = json_object_new_array();
			json_object_object_add(req, o->key, arr);
		}
		json_object_array_add(arr, v);
		return 0;
	}
	return -1;
}

/* A flag's place in the request must not be filled twice. */
static int twice(struct admin_args *a, const struct cli_admin_opt *o,
		 json_object *req, const char *id)
{
	if (o->kind == CLI_ARG_JSON)
		return 0;
	if ((o->kind == CLI_ARG_ID && id) ||
	    (o->kind != CLI_ARG_ID &&
	     json_object_object_get_ex(req, o->key, NULL))) {
		fz_cli_usage_error(a->cmd,
				   "%s given twice, or with an option "
				   "that sets the same thing",
				   o->flag);
		return -1;
	}
	return 0;
}

static int verb_arg(struct admin_args *a, int argc, char *argv[], int *i,
		    json_object *req, const char **id)
{
	const char *arg = argv[*i], *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	const struct cli_admin_opt *o = find_opt(a->verb, arg, len);

	if (!o && arg[0] == '-' && arg[1])
		return fz_cli_usage_error(a->cmd, "unknown option '%s'", arg);
	if (!o) {
		if (!a->verb->pos || *id ||
		    json_object_object_get_ex(req, "name", NULL))
			return fz_cli_usage_error(
				a->cmd, "unexpected argument '%s'", arg);
		if (!strcmp(a->verb->pos, "NAME"))
			json_object_object_add(req, "name",
					       json_object_new_string(arg));
		else
			*id = arg;
		return 0;
	}
	if (twice(a, o, req, *id))
		return 1;
	if (!o->meta)
		return eq ? fz_cli_usage_error(a->cmd, "%s takes no value",
					       o->flag) :
		       put(a, o, NULL, req, id) ? 1 :
						  0;
	if (!eq && ++*i >= argc)
		return fz_cli_usage_error(a->cmd, "%s needs %s", o->flag,
					  o->meta);
	return put(a, o, eq ? eq + 1 : argv[*i], req, id) ? 1 : 0;
}

static int check_required(struct admin_args *a, json_object *req,
			  const char *id)
{
	const struct cli_admin_opt *o;

	if (a->verb->pos && a->verb->pos[0] != '[' && !id &&
	    !json_object_object_get_ex(req, "name", NULL))
		return fz_cli_usage_error(a->cmd, "%s is required",
					  a->verb->pos);
	for (o = a->verb->opts; o->flag; o++) {
		bool given =
			o->kind == CLI_ARG_ID ?
				id != NULL :
				json_object_object_get_ex(req, o->key, NULL);

		if (o->required && !given)
			return fz_cli_usage_error(a->cmd, "%s %s is required",
						  o->flag, o->meta);
	}
	return 0;
}

static int parse_verb(struct admin_args *a, int argc, char *argv[],
		      json_object *req, const char **id)
{
	for (int i = a->rest; i < argc; i++) {
		int r = global_opt(a, argc, argv, &i);

		if (r < 0)
			return 1;
		if (!r && verb_arg(a, argc, argv, &i, req, id))
			return 1;
	}
	return a->help ? 0 : check_required(a, req, *id);
}

static const char *who(void)
{
	static char buf[64];
	struct passwd *pw = getpwuid(getuid());

	snprintf(buf, sizeof(buf), "%s", pw ? pw->pw_name : "unknown");
	return buf;
}

static int print(const struct admin_args *a, json_object *resp)
{
	if (a->json)
		printf("%s\n",
		       json_object_to_json_string_ext(
			       resp, JSON_C_TO_STRING_PRETTY |
					     JSON_C_TO_STRING_NOSLASHESCAPE));
	else
		cli_table_print(
			stdout, resp,
			!strcmp(a->verb->name, "list") ? a->noun->columns : "");
	if (json_object_object_get_ex(resp, "token", NULL))
		fputs("The token is shown only this once (only its hash is "
		      "kept).\n",
		      stderr);
	return fflush(stdout) == EOF ? -1 : 0;
}

static int open_store(const struct admin_args *a, struct store **s)
{
	struct store_err serr = { 0 };
	char url[PATH_MAX + 8];

	/* Opening would create a missing file: say so instead. */
	if (access(a->db, R_OK)) {
		fz_cli_error(a->cmd,
			     "%s: no database there (create one with "
			     "'fzportal init', or give --db)",
			     a->db);
		return -1;
	}
	snprintf(url, sizeof(url), "sqlite:%s", a->db);
	*s = store_open(url, &serr);
	if (!*s)
		fz_cli_error(a->cmd, "%s", serr.msg);
	return *s ? 0 : -1;
}

/*
 * The admin wing's verb: the CLI's own, or for nouns whose CLI says add
 * and remove (provider) where the wing, like REST, says create, delete.
 */
static const char *admin_verb(const struct admin_args *a)
{
	const char *v = a->verb->name;

	if (admin_verb_exists(a->noun->admin, v))
		return v;
	return !strcmp(v, "add")    ? "create" :
	       !strcmp(v, "remove") ? "delete" :
				      v;
}

static int run(struct admin_args *a, json_object *req, const char *id)
{
	struct admin_error err = { 0 };
	json_object *resp = NULL;
	struct admin_ctx ctx;
	struct store *s;
	int rc = FZ_CLI_EXIT_FAILURE;

	if (open_store(a, &s))
		return rc;
	if (admin_ctx_init(&ctx, s, a->account, "cli", who(), &err) ||
	    admin_call(&ctx, a->noun->admin, admin_verb(a), id, req, &resp,
		       &err)) {
		fz_cli_error(a->cmd, "%s%s%s", err.field,
			     err.field[0] ? ": " : "", err.message);
	} else if (print(a, resp)) {
		fz_cli_error(a->cmd, "cannot write the output");
	} else {
		rc = FZ_CLI_EXIT_OK;
	}
	admin_wipe_token(resp);
	json_object_put(resp);
	store_close(s);
	return rc;
}

static int help(const struct admin_args *a)
{
	if (a->verb)
		cli_admin_verb_help(stdout, a->noun, a->verb);
	else if (a->noun)
		cli_admin_noun_help(stdout, a->noun);
	else
		cli_admin_help(stdout);
	return fflush(stdout) == EOF ? FZ_CLI_EXIT_FAILURE : FZ_CLI_EXIT_OK;
}

int cli_admin_main(int argc, char *argv[])
{
	struct admin_args a = { 0 };
	json_object *req = json_object_new_object();
	const char *id = NULL;
	int rc = FZ_CLI_EXIT_USAGE;

	if (parse_head(&a, argc, argv) ||
	    (a.verb && parse_verb(&a, argc, argv, req, &id)))
		goto out;
	if (a.help) {
		rc = help(&a);
		goto out;
	}
	if (!a.verb) {
		fz_cli_usage_error("admin", "%s",
				   a.noun ? "VERB is missing" :
					    "NOUN VERB is missing "
					    "(see 'fzportal "
					    "admin --help')");
		goto out;
	}
	a.db = a.db ?: getenv("FZPORTAL_DB") ?: DB_DEFAULT;
	a.account = a.account ?: getenv("FZPORTAL_ACCOUNT");
	rc = run(&a, req, id);
out:
	wipe_secrets(&a, req);
	json_object_put(req);
	return rc;
}
