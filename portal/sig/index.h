/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A multimap from an id (UUID text) to pointers, chained and grown by
 * doubling, so that every lookup the signalling does per message or per
 * change (gateways of a site, clients of an actor, sockets of a token,
 * a pending authorization by id) costs O(1) rather than a walk over all
 * sockets. Keys are not copied: a key must live as long as its entry
 * (they point into the peer or pending record that is the value).
 */
#ifndef FZ_PORTAL_SIG_INDEX_H
#define FZ_PORTAL_SIG_INDEX_H

#include <stddef.h>

struct sig_index_ent {
	struct sig_index_ent *next;
	const char *key;
	void *val;
};

struct sig_index {
	struct sig_index_ent **b;
	size_t n_buckets; /* a power of two, or 0 before the first add */
	size_t n;
};

/* 0 or -ENOMEM. The same (key, val) twice is two entries. */
int sig_index_add(struct sig_index *ix, const char *key, void *val);
/* Removes one entry (key, val); false if there was none. */
int sig_index_del(struct sig_index *ix, const char *key, void *val);
/* The first entry of key, then the next with that key; NULL at the end. */
struct sig_index_ent *sig_index_first(const struct sig_index *ix,
				      const char *key);
struct sig_index_ent *sig_index_next(const struct sig_index_ent *e,
				     const char *key);
/*
 * Up to max values of key into out; returns how many there are (which
 * may be more than max). Callers that act on the values (and so may
 * change the index) copy them out first.
 */
size_t sig_index_get(const struct sig_index *ix, const char *key, void **out,
		     size_t max);
/* Every value, whatever its key (up to max); returns how many there are. */
size_t sig_index_values(const struct sig_index *ix, void **out, size_t max);
size_t sig_index_count(const struct sig_index *ix, const char *key);
void sig_index_free(struct sig_index *ix);

#endif /* FZ_PORTAL_SIG_INDEX_H */
