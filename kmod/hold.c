// SPDX-License-Identifier: GPL-2.0
/*
 * A client's first packets for a destination that no peer routes yet:
 * held while fzagent asks the portal for the resource, then sent through
 * the gateway it installs, or answered with ICMP unreachable when it
 * cannot. The lock is taken only for such packets; the data path to a
 * known peer never sees it.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <net/icmp.h>
#include <net/ipv6.h>

#include "allowedips.h"
#include "device.h"
#include "hold.h"
#include "netlink.h"
#include "peer.h"
#include "policy.h"
#include "send.h"

static void fz_hold_expired(struct timer_list *t);

void fz_hold_init(struct fz_hold *hold)
{
	unsigned int i;

	spin_lock_init(&hold->lock);
	timer_setup(&hold->timer, fz_hold_expired, 0);
	ratelimit_state_init(&hold->full_event_rs, HZ, 10);
	ratelimit_set_flags(&hold->full_event_rs, RATELIMIT_MSG_ON_RELEASE);
	for (i = 0; i < FZ_HOLD_DESTS; i++)
		__skb_queue_head_init(&hold->dests[i].queue);
}

static unsigned int fz_addr_len(u16 family)
{
	return family == AF_INET ? 4 : 16;
}

/* The slot held for addr, else NULL with *free a free slot (or NULL). */
static struct fz_hold_dest *fz_hold_find(struct fz_hold *hold, u16 family,
					 const u8 *addr,
					 struct fz_hold_dest **free)
{
	struct fz_hold_dest *d;
	unsigned int i;

	*free = NULL;
	for (i = 0; i < FZ_HOLD_DESTS; i++) {
		d = &hold->dests[i];
		if (!d->family) {
			if (!*free)
				*free = d;
			continue;
		}
		if (d->family == family &&
		    !memcmp(d->addr, addr, fz_addr_len(family)))
			return d;
	}
	return NULL;
}

/* Moves d's packets to out and frees the slot. Under hold->lock. */
static void fz_hold_take(struct fz_hold *hold, struct fz_hold_dest *d,
			 struct sk_buff_head *out)
{
	struct sk_buff *skb;

	skb_queue_walk(&d->queue, skb)
		hold->bytes -= skb->truesize;
	skb_queue_splice_tail_init(&d->queue, out);
	d->family = 0;
}

/* Arms the timer for the earliest deadline left. Under hold->lock. */
static void fz_hold_rearm(struct fz_hold *hold)
{
	unsigned long next = 0;
	bool any = false;
	unsigned int i;

	if (hold->dead)
		return;
	for (i = 0; i < FZ_HOLD_DESTS; i++) {
		if (!hold->dests[i].family)
			continue;
		if (!any || time_before(hold->dests[i].deadline, next))
			next = hold->dests[i].deadline;
		any = true;
	}
	if (any)
		mod_timer(&hold->timer, next);
}

/* What a gateway's default deny answers: the local sender gives up. */
static void fz_hold_prohibited(struct sk_buff *skb)
{
	if (skb->protocol == htons(ETH_P_IP))
		icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_PKT_FILTERED, 0);
	else
		icmpv6_ndo_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_ADM_PROHIBITED,
				0);
}

static void fz_hold_drop_all(struct fz_device *fz, struct sk_buff_head *list,
			     enum fz_stat_attr why, bool unreachable)
{
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(list))) {
		fz_count(fz, why);
		DEV_STATS_INC(fz->dev, tx_dropped);
		if (unreachable)
			fz_hold_prohibited(skb);
		kfree_skb(skb);
	}
}

/* Only a unicast host can be a resource: no multicast, no link scope. */
static bool fz_hold_worthy(const struct fz_flow *flow)
{
	struct in6_addr a6;
	__be32 a4;
	int type;

	if (flow->family == AF_INET) {
		memcpy(&a4, flow->daddr, 4);
		return !ipv4_is_multicast(a4) && !ipv4_is_lbcast(a4) &&
		       !ipv4_is_zeronet(a4) && !ipv4_is_loopback(a4) &&
		       !ipv4_is_linklocal_169(a4);
	}
	memcpy(&a6, flow->daddr, 16);
	type = ipv6_addr_type(&a6);
	return (type & IPV6_ADDR_UNICAST) &&
	       !(type & (IPV6_ADDR_LINKLOCAL | IPV6_ADDR_LOOPBACK |
			 IPV6_ADDR_MAPPED));
}

