/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FZ_PEER_H
#define _FZ_PEER_H

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <linux/seqlock.h>
#include <linux/skbuff.h>
#include <linux/timer.h>
#include <net/dst_cache.h>
#include <linux/fz.h>

#include "keypair.h"

struct fz_device;
struct fz_policy;

union fz_endpoint {
	struct sockaddr addr;
	struct sockaddr_in addr4;
	struct sockaddr_in6 addr6;
};

/* Where a peer is and which of our addresses it reached: roams freely. */
struct fz_peer_endpoint {
	union fz_endpoint addr;
	union {
		struct in_addr src4;
		struct in6_addr src6;
	};
	int src_ifindex;
};

struct fz_peer_stats {
	u64 rx_bytes;
	u64 tx_bytes;
};

/*
 * Drops of packets from or to a known peer are counted on the peer too,
 * so that a gateway's operator sees which client is refused and why; the
 * dump carries them as FZ_PEER_A_DROPS. These are their counters, in
 * order (peer.c checks the table has this many).
 */
#define FZ_PEER_DROP_SLOTS 14
extern const u8 fz_peer_drop_attrs[FZ_PEER_DROP_SLOTS];

struct fz_peer {
	struct fz_device *fz;
	struct kref refcount;
	struct rcu_head rcu;
	struct hlist_node hash_node;
	struct list_head list;
	struct list_head remove_list;
	struct list_head allowedips; /* struct fz_aip, under fz->lock */
	unsigned int num_allowedips;
	u8 public_key[FZ_KEY_LEN];
	u32 flags;
	/* Gateway side: default deny, resources, mapped IPs (under fz->lock). */
	bool gateway_client;
	struct fz_policy __rcu *policy;
	struct list_head dnsmaps; /* struct fz_dnsmap */
	unsigned int num_dnsmaps;
	/* p2p control packets' token bucket, in ns; only fz_rx_poll uses it. */
	u64 control_tokens;
	u64 control_last_ns;
	/*
	 * Client: jiffies before which its ICMP prohibited raise no event;
	 * 64 bits, so that a deadline long past never looks ahead again.
	 */
	u64 prohibited_quiet_until;

	seqlock_t endpoint_lock;
	struct fz_peer_endpoint endpoint;
	struct dst_cache dst_cache;

	struct fz_peer_keys keys;
	struct sk_buff_head staged; /* waiting for a keypair */
	struct sk_buff_head tx_queue; /* in order, being encrypted */
	struct sk_buff_head rx_queue; /* in order, being decrypted */
	struct work_struct tx_work;
	struct napi_struct napi;

	struct timer_list timer_keepalive; /* passive: answer data */
	struct timer_list timer_quiet; /* sent data, heard nothing */
	struct timer_list timer_persistent;
	struct timer_list timer_zero_keys;
	u16 persistent_keepalive;
	u16 quiet_timeout; /* seconds; 0: WireGuard's */
	unsigned long quiet_deadline; /* jiffies: when timer_quiet ends */
	bool quiet_armed; /* sent data, waiting to hear back (timers.c) */
	unsigned long last_handshake_needed; /* jiffies, rate-limits events */
	u64 last_handshake_ns; /* real time, for the dump */
	u64 last_rx_ns;
	u64 last_tx_jiffies;
	bool dead;

	struct fz_peer_stats __percpu *stats;
	atomic64_t drops[FZ_PEER_DROP_SLOTS]; /* by fz_peer_drop_attrs */
};

/* All of these run under fz->lock. */
struct fz_peer *fz_peer_lookup(struct fz_device *fz, const u8 *public_key);
struct fz_peer *fz_peer_create(struct fz_device *fz, const u8 *public_key);
void fz_peer_remove(struct fz_peer *peer);
void fz_peer_remove_all(struct fz_device *fz);

struct fz_peer *fz_peer_get(struct fz_peer *peer);
void fz_peer_put(struct fz_peer *peer);

void fz_peer_set_endpoint(struct fz_peer *peer, const union fz_endpoint *ep);
void fz_peer_clear_endpoint(struct fz_peer *peer);
void fz_peer_get_endpoint(struct fz_peer *peer, struct fz_peer_endpoint *out);
void fz_peer_stats(struct fz_peer *peer, struct fz_peer_stats *out);
/* Counts a drop on the device, and on the peer if it is one of its. */
void fz_peer_count(struct fz_peer *peer, enum fz_stat_attr what);

void fz_peer_init(void);

#endif /* _FZ_PEER_H */
