// SPDX-License-Identifier: GPL-2.0
/*
 * Key generation and base64 coding, on top of libsodium.
 */
#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "keys.h"

/* sodium_init() is idempotent; a second call returns 1 and does nothing. */
int fz_keys_init(void)
{
	return sodium_init() < 0 ? -EIO : 0;
}

void fz_key_to_base64(char b64[FZ_KEY_B64_LEN + 1],
		      const uint8_t key[FZ_KEY_LEN])
{
	sodium_bin2base64(b64, FZ_KEY_B64_LEN + 1, key, FZ_KEY_LEN,
			  sodium_base64_VARIANT_ORIGINAL);
}

/*
 * Accept exactly the strings fz_key_to_base64() produces. libsodium already
 * refuses non-zero padding bits (a non-canonical last character); the
 * length and end checks refuse short keys and trailing garbage, so that
 * one key has one spelling, as with wg(8).
 */
int fz_key_from_base64(uint8_t key[FZ_KEY_LEN], const char *b64, size_t len)
{
	size_t bin_len = 0;
	const char *end = NULL;

	if (len != FZ_KEY_B64_LEN || b64[FZ_KEY_B64_LEN - 1] != '=')
		goto invalid;
	if (sodium_base642bin(key, FZ_KEY_LEN, b64, len, NULL, &bin_len, &end,
			      sodium_base64_VARIANT_ORIGINAL))
		goto invalid;
	if (bin_len != FZ_KEY_LEN || end != b64 + len)
		goto invalid;
	return 0;

invalid:
	sodium_memzero(key, FZ_KEY_LEN);
	return -EINVAL;
}

/* The same clamping as RFC 7748 decodeScalar25519 and `wg genkey`. */
void fz_key_clamp(uint8_t key[FZ_KEY_LEN])
{
	key[0] &= 248;
	key[31] &= 127;
	key[31] |= 64;
}

void fz_key_generate_private(uint8_t key[FZ_KEY_LEN])
{
	randombytes_buf(key, FZ_KEY_LEN);
	fz_key_clamp(key);
}

/*
 * libsodium clamps a copy of the scalar itself, so an unclamped private
 * key gives the same public key here as in wg(8).
 */
int fz_key_public_from_private(uint8_t pub[FZ_KEY_LEN],
			       const uint8_t priv[FZ_KEY_LEN])
{
	if (crypto_scalarmult_curve25519_base(pub, priv))
		return -EINVAL;
	return 0;
}

/*
 * The u-coordinates of Curve25519 and its twist whose points have small
 * order (0, 1, -1 and the two of order 8), and the spellings >= p of 0
 * and 1: X25519 with any clamped scalar gives 0 for them, and nothing
 * else does. libsodium's own list, which it does not export; the unit
 * test proves each entry against crypto_scalarmult_curve25519().
 */
static const uint8_t low_order[][FZ_KEY_LEN] = {
	{ 0 },
	{ 1 },
	{ 0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3,
	  0xfa, 0xf1, 0x9f, 0xc4, 0x6a, 0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32,
	  0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16, 0x5f, 0x49, 0xb8, 0x00 },
	{ 0x5f, 0x9c, 0x95, 0xbc, 0xa3, 0x50, 0x8c, 0x24, 0xb1, 0xd0, 0xb1,
	  0x55, 0x9c, 0x83, 0xef, 0x5b, 0x04, 0x44, 0x5c, 0xc4, 0x58, 0x1c,
	  0x8e, 0x86, 0xd8, 0x22, 0x4e, 0xdd, 0xd0, 0x9f, 0x11, 0x57 },
	{ 0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f },
	{ 0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f },
	{ 0xee, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f },
};

size_t fz_key_low_order_count(void)
{
	return sizeof(low_order) / sizeof(low_order[0]);
}

const uint8_t *fz_key_low_order_entry(size_t i)
{
	return i < fz_key_low_order_count() ? low_order[i] : NULL;
}

/* X25519 ignores the top bit of a public key (RFC 7748), so does this. */
bool fz_key_is_low_order(const uint8_t pub[FZ_KEY_LEN])
{
	uint8_t u[FZ_KEY_LEN];
	bool found = false;

	memcpy(u, pub, FZ_KEY_LEN);
	u[FZ_KEY_LEN - 1] &= 0x7f;
	/* A public key is no secret: no need for a constant-time compare. */
	for (size_t i = 0; i < fz_key_low_order_count(); i++)
		found |= !memcmp(u, low_order[i], FZ_KEY_LEN);
	return found;
}

void fz_peer_id(char out[9], const uint8_t key[FZ_KEY_LEN])
{
	char b64[FZ_KEY_B64_LEN + 1];

	fz_key_to_base64(b64, key);
	memcpy(out, b64, 8);
	out[8] = '\0';
}
