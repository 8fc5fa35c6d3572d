// SPDX-License-Identifier: GPL-2.0
/*
 * The SQLite backend's record functions, on the generic insert, get,
 * list, update and delete of one table description each, and the table
 * of functions (store_sqlite_ops) that store_open() dispatches to.
 */
#include <string.h>

#include "core/ids.h"
#include "lib/clock.h"
#include "sqlite.h"

#define T(id) (&store_sqlite_tables[id])
#define DEFAULT_CLIENT_TOKEN_TTL_S 604800 /* a week, as Firezone's */

static int64_t *int_field(const struct store_sqlite_table *t, void *rec,
			  const char *name)
{
	for (size_t i = 0; i < t->n_cols; i++)
		if (!strcmp(t->cols[i].name, name))
			return (int64_t *)((char *)rec + t->cols[i].off);
	return NULL;
}

/* A new record gets an id and a creation time unless it has them. */
static void fill_new(const struct store_sqlite_table *t, void *rec)
{
	int64_t *at = int_field(t, rec, "created_at");

	if (t->cols[0].type == STORE_COL_TEXT && !*(char *)rec)
		core_uuid_new(rec);
	if (!at)
		at = int_field(t, rec, "at");
	if (at && !*at)
		*at = (int64_t)fz_clock_real_ns();
}

int store_sqlite_insert(struct store_sqlite *q, enum store_sqlite_table_id id,
			void *rec, struct store_err *err)
{
	sqlite3_stmt *st = q->crud[id][STORE_INSERT];
	int ret = store_sqlite_check_ready(q, err);

	if (ret)
		return ret;
	fill_new(T(id), rec);
	ret = store_sqlite_bind(st, T(id), rec, err);
	if (ret) {
		store_sqlite_done(st);
		return ret;
	}
	ret = store_sqlite_exec(q, st, T(id), rec, STORE_INSERT, err);
	if (!ret && T(id)->cols[0].type == STORE_COL_AUTO)
		*(int64_t *)rec = sqlite3_last_insert_rowid(q->db);
	return ret;
}

static int not_found(const struct store_sqlite_table *t, const char *id,
		     struct store_err *err)
{
	return store_fail(err, STORE_NOT_FOUND, "no %s with id %s", t->noun,
			  id);
}

int store_sqlite_get(struct store_sqlite *q, enum store_sqlite_table_id id,
		     const char *key, void *rec, struct store_err *err)
{
	sqlite3_stmt *st = q->crud[id][STORE_SELECT];
	int ret = store_sqlite_check_ready(q, err);

	if (ret)
		return ret;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	ret = store_sqlite_one(q, st, T(id), rec, err);
	return ret == STORE_NOT_FOUND ? not_found(T(id), key, err) : ret;
}

/* Update and delete: a statement that changed no row found none. */
static int exec_one(struct store_sqlite *q, sqlite3_stmt *st,
		    enum store_sqlite_table_id id, const char *key,
		    const void *rec, enum store_sqlite_crud op,
		    struct store_err *err)
{
	int ret = store_sqlite_exec(q, st, T(id), rec, op, err);

	if (!ret && !sqlite3_changes(q->db))
		ret = not_found(T(id), key, err);
	return ret;
}

int store_sqlite_update(struct store_sqlite *q, enum store_sqlite_table_id id,
			const void *rec, struct store_err *err)
{
	sqlite3_stmt *st = q->crud[id][STORE_UPDATE];
	int ret = store_sqlite_check_ready(q, err);

	if (ret)
		return ret;
	ret = store_sqlite_bind(st, T(id), rec, err);
	if (ret) {
		store_sqlite_done(st);
		return ret;
	}
	return exec_one(q, st, id, rec, rec, STORE_UPDATE, err);
}

int store_sqlite_delete(struct store_sqlite *q, enum store_sqlite_table_id id,
			const char *key, struct store_err *err)
{
	sqlite3_stmt *st = q->crud[id][STORE_DELETE];
	int ret = store_sqlite_check_ready(q, err);

	if (ret)
		return ret;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	return exec_one(q, st, id, key, NULL, STORE_DELETE, err);
}

int store_sqlite_list(struct store_sqlite *q, enum store_sqlite_table_id id,
		      const char *account_id, store_each_fn each, void *arg,
		      struct store_err *err)
{
	sqlite3_stmt *st = q->crud[id][STORE_LIST];
	int ret = store_sqlite_check_ready(q, err);

