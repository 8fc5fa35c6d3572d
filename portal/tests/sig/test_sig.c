// SPDX-License-Identifier: GPL-2.0
/*
 * The signalling wing without sockets: the id multimap, the decision on
 * a request against a real SQLite store, and the change feed's actions
 * on the authorizations table (no peer online: rows and audit only).
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>
#include <uv.h>

#include "../suites.h"
#include "../store/fixture.h"
#include "sig/priv.h"

START_TEST(test_index)
{
	static char keys[1000][STORE_ID_SIZE];
	struct sig_index ix = { 0 };
	void *out[4];
	int vals[3];

	for (int i = 0; i < 1000; i++) {
		snprintf(keys[i], STORE_ID_SIZE, "k-%04d", i);
		ck_assert_int_eq(sig_index_add(&ix, keys[i], &keys[i]), 0);
	}
	ck_assert_uint_ge(ix.n_buckets, 500); /* it grew */
	for (int i = 0; i < 1000; i += 97)
		ck_assert_ptr_eq(sig_index_first(&ix, keys[i])->val, &keys[i]);
	ck_assert_ptr_null(sig_index_first(&ix, "nope"));
	/* A multimap, case-insensitive. */
	for (int i = 0; i < 3; i++)
		sig_index_add(&ix, "SITE", &vals[i]);
	ck_assert_uint_eq(sig_index_get(&ix, "site", out, 4), 3);
	ck_assert_uint_eq(sig_index_get(&ix, "site", out, 2), 3);
	ck_assert_int_eq(sig_index_del(&ix, "site", &vals[1]), 1);
	ck_assert_int_eq(sig_index_del(&ix, "site", &vals[1]), 0);
	ck_assert_uint_eq(sig_index_count(&ix, "site"), 2);
	ck_assert_uint_eq(sig_index_values(&ix, NULL, 0), 1002);
	sig_index_free(&ix);
	ck_assert_uint_eq(ix.n, 0);
}
END_TEST

/* Positions stay right through swap-deletes; both indexes follow. */
static void assert_seen_consistent(const struct sig_peer *p)
{
	for (size_t i = 0; i < p->n_seen; i++) {
		ck_assert(sig_seen_has(p, p->seen[i]));
		ck_assert_ptr_eq(sig_index_first(&p->seen_pos, p->seen[i])->val,
				 (void *)(uintptr_t)i);
	}
	ck_assert_uint_eq(p->seen_pos.n, p->n_seen);
}

START_TEST(test_seen)
{
	static struct sig sg;
	struct sig_peer a = { .sig = &sg }, b = { .sig = &sg };
	char id[STORE_ID_SIZE];

	for (int i = 0; i < 3000; i++) {
		snprintf(id, sizeof(id), "r-%04d", i);
		ck_assert_int_eq(sig_seen_add(&a, id), 0);
		if (i % 2)
			ck_assert_int_eq(sig_seen_add(&b, id), 0);
	}
	ck_assert_int_eq(sig_seen_add(&a, "R-0007"), 0); /* already seen */
	ck_assert_uint_eq(a.n_seen, 3000);
	ck_assert(sig_seen_has(&a, "R-2999"));
	ck_assert(!sig_seen_has(&b, "r-0002"));
	ck_assert_uint_eq(sig_index_count(&sg.seen, "r-0001"), 2);
	for (int i = 0; i < 3000; i += 3) {
		snprintf(id, sizeof(id), "r-%04d", i);
		sig_seen_del(&a, id);
		sig_seen_del(&b, id); /* half of them b never saw */
	}
	sig_seen_del(&a, a.seen[a.n_seen - 1]); /* the last: nothing moves */
	sig_seen_del(&a, "r-nope");
	ck_assert_uint_eq(a.n_seen, 1999);
	ck_assert(!sig_seen_has(&a, "r-0003"));
	ck_assert(sig_seen_has(&a, "r-0004"));
	ck_assert_uint_eq(sig_index_count(&sg.seen, "r-0003"), 0);
	ck_assert_uint_eq(sig_index_count(&sg.seen, "r-0005"), 2);
	assert_seen_consistent(&a);
	assert_seen_consistent(&b);
	sig_client_forget(&a);
	sig_client_forget(&b);
	ck_assert_uint_eq(a.seen_pos.n + b.seen_pos.n + sg.seen.n, 0);
	sig_index_free(&sg.seen);
}
END_TEST

