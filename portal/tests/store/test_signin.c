// SPDX-License-Identifier: GPL-2.0
/*
 * The store's sign-in records: providers (CRUD, names unique per
 * account, the CHECK on link_by_email), identities (found by provider
 * and subject, unique), and actors found by email without case, where
 * an email two actors share finds nobody.
 */
#include <check.h>
#include <string.h>

#include "../suites.h"
#include "fixture.h"

static struct fixture f;
static struct store_err err;

static void setup(void)
{
	memset(&err, 0, sizeof(err));
	fixture_open(&f);
}

static void teardown(void)
{
	fixture_close(&f);
}

static void provider(struct store_provider *p, const char *name)
{
	memset(p, 0, sizeof(*p));
	strcpy(p->account_id, f.account.id);
	strcpy(p->name, name);
	strcpy(p->issuer, "https://idp.example");
	strcpy(p->client_id, "client");
	strcpy(p->client_secret, "secret");
	strcpy(p->scopes, "openid email");
}

static void actor(struct store_actor *a, const char *name, const char *email)
{
	memset(a, 0, sizeof(*a));
	strcpy(a->account_id, f.account.id);
	strcpy(a->type, "user");
	strcpy(a->role, "member");
	strcpy(a->name, name);
	strcpy(a->email, email);
	ck_store_ok(store_create(f.s, STORE_ACTOR, a, &err), err);
}

static int count(void *arg, const void *rec)
{
	(void)rec;
	++*(int *)arg;
	return 0;
}

START_TEST(test_providers)
{
	struct store_provider p, q;
	int n = 0;

	provider(&p, "google");
	ck_store_ok(store_provider_create(f.s, &p, &err), err);
	ck_assert_uint_eq(strlen(p.id), 36);
	ck_assert_int_ne(p.created_at, 0);
	ck_store_ok(store_provider_get(f.s, p.id, &q, &err), err);
	ck_assert_str_eq(q.client_secret, "secret");
	ck_assert_str_eq(q.scopes, "openid email");
	provider(&q, "google");
	ck_store_fail(store_provider_create(f.s, &q, &err), err, STORE_CONFLICT,
		      "a provider named 'google' already exists");
	provider(&q, "bad");
	q.link_by_email = 2;
	ck_store_fail(store_provider_create(f.s, &q, &err), err, STORE_INVALID,
		      "provider");
	provider(&q, "other");
	strcpy(q.account_id, "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa");
	ck_store_fail(store_provider_create(f.s, &q, &err), err, STORE_INVALID,
		      "no such account");
	p.link_by_email = 1;
	p.disabled_at = 9;
	strcpy(p.name, "g");
	ck_store_ok(store_provider_update(f.s, &p, &err), err);
	ck_store_ok(store_provider_get(f.s, p.id, &q, &err), err);
	ck_assert_int_eq(q.link_by_email, 1);
	ck_assert_int_eq(q.disabled_at, 9);
	ck_assert_str_eq(q.name, "g");
	ck_store_ok(store_provider_list(f.s, f.account.id, count, &n, &err),
		    err);
	ck_assert_int_eq(n, 1);
	ck_store_ok(store_provider_delete(f.s, p.id, &err), err);
	ck_store_fail(store_provider_get(f.s, p.id, &q, &err), err,
		      STORE_NOT_FOUND, "no provider");
	ck_store_fail(store_provider_delete(f.s, p.id, &err), err,
		      STORE_NOT_FOUND, "no provider");
}
END_TEST

START_TEST(test_identities)
{
	struct store_identity i = { 0 }, j;
	struct store_actor a;
	int n = 0;

	actor(&a, "ann", "");
	strcpy(i.account_id, f.account.id);
	strcpy(i.actor_id, a.id);
	strcpy(i.provider, "pppppppp-pppp-4ppp-8ppp-pppppppppppp");
	strcpy(i.subject, "sub-1");
	strcpy(i.email, "ann@example.org");
	ck_store_ok(store_identity_create(f.s, &i, &err), err);
	ck_store_ok(store_identity_find(f.s, f.account.id, i.provider, "sub-1",
					&j, &err),
		    err);
	ck_assert_str_eq(j.id, i.id);
	ck_assert_str_eq(j.actor_id, a.id);
	ck_store_fail(store_identity_find(f.s, f.account.id, i.provider,
					  "SUB-1", &j, &err),
		      err, STORE_NOT_FOUND, "no such identity");
	memset(i.id, 0, sizeof(i.id));
	ck_store_fail(store_identity_create(f.s, &i, &err), err, STORE_CONFLICT,
		      "already has an identity");
	strcpy(i.actor_id, "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa");
	strcpy(i.subject, "sub-2");
	memset(i.id, 0, sizeof(i.id));
	ck_store_fail(store_identity_create(f.s, &i, &err), err, STORE_INVALID,
		      "no such account or actor");
	ck_store_ok(store_identity_list(f.s, f.account.id, i.provider, count,
					&n, &err),
		    err);
	ck_assert_int_eq(n, 1);
	ck_store_ok(store_identity_list(f.s, f.account.id, "other", count, &n,
					&err),
		    err);
	ck_assert_int_eq(n, 1);
	/* An actor's delete takes its identities. */
	ck_store_ok(store_delete(f.s, STORE_ACTOR, a.id, &err), err);
	ck_store_fail(store_identity_find(f.s, f.account.id, i.provider,
					  "sub-1", &j, &err),
		      err, STORE_NOT_FOUND, "no such identity");
}
END_TEST

START_TEST(test_actor_by_email)
{
	struct store_actor a, b, got;

	actor(&a, "ann", "Ann@Example.org");
	actor(&b, "bob", "bob@example.org");
	ck_store_ok(store_actor_find_by_email(f.s, f.account.id,
					      "ann@example.ORG", &got, &err),
		    err);
	ck_assert_str_eq(got.id, a.id);
	ck_store_fail(store_actor_find_by_email(f.s, f.account.id,
						"nobody@example.org", &got,
						&err),
		      err, STORE_NOT_FOUND, "no actor with the email");
	ck_store_fail(store_actor_find_by_email(f.s, f.account.id, "", &got,
						&err),
		      err, STORE_NOT_FOUND, "no actor");
	/* Another account's actor with the same email is not this one's. */
	ck_store_fail(store_actor_find_by_email(
			      f.s, "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
			      "bob@example.org", &got, &err),
		      err, STORE_NOT_FOUND, "no actor");
	/* Two actors with one email: nobody. */
	actor(&b, "bob2", "BOB@example.org");
	ck_store_fail(store_actor_find_by_email(f.s, f.account.id,
						"bob@example.org", &got, &err),
		      err, STORE_CONFLICT, "several actors");
	ck_assert_str_eq(got.id, "");
}
END_TEST

Suite *portal_store_signin_suite(void)
{
	Suite *s = suite_create("portal_store_signin");
	TCase *tc = tcase_create("signin");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_providers);
	tcase_add_test(tc, test_identities);
	tcase_add_test(tc, test_actor_by_email);
	suite_add_tcase(s, tc);
	return s;
}
