// SPDX-License-Identifier: GPL-2.0
/*
 * Gateways and clients: upsert by (account, public key) and the tunnel
 * offset each holds (core/tunnel.h). Offsets are handed out in order from
 * a per-account counter in meta ("tunnel_next:ACCOUNT"), so a freed
 * address is not reused while fresh ones remain (a stale peer may still
 * use it); only after the counter passes the end is the pool searched
 * for gaps. A delete frees the offset by trigger (migrations.c), cascades
 * included.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ids.h"
#include "core/tunnel.h"
#include "sqlite.h"

struct device {
	enum store_sqlite_table_id table;
	int by_key; /* the query finding it by account and key */
	const char *kind; /* in tunnel_pool */
	size_t key_off, offset_off, created_off;
	/* A client's actor or a gateway's site, which a key cannot change:
	 * public keys are not secret (every client learns its gateways'), so
	 * a key alone must not move a device to another owner's token. */
	size_t owner_off;
	const char *conflict;
};

static const struct device gateway = {
	STORE_T_GATEWAY,
	STORE_Q_GATEWAY_BY_KEY,
	"gateway",
	offsetof(struct store_gateway, public_key),
	offsetof(struct store_gateway, tunnel_offset),
	offsetof(struct store_gateway, created_at),
	offsetof(struct store_gateway, site_id),
	"this public key belongs to a gateway of another site",
};

static const struct device client = {
	STORE_T_CLIENT,
	STORE_Q_CLIENT_BY_KEY,
	"client",
	offsetof(struct store_client, public_key),
	offsetof(struct store_client, tunnel_offset),
	offsetof(struct store_client, created_at),
	offsetof(struct store_client, actor_id),
	"this public key belongs to another actor's client",
};

/* Both records start with id and account_id. */
#define ACCOUNT_OF(rec) ((const char *)(rec) + STORE_ID_SIZE)
#define FIELD(rec, off) ((char *)(rec) + (off))

static void next_key(char *key, size_t size, const char *account_id)
{
	snprintf(key, size, "tunnel_next:%s", account_id);
}

static uint32_t read_next(struct store_sqlite *q, const char *account_id)
{
	char key[64], text[16] = "";
	size_t len = sizeof(text) - 1;
	unsigned long v;

	next_key(key, sizeof(key), account_id);
	if (store_sqlite_meta_get(&q->base, key, text, &len, NULL))
		return CORE_TUNNEL_MIN;
	text[len] = '\0';
	v = strtoul(text, NULL, 10);
	return v < CORE_TUNNEL_MIN || v > CORE_TUNNEL_MAX ? CORE_TUNNEL_MIN :
							    (uint32_t)v;
}

static int write_next(struct store_sqlite *q, const char *account_id,
		      uint32_t next, struct store_err *err)
{
	char key[64], text[16];

	next_key(key, sizeof(key), account_id);
	snprintf(text, sizeof(text), "%u", next);
	return store_sqlite_meta_set(&q->base, key, text, strlen(text), err);
}

