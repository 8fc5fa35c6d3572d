// SPDX-License-Identifier: GPL-2.0
/*
 * The SQLite backend's sign-in records (schema 3): an account's OpenID
 * Connect providers, the identities that tie a provider's subject to an
 * actor, and actors found by email for linking and email codes.
 */
#include <string.h>

#include "sqlite.h"

#define T(id) (&store_sqlite_tables[id])

int store_sqlite_provider_create(struct store *s, struct store_provider *p,
				 struct store_err *err)
{
	return store_sqlite_insert(store_sqlite_of(s), STORE_T_PROVIDER, p,
				   err);
}

int store_sqlite_provider_get(struct store *s, const char *id,
			      struct store_provider *p, struct store_err *err)
{
	return store_sqlite_get(store_sqlite_of(s), STORE_T_PROVIDER, id, p,
				err);
}

int store_sqlite_provider_list(struct store *s, const char *account_id,
			       store_each_fn each, void *arg,
			       struct store_err *err)
{
	return store_sqlite_list(store_sqlite_of(s), STORE_T_PROVIDER,
				 account_id, each, arg, err);
}

int store_sqlite_provider_update(struct store *s,
				 const struct store_provider *p,
				 struct store_err *err)
{
	return store_sqlite_update(store_sqlite_of(s), STORE_T_PROVIDER, p,
				   err);
}

int store_sqlite_provider_delete(struct store *s, const char *id,
				 struct store_err *err)
{
	return store_sqlite_delete(store_sqlite_of(s), STORE_T_PROVIDER, id,
				   err);
}

int store_sqlite_identity_create(struct store *s, struct store_identity *i,
				 struct store_err *err)
{
	int ret = store_sqlite_insert(store_sqlite_of(s), STORE_T_IDENTITY, i,
				      err);

	if (ret == STORE_CONFLICT)
		return store_fail(err, ret,
				  "this subject of the provider already has "
				  "an identity");
	return ret;
}

int store_sqlite_identity_find(struct store *s, const char *account_id,
			       const char *provider, const char *subject,
			       struct store_identity *i, struct store_err *err)
{
	struct store_sqlite *q = store_sqlite_of(s);
	sqlite3_stmt *st = q->q[STORE_Q_IDENTITY_FIND];
	int ret = store_sqlite_check_ready(q, err);

	if (ret)
		return ret;
	sqlite3_bind_text(st, 1, account_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, provider, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, subject, -1, SQLITE_STATIC);
	ret = store_sqlite_one(q, st, T(STORE_T_IDENTITY), i, err);
	if (ret == STORE_NOT_FOUND)
		return store_fail(err, ret, "no such identity");
	return ret;
}

int store_sqlite_identity_list(struct store *s, const char *account_id,
			       const char *provider, store_each_fn each,
			       void *arg, struct store_err *err)
{
	return store_sqlite_query(store_sqlite_of(s), STORE_Q_IDENTITY_LIST,
				  STORE_T_IDENTITY, account_id, provider, each,
				  arg, err);
}

int store_sqlite_identity_delete(struct store *s, const char *id,
				 struct store_err *err)
{
	return store_sqlite_delete(store_sqlite_of(s), STORE_T_IDENTITY, id,
				   err);
}

struct by_email {
	struct store_actor *a;
	int n;
};

static int count_actor(void *arg, const void *rec)
{
	struct by_email *b = arg;

	if (!b->n++)
		*b->a = *(const struct store_actor *)rec;
	return 0;
}

int store_sqlite_actor_find_by_email(struct store *s, const char *account_id,
				     const char *email, struct store_actor *a,
				     struct store_err *err)
{
	struct by_email b = { a, 0 };
	int ret;

	if (!email || !*email)
		return store_fail(err, STORE_NOT_FOUND,
				  "no actor with email ''");
	ret = store_sqlite_query(store_sqlite_of(s), STORE_Q_ACTOR_BY_EMAIL,
				 STORE_T_ACTOR, account_id, email, count_actor,
				 &b, err);
	if (ret)
		return ret;
	if (b.n > 1) {
		memset(a, 0, sizeof(*a));
		return store_fail(err, STORE_CONFLICT,
				  "several actors have the email '%s'", email);
	}
	if (!b.n)
		return store_fail(err, STORE_NOT_FOUND,
				  "no actor with the email '%s'", email);
	return 0;
}
