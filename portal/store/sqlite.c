// SPDX-License-Identifier: GPL-2.0
/*
 * The SQLite backend: the connection and its settings, transactions, the
 * meta table, the schema version, and SQLite's errors in words a user
 * can act on. The record functions are in sqlite_records.c and
 * sqlite_devices.c.
 */
#include <stdlib.h>
#include <string.h>

#include "sqlite.h"

/*
 * WAL lets readers (the admin CLI, the server's feed) run beside the one
 * writer; synchronous=NORMAL is durable across crashes of the process
 * and loses at most the last commits on power loss, which WAL keeps
 * consistent. trusted_schema=OFF: a database file is data, not code.
 */
static const char pragmas[] = "PRAGMA foreign_keys = ON;"
			      "PRAGMA busy_timeout = 5000;"
			      "PRAGMA trusted_schema = OFF;"
			      "PRAGMA journal_mode = WAL;"
			      "PRAGMA synchronous = NORMAL;";

void store_sqlite_done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* "UNIQUE constraint failed: sites.account_id, sites.name" and such. */
static int conflict(struct store_sqlite *q, const struct store_sqlite_table *t,
		    const void *rec, struct store_err *err)
{
	const char *msg = sqlite3_errmsg(q->db);

	if (!t)
		return store_fail(err, STORE_CONFLICT, "already exists (%s)",
				  msg);
	if (strstr(msg, ".name") && t->name_off && rec)
		return store_fail(err, STORE_CONFLICT,
				  "%s named %s already exists", t->a_noun,
				  store_sqlite_name(t, rec));
	if (strstr(msg, ".slug") && rec)
		return store_fail(err, STORE_CONFLICT,
				  "an account with slug '%s' already exists",
				  ((const struct store_account *)rec)->slug);
	if (strstr(msg, ".public_key"))
		return store_fail(err, STORE_CONFLICT,
				  "%s with this public key already exists",
				  t->a_noun);
	if (strstr(msg, "policies.group_id"))
		return store_fail(err, STORE_CONFLICT,
				  "a policy for this group and resource "
				  "already exists");
	return store_fail(err, STORE_CONFLICT, "%s with this id already exists",
			  t->a_noun);
}

static int foreign_key(const struct store_sqlite_table *t,
		       enum store_sqlite_crud op, struct store_err *err)
{
	if (op == STORE_DELETE)
		return store_fail(err, STORE_IN_USE, "%s",
				  t && t->in_use ?
					  t->in_use :
					  "still in use by other records");
	return store_fail(err, STORE_INVALID, "%s",
			  t && t->missing ?
				  t->missing :
				  "refers to a record that does not exist");
}

int store_sqlite_error(struct store_sqlite *q, int rc,
		       const struct store_sqlite_table *t, const void *rec,
		       enum store_sqlite_crud op, struct store_err *err)
{
	int ext = sqlite3_extended_errcode(q->db);

	/* A RESTRICT action reports SQLITE_CONSTRAINT_TRIGGER (3.40). */
	if ((ext & 0xff) == SQLITE_CONSTRAINT &&
	    strstr(sqlite3_errmsg(q->db), "FOREIGN KEY"))
		ext = SQLITE_CONSTRAINT_FOREIGNKEY;
	switch (ext) {
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
		return conflict(q, t, rec, err);
	case SQLITE_CONSTRAINT_FOREIGNKEY:
		return foreign_key(t, op, err);
	case SQLITE_CONSTRAINT_CHECK:
	case SQLITE_CONSTRAINT_NOTNULL:
		return store_fail(err, STORE_INVALID, "invalid %s (%s)",
				  t ? t->noun : "value", sqlite3_errmsg(q->db));
	}
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return store_fail(err, STORE_BUSY,
				  "the database is locked by another process; "
				  "try again");
	return store_fail(err, STORE_IO, "database error: %s",
			  sqlite3_errmsg(q->db));
}

int store_sqlite_exec(struct store_sqlite *q, sqlite3_stmt *st,
		      const struct store_sqlite_table *t, const void *rec,
		      enum store_sqlite_crud op, struct store_err *err)
{
	int rc = sqlite3_step(st);
	int ret = 0;

	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		ret = store_sqlite_error(q, rc, t, rec, op, err);
	store_sqlite_done(st);
	return ret;
}

static int run(struct store_sqlite *q, int id, struct store_err *err)
{
	return store_sqlite_exec(q, q->q[id], NULL, NULL, STORE_UPDATE, err);
}

int store_sqlite_check_ready(struct store_sqlite *q, struct store_err *err)
{
	int version = 0;

	if (q->ready)
		return 0;
	store_sqlite_version(q->db, &version, NULL);
	return store_fail(err, STORE_SCHEMA,
			  "the database schema is version %d, this fzportal "
			  "needs %d; run 'fzportal migrate'",
			  version, store_sqlite_latest());
}

/*
 * A store function of several statements runs them under a savepoint:
 * alone it is its own transaction, inside store_begin() it nests.
 */
int store_sqlite_savepoint(struct store_sqlite *q, struct store_err *err)
{
	return run(q, STORE_Q_SAVEPOINT, err);
}

int store_sqlite_release(struct store_sqlite *q, int ret, struct store_err *err)
{
	if (!ret)
		return run(q, STORE_Q_RELEASE, err);
	run(q, STORE_Q_ROLLBACK_TO, NULL);
	run(q, STORE_Q_RELEASE, NULL);
	return ret;
}

