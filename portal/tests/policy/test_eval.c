// SPDX-License-Identifier: GPL-2.0
/*
 * The decision as truth tables: each property and operator against
 * allowed and denied inputs (IPv4, IPv6, IPv4-mapped, unknown), default
 * deny, several policies, and the expiry as the earliest of the window's
 * end and the token's.
 */
#include <check.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "lib/clock.h"
#include "policy/eval.h"
#include "../suites.h"

#define NS FZ_NSEC_PER_SEC

static struct policy_conds conds[4];

static void teardown(void)
{
	for (size_t i = 0; i < sizeof(conds) / sizeof(conds[0]); i++)
		policy_conds_free(&conds[i]);
	policy_tz_flush();
}

static const struct policy_conds *C(int i, const char *text)
{
	struct policy_error err;

	ck_assert_msg(!policy_conds_parse(&conds[i], text, strlen(text), &err),
		      "%s: %s: %s", text, err.field, err.message);
	return &conds[i];
}

static uint64_t utc_ns(int y, int mo, int d, int h, int mi)
{
	struct tm tm = { .tm_year = y - 1900,
			 .tm_mon = mo - 1,
			 .tm_mday = d,
			 .tm_hour = h,
			 .tm_min = mi };

	return (uint64_t)timegm(&tm) * NS;
}

static struct fz_cidr addr(const char *text)
{
	struct fz_cidr a = { 0 };
	const char *why;

	if (text)
		ck_assert_int_eq(fz_cidr_parse(&a, text, strlen(text), &why),
				 0);
	return a;
}

/* A Monday noon in Berlin, from a verified client of provider "p1". */
static struct policy_ctx ctx(void)
{
	return (struct policy_ctx){ .remote = addr("10.1.2.3"),
				    .provider_id = "p1",
				    .verified = true,
				    .now_ns = utc_ns(2026, 1, 5, 11, 0),
				    .token_expires_ns =
					    utc_ns(2026, 1, 12, 0, 0) };
}

static bool holds(const struct policy_conds *c, const struct policy_ctx *x)
{
	return policy_cond_holds(&c->c[0], x, NULL);
}

/* --- Each property and operator --- */

#define REMOTE(op)                                              \
	"[{\"property\":\"remote_ip\",\"operator\":\"" op "\"," \
	"\"values\":[\"10.0.0.0/8\",\"2001:db8::/32\",\"192.0.2.7\"]}]"

static const struct {
	const char *addr;
	bool in; /* is_in_cidr; is_not_in_cidr is the opposite, if known */
} remote_rows[] = {
	{ "10.1.2.3", true },
	{ "10.255.255.255", true },
	{ "11.0.0.0", false },
	{ "9.255.255.255", false },
	{ "192.0.2.7", true },
	{ "192.0.2.8", false },
	{ "2001:db8::5", true },
	{ "2001:db8:ffff::1", true },
	{ "2001:db9::1", false },
	{ "::1", false },
	{ "::ffff:10.1.2.3", true },
	{ "::ffff:11.1.2.3", false },
	/* an IPv6 address that only looks like 10/8 in its first bytes */
	{ "a01:203::", false },
};

START_TEST(test_remote_ip)
{
	struct policy_ctx x = ctx();
	const struct policy_conds *in = C(0, REMOTE("is_in_cidr"));
	const struct policy_conds *out = C(1, REMOTE("is_not_in_cidr"));

	x.remote = addr(remote_rows[_i].addr);
	ck_assert_msg(holds(in, &x) == remote_rows[_i].in, "%s in",
		      remote_rows[_i].addr);
	ck_assert_msg(holds(out, &x) == !remote_rows[_i].in, "%s not in",
		      remote_rows[_i].addr);
}
END_TEST

/* Without a remote address neither operator holds. */
START_TEST(test_remote_ip_unknown_fails_closed)
{
	struct policy_ctx x = ctx();

	x.remote = addr(NULL);
	ck_assert(!holds(C(0, REMOTE("is_in_cidr")), &x));
	ck_assert(!holds(C(1, REMOTE("is_not_in_cidr")), &x));
}
END_TEST

