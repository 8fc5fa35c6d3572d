// SPDX-License-Identifier: GPL-2.0
/*
 * filter.c: the filter list as text and as JSON, each accepted and each
 * refused form, and the bounds the gateway's file and the portal share.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/filter.h"
#include "../suites.h"

static struct fz_filter f[FZ_MAX_FILTERS];
static size_t n;
static struct fz_filter_error err;

static int parse(const char *text)
{
	return fz_filter_parse(text, f, &n, &err);
}

static void check_one(size_t i, uint8_t proto, uint16_t lo, uint16_t hi)
{
	ck_assert_uint_eq(f[i].proto, proto);
	ck_assert_uint_eq(f[i].port_start, lo);
	ck_assert_uint_eq(f[i].port_end, hi);
}

START_TEST(test_parse_accepts)
{
	ck_assert_int_eq(parse("tcp/80, udp/5000-5010, icmp"), 0);
	ck_assert_uint_eq(n, 3);
	check_one(0, FZ_FILTER_TCP, 80, 80);
	check_one(1, FZ_FILTER_UDP, 5000, 5010);
	check_one(2, FZ_FILTER_ICMP, 0, 0);
	ck_assert_int_eq(parse("TCP,Udp , ICMP"), 0);
	ck_assert_uint_eq(n, 3);
	check_one(0, FZ_FILTER_TCP, 1, 65535);
	check_one(1, FZ_FILTER_UDP, 1, 65535);
	ck_assert_int_eq(parse("tcp/1"), 0);
	check_one(0, FZ_FILTER_TCP, 1, 1);
	ck_assert_int_eq(parse("tcp/65535"), 0);
	check_one(0, FZ_FILTER_TCP, 65535, 65535);
	ck_assert_int_eq(parse("udp/1-65535"), 0);
	check_one(0, FZ_FILTER_UDP, 1, 65535);
	ck_assert_int_eq(parse("\ttcp/7-7 "), 0);
	check_one(0, FZ_FILTER_TCP, 7, 7);
}
END_TEST

START_TEST(test_parse_empty)
{
	n = 99;
	ck_assert_int_eq(parse(""), 0);
	ck_assert_uint_eq(n, 0);
	n = 99;
	ck_assert_int_eq(parse(" \t "), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(parse("tcp,,udp"), -ENODATA);
	ck_assert_str_eq(err.why, "empty entry");
	ck_assert_int_eq(parse("tcp, "), -ENODATA);
	ck_assert_int_eq(parse(","), -ENODATA);
}
END_TEST

START_TEST(test_parse_refuses)
{
	static const struct {
		const char *text, *entry, *why;
	} cases[] = {
		{ "tcp/0", "tcp/0", "ports must be" },
		{ "tcp/65536", "tcp/65536", "ports must be" },
		{ "udp/90-80", "udp/90-80", "ports must be" },
		{ "tcp/80-", "tcp/80-", "ports must be" },
		{ "tcp/", "tcp/", "ports must be" },
		{ "tcp/-80", "tcp/-80", "ports must be" },
		{ "tcp/+80", "tcp/+80", "ports must be" },
		{ "tcp/ 80", "tcp/ 80", "ports must be" },
		{ "tcp/0x50", "tcp/0x50", "ports must be" },
		{ "tcp/1234567890123456789", "tcp/1234567890123456789",
		  "ports must be" },
		{ "icmp/1", "icmp/1", "icmp has no ports" },
		{ "icmp/", "icmp/", "icmp has no ports" },
		{ "sctp/1", "sctp/1", "unknown protocol" },
		{ "tcpx", "tcpx", "unknown protocol" },
		{ "tc", "tc", "unknown protocol" },
		{ "/80", "/80", "unknown protocol" },
		{ "tcp udp", "tcp udp", "unknown protocol" },
		{ "tcp/80, ip", "ip", "unknown protocol" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		ck_assert_msg(parse(cases[i].text) == -EINVAL, "%s",
			      cases[i].text);
		ck_assert_str_eq(err.entry, cases[i].entry);
		ck_assert_msg(strstr(err.why, cases[i].why), "%s: %s",
			      cases[i].text, err.why);
	}
}
END_TEST

START_TEST(test_parse_bounds)
{
	char text[256] = "";

	for (int i = 1; i <= FZ_MAX_FILTERS; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
			 "%stcp/%d", i > 1 ? "," : "", i);
	ck_assert_int_eq(parse(text), 0);
	ck_assert_uint_eq(n, FZ_MAX_FILTERS);
	strcat(text, ",udp");
	ck_assert_int_eq(parse(text), -E2BIG);
	ck_assert_str_eq(err.entry, "udp");
	/* A long entry is cut short in the message, not overflowing it. */
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	ck_assert_int_eq(parse(text), -EINVAL);
	ck_assert_uint_eq(strlen(err.entry), sizeof(err.entry) - 1);
}
END_TEST

