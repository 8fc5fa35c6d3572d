// SPDX-License-Identifier: GPL-2.0
/*
 * Default deny for gateway clients. A client may send to the gateway's own
 * tunnel address and to the resources it is authorized for, within their
 * filters and until they expire; everything else is dropped, answered with
 * ICMP "administratively prohibited", counted by reason and sampled to the
 * agent. Packets to a client must come from one of its resources.
 *
 * The check runs before netfilter, so a DNS resource is matched by the
 * mapped IP the client used; the translation to the real address happens
 * later, in nat.c.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/ratelimit.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/addrconf.h>
#include <net/ipv6.h>
#include <net/netfilter/ipv4/nf_reject.h>
#include <net/netfilter/ipv6/nf_reject.h>

#include "device.h"
#include "dnsmap.h"
#include "nat.h"
#include "netlink.h"
#include "peer.h"
#include "policy.h"

/* Firezone's address plan: client tunnel addresses live here. */
static const struct fz_prefix fz_tunnel4 = {
	.family = AF_INET, .cidr = 11, .addr = { 100, 64 }
};

static const struct fz_prefix fz_tunnel6 = {
	.family = AF_INET6, .cidr = 107,
	.addr = { 0xfd, 0x00, 0x20, 0x21, 0x11, 0x11 }
};

bool fz_prefix_contains(const struct fz_prefix *p, u16 family,
			const u8 *addr)
{
	unsigned int bytes = p->cidr / 8, bits = p->cidr % 8;

	if (p->family != family || memcmp(p->addr, addr, bytes))
		return false;
	return !bits || !((p->addr[bytes] ^ addr[bytes]) & (0xff00 >> bits));
}

static bool fz_skip_ports(struct sk_buff *skb, struct fz_flow *flow,
			  unsigned int off)
{
	u8 buf[4], *p;

	if (flow->proto == IPPROTO_ICMP || flow->proto == IPPROTO_ICMPV6) {
		p = skb_header_pointer(skb, off, 1, buf);
		if (!p)
			return false;
		flow->icmp_error = flow->proto == IPPROTO_ICMP ?
			icmp_is_err(*p) : icmpv6_is_err(*p);
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
	/* A later fragment has no ports: only filterless resources take it. */
	if (iph->frag_off & htons(IP_OFFSET))
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
	if (frag_off & htons(IP6_OFFSET))
		return true;
	return fz_skip_ports(skb, flow, off);
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

	if (f->proto == FZ_FILTER_ICMP)
		return flow->proto == IPPROTO_ICMP ||
		       flow->proto == IPPROTO_ICMPV6;
	return f->proto == flow->proto && flow->has_ports &&
	       port >= f->port_start && port <= f->port_end;
}

static bool fz_resource_allows(const struct fz_resource *res,
			       const struct fz_flow *flow)
{
	unsigned int i;

	/* No filters: everything. An ICMP error about a flow rides along. */
	if (!res->num_filters || flow->icmp_error)
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
				now = ktime_get_real_ns();
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
		if (res->expires_ns && ktime_get_real_ns() >= res->expires_ns)
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

bool fz_policy_rx(struct fz_peer *peer, struct sk_buff *skb)
{
	struct net_device *dev = peer->fz->dev;
	enum fz_event_reason why;
	struct fz_flow flow;

	if (unlikely(!fz_flow_parse(skb, &flow))) {
		fz_peer_count(peer, FZ_STAT_A_DROP_MALFORMED);
		return false;
	}
	rcu_read_lock_bh();
	if (fz_is_local(dev, flow.family, flow.daddr))
		why = FZ_REASON_NONE;
	else if (fz_in_tunnel_range(flow.family, flow.daddr))
		why = FZ_REASON_CLIENT_TO_CLIENT;
	else
		why = fz_policy_match_mapped(peer,
					     rcu_dereference_bh(peer->policy),
					     &flow, flow.daddr, true);
	rcu_read_unlock_bh();
	if (likely(why == FZ_REASON_NONE))
		return true;
	fz_deny(peer, skb, &flow, why);
	return false;
}

/*
 * To a client: from the gateway itself, from a live resource (after
 * conntrack put the mapped IP back), or an ICMP error about one of its
 * flows from anywhere on the path.
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
	if (flow.icmp_error)
		return true;
	rcu_read_lock_bh();
	ok = fz_is_local(dev, flow.family, flow.saddr) ||
	     fz_policy_match_mapped(peer, rcu_dereference_bh(peer->policy),
				    &flow, flow.saddr, false) == FZ_REASON_NONE;
	rcu_read_unlock_bh();
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
