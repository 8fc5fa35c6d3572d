// SPDX-License-Identifier: GPL-2.0
/*
 * WireGuard's Noise_IKpsk2 handshake; see noise.h.
 *
 * The steps and their order follow WireGuard's noise.c line for line, so
 * that a reader can check one against the other. Every function works on
 * copies of the chaining key and hash and writes the peer only once all
 * checks have passed, so a forged or replayed message cannot disturb a
 * handshake in progress. Secrets on the stack are wiped before returning.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <blake2.h>
#include <sodium.h>

#include "noise.h"
#include "lib/clock.h"
#include "lib/keys.h"

#define INITIATION_SPACING_NS \
	(FZ_NSEC_PER_SEC / WG_NOISE_INITIATIONS_PER_SECOND)

static const char construction[] = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s";
static const char identifier[] = "WireGuard v1 zx2c4 Jason@zx2c4.com";
static const char label_mac1[] = "mac1----";
static const char label_cookie[] = "cookie--";

/*
 * Wire layouts. Byte arrays only, so there is no padding and no alignment
 * requirement: a message buffer can be viewed through these at any
 * address.
 */
struct initiation_msg {
	uint8_t type[4]; /* little-endian u32; the reserved bytes are zero */
	uint8_t sender_index[4];
	uint8_t ephemeral[WG_NOISE_KEY_LEN];
	uint8_t encrypted_static[WG_NOISE_KEY_LEN + WG_NOISE_AEAD_TAG_LEN];
	uint8_t encrypted_timestamp[WG_TAI64N_LEN + WG_NOISE_AEAD_TAG_LEN];
	uint8_t mac1[WG_NOISE_MAC_LEN];
	uint8_t mac2[WG_NOISE_MAC_LEN];
};

struct response_msg {
	uint8_t type[4];
	uint8_t sender_index[4];
	uint8_t receiver_index[4];
	uint8_t ephemeral[WG_NOISE_KEY_LEN];
	uint8_t encrypted_nothing[WG_NOISE_AEAD_TAG_LEN];
	uint8_t mac1[WG_NOISE_MAC_LEN];
	uint8_t mac2[WG_NOISE_MAC_LEN];
};

struct cookie_reply_msg {
	uint8_t type[4];
	uint8_t receiver_index[4];
	uint8_t nonce[WG_NOISE_COOKIE_NONCE_LEN];
	uint8_t encrypted_cookie[WG_NOISE_COOKIE_LEN + WG_NOISE_AEAD_TAG_LEN];
};

_Static_assert(sizeof(struct initiation_msg) == WG_NOISE_INITIATION_LEN,
	       "initiation layout");
_Static_assert(sizeof(struct response_msg) == WG_NOISE_RESPONSE_LEN,
	       "response layout");
_Static_assert(sizeof(struct cookie_reply_msg) == WG_NOISE_COOKIE_REPLY_LEN,
	       "cookie reply layout");
_Static_assert(WG_NOISE_KEY_LEN == crypto_aead_chacha20poly1305_ietf_KEYBYTES,
	       "AEAD key size");

/* --- Clock --- */

static const struct wg_noise_clock system_clock = {
	.monotonic_ns = fz_clock_boot_ns,
	.unix_ns = fz_clock_real_ns,
};

static struct wg_noise_clock noise_clock = system_clock;

void wg_noise_set_clock(const struct wg_noise_clock *clock)
{
	noise_clock = clock ? *clock : system_clock;
}

/* --- Byte order --- */

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

/* --- Primitives: HASH, MAC, HMAC, KDF, DH, AEAD --- */

/* HASH(a || b), BLAKE2s-256. */
static void hash2(uint8_t out[WG_NOISE_HASH_LEN], const void *a, size_t a_len,
		  const void *b, size_t b_len)
{
	blake2s_state state;

	blake2s_init(&state, WG_NOISE_HASH_LEN);
	blake2s_update(&state, a, a_len);
	blake2s_update(&state, b, b_len);
	blake2s_final(&state, out, WG_NOISE_HASH_LEN);
	sodium_memzero(&state, sizeof(state));
}

