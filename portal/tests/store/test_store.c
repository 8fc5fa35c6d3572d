// SPDX-License-Identifier: GPL-2.0
/*
 * The store through its interface, on SQLite: every record's create,
 * get, list, update and delete, the errors a user sees (conflicts,
 * missing references, deletes refused), tunnel offsets, tokens,
 * authorizations, the change feed, the audit log, and the two queries of
 * the authorization path.
 */
#include <check.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

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

/* Counts rows and remembers the first name-like field of the last. */
struct seen {
	int n;
	char last[STORE_TEXT_SIZE];
};

static int count(void *arg, const void *rec)
{
	struct seen *seen = arg;

	(void)rec;
	seen->n++;
	return 0;
}

static int count_named(void *arg, const void *rec, size_t name_off)
{
	struct seen *seen = arg;

	seen->n++;
	strcpy(seen->last, (const char *)rec + name_off);
	return 0;
}

static int each_site(void *arg, const void *rec)
{
	return count_named(arg, rec, offsetof(struct store_site, name));
}

static int each_resource(void *arg, const void *rec)
{
	return count_named(arg, rec, offsetof(struct store_resource, name));
}

static int each_group(void *arg, const void *rec)
{
	return count_named(arg, rec, offsetof(struct store_group, name));
}

static int each_actor(void *arg, const void *rec)
{
	return count_named(arg, rec, offsetof(struct store_actor, name));
}

static int each_policy(void *arg, const void *rec)
{
	return count_named(arg, rec, offsetof(struct store_policy, id));
}

static int stop(void *arg, const void *rec)
{
	(void)arg;
	(void)rec;
	return 42;
}

static void site(struct store_site *s, const char *name)
{
	memset(s, 0, sizeof(*s));
	strcpy(s->account_id, f.account.id);
	strcpy(s->name, name);
	ck_store_ok(store_create(f.s, STORE_SITE, s, &err), err);
}

static void actor(struct store_actor *a, const char *name)
{
	memset(a, 0, sizeof(*a));
	strcpy(a->account_id, f.account.id);
	strcpy(a->type, "user");
	strcpy(a->role, "member");
	strcpy(a->name, name);
	ck_store_ok(store_create(f.s, STORE_ACTOR, a, &err), err);
}

static void group(struct store_group *g, const char *name)
{
	memset(g, 0, sizeof(*g));
	strcpy(g->account_id, f.account.id);
	strcpy(g->name, name);
	ck_store_ok(store_create(f.s, STORE_GROUP, g, &err), err);
}

static void resource(struct store_resource *r, const char *name,
		     const struct store_site *in)
{
	memset(r, 0, sizeof(*r));
	strcpy(r->account_id, f.account.id);
	strcpy(r->site_id, in->id);
	strcpy(r->name, name);
	strcpy(r->type, "dns");
	strcpy(r->address, "*.example.com");
	ck_store_ok(store_create(f.s, STORE_RESOURCE, r, &err), err);
}

static void policy(struct store_policy *p, const struct store_group *g,
		   const struct store_resource *r)
{
	memset(p, 0, sizeof(*p));
	strcpy(p->account_id, f.account.id);
	strcpy(p->group_id, g->id);
	strcpy(p->resource_id, r->id);
	ck_store_ok(store_create(f.s, STORE_POLICY, p, &err), err);
}

START_TEST(test_account)
{
	struct store_account a, b;

	ck_assert_uint_eq(strlen(f.account.id), 36);
	ck_assert_int_gt(f.account.created_at, 0);
	ck_store_ok(store_account_get_by_slug(f.s, "acme", &a, &err), err);
	ck_assert_str_eq(a.id, f.account.id);
	ck_assert_str_eq(a.upstream_dns, "[]");
	ck_assert_int_eq(a.client_token_ttl_s, 604800);
	strcpy(a.name, "Acme Corp");
	strcpy(a.search_domain, "corp.example");
	ck_store_ok(store_account_update(f.s, &a, &err), err);
	ck_store_ok(store_account_get(f.s, a.id, &b, &err), err);
	ck_assert_str_eq(b.name, "Acme Corp");
	ck_assert_str_eq(b.search_domain, "corp.example");
	memset(&b, 0, sizeof(b));
	strcpy(b.slug, "acme");
	strcpy(b.name, "again");
	ck_store_fail(store_account_create(f.s, &b, &err), err, STORE_CONFLICT,
		      "an account with slug 'acme' already exists");
	ck_store_fail(store_account_get_by_slug(f.s, "nope", &b, &err), err,
		      STORE_NOT_FOUND, "no account 'nope'");
}
END_TEST

