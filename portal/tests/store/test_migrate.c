// SPDX-License-Identifier: GPL-2.0
/*
 * Migrations: an empty database to the latest schema, a version 1
 * database with rows in it to the latest (its rows intact), a database
 * newer than the binary refused, and the settings every open applies.
 * The older database is made the way one was: only migration 1 applied,
 * rows written with plain SQL as a version 1 binary would have.
 */
#include <check.h>
#include <sqlite3.h>
#include <string.h>

#include "fixture.h"

static struct fixture f;
static struct store_err err;

static void setup(void)
{
	memset(&err, 0, sizeof(err));
	fixture_dir(&f);
}

static void teardown(void)
{
	fixture_close(&f);
}

/* The first column of the first row of sql, as an integer. */
static long long query_int(const char *path, const char *sql)
{
	sqlite3_stmt *st;
	long long v = -1;
	sqlite3 *db;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void exec(const char *path, const char *sql)
{
	char *msg = NULL;
	sqlite3 *db;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK,
		      "%s: %s", sql, msg);
	sqlite3_close(db);
}

START_TEST(test_empty_to_latest)
{
	int from = -1, to = -1, version, latest;

	f.s = store_open(f.url, &err);
	ck_assert_msg(f.s, "%s", err.msg);
	ck_store_ok(store_schema_version(f.s, &version, &latest, &err), err);
	ck_assert_int_eq(version, 0);
	ck_assert_int_eq(latest, 3);
	ck_store_ok(store_migrate(f.s, 0, &from, &to, &err), err);
	ck_assert_int_eq(from, 0);
	ck_assert_int_eq(to, 3);
	/* Again: nothing to do. */
	ck_store_ok(store_migrate(f.s, 0, &from, &to, &err), err);
	ck_assert_int_eq(from, 3);
	ck_assert_int_eq(to, 3);
	ck_assert_int_eq(query_int(f.path, "SELECT count(*) FROM "
					   "schema_migrations"),
			 3);
	ck_assert_int_eq(query_int(f.path, "PRAGMA user_version"), 3);
	ck_assert_int_eq(query_int(f.path,
				   "SELECT count(*) FROM sqlite_schema"
				   " WHERE type = 'table' AND name IN "
				   "('accounts', 'actors', 'identities',"
				   " 'groups', 'memberships', 'sites', "
				   "'tokens', 'tunnel_pool', 'gateways',"
				   " 'clients', 'resources', 'policies',"
				   " 'authorizations', 'changes', "
				   "'audit', 'meta', 'providers')"),
			 17);
	ck_assert_int_eq(query_int(f.path, "SELECT count(*) FROM "
					   "pragma_table_info('clients') WHERE "
					   "name = 'external_id'"),
			 1);
}
END_TEST

START_TEST(test_pragmas)
{
	struct store_account a = { 0 };
	sqlite3 *db;

	fixture_close(&f);
	fixture_open(&f);
	ck_assert_int_eq(sqlite3_open(f.path, &db), SQLITE_OK);
	sqlite3_close(db);
	/* WAL is a property of the file; the others of the connection. */
	ck_assert_int_eq(query_int(f.path, "SELECT journal_mode = 'wal' FROM "
					   "pragma_journal_mode"),
			 1);
	strcpy(a.slug, "second");
	strcpy(a.name, "x");
	ck_store_ok(store_account_create(f.s, &a, &err), err);
}
END_TEST

static const char v1_rows[] =
	"INSERT INTO accounts (id, slug, name, created_at) VALUES "
	"('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'old', 'Old', 1);"
	"INSERT INTO actors (id, account_id, type, role, name, created_at) "
	"VALUES ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', "
	"'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'user', 'admin', 'root', 1);"
	"INSERT INTO tunnel_pool VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa',"
	" 1, 'client', 'cccccccc-cccc-4ccc-8ccc-cccccccccccc');"
	"INSERT INTO clients (id, account_id, actor_id, name, public_key, "
	"tunnel_offset, created_at) VALUES "
	"('cccccccc-cccc-4ccc-8ccc-cccccccccccc', "
	"'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', "
	"'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'laptop', zeroblob(32), 1, 1);";

