// SPDX-License-Identifier: GPL-2.0
/*
 * Every statement the backend runs, prepared once when the store becomes
 * ready (SQLITE_PREPARE_PERSISTENT: they live as long as the connection),
 * so no request parses SQL. CRUD statements are built from the table
 * descriptions; the others are written out below, "%s" standing for the
 * column list of the table whose records they return, under its alias.
 */
#include <stdio.h>
#include <string.h>

#include "sqlite.h"

#define COLS_MAX 1024
#define SQL_MAX 4096

struct query {
	const char *sql;
	int table; /* whose columns %s lists; -1: none */
	const char *alias;
};

#define Q(id, table, alias, sql) [id] = { sql, table, alias }

static const struct query queries[STORE_Q_MAX] = {
	Q(STORE_Q_BEGIN, -1, NULL, "BEGIN IMMEDIATE"),
	Q(STORE_Q_COMMIT, -1, NULL, "COMMIT"),
	Q(STORE_Q_ROLLBACK, -1, NULL, "ROLLBACK"),
	Q(STORE_Q_SAVEPOINT, -1, NULL, "SAVEPOINT store_op"),
	Q(STORE_Q_RELEASE, -1, NULL, "RELEASE store_op"),
	Q(STORE_Q_ROLLBACK_TO, -1, NULL, "ROLLBACK TO store_op"),
	Q(STORE_Q_META_GET, -1, NULL, "SELECT value FROM meta WHERE key = ?1"),
	Q(STORE_Q_META_SET, -1, NULL,
	  "INSERT INTO meta (key, value) VALUES (?1, ?2) "
	  "ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
	Q(STORE_Q_ACCOUNT_BY_SLUG, STORE_T_ACCOUNT, "a",
	  "SELECT %s FROM accounts a WHERE a.slug = ?1"),
	Q(STORE_Q_ACCOUNT_LIST, STORE_T_ACCOUNT, "a",
	  "SELECT %s FROM accounts a ORDER BY a.slug"),
	Q(STORE_Q_GROUP_BUILTIN, STORE_T_GROUP, "g",
	  "SELECT %s FROM groups g WHERE g.account_id = ?1 AND g.builtin = 1"),
	/* Only a group and an actor of the same account. */
	Q(STORE_Q_MEMBER_ADD, -1, NULL,
	  "INSERT INTO memberships (group_id, actor_id) SELECT g.id, a.id "
	  "FROM groups g, actors a WHERE g.id = ?1 AND a.id = ?2 "
	  "AND g.account_id = a.account_id"),
	Q(STORE_Q_MEMBER_ADD_BUILTIN, -1, NULL,
	  "INSERT INTO memberships (group_id, actor_id) SELECT id, ?2 "
	  "FROM groups WHERE account_id = ?1 AND builtin = 1"),
	Q(STORE_Q_MEMBER_REMOVE, -1, NULL,
	  "DELETE FROM memberships WHERE group_id = ?1 AND actor_id = ?2"),
	Q(STORE_Q_MEMBER_LIST, STORE_T_ACTOR, "a",
	  "SELECT %s FROM memberships m JOIN actors a ON a.id = m.actor_id "
	  "WHERE m.group_id = ?1 ORDER BY a.name"),
	Q(STORE_Q_ACTOR_GROUPS, STORE_T_GROUP, "g",
	  "SELECT %s FROM memberships m JOIN groups g ON g.id = m.group_id "
	  "WHERE m.actor_id = ?1 ORDER BY g.name"),
	Q(STORE_Q_TOKEN_LIST, STORE_T_TOKEN, "t",
	  "SELECT %s FROM tokens t WHERE t.account_id = ?1 "
	  "AND (?2 IS NULL OR t.kind = ?2) ORDER BY t.created_at, t.id"),
	Q(STORE_Q_TOKEN_TOUCH, -1, NULL,
	  "UPDATE tokens SET last_used_at = ?2 WHERE id = ?1"),
	Q(STORE_Q_GATEWAY_BY_KEY, STORE_T_GATEWAY, "g",
	  "SELECT %s FROM gateways g WHERE g.account_id = ?1 "
	  "AND g.public_key = ?2"),
	Q(STORE_Q_GATEWAY_LIST, STORE_T_GATEWAY, "g",
	  "SELECT %s FROM gateways g WHERE g.account_id = ?1 "
	  "AND (?2 IS NULL OR g.site_id = ?2) ORDER BY g.name, g.id"),
	Q(STORE_Q_CLIENT_BY_KEY, STORE_T_CLIENT, "c",
	  "SELECT %s FROM clients c WHERE c.account_id = ?1 "
	  "AND c.public_key = ?2"),
	Q(STORE_Q_CLIENT_LIST, STORE_T_CLIENT, "c",
	  "SELECT %s FROM clients c WHERE c.account_id = ?1 "
	  "AND (?2 IS NULL OR c.actor_id = ?2) ORDER BY c.name, c.id"),
	Q(STORE_Q_AUTHZ_BY_CLIENT, STORE_T_AUTHZ, "z",
	  "SELECT %s FROM authorizations z WHERE z.client_id = ?1"),
	Q(STORE_Q_AUTHZ_BY_GATEWAY, STORE_T_AUTHZ, "z",
	  "SELECT %s FROM authorizations z WHERE z.gateway_id = ?1"),
	Q(STORE_Q_AUTHZ_BY_POLICY, STORE_T_AUTHZ, "z",
	  "SELECT %s FROM authorizations z WHERE z.policy_id = ?1"),
	Q(STORE_Q_AUTHZ_BY_RESOURCE, STORE_T_AUTHZ, "z",
	  "SELECT %s FROM authorizations z WHERE z.resource_id = ?1"),
	Q(STORE_Q_AUTHZ_BY_TOKEN, STORE_T_AUTHZ, "z",
	  "SELECT %s FROM authorizations z WHERE z.token_id = ?1"),
	Q(STORE_Q_CHANGES_SINCE, STORE_T_CHANGE, "c",
	  "SELECT %s FROM changes c WHERE c.seq > ?1 ORDER BY c.seq"),
	Q(STORE_Q_AUDIT_LIST, STORE_T_AUDIT, "x",
	  "SELECT %s FROM audit x WHERE x.account_id = ?1 AND x.at >= ?2 "
	  "ORDER BY x.at DESC, x.id DESC LIMIT ?3"),
	/* memberships_actor, then policies' UNIQUE (group_id, resource_id). */
	Q(STORE_Q_POLICIES_FOR, STORE_T_POLICY, "p",
	  "SELECT %s FROM memberships m JOIN policies p "
	  "ON p.group_id = m.group_id AND p.resource_id = ?2 "
	  "WHERE m.actor_id = ?1 AND p.disabled_at IS NULL "
	  "ORDER BY p.created_at, p.id"),
	Q(STORE_Q_VISIBLE_RESOURCES, STORE_T_RESOURCE, "r",
	  "SELECT %s FROM resources r WHERE r.id IN (SELECT p.resource_id "
	  "FROM memberships m JOIN policies p ON p.group_id = m.group_id "
	  "WHERE m.actor_id = ?1 AND p.disabled_at IS NULL) ORDER BY r.name"),
	Q(STORE_Q_TUNNEL_TAKEN, -1, NULL,
	  "SELECT 1 FROM tunnel_pool WHERE account_id = ?1 "
	  "AND tunnel_offset = ?2"),
	/* The first free offset after a taken one at or above ?2. */
	Q(STORE_Q_TUNNEL_GAP, -1, NULL,
	  "SELECT t.tunnel_offset + 1 FROM tunnel_pool t "
	  "WHERE t.account_id = ?1 AND t.tunnel_offset >= ?2 "
	  "AND t.tunnel_offset < ?3 AND NOT EXISTS (SELECT 1 FROM "
	  "tunnel_pool u WHERE u.account_id = ?1 "
	  "AND u.tunnel_offset = t.tunnel_offset + 1) "
	  "ORDER BY t.tunnel_offset LIMIT 1"),
	Q(STORE_Q_TUNNEL_INSERT, -1, NULL,
	  "INSERT INTO tunnel_pool (account_id, tunnel_offset, kind, "
	  "device_id) VALUES (?1, ?2, ?3, ?4)"),
	Q(STORE_Q_GATEWAY_SEEN, -1, NULL,
	  "UPDATE gateways SET online_since = nullif(?2, 0), "
	  "last_seen_at = ?3, remote_addr = ?4 WHERE id = ?1"),
	Q(STORE_Q_CLIENT_SEEN, -1, NULL,
	  "UPDATE clients SET online_since = nullif(?2, 0), "
	  "last_seen_at = ?3, remote_addr = ?4 WHERE id = ?1"),
	Q(STORE_Q_GATEWAYS_OFFLINE, -1, NULL,
	  "UPDATE gateways SET online_since = NULL "
	  "WHERE online_since IS NOT NULL"),
	/* One online when the portal stopped was seen until about now:
	 * not a device long gone (sig/evict.c). */
	Q(STORE_Q_CLIENTS_OFFLINE, -1, NULL,
	  "UPDATE clients SET last_seen_at = CASE WHEN online_since > 0 "
	  "THEN CAST(ROUND((julianday('now') - 2440587.5) * 86400000.0) "
	  "AS INTEGER) * 1000000 ELSE last_seen_at END, "
	  "online_since = NULL WHERE online_since IS NOT NULL"),
	/* authorizations_expires */
	Q(STORE_Q_AUTHZ_EXPIRED, -1, NULL,
	  "DELETE FROM authorizations WHERE expires_at <= ?1"),
	Q(STORE_Q_CHANGES_LAST, -1, NULL,
	  "SELECT coalesce(max(seq), 0) FROM changes"),
	Q(STORE_Q_CHANGES_PRUNE, -1, NULL,
	  "DELETE FROM changes WHERE at < ?1 AND seq <= ?2"),
	Q(STORE_Q_AUDIT_PRUNE, -1, NULL, "DELETE FROM audit WHERE at < ?1"),
	/* identities' UNIQUE (account_id, provider, subject) */
	Q(STORE_Q_IDENTITY_FIND, STORE_T_IDENTITY, "i",
	  "SELECT %s FROM identities i WHERE i.account_id = ?1 "
	  "AND i.provider = ?2 AND i.subject = ?3"),
	Q(STORE_Q_IDENTITY_LIST, STORE_T_IDENTITY, "i",
	  "SELECT %s FROM identities i WHERE i.account_id = ?1 "
	  "AND (?2 IS NULL OR i.provider = ?2) ORDER BY i.created_at, i.id"),
	/* actors_email; two rows are enough to know it names nobody. */
	Q(STORE_Q_ACTOR_BY_EMAIL, STORE_T_ACTOR, "a",
	  "SELECT %s FROM actors a WHERE a.account_id = ?1 "
	  "AND a.email = ?2 COLLATE NOCASE ORDER BY a.id LIMIT 2"),
};

/* "a.id, a.name, ..." (alias NULL: bare names). */
static void cols_sql(char *buf, size_t size, const struct store_sqlite_table *t,
		     const char *alias)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < t->n_cols && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s%s%s",
				      i ? ", " : "", alias ? alias : "",
				      alias ? "." : "", t->cols[i].name);
}

