// SPDX-License-Identifier: GPL-2.0
/*
 * The mapped-IP translation. A client sends to a mapped IP it chose for a
 * DNS resource; the first packet of each flow reaches this hook from the
 * conntrack NAT engine, which binds the flow to the real address the
 * gateway resolved for that client. Conntrack then translates the rest of
 * the flow, its replies and ICMP errors about it (embedded packet
 * included): there is no flow table here.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/slab.h>
#include <net/netfilter/ipv4/nf_reject.h>
#include <net/netfilter/ipv6/nf_reject.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_nat.h>

#include "compat.h"
#include "device.h"
#include "dnsmap.h"
#include "nat.h"
#include "peer.h"
#include "policy.h"

static const struct fz_prefix fz_mapped4 = {
	.family = AF_INET, .cidr = FZ_RANGE_MAPPED_V4_LEN,
	.addr = FZ_RANGE_MAPPED_V4
};

static const struct fz_prefix fz_mapped6 = {
	.family = AF_INET6, .cidr = FZ_RANGE_MAPPED_V6_LEN,
	.addr = FZ_RANGE_MAPPED_V6
};

bool fz_is_mapped(u16 family, const u8 *addr)
{
	return fz_prefix_contains(family == AF_INET ? &fz_mapped4 : &fz_mapped6,
				  family, addr);
}

/* A denial for want of a real address, on the client too if known. */
static void fz_nat_count_unmapped(struct fz_device *fz, struct fz_peer *peer)
{
	if (!peer) {
		fz_count(fz, FZ_STAT_A_DROP_DENIED);
		fz_count(fz, FZ_STAT_A_DENIED_NO_MAPPING);
		return;
	}
	fz_peer_count(peer, FZ_STAT_A_DROP_DENIED);
	fz_peer_count(peer, FZ_STAT_A_DENIED_NO_MAPPING);
}

/* The client's real address for a mapped IP; false (counted) if none. */
static bool fz_nat_resolve(struct fz_device *fz, u16 family, const u8 *saddr,
			   const u8 *daddr, u8 *real)
{
	struct fz_peer *peer;
	bool found = false;

	rcu_read_lock();
	peer = fz_aip_lookup(&fz->aips, family, saddr);
	if (peer && !READ_ONCE(peer->dead))
		found = fz_dnsmap_lookup(peer, family, daddr, real, NULL);
	if (!found)
		fz_nat_count_unmapped(fz, peer);
	rcu_read_unlock();
	return found;
}

bool fz_nat_ct_ok(struct fz_peer *peer, const struct nf_conn *ct,
		  const u8 *mapped)
{
	const struct nf_conntrack_tuple *orig, *reply;
	const u8 *dst;
	unsigned int len;
	u8 real[16];
	u16 family;

	if (!ct)
		return !mapped;
	orig = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	reply = &ct->tuplehash[IP_CT_DIR_REPLY].tuple;
	family = nf_ct_l3num(ct) == NFPROTO_IPV4 ? AF_INET : AF_INET6;
	len = family == AF_INET ? 4 : 16;
	dst = (const u8 *)&orig->dst.u3;
	/* A new flow is not bound yet: fz_nat_lookup will bind it. */
	if (!nf_nat_initialized(ct, NF_NAT_MANIP_DST) ||
	    !fz_is_mapped(family, dst))
		return !mapped;
	if (mapped && memcmp(mapped, dst, len))
		return false;
	return fz_dnsmap_lookup(peer, family, dst, real, NULL) &&
	       !memcmp(real, &reply->src.u3, len);
}

/* Authorized, but this family of the name did not resolve. */
static unsigned int fz_nat_unmapped(struct fz_device *fz, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	if (__ratelimit(&fz->deny_icmp_rs)) {
		if (state->pf == NFPROTO_IPV4)
			nf_send_unreach(skb, ICMP_HOST_UNREACH, state->hook);
		else
			nf_send_unreach6(state->net, skb, ICMPV6_ADDR_UNREACH,
					 state->hook);
	}
	return NF_DROP;
}

