// SPDX-License-Identifier: GPL-2.0
/*
 * The schema's history. Each migration runs in its own transaction with
 * its schema_migrations row, so a failed one leaves the database at the
 * version before it. Migrations are only ever appended: a released one
 * never changes, because databases out there already ran it.
 *
 * Times are nanoseconds since the epoch (store.h); ids are UUID text.
 * Authorizations have no foreign keys on purpose: revocation must still
 * find them after the policy, client or resource they name is gone.
 */
#include <stdio.h>
#include <time.h>

#include "sqlite.h"

struct migration {
	int version;
	const char *name;
	const char *sql;
};

static const char schema_1[] =
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB);\n"
	"CREATE TABLE accounts (id TEXT PRIMARY KEY,"
	" slug TEXT NOT NULL UNIQUE, name TEXT NOT NULL,"
	" upstream_dns TEXT NOT NULL DEFAULT '[]', search_domain TEXT,"
	" client_token_ttl_s INTEGER NOT NULL DEFAULT 604800,"
	" created_at INTEGER NOT NULL);\n"
	"CREATE TABLE actors (id TEXT PRIMARY KEY,"
	" account_id TEXT NOT NULL REFERENCES accounts ON DELETE CASCADE,"
	" type TEXT NOT NULL CHECK (type IN ('user', 'service_account')),"
	" role TEXT NOT NULL CHECK (role IN ('admin', 'member')),"
	" name TEXT NOT NULL, email TEXT, disabled_at INTEGER,"
	" created_at INTEGER NOT NULL, UNIQUE (account_id, name));\n"
	"CREATE TABLE identities (id TEXT PRIMARY KEY,"
	" account_id TEXT NOT NULL REFERENCES accounts ON DELETE CASCADE,"
	" actor_id TEXT NOT NULL REFERENCES actors ON DELETE CASCADE,"
	" provider TEXT NOT NULL, subject TEXT NOT NULL, email TEXT,"
	" created_at INTEGER NOT NULL,"
	" UNIQUE (account_id, provider, subject));\n"
	"CREATE INDEX identities_actor ON identities (actor_id);\n"
	"CREATE INDEX identities_email ON identities (account_id, email);\n"
	"CREATE TABLE groups (id TEXT PRIMARY KEY,"
	" account_id TEXT NOT NULL REFERENCES accounts ON DELETE CASCADE,"
	" name TEXT NOT NULL,"
	" builtin INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1)),"
	" created_at INTEGER NOT NULL, UNIQUE (account_id, name));\n"
	/* At most one builtin group (Everyone) per account. */
	"CREATE UNIQUE INDEX groups_builtin ON groups (account_id)"
	" WHERE builtin = 1;\n"
	"CREATE TABLE sites (id TEXT PRIMARY KEY,"
	" account_id TEXT NOT NULL REFERENCES accounts ON DELETE CASCADE,"
	" name TEXT NOT NULL, created_at INTEGER NOT NULL,"
	" UNIQUE (account_id, name));\n"
	"CREATE TABLE memberships ("
	" group_id TEXT NOT NULL REFERENCES groups ON DELETE CASCADE,"
	" actor_id TEXT NOT NULL REFERENCES actors ON DELETE CASCADE,"
	" PRIMARY KEY (group_id, actor_id)) WITHOUT ROWID;\n"
	"CREATE INDEX memberships_actor ON memberships (actor_id, group_id);\n"
	"CREATE TABLE tokens (id TEXT PRIMARY KEY,"
	" account_id TEXT NOT NULL REFERENCES accounts ON DELETE CASCADE,"
	" kind TEXT NOT NULL CHECK (kind IN ('api', 'client', 'gateway')),"
	" actor_id TEXT REFERENCES actors ON DELETE CASCADE,"
	" site_id TEXT REFERENCES sites ON DELETE CASCADE,"
	" identity_id TEXT,"
	" hash BLOB NOT NULL CHECK (length(hash) = 32),"
	" name TEXT NOT NULL DEFAULT '', created_by TEXT,"
	" created_at INTEGER NOT NULL, expires_at INTEGER,"
	" last_used_at INTEGER,"
	" CHECK ((kind = 'gateway') = (site_id IS NOT NULL)),"
	" CHECK ((kind = 'gateway') = (actor_id IS NULL)));\n"
	"CREATE INDEX tokens_actor ON tokens (actor_id);\n"
	"CREATE INDEX tokens_site ON tokens (site_id);\n"
	/* One offset names a device's IPv4 and IPv6 (core/tunnel.h). */
	"CREATE TABLE tunnel_pool (account_id TEXT NOT NULL,"
	" tunnel_offset INTEGER NOT NULL"
	" CHECK (tunnel_offset BETWEEN 1 AND 2097150),"
	" kind TEXT NOT NULL CHECK (kind IN ('gateway', 'client')),"
	" device_id TEXT NOT NULL,"
	" PRIMARY KEY (account_id, tunnel_offset)) WITHOUT ROWID;\n"
	"CREATE TABLE gateways (id TEXT PRIMARY KEY,"
	" account_id TEXT NOT NULL REFERENCES accounts ON DELETE CASCADE,"
	" site_id TEXT NOT NULL REFERENCES sites ON DELETE CASCADE,"
	" token_id TEXT, name TEXT NOT NULL,"
	" public_key BLOB NOT NULL CHECK (length(public_key) = 32),"
	" tunnel_offset INTEGER NOT NULL, listen_port INTEGER,"
	" endpoints TEXT NOT NULL DEFAULT '[]', remote_addr TEXT,"
	" version TEXT, online_since INTEGER, last_seen_at INTEGER,"
	" created_at INTEGER NOT NULL, UNIQUE (account_id, public_key));\n"
	"CREATE INDEX gateways_site ON gateways (site_id);\n"
	"CREATE TABLE clients (id TEXT PRIMARY KEY,"
	" account_id TEXT NOT NULL REFERENCES accounts ON DELETE CASCADE,"
	" actor_id TEXT NOT NULL REFERENCES actors ON DELETE CASCADE,"
	" token_id TEXT, name TEXT NOT NULL,"
	" public_key BLOB NOT NULL CHECK (length(public_key) = 32),"
	" tunnel_offset INTEGER NOT NULL, verified_at INTEGER,"
	" remote_addr TEXT, version TEXT, online_since INTEGER,"
	" last_seen_at INTEGER, created_at INTEGER NOT NULL,"
	" UNIQUE (account_id, public_key));\n"
	"CREATE INDEX clients_actor ON clients (actor_id);\n"
	/* A deleted device gives its addresses back, cascades included. */
	"CREATE TRIGGER gateways_free_tunnel AFTER DELETE ON gateways BEGIN"
	" DELETE FROM tunnel_pool WHERE account_id = old.account_id"
	" AND tunnel_offset = old.tunnel_offset; END;\n"
	"CREATE TRIGGER clients_free_tunnel AFTER DELETE ON clients BEGIN"
	" DELETE FROM tunnel_pool WHERE account_id = old.account_id"
	" AND tunnel_offset = old.tunnel_offset; END;\n"
	"CREATE TABLE resources (id TEXT PRIMARY KEY,"
	" account_id TEXT NOT NULL REFERENCES accounts ON DELETE CASCADE,"
	" site_id TEXT NOT NULL REFERENCES sites ON DELETE RESTRICT,"
	" name TEXT NOT NULL,"
	" type TEXT NOT NULL CHECK (type IN ('dns', 'ip', 'cidr')),"
	" address TEXT NOT NULL, address_description TEXT,"
	" filters TEXT NOT NULL DEFAULT '[]',"
	" created_at INTEGER NOT NULL, updated_at INTEGER,"
	" UNIQUE (account_id, name));\n"
	"CREATE INDEX resources_site ON resources (site_id);\n"
	"CREATE TABLE policies (id TEXT PRIMARY KEY,"
	" account_id TEXT NOT NULL REFERENCES accounts ON DELETE CASCADE,"
	" group_id TEXT NOT NULL REFERENCES groups ON DELETE CASCADE,"
	" resource_id TEXT NOT NULL REFERENCES resources ON DELETE CASCADE,"
	" conditions TEXT NOT NULL DEFAULT '[]', description TEXT,"
	" disabled_at INTEGER, created_at INTEGER NOT NULL,"
	" updated_at INTEGER, UNIQUE (group_id, resource_id));\n"
	"CREATE INDEX policies_resource ON policies (resource_id);\n"
	"CREATE TABLE authorizations (id TEXT PRIMARY KEY,"
	" account_id TEXT NOT NULL, client_id TEXT NOT NULL,"
	" gateway_id TEXT NOT NULL, resource_id TEXT NOT NULL,"
	" policy_id TEXT NOT NULL, token_id TEXT,"
	" expires_at INTEGER NOT NULL, created_at INTEGER NOT NULL);\n"
	"CREATE INDEX authorizations_client ON authorizations (client_id);\n"
	"CREATE INDEX authorizations_gateway ON authorizations (gateway_id);\n"
	"CREATE INDEX authorizations_policy ON authorizations (policy_id);\n"
	"CREATE INDEX authorizations_resource ON authorizations"
	" (resource_id);\n"
	"CREATE INDEX authorizations_token ON authorizations (token_id);\n"
	"CREATE INDEX authorizations_expires ON authorizations"
	" (expires_at);\n"
	"CREATE TABLE changes (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	" account_id TEXT NOT NULL, at INTEGER NOT NULL,"
	" entity TEXT NOT NULL, op TEXT NOT NULL, object_id TEXT,"
	" data TEXT);\n"
	"CREATE TABLE audit (id INTEGER PRIMARY KEY,"
	" account_id TEXT NOT NULL, at INTEGER NOT NULL,"
	" source TEXT NOT NULL CHECK (source IN ('cli', 'api', 'signal')),"
	" who TEXT, action TEXT NOT NULL, object_type TEXT, object_id TEXT,"
	" decision TEXT CHECK (decision IN ('allow', 'deny')),"
	" policy_id TEXT, reason TEXT, detail TEXT);\n"
	"CREATE INDEX audit_account_at ON audit (account_id, at);\n";

