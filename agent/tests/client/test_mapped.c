// SPDX-License-Identifier: GPL-2.0
/*
 * mapped.c: addresses handed out in order, kept, found both ways; the
 * cap on names and the pool's end refused; the sentinels never handed
 * out.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "client/mapped.h"
#include "../suites.h"

static const uint8_t id1[FZ_RESOURCE_ID_LEN] = { 1 };
static const uint8_t id2[FZ_RESOURCE_ID_LEN] = { 2 };

static void text(const struct fz_cidr *c, char *out)
{
	inet_ntop(c->family, c->addr, out, INET6_ADDRSTRLEN);
}

static int logged;
static void count_log(void *ctx, const char *line)
{
	(void)ctx;
	(void)line;
	logged++;
}

START_TEST(test_order)
{
	struct client_mapped *m = client_mapped_new(0, NULL, NULL);
	const struct client_mapped_entry *a, *b;
	char ip[INET6_ADDRSTRLEN];

	ck_assert_int_eq(client_mapped_get(m, "a.test", id1, &a), 0);
	ck_assert_int_eq(client_mapped_get(m, "b.test", id2, &b), 0);
	for (unsigned int k = 0; k < 4; k++) {
		char want[64];

		text(&a->v4[k], ip);
		snprintf(want, sizeof(want), "100.96.0.%u", k + 1);
		ck_assert_str_eq(ip, want);
		ck_assert_uint_eq(a->v4[k].cidr, 32);
		text(&b->v4[k], ip);
		snprintf(want, sizeof(want), "100.96.0.%u", k + 5);
		ck_assert_str_eq(ip, want);
		text(&a->v6[k], ip);
		snprintf(want, sizeof(want), "fd00:2021:1111:8000::%u", k + 1);
		ck_assert_str_eq(ip, want);
		ck_assert_uint_eq(a->v6[k].cidr, 128);
	}
	ck_assert_uint_eq(client_mapped_count(m), 2);
	client_mapped_free(m);
}
END_TEST

START_TEST(test_stable)
{
	struct client_mapped *m = client_mapped_new(0, NULL, NULL);
	const struct client_mapped_entry *a, *again;
	char name[64];

	ck_assert_int_eq(client_mapped_get(m, "GitLab.Company.Test.", id1, &a),
			 0);
	ck_assert_str_eq(a->name, "gitlab.company.test");
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "n%d.test", i);
		ck_assert_int_eq(client_mapped_get(m, name, id1, &again), 0);
	}
	ck_assert_int_eq(
		client_mapped_get(m, "gitlab.company.TEST", id2, &again), 0);
	ck_assert_ptr_eq(again, a);
	ck_assert_uint_eq(a->block, 0);
	/* The resource is the latest one asked for; the addresses stay. */
	ck_assert_mem_eq(a->resource_id, id2, FZ_RESOURCE_ID_LEN);
	ck_assert_ptr_eq(client_mapped_find(m, "GITLAB.company.test"), a);
	ck_assert_ptr_null(client_mapped_find(m, "nope.test"));
	ck_assert_uint_eq(client_mapped_count(m), 1001);
	client_mapped_free(m);
}
END_TEST

START_TEST(test_bad_names)
{
	struct client_mapped *m = client_mapped_new(0, NULL, NULL);
	const struct client_mapped_entry *e;
	char longname[300];

	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	ck_assert_int_eq(client_mapped_get(m, "", id1, &e), -EINVAL);
	ck_assert_int_eq(client_mapped_get(m, ".", id1, &e), -EINVAL);
	ck_assert_int_eq(client_mapped_get(m, "*.x.test", id1, &e), -EINVAL);
	ck_assert_int_eq(client_mapped_get(m, "a b.test", id1, &e), -EINVAL);
	ck_assert_int_eq(client_mapped_get(m, longname, id1, &e), -EINVAL);
	ck_assert_uint_eq(client_mapped_count(m), 0);
	client_mapped_free(m);
}
END_TEST

