// SPDX-License-Identifier: GPL-2.0
/*
 * sig.c: every signalling message from a valid sample, round-tripped,
 * then mutated member by member (wrong types, missing, null, too long,
 * too many, bad keys, UUIDs and addresses, extra members), truncated at
 * every byte, nested too deep and grown too large. A refusal must come
 * with a reason; nothing may crash (this runs under ASan and UBSan).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/sig.h"
#include "../suites.h"

#define K1 "'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8='"
#define K2 "'ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CBgoM='"
#define U1 "'0b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c11'"
#define U2 "'1b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c12'"
#define U3 "'2b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c13'"
#define U4 "'3b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c14'"
#define U5 "'4b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c15'"
#define V4 "'100.64.0.1'"
#define V6 "'fd00:2021:1111::1'"
#define EXP "1790000000"
#define PEER                                                       \
	"{'id':" U5 ",'public_key':" K2 ",'preshared_key':" K1 "," \
	"'ipv4':'100.64.0.2','ipv6':'fd00:2021:1111::2'}"
#define FILTERS                                                            \
	"[{'protocol':'tcp','port_range_start':443,'port_range_end':443}," \
	"{'protocol':'icmp'}]"
#define GWRES(type, addr)                                                 \
	"{'id':" U1 ",'name':'gitlab','type':'" type "','address':'" addr \
	"','filters':" FILTERS "}"
#define CLRES(type, addr)                                                 \
	"{'id':" U1 ",'name':'gitlab','type':'" type "','address':'" addr \
	"','address_description':'GitLab','sites':[{'id':" U3             \
	",'name':'hq'}],'filters':" FILTERS "}"
#define FRAME(topic, event, payload, ref)                             \
	"{'topic':'" topic "','event':'" event "','payload':" payload \
	",'ref':" ref "}"

#define TO PROTO_SIG_TO_PORTAL
#define FROM PROTO_SIG_FROM_PORTAL
#define GW PROTO_SIG_GATEWAY
#define CL PROTO_SIG_CLIENT

static const struct sample {
	enum proto_sig_kind kind;
	enum proto_sig_dir dir;
	enum proto_sig_role role;
	const char *text; /* ' for ", so that it reads */
} samples[] = {
	{ PROTO_SIG_GATEWAY_JOIN, TO, GW,
	  FRAME("gateway", "phx_join",
		"{'public_key':" K1 ",'listen_port':51820,'endpoints':"
		"['203.0.113.5:51820','[2001:db8::5]:51820'],'name':'gw-1',"
		"'version':'0.1.0'}",
		"'1'") },
	{ PROTO_SIG_CLIENT_JOIN, TO, CL,
	  FRAME("client", "phx_join",
		"{'public_key':" K2 ",'name':'laptop','version':'0.1.0'}",
		"'1'") },
	{ PROTO_SIG_HEARTBEAT, TO, GW,
	  FRAME("phoenix", "heartbeat", "{}", "'2'") },
	{ PROTO_SIG_REQUEST_AUTHORIZATION, TO, CL,
	  FRAME("client", "request_authorization",
		"{'resource_id':" U1 ",'connected_gateway_ids':[" U2 "],"
		"'failed_gateway_ids':[" U3 "]}",
		"'3'") },
	{ PROTO_SIG_AUTHORIZATION_ACK, TO, GW,
	  FRAME("gateway", "authorization_created", "{'ref':" U4 "}", "null") },
	{ PROTO_SIG_REPLY, FROM, CL,
	  FRAME("client", "phx_reply",
		"{'status':'error','response':{'reason':'invalid_message'}}",
		"'1'") },
	{ PROTO_SIG_GATEWAY_INIT, FROM, GW,
	  FRAME("gateway", "init",
		"{'interface':{'ipv4':" V4 ",'ipv6':" V6 "},"
		"'authorizations':[{'client':" PEER ",'resource':" GWRES(
			"dns", "**.gitlab.test") ",'expires_at':" EXP "}]}",
		"null") },
	{ PROTO_SIG_CREATE_AUTHORIZATION, FROM, GW,
	  FRAME("gateway", "create_authorization",
		"{'ref':" U4 ",'client':" PEER ",'resource':" GWRES(
			"cidr", "10.1.0.0/16") ",'expires_at':" EXP "}",
		"null") },
	{ PROTO_SIG_REJECT_ACCESS, FROM, GW,
	  FRAME("gateway", "reject_access",
		"{'client_id':" U5 ",'resource_id':" U1 "}", "null") },
	{ PROTO_SIG_RESOURCE_UPDATED, FROM, GW,
	  FRAME("gateway", "resource_updated",
		"{'id':" U1 ",'filters':[{'protocol':'udp',"
		"'port_range_start':5000,'port_range_end':5010}]}",
		"null") },
	{ PROTO_SIG_DISCONNECT, FROM, GW,
	  FRAME("gateway", "disconnect", "{'reason':'token_deleted'}",
		"null") },
	{ PROTO_SIG_CLIENT_INIT, FROM, CL,
	  FRAME("client", "init",
		"{'interface':{'ipv4':" V4 ",'ipv6':" V6 ",'upstream_dns':"
		"['1.1.1.1','2606:4700:4700::1111'],'search_domain':"
		"'corp.test'},'resources':[" CLRES("dns", "*.gitlab.test") "]}",
		"null") },
	{ PROTO_SIG_AUTHORIZATION_CREATED, FROM, CL,
	  FRAME("client", "authorization_created",
		"{'resource_id':" U1 ",'gateway_id':" U2
		",'gateway_public_key':" K1 ",'gateway_endpoints':"
		"['203.0.113.5:51820'],'gateway_ipv4':" V4 ",'gateway_ipv6':" V6
		",'site_id':" U3 ",'preshared_key':" K2 ",'expires_at':" EXP
		"}",
		"'3'") },
	{ PROTO_SIG_AUTHORIZATION_CREATION_FAILED, FROM, CL,
	  FRAME("client", "authorization_creation_failed",
		"{'resource_id':" U1 ",'reason':'offline'}", "'3'") },
	{ PROTO_SIG_RESOURCE_CREATED_OR_UPDATED, FROM, CL,
	  FRAME("client", "resource_created_or_updated",
		CLRES("ip", "10.0.0.5"), "null") },
	{ PROTO_SIG_RESOURCE_DELETED, FROM, CL,
	  FRAME("client", "resource_deleted", "{'id':" U1 "}", "null") },
	{ PROTO_SIG_INIT_DONE, FROM, GW,
	  FRAME("gateway", "init_done", "{}", "null") },
	{ PROTO_SIG_INIT_DONE, FROM, CL,
	  FRAME("client", "init_done", "{}", "null") },
};

