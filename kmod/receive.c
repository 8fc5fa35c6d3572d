// SPDX-License-Identifier: GPL-2.0
/*
 * The receive path. Data messages find their keypair by receiver index and
 * go to the crypt queue; the peer's NAPI poll then checks the replay
 * window, learns the peer's endpoint, checks the inner source against the
 * peer's allowed IPs and hands the packet to GRO. Handshake messages are
 * checked (mac1, and under load mac2 and a per-source rate) and only then
 * reach fzagent, as netlink events.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/gro.h>
#include <net/ip_tunnels.h>

#include "control.h"
#include "cookie.h"
#include "ratelimiter.h"
#include "device.h"
#include "keypair.h"
#include "messages.h"
#include "netlink.h"
#include "peer.h"
#include "policy.h"
#include "queueing.h"
#include "receive.h"
#include "send.h"
#include "socket.h"
#include "timers.h"

/* Handshake arrivals per second above which the device is "under load". */
#define FZ_UNDER_LOAD_RATE 128

static size_t fz_message_len(u8 type)
{
	switch (type) {
	case FZ_MSG_INITIATION:
		return sizeof(struct fz_msg_initiation);
	case FZ_MSG_RESPONSE:
		return sizeof(struct fz_msg_response);
	case FZ_MSG_COOKIE:
		return sizeof(struct fz_msg_cookie);
	default:
		return 0;
	}
}

static void fz_note_handshake_arrival(struct fz_device *fz)
{
	unsigned long second = jiffies / HZ;

	if (READ_ONCE(fz->handshake_second) != second) {
		WRITE_ONCE(fz->handshake_second, second);
		WRITE_ONCE(fz->handshakes_this_second, 0);
	}
	if (READ_ONCE(fz->handshakes_this_second) + 1 >= FZ_UNDER_LOAD_RATE ||
	    skb_queue_len(&fz->handshake_queue) >= FZ_HANDSHAKE_QUEUE_LEN / 8)
		WRITE_ONCE(fz->under_load_until, jiffies + HZ);
	WRITE_ONCE(fz->handshakes_this_second,
		   READ_ONCE(fz->handshakes_this_second) + 1);
}

static bool fz_under_load(struct fz_device *fz)
{
	return time_before(jiffies, READ_ONCE(fz->under_load_until));
}

static u64 *fz_sent_slot(struct fz_device *fz, __le32 index)
{
	return &fz->sent_handshakes[hash_32(le32_to_cpu(index),
					    FZ_SENT_HANDSHAKE_BITS)];
}

static u32 fz_boot_second(void)
{
	return (u32)ktime_get_boottime_seconds() + 1;
}

/* fzagent sent an initiation or a response: its cookie reply may come. */
void fz_handshake_sent(struct fz_device *fz, const u8 *msg, size_t len)
{
	const struct fz_msg_initiation *m = (const void *)msg;
	u8 type = fz_msg_type(msg);

	/* Both begin with the header and our sender index. */
	if ((type != FZ_MSG_INITIATION && type != FZ_MSG_RESPONSE) ||
	    len < offsetofend(struct fz_msg_initiation, sender_index))
		return;
	WRITE_ONCE(*fz_sent_slot(fz, m->sender_index),
		   (u64)le32_to_cpu(m->sender_index) << 32 | fz_boot_second());
}

/*
 * A cookie reply is unauthenticated until the agent opens it: it passes
 * only if it answers a handshake message of ours from the last two retry
 * intervals, and only once, so a spoofed flood dies here.
 */
static bool fz_cookie_reply_expected(struct fz_device *fz,
				     const struct fz_msg_cookie *msg)
{
	u64 *slot = fz_sent_slot(fz, msg->receiver_index);
	u64 seen = READ_ONCE(*slot);

	if (!seen || seen >> 32 != le32_to_cpu(msg->receiver_index) ||
	    fz_boot_second() - (u32)seen > 2 * FZ_REKEY_TIMEOUT)
		return false;
	return try_cmpxchg64(slot, &seen, 0);
}

static void fz_receive_handshake(struct fz_device *fz, struct sk_buff *skb)
{
	u8 type = fz_msg_type(skb->data);

	if (skb->len != fz_message_len(type) ||
	    unlikely(skb_linearize(skb))) {
		fz_count(fz, FZ_STAT_A_DROP_MALFORMED);
		goto drop;
	}
	/*
	 * A full queue drops before a cookie reply's slot is consumed below,
	 * so the real reply that arrives once the flood ebbs still passes.
	 */
	if (type == FZ_MSG_COOKIE &&
	    skb_queue_len(&fz->handshake_queue) >= FZ_HANDSHAKE_QUEUE_LEN) {
		fz_count(fz, FZ_STAT_A_DROP_RATELIMITED);
		goto drop;
	}
	/* Nobody who lacks our public key gets further than this. */
	if (type == FZ_MSG_COOKIE ?
		    !fz_cookie_reply_expected(fz, (void *)skb->data) :
		    !fz_cookie_mac1_valid(&fz->cookie_checker, skb->data,
					  skb->len)) {
		fz_count(fz, FZ_STAT_A_DROP_BAD_MAC1);
		goto drop;
	}
	fz_note_handshake_arrival(fz);
	if (skb_queue_len(&fz->handshake_queue) >= FZ_HANDSHAKE_QUEUE_LEN) {
		fz_count(fz, FZ_STAT_A_DROP_RATELIMITED);
		goto drop;
	}
	skb_queue_tail(&fz->handshake_queue, skb);
	queue_work(fz_wq, &fz->handshake_work);
	return;
drop:
	kfree_skb(skb);
}

