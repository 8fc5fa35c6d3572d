// SPDX-License-Identifier: GPL-2.0
/*
 * TAI64N encoding and comparison; see tai64n.h.
 */
#include <string.h>
#include <time.h>

#include "tai64n.h"
#include "lib/clock.h"

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	for (int i = 3; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* Exact: no rounding, so that tests can write any label they need. */
void wg_tai64n_encode(uint8_t out[WG_TAI64N_LEN], uint64_t unix_sec,
		      uint32_t nsec)
{
	put_be64(out, WG_TAI64N_BASE + unix_sec);
	put_be32(out + 8, nsec);
}

/* Coarse: the label an initiation carries for this instant. */
void wg_tai64n_from_unix_ns(uint8_t out[WG_TAI64N_LEN], uint64_t unix_ns)
{
	uint32_t nsec = (uint32_t)(unix_ns % FZ_NSEC_PER_SEC);

	nsec &= ~(WG_TAI64N_GRANULARITY_NS - 1);
	wg_tai64n_encode(out, unix_ns / FZ_NSEC_PER_SEC, nsec);
}

void wg_tai64n_now(uint8_t out[WG_TAI64N_LEN])
{
	wg_tai64n_from_unix_ns(out, fz_clock_real_ns());
}

/* Labels are public, so a plain memcmp() leaks nothing worth hiding. */
bool wg_tai64n_after(const uint8_t a[WG_TAI64N_LEN],
		     const uint8_t b[WG_TAI64N_LEN])
{
	return memcmp(a, b, WG_TAI64N_LEN) > 0;
}
