// SPDX-License-Identifier: GPL-2.0
/*
 * The admin wing through admin_call(): each noun's validation, that a
 * refused request changes no row (changes and audit included), and the
 * changes and audit rows a write leaves, in the contract's shape.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "../store/fixture.h"
#include "../suites.h"
#include "admin/admin.h"

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

/* Rows of changes plus audit: any write moves it. */
static int rows(void)
{
	struct store_err serr = { 0 };
	int n = 0;

	ck_assert_int_eq(store_changes_since(f.s, 0, count, &n, &serr), 0);
	ck_assert_int_eq(
		store_audit_list(f.s, f.account.id, 0, 0, count, &n, &serr), 0);
	return n;
}

/* Runs NOUN VERB with the request text; returns the code, puts resp. */
static int call(const char *noun, const char *verb, const char *id,
		const char *req, json_object **out)
{
	json_object *r = req ? json_tokener_parse(req) : NULL, *resp = NULL;
	int ret;

	ck_assert_msg(!req || r, "bad test JSON %s", req);
	ret = admin_call(&ctx, noun, verb, id, r, &resp, &err);
	json_object_put(r);
	if (out)
		*out = resp;
	else
		json_object_put(resp);
	return ret;
}

static void ok(const char *noun, const char *verb, const char *id,
	       const char *req)
{
	int before = rows();

	ck_assert_msg(!call(noun, verb, id, req, NULL), "%s %s: %s: %s", noun,
		      verb, err.field, err.message);
	if (strcmp(verb, "list") && strcmp(verb, "show"))
		ck_assert_int_eq(rows(), before + 2);
}

/* Refused with code on field, and nothing written. */
static void refused(const char *noun, const char *verb, const char *id,
		    const char *req, enum admin_code code, const char *field)
{
	int before = rows();

	ck_assert_int_eq(call(noun, verb, id, req, NULL), code);
	ck_assert_msg(!strcmp(err.field, field), "field '%s' (%s), want '%s'",
		      err.field, err.message, field);
	ck_assert_int_eq(rows(), before);
}

START_TEST(test_site)
{
	ok("site", "create", NULL, "{\"name\":\"hq\"}");
	refused("site", "create", NULL, "{\"name\":\"hq\"}", ADMIN_CONFLICT,
		"name");
	refused("site", "create", NULL, "{}", ADMIN_INVALID, "name");
	refused("site", "create", NULL, "{\"name\":\" x\"}", ADMIN_INVALID,
		"name");
	refused("site", "create", NULL, "{\"name\":7}", ADMIN_INVALID, "name");
	refused("site", "create", NULL, "{\"name\":\"x\",\"y\":1}",
		ADMIN_INVALID, "y");
	refused("site", "show", "nope", NULL, ADMIN_NOT_FOUND, "id");
	ok("site", "update", "hq", "{\"name\":\"hq2\"}");
	ok("site", "show", "hq2", NULL);
	ok("site", "delete", "hq2", NULL);
	refused("site", "frob", NULL, NULL, ADMIN_NOT_FOUND, "");
}
END_TEST

START_TEST(test_resource)
{
	ok("site", "create", NULL, "{\"name\":\"hq\"}");
	ok("resource", "create", NULL,
	   "{\"name\":\"w\",\"type\":\"DNS\",\"address\":\"**.W.example\","
	   "\"site_id\":\"hq\",\"filters\":\"tcp/443, udp/53-54\"}");
	refused("resource", "create", NULL,
		"{\"name\":\"b\",\"type\":\"dns\",\"address\":\"a..b\","
		"\"site_id\":\"hq\"}",
		ADMIN_INVALID, "address");
	refused("resource", "create", NULL,
		"{\"name\":\"b\",\"type\":\"cidr\",\"address\":\"10.1.2.3/8\","
		"\"site_id\":\"hq\"}",
		ADMIN_INVALID, "address");
	refused("resource", "create", NULL,
		"{\"name\":\"b\",\"type\":\"x\",\"address\":\"a.b\","
		"\"site_id\":\"hq\"}",
		ADMIN_INVALID, "type");
	refused("resource", "create", NULL,
		"{\"name\":\"b\",\"type\":\"ip\",\"address\":\"10.0.0.1\","
		"\"site_id\":\"hq\",\"filters\":\"tcp/99999\"}",
		ADMIN_INVALID, "filters");
	refused("resource", "create", NULL,
		"{\"name\":\"b\",\"type\":\"ip\",\"address\":\"10.0.0.1\","
		"\"site_id\":\"hq\",\"filters\":[{\"protocol\":\"icmp\","
		"\"port_range_start\":1}]}",
		ADMIN_INVALID, "filters");
	refused("resource", "create", NULL,
		"{\"name\":\"b\",\"type\":\"ip\",\"address\":\"10.0.0.1\","
		"\"site_id\":\"nope\"}",
		ADMIN_NOT_FOUND, "site_id");
	refused("resource", "update", "w", "{\"type\":\"ip\"}", ADMIN_INVALID,
		"address");
	refused("site", "delete", "hq", NULL, ADMIN_CONFLICT, "id");
	ok("resource", "update", "w", "{\"filters\":[]}");
}
END_TEST

