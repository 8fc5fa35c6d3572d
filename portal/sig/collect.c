// SPDX-License-Identifier: GPL-2.0
/*
 * Authorizations copied out of a list query. The store's list calls
 * run one prepared statement; deleting or re-inserting rows from inside
 * its callback would step on it, so whoever acts on rows collects first.
 */
#include <stdlib.h>
#include <string.h>

#include "priv.h"
#include "core/log.h"

static int each_authz(void *arg, const void *rec)
{
	struct sig_authz_list *l = arg;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct store_authz *a = realloc(l->a, cap * sizeof(*a));

		if (!a)
			return -1;
		l->a = a;
		l->cap = cap;
	}
	memcpy(&l->a[l->n++], rec, sizeof(*l->a));
	return 0;
}

int sig_authz_collect(struct sig *s, enum store_authz_by by, const char *id,
		      struct sig_authz_list *out)
{
	struct store_err err = { 0 };
	int ret;

	memset(out, 0, sizeof(*out));
	ret = store_authz_list_by(s->store, by, id, each_authz, out, &err);
	if (ret)
		core_log("store_failed", "op", "authorizations", "id", id,
			 "msg", ret < 0 ? "out of memory" : err.msg, NULL);
	return ret;
}

void sig_authz_list_free(struct sig_authz_list *l)
{
	free(l->a);
	memset(l, 0, sizeof(*l));
}
