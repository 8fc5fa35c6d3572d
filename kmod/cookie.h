/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FZ_COOKIE_H
#define _FZ_COOKIE_H

#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/fz.h>

union fz_endpoint;
struct fz_msg_cookie;

/*
 * The responder half of WireGuard's DoS defences, all keyed by the device's
 * public key: mac1 proves the sender knows it, mac2 proves the sender can
 * receive at its source address (it holds a cookie we sent there).
 */
struct fz_cookie_checker {
	spinlock_t lock; /* keys and secret: handshake path only, not data */
	bool ready;
	u8 mac1_key[FZ_KEY_LEN];
	u8 cookie_key[FZ_KEY_LEN];
	u8 secret[FZ_KEY_LEN];
	unsigned long secret_birth; /* jiffies */
};

void fz_cookie_checker_init(struct fz_cookie_checker *c);
void fz_cookie_checker_set_key(struct fz_cookie_checker *c,
			       const u8 *public_key);
/* msg is a whole initiation or response, macs at its end. */
bool fz_cookie_mac1_valid(struct fz_cookie_checker *c, const u8 *msg,
			  size_t len);
bool fz_cookie_mac2_valid(struct fz_cookie_checker *c, const u8 *msg,
			  size_t len, const union fz_endpoint *src);
void fz_cookie_make_reply(struct fz_cookie_checker *c,
			  struct fz_msg_cookie *reply, const u8 *msg,
			  size_t len, const union fz_endpoint *src);

#endif /* _FZ_COOKIE_H */
