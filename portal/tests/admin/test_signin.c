// SPDX-License-Identifier: GPL-2.0
/*
 * The admin wing's sign-in side: providers (validation, and that the
 * client secret never comes back out: not in a response, the changes
 * feed nor the audit log), sessions (list, revoke), the account's
 * self_signup and token lifetime bounds, and admin_signin_match/
 * _session and admin_signout, each branch.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../store/fixture.h"
#include "../suites.h"
#include "admin/admin.h"
#include "admin/priv.h"
#include "core/token.h"
#include "store/auth.h"

#define NONCE "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
/* What the sign-in URL carries: SHA-256 of NONCE's 32 zero bytes. */
#define NONCE_HASH "Zmh6rfhivXdsj8GLjp-OIAiXFIVu4jOzkCpZHQ1fKSU"
#define SECRET "s3cr3t-never-shown"

static struct fixture f;
static struct admin_ctx ctx;
static struct admin_error err;

static void setup(void)
{
	fixture_open(&f);
	ck_assert_int_eq(admin_ctx_init(&ctx, f.s, NULL, "cli", "test", &err),
			 0);
}

static void teardown(void)
{
	fixture_close(&f);
}

static int count(void *arg, const void *rec)
{
	(void)rec;
	++*(int *)arg;
	return 0;
}

static int rows(void)
{
	struct store_err serr = { 0 };
	int n = 0;

	ck_assert_int_eq(store_changes_since(f.s, 0, count, &n, &serr), 0);
	ck_assert_int_eq(
		store_audit_list(f.s, f.account.id, 0, 0, count, &n, &serr), 0);
	return n;
}

/* NOUN VERB with req; resp's text into out (if not NULL). */
static int call(const char *noun, const char *verb, const char *id,
		const char *req, char *out, size_t outlen)
{
	json_object *r = req ? json_tokener_parse(req) : NULL, *resp = NULL;
	int ret;

	ck_assert_msg(!req || r, "bad test JSON %s", req);
	ret = admin_call(&ctx, noun, verb, id, r, &resp, &err);
	if (out)
		snprintf(out, outlen, "%s",
			 resp ? json_object_to_json_string_ext(
					resp, JSON_C_TO_STRING_PLAIN) :
				"");
	json_object_put(r);
	json_object_put(resp);
	return ret;
}

static void ok(const char *noun, const char *verb, const char *id,
	       const char *req)
{
	ck_assert_msg(!call(noun, verb, id, req, NULL, 0), "%s %s: %s: %s",
		      noun, verb, err.field, err.message);
}

static void refused(const char *noun, const char *verb, const char *id,
		    const char *req, enum admin_code code, const char *field)
{
	int before = rows();

	ck_assert_int_eq(call(noun, verb, id, req, NULL, 0), code);
	ck_assert_msg(!strcmp(err.field, field), "field '%s' (%s), want '%s'",
		      err.field, err.message, field);
	ck_assert_int_eq(rows(), before);
}

static void provider_req(char *buf, size_t n, const char *name,
			 const char *issuer, const char *extra)
{
	snprintf(buf, n,
		 "{\"name\":\"%s\",\"issuer\":\"%s\",\"client_id\":\"cid\","
		 "\"client_secret\":\"" SECRET "\"%s}",
		 name, issuer, extra);
}

static void add_provider(const char *name, const char *extra)
{
	char req[512];

	provider_req(req, sizeof(req), name, "https://idp.example", extra);
	ok("provider", "create", NULL, req);
}

static void bad_provider(const char *issuer, const char *extra,
			 const char *field)
{
	char req[512];

	provider_req(req, sizeof(req), "bad", issuer, extra);
	refused("provider", "create", NULL, req, ADMIN_INVALID, field);
}

