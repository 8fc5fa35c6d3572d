// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "window.h"

#define DAY 86400
#define MIN_PER_DAY 1440
/* Offset changes met while one range runs: a DST change or two at most. */
#define MAX_CHANGES 8

/* Indexed by tm_wday: 0 is Sunday. */
static const char day_letters[] = "UMTWRFS";

/* --- Parsing --- */

static int parse_days(struct policy_window *w, const char *s, size_t len,
		      char *why, size_t wl)
{
	if (!len) {
		snprintf(why, wl, "no day letters before the first '/'");
		return -EINVAL;
	}
	for (size_t i = 0; i < len; i++) {
		const char *p = s[i] ? strchr(day_letters, s[i]) : NULL;
		uint8_t bit;

		if (!p) {
			snprintf(why, wl,
				 "day letter '%c' is not one of M T W R F S U",
				 s[i]);
			return -EINVAL;
		}
		bit = (uint8_t)(1u << (p - day_letters));
		if (w->days & bit) {
			snprintf(why, wl, "day letter '%c' given twice", s[i]);
			return -EINVAL;
		}
		w->days |= bit;
	}
	return 0;
}

/* "HH:MM", 00:00 to 24:00, as minutes of the day. */
static int parse_hhmm(const char *s, size_t len, unsigned int *min)
{
	unsigned int h, m;

	if (len != 5 || s[2] != ':')
		return -EINVAL;
	for (size_t i = 0; i < len; i++)
		if (i != 2 && (s[i] < '0' || s[i] > '9'))
			return -EINVAL;
	h = (unsigned int)(s[0] - '0') * 10 + (unsigned int)(s[1] - '0');
	m = (unsigned int)(s[3] - '0') * 10 + (unsigned int)(s[4] - '0');
	if (h > 24 || m > 59 || (h == 24 && m))
		return -EINVAL;
	*min = h * 60 + m;
	return 0;
}

static int parse_range(struct policy_window_range *r, const char *s, size_t len,
		       unsigned int idx, char *why, size_t wl)
{
	const char *dash = memchr(s, '-', len);
	unsigned int start, end;

	if (!dash) {
		snprintf(why, wl,
			 "time range %u \"%.*s\": expected HH:MM-HH:MM", idx,
			 (int)len, s);
		return -EINVAL;
	}
	if (parse_hhmm(s, (size_t)(dash - s), &start) || start == MIN_PER_DAY) {
		snprintf(
			why, wl,
			"time range %u: start \"%.*s\" is not a time 00:00-23:59",
			idx, (int)(dash - s), s);
		return -EINVAL;
	}
	if (parse_hhmm(dash + 1, len - (size_t)(dash + 1 - s), &end)) {
		snprintf(
			why, wl,
			"time range %u: end \"%.*s\" is not a time 00:00-24:00",
			idx, (int)(len - (size_t)(dash + 1 - s)), dash + 1);
		return -EINVAL;
	}
	if (end == 0 || end == MIN_PER_DAY - 1)
		end = MIN_PER_DAY;
	if (end == start) {
		snprintf(why, wl,
			 "time range %u: empty (it ends where it starts)", idx);
		return -EINVAL;
	}
	r->start = (uint16_t)start;
	r->end = (uint16_t)end;
	return 0;
}

static int parse_ranges(struct policy_window *w, const char *s, size_t len,
			char *why, size_t wl)
{
	if (len == 4 && !memcmp(s, "true", 4)) {
		w->r[0] = (struct policy_window_range){ 0, MIN_PER_DAY };
		w->n = 1;
		return 0;
	}
	if (!len) {
		snprintf(why, wl, "no time ranges (\"true\" is the whole day)");
		return -EINVAL;
	}
	for (const char *end = s + len; s <= end; w->n++) {
		const char *comma = memchr(s, ',', (size_t)(end - s));
		size_t n = comma ? (size_t)(comma - s) : (size_t)(end - s);

		if (w->n == POLICY_WINDOW_RANGES_MAX) {
			snprintf(why, wl, "more than %d time ranges",
				 POLICY_WINDOW_RANGES_MAX);
			return -EINVAL;
		}
		if (parse_range(&w->r[w->n], s, n, w->n + 1u, why, wl))
			return -EINVAL;
		s += n + 1;
	}
	return 0;
}

