// SPDX-License-Identifier: GPL-2.0
/*
 * Responses as aligned text tables: what a person reads at a terminal.
 * Scripts use --json, which this output never replaces.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"

#define COLS_MAX 24

/* A value as one cell: null "-", a list of strings joined by ",". */
static char *cell(json_object *v)
{
	const char *s;
	size_t n;

	if (!v)
		return strdup("-");
	if (json_object_is_type(v, json_type_boolean))
		return strdup(json_object_get_boolean(v) ? "yes" : "no");
	if (json_object_is_type(v, json_type_array) &&
	    !json_object_array_length(v))
		return strdup("-");
	if (json_object_is_type(v, json_type_string))
		return strdup(json_object_get_string(v));
	s = json_object_to_json_string_ext(
		v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	n = strlen(s);
	return strndup(s, n);
}

static void upper(FILE *f, const char *s, int width)
{
	int n = 0;

	for (; *s; s++, n++)
		fputc(toupper((unsigned char)*s), f);
	if (width > n)
		fprintf(f, "%*s", width - n, "");
}

static int columns_of(json_object *first, const char *spec, char **cols)
{
	char *copy, *save = NULL, *tok;
	int n = 0;

	if (spec && *spec) {
		copy = strdup(spec);
		for (tok = strtok_r(copy, ",", &save); tok && n < COLS_MAX;
		     tok = strtok_r(NULL, ",", &save))
			cols[n++] = strdup(tok);
		free(copy);
		return n;
	}
	if (!first)
		return 0;
	json_object_object_foreach(first, key, val)
	{
		(void)val;
		if (n < COLS_MAX)
			cols[n++] = strdup(key);
	}
	return n;
}

static void print_rows(FILE *f, json_object *arr, char **cols, int ncols)
{
	size_t rows = json_object_array_length(arr);
	int width[COLS_MAX];
	char **cells = calloc(rows * (size_t)ncols + 1, sizeof(*cells));

	for (int c = 0; c < ncols; c++)
		width[c] = (int)strlen(cols[c]);
	for (size_t r = 0; r < rows; r++) {
		json_object *o = json_object_array_get_idx(arr, r);

		for (int c = 0; c < ncols; c++) {
			char *s = cell(json_object_object_get(o, cols[c]));

			cells[r * (size_t)ncols + (size_t)c] = s;
			if ((int)strlen(s) > width[c])
				width[c] = (int)strlen(s);
		}
	}
	for (int c = 0; c < ncols; c++)
		upper(f, cols[c], c + 1 < ncols ? width[c] + 2 : 0);
	fputc('\n', f);
	for (size_t r = 0; r < rows; r++) {
		for (int c = 0; c < ncols; c++) {
			char *s = cells[r * (size_t)ncols + (size_t)c];

			fprintf(f, "%-*s", c + 1 < ncols ? width[c] + 2 : 0, s);
			free(s);
		}
		fputc('\n', f);
	}
	free(cells);
}

static void print_object(FILE *f, json_object *o)
{
	int width = 5;

	json_object_object_foreach(o, k, v0)
	{
		(void)v0;
		if ((int)strlen(k) > width)
			width = (int)strlen(k);
	}
	upper(f, "field", width + 2);
	fputs("VALUE\n", f);
	json_object_object_foreach(o, key, val)
	{
		char *s = cell(val);

		fprintf(f, "%-*s%s\n", width + 2, key, s);
		free(s);
	}
}

void cli_table_print(FILE *f, json_object *resp, const char *columns)
{
	char *cols[COLS_MAX];
	int n;

	if (!json_object_is_type(resp, json_type_array)) {
		print_object(f, resp);
		return;
	}
	n = columns_of(json_object_array_get_idx(resp, 0), columns, cols);
	if (n)
		print_rows(f, resp, cols, n);
	for (int i = 0; i < n; i++)
		free(cols[i]);
}
