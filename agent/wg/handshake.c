// SPDX-License-Identifier: GPL-2.0
/*
 * The agent's handshake state machine; see handshake.h.
 *
 * It follows WireGuard's timers.c for the initiator (retry every
 * REKEY_TIMEOUT plus jitter, give up after REKEY_ATTEMPT_TIME) and its
 * receive.c for the responder, with one difference forced by the split
 * with the kernel: a responder cannot see its "next" keypair confirmed,
 * so when it also had an attempt of its own running, it asks the kernel
 * at the next retry whether that keypair became current.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <sodium.h>

#include "handshake.h"
#include "lib/format.h"
#include "lib/keys.h"
#include "lib/secpool.h"

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr)-offsetof(type, member)))

/* Invalid handshakes are logged at most this often, so floods are quiet. */
#define INVALID_LOG_INTERVAL_NS WG_HS_NSEC
/* Attempts at a free local index before leaving it to the kernel's check. */
#define PICK_INDEX_TRIES 64
/* A responder retries its keypair this often when the index is taken. */
#define RESPONDER_INDEX_TRIES 4

struct wg_hs {
	const struct wg_hs_ops *ops;
	void *ctx;
	struct wg_hs_timers timers;
	struct wg_noise_local *local; /* sodium_malloc(); NULL: none yet */
	struct wg_hs_peer **peers; /* each from peer_pool */
	size_t n_peers, peers_cap;
	/* Locked and guarded, but not four mappings per peer. */
	struct fz_secpool peer_pool;
	/*
	 * Peers by public key, so finding one costs the same with 10,000
	 * peers as with one: a gateway looks one up per handshake and adds
	 * thousands at start. Keyed SipHash, so nobody can pick keys that
	 * collide; at most one peer per bucket on average.
	 */
	struct wg_hs_peer **buckets;
	size_t n_buckets; /* a power of two, or 0 */
	uint8_t hash_key[crypto_shorthash_KEYBYTES];
	uint32_t *reserved; /* local indices of kernel keypairs */
	size_t n_reserved;
	uint64_t last_invalid_log_ns;
	unsigned long invalid_suppressed;
};

static const char *const reason_names[] = {
	[WG_HS_REASON_QUEUED_DATA] = "data queued",
	[WG_HS_REASON_REKEY_TIME] = "keys too old",
	[WG_HS_REASON_REKEY_MESSAGES] = "keys used too often",
	[WG_HS_REASON_PEER_QUIET] = "peer quiet",
	[WG_HS_REASON_KEEPALIVE] = "persistent keepalive",
	[WG_HS_REASON_NEW_IDENTITY] = "new private key",
};

void wg_hs_default_timers(struct wg_hs_timers *t, unsigned int divisor)
{
	if (!divisor)
		divisor = 1;
	t->rekey_timeout_ns = WG_HS_REKEY_TIMEOUT_NS / divisor;
	t->rekey_attempt_ns = WG_HS_REKEY_ATTEMPT_NS / divisor;
	t->jitter_max_ns = WG_HS_JITTER_MAX_NS / divisor;
}

/* --- Logging --- */

static void vlog_line(struct wg_hs *hs, const struct wg_hs_peer *peer,
		      const char *fmt, va_list ap)
{
	char line[320];
	int n = 0;

	if (peer)
		n = snprintf(line, sizeof(line), "peer %s: ", peer->id);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	hs->ops->log(hs->ctx, line);
}

