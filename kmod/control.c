// SPDX-License-Identifier: GPL-2.0
/*
 * p2p control packets ride inside the tunnel as IPv6 packets from :: to ::
 * with next header 0xFF, so they can never be routed anywhere. fz.ko only
 * frames them; the agent reads and writes the 8-byte header and the JSON.
 */
#include <linux/ipv6.h>
#include <net/ipv6.h>

#include "control.h"
#include "device.h"
#include "netlink.h"
#include "peer.h"
#include "send.h"

/*
 * Every control packet costs the agent a netlink event and may cost it a
 * DNS lookup, so each peer gets a bucket of FZ_CONTROL_BURST refilled at
 * FZ_CONTROL_PER_SEC. Only the peer's NAPI poll gets here, one CPU at a
 * time, so the bucket needs no lock.
 */
static bool fz_control_allowed(struct fz_peer *peer)
{
	const u64 cost = NSEC_PER_SEC / FZ_CONTROL_PER_SEC;
	const u64 burst = FZ_CONTROL_BURST * cost;
	u64 now = ktime_get_coarse_boottime_ns();
	u64 tokens;

	tokens = peer->control_last_ns ?
		 min(burst, peer->control_tokens + (now - peer->control_last_ns)) :
		 burst;
	peer->control_last_ns = now;
	if (tokens < cost) {
		peer->control_tokens = tokens;
		return false;
	}
	peer->control_tokens = tokens - cost;
	return true;
}

/*
 * Anything for :: with our next header is a control packet attempt; one
 * from any other source, too short or too long is dropped and counted, and
 * so is one over the peer's rate.
 */
bool fz_control_rx(struct fz_peer *peer, struct sk_buff *skb)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	unsigned int len;

	if (likely(ip6h->nexthdr != FZ_CONTROL_NEXTHDR ||
		   !ipv6_addr_any(&ip6h->daddr)))
		return false;
	len = skb->len - sizeof(*ip6h);
	if (!ipv6_addr_any(&ip6h->saddr) || len < FZ_CONTROL_HEADER_LEN ||
	    len > FZ_MAX_CONTROL_PAYLOAD ||
	    skb_linearize(skb)) {
		fz_peer_count(peer, FZ_STAT_A_DROP_CONTROL);
		kfree_skb(skb);
		return true;
	}
	if (!fz_control_allowed(peer)) {
		fz_peer_count(peer, FZ_STAT_A_DROP_CONTROL_RATELIMITED);
		kfree_skb(skb);
		return true;
	}
	fz_genl_event_control(peer, skb->data + sizeof(*ip6h), len);
	consume_skb(skb);
	return true;
}

int fz_control_send(struct fz_peer *peer, const void *data, size_t len)
{
	struct ipv6hdr *ip6h;
	struct sk_buff *skb;

	skb = alloc_skb(FZ_DATA_HEADROOM + sizeof(*ip6h) + len + FZ_PADDING +
				FZ_AUTHTAG_LEN, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	skb_reserve(skb, FZ_DATA_HEADROOM);
	skb_reset_network_header(skb);
	ip6h = skb_put_zero(skb, sizeof(*ip6h));
	ip6h->version = 6;
	ip6h->payload_len = htons(len);
	ip6h->nexthdr = FZ_CONTROL_NEXTHDR;
	ip6h->hop_limit = 0; /* and :: to ::, by skb_put_zero */
	skb_put_data(skb, data, len);
	skb->protocol = htons(ETH_P_IPV6);
	skb->dev = peer->fz->dev;
	fz_send_one(peer, skb);
	return 0;
}