#define N_SAMPLES (sizeof(samples) / sizeof(*samples))

/* The sample's text with ' turned into ". */
static char *text_of(const struct sample *s)
{
	char *t = strdup(s->text);

	ck_assert_ptr_nonnull(t);
	for (char *p = t; *p; p++)
		if (*p == '\'')
			*p = '"';
	return t;
}

static int parse_len(const struct sample *s, const char *text, size_t len,
		     struct proto_sig_error *err)
{
	struct proto_sig_msg m;
	int ret = proto_sig_parse(s->dir, s->role, text, len, &m, err);

	if (ret) {
		/* A refusal always says why, and leaves nothing behind. */
		ck_assert_ptr_nonnull(err->reason);
		ck_assert_int_ne(err->message[0], '\0');
		ck_assert_ptr_null(m.root);
	} else {
		ck_assert_int_eq(m.kind, s->kind);
		proto_sig_free(&m);
	}
	return ret;
}

static int parse_text(const struct sample *s, const char *text,
		      struct proto_sig_error *err)
{
	return parse_len(s, text, strlen(text), err);
}

/*
 * With FZ_SIG_CORPUS set, each valid message goes to that folder too:
 * the fuzzer's seeds (portal/fuzz/corpus/) are made this way.
 */
static void save_seed(const struct sample *s, const char *text, size_t len)
{
	const char *dir = getenv("FZ_SIG_CORPUS");
	char path[512];
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/%s-%s-%d", dir,
		 s->role == GW ? "gateway" : "client",
		 proto_sig_event_name(s->kind), (int)s->kind);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	fclose(f);
}

