/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SQLite backend's insides, shared by its files only (nothing above
 * the store includes this): the connection, the table descriptions the
 * generic record code works from, the prepared statements, and the
 * mapping of SQLite's errors to store codes and readable messages.
 */
#ifndef FZ_PORTAL_STORE_SQLITE_H
#define FZ_PORTAL_STORE_SQLITE_H

#include <sqlite3.h>

#include "store.h"

/* How a record field maps to its column. */
enum store_sqlite_col_type {
	STORE_COL_TEXT, /* NOT NULL text */
	STORE_COL_OPT_TEXT, /* "" <-> NULL */
	STORE_COL_JSON, /* NOT NULL JSON, "" -> "[]" */
	STORE_COL_INT, /* NOT NULL integer */
	STORE_COL_OPT_INT, /* 0 <-> NULL */
	STORE_COL_BLOB, /* exactly size bytes */
	STORE_COL_AUTO, /* INTEGER PRIMARY KEY, made by SQLite on insert */
};

struct store_sqlite_col {
	const char *name;
	enum store_sqlite_col_type type;
	size_t off, size;
	int fixed; /* never changed by an update (id, account, creation) */
};

enum store_sqlite_table_id {
	STORE_T_ACTOR, /* the first five follow enum store_kind */
	STORE_T_GROUP,
	STORE_T_SITE,
	STORE_T_RESOURCE,
	STORE_T_POLICY,
	STORE_T_ACCOUNT,
	STORE_T_TOKEN,
	STORE_T_GATEWAY,
	STORE_T_CLIENT,
	STORE_T_AUTHZ,
	STORE_T_CHANGE,
	STORE_T_AUDIT,
	STORE_T_PROVIDER,
	STORE_T_IDENTITY,
	STORE_T_MAX,
};

struct store_sqlite_table {
	const char *name; /* the SQL table */
	const char *noun; /* "site", in messages */
	const char *a_noun; /* "a site" */
	const struct store_sqlite_col *cols; /* the key column first */
	size_t n_cols;
	size_t size; /* of the record struct */
	const char *order; /* of list, by account */
	const char *missing; /* a reference it needs is not there */
	const char *in_use; /* a delete other rows still need */
	size_t name_off; /* of its name field, for conflicts; 0: none */
};

extern const struct store_sqlite_table store_sqlite_tables[STORE_T_MAX];

enum store_sqlite_crud {
	STORE_INSERT,
	STORE_SELECT, /* by key */
	STORE_LIST, /* by account */
	STORE_UPDATE, /* by key */
	STORE_DELETE, /* by key */
	STORE_CRUD_MAX,
};

/* The statements that are not per-table CRUD (sqlite_stmts.c). */
enum store_sqlite_stmt_id {
	STORE_Q_BEGIN,
	STORE_Q_COMMIT,
	STORE_Q_ROLLBACK,
	STORE_Q_SAVEPOINT,
	STORE_Q_RELEASE,
	STORE_Q_ROLLBACK_TO,
	STORE_Q_META_GET,
	STORE_Q_META_SET,
	STORE_Q_ACCOUNT_BY_SLUG,
	STORE_Q_ACCOUNT_LIST,
	STORE_Q_GROUP_BUILTIN,
	STORE_Q_MEMBER_ADD,
	STORE_Q_MEMBER_ADD_BUILTIN,
	STORE_Q_MEMBER_REMOVE,
	STORE_Q_MEMBER_LIST,
	STORE_Q_ACTOR_GROUPS,
	STORE_Q_TOKEN_LIST,
	STORE_Q_TOKEN_TOUCH,
	STORE_Q_GATEWAY_BY_KEY,
	STORE_Q_GATEWAY_LIST,
	STORE_Q_CLIENT_BY_KEY,
	STORE_Q_CLIENT_LIST,
	STORE_Q_AUTHZ_BY_CLIENT, /* the five follow enum store_authz_by */
	STORE_Q_AUTHZ_BY_GATEWAY,
	STORE_Q_AUTHZ_BY_POLICY,
	STORE_Q_AUTHZ_BY_RESOURCE,
	STORE_Q_AUTHZ_BY_TOKEN,
	STORE_Q_CHANGES_SINCE,
	STORE_Q_AUDIT_LIST,
	STORE_Q_POLICIES_FOR,
	STORE_Q_VISIBLE_RESOURCES,
	STORE_Q_TUNNEL_TAKEN,
	STORE_Q_TUNNEL_GAP,
	STORE_Q_TUNNEL_INSERT,
	STORE_Q_GATEWAY_SEEN,
	STORE_Q_CLIENT_SEEN,
	STORE_Q_GATEWAYS_OFFLINE,
	STORE_Q_CLIENTS_OFFLINE,
	STORE_Q_AUTHZ_EXPIRED,
	STORE_Q_CHANGES_LAST,
	STORE_Q_CHANGES_PRUNE,
	STORE_Q_AUDIT_PRUNE,
	STORE_Q_IDENTITY_FIND,
	STORE_Q_IDENTITY_LIST,
	STORE_Q_ACTOR_BY_EMAIL,
	STORE_Q_MAX,
};