int policy_window_parse(struct policy_window *w, const char *text, char *why,
			size_t len)
{
	const char *s1 = strchr(text, '/'), *s2 = s1 ? strchr(s1 + 1, '/') : 0;
	const char *msg;

	memset(w, 0, sizeof(*w));
	if (!s2) {
		snprintf(why, len, "\"%s\" is not DAYS/RANGES/ZONE", text);
		return -EINVAL;
	}
	if (parse_days(w, text, (size_t)(s1 - text), why, len) ||
	    parse_ranges(w, s1 + 1, (size_t)(s2 - s1 - 1), why, len))
		return -EINVAL;
	w->tz = policy_tz_get(s2 + 1, &msg);
	if (!w->tz) {
		snprintf(why, len, "time zone \"%s\": %s", s2 + 1, msg);
		return -EINVAL;
	}
	return 0;
}

/* --- Evaluating --- */

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b < 0);
}

/*
 * The range of w containing local time l (seconds since the epoch as if
 * the zone's wall clock were UTC), as local start *ls and end *le.
 */
static bool find(const struct policy_window *w, int64_t l, int64_t *ls,
		 int64_t *le)
{
	int64_t day = floor_div(l, DAY), sod = l - day * DAY;
	unsigned int wd =
		(unsigned int)((day % 7 + 7 + 4) % 7); /* 1970-01-01: Thu */
	unsigned int prev = (wd + 6) % 7;

	for (unsigned int i = 0; i < w->n; i++) {
		int64_t s = w->r[i].start * 60, e = w->r[i].end * 60, base;

		if (e > s && (w->days & 1u << wd) && sod >= s && sod < e) {
			base = day * DAY;
		} else if (e > s) {
			continue;
		} else if ((w->days & 1u << wd) && sod >= s) {
			base = day * DAY;
			e += DAY;
		} else if ((w->days & 1u << prev) && sod < e) {
			base = (day - 1) * DAY;
			e += DAY;
		} else {
			continue;
		}
		*ls = base + s;
		*le = base + e;
		return true;
	}
	return false;
}

bool policy_window_contains(const struct policy_window *w, int64_t t)
{
	int64_t ls, le;

	return find(w, t + policy_tz_offset(w->tz, t, NULL), &ls, &le);
}

/*
 * The wall clock reaches the range's end le at le - off while the offset
 * holds; at an offset change in between, the clock jumps: past le (spring,
 * the range ends at the change), back before its start (autumn, the same),
 * or within it (the range goes on under the new offset).
 */
int64_t policy_window_end(const struct policy_window *w, int64_t t)
{
	int64_t until, ls, le, x = t;
	int32_t off = policy_tz_offset(w->tz, t, &until);

	if (!find(w, t + off, &ls, &le))
		return t;
	for (int i = 0; i < MAX_CHANGES; i++) {
		if (le - off <= until)
			return le - off;
		x = until;
		off = policy_tz_offset(w->tz, x, &until);
		if (x + off < ls || x + off >= le)
			return x;
	}
	return x;
}

bool policy_windows_contain(const struct policy_window *w, size_t n, int64_t t)
{
	for (size_t i = 0; i < n; i++)
		if (policy_window_contains(&w[i], t))
			return true;
	return false;
}

int64_t policy_windows_end(const struct policy_window *w, size_t n, int64_t t)
{
	int64_t end = t;

	for (;;) {
		int64_t next = end;

		for (size_t i = 0; i < n; i++) {
			int64_t e = policy_window_end(&w[i], end);

			if (e > next)
				next = e;
		}
		if (next == end)
			return end;
		if (next - t > POLICY_WINDOW_HORIZON)
			return 0;
		end = next;
	}
}
