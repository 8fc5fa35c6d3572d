/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-peer handshake state machine of the agent: when to initiate,
 * retry and give up, how to answer initiations, responses and cookie
 * replies, and which session keys to install in which slot.
 *
 * fz.ko does everything per packet; this does everything per connection.
 * It talks to the kernel only through struct wg_hs_ops, so that the
 * daemon can plug in netlink and libuv, and the tests a recording double
 * and a clock they control. Nothing here blocks or is thread-safe: the
 * agent's event loop owns it.
 *
 * Secrets (our static private key, every peer's handshake state) live in
 * sodium_malloc() memory and are wiped when replaced or freed.
 */
#ifndef FZ_AGENT_HANDSHAKE_H
#define FZ_AGENT_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <linux/fz.h>

#include "noise.h"

#define WG_HS_NSEC 1000000000ULL
/* WireGuard's handshake timers, before any test-only divisor. */
#define WG_HS_REKEY_TIMEOUT_NS (5 * WG_HS_NSEC)
#define WG_HS_REKEY_ATTEMPT_NS (90 * WG_HS_NSEC)
#define WG_HS_JITTER_MAX_NS (333 * 1000000ULL)
/* Local indices each peer remembers having installed (see pick_index). */
#define WG_HS_RECENT_INDICES 4
/* Short peer id in logs: the first characters of the base64 key. */
#define WG_HS_ID_LEN 8

struct wg_hs;
struct wg_hs_peer;

/*
 * The kernel and the event loop, as the state machine sees them. Keys are
 * peers' static public keys. Functions returning int return 0 or a
 * negative errno, with the meaning fz.ko gives it (-EEXIST: local index in
 * use, -EDESTADDRREQ: the peer has no endpoint, -ENOENT: no such peer).
 */
struct wg_hs_ops {
	/* FZ_CMD_SEND_HANDSHAKE to ep if not NULL (which then becomes the
	 * peer's endpoint), else to the peer's current endpoint. */
	int (*send)(void *ctx, const uint8_t key[FZ_KEY_LEN],
		    const struct sockaddr_storage *ep, const uint8_t *msg,
		    size_t len);
	/* FZ_CMD_SET_KEYPAIR; keys->initiator gives FZ_KEYPAIR_F_INITIATOR. */
	int (*set_keypair)(void *ctx, const uint8_t key[FZ_KEY_LEN],
			   uint8_t slot, const struct wg_noise_keys *keys);
	/* FZ_CMD_SET_PEER with only the endpoint (and UPDATE_ONLY). */
	int (*set_endpoint)(void *ctx, const uint8_t key[FZ_KEY_LEN],
			    const struct sockaddr_storage *ep);
	/* The local index of the peer's current keypair; -ENOENT if none.
	 * May be NULL: then a responder never ends its own retries early. */
	int (*current_index)(void *ctx, const uint8_t key[FZ_KEY_LEN],
			     uint32_t *index);
	/* One-shot retry timer per peer; arming again replaces it. */
	void (*timer_arm)(void *ctx, struct wg_hs_peer *peer,
			  uint64_t delay_ns);
	void (*timer_stop)(void *ctx, struct wg_hs_peer *peer);
	/* The peer is about to be freed: release what timer_arm made. */
	void (*peer_gone)(void *ctx, struct wg_hs_peer *peer);
	/* A monotonic clock, in nanoseconds. */
	uint64_t (*now_ns)(void *ctx);
	/* One log line, without interface or newline. */
	void (*log)(void *ctx, const char *line);
	/* Optional (NULL: libsodium): a random u32, for local indices. */
	uint32_t (*random_u32)(void *ctx);
};

/* Handshake timers; a test-only divisor shortens them (see fz.ko). */
struct wg_hs_timers {
	uint64_t rekey_timeout_ns;
	uint64_t rekey_attempt_ns;
	uint64_t jitter_max_ns;
};

/* Reasons to initiate, for the log. */
enum wg_hs_reason {
	WG_HS_REASON_QUEUED_DATA,
	WG_HS_REASON_REKEY_TIME,
	WG_HS_REASON_REKEY_MESSAGES,
	WG_HS_REASON_PEER_QUIET,
	WG_HS_REASON_KEEPALIVE, /* startup: persistent keepalive */
	WG_HS_REASON_NEW_IDENTITY, /* our private key changed */
};

struct wg_hs_peer {
	struct wg_noise_peer noise; /* remote_static is the peer's key */
	char id[WG_HS_ID_LEN + 1];
	/* The current attempt: 0 when not trying. */
	uint64_t attempt_start_ns;
	uint64_t last_initiation_ns; /* when the latest one was sent */
	unsigned int attempts;
	/* We answered the peer's initiation during this attempt. */
	bool responded;
	uint32_t responder_index;
	/* Sender index of the last message we sent: cookie replies name it. */
	uint32_t last_sent_index;
	uint32_t recent[WG_HS_RECENT_INDICES];
	unsigned int recent_pos;
	bool warned_no_endpoint;
	void *timer; /* the owner's, for timer_arm() */
	/* The peer table's: its bucket chain and its place in the array. */
	struct wg_hs_peer *hash_next;
	size_t slot;
};

void wg_hs_default_timers(struct wg_hs_timers *t, unsigned int divisor);

struct wg_hs *wg_hs_new(const struct wg_hs_ops *ops, void *ctx,
			const struct wg_hs_timers *timers);
/* Wipes every secret; calls peer_gone for each peer. */
void wg_hs_free(struct wg_hs *hs);

/*
 * Our static identity. Changing it keeps the peers (and their replay
 * protection) and recomputes what depends on it; a handshake in flight
 * is dropped. -EINVAL: an unusable key; -EEXIST: a peer has its public
 * key.
 */
int wg_hs_set_private_key(struct wg_hs *hs,
			  const uint8_t private_key[FZ_KEY_LEN]);
bool wg_hs_has_identity(const struct wg_hs *hs);
const uint8_t *wg_hs_public_key(const struct wg_hs *hs);

/*
 * Adds a peer, or finds it if it exists; psk NULL or all zero: none.
 * Needs an identity (-ENOKEY); -EINVAL for our own or an unusable key.
 */
int wg_hs_add_peer(struct wg_hs *hs, const uint8_t key[FZ_KEY_LEN],
		   const uint8_t *psk, struct wg_hs_peer **out);
void wg_hs_set_psk(struct wg_hs_peer *peer, const uint8_t *psk);
void wg_hs_remove_peer(struct wg_hs *hs, const uint8_t key[FZ_KEY_LEN]);
struct wg_hs_peer *wg_hs_find(struct wg_hs *hs, const uint8_t key[FZ_KEY_LEN]);
size_t wg_hs_n_peers(const struct wg_hs *hs);
struct wg_hs_peer *wg_hs_peer_at(struct wg_hs *hs, size_t i);
const uint8_t *wg_hs_peer_key(const struct wg_hs_peer *peer);
bool wg_hs_peer_trying(const struct wg_hs_peer *peer);

/* Local indices the kernel holds (from a dump): never picked. */
int wg_hs_reserve_indices(struct wg_hs *hs, const uint32_t *indices, size_t n);

/*
 * Events. wg_hs_initiate() starts (or continues) an attempt unless an
 * initiation is in flight and younger than REKEY_TIMEOUT.
 * wg_hs_receive() takes a handshake message fz.ko passed up (mac1
 * already checked) and its source address.
 */
void wg_hs_initiate(struct wg_hs *hs, struct wg_hs_peer *peer,
		    enum wg_hs_reason reason);
void wg_hs_receive(struct wg_hs *hs, const uint8_t *msg, size_t len,
		   const struct sockaddr_storage *src);
void wg_hs_timer_expired(struct wg_hs *hs, struct wg_hs_peer *peer);

#endif /* FZ_AGENT_HANDSHAKE_H */
