// SPDX-License-Identifier: GPL-2.0
/*
 * format.c: the strings `fzagent show` prints.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "lib/format.h"
#include "../suites.h"

#define NS 1000000000ULL

START_TEST(test_bytes)
{
	char buf[FZ_FMT_BYTES_LEN];

	ck_assert_str_eq(fz_fmt_bytes(buf, sizeof(buf), 0), "0 B");
	ck_assert_str_eq(fz_fmt_bytes(buf, sizeof(buf), 1023), "1023 B");
	ck_assert_str_eq(fz_fmt_bytes(buf, sizeof(buf), 1024), "1.00 KiB");
	ck_assert_str_eq(fz_fmt_bytes(buf, sizeof(buf), 1260), "1.23 KiB");
	ck_assert_str_eq(fz_fmt_bytes(buf, sizeof(buf), 4781507), "4.56 MiB");
	ck_assert_str_eq(fz_fmt_bytes(buf, sizeof(buf), 3ULL << 30),
			 "3.00 GiB");
	ck_assert_str_eq(fz_fmt_bytes(buf, sizeof(buf), 5ULL << 40),
			 "5.00 TiB");
	/* TiB is the largest unit. */
	ck_assert_str_eq(fz_fmt_bytes(buf, sizeof(buf), 2048ULL << 40),
			 "2048.00 TiB");
	ck_assert_str_eq(fz_fmt_bytes(buf, sizeof(buf), UINT64_MAX),
			 "16777216.00 TiB");
}
END_TEST

START_TEST(test_duration)
{
	char buf[FZ_FMT_DURATION_LEN];

	ck_assert_str_eq(fz_fmt_duration(buf, sizeof(buf), 0), "0 seconds");
	ck_assert_str_eq(fz_fmt_duration(buf, sizeof(buf), 1), "1 second");
	ck_assert_str_eq(fz_fmt_duration(buf, sizeof(buf), 25), "25 seconds");
	ck_assert_str_eq(fz_fmt_duration(buf, sizeof(buf), 65),
			 "1 minute, 5 seconds");
	ck_assert_str_eq(fz_fmt_duration(buf, sizeof(buf), 3600), "1 hour");
	ck_assert_str_eq(fz_fmt_duration(buf, sizeof(buf), 86401),
			 "1 day, 1 second");
	ck_assert_str_eq(fz_fmt_duration(buf, sizeof(buf),
					 2 * 365 * 86400ULL + 3 * 3600),
			 "2 years, 3 hours");
	ck_assert_str_eq(
		fz_fmt_duration(buf, sizeof(buf),
				365 * 86400ULL + 86400 + 3600 + 60 + 1),
		"1 year, 1 day, 1 hour, 1 minute, 1 second");
}
END_TEST

START_TEST(test_duration_never_overflows)
{
	char buf[FZ_FMT_DURATION_LEN];
	char small[12];

	fz_fmt_duration(buf, sizeof(buf), UINT64_MAX);
	ck_assert_uint_lt(strlen(buf), sizeof(buf));
	memset(small, 'x', sizeof(small));
	fz_fmt_duration(small, sizeof(small), 365 * 86400ULL + 86400 + 1);
	ck_assert_ptr_nonnull(memchr(small, '\0', sizeof(small)));
	ck_assert_str_eq(small, "1 year, 1 d");
	fz_fmt_duration(small, 0, 5); /* must not write at all */
}
END_TEST

START_TEST(test_time_ago)
{
	const uint64_t now = 1700000000ULL * NS;
	char buf[FZ_FMT_DURATION_LEN + 8];

	ck_assert_str_eq(fz_fmt_time_ago(buf, sizeof(buf), now - 65 * NS, now),
			 "1 minute, 5 seconds ago");
	ck_assert_str_eq(fz_fmt_time_ago(buf, sizeof(buf), now - 1 * NS, now),
			 "1 second ago");
	ck_assert_str_eq(fz_fmt_time_ago(buf, sizeof(buf), now - NS / 2, now),
			 "now");
	ck_assert_str_eq(fz_fmt_time_ago(buf, sizeof(buf), now, now), "now");
	ck_assert_str_eq(fz_fmt_time_ago(buf, sizeof(buf), now + NS, now),
			 "in the future (clock went backwards?)");
	ck_assert_str_eq(fz_fmt_time_ago(buf, sizeof(buf), 1, now),
			 "53 years, 330 days, 22 hours, 13 minutes, 19 seconds "
			 "ago");
}
END_TEST

static struct sockaddr_storage inet(const char *addr, uint16_t port)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	ck_assert_int_eq(inet_pton(AF_INET, addr, &sin->sin_addr), 1);
	return ss;
}

static struct sockaddr_storage inet6(const char *addr, uint16_t port,
				     uint32_t scope)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	sin6->sin6_scope_id = scope;
	ck_assert_int_eq(inet_pton(AF_INET6, addr, &sin6->sin6_addr), 1);
	return ss;
}

