/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Named time zones (IANA, from the system's tzdata) as UTC offsets. A
 * policy names a zone when it is written; a request asks "what is the
 * wall clock there now" many times a second, so each zone caches the
 * offset it found and the instant until which that offset holds, and the
 * hot path is one comparison. Only a cache miss (about once a week per
 * zone, or at a DST change) switches glibc's TZ, and it puts the previous
 * TZ back: the portal is single-threaded, so nothing else sees the switch.
 */
#ifndef FZ_POLICY_TZ_H
#define FZ_POLICY_TZ_H

#include <stdint.h>

/* Zone names are at most this long ("America/Argentina/ComodRivadavia"). */
#define POLICY_TZ_NAME_MAX 64
/* Distinct zones cached at once; tzdata has about 600 canonical names. */
#define POLICY_TZ_CACHE_MAX 1024

struct policy_tz;

/*
 * Whether name is a zone we accept: 1..POLICY_TZ_NAME_MAX bytes of
 * [A-Za-z0-9_+/-] (so never ".."), no leading or trailing '/' nor "//",
 * not under "right/" (leap-second clocks), naming a TZif file under
 * /usr/share/zoneinfo. 0, or -EINVAL with *why saying what is wrong.
 */
int policy_tz_check(const char *name, const char **why);

/*
 * The cached zone for name (checked as above, once): NULL with *why set
 * when name is refused or the cache is full. Valid until policy_tz_flush().
 */
struct policy_tz *policy_tz_get(const char *name, const char **why);

const char *policy_tz_name(const struct policy_tz *z);

/*
 * The offset east of UTC, in seconds, of zone z at instant t (seconds
 * since the epoch). *until: the first instant after t at which the offset
 * may differ (the next transition, or at most a week ahead).
 */
int32_t policy_tz_offset(struct policy_tz *z, int64_t t, int64_t *until);

/* Forget every cached zone (tests, shutdown). */
void policy_tz_flush(void);

#endif /* FZ_POLICY_TZ_H */