START_TEST(test_site_crud_and_conflict)
{
	struct store_site a, b, got;
	struct seen seen = { 0 };

	site(&a, "berlin");
	site(&b, "paris");
	ck_store_ok(store_get(f.s, STORE_SITE, a.id, &got, &err), err);
	ck_assert_str_eq(got.name, "berlin");
	ck_store_ok(store_list(f.s, STORE_SITE, f.account.id, each_site, &seen,
			       &err),
		    err);
	ck_assert_int_eq(seen.n, 2);
	ck_assert_str_eq(seen.last, "paris");
	strcpy(got.name, "paris");
	ck_store_fail(store_update(f.s, STORE_SITE, &got, &err), err,
		      STORE_CONFLICT, "a site named 'paris' already exists");
	memset(&got, 0, sizeof(got));
	strcpy(got.account_id, f.account.id);
	strcpy(got.name, "berlin");
	ck_store_fail(store_create(f.s, STORE_SITE, &got, &err), err,
		      STORE_CONFLICT, "a site named 'berlin' already exists");
	strcpy(b.name, "rome");
	ck_store_ok(store_update(f.s, STORE_SITE, &b, &err), err);
	ck_store_ok(store_get(f.s, STORE_SITE, b.id, &got, &err), err);
	ck_assert_str_eq(got.name, "rome");
	ck_store_ok(store_delete(f.s, STORE_SITE, b.id, &err), err);
	ck_store_fail(store_get(f.s, STORE_SITE, b.id, &got, &err), err,
		      STORE_NOT_FOUND, "no site with id");
	ck_store_fail(store_delete(f.s, STORE_SITE, b.id, &err), err,
		      STORE_NOT_FOUND, "no site with id");
	ck_assert_int_eq(store_list(f.s, STORE_SITE, f.account.id, stop, NULL,
				    &err),
			 42);
}
END_TEST

START_TEST(test_foreign_keys)
{
	struct store_resource r, got;
	struct store_site s;
	struct store_actor a;

	memset(&a, 0, sizeof(a));
	strcpy(a.account_id, "00000000-0000-4000-8000-000000000000");
	strcpy(a.type, "user");
	strcpy(a.role, "member");
	strcpy(a.name, "ghost");
	ck_store_fail(store_create(f.s, STORE_ACTOR, &a, &err), err,
		      STORE_INVALID, "no such account");
	/* The savepoint rolled the actor back too. */
	site(&s, "berlin");
	resource(&r, "wiki", &s);
	ck_store_fail(store_delete(f.s, STORE_SITE, s.id, &err), err,
		      STORE_IN_USE, "the site still has resources");
	strcpy(r.site_id, "00000000-0000-4000-8000-000000000000");
	ck_store_fail(store_update(f.s, STORE_RESOURCE, &r, &err), err,
		      STORE_INVALID, "no such account or site");
	strcpy(r.type, "url");
	strcpy(r.site_id, s.id);
	ck_store_fail(store_update(f.s, STORE_RESOURCE, &r, &err), err,
		      STORE_INVALID, "invalid resource");
	ck_store_ok(store_delete(f.s, STORE_RESOURCE, r.id, &err), err);
	ck_store_ok(store_delete(f.s, STORE_SITE, s.id, &err), err);
	ck_store_fail(store_get(f.s, STORE_RESOURCE, r.id, &got, &err), err,
		      STORE_NOT_FOUND, "no resource");
}
END_TEST

START_TEST(test_too_long)
{
	struct store_site s;

	memset(&s, 'x', sizeof(s));
	strcpy(s.id, "");
	strcpy(s.account_id, f.account.id);
	s.created_at = 0;
	ck_store_fail(store_create(f.s, STORE_SITE, &s, &err), err,
		      STORE_INVALID, "the site's name is too long");
}
END_TEST

