// SPDX-License-Identifier: GPL-2.0
/*
 * Random UUIDs (RFC 9562 version 4) from libsodium's CSPRNG: ids are
 * looked up in URLs and tokens, so they must not be guessable.
 */
#include <sodium.h>

#include "ids.h"
#include "lib/values.h"

void core_uuid_new_bin(uint8_t id[FZ_RESOURCE_ID_LEN])
{
	randombytes_buf(id, FZ_RESOURCE_ID_LEN);
	id[6] = (uint8_t)((id[6] & 0x0f) | 0x40);
	id[8] = (uint8_t)((id[8] & 0x3f) | 0x80);
}

void core_uuid_new(char out[CORE_UUID_LEN + 1])
{
	uint8_t id[FZ_RESOURCE_ID_LEN];

	core_uuid_new_bin(id);
	fz_uuid_format(out, id);
}