/* Steps a one-integer query: 1 and *v for a row, 0 for none, <0 error. */
static int step_int(sqlite3_stmt *st, int64_t *v)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	store_sqlite_done(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* The first free offset at or after start: 1, 0 (none), or <0. */
static int first_free(struct store_sqlite *q, const char *account_id,
		      uint32_t start, uint32_t *o)
{
	sqlite3_stmt *st = q->q[STORE_Q_TUNNEL_TAKEN];
	int64_t v;
	int found;

	sqlite3_bind_text(st, 1, account_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, start);
	found = step_int(st, &v);
	if (found <= 0) {
		*o = start;
		return found < 0 ? -1 : 1;
	}
	st = q->q[STORE_Q_TUNNEL_GAP];
	sqlite3_bind_text(st, 1, account_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, start);
	sqlite3_bind_int64(st, 3, CORE_TUNNEL_MAX);
	found = step_int(st, &v);
	*o = (uint32_t)v;
	return found;
}

static int tunnel_alloc(struct store_sqlite *q, const struct device *d,
			const void *rec, struct store_err *err)
{
	sqlite3_stmt *st = q->q[STORE_Q_TUNNEL_INSERT];
	const char *account_id = ACCOUNT_OF(rec);
	uint32_t o = 0;
	int found;

	found = first_free(q, account_id, read_next(q, account_id), &o);
	if (found == 0)
		found = first_free(q, account_id, CORE_TUNNEL_MIN, &o);
	if (found < 0)
		return store_sqlite_error(q, SQLITE_ERROR, NULL, NULL,
					  STORE_SELECT, err);
	if (found == 0)
		return store_fail(err, STORE_FULL,
				  "every tunnel address of the account is "
				  "taken (%u devices)",
				  CORE_TUNNEL_MAX);
	sqlite3_bind_text(st, 1, account_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, o);
	sqlite3_bind_text(st, 3, d->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, rec, -1, SQLITE_STATIC);
	if (store_sqlite_exec(q, st, NULL, NULL, STORE_INSERT, err))
		return err ? err->code : STORE_IO;
	*(int64_t *)FIELD(rec, d->offset_off) = o;
	return write_next(q, account_id,
			  o < CORE_TUNNEL_MAX ? o + 1 : CORE_TUNNEL_MIN, err);
}

static int find_by_key(struct store_sqlite *q, const struct device *d,
		       const void *rec, void *old, struct store_err *err)
{
	sqlite3_stmt *st = q->q[d->by_key];

	sqlite3_bind_text(st, 1, ACCOUNT_OF(rec), -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, FIELD(rec, d->key_off), FZ_KEY_LEN,
			  SQLITE_STATIC);
	return store_sqlite_one(q, st, &store_sqlite_tables[d->table], old,
				err);
}

/* A known key keeps its id, offset, creation time and owner. */
static int update_known(struct store_sqlite *q, const struct device *d,
			void *rec, const void *old, struct store_err *err)
{
	if (strcmp(FIELD(rec, d->owner_off), (const char *)old + d->owner_off))
		return store_fail(err, STORE_CONFLICT, "%s", d->conflict);
	memcpy(rec, old, STORE_ID_SIZE);
	memcpy(FIELD(rec, d->offset_off), (const char *)old + d->offset_off,
	       sizeof(int64_t));
	memcpy(FIELD(rec, d->created_off), (const char *)old + d->created_off,
	       sizeof(int64_t));
	return store_sqlite_update(q, d->table, rec, err);
}

static int upsert(struct store_sqlite *q, const struct device *d, void *rec,
		  struct store_err *err)
{
	void *old = calloc(1, store_sqlite_tables[d->table].size);
	int ret = old ? store_sqlite_check_ready(q, err) :
			store_fail(err, STORE_IO, "out of memory");

	ret = ret ?: store_sqlite_savepoint(q, err);
	if (ret)
		goto out;
	ret = find_by_key(q, d, rec, old, err);
	if (!ret) {
		ret = update_known(q, d, rec, old, err);
	} else if (ret == STORE_NOT_FOUND) {
		if (!*(char *)rec)
			core_uuid_new(rec);
		ret = tunnel_alloc(q, d, rec, err);
		ret = ret ?: store_sqlite_insert(q, d->table, rec, err);
	}
	ret = store_sqlite_release(q, ret, err);
out:
	free(old);
	return ret;
}

int store_sqlite_gateway_upsert(struct store *s, struct store_gateway *g,
				struct store_err *err)
{
	return upsert(store_sqlite_of(s), &gateway, g, err);
}

int store_sqlite_gateway_get(struct store *s, const char *id,
			     struct store_gateway *g, struct store_err *err)
{
	return store_sqlite_get(store_sqlite_of(s), STORE_T_GATEWAY, id, g,
				err);
}

int store_sqlite_gateway_list(struct store *s, const char *account_id,
			      const char *site_id, store_each_fn each,
			      void *arg, struct store_err *err)
{
	return store_sqlite_query(store_sqlite_of(s), STORE_Q_GATEWAY_LIST,
				  STORE_T_GATEWAY, account_id, site_id, each,
				  arg, err);
}

int store_sqlite_gateway_delete(struct store *s, const char *id,
				struct store_err *err)
{
	return store_sqlite_delete(store_sqlite_of(s), STORE_T_GATEWAY, id,
				   err);
}

int store_sqlite_client_upsert(struct store *s, struct store_client *c,
			       struct store_err *err)
{
	return upsert(store_sqlite_of(s), &client, c, err);
}

int store_sqlite_client_get(struct store *s, const char *id,
			    struct store_client *c, struct store_err *err)
{
	return store_sqlite_get(store_sqlite_of(s), STORE_T_CLIENT, id, c, err);
}

int store_sqlite_client_list(struct store *s, const char *account_id,
			     const char *actor_id, store_each_fn each,
			     void *arg, struct store_err *err)
{
	return store_sqlite_query(store_sqlite_of(s), STORE_Q_CLIENT_LIST,
				  STORE_T_CLIENT, account_id, actor_id, each,
				  arg, err);
}

int store_sqlite_client_delete(struct store *s, const char *id,
			       struct store_err *err)
{
	return store_sqlite_delete(store_sqlite_of(s), STORE_T_CLIENT, id, err);
}

/*
 * Presence: written on join and leave only (not per heartbeat), so a
 * thousand idle sockets cost the database nothing.
 */
int store_sqlite_device_seen(struct store *s, const char *kind, const char *id,
			     int64_t online_since, int64_t last_seen_at,
			     const char *remote_addr, struct store_err *err)
{
	struct store_sqlite *q = store_sqlite_of(s);
	bool gw = !strcmp(kind, "gateway");
	sqlite3_stmt *st =
		q->q[gw ? STORE_Q_GATEWAY_SEEN : STORE_Q_CLIENT_SEEN];
	int ret = store_sqlite_check_ready(q, err);

	if (ret)
		return ret;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, online_since);
	sqlite3_bind_int64(st, 3, last_seen_at);
	store_sqlite_bind_text(st, 4, remote_addr);
	ret = store_sqlite_exec(q, st, NULL, NULL, STORE_UPDATE, err);
	if (!ret && !sqlite3_changes(q->db))
		ret = store_fail(err, STORE_NOT_FOUND, "no %s %s", kind, id);
	return ret;
}

int store_sqlite_presence_reset(struct store *s, struct store_err *err)
{
	struct store_sqlite *q = store_sqlite_of(s);
	int ret = store_sqlite_check_ready(q, err);

	ret = ret   ?:
		      store_sqlite_exec(q, q->q[STORE_Q_GATEWAYS_OFFLINE], NULL,
					NULL, STORE_UPDATE, err);
	return ret   ?:
		       store_sqlite_exec(q, q->q[STORE_Q_CLIENTS_OFFLINE], NULL,
					 NULL, STORE_UPDATE, err);
}