START_TEST(test_expiry)
{
	char buf[FZ_FMT_EXPIRY_LEN];
	uint64_t now = 1700000000ULL * NS;

	ck_assert_str_eq(fz_fmt_expiry(buf, sizeof(buf), 0, now), "no expiry");
	ck_assert_str_eq(fz_fmt_expiry(buf, sizeof(buf), now + 3540 * NS, now),
			 "expires in 59 minutes");
	/* Time left is rounded up: not yet expired is never "in 0". */
	ck_assert_str_eq(fz_fmt_expiry(buf, sizeof(buf), now + 1, now),
			 "expires in 1 second");
	ck_assert_str_eq(fz_fmt_expiry(buf, sizeof(buf), now + 61 * NS + 1,
				       now),
			 "expires in 1 minute, 2 seconds");
	ck_assert_str_eq(fz_fmt_expiry(buf, sizeof(buf), now, now),
			 "expired now");
	ck_assert_str_eq(fz_fmt_expiry(buf, sizeof(buf), now - 3 * NS, now),
			 "expired 3 seconds ago");
	ck_assert_str_eq(fz_fmt_expiry(buf, sizeof(buf), UINT64_MAX, 0),
			 "expires in 584 years, 343 days, 23 hours, "
			 "34 minutes, 34 seconds");
}
END_TEST

START_TEST(test_uuid)
{
	static const uint8_t id[16] = { 0x0b, 0x8d, 0x7c, 0x4e, 0x2f, 0x6a,
					0x4d, 0x1e, 0x9c, 0x3b, 0x5a, 0x7e,
					0x8f, 0x9d, 0x0c, 0x11 };
	static const uint8_t ff[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					0xff, 0xff, 0xff, 0xff };
	char buf[FZ_FMT_UUID_LEN], small[9];

	ck_assert_str_eq(fz_fmt_uuid(buf, sizeof(buf), id),
			 "0b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c11");
	ck_assert_str_eq(fz_fmt_uuid(buf, sizeof(buf), ff),
			 "ffffffff-ffff-ffff-ffff-ffffffffffff");
	ck_assert_str_eq(fz_fmt_uuid(small, sizeof(small), id), "0b8d7c4e");
}
END_TEST

START_TEST(test_endpoint)
{
	char buf[FZ_FMT_ENDPOINT_LEN];
	struct sockaddr_storage ss;

	ss = inet("192.0.2.1", 51820);
	ck_assert_str_eq(fz_fmt_endpoint(buf, sizeof(buf), &ss),
			 "192.0.2.1:51820");
	ss = inet("255.255.255.255", 65535);
	ck_assert_str_eq(fz_fmt_endpoint(buf, sizeof(buf), &ss),
			 "255.255.255.255:65535");
	ss = inet6("2001:db8::1", 51820, 0);
	ck_assert_str_eq(fz_fmt_endpoint(buf, sizeof(buf), &ss),
			 "[2001:db8::1]:51820");
	ss = inet6("fe80::1", 1, 4294967295U);
	ck_assert_str_eq(fz_fmt_endpoint(buf, sizeof(buf), &ss),
			 "[fe80::1%4294967295]:1");
	ss = inet6("::ffff:192.0.2.1", 0, 0);
	ck_assert_str_eq(fz_fmt_endpoint(buf, sizeof(buf), &ss),
			 "[::ffff:192.0.2.1]:0");
	/* The longest text form still fits the documented buffer size. */
	ss = inet6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535,
		   4294967295U);
	ck_assert_str_eq(
		fz_fmt_endpoint(buf, sizeof(buf), &ss),
		"[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff%4294967295]:65535");
	memset(&ss, 0, sizeof(ss));
	ck_assert_str_eq(fz_fmt_endpoint(buf, sizeof(buf), &ss), "(none)");
}
END_TEST

START_TEST(test_allowedip)
{
	char buf[FZ_FMT_ALLOWEDIP_LEN];
	uint8_t v4[4] = { 10, 0, 0, 2 };
	struct in6_addr v6;

	ck_assert_str_eq(fz_fmt_allowedip(buf, sizeof(buf), AF_INET, v4, 32),
			 "10.0.0.2/32");
	memset(v4, 0, sizeof(v4));
	ck_assert_str_eq(fz_fmt_allowedip(buf, sizeof(buf), AF_INET, v4, 0),
			 "0.0.0.0/0");
	inet_pton(AF_INET6, "fd00::2", &v6);
	ck_assert_str_eq(fz_fmt_allowedip(buf, sizeof(buf), AF_INET6, &v6, 128),
			 "fd00::2/128");
	memset(&v6, 0, sizeof(v6));
	ck_assert_str_eq(fz_fmt_allowedip(buf, sizeof(buf), AF_INET6, &v6, 0),
			 "::/0");
	ck_assert_str_eq(fz_fmt_allowedip(buf, sizeof(buf), AF_UNIX, &v6, 0),
			 "(invalid)");
}
END_TEST

Suite *format_suite(void)
{
	Suite *s = suite_create("format");
	TCase *tc = tcase_create("format");

	tcase_add_test(tc, test_bytes);
	tcase_add_test(tc, test_duration);
	tcase_add_test(tc, test_duration_never_overflows);
	tcase_add_test(tc, test_time_ago);
	tcase_add_test(tc, test_expiry);
	tcase_add_test(tc, test_uuid);
	tcase_add_test(tc, test_endpoint);
	tcase_add_test(tc, test_allowedip);
	suite_add_tcase(s, tc);
	return s;
}
