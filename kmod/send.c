// SPDX-License-Identifier: GPL-2.0
/*
 * The transmit path: cryptokey routing picks the peer, GSO packets are
 * split once, each segment gets a nonce from the peer's current keypair
 * and goes to the crypt queue. Without a usable keypair, packets wait in a
 * bounded per-peer queue and fzagent is told a handshake is needed.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <net/icmp.h>
#include <net/ip_tunnels.h>

#include "compat.h"
#include "device.h"
#include "hold.h"
#include "keypair.h"
#include "netlink.h"
#include "peer.h"
#include "policy.h"
#include "queueing.h"
#include "send.h"
#include "socket.h"
#include "timers.h"

void fz_handshake_needed(struct fz_peer *peer, u32 reason)
{
	unsigned long last = READ_ONCE(peer->last_handshake_needed);

	/* The agent retries on its own; one reminder per REKEY_TIMEOUT. */
	if (last && time_before(jiffies, last + fz_secs(FZ_REKEY_TIMEOUT)))
		return;
	WRITE_ONCE(peer->last_handshake_needed, jiffies | 1);
	fz_genl_event_peer(peer, FZ_CMD_EVT_HANDSHAKE_NEEDED, reason);
}

static void fz_stage(struct fz_peer *peer, struct sk_buff_head *list)
{
	struct sk_buff *skb;
	int before;

	/*
	 * Waiting packets let go of their sockets: a socket pins its network
	 * namespace, and the namespace's end is what would free them.
	 */
	skb_queue_walk(list, skb)
		skb_orphan(skb);
	spin_lock_bh(&peer->staged.lock);
	before = skb_queue_len(&peer->staged);
	skb_queue_splice_tail_init(list, &peer->staged);
	/*
	 * The oldest go first, past the peer's limit or the device's. Peers
	 * staging at once may overshoot the device's by a batch each.
	 */
	while (skb_queue_len(&peer->staged) > FZ_MAX_QUEUED_PACKETS ||
	       (skb_queue_len(&peer->staged) &&
		atomic_read(&peer->fz->staged) +
				(int)skb_queue_len(&peer->staged) - before >
			FZ_MAX_STAGED_PER_DEVICE)) {
		skb = __skb_dequeue(&peer->staged);
		kfree_skb(skb);
		fz_peer_count(peer, FZ_STAT_A_DROP_NO_KEY);
	}
	atomic_add((int)skb_queue_len(&peer->staged) - before,
		   &peer->fz->staged);
	spin_unlock_bh(&peer->staged.lock);
}

/* Take every staged packet of the peer off the device's count. */
static void fz_unstage(struct fz_peer *peer, struct sk_buff_head *out)
{
	spin_lock_bh(&peer->staged.lock);
	atomic_sub(skb_queue_len(&peer->staged), &peer->fz->staged);
	skb_queue_splice_init(&peer->staged, out);
	spin_unlock_bh(&peer->staged.lock);
}

void fz_staged_purge(struct fz_peer *peer)
{
	struct sk_buff_head list;

	__skb_queue_head_init(&list);
	fz_unstage(peer, &list);
	__skb_queue_purge(&list);
}

static void fz_check_rekey(struct fz_peer *peer, struct fz_keypair *kp,
			   u64 now)
{
	if (atomic64_read(&kp->send_counter) > FZ_REKEY_AFTER_MESSAGES)
		fz_handshake_needed(peer, FZ_REASON_REKEY_MESSAGES);
	else if (kp->initiator &&
		 now - kp->created > fz_secs_ns(FZ_REKEY_AFTER_TIME))
		fz_handshake_needed(peer, FZ_REASON_REKEY_TIME);
}

/* Hands each packet of list to the crypt queue, in order. */
static void fz_queue_list(struct fz_peer *peer, struct sk_buff_head *list)
{
	u64 now = ktime_get_coarse_boottime_ns();
	struct fz_device *fz = peer->fz;
	struct fz_keypair *kp;
	struct sk_buff *skb;
	bool data = false;

	kp = fz_keypair_current(peer);
	if (!kp || !fz_keypair_send_usable(kp, now)) {
		fz_stage(peer, list);
		fz_handshake_needed(peer, FZ_REASON_QUEUED_DATA);
		goto out;
	}
	while ((skb = __skb_dequeue(list))) {
		FZ_CB(skb)->nonce = atomic64_inc_return(&kp->send_counter) - 1;
		if (unlikely(FZ_CB(skb)->nonce >= FZ_REJECT_AFTER_MESSAGES)) {
			__skb_queue_head(list, skb);
			fz_stage(peer, list);
			fz_handshake_needed(peer, FZ_REASON_REKEY_MESSAGES);
			break;
		}
		data |= skb->len > 0;
		kref_get(&kp->refcount);
		FZ_CB(skb)->keypair = kp;
		if (unlikely(!fz_queue_encrypt(peer, skb))) {
			fz_keypair_put(kp);
			kfree_skb(skb);
			fz_count(fz, FZ_STAT_A_DROP_NO_PEER);
		}
	}
	fz_check_rekey(peer, kp, now);
	if (data)
		fz_timers_data_sent(peer);
out:
	fz_keypair_put(kp);
}

/*
 * Nothing is queued for a dead peer. Bottom halves are off from the check
 * to the queueing, so removing a peer (peer.c), which marks it dead and
 * then waits a grace period, stops every sender before it flushes.
 */
static void fz_send_list(struct fz_peer *peer, struct sk_buff_head *list)
{
	local_bh_disable();
	if (likely(!READ_ONCE(peer->dead))) {
		fz_queue_list(peer, list);
	} else {
		fz_count(peer->fz, FZ_STAT_A_DROP_NO_PEER);
		__skb_queue_purge(list);
	}
	local_bh_enable();
}