static struct fixture f;
static struct store_err err;
static struct store_site site;
static struct store_resource res, other;
static struct store_group eng;
static struct store_actor alice, bob;
static struct store_policy pol;
static uv_loop_t loop;
static struct sig *s;

static void add(enum store_kind k, void *rec, const char *name)
{
	/* Every record starts with id and account_id. */
	strcpy((char *)rec + STORE_ID_SIZE, f.account.id);
	if (k == STORE_SITE)
		strcpy(((struct store_site *)rec)->name, name);
	ck_store_ok(store_create(f.s, k, rec, &err), err);
}

static void resource(struct store_resource *r, const char *name,
		     const char *addr)
{
	strcpy(r->site_id, site.id);
	strcpy(r->name, name);
	strcpy(r->type, "ip");
	strcpy(r->address, addr);
	strcpy(r->filters, "[]");
	add(STORE_RESOURCE, r, NULL);
}

static void actor(struct store_actor *a, const char *name)
{
	strcpy(a->type, "user");
	strcpy(a->role, "member");
	strcpy(a->name, name);
	add(STORE_ACTOR, a, NULL);
}

static void setup(void)
{
	uint8_t secret[32] = { 1 };
	char msg[256];

	fixture_open(&f);
	memset(&site, 0, sizeof(site));
	memset(&res, 0, sizeof(res));
	memset(&other, 0, sizeof(other));
	memset(&eng, 0, sizeof(eng));
	memset(&alice, 0, sizeof(alice));
	memset(&bob, 0, sizeof(bob));
	memset(&pol, 0, sizeof(pol));
	add(STORE_SITE, &site, "A");
	resource(&res, "r1", "10.0.0.1");
	resource(&other, "r2", "10.0.0.2");
	strcpy(eng.name, "eng");
	add(STORE_GROUP, &eng, NULL);
	actor(&alice, "alice");
	actor(&bob, "bob");
	ck_store_ok(store_member_add(f.s, eng.id, alice.id, &err), err);
	strcpy(pol.group_id, eng.id);
	strcpy(pol.resource_id, res.id);
	strcpy(pol.conditions, "[]");
	add(STORE_POLICY, &pol, NULL);
	ck_store_ok(store_meta_set(f.s, "psk_key", secret, 32, &err), err);
	ck_assert_int_eq(uv_loop_init(&loop), 0);
	s = sig_new(&loop, f.s, msg, sizeof(msg));
	ck_assert_msg(s, "%s", msg);
}

static void teardown(void)
{
	sig_stop(s);
	uv_run(&loop, UV_RUN_DEFAULT);
	sig_free(s);
	ck_assert_int_eq(uv_loop_close(&loop), 0);
	fixture_close(&f);
}

static enum sig_outcome decide(const char *actor_id, const char *res_id,
			       const char *remote, struct sig_verdict *v)
{
	struct sig_request rq = { .account_id = f.account.id,
				  .actor_id = actor_id,
				  .resource_id = res_id };
	char ip[64];

	sig_remote_ip(remote, ip, sizeof(ip), &rq.remote);
	sig_decide(s, &rq, v);
	return v->outcome;
}

