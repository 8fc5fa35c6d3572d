// SPDX-License-Identifier: GPL-2.0
/*
 * Cryptokey routing: which peer owns an inner address. Outgoing packets
 * pick their peer by destination; incoming packets must come from a
 * source their peer owns.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>

#include "allowedips.h"
#include "objects.h"
#include "peer.h"

static const struct rhashtable_params fz_aip_params = {
	.key_len = sizeof(struct fz_aip_key),
	.key_offset = offsetof(struct fz_aip, key),
	.head_offset = offsetof(struct fz_aip, node),
	.automatic_shrinking = true,
};

void fz_aip_mask(u8 *out, const u8 *addr, unsigned int len, u8 cidr)
{
	unsigned int i;

	for (i = 0; i < len; i++) {
		int bits = clamp_t(int, (int)cidr - (int)(i * 8), 0, 8);

		out[i] = addr[i] & (u8)(0xff00 >> bits);
	}
}

int fz_aip_table_init(struct fz_aip_table *t)
{
	memset(t, 0, sizeof(*t));
	return rhashtable_init(&t->ht, &fz_aip_params);
}

static void fz_aip_free(void *ptr, void *arg)
{
	kfree(ptr);
	atomic_dec(&fz_live.allowedips);
}

static void fz_aip_free_rcu(struct rcu_head *rcu)
{
	fz_aip_free(container_of(rcu, struct fz_aip, rcu), NULL);
}

/* Every peer is gone by now, so no reader can reach an entry. */
void fz_aip_table_destroy(struct fz_aip_table *t)
{
	rhashtable_free_and_destroy(&t->ht, fz_aip_free, NULL);
}

static void fz_aip_len_get(struct fz_aip_table *t, u8 family, u8 cidr)
{
	if (family == 4 && !t->users4[cidr]++)
		set_bit(cidr, t->lens4);
	else if (family == 6 && !t->users6[cidr]++)
		set_bit(cidr, t->lens6);
}

static void fz_aip_len_put(struct fz_aip_table *t, u8 family, u8 cidr)
{
	if (family == 4 && !--t->users4[cidr])
		clear_bit(cidr, t->lens4);
	else if (family == 6 && !--t->users6[cidr])
		clear_bit(cidr, t->lens6);
}

int fz_aip_insert(struct fz_aip_table *t, struct fz_peer *peer, u16 family,
		  const u8 *addr, u8 cidr)
{
	unsigned int len = family == AF_INET ? 4 : 16;
	struct fz_aip_key key = { .family = family == AF_INET ? 4 : 6,
				  .cidr = cidr };
	struct fz_aip *aip;
	int ret;

	fz_aip_mask(key.addr, addr, len, cidr);
	aip = rhashtable_lookup_fast(&t->ht, &key, fz_aip_params);
	if (aip) {
		if (rcu_access_pointer(aip->peer) == peer)
			return 0;
		if (peer->num_allowedips >= FZ_MAX_ALLOWEDIPS)
			return -E2BIG;
		rcu_dereference_protected(aip->peer, true)->num_allowedips--;
		list_move_tail(&aip->peer_list, &peer->allowedips);
		peer->num_allowedips++;
		rcu_assign_pointer(aip->peer, peer);
		return 0;
	}
	if (peer->num_allowedips >= FZ_MAX_ALLOWEDIPS)
		return -E2BIG;
	aip = kzalloc(sizeof(*aip), GFP_KERNEL_ACCOUNT);
	if (!aip)
		return -ENOMEM;
	aip->key = key;
	RCU_INIT_POINTER(aip->peer, peer);
	ret = rhashtable_insert_fast(&t->ht, &aip->node, fz_aip_params);
	if (ret) {
		kfree(aip);
		return ret;
	}
	list_add_tail(&aip->peer_list, &peer->allowedips);
	peer->num_allowedips++;
	atomic_inc(&fz_live.allowedips);
	fz_aip_len_get(t, key.family, cidr);
	return 0;
}

void fz_aip_remove_peer(struct fz_aip_table *t, struct fz_peer *peer)
{
	struct fz_aip *aip, *tmp;

	list_for_each_entry_safe(aip, tmp, &peer->allowedips, peer_list) {
		rhashtable_remove_fast(&t->ht, &aip->node, fz_aip_params);
		fz_aip_len_put(t, aip->key.family, aip->key.cidr);
		list_del(&aip->peer_list);
		call_rcu(&aip->rcu, fz_aip_free_rcu);
	}
	peer->num_allowedips = 0;
}

static struct fz_peer *fz_aip_probe(struct fz_aip_table *t,
				    const unsigned long *lens, unsigned int max,
				    u8 family, const u8 *addr)
{
	unsigned int len = family == 4 ? 4 : 16, limit = max + 1, cidr;
	struct fz_aip_key key = { .family = family };
	struct fz_aip *aip;

	for (;;) {
		/* find_last_bit() answers "limit" when no bit is below it. */
		cidr = find_last_bit(lens, limit);
		if (cidr >= limit)
			return NULL;
		key.cidr = cidr;
		fz_aip_mask(key.addr, addr, len, cidr);
		aip = rhashtable_lookup(&t->ht, &key, fz_aip_params);
		if (aip)
			return rcu_dereference(aip->peer);
		limit = cidr;
	}
}

struct fz_peer *fz_aip_lookup(struct fz_aip_table *t, u16 family,
			      const u8 *addr)
{
	if (family == AF_INET)
		return fz_aip_probe(t, t->lens4, 32, 4, addr);
	return fz_aip_probe(t, t->lens6, 128, 6, addr);
}

static struct fz_peer *fz_aip_lookup_skb(struct fz_aip_table *t,
					 struct sk_buff *skb, bool dst)
{
	if (skb->protocol == htons(ETH_P_IP)) {
		const struct iphdr *ip = ip_hdr(skb);

		return fz_aip_lookup(t, AF_INET,
				     (const u8 *)(dst ? &ip->daddr : &ip->saddr));
	}
	if (skb->protocol == htons(ETH_P_IPV6)) {
		const struct ipv6hdr *ip6 = ipv6_hdr(skb);

		return fz_aip_lookup(t, AF_INET6,
				     (dst ? ip6->daddr.s6_addr : ip6->saddr.s6_addr));
	}
	return NULL;
}

struct fz_peer *fz_aip_lookup_dst(struct fz_aip_table *t, struct sk_buff *skb)
{
	return fz_aip_lookup_skb(t, skb, true);
}

struct fz_peer *fz_aip_lookup_src(struct fz_aip_table *t, struct sk_buff *skb)
{
	return fz_aip_lookup_skb(t, skb, false);
}
