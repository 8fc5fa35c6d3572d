// SPDX-License-Identifier: GPL-2.0
/*
 * Random values for the authorization request: state, nonce and the PKCE
 * pair (RFC 7636, S256 only).
 */
#include <sodium.h>
#include <string.h>

#include "priv.h"

void idp_random_b64(char *out, size_t nbytes)
{
	unsigned char buf[64];

	/* Callers ask for 32 bytes; more would not be more secret. */
	if (nbytes > sizeof(buf))
		nbytes = sizeof(buf);
	randombytes_buf(buf, nbytes);
	sodium_bin2base64(out, IDP_B64_LEN(nbytes), buf, nbytes,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(buf, sizeof(buf));
}

/* RFC 7636 4.2: BASE64URL(SHA256(ASCII(verifier))). */
void idp_pkce_challenge(const char *verifier, char challenge[44])
{
	unsigned char hash[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(hash, (const unsigned char *)verifier,
			   strlen(verifier));
	sodium_bin2base64(challenge, 44, hash, sizeof(hash),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void idp_pkce_pair(char verifier[44], char challenge[44])
{
	idp_random_b64(verifier, 32);
	idp_pkce_challenge(verifier, challenge);
}
