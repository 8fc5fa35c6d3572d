/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The WireGuard wire protocol, as fz.ko sees it: message layouts and the
 * protocol's limits. The handshake itself runs in fzagent; the kernel only
 * checks the MACs of handshake messages and moves transport data.
 */
#ifndef _FZ_MESSAGES_H
#define _FZ_MESSAGES_H

#include <linux/types.h>
#include <crypto/chacha20poly1305.h>
#include <crypto/blake2s.h>

enum fz_message_type {
	FZ_MSG_INITIATION = 1,
	FZ_MSG_RESPONSE = 2,
	FZ_MSG_COOKIE = 3,
	FZ_MSG_DATA = 4,
};

enum fz_limits {
	FZ_REKEY_AFTER_MESSAGES = 1ULL << 60,
	FZ_REJECT_AFTER_MESSAGES = U64_MAX - (1ULL << 13) - 1,
	FZ_REKEY_TIMEOUT = 5,
	FZ_REKEY_AFTER_TIME = 120,
	FZ_REJECT_AFTER_TIME = 180,
	FZ_KEEPALIVE_TIMEOUT = 10,
	FZ_GATEWAY_KEEPALIVE_TIMEOUT = 2, /* to its clients: see timers.c */
	FZ_MAX_QUEUED_PACKETS = 1024,
	/*
	 * Staged packets have let go of their sockets, so nothing charges
	 * them: one device holds this many at most, however many peers.
	 */
	FZ_MAX_STAGED_PER_DEVICE = 8192,
	/* Handshake-message-derived limits: see ratelimiter.c, cookie.c. */
	FZ_COOKIE_SECRET_MAX_AGE = 120,
};

enum fz_sizes {
	FZ_COOKIE_LEN = 16,
	FZ_COOKIE_NONCE_LEN = XCHACHA20POLY1305_NONCE_SIZE,
	FZ_AUTHTAG_LEN = CHACHA20POLY1305_AUTHTAG_SIZE,
	FZ_PADDING = 16,
	FZ_COUNTER_WINDOW = 8192, /* bits; RFC 6479 blocks of BITS_PER_LONG */
};

struct fz_msg_header {
	/* type (one byte) then three reserved zero bytes, as a LE word */
	__le32 type;
} __packed;

struct fz_msg_macs {
	u8 mac1[FZ_COOKIE_LEN];
	u8 mac2[FZ_COOKIE_LEN];
} __packed;

struct fz_msg_initiation {
	struct fz_msg_header header;
	__le32 sender_index;
	u8 unencrypted_ephemeral[32];
	u8 encrypted_static[32 + FZ_AUTHTAG_LEN];
	u8 encrypted_timestamp[12 + FZ_AUTHTAG_LEN];
	struct fz_msg_macs macs;
} __packed;

struct fz_msg_response {
	struct fz_msg_header header;
	__le32 sender_index;
	__le32 receiver_index;
	u8 unencrypted_ephemeral[32];
	u8 encrypted_nothing[FZ_AUTHTAG_LEN];
	struct fz_msg_macs macs;
} __packed;

struct fz_msg_cookie {
	struct fz_msg_header header;
	__le32 receiver_index;
	u8 nonce[FZ_COOKIE_NONCE_LEN];
	u8 encrypted_cookie[FZ_COOKIE_LEN + FZ_AUTHTAG_LEN];
} __packed;

struct fz_msg_data {
	struct fz_msg_header header;
	__le32 key_idx;
	__le64 counter;
	u8 encrypted_data[];
} __packed;

#define FZ_DATA_OVERHEAD (sizeof(struct fz_msg_data) + FZ_AUTHTAG_LEN)
#define FZ_DATA_MIN_LEN (sizeof(struct fz_msg_data) + FZ_AUTHTAG_LEN)

static inline u8 fz_msg_type(const void *data)
{
	return *(const u8 *)data;
}

#endif /* _FZ_MESSAGES_H */
