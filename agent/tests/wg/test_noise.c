// SPDX-License-Identifier: GPL-2.0
/*
 * noise.c and tai64n.c in memory: two fz identities shake hands, and every
 * forged, replayed, flooding or out-of-order message is refused. The
 * interop test case (test_noise_interop.c) then checks the same code
 * against wireguard-go.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <blake2.h>
#include <sodium.h>

#include "lib/keys.h"
#include "wg/noise.h"
#include "../noise_interop.h"
#include "../suites.h"

#define SEC 1000000000ULL

/* Offsets inside an initiation (148 bytes). */
#define INIT_EPHEMERAL 8
#define INIT_STATIC 40
#define INIT_TIMESTAMP 88
#define INIT_MAC1 116
#define INIT_MAC2 132
/* Offsets inside a response (92 bytes). */
#define RESP_EMPTY 44
#define RESP_MAC1 60

static uint64_t fake_monotonic, fake_unix;

static uint64_t fake_monotonic_ns(void)
{
	return fake_monotonic;
}

static uint64_t fake_unix_ns(void)
{
	return fake_unix;
}

static const struct wg_noise_clock fake_clock = {
	.monotonic_ns = fake_monotonic_ns,
	.unix_ns = fake_unix_ns,
};

/* Time passes on both clocks, as it does outside tests. */
static void advance(uint64_t ns)
{
	fake_monotonic += ns;
	fake_unix += ns;
}

/* Initiator i and responder r, each with the other as its peer. */
struct pair {
	struct wg_noise_local i, r;
	struct wg_noise_peer r_at_i; /* the responder, as i knows it */
	struct wg_noise_peer i_at_r; /* the initiator, as r knows it */
};

static struct pair p;

static void new_local(struct wg_noise_local *local)
{
	uint8_t priv[WG_NOISE_KEY_LEN];

	fz_key_generate_private(priv);
	ck_assert_int_eq(wg_noise_local_init(local, priv), 0);
	sodium_memzero(priv, sizeof(priv));
}

static void new_pair(const uint8_t *psk_i, const uint8_t *psk_r)
{
	new_local(&p.i);
	new_local(&p.r);
	ck_assert_int_eq(
		wg_noise_peer_init(&p.i, &p.r_at_i, p.r.public_key, psk_i), 0);
	ck_assert_int_eq(
		wg_noise_peer_init(&p.r, &p.i_at_r, p.i.public_key, psk_r), 0);
}

static void setup(void)
{
	ck_assert_int_eq(fz_keys_init(), 0);
	fake_monotonic = 1000 * SEC;
	fake_unix = 1700000000 * SEC;
	wg_noise_set_clock(&fake_clock);
	new_pair(NULL, NULL);
}

static void teardown(void)
{
	wg_noise_set_clock(NULL);
}

/* The responder's peer table: it knows only p.i. */
static struct wg_noise_peer *lookup(void *ctx,
				    const uint8_t key[WG_NOISE_KEY_LEN])
{
	struct pair *pr = ctx;

	if (memcmp(key, pr->i.public_key, WG_NOISE_KEY_LEN))
		return NULL;
	return &pr->i_at_r;
}

static int consume_init(const uint8_t *msg)
{
	struct wg_noise_peer *peer = (void *)1;
	int ret = wg_noise_consume_initiation(
		&p.r, msg, WG_NOISE_INITIATION_LEN, lookup, &p, &peer);

	ck_assert_ptr_eq(peer, ret ? NULL : &p.i_at_r);
	return ret;
}

static uint32_t get_le32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

static bool all_zero(const void *buf, size_t len)
{
	return sodium_is_zero(buf, len);
}

/* A whole handshake; both sides' keys are returned. */
static void handshake(struct wg_noise_keys *ki, struct wg_noise_keys *kr)
{
	uint8_t init[WG_NOISE_INITIATION_LEN], resp[WG_NOISE_RESPONSE_LEN];

	ck_assert_int_eq(wg_noise_create_initiation(&p.i, &p.r_at_i, 0x11223344,
						    init),
			 0);
	ck_assert_int_eq(consume_init(init), 0);
	ck_assert_int_eq(
		wg_noise_create_response(&p.r, &p.i_at_r, 0x55667788, resp), 0);
	ck_assert_int_eq(wg_noise_consume_response(&p.i, &p.r_at_i, resp,
						   sizeof(resp)),
			 0);
	ck_assert_int_eq(wg_noise_derive_keys(&p.r_at_i, ki), 0);
	ck_assert_int_eq(wg_noise_derive_keys(&p.i_at_r, kr), 0);
}