/* What a device calls itself, and the feed's pruning by age. */
static const char schema_2[] =
	"ALTER TABLE clients ADD COLUMN external_id TEXT;\n"
	"CREATE INDEX clients_external_id ON clients (account_id,"
	" external_id) WHERE external_id IS NOT NULL;\n"
	"CREATE INDEX changes_at ON changes (at);\n";

/*
 * Sign-in (SIGNIN.md): the OpenID Connect providers of an account, and
 * whether signing in may create users. identities.provider (schema 1)
 * holds a provider's id; actors are found by email without case.
 */
static const char schema_3[] =
	"CREATE TABLE providers (id TEXT PRIMARY KEY,"
	" account_id TEXT NOT NULL REFERENCES accounts ON DELETE CASCADE,"
	" name TEXT NOT NULL, issuer TEXT NOT NULL, client_id TEXT NOT NULL,"
	" client_secret TEXT NOT NULL,"
	" scopes TEXT NOT NULL DEFAULT 'openid email profile',"
	" link_by_email INTEGER NOT NULL DEFAULT 0"
	" CHECK (link_by_email IN (0, 1)),"
	" disabled_at INTEGER, created_at INTEGER NOT NULL,"
	" UNIQUE (account_id, name));\n"
	"CREATE INDEX identities_provider ON identities (provider);\n"
	"CREATE INDEX actors_email ON actors (account_id,"
	" email COLLATE NOCASE) WHERE email IS NOT NULL;\n"
	"ALTER TABLE accounts ADD COLUMN self_signup INTEGER NOT NULL"
	" DEFAULT 0 CHECK (self_signup IN (0, 1));\n";

