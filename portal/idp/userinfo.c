// SPDX-License-Identifier: GPL-2.0
/*
 * The userinfo answer (OpenID Connect Core 5.3.2), asked only when the
 * id_token has no email: its sub must be the id_token's (5.3.4), else its
 * claims are about someone else.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "priv.h"

int idp_userinfo_parse(const char *body, size_t len, struct idp_claims *out,
		       char *err, size_t errlen)
{
	char sub[sizeof(out->sub)], email[sizeof(out->email)] = "";
	json_object *obj, *v;
	int ret = -EPERM;

	obj = idp_json_object(body, len, "userinfo answer", err, errlen);
	if (!obj)
		return -EINVAL;
	if (idp_json_str(obj, "sub", sub, sizeof(sub), "userinfo answer", err,
			 errlen) ||
	    strcmp(sub, out->sub)) {
		snprintf(err, errlen,
			 "the userinfo answer is about another subject");
		goto out;
	}
	ret = idp_json_str(obj, "email", email, sizeof(email),
			   "userinfo answer", err, errlen);
	if (ret == -EINVAL)
		goto out;
	ret = 0;
	if (*email == '\0' || out->email[0])
		goto out;
	memcpy(out->email, email, sizeof(email));
	out->email_verified =
		json_object_object_get_ex(obj, "email_verified", &v) &&
		json_object_is_type(v, json_type_boolean) &&
		json_object_get_boolean(v);
	if (!out->name[0] &&
	    idp_json_str(obj, "name", out->name, sizeof(out->name), "userinfo",
			 err, errlen))
		out->name[0] = '\0';
out:
	*err = ret ? *err : '\0';
	json_object_put(obj);
	return ret;
}