/* MAC(key, msg): keyed BLAKE2s with a 16-byte output, for mac1 and mac2. */
static void mac(uint8_t out[WG_NOISE_MAC_LEN], const uint8_t *key,
		size_t key_len, const uint8_t *msg, size_t msg_len)
{
	blake2s(out, msg, key, WG_NOISE_MAC_LEN, msg_len, key_len);
}

/*
 * HMAC (RFC 2104) over BLAKE2s, which WireGuard's KDF uses rather than
 * BLAKE2s's own keyed mode. B = 64 bytes, L = 32.
 */
void wg_noise_hmac(uint8_t out[WG_NOISE_HASH_LEN], const uint8_t *key,
		   size_t key_len, const uint8_t *in, size_t in_len)
{
	uint8_t block[BLAKE2S_BLOCKBYTES] = { 0 };
	uint8_t inner[WG_NOISE_HASH_LEN];
	blake2s_state state;

	if (key_len > sizeof(block))
		blake2s(block, key, NULL, WG_NOISE_HASH_LEN, key_len, 0);
	else if (key_len)
		memcpy(block, key, key_len);

	for (size_t i = 0; i < sizeof(block); i++)
		block[i] ^= 0x36;
	blake2s_init(&state, WG_NOISE_HASH_LEN);
	blake2s_update(&state, block, sizeof(block));
	blake2s_update(&state, in, in_len);
	blake2s_final(&state, inner, sizeof(inner));

	/* From the inner pad to the outer one: 0x36 ^ 0x5c. */
	for (size_t i = 0; i < sizeof(block); i++)
		block[i] ^= 0x36 ^ 0x5c;
	blake2s_init(&state, WG_NOISE_HASH_LEN);
	blake2s_update(&state, block, sizeof(block));
	blake2s_update(&state, inner, sizeof(inner));
	blake2s_final(&state, out, WG_NOISE_HASH_LEN);

	sodium_memzero(block, sizeof(block));
	sodium_memzero(inner, sizeof(inner));
	sodium_memzero(&state, sizeof(state));
}

/*
 * KDF1/2/3(ck, in): t0 = HMAC(ck, in), t1 = HMAC(t0, 0x1),
 * t_i = HMAC(t0, t_{i-1} || i). t2 and t3 may be NULL for KDF1 and KDF2.
 * Any output may be ck itself: every read of ck happens first.
 */
static void kdf(uint8_t *t1, uint8_t *t2, uint8_t *t3,
		const uint8_t ck[WG_NOISE_HASH_LEN], const uint8_t *in,
		size_t in_len)
{
	uint8_t secret[WG_NOISE_HASH_LEN], buf[WG_NOISE_HASH_LEN + 1];
	uint8_t *outs[] = { t1, t2, t3 };
	size_t buf_len = 0;

	wg_noise_hmac(secret, ck, WG_NOISE_HASH_LEN, in, in_len);
	for (uint8_t i = 0; i < 3 && outs[i]; i++) {
		buf[buf_len++] = i + 1;
		wg_noise_hmac(buf, secret, sizeof(secret), buf, buf_len);
		memcpy(outs[i], buf, WG_NOISE_HASH_LEN);
		buf_len = WG_NOISE_HASH_LEN;
	}
	sodium_memzero(secret, sizeof(secret));
	sodium_memzero(buf, sizeof(buf));
}

static void mix_hash(uint8_t h[WG_NOISE_HASH_LEN], const uint8_t *in,
		     size_t len)
{
	hash2(h, h, WG_NOISE_HASH_LEN, in, len);
}

/*
 * (ck, key) = KDF2(ck, DH(private, public)), or ck = KDF1(...) when key is
 * NULL. libsodium refuses an all-zero result, that is a public key of low
 * order, which would make the DH contribute nothing.
 */
static int mix_dh(uint8_t ck[WG_NOISE_HASH_LEN], uint8_t *key,
		  const uint8_t private_key[WG_NOISE_KEY_LEN],
		  const uint8_t public_key[WG_NOISE_KEY_LEN])
{
	uint8_t dh[WG_NOISE_KEY_LEN];
	int ret = 0;

	if (crypto_scalarmult_curve25519(dh, private_key, public_key))
		ret = -EBADMSG;
	else
		kdf(ck, key, NULL, ck, dh, sizeof(dh));
	sodium_memzero(dh, sizeof(dh));
	return ret;
}

