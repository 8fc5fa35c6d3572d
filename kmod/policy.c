// SPDX-License-Identifier: GPL-2.0
/*
 * Default deny for gateway clients. A client may send to the resources it
 * is authorized for, within their filters and until they expire, and to
 * the gateway's own tunnel address what the gateway serves there (echo and
 * its DNS forwarder); everything else is dropped, answered with ICMP
 * "administratively prohibited", counted by reason and sampled to the
 * agent. Packets to a client must come from one of its resources. An ICMP
 * error is judged by the packet it quotes, and must be about a flow
 * conntrack knows.
 *
 * The check runs before netfilter, so a DNS resource is matched by the
 * mapped IP the client used; the translation to the real address happens
 * later, in nat.c. What only netfilter can tell (a datagram reassembled
 * from fragments, whether conntrack relates an ICMP error to a flow, where
 * an established flow was translated to) is checked by fz_policy_nf_rx,
 * a hook just before the NAT engine.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jiffies.h>
#include <linux/netfilter.h>
#include <linux/ratelimit.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/addrconf.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/netfilter/ipv4/nf_reject.h>
#include <net/netfilter/ipv6/nf_reject.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_nat.h>

#include "device.h"
#include "dnsmap.h"
#include "nat.h"
#include "netlink.h"
#include "peer.h"
#include "policy.h"

/* Firezone's address plan (uapi): client tunnel addresses live here. */
static const struct fz_prefix fz_tunnel4 = {
	.family = AF_INET, .cidr = FZ_RANGE_TUNNEL_V4_LEN,
	.addr = FZ_RANGE_TUNNEL_V4
};

static const struct fz_prefix fz_tunnel6 = {
	.family = AF_INET6, .cidr = FZ_RANGE_TUNNEL_V6_LEN,
	.addr = FZ_RANGE_TUNNEL_V6
};

bool fz_prefix_contains(const struct fz_prefix *p, u16 family,
			const u8 *addr)
{
	unsigned int bytes = p->cidr / 8, bits = p->cidr % 8;

	if (p->family != family || memcmp(p->addr, addr, bytes))
		return false;
	return !bits || !((p->addr[bytes] ^ addr[bytes]) & (0xff00 >> bits));
}

static unsigned int fz_addr_len(u16 family)
{
	return family == AF_INET ? 4 : 16;
}

static bool fz_skip_ports(struct sk_buff *skb, struct fz_flow *flow,
			  unsigned int off)
{
	u8 buf[4], *p;

	if (flow->proto == (flow->family == AF_INET ? IPPROTO_ICMP :
						      IPPROTO_ICMPV6)) {
		p = skb_header_pointer(skb, off, 1, buf);
		if (!p)
			return false;
		flow->icmp_type = *p;
		flow->icmp_error = flow->family == AF_INET ? icmp_is_err(*p) :
							     icmpv6_is_err(*p);
		flow->l4_off = off;
		return true;
	}
	if (flow->proto != IPPROTO_TCP && flow->proto != IPPROTO_UDP)
		return true;
	p = skb_header_pointer(skb, off, 4, buf);
	if (!p)
		return false;
	memcpy(&flow->sport, p, 2);
	memcpy(&flow->dport, p + 2, 2);
	flow->has_ports = true;
	return true;
}

static bool fz_flow_parse4(struct sk_buff *skb, struct fz_flow *flow)
{
	const struct iphdr *iph = ip_hdr(skb);
	unsigned int ihl = iph->ihl * 4;

	if (ihl < sizeof(*iph) || skb->len < skb_network_offset(skb) + ihl)
		return false;
	flow->family = AF_INET;
	flow->proto = iph->protocol;
	memcpy(flow->saddr, &iph->saddr, 4);
	memcpy(flow->daddr, &iph->daddr, 4);
	flow->later_frag = iph->frag_off & htons(IP_OFFSET);
	if (flow->later_frag)
		return true;
	return fz_skip_ports(skb, flow, skb_network_offset(skb) + ihl);
}

