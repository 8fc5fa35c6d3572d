// SPDX-License-Identifier: GPL-2.0
/*
 * The --help of `fzportal admin`, of each noun and of each verb, written
 * from the tables in admin_spec.c in the layout of a man page.
 */
#include <string.h>

#include "admin.h"

#define WIDTH 72

/* text wrapped at WIDTH, every line indented by indent spaces. */
static void wrap(FILE *f, const char *text, int indent)
{
	int col = 0;

	while (*text) {
		size_t n = strcspn(text, " ");

		if (col && col + 1 + (int)n > WIDTH) {
			fputc('\n', f);
			col = 0;
		}
		if (!col)
			col = fprintf(f, "%*s", indent, "");
		else
			col += fprintf(f, " ");
		col += fprintf(f, "%.*s", (int)n, text);
		text += n;
		while (*text == ' ')
			text++;
	}
	fputc('\n', f);
}

static const char global_opts[] =
	"    --db PATH\n"
	"        The database (default: $FZPORTAL_DB, else\n"
	"        /var/lib/fzportal/fzportal.db). It must exist (fzportal init).\n"
	"\n"
	"    --account SLUG\n"
	"        The account to administer (default: $FZPORTAL_ACCOUNT, else\n"
	"        the database's only account).\n"
	"\n"
	"    --json\n"
	"        Print the response as JSON, the same object the REST API\n"
	"        returns, instead of a table.\n"
	"\n"
	"    -h, --help\n"
	"        Print the help of this level and exit.\n";

static const char exit_status[] =
	"EXIT STATUS\n"
	"    0 on success. 1 on any error, printed on standard error as\n"
	"    \"fzportal: admin NOUN VERB: FIELD: what is wrong\"; a refused\n"
	"    change changes nothing.\n";

void cli_admin_help(FILE *f)
{
	fputs("NAME\n"
	      "    fzportal admin - administer the portal's account\n"
	      "\n"
	      "SYNOPSIS\n"
	      "    fzportal admin [--db PATH] [--account SLUG] [--json] NOUN "
	      "VERB [ARGS]\n"
	      "    fzportal admin [NOUN [VERB]] --help\n"
	      "\n"
	      "DESCRIPTION\n",
	      f);
	wrap(f,
	     "Creates, lists, changes and deletes what the portal keeps, in "
	     "the database directly (no server needs to run; a running one "
	     "picks the change up at once). Each change is one transaction "
	     "with its audit log entry and its entry in the change feed that "
	     "the signalling server acts on; a refused change changes "
	     "nothing. The REST API (/api/v1) offers the same operations "
	     "through the same checks. Records are referred to by id or by "
	     "unique name.",
	     4);
	fputs("\nNOUNS\n", f);
	for (const struct cli_admin_noun *n = cli_admin_nouns; n->name; n++) {
		fprintf(f, "    %-16s ", n->name);
		for (const struct cli_admin_verb *v = n->verbs; v->name; v++)
			fprintf(f, "%s%s", v == n->verbs ? "" : "|", v->name);
		fprintf(f, "\n    %-16s %s\n", "", n->summary);
	}
	fprintf(f, "\nOPTIONS\n%s\n%s", global_opts, exit_status);
	fputs("\nEXAMPLES\n"
	      "    fzportal admin site create hq\n"
	      "    fzportal admin resource create --name wiki --type dns \\\n"
	      "        --address wiki.corp.example --site hq --filters tcp/443\n"
	      "    fzportal admin policy create --group Everyone --resource wiki\n"
	      "    fzportal admin gateway-token create --site hq\n"
	      "    fzportal admin --json gateway list\n",
	      f);
}

void cli_admin_noun_help(FILE *f, const struct cli_admin_noun *n)
{
	fprintf(f, "NAME\n    fzportal admin %s - %s\n\nSYNOPSIS\n", n->name,
		n->summary);
	for (const struct cli_admin_verb *v = n->verbs; v->name; v++)
		fprintf(f, "    fzportal admin %s %s%s%s\n", n->name, v->name,
			v->pos ? " " : "", v->pos ? v->pos : "");
	fputs("\nDESCRIPTION\n", f);
	wrap(f, n->desc, 4);
	fputs("\nVERBS\n", f);
	for (const struct cli_admin_verb *v = n->verbs; v->name; v++)
		fprintf(f, "    %-8s %s\n", v->name, v->summary);
	fprintf(f,
		"\nRun 'fzportal admin %s VERB --help' for a verb's options.\n"
		"\n%s",
		n->name, exit_status);
}

static void synopsis(FILE *f, const struct cli_admin_noun *n,
		     const struct cli_admin_verb *v)
{
	char line[1024];
	int len;

	len = snprintf(line, sizeof(line), "    fzportal admin %s %s%s%s",
		       n->name, v->name, v->pos ? " " : "",
		       v->pos ? v->pos : "");
	for (const struct cli_admin_opt *o = v->opts; o->flag; o++) {
		char item[96];

		snprintf(item, sizeof(item), "%s%s%s%s%s%s",
			 o->required ? "" : "[", o->flag, o->meta ? " " : "",
			 o->meta ? o->meta : "", o->required ? "" : "]",
			 o->kind == CLI_ARG_JSON ? "..." : "");
		if (len + 1 + (int)strlen(item) > WIDTH) {
			fprintf(f, "%s\n", line);
			len = snprintf(line, sizeof(line), "%*s", 8, "");
		}
		len += snprintf(line + len, sizeof(line) - (size_t)len, " %s",
				item);
	}
	fprintf(f, "%s\n", line);
}

void cli_admin_verb_help(FILE *f, const struct cli_admin_noun *n,
			 const struct cli_admin_verb *v)
{
	fprintf(f, "NAME\n    fzportal admin %s %s - %s\n\nSYNOPSIS\n", n->name,
		v->name, v->summary);
	synopsis(f, n, v);
	fputs("\nDESCRIPTION\n", f);
	wrap(f, v->desc, 4);
	fputs("\nOPTIONS\n", f);
	if (v->pos)
		fprintf(f, "    %s\n        %s\n\n", v->pos,
			!strcmp(v->pos, "NAME") ?
				"The new record's name (unique in the account)." :
			v->pos[0] == '[' ?
				"The record's id; optional (see below)." :
				"The record: its id, or its unique name.");
	for (const struct cli_admin_opt *o = v->opts; o->flag; o++) {
		fprintf(f, "    %s%s%s\n", o->flag, o->meta ? " " : "",
			o->meta ? o->meta : "");
		wrap(f, o->help, 8);
		fputc('\n', f);
	}
	fprintf(f, "%s\nOUTPUT\n", global_opts);
	wrap(f,
	     "A table with an upper-case header on standard output, or with "
	     "--json the JSON object (a list: an array) the REST API returns.",
	     4);
	fprintf(f, "\n%s", exit_status);
}
