// SPDX-License-Identifier: GPL-2.0
/* Real and boot time, and deadlines carried from one to the other. */
#include "clock.h"

#include <time.h>

static uint64_t read_clock(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * FZ_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

uint64_t fz_clock_real_ns(void)
{
	return read_clock(CLOCK_REALTIME);
}

uint64_t fz_clock_boot_ns(void)
{
	return read_clock(CLOCK_BOOTTIME);
}

/*
 * The same distance from now on the other clock. A past deadline stays
 * as long ago as it was but never reaches 0 (which means "never expires"),
 * and a far one saturates rather than wrapping.
 */
uint64_t fz_clock_convert(uint64_t deadline, uint64_t from_now, uint64_t to_now)
{
	uint64_t d;

	if (!deadline)
		return 0;
	if (deadline <= from_now) {
		d = from_now - deadline;
		return d >= to_now ? 1 : to_now - d;
	}
	d = deadline - from_now;
	return d > UINT64_MAX - to_now ? UINT64_MAX : to_now + d;
}

uint64_t fz_clock_real_to_boot(uint64_t real_ns)
{
	return fz_clock_convert(real_ns, fz_clock_real_ns(),
				fz_clock_boot_ns());
}

uint64_t fz_clock_boot_to_real(uint64_t boot_ns)
{
	return fz_clock_convert(boot_ns, fz_clock_boot_ns(),
				fz_clock_real_ns());
}
