// SPDX-License-Identifier: GPL-2.0
/*
 * Preshared keys derived per pair (see psk.h). Ids go in as their 16
 * bytes, so "ABC..." and "abc..." name the same pair; every input has a
 * fixed length, so the concatenation is unambiguous.
 */
#include <errno.h>

#include <sodium.h>

#include "lib/values.h"
#include "psk.h"

#define PSK_DOMAIN "fz-psk-v1"

int core_psk_derive(uint8_t psk[FZ_KEY_LEN],
		    const uint8_t secret[CORE_PSK_SECRET_LEN],
		    const char *client_id, const uint8_t client_pk[FZ_KEY_LEN],
		    const char *gateway_id,
		    const uint8_t gateway_pk[FZ_KEY_LEN])
{
	uint8_t cid[FZ_RESOURCE_ID_LEN], gid[FZ_RESOURCE_ID_LEN];
	crypto_generichash_state st;

	if (fz_uuid_parse(client_id, cid) || fz_uuid_parse(gateway_id, gid))
		return -EINVAL;
	crypto_generichash_init(&st, secret, CORE_PSK_SECRET_LEN, FZ_KEY_LEN);
	crypto_generichash_update(&st, (const uint8_t *)PSK_DOMAIN,
				  sizeof(PSK_DOMAIN) - 1);
	crypto_generichash_update(&st, cid, sizeof(cid));
	crypto_generichash_update(&st, client_pk, FZ_KEY_LEN);
	crypto_generichash_update(&st, gid, sizeof(gid));
	crypto_generichash_update(&st, gateway_pk, FZ_KEY_LEN);
	crypto_generichash_final(&st, psk, FZ_KEY_LEN);
	sodium_memzero(&st, sizeof(st));
	return 0;
}
