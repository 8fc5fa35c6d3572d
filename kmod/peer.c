// SPDX-License-Identifier: GPL-2.0
/*
 * Peers of an fz device, found by their static public key. Configuration
 * holds fz->lock; the packet path reaches peers under RCU and through the
 * references its queued packets hold, never through the lock.
 */
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/slab.h>

#include "allowedips.h"
#include "device.h"
#include "dnsmap.h"
#include "objects.h"
#include "peer.h"
#include "policy.h"
#include "queueing.h"
#include "send.h"
#include "timers.h"

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
	/*
	 * Charged to whoever configures it, like everything a request keeps:
	 * the root of any user namespace can make fz devices and fill them.
	 */
	peer = kzalloc(sizeof(*peer), GFP_KERNEL_ACCOUNT);
	if (!peer)
		return ERR_PTR(-ENOMEM);
	peer->stats = alloc_percpu_gfp(struct fz_peer_stats, GFP_KERNEL_ACCOUNT);
	if (!peer->stats)
		goto err_peer;
	if (dst_cache_init(&peer->dst_cache, GFP_KERNEL_ACCOUNT))
		goto err_stats;
	peer->fz = fz;
	kref_init(&peer->refcount);
	INIT_LIST_HEAD(&peer->allowedips);
	INIT_LIST_HEAD(&peer->dnsmaps);
	memcpy(peer->public_key, public_key, FZ_KEY_LEN);
	seqlock_init(&peer->endpoint_lock);
	spin_lock_init(&peer->keys.lock);
	skb_queue_head_init(&peer->staged);
	skb_queue_head_init(&peer->tx_queue);
	skb_queue_head_init(&peer->rx_queue);
	INIT_WORK(&peer->tx_work, fz_tx_worker);
	netif_napi_add(fz->dev, &peer->napi, fz_rx_poll);
	napi_enable(&peer->napi);
	fz_timers_init(peer);
	atomic_inc(&fz_live.peers);
	hash_add(fz->peer_hash, &peer->hash_node, fz_peer_hash(public_key));
	list_add_tail_rcu(&peer->list, &fz->peer_list);
	fz->num_peers++;
	return peer;

err_stats:
	free_percpu(peer->stats);
err_peer:
	kfree(peer);
	return ERR_PTR(-ENOMEM);
}

struct fz_peer *fz_peer_get(struct fz_peer *peer)
{
	if (peer && kref_get_unless_zero(&peer->refcount))
		return peer;
	return NULL;
}

static void fz_peer_free_rcu(struct rcu_head *rcu)
{
	struct fz_peer *peer = container_of(rcu, struct fz_peer, rcu);

	dst_cache_destroy(&peer->dst_cache);
	free_percpu(peer->stats);
	kfree_sensitive(peer);
	atomic_dec(&fz_live.peers);
}

static void fz_peer_release(struct kref *kref)
{
	struct fz_peer *peer = container_of(kref, struct fz_peer, refcount);

	call_rcu(&peer->rcu, fz_peer_free_rcu);
}

void fz_peer_put(struct fz_peer *peer)
{
	if (peer)
		kref_put(&peer->refcount, fz_peer_release);
}

/* No new packet can find the peer after this and a grace period. */
static void fz_peer_unlink(struct fz_peer *peer)
{
	struct fz_device *fz = peer->fz;

	lockdep_assert_held(&fz->lock);
	WRITE_ONCE(peer->dead, true);
	fz_aip_remove_peer(&fz->aips, peer);
	fz_dnsmap_remove_peer(peer);
	fz_policy_free(peer);
	hash_del(&peer->hash_node);
	list_del_rcu(&peer->list);
	fz->num_peers--;
}

/*
 * After the grace period that follows fz_peer_unlink(), stops everything
 * that can still queue packets for the peer: its timers (a keepalive),
 * its keypairs (nothing sends or receives without one) and its NAPI poll
 * (a confirmed keypair sends what was staged). Only then may the crypt
 * queues be flushed: what they hold is all there will ever be.
 */
static void fz_peer_stop(struct fz_peer *peer)
{
	fz_timers_stop(peer);
	fz_keypairs_clear(peer);
	napi_disable(&peer->napi);
}

