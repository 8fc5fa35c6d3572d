// SPDX-License-Identifier: GPL-2.0
/*
 * The sign-in flow table under a flood: a full table makes room in the
 * network holding the most flows, so a person's flow survives sources
 * that each stay under their own cap; a table of single flows refuses.
 */
#include <stdio.h>
#include <string.h>

#include <check.h>

#include "signin/priv.h"
#include "../suites.h"

#define NS 1000000000LL

static int64_t now = 1000 * NS;

/* n flows from each of the sources fmt % (base + i), i < count. */
static void flood(struct signin_flows *t, const char *fmt, unsigned int base,
		  unsigned int count, unsigned int n, unsigned int *refused)
{
	char src[64];

	for (unsigned int i = 0; i < count; i++) {
		snprintf(src, sizeof(src), fmt, (base + i) >> 8,
			 (base + i) & 0xff);
		for (unsigned int k = 0; k < n; k++)
			if (!signin_flow_new(t, src, now++) && refused)
				(*refused)++;
	}
}

START_TEST(test_crowded_out)
{
	struct signin_flows *t = signin_flows_new();
	struct signin_flow *f;
	unsigned int refused = 0;
	char id[SIGNIN_B64_SIZE];

	ck_assert_ptr_nonnull(t);
	/* 256 networks, one source each at its cap: the table is full. */
	flood(t, "10.%u.%u.1", 0, SIGNIN_FLOWS_MAX / SIGNIN_FLOWS_PER_SOURCE,
	      SIGNIN_FLOWS_PER_SOURCE, &refused);
	ck_assert_uint_eq(refused, 0);
	f = signin_flow_new(t, "192.0.2.7", now++);
	ck_assert_msg(f, "a person's sign-in is refused by a full table");
	snprintf(id, sizeof(id), "%s", f->id);
	ck_assert_str_eq(f->network, "192.0.2.0/24");
	/* The flooding sources go on, and so do 500 new networks with
	 * one flow each: the person's flow stays. */
	flood(t, "10.%u.%u.1", 0, SIGNIN_FLOWS_MAX / SIGNIN_FLOWS_PER_SOURCE,
	      SIGNIN_FLOWS_PER_SOURCE, NULL);
	flood(t, "172.%u.%u.1", 16 * 256, 500, 1, &refused);
	ck_assert_uint_eq(refused, 0);
	f = signin_flow_by_id(t, id, now);
	ck_assert_msg(f && !strcmp(f->source, "192.0.2.7"),
		      "a flood of capped sources ended a person's sign-in");
	signin_flows_free(t);
}
END_TEST

START_TEST(test_ipv6_networks)
{
	struct signin_flows *t = signin_flows_new();
	struct signin_flow *f, *oldest;
	char id[SIGNIN_B64_SIZE];

	ck_assert_ptr_nonnull(t);
	/* One /48's /64s, each under its cap, and single IPv4 sources. */
	oldest = signin_flow_new(t, "2001:db8:7:1::/64", now++);
	ck_assert_ptr_nonnull(oldest);
	ck_assert_str_eq(oldest->network, "2001:db8:7::/48");
	snprintf(id, sizeof(id), "%s", oldest->id);
	flood(t, "2001:db8:7:%x%02x::/64", 2, 299, 1, NULL);
	flood(t, "10.%u.%u.1", 0, SIGNIN_FLOWS_MAX - 300, 1, NULL);
	f = signin_flow_new(t, "192.0.2.7", now++);
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_null(signin_flow_by_id(t, id, now));
	signin_flows_free(t);
}
END_TEST

START_TEST(test_single_flows_refuse)
{
	struct signin_flows *t = signin_flows_new();
	unsigned int refused = 0;

	ck_assert_ptr_nonnull(t);
	flood(t, "10.%u.%u.1", 0, SIGNIN_FLOWS_MAX, 1, &refused);
	ck_assert_uint_eq(refused, 0);
	/* Nobody holds more than one: nobody's is ended. */
	ck_assert_ptr_null(signin_flow_new(t, "192.0.2.7", now++));
	/* Once they expire, there is room again. */
	now += (SIGNIN_FLOW_TTL_S + 1) * NS;
	ck_assert_ptr_nonnull(signin_flow_new(t, "192.0.2.7", now++));
	signin_flows_free(t);
}
END_TEST

Suite *portal_signin_flow_suite(void)
{
	Suite *s = suite_create("portal_signin_flow");
	TCase *tc = tcase_create("flows");

	tcase_add_test(tc, test_crowded_out);
	tcase_add_test(tc, test_ipv6_networks);
	tcase_add_test(tc, test_single_flows_refuse);
	suite_add_tcase(s, tc);
	return s;
}