START_TEST(test_hmac_blake2s_vectors)
{
	/* From Python: hmac.new(key, msg, hashlib.blake2s).hexdigest(). */
	static const struct {
		size_t key_len;
		const char *msg;
		const char *hex;
	} v[] = {
		{ 32, "WireGuard v1 zx2c4 Jason@zx2c4.com",
		  "b9f2e5767a6cdfa821d56eb9a1d60bd7604e1f6eaa167773dd4580ccb475d570" },
		{ 0, "",
		  "eaf4bb25938f4d20e72656bbbc7a9bf63c0c18537333c35bdb67db1402661acd" },
		{ 100, "a key longer than one block is hashed first",
		  "cd45f16a6a0acd8e8205ca46b99c2189fa7098cffbec4b3e3d58270c3a0ddadf" },
		{ 64, "exactly one block",
		  "d4c19d6eaf6066fb1b79a80e9f575fd81ca18103c0886c4680346c9e9879d16c" },
	};
	uint8_t key[100], out[WG_NOISE_HASH_LEN], want[WG_NOISE_HASH_LEN];

	for (size_t k = 0; k < sizeof(key); k++)
		key[k] = (uint8_t)k;
	for (size_t n = 0; n < sizeof(v) / sizeof(v[0]); n++) {
		ck_assert_int_eq(sodium_hex2bin(want, sizeof(want), v[n].hex,
						64, NULL, NULL, NULL),
				 0);
		wg_noise_hmac(out, key, v[n].key_len, (const uint8_t *)v[n].msg,
			      strlen(v[n].msg));
		ck_assert_mem_eq(out, want, sizeof(want));
	}
}
END_TEST

START_TEST(test_handshake_keys_match)
{
	struct wg_noise_keys ki, kr;

	handshake(&ki, &kr);
	ck_assert(ki.initiator);
	ck_assert(!kr.initiator);
	ck_assert_mem_eq(ki.send_key, kr.recv_key, WG_NOISE_KEY_LEN);
	ck_assert_mem_eq(ki.recv_key, kr.send_key, WG_NOISE_KEY_LEN);
	ck_assert_mem_ne(ki.send_key, ki.recv_key, WG_NOISE_KEY_LEN);
	ck_assert_uint_eq(ki.local_index, 0x11223344);
	ck_assert_uint_eq(ki.remote_index, 0x55667788);
	ck_assert_uint_eq(kr.local_index, 0x55667788);
	ck_assert_uint_eq(kr.remote_index, 0x11223344);
}
END_TEST

START_TEST(test_handshake_with_psk)
{
	uint8_t psk[WG_NOISE_KEY_LEN];
	struct wg_noise_keys ki, kr;

	randombytes_buf(psk, sizeof(psk));
	ck_assert_int_eq(
		wg_noise_peer_init(&p.i, &p.r_at_i, p.r.public_key, psk), 0);
	ck_assert_int_eq(
		wg_noise_peer_init(&p.r, &p.i_at_r, p.i.public_key, psk), 0);
	handshake(&ki, &kr);
	ck_assert_mem_eq(ki.send_key, kr.recv_key, WG_NOISE_KEY_LEN);
	ck_assert_mem_eq(ki.recv_key, kr.send_key, WG_NOISE_KEY_LEN);
}
END_TEST

START_TEST(test_message_layout)
{
	uint8_t init[WG_NOISE_INITIATION_LEN], resp[WG_NOISE_RESPONSE_LEN];

	ck_assert_int_eq(wg_noise_create_initiation(&p.i, &p.r_at_i, 0xa1b2c3d4,
						    init),
			 0);
	ck_assert_uint_eq(get_le32(init), 1); /* reserved bytes zero */
	ck_assert_uint_eq(get_le32(init + 4), 0xa1b2c3d4);
	ck_assert(all_zero(init + INIT_MAC2, WG_NOISE_MAC_LEN)); /* no cookie */
	ck_assert_int_eq(p.r_at_i.state, WG_NOISE_STATE_CREATED_INITIATION);
	ck_assert_int_eq(consume_init(init), 0);
	ck_assert_int_eq(p.i_at_r.state, WG_NOISE_STATE_CONSUMED_INITIATION);
	ck_assert_int_eq(
		wg_noise_create_response(&p.r, &p.i_at_r, 0x01020304, resp), 0);
	ck_assert_uint_eq(get_le32(resp), 2);
	ck_assert_uint_eq(get_le32(resp + 4), 0x01020304);
	ck_assert_uint_eq(get_le32(resp + 8), 0xa1b2c3d4);
	ck_assert(all_zero(resp + RESP_MAC1 + WG_NOISE_MAC_LEN,
			   WG_NOISE_MAC_LEN));
	ck_assert_int_eq(p.i_at_r.state, WG_NOISE_STATE_CREATED_RESPONSE);
}
END_TEST

