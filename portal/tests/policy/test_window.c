// SPDX-License-Identifier: GPL-2.0
/*
 * Time zones and day-of-week windows: the syntax and its refusals, each
 * day letter, and windows across midnight and across both DST changes of
 * 2026 in Europe/Berlin and America/New_York (long-stable rules, so a
 * newer tzdata does not move them).
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policy/tz.h"
#include "policy/window.h"
#include "../suites.h"

#define H 3600

/* An instant in UTC. */
static int64_t utc(int y, int mo, int d, int h, int mi)
{
	struct tm tm = { .tm_year = y - 1900,
			 .tm_mon = mo - 1,
			 .tm_mday = d,
			 .tm_hour = h,
			 .tm_min = mi };

	return (int64_t)timegm(&tm);
}

static struct policy_window win(const char *text)
{
	struct policy_window w;
	char why[256];

	ck_assert_msg(!policy_window_parse(&w, text, why, sizeof(why)),
		      "%s: %s", text, why);
	return w;
}

static void teardown(void)
{
	policy_tz_flush();
}

/* --- Zone names --- */

START_TEST(test_tz_names_accepted)
{
	static const char *const ok[] = {
		"UTC",	     "Europe/Berlin", "America/Argentina/Buenos_Aires",
		"Etc/GMT+5", "Etc/GMT-14",    "America/Port-au-Prince",
	};
	const char *why;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		ck_assert_msg(!policy_tz_check(ok[i], &why), "%s: %s", ok[i],
			      why);
}
END_TEST

static const struct {
	const char *name, *why;
} bad_zones[] = {
	{ "", "empty" },
	{ "Mars/Olympus_Mons", "no such time zone" },
	{ "Europe", "no such time zone" }, /* a directory */
	{ "leapseconds", "not a time zone file" },
	{ "../../../etc/passwd", "outside [A-Za-z0-9_+/-]" },
	{ "zone.tab", "outside [A-Za-z0-9_+/-]" },
	{ "Europe/Berl in", "outside [A-Za-z0-9_+/-]" },
	{ "/etc/localtime", "starts or ends with '/'" },
	{ "Europe/Berlin/", "starts or ends with '/'" },
	{ "Europe//Berlin", "\"//\"" },
	{ "right/UTC", "leap seconds" },
	{ "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	  "longer than 64" },
};

START_TEST(test_tz_names_refused)
{
	const char *why = NULL;

	ck_assert_int_eq(policy_tz_check(bad_zones[_i].name, &why), -EINVAL);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strstr(why, bad_zones[_i].why), "%s: \"%s\"",
		      bad_zones[_i].name, why);
	ck_assert_ptr_null(policy_tz_get(bad_zones[_i].name, &why));
}
END_TEST

START_TEST(test_tz_offset_and_transition)
{
	const char *why;
	struct policy_tz *z = policy_tz_get("Europe/Berlin", &why);
	int64_t until;

	ck_assert_ptr_nonnull(z);
	ck_assert_ptr_eq(policy_tz_get("Europe/Berlin", &why), z);
	ck_assert_str_eq(policy_tz_name(z), "Europe/Berlin");
	ck_assert_int_eq(policy_tz_offset(z, utc(2026, 3, 28, 0, 0), &until),
			 H);
	ck_assert_int_eq(until, utc(2026, 3, 29, 1, 0));
	ck_assert_int_eq(policy_tz_offset(z, until - 1, NULL), H);
	ck_assert_int_eq(policy_tz_offset(z, until, NULL), 2 * H);
	ck_assert_int_eq(policy_tz_offset(z, utc(2026, 10, 25, 0, 59), &until),
			 2 * H);
	ck_assert_int_eq(until, utc(2026, 10, 25, 1, 0));
	/* going back in time refreshes rather than trusting the cache */
	ck_assert_int_eq(policy_tz_offset(z, utc(2026, 1, 1, 0, 0), NULL), H);
}
END_TEST

/* A zone switch inside leaves the process's own TZ as it was. */
START_TEST(test_tz_restores_tz)
{
	const char *why;
	struct policy_tz *z = policy_tz_get("America/New_York", &why);

	setenv("TZ", "Asia/Tokyo", 1);
	ck_assert_int_eq(policy_tz_offset(z, utc(2026, 1, 1, 0, 0), NULL),
			 -5 * H);
	ck_assert_str_eq(getenv("TZ"), "Asia/Tokyo");
	unsetenv("TZ");
	ck_assert_int_eq(policy_tz_offset(z, utc(2026, 7, 1, 0, 0), NULL),
			 -4 * H);
	ck_assert_ptr_null(getenv("TZ"));
}
END_TEST

