/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TAI64N timestamps, as WireGuard puts them in handshake initiations.
 *
 * A label is 12 bytes: 2^62 + 10 + Unix seconds as a big-endian u64, then
 * nanoseconds as a big-endian u32. Being big-endian, labels order as their
 * bytes do, so a responder compares them with memcmp() and needs no clock
 * of its own. Only the order matters to WireGuard, not the exact TAI
 * offset (leap seconds are ignored, as they are in WireGuard).
 */
#ifndef FZ_AGENT_TAI64N_H
#define FZ_AGENT_TAI64N_H

#include <stdbool.h>
#include <stdint.h>

#define WG_TAI64N_LEN 12
#define WG_TAI64N_BASE 0x400000000000000aULL /* 2^62 + 10 */

/*
 * Initiation timestamps keep only multiples of this many nanoseconds
 * (2^24 ns, about 16.8 ms), as WireGuard's do: the largest power of two
 * below the minimum spacing of initiations (1/50 s), so that ordering
 * still works while the label tells an observer little about timing.
 */
#define WG_TAI64N_GRANULARITY_NS (1U << 24)

void wg_tai64n_encode(uint8_t out[WG_TAI64N_LEN], uint64_t unix_sec,
		      uint32_t nsec);
void wg_tai64n_from_unix_ns(uint8_t out[WG_TAI64N_LEN], uint64_t unix_ns);
void wg_tai64n_now(uint8_t out[WG_TAI64N_LEN]);
bool wg_tai64n_after(const uint8_t a[WG_TAI64N_LEN],
		     const uint8_t b[WG_TAI64N_LEN]);

#endif /* FZ_AGENT_TAI64N_H */