/*
 * An initiation or response goes on to the agent within the rate limits;
 * under load only with a valid mac2 (the sender owns its address), and
 * the rest get a cookie reply. A sender that proved its address is
 * limited per source only, so spoofed floods cannot spend the budget that
 * the device's real peers need.
 */
static bool fz_handshake_admit(struct fz_device *fz, struct sk_buff *skb,
			       const struct fz_peer_endpoint *src)
{
	struct fz_msg_cookie reply;
	bool proven = false;

	if (fz_under_load(fz)) {
		proven = fz_cookie_mac2_valid(&fz->cookie_checker, skb->data,
					      skb->len, &src->addr);
		if (!proven) {
			fz_cookie_make_reply(&fz->cookie_checker, &reply,
					     skb->data, skb->len, &src->addr);
			if (!fz_socket_send_buffer(fz, src, &reply,
						   sizeof(reply)))
				fz_count(fz, FZ_STAT_A_COOKIES_SENT);
			return false;
		}
	}
	if (!fz_ratelimiter_allow(fz->ratelimiter, &src->addr, proven)) {
		fz_count(fz, FZ_STAT_A_DROP_RATELIMITED);
		return false;
	}
	return true;
}

static void fz_process_handshake(struct fz_device *fz, struct sk_buff *skb)
{
	struct fz_peer_endpoint src;

	if (fz_socket_endpoint_from_skb(&src, skb))
		return;
	/*
	 * A cookie reply already answered a handshake of ours, once: it is
	 * bounded by our own sending, and limiting it would lose it.
	 */
	if (fz_msg_type(skb->data) != FZ_MSG_COOKIE &&
	    !fz_handshake_admit(fz, skb, &src))
		return;
	fz_genl_event_handshake(fz, skb->data, skb->len, &src.addr);
}

void fz_handshake_worker(struct work_struct *work)
{
	struct fz_device *fz = container_of(work, struct fz_device,
					    handshake_work);
	struct sk_buff *skb;

	while ((skb = skb_dequeue(&fz->handshake_queue))) {
		fz_process_handshake(fz, skb);
		consume_skb(skb);
		cond_resched();
	}
}

static void fz_receive_data(struct fz_device *fz, struct sk_buff *skb)
{
	struct fz_msg_data *hdr = (struct fz_msg_data *)skb->data;
	struct fz_keypair *kp;

	kp = fz_keypair_lookup(fz, hdr->key_idx);
	if (unlikely(!kp)) {
		fz_count(fz, FZ_STAT_A_DROP_NO_KEY);
		goto drop;
	}
	FZ_CB(skb)->keypair = kp;
	FZ_CB(skb)->nonce = le64_to_cpu(hdr->counter);
	if (unlikely(READ_ONCE(kp->peer->dead) ||
		     !fz_queue_decrypt(kp->peer, skb))) {
		fz_peer_count(kp->peer, FZ_STAT_A_DROP_MALFORMED);
		fz_keypair_put(kp);
		goto drop;
	}
	return;
drop:
	kfree_skb(skb);
}

/* udp encap_rcv: returns 0 as the packet is always ours from here on. */
int fz_receive(struct sock *sk, struct sk_buff *skb)
{
	struct fz_device *fz = rcu_dereference_sk_user_data(sk);
	unsigned int offset = skb_transport_offset(skb) + sizeof(struct udphdr);
	struct fz_msg_header *hdr;

	if (unlikely(!fz))
		goto drop;
	if (unlikely(!pskb_may_pull(skb, offset + sizeof(struct fz_msg_data))))
		goto malformed;
	__skb_pull(skb, offset);
	hdr = (struct fz_msg_header *)skb->data;
	/* Three reserved bytes must be zero: cheap to check, and strict. */
	if (unlikely(le32_to_cpu(hdr->type) & ~0xffU))
		goto malformed;
	if (likely(fz_msg_type(hdr) == FZ_MSG_DATA)) {
		if (unlikely(skb->len < FZ_DATA_MIN_LEN))
			goto malformed;
		fz_receive_data(fz, skb);
		return 0;
	}
	if (fz_message_len(fz_msg_type(hdr))) {
		fz_receive_handshake(fz, skb);
		return 0;
	}
malformed:
	if (fz)
		fz_count(fz, FZ_STAT_A_DROP_MALFORMED);
drop:
	kfree_skb(skb);
	return 0;
}