/* Parses, builds, parses what was built and builds it again. */
START_TEST(test_round_trip)
{
	const struct sample *s = &samples[_i];
	struct proto_sig_msg m, m2;
	struct proto_sig_error err;
	char *text = text_of(s), *out, *out2;
	size_t len, len2;

	ck_assert_msg(!proto_sig_parse(s->dir, s->role, text, strlen(text), &m,
				       &err),
		      "%s: %s", text, err.message);
	ck_assert_int_eq(m.kind, s->kind);
	ck_assert_str_eq(proto_sig_event_name(m.kind),
			 json_object_get_string(
				 json_object_object_get(m.root, "event")));
	ck_assert_int_eq(proto_sig_build(&m, &out, &len, &err), 0);
	ck_assert_uint_eq(strlen(out), len);
	ck_assert_int_eq(proto_sig_parse(s->dir, s->role, out, len, &m2, &err),
			 0);
	ck_assert_int_eq(proto_sig_build(&m2, &out2, &len2, &err), 0);
	ck_assert_str_eq(out, out2);
	save_seed(s, out, len);
	ck_assert_str_eq(m.topic, m2.topic);
	if (m.ref)
		ck_assert_str_eq(m.ref, m2.ref);
	else
		ck_assert_ptr_null(m2.ref);
	proto_sig_free(&m);
	proto_sig_free(&m2);
	free(out);
	free(out2);
	free(text);
}
END_TEST

START_TEST(test_truncated)
{
	const struct sample *s = &samples[_i];
	struct proto_sig_error err;
	char *text = text_of(s);
	size_t len = strlen(text);

	for (size_t i = 0; i < len; i++)
		ck_assert_msg(parse_len(s, text, i, &err) != 0, "%zu: %.*s", i,
			      (int)i, text);
	ck_assert_int_eq(parse_len(s, text, len, &err), 0);
	free(text);
}
END_TEST

/* Padded with spaces to 16 KiB it passes; one byte more does not. */
START_TEST(test_oversized)
{
	const struct sample *s = &samples[_i];
	struct proto_sig_error err;
	char *text = text_of(s), *big = malloc(PROTO_SIG_MAX_MSG + 2);
	size_t len = strlen(text);

	ck_assert_ptr_nonnull(big);
	memset(big, ' ', PROTO_SIG_MAX_MSG + 1);
	memcpy(big, text, len);
	big[PROTO_SIG_MAX_MSG + 1] = '\0';
	ck_assert_int_eq(parse_len(s, big, PROTO_SIG_MAX_MSG, &err), 0);
	ck_assert_int_eq(parse_len(s, big, PROTO_SIG_MAX_MSG + 1, &err),
			 -E2BIG);
	ck_assert_str_eq(err.reason, "too_large");
	free(big);
	free(text);
}
END_TEST

/* --- Mutations, member by member --- */

struct mut {
	const struct sample *s;
	json_object *root;
	unsigned int tried;
};

/* Parses the tree as it now is. */
static int try_tree(struct mut *c, struct proto_sig_error *err)
{
	const char *text =
		json_object_to_json_string_ext(c->root, JSON_C_TO_STRING_PLAIN);

	c->tried++;
	return parse_text(c->s, text, err);
}

static void expect(struct mut *c, bool ok, const char *path, const char *what)
{
	struct proto_sig_error err;
	int ret = try_tree(c, &err);

	ck_assert_msg(ok ? ret == 0 : ret != 0, "%s: %s at %s: %s (%s)",
		      proto_sig_event_name(c->s->kind), what, path,
		      ok ? err.message : "accepted",
		      json_object_to_json_string(c->root));
}

static bool optional_path(const char *path)
{
	static const char *const tails[] = {
		".search_domain",
		".address_description",
		".port_range_end", /* the start alone is one port */
		"response.reason",
	};
	size_t n = strlen(path);

	if (!strcmp(path, "ref"))
		return true;
	for (size_t i = 0; i < sizeof(tails) / sizeof(*tails); i++) {
		size_t t = strlen(tails[i]);

		if (n >= t && !strcmp(path + n - t, tails[i]))
			return true;
	}
	return false;
}

