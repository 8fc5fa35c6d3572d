// SPDX-License-Identifier: GPL-2.0
/*
 * Reading a request's members. The CLI sends text for everything and
 * REST may send numbers and booleans as JSON: both are accepted, each
 * checked the same way, so the two doors agree on what is valid.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/values.h"
#include "priv.h"

#define DURATION_MAX_S (10LL * 366 * 86400) /* ten years */

int admin_fail(struct admin_error *err, enum admin_code code, const char *field,
	       const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -1;
}

int admin_store_fail(struct admin_error *err, const char *field,
		     const struct store_err *serr)
{
	enum admin_code code;

	switch (serr->code) {
	case STORE_NOT_FOUND:
		code = ADMIN_NOT_FOUND;
		break;
	case STORE_CONFLICT:
	case STORE_IN_USE:
	case STORE_FULL:
		code = ADMIN_CONFLICT;
		break;
	case STORE_INVALID:
		code = ADMIN_INVALID;
		break;
	default:
		code = ADMIN_INTERNAL;
		field = "";
	}
	return admin_fail(err, code, field, "%s", serr->msg);
}

int admin_req_keys(json_object *req, const char *const *keys,
		   struct admin_error *err)
{
	json_object_object_foreach(req, key, val)
	{
		size_t i;

		(void)val;
		for (i = 0; keys[i] && strcmp(keys[i], key); i++)
			;
		if (!keys[i])
			return admin_fail(err, ADMIN_INVALID, key,
					  "unknown member");
	}
	return 0;
}

int admin_req_str(json_object *req, const char *key, bool required,
		  const char **out, struct admin_error *err)
{
	json_object *v = NULL;

	*out = NULL;
	if (!json_object_object_get_ex(req, key, &v) || !v) {
		if (required)
			return admin_fail(err, ADMIN_INVALID, key,
					  "is required");
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return admin_fail(err, ADMIN_INVALID, key, "must be a string");
	*out = json_object_get_string(v);
	return 0;
}

static bool name_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= STORE_TEXT_SIZE || s[0] == ' ' || s[n - 1] == ' ')
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

int admin_req_name(json_object *req, const char *key, bool required,
		   const char **out, struct admin_error *err)
{
	if (admin_req_str(req, key, required, out, err))
		return -1;
	if (*out && !name_ok(*out))
		return admin_fail(err, ADMIN_INVALID, key,
				  "must be 1 to %d bytes without control "
				  "characters or outer spaces",
				  STORE_TEXT_SIZE - 1);
	return 0;
}

int admin_req_bool(json_object *req, const char *key, bool *out, bool *set,
		   struct admin_error *err)
{
	json_object *v = NULL;
	const char *s;

	*set = json_object_object_get_ex(req, key, &v) && v;
	if (!*set)
		return 0;
	if (json_object_is_type(v, json_type_boolean)) {
		*out = json_object_get_boolean(v);
		return 0;
	}
	s = json_object_is_type(v, json_type_string) ?
		    json_object_get_string(v) :
		    "";
	if (strcmp(s, "true") && strcmp(s, "false"))
		return admin_fail(err, ADMIN_INVALID, key,
				  "must be true or false");
	*out = !strcmp(s, "true");
	return 0;
}

int admin_req_int(json_object *req, const char *key, int64_t max, int64_t *out,
		  bool *set, struct admin_error *err)
{
	json_object *v = NULL;
	uint64_t u;

	*set = json_object_object_get_ex(req, key, &v) && v;
	if (!*set)
		return 0;
	if (json_object_is_type(v, json_type_int)) {
		errno = 0;
		*out = json_object_get_int64(v);
		if (!errno && *out >= 0 && *out <= max)
			return 0;
	} else if (json_object_is_type(v, json_type_string) &&
		   !fz_parse_decimal(json_object_get_string(v), (uint64_t)max,
				     &u)) {
		*out = (int64_t)u;
		return 0;
	}
	return admin_fail(err, ADMIN_INVALID, key,
			  "must be a whole number from 0 to %lld",
			  (long long)max);
}

/* "90", "90s", "30m", "12h", "7d", "2w" into seconds: 0 or -1. */
static int parse_duration(const char *s, int64_t *out)
{
	static const struct {
		char unit;
		int64_t s;
	} units[] = { { 's', 1 },
		      { 'm', 60 },
		      { 'h', 3600 },
		      { 'd', 86400 },
		      { 'w', 7 * 86400 } };
	char digits[24];
	size_t n = strlen(s);
	int64_t mul = 1;
	uint64_t v;

	if (!n || n >= sizeof(digits))
		return -1;
	memcpy(digits, s, n + 1);
	/* At most one unit, the last character: stripping in a loop read
	 * digits[-1] for "ds" and took "1ds" for a day. */
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (digits[n - 1] == units[i].unit) {
			mul = units[i].s;
			digits[--n] = '\0';
			break;
		}
	}
	if (!n)
		return -1;
	if (fz_parse_decimal(digits, (uint64_t)DURATION_MAX_S, &v) || !v ||
	    (int64_t)v > DURATION_MAX_S / mul)
		return -1;
	*out = (int64_t)v * mul;
	return 0;
}

int admin_req_duration(json_object *req, const char *key, int64_t *out,
		       bool *set, struct admin_error *err)
{
	json_object *v = NULL;

	*set = json_object_object_get_ex(req, key, &v) && v;
	if (!*set)
		return 0;
	if (json_object_is_type(v, json_type_int)) {
		*out = json_object_get_int64(v);
		if (*out > 0 && *out <= DURATION_MAX_S)
			return 0;
	} else if (json_object_is_type(v, json_type_string) &&
		   !parse_duration(json_object_get_string(v), out)) {
		return 0;
	}
	return admin_fail(err, ADMIN_INVALID, key,
			  "must be a duration from 1s to 10 years: seconds, "
			  "or a number with s, m, h, d or w (7d)");
}

int admin_copy(char *dst, size_t size, const char *src, const char *field,
	       struct admin_error *err)
{
	if (strlen(src) >= size)
		return admin_fail(err, ADMIN_INVALID, field,
				  "too long (at most %zu bytes)", size - 1);
	memcpy(dst, src, strlen(src) + 1);
	return 0;
}
