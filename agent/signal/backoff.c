// SPDX-License-Identifier: GPL-2.0
/*
 * Exponential backoff with full jitter (backoff.h), libsodium's uniform
 * random numbers: no modulo bias, nothing to seed.
 */
#include <sodium.h>

#include "backoff.h"

void signal_backoff_init(struct signal_backoff *b, unsigned int min_ms,
			 unsigned int max_ms)
{
	b->min_ms = min_ms;
	b->max_ms = max_ms;
	b->cur_ms = min_ms;
}

unsigned int signal_backoff_next(struct signal_backoff *b)
{
	unsigned int span = b->cur_ms - b->min_ms;
	unsigned int wait = b->min_ms + randombytes_uniform(span + 1);

	/* Both are bounded far below UINT_MAX / 2 (SIGNAL_LIMIT_MS). */
	b->cur_ms = b->cur_ms * 2 < b->max_ms ? b->cur_ms * 2 : b->max_ms;
	if (b->cur_ms < b->min_ms)
		b->cur_ms = b->min_ms;
	return wait;
}

void signal_backoff_reset(struct signal_backoff *b)
{
	b->cur_ms = b->min_ms;
}