int store_sqlite_begin(struct store *s, struct store_err *err)
{
	struct store_sqlite *q = store_sqlite_of(s);

	return store_sqlite_check_ready(q, err) ?: run(q, STORE_Q_BEGIN, err);
}

int store_sqlite_commit(struct store *s, struct store_err *err)
{
	struct store_sqlite *q = store_sqlite_of(s);

	return store_sqlite_check_ready(q, err) ?: run(q, STORE_Q_COMMIT, err);
}

int store_sqlite_rollback(struct store *s)
{
	struct store_sqlite *q = store_sqlite_of(s);

	if (!q->ready || sqlite3_get_autocommit(q->db))
		return 0;
	return run(q, STORE_Q_ROLLBACK, NULL);
}

int store_sqlite_meta_get(struct store *s, const char *key, void *value,
			  size_t *len, struct store_err *err)
{
	struct store_sqlite *q = store_sqlite_of(s);
	sqlite3_stmt *st = q->q[STORE_Q_META_GET];
	int ret = store_sqlite_check_ready(q, err);
	int rc, n;

	if (ret)
		return ret;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		n = sqlite3_column_bytes(st, 0);
		if ((size_t)n > *len)
			ret = store_fail(err, STORE_INVALID,
					 "meta %s is longer than expected",
					 key);
		else
			memcpy(value, sqlite3_column_blob(st, 0) ?: "",
			       (size_t)n);
		*len = (size_t)n;
	} else if (rc == SQLITE_DONE) {
		ret = store_fail(err, STORE_NOT_FOUND, "no meta %s", key);
	} else {
		ret = store_sqlite_error(q, rc, NULL, NULL, STORE_SELECT, err);
	}
	store_sqlite_done(st);
	return ret;
}

int store_sqlite_meta_set(struct store *s, const char *key, const void *value,
			  size_t len, struct store_err *err)
{
	struct store_sqlite *q = store_sqlite_of(s);
	sqlite3_stmt *st = q->q[STORE_Q_META_SET];
	int ret = store_sqlite_check_ready(q, err);

	if (ret)
		return ret;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, value, (int)len, SQLITE_STATIC);
	return store_sqlite_exec(q, st, NULL, NULL, STORE_UPDATE, err);
}

int store_sqlite_schema_version(struct store *s, int *version, int *latest,
				struct store_err *err)
{
	*latest = store_sqlite_latest();
	return store_sqlite_version(store_sqlite_of(s)->db, version, err);
}

static int become_ready(struct store_sqlite *q, struct store_err *err)
{
	int version, ret;

	ret = store_sqlite_version(q->db, &version, err);
	if (ret || version != store_sqlite_latest() || q->ready)
		return ret;
	ret = store_sqlite_prepare(q, err);
	q->ready = !ret;
	return ret;
}

int store_sqlite_migrate(struct store *s, int target, int *from, int *to,
			 struct store_err *err)
{
	struct store_sqlite *q = store_sqlite_of(s);
	int before = 0, after = 0, ret;

	ret = store_sqlite_version(q->db, &before, err);
	ret = ret ?: store_sqlite_apply(q->db, target, err);
	/* After a failure too: the migrations before it stay applied. */
	if (store_sqlite_version(q->db, &after, ret ? NULL : err) && !ret)
		ret = err ? err->code : STORE_IO;
	ret = ret ?: become_ready(q, err);
	if (from)
		*from = before;
	if (to)
		*to = after;
	return ret;
}

void store_sqlite_close(struct store *s)
{
	struct store_sqlite *q = store_sqlite_of(s);

	store_sqlite_checkpoint_stop(q);
	store_sqlite_finalize(q);
	sqlite3_close(q->db);
	free(q);
}

/* A database newer than this binary is refused before anything reads it. */
static int check_not_newer(struct store_sqlite *q, struct store_err *err)
{
	int version, ret;

	ret = store_sqlite_version(q->db, &version, err);
	if (!ret && version > store_sqlite_latest())
		ret = store_fail(err, STORE_SCHEMA,
				 "the database schema is version %d, newer "
				 "than this fzportal knows (%d); use a newer "
				 "fzportal",
				 version, store_sqlite_latest());
	return ret;
}

struct store *store_sqlite_open(const char *path, struct store_err *err)
{
	struct store_sqlite *q = calloc(1, sizeof(*q));
	int ret;

	if (!q) {
		store_fail(err, STORE_IO, "out of memory");
		return NULL;
	}
	q->base.ops = &store_sqlite_ops;
	if (sqlite3_open_v2(path, &q->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				    SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		ret = store_fail(err, STORE_IO, "%s: cannot open: %s", path,
				 q->db ? sqlite3_errmsg(q->db) : "no memory");
		goto fail;
	}
	sqlite3_extended_result_codes(q->db, 1);
	if (sqlite3_exec(q->db, pragmas, NULL, NULL, NULL) != SQLITE_OK) {
		ret = store_fail(err, STORE_IO, "%s: %s", path,
				 sqlite3_errmsg(q->db));
		goto fail;
	}
	ret = check_not_newer(q, err) ?: become_ready(q, err);
	if (ret)
		goto fail;
	return &q->base;
fail:
	store_sqlite_close(&q->base);
	return NULL;
}