	if (ret)
		return ret;
	sqlite3_bind_text(st, 1, account_id, -1, SQLITE_STATIC);
	return store_sqlite_rows(q, st, T(id), each, arg, err);
}

int store_sqlite_query(struct store_sqlite *q, int qid,
		       enum store_sqlite_table_id id, const char *p1,
		       const char *p2, store_each_fn each, void *arg,
		       struct store_err *err)
{
	int ret = store_sqlite_check_ready(q, err);
	sqlite3_stmt *st;

	if (ret)
		return ret;
	st = q->q[qid];
	store_sqlite_bind_text(st, 1, p1);
	store_sqlite_bind_text(st, 2, p2);
	return store_sqlite_rows(q, st, T(id), each, arg, err);
}

static int account_create(struct store *s, struct store_account *a,
			  struct store_err *err)
{
	if (!a->client_token_ttl_s)
		a->client_token_ttl_s = DEFAULT_CLIENT_TOKEN_TTL_S;
	return store_sqlite_insert(store_sqlite_of(s), STORE_T_ACCOUNT, a, err);
}

static int account_get(struct store *s, const char *id, struct store_account *a,
		       struct store_err *err)
{
	return store_sqlite_get(store_sqlite_of(s), STORE_T_ACCOUNT, id, a,
				err);
}

static int account_get_by_slug(struct store *s, const char *slug,
			       struct store_account *a, struct store_err *err)
{
	struct store_sqlite *q = store_sqlite_of(s);
	int ret = store_sqlite_check_ready(q, err);

	if (ret)
		return ret;
	sqlite3_bind_text(q->q[STORE_Q_ACCOUNT_BY_SLUG], 1, slug, -1,
			  SQLITE_STATIC);
	ret = store_sqlite_one(q, q->q[STORE_Q_ACCOUNT_BY_SLUG],
			       T(STORE_T_ACCOUNT), a, err);
	if (ret == STORE_NOT_FOUND)
		return store_fail(err, ret, "no account '%s'", slug);
	return ret;
}

static int account_list(struct store *s, store_each_fn each, void *arg,
			struct store_err *err)
{
	struct store_sqlite *q = store_sqlite_of(s);
	int ret = store_sqlite_check_ready(q, err);

	if (ret)
		return ret;
	return store_sqlite_rows(q, q->q[STORE_Q_ACCOUNT_LIST],
				 T(STORE_T_ACCOUNT), each, arg, err);
}

static int account_update(struct store *s, const struct store_account *a,
			  struct store_err *err)
{
	return store_sqlite_update(store_sqlite_of(s), STORE_T_ACCOUNT, a, err);
}

/* Every actor is in its account's builtin group from the start. */
static int actor_create(struct store_sqlite *q, struct store_actor *a,
			struct store_err *err)
{
	sqlite3_stmt *st = q->q[STORE_Q_MEMBER_ADD_BUILTIN];
	int ret = store_sqlite_check_ready(q, err);

	ret = ret ?: store_sqlite_savepoint(q, err);
	if (ret)
		return ret;
	ret = store_sqlite_insert(q, STORE_T_ACTOR, a, err);
	if (!ret) {
		sqlite3_bind_text(st, 1, a->account_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, a->id, -1, SQLITE_STATIC);
		ret = store_sqlite_exec(q, st, NULL, NULL, STORE_INSERT, err);
	}
	return store_sqlite_release(q, ret, err);
}

static int kind_create(struct store *s, enum store_kind kind, void *rec,
		       struct store_err *err)
{
	struct store_sqlite *q = store_sqlite_of(s);

	if (kind == STORE_ACTOR)
		return actor_create(q, rec, err);
	return store_sqlite_insert(q, (enum store_sqlite_table_id)kind, rec,
				   err);
}

static int kind_get(struct store *s, enum store_kind kind, const char *id,
		    void *rec, struct store_err *err)
{
	return store_sqlite_get(store_sqlite_of(s),
				(enum store_sqlite_table_id)kind, id, rec, err);
}

static int kind_list(struct store *s, enum store_kind kind,
		     const char *account_id, store_each_fn each, void *arg,
		     struct store_err *err)
{
	return store_sqlite_list(store_sqlite_of(s),
				 (enum store_sqlite_table_id)kind, account_id,
				 each, arg, err);
}