/* --- Syntax --- */

static const struct {
	const char *text, *why;
} bad_windows[] = {
	{ "", "not DAYS/RANGES/ZONE" },
	{ "M/09:00-17:00", "not DAYS/RANGES/ZONE" },
	{ "/09:00-17:00/UTC", "no day letters" },
	{ "X/true/UTC", "day letter 'X' is not one of" },
	{ "m/true/UTC", "day letter 'm' is not one of" },
	{ "MM/true/UTC", "day letter 'M' given twice" },
	{ "M//UTC", "no time ranges" },
	{ "M/false/UTC", "time range 1 \"false\": expected HH:MM-HH:MM" },
	{ "M/9:00-17:00/UTC", "time range 1: start \"9:00\"" },
	{ "M/09:00-17:0/UTC", "time range 1: end \"17:0\"" },
	{ "M/24:00-01:00/UTC", "start \"24:00\"" },
	{ "M/09:60-10:00/UTC", "start \"09:60\"" },
	{ "M/09:00-24:01/UTC", "end \"24:01\"" },
	{ "M/09:00-25:00/UTC", "end \"25:00\"" },
	{ "M/0a:00-10:00/UTC", "start \"0a:00\"" },
	{ "M/10:00-10:00/UTC", "time range 1: empty" },
	{ "M/08:00-09:00,10:00-10:00/UTC", "time range 2: empty" },
	{ "M/09:00-10:00,/UTC", "time range 2 \"\"" },
	{ "M/00:00-01:00,01:00-02:00,02:00-03:00,03:00-04:00,04:00-05:00,"
	  "05:00-06:00,06:00-07:00,07:00-08:00,08:00-09:00/UTC",
	  "more than 8 time ranges" },
	{ "M/true/Mars/Olympus_Mons",
	  "time zone \"Mars/Olympus_Mons\": no such" },
	{ "M/true/../../etc/passwd", "time zone \"../../etc/passwd\"" },
	{ "M/true/", "time zone \"\": empty" },
	{ "M/true//etc/localtime", "time zone \"/etc/localtime\"" },
};

START_TEST(test_window_refused)
{
	struct policy_window w;
	char why[256] = "";

	ck_assert_int_eq(policy_window_parse(&w, bad_windows[_i].text, why,
					     sizeof(why)),
			 -EINVAL);
	ck_assert_msg(strstr(why, bad_windows[_i].why), "%s: \"%s\"",
		      bad_windows[_i].text, why);
}
END_TEST

START_TEST(test_window_parsed)
{
	struct policy_window w = win("MWF/09:00-12:00,13:00-17:30/UTC");

	ck_assert_uint_eq(w.days, 1u << 1 | 1u << 3 | 1u << 5);
	ck_assert_uint_eq(w.n, 2);
	ck_assert_uint_eq(w.r[0].start, 540);
	ck_assert_uint_eq(w.r[1].end, 1050);
	w = win("SU/true/UTC");
	ck_assert_uint_eq(w.days, 1u << 0 | 1u << 6);
	ck_assert_uint_eq(w.r[0].start, 0);
	ck_assert_uint_eq(w.r[0].end, 1440);
	ck_assert_uint_eq(win("M/09:00-23:59/UTC").r[0].end, 1440);
	ck_assert_uint_eq(win("M/09:00-00:00/UTC").r[0].end, 1440);
	ck_assert_uint_eq(win("M/09:00-24:00/UTC").r[0].end, 1440);
	ck_assert_uint_eq(win("M/22:00-02:00/UTC").r[0].end, 120);
}
END_TEST

/* Each letter holds on its own day of the week of 2026-01-05 (a Monday). */
START_TEST(test_window_day_letters)
{
	static const char letters[] = "MTWRFSU";

	for (int l = 0; l < 7; l++) {
		char text[16] = "X/true/UTC";
		struct policy_window w;

		text[0] = letters[l];
		w = win(text);
		for (int d = 0; d < 7; d++)
			ck_assert_msg(policy_window_contains(
					      &w, utc(2026, 1, 5 + d, 12, 0)) ==
					      (d == l),
				      "%s on 2026-01-%02d", text, 5 + d);
	}
}
END_TEST

/* --- Evaluation --- */

#define BERLIN_9_17 "MTWRF/09:00-17:00/Europe/Berlin"