START_TEST(test_decide)
{
	struct sig_verdict v;
	int64_t now = sig_now_ns();

	ck_assert_int_eq(decide(alice.id, res.id, "192.0.2.1:5", &v),
			 SIG_ALLOW);
	ck_assert_str_eq(v.policy_id, pol.id);
	ck_assert_str_eq(v.res.site_id, site.id);
	/* Neither window nor token: capped at a client session. */
	ck_assert_int_gt(v.expires_ns, now + 86400ll * 1000000000);
	ck_assert_int_le(v.expires_ns,
			 sig_now_ns() + SIG_AUTHZ_TTL_MAX_S * 1000000000ll);
	/* Default deny: no policy of bob's groups, none for r2. */
	ck_assert_int_eq(decide(bob.id, res.id, "192.0.2.1:5", &v),
			 SIG_NOT_FOUND);
	ck_assert_int_eq(decide(alice.id, other.id, "192.0.2.1:5", &v),
			 SIG_NOT_FOUND);
	ck_assert_int_eq(decide(alice.id,
				"0b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c11",
				"192.0.2.1:5", &v),
			 SIG_NOT_FOUND);
	/* A condition on the remote address, IPv4 and IPv6 sockets. */
	strcpy(pol.conditions,
	       "[{\"property\":\"remote_ip\",\"operator\":"
	       "\"is_in_cidr\",\"values\":[\"192.0.2.0/24\"]}]");
	ck_store_ok(store_update(f.s, STORE_POLICY, &pol, &err), err);
	ck_assert_int_eq(decide(alice.id, res.id, "192.0.2.9:5", &v),
			 SIG_ALLOW);
	ck_assert_int_eq(decide(alice.id, res.id, "198.51.100.1:5", &v),
			 SIG_FORBIDDEN);
	ck_assert_msg(v.detail[0], "a denial says why");
	ck_assert_int_eq(decide(alice.id, res.id, "[2001:db8::1]:5", &v),
			 SIG_FORBIDDEN);
	/* A disabled policy links nothing. */
	pol.disabled_at = now;
	ck_store_ok(store_update(f.s, STORE_POLICY, &pol, &err), err);
	ck_assert_int_eq(decide(alice.id, res.id, "192.0.2.9:5", &v),
			 SIG_NOT_FOUND);
}
END_TEST

/* An authorization of alice's client for res under pol. */
static void authz(struct store_authz *a, struct store_client *c,
		  struct store_token *t)
{
	memset(t, 0, sizeof(*t));
	strcpy(t->id, "1b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c11");
	strcpy(t->account_id, f.account.id);
	strcpy(t->kind, "client");
	strcpy(t->actor_id, alice.id);
	t->expires_at = sig_now_ns() + 3600ll * 1000000000;
	store_token_create(f.s, t, &err); /* once per test: may exist */
	ck_store_ok(store_token_get(f.s, t->id, t, &err), err);
	memset(c, 0, sizeof(*c));
	strcpy(c->account_id, f.account.id);
	strcpy(c->actor_id, alice.id);
	strcpy(c->name, "laptop");
	memset(c->public_key, 7, sizeof(c->public_key));
	ck_store_ok(store_client_upsert(f.s, c, &err), err);
	memset(a, 0, sizeof(*a));
	strcpy(a->account_id, f.account.id);
	strcpy(a->client_id, c->id);
	strcpy(a->gateway_id, "2b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c11");
	strcpy(a->resource_id, res.id);
	strcpy(a->policy_id, pol.id);
	strcpy(a->token_id, t->id);
	/* As a grant makes it: the token's expiry, the policy has none. */
	a->expires_at = t->expires_at;
	ck_store_ok(store_authz_insert(f.s, a, &err), err);
}

static int count(void *arg, const void *rec)
{
	(void)rec;
	(*(int *)arg)++;
	return 0;
}

static int rows(enum store_authz_by by, const char *id)
{
	int n = 0;

	ck_store_ok(store_authz_list_by(f.s, by, id, count, &n, &err), err);
	return n;
}

static void change(const char *entity, const char *op, const char *id,
		   const char *data)
{
	struct store_change c = { 0 };

	strcpy(c.account_id, f.account.id);
	strcpy(c.entity, entity);
	strcpy(c.op, op);
	strcpy(c.object_id, id);
	snprintf(c.data, sizeof(c.data), "%s", data);
	ck_store_ok(store_change_append(f.s, &c, &err), err);
}

static int revoked(void *arg, const void *rec)
{
	const struct store_audit *a = rec;

	if (!strcmp(a->action, "authorization.revoke") &&
	    !strcmp(a->source, "signal") && !strcmp(a->decision, "deny"))
		(*(int *)arg)++;
	return 0;
}