START_TEST(test_reverse)
{
	struct client_mapped *m = client_mapped_new(0, NULL, NULL);
	const struct client_mapped_entry *a, *b;
	struct fz_cidr ip;
	const char *why;

	ck_assert_int_eq(client_mapped_get(m, "a.test", id1, &a), 0);
	ck_assert_int_eq(client_mapped_get(m, "b.test", id2, &b), 0);
	for (unsigned int k = 0; k < 4; k++) {
		ck_assert_ptr_eq(client_mapped_lookup_addr(m, &a->v4[k]), a);
		ck_assert_ptr_eq(client_mapped_lookup_addr(m, &b->v6[k]), b);
	}
	ck_assert_mem_eq(client_mapped_lookup_addr(m, &b->v4[0])->resource_id,
			 id2, FZ_RESOURCE_ID_LEN);
	ck_assert_int_eq(fz_cidr_parse(&ip, "100.96.0.0", 10, &why), 0);
	ck_assert_ptr_null(client_mapped_lookup_addr(m, &ip));
	ck_assert_int_eq(fz_cidr_parse(&ip, "100.96.0.9", 10, &why), 0);
	ck_assert_ptr_null(client_mapped_lookup_addr(m, &ip));
	ck_assert_int_eq(fz_cidr_parse(&ip, "100.64.0.1", 10, &why), 0);
	ck_assert_ptr_null(client_mapped_lookup_addr(m, &ip));
	ck_assert_int_eq(fz_cidr_parse(&ip, "fd00:2021:1111::1", 17, &why), 0);
	ck_assert_ptr_null(client_mapped_lookup_addr(m, &ip));
	ck_assert_int_eq(
		fz_cidr_parse(&ip, "fd00:2021:1111:8000:1::1", 24, &why), 0);
	ck_assert_ptr_null(client_mapped_lookup_addr(m, &ip));
	ip.family = 0;
	ck_assert_ptr_null(client_mapped_lookup_addr(m, &ip));
	client_mapped_free(m);
}
END_TEST

START_TEST(test_cap)
{
	struct client_mapped *m = client_mapped_new(3, count_log, NULL);
	const struct client_mapped_entry *e;

	logged = 0;
	ck_assert_int_eq(client_mapped_get(m, "a.test", id1, &e), 0);
	ck_assert_int_eq(client_mapped_get(m, "b.test", id1, &e), 0);
	ck_assert_int_eq(client_mapped_get(m, "c.test", id1, &e), 0);
	ck_assert_int_eq(client_mapped_get(m, "d.test", id1, &e), -ENOSPC);
	ck_assert_int_eq(logged, 1);
	/* Known names still work. */
	ck_assert_int_eq(client_mapped_get(m, "b.test", id2, &e), 0);
	ck_assert_uint_eq(client_mapped_count(m), 3);
	client_mapped_free(m);
}
END_TEST

/* A wildcard resource makes its cap of names; wildcards together three
 * quarters of all; exact names and known names are never refused. */
START_TEST(test_wildcard_cap)
{
	struct client_mapped *m = client_mapped_new(8, count_log, NULL);
	const struct client_mapped_entry *e;
	char name[32];

	logged = 0;
	client_mapped_set_wildcard_cap(m, 4);
	for (int i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "w%d.one.test", i);
		ck_assert_int_eq(client_mapped_get_wildcard(m, name, id1, &e),
				 0);
	}
	ck_assert_int_eq(client_mapped_get_wildcard(m, "w4.one.test", id1, &e),
			 -EDQUOT);
	ck_assert_int_eq(client_mapped_get_wildcard(m, "W0.One.Test", id1, &e),
			 0);
	ck_assert_str_eq(e->name, "w0.one.test");
	/* Another wildcard: its own cap, but wildcards stop at 6 of 8. */
	ck_assert_int_eq(client_mapped_get_wildcard(m, "a.two.test", id2, &e),
			 0);
	ck_assert_int_eq(client_mapped_get_wildcard(m, "b.two.test", id2, &e),
			 0);
	ck_assert_int_eq(client_mapped_get_wildcard(m, "c.two.test", id2, &e),
			 -EDQUOT);
	ck_assert_int_eq(logged, 2);
	/* Exact names: the rest. */
	ck_assert_int_eq(client_mapped_get(m, "x.test", id1, &e), 0);
	ck_assert_int_eq(client_mapped_get(m, "y.test", id1, &e), 0);
	ck_assert_int_eq(client_mapped_get(m, "z.test", id1, &e), -ENOSPC);
	/* A name made exact is not refused when a wildcard asks for it. */
	ck_assert_int_eq(client_mapped_get_wildcard(m, "x.test", id2, &e), 0);
	ck_assert_uint_eq(client_mapped_count(m), 8);
	client_mapped_set_wildcard_cap(m, 0);
	client_mapped_free(m);
}
END_TEST

