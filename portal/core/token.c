// SPDX-License-Identifier: GPL-2.0
/*
 * Token minting, text form and hashing; see token.h for the format and
 * why a plain BLAKE2b hash is enough.
 */
#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "ids.h"
#include "lib/values.h"
#include "token.h"

#define VARIANT sodium_base64_VARIANT_URLSAFE_NO_PADDING
#define PREFIX_LEN (sizeof(CORE_TOKEN_PREFIX) - 1)
#define ID_B64_LEN 22
#define SECRET_B64_LEN 43
#define HASH_DOMAIN "fz-token-v1"

void core_token_mint(struct core_token *t)
{
	memset(t, 0, sizeof(*t));
	core_uuid_new_bin(t->id);
	randombytes_buf(t->secret, sizeof(t->secret));
}

void core_token_format(char text[CORE_TOKEN_TEXT_LEN + 1],
		       const struct core_token *t)
{
	char *p = text;

	memcpy(p, CORE_TOKEN_PREFIX, PREFIX_LEN);
	p += PREFIX_LEN;
	sodium_bin2base64(p, ID_B64_LEN + 1, t->id, sizeof(t->id), VARIANT);
	p += ID_B64_LEN;
	*p++ = '_';
	sodium_bin2base64(p, SECRET_B64_LEN + 1, t->secret, sizeof(t->secret),
			  VARIANT);
}

static bool b64url_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/*
 * Exactly b64_len characters at b64 into exactly len bytes. libsodium
 * refuses characters outside the alphabet and non-zero trailing bits, so
 * every token has one text form only.
 */
static int decode_part(uint8_t *out, size_t len, const char *b64,
		       size_t b64_len)
{
	const char *end = NULL;
	size_t got = 0;

	/*
	 * libsodium 1.0.18 decodes bytes >= 0x80 as if they were letters
	 * (found by fuzz/fuzz_token.c): only the alphabet itself passes.
	 */
	for (size_t i = 0; i < b64_len; i++)
		if (!b64url_char(b64[i]))
			return -EINVAL;
	if (sodium_base642bin(out, len, b64, b64_len, NULL, &got, &end,
			      VARIANT) < 0)
		return -EINVAL;
	return got == len && end == b64 + b64_len ? 0 : -EINVAL;
}

int core_token_mint_signin(struct core_token *t, const char *nonce_text)
{
	core_token_mint(t);
	if (strlen(nonce_text) != CORE_TOKEN_NONCE_TEXT_LEN ||
	    decode_part(t->nonce_hash, sizeof(t->nonce_hash), nonce_text,
			CORE_TOKEN_NONCE_TEXT_LEN)) {
		core_token_wipe(t);
		return -EINVAL;
	}
	t->has_nonce = true;
	return 0;
}

void core_token_format_signin(char text[CORE_TOKEN_SIGNIN_TEXT_LEN + 1],
			      const struct core_token *t)
{
	sodium_bin2base64(text, CORE_TOKEN_NONCE_TEXT_LEN + 1, t->nonce,
			  sizeof(t->nonce), VARIANT);
	core_token_format(text + CORE_TOKEN_NONCE_TEXT_LEN, t);
}

static int parse(struct core_token *t, const char *text, const char **why)
{
	const char *id = text + PREFIX_LEN;
	const char *secret = id + ID_B64_LEN + 1;

	if (strncmp(text, CORE_TOKEN_PREFIX, PREFIX_LEN)) {
		*why = "not an fz token (no fz1_ prefix)";
		return -EINVAL;
	}
	if (strlen(text) != CORE_TOKEN_TEXT_LEN || id[ID_B64_LEN] != '_') {
		*why = "malformed token (wrong length or layout)";
		return -EINVAL;
	}
	if (decode_part(t->id, sizeof(t->id), id, ID_B64_LEN) ||
	    decode_part(t->secret, sizeof(t->secret), secret, SECRET_B64_LEN)) {
		*why = "malformed token (not base64url)";
		return -EINVAL;
	}
	return 0;
}