/* The handshake is spent once keys are out: nothing of it stays. */
START_TEST(test_derive_wipes_handshake)
{
	struct wg_noise_keys ki, kr;

	handshake(&ki, &kr);
	ck_assert_int_eq(p.r_at_i.state, WG_NOISE_STATE_ZEROED);
	ck_assert(all_zero(p.r_at_i.chaining_key, WG_NOISE_HASH_LEN));
	ck_assert(all_zero(p.r_at_i.hash, WG_NOISE_HASH_LEN));
	ck_assert(all_zero(p.r_at_i.ephemeral_private, WG_NOISE_KEY_LEN));
	ck_assert(all_zero(p.i_at_r.chaining_key, WG_NOISE_HASH_LEN));
	ck_assert(all_zero(p.i_at_r.remote_ephemeral, WG_NOISE_KEY_LEN));
	ck_assert_int_eq(wg_noise_derive_keys(&p.r_at_i, &ki), -EPROTO);
	ck_assert_int_eq(wg_noise_derive_keys(&p.i_at_r, &kr), -EPROTO);
	/* The replay state outlives the handshake. */
	ck_assert(!all_zero(p.i_at_r.latest_timestamp, WG_TAI64N_LEN));
}
END_TEST

START_TEST(test_mac1)
{
	uint8_t init[WG_NOISE_INITIATION_LEN], resp[WG_NOISE_RESPONSE_LEN];

	ck_assert_int_eq(wg_noise_create_initiation(&p.i, &p.r_at_i, 1, init),
			 0);
	ck_assert(wg_noise_mac1_valid(&p.r, init, sizeof(init)));
	ck_assert(!wg_noise_mac1_valid(&p.i, init, sizeof(init)));
	ck_assert(!wg_noise_mac1_valid(&p.r, init, sizeof(init) - 1));
	for (size_t bit = 0; bit < INIT_MAC2 * 8; bit += 37) {
		init[bit / 8] ^= 1 << (bit % 8);
		ck_assert(!wg_noise_mac1_valid(&p.r, init, sizeof(init)));
		init[bit / 8] ^= 1 << (bit % 8);
	}
	/* mac2 is not covered by mac1. */
	init[INIT_MAC2] ^= 1;
	ck_assert(wg_noise_mac1_valid(&p.r, init, sizeof(init)));
	init[INIT_MAC2] ^= 1;

	ck_assert_int_eq(consume_init(init), 0);
	ck_assert_int_eq(wg_noise_create_response(&p.r, &p.i_at_r, 2, resp), 0);
	ck_assert(wg_noise_mac1_valid(&p.i, resp, sizeof(resp)));
	resp[RESP_MAC1 - 1] ^= 0x80;
	ck_assert(!wg_noise_mac1_valid(&p.i, resp, sizeof(resp)));
}
END_TEST

START_TEST(test_replay_rejected)
{
	uint8_t init[WG_NOISE_INITIATION_LEN];

	ck_assert_int_eq(wg_noise_create_initiation(&p.i, &p.r_at_i, 1, init),
			 0);
	ck_assert_int_eq(consume_init(init), 0);
	advance(SEC);
	ck_assert_int_eq(consume_init(init), -EALREADY);
}
END_TEST

START_TEST(test_older_timestamp_rejected)
{
	uint8_t old[WG_NOISE_INITIATION_LEN], cur[WG_NOISE_INITIATION_LEN];
	uint8_t same[WG_NOISE_INITIATION_LEN];

	ck_assert_int_eq(wg_noise_create_initiation(&p.i, &p.r_at_i, 1, old),
			 0);
	advance(SEC);
	ck_assert_int_eq(wg_noise_create_initiation(&p.i, &p.r_at_i, 2, cur),
			 0);
	/* Same 2^24 ns slot: the same label, so not newer. */
	fake_unix += 1000;
	ck_assert_int_eq(wg_noise_create_initiation(&p.i, &p.r_at_i, 3, same),
			 0);
	ck_assert_int_eq(consume_init(cur), 0);
	advance(SEC);
	ck_assert_int_eq(consume_init(old), -EALREADY);
	ck_assert_int_eq(consume_init(same), -EALREADY);
}
END_TEST