/* Puts v (a new reference, taken) in the slot; returns the old value. */
static json_object *swap(json_object *parent, const char *key, size_t idx,
			 json_object *v)
{
	json_object *old;

	if (key) {
		old = json_object_get(json_object_object_get(parent, key));
		json_object_object_add(parent, key, v);
	} else {
		old = json_object_get(json_object_array_get_idx(parent, idx));
		json_object_array_put_idx(parent, idx, v);
	}
	return old;
}

static void put_back(json_object *parent, const char *key, size_t idx,
		     json_object *old)
{
	json_object_put(swap(parent, key, idx, old));
}

/* Tries v in the slot, expecting ok or a refusal. */
static void try_value(struct mut *c, json_object *parent, const char *key,
		      size_t idx, json_object *v, bool ok, const char *path,
		      const char *what)
{
	json_object *old = swap(parent, key, idx, v);

	expect(c, ok, path, what);
	put_back(parent, key, idx, old);
}

static void try_string(struct mut *c, json_object *parent, const char *key,
		       size_t idx, const char *s, const char *path)
{
	try_value(c, parent, key, idx, json_object_new_string(s), false, path,
		  s);
}

static json_object *other_type(json_type t, int which)
{
	static const json_type all[] = { json_type_boolean, json_type_double,
					 json_type_int,	    json_type_object,
					 json_type_array,   json_type_string };
	json_type want = all[which];

	if (want == t)
		return NULL;
	switch (want) {
	case json_type_boolean:
		return json_object_new_boolean(1);
	case json_type_double:
		return json_object_new_double(1.5);
	case json_type_int:
		return json_object_new_int(7);
	case json_type_object:
		return json_object_new_object();
	case json_type_array:
		return json_object_new_array();
	default:
		return json_object_new_string("x");
	}
}

static void wrong_types(struct mut *c, json_object *parent, const char *key,
			size_t idx, json_object *val, const char *path)
{
	json_type t = json_object_get_type(val);

	for (int i = 0; i < 6; i++) {
		json_object *v = other_type(t, i);

		/* A null ref may well be a string. */
		if (v && !strcmp(path, "ref") &&
		    json_object_is_type(v, json_type_string)) {
			json_object_put(v);
			continue;
		}
		if (v)
			try_value(c, parent, key, idx, v, false, path,
				  "wrong type");
	}
	if (key)
		try_value(c, parent, key, idx, NULL, optional_path(path), path,
			  "null");
}

static bool looks_like(json_object *val, size_t len, const char *chars)
{
	const char *s = json_object_get_string(val);

	return strlen(s) == len && strspn(s, chars) == len;
}

#define B64 "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="

/* Values refused in place of a key, a UUID, an address or endpoint. */
static void bad_values(struct mut *c, json_object *parent, const char *key,
		       size_t idx, json_object *val, const char *path)
{
	static const char *const keys[] = {
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==", /* 31 */
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g", /* 33 */
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", /* no = */
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd!h8=",
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=A",
		"",
	};
	static const char *const uuids[] = {
		"0b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c1",
		"0b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c111",
		"0b8d7c4e2f6a-4d1e-9c3b-5a7e8f9d0c11-",
		"0b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c1g",
		"",
	};
	static const char *const ips[] = {
		"300.1.1.1",   "1.2.3",	    "fd00::g", "10.0.0.1/32",
		"fd00::1/128", " 10.0.0.1", "",	       "example.com",
	};
	static const char *const endpoints[] = {
		"203.0.113.5",	   "203.0.113.5:",
		"203.0.113.5:0",   "203.0.113.5:65536",
		"203.0.113.5:x",   "2001:db8::5:51820",
		"[203.0.113.5]:1", "[2001:db8::5]51820",
		"[2001:db8::5:1",  ":51820",
	};
	const char *s = json_object_get_string(val);

	if (looks_like(val, 44, B64))
		for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++)
			try_string(c, parent, key, idx, keys[i], path);
	if (looks_like(val, 36, "0123456789abcdef-"))
		for (size_t i = 0; i < sizeof(uuids) / sizeof(*uuids); i++)
			try_string(c, parent, key, idx, uuids[i], path);
	if (strstr(path, "ipv4") || strstr(path, "ipv6") ||
	    strstr(path, "upstream_dns"))
		for (size_t i = 0; i < sizeof(ips) / sizeof(*ips); i++)
			try_string(c, parent, key, idx, ips[i], path);
	/* And each family where the other one belongs. */
	if (strstr(path, "ipv4"))
		try_string(c, parent, key, idx, "fd00:2021:1111::1", path);
	if (strstr(path, "ipv6"))
		try_string(c, parent, key, idx, "100.64.0.1", path);
	if (strstr(path, "endpoints"))
		for (size_t i = 0; i < sizeof(endpoints) / sizeof(*endpoints);
		     i++)
			try_string(c, parent, key, idx, endpoints[i], path);
	(void)s;
}

