// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "values.h"
#include "clock.h"
#include "format.h"

static int hex_value(char ch)
{
	if (isdigit((unsigned char)ch))
		return ch - '0';
	if (isxdigit((unsigned char)ch))
		return tolower((unsigned char)ch) - 'a' + 10;
	return -1;
}

int fz_uuid_parse(const char *text, uint8_t id[FZ_RESOURCE_ID_LEN])
{
	size_t n = 0;

	if (strlen(text) != 36)
		return -EINVAL;
	for (size_t i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		int hi, lo;

		if (dash) {
			if (text[i] != '-')
				return -EINVAL;
			continue;
		}
		hi = hex_value(text[i]);
		lo = hex_value(text[++i]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		id[n++] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

void fz_uuid_format(char out[37], const uint8_t id[FZ_RESOURCE_ID_LEN])
{
	fz_fmt_uuid(out, FZ_FMT_UUID_LEN, id);
}

int fz_parse_decimal(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		if (v > (max - (uint64_t)(*s - '0')) / 10)
			return -EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

/* Exactly n digits at s, as a number. */
static int fixed_digits(const char *s, size_t n, int *out)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* ".123456789" after the seconds: up to nanoseconds. */
static const char *parse_fraction(const char *s, uint64_t *ns)
{
	uint64_t scale = FZ_NSEC_PER_SEC / 10;

	*ns = 0;
	if (*s != '.')
		return s;
	if (!isdigit((unsigned char)*++s))
		return NULL;
	for (; isdigit((unsigned char)*s); s++, scale /= 10)
		*ns += (uint64_t)(*s - '0') * scale;
	return s;
}

static int parse_rfc3339(const char *s, uint64_t *out)
{
	struct tm tm = { 0 }, check;
	uint64_t frac;
	time_t t;

	if (strlen(s) < 20 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':' ||
	    fixed_digits(s, 4, &tm.tm_year) ||
	    fixed_digits(s + 5, 2, &tm.tm_mon) ||
	    fixed_digits(s + 8, 2, &tm.tm_mday) ||
	    fixed_digits(s + 11, 2, &tm.tm_hour) ||
	    fixed_digits(s + 14, 2, &tm.tm_min) ||
	    fixed_digits(s + 17, 2, &tm.tm_sec))
		return -EINVAL;
	s = parse_fraction(s + 19, &frac);
	if (!s || (strcasecmp(s, "Z") && strcmp(s, "+00:00")))
		return -EINVAL;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	check = tm;
	t = timegm(&tm);
	/* timegm() normalises 02-30 to 03-02: a changed field was invalid. */
	if (t < 0 || tm.tm_mday != check.tm_mday || tm.tm_mon != check.tm_mon ||
	    tm.tm_hour != check.tm_hour || tm.tm_min != check.tm_min ||
	    tm.tm_sec != check.tm_sec)
		return -EINVAL;
	if ((uint64_t)t > (FZ_EXPIRY_MAX_NS - frac) / FZ_NSEC_PER_SEC)
		return -ERANGE;
	*out = (uint64_t)t * FZ_NSEC_PER_SEC + frac;
	return 0;
}

int fz_expiry_parse(const char *text, uint64_t now_ns, uint64_t *out)
{
	uint64_t seconds;

	if (!strcmp(text, "never")) {
		*out = 0;
		return 0;
	}
	if (text[0] == '+') {
		size_t digits = strspn(text + 1, "0123456789");

		/* Digits only; a number too large is -ERANGE, not -EINVAL. */
		if (!digits || text[1 + digits])
			return -EINVAL;
		if (fz_parse_decimal(text + 1, UINT64_MAX, &seconds))
			return -ERANGE;
		if (!seconds)
			return -EINVAL;
		if (now_ns > FZ_EXPIRY_MAX_NS ||
		    seconds > (FZ_EXPIRY_MAX_NS - now_ns) / FZ_NSEC_PER_SEC)
			return -ERANGE;
		*out = now_ns + seconds * FZ_NSEC_PER_SEC;
		return 0;
	}
	return parse_rfc3339(text, out);
}

static bool label_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '-' || ch == '_';
}

bool fz_domain_valid(const char *name)
{
	size_t label = 0, len = strlen(name);

	if (!len || len > FZ_DOMAIN_MAX)
		return false;
	for (const char *p = name; *p; p++) {
		if (*p == '.') {
			if (!label)
				return false;
			label = 0;
		} else if (!label_char(*p) || ++label > 63) {
			return false;
		}
	}
	return label > 0;
}

/* name is "<something>.suffix" for a non-empty something. */
static const char *strip_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);

	if (n < s + 2 || name[n - s - 1] != '.' ||
	    strcasecmp(name + n - s, suffix))
		return NULL;
	return name + n - s - 1;
}

bool fz_domain_matches(const char *pattern, const char *name)
{
	const char *dot;

	if (!strncmp(pattern, "**.", 3))
		return strip_suffix(name, pattern + 3) != NULL;
	if (!strncmp(pattern, "*.", 2)) {
		dot = strip_suffix(name, pattern + 2);
		return dot && memchr(name, '.', (size_t)(dot - name)) == NULL;
	}
	return !strcasecmp(pattern, name);
}

/* --- Lookups --- */
