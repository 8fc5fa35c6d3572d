// SPDX-License-Identifier: GPL-2.0
/*
 * core/psk.c: one key per pair, the same every time; core/tunnel.c: the
 * offset <-> address arithmetic and its bounds; core/ids.c: UUIDv4s;
 * core/names.c: the slug rule.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sodium.h>
#include <string.h>
#include <sys/socket.h>

#include "core/ids.h"
#include "core/names.h"
#include "core/psk.h"
#include "core/tunnel.h"
#include "lib/values.h"
#include "../suites.h"

#define C1 "0b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c11"
#define C2 "1b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c11"
#define G1 "2b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c11"

START_TEST(test_psk)
{
	uint8_t secret[32] = { 1 }, other[32] = { 2 }, pk1[32] = { 3 },
		pk2[32] = { 4 }, gpk[32] = { 5 };
	uint8_t a[32], b[32];

	ck_assert_int_eq(core_psk_derive(a, secret, C1, pk1, G1, gpk), 0);
	ck_assert_int_eq(core_psk_derive(b, secret, C1, pk1, G1, gpk), 0);
	ck_assert_mem_eq(a, b, 32);
	/* Upper-case ids are the same ids. */
	ck_assert_int_eq(core_psk_derive(b, secret,
					 "0B8D7C4E-2F6A-4D1E-9C3B-5A7E8F9D0C11",
					 pk1, G1, gpk),
			 0);
	ck_assert_mem_eq(a, b, 32);
	ck_assert_int_eq(core_psk_derive(b, secret, C2, pk1, G1, gpk), 0);
	ck_assert(memcmp(a, b, 32));
	ck_assert_int_eq(core_psk_derive(b, secret, C1, pk2, G1, gpk), 0);
	ck_assert(memcmp(a, b, 32));
	ck_assert_int_eq(core_psk_derive(b, other, C1, pk1, G1, gpk), 0);
	ck_assert(memcmp(a, b, 32));
	/* Swapping the roles gives another key. */
	ck_assert_int_eq(core_psk_derive(b, secret, G1, gpk, C1, pk1), 0);
	ck_assert(memcmp(a, b, 32));
	ck_assert_int_eq(core_psk_derive(b, secret, "nope", pk1, G1, gpk),
			 -EINVAL);
}
END_TEST

START_TEST(test_tunnel)
{
	struct fz_cidr v4, v6;
	char t4[16], t6[46];
	uint32_t o;

	ck_assert_int_eq(core_tunnel_format(1, t4, t6), 0);
	ck_assert_str_eq(t4, "100.64.0.1");
	ck_assert_str_eq(t6, "fd00:2021:1111::1");
	ck_assert_int_eq(core_tunnel_format(CORE_TUNNEL_MAX, t4, t6), 0);
	ck_assert_str_eq(t4, "100.95.255.254");
	ck_assert_str_eq(t6, "fd00:2021:1111::1f:fffe");
	ck_assert_int_eq(core_tunnel_format(0x12345, t4, t6), 0);
	ck_assert_str_eq(t4, "100.65.35.69");
	ck_assert_str_eq(t6, "fd00:2021:1111::1:2345");
	ck_assert_int_eq(core_tunnel_format(0, t4, t6), -ERANGE);
	ck_assert_int_eq(core_tunnel_format(CORE_TUNNEL_MAX + 1, t4, t6),
			 -ERANGE);
	ck_assert_int_eq(core_tunnel_addrs(0x12345, &v4, &v6), 0);
	ck_assert_int_eq(core_tunnel_offset(&v4, &o), 0);
	ck_assert_uint_eq(o, 0x12345);
	ck_assert_int_eq(core_tunnel_offset(&v6, &o), 0);
	ck_assert_uint_eq(o, 0x12345);
	/* Outside the ranges, or the network and all-ones addresses. */
	inet_pton(AF_INET, "100.96.0.1", v4.addr);
	ck_assert_int_eq(core_tunnel_offset(&v4, &o), -ERANGE);
	inet_pton(AF_INET, "100.95.255.255", v4.addr);
	ck_assert_int_eq(core_tunnel_offset(&v4, &o), -ERANGE);
	inet_pton(AF_INET, "100.64.0.0", v4.addr);
	ck_assert_int_eq(core_tunnel_offset(&v4, &o), -ERANGE);
	inet_pton(AF_INET6, "fd00:2021:1111::20:0", v6.addr);
	ck_assert_int_eq(core_tunnel_offset(&v6, &o), -ERANGE);
}
END_TEST

START_TEST(test_uuid)
{
	uint8_t id[16];
	char a[37], b[37];

	ck_assert_int_ge(sodium_init(), 0);
	core_uuid_new(a);
	core_uuid_new(b);
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(fz_uuid_parse(a, id), 0);
	ck_assert_uint_eq(id[6] >> 4, 4);
	ck_assert_uint_eq(id[8] >> 6, 2);
}
END_TEST

START_TEST(test_slug)
{
	const char *why = NULL;
	char long_slug[65];

	ck_assert(core_slug_valid("acme", NULL));
	ck_assert(core_slug_valid("a-1", NULL));
	ck_assert(core_slug_valid("9", NULL));
	memset(long_slug, 'a', 64);
	long_slug[64] = '\0';
	ck_assert(!core_slug_valid(long_slug, &why));
	ck_assert_str_eq(why, "must be 1 to 63 characters");
	long_slug[63] = '\0';
	ck_assert(core_slug_valid(long_slug, NULL));
	ck_assert(!core_slug_valid("", &why));
	ck_assert(!core_slug_valid("-a", &why));
	ck_assert_str_eq(why, "must start with a letter or digit");
	ck_assert(!core_slug_valid("Acme", &why));
	ck_assert(!core_slug_valid("a_b", &why));
	ck_assert(!core_slug_valid("a.b", &why));
	ck_assert(!core_slug_valid("a b", &why));
	ck_assert_ptr_nonnull(strstr(why, "lower-case letters"));
}
END_TEST

Suite *portal_core_suite(void)
{
	Suite *s = suite_create("portal_core");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_psk);
	tcase_add_test(tc, test_tunnel);
	tcase_add_test(tc, test_uuid);
	tcase_add_test(tc, test_slug);
	suite_add_tcase(s, tc);
	return s;
}