/*
 * The static-static DH is fixed per peer and costs as much as the rest of
 * a handshake, so it is done at the peer's first handshake and kept, not
 * when the peer is added: 10,000 peers would otherwise start only after
 * 10,000 DHs. wg_noise_peer_init() refused the keys it could fail on;
 * should it fail anyway, the handshake does.
 */
static int mix_static_static(uint8_t ck[WG_NOISE_HASH_LEN],
			     uint8_t key[WG_NOISE_KEY_LEN],
			     const struct wg_noise_local *local,
			     struct wg_noise_peer *peer)
{
	if (!peer->have_static_static) {
		if (crypto_scalarmult_curve25519(peer->static_static,
						 local->private_key,
						 peer->remote_static))
			return -EBADMSG;
		peer->have_static_static = true;
	}
	kdf(ck, key, NULL, ck, peer->static_static, WG_NOISE_KEY_LEN);
	return 0;
}

/* (ck, tau, key) = KDF3(ck, psk); h = HASH(h || tau). */
static void mix_psk(uint8_t ck[WG_NOISE_HASH_LEN], uint8_t h[WG_NOISE_HASH_LEN],
		    uint8_t key[WG_NOISE_KEY_LEN],
		    const uint8_t psk[WG_NOISE_KEY_LEN])
{
	uint8_t tau[WG_NOISE_HASH_LEN];

	kdf(ck, tau, key, ck, psk, WG_NOISE_KEY_LEN);
	mix_hash(h, tau, sizeof(tau));
	sodium_memzero(tau, sizeof(tau));
}

/* An ephemeral public key goes into both h and ck (Noise's "e" token). */
static void mix_ephemeral(uint8_t ck[WG_NOISE_HASH_LEN],
			  uint8_t h[WG_NOISE_HASH_LEN],
			  const uint8_t ephemeral[WG_NOISE_KEY_LEN])
{
	mix_hash(h, ephemeral, WG_NOISE_KEY_LEN);
	kdf(ck, NULL, NULL, ck, ephemeral, WG_NOISE_KEY_LEN);
}

/*
 * Each handshake key encrypts exactly one message, so the nonce is always
 * counter 0: twelve zero bytes. The transcript hash is the AAD, and the
 * ciphertext then joins the transcript.
 */
static const uint8_t zero_nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES];

/* libsodium is given a real pointer even for an empty plaintext. */
static const uint8_t nothing[1];

static void seal(uint8_t *dst, const uint8_t *src, size_t len,
		 const uint8_t key[WG_NOISE_KEY_LEN],
		 uint8_t h[WG_NOISE_HASH_LEN])
{
	crypto_aead_chacha20poly1305_ietf_encrypt(dst, NULL,
						  len ? src : nothing, len, h,
						  WG_NOISE_HASH_LEN, NULL,
						  zero_nonce, key);
	mix_hash(h, dst, len + WG_NOISE_AEAD_TAG_LEN);
}

static int open_sealed(uint8_t *dst, const uint8_t *src, size_t src_len,
		       const uint8_t key[WG_NOISE_KEY_LEN],
		       uint8_t h[WG_NOISE_HASH_LEN])
{
	uint8_t scratch[1];

	if (crypto_aead_chacha20poly1305_ietf_decrypt(
		    dst ? dst : scratch, NULL, NULL, src, src_len, h,
		    WG_NOISE_HASH_LEN, zero_nonce, key))
		return -EBADMSG;
	mix_hash(h, src, src_len);
	return 0;
}

/*
 * Both sides start from ck = HASH(CONSTRUCTION), h = HASH(ck ||
 * IDENTIFIER), then mix in the responder's static public key, which the
 * initiator knows in advance (the "K" of IK).
 */
static void handshake_start(uint8_t ck[WG_NOISE_HASH_LEN],
			    uint8_t h[WG_NOISE_HASH_LEN],
			    const uint8_t responder_static[WG_NOISE_KEY_LEN])
{
	hash2(ck, construction, sizeof(construction) - 1, NULL, 0);
	hash2(h, ck, WG_NOISE_HASH_LEN, identifier, sizeof(identifier) - 1);
	mix_hash(h, responder_static, WG_NOISE_KEY_LEN);
}