struct store_sqlite {
	struct store base;
	sqlite3 *db;
	int ready; /* the schema is this binary's and the statements exist */
	sqlite3_stmt *crud[STORE_T_MAX][STORE_CRUD_MAX];
	sqlite3_stmt *q[STORE_Q_MAX];
	struct store_sqlite_ckpt *ckpt; /* sqlite_ckpt.c; NULL: SQLite's own */
};

static inline struct store_sqlite *store_sqlite_of(struct store *s)
{
	return (struct store_sqlite *)s;
}

/* migrations.c */
int store_sqlite_latest(void);
int store_sqlite_version(sqlite3 *db, int *version, struct store_err *err);
/* Applies migrations up to target (0: latest), each in its own tx. */
int store_sqlite_apply(sqlite3 *db, int target, struct store_err *err);

/* sqlite_stmts.c: prepare every statement once, and finalize them. */
int store_sqlite_prepare(struct store_sqlite *q, struct store_err *err);
void store_sqlite_finalize(struct store_sqlite *q);

/* sqlite.c */
/* Maps rc (and the connection's message) to a code and a message. */
int store_sqlite_error(struct store_sqlite *q, int rc,
		       const struct store_sqlite_table *t, const void *rec,
		       enum store_sqlite_crud op, struct store_err *err);
/* Steps a statement that returns no rows, then resets it. */
int store_sqlite_exec(struct store_sqlite *q, sqlite3_stmt *st,
		      const struct store_sqlite_table *t, const void *rec,
		      enum store_sqlite_crud op, struct store_err *err);
void store_sqlite_done(sqlite3_stmt *st);
/* STORE_SCHEMA with the reason, unless the store is ready. */
int store_sqlite_check_ready(struct store_sqlite *q, struct store_err *err);
int store_sqlite_savepoint(struct store_sqlite *q, struct store_err *err);
int store_sqlite_release(struct store_sqlite *q, int ret,
			 struct store_err *err);

/* sqlite.c: the functions of struct store_ops that it implements. */
struct store *store_sqlite_open(const char *path, struct store_err *err);
void store_sqlite_close(struct store *s);
int store_sqlite_migrate(struct store *s, int target, int *from, int *to,
			 struct store_err *err);
int store_sqlite_schema_version(struct store *s, int *version, int *latest,
				struct store_err *err);
int store_sqlite_begin(struct store *s, struct store_err *err);
int store_sqlite_commit(struct store *s, struct store_err *err);
int store_sqlite_rollback(struct store *s);
int store_sqlite_meta_get(struct store *s, const char *key, void *value,
			  size_t *len, struct store_err *err);
int store_sqlite_meta_set(struct store *s, const char *key, const void *value,
			  size_t len, struct store_err *err);

/* sqlite_ckpt.c: checkpoints on a thread of their own. */
int store_sqlite_checkpoint_in_background(struct store *s,
					  unsigned int period_ms,
					  struct store_err *err);
void store_sqlite_checkpoint_stop(struct store_sqlite *q);

/* sqlite_rows.c: records to and from statements. */
int store_sqlite_bind(sqlite3_stmt *st, const struct store_sqlite_table *t,
		      const void *rec, struct store_err *err);
int store_sqlite_bind_text(sqlite3_stmt *st, int i, const char *s);
int store_sqlite_read(sqlite3_stmt *st, const struct store_sqlite_table *t,
		      void *rec, struct store_err *err);