static void hs_log(struct wg_hs *hs, const struct wg_hs_peer *peer,
		   const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void hs_log(struct wg_hs *hs, const struct wg_hs_peer *peer,
		   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog_line(hs, peer, fmt, ap);
	va_end(ap);
}

static const char *invalid_reason(int err, uint8_t type)
{
	switch (err) {
	case -ENOENT:
		return type == WG_NOISE_MSG_INITIATION ?
			       "unknown peer" :
			       "unknown receiver index";
	case -EBADMSG:
		return "authentication failed";
	case -EALREADY:
		return "replayed initiation";
	case -EBUSY:
		return "initiation flood";
	case -EPROTO:
		return "not expected now";
	case -ENOKEY:
		return "no private key";
	default:
		return "malformed";
	}
}

/* Anyone who knows our public key can send these: log sparingly. */
static void log_invalid(struct wg_hs *hs, const struct sockaddr_storage *src,
			int err, uint8_t type)
{
	uint64_t now = hs->ops->now_ns(hs->ctx);
	char ep[FZ_FMT_ENDPOINT_LEN], more[64] = "";

	if (hs->last_invalid_log_ns &&
	    now - hs->last_invalid_log_ns < INVALID_LOG_INTERVAL_NS) {
		hs->invalid_suppressed++;
		return;
	}
	if (hs->invalid_suppressed)
		snprintf(more, sizeof(more), "; %lu more not logged",
			 hs->invalid_suppressed);
	hs->last_invalid_log_ns = now ? now : 1;
	hs->invalid_suppressed = 0;
	hs_log(hs, NULL, "invalid handshake from %s (%s)%s",
	       src ? fz_fmt_endpoint(ep, sizeof(ep), src) : "(unknown)",
	       invalid_reason(err, type), more);
}

/* --- Peers --- */

struct wg_hs *wg_hs_new(const struct wg_hs_ops *ops, void *ctx,
			const struct wg_hs_timers *timers)
{
	struct wg_hs *hs = calloc(1, sizeof(*hs));

	if (!hs)
		return NULL;
	hs->ops = ops;
	hs->ctx = ctx;
	hs->timers = *timers;
	crypto_shorthash_keygen(hs->hash_key);
	fz_secpool_init(&hs->peer_pool, sizeof(struct wg_hs_peer));
	return hs;
}

static void peer_free(struct wg_hs *hs, struct wg_hs_peer *peer)
{
	hs->ops->timer_stop(hs->ctx, peer);
	hs->ops->peer_gone(hs->ctx, peer);
	fz_secpool_free(&hs->peer_pool, peer);
}

static void local_free(struct wg_noise_local *local)
{
	if (!local)
		return;
	wg_noise_local_wipe(local);
	sodium_free(local);
}

void wg_hs_free(struct wg_hs *hs)
{
	if (!hs)
		return;
	for (size_t i = 0; i < hs->n_peers; i++)
		peer_free(hs, hs->peers[i]);
	fz_secpool_destroy(&hs->peer_pool);
	free(hs->peers);
	free(hs->buckets);
	free(hs->reserved);
	local_free(hs->local);
	sodium_memzero(hs, sizeof(*hs));
	free(hs);
}

bool wg_hs_has_identity(const struct wg_hs *hs)
{
	return hs->local != NULL;
}

const uint8_t *wg_hs_public_key(const struct wg_hs *hs)
{
	return hs->local ? hs->local->public_key : NULL;
}

const uint8_t *wg_hs_peer_key(const struct wg_hs_peer *peer)
{
	return peer->noise.remote_static;
}

bool wg_hs_peer_trying(const struct wg_hs_peer *peer)
{
	return peer->attempt_start_ns != 0;
}

size_t wg_hs_n_peers(const struct wg_hs *hs)
{
	return hs->n_peers;
}

struct wg_hs_peer *wg_hs_peer_at(struct wg_hs *hs, size_t i)
{
	return i < hs->n_peers ? hs->peers[i] : NULL;
}

/* --- The peer table: an array, and a hash of it by public key --- */

static struct wg_hs_peer **bucket_of(const struct wg_hs *hs, const uint8_t *key)
{
	uint8_t h[crypto_shorthash_BYTES];
	uint64_t v;

	crypto_shorthash(h, key, FZ_KEY_LEN, hs->hash_key);
	memcpy(&v, h, sizeof(v));
	return &hs->buckets[v & (hs->n_buckets - 1)];
}

static void hash_insert(struct wg_hs *hs, struct wg_hs_peer *peer)
{
	struct wg_hs_peer **b = bucket_of(hs, peer->noise.remote_static);

	peer->hash_next = *b;
	*b = peer;
}

/* Keeps the buckets at least as many as the peers, n_peers + 1 included. */
static int hash_grow(struct wg_hs *hs)
{
	size_t n = hs->n_buckets ? hs->n_buckets : 16;
	struct wg_hs_peer **old = hs->buckets;

	while (n < hs->n_peers + 1)
		n *= 2;
	if (n == hs->n_buckets)
		return 0;
	hs->buckets = calloc(n, sizeof(*hs->buckets));
	if (!hs->buckets) {
		hs->buckets = old;
		return -ENOMEM;
	}
	free(old);
	hs->n_buckets = n;
	for (size_t i = 0; i < hs->n_peers; i++)
		hash_insert(hs, hs->peers[i]);
	return 0;
}

static ssize_t peer_slot(const struct wg_hs *hs, const uint8_t *key)
{
	if (!hs->n_buckets)
		return -1;
	/* Public keys are not secret: memcmp is fine here. */
	for (struct wg_hs_peer *p = *bucket_of(hs, key); p; p = p->hash_next)
		if (!memcmp(p->noise.remote_static, key, FZ_KEY_LEN))
			return (ssize_t)p->slot;
	return -1;
}

static void peer_unlink(struct wg_hs *hs, size_t i)
{
	struct wg_hs_peer *peer = hs->peers[i], **pp;

	for (pp = bucket_of(hs, peer->noise.remote_static); *pp != peer;
	     pp = &(*pp)->hash_next)
		;
	*pp = peer->hash_next;
	hs->peers[i] = hs->peers[--hs->n_peers];
	hs->peers[i]->slot = i;
}

struct wg_hs_peer *wg_hs_find(struct wg_hs *hs, const uint8_t key[FZ_KEY_LEN])
{
	ssize_t i = peer_slot(hs, key);

	return i < 0 ? NULL : hs->peers[i];
}

static bool psk_given(const uint8_t *psk)
{
	return psk && !sodium_is_zero(psk, FZ_KEY_LEN);
}

void wg_hs_set_psk(struct wg_hs_peer *peer, const uint8_t *psk)
{
	if (psk_given(psk))
		memcpy(peer->noise.preshared_key, psk, FZ_KEY_LEN);
	else
		sodium_memzero(peer->noise.preshared_key, FZ_KEY_LEN);
}

static int grow_peers(struct wg_hs *hs)
{
	struct wg_hs_peer **v;
	size_t cap = hs->peers_cap ? hs->peers_cap * 2 : 8;

	if (hs->n_peers < hs->peers_cap)
		return 0;
	v = realloc(hs->peers, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	hs->peers = v;
	hs->peers_cap = cap;
	return 0;
}

int wg_hs_add_peer(struct wg_hs *hs, const uint8_t key[FZ_KEY_LEN],
		   const uint8_t *psk, struct wg_hs_peer **out)
{
	struct wg_hs_peer *peer = wg_hs_find(hs, key);
	char b64[FZ_KEY_B64_LEN + 1];

	if (peer)
		goto out;
	if (!hs->local)
		return -ENOKEY;
	if (!sodium_memcmp(key, hs->local->public_key, FZ_KEY_LEN))
		return -EINVAL;
	if (grow_peers(hs) || hash_grow(hs))
		return -ENOMEM;
	peer = fz_secpool_alloc(&hs->peer_pool);
	if (!peer)
		return -ENOMEM;
	if (wg_noise_peer_init(hs->local, &peer->noise, key,
			       psk_given(psk) ? psk : NULL)) {
		fz_secpool_free(&hs->peer_pool, peer);
		return -EINVAL;
	}
	fz_key_to_base64(b64, key);
	memcpy(peer->id, b64, WG_HS_ID_LEN);
	peer->slot = hs->n_peers;
	hs->peers[hs->n_peers++] = peer;
	hash_insert(hs, peer);
out:
	if (out)
		*out = peer;
	return 0;
}

void wg_hs_remove_peer(struct wg_hs *hs, const uint8_t key[FZ_KEY_LEN])
{
	ssize_t i = peer_slot(hs, key);
	struct wg_hs_peer *peer;

	if (i < 0)
		return;
	peer = hs->peers[i];
	peer_unlink(hs, (size_t)i);
	peer_free(hs, peer);
}

/*
 * A new identity changes every static-static DH. The replay state
 * (latest timestamp, last initiation) belongs to the peer, not to us, so
 * it survives; a handshake in flight does not, it used the old key.
 * Every peer is recomputed aside first, so a failure changes nothing.
 */
static int reinit_peers(struct wg_hs *hs, const struct wg_noise_local *local)
{
	size_t n = hs->n_peers ? hs->n_peers : 1;
	struct wg_noise_peer *tmp = sodium_allocarray(n, sizeof(*tmp));
	int ret = 0;

	if (!tmp)
		return -ENOMEM;
	for (size_t i = 0; !ret && i < hs->n_peers; i++) {
		const struct wg_noise_peer *np = &hs->peers[i]->noise;

		ret = wg_noise_peer_init(local, &tmp[i], np->remote_static,
					 np->preshared_key);
		memcpy(tmp[i].latest_timestamp, np->latest_timestamp,
		       sizeof(tmp[i].latest_timestamp));
		tmp[i].last_initiation_ns = np->last_initiation_ns;
	}
	for (size_t i = 0; !ret && i < hs->n_peers; i++)
		memcpy(&hs->peers[i]->noise, &tmp[i], sizeof(tmp[i]));
	sodium_memzero(tmp, n * sizeof(*tmp));
	sodium_free(tmp);
	return ret;
}

int wg_hs_set_private_key(struct wg_hs *hs,
			  const uint8_t private_key[FZ_KEY_LEN])
{
	struct wg_noise_local *local = sodium_malloc(sizeof(*local));
	int ret;

	if (!local)
		return -ENOMEM;
	ret = wg_noise_local_init(local, private_key);
	if (!ret && peer_slot(hs, local->public_key) >= 0)
		ret = -EEXIST;
	if (!ret)
		ret = reinit_peers(hs, local);
	if (ret) {
		local_free(local);
		return ret;
	}
	local_free(hs->local);
	hs->local = local;
	return 0;
}

/* --- Local indices --- */

int wg_hs_reserve_indices(struct wg_hs *hs, const uint32_t *indices, size_t n)
{
	uint32_t *v = NULL;

	if (n) {
		v = malloc(n * sizeof(*v));
		if (!v)
			return -ENOMEM;
		memcpy(v, indices, n * sizeof(*v));
	}
	free(hs->reserved);
	hs->reserved = v;
	hs->n_reserved = n;
	return 0;
}

static bool peer_uses_index(const struct wg_hs_peer *peer, uint32_t index)
{
	if (peer->noise.state != WG_NOISE_STATE_ZEROED &&
	    peer->noise.local_index == index)
		return true;
	if (peer->last_sent_index == index)
		return true;
	for (int i = 0; i < WG_HS_RECENT_INDICES; i++)
		if (peer->recent[i] == index)
			return true;
	return false;
}

static bool index_in_use(const struct wg_hs *hs, uint32_t index)
{
	for (size_t i = 0; i < hs->n_reserved; i++)
		if (hs->reserved[i] == index)
			return true;
	for (size_t i = 0; i < hs->n_peers; i++)
		if (peer_uses_index(hs->peers[i], index))
			return true;
	return false;
}

static uint32_t random_u32(struct wg_hs *hs)
{
	if (hs->ops->random_u32)
		return hs->ops->random_u32(hs->ctx);
	return randombytes_random();
}

/*
 * A random index no handshake of ours and no keypair we know of uses.
 * What we know can be stale (the kernel drops keypairs on its own), so
 * the kernel has the last word: SET_KEYPAIR fails with -EEXIST. Zero is
 * never picked, so that a wiped handshake's index matches nothing.
 */
static uint32_t pick_index(struct wg_hs *hs)
{
	uint32_t index = 0;

	for (int i = 0; i < PICK_INDEX_TRIES; i++) {
		index = random_u32(hs);
		if (index && !index_in_use(hs, index))
			return index;
	}
	return index ? index : 1;
}

static void remember_index(struct wg_hs_peer *peer, uint32_t index)
{
	peer->recent[peer->recent_pos] = index;
	peer->recent_pos = (peer->recent_pos + 1) % WG_HS_RECENT_INDICES;
}

/* --- Initiator --- */

static void stop_attempt(struct wg_hs *hs, struct wg_hs_peer *peer)
{
	peer->attempt_start_ns = 0;
	peer->attempts = 0;
	peer->responded = false;
	hs->ops->timer_stop(hs->ctx, peer);
}

static void arm_retry(struct wg_hs *hs, struct wg_hs_peer *peer)
{
	uint64_t jitter = 0;

	if (hs->timers.jitter_max_ns)
		jitter = randombytes_uniform(
			(uint32_t)(hs->timers.jitter_max_ns / 1000000 + 1));
	hs->ops->timer_arm(hs->ctx, peer,
			   hs->timers.rekey_timeout_ns + jitter * 1000000);
}

/* With no endpoint there is nobody to retry to: wait for the peer. */
static void no_endpoint(struct wg_hs *hs, struct wg_hs_peer *peer)
{
	if (!peer->warned_no_endpoint)
		hs_log(hs, peer,
		       "cannot initiate a handshake: no endpoint known");
	peer->warned_no_endpoint = true;
	stop_attempt(hs, peer);
}

static void log_sent(struct wg_hs *hs, struct wg_hs_peer *peer,
		     enum wg_hs_reason reason)
{
	if (peer->attempts == 1)
		hs_log(hs, peer, "handshake initiated (%s)",
		       reason_names[reason]);
	else
		hs_log(hs, peer, "retrying handshake (attempt %u)",
		       peer->attempts);
}

static void send_initiation(struct wg_hs *hs, struct wg_hs_peer *peer,
			    enum wg_hs_reason reason)
{
	uint8_t msg[WG_NOISE_INITIATION_LEN];
	uint32_t index = pick_index(hs);
	int ret;

	ret = wg_noise_create_initiation(hs->local, &peer->noise, index, msg);
	if (ret) {
		hs_log(hs, peer, "cannot create a handshake initiation: %s",
		       strerror(-ret));
		stop_attempt(hs, peer);
		return;
	}
	peer->last_initiation_ns = hs->ops->now_ns(hs->ctx);
	peer->last_sent_index = index;
	peer->attempts++;
	ret = hs->ops->send(hs->ctx, peer->noise.remote_static, NULL, msg,
			    sizeof(msg));
	if (ret == -EDESTADDRREQ) {
		no_endpoint(hs, peer);
		return;
	}
	if (ret)
		hs_log(hs, peer, "cannot send a handshake initiation: %s",
		       strerror(-ret));
	else
		log_sent(hs, peer, reason);
	peer->warned_no_endpoint = false;
	arm_retry(hs, peer);
}

static bool initiation_in_flight(const struct wg_hs *hs,
				 const struct wg_hs_peer *peer, uint64_t now)
{
	return peer->attempt_start_ns &&
	       peer->noise.state == WG_NOISE_STATE_CREATED_INITIATION &&
	       now - peer->last_initiation_ns < hs->timers.rekey_timeout_ns;
}

void wg_hs_initiate(struct wg_hs *hs, struct wg_hs_peer *peer,
		    enum wg_hs_reason reason)
{
	uint64_t now = hs->ops->now_ns(hs->ctx);

	if (!hs->local || initiation_in_flight(hs, peer, now))
		return;
	if (!peer->attempt_start_ns) {
		peer->attempt_start_ns = now ? now : 1;
		peer->attempts = 0;
		peer->responded = false;
	}
	send_initiation(hs, peer, reason);
}

/* Our answer to the peer's initiation became current: we are done too. */
static bool completed_as_responder(struct wg_hs *hs, struct wg_hs_peer *peer)
{
	uint32_t index;

	return peer->responded && hs->ops->current_index &&
	       !hs->ops->current_index(hs->ctx, peer->noise.remote_static,
				       &index) &&
	       index == peer->responder_index;
}

void wg_hs_timer_expired(struct wg_hs *hs, struct wg_hs_peer *peer)
{
	uint64_t now = hs->ops->now_ns(hs->ctx);
	uint64_t elapsed = now - peer->attempt_start_ns;

	if (!peer->attempt_start_ns || !hs->local)
		return;
	if (completed_as_responder(hs, peer)) {
		stop_attempt(hs, peer);
		return;
	}
	if (elapsed >= hs->timers.rekey_attempt_ns) {
		hs_log(hs, peer,
		       "giving up after %llu s (%u attempts) until the next "
		       "request",
		       (unsigned long long)(elapsed / WG_HS_NSEC),
		       peer->attempts);
		stop_attempt(hs, peer);
		return;
	}
	send_initiation(hs, peer, WG_HS_REASON_QUEUED_DATA);
}

/* --- Responder --- */

static struct wg_noise_peer *lookup_static(void *ctx,
					   const uint8_t key[WG_NOISE_KEY_LEN])
{
	struct wg_hs_peer *peer = wg_hs_find(ctx, key);

	return peer ? &peer->noise : NULL;
}

/*
 * Creates the response and installs its keypair in the "next" slot. The
 * keypair goes in before the response goes out: the initiator may send
 * data the moment it has the response. If the kernel already uses the
 * index, the consumed initiation is restored and answered afresh.
 */
static int respond_keys(struct wg_hs *hs, struct wg_hs_peer *peer,
			uint8_t msg[WG_NOISE_RESPONSE_LEN], uint32_t *index)
{
	struct wg_noise_peer *saved = sodium_malloc(sizeof(*saved));
	struct wg_noise_keys keys;
	int ret = -EEXIST;

	if (!saved)
		return -ENOMEM;
	memcpy(saved, &peer->noise, sizeof(*saved));
	for (int i = 0; i < RESPONDER_INDEX_TRIES && ret == -EEXIST; i++) {
		if (i) {
			hs_log(hs, peer, "local index %08x in use; retrying",
			       *index);
			remember_index(peer, *index);
			memcpy(&peer->noise, saved, sizeof(*saved));
		}
		*index = pick_index(hs);
		ret = wg_noise_create_response(hs->local, &peer->noise, *index,
					       msg);
		if (!ret)
			ret = wg_noise_derive_keys(&peer->noise, &keys);
		if (!ret)
			ret = hs->ops->set_keypair(hs->ctx,
						   peer->noise.remote_static,
						   FZ_KEYPAIR_NEXT, &keys);
		sodium_memzero(&keys, sizeof(keys));
	}
	sodium_memzero(saved, sizeof(*saved));
	sodium_free(saved);
	return ret;
}

static void on_initiation(struct wg_hs *hs, const uint8_t *msg, size_t len,
			  const struct sockaddr_storage *src)
{
	uint8_t resp[WG_NOISE_RESPONSE_LEN];
	struct wg_noise_peer *np;
	struct wg_hs_peer *peer;
	char ep[FZ_FMT_ENDPOINT_LEN];
	uint32_t index = 0;
	int ret;

	ret = wg_noise_consume_initiation(hs->local, msg, len, lookup_static,
					  hs, &np);
	if (ret) {
		log_invalid(hs, src, ret, WG_NOISE_MSG_INITIATION);
		return;
	}
	peer = container_of(np, struct wg_hs_peer, noise);
	ret = respond_keys(hs, peer, resp, &index);
	if (ret) {
		hs_log(hs, peer, "cannot install session keys: %s",
		       strerror(-ret));
		return;
	}
	remember_index(peer, index);
	peer->last_sent_index = index;
	ret = hs->ops->send(hs->ctx, peer->noise.remote_static, src, resp,
			    sizeof(resp));
	fz_fmt_endpoint(ep, sizeof(ep), src);
	if (ret) {
		hs_log(hs, peer, "cannot send a handshake response to %s: %s",
		       ep, strerror(-ret));
		return;
	}
	if (peer->attempt_start_ns) {
		peer->responded = true;
		peer->responder_index = index;
	}
	hs_log(hs, peer, "handshake response sent to %s", ep);
	hs_log(hs, peer, "handshake completed (responder)");
}

/* --- Initiator: the answer --- */

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static struct wg_hs_peer *find_pending(struct wg_hs *hs, uint32_t index)
{
	for (size_t i = 0; i < hs->n_peers; i++) {
		struct wg_hs_peer *peer = hs->peers[i];

		if (peer->noise.state == WG_NOISE_STATE_CREATED_INITIATION &&
		    peer->noise.local_index == index)
			return peer;
	}
	return NULL;
}

/*
 * The kernel took the index after we sent it: this handshake is lost.
 * Keep (or start) an attempt so the retry timer makes a new one; not at
 * once, as the responder would refuse an initiation this soon.
 */
static void index_taken(struct wg_hs *hs, struct wg_hs_peer *peer,
			uint32_t index)
{
	hs_log(hs, peer, "local index %08x in use; handshaking again", index);
	remember_index(peer, index);
	if (!peer->attempt_start_ns) {
		peer->attempt_start_ns = hs->ops->now_ns(hs->ctx);
		if (!peer->attempt_start_ns)
			peer->attempt_start_ns = 1;
		arm_retry(hs, peer);
	}
}

/*
 * Like WireGuard, learn the endpoint from the response: the kernel's
 * confirming keepalive must reach the peer where it is now.
 */
static void on_response(struct wg_hs *hs, const uint8_t *msg, size_t len,
			const struct sockaddr_storage *src)
{
	struct wg_noise_keys keys;
	struct wg_hs_peer *peer;
	uint32_t index;
	int ret;

	if (len != WG_NOISE_RESPONSE_LEN) {
		log_invalid(hs, src, -EINVAL, WG_NOISE_MSG_RESPONSE);
		return;
	}
	peer = find_pending(hs, get_le32(msg + 8));
	ret = peer ? wg_noise_consume_response(hs->local, &peer->noise, msg,
					       len) :
		     -ENOENT;
	if (!ret)
		ret = wg_noise_derive_keys(&peer->noise, &keys);
	if (ret) {
		log_invalid(hs, src, ret, WG_NOISE_MSG_RESPONSE);
		return;
	}
	index = keys.local_index;
	if (src)
		hs->ops->set_endpoint(hs->ctx, peer->noise.remote_static, src);
	ret = hs->ops->set_keypair(hs->ctx, peer->noise.remote_static,
				   FZ_KEYPAIR_CURRENT, &keys);
	sodium_memzero(&keys, sizeof(keys));
	if (ret == -EEXIST) {
		index_taken(hs, peer, index);
		return;
	}
	if (ret) {
		hs_log(hs, peer, "cannot install session keys: %s",
		       strerror(-ret));
		return;
	}
	remember_index(peer, index);
	stop_attempt(hs, peer);
	hs_log(hs, peer, "handshake completed (initiator)");
}

/* A cookie reply names the sender index of the message it answers. */
static struct wg_hs_peer *find_cookie_peer(struct wg_hs *hs, uint32_t index)
{
	for (size_t i = 0; i < hs->n_peers; i++)
		if (hs->peers[i]->last_sent_index == index &&
		    hs->peers[i]->noise.cookie.have_sent_mac1)
			return hs->peers[i];
	return NULL;
}

static void on_cookie(struct wg_hs *hs, const uint8_t *msg, size_t len,
		      const struct sockaddr_storage *src)
{
	struct wg_hs_peer *peer = NULL;
	int ret = -EINVAL;

	if (len == WG_NOISE_COOKIE_REPLY_LEN) {
		peer = find_cookie_peer(hs, get_le32(msg + 4));
		ret = peer ? wg_noise_consume_cookie_reply(&peer->noise, msg,
							   len) :
			     -ENOENT;
	}
	if (ret) {
		log_invalid(hs, src, ret, WG_NOISE_MSG_COOKIE_REPLY);
		return;
	}
	hs_log(hs, peer,
	       "cookie received: the peer is under load; the "
	       "next attempt carries it");
}

void wg_hs_receive(struct wg_hs *hs, const uint8_t *msg, size_t len,
		   const struct sockaddr_storage *src)
{
	uint32_t type = len >= 4 ? get_le32(msg) : 0;

	if (!hs->local) {
		log_invalid(hs, src, -ENOKEY, (uint8_t)type);
		return;
	}
	switch (type) {
	case WG_NOISE_MSG_INITIATION:
		on_initiation(hs, msg, len, src);
		break;
	case WG_NOISE_MSG_RESPONSE:
		on_response(hs, msg, len, src);
		break;
	case WG_NOISE_MSG_COOKIE_REPLY:
		on_cookie(hs, msg, len, src);
		break;
	default:
		log_invalid(hs, src, -EINVAL, 0);
	}
}
