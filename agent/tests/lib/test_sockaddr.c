// SPDX-License-Identifier: GPL-2.0
/* sockaddr.c: numeric ADDR:PORT, with and without brackets. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>

#include "lib/sockaddr.h"
#include "../suites.h"

static const char *roundtrip(const char *text, uint16_t def)
{
	static char out[FZ_SOCKADDR_TEXT_MAX];
	struct sockaddr_storage ss;
	const char *why;

	if (fz_sockaddr_parse(text, def, &ss, &why))
		return why;
	fz_sockaddr_format(out, &ss);
	return out;
}

START_TEST(test_parse)
{
	struct sockaddr_storage a, b;
	const char *why;

	ck_assert_str_eq(roundtrip("127.0.0.1:53", 0), "127.0.0.1:53");
	ck_assert_str_eq(roundtrip("127.0.0.1", 53), "127.0.0.1:53");
	ck_assert_str_eq(roundtrip("[::1]:5353", 0), "[::1]:5353");
	ck_assert_str_eq(roundtrip("::1", 53), "[::1]:53");
	ck_assert_str_eq(roundtrip("[fd00::1]", 53), "[fd00::1]:53");
	ck_assert_str_eq(roundtrip("127.0.0.1", 0), "missing port");
	ck_assert_str_eq(roundtrip("127.0.0.1:0", 0),
			 "port is not a number from 1 to 65535");
	ck_assert_str_eq(roundtrip("127.0.0.1:65536", 0),
			 "port is not a number from 1 to 65535");
	ck_assert_str_eq(roundtrip("127.0.0.1:+5", 0),
			 "port is not a number from 1 to 65535");
	ck_assert_str_eq(roundtrip("[::1", 53), "missing ']'");
	ck_assert_str_eq(roundtrip("[::1]x", 53), "junk after ']'");
	ck_assert_str_eq(roundtrip("[127.0.0.1]:53", 0), "not an IP address");
	ck_assert_str_eq(roundtrip("localhost:53", 0), "not an IP address");
	ck_assert_str_eq(roundtrip("1.2.3.256:53", 0), "not an IP address");
	ck_assert_int_eq(fz_sockaddr_parse("1.2.3.4:53", 0, &a, &why), 0);
	ck_assert_int_eq(fz_sockaddr_parse("1.2.3.4", 53, &b, &why), 0);
	ck_assert(fz_sockaddr_equal(&a, &b));
	ck_assert_uint_eq(fz_sockaddr_len(&a), sizeof(struct sockaddr_in));
	ck_assert_int_eq(fz_sockaddr_parse("1.2.3.4:54", 0, &b, &why), 0);
	ck_assert(!fz_sockaddr_equal(&a, &b));
	ck_assert_int_eq(fz_sockaddr_parse("[::1]:53", 0, &b, &why), 0);
	ck_assert(!fz_sockaddr_equal(&a, &b));
	ck_assert_uint_eq(fz_sockaddr_len(&b), sizeof(struct sockaddr_in6));
}
END_TEST

Suite *sockaddr_suite(void)
{
	Suite *s = suite_create("sockaddr");
	TCase *tc = tcase_create("sockaddr");

	tcase_add_test(tc, test_parse);
	suite_add_tcase(s, tc);
	return s;
}