START_TEST(test_flood_rejected)
{
	uint8_t a[WG_NOISE_INITIATION_LEN], b[WG_NOISE_INITIATION_LEN];
	uint8_t c[WG_NOISE_INITIATION_LEN];

	ck_assert_int_eq(wg_noise_create_initiation(&p.i, &p.r_at_i, 1, a), 0);
	fake_unix += SEC; /* newer timestamps, no time on the responder */
	ck_assert_int_eq(wg_noise_create_initiation(&p.i, &p.r_at_i, 2, b), 0);
	fake_unix += SEC;
	ck_assert_int_eq(wg_noise_create_initiation(&p.i, &p.r_at_i, 3, c), 0);
	ck_assert_int_eq(consume_init(a), 0);
	fake_monotonic += SEC / 50 - 1;
	ck_assert_int_eq(consume_init(b), -EBUSY);
	fake_monotonic += 1;
	ck_assert_int_eq(consume_init(c), 0);
	ck_assert_uint_eq(p.i_at_r.remote_index, 3);
}
END_TEST

/* Flip one bit in each field the AEADs or DHs cover. */
START_TEST(test_tampered_initiation_rejected)
{
	static const size_t offsets[] = { INIT_EPHEMERAL, INIT_EPHEMERAL + 31,
					  INIT_STATIC,	  INIT_STATIC + 47,
					  INIT_TIMESTAMP, INIT_TIMESTAMP + 27 };
	uint8_t init[WG_NOISE_INITIATION_LEN];
	struct wg_noise_peer *peer;

	ck_assert_int_eq(wg_noise_create_initiation(&p.i, &p.r_at_i, 1, init),
			 0);
	for (size_t n = 0; n < sizeof(offsets) / sizeof(offsets[0]); n++) {
		init[offsets[n]] ^= 0x04;
		ck_assert_int_eq(consume_init(init), -EBADMSG);
		init[offsets[n]] ^= 0x04;
	}
	ck_assert_int_eq(p.i_at_r.state, WG_NOISE_STATE_ZEROED);
	ck_assert(all_zero(p.i_at_r.latest_timestamp, WG_TAI64N_LEN));
	init[1] = 1; /* the reserved bytes must be zero */
	ck_assert_int_eq(consume_init(init), -EINVAL);
	init[1] = 0;
	ck_assert_int_eq(wg_noise_consume_initiation(&p.r, init,
						     sizeof(init) - 1, lookup,
						     &p, &peer),
			 -EINVAL);
	ck_assert_ptr_null(peer);
	ck_assert_int_eq(consume_init(init), 0);
}
END_TEST

START_TEST(test_initiation_for_other_responder_rejected)
{
	struct wg_noise_local other;
	struct wg_noise_peer other_at_i;
	uint8_t init[WG_NOISE_INITIATION_LEN];

	new_local(&other);
	ck_assert_int_eq(wg_noise_peer_init(&p.i, &other_at_i, other.public_key,
					    NULL),
			 0);
	ck_assert_int_eq(wg_noise_create_initiation(&p.i, &other_at_i, 1, init),
			 0);
	ck_assert_int_eq(consume_init(init), -EBADMSG);
}
END_TEST

START_TEST(test_unknown_initiator_rejected)
{
	struct wg_noise_local stranger;
	struct wg_noise_peer r_at_stranger;
	uint8_t init[WG_NOISE_INITIATION_LEN];

	new_local(&stranger);
	ck_assert_int_eq(wg_noise_peer_init(&stranger, &r_at_stranger,
					    p.r.public_key, NULL),
			 0);
	ck_assert_int_eq(wg_noise_create_initiation(&stranger, &r_at_stranger,
						    1, init),
			 0);
	ck_assert_int_eq(consume_init(init), -ENOENT);
}
END_TEST

START_TEST(test_response_state_checked)
{
	uint8_t init[WG_NOISE_INITIATION_LEN], resp[WG_NOISE_RESPONSE_LEN];
	struct wg_noise_keys keys;

	/* No initiation consumed: nothing to respond to. */
	ck_assert_int_eq(wg_noise_create_response(&p.r, &p.i_at_r, 2, resp),
			 -EPROTO);
	ck_assert_int_eq(wg_noise_create_initiation(&p.i, &p.r_at_i, 1, init),
			 0);
	ck_assert_int_eq(consume_init(init), 0);
	ck_assert_int_eq(wg_noise_create_response(&p.r, &p.i_at_r, 2, resp), 0);

	/* The responder's own peer has sent a response, not an initiation. */
	ck_assert_int_eq(wg_noise_consume_response(&p.r, &p.i_at_r, resp,
						   sizeof(resp)),
			 -EPROTO);
	ck_assert_int_eq(wg_noise_consume_response(&p.i, &p.r_at_i, resp,
						   sizeof(resp)),
			 0);
	/* Twice: the initiator is no longer waiting for a response. */
	ck_assert_int_eq(wg_noise_consume_response(&p.i, &p.r_at_i, resp,
						   sizeof(resp)),
			 -EPROTO);
	ck_assert_int_eq(wg_noise_derive_keys(&p.r_at_i, &keys), 0);
	ck_assert_int_eq(wg_noise_consume_response(&p.i, &p.r_at_i, resp,
						   sizeof(resp)),
			 -EPROTO);
}
END_TEST

