// SPDX-License-Identifier: GPL-2.0
/*
 * The pool of locked objects: objects distinct, aligned, zeroed and
 * wiped; chunks unmapped once empty; and more objects than
 * sodium_malloc() alone can map in one process.
 */
#include <check.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lib/secpool.h"
#include "../suites.h"

static bool all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

START_TEST(test_alloc_free)
{
	enum { N = 3 * FZ_SECPOOL_SLOTS + 5, SIZE = 700 };
	unsigned char *obj[N];
	struct fz_secpool pool;
	unsigned char *keep;

	ck_assert_int_ge(sodium_init(), 0);
	fz_secpool_init(&pool, SIZE);
	for (int i = 0; i < N; i++) {
		obj[i] = fz_secpool_alloc(&pool);
		ck_assert_ptr_nonnull(obj[i]);
		ck_assert_uint_eq((uintptr_t)obj[i] % 16, 0);
		ck_assert(all_zero(obj[i], SIZE));
		memset(obj[i], i + 1, SIZE); /* the whole object is writable */
	}
	ck_assert_uint_eq(pool.n_chunks, 4);
	for (int i = 0; i < N; i++)
		ck_assert_uint_eq(obj[i][0], (unsigned char)(i + 1));
	/* Odd ones back, in reverse: their chunks stay; slots are wiped. */
	for (int i = N - 2; i >= 1; i -= 2)
		fz_secpool_free(&pool, obj[i]);
	keep = obj[0];
	ck_assert_uint_eq(obj[2][SIZE - 1],
			  3); /* a live neighbour is untouched */
	ck_assert(all_zero(obj[1], SIZE));
	ck_assert_uint_eq(pool.n_chunks, 4);
	/* A freed slot is handed out again, zeroed. */
	obj[1] = fz_secpool_alloc(&pool);
	ck_assert(all_zero(obj[1], SIZE));
	fz_secpool_free(&pool, obj[1]);
	for (int i = 2; i < N; i += 2)
		fz_secpool_free(&pool, obj[i]);
	ck_assert_uint_eq(pool.n_chunks, 1);
	ck_assert_uint_eq(keep[SIZE - 1], 1);
	fz_secpool_free(&pool, keep);
	ck_assert_uint_eq(pool.n_chunks, 0);
	fz_secpool_free(&pool, NULL);
	fz_secpool_destroy(&pool);
}
END_TEST

/*
 * sodium_malloc() maps four regions per allocation: one per object runs
 * out of vm.max_map_count (65,530) at about 16,000. The pool holds
 * 40,000 in 625 chunks.
 */
START_TEST(test_beyond_map_count)
{
	enum { N = 40000 };
	struct fz_secpool pool;
	void **obj = calloc(N, sizeof(*obj));

	ck_assert_ptr_nonnull(obj);
	ck_assert_int_ge(sodium_init(), 0);
	fz_secpool_init(&pool, 64);
	for (int i = 0; i < N; i++) {
		obj[i] = fz_secpool_alloc(&pool);
		ck_assert_msg(obj[i] != NULL, "object %d", i);
	}
	ck_assert_uint_eq(pool.n_chunks,
			  (N + FZ_SECPOOL_SLOTS - 1) / FZ_SECPOOL_SLOTS);
	for (int i = 0; i < N; i += 3)
		fz_secpool_free(&pool, obj[i]);
	fz_secpool_destroy(&pool); /* the rest, still live */
	ck_assert_uint_eq(pool.n_chunks, 0);
	ck_assert_ptr_null(pool.partial);
	ck_assert_ptr_null(pool.full);
	free(obj);
}
END_TEST

/* Freeing an object twice ends the process instead of freeing a chunk. */
START_TEST(test_double_free_aborts)
{
	struct fz_secpool pool;
	void *a, *b;

	ck_assert_int_ge(sodium_init(), 0);
	fz_secpool_init(&pool, 100);
	a = fz_secpool_alloc(&pool);
	b = fz_secpool_alloc(&pool);
	ck_assert_ptr_nonnull(b);
	fz_secpool_free(&pool, a);
	fz_secpool_free(&pool, a);
}
END_TEST

/* An object overrunning into the next slot's header is caught on free. */
START_TEST(test_overrun_header_aborts)
{
	struct fz_secpool pool;
	unsigned char *a, *b;

	ck_assert_int_ge(sodium_init(), 0);
	fz_secpool_init(&pool, 96);
	a = fz_secpool_alloc(&pool);
	b = fz_secpool_alloc(&pool);
	ck_assert_ptr_eq(b, a + 96 + 16);
	memset(a + 96, 0x41, 16);
	fz_secpool_free(&pool, b);
}
END_TEST

Suite *secpool_suite(void)
{
	Suite *s = suite_create("secpool");
	TCase *tc = tcase_create("secpool");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_alloc_free);
	tcase_add_test(tc, test_beyond_map_count);
	tcase_add_test_raise_signal(tc, test_double_free_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, test_overrun_header_aborts, SIGABRT);
	suite_add_tcase(s, tc);
	return s;
}
