// SPDX-License-Identifier: GPL-2.0
/* See signin_token.h. */
#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "signin_token.h"

int test_mint_with_nonce(struct core_token *t, const char *nonce)
{
	uint8_t raw[CORE_TOKEN_NONCE_LEN], h[CORE_TOKEN_NONCE_LEN];
	char text[CORE_TOKEN_NONCE_TEXT_LEN + 1];
	size_t got = 0;
	int rc;

	if (sodium_base642bin(raw, sizeof(raw), nonce, strlen(nonce), NULL,
			      &got, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) ||
	    got != sizeof(raw))
		return -EINVAL;
	crypto_hash_sha256(h, raw, sizeof(raw));
	sodium_bin2base64(text, sizeof(text), h, sizeof(h),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	rc = core_token_mint_signin(t, text);
	if (!rc)
		memcpy(t->nonce, raw, sizeof(raw));
	return rc;
}
