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
/*
 * A signed-in client's token (portal/SIGNIN.md): NONCE || fz1_ID_SECRET,
 * the nonce 32 bytes as 43 characters of base64url without padding. The
 * nonce is the agent's own and never leaves it but in this text: the
 * sign-in URL carries only its SHA-256. The fz1_ part (the "fragment")
 * is what the portal hands back through the browser. The stored hash
 * covers SHA-256(nonce) || secret, so neither URL, nor both together,
 * can be used as the token; an fz1_ text alone never matches a signed-in
 * row, and a nonce in front of a plain token's text never matches its.
 */
#define CORE_TOKEN_NONCE_LEN 32
#define CORE_TOKEN_NONCE_TEXT_LEN 43
#define CORE_TOKEN_SIGNIN_TEXT_LEN \
	(CORE_TOKEN_NONCE_TEXT_LEN + CORE_TOKEN_TEXT_LEN)

struct core_token {
	uint8_t id[CORE_TOKEN_ID_LEN];
	uint8_t secret[CORE_TOKEN_SECRET_LEN];
	uint8_t nonce[CORE_TOKEN_NONCE_LEN]; /* parsed: the agent's */
	uint8_t nonce_hash[CORE_TOKEN_NONCE_LEN]; /* its SHA-256: hashed */
	bool has_nonce; /* the 113-character form */
};

/* A new token: a UUIDv4 id and 32 random bytes of secret. */
void core_token_mint(struct core_token *t);

/*
 * A new signed-in token: core_token_mint() bound to the SHA-256 of the
 * agent's nonce, as the sign-in URL gives it (43 characters of canonical
 * base64url). 0, or -EINVAL (t wiped) when it is not exactly that. The
 * nonce itself stays unknown (zero): core_token_format_signin() of such
 * a token is for tests that fill t->nonce themselves.
 */
int core_token_mint_signin(struct core_token *t, const char *nonce_text);

/*
 * Its fz1_ text, NUL-terminated: the whole token, or a signed-in token's
 * fragment (without the nonce). The caller wipes it after showing it.
 */
void core_token_format(char text[CORE_TOKEN_TEXT_LEN + 1],
		       const struct core_token *t);
/* A signed-in token's whole text, NONCE || fz1_...; for tests and agents. */
void core_token_format_signin(char text[CORE_TOKEN_SIGNIN_TEXT_LEN + 1],
			      const struct core_token *t);

/*
 * The text form back into id and secret (and the nonce, has_nonce set,
 * for the 113-character form; told apart by length alone): 0, or -EINVAL
 * with *why (if not NULL) saying what is wrong. Anything but the exact
 * forms is refused: other prefixes, padding, white space, standard
 * base64, wrong lengths, non-canonical trailing bits. On failure t is
 * wiped.
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

/*
 * hash and verify of a parsed or minted token: over the secret, or over
 * nonce || secret when it has a nonce.
 */
void core_token_hash_of(uint8_t hash[CORE_TOKEN_HASH_LEN],
			const struct core_token *t);
bool core_token_verify_of(const uint8_t *stored, const struct core_token *t);

/* The id as the store's 36-character UUID text. */
void core_token_id_text(char out[37], const struct core_token *t);

void core_token_wipe(struct core_token *t);

#endif /* FZ_PORTAL_CORE_TOKEN_H */