START_TEST(test_groups_and_members)
{
	struct store_actor alice, bob, got;
	struct store_group eng, g;
	struct seen seen = { 0 };

	actor(&alice, "alice");
	actor(&bob, "bob");
	group(&eng, "engineering");
	ck_store_ok(store_group_builtin(f.s, f.account.id, &g, &err), err);
	ck_assert_str_eq(g.id, f.everyone.id);
	/* Everyone has every actor from the start. */
	ck_store_ok(store_member_list(f.s, f.everyone.id, each_actor, &seen,
				      &err),
		    err);
	ck_assert_int_eq(seen.n, 2);
	ck_store_ok(store_member_add(f.s, eng.id, alice.id, &err), err);
	ck_store_fail(store_member_add(f.s, eng.id, alice.id, &err), err,
		      STORE_CONFLICT, "already a member");
	ck_store_fail(store_member_add(f.s, eng.id,
				       "00000000-0000-4000-8000-000000000000",
				       &err),
		      err, STORE_NOT_FOUND, "no such group and actor");
	memset(&seen, 0, sizeof(seen));
	ck_store_ok(store_actor_groups(f.s, alice.id, each_group, &seen, &err),
		    err);
	ck_assert_int_eq(seen.n, 2);
	ck_store_fail(store_member_remove(f.s, f.everyone.id, alice.id, &err),
		      err, STORE_INVALID, "cannot be left");
	ck_store_fail(store_delete(f.s, STORE_GROUP, f.everyone.id, &err), err,
		      STORE_INVALID, "cannot be deleted");
	strcpy(g.name, "All");
	ck_store_fail(store_update(f.s, STORE_GROUP, &g, &err), err,
		      STORE_INVALID, "cannot be renamed");
	ck_store_fail(store_member_remove(f.s, eng.id, bob.id, &err), err,
		      STORE_NOT_FOUND, "not a member");
	ck_store_ok(store_member_remove(f.s, eng.id, alice.id, &err), err);
	/* An actor's delete takes its memberships with it. */
	ck_store_ok(store_delete(f.s, STORE_ACTOR, bob.id, &err), err);
	memset(&seen, 0, sizeof(seen));
	ck_store_ok(store_member_list(f.s, f.everyone.id, each_actor, &seen,
				      &err),
		    err);
	ck_assert_int_eq(seen.n, 1);
	ck_assert_str_eq(seen.last, "alice");
	strcpy(alice.role, "admin");
	alice.disabled_at = 5;
	ck_store_ok(store_update(f.s, STORE_ACTOR, &alice, &err), err);
	ck_store_ok(store_get(f.s, STORE_ACTOR, alice.id, &got, &err), err);
	ck_assert_str_eq(got.role, "admin");
	ck_assert_int_eq(got.disabled_at, 5);
	strcpy(got.name, "x");
	strcpy(got.role, "root");
	ck_store_fail(store_update(f.s, STORE_ACTOR, &got, &err), err,
		      STORE_INVALID, "invalid actor");
}
END_TEST