static bool fz_flow_parse6(struct sk_buff *skb, struct fz_flow *flow)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	__be16 frag_off = 0;
	u8 nexthdr = ip6h->nexthdr;
	int off;

	flow->family = AF_INET6;
	memcpy(flow->saddr, &ip6h->saddr, 16);
	memcpy(flow->daddr, &ip6h->daddr, 16);
	off = ipv6_skip_exthdr(skb, skb_network_offset(skb) + sizeof(*ip6h),
			       &nexthdr, &frag_off);
	if (off < 0)
		return false;
	flow->proto = nexthdr;
	flow->later_frag = frag_off & htons(IP6_OFFSET);
	if (flow->later_frag)
		return true;
	return fz_skip_ports(skb, flow, off);
}

/*
 * The packet an ICMP error quotes, from its header at off: the error's
 * family, and the ports (or ICMP type) that every error carries.
 */
static bool fz_flow_parse_quoted(struct sk_buff *skb, unsigned int off,
				 u16 family, struct fz_flow *q)
{
	const struct ipv6hdr *ip6h;
	const struct iphdr *iph;
	union {
		struct iphdr v4;
		struct ipv6hdr v6;
	} buf;
	__be16 frag_off = 0;
	u8 nexthdr;
	int l4;

	memset(q, 0, sizeof(*q));
	q->family = family;
	if (family == AF_INET) {
		iph = skb_header_pointer(skb, off, sizeof(*iph), &buf.v4);
		if (!iph || iph->version != 4 || iph->ihl < 5)
			return false;
		q->proto = iph->protocol;
		memcpy(q->saddr, &iph->saddr, 4);
		memcpy(q->daddr, &iph->daddr, 4);
		q->later_frag = iph->frag_off & htons(IP_OFFSET);
		return q->later_frag ||
		       fz_skip_ports(skb, q, off + iph->ihl * 4);
	}
	ip6h = skb_header_pointer(skb, off, sizeof(*ip6h), &buf.v6);
	if (!ip6h || ip6h->version != 6)
		return false;
	memcpy(q->saddr, &ip6h->saddr, 16);
	memcpy(q->daddr, &ip6h->daddr, 16);
	nexthdr = ip6h->nexthdr;
	l4 = ipv6_skip_exthdr(skb, off + sizeof(*ip6h), &nexthdr, &frag_off);
	if (l4 < 0)
		return false;
	q->proto = nexthdr;
	q->later_frag = frag_off & htons(IP6_OFFSET);
	return q->later_frag || fz_skip_ports(skb, q, l4);
}

bool fz_flow_parse(struct sk_buff *skb, struct fz_flow *flow)
{
	memset(flow, 0, sizeof(*flow));
	if (skb->protocol == htons(ETH_P_IP))
		return fz_flow_parse4(skb, flow);
	if (skb->protocol == htons(ETH_P_IPV6))
		return fz_flow_parse6(skb, flow);
	return false;
}

/* The gateway's own tunnel addresses: only those of the fz device. */
static bool fz_is_local(struct net_device *dev, u16 family, const u8 *addr)
{
	const struct in_ifaddr *ifa;
	struct in_device *in_dev;
	__be32 a4;

	if (family == AF_INET6)
		return ipv6_chk_addr(dev_net(dev), (const struct in6_addr *)addr,
				     dev, 1);
	memcpy(&a4, addr, 4);
	in_dev = __in_dev_get_rcu(dev);
	if (!in_dev)
		return false;
	in_dev_for_each_ifa_rcu(ifa, in_dev) {
		if (ifa->ifa_local == a4)
			return true;
	}
	return false;
}

static bool fz_in_tunnel_range(u16 family, const u8 *addr)
{
	return fz_prefix_contains(family == AF_INET ? &fz_tunnel4 : &fz_tunnel6,
				  family, addr);
}

