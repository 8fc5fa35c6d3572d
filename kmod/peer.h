/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FZ_PEER_H
#define _FZ_PEER_H

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/fz.h>

struct fz_device;

union fz_endpoint {
	struct sockaddr addr;
	struct sockaddr_in addr4;
	struct sockaddr_in6 addr6;
};

struct fz_allowedip {
	struct list_head list;
	u16 family;
	u8 cidr;
	u8 addr[16];
};

struct fz_peer {
	struct fz_device *fz;
	struct hlist_node hash_node;
	struct list_head list;
	struct list_head allowedips;
	unsigned int num_allowedips;
	u8 public_key[FZ_KEY_LEN];
	union fz_endpoint endpoint;
	u16 persistent_keepalive;
	u64 rx_bytes;
	u64 tx_bytes;
	u64 last_handshake_ns;
	u64 last_rx_ns;
	struct rcu_head rcu;
};

/* All of these run under fz->lock. */
struct fz_peer *fz_peer_lookup(struct fz_device *fz, const u8 *public_key);
struct fz_peer *fz_peer_create(struct fz_device *fz, const u8 *public_key);
void fz_peer_remove(struct fz_peer *peer);
void fz_peer_remove_all(struct fz_device *fz);
int fz_peer_add_allowedip(struct fz_peer *peer, u16 family, const u8 *addr,
			  u8 cidr);
void fz_peer_clear_allowedips(struct fz_peer *peer);

void fz_peer_init(void);

#endif /* _FZ_PEER_H */
