/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FZ_POLICY_H
#define _FZ_POLICY_H

#include <linux/rcupdate.h>
#include <linux/skbuff.h>
#include <linux/types.h>
#include <linux/fz.h>

struct fz_peer;

struct fz_prefix {
	u16 family; /* AF_INET or AF_INET6 */
	u8 cidr;
	u8 addr[16]; /* host bits cleared */
};

struct fz_filter {
	u8 proto; /* enum fz_filter_proto */
	u16 port_start, port_end;
};

/* One authorization: a resource a client may reach, until it expires. */
struct fz_resource {
	u8 id[FZ_RESOURCE_ID_LEN];
	u32 flags; /* enum fz_resource_flag */
	u64 expires_ns; /* CLOCK_BOOTTIME; 0 = never */
	u8 num_addrs, num_filters;
	struct fz_prefix addrs[FZ_MAX_RESOURCE_ADDRS];
	struct fz_filter filters[FZ_MAX_FILTERS];
};

/*
 * A client's resources, never changed once published: a change builds a
 * new copy under fz->lock and swaps it in, so packets scan an array under
 * RCU with no lock.
 */
struct fz_policy {
	struct rcu_head rcu;
	unsigned int num;
	struct fz_resource res[];
};

/* A packet's 5-tuple as the policy sees it. */
struct fz_flow {
	u16 family;
	u8 proto;
	bool has_ports; /* tcp/udp, first fragment */
	bool icmp_error;
	bool later_frag; /* a fragment other than the first: no ports */
	u8 icmp_type; /* icmp of the family, first fragment */
	u16 l4_off; /* icmp of the family: where its header starts */
	__be16 sport, dport;
	u8 saddr[16], daddr[16];
};

/* Under fz->lock. */
int fz_policy_set(struct fz_peer *peer, const struct fz_resource *res);
int fz_policy_del(struct fz_peer *peer, const u8 *id);
void fz_policy_free(struct fz_peer *peer);

/* Under RCU, on every packet of a gateway client. */
bool fz_policy_rx(struct fz_peer *peer, struct sk_buff *skb);
bool fz_policy_tx(struct fz_peer *peer, struct sk_buff *skb);
/* Under RCU, on what a client's peers send (FZ_A_HOLD on): see fz.h. */
void fz_policy_rx_client(struct fz_peer *peer, struct sk_buff *skb);

struct nf_hook_state;
/*
 * Netfilter PRE_ROUTING, after conntrack and before the NAT engine, for
 * what gateway clients send: judges reassembled datagrams whole, ICMP
 * errors by conntrack, and translated flows by the client's current map.
 */
unsigned int fz_policy_nf_rx(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state);

bool fz_flow_parse(struct sk_buff *skb, struct fz_flow *flow);
bool fz_prefix_contains(const struct fz_prefix *p, u16 family,
			const u8 *addr);

#endif /* _FZ_POLICY_H */
