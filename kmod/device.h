/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FZ_DEVICE_H
#define _FZ_DEVICE_H

#include <linux/hashtable.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/percpu.h>
#include <linux/ptr_ring.h>
#include <linux/ratelimit.h>
#include <linux/rhashtable-types.h>
#include <linux/skbuff.h>
#include <linux/workqueue.h>
#include <linux/fz.h>

#include "allowedips.h"
#include "cookie.h"
#include "hold.h"
#include "ratelimiter.h"

#define FZ_DEFAULT_MTU 1280
#define FZ_PEER_HASH_BITS 11
#define FZ_INDEX_HASH_BITS 13
#define FZ_CRYPT_RING_SIZE 4096
#define FZ_HANDSHAKE_QUEUE_LEN 4096
#define FZ_SENT_HANDSHAKE_BITS 12

/* Per-CPU counters, indexed by enum fz_stat_attr; no lock per packet. */
struct fz_counters {
	u64 v[__FZ_STAT_A_MAX];
};

struct fz_crypt_worker {
	struct work_struct work;
	struct fz_device *fz;
};

/* Packets wait here for any CPU to encrypt or decrypt them. */
struct fz_crypt_queue {
	struct ptr_ring ring;
	struct fz_crypt_worker __percpu *worker;
	int last_cpu;
};

struct fz_device {
	struct net_device *dev;
	/* Serializes configuration changes and dumps; never taken per packet. */
	struct mutex lock;
	/* Set under lock when the link goes: requests still holding it stop. */
	bool dead;
	struct list_head peer_list;
	DECLARE_HASHTABLE(peer_hash, FZ_PEER_HASH_BITS);
	unsigned int num_peers;
	struct fz_aip_table aips;
	/* Receiver index -> keypair, read under RCU on every data packet. */
	DECLARE_HASHTABLE(index_hash, FZ_INDEX_HASH_BITS);
	spinlock_t index_lock; /* writers of index_hash; readers use RCU */
	/* Bumped on every change so an interrupted dump can be detected. */
	u32 generation;
	u8 public_key[FZ_KEY_LEN];
	bool has_public_key;
	struct fz_cookie_checker cookie_checker;
	struct fz_ratelimiter *ratelimiter;
	u16 listen_port;
	u32 fwmark;
	struct net *creating_net;
	struct sock __rcu *sock4;
	struct sock __rcu *sock6;
	struct fz_crypt_queue encrypt_queue, decrypt_queue;
	struct sk_buff_head handshake_queue;
	struct work_struct handshake_work;
	atomic_t staged; /* packets of all peers waiting for a keypair */
	/*
	 * Our recent initiations and responses, by sender index: a cookie
	 * reply reaches the agent only if it names one (see receive.c).
	 * Each slot is (index << 32 | boot-time second + 1), 0 when empty.
	 */
	u64 *sent_handshakes;
	unsigned long under_load_until;
	unsigned int handshakes_this_second;
	unsigned long handshake_second;
	struct fz_counters __percpu *counters;
	struct list_head device_list;
	/* Gateway: mapped IPs of every client, and what denials may cost. */
	struct rhashtable dnsmaps;
	struct net *nat_net; /* conntrack NAT hooks are in, see nat.c */
	struct ratelimit_state deny_icmp_rs;
	struct ratelimit_state deny_event_rs;
	/* Client: packets for destinations no peer routes yet (hold.c). */
	struct fz_hold hold;
};

int fz_device_init(void);
void fz_device_uninit(void);

/* Return the fz device with a reference held, or NULL if not an fz link. */
struct fz_device *fz_device_get_by_index(struct net *net, int ifindex);
struct fz_device *fz_device_get_by_name(struct net *net, const char *ifname);
void fz_device_put(struct fz_device *fz);
bool fz_netdev_is_fz(const struct net_device *dev);

static inline void fz_count(struct fz_device *fz, enum fz_stat_attr what)
{
	this_cpu_inc(fz->counters->v[what]);
}

void fz_device_counters(struct fz_device *fz, u64 out[__FZ_STAT_A_MAX]);

extern struct workqueue_struct *fz_wq;
extern unsigned int fz_time_divisor;

/* WireGuard's timer constants, shortened only by a test-only parameter. */
static inline unsigned long fz_secs(unsigned int seconds)
{
	return (unsigned long)seconds * HZ / fz_time_divisor;
}

static inline u64 fz_secs_ns(unsigned int seconds)
{
	return (u64)seconds * NSEC_PER_SEC / fz_time_divisor;
}

#endif /* _FZ_DEVICE_H */