void fz_send_staged(struct fz_peer *peer)
{
	struct sk_buff_head list;

	__skb_queue_head_init(&list);
	fz_unstage(peer, &list);
	if (!skb_queue_empty(&list))
		fz_send_list(peer, &list);
}

void fz_send_keepalive(struct fz_peer *peer)
{
	struct sk_buff_head list;
	struct sk_buff *skb;

	/* Queued data will carry the keepalive's message anyway. */
	if (!skb_queue_empty(&peer->staged)) {
		fz_send_staged(peer);
		return;
	}
	skb = alloc_skb(FZ_DATA_HEADROOM + FZ_PADDING + FZ_AUTHTAG_LEN,
			GFP_ATOMIC);
	if (unlikely(!skb))
		return;
	skb_reserve(skb, FZ_DATA_HEADROOM);
	skb->dev = peer->fz->dev;
	FZ_CB(skb)->ds = 0;
	__skb_queue_head_init(&list);
	__skb_queue_tail(&list, skb);
	fz_send_list(peer, &list);
}

void fz_send_one(struct fz_peer *peer, struct sk_buff *skb)
{
	struct sk_buff_head list;

	FZ_CB(skb)->ds = 0;
	__skb_queue_head_init(&list);
	__skb_queue_tail(&list, skb);
	fz_send_list(peer, &list);
}

void fz_send_encrypted(struct fz_peer *peer, struct sk_buff *skb)
{
	unsigned int len = skb->len;

	if (likely(!fz_socket_send_to_peer(peer, skb, FZ_CB(skb)->ds))) {
		this_cpu_add(peer->stats->tx_bytes, len);
		fz_timers_any_sent(peer);
		fz_timers_traversal(peer);
	} else {
		DEV_STATS_INC(peer->fz->dev, tx_errors);
	}
}

static bool fz_inner_valid(struct sk_buff *skb)
{
	if (skb->protocol == htons(ETH_P_IP))
		return pskb_network_may_pull(skb, sizeof(struct iphdr)) &&
		       ip_hdr(skb)->version == 4;
	if (skb->protocol == htons(ETH_P_IPV6))
		return pskb_network_may_pull(skb, sizeof(struct ipv6hdr)) &&
		       ipv6_hdr(skb)->version == 6;
	return false;
}

static void fz_unreachable(struct sk_buff *skb)
{
	if (skb->protocol == htons(ETH_P_IP))
		icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
	else if (skb->protocol == htons(ETH_P_IPV6))
		icmpv6_ndo_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_ADDR_UNREACH, 0);
}

/* Splits GSO packets once here, so every segment is one message. */
static int fz_segment(struct sk_buff *skb, struct sk_buff_head *list, u8 ds)
{
	struct sk_buff *segs, *seg, *next;

	if (!skb_is_gso(skb)) {
		segs = skb;
	} else {
		segs = skb_gso_segment(skb, 0);
		if (IS_ERR_OR_NULL(segs))
			return segs ? PTR_ERR(segs) : -EINVAL;
		consume_skb(skb);
	}
	skb_list_walk_safe(segs, seg, next) {
		skb_mark_not_on_list(seg);
		skb_dst_drop(seg);
		nf_reset_ct(seg);
		FZ_CB(seg)->ds = ds;
		__skb_queue_tail(list, seg);
	}
	return 0;
}

/* A client holds it while the agent finds the peer; others say no. */
static netdev_tx_t fz_xmit_no_peer(struct fz_device *fz, struct sk_buff *skb)
{
	int ret = fz_hold_packet(fz, skb);

	if (!ret)
		return NETDEV_TX_OK;
	if (ret == -EOPNOTSUPP) {
		fz_count(fz, FZ_STAT_A_DROP_NO_PEER);
		fz_unreachable(skb);
	}
	DEV_STATS_INC(fz->dev, tx_dropped);
	kfree_skb(skb);
	return NETDEV_TX_OK;
}

netdev_tx_t fz_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct fz_device *fz = netdev_priv(dev);
	struct sk_buff_head list;
	struct fz_peer *peer;
	u8 ds;

	if (unlikely(!fz_inner_valid(skb))) {
		fz_count(fz, FZ_STAT_A_DROP_MALFORMED);
		goto drop;
	}
	/*
	 * Callers have bottom halves off (the stack's transmit, or the
	 * hold's release). The allowed-IPs lookup is an rhashtable's, which
	 * lockdep wants under rcu_read_lock(), not only rcu_read_lock_bh().
	 */
	rcu_read_lock();
	peer = fz_aip_lookup_dst(&fz->aips, skb);
	if (unlikely(!peer || READ_ONCE(peer->dead))) {
		rcu_read_unlock();
		return fz_xmit_no_peer(fz, skb);
	}
	if (unlikely(READ_ONCE(peer->gateway_client)) &&
	    !fz_policy_tx(peer, skb)) {
		rcu_read_unlock();
		goto drop;
	}
	/* Only ECN reaches the outer header: DSCP would leak the inner's. */
	ds = ip_tunnel_ecn_encap(0, ip_hdr(skb), skb);
	__skb_queue_head_init(&list);
	if (fz_segment(skb, &list, ds)) {
		rcu_read_unlock();
		fz_count(fz, FZ_STAT_A_DROP_MALFORMED);
		goto drop;
	}
	fz_send_list(peer, &list);
	rcu_read_unlock();
	return NETDEV_TX_OK;

drop:
	DEV_STATS_INC(dev, tx_dropped);
	kfree_skb(skb);
	return NETDEV_TX_OK;
}