START_TEST(test_resource_json)
{
	json_object *o, *v;

	ok("site", "create", NULL, "{\"name\":\"hq\"}");
	ck_assert_int_eq(call("resource", "create", NULL,
			      "{\"name\":\"w\",\"type\":\"dns\",\"address\":"
			      "\"*.W.example\",\"site_id\":\"hq\","
			      "\"filters\":\"icmp\"}",
			      &o),
			 0);
	ck_assert(json_object_object_get_ex(o, "address", &v));
	ck_assert_str_eq(json_object_get_string(v), "*.w.example");
	ck_assert(json_object_object_get_ex(o, "filters", &v));
	ck_assert_str_eq(json_object_to_json_string_ext(v,
							JSON_C_TO_STRING_PLAIN),
			 "[{\"protocol\":\"icmp\"}]");
	json_object_put(o);
}
END_TEST

START_TEST(test_policy)
{
	ok("site", "create", NULL, "{\"name\":\"hq\"}");
	ok("resource", "create", NULL,
	   "{\"name\":\"w\",\"type\":\"ip\",\"address\":\"10.0.0.1\","
	   "\"site_id\":\"hq\"}");
	refused("policy", "create", NULL,
		"{\"group_id\":\"Everyone\",\"resource_id\":\"w\","
		"\"conditions\":[{\"property\":\"region\",\"operator\":"
		"\"is_in\",\"values\":[\"EU\"]}]}",
		ADMIN_INVALID, "conditions[0].property");
	refused("policy", "create", NULL,
		"{\"group_id\":\"nope\",\"resource_id\":\"w\"}",
		ADMIN_NOT_FOUND, "group_id");
	ok("policy", "create", NULL,
	   "{\"group_id\":\"Everyone\",\"resource_id\":\"w\","
	   "\"conditions\":[{\"property\":\"remote_ip\",\"operator\":"
	   "\"is_in_cidr\",\"values\":[\"10.0.0.0/8\"]}]}");
	refused("policy", "create", NULL,
		"{\"group_id\":\"Everyone\",\"resource_id\":\"w\"}",
		ADMIN_CONFLICT, "group_id");
}
END_TEST

START_TEST(test_groups_members)
{
	ok("actor", "create", NULL, "{\"name\":\"bob\"}");
	ok("group", "create", NULL, "{\"name\":\"eng\"}");
	ok("member", "add", "eng", "{\"actor_id\":\"bob\"}");
	refused("member", "add", "eng", "{\"actor_id\":\"bob\"}",
		ADMIN_CONFLICT, "actor_id");
	refused("member", "remove", "Everyone", "{\"actor_id\":\"bob\"}",
		ADMIN_FORBIDDEN, "group_id");
	refused("group", "delete", "Everyone", NULL, ADMIN_FORBIDDEN, "id");
	refused("group", "update", "Everyone", "{\"name\":\"All\"}",
		ADMIN_FORBIDDEN, "id");
	ok("member", "remove", "eng", "{\"actor_id\":\"bob\"}");
	refused("member", "remove", "eng", "{\"actor_id\":\"bob\"}",
		ADMIN_NOT_FOUND, "actor_id");
}
END_TEST

