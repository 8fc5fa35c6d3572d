/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FZ_CONTROL_H
#define _FZ_CONTROL_H

#include <linux/skbuff.h>
#include <linux/types.h>

struct fz_peer;

/* Firezone's p2p control packets: IPv6 :: -> ::, this next header. */
#define FZ_CONTROL_NEXTHDR 0xff
#define FZ_CONTROL_HEADER_LEN 8

/*
 * Per peer: a client asks for every DNS resource it uses, and may open
 * dozens at once; nothing legitimate keeps up 20 a second.
 */
#define FZ_CONTROL_PER_SEC 20
#define FZ_CONTROL_BURST 50

/*
 * On an authenticated inner packet: true if it was a control packet, which
 * is then consumed (to the agent, or dropped and counted if malformed).
 */
bool fz_control_rx(struct fz_peer *peer, struct sk_buff *skb);

/* Process context: wraps header + JSON in IPv6 and sends it to the peer. */
int fz_control_send(struct fz_peer *peer, const void *data, size_t len);

#endif /* _FZ_CONTROL_H */
