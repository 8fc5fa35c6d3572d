// SPDX-License-Identifier: GPL-2.0
/*
 * gw_portal.c: the portal's gateway messages, parsed from JSON as the
 * portal sends them, as struct proto_auth; then hostile ones (what the
 * parser lets through but the gateway must not take): zero keys, tunnel
 * addresses out of range or shared, ids reused, resources given twice,
 * bad filters and expiries, oversized and odd names. A refusal leaves
 * the output empty and says which authorization.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lib/keys.h"
#include "lib/values.h"
#include "proto/gw_portal.h"
#include "proto/sig.h"
#include "../suites.h"

#define K1 "'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8='"
#define K2 "'ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CBgoM='"
#define K3 "'AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE='"
#define U1 "'0b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c11'"
#define U2 "'1b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c12'"
#define U4 "'3b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c14'"
#define U5 "'4b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c15'"
#define U6 "'5b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c16'"
#define NOW (1780000000ULL * 1000000000ULL)
#define EXP "1790000000"
#define EXP2 "1795000000"
#define PEER(id, key, n)                                            \
	"{'id':" id ",'public_key':" key ",'preshared_key':" K1 "," \
	"'ipv4':'100.64.0." n "','ipv6':'fd00:2021:1111::" n "'}"
#define FILTERS \
	"[{'protocol':'tcp','port_range_start':443,'port_range_end':443}]"
#define RES(id, name, type, addr)                                           \
	"{'id':" id ",'name':'" name "','type':'" type "','address':'" addr \
	"','filters':" FILTERS "}"
#define AUTHZ(peer, res, exp) \
	"{'client':" peer ",'resource':" res ",'expires_at':" exp "}"
#define INIT(list)                                                          \
	"{'topic':'gateway','event':'init','payload':{'interface':{'ipv4':" \
	"'100.64.0.1','ipv6':'fd00:2021:1111::1'},'authorizations':[" list  \
	"]},'ref':null}"

/* ' for ", so that the JSON reads in C. */
static void parse(const char *text, struct proto_sig_msg *m)
{
	char *json = strdup(text);
	struct proto_sig_error err;

	ck_assert_ptr_nonnull(json);
	for (char *p = json; *p; p++)
		if (*p == '\'')
			*p = '"';
	ck_assert_msg(!proto_sig_parse(PROTO_SIG_FROM_PORTAL, PROTO_SIG_GATEWAY,
				       json, strlen(json), m, &err),
		      "%s: %s", err.reason, err.message);
	free(json);
}

static void init_ok(const char *text, struct proto_auth *a, size_t *expired)
{
	struct proto_sig_msg m;
	char err[512];

	parse(text, &m);
	ck_assert_msg(!proto_auth_from_sig_init(&m.gateway_init, NOW, a,
						expired, err, sizeof(err)),
		      "%s", err);
	proto_sig_free(&m);
}

/* Refused: err names what (want), and nothing is left in the output. */
static void init_refused(const struct proto_sig_msg *m, const char *want)
{
	struct proto_auth a;
	size_t expired;
	char err[512];

	ck_assert_int_eq(proto_auth_from_sig_init(&m->gateway_init, NOW, &a,
						  &expired, err, sizeof(err)),
			 -EINVAL);
	ck_assert_msg(strstr(err, want), "'%s' lacks '%s'", err, want);
	ck_assert_ptr_null(a.clients);
	ck_assert_ptr_null(a.resources);
	ck_assert_uint_eq(a.n_clients + a.n_resources, 0);
}

static const char *ntop(const struct fz_cidr *c)
{
	static char buf[INET6_ADDRSTRLEN];

	return inet_ntop(c->family, c->addr, buf, sizeof(buf));
}

