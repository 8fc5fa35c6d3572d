/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Curve25519 keys and their text form, compatible with wg(8): standard
 * base64 with padding, always 44 characters for 32 bytes.
 */
#ifndef FZ_AGENT_KEYS_H
#define FZ_AGENT_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/fz.h>

#define FZ_KEY_B64_LEN 44 /* characters, without the terminating NUL */

int fz_keys_init(void);

void fz_key_to_base64(char b64[FZ_KEY_B64_LEN + 1],
		      const uint8_t key[FZ_KEY_LEN]);
int fz_key_from_base64(uint8_t key[FZ_KEY_LEN], const char *b64, size_t len);

void fz_key_clamp(uint8_t key[FZ_KEY_LEN]);
void fz_key_generate_private(uint8_t key[FZ_KEY_LEN]);
int fz_key_public_from_private(uint8_t pub[FZ_KEY_LEN],
			       const uint8_t priv[FZ_KEY_LEN]);

/*
 * A public key of small order, whose every DH is 0: refused without the
 * cost of a DH. The list itself, for the unit test.
 */
bool fz_key_is_low_order(const uint8_t pub[FZ_KEY_LEN]);
/*
 * What the parsers say of one: such a key is refused when read, before
 * anything is configured, since the static-static DH that would find it
 * out waits for the peer's first handshake.
 */
#define FZ_KEY_LOW_ORDER_WHY \
	"a point of small order, with which no key exchange is possible"
size_t fz_key_low_order_count(void);
const uint8_t *fz_key_low_order_entry(size_t i);

/* The short id logs and messages use for a peer: 8 base64 characters. */
void fz_peer_id(char out[9], const uint8_t key[FZ_KEY_LEN]);

#endif /* FZ_AGENT_KEYS_H */
