// SPDX-License-Identifier: GPL-2.0
/*
 * The event log's lines, text and JSON, including what must be escaped
 * (a peer's close reason is any bytes it chose).
 */
#include <check.h>
#include <string.h>

#include "../suites.h"
#include "core/log.h"

static const char *line(enum core_log_format fmt, const char *const *kv,
			size_t n)
{
	static char buf[512];

	core_log_format_line(buf, sizeof(buf), fmt, "fzportal", "T", "ev", kv,
			     n);
	return buf;
}

START_TEST(test_text)
{
	const char *kv[] = { "a", "1", "b", "two words", "c", "" };

	ck_assert_str_eq(line(CORE_LOG_TEXT, kv, 6),
			 "fzportal: ev a=1 b=\"two words\" c=\"\"\n");
}
END_TEST

START_TEST(test_json)
{
	const char *kv[] = { "a", "1", "b", "q\"\\\n" };

	ck_assert_str_eq(line(CORE_LOG_JSON, kv, 4),
			 "{\"ts\":\"T\",\"event\":\"ev\",\"a\":\"1\","
			 "\"b\":\"q\\\"\\\\\\u000a\"}\n");
}
END_TEST

START_TEST(test_text_escapes_controls)
{
	const char *kv[] = { "r", "a\nb\x1b" };

	ck_assert_str_eq(line(CORE_LOG_TEXT, kv, 2),
			 "fzportal: ev r=\"a\\x0ab\\x1b\"\n");
}
END_TEST

START_TEST(test_cut)
{
	char buf[16];
	const char *kv[] = { "k", "a long value that does not fit" };
	size_t n = core_log_format_line(buf, sizeof(buf), CORE_LOG_TEXT,
					"fzportal", NULL, "ev", kv, 2);

	ck_assert_uint_eq(n, strlen(buf));
	ck_assert_uint_lt(n, sizeof(buf));
	ck_assert_int_eq(buf[n - 1], '\n');
}
END_TEST

START_TEST(test_parse_format)
{
	ck_assert_int_eq(core_log_parse_format("text"), CORE_LOG_TEXT);
	ck_assert_int_eq(core_log_parse_format("json"), CORE_LOG_JSON);
	ck_assert_int_eq(core_log_parse_format("xml"), -1);
}
END_TEST

Suite *portal_core_log_suite(void)
{
	Suite *s = suite_create("portal_core_log");
	TCase *tc = tcase_create("log");

	tcase_add_test(tc, test_text);
	tcase_add_test(tc, test_json);
	tcase_add_test(tc, test_text_escapes_controls);
	tcase_add_test(tc, test_cut);
	tcase_add_test(tc, test_parse_format);
	suite_add_tcase(s, tc);
	return s;
}
