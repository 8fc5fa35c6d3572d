// SPDX-License-Identifier: GPL-2.0
/* The id multimap (index.h). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "index.h"

#define MIN_BUCKETS 64

/* FNV-1a over the lower-cased key: ids compare case-insensitively. */
static size_t hash(const char *key)
{
	uint64_t h = 1469598103934665603ull;

	for (; *key; key++) {
		unsigned char c = (unsigned char)*key;

		h ^= c >= 'A' && c <= 'Z' ? c + 32u : c;
		h *= 1099511628211ull;
	}
	return (size_t)h;
}

static int grow(struct sig_index *ix)
{
	size_t nb = ix->n_buckets ? ix->n_buckets * 2 : MIN_BUCKETS;
	struct sig_index_ent **b = calloc(nb, sizeof(*b));

	if (!b)
		return -ENOMEM;
	for (size_t i = 0; i < ix->n_buckets; i++) {
		struct sig_index_ent *e = ix->b[i], *next;

		for (; e; e = next) {
			size_t h = hash(e->key) & (nb - 1);

			next = e->next;
			e->next = b[h];
			b[h] = e;
		}
	}
	free(ix->b);
	ix->b = b;
	ix->n_buckets = nb;
	return 0;
}

int sig_index_add(struct sig_index *ix, const char *key, void *val)
{
	struct sig_index_ent *e;
	size_t h;

	/* At most two entries per bucket on average. */
	if (ix->n >= 2 * ix->n_buckets && grow(ix) && !ix->n_buckets)
		return -ENOMEM;
	e = malloc(sizeof(*e));
	if (!e)
		return -ENOMEM;
	h = hash(key) & (ix->n_buckets - 1);
	e->key = key;
	e->val = val;
	e->next = ix->b[h];
	ix->b[h] = e;
	ix->n++;
	return 0;
}

int sig_index_del(struct sig_index *ix, const char *key, void *val)
{
	struct sig_index_ent **pp;

	if (!ix->n_buckets)
		return 0;
	pp = &ix->b[hash(key) & (ix->n_buckets - 1)];
	for (; *pp; pp = &(*pp)->next) {
		struct sig_index_ent *e = *pp;

		if (e->val != val || strcasecmp(e->key, key))
			continue;
		*pp = e->next;
		free(e);
		ix->n--;
		return 1;
	}
	return 0;
}

static struct sig_index_ent *match(struct sig_index_ent *e, const char *key)
{
	while (e && strcasecmp(e->key, key))
		e = e->next;
	return e;
}

struct sig_index_ent *sig_index_first(const struct sig_index *ix,
				      const char *key)
{
	if (!ix->n_buckets)
		return NULL;
	return match(ix->b[hash(key) & (ix->n_buckets - 1)], key);
}

struct sig_index_ent *sig_index_next(const struct sig_index_ent *e,
				     const char *key)
{
	return match(e->next, key);
}

size_t sig_index_get(const struct sig_index *ix, const char *key, void **out,
		     size_t max)
{
	size_t n = 0;

	for (struct sig_index_ent *e = sig_index_first(ix, key); e;
	     e = sig_index_next(e, key), n++)
		if (n < max)
			out[n] = e->val;
	return n;
}

size_t sig_index_values(const struct sig_index *ix, void **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < ix->n_buckets; i++)
		for (struct sig_index_ent *e = ix->b[i]; e; e = e->next, n++)
			if (n < max)
				out[n] = e->val;
	return n;
}

size_t sig_index_count(const struct sig_index *ix, const char *key)
{
	return sig_index_get(ix, key, NULL, 0);
}

void sig_index_free(struct sig_index *ix)
{
	for (size_t i = 0; i < ix->n_buckets; i++) {
		struct sig_index_ent *e = ix->b[i], *next;

		for (; e; e = next) {
			next = e->next;
			free(e);
		}
	}
	free(ix->b);
	memset(ix, 0, sizeof(*ix));
}
