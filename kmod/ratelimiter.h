/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FZ_RATELIMITER_H
#define _FZ_RATELIMITER_H

#include <linux/spinlock.h>
#include <linux/types.h>

union fz_endpoint;

/* Per-source token bucket for handshake messages reaching the agent. */
#define FZ_RATELIMIT_SLOTS 4096
struct fz_ratelimit_slot {
	u8 addr[16];
	u64 last_ns;
	u64 tokens;
};

struct fz_ratelimiter {
	spinlock_t lock; /* the slots; taken once per handshake message */
	struct fz_ratelimit_slot slots[FZ_RATELIMIT_SLOTS];
	/* All sources together: new sources each start with a full bucket. */
	u64 total_tokens;
	u64 total_last_ns;
};

struct fz_ratelimiter *fz_ratelimiter_create(void);
void fz_ratelimiter_destroy(struct fz_ratelimiter *rl);
bool fz_ratelimiter_allow(struct fz_ratelimiter *rl,
			  const union fz_endpoint *src, bool proven);

void fz_ratelimiter_init(void);

#endif /* _FZ_RATELIMITER_H */