/* AUTO columns (INTEGER PRIMARY KEY) are left to SQLite on insert. */
static void insert_sql(char *buf, size_t size,
		       const struct store_sqlite_table *t)
{
	size_t n = (size_t)snprintf(buf, size, "INSERT INTO %s (", t->name);
	size_t first = t->cols[0].type == STORE_COL_AUTO;

	for (size_t i = first; i < t->n_cols; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s",
				      i > first ? ", " : "", t->cols[i].name);
	n += (size_t)snprintf(buf + n, size - n, ") VALUES (");
	for (size_t i = first; i < t->n_cols; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s?%zu",
				      i > first ? ", " : "", i + 1);
	snprintf(buf + n, size - n, ")");
}

/* Returns how many columns an update sets. */
static int update_sql(char *buf, size_t size,
		      const struct store_sqlite_table *t)
{
	size_t n = (size_t)snprintf(buf, size, "UPDATE %s SET ", t->name);
	int first = 1; /* 1 + the columns set so far */

	for (size_t i = 0; i < t->n_cols; i++) {
		if (t->cols[i].fixed)
			continue;
		n += (size_t)snprintf(buf + n, size - n, "%s%s = ?%zu",
				      first > 1 ? ", " : "", t->cols[i].name,
				      i + 1);
		first++;
	}
	snprintf(buf + n, size - n, " WHERE %s = ?1", t->cols[0].name);
	return first - 1;
}