START_TEST(test_tampered_response_rejected)
{
	uint8_t init[WG_NOISE_INITIATION_LEN], resp[WG_NOISE_RESPONSE_LEN];
	static const size_t offsets[] = { 12, 12 + 31, RESP_EMPTY,
					  RESP_EMPTY + 15 };

	ck_assert_int_eq(wg_noise_create_initiation(&p.i, &p.r_at_i, 1, init),
			 0);
	ck_assert_int_eq(consume_init(init), 0);
	ck_assert_int_eq(wg_noise_create_response(&p.r, &p.i_at_r, 2, resp), 0);
	for (size_t n = 0; n < sizeof(offsets) / sizeof(offsets[0]); n++) {
		resp[offsets[n]] ^= 0x10;
		ck_assert_int_eq(wg_noise_consume_response(&p.i, &p.r_at_i,
							   resp, sizeof(resp)),
				 -EBADMSG);
		resp[offsets[n]] ^= 0x10;
	}
	resp[8] ^= 1; /* receiver index: another handshake's */
	ck_assert_int_eq(wg_noise_consume_response(&p.i, &p.r_at_i, resp,
						   sizeof(resp)),
			 -ENOENT);
	resp[8] ^= 1;
	/* Failures left the handshake intact: the real response works. */
	ck_assert_int_eq(p.r_at_i.state, WG_NOISE_STATE_CREATED_INITIATION);
	ck_assert_int_eq(wg_noise_consume_response(&p.i, &p.r_at_i, resp,
						   sizeof(resp)),
			 0);
}
END_TEST

START_TEST(test_psk_mismatch_fails_response)
{
	uint8_t psk_i[WG_NOISE_KEY_LEN], psk_r[WG_NOISE_KEY_LEN];
	uint8_t init[WG_NOISE_INITIATION_LEN], resp[WG_NOISE_RESPONSE_LEN];

	randombytes_buf(psk_i, sizeof(psk_i));
	memcpy(psk_r, psk_i, sizeof(psk_r));
	psk_r[0] ^= 1;
	new_pair(psk_i, psk_r);
	ck_assert_int_eq(wg_noise_create_initiation(&p.i, &p.r_at_i, 1, init),
			 0);
	/* The PSK enters only at the response. */
	ck_assert_int_eq(consume_init(init), 0);
	ck_assert_int_eq(wg_noise_create_response(&p.r, &p.i_at_r, 2, resp), 0);
	ck_assert_int_eq(wg_noise_consume_response(&p.i, &p.r_at_i, resp,
						   sizeof(resp)),
			 -EBADMSG);
}
END_TEST

START_TEST(test_low_order_keys_refused)
{
	/* 0 and 1 are points of low order on Curve25519. */
	uint8_t zero[WG_NOISE_KEY_LEN] = { 0 }, one[WG_NOISE_KEY_LEN] = { 1 };
	uint8_t init[WG_NOISE_INITIATION_LEN];
	struct wg_noise_peer bad;

	ck_assert_int_eq(wg_noise_peer_init(&p.i, &bad, zero, NULL), -EINVAL);
	ck_assert_int_eq(wg_noise_peer_init(&p.i, &bad, one, NULL), -EINVAL);
	ck_assert(all_zero(&bad, sizeof(bad)));

	ck_assert_int_eq(wg_noise_create_initiation(&p.i, &p.r_at_i, 1, init),
			 0);
	memcpy(init + INIT_EPHEMERAL, one, sizeof(one));
	ck_assert_int_eq(consume_init(init), -EBADMSG);
}
END_TEST

/* A cookie reply as a responder under load (fz.ko) would build it. */
static void make_cookie_reply(uint8_t out[WG_NOISE_COOKIE_REPLY_LEN],
			      const struct wg_noise_local *responder,
			      uint32_t receiver, const uint8_t *mac1,
			      const uint8_t cookie[WG_NOISE_COOKIE_LEN])
{
	memset(out, 0, WG_NOISE_COOKIE_REPLY_LEN);
	out[0] = WG_NOISE_MSG_COOKIE_REPLY;
	for (int b = 0; b < 4; b++)
		out[4 + b] = (uint8_t)(receiver >> (8 * b));
	randombytes_buf(out + 8, WG_NOISE_COOKIE_NONCE_LEN);
	crypto_aead_xchacha20poly1305_ietf_encrypt(
		out + 32, NULL, cookie, WG_NOISE_COOKIE_LEN, mac1,
		WG_NOISE_MAC_LEN, NULL, out + 8, responder->cookie_key);
}

