// SPDX-License-Identifier: GPL-2.0
/*
 * Gateway choice: failed gateways are not chosen while others are (when
 * all failed, the newest joiner is), connected ones are preferred, none
 * online is offline, and the random choice is uniform.
 */
#include <check.h>
#include <errno.h>

#include <sodium.h>

#include "policy/choose.h"
#include "../suites.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const gws[] = { "gw-a", "gw-b", "gw-c", "gw-d" };

static void setup(void)
{
	ck_assert_int_ge(sodium_init(), 0);
}

/* How often each of the online gateways is chosen in draws draws. */
static void tally(const struct policy_choose_req *r, int draws, int counts[4])
{
	for (int i = 0; i < 4; i++)
		counts[i] = 0;
	for (int i = 0; i < draws; i++) {
		int k = policy_choose(r);

		ck_assert_int_ge(k, 0);
		ck_assert_int_lt(k, (int)r->n_online);
		counts[k]++;
	}
}

START_TEST(test_none_online_is_offline)
{
	struct policy_choose_req r = { .online = gws, .n_online = 0 };

	ck_assert_int_eq(policy_choose(&r), -ENOENT);
}
END_TEST

/* Every one failed the client: the one that joined last, always. */
START_TEST(test_all_failed_newest_joiner)
{
	const char *const failed[] = { "gw-b", "GW-A", "gw-c" };
	const int64_t joined[] = { 100, 300, 200 };
	struct policy_choose_req r = { .online = gws,
				       .joined = joined,
				       .n_online = 3,
				       .failed = failed,
				       .n_failed = N(failed),
				       .connected = failed,
				       .n_connected = N(failed) };
	int counts[4];

	tally(&r, 1000, counts);
	ck_assert_int_eq(counts[1], 1000);
	/* One that did not fail is chosen over any newer one that did. */
	r.n_failed = 2;
	tally(&r, 1000, counts);
	ck_assert_int_eq(counts[2], 1000);
}
END_TEST

START_TEST(test_failed_excluded)
{
	const char *const failed[] = { "gw-a", "gw-c", "gw-z" };
	struct policy_choose_req r = { .online = gws,
				       .n_online = 3,
				       .failed = failed,
				       .n_failed = N(failed) };
	int counts[4];

	tally(&r, 1000, counts);
	ck_assert_int_eq(counts[1], 1000);
}
END_TEST

START_TEST(test_connected_preferred)
{
	const char *const one[] = { "gw-c" };
	const char *const two[] = { "gw-z", "GW-B", "gw-d" };
	struct policy_choose_req r = { .online = gws,
				       .n_online = 4,
				       .connected = one,
				       .n_connected = N(one) };
	int counts[4];

	tally(&r, 1000, counts);
	ck_assert_int_eq(counts[2], 1000);
	r.connected = two;
	r.n_connected = N(two);
	tally(&r, 1000, counts);
	ck_assert_int_eq(counts[0] + counts[2], 0);
	ck_assert_int_gt(counts[1], 0);
	ck_assert_int_gt(counts[3], 0);
}
END_TEST

/* A connected gateway that failed is no candidate; the others are. */
START_TEST(test_connected_but_failed)
{
	const char *const c[] = { "gw-a" };
	struct policy_choose_req r = { .online = gws,
				       .n_online = 3,
				       .failed = c,
				       .n_failed = 1,
				       .connected = c,
				       .n_connected = 1 };
	int counts[4];

	tally(&r, 1000, counts);
	ck_assert_int_eq(counts[0], 0);
	ck_assert_int_gt(counts[1], 0);
	ck_assert_int_gt(counts[2], 0);
}
END_TEST

/* Eligible: exactly the gateways the choice can return, in each pool. */
static void eligible(const struct policy_choose_req *r, const bool want[4])
{
	int counts[4] = { 0 };

	if (r->n_online)
		tally(r, 1000, counts);
	for (size_t i = 0; i < 4; i++) {
		ck_assert_msg(policy_choose_eligible(r, i) == want[i],
			      "gateway %zu", i);
		ck_assert(want[i] || !counts[i]);
	}
}

START_TEST(test_eligible)
{
	const char *const ghost[] = { "gw-z" }, *const c[] = { "gw-c" };
	const char *const all[] = { "gw-a", "gw-b", "gw-c" };
	const int64_t joined[] = { 100, 300, 200 };
	struct policy_choose_req r = { .online = gws,
				       .joined = joined,
				       .n_online = 3 };

	/* None named: any. */
	eligible(&r, (bool[]){ true, true, true, false });
	/* A connected gateway that is not online: as if none were named. */
	r.connected = ghost;
	r.n_connected = 1;
	eligible(&r, (bool[]){ true, true, true, false });
	/* A connected one online: it alone. */
	r.connected = c;
	eligible(&r, (bool[]){ false, false, true, false });
	/* It failed: the others. */
	r.failed = c;
	r.n_failed = 1;
	eligible(&r, (bool[]){ true, true, false, false });
	/* All failed: the newest joiner alone; none online: none. */
	r.failed = all;
	r.n_failed = 3;
	eligible(&r, (bool[]){ false, true, false, false });
	r.n_online = 0;
	eligible(&r, (bool[]){ false, false, false, false });
}
END_TEST

/*
 * 10^5 draws among k gateways: by Hoeffding's inequality each count
 * strays from n/k by t*n or more with probability at most 2exp(-2nt^2);
 * over k counts, 2k exp(-2nt^2). With t = 0.009 (900 draws) that is
 * 5.5e-7 for k = 3 and 7.4e-7 for k = 4: this test fails spuriously less
 * than once in a million runs, yet catches modulo bias or a gateway
 * never chosen.
 */
START_TEST(test_uniform)
{
	const int n = 100000, k = 3 + _i;
	struct policy_choose_req r = { .online = gws, .n_online = (size_t)k };
	int counts[4];

	tally(&r, n, counts);
	for (int i = 0; i < k; i++)
		ck_assert_msg(counts[i] >= n / k - 900 &&
				      counts[i] <= n / k + 900,
			      "gateway %d of %d: %d of %d", i, k, counts[i], n);
}
END_TEST

Suite *portal_policy_choose_suite(void)
{
	Suite *s = suite_create("portal_policy_choose");
	TCase *tc = tcase_create("choose");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_none_online_is_offline);
	tcase_add_test(tc, test_all_failed_newest_joiner);
	tcase_add_test(tc, test_failed_excluded);
	tcase_add_test(tc, test_connected_preferred);
	tcase_add_test(tc, test_connected_but_failed);
	tcase_add_test(tc, test_eligible);
	tcase_add_loop_test(tc, test_uniform, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}