START_TEST(test_policies_and_visibility)
{
	struct store_resource wiki, db, ssh;
	struct store_policy p1, p2, p3, dup;
	struct store_group eng, ops;
	struct store_actor alice, bob;
	struct seen seen = { 0 };
	struct store_site s;

	site(&s, "berlin");
	resource(&wiki, "wiki", &s);
	resource(&db, "db", &s);
	resource(&ssh, "ssh", &s);
	actor(&alice, "alice");
	actor(&bob, "bob");
	group(&eng, "eng");
	group(&ops, "ops");
	ck_store_ok(store_member_add(f.s, eng.id, alice.id, &err), err);
	ck_store_ok(store_member_add(f.s, ops.id, alice.id, &err), err);
	policy(&p1, &f.everyone, &wiki);
	policy(&p2, &eng, &db);
	policy(&p3, &ops, &db);
	dup = p3;
	dup.id[0] = '\0';
	ck_store_fail(store_create(f.s, STORE_POLICY, &dup, &err), err,
		      STORE_CONFLICT, "a policy for this group and resource");
	ck_store_ok(store_policies_for(f.s, alice.id, db.id, each_policy, &seen,
				       &err),
		    err);
	ck_assert_int_eq(seen.n, 2);
	memset(&seen, 0, sizeof(seen));
	ck_store_ok(store_policies_for(f.s, bob.id, db.id, each_policy, &seen,
				       &err),
		    err);
	ck_assert_int_eq(seen.n, 0);
	ck_store_ok(store_policies_for(f.s, bob.id, wiki.id, each_policy, &seen,
				       &err),
		    err);
	ck_assert_int_eq(seen.n, 1);
	ck_assert_str_eq(seen.last, p1.id);
	/* alice: wiki via Everyone, db via two groups (listed once). */
	memset(&seen, 0, sizeof(seen));
	ck_store_ok(store_visible_resources(f.s, alice.id, each_resource, &seen,
					    &err),
		    err);
	ck_assert_int_eq(seen.n, 2);
	ck_assert_str_eq(seen.last, "wiki");
	/* Disabled policies neither allow nor show. */
	p2.disabled_at = 1;
	p3.disabled_at = 1;
	ck_store_ok(store_update(f.s, STORE_POLICY, &p2, &err), err);
	ck_store_ok(store_update(f.s, STORE_POLICY, &p3, &err), err);
	memset(&seen, 0, sizeof(seen));
	ck_store_ok(store_policies_for(f.s, alice.id, db.id, each_policy, &seen,
				       &err),
		    err);
	ck_assert_int_eq(seen.n, 0);
	ck_store_ok(store_visible_resources(f.s, alice.id, each_resource, &seen,
					    &err),
		    err);
	ck_assert_int_eq(seen.n, 1);
	/* A resource's delete takes its policies. */
	ck_store_ok(store_delete(f.s, STORE_RESOURCE, wiki.id, &err), err);
	ck_store_fail(store_get(f.s, STORE_POLICY, p1.id, &dup, &err), err,
		      STORE_NOT_FOUND, "no policy");
	memset(&seen, 0, sizeof(seen));
	ck_store_ok(store_list(f.s, STORE_POLICY, f.account.id, count, &seen,
			       &err),
		    err);
	ck_assert_int_eq(seen.n, 2);
}
END_TEST

START_TEST(test_tokens)
{
	struct store_token t, got;
	struct store_actor alice;
	struct seen seen = { 0 };
	struct store_site s;

	actor(&alice, "alice");
	site(&s, "berlin");
	memset(&t, 0, sizeof(t));
	strcpy(t.account_id, f.account.id);
	strcpy(t.kind, "api");
	strcpy(t.actor_id, alice.id);
	memset(t.hash, 7, sizeof(t.hash));
	t.expires_at = 99;
	ck_store_ok(store_token_create(f.s, &t, &err), err);
	ck_store_ok(store_token_get(f.s, t.id, &got, &err), err);
	ck_assert_mem_eq(got.hash, t.hash, 32);
	ck_assert_str_eq(got.site_id, "");
	ck_assert_int_eq(got.expires_at, 99);
	ck_assert_int_eq(got.last_used_at, 0);
	ck_store_ok(store_token_touch(f.s, t.id, 1234, &err), err);
	ck_store_ok(store_token_get(f.s, t.id, &got, &err), err);
	ck_assert_int_eq(got.last_used_at, 1234);
	/* A gateway token needs a site and no actor. */
	memset(&got, 0, sizeof(got));
	strcpy(got.account_id, f.account.id);
	strcpy(got.kind, "gateway");
	ck_store_fail(store_token_create(f.s, &got, &err), err, STORE_INVALID,
		      "invalid token");
	strcpy(got.site_id, s.id);
	ck_store_ok(store_token_create(f.s, &got, &err), err);
	ck_store_ok(store_token_list(f.s, f.account.id, NULL, count, &seen,
				     &err),
		    err);
	ck_assert_int_eq(seen.n, 2);
	memset(&seen, 0, sizeof(seen));
	ck_store_ok(store_token_list(f.s, f.account.id, "gateway", count, &seen,
				     &err),
		    err);
	ck_assert_int_eq(seen.n, 1);
	/* Deleting the site takes its gateway tokens. */
	ck_store_ok(store_delete(f.s, STORE_SITE, s.id, &err), err);
	ck_store_fail(store_token_get(f.s, got.id, &got, &err), err,
		      STORE_NOT_FOUND, "no token");
	ck_store_ok(store_token_delete(f.s, t.id, &err), err);
	ck_store_fail(store_token_delete(f.s, t.id, &err), err, STORE_NOT_FOUND,
		      "no token");
	ck_store_fail(store_token_touch(f.s, t.id, 1, &err), err,
		      STORE_NOT_FOUND, "no token");
}
END_TEST