static int prepare(struct store_sqlite *q, const char *sql, sqlite3_stmt **st,
		   struct store_err *err)
{
	if (sqlite3_prepare_v3(q->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
			       NULL) == SQLITE_OK)
		return 0;
	return store_fail(err, STORE_IO, "cannot prepare \"%s\": %s", sql,
			  sqlite3_errmsg(q->db));
}

static int prepare_crud(struct store_sqlite *q, int id, struct store_err *err)
{
	const struct store_sqlite_table *t = &store_sqlite_tables[id];
	const char *key = t->cols[0].name;
	char cols[COLS_MAX], sql[SQL_MAX];
	int ret;

	cols_sql(cols, sizeof(cols), t, NULL);
	insert_sql(sql, sizeof(sql), t);
	ret = prepare(q, sql, &q->crud[id][STORE_INSERT], err);
	snprintf(sql, sizeof(sql), "SELECT %s FROM %s WHERE %s = ?1", cols,
		 t->name, key);
	ret = ret ?: prepare(q, sql, &q->crud[id][STORE_SELECT], err);
	/* Accounts are the one table not inside an account: all of them. */
	snprintf(sql, sizeof(sql), "SELECT %s FROM %s %s ORDER BY %s", cols,
		 t->name,
		 strcmp(t->cols[1].name, "account_id") ?
			 "" :
			 "WHERE account_id = ?1",
		 t->order);
	ret = ret ?: prepare(q, sql, &q->crud[id][STORE_LIST], err);
	/* Changes and audit records are written once, never updated. */
	if (update_sql(sql, sizeof(sql), t))
		ret = ret ?: prepare(q, sql, &q->crud[id][STORE_UPDATE], err);
	snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE %s = ?1", t->name,
		 key);
	return ret ?: prepare(q, sql, &q->crud[id][STORE_DELETE], err);
}

