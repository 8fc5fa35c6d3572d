// SPDX-License-Identifier: GPL-2.0
/* A sorted index of public keys; see keyindex.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "keyindex.h"
#include "keys.h"

static int cmp_entries(const void *a, const void *b)
{
	const struct fz_keyindex_entry *x = a, *y = b;

	return memcmp(x->key, y->key, FZ_KEY_LEN);
}

int fz_keyindex_build(struct fz_keyindex *ki, const void *base, size_t n,
		      size_t stride, size_t key_offset)
{
	const uint8_t *p = base;

	ki->n = 0;
	ki->v = calloc(n ? n : 1, sizeof(*ki->v));
	if (!ki->v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		ki->v[i].key = p + i * stride + key_offset;
		ki->v[i].pos = i;
	}
	ki->n = n;
	qsort(ki->v, n, sizeof(*ki->v), cmp_entries);
	return 0;
}

ssize_t fz_keyindex_find(const struct fz_keyindex *ki, const uint8_t *key)
{
	size_t lo = 0, hi = ki->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(key, ki->v[mid].key, FZ_KEY_LEN);

		if (!c)
			return (ssize_t)ki->v[mid].pos;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

void fz_keyindex_free(struct fz_keyindex *ki)
{
	free(ki->v);
	ki->v = NULL;
	ki->n = 0;
}
