// SPDX-License-Identifier: GPL-2.0
/*
 * The token endpoint's answer (RFC 6749 5.1 and 5.2): an id_token, or an
 * error code the provider explains, turned into a message an admin can
 * act on.
 */
#define _GNU_SOURCE /* asprintf, strndup */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "priv.h"

static int idp_tokenresp_error(json_object *obj, long status, char *err,
			       size_t errlen)
{
	char code[64] = "", desc[256] = "", raw[1024];
	int r;

	r = idp_json_str(obj, "error", raw, sizeof(raw), "token answer", err,
			 errlen);
	if (r) {
		snprintf(
			err, errlen,
			"the token endpoint answered HTTP %ld without an id_token",
			status);
		return -EPROTO;
	}
	idp_sanitize(code, sizeof(code), raw);
	if (!idp_json_str(obj, "error_description", raw, sizeof(raw),
			  "token answer", err, errlen))
		idp_sanitize(desc, sizeof(desc), raw);
	if (*desc)
		snprintf(err, errlen, "the provider refused the code: %s (%s)",
			 code, desc);
	else
		snprintf(err, errlen, "the provider refused the code: %s",
			 code);
	return -EACCES;
}

static char *idp_tokenresp_take(json_object *obj, const char *name)
{
	json_object *v;
	int n;

	if (!json_object_object_get_ex(obj, name, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	n = json_object_get_string_len(v);
	if (n <= 0 || n > IDP_TOKEN_MAX)
		return NULL;
	return strndup(json_object_get_string(v), (size_t)n);
}

int idp_tokenresp_parse(long status, const char *body, size_t len,
			char **id_token, char **access_token, char *err,
			size_t errlen)
{
	json_object *obj;
	int ret = 0;

	*id_token = NULL;
	if (access_token)
		*access_token = NULL;
	obj = idp_json_object(body, len, "token endpoint's answer", err,
			      errlen);
	if (!obj) {
		if (status != 200) {
			snprintf(err, errlen,
				 "the token endpoint answered HTTP %ld",
				 status);
			return -EPROTO;
		}
		return -EINVAL;
	}
	if (status != 200 || json_object_object_get_ex(obj, "error", NULL)) {
		ret = idp_tokenresp_error(obj, status, err, errlen);
		goto out;
	}
	*id_token = idp_tokenresp_take(obj, "id_token");
	if (!*id_token) {
		snprintf(
			err, errlen,
			"the token endpoint's answer has no id_token (is \"openid\" in the scopes?)");
		ret = -EPROTO;
		goto out;
	}
	if (access_token)
		*access_token = idp_tokenresp_take(obj, "access_token");
out:
	json_object_put(obj);
	return ret;
}
