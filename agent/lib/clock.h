/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The agent's two clocks, in nanoseconds. Real time (CLOCK_REALTIME) is
 * what people and files speak: "until 2026-12-31T00:00:00Z". fz.ko keeps
 * every deadline in boot time (CLOCK_BOOTTIME), which neither settimeofday
 * nor NTP steps move and which keeps counting while the host sleeps, so a
 * grant lasts as long as it says in elapsed time, whatever the wall clock
 * does afterwards. The conversion happens once, when the deadline is handed
 * to the kernel, and back when it is read out for display.
 */
#ifndef FZ_CLOCK_H
#define FZ_CLOCK_H

#include <stdint.h>

#define FZ_NSEC_PER_SEC 1000000000ULL

uint64_t fz_clock_real_ns(void);
uint64_t fz_clock_boot_ns(void);

/*
 * A real-time deadline as a boot-time one, at this instant, and back.
 * 0 (never) stays 0; a past deadline stays in the past (and nonzero).
 */
uint64_t fz_clock_real_to_boot(uint64_t real_ns);
uint64_t fz_clock_boot_to_real(uint64_t boot_ns);

/* The pure arithmetic behind both, given the two clocks' readings. */
uint64_t fz_clock_convert(uint64_t deadline, uint64_t from_now,
			  uint64_t to_now);

#endif