static const struct migration migrations[] = {
	{ 1, "initial schema", schema_1 },
	{ 2, "clients.external_id, changes by time", schema_2 },
	{ 3, "providers, accounts.self_signup, actors by email", schema_3 },
};

#define N_MIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

static const char bootstrap[] =
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	" version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
	" applied_at INTEGER NOT NULL)";

int store_sqlite_latest(void)
{
	return migrations[N_MIGRATIONS - 1].version;
}

static int fail_db(sqlite3 *db, struct store_err *err, const char *what)
{
	return store_fail(err, STORE_IO, "%s: %s", what, sqlite3_errmsg(db));
}

/*
 * The highest version applied; 0 for a new database. user_version only
 * mirrors it (for `sqlite3 DB 'PRAGMA user_version'`); the table decides.
 */
int store_sqlite_version(sqlite3 *db, int *version, struct store_err *err)
{
	static const char sql[] =
		"SELECT coalesce(max(version), 0) FROM schema_migrations";
	sqlite3_stmt *st;
	int rc;

	*version = 0;
	rc = sqlite3_prepare_v2(db,
				"SELECT 1 FROM sqlite_schema WHERE type = "
				"'table' AND name = 'schema_migrations'",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return fail_db(db, err, "cannot read the schema");
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return fail_db(db, err, "cannot read the schema");
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return fail_db(db, err, "cannot read the schema version");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return fail_db(db, err, "cannot read the schema version");
	return 0;
}

static int record(sqlite3 *db, const struct migration *m, struct store_err *err)
{
	static const char sql[] = "INSERT INTO schema_migrations (version, "
				  "name, applied_at) VALUES (?1, ?2, ?3)";
	char pragma[64];
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return fail_db(db, err, "cannot record a migration");
	sqlite3_bind_int(st, 1, m->version);
	sqlite3_bind_text(st, 2, m->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (int64_t)time(NULL) * 1000000000);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return fail_db(db, err, "cannot record a migration");
	snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d",
		 m->version);
	if (sqlite3_exec(db, pragma, NULL, NULL, NULL) != SQLITE_OK)
		return fail_db(db, err, "cannot set user_version");
	return 0;
}