static void expect_mac2(const uint8_t *msg, size_t len,
			const uint8_t cookie[WG_NOISE_COOKIE_LEN])
{
	uint8_t want[WG_NOISE_MAC_LEN];

	blake2s(want, msg, cookie, sizeof(want), len - WG_NOISE_MAC_LEN,
		WG_NOISE_COOKIE_LEN);
	ck_assert_mem_eq(msg + len - WG_NOISE_MAC_LEN, want, sizeof(want));
}

/*
 * Every entry of the low-order list makes libsodium's DH fail (so the list
 * holds only keys the DH would refuse), top bit set or not, and peer_init
 * refuses it without a DH; a random key is accepted.
 */
START_TEST(test_low_order_list_matches_libsodium)
{
	uint8_t priv[WG_NOISE_KEY_LEN], dh[WG_NOISE_KEY_LEN];
	uint8_t key[WG_NOISE_KEY_LEN];
	struct wg_noise_peer peer;

	ck_assert_uint_eq(fz_key_low_order_count(), 7);
	ck_assert_ptr_null(fz_key_low_order_entry(7));
	for (size_t i = 0; i < fz_key_low_order_count(); i++) {
		memcpy(key, fz_key_low_order_entry(i), sizeof(key));
		for (int top = 0; top < 2; top++) {
			key[31] = (uint8_t)((key[31] & 0x7f) | (top << 7));
			fz_key_generate_private(priv);
			ck_assert_int_eq(crypto_scalarmult_curve25519(dh, priv,
								      key),
					 -1);
			ck_assert(fz_key_is_low_order(key));
			ck_assert_int_eq(wg_noise_peer_init(&p.i, &peer, key,
							    NULL),
					 -EINVAL);
		}
	}
	fz_key_generate_private(priv);
	ck_assert_int_eq(fz_key_public_from_private(key, priv), 0);
	ck_assert(!fz_key_is_low_order(key));
}
END_TEST

/* The static-static DH waits for the first handshake, then is kept. */
START_TEST(test_static_static_at_first_handshake)
{
	uint8_t init[WG_NOISE_INITIATION_LEN], ss[WG_NOISE_KEY_LEN];

	ck_assert(!p.r_at_i.have_static_static);
	ck_assert(all_zero(p.r_at_i.static_static, WG_NOISE_KEY_LEN));
	ck_assert(!p.i_at_r.have_static_static);
	ck_assert_int_eq(wg_noise_create_initiation(&p.i, &p.r_at_i, 1, init),
			 0);
	ck_assert(p.r_at_i.have_static_static);
	ck_assert_int_eq(consume_init(init), 0);
	ck_assert(p.i_at_r.have_static_static);
	ck_assert_int_eq(crypto_scalarmult_curve25519(ss, p.i.private_key,
						      p.r.public_key),
			 0);
	ck_assert_mem_eq(p.r_at_i.static_static, ss, sizeof(ss));
	ck_assert_mem_eq(p.i_at_r.static_static, ss, sizeof(ss));
}
END_TEST

START_TEST(test_cookie_gives_mac2)
{
	uint8_t init[WG_NOISE_INITIATION_LEN], next[WG_NOISE_INITIATION_LEN];
	uint8_t reply[WG_NOISE_COOKIE_REPLY_LEN], cookie[WG_NOISE_COOKIE_LEN];

	randombytes_buf(cookie, sizeof(cookie));
	ck_assert_int_eq(wg_noise_create_initiation(&p.i, &p.r_at_i, 7, init),
			 0);
	make_cookie_reply(reply, &p.r, 7, init + INIT_MAC1, cookie);
	ck_assert_int_eq(wg_noise_consume_cookie_reply(&p.r_at_i, reply,
						       sizeof(reply)),
			 0);
	ck_assert_mem_eq(p.r_at_i.cookie.value, cookie, sizeof(cookie));

	advance(5 * SEC);
	ck_assert_int_eq(wg_noise_create_initiation(&p.i, &p.r_at_i, 8, next),
			 0);
	expect_mac2(next, sizeof(next), cookie);
	ck_assert(wg_noise_mac1_valid(&p.r, next, sizeof(next)));
	ck_assert_int_eq(consume_init(next), 0);
}
END_TEST

