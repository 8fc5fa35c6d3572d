// SPDX-License-Identifier: GPL-2.0
/* The store tests' fixture (fixture.h). */
#include <check.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

void fixture_dir(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	ck_assert_int_ge(sodium_init(), 0);
	strcpy(f->dir, "/tmp/fzportal-store-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/fz.db", f->dir);
	snprintf(f->url, sizeof(f->url), "sqlite:%s", f->path);
}

void fixture_open(struct fixture *f)
{
	struct store_err err = { 0 };

	fixture_dir(f);
	f->s = store_open(f->url, &err);
	ck_assert_msg(f->s, "%s", err.msg);
	ck_store_ok(store_migrate(f->s, 0, NULL, NULL, &err), err);
	strcpy(f->account.slug, "acme");
	strcpy(f->account.name, "Acme");
	ck_store_ok(store_account_create(f->s, &f->account, &err), err);
	strcpy(f->everyone.account_id, f->account.id);
	strcpy(f->everyone.name, "Everyone");
	f->everyone.builtin = 1;
	ck_store_ok(store_create(f->s, STORE_GROUP, &f->everyone, &err), err);
}

void fixture_close(struct fixture *f)
{
	static const char *const files[] = { "fz.db", "fz.db-wal",
					     "fz.db-shm" };
	char path[128];

	store_close(f->s);
	f->s = NULL;
	if (!f->dir[0])
		return;
	/* SQLite makes nothing else in the directory. */
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", f->dir, files[i]);
		unlink(path);
	}
	ck_assert_int_eq(rmdir(f->dir), 0);
	f->dir[0] = '\0';
}