/* Called by the NAT engine for the first packet of each new flow. */
static unsigned int fz_nat_lookup(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	struct nf_nat_range2 range = { .flags = NF_NAT_RANGE_MAP_IPS };
	enum ip_conntrack_info ctinfo;
	u8 saddr[16], daddr[16];
	struct fz_device *fz;
	struct nf_conn *ct;
	u16 family;

	if (!state->in || !fz_netdev_is_fz(state->in))
		return NF_ACCEPT;
	fz = netdev_priv(state->in);
	if (state->pf == NFPROTO_IPV4) {
		family = AF_INET;
		memcpy(saddr, &ip_hdr(skb)->saddr, 4);
		memcpy(daddr, &ip_hdr(skb)->daddr, 4);
	} else {
		family = AF_INET6;
		memcpy(saddr, &ipv6_hdr(skb)->saddr, 16);
		memcpy(daddr, &ipv6_hdr(skb)->daddr, 16);
	}
	if (!fz_is_mapped(family, daddr))
		return NF_ACCEPT;
	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || nf_nat_initialized(ct, NF_NAT_MANIP_DST))
		return NF_ACCEPT;
	if (!fz_nat_resolve(fz, family, saddr, daddr, (u8 *)&range.min_addr))
		return fz_nat_unmapped(fz, skb, state);
	range.max_addr = range.min_addr;
	return nf_nat_setup_info(ct, &range, NF_NAT_MANIP_DST);
}

static const struct nf_hook_ops fz_nat_ops[] = {
	{
		.hook = fz_nat_lookup,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP_PRI_NAT_DST,
	},
	{
		.hook = fz_nat_lookup,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP6_PRI_NAT_DST,
	},
};

/*
 * Just before the NAT engine: conntrack has found the flow (and
 * reassembled fragments), the destination is still the mapped IP.
 */
static const struct nf_hook_ops fz_check_ops[] = {
	{
		.hook = fz_policy_nf_rx,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP_PRI_NAT_DST - 1,
	},
	{
		.hook = fz_policy_nf_rx,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP6_PRI_NAT_DST - 1,
	},
};

/* Namespaces with the hooks in, counted by the fz devices that use them. */
struct fz_nat_net {
	struct list_head list;
	struct net *net;
	unsigned int users;
};

static LIST_HEAD(fz_nat_nets);
static DEFINE_MUTEX(fz_nat_lock);

static struct fz_nat_net *fz_nat_net_find(struct net *net)
{
	struct fz_nat_net *n;

	list_for_each_entry(n, &fz_nat_nets, list) {
		if (n->net == net)
			return n;
	}
	return NULL;
}

static int fz_nat_register(struct net *net)
{
	int ret = nf_ct_netns_get(net, NFPROTO_INET);

	if (ret)
		return ret;
	ret = nf_register_net_hooks(net, fz_check_ops,
				    ARRAY_SIZE(fz_check_ops));
	if (ret)
		goto err_ct;
	ret = nf_nat_ipv4_register_fn(net, &fz_nat_ops[0]);
	if (ret)
		goto err_check;
	ret = nf_nat_ipv6_register_fn(net, &fz_nat_ops[1]);
	if (ret)
		goto err_ipv4;
	return 0;

err_ipv4:
	nf_nat_ipv4_unregister_fn(net, &fz_nat_ops[0]);
err_check:
	nf_unregister_net_hooks(net, fz_check_ops, ARRAY_SIZE(fz_check_ops));
err_ct:
	nf_ct_netns_put(net, NFPROTO_INET);
	return ret;
}

static void fz_nat_unregister(struct net *net)
{
	nf_nat_ipv6_unregister_fn(net, &fz_nat_ops[1]);
	nf_nat_ipv4_unregister_fn(net, &fz_nat_ops[0]);
	nf_unregister_net_hooks(net, fz_check_ops, ARRAY_SIZE(fz_check_ops));
	nf_ct_netns_put(net, NFPROTO_INET);
}

int fz_nat_enable(struct fz_device *fz)
{
	struct net *net = dev_net(fz->dev);
	struct fz_nat_net *n;
	int ret = 0;

	/* rtnl: the device must not change namespace under us (netlink.c). */
	ASSERT_RTNL();
	if (fz->nat_net)
		return 0;
	mutex_lock(&fz_nat_lock);
	n = fz_nat_net_find(net);
	if (!n) {
		n = kzalloc(sizeof(*n), GFP_KERNEL);
		ret = n ? fz_nat_register(net) : -ENOMEM;
		if (ret) {
			kfree(n);
			goto out;
		}
		n->net = net;
		list_add(&n->list, &fz_nat_nets);
	}
	n->users++;
	/* The hooks live in this namespace: the device must stay in it. */
	fz_compat_set_netns_local(fz->dev);
	fz->nat_net = net;
out:
	mutex_unlock(&fz_nat_lock);
	return ret;
}

void fz_nat_disable(struct fz_device *fz)
{
	struct fz_nat_net *n;

	if (!fz->nat_net)
		return;
	mutex_lock(&fz_nat_lock);
	n = fz_nat_net_find(fz->nat_net);
	if (n && !--n->users) {
		fz_nat_unregister(n->net);
		list_del(&n->list);
		kfree(n);
	}
	fz->nat_net = NULL;
	mutex_unlock(&fz_nat_lock);
}
