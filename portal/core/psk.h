/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The WireGuard preshared key of a client-gateway pair. The portal never
 * stores it: it is derived again whenever needed, from the portal secret
 * (meta.psk_key, made by `fzportal init`) and the pair's ids and public
 * keys, so it is the same on every reconnect and differs for every pair,
 * and a new key of either side gives a new PSK.
 */
#ifndef FZ_PORTAL_CORE_PSK_H
#define FZ_PORTAL_CORE_PSK_H

#include <stdint.h>

#include <linux/fz.h>

#define CORE_PSK_SECRET_LEN 32

/*
 * psk = BLAKE2b-256 keyed by secret over "fz-psk-v1" || client id (16
 * bytes) || client public key || gateway id || gateway public key. Ids
 * are UUID text (either case); returns 0 or -EINVAL for a malformed id.
 */
int core_psk_derive(uint8_t psk[FZ_KEY_LEN],
		    const uint8_t secret[CORE_PSK_SECRET_LEN],
		    const char *client_id, const uint8_t client_pk[FZ_KEY_LEN],
		    const char *gateway_id,
		    const uint8_t gateway_pk[FZ_KEY_LEN]);

#endif /* FZ_PORTAL_CORE_PSK_H */