/* 0.0.0.0/0 covers no IPv6 address and ::/0 no IPv4 one. */
START_TEST(test_remote_ip_families_apart)
{
	struct policy_ctx x = ctx();
	const struct policy_conds *v4 = C(0, "[{\"property\":\"remote_ip\","
					     "\"operator\":\"is_in_cidr\","
					     "\"values\":[\"0.0.0.0/0\"]}]");
	const struct policy_conds *v6 = C(1, "[{\"property\":\"remote_ip\","
					     "\"operator\":\"is_in_cidr\","
					     "\"values\":[\"::/0\"]}]");

	ck_assert(holds(v4, &x));
	ck_assert(!holds(v6, &x));
	x.remote = addr("2001:db8::1");
	ck_assert(!holds(v4, &x));
	ck_assert(holds(v6, &x));
}
END_TEST

#define PROVIDER(op)                                              \
	"[{\"property\":\"provider_id\",\"operator\":\"" op "\"," \
	"\"values\":[\"p1\",\"okta:corp\"]}]"

static const struct {
	const char *provider;
	bool is_in, is_not_in;
} provider_rows[] = {
	{ "p1", true, false }, { "okta:corp", true, false },
	{ "P1", true, false }, { "p2", false, true },
	{ "p", false, true },  { NULL, false, false },
};

START_TEST(test_provider_id)
{
	struct policy_ctx x = ctx();

	x.provider_id = provider_rows[_i].provider;
	ck_assert(holds(C(0, PROVIDER("is_in")), &x) ==
		  provider_rows[_i].is_in);
	ck_assert(holds(C(1, PROVIDER("is_not_in")), &x) ==
		  provider_rows[_i].is_not_in);
}
END_TEST

START_TEST(test_client_verified)
{
	struct policy_ctx x = ctx();
	const struct policy_conds *c = C(0,
					 "[{\"property\":\"client_verified\","
					 "\"operator\":\"is\","
					 "\"values\":[\"true\"]}]");

	ck_assert(holds(c, &x));
	x.verified = false;
	ck_assert(!holds(c, &x));
}
END_TEST

#define WORK_HOURS                                        \
	"[{\"property\":\"current_utc_datetime\","        \
	"\"operator\":\"is_in_day_of_week_time_ranges\"," \
	"\"values\":[\"MTWRF/09:00-17:00/Europe/Berlin\"]}]"

START_TEST(test_datetime)
{
	struct policy_ctx x = ctx();
	const struct policy_conds *c = C(0, WORK_HOURS);
	uint64_t end;

	ck_assert(policy_cond_holds(&c->c[0], &x, &end));
	ck_assert_uint_eq(end, utc_ns(2026, 1, 5, 16, 0));
	x.now_ns = utc_ns(2026, 1, 5, 16, 0);
	ck_assert(!policy_cond_holds(&c->c[0], &x, &end));
	x.now_ns = utc_ns(2026, 1, 10, 11, 0); /* Saturday */
	ck_assert(!holds(c, &x));
}
END_TEST

/* --- The decision --- */

START_TEST(test_no_policy_denies)
{
	struct policy_ctx x = ctx();
	struct policy_decision d;

	policy_eval(NULL, 0, &x, &d);
	ck_assert(!d.allow);
	ck_assert_str_eq(d.reason, "forbidden");
	ck_assert_ptr_nonnull(strstr(d.detail, "no policy"));
	ck_assert_ptr_null(d.policy_id);
}
END_TEST

START_TEST(test_no_conditions_allows_until_token_expiry)
{
	struct policy_ctx x = ctx();
	struct policy_rule r = { "pol-a", C(0, "[]") };
	struct policy_decision d;

	policy_eval(&r, 1, &x, &d);
	ck_assert(d.allow);
	ck_assert_str_eq(d.policy_id, "pol-a");
	ck_assert_uint_eq(d.expires_ns, x.token_expires_ns);
	x.token_expires_ns = 0; /* a token that never expires */
	policy_eval(&r, 1, &x, &d);
	ck_assert(d.allow);
	ck_assert_uint_eq(d.expires_ns, 0);
}
END_TEST

