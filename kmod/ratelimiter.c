// SPDX-License-Identifier: GPL-2.0
/*
 * How many handshake messages reach fzagent: a token bucket per source
 * (per /64 for IPv6), and one for all sources that have not proved their
 * address, so neither one host nor a spoofed flood can drown the agent.
 */
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/timekeeping.h>

#include "peer.h"
#include "ratelimiter.h"

static siphash_key_t fz_ratelimit_key __read_mostly;

struct fz_ratelimiter *fz_ratelimiter_create(void)
{
	struct fz_ratelimiter *rl = kvzalloc(sizeof(*rl), GFP_KERNEL_ACCOUNT);

	if (rl)
		spin_lock_init(&rl->lock);
	return rl;
}

void fz_ratelimiter_destroy(struct fz_ratelimiter *rl)
{
	kvfree(rl);
}

enum {
	FZ_RATELIMIT_PER_SECOND = 20,
	FZ_RATELIMIT_BURST = 5,
	FZ_RATELIMIT_COST = NSEC_PER_SEC / FZ_RATELIMIT_PER_SECOND,
	/*
	 * A flood from many (or spoofed) sources passes every per-source
	 * bucket: this bounds what reaches the agent from all of them.
	 */
	FZ_RATELIMIT_TOTAL_PER_SECOND = 1000,
	FZ_RATELIMIT_TOTAL_COST = NSEC_PER_SEC / FZ_RATELIMIT_TOTAL_PER_SECOND,
};

/* IPv6 sources are limited per /64: one host owns at least that much. */
static void fz_ratelimit_addr(u8 out[16], const union fz_endpoint *src)
{
	memset(out, 0, 16);
	if (src->addr.sa_family == AF_INET)
		memcpy(out, &src->addr4.sin_addr, 4);
	else
		memcpy(out, src->addr6.sin6_addr.s6_addr, 8);
}

/*
 * PROVEN: the sender showed with mac2 that it owns its address, so it
 * cannot be one of a spoofed flood's many sources; it is limited per
 * source only and neither spends nor needs the all-sources budget.
 */
bool fz_ratelimiter_allow(struct fz_ratelimiter *rl,
			  const union fz_endpoint *src, bool proven)
{
	const u64 burst = (u64)FZ_RATELIMIT_BURST * FZ_RATELIMIT_COST;
	u64 now = ktime_get_coarse_boottime_ns();
	struct fz_ratelimit_slot *slot;
	bool allow;
	u8 addr[16];

	fz_ratelimit_addr(addr, src);
	slot = &rl->slots[siphash(addr, 16, &fz_ratelimit_key) %
			  FZ_RATELIMIT_SLOTS];
	spin_lock_bh(&rl->lock);
	if (memcmp(slot->addr, addr, 16) || !slot->last_ns) {
		/* A new source (or a colliding one) starts with a full bucket. */
		memcpy(slot->addr, addr, 16);
		slot->tokens = burst;
	} else {
		slot->tokens = min(burst, slot->tokens + (now - slot->last_ns));
	}
	slot->last_ns = now;
	/* A second's worth of all sources at most, refilled as time passes. */
	rl->total_tokens = min_t(u64, NSEC_PER_SEC,
				 rl->total_tokens + (now - rl->total_last_ns));
	rl->total_last_ns = now;
	allow = slot->tokens >= FZ_RATELIMIT_COST &&
		(proven || rl->total_tokens >= FZ_RATELIMIT_TOTAL_COST);
	if (allow) {
		slot->tokens -= FZ_RATELIMIT_COST;
		if (!proven)
			rl->total_tokens -= FZ_RATELIMIT_TOTAL_COST;
	}
	spin_unlock_bh(&rl->lock);
	return allow;
}

void fz_ratelimiter_init(void)
{
	get_random_bytes(&fz_ratelimit_key, sizeof(fz_ratelimit_key));
}
