// SPDX-License-Identifier: GPL-2.0
/*
 * The crypt queues and their workers. See queueing.h for the scheme.
 */
#include <linux/cpumask.h>
#include <linux/scatterlist.h>
#include <net/ip_tunnels.h>

#include "keypair.h"
#include "messages.h"
#include "peer.h"
#include "queueing.h"
#include "send.h"

#define FZ_MAX_ORDERED 4096

int fz_crypt_queue_init(struct fz_crypt_queue *q, struct fz_device *fz,
			work_func_t fn)
{
	int cpu, ret;

	ret = ptr_ring_init(&q->ring, FZ_CRYPT_RING_SIZE, GFP_KERNEL_ACCOUNT);
	if (ret)
		return ret;
	q->worker = alloc_percpu_gfp(struct fz_crypt_worker, GFP_KERNEL_ACCOUNT);
	if (!q->worker) {
		ptr_ring_cleanup(&q->ring, NULL);
		return -ENOMEM;
	}
	for_each_possible_cpu(cpu) {
		per_cpu_ptr(q->worker, cpu)->fz = fz;
		INIT_WORK(&per_cpu_ptr(q->worker, cpu)->work, fn);
	}
	q->last_cpu = -1;
	return 0;
}

void fz_crypt_queue_free(struct fz_crypt_queue *q)
{
	WARN_ON(!__ptr_ring_empty(&q->ring));
	free_percpu(q->worker);
	ptr_ring_cleanup(&q->ring, NULL);
}

static void fz_crypt_queue_flush(struct fz_crypt_queue *q)
{
	int cpu;

	for_each_possible_cpu(cpu)
		flush_work(&per_cpu_ptr(q->worker, cpu)->work);
}

/*
 * Every packet queued before this call has been encrypted or decrypted,
 * and no worker still holds one. Flushing each CPU's worker in turn is
 * not enough for that: a worker flushed early may be woken again by
 * another peer's packet and take one of ours off the shared ring while a
 * later worker is flushed. Workers handle each packet inside an RCU
 * read-side section (the decrypt worker with bottom halves off), so a
 * grace period after the flushes waits for any such straggler.
 */
void fz_crypt_flush(struct fz_device *fz)
{
	fz_crypt_queue_flush(&fz->encrypt_queue);
	fz_crypt_queue_flush(&fz->decrypt_queue);
	synchronize_net();
}

/* Round robin over online CPUs; a racy update only skews the spread. */
static int fz_next_cpu(struct fz_crypt_queue *q)
{
	int cpu = cpumask_next(READ_ONCE(q->last_cpu), cpu_online_mask);

	if (cpu >= nr_cpu_ids)
		cpu = cpumask_first(cpu_online_mask);
	WRITE_ONCE(q->last_cpu, cpu);
	return cpu;
}

/* False when the packet was not queued; the caller still owns it. */
static bool fz_queue_crypt(struct fz_crypt_queue *q,
			   struct sk_buff_head *ordered, struct sk_buff *skb,
			   bool *kick)
{
	int cpu;

	atomic_set(&FZ_CB(skb)->state, FZ_PACKET_PENDING);
	if (unlikely(skb_queue_len(ordered) >= FZ_MAX_ORDERED))
		return false;
	skb_queue_tail(ordered, skb);
	if (unlikely(ptr_ring_produce_bh(&q->ring, skb))) {
		/* Still on the ordered queue: its consumer drops it. */
		atomic_set_release(&FZ_CB(skb)->state, FZ_PACKET_DEAD);
		*kick = true;
		return true;
	}
	cpu = fz_next_cpu(q);
	queue_work_on(cpu, fz_wq, &per_cpu_ptr(q->worker, cpu)->work);
	return true;
}

bool fz_queue_encrypt(struct fz_peer *peer, struct sk_buff *skb)
{
	bool kick = false, queued;

	queued = fz_queue_crypt(&peer->fz->encrypt_queue, &peer->tx_queue,
				skb, &kick);
	if (kick)
		queue_work(fz_wq, &peer->tx_work);
	return queued;
}