/* NONCE || fz1_...: the length alone tells it from the plain form. */
static int parse_signin(struct core_token *t, const char *text,
			const char **why)
{
	if (decode_part(t->nonce, sizeof(t->nonce), text,
			CORE_TOKEN_NONCE_TEXT_LEN)) {
		*why = "malformed token (the nonce is not base64url)";
		return -EINVAL;
	}
	crypto_hash_sha256(t->nonce_hash, t->nonce, sizeof(t->nonce));
	t->has_nonce = true;
	return parse(t, text + CORE_TOKEN_NONCE_TEXT_LEN, why);
}

int core_token_parse(struct core_token *t, const char *text, const char **why)
{
	const char *ignored;
	int ret;

	memset(t, 0, sizeof(*t));
	if (strnlen(text, CORE_TOKEN_SIGNIN_TEXT_LEN + 1) ==
	    CORE_TOKEN_SIGNIN_TEXT_LEN)
		ret = parse_signin(t, text, why ? why : &ignored);
	else
		ret = parse(t, text, why ? why : &ignored);
	if (ret)
		core_token_wipe(t);
	return ret;
}

void core_token_hash(uint8_t hash[CORE_TOKEN_HASH_LEN],
		     const uint8_t id[CORE_TOKEN_ID_LEN], const uint8_t *secret,
		     size_t len)
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, CORE_TOKEN_HASH_LEN);
	crypto_generichash_update(&st, (const uint8_t *)HASH_DOMAIN,
				  sizeof(HASH_DOMAIN) - 1);
	crypto_generichash_update(&st, id, CORE_TOKEN_ID_LEN);
	crypto_generichash_update(&st, secret, len);
	crypto_generichash_final(&st, hash, CORE_TOKEN_HASH_LEN);
	sodium_memzero(&st, sizeof(st));
}

bool core_token_verify(const uint8_t *stored,
		       const uint8_t id[CORE_TOKEN_ID_LEN],
		       const uint8_t *secret, size_t len)
{
	static const uint8_t dummy[CORE_TOKEN_HASH_LEN];
	uint8_t hash[CORE_TOKEN_HASH_LEN];
	bool same;

	core_token_hash(hash, id, secret, len);
	same = sodium_memcmp(hash, stored ? stored : dummy, sizeof(hash)) == 0;
	sodium_memzero(hash, sizeof(hash));
	return same && stored;
}

/* What the hash covers: the secret, or SHA-256(nonce) || secret. */
static size_t
material(const struct core_token *t,
	 uint8_t buf[CORE_TOKEN_NONCE_LEN + CORE_TOKEN_SECRET_LEN])
{
	size_t n = 0;

	if (t->has_nonce) {
		memcpy(buf, t->nonce_hash, sizeof(t->nonce_hash));
		n = sizeof(t->nonce_hash);
	}
	memcpy(buf + n, t->secret, sizeof(t->secret));
	return n + sizeof(t->secret);
}

void core_token_hash_of(uint8_t hash[CORE_TOKEN_HASH_LEN],
			const struct core_token *t)
{
	uint8_t buf[CORE_TOKEN_NONCE_LEN + CORE_TOKEN_SECRET_LEN];

	core_token_hash(hash, t->id, buf, material(t, buf));
	sodium_memzero(buf, sizeof(buf));
}

bool core_token_verify_of(const uint8_t *stored, const struct core_token *t)
{
	uint8_t buf[CORE_TOKEN_NONCE_LEN + CORE_TOKEN_SECRET_LEN];
	bool ok = core_token_verify(stored, t->id, buf, material(t, buf));

	sodium_memzero(buf, sizeof(buf));
	return ok;
}

void core_token_id_text(char out[37], const struct core_token *t)
{
	fz_uuid_format(out, t->id);
}

void core_token_wipe(struct core_token *t)
{
	sodium_memzero(t, sizeof(*t));
}