START_TEST(test_actors_tokens)
{
	json_object *o, *v;

	ok("actor", "create", NULL, "{\"name\":\"bob\",\"email\":\"b@x.io\"}");
	refused("actor", "create", NULL, "{\"name\":\"eve\",\"email\":\"x\"}",
		ADMIN_INVALID, "email");
	refused("actor", "create", NULL, "{\"name\":\"eve\",\"role\":\"god\"}",
		ADMIN_INVALID, "role");
	ok("service_account", "create", NULL, "{\"name\":\"ci\"}");
	refused("service_account", "create", NULL,
		"{\"name\":\"x\",\"email\":\"a@b.c\"}", ADMIN_INVALID, "email");
	refused("actor", "show", "ci", NULL, ADMIN_NOT_FOUND, "id");
	refused("api_token", "create", NULL, "{\"actor_id\":\"bob\"}",
		ADMIN_INVALID, "actor_id");
	refused("client_token", "create", NULL,
		"{\"actor_id\":\"ci\",\"expires_in\":\"0d\"}", ADMIN_INVALID,
		"expires_in");
	ck_assert_int_eq(call("client_token", "create", NULL,
			      "{\"actor_id\":\"ci\",\"expires_in\":\"7d\"}",
			      &o),
			 0);
	ck_assert(json_object_object_get_ex(o, "token", &v));
	ck_assert_int_eq(strncmp(json_object_get_string(v), "fz1_", 4), 0);
	admin_wipe_token(o);
	ck_assert_int_eq(json_object_get_string(v)[0], '\0');
	json_object_put(o);
}
END_TEST

START_TEST(test_account_audit)
{
	ok("account", "update", NULL,
	   "{\"upstream_dns\":\"1.1.1.1, ::1\",\"client_token_ttl\":3600}");
	refused("account", "update", NULL, "{\"upstream_dns\":[\"x\"]}",
		ADMIN_INVALID, "upstream_dns");
	refused("account", "update", NULL, "{\"client_token_ttl\":\"1y\"}",
		ADMIN_INVALID, "client_token_ttl");
	ck_assert_int_eq(ctx.account.client_token_ttl_s, 3600);
	ok("audit", "list", NULL, "{\"since\":\"1h\",\"limit\":\"5\"}");
	refused("audit", "list", NULL, "{\"since\":\"soon\"}", ADMIN_INVALID,
		"since");
	/* Under ASan: "ds" once read digits[-1]; "1ds" was a day. */
	refused("audit", "list", NULL, "{\"since\":\"ds\"}", ADMIN_INVALID,
		"since");
	refused("audit", "list", NULL, "{\"since\":\"dms\"}", ADMIN_INVALID,
		"since");
	refused("audit", "list", NULL, "{\"since\":\"1ds\"}", ADMIN_INVALID,
		"since");
	refused("audit", "list", NULL, "{\"since\":\"s\"}", ADMIN_INVALID,
		"since");
	ok("audit", "list", NULL, "{\"since\":\"90\"}");
}
END_TEST

struct last {
	struct store_change c;
};

static int keep(void *arg, const void *rec)
{
	((struct last *)arg)->c = *(const struct store_change *)rec;
	return 0;
}

START_TEST(test_changes_contract)
{
	struct store_err serr = { 0 };
	struct last l;
	json_object *d, *after;

	ok("group", "create", NULL, "{\"name\":\"eng\"}");
	ok("actor", "create", NULL, "{\"name\":\"bob\"}");
	ok("member", "add", "eng", "{\"actor_id\":\"bob\"}");
	ck_assert_int_eq(store_changes_since(f.s, 0, keep, &l, &serr), 0);
	ck_assert_str_eq(l.c.entity, "member");
	ck_assert_str_eq(l.c.op, "create");
	d = json_tokener_parse(l.c.data);
	ck_assert_ptr_nonnull(d);
	ck_assert(json_object_object_get_ex(d, "before", NULL));
	ck_assert(json_object_object_get_ex(d, "after", &after));
	ck_assert_str_eq(json_object_get_string(
				 json_object_object_get(after, "group_id")),
			 l.c.object_id);
	ck_assert_int_eq(json_object_object_length(after), 2);
	json_object_put(d);
	ok("group", "delete", "eng", NULL);
	ck_assert_int_eq(store_changes_since(f.s, 0, keep, &l, &serr), 0);
	ck_assert_str_eq(l.c.entity, "group");
	ck_assert_str_eq(l.c.op, "delete");
	ck_assert_ptr_nonnull(strstr(l.c.data, "\"after\":null"));
}
END_TEST

/* before.cascade of the last change, as JSON text of member name. */
static json_object *last_cascade(json_object **d)
{
	struct store_err serr = { 0 };
	json_object *before, *c = NULL;
	struct last l;

	ck_assert_int_eq(store_changes_since(f.s, 0, keep, &l, &serr), 0);
	ck_assert_str_eq(l.c.op, "delete");
	*d = json_tokener_parse(l.c.data);
	ck_assert(json_object_object_get_ex(*d, "before", &before));
	ck_assert(json_object_object_get_ex(before, "cascade", &c));
	return c;
}