START_TEST(test_v1_with_rows_to_latest)
{
	struct store_client c;
	struct store_account a;
	int from, to;

	f.s = store_open(f.url, &err);
	ck_assert_msg(f.s, "%s", err.msg);
	ck_store_ok(store_migrate(f.s, 1, &from, &to, &err), err);
	ck_assert_int_eq(to, 1);
	/* Data functions wait for the latest schema. */
	ck_store_fail(store_account_get_by_slug(f.s, "old", &a, &err), err,
		      STORE_SCHEMA, "run 'fzportal migrate'");
	store_close(f.s);
	f.s = NULL;
	exec(f.path, v1_rows);
	ck_assert_int_eq(query_int(f.path, "SELECT count(*) FROM "
					   "pragma_table_info('clients') WHERE "
					   "name = 'external_id'"),
			 0);

	f.s = store_open(f.url, &err);
	ck_assert_msg(f.s, "%s", err.msg);
	ck_store_ok(store_migrate(f.s, 0, &from, &to, &err), err);
	ck_assert_int_eq(from, 1);
	ck_assert_int_eq(to, 3);
	ck_store_ok(store_account_get_by_slug(f.s, "old", &a, &err), err);
	ck_assert_str_eq(a.name, "Old");
	ck_store_ok(store_client_get(f.s,
				     "cccccccc-cccc-4ccc-8ccc-cccccccccccc", &c,
				     &err),
		    err);
	ck_assert_str_eq(c.name, "laptop");
	ck_assert_str_eq(c.external_id, "");
	strcpy(c.external_id, "device-1");
	ck_store_ok(store_client_upsert(f.s, &c, &err), err);
	ck_store_ok(store_client_get(f.s, c.id, &c, &err), err);
	ck_assert_str_eq(c.external_id, "device-1");
	ck_assert_int_eq(c.tunnel_offset, 1);
	ck_assert_int_eq(query_int(f.path, "SELECT count(*) FROM "
					   "schema_migrations"),
			 3);
}
END_TEST

/* Schema 2 with rows, as a version 2 binary left it, to 3. */
START_TEST(test_v2_with_rows_to_3)
{
	struct store_provider p = { 0 };
	struct store_account a;
	struct store_actor who;
	int from, to;

	f.s = store_open(f.url, &err);
	ck_assert_msg(f.s, "%s", err.msg);
	ck_store_ok(store_migrate(f.s, 2, &from, &to, &err), err);
	ck_assert_int_eq(to, 2);
	store_close(f.s);
	f.s = NULL;
	exec(f.path, v1_rows);
	exec(f.path, "UPDATE actors SET email = 'Root@Example.org';");
	ck_assert_int_eq(query_int(f.path,
				   "SELECT count(*) FROM "
				   "pragma_table_info('accounts') WHERE "
				   "name = 'self_signup'"),
			 0);

	f.s = store_open(f.url, &err);
	ck_assert_msg(f.s, "%s", err.msg);
	ck_store_ok(store_migrate(f.s, 0, &from, &to, &err), err);
	ck_assert_int_eq(from, 2);
	ck_assert_int_eq(to, 3);
	ck_store_ok(store_account_get_by_slug(f.s, "old", &a, &err), err);
	ck_assert_int_eq(a.self_signup, 0);
	ck_assert_int_eq(a.client_token_ttl_s, 604800);
	a.self_signup = 1;
	ck_store_ok(store_account_update(f.s, &a, &err), err);
	ck_store_ok(store_account_get(f.s, a.id, &a, &err), err);
	ck_assert_int_eq(a.self_signup, 1);
	/* The CHECK of the new column holds. */
	a.self_signup = 2;
	ck_store_fail(store_account_update(f.s, &a, &err), err, STORE_INVALID,
		      "self_signup");
	ck_store_ok(store_actor_find_by_email(f.s, a.id, "root@EXAMPLE.org",
					      &who, &err),
		    err);
	ck_assert_str_eq(who.name, "root");
	strcpy(p.account_id, a.id);
	strcpy(p.name, "idp");
	strcpy(p.issuer, "https://idp.example");
	strcpy(p.client_id, "c");
	strcpy(p.client_secret, "s");
	strcpy(p.scopes, "openid");
	ck_store_ok(store_provider_create(f.s, &p, &err), err);
	ck_assert_int_eq(query_int(f.path, "SELECT count(*) FROM providers"),
			 1);
	ck_assert_int_eq(query_int(f.path, "PRAGMA user_version"), 3);
}
END_TEST

START_TEST(test_newer_refused)
{
	struct store *s;

	fixture_close(&f);
	fixture_open(&f);
	store_close(f.s);
	f.s = NULL;
	exec(f.path, "INSERT INTO schema_migrations VALUES (4, 'future', 0);"
		     "PRAGMA user_version = 4;");
	s = store_open(f.url, &err);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(err.code, STORE_SCHEMA);
	ck_assert_msg(strstr(err.msg, "version 4, newer than this fzportal "
				      "knows (3)"),
		      "%s", err.msg);
}
END_TEST

START_TEST(test_bad_urls)
{
	ck_assert_ptr_null(store_open("postgres://localhost/fz", &err));
	ck_assert_int_eq(err.code, STORE_INVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "unknown database URL"));
	ck_assert_ptr_null(store_open("/no/scheme", &err));
	ck_assert_ptr_null(store_open("sqlite:/nonexistent/dir/fz.db", &err));
	ck_assert_int_eq(err.code, STORE_IO);
	ck_assert_ptr_nonnull(strstr(err.msg, "cannot open"));
}
END_TEST

Suite *portal_migrate_suite(void)
{
	Suite *s = suite_create("portal_migrate");
	TCase *tc = tcase_create("migrate");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_empty_to_latest);
	tcase_add_test(tc, test_pragmas);
	tcase_add_test(tc, test_v1_with_rows_to_latest);
	tcase_add_test(tc, test_v2_with_rows_to_3);
	tcase_add_test(tc, test_newer_refused);
	tcase_add_test(tc, test_bad_urls);
	suite_add_tcase(s, tc);
	return s;
}
