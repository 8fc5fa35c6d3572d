/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The core wing (portal/core/): the portal's pure building blocks, below
 * the store and the policy engine: random ids (this file), tokens, the
 * preshared keys of client-gateway pairs and the tunnel address plan.
 * It includes only the agent's lib wing, libc and libsodium.
 *
 * Every object the portal keeps is named by a random (version 4) UUID, in
 * the agent's text form (lib/values.h), so ids mean the same in the
 * database, the REST API, signalling and the gateway's authorizations.
 */
#ifndef FZ_PORTAL_CORE_IDS_H
#define FZ_PORTAL_CORE_IDS_H

#include <stdint.h>

#include <linux/fz.h>

#define CORE_UUID_LEN 36 /* characters, without the NUL */

/* 16 random bytes with the version (4) and variant (10) bits set. */
void core_uuid_new_bin(uint8_t id[FZ_RESOURCE_ID_LEN]);
/* The same as lower-case text: 0b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c11. */
void core_uuid_new(char out[CORE_UUID_LEN + 1]);

#endif /* FZ_PORTAL_CORE_IDS_H */