START_TEST(test_format)
{
	char buf[FZ_FILTER_TEXT_MAX];
	struct fz_filter back[FZ_MAX_FILTERS];
	size_t n_back;

	memset(back, 0, sizeof(back)); /* the padding, for the mem_eq */

	ck_assert_int_eq(parse("TCP/80, udp/5000-5010, icmp, udp, tcp/1-2"), 0);
	ck_assert_int_gt(fz_filter_format(buf, sizeof(buf), f, n), 0);
	ck_assert_str_eq(buf, "tcp/80, udp/5000-5010, icmp, udp, tcp/1-2");
	ck_assert_int_eq(fz_filter_parse(buf, back, &n_back, &err), 0);
	ck_assert_uint_eq(n_back, n);
	ck_assert_mem_eq(back, f, n * sizeof(*f));
	ck_assert_int_eq(fz_filter_format(buf, sizeof(buf), f, 0), 0);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(fz_filter_format(buf, 5, f, n), -ENOSPC);
	for (size_t i = 0; i < FZ_MAX_FILTERS; i++)
		f[i] = (struct fz_filter){ FZ_FILTER_UDP, 65534, 65535 };
	ck_assert_int_gt(fz_filter_format(buf, sizeof(buf), f, FZ_MAX_FILTERS),
			 0);
}
END_TEST

static int from_json(const char *text, const char **why)
{
	json_object *o = json_tokener_parse(text);
	int ret;

	ck_assert_ptr_nonnull(o);
	ret = fz_filter_from_json(o, f, &n, why);
	json_object_put(o);
	return ret;
}

START_TEST(test_json_round_trip)
{
	struct fz_filter want[FZ_MAX_FILTERS];
	size_t n_want;
	const char *why;
	json_object *arr;

	ck_assert_int_eq(parse("tcp/80, udp/5000-5010, icmp, tcp"), 0);
	memcpy(want, f, sizeof(f));
	n_want = n;
	arr = fz_filter_to_json(want, n_want);
	ck_assert_str_eq(json_object_to_json_string_ext(arr,
							JSON_C_TO_STRING_PLAIN),
			 "[{\"protocol\":\"tcp\",\"port_range_start\":80,"
			 "\"port_range_end\":80},{\"protocol\":\"udp\","
			 "\"port_range_start\":5000,\"port_range_end\":5010},"
			 "{\"protocol\":\"icmp\"},{\"protocol\":\"tcp\","
			 "\"port_range_start\":1,\"port_range_end\":65535}]");
	ck_assert_int_eq(fz_filter_from_json(arr, f, &n, &why), 0);
	ck_assert_uint_eq(n, n_want);
	ck_assert_mem_eq(f, want, n * sizeof(*f));
	json_object_put(arr);
	arr = fz_filter_to_json(f, 0);
	ck_assert_str_eq(json_object_to_json_string(arr), "[ ]");
	json_object_put(arr);
}
END_TEST

START_TEST(test_json_forms)
{
	const char *why;

	ck_assert_int_eq(from_json("[{\"protocol\":\"udp\"}]", &why), 0);
	check_one(0, FZ_FILTER_UDP, 1, 65535);
	ck_assert_int_eq(
		from_json("[{\"protocol\":\"tcp\",\"port_range_start\":443,"
			  "\"extra\":[1]}]",
			  &why),
		0);
	check_one(0, FZ_FILTER_TCP, 443, 443);
	ck_assert_int_eq(
		from_json("[{\"protocol\":\"udp\",\"port_range_start\":null}]",
			  &why),
		0);
	check_one(0, FZ_FILTER_UDP, 1, 65535);
	ck_assert_int_eq(from_json("[]", &why), 0);
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(test_json_refuses)
{
	static const char *const bad[] = {
		"{}",
		"[1]",
		"[{}]",
		"[{\"protocol\":6}]",
		"[{\"protocol\":\"TCP\"}]",
		"[{\"protocol\":\"sctp\"}]",
		"[{\"protocol\":\"icmp\",\"port_range_start\":1}]",
		"[{\"protocol\":\"tcp\",\"port_range_start\":0}]",
		"[{\"protocol\":\"tcp\",\"port_range_start\":65536}]",
		"[{\"protocol\":\"tcp\",\"port_range_start\":-1}]",
		"[{\"protocol\":\"tcp\",\"port_range_start\":\"80\"}]",
		"[{\"protocol\":\"tcp\",\"port_range_start\":80.5}]",
		"[{\"protocol\":\"tcp\",\"port_range_end\":80}]",
		"[{\"protocol\":\"tcp\",\"port_range_start\":90,"
		"\"port_range_end\":80}]",
		"[{\"protocol\":\"tcp\",\"port_range_start\":"
		"99999999999999999999}]",
	};
	char many[1024] = "[";
	const char *why;

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		ck_assert_msg(from_json(bad[i], &why) == -EINVAL, "%s", bad[i]);
	for (int i = 0; i <= FZ_MAX_FILTERS; i++)
		strcat(many, i ? ",{\"protocol\":\"icmp\"}" :
				 "{\"protocol\":\"icmp\"}");
	strcat(many, "]");
	ck_assert_int_eq(from_json(many, &why), -EINVAL);
	ck_assert_str_eq(why, "too many filters");
}
END_TEST

Suite *filter_suite(void)
{
	Suite *s = suite_create("filter");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_parse_accepts);
	tcase_add_test(tc, test_parse_empty);
	tcase_add_test(tc, test_parse_refuses);
	tcase_add_test(tc, test_parse_bounds);
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_json_round_trip);
	tcase_add_test(tc, test_json_forms);
	tcase_add_test(tc, test_json_refuses);
	suite_add_tcase(s, tc);
	return s;
}