static bool fz_filter_allows(const struct fz_filter *f,
			     const struct fz_flow *flow)
{
	u16 port = ntohs(flow->dport);

	/* ICMP of the packet's own family: ICMPv6 inside IPv4 is not ICMP. */
	if (f->proto == FZ_FILTER_ICMP)
		return flow->proto == (flow->family == AF_INET ? IPPROTO_ICMP :
								  IPPROTO_ICMPV6);
	return f->proto == flow->proto && flow->has_ports &&
	       port >= f->port_start && port <= f->port_end;
}

static bool fz_resource_allows(const struct fz_resource *res,
			       const struct fz_flow *flow)
{
	unsigned int i;

	/* No filters: everything. */
	if (!res->num_filters)
		return true;
	for (i = 0; i < res->num_filters; i++) {
		if (fz_filter_allows(&res->filters[i], flow))
			return true;
	}
	return false;
}

static bool fz_resource_covers(const struct fz_resource *res, u16 family,
			       const u8 *addr)
{
	unsigned int i;

	for (i = 0; i < res->num_addrs; i++) {
		if (fz_prefix_contains(&res->addrs[i], family, addr))
			return true;
	}
	return false;
}

/*
 * Any live resource covering addr that lets the flow through allows it.
 * Otherwise the most telling reason: a live resource that filtered it, then
 * an expired one, then none at all.
 */
static enum fz_event_reason fz_policy_match(const struct fz_policy *pol,
					    const struct fz_flow *flow,
					    const u8 *addr, bool filter)
{
	enum fz_event_reason why = FZ_REASON_NOT_AUTHORIZED;
	const struct fz_resource *res;
	unsigned int i;
	u64 now = 0;

	for (i = 0; pol && i < pol->num; i++) {
		res = &pol->res[i];
		if (!fz_resource_covers(res, flow->family, addr))
			continue;
		if (res->expires_ns) {
			if (!now)
				now = ktime_get_boottime_ns();
			if (now >= res->expires_ns) {
				if (why == FZ_REASON_NOT_AUTHORIZED)
					why = FZ_REASON_EXPIRED;
				continue;
			}
		}
		if (!filter || fz_resource_allows(res, flow))
			return FZ_REASON_NONE;
		why = FZ_REASON_FILTERED;
	}
	return why;
}

/*
 * A mapped IP belongs to the DNS resource its mapping names, so a wildcard
 * resource with many names needs no address list; one with no mapping
 * (the name did not resolve in that family) falls back to the list.
 */
static enum fz_event_reason fz_policy_match_mapped(struct fz_peer *peer,
						   const struct fz_policy *pol,
						   const struct fz_flow *flow,
						   const u8 *addr, bool filter)
{
	const struct fz_resource *res;
	u8 id[FZ_RESOURCE_ID_LEN];
	unsigned int i;

	if (!fz_is_mapped(flow->family, addr) ||
	    !fz_dnsmap_lookup(peer, flow->family, addr, NULL, id))
		return fz_policy_match(pol, flow, addr, filter);
	for (i = 0; pol && i < pol->num; i++) {
		res = &pol->res[i];
		if (memcmp(res->id, id, FZ_RESOURCE_ID_LEN))
			continue;
		if (res->expires_ns && ktime_get_boottime_ns() >= res->expires_ns)
			return FZ_REASON_EXPIRED;
		return !filter || fz_resource_allows(res, flow) ?
			FZ_REASON_NONE : FZ_REASON_FILTERED;
	}
	return FZ_REASON_NOT_AUTHORIZED;
}

static const u8 fz_denied_counter[__FZ_REASON_MAX] = {
	[FZ_REASON_NOT_AUTHORIZED] = FZ_STAT_A_DENIED_NOT_AUTHORIZED,
	[FZ_REASON_FILTERED] = FZ_STAT_A_DENIED_FILTERED,
	[FZ_REASON_EXPIRED] = FZ_STAT_A_DENIED_EXPIRED,
	[FZ_REASON_CLIENT_TO_CLIENT] = FZ_STAT_A_DENIED_CLIENT_TO_CLIENT,
};