/* The builtin group keeps its name and its life. */
static int check_not_builtin(struct store_sqlite *q, const char *id,
			     const char *what, struct store_err *err)
{
	struct store_group g;
	int ret = store_sqlite_get(q, STORE_T_GROUP, id, &g, err);

	if (!ret && g.builtin)
		ret = store_fail(err, STORE_INVALID,
				 "the builtin group '%s' cannot be %s", g.name,
				 what);
	return ret;
}

static int kind_update(struct store *s, enum store_kind kind, const void *rec,
		       struct store_err *err)
{
	struct store_sqlite *q = store_sqlite_of(s);
	int ret = 0;

	if (kind == STORE_GROUP)
		ret = check_not_builtin(q, rec, "renamed", err);
	return ret   ?:
		       store_sqlite_update(q, (enum store_sqlite_table_id)kind,
					   rec, err);
}

static int kind_delete(struct store *s, enum store_kind kind, const char *id,
		       struct store_err *err)
{
	struct store_sqlite *q = store_sqlite_of(s);
	int ret = 0;

	if (kind == STORE_GROUP)
		ret = check_not_builtin(q, id, "deleted", err);
	return ret   ?:
		       store_sqlite_delete(q, (enum store_sqlite_table_id)kind,
					   id, err);
}

static int group_builtin(struct store *s, const char *account_id,
			 struct store_group *g, struct store_err *err)
{
	struct store_sqlite *q = store_sqlite_of(s);
	sqlite3_stmt *st = q->q[STORE_Q_GROUP_BUILTIN];
	int ret = store_sqlite_check_ready(q, err);

	if (ret)
		return ret;
	sqlite3_bind_text(st, 1, account_id, -1, SQLITE_STATIC);
	ret = store_sqlite_one(q, st, T(STORE_T_GROUP), g, err);
	if (ret == STORE_NOT_FOUND)
		return store_fail(err, ret, "the account has no builtin group");
	return ret;
}

static int member_exec(struct store_sqlite *q, int qid, const char *group_id,
		       const char *actor_id, struct store_err *err)
{
	sqlite3_stmt *st = q->q[qid];

	sqlite3_bind_text(st, 1, group_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, actor_id, -1, SQLITE_STATIC);
	return store_sqlite_exec(q, st, NULL, NULL, STORE_INSERT, err);
}

static int member_add(struct store *s, const char *group_id,
		      const char *actor_id, struct store_err *err)
{
	struct store_sqlite *q = store_sqlite_of(s);
	int ret = store_sqlite_check_ready(q, err);

	ret = ret   ?:
		      member_exec(q, STORE_Q_MEMBER_ADD, group_id, actor_id,
				  err);
	if (ret == STORE_CONFLICT)
		return store_fail(err, ret,
				  "the actor is already a member of the group");
	if (!ret && !sqlite3_changes(q->db))
		return store_fail(err, STORE_NOT_FOUND,
				  "no such group and actor in one account");
	return ret;
}

static int member_remove(struct store *s, const char *group_id,
			 const char *actor_id, struct store_err *err)
{
	struct store_sqlite *q = store_sqlite_of(s);
	int ret = check_not_builtin(q, group_id, "left", err);

	ret = ret   ?:
		      member_exec(q, STORE_Q_MEMBER_REMOVE, group_id, actor_id,
				  err);
	if (!ret && !sqlite3_changes(q->db))
		return store_fail(err, STORE_NOT_FOUND,
				  "the actor is not a member of the group");
	return ret;
}

static int member_list(struct store *s, const char *group_id,
		       store_each_fn each, void *arg, struct store_err *err)
{
	return store_sqlite_query(store_sqlite_of(s), STORE_Q_MEMBER_LIST,
				  STORE_T_ACTOR, group_id, NULL, each, arg,
				  err);
}

static int actor_groups(struct store *s, const char *actor_id,
			store_each_fn each, void *arg, struct store_err *err)
{
	return store_sqlite_query(store_sqlite_of(s), STORE_Q_ACTOR_GROUPS,
				  STORE_T_GROUP, actor_id, NULL, each, arg,
				  err);
}

static int token_create(struct store *s, struct store_token *t,
			struct store_err *err)
{
	return store_sqlite_insert(store_sqlite_of(s), STORE_T_TOKEN, t, err);
}

static int token_get(struct store *s, const char *id, struct store_token *t,
		     struct store_err *err)
{
	return store_sqlite_get(store_sqlite_of(s), STORE_T_TOKEN, id, t, err);
}

static int token_list(struct store *s, const char *account_id, const char *kind,
		      store_each_fn each, void *arg, struct store_err *err)
{
	return store_sqlite_query(store_sqlite_of(s), STORE_Q_TOKEN_LIST,
				  STORE_T_TOKEN, account_id, kind, each, arg,
				  err);
}