/* Audit rows of revocations. */
static int revocations(void)
{
	int n = 0;

	ck_store_ok(store_audit_list(f.s, f.account.id, 0, 0, revoked, &n,
				     &err),
		    err);
	return n;
}

struct reason_count {
	const char *reason;
	int n;
};

static int revoked_for(void *arg, const void *rec)
{
	const struct store_audit *a = rec;
	struct reason_count *rc = arg;
	int n = 0;

	revoked(&n, rec);
	if (n && !strcmp(a->reason, rc->reason))
		rc->n++;
	return 0;
}

/* Audit rows of revocations for reason. */
static int revocations_for(const char *reason)
{
	struct reason_count rc = { .reason = reason };

	ck_store_ok(store_audit_list(f.s, f.account.id, 0, 0, revoked_for, &rc,
				     &err),
		    err);
	return rc.n;
}

START_TEST(test_feed_policy_delete)
{
	struct store_authz a;
	struct store_client c;
	struct store_token t;
	char data[512];

	authz(&a, &c, &t);
	/* A condition change that still holds keeps the authorization. */
	change("policy", "update", pol.id,
	       "{\"before\":{\"enabled\":true,\"conditions\":[]},"
	       "\"after\":{\"enabled\":true,\"conditions\":[{}]}}");
	sig_feed_poke(s);
	ck_assert_int_eq(rows(STORE_AUTHZ_BY_POLICY, pol.id), 1);
	ck_store_ok(store_delete(f.s, STORE_POLICY, pol.id, &err), err);
	snprintf(data, sizeof(data),
		 "{\"before\":{\"id\":\"%s\",\"group_id\":\"%s\","
		 "\"resource_id\":\"%s\",\"enabled\":true},\"after\":null}",
		 pol.id, eng.id, res.id);
	change("policy", "delete", pol.id, data);
	sig_feed_poke(s);
	ck_assert_int_eq(rows(STORE_AUTHZ_BY_POLICY, pol.id), 0);
	ck_assert_int_eq(revocations(), 1);
	/* Read once: a second poke finds nothing new. */
	sig_feed_poke(s);
}
END_TEST

/*
 * Conditions of a time window, in UTC, that holds now and ends within
 * ten minutes: an authorization of the fixture's (an hour) outlives it.
 */
static void window_now(char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;
	int start, end;

	gmtime_r(&now, &tm);
	start = tm.tm_hour * 60 + tm.tm_min;
	end = (start + 10) % 1440; /* past midnight: runs into the next day */
	snprintf(buf, len,
		 "[{\"property\":\"current_utc_datetime\",\"operator\":"
		 "\"is_in_day_of_week_time_ranges\",\"values\":"
		 "[\"%c/%02d:%02d-%02d:%02d/UTC\"]}]",
		 "UMTWRFS"[tm.tm_wday], start / 60, start % 60, end / 60,
		 end % 60);
}

/*
 * A policy that now ends sooner than an authorization it granted takes
 * that authorization back (the gateway would hold it until its old
 * expiry): a window added, or the unrestricted policy deleted while a
 * windowed one still allows.
 */