/* The kernel's own ICMP limits apply too (per client, and global). */
static void fz_send_prohibited(struct fz_device *fz, struct sk_buff *skb)
{
	if (!__ratelimit(&fz->deny_icmp_rs))
		return;
	if (skb->protocol == htons(ETH_P_IP))
		nf_send_unreach(skb, ICMP_PKT_FILTERED, NF_INET_PRE_ROUTING);
	else
		nf_send_unreach6(dev_net(fz->dev), skb, ICMPV6_ADM_PROHIBITED,
				 NF_INET_PRE_ROUTING);
}

static void fz_deny(struct fz_peer *peer, struct sk_buff *skb,
		    const struct fz_flow *flow, enum fz_event_reason why)
{
	struct fz_device *fz = peer->fz;

	fz_peer_count(peer, FZ_STAT_A_DROP_DENIED);
	fz_peer_count(peer, fz_denied_counter[why]);
	fz_send_prohibited(fz, skb);
	if (__ratelimit(&fz->deny_event_rs))
		fz_genl_event_denied(peer, why, flow);
}

/*
 * What the gateway serves at its own tunnel address: echo, and its DNS
 * forwarder. A later fragment waits for its datagram (fz_policy_nf_rx).
 */
static bool fz_local_allows(const struct fz_flow *flow)
{
	if (flow->later_frag)
		return true;
	switch (flow->proto) {
	case IPPROTO_ICMP:
		return flow->family == AF_INET && flow->icmp_type == ICMP_ECHO;
	case IPPROTO_ICMPV6:
		return flow->family == AF_INET6 &&
		       flow->icmp_type == ICMPV6_ECHO_REQUEST;
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		return flow->has_ports &&
		       ntohs(flow->dport) == FZ_GATEWAY_DNS_PORT;
	}
	return false;
}

/*
 * An ICMP error from a client: it quotes a packet the client was sent, by
 * whom the error goes back to, which the return rule lets through now.
 * That conntrack knows the flow is checked later, in fz_policy_nf_rx.
 */
static enum fz_event_reason fz_rx_error(struct fz_peer *peer,
					const struct fz_policy *pol,
					struct sk_buff *skb,
					const struct fz_flow *flow)
{
	unsigned int len = fz_addr_len(flow->family);
	struct fz_flow q;

	if (!fz_flow_parse_quoted(skb, flow->l4_off + 8, flow->family, &q) ||
	    q.icmp_error || memcmp(q.daddr, flow->saddr, len) ||
	    memcmp(q.saddr, flow->daddr, len))
		return FZ_REASON_NOT_AUTHORIZED;
	if (fz_is_local(peer->fz->dev, q.family, q.saddr))
		return FZ_REASON_NONE;
	if (fz_in_tunnel_range(q.family, q.saddr))
		return FZ_REASON_CLIENT_TO_CLIENT;
	return fz_policy_match_mapped(peer, pol, &q, q.saddr, false);
}

/* Under RCU: the verdict on a packet from a client. */
static enum fz_event_reason fz_rx_decide(struct fz_peer *peer,
					 const struct fz_policy *pol,
					 struct sk_buff *skb,
					 const struct fz_flow *flow)
{
	if (flow->icmp_error)
		return fz_rx_error(peer, pol, skb, flow);
	if (fz_is_local(peer->fz->dev, flow->family, flow->daddr))
		return fz_local_allows(flow) ? FZ_REASON_NONE :
					       FZ_REASON_FILTERED;
	if (fz_in_tunnel_range(flow->family, flow->daddr))
		return FZ_REASON_CLIENT_TO_CLIENT;
	/*
	 * A later fragment has no ports. It needs a resource, but its filters
	 * judge the datagram once conntrack has reassembled it (always on
	 * for a gateway: fz_nat_enable); alone it goes nowhere.
	 */
	return fz_policy_match_mapped(peer, pol, flow, flow->daddr,
				      !flow->later_frag);
}