START_TEST(test_provider_validation)
{
	char req[512];

	add_provider("google", "");
	add_provider("local1", "");
	provider_req(req, sizeof(req), "loop4", "http://127.0.0.1:8080", "");
	ok("provider", "create", NULL, req);
	provider_req(req, sizeof(req), "loop6", "http://[::1]:9/x", "");
	ok("provider", "create", NULL, req);
	provider_req(req, sizeof(req), "lh", "http://localhost:9", "");
	ok("provider", "create", NULL, req);
	provider_req(req, sizeof(req), "google", "https://idp.example", "");
	refused("provider", "create", NULL, req, ADMIN_CONFLICT, "name");
	bad_provider("http://idp.example", "", "issuer");
	bad_provider("http://10.0.0.1", "", "issuer");
	bad_provider("ftp://idp.example", "", "issuer");
	bad_provider("https://u:p@idp.example", "", "issuer");
	bad_provider("https://idp.example/?a=b", "", "issuer");
	bad_provider("https://idp.example/#f", "", "issuer");
	bad_provider("not a url", "", "issuer");
	bad_provider("", "", "issuer");
	bad_provider("https://idp.example", ",\"scopes\":\"email profile\"",
		     "scopes");
	bad_provider("https://idp.example", ",\"scopes\":\"openid  email\"",
		     "scopes");
	bad_provider("https://idp.example", ",\"scopes\":\"openid\\\\x\"",
		     "scopes");
	bad_provider("https://idp.example", ",\"scopes\":\"\"", "scopes");
	bad_provider("https://idp.example", ",\"link_by_email\":\"maybe\"",
		     "link_by_email");
	bad_provider("https://idp.example", ",\"frob\":1", "frob");
	refused("provider", "create", NULL,
		"{\"name\":\"x\",\"issuer\":\"https://a.example\","
		"\"client_id\":\"c\"}",
		ADMIN_INVALID, "client_secret");
	refused("provider", "create", NULL,
		"{\"name\":\"x\",\"issuer\":\"https://a.example\","
		"\"client_id\":\"c\",\"client_secret\":\"a b\"}",
		ADMIN_INVALID, "client_secret");
	refused("provider", "create", NULL,
		"{\"name\":\"x\",\"issuer\":\"https://a.example\","
		"\"client_id\":\"c\",\"client_secret\":\"\"}",
		ADMIN_INVALID, "client_secret");
	refused("provider", "create", NULL,
		"{\"issuer\":\"https://a.example\",\"client_id\":\"c\","
		"\"client_secret\":\"x\"}",
		ADMIN_INVALID, "name");
	refused("provider", "update", "google", "{\"scopes\":\"profile\"}",
		ADMIN_INVALID, "scopes");
	refused("provider", "show", "nope", NULL, ADMIN_NOT_FOUND, "id");
	ok("provider", "update", "google",
	   "{\"scopes\":\"openid email\",\"link_by_email\":true,"
	   "\"disabled\":true}");
}
END_TEST

struct grep {
	const char *needle;
	int hits;
};

static int grep_change(void *arg, const void *rec)
{
	struct grep *g = arg;

	g->hits +=
		!!strstr(((const struct store_change *)rec)->data, g->needle);
	return 0;
}

static int grep_audit(void *arg, const void *rec)
{
	struct grep *g = arg;

	g->hits +=
		!!strstr(((const struct store_audit *)rec)->detail, g->needle);
	return 0;
}

START_TEST(test_secret_never_shown)
{
	struct store_err serr = { 0 };
	struct grep g = { "s3cr3t", 0 };
	struct store_provider p;
	char out[4096];

	add_provider("google", "");
	ck_assert_int_eq(call("provider", "list", NULL, NULL, out, sizeof(out)),
			 0);
	ck_assert_msg(!strstr(out, "s3cr3t"), "%s", out);
	ck_assert_msg(strstr(out, "\"client_secret\":\"(set)\""), "%s", out);
	ck_assert_int_eq(
		call("provider", "show", "google", NULL, out, sizeof(out)), 0);
	ck_assert(!strstr(out, "s3cr3t"));
	ck_assert_int_eq(call("provider", "update", "google",
			      "{\"client_secret\":\"s3cr3t-2\"}", out,
			      sizeof(out)),
			 0);
	ck_assert(!strstr(out, "s3cr3t"));
	ck_assert_int_eq(call("provider", "delete", "google", NULL, out,
			      sizeof(out)),
			 0);
	ck_assert(!strstr(out, "s3cr3t"));
	ck_assert_int_eq(store_changes_since(f.s, 0, grep_change, &g, &serr),
			 0);
	ck_assert_int_eq(store_audit_list(f.s, f.account.id, 0, 0, grep_audit,
					  &g, &serr),
			 0);
	ck_assert_int_eq(g.hits, 0);
	/* While it existed, the store had the new secret. */
	add_provider("again", "");
	ck_assert_int_eq(call("provider", "update", "again",
			      "{\"client_secret\":\"next\"}", NULL, 0),
			 0);
	ck_assert_int_eq(admin_provider_find(&ctx, "again", &p, &err), 0);
	ck_assert_str_eq(p.client_secret, "next");
}
END_TEST

static void user(const char *name, const char *email, struct store_actor *a)
{
	char req[256];

	snprintf(req, sizeof(req), "{\"name\":\"%s\",\"email\":\"%s\"}", name,
		 email);
	ok("actor", "create", NULL, req);
	ck_assert_int_eq(admin_find(&ctx, STORE_ACTOR, name, a, "id", &err), 0);
}

