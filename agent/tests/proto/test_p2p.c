// SPDX-License-Identifier: GPL-2.0
/*
 * The p2p control codec (p2p.c): what it accepts, and every way a
 * client's packet can be wrong, each with its drop reason.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "proto/p2p.h"
#include "../suites.h"

#define ID "0b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c11"

/* Header (event, then seven zero bytes) and body. */
static size_t packet(uint8_t *buf, uint8_t event, const char *body)
{
	size_t n = strlen(body);

	memset(buf, 0, 8);
	buf[0] = event;
	memcpy(buf + 8, body, n);
	return 8 + n;
}

static enum proto_p2p_drop decode(uint8_t event, const char *body,
				  struct proto_p2p_msg *m)
{
	uint8_t buf[FZ_MAX_CONTROL_PAYLOAD + 64];

	return proto_p2p_decode(buf, packet(buf, event, body), m);
}

START_TEST(test_decode_valid)
{
	struct proto_p2p_msg m;
	char ip[INET6_ADDRSTRLEN];

	ck_assert_int_eq(decode(0,
				"{\"resource\": \"" ID
				"\", \"domain\": \"GitLab.x.\","
				" \"proxy_ips\": [\"100.96.0.1\", "
				"\"fd00:2021:1111:8000::1\"], \"future\": 1}\n",
				&m),
			 PROTO_P2P_OK);
	ck_assert_int_eq(m.event, PROTO_P2P_ASSIGNED_IPS);
	ck_assert_str_eq(m.domain, "gitlab.x");
	ck_assert_uint_eq(m.resource[0], 0x0b);
	ck_assert_uint_eq(m.n_proxy_ips, 2);
	inet_ntop(AF_INET6, m.proxy_ips[1].addr, ip, sizeof(ip));
	ck_assert_str_eq(ip, "fd00:2021:1111:8000::1");
	ck_assert_uint_eq(m.proxy_ips[0].cidr, 32);
	ck_assert_int_eq(decode(1,
				"{\"resource\":\"" ID "\",\"domain\":\"a.b\","
				"\"status\":\"Inactive\"}",
				&m),
			 PROTO_P2P_OK);
	ck_assert(!m.active);
	ck_assert_int_eq(decode(2, "", &m), PROTO_P2P_OK);
	ck_assert_int_eq(m.event, PROTO_P2P_GOODBYE);
}
END_TEST

START_TEST(test_decode_malformed)
{
#define A(ips) \
	"{\"resource\":\"" ID "\",\"domain\":\"a.b\",\"proxy_ips\":" ips "}"
	static const struct {
		uint8_t event;
		const char *body;
		enum proto_p2p_drop want;
	} cases[] = {
		{ 3, "", PROTO_P2P_DROP_UNKNOWN_EVENT },
		{ 255, "{}", PROTO_P2P_DROP_UNKNOWN_EVENT },
		{ 0, "", PROTO_P2P_DROP_BAD_JSON },
		{ 0, "{", PROTO_P2P_DROP_BAD_JSON },
		{ 0, "[]", PROTO_P2P_DROP_BAD_JSON },
		{ 0, "\"x\"", PROTO_P2P_DROP_BAD_JSON },
		{ 0, A("[\"100.96.0.1\"]") "x", PROTO_P2P_DROP_BAD_JSON },
		{ 0, A("[\"100.96.0.1\"]") "{}", PROTO_P2P_DROP_BAD_JSON },
		{ 0, "{\"a\":[[[[[[1]]]]]]}", PROTO_P2P_DROP_BAD_JSON },
		{ 0, "{}", PROTO_P2P_DROP_BAD_FIELD },
		{ 0, "{\"resource\":1,\"domain\":\"a.b\",\"proxy_ips\":[]}",
		  PROTO_P2P_DROP_BAD_FIELD },
		{ 0, "{\"resource\":\"nope\",\"domain\":\"a.b\"}",
		  PROTO_P2P_DROP_BAD_FIELD },
		{ 0,
		  "{\"resource\":\"" ID "\",\"domain\":\"a b\","
		  "\"proxy_ips\":[\"100.96.0.1\"]}",
		  PROTO_P2P_DROP_BAD_FIELD },
		{ 0,
		  "{\"resource\":\"" ID "\",\"domain\":[],"
		  "\"proxy_ips\":[\"100.96.0.1\"]}",
		  PROTO_P2P_DROP_BAD_FIELD },
		{ 0, "{\"resource\":\"" ID "\",\"domain\":\"a.b\"}",
		  PROTO_P2P_DROP_BAD_FIELD },
		{ 0, A("\"100.96.0.1\""), PROTO_P2P_DROP_BAD_FIELD },
		{ 0, A("[1]"), PROTO_P2P_DROP_BAD_FIELD },
		{ 0, A("[null]"), PROTO_P2P_DROP_BAD_FIELD },
		{ 0, A("[]"), PROTO_P2P_DROP_BAD_PROXY_IP },
		{ 0, A("[\"100.64.0.1\"]"), PROTO_P2P_DROP_BAD_PROXY_IP },
		{ 0, A("[\"100.128.0.1\"]"), PROTO_P2P_DROP_BAD_PROXY_IP },
		{ 0, A("[\"fd00:2021:1111::1\"]"),
		  PROTO_P2P_DROP_BAD_PROXY_IP },
		{ 0, A("[\"fd00:2021:1111:8020::1\"]"),
		  PROTO_P2P_DROP_BAD_PROXY_IP },
		{ 0, A("[\"100.96.0.1/32\"]"), PROTO_P2P_DROP_BAD_PROXY_IP },
		{ 0, A("[\"host\"]"), PROTO_P2P_DROP_BAD_PROXY_IP },
		{ 0, A("[\"100.96.0.1\",\"100.96.0.1\"]"),
		  PROTO_P2P_DROP_BAD_PROXY_IP },
		{ 0,
		  A("[\"100.96.0.1\",\"100.96.0.2\",\"100.96.0.3\","
		    "\"100.96.0.4\",\"100.96.0.5\",\"100.96.0.6\","
		    "\"100.96.0.7\",\"100.96.0.8\",\"100.96.0.9\"]"),
		  PROTO_P2P_DROP_BAD_PROXY_IP },
		{ 1, "{\"resource\":\"" ID "\",\"domain\":\"a.b\"}",
		  PROTO_P2P_DROP_BAD_FIELD },
		{ 1,
		  "{\"resource\":\"" ID "\",\"domain\":\"a.b\","
		  "\"status\":\"active\"}",
		  PROTO_P2P_DROP_BAD_FIELD },
		{ 1,
		  "{\"resource\":\"" ID "\",\"domain\":\"a.b\","
		  "\"status\":true}",
		  PROTO_P2P_DROP_BAD_FIELD },
	};
	struct proto_p2p_msg m;

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		ck_assert_msg(decode(cases[i].event, cases[i].body, &m) ==
				      cases[i].want,
			      "case %zu: got %s", i,
			      proto_p2p_drop_name(decode(cases[i].event,
							 cases[i].body, &m)));
#undef A
}
END_TEST