START_TEST(test_init)
{
	struct proto_auth a;
	const struct proto_auth_client *c;
	const struct proto_auth_resource *r;
	uint8_t key[FZ_KEY_LEN], id[FZ_RESOURCE_ID_LEN];
	size_t expired;

	ck_assert_int_eq(fz_keys_init(), 0);
	/* Two clients; one resource twice (one grant, the later expiry);
	 * one authorization long expired. */
	init_ok(INIT(AUTHZ(
			PEER(U5, K2, "2"),
			RES(U1, "gitlab", "dns", "**.gitlab.test"),
			EXP) "," AUTHZ(PEER(U5, K2, "2"),
				       RES(U1, "gitlab", "dns",
					   "**.gitlab.test"),
				       EXP2) "," AUTHZ(PEER(U6, K3, "3"),
						       RES(U2, "net", "cidr",
							   "10.1.0.0/16"),
						       EXP) "," AUTHZ(PEER(U6,
									   K3,
									   "3"),
								      RES(U4,
									  "old",
									  "ip",
									  "10.9.9.9"),
								      "1000")),
		&a, &expired);
	ck_assert_uint_eq(expired, 1);
	ck_assert_uint_eq(a.n_clients, 2);
	ck_assert_uint_eq(a.n_resources, 2);
	ck_assert_int_eq(fz_key_from_base64(key,
					    "ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7"
					    "fH1+f4CBgoM=",
					    44),
			 0);
	c = proto_auth_find_client(&a, key);
	ck_assert_ptr_nonnull(c);
	ck_assert(c->has_preshared_key && c->has_portal_id);
	ck_assert_uint_eq(c->preshared_key[1], 1);
	ck_assert_uint_eq(c->n_tunnel_ips, 2);
	ck_assert_str_eq(ntop(&c->tunnel_ips[0]), "100.64.0.2");
	ck_assert_uint_eq(c->tunnel_ips[0].cidr, 32);
	ck_assert_str_eq(ntop(&c->tunnel_ips[1]), "fd00:2021:1111::2");
	ck_assert_uint_eq(c->n_grants, 1);
	ck_assert_uint_eq(c->grants[0].expires_ns, 1795000000ULL * 1000000000);
	ck_assert_int_eq(
		fz_uuid_parse("4b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c15", id), 0);
	ck_assert_ptr_eq(proto_auth_find_client_by_portal_id(&a, id), c);
	r = &a.resources[c->grants[0].resource];
	ck_assert_str_eq(r->name, "gitlab");
	ck_assert_int_eq(r->type, PROTO_AUTH_RES_DNS);
	ck_assert_str_eq(r->domain, "**.gitlab.test");
	ck_assert_uint_eq(r->n_filters, 1);
	ck_assert_uint_eq(r->filters[0].port_start, 443);
	r = proto_auth_find_resource(&a,
				     "1b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c12");
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->type, PROTO_AUTH_RES_CIDR);
	ck_assert_str_eq(ntop(&r->cidr), "10.1.0.0");
	ck_assert_uint_eq(r->cidr.cidr, 16);
	ck_assert_ptr_null(proto_auth_find_resource(
		&a, "3b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c14"));
	proto_auth_free(&a);

	/* An empty init is an empty state, not an error. */
	init_ok(INIT(""), &a, &expired);
	ck_assert_uint_eq(a.n_clients + a.n_resources + expired, 0);
	proto_auth_free(&a);
}
END_TEST

/* A sample init of one authorization, to break one member at a time. */
static void sample(struct proto_sig_msg *m)
{
	parse(INIT(AUTHZ(PEER(U5, K2, "2"),
			 RES(U1, "gitlab", "cidr", "10.1.0.0/16"), EXP)),
	      m);
}

