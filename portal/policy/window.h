/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Day-of-week time windows: the values of a current_utc_datetime
 * condition, "DAYS/RANGES/ZONE", e.g. "MTWRF/09:00-12:00,13:00-17:00/
 * Europe/Berlin" or "SU/true/UTC".
 *   DAYS    one or more distinct letters M T W R F S U (Monday..Sunday)
 *   RANGES  "true" (the whole day), or 1..POLICY_WINDOW_RANGES_MAX ranges
 *           HH:MM-HH:MM joined by commas. The start is in, the end is out.
 *           An end of 24:00, 23:59 (read as 24:00: nobody means "but not
 *           the last minute") or 00:00 closes the day; an end before the
 *           start runs past midnight ("F/22:00-02:00" is Friday 22:00 to
 *           Saturday 02:00).
 *   ZONE    an IANA zone name (policy_tz_check())
 * Times are the wall clock of ZONE, so a window spanning a DST change
 * lasts an hour more or less in real time, and one that starts or ends in
 * the hour skipped in spring starts or ends at the change.
 * Instants are seconds since the epoch.
 */
#ifndef FZ_POLICY_WINDOW_H
#define FZ_POLICY_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tz.h"

#define POLICY_WINDOW_RANGES_MAX 8
/* A stretch of windows longer than this never ends (a whole week). */
#define POLICY_WINDOW_HORIZON (8 * 86400)

struct policy_window_range {
	uint16_t start, end; /* minutes of the day; end < start: past 24:00 */
};

struct policy_window {
	struct policy_tz *tz;
	uint8_t days; /* bit d: struct tm's tm_wday d (0 is Sunday) */
	uint8_t n;
	struct policy_window_range r[POLICY_WINDOW_RANGES_MAX];
};

/* 0, or -EINVAL with a message naming the bad part in why[len]. */
int policy_window_parse(struct policy_window *w, const char *text, char *why,
			size_t len);

/* Whether instant t lies in w. */
bool policy_window_contains(const struct policy_window *w, int64_t t);

/*
 * For t in w: the first instant after t at which w's range containing t
 * is left, DST-correct (t itself when t is not in w).
 */
int64_t policy_window_end(const struct policy_window *w, int64_t t);

/* Whether t lies in any of the n windows (one condition's values). */
bool policy_windows_contain(const struct policy_window *w, size_t n, int64_t t);

/*
 * For t in one of the n windows: the first instant after t in none of
 * them, following windows that touch or overlap (Monday until 24:00 and
 * Tuesday from 00:00 are one stretch). 0: the stretch outlasts
 * POLICY_WINDOW_HORIZON, i.e. it never ends.
 */
int64_t policy_windows_end(const struct policy_window *w, size_t n, int64_t t);

#endif /* FZ_POLICY_WINDOW_H */