/* Learns the peer's address from its last authenticated packet. */
static void fz_roam(struct fz_peer *peer, struct sk_buff *skb)
{
	struct fz_peer_endpoint now, was;

	if (fz_socket_endpoint_from_skb(&now, skb))
		return;
	fz_peer_get_endpoint(peer, &was);
	if (likely(!memcmp(&now.addr, &was.addr, sizeof(now.addr)) &&
		   !memcmp(&now.src6, &was.src6, sizeof(now.src6))))
		return;
	write_seqlock_bh(&peer->endpoint_lock);
	peer->endpoint = now;
	write_sequnlock_bh(&peer->endpoint_lock);
	dst_cache_reset(&peer->dst_cache);
}

/* Trims the padding off the inner packet; false if it is not IP. */
static bool fz_inner_trim(struct sk_buff *skb)
{
	unsigned int len;

	skb_reset_network_header(skb);
	if (skb->len >= sizeof(struct iphdr) && ip_hdr(skb)->version == 4) {
		if (!pskb_may_pull(skb, sizeof(struct iphdr)))
			return false;
		len = ntohs(ip_hdr(skb)->tot_len);
		skb->protocol = htons(ETH_P_IP);
	} else if (skb->len >= sizeof(struct ipv6hdr) &&
		   ipv6_hdr(skb)->version == 6) {
		if (!pskb_may_pull(skb, sizeof(struct ipv6hdr)))
			return false;
		len = ntohs(ipv6_hdr(skb)->payload_len) +
		      sizeof(struct ipv6hdr);
		skb->protocol = htons(ETH_P_IPV6);
	} else {
		return false;
	}
	return len <= skb->len && !pskb_trim(skb, len);
}

static void fz_after_auth(struct fz_peer *peer, struct fz_keypair *kp,
			  struct sk_buff *skb)
{
	u64 now = ktime_get_coarse_boottime_ns();

	fz_roam(peer, skb);
	/* Before the staged data goes: its wait for an answer is a new one. */
	fz_timers_any_received(peer);
	if (fz_keypair_confirm(peer, kp)) {
		fz_timers_handshake_complete(peer);
		fz_send_staged(peer);
	}
	fz_timers_traversal(peer);
	WRITE_ONCE(peer->last_rx_ns, ktime_get_real_ns());
	this_cpu_add(peer->stats->rx_bytes, skb->len + FZ_DATA_OVERHEAD);
	/* Initiator's keys nearly too old to receive with: rekey now. */
	if (kp->initiator &&
	    now - kp->created > fz_secs_ns(FZ_REJECT_AFTER_TIME -
					   FZ_KEEPALIVE_TIMEOUT -
					   FZ_REKEY_TIMEOUT))
		fz_handshake_needed(peer, FZ_REASON_REKEY_TIME);
}

/*
 * Whether the inner source address routes back to the peer that sent it.
 * The NAPI poll runs with bottom halves off, which RCU honours as a read
 * side, but lockdep (PROVE_RCU) does not: say so explicitly.
 */
static bool fz_source_is(struct fz_device *fz, struct sk_buff *skb,
			 struct fz_peer *peer)
{
	bool same;

	rcu_read_lock();
	same = fz_aip_lookup_src(&fz->aips, skb) == peer;
	rcu_read_unlock();
	return same;
}

void fz_receive_data_done(struct fz_peer *peer, struct sk_buff *skb,
			  enum fz_packet_state state)
{
	struct fz_keypair *kp = FZ_CB(skb)->keypair;
	struct fz_device *fz = peer->fz;
	struct net_device *dev = fz->dev;
	unsigned int len;

	if (unlikely(state != FZ_PACKET_DONE))
		goto drop;
	if (unlikely(!fz_replay_check(&kp->replay, FZ_CB(skb)->nonce))) {
		fz_peer_count(peer, FZ_STAT_A_DROP_REPLAY);
		goto drop;
	}
	fz_after_auth(peer, kp, skb);
	if (!skb->len) { /* a keepalive */
		consume_skb(skb);
		return;
	}
	fz_timers_data_received(peer);
	if (unlikely(!fz_inner_trim(skb))) {
		fz_peer_count(peer, FZ_STAT_A_DROP_MALFORMED);
		goto drop;
	}
	if (skb->protocol == htons(ETH_P_IPV6) && fz_control_rx(peer, skb))
		return;
	if (unlikely(!fz_source_is(fz, skb, peer))) {
		fz_peer_count(peer, FZ_STAT_A_DROP_BAD_SOURCE);
		goto drop;
	}
	len = skb->len;
	skb_scrub_packet(skb, true);
	skb->dev = dev;
	skb->pkt_type = PACKET_HOST;
	skb_reset_mac_header(skb);
	/* Poly1305 authenticated every byte: no checksum to verify. */
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	skb->csum_level = ~0;
	if (unlikely(READ_ONCE(peer->gateway_client))) {
		if (!fz_policy_rx(peer, skb))
			goto drop;
	} else if (READ_ONCE(fz->hold.enabled)) {
		fz_policy_rx_client(peer, skb);
	}
	dev_sw_netstats_rx_add(dev, len);
	napi_gro_receive(&peer->napi, skb);
	return;
drop:
	DEV_STATS_INC(dev, rx_dropped);
	kfree_skb(skb);
}