/* The crypt queues hold nothing of the peer's now: free what is left. */
static void fz_peer_teardown(struct fz_peer *peer)
{
	netif_napi_del(&peer->napi);
	cancel_work_sync(&peer->tx_work);
	fz_queue_purge(&peer->tx_queue);
	fz_queue_purge(&peer->rx_queue);
	fz_staged_purge(peer);
	fz_peer_put(peer);
}

void fz_peer_remove(struct fz_peer *peer)
{
	fz_peer_unlink(peer);
	synchronize_net();
	fz_peer_stop(peer);
	fz_crypt_flush(peer->fz);
	fz_peer_teardown(peer);
}

/* One grace period and one flush for all, not one per peer. */
void fz_peer_remove_all(struct fz_device *fz)
{
	struct fz_peer *peer, *tmp;
	LIST_HEAD(dying);

	list_for_each_entry_safe(peer, tmp, &fz->peer_list, list) {
		fz_peer_unlink(peer);
		list_add_tail(&peer->remove_list, &dying);
	}
	if (list_empty(&dying))
		return;
	synchronize_net();
	list_for_each_entry(peer, &dying, remove_list)
		fz_peer_stop(peer);
	fz_crypt_flush(fz);
	list_for_each_entry_safe(peer, tmp, &dying, remove_list)
		fz_peer_teardown(peer);
}

void fz_peer_set_endpoint(struct fz_peer *peer, const union fz_endpoint *ep)
{
	write_seqlock_bh(&peer->endpoint_lock);
	memset(&peer->endpoint, 0, sizeof(peer->endpoint));
	peer->endpoint.addr = *ep;
	write_sequnlock_bh(&peer->endpoint_lock);
	dst_cache_reset(&peer->dst_cache);
}

void fz_peer_clear_endpoint(struct fz_peer *peer)
{
	union fz_endpoint none = {};

	fz_peer_set_endpoint(peer, &none);
}

void fz_peer_get_endpoint(struct fz_peer *peer, struct fz_peer_endpoint *out)
{
	unsigned int seq;

	do {
		seq = read_seqbegin(&peer->endpoint_lock);
		*out = peer->endpoint;
	} while (read_seqretry(&peer->endpoint_lock, seq));
}

void fz_peer_stats(struct fz_peer *peer, struct fz_peer_stats *out)
{
	int cpu;

	memset(out, 0, sizeof(*out));
	for_each_possible_cpu(cpu) {
		const struct fz_peer_stats *s = per_cpu_ptr(peer->stats, cpu);

		out->rx_bytes += READ_ONCE(s->rx_bytes);
		out->tx_bytes += READ_ONCE(s->tx_bytes);
	}
}

const u8 fz_peer_drop_attrs[] = {
	FZ_STAT_A_DROP_BAD_AUTH,
	FZ_STAT_A_DROP_REPLAY,
	FZ_STAT_A_DROP_NO_KEY,
	FZ_STAT_A_DROP_BAD_SOURCE,
	FZ_STAT_A_DROP_MALFORMED,
	FZ_STAT_A_DROP_DENIED,
	FZ_STAT_A_DROP_CONTROL,
	FZ_STAT_A_DENIED_NOT_AUTHORIZED,
	FZ_STAT_A_DENIED_FILTERED,
	FZ_STAT_A_DENIED_EXPIRED,
	FZ_STAT_A_DENIED_CLIENT_TO_CLIENT,
	FZ_STAT_A_DENIED_RETURN,
	FZ_STAT_A_DENIED_NO_MAPPING,
	FZ_STAT_A_DROP_CONTROL_RATELIMITED,
};

static_assert(ARRAY_SIZE(fz_peer_drop_attrs) == FZ_PEER_DROP_SLOTS);

/* Only drop paths get here: a short scan costs nothing that matters. */
void fz_peer_count(struct fz_peer *peer, enum fz_stat_attr what)
{
	int i;

	fz_count(peer->fz, what);
	for (i = 0; i < FZ_PEER_DROP_SLOTS; i++) {
		if (fz_peer_drop_attrs[i] == what) {
			atomic64_inc(&peer->drops[i]);
			return;
		}
	}
}

void fz_peer_init(void)
{
	get_random_bytes(&fz_peer_hash_key, sizeof(fz_peer_hash_key));
}
