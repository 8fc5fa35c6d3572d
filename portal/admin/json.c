// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON forms shared by every noun: times as RFC 3339 UTC text (what
 * people read in a table and every JSON library parses), absent values
 * as null, and the JSON the store keeps as text.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/clock.h"
#include "priv.h"

int64_t admin_now(void)
{
	return (int64_t)fz_clock_real_ns();
}

json_object *admin_time_json(int64_t t)
{
	time_t secs = (time_t)(t / 1000000000);
	char buf[32];
	struct tm tm;

	if (!t || !gmtime_r(&secs, &tm))
		return NULL;
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_object_new_string(buf);
}

json_object *admin_opt_str(const char *s)
{
	return s && *s ? json_object_new_string(s) : NULL;
}

json_object *admin_parse_stored(const char *text)
{
	json_object *v = text && *text ? json_tokener_parse(text) : NULL;

	return v ? v : json_object_new_array();
}