/* Steps st for one row into rec: 0, STORE_NOT_FOUND (no message). */
int store_sqlite_one(struct store_sqlite *q, sqlite3_stmt *st,
		     const struct store_sqlite_table *t, void *rec,
		     struct store_err *err);
/* Steps st calling each per row; returns each's first nonzero. */
int store_sqlite_rows(struct store_sqlite *q, sqlite3_stmt *st,
		      const struct store_sqlite_table *t, store_each_fn each,
		      void *arg, struct store_err *err);
/* A readable name of rec for messages: "'name'" or its id. */
const char *store_sqlite_name(const struct store_sqlite_table *t,
			      const void *rec);

/* sqlite_records.c, sqlite_devices.c: the record functions. */
int store_sqlite_insert(struct store_sqlite *q, enum store_sqlite_table_id t,
			void *rec, struct store_err *err);
int store_sqlite_get(struct store_sqlite *q, enum store_sqlite_table_id t,
		     const char *id, void *rec, struct store_err *err);
int store_sqlite_update(struct store_sqlite *q, enum store_sqlite_table_id t,
			const void *rec, struct store_err *err);
int store_sqlite_delete(struct store_sqlite *q, enum store_sqlite_table_id t,
			const char *id, struct store_err *err);
int store_sqlite_list(struct store_sqlite *q, enum store_sqlite_table_id t,
		      const char *account_id, store_each_fn each, void *arg,
		      struct store_err *err);
/* Runs query id with up to two text parameters over rows of table t. */
int store_sqlite_query(struct store_sqlite *q, int id,
		       enum store_sqlite_table_id t, const char *p1,
		       const char *p2, store_each_fn each, void *arg,
		       struct store_err *err);

/* sqlite_devices.c: gateways, clients and their tunnel offsets. */
int store_sqlite_gateway_upsert(struct store *s, struct store_gateway *g,
				struct store_err *err);
int store_sqlite_gateway_get(struct store *s, const char *id,
			     struct store_gateway *g, struct store_err *err);
int store_sqlite_gateway_list(struct store *s, const char *account_id,
			      const char *site_id, store_each_fn each,
			      void *arg, struct store_err *err);
int store_sqlite_gateway_delete(struct store *s, const char *id,
				struct store_err *err);
int store_sqlite_client_upsert(struct store *s, struct store_client *c,
			       struct store_err *err);
int store_sqlite_client_get(struct store *s, const char *id,
			    struct store_client *c, struct store_err *err);
int store_sqlite_client_list(struct store *s, const char *account_id,
			     const char *actor_id, store_each_fn each,
			     void *arg, struct store_err *err);
int store_sqlite_device_seen(struct store *s, const char *kind, const char *id,
			     int64_t online_since, int64_t last_seen_at,
			     const char *remote_addr, struct store_err *err);
int store_sqlite_presence_reset(struct store *s, struct store_err *err);
int store_sqlite_client_delete(struct store *s, const char *id,
			       struct store_err *err);

/* sqlite_signin.c: providers, identities, actors by email. */
int store_sqlite_provider_create(struct store *s, struct store_provider *p,
				 struct store_err *err);
int store_sqlite_provider_get(struct store *s, const char *id,
			      struct store_provider *p, struct store_err *err);
int store_sqlite_provider_list(struct store *s, const char *account_id,
			       store_each_fn each, void *arg,
			       struct store_err *err);
int store_sqlite_provider_update(struct store *s,
				 const struct store_provider *p,
				 struct store_err *err);
int store_sqlite_provider_delete(struct store *s, const char *id,
				 struct store_err *err);
int store_sqlite_identity_create(struct store *s, struct store_identity *i,
				 struct store_err *err);
int store_sqlite_identity_find(struct store *s, const char *account_id,
			       const char *provider, const char *subject,
			       struct store_identity *i, struct store_err *err);
int store_sqlite_identity_list(struct store *s, const char *account_id,
			       const char *provider, store_each_fn each,
			       void *arg, struct store_err *err);
int store_sqlite_identity_delete(struct store *s, const char *id,
				 struct store_err *err);
int store_sqlite_actor_find_by_email(struct store *s, const char *account_id,
				     const char *email, struct store_actor *a,
				     struct store_err *err);

#endif /* FZ_PORTAL_STORE_SQLITE_H */