START_TEST(test_feed_policy_narrowed)
{
	struct store_policy windowed = { 0 };
	struct store_group night = { 0 };
	struct store_authz a;
	struct store_client c;
	struct store_token t;
	char data[512];

	authz(&a, &c, &t);
	window_now(pol.conditions, sizeof(pol.conditions));
	ck_store_ok(store_update(f.s, STORE_POLICY, &pol, &err), err);
	change("policy", "update", pol.id,
	       "{\"before\":{\"enabled\":true,\"conditions\":[]},"
	       "\"after\":{\"enabled\":true,\"conditions\":[{}]}}");
	sig_feed_poke(s);
	ck_assert_int_eq(rows(STORE_AUTHZ_BY_CLIENT, c.id), 0);
	ck_assert_int_eq(revocations(), 1);
	/* Still allowed, but shorter: not denied (an unparsable window). */
	ck_assert_int_eq(revocations_for("policy ends it sooner"), 1);

	/* Unrestricted again, and a windowed policy of another group. */
	strcpy(pol.conditions, "[]");
	ck_store_ok(store_update(f.s, STORE_POLICY, &pol, &err), err);
	strcpy(night.name, "night");
	add(STORE_GROUP, &night, NULL);
	ck_store_ok(store_member_add(f.s, night.id, alice.id, &err), err);
	strcpy(windowed.group_id, night.id);
	strcpy(windowed.resource_id, res.id);
	window_now(windowed.conditions, sizeof(windowed.conditions));
	add(STORE_POLICY, &windowed, NULL);
	authz(&a, &c, &t);
	ck_store_ok(store_delete(f.s, STORE_POLICY, pol.id, &err), err);
	snprintf(data, sizeof(data),
		 "{\"before\":{\"id\":\"%s\",\"group_id\":\"%s\","
		 "\"resource_id\":\"%s\",\"enabled\":true},\"after\":null}",
		 pol.id, eng.id, res.id);
	change("policy", "delete", pol.id, data);
	sig_feed_poke(s);
	ck_assert_int_eq(rows(STORE_AUTHZ_BY_CLIENT, c.id), 0);
	ck_assert_int_eq(revocations(), 2);
	ck_assert_int_eq(revocations_for("policy ends it sooner"), 2);
}
END_TEST

/* A window that outlasts the authorization changes nothing. */
START_TEST(test_feed_policy_window_kept)
{
	struct store_authz a;
	struct store_client c;
	struct store_token t;

	authz(&a, &c, &t);
	strcpy(pol.conditions,
	       "[{\"property\":\"current_utc_datetime\",\"operator\":"
	       "\"is_in_day_of_week_time_ranges\",\"values\":"
	       "[\"MTWRFSU/true/UTC\"]}]");
	ck_store_ok(store_update(f.s, STORE_POLICY, &pol, &err), err);
	change("policy", "update", pol.id,
	       "{\"before\":{\"enabled\":true,\"conditions\":[]},"
	       "\"after\":{\"enabled\":true,\"conditions\":[{}]}}");
	sig_feed_poke(s);
	ck_assert_int_eq(rows(STORE_AUTHZ_BY_POLICY, pol.id), 1);
	ck_assert_int_eq(revocations(), 0);
}
END_TEST

START_TEST(test_feed_member_token_resource)
{
	struct store_authz a;
	struct store_client c;
	struct store_token t;
	char data[256];

	/* Member removed: alice's authorizations are re-checked, gone. */
	authz(&a, &c, &t);
	ck_store_ok(store_member_remove(f.s, eng.id, alice.id, &err), err);
	snprintf(data, sizeof(data),
		 "{\"before\":{\"group_id\":\"%s\",\"actor_id\":\"%s\"},"
		 "\"after\":null}",
		 eng.id, alice.id);
	change("member", "delete", eng.id, data);
	sig_feed_poke(s);
	ck_assert_int_eq(rows(STORE_AUTHZ_BY_CLIENT, c.id), 0);
	/* Token deleted: every authorization it made goes. */
	ck_store_ok(store_member_add(f.s, eng.id, alice.id, &err), err);
	authz(&a, &c, &t);
	change("token", "delete", t.id, "{\"before\":{},\"after\":null}");
	sig_feed_poke(s);
	ck_assert_int_eq(rows(STORE_AUTHZ_BY_TOKEN, t.id), 0);
	/* Resource deleted. */
	authz(&a, &c, &t);
	change("resource", "delete", res.id, "{\"before\":{},\"after\":null}");
	sig_feed_poke(s);
	ck_assert_int_eq(rows(STORE_AUTHZ_BY_RESOURCE, res.id), 0);
	/* Unknown entities are ignored, not fatal. */
	change("nonsense", "delete", res.id, "not json");
	sig_feed_poke(s);
}
END_TEST

/*
 * Cascading deletes name their children (before.cascade): an offline
 * client's authorizations go with its actor, a group's with its
 * policies, and a row without the lists falls back without crashing.
 */
