// SPDX-License-Identifier: GPL-2.0
/*
 * DNS-resource mappings: per client, mapped IP -> the real address the
 * gateway resolved for that name. One device-wide hash, so 100,000
 * mappings cost one probe each; nat.c reads it when conntrack sees the
 * first packet of a flow, never per packet after that.
 */
#include <linux/rhashtable.h>
#include <linux/slab.h>

#include "device.h"
#include "dnsmap.h"
#include "objects.h"
#include "peer.h"

static const struct rhashtable_params fz_dnsmap_params = {
	.key_len = sizeof(struct fz_dnsmap_key),
	.key_offset = offsetof(struct fz_dnsmap, key),
	.head_offset = offsetof(struct fz_dnsmap, node),
	.automatic_shrinking = true,
};

int fz_dnsmap_table_init(struct rhashtable *ht)
{
	return rhashtable_init(ht, &fz_dnsmap_params);
}

static void fz_dnsmap_free(void *ptr, void *arg)
{
	kfree(ptr);
	atomic_dec(&fz_live.dnsmaps);
}

static void fz_dnsmap_free_rcu(struct rcu_head *rcu)
{
	fz_dnsmap_free(container_of(rcu, struct fz_dnsmap, rcu), NULL);
}

/* Every peer, and so every map, is gone by now. */
void fz_dnsmap_table_destroy(struct rhashtable *ht)
{
	rhashtable_free_and_destroy(ht, fz_dnsmap_free, NULL);
}

static void fz_dnsmap_key(struct fz_dnsmap_key *key, struct fz_peer *peer,
			  u16 family, const u8 *mapped)
{
	memset(key, 0, sizeof(*key)); /* the padding is hashed too */
	key->peer = peer;
	key->family = family == AF_INET ? 4 : 6;
	memcpy(key->mapped, mapped, family == AF_INET ? 4 : 16);
}

static struct fz_dnsmap *fz_dnsmap_find(struct fz_peer *peer, u16 family,
					const u8 *mapped)
{
	struct fz_dnsmap_key key;

	fz_dnsmap_key(&key, peer, family, mapped);
	return rhashtable_lookup_fast(&peer->fz->dnsmaps, &key,
				      fz_dnsmap_params);
}

int fz_dnsmap_set(struct fz_peer *peer, u16 family, const u8 *mapped,
		  const u8 *real, const u8 *resource_id)
{
	unsigned int len = family == AF_INET ? 4 : 16;
	struct fz_dnsmap *old, *map;
	int ret;

	lockdep_assert_held(&peer->fz->lock);
	rcu_read_lock();
	old = fz_dnsmap_find(peer, family, mapped);
	rcu_read_unlock();
	if (!old && peer->num_dnsmaps >= FZ_MAX_DNS_MAPS)
		return -ENOSPC;
	map = kzalloc(sizeof(*map), GFP_KERNEL_ACCOUNT);
	if (!map)
		return -ENOMEM;
	fz_dnsmap_key(&map->key, peer, family, mapped);
	memcpy(map->real, real, len);
	memcpy(map->resource_id, resource_id, FZ_RESOURCE_ID_LEN);
	if (old)
		ret = rhashtable_replace_fast(&peer->fz->dnsmaps, &old->node,
					      &map->node, fz_dnsmap_params);
	else
		ret = rhashtable_lookup_insert_fast(&peer->fz->dnsmaps,
						    &map->node,
						    fz_dnsmap_params);
	if (ret) {
		kfree(map);
		return ret;
	}
	atomic_inc(&fz_live.dnsmaps);
	if (old) {
		list_replace(&old->peer_list, &map->peer_list);
		call_rcu(&old->rcu, fz_dnsmap_free_rcu);
	} else {
		list_add_tail(&map->peer_list, &peer->dnsmaps);
		peer->num_dnsmaps++;
	}
	return 0;
}

static void fz_dnsmap_unlink(struct fz_peer *peer, struct fz_dnsmap *map)
{
	rhashtable_remove_fast(&peer->fz->dnsmaps, &map->node,
			       fz_dnsmap_params);
	list_del(&map->peer_list);
	peer->num_dnsmaps--;
	call_rcu(&map->rcu, fz_dnsmap_free_rcu);
}

int fz_dnsmap_del(struct fz_peer *peer, u16 family, const u8 *mapped)
{
	struct fz_dnsmap *map;

	lockdep_assert_held(&peer->fz->lock);
	rcu_read_lock();
	map = fz_dnsmap_find(peer, family, mapped);
	rcu_read_unlock();
	if (!map)
		return -ENOENT;
	fz_dnsmap_unlink(peer, map);
	return 0;
}

unsigned int fz_dnsmap_del_resource(struct fz_peer *peer,
				    const u8 *resource_id)
{
	struct fz_dnsmap *map, *tmp;
	unsigned int n = 0;

	lockdep_assert_held(&peer->fz->lock);
	list_for_each_entry_safe(map, tmp, &peer->dnsmaps, peer_list) {
		if (memcmp(map->resource_id, resource_id, FZ_RESOURCE_ID_LEN))
			continue;
		fz_dnsmap_unlink(peer, map);
		n++;
	}
	return n;
}

void fz_dnsmap_remove_peer(struct fz_peer *peer)
{
	struct fz_dnsmap *map, *tmp;

	lockdep_assert_held(&peer->fz->lock);
	list_for_each_entry_safe(map, tmp, &peer->dnsmaps, peer_list)
		fz_dnsmap_unlink(peer, map);
}

bool fz_dnsmap_lookup(struct fz_peer *peer, u16 family, const u8 *mapped,
		      u8 *real, u8 *resource_id)
{
	struct fz_dnsmap *map = fz_dnsmap_find(peer, family, mapped);

	if (!map)
		return false;
	if (real)
		memcpy(real, map->real, family == AF_INET ? 4 : 16);
	if (resource_id)
		memcpy(resource_id, map->resource_id, FZ_RESOURCE_ID_LEN);
	return true;
}