static void handshake_wipe(struct wg_noise_peer *peer)
{
	peer->state = WG_NOISE_STATE_ZEROED;
	sodium_memzero(peer->hash, sizeof(peer->hash));
	sodium_memzero(peer->chaining_key, sizeof(peer->chaining_key));
	sodium_memzero(peer->ephemeral_private,
		       sizeof(peer->ephemeral_private));
	sodium_memzero(peer->remote_ephemeral, sizeof(peer->remote_ephemeral));
	peer->local_index = 0;
	peer->remote_index = 0;
}

/* --- mac1, mac2 and cookies --- */

static bool cookie_fresh(const struct wg_noise_cookie *cookie)
{
	return cookie->valid && noise_clock.monotonic_ns() - cookie->birth_ns <
					WG_NOISE_COOKIE_MAX_AGE_NS;
}

/*
 * mac1 proves we know the responder's public key; mac2 echoes the cookie
 * it gave us, if any, to get past its load limiting. The mac1 is kept: it
 * is the AAD of a cookie reply that answers this message.
 */
static void add_macs(struct wg_noise_peer *peer, uint8_t *msg, size_t len)
{
	uint8_t *mac1 = msg + len - 2 * WG_NOISE_MAC_LEN;
	uint8_t *mac2 = msg + len - WG_NOISE_MAC_LEN;

	mac(mac1, peer->mac1_key, sizeof(peer->mac1_key), msg, mac1 - msg);
	memcpy(peer->cookie.last_mac1_sent, mac1, WG_NOISE_MAC_LEN);
	peer->cookie.have_sent_mac1 = true;

	if (cookie_fresh(&peer->cookie))
		mac(mac2, peer->cookie.value, sizeof(peer->cookie.value), msg,
		    mac2 - msg);
	else
		memset(mac2, 0, WG_NOISE_MAC_LEN);
}

bool wg_noise_mac1_valid(const struct wg_noise_local *local, const uint8_t *msg,
			 size_t len)
{
	uint8_t want[WG_NOISE_MAC_LEN];
	const uint8_t *mac1;
	uint32_t type;

	if (!msg || len < 4)
		return false;
	type = get_le32(msg);
	if (!(type == WG_NOISE_MSG_INITIATION &&
	      len == WG_NOISE_INITIATION_LEN) &&
	    !(type == WG_NOISE_MSG_RESPONSE && len == WG_NOISE_RESPONSE_LEN))
		return false;
	mac1 = msg + len - 2 * WG_NOISE_MAC_LEN;
	mac(want, local->mac1_key, sizeof(local->mac1_key), msg, mac1 - msg);
	return sodium_memcmp(want, mac1, WG_NOISE_MAC_LEN) == 0;
}

/*
 * A cookie reply is accepted once, for the last message we sent: its AAD
 * is that message's mac1, so a reply to anything else fails to decrypt.
 */
int wg_noise_consume_cookie_reply(struct wg_noise_peer *peer,
				  const uint8_t *msg, size_t len)
{
	const struct cookie_reply_msg *m = (const void *)msg;
	uint8_t cookie[WG_NOISE_COOKIE_LEN];

	if (!msg || len != WG_NOISE_COOKIE_REPLY_LEN ||
	    get_le32(m->type) != WG_NOISE_MSG_COOKIE_REPLY)
		return -EINVAL;
	if (!peer->cookie.have_sent_mac1)
		return -EPROTO;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
		    cookie, NULL, NULL, m->encrypted_cookie,
		    sizeof(m->encrypted_cookie), peer->cookie.last_mac1_sent,
		    WG_NOISE_MAC_LEN, m->nonce, peer->cookie_key))
		return -EBADMSG;
	memcpy(peer->cookie.value, cookie, sizeof(cookie));
	peer->cookie.birth_ns = noise_clock.monotonic_ns();
	peer->cookie.valid = true;
	peer->cookie.have_sent_mac1 = false;
	sodium_memzero(cookie, sizeof(cookie));
	return 0;
}

/* --- Identities --- */

static void label_key(uint8_t out[WG_NOISE_HASH_LEN], const char *label,
		      const uint8_t public_key[WG_NOISE_KEY_LEN])
{
	hash2(out, label, strlen(label), public_key, WG_NOISE_KEY_LEN);
}

