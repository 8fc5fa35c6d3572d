// SPDX-License-Identifier: GPL-2.0
/*
 * Provider documents are hostile input: one JSON object, bounded in size
 * and depth, with nothing after it; strings copied only when they fit.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "priv.h"

json_object *idp_json_object(const char *text, size_t len, const char *what,
			     char *err, size_t errlen)
{
	struct json_tokener *tok;
	json_object *obj;
	size_t end;

	if (len > IDP_JSON_MAX) {
		snprintf(err, errlen, "the %s is larger than %d bytes", what,
			 IDP_JSON_MAX);
		return NULL;
	}
	tok = json_tokener_new_ex(IDP_JSON_DEPTH);
	if (!tok) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, text, (int)len);
	if (!obj) {
		enum json_tokener_error e = json_tokener_get_error(tok);

		snprintf(err, errlen, "the %s is not valid JSON (%s)", what,
			 e == json_tokener_continue ?
				 "it ends too early" :
				 json_tokener_error_desc(e));
		goto out;
	}
	end = json_tokener_get_parse_end(tok);
	while (end < len && isspace((unsigned char)text[end]))
		end++;
	if (end != len || !json_object_is_type(obj, json_type_object)) {
		snprintf(err, errlen, "the %s is not one JSON object", what);
		json_object_put(obj);
		obj = NULL;
	}
out:
	json_tokener_free(tok);
	return obj;
}

int idp_json_str(json_object *obj, const char *name, char *out, size_t max,
		 const char *what, char *err, size_t errlen)
{
	json_object *v;
	size_t n;

	if (!json_object_object_get_ex(obj, name, &v) ||
	    json_object_is_type(v, json_type_null))
		return -ENOENT;
	if (!json_object_is_type(v, json_type_string)) {
		snprintf(err, errlen, "the %s's \"%s\" is not a string", what,
			 name);
		return -EINVAL;
	}
	n = (size_t)json_object_get_string_len(v);
	if (n == 0 || n >= max || memchr(json_object_get_string(v), '\0', n)) {
		snprintf(err, errlen, "the %s's \"%s\" is empty or too long",
			 what, name);
		return -EINVAL;
	}
	memcpy(out, json_object_get_string(v), n + 1);
	return 0;
}

void idp_sanitize(char *out, size_t max, const char *in)
{
	size_t i = 0;

	if (!max)
		return;
	for (; in && *in && i + 1 < max; in++)
		out[i++] = (*in >= 0x20 && *in < 0x7f) ? *in : '?';
	out[i] = '\0';
}