/*
 * The version is read again inside the transaction: another process may
 * have applied the migration since (BEGIN IMMEDIATE takes the write lock).
 */
static int apply_one(sqlite3 *db, const struct migration *m,
		     struct store_err *err)
{
	int version, ret;

	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return fail_db(db, err, "cannot start a migration");
	ret = store_sqlite_version(db, &version, err);
	if (ret || version >= m->version)
		goto rollback;
	if (sqlite3_exec(db, m->sql, NULL, NULL, NULL) != SQLITE_OK) {
		ret = store_fail(err, STORE_IO, "migration %d (%s) failed: %s",
				 m->version, m->name, sqlite3_errmsg(db));
		goto rollback;
	}
	ret = record(db, m, err);
	if (ret)
		goto rollback;
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		ret = fail_db(db, err, "cannot commit a migration");
		goto rollback;
	}
	return 0;
rollback:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return ret;
}

int store_sqlite_apply(sqlite3 *db, int target, struct store_err *err)
{
	int version, ret;

	if (target <= 0)
		target = store_sqlite_latest();
	if (target > store_sqlite_latest())
		return store_fail(err, STORE_SCHEMA,
				  "no schema version %d (the latest is %d)",
				  target, store_sqlite_latest());
	if (sqlite3_exec(db, bootstrap, NULL, NULL, NULL) != SQLITE_OK)
		return fail_db(db, err, "cannot create schema_migrations");
	ret = store_sqlite_version(db, &version, err);
	for (int i = 0; !ret && i < N_MIGRATIONS; i++) {
		if (migrations[i].version > version &&
		    migrations[i].version <= target)
			ret = apply_one(db, &migrations[i], err);
	}
	return ret;
}