bool fz_queue_decrypt(struct fz_peer *peer, struct sk_buff *skb)
{
	bool kick = false, queued;

	queued = fz_queue_crypt(&peer->fz->decrypt_queue, &peer->rx_queue,
				skb, &kick);
	if (kick)
		napi_schedule(&peer->napi);
	return queued;
}

struct sk_buff *fz_ordered_dequeue(struct sk_buff_head *ordered)
{
	struct sk_buff *skb;

	spin_lock_bh(&ordered->lock);
	skb = skb_peek(ordered);
	if (skb && atomic_read_acquire(&FZ_CB(skb)->state) != FZ_PACKET_PENDING)
		__skb_unlink(skb, ordered);
	else
		skb = NULL;
	spin_unlock_bh(&ordered->lock);
	return skb;
}

void fz_queue_purge(struct sk_buff_head *ordered)
{
	struct sk_buff *skb;

	while ((skb = skb_dequeue(ordered))) {
		fz_keypair_put(FZ_CB(skb)->keypair);
		kfree_skb(skb);
	}
}

/* Pads to 16 bytes, but never past the MTU (WireGuard's rule). */
static unsigned int fz_padding(unsigned int len, unsigned int mtu)
{
	unsigned int padded = ALIGN(len, FZ_PADDING);

	if (len <= mtu && padded > mtu)
		padded = mtu;
	return padded - len;
}

static bool fz_encrypt_skb(struct sk_buff *skb, struct fz_keypair *kp,
			   unsigned int mtu)
{
	struct scatterlist sg[MAX_SKB_FRAGS + 8];
	unsigned int pad = fz_padding(skb->len, mtu);
	unsigned int plain_len = skb->len + pad;
	struct fz_msg_data *hdr;
	struct sk_buff *trailer;
	int frags;

	if (unlikely(skb->ip_summed == CHECKSUM_PARTIAL &&
		     skb_checksum_help(skb)))
		return false;
	/*
	 * Headroom first: reallocating the head copies only up to the tail,
	 * so padding zeroed before it would be lost, and whatever the new
	 * buffer held there would be encrypted to the peer. skb_cow_data()
	 * keeps the headroom it finds.
	 */
	if (unlikely(skb_cow_head(skb, FZ_DATA_HEADROOM)))
		return false;
	frags = skb_cow_data(skb, pad + FZ_AUTHTAG_LEN, &trailer);
	if (unlikely(frags < 0 || frags > ARRAY_SIZE(sg)))
		return false;
	memset(skb_tail_pointer(trailer), 0, pad);
	hdr = skb_push(skb, sizeof(*hdr));
	hdr->header.type = cpu_to_le32(FZ_MSG_DATA);
	hdr->key_idx = kp->remote_index;
	hdr->counter = cpu_to_le64(FZ_CB(skb)->nonce);
	pskb_put(skb, trailer, pad + FZ_AUTHTAG_LEN);
	sg_init_table(sg, frags);
	if (skb_to_sgvec(skb, sg, sizeof(*hdr), plain_len + FZ_AUTHTAG_LEN) <= 0)
		return false;
	return chacha20poly1305_encrypt_sg_inplace(sg, plain_len, NULL, 0,
						   FZ_CB(skb)->nonce,
						   kp->send_key);
}

void fz_encrypt_worker(struct work_struct *work)
{
	struct fz_crypt_worker *w = container_of(work, struct fz_crypt_worker,
						 work);
	struct fz_device *fz = w->fz;
	struct sk_buff *skb;

	for (;;) {
		struct fz_peer *peer;
		bool ok;

		/* From taking the packet to handing it on: see fz_crypt_flush. */
		rcu_read_lock();
		skb = ptr_ring_consume_bh(&fz->encrypt_queue.ring);
		if (!skb) {
			rcu_read_unlock();
			break;
		}
		peer = FZ_CB(skb)->keypair->peer;
		ok = fz_encrypt_skb(skb, FZ_CB(skb)->keypair,
				    READ_ONCE(fz->dev->mtu));
		atomic_set_release(&FZ_CB(skb)->state,
				   ok ? FZ_PACKET_DONE : FZ_PACKET_DEAD);
		queue_work(fz_wq, &peer->tx_work);
		rcu_read_unlock();
		cond_resched();
	}
}

