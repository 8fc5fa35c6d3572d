// SPDX-License-Identifier: GPL-2.0
/*
 * Peers of an fz device, found by their static public key. Configuration
 * holds fz->lock; peers are freed after an RCU grace period so readers on
 * the packet path (which never take the lock) can finish first.
 */
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/slab.h>

#include "device.h"
#include "peer.h"

static siphash_key_t fz_peer_hash_key __read_mostly;

static u32 fz_peer_hash(const u8 *public_key)
{
	return (u32)siphash(public_key, FZ_KEY_LEN, &fz_peer_hash_key);
}

struct fz_peer *fz_peer_lookup(struct fz_device *fz, const u8 *public_key)
{
	struct fz_peer *peer;

	hash_for_each_possible(fz->peer_hash, peer, hash_node,
			       fz_peer_hash(public_key)) {
		if (!memcmp(peer->public_key, public_key, FZ_KEY_LEN))
			return peer;
	}
	return NULL;
}

struct fz_peer *fz_peer_create(struct fz_device *fz, const u8 *public_key)
{
	struct fz_peer *peer;

	lockdep_assert_held(&fz->lock);
	peer = kzalloc(sizeof(*peer), GFP_KERNEL);
	if (!peer)
		return ERR_PTR(-ENOMEM);
	peer->fz = fz;
	INIT_LIST_HEAD(&peer->allowedips);
	memcpy(peer->public_key, public_key, FZ_KEY_LEN);
	hash_add(fz->peer_hash, &peer->hash_node, fz_peer_hash(public_key));
	list_add_tail_rcu(&peer->list, &fz->peer_list);
	fz->num_peers++;
	return peer;
}

void fz_peer_clear_allowedips(struct fz_peer *peer)
{
	struct fz_allowedip *aip, *tmp;

	list_for_each_entry_safe(aip, tmp, &peer->allowedips, list) {
		list_del(&aip->list);
		kfree(aip);
	}
	peer->num_allowedips = 0;
}

static bool fz_allowedip_equal(const struct fz_allowedip *aip, u16 family,
			       const u8 *addr, u8 cidr)
{
	return aip->family == family && aip->cidr == cidr &&
	       !memcmp(aip->addr, addr, family == AF_INET ? 4 : 16);
}

/* Stores the prefix with its host bits cleared, as routing would use it. */
int fz_peer_add_allowedip(struct fz_peer *peer, u16 family, const u8 *addr,
			  u8 cidr)
{
	unsigned int len = family == AF_INET ? 4 : 16;
	struct fz_allowedip *aip;
	u8 masked[16] = {};
	unsigned int i;

	for (i = 0; i < len; i++) {
		int bits = clamp_t(int, (int)cidr - (int)(i * 8), 0, 8);

		masked[i] = addr[i] & (u8)(0xff00 >> bits);
	}
	list_for_each_entry(aip, &peer->allowedips, list) {
		if (fz_allowedip_equal(aip, family, masked, cidr))
			return 0;
	}
	if (peer->num_allowedips >= FZ_MAX_ALLOWEDIPS)
		return -E2BIG;
	aip = kzalloc(sizeof(*aip), GFP_KERNEL);
	if (!aip)
		return -ENOMEM;
	aip->family = family;
	aip->cidr = cidr;
	memcpy(aip->addr, masked, len);
	list_add_tail(&aip->list, &peer->allowedips);
	peer->num_allowedips++;
	return 0;
}

static void fz_peer_free_rcu(struct rcu_head *rcu)
{
	kfree(container_of(rcu, struct fz_peer, rcu));
}

void fz_peer_remove(struct fz_peer *peer)
{
	struct fz_device *fz = peer->fz;

	lockdep_assert_held(&fz->lock);
	hash_del(&peer->hash_node);
	list_del_rcu(&peer->list);
	fz->num_peers--;
	fz_peer_clear_allowedips(peer);
	call_rcu(&peer->rcu, fz_peer_free_rcu);
}

void fz_peer_remove_all(struct fz_device *fz)
{
	struct fz_peer *peer, *tmp;

	list_for_each_entry_safe(peer, tmp, &fz->peer_list, list)
		fz_peer_remove(peer);
}

void fz_peer_init(void)
{
	get_random_bytes(&fz_peer_hash_key, sizeof(fz_peer_hash_key));
}