static void gateway(struct store_gateway *g, const struct store_site *s,
		    uint8_t key)
{
	memset(g, 0, sizeof(*g));
	strcpy(g->account_id, f.account.id);
	strcpy(g->site_id, s->id);
	strcpy(g->name, "gw");
	memset(g->public_key, key, sizeof(g->public_key));
	ck_store_ok(store_gateway_upsert(f.s, g, &err), err);
}

static void client(struct store_client *c, const struct store_actor *a,
		   uint8_t key)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->account_id, f.account.id);
	strcpy(c->actor_id, a->id);
	strcpy(c->name, "laptop");
	memset(c->public_key, key, sizeof(c->public_key));
	ck_store_ok(store_client_upsert(f.s, c, &err), err);
}

START_TEST(test_devices_and_tunnel)
{
	struct store_gateway g1, g2, again, got;
	struct store_client c1, c2, cgot;
	struct store_actor alice, bob;
	struct seen seen = { 0 };
	struct store_site s, other;
	char key[64];

	site(&s, "berlin");
	actor(&alice, "alice");
	actor(&bob, "bob");
	gateway(&g1, &s, 1);
	gateway(&g2, &s, 2);
	client(&c1, &alice, 3);
	ck_assert_int_eq(g1.tunnel_offset, 1);
	ck_assert_int_eq(g2.tunnel_offset, 2);
	ck_assert_int_eq(c1.tunnel_offset, 3);
	/* The same key again: same id and offset, new fields. */
	gateway(&again, &s, 1);
	ck_assert_str_eq(again.id, g1.id);
	ck_assert_int_eq(again.tunnel_offset, 1);
	again.listen_port = 51820;
	strcpy(again.version, "1.2");
	ck_store_ok(store_gateway_upsert(f.s, &again, &err), err);
	ck_store_ok(store_gateway_get(f.s, g1.id, &got, &err), err);
	ck_assert_int_eq(got.listen_port, 51820);
	ck_assert_str_eq(got.version, "1.2");
	ck_assert_str_eq(got.endpoints, "[]");
	ck_assert_int_eq(got.created_at, g1.created_at);
	ck_store_ok(store_gateway_list(f.s, f.account.id, s.id, count, &seen,
				       &err),
		    err);
	ck_assert_int_eq(seen.n, 2);
	/* A client key of another actor is refused. */
	memset(&c2, 0, sizeof(c2));
	strcpy(c2.account_id, f.account.id);
	strcpy(c2.actor_id, bob.id);
	memset(c2.public_key, 3, 32);
	ck_store_fail(store_client_upsert(f.s, &c2, &err), err, STORE_CONFLICT,
		      "belongs to another actor");
	/* A gateway key of another site too (a public key is no secret);
	 * the row stays in its site. */
	site(&other, "paris");
	memset(&again, 0, sizeof(again));
	strcpy(again.account_id, f.account.id);
	strcpy(again.site_id, other.id);
	memset(again.public_key, 1, 32);
	ck_store_fail(store_gateway_upsert(f.s, &again, &err), err,
		      STORE_CONFLICT, "a gateway of another site");
	ck_store_ok(store_gateway_get(f.s, g1.id, &got, &err), err);
	ck_assert_str_eq(got.site_id, s.id);
	/* Offsets are not reused while fresh ones remain. */
	ck_store_ok(store_gateway_delete(f.s, g2.id, &err), err);
	client(&c2, &bob, 4);
	ck_assert_int_eq(c2.tunnel_offset, 4);
	/* Deleting the actor takes its clients and frees their offsets. */
	ck_store_ok(store_delete(f.s, STORE_ACTOR, bob.id, &err), err);
	ck_store_fail(store_client_get(f.s, c2.id, &cgot, &err), err,
		      STORE_NOT_FOUND, "no client");
	/* Past the end, the counter wraps and gaps (2, 4) are reused. */
	snprintf(key, sizeof(key), "tunnel_next:%s", f.account.id);
	ck_store_ok(store_meta_set(f.s, key, "2097150", 7, &err), err);
	gateway(&g2, &s, 5);
	ck_assert_int_eq(g2.tunnel_offset, 2097150);
	gateway(&got, &s, 6);
	ck_assert_int_eq(got.tunnel_offset, 2);
	client(&c2, &alice, 7);
	ck_assert_int_eq(c2.tunnel_offset, 4);
	client(&c2, &alice, 8);
	ck_assert_int_eq(c2.tunnel_offset, 5);
	memset(&seen, 0, sizeof(seen));
	ck_store_ok(store_client_list(f.s, f.account.id, alice.id, count, &seen,
				      &err),
		    err);
	ck_assert_int_eq(seen.n, 3);
	ck_store_ok(store_client_delete(f.s, c1.id, &err), err);
	ck_store_fail(store_client_delete(f.s, c1.id, &err), err,
		      STORE_NOT_FOUND, "no client");
}
END_TEST