int fz_hold_packet(struct fz_device *fz, struct sk_buff *skb)
{
	struct fz_hold *hold = &fz->hold;
	struct fz_hold_dest *d, *free;
	struct fz_flow flow;
	bool fresh = false;

	if (!READ_ONCE(hold->enabled))
		return -EOPNOTSUPP;
	if (!fz_flow_parse(skb, &flow) || !fz_hold_worthy(&flow))
		return -EOPNOTSUPP;
	spin_lock(&hold->lock);
	if (hold->dead || !hold->enabled) {
		spin_unlock(&hold->lock);
		return -EOPNOTSUPP;
	}
	if (hold->bytes + skb->truesize > FZ_HOLD_MAX_BYTES)
		goto full;
	d = fz_hold_find(hold, flow.family, flow.daddr, &free);
	if (!d) {
		if (!free) {
			/* The agent still learns of it, and can ask. */
			fresh = __ratelimit(&hold->full_event_rs);
			goto full;
		}
		d = free;
		d->family = flow.family;
		memcpy(d->addr, flow.daddr, fz_addr_len(flow.family));
		d->deadline = jiffies + fz_secs(FZ_HOLD_TIMEOUT);
		if (!timer_pending(&hold->timer) ||
		    time_before(d->deadline, hold->timer.expires))
			mod_timer(&hold->timer, d->deadline);
		fresh = true;
	} else if (skb_queue_len(&d->queue) >= FZ_HOLD_PER_DEST) {
		goto full;
	}
	__skb_queue_tail(&d->queue, skb);
	hold->bytes += skb->truesize;
	spin_unlock(&hold->lock);
	fz_count(fz, FZ_STAT_A_HELD);
	if (fresh)
		fz_genl_event_unknown_dest(fz, &flow);
	return 0;

full:
	spin_unlock(&hold->lock);
	fz_count(fz, FZ_STAT_A_DROP_HOLD_FULL);
	if (fresh)
		fz_genl_event_unknown_dest(fz, &flow);
	return -ENOSPC;
}

static void fz_hold_expired(struct timer_list *t)
{
	struct fz_hold *hold = from_timer(hold, t, timer);
	struct fz_device *fz = container_of(hold, struct fz_device, hold);
	struct sk_buff_head expired;
	unsigned int i;

	__skb_queue_head_init(&expired);
	spin_lock(&hold->lock);
	for (i = 0; i < FZ_HOLD_DESTS; i++) {
		struct fz_hold_dest *d = &hold->dests[i];

		if (d->family && !time_before(jiffies, d->deadline))
			fz_hold_take(hold, d, &expired);
	}
	fz_hold_rearm(hold);
	spin_unlock(&hold->lock);
	/* The sender's own retransmission tries again, and asks again. */
	fz_hold_drop_all(fz, &expired, FZ_STAT_A_DROP_HOLD_TIMEOUT, false);
}

void fz_hold_release(struct fz_device *fz)
{
	struct fz_hold *hold = &fz->hold;
	struct sk_buff_head ready;
	struct fz_peer *peer;
	struct sk_buff *skb;
	unsigned int i;

	if (!READ_ONCE(hold->enabled))
		return;
	__skb_queue_head_init(&ready);
	spin_lock_bh(&hold->lock);
	/* Bottom halves are off already; the lookup asks for rcu_read_lock. */
	rcu_read_lock();
	for (i = 0; i < FZ_HOLD_DESTS; i++) {
		struct fz_hold_dest *d = &hold->dests[i];

		if (!d->family)
			continue;
		peer = fz_aip_lookup(&fz->aips, d->family, d->addr);
		if (peer && !READ_ONCE(peer->dead))
			fz_hold_take(hold, d, &ready);
	}
	rcu_read_unlock();
	spin_unlock_bh(&hold->lock);
	/* Through the transmit path again: the policy, the peer's queue. */
	local_bh_disable();
	while ((skb = __skb_dequeue(&ready))) {
		fz_count(fz, FZ_STAT_A_HELD_SENT);
		fz_xmit(skb, fz->dev);
	}
	local_bh_enable();
}

unsigned int fz_hold_refuse(struct fz_device *fz, u16 family, const u8 *addr)
{
	struct fz_hold *hold = &fz->hold;
	struct fz_hold_dest *d, *free;
	struct sk_buff_head refused;
	unsigned int n;

	__skb_queue_head_init(&refused);
	spin_lock_bh(&hold->lock);
	d = fz_hold_find(hold, family, addr, &free);
	if (d)
		fz_hold_take(hold, d, &refused);
	spin_unlock_bh(&hold->lock);
	n = skb_queue_len(&refused);
	local_bh_disable();
	fz_hold_drop_all(fz, &refused, FZ_STAT_A_DROP_HOLD_REFUSED, true);
	local_bh_enable();
	return n;
}

void fz_hold_flush(struct fz_device *fz, bool dying)
{
	struct fz_hold *hold = &fz->hold;
	struct sk_buff_head all;
	unsigned int i;

	__skb_queue_head_init(&all);
	spin_lock_bh(&hold->lock);
	if (dying)
		hold->dead = true;
	for (i = 0; i < FZ_HOLD_DESTS; i++)
		if (hold->dests[i].family)
			fz_hold_take(hold, &hold->dests[i], &all);
	spin_unlock_bh(&hold->lock);
	if (dying)
		del_timer_sync(&hold->timer);
	local_bh_disable();
	fz_hold_drop_all(fz, &all, FZ_STAT_A_DROP_HOLD_TIMEOUT, false);
	local_bh_enable();
}

void fz_hold_set_enabled(struct fz_device *fz, bool on)
{
	spin_lock_bh(&fz->hold.lock);
	WRITE_ONCE(fz->hold.enabled, on);
	spin_unlock_bh(&fz->hold.lock);
	if (!on)
		fz_hold_flush(fz, false);
}
