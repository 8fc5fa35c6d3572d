/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bearer tokens (API, client and gateway tokens). The text a user holds:
 *
 *   fz1_<base64url(id, 16 bytes)>_<base64url(secret, 32 bytes)>
 *
 * without padding, 70 characters; split it by position (4, 22, 1, 43),
 * never at '_', which base64url also uses. The id is a UUIDv4 and is the token's
 * primary key in the store, so lookup never depends on the secret; the
 * store keeps only hash = BLAKE2b-256("fz-token-v1" || id || secret). A
 * 256-bit random secret needs no slow KDF: guessing it is hopeless either
 * way, and a fast hash keeps every socket handshake cheap.
 *
 * Checking a presented token: core_token_parse(), look the id up, then
 * core_token_verify() against the stored hash (or against NULL when the id
 * is unknown, which costs the same and says no). Kind, account, actor and
 * expiry are the caller's to check after that: expires_at lives in the
 * token's row, not in its text, so that an admin may shorten it.
 */
#ifndef FZ_PORTAL_CORE_TOKEN_H
#define FZ_PORTAL_CORE_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CORE_TOKEN_ID_LEN 16
#define CORE_TOKEN_SECRET_LEN 32
#define CORE_TOKEN_HASH_LEN 32
#define CORE_TOKEN_PREFIX "fz1_"
/* "fz1_" + 22 + "_" + 43 characters */
#define CORE_TOKEN_TEXT_LEN 70

struct core_token {
	uint8_t id[CORE_TOKEN_ID_LEN];
	uint8_t secret[CORE_TOKEN_SECRET_LEN];
};

/* A new token: a UUIDv4 id and 32 random bytes of secret. */
void core_token_mint(struct core_token *t);

/* Its text, NUL-terminated. The caller wipes it after showing it. */
void core_token_format(char text[CORE_TOKEN_TEXT_LEN + 1],
		       const struct core_token *t);

/*
 * The text form back into id and secret: 0, or -EINVAL with *why (if not
 * NULL) saying what is wrong. Anything but the exact form is refused:
 * other prefixes, padding, white space, standard base64, wrong lengths,
 * non-canonical trailing bits. On failure t is wiped.
 */
int core_token_parse(struct core_token *t, const char *text, const char **why);

/*
 * The stored hash of id and a secret of len bytes (len is a parameter so
 * that a longer secret, e.g. a sign-in nonce followed by the secret, fits).
 */
void core_token_hash(uint8_t hash[CORE_TOKEN_HASH_LEN],
		     const uint8_t id[CORE_TOKEN_ID_LEN], const uint8_t *secret,
		     size_t len);

/*
 * Whether id and secret hash to stored, compared in constant time. stored
 * NULL (unknown id) hashes anyway and returns false, so an unknown id and
 * a wrong secret take the same time.
 */
bool core_token_verify(const uint8_t *stored,
		       const uint8_t id[CORE_TOKEN_ID_LEN],
		       const uint8_t *secret, size_t len);

/* The id as the store's 36-character UUID text. */
void core_token_id_text(char out[37], const struct core_token *t);

void core_token_wipe(struct core_token *t);

#endif /* FZ_PORTAL_CORE_TOKEN_H */