static void provider_of(const char *name, struct store_provider *p)
{
	ck_assert_int_eq(admin_provider_find(&ctx, name, p, &err), 0);
}

static int match(const char *prov, const char *sub, const char *email,
		 bool verified, bool link, bool self, struct store_actor *a,
		 struct store_identity *i)
{
	struct store_provider p;
	int before = rows(), ret;

	if (prov)
		provider_of(prov, &p);
	ret = admin_signin_match(f.s, f.account.id, prov ? p.id : NULL, sub,
				 email, verified, link, self, a, i, &err);
	if (ret)
		ck_assert_int_eq(rows(), before);
	return ret;
}

START_TEST(test_match_identity_and_link)
{
	struct store_actor ann, bob, a;
	struct store_identity i, j;

	add_provider("google", "");
	user("ann", "Ann@Example.org", &ann);
	user("bob", "bob@example.org", &bob);
	/* Nothing known, no linking, no self-signup. */
	ck_assert_int_eq(match("google", "s-ann", "ann@example.org", true,
			       false, false, &a, &i),
			 -EACCES);
	ck_assert_msg(strstr(err.message, "unknown user"), "%s", err.message);
	ck_assert_str_eq(a.id, "");
	/* Linking wants a verified email. */
	ck_assert_int_eq(match("google", "s-ann", "ann@example.org", false,
			       true, false, &a, &i),
			 -EACCES);
	/* Linked: one enabled actor with that email (any case). */
	ck_assert_int_eq(match("google", "s-ann", "ANN@example.org", true, true,
			       false, &a, &i),
			 0);
	ck_assert_str_eq(a.id, ann.id);
	ck_assert_str_eq(i.actor_id, ann.id);
	ck_assert_str_eq(i.subject, "s-ann");
	/* Then the identity alone is enough, whatever the email says. */
	ck_assert_int_eq(
		match("google", "s-ann", "", false, false, false, &a, &j), 0);
	ck_assert_str_eq(a.id, ann.id);
	ck_assert_str_eq(j.id, i.id);
	/* Two actors with one email: nobody. */
	user("bob2", "BOB@example.org", &a);
	ck_assert_int_eq(match("google", "s-bob", "bob@example.org", true, true,
			       true, &a, &i),
			 -EACCES);
	ck_assert_msg(strstr(err.message, "several users"), "%s", err.message);
	/* A disabled actor: refused by identity and by email. */
	ok("actor", "update", "ann", "{\"disabled\":true}");
	ck_assert_int_eq(match("google", "s-ann", "", false, false, false, &a,
			       &i),
			 -EACCES);
	ck_assert_msg(strstr(err.message, "disabled"), "%s", err.message);
	ck_assert_int_eq(match("google", "s-other", "ann@example.org", true,
			       true, true, &a, &i),
			 -EACCES);
	/* A disabled provider signs nobody in. */
	ok("actor", "update", "ann", "{\"disabled\":false}");
	ok("provider", "update", "google", "{\"disabled\":true}");
	ck_assert_int_eq(match("google", "s-ann", "", false, false, false, &a,
			       &i),
			 -EACCES);
	(void)bob;
}
END_TEST

static bool in_everyone(const char *actor_id)
{
	struct store_err serr = { 0 };
	struct store_group g;
	struct store_actor a;

	(void)actor_id;
	ck_assert_int_eq(store_group_builtin(f.s, f.account.id, &g, &serr), 0);
	/* store_member_add refuses a member already in: in the group. */
	return store_member_add(f.s, g.id, actor_id, &serr) == STORE_CONFLICT &&
	       !store_get(f.s, STORE_ACTOR, actor_id, &a, &serr);
}

START_TEST(test_match_self_signup)
{
	struct store_actor a, b, c;
	struct store_identity i;

	add_provider("google", "");
	user("newbie", "", &c);
	ck_assert_int_eq(match("google", "s-1", "newbie@example.org", true,
			       false, true, &a, &i),
			 0);
	ck_assert_str_eq(a.name, "newbie-2");
	ck_assert_str_eq(a.role, "member");
	ck_assert_str_eq(a.type, "user");
	ck_assert_str_eq(a.email, "newbie@example.org");
	ck_assert_str_eq(i.actor_id, a.id);
	ck_assert(in_everyone(a.id));
	/* Unverified: the email is not kept; no email: named after sub. */
	ck_assert_int_eq(match("google", "s-2", "newbie@example.org", false,
			       false, true, &b, &i),
			 0);
	ck_assert_str_eq(b.name, "newbie-3");
	ck_assert_str_eq(b.email, "");
	ck_assert_int_eq(match("google", "sub 3\x01", "", false, false, true,
			       &b, &i),
			 0);
	ck_assert_str_eq(b.name, "sub3");
	/* Self-signup does not take over a known email's owner by itself. */
	ck_assert_int_eq(match("google", "s-1", "", false, false, true, &b, &i),
			 0);
	ck_assert_str_eq(b.id, a.id);
}
END_TEST

