/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The wg wing (agent/wg/): WireGuard's handshake, the Noise_IKpsk2
 * computations (this file), the per-peer handshake state machine
 * (handshake.h) and TAI64N timestamps. No I/O: the caller moves the
 * packets and installs the keys. It may use lib.
 *
 * WireGuard's handshake, Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s, exactly as
 * the WireGuard paper and wireguard.com/protocol specify it, so that an fz
 * peer and any WireGuard peer can shake hands.
 *
 * fz.ko encrypts transport data; fzagent runs every handshake and installs
 * the resulting session keys in the kernel, as an IKE daemon installs SAs.
 * The static private key never leaves this process.
 *
 * Split of duties with the kernel: fz.ko checks mac1 (and mac2 under load)
 * of incoming handshake messages and sends cookie replies itself, so the
 * consume functions here do not check mac1. wg_noise_mac1_valid() exists
 * for tests and for userspace-only use.
 *
 * Messages are built and parsed as byte arrays with their WireGuard
 * layout, integers little-endian. Nothing here is thread-safe: one thread
 * (the agent's event loop) owns the local and peer structs.
 *
 * Errors are negative errno values:
 *   -EINVAL   wrong length or type, or an unusable key
 *   -EBADMSG  authentication failed (AEAD tag, or a DH with a low-order
 *             point)
 *   -ENOENT   initiation from a static key the lookup does not know, or a
 *             response for another handshake (receiver index)
 *   -EALREADY replayed initiation (timestamp not newer than the last one)
 *   -EBUSY    initiation flood (less than 1/50 s after the last one)
 *   -EPROTO   message or call not expected in the handshake's state
 * A failed call leaves the peer's handshake state as it was.
 */
#ifndef FZ_AGENT_NOISE_H
#define FZ_AGENT_NOISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tai64n.h"

#define WG_NOISE_KEY_LEN 32
#define WG_NOISE_HASH_LEN 32
#define WG_NOISE_AEAD_TAG_LEN 16
#define WG_NOISE_MAC_LEN 16 /* mac1, mac2 */
#define WG_NOISE_COOKIE_LEN 16
#define WG_NOISE_COOKIE_NONCE_LEN 24

#define WG_NOISE_INITIATION_LEN 148
#define WG_NOISE_RESPONSE_LEN 92
#define WG_NOISE_COOKIE_REPLY_LEN 64
#define WG_NOISE_TRANSPORT_HEADER_LEN 16 /* type, receiver, counter */

/* Every message starts with this as a little-endian u32. */
enum wg_noise_msg_type {
	WG_NOISE_MSG_INITIATION = 1,
	WG_NOISE_MSG_RESPONSE = 2,
	WG_NOISE_MSG_COOKIE_REPLY = 3,
	WG_NOISE_MSG_TRANSPORT = 4,
};

/* Protocol constants, from WireGuard's messages.h. */
#define WG_NOISE_COOKIE_MAX_AGE_NS (120ULL * 1000000000ULL)
#define WG_NOISE_INITIATIONS_PER_SECOND 50

enum wg_noise_state {
	WG_NOISE_STATE_ZEROED,
	WG_NOISE_STATE_CREATED_INITIATION,
	WG_NOISE_STATE_CONSUMED_INITIATION,
	WG_NOISE_STATE_CREATED_RESPONSE,
	WG_NOISE_STATE_CONSUMED_RESPONSE,
};

/* Our own identity: one per device. */
struct wg_noise_local {
	uint8_t private_key[WG_NOISE_KEY_LEN];
	uint8_t public_key[WG_NOISE_KEY_LEN];
	/* HASH(LABEL_MAC1 || public_key): mac1 of messages sent to us. */
	uint8_t mac1_key[WG_NOISE_HASH_LEN];
	/* HASH(LABEL_COOKIE || public_key): cookie replies we send. */
	uint8_t cookie_key[WG_NOISE_HASH_LEN];
};

/* The cookie a peer's responder gave us, and what it answers. */
struct wg_noise_cookie {
	uint8_t value[WG_NOISE_COOKIE_LEN];
	uint64_t birth_ns; /* monotonic clock */
	bool valid;
	/* A cookie reply's AAD is the mac1 of the message it answers. */
	uint8_t last_mac1_sent[WG_NOISE_MAC_LEN];
	bool have_sent_mac1;
};

struct wg_noise_peer {
	uint8_t remote_static[WG_NOISE_KEY_LEN];
	uint8_t preshared_key[WG_NOISE_KEY_LEN]; /* zeros: none */
	/* DH(our static, theirs), at the first handshake (noise.c). */
	uint8_t static_static[WG_NOISE_KEY_LEN];
	bool have_static_static;
	/* HASH(LABEL_MAC1 || remote_static): mac1 of messages we send. */
	uint8_t mac1_key[WG_NOISE_HASH_LEN];
	/* HASH(LABEL_COOKIE || remote_static): their cookie replies. */
	uint8_t cookie_key[WG_NOISE_HASH_LEN];

	/* The handshake in progress, wiped by wg_noise_derive_keys(). */
	enum wg_noise_state state;
	uint8_t hash[WG_NOISE_HASH_LEN];
	uint8_t chaining_key[WG_NOISE_HASH_LEN];
	uint8_t ephemeral_private[WG_NOISE_KEY_LEN];
	uint8_t remote_ephemeral[WG_NOISE_KEY_LEN];
	uint32_t local_index;
	uint32_t remote_index;

	/* Kept across handshakes: replay and flood protection. */
	uint8_t latest_timestamp[WG_TAI64N_LEN];
	uint64_t last_initiation_ns; /* monotonic clock, 0: none yet */

	struct wg_noise_cookie cookie;
};

/* What the kernel needs for one session (FZ_CMD_SET_KEYPAIR). */
struct wg_noise_keys {
	uint8_t send_key[WG_NOISE_KEY_LEN];
	uint8_t recv_key[WG_NOISE_KEY_LEN];
	uint32_t local_index; /* the receiver index the peer sends to us */
	uint32_t remote_index; /* the receiver index we send to the peer */
	bool initiator;
};

/* Finds the peer whose static public key an initiation carries. */
typedef struct wg_noise_peer *(*wg_noise_lookup_fn)(
	void *ctx, const uint8_t static_public[WG_NOISE_KEY_LEN]);

/*
 * Time, replaceable for tests. monotonic_ns ages cookies and spaces
 * initiations (default CLOCK_BOOTTIME, which keeps counting in suspend);
 * unix_ns stamps initiations (default CLOCK_REALTIME). NULL restores the
 * defaults.
 */
struct wg_noise_clock {
	uint64_t (*monotonic_ns)(void);
	uint64_t (*unix_ns)(void);
};

void wg_noise_set_clock(const struct wg_noise_clock *clock);

int wg_noise_local_init(struct wg_noise_local *local,
			const uint8_t private_key[WG_NOISE_KEY_LEN]);
void wg_noise_local_wipe(struct wg_noise_local *local);

int wg_noise_peer_init(const struct wg_noise_local *local,
		       struct wg_noise_peer *peer,
		       const uint8_t public_key[WG_NOISE_KEY_LEN],
		       const uint8_t preshared_key[WG_NOISE_KEY_LEN]);
void wg_noise_peer_wipe(struct wg_noise_peer *peer);

/*
 * Starts a handshake with peer, replacing any in progress; out gets mac1,
 * and mac2 if a cookie younger than 120 s is held.
 */
int wg_noise_create_initiation(const struct wg_noise_local *local,
			       struct wg_noise_peer *peer,
			       uint32_t sender_index,
			       uint8_t out[WG_NOISE_INITIATION_LEN]);
/*
 * lookup maps the initiator's decrypted static key to its peer (NULL:
 * -ENOENT). *out_peer is that peer on success, NULL on any error.
 */
int wg_noise_consume_initiation(const struct wg_noise_local *local,
				const uint8_t *msg, size_t len,
				wg_noise_lookup_fn lookup, void *ctx,
				struct wg_noise_peer **out_peer);
int wg_noise_create_response(const struct wg_noise_local *local,
			     struct wg_noise_peer *peer, uint32_t sender_index,
			     uint8_t out[WG_NOISE_RESPONSE_LEN]);
/*
 * The caller finds peer by the message's receiver index; it must be the
 * index of peer's initiation in progress (-ENOENT if not).
 */
int wg_noise_consume_response(const struct wg_noise_local *local,
			      struct wg_noise_peer *peer, const uint8_t *msg,
			      size_t len);
/*
 * After a created (responder) or consumed (initiator) response. The
 * handshake state is wiped: each handshake yields one keypair.
 */
int wg_noise_derive_keys(struct wg_noise_peer *peer, struct wg_noise_keys *out);
/*
 * The caller finds peer by the receiver index, which is the sender index
 * of our last initiation or response to it: the reply answers that one.
 */
int wg_noise_consume_cookie_reply(struct wg_noise_peer *peer,
				  const uint8_t *msg, size_t len);

/* mac1 of an initiation or response sent to local, in constant time. */
bool wg_noise_mac1_valid(const struct wg_noise_local *local, const uint8_t *msg,
			 size_t len);

/* Primitives, exposed for their tests. */
void wg_noise_hmac(uint8_t out[WG_NOISE_HASH_LEN], const uint8_t *key,
		   size_t key_len, const uint8_t *in, size_t in_len);

#endif /* FZ_AGENT_NOISE_H */