/*
 * A restart marks every device offline; one that was online then was
 * seen until about then, not at its join (eviction waits on it).
 */
START_TEST(test_presence_reset)
{
	struct store_client on, off, got;
	struct store_actor alice;
	int64_t t0 = 1000000000LL, before;
	struct timespec ts;

	actor(&alice, "alice");
	client(&on, &alice, 3);
	client(&off, &alice, 4);
	ck_store_ok(store_device_seen(f.s, "client", on.id, t0, t0, "192.0.2.1",
				      &err),
		    err);
	ck_store_ok(store_device_seen(f.s, "client", off.id, 0, t0 + 5,
				      "192.0.2.2", &err),
		    err);
	clock_gettime(CLOCK_REALTIME, &ts);
	before = ts.tv_sec * 1000000000LL + ts.tv_nsec - 1000000000LL;
	ck_store_ok(store_presence_reset(f.s, &err), err);
	ck_store_ok(store_client_get(f.s, on.id, &got, &err), err);
	ck_assert_int_eq(got.online_since, 0);
	ck_assert_int_ge(got.last_seen_at, before);
	ck_store_ok(store_client_get(f.s, off.id, &got, &err), err);
	ck_assert_int_eq(got.online_since, 0);
	ck_assert_int_eq(got.last_seen_at, t0 + 5);
}
END_TEST