START_TEST(test_init_hostile)
{
	struct proto_sig_authorization *z;
	struct proto_sig_msg m;

	sample(&m);
	z = &m.gateway_init.authorizations[0];

	memset(z->client.public_key, 0, FZ_KEY_LEN);
	init_refused(&m, "authorizations[0]: client.public_key: all zero");
	z->client.public_key[0] = 1; /* 1: a point of small order */
	init_refused(&m, "client.public_key: a point of small order");
	z->client.public_key[1] = 1;

	z->client.ipv4.addr[0] = 10; /* 10.64.0.2 */
	init_refused(&m, "client.ipv4: not one address in 100.64.0.0/11");
	z->client.ipv4.addr[0] = 100;
	z->client.ipv4.cidr = 24;
	init_refused(&m, "client.ipv4: not one address");
	z->client.ipv4.cidr = 32;
	z->client.ipv6.addr[0] = 0x20;
	init_refused(&m,
		     "client.ipv6: not one address in fd00:2021:1111::/107");
	z->client.ipv6.addr[0] = 0xfd;
	z->client.ipv6.family = AF_INET;
	init_refused(&m, "client.ipv6");
	z->client.ipv6.family = AF_INET6;

	m.gateway_init.interface.ipv4.addr[1] = 1; /* 100.1.0.1 */
	init_refused(&m, "interface.ipv4");
	m.gateway_init.interface.ipv4.addr[1] = 64;

	strcpy(z->client.id.s, "not-a-uuid");
	init_refused(&m, "client.id: not a UUID");
	strcpy(z->client.id.s, "4b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c15");
	strcpy(z->resource.id.s, "4b8d7c4e");
	init_refused(&m, "resource.id: not a UUID");
	strcpy(z->resource.id.s, "0b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c11");

	z->resource.address = "10.1.0.0/33";
	init_refused(&m, "invalid address");
	z->resource.address = NULL;
	init_refused(&m, "invalid address: missing");
	z->resource.type = FZ_RESADDR_DNS;
	z->resource.address = "bad..name";
	init_refused(&m, "invalid address");
	z->resource.type = FZ_RESADDR_IP;
	z->resource.address = "10.1.0.0/16"; /* an ip is one address */
	init_refused(&m, "invalid address");
	z->resource.type = FZ_RESADDR_CIDR;
	z->resource.address = "10.1.0.0/16";

	z->resource.filters[0].proto = 99;
	init_refused(&m, "filters[0]: unknown protocol 99");
	z->resource.filters[0].proto = FZ_FILTER_TCP;
	z->resource.filters[0].port_start = 500;
	z->resource.filters[0].port_end = 400;
	init_refused(&m, "filters[0]: invalid port range 500-400");
	z->resource.filters[0].proto = FZ_FILTER_ICMP;
	init_refused(&m, "filters[0]: invalid port range");
	z->resource.filters[0].proto = FZ_FILTER_UDP;
	z->resource.filters[0].port_start = 0;
	z->resource.filters[0].port_end = 0;
	init_refused(&m, "filters[0]: invalid port range 0-0");
	z->resource.filters[0].port_start = 53;
	z->resource.filters[0].port_end = 53;
	z->resource.n_filters = FZ_MAX_FILTERS + 1;
	init_refused(&m, "filters: more than 16");
	z->resource.n_filters = 1;

	z->expires_at = 0;
	init_refused(&m, "expires_at 0: out of range");
	z->expires_at = -5;
	init_refused(&m, "out of range");
	z->expires_at = PROTO_SIG_MAX_TIME + 1;
	init_refused(&m, "out of range");
	z->expires_at = 1790000000;
	proto_sig_free(&m);
}
END_TEST

/* Two mentions that disagree: the portal's state is not one state. */
START_TEST(test_init_inconsistent)
{
	struct proto_sig_msg m;

	/* One key, two sets of tunnel addresses. */
	parse(INIT(AUTHZ(PEER(U5, K2, "2"), RES(U1, "a", "ip", "10.0.0.1"),
			 EXP) "," AUTHZ(PEER(U5, K2, "7"),
					RES(U2, "b", "ip", "10.0.0.2"), EXP)),
	      &m);
	init_refused(&m, "authorizations[1]: client ");
	init_refused(&m, "described twice, differently");
	proto_sig_free(&m);
	/* Two keys, one tunnel address: the second would take its flows. */
	parse(INIT(AUTHZ(PEER(U5, K2, "2"), RES(U1, "a", "ip", "10.0.0.1"),
			 EXP) "," AUTHZ(PEER(U6, K3, "2"),
					RES(U2, "b", "ip", "10.0.0.2"), EXP)),
	      &m);
	init_refused(&m, "its tunnel address belongs to another client");
	proto_sig_free(&m);
	/* Two keys, one portal id. */
	parse(INIT(AUTHZ(PEER(U5, K2, "2"), RES(U1, "a", "ip", "10.0.0.1"),
			 EXP) "," AUTHZ(PEER(U5, K3, "3"),
					RES(U2, "b", "ip", "10.0.0.2"), EXP)),
	      &m);
	init_refused(&m, "its id belongs to another key");
	proto_sig_free(&m);
	/* One resource id, two addresses. */
	parse(INIT(AUTHZ(PEER(U5, K2, "2"), RES(U1, "a", "ip", "10.0.0.1"),
			 EXP) "," AUTHZ(PEER(U6, K3, "3"),
					RES(U1, "a", "ip", "10.0.0.2"), EXP)),
	      &m);
	init_refused(&m, "resource 0b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c11: "
			 "described twice, differently");
	proto_sig_free(&m);
}
END_TEST