START_TEST(test_expired_token_denies)
{
	struct policy_ctx x = ctx();
	struct policy_rule r = { "pol-a", C(0, "[]") };
	struct policy_decision d;

	x.token_expires_ns = x.now_ns;
	policy_eval(&r, 1, &x, &d);
	ck_assert(!d.allow);
	ck_assert_str_eq(d.reason, "forbidden");
	ck_assert_str_eq(d.detail, "client token expired");
}
END_TEST

/* Every condition must hold; the detail names the first that did not. */
START_TEST(test_all_conditions_must_hold)
{
	struct policy_ctx x = ctx();
	struct policy_rule r = {
		"pol-a",
		C(0, "[{\"property\":\"remote_ip\",\"operator\":\"is_in_cidr\","
		     "\"values\":[\"10.0.0.0/8\"]},"
		     "{\"property\":\"client_verified\",\"operator\":\"is\","
		     "\"values\":[\"true\"]},"
		     "{\"property\":\"provider_id\",\"operator\":\"is_in\","
		     "\"values\":[\"p1\"]}]")
	};
	struct policy_decision d;

	policy_eval(&r, 1, &x, &d);
	ck_assert(d.allow);
	x.verified = false;
	policy_eval(&r, 1, &x, &d);
	ck_assert(!d.allow);
	ck_assert_str_eq(d.reason, "forbidden");
	ck_assert_str_eq(d.detail, "policy pol-a: conditions[1] "
				   "(client_verified is) does not hold");
	x.verified = true;
	x.provider_id = NULL; /* e.g. a service account */
	policy_eval(&r, 1, &x, &d);
	ck_assert(!d.allow);
	ck_assert_ptr_nonnull(strstr(d.detail, "conditions[2] (provider_id"));
}
END_TEST

START_TEST(test_second_policy_allows)
{
	struct policy_ctx x = ctx();
	struct policy_rule r[2] = {
		{ "pol-a", C(0, REMOTE("is_not_in_cidr")) },
		{ "pol-b", C(1, PROVIDER("is_in")) },
	};
	struct policy_decision d;

	policy_eval(r, 2, &x, &d);
	ck_assert(d.allow);
	ck_assert_str_eq(d.policy_id, "pol-b");
	x.provider_id = "p9";
	policy_eval(r, 2, &x, &d);
	ck_assert(!d.allow);
	ck_assert_str_eq(d.detail, "policy pol-a: conditions[0] (remote_ip "
				   "is_not_in_cidr) does not hold, nor does "
				   "any other policy");
}
END_TEST

/* expires_at = min(end of the current window, the token's expiry). */
START_TEST(test_expiry_is_the_minimum)
{
	struct policy_ctx x = ctx();
	struct policy_rule r = { "pol-a", C(0, WORK_HOURS) };
	struct policy_decision d;

	policy_eval(&r, 1, &x, &d); /* token a week away: the window ends */
	ck_assert(d.allow);
	ck_assert_uint_eq(d.expires_ns, utc_ns(2026, 1, 5, 16, 0));
	x.token_expires_ns = utc_ns(2026, 1, 5, 12, 30);
	policy_eval(&r, 1, &x, &d);
	ck_assert_uint_eq(d.expires_ns, x.token_expires_ns);
	x.token_expires_ns = 0;
	policy_eval(&r, 1, &x, &d);
	ck_assert_uint_eq(d.expires_ns, utc_ns(2026, 1, 5, 16, 0));
}
END_TEST