START_TEST(test_authz_changes_audit)
{
	static const char *const ids[] = {
		"11111111-1111-4111-8111-111111111111",
		"22222222-2222-4222-8222-222222222222",
		"33333333-3333-4333-8333-333333333333",
		"44444444-4444-4444-8444-444444444444",
		"55555555-5555-4555-8555-555555555555",
	};
	struct store_change c = { 0 };
	struct store_audit a = { 0 };
	struct store_authz z = { 0 };
	struct seen seen;

	strcpy(z.account_id, f.account.id);
	strcpy(z.client_id, ids[0]);
	strcpy(z.gateway_id, ids[1]);
	strcpy(z.policy_id, ids[2]);
	strcpy(z.resource_id, ids[3]);
	strcpy(z.token_id, ids[4]);
	z.expires_at = 10;
	/* No references: ids of nothing are accepted. */
	ck_store_ok(store_authz_insert(f.s, &z, &err), err);
	for (int by = 0; by < STORE_AUTHZ_BY_MAX; by++) {
		memset(&seen, 0, sizeof(seen));
		ck_store_ok(store_authz_list_by(f.s, by, ids[by], count, &seen,
						&err),
			    err);
		ck_assert_int_eq(seen.n, 1);
		ck_store_ok(store_authz_list_by(f.s, by, f.account.id, count,
						&seen, &err),
			    err);
		ck_assert_int_eq(seen.n, 1);
	}
	ck_store_ok(store_authz_delete(f.s, z.id, &err), err);
	memset(&seen, 0, sizeof(seen));
	ck_store_ok(store_authz_list_by(f.s, STORE_AUTHZ_BY_CLIENT, ids[0],
					count, &seen, &err),
		    err);
	ck_assert_int_eq(seen.n, 0);

	strcpy(c.account_id, f.account.id);
	strcpy(c.entity, "site");
	strcpy(c.op, "delete");
	ck_store_ok(store_change_append(f.s, &c, &err), err);
	ck_assert_int_eq(c.seq, 1);
	c.seq = 0;
	ck_store_ok(store_change_append(f.s, &c, &err), err);
	ck_assert_int_eq(c.seq, 2);
	memset(&seen, 0, sizeof(seen));
	ck_store_ok(store_changes_since(f.s, 1, count, &seen, &err), err);
	ck_assert_int_eq(seen.n, 1);

	strcpy(a.account_id, f.account.id);
	strcpy(a.source, "cli");
	strcpy(a.action, "site.create");
	for (int i = 1; i <= 3; i++) {
		a.id = 0;
		a.at = i * 100;
		ck_store_ok(store_audit_append(f.s, &a, &err), err);
	}
	memset(&seen, 0, sizeof(seen));
	ck_store_ok(store_audit_list(f.s, f.account.id, 200, 0, count, &seen,
				     &err),
		    err);
	ck_assert_int_eq(seen.n, 2);
	memset(&seen, 0, sizeof(seen));
	ck_store_ok(store_audit_list(f.s, f.account.id, 0, 1, count, &seen,
				     &err),
		    err);
	ck_assert_int_eq(seen.n, 1);
	strcpy(a.source, "web");
	ck_store_fail(store_audit_append(f.s, &a, &err), err, STORE_INVALID,
		      "invalid audit record");
}
END_TEST

/* Retention: old rows go, newer ones and changes past max_seq stay. */
START_TEST(test_prune)
{
	struct store_prune p = { 0 };
	struct store_change c = { 0 };
	struct store_audit a = { 0 };
	struct seen seen = { 0 };

	strcpy(c.account_id, f.account.id);
	strcpy(c.entity, "site");
	strcpy(c.op, "delete");
	strcpy(a.account_id, f.account.id);
	strcpy(a.source, "cli");
	strcpy(a.action, "site.create");
	for (int i = 1; i <= 5; i++) {
		c.seq = 0;
		c.at = i * 100;
		ck_store_ok(store_change_append(f.s, &c, &err), err);
		a.id = 0;
		a.at = i * 100;
		ck_store_ok(store_audit_append(f.s, &a, &err), err);
	}
	/* Nothing asked: nothing goes. */
	ck_store_ok(store_prune(f.s, &p, &err), err);
	ck_assert_int_eq(p.n_changes + p.n_audit, 0);
	/* Changes before 450 (seq 1-4), but not past seq 2 (unread). */
	p.changes_before = 450;
	p.changes_max_seq = 2;
	p.audit_before = 350;
	ck_store_ok(store_prune(f.s, &p, &err), err);
	ck_assert_int_eq(p.n_changes, 2);
	ck_assert_int_eq(p.n_audit, 3);
	ck_store_ok(store_changes_since(f.s, 0, count, &seen, &err), err);
	ck_assert_int_eq(seen.n, 3);
	memset(&seen, 0, sizeof(seen));
	ck_store_ok(store_audit_list(f.s, f.account.id, 0, 0, count, &seen,
				     &err),
		    err);
	ck_assert_int_eq(seen.n, 2);
	/* The feed moved on: the rest before 450 go; 500 stays. */
	p.changes_max_seq = 5;
	ck_store_ok(store_prune(f.s, &p, &err), err);
	ck_assert_int_eq(p.n_changes, 2);
	ck_assert_int_eq(p.n_audit, 0);
}
END_TEST