static int token_delete(struct store *s, const char *id, struct store_err *err)
{
	return store_sqlite_delete(store_sqlite_of(s), STORE_T_TOKEN, id, err);
}

static int token_touch(struct store *s, const char *id, int64_t at,
		       struct store_err *err)
{
	struct store_sqlite *q = store_sqlite_of(s);
	sqlite3_stmt *st = q->q[STORE_Q_TOKEN_TOUCH];
	int ret = store_sqlite_check_ready(q, err);

	if (ret)
		return ret;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, at);
	return exec_one(q, st, STORE_T_TOKEN, id, NULL, STORE_UPDATE, err);
}

static int authz_insert(struct store *s, struct store_authz *a,
			struct store_err *err)
{
	return store_sqlite_insert(store_sqlite_of(s), STORE_T_AUTHZ, a, err);
}

static int authz_delete(struct store *s, const char *id, struct store_err *err)
{
	return store_sqlite_delete(store_sqlite_of(s), STORE_T_AUTHZ, id, err);
}

static int authz_delete_expired(struct store *s, int64_t now, int64_t *n,
				struct store_err *err)
{
	struct store_sqlite *q = store_sqlite_of(s);
	sqlite3_stmt *st = q->q[STORE_Q_AUTHZ_EXPIRED];
	int ret = store_sqlite_check_ready(q, err);

	if (ret)
		return ret;
	sqlite3_bind_int64(st, 1, now);
	ret = store_sqlite_exec(q, st, NULL, NULL, STORE_DELETE, err);
	if (!ret && n)
		*n = sqlite3_changes(q->db);
	return ret;
}

static int authz_list_by(struct store *s, enum store_authz_by by,
			 const char *id, store_each_fn each, void *arg,
			 struct store_err *err)
{
	if ((unsigned int)by >= STORE_AUTHZ_BY_MAX)
		return store_fail(err, STORE_INVALID, "no such list");
	return store_sqlite_query(store_sqlite_of(s),
				  STORE_Q_AUTHZ_BY_CLIENT + (int)by,
				  STORE_T_AUTHZ, id, NULL, each, arg, err);
}

static int change_append(struct store *s, struct store_change *c,
			 struct store_err *err)
{
	return store_sqlite_insert(store_sqlite_of(s), STORE_T_CHANGE, c, err);
}

static int changes_since(struct store *s, int64_t after, store_each_fn each,
			 void *arg, struct store_err *err)
{
	struct store_sqlite *q = store_sqlite_of(s);
	sqlite3_stmt *st = q->q[STORE_Q_CHANGES_SINCE];
	int ret = store_sqlite_check_ready(q, err);

	if (ret)
		return ret;
	sqlite3_bind_int64(st, 1, after);
	return store_sqlite_rows(q, st, T(STORE_T_CHANGE), each, arg, err);
}

/* One DELETE bound to ?1 (and ?2 if two >= 0); *n: rows gone. */
static int delete_before(struct store_sqlite *q, int id, int64_t one,
			 int64_t two, int64_t *n, struct store_err *err)
{
	sqlite3_stmt *st = q->q[id];
	int ret;

	sqlite3_bind_int64(st, 1, one);
	if (two >= 0)
		sqlite3_bind_int64(st, 2, two);
	ret = store_sqlite_exec(q, st, NULL, NULL, STORE_DELETE, err);
	*n = ret ? 0 : sqlite3_changes(q->db);
	return ret;
}

static int prune(struct store *s, struct store_prune *p, struct store_err *err)
{
	struct store_sqlite *q = store_sqlite_of(s);
	int ret = store_sqlite_check_ready(q, err);

	p->n_changes = p->n_audit = 0;
	if (!ret && p->changes_before && p->changes_max_seq > 0)
		ret = delete_before(q, STORE_Q_CHANGES_PRUNE, p->changes_before,
				    p->changes_max_seq, &p->n_changes, err);
	if (!ret && p->audit_before)
		ret = delete_before(q, STORE_Q_AUDIT_PRUNE, p->audit_before, -1,
				    &p->n_audit, err);
	return ret;
}

