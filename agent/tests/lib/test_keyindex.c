// SPDX-License-Identifier: GPL-2.0
/* The sorted key index, and plans of thousands of peers built with it. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "conf/config.h"
#include "daemon/plan.h"
#include "fzk/device.h"
#include "lib/keyindex.h"
#include "../suites.h"

struct item {
	int tag;
	uint8_t key[FZ_KEY_LEN];
};

/* Key of n: distinct for distinct n, and not sorted in n's order. */
static void key_of(uint8_t key[FZ_KEY_LEN], unsigned int n)
{
	memset(key, 0x5a, FZ_KEY_LEN);
	key[0] = (uint8_t)(n * 37);
	key[1] = (uint8_t)(n >> 8);
	key[31] = (uint8_t)n;
}

START_TEST(test_find)
{
	enum { N = 500 };
	static struct item items[N];
	struct fz_keyindex ki;
	uint8_t key[FZ_KEY_LEN];

	for (unsigned int i = 0; i < N; i++)
		key_of(items[i].key, i);
	ck_assert_int_eq(fz_keyindex_build(&ki, items, N, sizeof(*items),
					   offsetof(struct item, key)),
			 0);
	for (unsigned int i = 0; i < N; i++) {
		key_of(key, i);
		ck_assert_int_eq(fz_keyindex_find(&ki, key), i);
	}
	key_of(key, N);
	ck_assert_int_eq(fz_keyindex_find(&ki, key), -1);
	fz_keyindex_free(&ki);
	/* Empty. */
	ck_assert_int_eq(fz_keyindex_build(&ki, items, 0, sizeof(*items),
					   offsetof(struct item, key)),
			 0);
	ck_assert_int_eq(fz_keyindex_find(&ki, key), -1);
	fz_keyindex_free(&ki);
}
END_TEST

/* Device peers 0..N-1, config peers N/2..N/2+N-1: half kept, half each way. */
START_TEST(test_plan_thousands)
{
	enum { N = 3000 };
	struct fzk_device_view dev;
	struct conf cfg;
	struct daemon_plan plan;

	fzk_device_view_init(&dev);
	memset(&cfg, 0, sizeof(cfg));
	dev.peers = calloc(N, sizeof(*dev.peers));
	cfg.peers = calloc(N, sizeof(*cfg.peers));
	ck_assert(dev.peers && cfg.peers);
	for (unsigned int i = 0; i < N; i++) {
		key_of(dev.peers[i].public_key, i);
		key_of(cfg.peers[i].public_key, N / 2 + i);
	}
	dev.n_peers = N;
	cfg.n_peers = N;
	ck_assert_int_eq(daemon_plan_adopt(&dev, &cfg, &plan), 0);
	ck_assert_uint_eq(plan.n_delete, N / 2);
	ck_assert_uint_eq(plan.n_keep, N / 2);
	ck_assert_uint_eq(plan.n_add, N / 2);
	for (size_t i = 0; i < plan.n_peers; i++) {
		const struct daemon_plan_peer *pp = &plan.peers[i];

		if (pp->op == DAEMON_PLAN_DELETE) {
			ck_assert_uint_lt(pp->dev - dev.peers, N / 2);
		} else if (pp->op == DAEMON_PLAN_KEEP) {
			ck_assert_ptr_nonnull(pp->dev);
			ck_assert_mem_eq(pp->dev->public_key,
					 pp->cfg->public_key, FZ_KEY_LEN);
		} else {
			ck_assert_ptr_null(pp->dev);
			ck_assert_uint_ge(pp->cfg - cfg.peers, N / 2);
		}
	}
	daemon_plan_free(&plan);
	free(dev.peers);
	free(cfg.peers);
}
END_TEST

Suite *keyindex_suite(void)
{
	Suite *s = suite_create("keyindex");
	TCase *tc = tcase_create("keyindex");

	tcase_add_test(tc, test_find);
	tcase_add_test(tc, test_plan_thousands);
	suite_add_tcase(s, tc);
	return s;
}