static void too_long(struct mut *c, json_object *parent, const char *key,
		     size_t idx, const char *path)
{
	char s[PROTO_SIG_MAX_STRING + 2];

	memset(s, 'a', sizeof(s));
	s[PROTO_SIG_MAX_STRING + 1] = '\0';
	try_string(c, parent, key, idx, s, path);
}

static void too_many(struct mut *c, json_object *parent, const char *key,
		     size_t idx, json_object *val, const char *path)
{
	json_object *first = json_object_array_get_idx(val, 0);
	json_object *big = json_object_new_array();

	for (int i = 0; i <= PROTO_SIG_MAX_ARRAY; i++)
		json_object_array_add(big, first ? json_object_get(first) :
						   json_object_new_int(i));
	try_value(c, parent, key, idx, big, false, path, "65 elements");
}

static void extra(struct mut *c, json_object *obj, const char *path)
{
	/* Flat: the deepest objects have no level to spare. */
	json_object_object_add(obj, "zz_extra", json_object_new_string("x"));
	expect(c, true, path, "extra member");
	json_object_object_del(obj, "zz_extra");
}

static void walk(struct mut *c, json_object *parent, const char *key,
		 size_t idx, json_object *val, const char *path);

static void walk_members(struct mut *c, json_object *obj, const char *path)
{
	size_t n = (size_t)json_object_object_length(obj), i = 0;
	char **keys = calloc(n + 1, sizeof(*keys)), sub[256];

	/* Keys first: deleting and putting back reorders the object. */
	json_object_object_foreach(obj, k, v)
	{
		(void)v;
		keys[i++] = strdup(k);
	}
	extra(c, obj, path);
	for (i = 0; i < n; i++) {
		json_object *old =
			json_object_get(json_object_object_get(obj, keys[i]));

		snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "",
			 keys[i]);
		json_object_object_del(obj, keys[i]);
		if (!optional_path(sub))
			expect(c, false, sub, "missing");
		json_object_object_add(obj, keys[i], old);
		walk(c, obj, keys[i], 0, old, sub);
		free(keys[i]);
	}
	free(keys);
}

static void walk(struct mut *c, json_object *parent, const char *key,
		 size_t idx, json_object *val, const char *path)
{
	char sub[256];

	wrong_types(c, parent, key, idx, val, path);
	switch (json_object_get_type(val)) {
	case json_type_string:
		bad_values(c, parent, key, idx, val, path);
		too_long(c, parent, key, idx, path);
		break;
	case json_type_object:
		walk_members(c, val, path);
		break;
	case json_type_array:
		too_many(c, parent, key, idx, val, path);
		for (size_t i = 0; i < json_object_array_length(val); i++) {
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			walk(c, val, NULL, i, json_object_array_get_idx(val, i),
			     sub);
		}
		break;
	default:
		break;
	}
}

START_TEST(test_mutations)
{
	char *text = text_of(&samples[_i]);
	struct mut c = { .s = &samples[_i], .root = json_tokener_parse(text) };

	ck_assert_ptr_nonnull(c.root);
	walk_members(&c, c.root, "");
	/* Whatever was tried, the tree is back to the valid sample. */
	expect(&c, true, "", "restored");
	ck_assert_uint_gt(c.tried, 10);
	json_object_put(c.root);
	free(text);
}
END_TEST