START_TEST(test_decode_framing)
{
	uint8_t buf[FZ_MAX_CONTROL_PAYLOAD + 1] = { 0 };
	struct proto_p2p_msg m;
	size_t n = packet(buf, 0, "{\"resource\":\"" ID "\"}");

	for (size_t len = 0; len < 8; len++)
		ck_assert_int_eq(proto_p2p_decode(buf, len, &m),
				 PROTO_P2P_DROP_TRUNCATED);
	ck_assert_int_eq(proto_p2p_decode(buf, sizeof(buf), &m),
			 PROTO_P2P_DROP_OVERSIZED);
	for (size_t i = 1; i < 8; i++) {
		buf[i] = 1;
		ck_assert_int_eq(proto_p2p_decode(buf, n, &m),
				 PROTO_P2P_DROP_BAD_HEADER);
		buf[i] = 0;
	}
	/* Cut anywhere, the JSON is never read past len. */
	for (size_t len = 8; len < n; len++)
		ck_assert_int_eq(proto_p2p_decode(buf, len, &m),
				 PROTO_P2P_DROP_BAD_JSON);
	buf[12] = '\0';
	ck_assert_int_eq(proto_p2p_decode(buf, n, &m), PROTO_P2P_DROP_BAD_JSON);
	for (int r = 0; r < PROTO_P2P_DROP_MAX; r++)
		ck_assert_ptr_nonnull(proto_p2p_drop_name(r));
}
END_TEST

START_TEST(test_encode)
{
	uint8_t buf[FZ_MAX_CONTROL_PAYLOAD], id[FZ_RESOURCE_ID_LEN];
	struct fz_cidr ips[2] = { { .family = AF_INET, .cidr = 32 },
				  { .family = AF_INET6, .cidr = 128 } };
	struct proto_p2p_msg m;
	int n;

	ck_assert_int_eq(fz_uuid_parse(ID, id), 0);
	n = proto_p2p_encode_domain_status(buf, sizeof(buf), id, "a.b", true);
	ck_assert_int_gt(n, 8);
	ck_assert_uint_eq(buf[0], PROTO_P2P_DOMAIN_STATUS);
	buf[n] = '\0';
	ck_assert_str_eq((char *)buf + 8,
			 "{\"resource\":\"" ID "\",\"domain\":\"a.b\","
			 "\"status\":\"Active\"}");
	ck_assert_int_eq(proto_p2p_decode(buf, (size_t)n, &m), PROTO_P2P_OK);
	ck_assert(m.active);
	ck_assert_int_eq(proto_p2p_encode_domain_status(buf, 20, id, "a.b",
							true),
			 -EINVAL);
	inet_pton(AF_INET, "100.96.0.7", ips[0].addr);
	inet_pton(AF_INET6, "fd00:2021:1111:8000::7", ips[1].addr);
	n = proto_p2p_encode_assigned_ips(buf, sizeof(buf), id, "a.b", ips, 2);
	ck_assert_int_gt(n, 8);
	ck_assert_int_eq(proto_p2p_decode(buf, (size_t)n, &m), PROTO_P2P_OK);
	ck_assert_uint_eq(m.n_proxy_ips, 2);
	ck_assert_mem_eq(m.proxy_ips[1].addr, ips[1].addr, 16);
	ck_assert_int_eq(proto_p2p_encode_goodbye(buf, sizeof(buf)), 8);
	ck_assert_int_eq(proto_p2p_decode(buf, 8, &m), PROTO_P2P_OK);
	ck_assert_int_eq(m.event, PROTO_P2P_GOODBYE);
}
END_TEST

Suite *p2p_suite(void)
{
	Suite *s = suite_create("p2p");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_decode_valid);
	tcase_add_test(tc, test_decode_malformed);
	tcase_add_test(tc, test_decode_framing);
	tcase_add_test(tc, test_encode);
	suite_add_tcase(s, tc);
	return s;
}