START_TEST(test_match_email)
{
	struct store_actor ann, a;
	struct store_identity i;

	user("ann", "ann@example.org", &ann);
	ck_assert_int_eq(match(NULL, NULL, "ANN@example.org", true, false,
			       false, &a, &i),
			 0);
	ck_assert_str_eq(a.id, ann.id);
	ck_assert_str_eq(i.id, "");
	ck_assert_int_eq(match(NULL, NULL, "zed@example.org", true, false, true,
			       &a, &i),
			 -EACCES);
	ck_assert_int_eq(match(NULL, NULL, "", true, false, false, &a, &i),
			 -EINVAL);
}
END_TEST

static int authenticate(const char *text, struct store_token *tok)
{
	const char *why;

	return store_authenticate(f.s, text, "client",
				  (int64_t)2000000000 * 1000000000, tok, NULL,
				  &why);
}

START_TEST(test_session_and_signout)
{
	char frag[71], full[CORE_TOKEN_SIGNIN_TEXT_LEN + 1], out[4096];
	struct store_identity i;
	struct store_token tok;
	struct store_actor ann;
	int64_t exp = 0, now = (int64_t)1999999000 * 1000000000;
	int before;

	add_provider("google", ",\"link_by_email\":true");
	user("ann", "ann@example.org", &ann);
	ck_assert_int_eq(match("google", "s-ann", "ann@example.org", true, true,
			       false, &ann, &i),
			 0);
	before = rows();
	ck_assert_int_eq(admin_signin_session(f.s, f.account.id, ann.id, i.id,
					      "google", "short", now, frag,
					      &exp, &err),
			 -EINVAL);
	ck_assert_int_eq(rows(), before);
	ck_assert_int_eq(admin_signin_session(f.s, f.account.id, ann.id, i.id,
					      "google", NONCE_HASH, now, frag,
					      &exp, &err),
			 0);
	ck_assert_int_eq(rows(), before + 2);
	ck_assert_uint_eq(strlen(frag), CORE_TOKEN_TEXT_LEN);
	ck_assert_int_eq(exp, now + 7LL * 86400 * 1000000000);
	snprintf(full, sizeof(full), "%s%s", NONCE, frag);
	ck_assert_int_eq(authenticate(full, &tok), 0);
	ck_assert_str_eq(tok.name, "sign-in via google");
	ck_assert_str_eq(tok.identity_id, i.id);
	ck_assert_int_eq(authenticate(frag, &tok), -EACCES);
	/* The session list names the provider. */
	ck_assert_int_eq(call("session", "list", NULL, "{\"actor_id\":\"ann\"}",
			      out, sizeof(out)),
			 0);
	ck_assert_msg(strstr(out, "\"provider\":\"google\""), "%s", out);
	/* A disabled actor gets no session. */
	ok("actor", "update", "ann", "{\"disabled\":true}");
	ck_assert_int_eq(admin_signin_session(f.s, f.account.id, ann.id, NULL,
					      NULL, NONCE_HASH, now, frag, &exp,
					      &err),
			 -EACCES);
	ok("actor", "update", "ann", "{\"disabled\":false}");
	/* Sign-out: the fragment alone, garbage, nothing: refused. */
	before = rows();
	ck_assert_int_eq(admin_signout(f.s, frag, &err), -EACCES);
	ck_assert_int_eq(admin_signout(f.s, "garbage", &err), -EACCES);
	ck_assert_int_eq(admin_signout(f.s, NULL, &err), -EACCES);
	ck_assert_int_eq(rows(), before);
	ck_assert_int_eq(admin_signout(f.s, full, &err), 0);
	ck_assert_int_eq(rows(), before + 2);
	ck_assert_int_eq(authenticate(full, &tok), -EACCES);
	ck_assert_int_eq(admin_signout(f.s, full, &err), -EACCES);
}
END_TEST