START_TEST(test_names_and_expiry)
{
	struct proto_sig_resource r = { 0 };
	struct proto_auth_resource out;
	char err[256], name[300];
	uint64_t ns;

	strcpy(r.id.s, "0b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c11");
	r.type = FZ_RESADDR_IP;
	r.address = "10.0.0.1";
	r.name = "GitLab (prod)\n\x1b[31m";
	ck_assert_int_eq(
		proto_auth_resource_from_sig(&r, &out, err, sizeof(err)), 0);
	ck_assert_str_eq(out.name, "GitLab__prod____31m");
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	r.name = name;
	ck_assert_int_eq(
		proto_auth_resource_from_sig(&r, &out, err, sizeof(err)), 0);
	ck_assert_uint_eq(strlen(out.name), PROTO_AUTH_NAME_MAX);
	r.name = "";
	ck_assert_int_eq(
		proto_auth_resource_from_sig(&r, &out, err, sizeof(err)), 0);
	ck_assert_str_eq(out.name, "0b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c11");

	ck_assert_int_eq(proto_auth_expiry_from_sig(1790000000, NOW, &ns, err,
						    sizeof(err)),
			 0);
	ck_assert_uint_eq(ns, 1790000000ULL * 1000000000ULL);
	ck_assert_int_eq(proto_auth_expiry_from_sig(1780000000, NOW, &ns, err,
						    sizeof(err)),
			 -ETIME);
	ck_assert_uint_eq(ns, 0);
	ck_assert_int_eq(proto_auth_expiry_from_sig(INT64_MAX, NOW, &ns, err,
						    sizeof(err)),
			 -EINVAL);
}
END_TEST

/* A zero preshared key is none (WireGuard's meaning). */
START_TEST(test_client)
{
	struct proto_sig_peer p = { 0 };
	struct proto_auth_client c;
	const char *why;
	char err[256];

	strcpy(p.id.s, "4b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c15");
	p.public_key[0] = 7;
	ck_assert_int_eq(fz_cidr_parse(&p.ipv4, "100.64.0.9", 10, &why), 0);
	ck_assert_int_eq(fz_cidr_parse(&p.ipv6, "fd00:2021:1111::9", 17, &why),
			 0);
	ck_assert_int_eq(proto_auth_client_from_sig(&p, &c, err, sizeof(err)),
			 0);
	ck_assert(!c.has_preshared_key);
	p.preshared_key[3] = 1;
	ck_assert_int_eq(proto_auth_client_from_sig(&p, &c, err, sizeof(err)),
			 0);
	ck_assert(c.has_preshared_key);
	/* A tunnel address in the mapped range is no tunnel address. */
	ck_assert_int_eq(fz_cidr_parse(&p.ipv4, "100.96.0.9", 10, &why), 0);
	ck_assert_int_eq(proto_auth_client_from_sig(&p, &c, err, sizeof(err)),
			 -EINVAL);
	ck_assert(sodium_is_zero((const uint8_t *)&c, sizeof(c)));
}
END_TEST

Suite *gw_portal_suite(void)
{
	Suite *s = suite_create("gw_portal");
	TCase *tc = tcase_create("gw_portal");

	tcase_add_test(tc, test_init);
	tcase_add_test(tc, test_init_hostile);
	tcase_add_test(tc, test_init_inconsistent);
	tcase_add_test(tc, test_names_and_expiry);
	tcase_add_test(tc, test_client);
	suite_add_tcase(s, tc);
	return s;
}