static bool fz_decrypt_skb(struct sk_buff *skb, struct fz_keypair *kp)
{
	struct scatterlist sg[MAX_SKB_FRAGS + 8];
	const unsigned int offset = sizeof(struct fz_msg_data);
	unsigned int len = skb->len - offset;
	struct sk_buff *trailer;
	int frags;

	if (unlikely(!fz_keypair_recv_usable(kp,
					     ktime_get_coarse_boottime_ns())))
		return false;
	frags = skb_cow_data(skb, 0, &trailer);
	if (unlikely(frags < 0 || frags > ARRAY_SIZE(sg)))
		return false;
	sg_init_table(sg, frags);
	if (skb_to_sgvec(skb, sg, offset, len) <= 0)
		return false;
	if (!chacha20poly1305_decrypt_sg_inplace(sg, len, NULL, 0,
						 FZ_CB(skb)->nonce,
						 kp->recv_key))
		return false;
	/* Leave only the plaintext: header and tag go. */
	return !pskb_trim(skb, skb->len - FZ_AUTHTAG_LEN) &&
	       pskb_may_pull(skb, offset) && skb_pull(skb, offset);
}

/*
 * Bottom halves stay off for a batch of packets: the peers' NAPI polls then
 * run once per batch, not once per packet, so GRO has packets to merge.
 */
#define FZ_BH_BATCH 64

void fz_decrypt_worker(struct work_struct *work)
{
	struct fz_crypt_worker *w = container_of(work, struct fz_crypt_worker,
						 work);
	struct fz_device *fz = w->fz;
	struct sk_buff *skb;
	unsigned int n = 0;

	local_bh_disable();
	while ((skb = ptr_ring_consume(&fz->decrypt_queue.ring))) {
		struct fz_peer *peer = FZ_CB(skb)->keypair->peer;
		bool ok = fz_decrypt_skb(skb, FZ_CB(skb)->keypair);

		if (!ok)
			fz_peer_count(peer, FZ_STAT_A_DROP_BAD_AUTH);
		atomic_set_release(&FZ_CB(skb)->state,
				   ok ? FZ_PACKET_DONE : FZ_PACKET_DEAD);
		napi_schedule(&peer->napi);
		if (++n % FZ_BH_BATCH == 0) {
			local_bh_enable();
			cond_resched();
			local_bh_disable();
		}
	}
	local_bh_enable();
}

/* Sends in batches too: what the sends wake up runs once per batch. */
void fz_tx_worker(struct work_struct *work)
{
	struct fz_peer *peer = container_of(work, struct fz_peer, tx_work);
	struct sk_buff *skb;
	unsigned int n = 0;

	local_bh_disable();
	while ((skb = fz_ordered_dequeue(&peer->tx_queue))) {
		struct fz_keypair *kp = FZ_CB(skb)->keypair;

		if (atomic_read(&FZ_CB(skb)->state) == FZ_PACKET_DONE)
			fz_send_encrypted(peer, skb);
		else
			kfree_skb(skb);
		fz_keypair_put(kp);
		if (++n % FZ_BH_BATCH == 0) {
			local_bh_enable();
			cond_resched();
			local_bh_disable();
		}
	}
	local_bh_enable();
}

int fz_rx_poll(struct napi_struct *napi, int budget)
{
	struct fz_peer *peer = container_of(napi, struct fz_peer, napi);
	struct sk_buff *skb;
	int done = 0;

	while (done < budget && (skb = fz_ordered_dequeue(&peer->rx_queue))) {
		struct fz_keypair *kp = FZ_CB(skb)->keypair;

		fz_receive_data_done(peer, skb, atomic_read(&FZ_CB(skb)->state));
		fz_keypair_put(kp);
		done++;
	}
	if (done < budget)
		napi_complete_done(napi, done);
	return done;
}
