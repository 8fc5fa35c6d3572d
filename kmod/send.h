/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FZ_SEND_H
#define _FZ_SEND_H

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/udp.h>

#include "messages.h"

struct fz_peer;

/* Room in front of the inner packet for our header and the outer ones. */
#define FZ_DATA_HEADROOM                                                  \
	ALIGN(sizeof(struct fz_msg_data) + sizeof(struct ipv6hdr) +       \
		      sizeof(struct udphdr) + NET_SKB_PAD,                \
	      4)

netdev_tx_t fz_xmit(struct sk_buff *skb, struct net_device *dev);
void fz_send_encrypted(struct fz_peer *peer, struct sk_buff *skb);
void fz_send_staged(struct fz_peer *peer);
void fz_staged_purge(struct fz_peer *peer);
void fz_send_keepalive(struct fz_peer *peer);
/* One packet the kernel made itself (a control packet); any context. */
void fz_send_one(struct fz_peer *peer, struct sk_buff *skb);
void fz_handshake_needed(struct fz_peer *peer, u32 reason);

#endif /* _FZ_SEND_H */
