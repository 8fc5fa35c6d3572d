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

void fz_peer_id(char out[9], const uint8_t key[FZ_KEY_LEN])
{
	char b64[FZ_KEY_B64_LEN + 1];

	fz_key_to_base64(b64, key);
	memcpy(out, b64, 8);
	out[8] = '\0';
}
