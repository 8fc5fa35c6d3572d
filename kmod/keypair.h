/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FZ_KEYPAIR_H
#define _FZ_KEYPAIR_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/fz.h>

#include "messages.h"

struct fz_peer;
struct fz_device;

/* RFC 6479 sliding window; checked only in the peer's NAPI poll. */
struct fz_replay {
	u64 greatest;
	unsigned long bitmap[FZ_COUNTER_WINDOW / BITS_PER_LONG];
};

struct fz_keypair {
	struct fz_peer *peer; /* keypairs never outlive their peer */
	struct kref refcount;
	struct rcu_head rcu;
	struct hlist_node index_node;
	u32 local_index;
	__le32 remote_index;
	u8 send_key[CHACHA20POLY1305_KEY_SIZE];
	u8 recv_key[CHACHA20POLY1305_KEY_SIZE];
	atomic64_t send_counter;
	struct fz_replay replay;
	u64 created; /* boottime ns */
	u64 created_real; /* for the dump */
	bool initiator;
	bool hashed;
};

struct fz_peer_keys {
	struct fz_keypair __rcu *cur;
	struct fz_keypair __rcu *prev;
	struct fz_keypair __rcu *next;
	spinlock_t lock; /* writers of the three slots; readers use RCU */
};

struct fz_keypair_params {
	u8 slot;
	u32 local_index;
	u32 remote_index;
	const u8 *send_key;
	const u8 *recv_key;
	bool initiator;
	u32 rx_handshake_bytes;
};

int fz_keypair_install(struct fz_peer *peer,
		       const struct fz_keypair_params *params);
void fz_keypairs_clear(struct fz_peer *peer);
/* A data packet arrived on the responder's "next" keypair: confirm it. */
bool fz_keypair_confirm(struct fz_peer *peer, struct fz_keypair *kp);

struct fz_keypair *fz_keypair_lookup(struct fz_device *fz, __le32 index);
struct fz_keypair *fz_keypair_current(struct fz_peer *peer);
void fz_keypair_put(struct fz_keypair *kp);

bool fz_keypair_send_usable(const struct fz_keypair *kp, u64 now);
bool fz_keypair_recv_usable(const struct fz_keypair *kp, u64 now);

bool fz_replay_check(struct fz_replay *r, u64 counter);

#endif /* _FZ_KEYPAIR_H */