START_TEST(test_tell)
{
	struct client_mapped *m = client_mapped_new(0, NULL, NULL);
	const struct client_mapped_entry *a, *b;

	ck_assert_int_eq(client_mapped_get(m, "a.test", id1, &a), 0);
	ck_assert_int_eq(client_mapped_get(m, "b.test", id1, &b), 0);
	ck_assert(client_mapped_tell(m, a, 5000));
	ck_assert(!client_mapped_tell(m, a, 5000));
	ck_assert(client_mapped_tell(m, b, 5500));
	ck_assert(!client_mapped_tell(m, a, 5000 + CLIENT_MAPPED_TELL_MS - 1));
	ck_assert(client_mapped_tell(m, a, 5000 + CLIENT_MAPPED_TELL_MS));
	ck_assert(!client_mapped_tell(m, b, 5600));
	client_mapped_free(m);
}
END_TEST

START_TEST(test_pool_end)
{
	struct client_mapped *m = client_mapped_new(0, count_log, NULL);
	const struct client_mapped_entry *e;
	char name[32], ip[INET6_ADDRSTRLEN];

	logged = 0;
	client_mapped_set_pool_end(m, 5);
	for (int i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "n%d.test", i);
		ck_assert_int_eq(client_mapped_get(m, name, id1, &e), 0);
	}
	text(&e->v4[3], ip);
	ck_assert_str_eq(ip, "100.96.0.20");
	for (int i = 0; i < 20; i++)
		ck_assert_int_eq(client_mapped_get(m, "late.test", id1, &e),
				 -ENOSPC);
	ck_assert_int_eq(logged, 11); /* 1..10, then 16 */
	client_mapped_free(m);
}
END_TEST

START_TEST(test_last_block)
{
	struct fz_cidr c;
	char ip[INET6_ADDRSTRLEN];

	client_mapped_addr(CLIENT_MAPPED_BLOCKS - 1, 3, AF_INET, &c);
	text(&c, ip);
	ck_assert_str_eq(ip, "100.127.255.252");
	client_mapped_addr(CLIENT_MAPPED_BLOCKS - 1, 3, AF_INET6, &c);
	text(&c, ip);
	ck_assert_str_eq(ip, "fd00:2021:1111:8000::1f:fffc");
}
END_TEST

/* 100.100.111.0/24 is the stub's: the blocks around it are skipped. */
START_TEST(test_sentinels_skipped)
{
	struct client_mapped *m = client_mapped_new(80000, NULL, NULL);
	static const uint8_t sentinel[16] = CLIENT_SENTINEL_V4;
	const struct client_mapped_entry *e, *prev = NULL;
	char name[32], ip[INET6_ADDRSTRLEN];

	for (int i = 0; i < 72700; i++) {
		snprintf(name, sizeof(name), "n%d.test", i);
		ck_assert_int_eq(client_mapped_get(m, name, id1, &e), 0);
		for (unsigned int k = 0; k < 4; k++)
			ck_assert(!fz_cidr_in(&e->v4[k], sentinel, 24));
		if (prev && e->block != prev->block + 1) {
			text(&prev->v4[3], ip);
			ck_assert_str_eq(ip, "100.100.110.252");
			text(&e->v4[0], ip);
			ck_assert_str_eq(ip, "100.100.112.1");
		}
		prev = e;
	}
	ck_assert_uint_eq(prev->block, 72700 + 65 - 1);
	ck_assert_ptr_eq(client_mapped_lookup_addr(m, &prev->v6[2]), prev);
	client_mapped_free(m);
}
END_TEST

Suite *client_mapped_suite(void)
{
	Suite *s = suite_create("client_mapped");
	TCase *tc = tcase_create("client_mapped");

	tcase_add_test(tc, test_order);
	tcase_add_test(tc, test_stable);
	tcase_add_test(tc, test_bad_names);
	tcase_add_test(tc, test_reverse);
	tcase_add_test(tc, test_cap);
	tcase_add_test(tc, test_wildcard_cap);
	tcase_add_test(tc, test_tell);
	tcase_add_test(tc, test_pool_end);
	tcase_add_test(tc, test_last_block);
	tcase_add_test(tc, test_sentinels_skipped);
	suite_add_tcase(s, tc);
	return s;
}