/* Nesting: 8 levels anywhere in the frame pass, 9 do not. */
START_TEST(test_depth)
{
	const struct sample *s = &samples[_i];
	struct proto_sig_error err;
	char *text = text_of(s), buf[2048];

	text[strlen(text) - 1] = '\0'; /* the closing brace */
	snprintf(buf, sizeof(buf), "%s,\"x\":[[[[[[[1]]]]]]]}", text);
	ck_assert_int_eq(parse_text(s, buf, &err), 0);
	snprintf(buf, sizeof(buf), "%s,\"x\":[[[[[[[[1]]]]]]]]}", text);
	ck_assert_int_eq(parse_text(s, buf, &err), -EINVAL);
	ck_assert_str_eq(err.reason, "too_deep");
	free(text);
}
END_TEST

START_TEST(test_malformed)
{
	static const char *const bad[] = {
		"",
		" ",
		"{",
		"}",
		"[]",
		"null",
		"1",
		"\"x\"",
		"{\"topic\":}",
		"{'topic':'client'}",
		"{\"topic\":\"client\",,}",
		"{\"topic\":\"client\"} x",
		"{\"topic\":\"client\"}{}",
		"{\"event\":\"heartbeat\",\"topic\":\"phoenix\",\"payload\":{}}"
		"\x01",
		"\xff\xfe{}",
		"{\"event\":\"heartbeat\",\"topic\":\"phoenix\"}",
		"{\"event\":\"heartbeat\",\"payload\":{}}",
		"{\"topic\":\"phoenix\",\"payload\":{}}",
		"{\"event\":\"beat\",\"topic\":\"phoenix\",\"payload\":{}}",
		"{\"event\":\"heartbeat\",\"topic\":\"x\",\"payload\":{}}",
		"{\"event\":\"heartbeat\",\"topic\":\"phoenix\",\"payload\":[]}",
		"{\"event\":\"heartbeat\",\"topic\":\"phoenix\",\"payload\":{},"
		"\"ref\":1}",
		"{\"event\":\"heartbeat\",\"topic\":\"phoenix\",\"payload\":{},"
		"\"ref\":\"a\\u0000b\"}",
		"{\"event\":\"init\",\"topic\":\"client\",\"payload\":{}}",
	};
	const struct sample hb = { PROTO_SIG_HEARTBEAT, TO, CL, NULL };
	struct proto_sig_error err;
	char nul[] = "{\"event\":\"heartbeat\",\"topic\":\"phoenix\","
		     "\"payload\":{}}\0";

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		ck_assert_msg(parse_text(&hb, bad[i], &err) != 0, "%s", bad[i]);
	ck_assert_int_ne(parse_len(&hb, nul, sizeof(nul) - 1, &err), 0);
	ck_assert_int_eq(parse_len(&hb, nul, sizeof(nul) - 2, &err), 0);
	ck_assert_int_eq(parse_text(&hb,
				    " \n{\"event\":\"heartbeat\","
				    "\"topic\":\"phoenix\",\"payload\":{},"
				    "\"ref\":null} \n",
				    &err),
			 0);
}
END_TEST

/* The same event names mean different messages by direction and role. */
START_TEST(test_direction_and_role)
{
	struct proto_sig_msg m;
	struct proto_sig_error err;

	for (size_t i = 0; i < N_SAMPLES; i++) {
		const struct sample *s = &samples[i];
		char *text = text_of(s);
		enum proto_sig_dir other = s->dir == TO ? FROM : TO;

		ck_assert_int_ne(proto_sig_parse(other, s->role, text,
						 strlen(text), &m, &err),
				 0);
		ck_assert_str_eq(err.reason, "unknown_event");
		free(text);
	}
	/* A gateway's join on the client topic, and the reverse. */
	ck_assert_int_ne(proto_sig_parse(TO, CL, "", 0, &m, &err), 0);
	{
		char *t = text_of(&samples[1]);

		ck_assert_int_ne(
			proto_sig_parse(TO, GW, t, strlen(t), &m, &err), 0);
		ck_assert_str_eq(err.reason, "wrong_topic");
		free(t);
	}
}
END_TEST

