// SPDX-License-Identifier: GPL-2.0
/*
 * Session keypairs installed by fzagent after each handshake, in the three
 * slots WireGuard uses: the current one sends, the previous one still
 * receives while the peer switches, the next one (responder side) waits for
 * the peer's first data packet to prove the handshake completed.
 */
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include "device.h"
#include "keypair.h"
#include "objects.h"
#include "peer.h"

static void fz_keypair_free_rcu(struct rcu_head *rcu)
{
	/* kfree_sensitive() wipes the session keys before freeing. */
	kfree_sensitive(container_of(rcu, struct fz_keypair, rcu));
	atomic_dec(&fz_live.keypairs);
}

static void fz_keypair_release(struct kref *kref)
{
	struct fz_keypair *kp = container_of(kref, struct fz_keypair, refcount);
	struct fz_device *fz = kp->peer->fz;

	if (kp->hashed) {
		spin_lock_bh(&fz->index_lock);
		hash_del_rcu(&kp->index_node);
		spin_unlock_bh(&fz->index_lock);
	}
	call_rcu(&kp->rcu, fz_keypair_free_rcu);
}

void fz_keypair_put(struct fz_keypair *kp)
{
	if (kp)
		kref_put(&kp->refcount, fz_keypair_release);
}

struct fz_keypair *fz_keypair_lookup(struct fz_device *fz, __le32 index)
{
	struct fz_keypair *kp;
	u32 idx = le32_to_cpu(index);

	hash_for_each_possible_rcu(fz->index_hash, kp, index_node, idx) {
		if (kp->local_index == idx)
			return kref_get_unless_zero(&kp->refcount) ? kp : NULL;
	}
	return NULL;
}

struct fz_keypair *fz_keypair_current(struct fz_peer *peer)
{
	struct fz_keypair *kp;

	rcu_read_lock_bh();
	kp = rcu_dereference_bh(peer->keys.cur);
	if (kp && !kref_get_unless_zero(&kp->refcount))
		kp = NULL;
	rcu_read_unlock_bh();
	return kp;
}

bool fz_keypair_send_usable(const struct fz_keypair *kp, u64 now)
{
	return now - kp->created < fz_secs_ns(FZ_REJECT_AFTER_TIME) &&
	       atomic64_read(&kp->send_counter) < FZ_REJECT_AFTER_MESSAGES;
}

bool fz_keypair_recv_usable(const struct fz_keypair *kp, u64 now)
{
	return now - kp->created < fz_secs_ns(FZ_REJECT_AFTER_TIME);
}

static bool fz_index_in_use(struct fz_device *fz, u32 index)
{
	struct fz_keypair *kp;

	hash_for_each_possible(fz->index_hash, kp, index_node, index) {
		if (kp->local_index == index)
			return true;
	}
	return false;
}

/* Replaces *slot with kp (may be NULL) and drops the old keypair. */
static void fz_slot_set(struct fz_peer *peer, struct fz_keypair __rcu **slot,
			struct fz_keypair *kp)
{
	struct fz_keypair *old;

	old = rcu_dereference_protected(*slot,
					lockdep_is_held(&peer->keys.lock));
	rcu_assign_pointer(*slot, kp);
	fz_keypair_put(old);
}

int fz_keypair_install(struct fz_peer *peer,
		       const struct fz_keypair_params *p)
{
	struct fz_device *fz = peer->fz;
	struct fz_keypair *kp, *cur;

	kp = kzalloc(sizeof(*kp), GFP_KERNEL_ACCOUNT);
	if (!kp)
		return -ENOMEM;
	kp->peer = peer;
	kref_init(&kp->refcount);
	kp->local_index = p->local_index;
	kp->remote_index = cpu_to_le32(p->remote_index);
	memcpy(kp->send_key, p->send_key, sizeof(kp->send_key));
	memcpy(kp->recv_key, p->recv_key, sizeof(kp->recv_key));
	kp->initiator = p->initiator;
	kp->created = ktime_get_coarse_boottime_ns();
	kp->created_real = ktime_get_real_ns();

	spin_lock_bh(&fz->index_lock);
	if (fz_index_in_use(fz, kp->local_index)) {
		spin_unlock_bh(&fz->index_lock);
		kfree_sensitive(kp);
		return -EEXIST;
	}
	hash_add_rcu(fz->index_hash, &kp->index_node, kp->local_index);
	atomic_inc(&fz_live.keypairs);
	kp->hashed = true;
	spin_unlock_bh(&fz->index_lock);

	spin_lock_bh(&peer->keys.lock);
	if (p->slot == FZ_KEYPAIR_CURRENT) {
		cur = rcu_dereference_protected(peer->keys.cur,
						lockdep_is_held(&peer->keys.lock));
		/* The old current keeps receiving until the peer switches. */
		rcu_assign_pointer(peer->keys.cur, kp);
		fz_slot_set(peer, &peer->keys.prev, cur);
		fz_slot_set(peer, &peer->keys.next, NULL);
	} else {
		fz_slot_set(peer, &peer->keys.next, kp);
	}
	spin_unlock_bh(&peer->keys.lock);
	return 0;
}

bool fz_keypair_confirm(struct fz_peer *peer, struct fz_keypair *kp)
{
	struct fz_keypair *cur;

	if (rcu_access_pointer(peer->keys.next) != kp)
		return false;
	spin_lock_bh(&peer->keys.lock);
	if (rcu_access_pointer(peer->keys.next) != kp) {
		spin_unlock_bh(&peer->keys.lock);
		return false;
	}
	cur = rcu_dereference_protected(peer->keys.cur,
					lockdep_is_held(&peer->keys.lock));
	rcu_assign_pointer(peer->keys.cur, kp);
	RCU_INIT_POINTER(peer->keys.next, NULL);
	fz_slot_set(peer, &peer->keys.prev, cur);
	spin_unlock_bh(&peer->keys.lock);
	return true;
}

void fz_keypairs_clear(struct fz_peer *peer)
{
	spin_lock_bh(&peer->keys.lock);
	fz_slot_set(peer, &peer->keys.cur, NULL);
	fz_slot_set(peer, &peer->keys.prev, NULL);
	fz_slot_set(peer, &peer->keys.next, NULL);
	spin_unlock_bh(&peer->keys.lock);
}

/*
 * RFC 6479: a window of FZ_COUNTER_WINDOW bits kept as a ring of words;
 * moving forward clears whole words instead of shifting the bitmap.
 */
bool fz_replay_check(struct fz_replay *r, u64 counter)
{
	const unsigned int blocks = FZ_COUNTER_WINDOW / BITS_PER_LONG;
	unsigned long index, index_current, top, i;

	if (unlikely(counter >= FZ_REJECT_AFTER_MESSAGES))
		return false;
	/* Shift by one so that counter 0 is newer than the empty window. */
	++counter;
	if (unlikely(r->greatest >= counter + (FZ_COUNTER_WINDOW - BITS_PER_LONG)))
		return false;
	index = counter / BITS_PER_LONG;
	if (likely(counter > r->greatest)) {
		index_current = r->greatest / BITS_PER_LONG;
		top = min_t(unsigned long, index - index_current, blocks);
		for (i = 1; i <= top; i++)
			r->bitmap[(index_current + i) % blocks] = 0;
		r->greatest = counter;
	}
	return !__test_and_set_bit(counter % BITS_PER_LONG,
				   &r->bitmap[index % blocks]);
}