/* Responses carry mac2 too: a busy initiator may send a cookie reply. */
START_TEST(test_cookie_for_response)
{
	uint8_t init[WG_NOISE_INITIATION_LEN], resp[WG_NOISE_RESPONSE_LEN];
	uint8_t reply[WG_NOISE_COOKIE_REPLY_LEN], cookie[WG_NOISE_COOKIE_LEN];

	randombytes_buf(cookie, sizeof(cookie));
	ck_assert_int_eq(wg_noise_create_initiation(&p.i, &p.r_at_i, 1, init),
			 0);
	ck_assert_int_eq(consume_init(init), 0);
	ck_assert_int_eq(wg_noise_create_response(&p.r, &p.i_at_r, 2, resp), 0);
	make_cookie_reply(reply, &p.i, 2, resp + RESP_MAC1, cookie);
	ck_assert_int_eq(wg_noise_consume_cookie_reply(&p.i_at_r, reply,
						       sizeof(reply)),
			 0);

	advance(SEC);
	ck_assert_int_eq(wg_noise_create_initiation(&p.i, &p.r_at_i, 3, init),
			 0);
	ck_assert_int_eq(consume_init(init), 0);
	ck_assert_int_eq(wg_noise_create_response(&p.r, &p.i_at_r, 4, resp), 0);
	expect_mac2(resp, sizeof(resp), cookie);
	ck_assert(wg_noise_mac1_valid(&p.i, resp, sizeof(resp)));
	ck_assert_int_eq(wg_noise_consume_response(&p.i, &p.r_at_i, resp,
						   sizeof(resp)),
			 0);
}
END_TEST

START_TEST(test_cookie_expires)
{
	uint8_t init[WG_NOISE_INITIATION_LEN];
	uint8_t reply[WG_NOISE_COOKIE_REPLY_LEN], cookie[WG_NOISE_COOKIE_LEN];

	randombytes_buf(cookie, sizeof(cookie));
	ck_assert_int_eq(wg_noise_create_initiation(&p.i, &p.r_at_i, 1, init),
			 0);
	make_cookie_reply(reply, &p.r, 1, init + INIT_MAC1, cookie);
	ck_assert_int_eq(wg_noise_consume_cookie_reply(&p.r_at_i, reply,
						       sizeof(reply)),
			 0);
	advance(120 * SEC - 1);
	ck_assert_int_eq(wg_noise_create_initiation(&p.i, &p.r_at_i, 2, init),
			 0);
	expect_mac2(init, sizeof(init), cookie);
	advance(1);
	ck_assert_int_eq(wg_noise_create_initiation(&p.i, &p.r_at_i, 3, init),
			 0);
	ck_assert(all_zero(init + INIT_MAC2, WG_NOISE_MAC_LEN));
}
END_TEST

START_TEST(test_cookie_reply_checked)
{
	uint8_t init[WG_NOISE_INITIATION_LEN], next[WG_NOISE_INITIATION_LEN];
	uint8_t reply[WG_NOISE_COOKIE_REPLY_LEN], cookie[WG_NOISE_COOKIE_LEN];

	randombytes_buf(cookie, sizeof(cookie));
	/* Nothing sent yet: nothing a cookie could answer. */
	make_cookie_reply(reply, &p.r, 1, cookie, cookie);
	ck_assert_int_eq(wg_noise_consume_cookie_reply(&p.r_at_i, reply,
						       sizeof(reply)),
			 -EPROTO);

	ck_assert_int_eq(wg_noise_create_initiation(&p.i, &p.r_at_i, 1, init),
			 0);
	ck_assert_int_eq(wg_noise_create_initiation(&p.i, &p.r_at_i, 2, next),
			 0);
	/* For the previous initiation: the AAD is no longer our last mac1. */
	make_cookie_reply(reply, &p.r, 1, init + INIT_MAC1, cookie);
	ck_assert_int_eq(wg_noise_consume_cookie_reply(&p.r_at_i, reply,
						       sizeof(reply)),
			 -EBADMSG);
	/* Encrypted for another responder's key. */
	make_cookie_reply(reply, &p.i, 2, next + INIT_MAC1, cookie);
	ck_assert_int_eq(wg_noise_consume_cookie_reply(&p.r_at_i, reply,
						       sizeof(reply)),
			 -EBADMSG);
	make_cookie_reply(reply, &p.r, 2, next + INIT_MAC1, cookie);
	reply[40] ^= 1;
	ck_assert_int_eq(wg_noise_consume_cookie_reply(&p.r_at_i, reply,
						       sizeof(reply)),
			 -EBADMSG);
	ck_assert_int_eq(wg_noise_consume_cookie_reply(&p.r_at_i, reply,
						       sizeof(reply) - 1),
			 -EINVAL);
	ck_assert(!p.r_at_i.cookie.valid);
	reply[40] ^= 1;
	ck_assert_int_eq(wg_noise_consume_cookie_reply(&p.r_at_i, reply,
						       sizeof(reply)),
			 0);
	/* One reply per message sent. */
	ck_assert_int_eq(wg_noise_consume_cookie_reply(&p.r_at_i, reply,
						       sizeof(reply)),
			 -EPROTO);
}
END_TEST