int wg_noise_local_init(struct wg_noise_local *local,
			const uint8_t private_key[WG_NOISE_KEY_LEN])
{
	if (sodium_init() < 0)
		return -EIO;
	memset(local, 0, sizeof(*local));
	memcpy(local->private_key, private_key, WG_NOISE_KEY_LEN);
	if (fz_key_public_from_private(local->public_key, local->private_key)) {
		wg_noise_local_wipe(local);
		return -EINVAL;
	}
	label_key(local->mac1_key, label_mac1, local->public_key);
	label_key(local->cookie_key, label_cookie, local->public_key);
	return 0;
}

void wg_noise_local_wipe(struct wg_noise_local *local)
{
	sodium_memzero(local, sizeof(*local));
}

/*
 * A peer whose public key is of low order would make every DH with it
 * zero; refuse it here rather than fail each handshake later.
 */
int wg_noise_peer_init(const struct wg_noise_local *local,
		       struct wg_noise_peer *peer,
		       const uint8_t public_key[WG_NOISE_KEY_LEN],
		       const uint8_t preshared_key[WG_NOISE_KEY_LEN])
{
	memset(peer, 0, sizeof(*peer));
	memcpy(peer->remote_static, public_key, WG_NOISE_KEY_LEN);
	if (preshared_key)
		memcpy(peer->preshared_key, preshared_key, WG_NOISE_KEY_LEN);
	(void)local; /* the DH with local waits for the first handshake */
	if (fz_key_is_low_order(public_key)) {
		wg_noise_peer_wipe(peer);
		return -EINVAL;
	}
	label_key(peer->mac1_key, label_mac1, public_key);
	label_key(peer->cookie_key, label_cookie, public_key);
	return 0;
}

void wg_noise_peer_wipe(struct wg_noise_peer *peer)
{
	sodium_memzero(peer, sizeof(*peer));
}

/* --- Initiation --- */

/*
 * msg.ephemeral = E_i; ck, key from DH(E_i, S_r); msg.static = AEAD(S_i);
 * ck, key from DH(S_i, S_r); msg.timestamp = AEAD(TAI64N). A new
 * initiation replaces whatever handshake was in progress with this peer.
 */
int wg_noise_create_initiation(const struct wg_noise_local *local,
			       struct wg_noise_peer *peer,
			       uint32_t sender_index,
			       uint8_t out[WG_NOISE_INITIATION_LEN])
{
	struct initiation_msg *m = (void *)out;
	uint8_t ck[WG_NOISE_HASH_LEN], h[WG_NOISE_HASH_LEN];
	uint8_t key[WG_NOISE_KEY_LEN], e[WG_NOISE_KEY_LEN];
	uint8_t timestamp[WG_TAI64N_LEN];
	int ret;

	memset(out, 0, WG_NOISE_INITIATION_LEN);
	put_le32(m->type, WG_NOISE_MSG_INITIATION);
	put_le32(m->sender_index, sender_index);

	handshake_start(ck, h, peer->remote_static);
	fz_key_generate_private(e);
	ret = fz_key_public_from_private(m->ephemeral, e);
	if (ret)
		goto out;
	mix_ephemeral(ck, h, m->ephemeral);

	ret = mix_dh(ck, key, e, peer->remote_static);
	if (ret)
		goto out;
	seal(m->encrypted_static, local->public_key, WG_NOISE_KEY_LEN, key, h);

	ret = mix_static_static(ck, key, local, peer);
	if (ret)
		goto out;
	wg_tai64n_from_unix_ns(timestamp, noise_clock.unix_ns());
	seal(m->encrypted_timestamp, timestamp, sizeof(timestamp), key, h);

	handshake_wipe(peer);
	memcpy(peer->chaining_key, ck, sizeof(ck));
	memcpy(peer->hash, h, sizeof(h));
	memcpy(peer->ephemeral_private, e, sizeof(e));
	peer->local_index = sender_index;
	peer->state = WG_NOISE_STATE_CREATED_INITIATION;
	add_macs(peer, out, WG_NOISE_INITIATION_LEN);
out:
	sodium_memzero(ck, sizeof(ck));
	sodium_memzero(h, sizeof(h));
	sodium_memzero(key, sizeof(key));
	sodium_memzero(e, sizeof(e));
	return ret;
}

