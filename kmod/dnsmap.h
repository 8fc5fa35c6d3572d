/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FZ_DNSMAP_H
#define _FZ_DNSMAP_H

#include <linux/list.h>
#include <linux/rhashtable-types.h>
#include <linux/types.h>
#include <linux/fz.h>

struct fz_device;
struct fz_peer;

/*
 * A mapped IP is the client's own choice: the same one means different
 * names for different clients, so the client is part of the key.
 */
struct fz_dnsmap_key {
	struct fz_peer *peer;
	u8 family; /* 4 or 6 */
	u8 mapped[16];
};

struct fz_dnsmap {
	struct rhash_head node;
	struct fz_dnsmap_key key;
	u8 real[16];
	u8 resource_id[FZ_RESOURCE_ID_LEN];
	struct list_head peer_list; /* the client's maps, under fz->lock */
	struct rcu_head rcu;
};

int fz_dnsmap_table_init(struct rhashtable *ht);
void fz_dnsmap_table_destroy(struct rhashtable *ht);

/* Under fz->lock. */
int fz_dnsmap_set(struct fz_peer *peer, u16 family, const u8 *mapped,
		  const u8 *real, const u8 *resource_id);
int fz_dnsmap_del(struct fz_peer *peer, u16 family, const u8 *mapped);
unsigned int fz_dnsmap_del_resource(struct fz_peer *peer,
				    const u8 *resource_id);
void fz_dnsmap_remove_peer(struct fz_peer *peer);

/* Under RCU: copies the real address and the resource out (if asked). */
bool fz_dnsmap_lookup(struct fz_peer *peer, u16 family, const u8 *mapped,
		      u8 *real, u8 *resource_id);

#endif /* _FZ_DNSMAP_H */