START_TEST(test_transactions_and_meta)
{
	uint8_t secret[32] = { 9 }, back[32];
	size_t len = sizeof(back);
	struct store_site s, got;

	ck_store_ok(store_meta_set(f.s, "psk_key", secret, 32, &err), err);
	ck_store_ok(store_meta_get(f.s, "psk_key", back, &len, &err), err);
	ck_assert_uint_eq(len, 32);
	ck_assert_mem_eq(back, secret, 32);
	len = 4;
	ck_store_fail(store_meta_get(f.s, "psk_key", back, &len, &err), err,
		      STORE_INVALID, "longer than expected");
	ck_store_fail(store_meta_get(f.s, "nope", back, &len, &err), err,
		      STORE_NOT_FOUND, "no meta nope");
	ck_store_ok(store_begin(f.s, &err), err);
	site(&s, "berlin");
	ck_store_ok(store_rollback(f.s), err);
	ck_store_fail(store_get(f.s, STORE_SITE, s.id, &got, &err), err,
		      STORE_NOT_FOUND, "no site");
	ck_store_ok(store_begin(f.s, &err), err);
	site(&s, "berlin");
	ck_store_ok(store_commit(f.s, &err), err);
	ck_store_ok(store_get(f.s, STORE_SITE, s.id, &got, &err), err);
}
END_TEST

/* Whether a copy of the database file alone (no WAL) has site name. */
static bool in_main_file(const char *name)
{
	char copy[160], buf[65536], sql[128];
	FILE *in, *out;
	sqlite3 *db;
	sqlite3_stmt *st = NULL;
	size_t n;
	bool found;

	snprintf(copy, sizeof(copy), "%s/copy.db", f.dir);
	in = fopen(f.path, "rb");
	out = fopen(copy, "wb");
	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(out);
	while ((n = fread(buf, 1, sizeof(buf), in)))
		ck_assert_uint_eq(fwrite(buf, 1, n, out), n);
	fclose(in);
	fclose(out);
	ck_assert_int_eq(sqlite3_open(copy, &db), SQLITE_OK);
	snprintf(sql, sizeof(sql), "SELECT 1 FROM sites WHERE name = '%s'",
		 name);
	/* Before any checkpoint, the file may not even have the table. */
	found = sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
		sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	sqlite3_close(db);
	for (size_t i = 0; i < 3; i++) {
		snprintf(buf, sizeof(buf), "%s%s", copy,
			 (const char *[]){ "", "-wal", "-shm" }[i]);
		unlink(buf);
	}
	return found;
}

/*
 * A commit reaches the database file itself within a few periods of the
 * background checkpoints (a few rows are far from SQLite's own 1000-page
 * trigger), and store_close() stops the thread (ASan checks the rest).
 */
START_TEST(test_background_checkpoint)
{
	struct store_site s;
	bool found = false;

	site(&s, "before");
	ck_assert(!in_main_file("before"));
	ck_store_ok(store_checkpoint_in_background(f.s, 20, &err), err);
	ck_store_ok(store_checkpoint_in_background(f.s, 20, &err), err);
	site(&s, "after");
	for (int i = 0; i < 200 && !found; i++) {
		usleep(10000);
		found = in_main_file("after");
	}
	ck_assert(found);
}
END_TEST

Suite *portal_store_suite(void)
{
	Suite *s = suite_create("portal_store");
	TCase *tc = tcase_create("store");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_account);
	tcase_add_test(tc, test_site_crud_and_conflict);
	tcase_add_test(tc, test_foreign_keys);
	tcase_add_test(tc, test_too_long);
	tcase_add_test(tc, test_groups_and_members);
	tcase_add_test(tc, test_policies_and_visibility);
	tcase_add_test(tc, test_tokens);
	tcase_add_test(tc, test_devices_and_tunnel);
	tcase_add_test(tc, test_presence_reset);
	tcase_add_test(tc, test_authz_changes_audit);
	tcase_add_test(tc, test_prune);
	tcase_add_test(tc, test_transactions_and_meta);
	tcase_add_test(tc, test_background_checkpoint);
	suite_add_tcase(s, tc);
	return s;
}
