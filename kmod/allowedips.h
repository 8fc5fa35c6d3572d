/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FZ_ALLOWEDIPS_H
#define _FZ_ALLOWEDIPS_H

#include <linux/bitmap.h>
#include <linux/rhashtable-types.h>
#include <linux/skbuff.h>

struct fz_peer;

struct fz_aip_key {
	u8 family; /* 4 or 6, not AF_*: keeps the key small */
	u8 cidr;
	u8 addr[16];
};

/* One prefix owned by one peer. */
struct fz_aip {
	struct rhash_head node;
	struct fz_aip_key key;
	struct fz_peer __rcu *peer;
	struct list_head peer_list; /* the owner's prefixes, under fz->lock */
	struct rcu_head rcu;
};

/*
 * Longest-prefix match as one hash lookup per prefix length in use, longest
 * first. Gateways use /32 and /128 almost exclusively, so a lookup is
 * usually a single hash probe, read under RCU with no lock.
 */
struct fz_aip_table {
	struct rhashtable ht;
	unsigned int users4[33], users6[129]; /* per length, under fz->lock */
	DECLARE_BITMAP(lens4, 33);
	DECLARE_BITMAP(lens6, 129);
};

int fz_aip_table_init(struct fz_aip_table *t);
void fz_aip_table_destroy(struct fz_aip_table *t);

/* Under fz->lock. Moves the prefix from another peer, as WireGuard does. */
int fz_aip_insert(struct fz_aip_table *t, struct fz_peer *peer, u16 family,
		  const u8 *addr, u8 cidr);
void fz_aip_remove_peer(struct fz_aip_table *t, struct fz_peer *peer);

/*
 * Under rcu_read_lock(): the table is an rhashtable, whose lookups lockdep
 * checks against rcu_read_lock() (rcu_read_lock_bh() alone trips PROVE_RCU).
 */
struct fz_peer *fz_aip_lookup(struct fz_aip_table *t, u16 family,
			      const u8 *addr);
struct fz_peer *fz_aip_lookup_dst(struct fz_aip_table *t, struct sk_buff *skb);
struct fz_peer *fz_aip_lookup_src(struct fz_aip_table *t, struct sk_buff *skb);

void fz_aip_mask(u8 *out, const u8 *addr, unsigned int len, u8 cidr);

#endif /* _FZ_ALLOWEDIPS_H */