/* Messages made in C, as the portal and the agents will make them. */
START_TEST(test_build_from_structs)
{
	struct proto_sig_endpoint eps[2] = { 0 };
	struct proto_sig_site site = { .name = "hq" };
	struct proto_sig_resource res = { .name = "db",
					  .type = FZ_RESADDR_CIDR,
					  .address = "10.2.0.0/16",
					  .sites = &site,
					  .n_sites = 1 };
	struct proto_sig_msg m = { .kind = PROTO_SIG_CLIENT_INIT, .ref = "9" };
	struct proto_sig_msg back;
	struct proto_sig_error err;
	struct fz_filter_error ferr;
	const char *why;
	char *out;
	size_t len;

	strcpy(res.id.s, "0B8D7C4E-2F6A-4D1E-9C3B-5A7E8F9D0C11");
	strcpy(site.id.s, "2b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c13");
	ck_assert_int_eq(fz_filter_parse("tcp/5432, icmp", res.filters,
					 &res.n_filters, &ferr),
			 0);
	ck_assert_int_eq(fz_cidr_parse(&m.client_init.interface.ipv4,
				       "100.64.0.9", 10, &why),
			 0);
	ck_assert_int_eq(fz_cidr_parse(&m.client_init.interface.ipv6,
				       "fd00:2021:1111::9", 17, &why),
			 0);
	m.client_init.resources = &res;
	m.client_init.n_resources = 1;
	ck_assert_int_eq(proto_sig_build(&m, &out, &len, &err), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"topic\":\"client\""));
	ck_assert_ptr_nonnull(
		strstr(out, "\"id\":\"0b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c11\""));
	ck_assert_ptr_null(strstr(out, "search_domain"));
	ck_assert_int_eq(proto_sig_parse(FROM, CL, out, len, &back, &err), 0);
	ck_assert_uint_eq(back.client_init.n_resources, 1);
	ck_assert_str_eq(back.client_init.resources[0].address, "10.2.0.0/16");
	ck_assert_uint_eq(back.client_init.resources[0].n_filters, 2);
	ck_assert_uint_eq(back.client_init.resources[0].filters[0].port_start,
			  5432);
	ck_assert_str_eq(back.client_init.resources[0].sites[0].name, "hq");
	ck_assert_ptr_null(back.client_init.interface.search_domain);
	ck_assert_str_eq(back.ref, "9");
	proto_sig_free(&back);
	free(out);

	/* What a parser would refuse is not built either. */
	res.address = "10.2.0.1/16";
	ck_assert_int_eq(proto_sig_build(&m, &out, &len, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "host bits"));
	res.address = "10.2.0.0/16";
	res.filters[0].port_start = 0;
	ck_assert_int_eq(proto_sig_build(&m, &out, &len, &err), -EINVAL);
	res.filters[0].port_start = 5432;
	strcpy(site.id.s, "not-a-uuid");
	ck_assert_int_eq(proto_sig_build(&m, &out, &len, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "not a UUID"));
	strcpy(site.id.s, "2b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c13");
	m.client_init.interface.ipv4 = m.client_init.interface.ipv6;
	ck_assert_int_eq(proto_sig_build(&m, &out, &len, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "payload.interface.ipv4"));

	/* A gateway's join with an endpoint of each family. */
	m = (struct proto_sig_msg){ .kind = PROTO_SIG_GATEWAY_JOIN };
	m.gateway_join.listen_port = 51820;
	m.gateway_join.name = "gw";
	m.gateway_join.version = "1";
	m.gateway_join.endpoints = eps;
	m.gateway_join.n_endpoints = 2;
	fz_cidr_parse(&eps[0].ip, "203.0.113.5", 11, &why);
	eps[0].port = 1;
	fz_cidr_parse(&eps[1].ip, "2001:db8::5", 11, &why);
	eps[1].port = 65535;
	ck_assert_int_eq(proto_sig_build(&m, &out, &len, &err), 0);
	ck_assert_ptr_nonnull(strstr(out, "[\"203.0.113.5:1\","
					  "\"[2001:db8::5]:65535\"]"));
	ck_assert_int_eq(proto_sig_parse(TO, GW, out, len, &back, &err), 0);
	ck_assert_uint_eq(back.gateway_join.endpoints[1].port, 65535);
	ck_assert_mem_eq(back.gateway_join.endpoints[1].ip.addr, eps[1].ip.addr,
			 16);
	proto_sig_free(&back);
	free(out);
	eps[1].port = 0;
	ck_assert_int_eq(proto_sig_build(&m, &out, &len, &err), -EINVAL);
	eps[1].port = 1;
	m.gateway_join.name = NULL;
	ck_assert_int_eq(proto_sig_build(&m, &out, &len, &err), -EINVAL);
	ck_assert_str_eq(err.reason, "missing_field");
	m.kind = PROTO_SIG_KIND_COUNT;
	ck_assert_int_eq(proto_sig_build(&m, &out, &len, &err), -EINVAL);
}
END_TEST