static int prepare_query(struct store_sqlite *q, int id, struct store_err *err)
{
	const struct query *qu = &queries[id];
	char cols[COLS_MAX], sql[SQL_MAX];

	if (qu->table < 0)
		return prepare(q, qu->sql, &q->q[id], err);
	cols_sql(cols, sizeof(cols), &store_sqlite_tables[qu->table],
		 qu->alias);
	snprintf(sql, sizeof(sql), qu->sql, cols);
	return prepare(q, sql, &q->q[id], err);
}

int store_sqlite_prepare(struct store_sqlite *q, struct store_err *err)
{
	int ret = 0;

	for (int i = 0; !ret && i < STORE_T_MAX; i++)
		ret = prepare_crud(q, i, err);
	for (int i = 0; !ret && i < STORE_Q_MAX; i++)
		ret = prepare_query(q, i, err);
	if (ret)
		store_sqlite_finalize(q);
	return ret;
}

void store_sqlite_finalize(struct store_sqlite *q)
{
	for (int i = 0; i < STORE_T_MAX; i++) {
		for (int j = 0; j < STORE_CRUD_MAX; j++) {
			sqlite3_finalize(q->crud[i][j]);
			q->crud[i][j] = NULL;
		}
	}
	for (int i = 0; i < STORE_Q_MAX; i++) {
		sqlite3_finalize(q->q[i]);
		q->q[i] = NULL;
	}
}
