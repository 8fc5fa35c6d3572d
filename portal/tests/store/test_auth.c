// SPDX-License-Identifier: GPL-2.0
/*
 * store_authenticate: every way a bearer token is refused, and the one
 * way it is accepted.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "../suites.h"
#include "fixture.h"
#include "core/token.h"
#include "../core/signin_token.h"
#include "store/auth.h"

static struct fixture f;
static struct store_err err;
static struct store_actor alice;
static char text[CORE_TOKEN_TEXT_LEN + 1];
static struct store_token row;

/* A token of kind for alice, expiring at expires (0: never). */
static void mint(const char *kind, int64_t expires)
{
	struct core_token t;

	core_token_mint(&t);
	core_token_format(text, &t);
	memset(&row, 0, sizeof(row));
	core_token_id_text(row.id, &t);
	strcpy(row.account_id, f.account.id);
	strcpy(row.kind, kind);
	strcpy(row.actor_id, alice.id);
	row.expires_at = expires;
	core_token_hash(row.hash, t.id, t.secret, sizeof(t.secret));
	core_token_wipe(&t);
	ck_store_ok(store_token_create(f.s, &row, &err), err);
}

static void setup(void)
{
	memset(&err, 0, sizeof(err));
	fixture_open(&f);
	memset(&alice, 0, sizeof(alice));
	strcpy(alice.account_id, f.account.id);
	strcpy(alice.type, "user");
	strcpy(alice.role, "admin");
	strcpy(alice.name, "alice");
	ck_store_ok(store_create(f.s, STORE_ACTOR, &alice, &err), err);
}

static void teardown(void)
{
	fixture_close(&f);
}

static void refused(const char *token, const char *kind, int64_t now,
		    const char *reason)
{
	struct store_token tok;
	const char *why = NULL;

	ck_assert_int_eq(store_authenticate(f.s, token, kind, now, &tok, NULL,
					    &why),
			 -EACCES);
	ck_assert_msg(why && strstr(why, reason), "why: %s", why);
}

START_TEST(test_accepted)
{
	struct store_token tok;
	struct store_actor who;
	const char *why = NULL;

	mint("api", 0);
	ck_assert_int_eq(
		store_authenticate(f.s, text, "api", 5, &tok, &who, &why), 0);
	ck_assert_str_eq(tok.id, row.id);
	ck_assert_str_eq(who.id, alice.id);
}
END_TEST

START_TEST(test_refused)
{
	char wrong[sizeof(text)];

	mint("client", 1000);
	refused(text, "api", 5, "another kind");
	refused(text, "gateway", 5, "another kind");
	refused(text, "client", 1000, "expired");
	refused("", "client", 5, "");
	refused("fz1_nope", "client", 5, "");
	/* The same id with another secret. */
	strcpy(wrong, text);
	wrong[CORE_TOKEN_TEXT_LEN - 2] =
		wrong[CORE_TOKEN_TEXT_LEN - 2] == 'A' ? 'B' : 'A';
	refused(wrong, "client", 5, "wrong secret");
	/* A well-formed token the store never saw. */
	strcpy(wrong, text);
	mint("client", 1000);
	ck_store_ok(store_token_delete(f.s, row.id, &err), err);
	refused(text, "client", 5, "no such token");
	/* The first token still works after another was deleted. */
	ck_assert_int_eq(store_authenticate(f.s, wrong, "client", 5, &row, NULL,
					    &(const char *){ NULL }),
			 0);
}
END_TEST

START_TEST(test_disabled_actor)
{
	mint("client", 0);
	alice.disabled_at = 7;
	ck_store_ok(store_update(f.s, STORE_ACTOR, &alice, &err), err);
	refused(text, "client", 5, "disabled");
}
END_TEST

/*
 * A signed-in row: only NONCE || fz1_... matches it; the fz1_ fragment
 * alone, or another nonce, does not; and a nonce in front of a plain
 * token's text does not match the plain row.
 */
START_TEST(test_signin_forms)
{
	char full[CORE_TOKEN_SIGNIN_TEXT_LEN + 1], other[sizeof(full)];
	char nonce[] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
	struct store_token tok;
	struct core_token t;
	const char *why;

	ck_assert_int_eq(test_mint_with_nonce(&t, nonce), 0);
	core_token_format_signin(full, &t);
	memset(&row, 0, sizeof(row));
	core_token_id_text(row.id, &t);
	strcpy(row.account_id, f.account.id);
	strcpy(row.kind, "client");
	strcpy(row.actor_id, alice.id);
	core_token_hash_of(row.hash, &t);
	core_token_wipe(&t);
	ck_store_ok(store_token_create(f.s, &row, &err), err);
	ck_assert_int_eq(store_authenticate(f.s, full, "client", 5, &tok, NULL,
					    &why),
			 0);
	ck_assert_str_eq(tok.id, row.id);
	refused(full + CORE_TOKEN_NONCE_TEXT_LEN, "client", 5, "wrong secret");
	strcpy(other, full);
	other[0] = 'B';
	refused(other, "client", 5, "wrong secret");
	/* A plain row with a nonce in front of its text. */
	mint("client", 0);
	snprintf(other, sizeof(other), "%s%s", nonce, text);
	refused(other, "client", 5, "wrong secret");
	ck_assert_int_eq(store_authenticate(f.s, text, "client", 5, &tok, NULL,
					    &why),
			 0);
}
END_TEST

Suite *portal_auth_suite(void)
{
	Suite *s = suite_create("portal_auth");
	TCase *tc = tcase_create("authenticate");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_accepted);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_disabled_actor);
	tcase_add_test(tc, test_signin_forms);
	suite_add_tcase(s, tc);
	return s;
}