/* Instants in 2026, UTC. */
static const struct {
	const char *text;
	int mo, d, h, mi, s;
	bool in;
} contains[] = {
	/* winter, CET (+1); 2026-01-05 is a Monday */
	{ BERLIN_9_17, 1, 5, 7, 59, 59, false },
	{ BERLIN_9_17, 1, 5, 8, 0, 0, true },
	{ BERLIN_9_17, 1, 5, 15, 59, 59, true },
	{ BERLIN_9_17, 1, 5, 16, 0, 0, false },
	{ BERLIN_9_17, 1, 10, 10, 0, 0, false }, /* Saturday */
	/* summer, CEST (+2); 2026-07-06 is a Monday */
	{ BERLIN_9_17, 7, 6, 6, 59, 59, false },
	{ BERLIN_9_17, 7, 6, 7, 0, 0, true },
	{ BERLIN_9_17, 7, 6, 14, 59, 59, true },
	{ BERLIN_9_17, 7, 6, 15, 0, 0, false },
	/* past midnight: Friday 22:00 to Saturday 02:00 */
	{ "F/22:00-02:00/UTC", 1, 9, 21, 59, 59, false },
	{ "F/22:00-02:00/UTC", 1, 9, 22, 0, 0, true },
	{ "F/22:00-02:00/UTC", 1, 10, 1, 59, 59, true },
	{ "F/22:00-02:00/UTC", 1, 10, 2, 0, 0, false },
	{ "F/22:00-02:00/UTC", 1, 9, 1, 0, 0, false }, /* Thursday's night */
	{ "M/20:00-23:59/UTC", 1, 5, 23, 59, 30, true },
	{ "M/20:00-23:59/UTC", 1, 6, 0, 0, 0, false },
	/* the hour skipped in spring: 02:30 never happens, 03:00 does */
	{ "U/02:30-05:00/Europe/Berlin", 3, 29, 0, 59, 59, false },
	{ "U/02:30-05:00/Europe/Berlin", 3, 29, 1, 0, 0, true },
	/* New York, EST (-5); 2026-01-08 is a Thursday */
	{ "R/09:00-17:00/America/New_York", 1, 8, 13, 59, 59, false },
	{ "R/09:00-17:00/America/New_York", 1, 8, 14, 0, 0, true },
	{ "R/09:00-17:00/America/New_York", 1, 8, 21, 59, 59, true },
	{ "R/09:00-17:00/America/New_York", 1, 8, 22, 0, 0, false },
};

START_TEST(test_window_contains)
{
	struct policy_window w = win(contains[_i].text);
	int64_t t = utc(2026, contains[_i].mo, contains[_i].d, contains[_i].h,
			contains[_i].mi) +
		    contains[_i].s;

	ck_assert_msg(policy_window_contains(&w, t) == contains[_i].in,
		      "row %d: %s", _i, contains[_i].text);
}
END_TEST

/*
 * A window from its first second to its end: real seconds it lasts. The
 * rows are the four DST changes of 2026, a range ending or starting in
 * the skipped hour, and ranges inside or across the repeated hour.
 */
static const struct {
	const char *text;
	int y, mo, d, h, mi; /* first instant in, UTC */
	int64_t lasts;
} stretches[] = {
	{ "U/00:00-06:00/Europe/Berlin", 2026, 3, 28, 23, 0, 5 * H },
	{ "U/00:00-06:00/Europe/Berlin", 2026, 10, 24, 22, 0, 7 * H },
	{ "U/00:00-06:00/America/New_York", 2026, 3, 8, 5, 0, 5 * H },
	{ "U/00:00-06:00/America/New_York", 2026, 11, 1, 4, 0, 7 * H },
	{ "U/00:00-02:30/Europe/Berlin", 2026, 3, 28, 23, 0, 2 * H },
	{ "U/02:30-05:00/Europe/Berlin", 2026, 3, 29, 1, 0, 2 * H },
	{ "U/02:15-02:45/Europe/Berlin", 2026, 10, 25, 0, 15, H / 2 },
	{ "U/02:15-02:45/Europe/Berlin", 2026, 10, 25, 1, 15, H / 2 },
	{ "U/02:30-04:00/Europe/Berlin", 2026, 10, 25, 0, 30, H / 2 },
	{ "U/02:30-04:00/Europe/Berlin", 2026, 10, 25, 1, 30, 3 * H / 2 },
	{ "SU/true/Europe/Berlin", 2026, 3, 27, 23, 0, 47 * H },
	{ "SU/true/Europe/Berlin", 2026, 10, 23, 22, 0, 49 * H },
	{ "F/22:00-02:00/UTC", 2026, 1, 9, 22, 0, 4 * H },
	{ "M/20:00-23:59/UTC", 2026, 1, 5, 20, 0, 4 * H },
	{ "M/22:00-00:00/UTC", 2026, 1, 5, 22, 0, 2 * H },
	{ "M/09:00-12:00,11:00-17:00/UTC", 2026, 1, 5, 9, 0, 8 * H },
};