/* Bounds hold for what is built: 65 elements, 16 KiB, 1025 bytes. */
START_TEST(test_build_bounds)
{
	static struct proto_sig_resource res[PROTO_SIG_MAX_ARRAY + 1];
	static char name[PROTO_SIG_MAX_STRING + 2];
	struct proto_sig_msg m = { .kind = PROTO_SIG_CLIENT_INIT }, back;
	struct proto_sig_error err;
	const char *why;
	char *out;
	size_t len;

	fz_cidr_parse(&m.client_init.interface.ipv4, "100.64.0.9", 10, &why);
	fz_cidr_parse(&m.client_init.interface.ipv6, "fd00::9", 7, &why);
	for (size_t i = 0; i <= PROTO_SIG_MAX_ARRAY; i++) {
		strcpy(res[i].id.s, "0b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c11");
		res[i].name = "r";
		res[i].type = FZ_RESADDR_IP;
		res[i].address = "10.0.0.1";
	}
	m.client_init.resources = res;
	m.client_init.n_resources = PROTO_SIG_MAX_ARRAY;
	ck_assert_int_eq(proto_sig_build(&m, &out, &len, &err), 0);
	ck_assert_int_eq(proto_sig_parse(FROM, CL, out, len, &back, &err), 0);
	ck_assert_uint_eq(back.client_init.n_resources, PROTO_SIG_MAX_ARRAY);
	proto_sig_free(&back);
	free(out);
	m.client_init.n_resources = PROTO_SIG_MAX_ARRAY + 1;
	ck_assert_int_eq(proto_sig_build(&m, &out, &len, &err), -E2BIG);
	memset(name, 'n', PROTO_SIG_MAX_STRING);
	res[0].name = name;
	m.client_init.n_resources = 1;
	ck_assert_int_eq(proto_sig_build(&m, &out, &len, &err), 0);
	free(out);
	name[PROTO_SIG_MAX_STRING] = 'n';
	ck_assert_int_eq(proto_sig_build(&m, &out, &len, &err), -E2BIG);
	name[PROTO_SIG_MAX_STRING] = '\0';
	for (size_t i = 0; i < 20; i++)
		res[i].name = name;
	m.client_init.n_resources = 20;
	ck_assert_int_eq(proto_sig_build(&m, &out, &len, &err), -E2BIG);
	ck_assert_str_eq(err.reason, "too_large");
	ck_assert_ptr_null(out);
}
END_TEST

Suite *sig_suite(void)
{
	Suite *s = suite_create("sig");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_round_trip, 0, N_SAMPLES);
	tcase_add_loop_test(tc, test_truncated, 0, N_SAMPLES);
	tcase_add_loop_test(tc, test_oversized, 0, N_SAMPLES);
	tcase_add_loop_test(tc, test_mutations, 0, N_SAMPLES);
	tcase_add_loop_test(tc, test_depth, 0, N_SAMPLES);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_direction_and_role);
	tcase_add_test(tc, test_build_from_structs);
	tcase_add_test(tc, test_build_bounds);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