static int changes_last(struct store *s, int64_t *seq, struct store_err *err)
{
	struct store_sqlite *q = store_sqlite_of(s);
	sqlite3_stmt *st = q->q[STORE_Q_CHANGES_LAST];
	int ret = store_sqlite_check_ready(q, err), rc;

	if (ret)
		return ret;
	*seq = 0;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*seq = sqlite3_column_int64(st, 0);
	store_sqlite_done(st);
	if (rc != SQLITE_ROW)
		return store_sqlite_error(q, rc, NULL, NULL, STORE_SELECT, err);
	return 0;
}

static int audit_append(struct store *s, struct store_audit *a,
			struct store_err *err)
{
	return store_sqlite_insert(store_sqlite_of(s), STORE_T_AUDIT, a, err);
}

static int audit_list(struct store *s, const char *account_id, int64_t since,
		      int64_t limit, store_each_fn each, void *arg,
		      struct store_err *err)
{
	struct store_sqlite *q = store_sqlite_of(s);
	sqlite3_stmt *st = q->q[STORE_Q_AUDIT_LIST];
	int ret = store_sqlite_check_ready(q, err);

	if (ret)
		return ret;
	sqlite3_bind_text(st, 1, account_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, since);
	sqlite3_bind_int64(st, 3, limit > 0 ? limit : -1);
	return store_sqlite_rows(q, st, T(STORE_T_AUDIT), each, arg, err);
}

static int policies_for(struct store *s, const char *actor_id,
			const char *resource_id, store_each_fn each, void *arg,
			struct store_err *err)
{
	return store_sqlite_query(store_sqlite_of(s), STORE_Q_POLICIES_FOR,
				  STORE_T_POLICY, actor_id, resource_id, each,
				  arg, err);
}

static int visible_resources(struct store *s, const char *actor_id,
			     store_each_fn each, void *arg,
			     struct store_err *err)
{
	return store_sqlite_query(store_sqlite_of(s), STORE_Q_VISIBLE_RESOURCES,
				  STORE_T_RESOURCE, actor_id, NULL, each, arg,
				  err);
}

const struct store_ops store_sqlite_ops = {
	.scheme = "sqlite",
	.open = store_sqlite_open,
	.close = store_sqlite_close,
	.migrate = store_sqlite_migrate,
	.schema_version = store_sqlite_schema_version,
	.begin = store_sqlite_begin,
	.commit = store_sqlite_commit,
	.rollback = store_sqlite_rollback,
	.checkpoint_in_background = store_sqlite_checkpoint_in_background,
	.meta_get = store_sqlite_meta_get,
	.meta_set = store_sqlite_meta_set,
	.account_create = account_create,
	.account_get = account_get,
	.account_get_by_slug = account_get_by_slug,
	.account_update = account_update,
	.account_list = account_list,
	.create = kind_create,
	.get = kind_get,
	.list = kind_list,
	.update = kind_update,
	.delete = kind_delete,
	.group_builtin = group_builtin,
	.member_add = member_add,
	.member_remove = member_remove,
	.member_list = member_list,
	.actor_groups = actor_groups,
	.provider_create = store_sqlite_provider_create,
	.provider_get = store_sqlite_provider_get,
	.provider_list = store_sqlite_provider_list,
	.provider_update = store_sqlite_provider_update,
	.provider_delete = store_sqlite_provider_delete,
	.identity_create = store_sqlite_identity_create,
	.identity_find = store_sqlite_identity_find,
	.identity_list = store_sqlite_identity_list,
	.identity_delete = store_sqlite_identity_delete,
	.actor_find_by_email = store_sqlite_actor_find_by_email,
	.token_create = token_create,
	.token_get = token_get,
	.token_list = token_list,
	.token_delete = token_delete,
	.token_touch = token_touch,
	.gateway_upsert = store_sqlite_gateway_upsert,
	.gateway_get = store_sqlite_gateway_get,
	.gateway_list = store_sqlite_gateway_list,
	.gateway_delete = store_sqlite_gateway_delete,
	.client_upsert = store_sqlite_client_upsert,
	.client_get = store_sqlite_client_get,
	.client_list = store_sqlite_client_list,
	.client_delete = store_sqlite_client_delete,
	.device_seen = store_sqlite_device_seen,
	.presence_reset = store_sqlite_presence_reset,
	.authz_insert = authz_insert,
	.authz_delete = authz_delete,
	.authz_list_by = authz_list_by,
	.authz_delete_expired = authz_delete_expired,
	.change_append = change_append,
	.changes_since = changes_since,
	.changes_last = changes_last,
	.prune = prune,
	.audit_append = audit_append,
	.audit_list = audit_list,
	.policies_for = policies_for,
	.visible_resources = visible_resources,
};