bool fz_policy_rx(struct fz_peer *peer, struct sk_buff *skb)
{
	enum fz_event_reason why;
	struct fz_flow flow;

	if (unlikely(!fz_flow_parse(skb, &flow))) {
		fz_peer_count(peer, FZ_STAT_A_DROP_MALFORMED);
		return false;
	}
	rcu_read_lock();
	why = fz_rx_decide(peer, rcu_dereference(peer->policy), skb, &flow);
	rcu_read_unlock();
	if (likely(why == FZ_REASON_NONE))
		return true;
	fz_deny(peer, skb, &flow, why);
	return false;
}

/*
 * Client: an ICMP "administratively prohibited" from a gateway's own
 * tunnel address says its policy refused a packet of ours, so the
 * authorization the agent holds may be gone or changed: the agent asks
 * the portal again. One from a resource (a firewall behind the gateway)
 * says nothing about the policy and is only passed on. The peer is
 * authenticated and its source checked; its events are still bounded (10
 * a second per peer, so that one gateway cannot silence the others), as
 * a gateway can send such errors as fast as it likes. Called from the
 * peer's NAPI poll only, which owns prohibited_quiet_until.
 */
static bool fz_is_prohibited(struct sk_buff *skb, const struct fz_flow *flow)
{
	u8 buf[2], *p;

	if (!flow->icmp_error)
		return false;
	p = skb_header_pointer(skb, flow->l4_off, 2, buf);
	if (!p)
		return false;
	if (flow->family == AF_INET)
		return p[0] == ICMP_DEST_UNREACH && p[1] == ICMP_PKT_FILTERED;
	return p[0] == ICMPV6_DEST_UNREACH && p[1] == ICMPV6_ADM_PROHIBITED;
}

void fz_policy_rx_client(struct fz_peer *peer, struct sk_buff *skb)
{
	struct fz_flow flow, q;
	u64 now;

	if (skb->protocol == htons(ETH_P_IP) ?
		    ip_hdr(skb)->protocol != IPPROTO_ICMP :
		    ipv6_hdr(skb)->nexthdr != IPPROTO_ICMPV6)
		return;
	if (!fz_flow_parse(skb, &flow) || !fz_is_prohibited(skb, &flow) ||
	    !fz_in_tunnel_range(flow.family, flow.saddr))
		return;
	fz_peer_count(peer, FZ_STAT_A_PEER_PROHIBITED);
	if (!fz_flow_parse_quoted(skb, flow.l4_off + 8, flow.family, &q) ||
	    memcmp(q.saddr, flow.daddr, fz_addr_len(flow.family)))
		return;
	now = get_jiffies_64();
	if (time_before64(now, peer->prohibited_quiet_until))
		return;
	peer->prohibited_quiet_until = now + HZ / 10;
	fz_genl_event_denied(peer, FZ_REASON_PEER_PROHIBITED, &q);
}

/* A dropped established flow: its mapped IP no longer leads there. */
static void fz_count_stale(struct fz_peer *peer)
{
	fz_peer_count(peer, FZ_STAT_A_DROP_DENIED);
	fz_peer_count(peer, FZ_STAT_A_DENIED_NO_MAPPING);
}