/* Two time conditions in one policy: the earlier end counts. */
START_TEST(test_expiry_of_two_windows)
{
	struct policy_ctx x = ctx();
	struct policy_rule r = {
		"pol-a", C(0, "[{\"property\":\"current_utc_datetime\","
			      "\"operator\":\"is_in_day_of_week_time_ranges\","
			      "\"values\":[\"M/true/UTC\"]},"
			      "{\"property\":\"current_utc_datetime\","
			      "\"operator\":\"is_in_day_of_week_time_ranges\","
			      "\"values\":[\"M/08:00-14:00/America/New_York\","
			      "\"M/10:00-13:30/UTC\"]}]")
	};
	struct policy_decision d;

	policy_eval(&r, 1, &x, &d); /* 11:00 UTC: UTC 10-13:30 then NY 13-19 */
	ck_assert(d.allow);
	ck_assert_uint_eq(d.expires_ns, utc_ns(2026, 1, 5, 19, 0));
	x.now_ns = utc_ns(2026, 1, 5, 21, 0);
	policy_eval(&r, 1, &x, &d);
	ck_assert(!d.allow);
	ck_assert_ptr_nonnull(strstr(d.detail, "conditions[1]"));
}
END_TEST

/* Across the autumn change: 00:00-06:00 Berlin lasts 7 real hours. */
START_TEST(test_expiry_across_dst)
{
	struct policy_ctx x = ctx();
	struct policy_rule r = {
		"pol-a", C(0, "[{\"property\":\"current_utc_datetime\","
			      "\"operator\":\"is_in_day_of_week_time_ranges\","
			      "\"values\":[\"U/00:00-06:00/Europe/Berlin\"]}]")
	};
	struct policy_decision d;

	x.now_ns = utc_ns(2026, 10, 24, 22, 0);
	x.token_expires_ns = 0;
	policy_eval(&r, 1, &x, &d);
	ck_assert(d.allow);
	ck_assert_uint_eq(d.expires_ns - x.now_ns, 7 * 3600 * NS);
	x.now_ns = utc_ns(2026, 3, 28, 23, 0);
	policy_eval(&r, 1, &x, &d);
	ck_assert(d.allow);
	ck_assert_uint_eq(d.expires_ns - x.now_ns, 5 * 3600 * NS);
}
END_TEST

/* Of two policies that allow, the one whose grant lasts longer. */
START_TEST(test_longest_lived_policy_wins)
{
	struct policy_ctx x = ctx();
	struct policy_rule r[3] = {
		{ "pol-short", C(0, WORK_HOURS) },
		{ "pol-long", C(1, PROVIDER("is_in")) },
		{ "pol-denied", C(2, REMOTE("is_not_in_cidr")) },
	};
	struct policy_decision d;

	policy_eval(r, 3, &x, &d);
	ck_assert(d.allow);
	ck_assert_str_eq(d.policy_id, "pol-long");
	ck_assert_uint_eq(d.expires_ns, x.token_expires_ns);
	x.provider_id = "p9";
	policy_eval(r, 3, &x, &d);
	ck_assert_str_eq(d.policy_id, "pol-short");
	ck_assert_uint_eq(d.expires_ns, utc_ns(2026, 1, 5, 16, 0));
}
END_TEST

Suite *portal_policy_eval_suite(void)
{
	Suite *s = suite_create("portal_policy_eval");
	TCase *tc = tcase_create("conditions");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_loop_test(tc, test_remote_ip, 0,
			    sizeof(remote_rows) / sizeof(remote_rows[0]));
	tcase_add_test(tc, test_remote_ip_unknown_fails_closed);
	tcase_add_test(tc, test_remote_ip_families_apart);
	tcase_add_loop_test(tc, test_provider_id, 0,
			    sizeof(provider_rows) / sizeof(provider_rows[0]));
	tcase_add_test(tc, test_client_verified);
	tcase_add_test(tc, test_datetime);
	suite_add_tcase(s, tc);
	tc = tcase_create("decision");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_no_policy_denies);
	tcase_add_test(tc, test_no_conditions_allows_until_token_expiry);
	tcase_add_test(tc, test_expired_token_denies);
	tcase_add_test(tc, test_all_conditions_must_hold);
	tcase_add_test(tc, test_second_policy_allows);
	tcase_add_test(tc, test_expiry_is_the_minimum);
	tcase_add_test(tc, test_expiry_of_two_windows);
	tcase_add_test(tc, test_expiry_across_dst);
	tcase_add_test(tc, test_longest_lived_policy_wins);
	suite_add_tcase(s, tc);
	return s;
}
