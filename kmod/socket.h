/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FZ_SOCKET_H
#define _FZ_SOCKET_H

#include <linux/skbuff.h>

struct fz_device;
struct fz_peer;
struct fz_peer_endpoint;
union fz_endpoint;

/* Under rtnl and fz->lock. Port 0 picks a free one; sets fz->listen_port. */
int fz_socket_open(struct fz_device *fz, u16 port);
void fz_socket_close(struct fz_device *fz);

/* Consume skb in every case. */
int fz_socket_send_to_peer(struct fz_peer *peer, struct sk_buff *skb, u8 ds);
int fz_socket_send_to_endpoint(struct fz_device *fz,
			       const struct fz_peer_endpoint *ep,
			       struct sk_buff *skb);
int fz_socket_send_buffer(struct fz_device *fz,
			  const struct fz_peer_endpoint *ep, const void *data,
			  size_t len);

/* The outer source of a received packet, and the address it reached. */
int fz_socket_endpoint_from_skb(struct fz_peer_endpoint *ep,
				const struct sk_buff *skb);

/* udp encap_rcv: every packet for the device's port lands here. */
int fz_receive(struct sock *sk, struct sk_buff *skb);

#endif /* _FZ_SOCKET_H */
