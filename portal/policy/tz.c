// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tz.h"

#define ZONEINFO "/usr/share/zoneinfo/"
#define DAY 86400
/* How far ahead a cached offset is trusted without asking glibc again. */
#define HORIZON_DAYS 7
/* TZif files are a few KiB; anything far larger is not one. */
#define TZIF_MAX (1 << 20)

/* An offset and the instants [from, until) for which it holds. */
struct span {
	int64_t from, until;
	int32_t off;
};

/*
 * Two spans: the end of a window across a DST change asks about the
 * instant after the change while requests keep asking about now; with one
 * span each would evict the other on every request until the change.
 */
struct policy_tz {
	char name[POLICY_TZ_NAME_MAX + 1];
	char tzenv[sizeof(ZONEINFO) + POLICY_TZ_NAME_MAX + 1];
	struct span span[2]; /* empty ({0, 0}) until first asked */
	unsigned int victim; /* the span the next miss replaces */
};

static struct policy_tz *cache[POLICY_TZ_CACHE_MAX];
static size_t cached;

/* --- Checking a name --- */

static bool name_chars_ok(const char *name)
{
	for (const char *p = name; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789_+/-",
			    *p))
			return false;
	return true;
}

/*
 * No part is empty ('.' is not in the set above, so no part is ".." and
 * the name cannot climb out of /usr/share/zoneinfo).
 */
static bool name_parts_ok(const char *name)
{
	size_t len = strlen(name);

	return name[0] != '/' && name[len - 1] != '/' && !strstr(name, "//");
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/*
 * The header of RFC 8536: magic, version, then six counts whose data must
 * fit in the file. glibc would quietly use UTC for a file it cannot read,
 * so a policy naming one is refused here instead.
 */
static bool tzif_ok(const unsigned char *h, off_t size)
{
	uint32_t isut = be32(h + 20), isstd = be32(h + 24), leap = be32(h + 28),
		 times = be32(h + 32), types = be32(h + 36),
		 chars = be32(h + 40);
	uint64_t need;

	if (memcmp(h, "TZif", 4) || (h[4] && (h[4] < '2' || h[4] > '4')))
		return false;
	if (!types || types > 256 || !chars || times > TZIF_MAX ||
	    leap > TZIF_MAX || chars > TZIF_MAX || (isut && isut != types) ||
	    (isstd && isstd != types))
		return false;
	need = 44 + (uint64_t)times * 5 + (uint64_t)types * 6 + chars +
	       (uint64_t)leap * 8 + isstd + isut;
	return need <= (uint64_t)size;
}

static int tzif_check(const char *path, const char **why)
{
	unsigned char h[44];
	struct stat st;
	/* O_NONBLOCK: a FIFO planted there must not hang the portal */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	bool ok;

	*why = "no such time zone in /usr/share/zoneinfo";
	if (fd < 0)
		return -EINVAL;
	ok = !fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size <= TZIF_MAX;
	if (ok) {
		*why = "not a time zone file (TZif)";
		ok = read(fd, h, sizeof(h)) == (ssize_t)sizeof(h) &&
		     tzif_ok(h, st.st_size);
	}
	close(fd);
	return ok ? 0 : -EINVAL;
}

int policy_tz_check(const char *name, const char **why)
{
	char path[sizeof(ZONEINFO) + POLICY_TZ_NAME_MAX + 1];
	size_t len = strlen(name);

	*why = NULL;
	if (!len)
		*why = "empty time zone";
	else if (len > POLICY_TZ_NAME_MAX)
		*why = "time zone name longer than 64 bytes";
	else if (!name_chars_ok(name))
		*why = "time zone name has a character outside [A-Za-z0-9_+/-]";
	else if (!name_parts_ok(name))
		*why = "time zone name starts or ends with '/' or has \"//\"";
	else if (!strncmp(name, "right/", 6))
		*why = "right/ zones count leap seconds; use the plain name";
	if (*why)
		return -EINVAL;
	snprintf(path, sizeof(path), ZONEINFO "%s", name);
	return tzif_check(path, why);
}

/* --- The cache --- */

struct policy_tz *policy_tz_get(const char *name, const char **why)
{
	struct policy_tz *z;

	for (size_t i = 0; i < cached; i++)
		if (!strcmp(cache[i]->name, name))
			return cache[i];
	if (policy_tz_check(name, why))
		return NULL;
	*why = "too many time zones in use";
	if (cached == POLICY_TZ_CACHE_MAX)
		return NULL;
	*why = "out of memory";
	z = calloc(1, sizeof(*z));
	if (!z)
		return NULL;
	strcpy(z->name, name);
	/* ":" + an absolute path: glibc reads that file, TZDIR or not. */
	snprintf(z->tzenv, sizeof(z->tzenv), ":" ZONEINFO "%s", name);
	cache[cached++] = z;
	return z;
}

const char *policy_tz_name(const struct policy_tz *z)
{
	return z->name;
}

void policy_tz_flush(void)
{
	while (cached)
		free(cache[--cached]);
}

/* --- Asking glibc --- */

/* Switches TZ to z's file; returns the previous TZ for tz_leave(). */
static char *tz_enter(const struct policy_tz *z, bool *had)
{
	const char *cur = getenv("TZ");
	char *old = cur ? strdup(cur) : NULL;

	*had = cur != NULL;
	setenv("TZ", z->tzenv, 1);
	tzset();
	return old;
}

static void tz_leave(char *old, bool had)
{
	if (old)
		setenv("TZ", old, 1);
	else if (!had)
		unsetenv("TZ");
	/* had but strdup failed: TZ stays z's; the portal sets no TZ itself */
	tzset();
	free(old);
}

static int32_t offset_at(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!localtime_r(&tt, &tm))
		return 0;
	return (int32_t)tm.tm_gmtoff;
}

/* The first second in (lo, hi] whose offset is not off (hi's is not). */
static int64_t first_change(int64_t lo, int64_t hi, int32_t off)
{
	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2;

		if (offset_at(mid) == off)
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}

/*
 * Probes a day at a time: zones change offset at most a few times a
 * year, never twice within a day and back, so a day whose end has the
 * same offset as its start has no transition worth knowing.
 */
static void refresh(const struct policy_tz *z, struct span *sp, int64_t t)
{
	int64_t lo = t;
	bool had;
	char *old = tz_enter(z, &had);

	sp->off = offset_at(t);
	sp->from = t;
	sp->until = t + (int64_t)HORIZON_DAYS * DAY;
	for (int k = 1; k <= HORIZON_DAYS; k++) {
		int64_t hi = t + (int64_t)k * DAY;

		if (offset_at(hi) != sp->off) {
			sp->until = first_change(lo, hi, sp->off);
			break;
		}
		lo = hi;
	}
	tz_leave(old, had);
}

int32_t policy_tz_offset(struct policy_tz *z, int64_t t, int64_t *until)
{
	struct span *sp = NULL;

	for (int i = 0; i < 2 && !sp; i++)
		if (t >= z->span[i].from && t < z->span[i].until)
			sp = &z->span[i];
	if (!sp) {
		sp = &z->span[z->victim];
		z->victim ^= 1;
		refresh(z, sp, t);
	}
	if (until)
		*until = sp->until;
	return sp->off;
}