unsigned int fz_policy_nf_rx(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state)
{
	enum ip_conntrack_info ctinfo;
	enum fz_event_reason why;
	const u8 *saddr, *daddr;
	struct fz_device *fz;
	struct fz_flow flow;
	struct fz_peer *peer;
	struct nf_conn *ct;
	bool whole, mapped;
	u16 family;

	if (!state->in || !fz_netdev_is_fz(state->in))
		return NF_ACCEPT;
	if (state->pf == NFPROTO_IPV4) {
		family = AF_INET;
		saddr = (const u8 *)&ip_hdr(skb)->saddr;
		daddr = (const u8 *)&ip_hdr(skb)->daddr;
		whole = IPCB(skb)->frag_max_size;
	} else {
		family = AF_INET6;
		saddr = ipv6_hdr(skb)->saddr.s6_addr;
		daddr = ipv6_hdr(skb)->daddr.s6_addr;
		whole = IP6CB(skb)->frag_max_size;
	}
	ct = nf_ct_get(skb, &ctinfo);
	/*
	 * What passed fz_policy_rx is to a mapped IP exactly when its flow
	 * is one we translate (an ICMP error goes back to the address it
	 * quotes). So most packets take this exit: tracked, not reassembled,
	 * not to a mapped IP.
	 */
	mapped = fz_is_mapped(family, daddr);
	if (likely(ct && !whole && !mapped))
		return NF_ACCEPT;
	fz = netdev_priv(state->in);
	peer = fz_aip_lookup(&fz->aips, family, saddr);
	if (!peer || READ_ONCE(peer->dead) || !READ_ONCE(peer->gateway_client))
		return NF_ACCEPT;
	if (unlikely(!fz_flow_parse(skb, &flow))) {
		fz_peer_count(peer, FZ_STAT_A_DROP_MALFORMED);
		return NF_DROP;
	}
	/*
	 * Conntrack leaves no entry on an ICMP error about no flow it knows,
	 * nor on a packet it found invalid; a mapped IP reached untranslated
	 * would leave the gateway as it is.
	 */
	if (!ct && flow.icmp_error) {
		fz_deny(peer, skb, &flow, FZ_REASON_NOT_AUTHORIZED);
		return NF_DROP;
	}
	if (!ct && mapped) {
		fz_count_stale(peer);
		return NF_DROP;
	}
	/*
	 * Revoked, expired, re-mapped or re-pointed: the packet passed the
	 * policy under the mapped IP, but its flow leads elsewhere. Forget
	 * the flow, so the next packet starts a new one, translated by the
	 * map as it is now.
	 */
	if (!fz_nat_ct_ok(peer, ct, NULL)) {
		nf_ct_kill(ct);
		fz_count_stale(peer);
		return NF_DROP;
	}
	if (whole) {
		why = fz_rx_decide(peer, rcu_dereference(peer->policy), skb,
				   &flow);
		if (why != FZ_REASON_NONE) {
			fz_deny(peer, skb, &flow, why);
			return NF_DROP;
		}
	}
	return NF_ACCEPT;
}

/*
 * An ICMP error to a client, not from the gateway: conntrack relates it to
 * a flow (else it has no entry), and the packet it quotes is one the
 * client sent that the policy lets through now.
 */
static bool fz_tx_error_ok(struct fz_peer *peer, const struct fz_policy *pol,
			   struct sk_buff *skb, const struct fz_flow *flow,
			   const struct nf_conn *ct)
{
	struct fz_flow q;

	if (!ct ||
	    !fz_flow_parse_quoted(skb, flow->l4_off + 8, flow->family, &q) ||
	    q.icmp_error ||
	    memcmp(q.saddr, flow->daddr, fz_addr_len(flow->family)) ||
	    fz_is_local(peer->fz->dev, q.family, q.daddr) ||
	    fz_in_tunnel_range(q.family, q.daddr))
		return false;
	return fz_policy_match_mapped(peer, pol, &q, q.daddr, true) ==
	       FZ_REASON_NONE;
}

/* Under RCU: a packet to a client, not from the gateway itself. */
static bool fz_tx_allows(struct fz_peer *peer, const struct fz_policy *pol,
			 struct sk_buff *skb, const struct fz_flow *flow)
{
	enum ip_conntrack_info ctinfo;
	const struct nf_conn *ct = nf_ct_get(skb, &ctinfo);

