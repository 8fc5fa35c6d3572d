/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FZ_DEVICE_H
#define _FZ_DEVICE_H

#include <linux/hashtable.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/percpu.h>
#include <linux/fz.h>

#define FZ_DEFAULT_MTU 1280
#define FZ_PEER_HASH_BITS 11

/* Per-CPU counters, indexed by enum fz_stat_attr; no lock per packet. */
struct fz_counters {
	u64 v[__FZ_STAT_A_MAX];
};

struct fz_device {
	struct net_device *dev;
	/* Serializes configuration changes and dumps; never taken per packet. */
	struct mutex lock;
	struct list_head peer_list;
	DECLARE_HASHTABLE(peer_hash, FZ_PEER_HASH_BITS);
	unsigned int num_peers;
	/* Bumped on every change so an interrupted dump can be detected. */
	u32 generation;
	u8 public_key[FZ_KEY_LEN];
	bool has_public_key;
	u16 listen_port;
	u32 fwmark;
	struct fz_counters __percpu *counters;
};

int fz_device_init(void);
void fz_device_uninit(void);

/* Returns the fz device with a reference held, or NULL if not an fz link. */
struct fz_device *fz_device_get(struct net *net, int ifindex,
				const char *ifname);
void fz_device_put(struct fz_device *fz);

static inline void fz_count(struct fz_device *fz, enum fz_stat_attr what)
{
	this_cpu_inc(fz->counters->v[what]);
}

void fz_device_counters(struct fz_device *fz, u64 out[__FZ_STAT_A_MAX]);

#endif /* _FZ_DEVICE_H */
