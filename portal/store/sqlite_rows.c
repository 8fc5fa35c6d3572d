// SPDX-License-Identifier: GPL-2.0
/*
 * Records to statement parameters and result rows back to records, by the
 * table descriptions of sqlite_tables.c: one copy of the rules for NULLs,
 * JSON defaults and length limits instead of one per record type.
 * Parameter i + 1 is column i; a statement binds what it names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite.h"

static int too_long(const struct store_sqlite_table *t,
		    const struct store_sqlite_col *c, struct store_err *err)
{
	return store_fail(err, STORE_INVALID, "the %s's %s is too long",
			  t->noun, c->name);
}

int store_sqlite_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (!s || !*s)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

static int bind_col(sqlite3_stmt *st, int i, const struct store_sqlite_col *c,
		    const char *field)
{
	int64_t v;

	switch (c->type) {
	case STORE_COL_TEXT:
		return sqlite3_bind_text(st, i, field, -1, SQLITE_STATIC);
	case STORE_COL_OPT_TEXT:
		return store_sqlite_bind_text(st, i, field);
	case STORE_COL_JSON:
		return sqlite3_bind_text(st, i, *field ? field : "[]", -1,
					 SQLITE_STATIC);
	case STORE_COL_INT:
	case STORE_COL_OPT_INT:
	case STORE_COL_AUTO:
		memcpy(&v, field, sizeof(v));
		if (!v && c->type != STORE_COL_INT)
			return sqlite3_bind_null(st, i);
		return sqlite3_bind_int64(st, i, v);
	case STORE_COL_BLOB:
		return sqlite3_bind_blob(st, i, field, (int)c->size,
					 SQLITE_STATIC);
	}
	return SQLITE_MISUSE;
}

static bool is_text(const struct store_sqlite_col *c)
{
	return c->type == STORE_COL_TEXT || c->type == STORE_COL_OPT_TEXT ||
	       c->type == STORE_COL_JSON;
}

/* Binds the columns the statement has parameters for; texts are checked. */
int store_sqlite_bind(sqlite3_stmt *st, const struct store_sqlite_table *t,
		      const void *rec, struct store_err *err)
{
	int n = sqlite3_bind_parameter_count(st);

	for (int i = 0; i < n && i < (int)t->n_cols; i++) {
		const struct store_sqlite_col *c = &t->cols[i];
		const char *field = (const char *)rec + c->off;

		if (is_text(c) && strnlen(field, c->size) == c->size)
			return too_long(t, c, err);
		if (bind_col(st, i + 1, c, field) != SQLITE_OK)
			return store_fail(err, STORE_IO, "cannot bind %s.%s",
					  t->name, c->name);
	}
	return 0;
}

static int read_col(sqlite3_stmt *st, int i, const struct store_sqlite_col *c,
		    char *field)
{
	int len = sqlite3_column_bytes(st, i);
	const void *p;
	int64_t v;

	switch (c->type) {
	case STORE_COL_BLOB:
		p = sqlite3_column_blob(st, i);
		if (len != (int)c->size && (len || p))
			return -1;
		memset(field, 0, c->size);
		if (p)
			memcpy(field, p, c->size);
		return 0;
	case STORE_COL_INT:
	case STORE_COL_OPT_INT:
	case STORE_COL_AUTO:
		v = sqlite3_column_int64(st, i);
		memcpy(field, &v, sizeof(v));
		return 0;
	default:
		p = sqlite3_column_text(st, i);
		if ((size_t)len >= c->size)
			return -1;
		memcpy(field, p ? p : "", (size_t)len);
		field[len] = '\0';
		return 0;
	}
}

int store_sqlite_read(sqlite3_stmt *st, const struct store_sqlite_table *t,
		      void *rec, struct store_err *err)
{
	for (size_t i = 0; i < t->n_cols; i++) {
		const struct store_sqlite_col *c = &t->cols[i];

		if (read_col(st, (int)i, c, (char *)rec + c->off))
			return store_fail(
				err, STORE_IO,
				"%s.%s holds a value this fzportal "
				"cannot read (too long or wrong size)",
				t->name, c->name);
	}
	return 0;
}

int store_sqlite_one(struct store_sqlite *q, sqlite3_stmt *st,
		     const struct store_sqlite_table *t, void *rec,
		     struct store_err *err)
{
	int rc = sqlite3_step(st);
	int ret;

	if (rc == SQLITE_ROW)
		ret = store_sqlite_read(st, t, rec, err);
	else if (rc == SQLITE_DONE)
		ret = STORE_NOT_FOUND;
	else
		ret = store_sqlite_error(q, rc, t, NULL, STORE_SELECT, err);
	store_sqlite_done(st);
	return ret;
}

int store_sqlite_rows(struct store_sqlite *q, sqlite3_stmt *st,
		      const struct store_sqlite_table *t, store_each_fn each,
		      void *arg, struct store_err *err)
{
	void *rec = calloc(1, t->size);
	int rc, ret = 0;

	if (!rec) {
		store_sqlite_done(st);
		return store_fail(err, STORE_IO, "out of memory");
	}
	while (!ret && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		ret = store_sqlite_read(st, t, rec, err);
		if (!ret)
			ret = each(arg, rec);
	}
	if (!ret && rc != SQLITE_DONE)
		ret = store_sqlite_error(q, rc, t, NULL, STORE_LIST, err);
	store_sqlite_done(st);
	free(rec);
	return ret;
}

const char *store_sqlite_name(const struct store_sqlite_table *t,
			      const void *rec)
{
	static __thread char buf[STORE_TEXT_SIZE + 8];
	const char *field = (const char *)rec + t->name_off;

	if (!rec || !t->name_off)
		return "";
	snprintf(buf, sizeof(buf), "'%.*s'", STORE_TEXT_SIZE - 1, field);
	return buf;
}
