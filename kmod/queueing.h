/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parallel crypto with per-peer order: a packet goes on its peer's ordered
 * queue and on the device's crypt ring; any CPU's worker encrypts or
 * decrypts it and marks it done; the peer's sender (tx) or NAPI poll (rx)
 * then takes packets off the ordered queue only from its head, stopping at
 * the first one still in flight.
 */
#ifndef _FZ_QUEUEING_H
#define _FZ_QUEUEING_H

#include <linux/skbuff.h>
#include <linux/workqueue.h>

#include "device.h"

enum fz_packet_state {
	FZ_PACKET_PENDING,
	FZ_PACKET_DONE,
	FZ_PACKET_DEAD,
};

struct fz_skb_cb {
	struct fz_keypair *keypair; /* a reference, dropped when sent/received */
	u64 nonce;
	atomic_t state;
	u8 ds; /* inner DSCP/ECN, for the outer header */
};

#define FZ_CB(skb) ((struct fz_skb_cb *)((skb)->cb))

int fz_crypt_queue_init(struct fz_crypt_queue *q, struct fz_device *fz,
			work_func_t fn);
void fz_crypt_queue_free(struct fz_crypt_queue *q);
void fz_crypt_flush(struct fz_device *fz);

/* False when the packet was not queued; the caller still owns it. */
bool fz_queue_encrypt(struct fz_peer *peer, struct sk_buff *skb);
bool fz_queue_decrypt(struct fz_peer *peer, struct sk_buff *skb);
struct sk_buff *fz_ordered_dequeue(struct sk_buff_head *ordered);
void fz_queue_purge(struct sk_buff_head *ordered);

void fz_encrypt_worker(struct work_struct *work);
void fz_decrypt_worker(struct work_struct *work);
void fz_tx_worker(struct work_struct *work);
int fz_rx_poll(struct napi_struct *napi, int budget);

/* receive.c: a decrypted (or dead) packet, in order, in NAPI context. */
void fz_receive_data_done(struct fz_peer *peer, struct sk_buff *skb,
			  enum fz_packet_state state);

#endif /* _FZ_QUEUEING_H */