START_TEST(test_window_stretch)
{
	struct policy_window w = win(stretches[_i].text);
	int64_t start = utc(stretches[_i].y, stretches[_i].mo, stretches[_i].d,
			    stretches[_i].h, stretches[_i].mi);
	int64_t end = start + stretches[_i].lasts;

	ck_assert_msg(!policy_window_contains(&w, start - 1), "row %d: before",
		      _i);
	ck_assert_msg(policy_window_contains(&w, start), "row %d: start", _i);
	ck_assert_msg(policy_window_contains(&w, end - 1), "row %d: last", _i);
	ck_assert_msg(!policy_window_contains(&w, end), "row %d: after", _i);
	ck_assert_int_eq(policy_windows_end(&w, 1, start), end);
	ck_assert_int_eq(policy_windows_end(&w, 1, end - 1), end);
	ck_assert_int_eq(policy_windows_end(&w, 1, start + (end - start) / 2),
			 end);
}
END_TEST

/* Monday until 24:00 and Tuesday from 00:00 are one stretch. */
START_TEST(test_windows_chain_midnight)
{
	struct policy_window w[2] = { win("M/20:00-24:00/UTC"),
				      win("T/00:00-03:00/UTC") };
	int64_t t = utc(2026, 1, 5, 21, 0);

	ck_assert_int_eq(policy_window_end(&w[0], t), utc(2026, 1, 6, 0, 0));
	ck_assert_int_eq(policy_windows_end(w, 2, t), utc(2026, 1, 6, 3, 0));
	ck_assert(policy_windows_contain(w, 2, utc(2026, 1, 6, 2, 0)));
	ck_assert(!policy_windows_contain(w, 2, utc(2026, 1, 6, 3, 0)));
	/* different zones chain too: Berlin 09-17 then New York 11-14 */
	w[0] = win("M/09:00-17:00/Europe/Berlin");
	w[1] = win("M/10:00-14:00/America/New_York");
	ck_assert_int_eq(policy_windows_end(w, 2, utc(2026, 1, 5, 9, 0)),
			 utc(2026, 1, 5, 19, 0));
}
END_TEST

START_TEST(test_windows_whole_week_never_ends)
{
	struct policy_window w = win("MTWRFSU/true/Europe/Berlin");
	int64_t t = utc(2026, 3, 28, 12, 0);

	ck_assert(policy_window_contains(&w, t));
	ck_assert_int_eq(policy_windows_end(&w, 1, t), 0);
	/* outside every window: the end is the instant itself */
	w = win("M/true/UTC");
	ck_assert_int_eq(policy_windows_end(&w, 1, utc(2026, 1, 6, 0, 0)),
			 utc(2026, 1, 6, 0, 0));
}
END_TEST

Suite *portal_policy_window_suite(void)
{
	Suite *s = suite_create("portal_policy_window");
	TCase *tc = tcase_create("tz");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_tz_names_accepted);
	tcase_add_loop_test(tc, test_tz_names_refused, 0,
			    sizeof(bad_zones) / sizeof(bad_zones[0]));
	tcase_add_test(tc, test_tz_offset_and_transition);
	tcase_add_test(tc, test_tz_restores_tz);
	suite_add_tcase(s, tc);
	tc = tcase_create("window");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_loop_test(tc, test_window_refused, 0,
			    sizeof(bad_windows) / sizeof(bad_windows[0]));
	tcase_add_test(tc, test_window_parsed);
	tcase_add_test(tc, test_window_day_letters);
	tcase_add_loop_test(tc, test_window_contains, 0,
			    sizeof(contains) / sizeof(contains[0]));
	tcase_add_loop_test(tc, test_window_stretch, 0,
			    sizeof(stretches) / sizeof(stretches[0]));
	tcase_add_test(tc, test_windows_chain_midnight);
	tcase_add_test(tc, test_windows_whole_week_never_ends);
	suite_add_tcase(s, tc);
	return s;
}