START_TEST(test_feed_cascade)
{
	struct store_authz a;
	struct store_client c;
	struct store_token t;
	char data[1024];

	authz(&a, &c, &t);
	snprintf(data, sizeof(data),
		 "{\"before\":{\"id\":\"%s\",\"cascade\":{\"clients\":[\"%s\"],"
		 "\"tokens\":[],\"memberships\":[]}},\"after\":null}",
		 alice.id, c.id);
	change("actor", "delete", alice.id, data);
	sig_feed_poke(s);
	ck_assert_int_eq(rows(STORE_AUTHZ_BY_CLIENT, c.id), 0);
	ck_assert_int_eq(revocations(), 1);

	authz(&a, &c, &t);
	ck_store_ok(store_delete(f.s, STORE_POLICY, pol.id, &err), err);
	snprintf(data, sizeof(data),
		 "{\"before\":{\"id\":\"%s\",\"cascade\":{\"memberships\":[],"
		 "\"policies\":[{\"id\":\"%s\",\"group_id\":\"%s\","
		 "\"resource_id\":\"%s\"}]}},\"after\":null}",
		 eng.id, pol.id, eng.id, res.id);
	change("group", "delete", eng.id, data);
	sig_feed_poke(s);
	ck_assert_int_eq(rows(STORE_AUTHZ_BY_POLICY, pol.id), 0);
	ck_assert_int_eq(revocations(), 2);

	change("group", "delete", eng.id,
	       "{\"before\":{\"cascade\":{\"truncated\":true}},"
	       "\"after\":null}");
	change("site", "delete", site.id,
	       "{\"before\":{\"cascade\":{\"tokens\":[5]}},\"after\":null}");
	sig_feed_poke(s);
}
END_TEST

START_TEST(test_expired)
{
	struct store_authz a;
	struct store_client c;
	struct store_token t;
	int64_t n = -1;

	authz(&a, &c, &t);
	ck_store_ok(store_authz_delete_expired(f.s, sig_now_ns(), &n, &err),
		    err);
	ck_assert_int_eq(n, 0);
	ck_store_ok(store_authz_delete_expired(f.s, a.expires_at, &n, &err),
		    err);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(rows(STORE_AUTHZ_BY_CLIENT, c.id), 0);
}
END_TEST

START_TEST(test_convert)
{
	struct proto_sig_endpoint eps[4];
	struct proto_sig_resource r;
	char buf[256];
	size_t n;

	strcpy(res.filters, "[{\"protocol\":\"tcp\",\"port_range_start\":80,"
			    "\"port_range_end\":90},{\"protocol\":\"icmp\"}]");
	ck_assert_int_eq(sig_resource_msg(&res, &r), 0);
	ck_assert_uint_eq(r.n_filters, 2);
	ck_assert_uint_eq(r.filters[0].port_end, 90);
	ck_assert_int_eq(sig_endpoints_parse("[\"192.0.2.1:51820\","
					     "\"[2001:db8::1]:1\",\"bad\"]",
					     eps, 4, &n),
			 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(sig_endpoints_json(eps, n, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "[\"192.0.2.1:51820\",\"[2001:db8::1]:1\"]");
}
END_TEST

Suite *portal_sig_suite(void)
{
	Suite *su = suite_create("portal_sig");
	TCase *tc = tcase_create("index");
	TCase *st = tcase_create("store");

	tcase_add_test(tc, test_index);
	tcase_add_test(tc, test_seen);
	suite_add_tcase(su, tc);
	tcase_add_checked_fixture(st, setup, teardown);
	tcase_add_test(st, test_decide);
	tcase_add_test(st, test_feed_policy_delete);
	tcase_add_test(st, test_feed_policy_narrowed);
	tcase_add_test(st, test_feed_policy_window_kept);
	tcase_add_test(st, test_feed_member_token_resource);
	tcase_add_test(st, test_feed_cascade);
	tcase_add_test(st, test_expired);
	tcase_add_test(st, test_convert);
	suite_add_tcase(su, st);
	return su;
}
