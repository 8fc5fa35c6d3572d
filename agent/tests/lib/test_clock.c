// SPDX-License-Identifier: GPL-2.0
/*
 * clock.c: deadlines carried between real time and boot time.
 */
#include "lib/clock.h"
#include "../suites.h"

#define NS FZ_NSEC_PER_SEC

START_TEST(test_never_stays_never)
{
	ck_assert_uint_eq(fz_clock_convert(0, 1000 * NS, 5 * NS), 0);
	ck_assert_uint_eq(fz_clock_real_to_boot(0), 0);
	ck_assert_uint_eq(fz_clock_boot_to_real(0), 0);
}
END_TEST

START_TEST(test_future_keeps_its_distance)
{
	/* Real time 1000 s, boot time 5 s: 60 s from now is boot 65 s. */
	ck_assert_uint_eq(fz_clock_convert(1060 * NS, 1000 * NS, 5 * NS),
			  65 * NS);
	ck_assert_uint_eq(fz_clock_convert(65 * NS, 5 * NS, 1000 * NS),
			  1060 * NS);
}
END_TEST

START_TEST(test_past_stays_past_and_nonzero)
{
	/* 10 s ago, boot time 5 s: as far back as it goes, never 0. */
	ck_assert_uint_eq(fz_clock_convert(990 * NS, 1000 * NS, 5 * NS), 1);
	ck_assert_uint_eq(fz_clock_convert(1000 * NS, 1000 * NS, 5 * NS),
			  5 * NS);
	ck_assert_uint_eq(fz_clock_convert(3 * NS, 5 * NS, 1000 * NS),
			  998 * NS);
	ck_assert_uint_eq(fz_clock_convert(1, UINT64_MAX, 1), 1);
}
END_TEST

START_TEST(test_far_future_saturates)
{
	ck_assert_uint_eq(fz_clock_convert(UINT64_MAX, 1, UINT64_MAX - 1),
			  UINT64_MAX);
	ck_assert_uint_eq(fz_clock_convert(UINT64_MAX - 1, 0, 1), UINT64_MAX);
}
END_TEST

START_TEST(test_round_trip_on_the_live_clocks)
{
	uint64_t real = fz_clock_real_ns() + 3600 * NS;
	uint64_t back = fz_clock_boot_to_real(fz_clock_real_to_boot(real));

	/* Two pairs of clock readings apart: far less than a second. */
	ck_assert_uint_lt(back > real ? back - real : real - back, NS);
	ck_assert_uint_gt(fz_clock_real_to_boot(real), fz_clock_boot_ns());
}
END_TEST

Suite *clock_suite(void)
{
	Suite *s = suite_create("clock");
	TCase *tc = tcase_create("clock");

	tcase_add_test(tc, test_never_stays_never);
	tcase_add_test(tc, test_future_keeps_its_distance);
	tcase_add_test(tc, test_past_stays_past_and_nonzero);
	tcase_add_test(tc, test_far_future_saturates);
	tcase_add_test(tc, test_round_trip_on_the_live_clocks);
	suite_add_tcase(s, tc);
	return s;
}
