/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `fzportal admin`: the command line's side of the admin wing. The nouns,
 * verbs and options are data (admin_spec.c), from which both the argv to
 * request mapping (admin.c) and every level's --help (admin_help.c) are
 * made, so the two cannot disagree.
 */
#ifndef FZ_PORTAL_CLI_ADMIN_H
#define FZ_PORTAL_CLI_ADMIN_H

#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

enum cli_arg_kind {
	CLI_ARG_STR, /* --opt VALUE: key = "VALUE" */
	CLI_ARG_ID, /* --opt VALUE: the verb's id (member's --group) */
	CLI_ARG_TRUE, /* --opt: key = true */
	CLI_ARG_FALSE, /* --opt: key = false */
	CLI_ARG_JSON, /* --opt JSON, repeatable: appended to array key */
	CLI_ARG_EMPTY, /* --opt: key = [] */
	CLI_ARG_ONOFF, /* --opt on|off: key = true|false */
	CLI_ARG_FILE, /* --opt FILE|-: key = the file's text (a secret) */
};

struct cli_admin_opt {
	const char *flag; /* "--name" */
	const char *meta; /* "NAME"; NULL for flags */
	const char *key; /* the request member */
	enum cli_arg_kind kind;
	bool required;
	const char *help;
};

struct cli_admin_verb {
	const char *name;
	const char *pos; /* "ID", "NAME" (request's name), "[ID]" or NULL */
	const char *summary;
	const char *desc;
	const struct cli_admin_opt *opts; /* ended by { NULL } */
};

struct cli_admin_noun {
	const char *name; /* as typed: "gateway-token" */
	const char *admin; /* the admin wing's: "gateway_token" */
	const char *summary;
	const char *desc;
	const char *columns; /* list's table columns, "" for all */
	const struct cli_admin_verb *verbs; /* ended by { NULL } */
};

extern const struct cli_admin_noun cli_admin_nouns[];

const struct cli_admin_noun *cli_admin_noun_find(const char *name);
const struct cli_admin_verb *cli_admin_verb_find(const struct cli_admin_noun *n,
						 const char *name);

void cli_admin_help(FILE *f);
void cli_admin_noun_help(FILE *f, const struct cli_admin_noun *n);
void cli_admin_verb_help(FILE *f, const struct cli_admin_noun *n,
			 const struct cli_admin_verb *v);

/*
 * A response as a table with an upper-case header: an array one row per
 * element (columns: a comma-separated list, "" for every key), an object
 * one row per member.
 */
void cli_table_print(FILE *f, json_object *resp, const char *columns);

#endif /* FZ_PORTAL_CLI_ADMIN_H */
