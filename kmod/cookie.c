// SPDX-License-Identifier: GPL-2.0
/*
 * mac1/mac2 checks and cookie replies: with the rate limiter
 * (ratelimiter.c), what keeps handshake floods in the kernel, away from
 * fzagent.
 */
#include <crypto/algapi.h>
#include <crypto/blake2s.h>
#include <crypto/chacha20poly1305.h>
#include <linux/jiffies.h>
#include <linux/random.h>
#include <linux/slab.h>

#include "cookie.h"
#include "messages.h"
#include "peer.h"

static const u8 fz_label_mac1[8] = "mac1----";
static const u8 fz_label_cookie[8] = "cookie--";

static void fz_labelled_hash(u8 out[FZ_KEY_LEN], const u8 label[8],
			     const u8 *public_key)
{
	struct blake2s_state state;

	blake2s_init(&state, FZ_KEY_LEN);
	blake2s_update(&state, label, 8);
	blake2s_update(&state, public_key, FZ_KEY_LEN);
	blake2s_final(&state, out);
}

void fz_cookie_checker_init(struct fz_cookie_checker *c)
{
	memset(c, 0, sizeof(*c));
	spin_lock_init(&c->lock);
}

void fz_cookie_checker_set_key(struct fz_cookie_checker *c,
			       const u8 *public_key)
{
	spin_lock_bh(&c->lock);
	c->ready = !!public_key;
	if (public_key) {
		fz_labelled_hash(c->mac1_key, fz_label_mac1, public_key);
		fz_labelled_hash(c->cookie_key, fz_label_cookie, public_key);
	}
	spin_unlock_bh(&c->lock);
}

bool fz_cookie_mac1_valid(struct fz_cookie_checker *c, const u8 *msg,
			  size_t len)
{
	const size_t at = len - sizeof(struct fz_msg_macs);
	u8 mac[FZ_COOKIE_LEN];
	bool ok = false;

	spin_lock_bh(&c->lock);
	if (c->ready) {
		blake2s(mac, msg, c->mac1_key, FZ_COOKIE_LEN, at, FZ_KEY_LEN);
		ok = !crypto_memneq(mac, msg + at, FZ_COOKIE_LEN);
	}
	spin_unlock_bh(&c->lock);
	return ok;
}

/* Caller holds c->lock. The cookie binds the source address and port. */
static void fz_cookie_for(struct fz_cookie_checker *c,
			  u8 cookie[FZ_COOKIE_LEN],
			  const union fz_endpoint *src)
{
	struct blake2s_state state;

	if (time_is_before_jiffies(c->secret_birth +
				   FZ_COOKIE_SECRET_MAX_AGE * HZ) ||
	    !c->secret_birth) {
		get_random_bytes(c->secret, sizeof(c->secret));
		c->secret_birth = jiffies | 1;
	}
	blake2s_init_key(&state, FZ_COOKIE_LEN, c->secret, FZ_KEY_LEN);
	if (src->addr.sa_family == AF_INET) {
		blake2s_update(&state, (u8 *)&src->addr4.sin_addr, 4);
		blake2s_update(&state, (u8 *)&src->addr4.sin_port, 2);
	} else {
		blake2s_update(&state, src->addr6.sin6_addr.s6_addr, 16);
		blake2s_update(&state, (u8 *)&src->addr6.sin6_port, 2);
	}
	blake2s_final(&state, cookie);
}

bool fz_cookie_mac2_valid(struct fz_cookie_checker *c, const u8 *msg,
			  size_t len, const union fz_endpoint *src)
{
	const size_t at = len - FZ_COOKIE_LEN;
	u8 cookie[FZ_COOKIE_LEN], mac[FZ_COOKIE_LEN];

	spin_lock_bh(&c->lock);
	fz_cookie_for(c, cookie, src);
	spin_unlock_bh(&c->lock);
	blake2s(mac, msg, cookie, FZ_COOKIE_LEN, at, FZ_COOKIE_LEN);
	memzero_explicit(cookie, sizeof(cookie));
	return !crypto_memneq(mac, msg + at, FZ_COOKIE_LEN);
}

void fz_cookie_make_reply(struct fz_cookie_checker *c,
			  struct fz_msg_cookie *reply, const u8 *msg,
			  size_t len, const union fz_endpoint *src)
{
	const u8 *mac1 = msg + len - sizeof(struct fz_msg_macs);
	u8 cookie[FZ_COOKIE_LEN];

	reply->header.type = cpu_to_le32(FZ_MSG_COOKIE);
	/* Both initiation and response carry their sender index first. */
	memcpy(&reply->receiver_index, msg + sizeof(struct fz_msg_header), 4);
	get_random_bytes(reply->nonce, sizeof(reply->nonce));
	spin_lock_bh(&c->lock);
	fz_cookie_for(c, cookie, src);
	xchacha20poly1305_encrypt(reply->encrypted_cookie, cookie,
				  FZ_COOKIE_LEN, mac1, FZ_COOKIE_LEN,
				  reply->nonce, c->cookie_key);
	spin_unlock_bh(&c->lock);
	memzero_explicit(cookie, sizeof(cookie));
}
