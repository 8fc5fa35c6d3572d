/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fresh database in its own directory under /tmp for each test, with
 * an account and its builtin group, removed again afterwards.
 */
#ifndef FZ_PORTAL_TESTS_STORE_FIXTURE_H
#define FZ_PORTAL_TESTS_STORE_FIXTURE_H

#include "store/store.h"

struct fixture {
	char dir[64];
	char path[96];
	char url[112];
	struct store *s;
	struct store_account account;
	struct store_group everyone;
};

/* Makes the directory and sets path and url; opens nothing. */
void fixture_dir(struct fixture *f);
/* fixture_dir, open, migrate, account "acme" and its Everyone group. */
void fixture_open(struct fixture *f);
/* Closes the store (if open) and removes the directory. */
void fixture_close(struct fixture *f);

/* Expects ret to be code, and err's message to contain part. */
#define ck_store_fail(ret, err, want, part)                             \
	do {                                                            \
		ck_assert_int_eq((ret), (want));                        \
		ck_assert_int_eq((err).code, (want));                   \
		ck_assert_msg(strstr((err).msg, (part)), "message: %s", \
			      (err).msg);                               \
	} while (0)

#define ck_store_ok(ret, err) ck_assert_msg((ret) == 0, "%s", (err).msg)

#endif