START_TEST(test_sessions_revoke_and_provider_remove)
{
	char frag[71], full[CORE_TOKEN_SIGNIN_TEXT_LEN + 1], out[8192];
	struct store_err serr = { 0 };
	struct store_identity i, j;
	struct store_token tok;
	struct store_actor ann;
	int64_t exp, now = (int64_t)1999999000 * 1000000000;
	int n = 0;

	add_provider("google", "");
	user("ann", "ann@example.org", &ann);
	ok("client_token", "create", NULL, "{\"actor_id\":\"ann\"}");
	ok("client_token", "create", NULL, "{\"actor_id\":\"ann\"}");
	refused("session", "list", NULL, NULL, ADMIN_INVALID, "actor_id");
	refused("session", "revoke", NULL, NULL, ADMIN_INVALID, "actor_id");
	refused("session", "revoke", "x", "{\"actor_id\":\"ann\"}",
		ADMIN_INVALID, "actor_id");
	refused("session", "revoke", "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
		NULL, ADMIN_NOT_FOUND, "id");
	ok("session", "revoke", NULL, "{\"actor_id\":\"ann\"}");
	ck_assert_int_eq(call("session", "list", NULL, "{\"actor_id\":\"ann\"}",
			      out, sizeof(out)),
			 0);
	ck_assert_str_eq(out, "[]");
	/* A session through the provider; removing it revokes that. */
	ck_assert_int_eq(match("google", "s-ann", "ann@example.org", true,
			       false, false, &ann, &i),
			 -EACCES);
	ck_assert_int_eq(admin_signin_match(f.s, f.account.id, NULL, NULL,
					    "ann@example.org", true, false,
					    false, &ann, &j, &err),
			 0);
	ok("provider", "update", "google", "{\"link_by_email\":true}");
	ck_assert_int_eq(match("google", "s-ann", "ann@example.org", true, true,
			       false, &ann, &i),
			 0);
	ck_assert_int_eq(admin_signin_session(f.s, f.account.id, ann.id, i.id,
					      "google", NONCE_HASH, now, frag,
					      &exp, &err),
			 0);
	snprintf(full, sizeof(full), "%s%s", NONCE, frag);
	ck_assert_int_eq(authenticate(full, &tok), 0);
	/* Revoke one by id. */
	ck_assert_int_eq(
		call("session", "revoke", tok.id, NULL, out, sizeof(out)), 0);
	ck_assert_int_eq(authenticate(full, &tok), -EACCES);
	ck_assert_int_eq(admin_signin_session(f.s, f.account.id, ann.id, i.id,
					      "google", NONCE_HASH, now, frag,
					      &exp, &err),
			 0);
	snprintf(full, sizeof(full), "%s%s", NONCE, frag);
	ok("provider", "delete", "google", NULL);
	ck_assert_int_eq(authenticate(full, &tok), -EACCES);
	ck_assert_int_eq(store_identity_list(f.s, f.account.id, NULL, count, &n,
					     &serr),
			 0);
	ck_assert_int_eq(n, 0);
	/* The actor stays. */
	ck_assert_int_eq(admin_find(&ctx, STORE_ACTOR, "ann", &ann, "id", &err),
			 0);
}
END_TEST

START_TEST(test_account_signin_settings)
{
	char out[2048];

	ck_assert_int_eq(call("account", "show", NULL, NULL, out, sizeof(out)),
			 0);
	ck_assert_msg(strstr(out, "\"self_signup\":false"), "%s", out);
	ok("account", "update", NULL, "{\"self_signup\":true}");
	ck_assert_int_eq(call("account", "show", NULL, NULL, out, sizeof(out)),
			 0);
	ck_assert_msg(strstr(out, "\"self_signup\":true"), "%s", out);
	refused("account", "update", NULL, "{\"self_signup\":\"on\"}",
		ADMIN_INVALID, "self_signup");
	refused("account", "update", NULL, "{\"client_token_ttl\":\"59m\"}",
		ADMIN_INVALID, "client_token_ttl");
	refused("account", "update", NULL, "{\"client_token_ttl\":\"91d\"}",
		ADMIN_INVALID, "client_token_ttl");
	ok("account", "update", NULL, "{\"client_token_ttl\":\"1h\"}");
	ok("account", "update", NULL, "{\"client_token_ttl\":\"90d\"}");
}
END_TEST

Suite *portal_admin_signin_suite(void)
{
	Suite *s = suite_create("portal_admin_signin");
	TCase *tc = tcase_create("signin");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_provider_validation);
	tcase_add_test(tc, test_secret_never_shown);
	tcase_add_test(tc, test_match_identity_and_link);
	tcase_add_test(tc, test_match_self_signup);
	tcase_add_test(tc, test_match_email);
	tcase_add_test(tc, test_session_and_signout);
	tcase_add_test(tc, test_sessions_revoke_and_provider_remove);
	tcase_add_test(tc, test_account_signin_settings);
	suite_add_tcase(s, tc);
	return s;
}