START_TEST(test_tai64n_encoding)
{
	static const uint8_t epoch[WG_TAI64N_LEN] = { 0x40, 0,	  0, 0, 0, 0,
						      0,    0x0a, 0, 0, 0, 0 };
	static const uint8_t want[WG_TAI64N_LEN] = { 0x40, 0x00, 0x00, 0x00,
						     0x65, 0x53, 0xf1, 0x0a,
						     0x07, 0x5b, 0xcd, 0x15 };
	uint8_t t[WG_TAI64N_LEN];

	wg_tai64n_encode(t, 0, 0);
	ck_assert_mem_eq(t, epoch, sizeof(t));
	wg_tai64n_encode(t, 1700000000, 123456789);
	ck_assert_mem_eq(t, want, sizeof(t));
	/* Coarse: 123456789 ns rounds down to 7 * 2^24 = 117440512. */
	wg_tai64n_from_unix_ns(t, 1700000000 * SEC + 123456789);
	ck_assert_mem_eq(t, want, 8);
	ck_assert_uint_eq((uint32_t)t[8] << 24 | t[9] << 16 | t[10] << 8 |
				  t[11],
			  117440512);
}
END_TEST

START_TEST(test_tai64n_ordering)
{
	uint8_t a[WG_TAI64N_LEN], b[WG_TAI64N_LEN], now[WG_TAI64N_LEN];
	uint32_t nsec;

	wg_tai64n_encode(a, 1700000000, 999999999);
	wg_tai64n_encode(b, 1700000001, 0);
	ck_assert(wg_tai64n_after(b, a));
	ck_assert(!wg_tai64n_after(a, b));
	ck_assert(!wg_tai64n_after(a, a));
	wg_tai64n_encode(b, 1700000000, 1000000);
	wg_tai64n_encode(a, 1700000000, 999999);
	ck_assert(wg_tai64n_after(b, a));
	/* 255 s and 256 s: a carry into the next byte still orders. */
	wg_tai64n_encode(a, 255, 0);
	wg_tai64n_encode(b, 256, 0);
	ck_assert(wg_tai64n_after(b, a));

	wg_tai64n_encode(a, (uint64_t)time(NULL) - 1, 0);
	wg_tai64n_now(now);
	wg_tai64n_encode(b, (uint64_t)time(NULL) + 2, 0);
	ck_assert(wg_tai64n_after(now, a));
	ck_assert(wg_tai64n_after(b, now));
	nsec = (uint32_t)now[8] << 24 | now[9] << 16 | now[10] << 8 | now[11];
	ck_assert_uint_eq(nsec % WG_TAI64N_GRANULARITY_NS, 0);
	ck_assert_uint_lt(nsec, 1000000000);
}
END_TEST

Suite *noise_suite(void)
{
	Suite *s = suite_create("noise");
	TCase *tc = tcase_create("noise");
	TCase *tai = tcase_create("tai64n");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_hmac_blake2s_vectors);
	tcase_add_test(tc, test_handshake_keys_match);
	tcase_add_test(tc, test_handshake_with_psk);
	tcase_add_test(tc, test_message_layout);
	tcase_add_test(tc, test_derive_wipes_handshake);
	tcase_add_test(tc, test_mac1);
	tcase_add_test(tc, test_replay_rejected);
	tcase_add_test(tc, test_older_timestamp_rejected);
	tcase_add_test(tc, test_flood_rejected);
	tcase_add_test(tc, test_tampered_initiation_rejected);
	tcase_add_test(tc, test_initiation_for_other_responder_rejected);
	tcase_add_test(tc, test_unknown_initiator_rejected);
	tcase_add_test(tc, test_response_state_checked);
	tcase_add_test(tc, test_tampered_response_rejected);
	tcase_add_test(tc, test_psk_mismatch_fails_response);
	tcase_add_test(tc, test_low_order_keys_refused);
	tcase_add_test(tc, test_low_order_list_matches_libsodium);
	tcase_add_test(tc, test_static_static_at_first_handshake);
	tcase_add_test(tc, test_cookie_gives_mac2);
	tcase_add_test(tc, test_cookie_for_response);
	tcase_add_test(tc, test_cookie_expires);
	tcase_add_test(tc, test_cookie_reply_checked);
	suite_add_tcase(s, tc);

	tcase_add_test(tai, test_tai64n_encoding);
	tcase_add_test(tai, test_tai64n_ordering);
	suite_add_tcase(s, tai);

	suite_add_tcase(s, noise_interop_tcase());
	return s;
}
