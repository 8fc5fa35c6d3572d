/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A sorted index of the public keys in an array of structs, for finding
 * a peer by key in O(log n). Reconciling a config of 10,000 peers with a
 * device of 10,000 peers by scanning is 100 million comparisons.
 */
#ifndef FZ_AGENT_KEYINDEX_H
#define FZ_AGENT_KEYINDEX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct fz_keyindex_entry {
	const uint8_t *key;
	size_t pos; /* index in the array the index was built from */
};

struct fz_keyindex {
	struct fz_keyindex_entry *v;
	size_t n;
};

/*
 * Indexes n elements of stride bytes from base, each with its 32-byte
 * key at key_offset. The array must not move while the index is used.
 * Returns 0 or -ENOMEM.
 */
int fz_keyindex_build(struct fz_keyindex *ki, const void *base, size_t n,
		      size_t stride, size_t key_offset);
/* The same for n elements of array, keyed by their member named member. */
#define fz_keyindex_of(ki, array, n, member)              \
	fz_keyindex_build(ki, array, n, sizeof(*(array)), \
			  offsetof(__typeof__(*(array)), member))

/* The position of key in the array, or -1. */
ssize_t fz_keyindex_find(const struct fz_keyindex *ki, const uint8_t *key);

void fz_keyindex_free(struct fz_keyindex *ki);

#endif