static size_t list_len(json_object *c, const char *name)
{
	json_object *l;

	ck_assert_msg(json_object_object_get_ex(c, name, &l), "no %s", name);
	return json_object_array_length(l);
}

/* A cascading delete names what it takes, collected before the delete. */
START_TEST(test_cascade)
{
	json_object *d, *c, *p;

	ok("site", "create", NULL, "{\"name\":\"hq\"}");
	ok("site", "create", NULL, "{\"name\":\"edge\"}");
	ok("gateway_token", "create", NULL, "{\"site_id\":\"edge\"}");
	ok("gateway_token", "create", NULL, "{\"site_id\":\"edge\"}");
	ok("resource", "create", NULL,
	   "{\"name\":\"w\",\"type\":\"ip\",\"address\":\"10.0.0.1\","
	   "\"site_id\":\"hq\"}");
	ok("group", "create", NULL, "{\"name\":\"eng\"}");
	ok("actor", "create", NULL, "{\"name\":\"bob\"}");
	ok("member", "add", "eng", "{\"actor_id\":\"bob\"}");
	ok("client_token", "create", NULL, "{\"actor_id\":\"bob\"}");
	ok("policy", "create", NULL,
	   "{\"group_id\":\"eng\",\"resource_id\":\"w\"}");

	ok("group", "delete", "eng", NULL);
	c = last_cascade(&d);
	ck_assert_uint_eq(list_len(c, "memberships"), 1);
	ck_assert_uint_eq(list_len(c, "policies"), 1);
	p = json_object_array_get_idx(json_object_object_get(c, "policies"), 0);
	ck_assert(json_object_object_get_ex(p, "resource_id", NULL));
	json_object_put(d);

	ok("actor", "delete", "bob", NULL);
	c = last_cascade(&d);
	ck_assert_uint_eq(list_len(c, "tokens"), 1);
	ck_assert_uint_eq(list_len(c, "clients"), 0);
	ck_assert_uint_eq(list_len(c, "memberships"), 1); /* Everyone */
	json_object_put(d);

	ok("site", "delete", "edge", NULL);
	c = last_cascade(&d);
	ck_assert_uint_eq(list_len(c, "tokens"), 2);
	ck_assert_uint_eq(list_len(c, "gateways"), 0);
	json_object_put(d);

	ok("resource", "delete", "w", NULL);
	c = last_cascade(&d);
	ck_assert_uint_eq(list_len(c, "policies"), 0);
	json_object_put(d);
}
END_TEST

/* Too many members to name: the delete happens, the policies stay named. */
START_TEST(test_cascade_truncated)
{
	json_object *d, *c;
	char req[64];

	ok("site", "create", NULL, "{\"name\":\"hq\"}");
	ok("resource", "create", NULL,
	   "{\"name\":\"w\",\"type\":\"ip\",\"address\":\"10.0.0.1\","
	   "\"site_id\":\"hq\"}");
	ok("group", "create", NULL, "{\"name\":\"big\"}");
	ok("policy", "create", NULL,
	   "{\"group_id\":\"big\",\"resource_id\":\"w\"}");
	/* call(), not ok(): counting every row each time is quadratic. */
	for (int i = 0; i < 100; i++) {
		snprintf(req, sizeof(req), "{\"name\":\"u%d\"}", i);
		ck_assert_int_eq(call("actor", "create", NULL, req, NULL), 0);
		snprintf(req, sizeof(req), "{\"actor_id\":\"u%d\"}", i);
		ck_assert_int_eq(call("member", "add", "big", req, NULL), 0);
	}
	ok("group", "delete", "big", NULL);
	c = last_cascade(&d);
	ck_assert(json_object_get_boolean(
		json_object_object_get(c, "truncated")));
	ck_assert(!json_object_object_get_ex(c, "memberships", NULL));
	ck_assert_uint_eq(list_len(c, "policies"), 1);
	json_object_put(d);
}
END_TEST

Suite *portal_admin_suite(void)
{
	Suite *s = suite_create("portal_admin");
	TCase *tc = tcase_create("admin");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_site);
	tcase_add_test(tc, test_resource);
	tcase_add_test(tc, test_resource_json);
	tcase_add_test(tc, test_policy);
	tcase_add_test(tc, test_groups_members);
	tcase_add_test(tc, test_actors_tokens);
	tcase_add_test(tc, test_account_audit);
	tcase_add_test(tc, test_changes_contract);
	tcase_add_test(tc, test_cascade);
	tcase_add_test(tc, test_cascade_truncated);
	suite_add_tcase(s, tc);
	return s;
}