/*
 * Replay and flood checks come after both AEADs have authenticated the
 * message, so only the real initiator can move latest_timestamp on.
 * Strictly newer timestamps, rather than a nonce cache, are what let a
 * responder stay stateless until an initiation is authentic.
 */
static int check_initiation_fresh(const struct wg_noise_peer *peer,
				  const uint8_t timestamp[WG_TAI64N_LEN],
				  uint64_t now)
{
	if (!wg_tai64n_after(timestamp, peer->latest_timestamp))
		return -EALREADY;
	if (peer->last_initiation_ns &&
	    now < peer->last_initiation_ns + INITIATION_SPACING_NS)
		return -EBUSY;
	return 0;
}

int wg_noise_consume_initiation(const struct wg_noise_local *local,
				const uint8_t *msg, size_t len,
				wg_noise_lookup_fn lookup, void *ctx,
				struct wg_noise_peer **out_peer)
{
	const struct initiation_msg *m = (const void *)msg;
	uint8_t ck[WG_NOISE_HASH_LEN], h[WG_NOISE_HASH_LEN];
	uint8_t key[WG_NOISE_KEY_LEN], s[WG_NOISE_KEY_LEN];
	uint8_t timestamp[WG_TAI64N_LEN];
	struct wg_noise_peer *peer;
	uint64_t now;
	int ret;

	*out_peer = NULL;
	if (!msg || len != WG_NOISE_INITIATION_LEN ||
	    get_le32(m->type) != WG_NOISE_MSG_INITIATION)
		return -EINVAL;

	handshake_start(ck, h, local->public_key);
	mix_ephemeral(ck, h, m->ephemeral);
	ret = mix_dh(ck, key, local->private_key, m->ephemeral);
	if (ret)
		goto out;
	ret = open_sealed(s, m->encrypted_static, sizeof(m->encrypted_static),
			  key, h);
	if (ret)
		goto out;

	peer = lookup(ctx, s);
	if (!peer) {
		ret = -ENOENT;
		goto out;
	}
	ret = mix_static_static(ck, key, local, peer);
	if (ret)
		goto out;
	ret = open_sealed(timestamp, m->encrypted_timestamp,
			  sizeof(m->encrypted_timestamp), key, h);
	if (ret)
		goto out;
	now = noise_clock.monotonic_ns();
	ret = check_initiation_fresh(peer, timestamp, now);
	if (ret)
		goto out;

	handshake_wipe(peer);
	memcpy(peer->chaining_key, ck, sizeof(ck));
	memcpy(peer->hash, h, sizeof(h));
	memcpy(peer->remote_ephemeral, m->ephemeral, WG_NOISE_KEY_LEN);
	memcpy(peer->latest_timestamp, timestamp, sizeof(timestamp));
	peer->last_initiation_ns = now;
	peer->remote_index = get_le32(m->sender_index);
	peer->state = WG_NOISE_STATE_CONSUMED_INITIATION;
	*out_peer = peer;
out:
	sodium_memzero(ck, sizeof(ck));
	sodium_memzero(h, sizeof(h));
	sodium_memzero(key, sizeof(key));
	sodium_memzero(s, sizeof(s));
	return ret;
}

/* --- Response --- */

/*
 * msg.ephemeral = E_r; ck from DH(E_r, E_i) and DH(E_r, S_i); ck, tau, key
 * from the PSK; msg.empty = AEAD(nothing), which proves the responder
 * reached the same keys.
 */
