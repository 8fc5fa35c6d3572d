// SPDX-License-Identifier: GPL-2.0
/*
 * Rate limits of the sign-in pages: fixed windows (10 minutes; a day for
 * wrong codes per address) counted per (kind, key), in a fixed table. Keys (addresses, sources)
 * are hashed with a key made at start, so nobody can aim many keys at
 * the same slots; a slot that is needed while all its probe positions
 * are taken goes to the one whose window started first. Memory stays
 * bounded whatever arrives; the cost of that is that a flood of fresh
 * keys may forget an old window early.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "priv.h"

#define LIMIT_SLOTS 8192 /* a power of two */
#define LIMIT_PROBES 8

static const unsigned int limit_max[SIGNIN_LIMIT_KINDS] = {
	[SIGNIN_LIMIT_SEND_ADDR] = 3,
	[SIGNIN_LIMIT_SEND_SOURCE] = 10,
	[SIGNIN_LIMIT_VERIFY_SOURCE] = 30,
	[SIGNIN_LIMIT_START_SOURCE] = 60,
	/*
	 * Wrong codes for one address, whatever the flow: 20 a day makes
	 * guessing a 6-digit code a matter of a hundred years.
	 */
	[SIGNIN_LIMIT_FAIL_ADDR] = 20,
};

static const int64_t limit_window_s[SIGNIN_LIMIT_KINDS] = {
	[SIGNIN_LIMIT_SEND_ADDR] = 600,	    [SIGNIN_LIMIT_SEND_SOURCE] = 600,
	[SIGNIN_LIMIT_VERIFY_SOURCE] = 600, [SIGNIN_LIMIT_START_SOURCE] = 600,
	[SIGNIN_LIMIT_FAIL_ADDR] = 86400,
};

struct limit_slot {
	uint64_t tag; /* 0: free */
	int64_t window_start;
	unsigned int count;
};

struct signin_limits {
	uint8_t key[crypto_generichash_KEYBYTES];
	struct limit_slot slot[LIMIT_SLOTS];
};

struct signin_limits *signin_limits_new(void)
{
	struct signin_limits *l = calloc(1, sizeof(*l));

	if (l)
		randombytes_buf(l->key, sizeof(l->key));
	return l;
}

void signin_limits_free(struct signin_limits *l)
{
	if (l)
		sodium_memzero(l->key, sizeof(l->key));
	free(l);
}

static uint64_t tag_of(const struct signin_limits *l,
		       enum signin_limit_kind kind, const char *key)
{
	crypto_generichash_state st;
	uint8_t k = (uint8_t)kind, h[crypto_generichash_BYTES_MIN];
	uint64_t tag;

	/* A keyed BLAKE2b of kind and key, cut to 64 bits. */
	crypto_generichash_init(&st, l->key, sizeof(l->key), sizeof(h));
	crypto_generichash_update(&st, &k, 1);
	crypto_generichash_update(&st, (const uint8_t *)key, strlen(key));
	crypto_generichash_final(&st, h, sizeof(h));
	memcpy(&tag, h, sizeof(tag));
	return tag ? tag : 1;
}

static struct limit_slot *find(struct signin_limits *l, uint64_t tag)
{
	struct limit_slot *victim = NULL;

	for (unsigned int i = 0; i < LIMIT_PROBES; i++) {
		struct limit_slot *s = &l->slot[(tag + i) & (LIMIT_SLOTS - 1)];

		if (s->tag == tag)
			return s;
		if (!s->tag) {
			if (!victim || victim->tag)
				victim = s;
			continue;
		}
		if (!victim ||
		    (victim->tag && s->window_start < victim->window_start))
			victim = s;
	}
	memset(victim, 0, sizeof(*victim));
	victim->tag = tag;
	return victim;
}

static struct limit_slot *current(struct signin_limits *l,
				  enum signin_limit_kind kind, const char *key,
				  int64_t now)
{
	struct limit_slot *s = find(l, tag_of(l, kind, key));

	if (now - s->window_start >= limit_window_s[kind] * 1000000000LL) {
		s->window_start = now;
		s->count = 0;
	}
	return s;
}

bool signin_limit_take(struct signin_limits *l, enum signin_limit_kind kind,
		       const char *key, int64_t now)
{
	struct limit_slot *s = current(l, kind, key, now);

	if (s->count >= limit_max[kind])
		return false;
	s->count++;
	return true;
}

bool signin_limit_spent(struct signin_limits *l, enum signin_limit_kind kind,
			const char *key, int64_t now)
{
	return current(l, kind, key, now)->count >= limit_max[kind];
}
