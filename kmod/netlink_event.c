// SPDX-License-Identifier: GPL-2.0
/*
 * The event group: handshake messages for the agent, peers that need a
 * handshake, denied flows and p2p control packets. Sent only when someone
 * listens in the device's namespace.
 */
#include <net/genetlink.h>

#include "device.h"
#include "netlink.h"
#include "netlink_int.h"
#include "peer.h"
#include "policy.h"

static struct sk_buff *fz_event_new(struct fz_device *fz, u8 cmd,
				    void **hdr)
{
	struct sk_buff *skb;

	if (!genl_has_listeners(&fz_genl_family, dev_net(fz->dev), 0))
		return NULL;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!skb)
		return NULL;
	*hdr = genlmsg_put(skb, 0, 0, &fz_genl_family, 0, cmd);
	if (!*hdr || nla_put_u32(skb, FZ_A_IFINDEX, fz->dev->ifindex)) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

static void fz_event_send(struct fz_device *fz, struct sk_buff *skb,
			  void *hdr)
{
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&fz_genl_family, dev_net(fz->dev), skb, 0, 0,
				GFP_ATOMIC);
}

void fz_genl_event_handshake(struct fz_device *fz, const void *msg,
			     size_t len, const union fz_endpoint *src)
{
	struct sk_buff *skb;
	void *hdr;

	skb = fz_event_new(fz, FZ_CMD_EVT_HANDSHAKE, &hdr);
	if (!skb)
		return;
	if (nla_put(skb, FZ_A_PACKET, len, msg) ||
	    fz_put_endpoint(skb, FZ_A_ENDPOINT, src)) {
		nlmsg_free(skb);
		return;
	}
	fz_event_send(fz, skb, hdr);
}

void fz_genl_event_peer(struct fz_peer *peer, u8 cmd, u32 reason)
{
	struct fz_device *fz = peer->fz;
	struct nlattr *nest;
	struct sk_buff *skb;
	void *hdr;

	skb = fz_event_new(fz, cmd, &hdr);
	if (!skb)
		return;
	nest = nla_nest_start(skb, FZ_A_PEER);
	if (!nest ||
	    nla_put(skb, FZ_PEER_A_PUBLIC_KEY, FZ_KEY_LEN, peer->public_key) ||
	    (nla_nest_end(skb, nest), nla_put_u32(skb, FZ_A_REASON, reason))) {
		nlmsg_free(skb);
		return;
	}
	fz_event_send(fz, skb, hdr);
}

static int fz_put_peer_key(struct sk_buff *skb, struct fz_peer *peer)
{
	struct nlattr *nest = nla_nest_start(skb, FZ_A_PEER);

	if (!nest ||
	    nla_put(skb, FZ_PEER_A_PUBLIC_KEY, FZ_KEY_LEN, peer->public_key))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int fz_put_flow(struct sk_buff *skb, const struct fz_flow *flow)
{
	unsigned int len = flow->family == AF_INET ? 4 : 16;
	struct nlattr *nest = nla_nest_start(skb, FZ_A_FLOW);

	if (!nest || nla_put_u8(skb, FZ_FLOW_A_PROTO, flow->proto) ||
	    nla_put(skb, FZ_FLOW_A_SADDR, len, flow->saddr) ||
	    nla_put(skb, FZ_FLOW_A_DADDR, len, flow->daddr))
		return -EMSGSIZE;
	if (flow->has_ports &&
	    (nla_put_u16(skb, FZ_FLOW_A_SPORT, ntohs(flow->sport)) ||
	     nla_put_u16(skb, FZ_FLOW_A_DPORT, ntohs(flow->dport))))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

void fz_genl_event_denied(struct fz_peer *peer, u32 reason,
			  const struct fz_flow *flow)
{
	struct sk_buff *skb;
	void *hdr;

	skb = fz_event_new(peer->fz, FZ_CMD_EVT_DENIED_FLOW, &hdr);
	if (!skb)
		return;
	if (fz_put_peer_key(skb, peer) ||
	    nla_put_u32(skb, FZ_A_REASON, reason) || fz_put_flow(skb, flow)) {
		nlmsg_free(skb);
		return;
	}
	fz_event_send(peer->fz, skb, hdr);
}

void fz_genl_event_control(struct fz_peer *peer, const void *data,
			   size_t len)
{
	struct sk_buff *skb;
	void *hdr;

	skb = fz_event_new(peer->fz, FZ_CMD_EVT_CONTROL, &hdr);
	if (!skb)
		return;
	if (fz_put_peer_key(skb, peer) || nla_put(skb, FZ_A_PACKET, len, data)) {
		nlmsg_free(skb);
		return;
	}
	fz_event_send(peer->fz, skb, hdr);
}

void fz_genl_event_unknown_dest(struct fz_device *fz, const struct fz_flow *flow)
{
	struct sk_buff *skb;
	void *hdr;

	skb = fz_event_new(fz, FZ_CMD_EVT_UNKNOWN_DEST, &hdr);
	if (!skb)
		return;
	if (fz_put_flow(skb, flow)) {
		nlmsg_free(skb);
		return;
	}
	fz_event_send(fz, skb, hdr);
}