int wg_noise_create_response(const struct wg_noise_local *local,
			     struct wg_noise_peer *peer, uint32_t sender_index,
			     uint8_t out[WG_NOISE_RESPONSE_LEN])
{
	struct response_msg *m = (void *)out;
	uint8_t ck[WG_NOISE_HASH_LEN], h[WG_NOISE_HASH_LEN];
	uint8_t key[WG_NOISE_KEY_LEN], e[WG_NOISE_KEY_LEN];
	int ret;

	(void)local; /* the responder's static key was used at consumption */
	if (peer->state != WG_NOISE_STATE_CONSUMED_INITIATION)
		return -EPROTO;

	memset(out, 0, WG_NOISE_RESPONSE_LEN);
	put_le32(m->type, WG_NOISE_MSG_RESPONSE);
	put_le32(m->sender_index, sender_index);
	put_le32(m->receiver_index, peer->remote_index);

	memcpy(ck, peer->chaining_key, sizeof(ck));
	memcpy(h, peer->hash, sizeof(h));
	fz_key_generate_private(e);
	ret = fz_key_public_from_private(m->ephemeral, e);
	if (ret)
		goto out;
	mix_ephemeral(ck, h, m->ephemeral);
	ret = mix_dh(ck, NULL, e, peer->remote_ephemeral);
	if (ret)
		goto out;
	ret = mix_dh(ck, NULL, e, peer->remote_static);
	if (ret)
		goto out;
	mix_psk(ck, h, key, peer->preshared_key);
	seal(m->encrypted_nothing, NULL, 0, key, h);

	memcpy(peer->chaining_key, ck, sizeof(ck));
	memcpy(peer->hash, h, sizeof(h));
	peer->local_index = sender_index;
	peer->state = WG_NOISE_STATE_CREATED_RESPONSE;
	add_macs(peer, out, WG_NOISE_RESPONSE_LEN);
out:
	sodium_memzero(ck, sizeof(ck));
	sodium_memzero(h, sizeof(h));
	sodium_memzero(key, sizeof(key));
	sodium_memzero(e, sizeof(e));
	return ret;
}

int wg_noise_consume_response(const struct wg_noise_local *local,
			      struct wg_noise_peer *peer, const uint8_t *msg,
			      size_t len)
{
	const struct response_msg *m = (const void *)msg;
	uint8_t ck[WG_NOISE_HASH_LEN], h[WG_NOISE_HASH_LEN];
	uint8_t key[WG_NOISE_KEY_LEN];
	int ret;

	if (!msg || len != WG_NOISE_RESPONSE_LEN ||
	    get_le32(m->type) != WG_NOISE_MSG_RESPONSE)
		return -EINVAL;
	if (peer->state != WG_NOISE_STATE_CREATED_INITIATION)
		return -EPROTO;
	if (get_le32(m->receiver_index) != peer->local_index)
		return -ENOENT;

	memcpy(ck, peer->chaining_key, sizeof(ck));
	memcpy(h, peer->hash, sizeof(h));
	mix_ephemeral(ck, h, m->ephemeral);
	ret = mix_dh(ck, NULL, peer->ephemeral_private, m->ephemeral);
	if (ret)
		goto out;
	ret = mix_dh(ck, NULL, local->private_key, m->ephemeral);
	if (ret)
		goto out;
	mix_psk(ck, h, key, peer->preshared_key);
	ret = open_sealed(NULL, m->encrypted_nothing,
			  sizeof(m->encrypted_nothing), key, h);
	if (ret)
		goto out;

	memcpy(peer->chaining_key, ck, sizeof(ck));
	memcpy(peer->hash, h, sizeof(h));
	memcpy(peer->remote_ephemeral, m->ephemeral, WG_NOISE_KEY_LEN);
	sodium_memzero(peer->ephemeral_private,
		       sizeof(peer->ephemeral_private));
	peer->remote_index = get_le32(m->sender_index);
	peer->state = WG_NOISE_STATE_CONSUMED_RESPONSE;
out:
	sodium_memzero(ck, sizeof(ck));
	sodium_memzero(h, sizeof(h));
	sodium_memzero(key, sizeof(key));
	return ret;
}

/* --- Session keys --- */

/*
 * (T_send, T_recv) = KDF2(ck, empty) for the initiator, the other way
 * round for the responder. The handshake is spent afterwards: keeping its
 * chaining key would only give an attacker who reads memory later a way
 * to the session keys.
 */
int wg_noise_derive_keys(struct wg_noise_peer *peer, struct wg_noise_keys *out)
{
	memset(out, 0, sizeof(*out));
	if (peer->state == WG_NOISE_STATE_CONSUMED_RESPONSE) {
		out->initiator = true;
		kdf(out->send_key, out->recv_key, NULL, peer->chaining_key,
		    nothing, 0);
	} else if (peer->state == WG_NOISE_STATE_CREATED_RESPONSE) {
		out->initiator = false;
		kdf(out->recv_key, out->send_key, NULL, peer->chaining_key,
		    nothing, 0);
	} else {
		return -EPROTO;
	}
	out->local_index = peer->local_index;
	out->remote_index = peer->remote_index;
	handshake_wipe(peer);
	return 0;
}