	if (flow->icmp_error) {
		if (!fz_tx_error_ok(peer, pol, skb, flow, ct))
			return false;
	} else if (fz_policy_match_mapped(peer, pol, flow, flow->saddr,
					  false) != FZ_REASON_NONE) {
		return false;
	}
	return fz_nat_ct_ok(peer, ct,
			    fz_is_mapped(flow->family, flow->saddr) ?
			    flow->saddr : NULL);
}

/*
 * To a client: from the gateway itself, from a live resource (after
 * conntrack put the mapped IP back, while the map still leads there), or
 * an ICMP error about one of its allowed flows from anywhere on the path.
 */
bool fz_policy_tx(struct fz_peer *peer, struct sk_buff *skb)
{
	struct net_device *dev = peer->fz->dev;
	struct fz_flow flow;
	bool ok;

	if (unlikely(!fz_flow_parse(skb, &flow))) {
		fz_peer_count(peer, FZ_STAT_A_DROP_MALFORMED);
		return false;
	}
	rcu_read_lock();
	ok = fz_is_local(dev, flow.family, flow.saddr) ||
	     fz_tx_allows(peer, rcu_dereference(peer->policy), skb, &flow);
	rcu_read_unlock();
	if (!ok) {
		fz_peer_count(peer, FZ_STAT_A_DROP_DENIED);
		fz_peer_count(peer, FZ_STAT_A_DENIED_RETURN);
	}
	return ok;
}

static struct fz_policy *fz_policy_deref(struct fz_peer *peer)
{
	return rcu_dereference_protected(peer->policy,
					 lockdep_is_held(&peer->fz->lock));
}

static int fz_policy_find(const struct fz_policy *pol, const u8 *id)
{
	unsigned int i;

	for (i = 0; pol && i < pol->num; i++) {
		if (!memcmp(pol->res[i].id, id, FZ_RESOURCE_ID_LEN))
			return i;
	}
	return -1;
}

static void fz_policy_publish(struct fz_peer *peer, struct fz_policy *new)
{
	struct fz_policy *old = fz_policy_deref(peer);

	rcu_assign_pointer(peer->policy, new);
	if (old)
		kvfree_rcu(old, rcu);
}

/* Copy on write: readers keep the old array until a grace period ends. */
int fz_policy_set(struct fz_peer *peer, const struct fz_resource *res)
{
	struct fz_policy *old = fz_policy_deref(peer), *new;
	unsigned int num = old ? old->num : 0;
	int i = fz_policy_find(old, res->id);

	if (i < 0 && num >= FZ_MAX_RESOURCES)
		return -ENOSPC;
	new = kvmalloc(struct_size(new, res, num + (i < 0)),
		       GFP_KERNEL_ACCOUNT);
	if (!new)
		return -ENOMEM;
	if (num)
		memcpy(new->res, old->res, num * sizeof(*res));
	new->num = num;
	if (i < 0)
		i = new->num++;
	new->res[i] = *res;
	fz_policy_publish(peer, new);
	return 0;
}

int fz_policy_del(struct fz_peer *peer, const u8 *id)
{
	struct fz_policy *old = fz_policy_deref(peer), *new = NULL;
	int i = fz_policy_find(old, id);

	if (i < 0)
		return -ENOENT;
	if (old->num > 1) {
		new = kvmalloc(struct_size(new, res, old->num - 1),
			       GFP_KERNEL_ACCOUNT);
		if (!new)
			return -ENOMEM;
		memcpy(new->res, old->res, i * sizeof(old->res[0]));
		memcpy(new->res + i, old->res + i + 1,
		       (old->num - i - 1) * sizeof(old->res[0]));
		new->num = old->num - 1;
	}
	fz_policy_publish(peer, new);
	return 0;
}

void fz_policy_free(struct fz_peer *peer)
{
	fz_policy_publish(peer, NULL);
}
