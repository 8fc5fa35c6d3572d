// SPDX-License-Identifier: GPL-2.0
/*
 * The provider's /.well-known/openid-configuration (OpenID Connect
 * Discovery 1.0): its issuer must be the configured one exactly (section
 * 4.3, else one provider could speak for another), and every endpoint we
 * call must be a URL we allow.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "priv.h"

#define IDP_WELL_KNOWN "/.well-known/openid-configuration"

int idp_discovery_url(const char *issuer, char *out, size_t outlen, char *err,
		      size_t errlen)
{
	size_t n = strlen(issuer);
	const char *why;

	if (!idp_url_allowed(issuer, &why)) {
		snprintf(err, errlen, "issuer %s: %s", issuer, why);
		return -EINVAL;
	}
	if (strpbrk(issuer, "?#")) {
		snprintf(err, errlen,
			 "issuer %s: an issuer has no query or fragment",
			 issuer);
		return -EINVAL;
	}
	/* Section 4: the issuer's path, less a trailing '/', then the suffix. */
	if (n && issuer[n - 1] == '/')
		n--;
	if ((size_t)snprintf(out, outlen, "%.*s%s", (int)n, issuer,
			     IDP_WELL_KNOWN) >= outlen) {
		snprintf(err, errlen, "issuer %s: too long", issuer);
		return -EINVAL;
	}
	return 0;
}

static int idp_discovery_endpoint(json_object *obj, const char *issuer,
				  const char *name, char *out, bool required,
				  char *err, size_t errlen)
{
	const char *why;
	int ret;

	ret = idp_json_str(obj, name, out, IDP_URL_MAX, "discovery document",
			   err, errlen);
	if (ret == -ENOENT && !required) {
		*out = '\0';
		return 0;
	}
	if (ret == -ENOENT)
		snprintf(err, errlen, "the discovery document has no %s", name);
	if (ret)
		return ret == -ENOENT ? -EINVAL : ret;
	if (!idp_url_allowed(out, &why)) {
		snprintf(err, errlen,
			 "the discovery document's %s is refused: %s", name,
			 why);
		return -EINVAL;
	}
	/*
	 * http to a loopback host is for an issuer that is itself there (a
	 * test provider): an https provider's document may not send the
	 * portal to its own host's services.
	 */
	if (!strncasecmp(issuer, "https://", 8) &&
	    strncasecmp(out, "https://", 8)) {
		snprintf(err, errlen,
			 "the discovery document's %s is refused: an https "
			 "issuer's endpoints must be https too",
			 name);
		return -EINVAL;
	}
	return 0;
}

/* -ENOENT when the member is absent, 1 when the array holds want, 0 when
 * not, -EINVAL when it is not an array of strings. */
static int idp_json_array_has(json_object *obj, const char *name,
			      const char *want)
{
	json_object *arr, *v;
	size_t i, n;
	int found = 0;

	if (!json_object_object_get_ex(obj, name, &arr))
		return -ENOENT;
	if (!json_object_is_type(arr, json_type_array))
		return -EINVAL;
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(v, json_type_string))
			return -EINVAL;
		if (!strcmp(json_object_get_string(v), want))
			found = 1;
	}
	return found;
}

static int idp_discovery_methods(json_object *obj, struct idp_discovery *d,
				 char *err, size_t errlen)
{
	int r;

	r = idp_json_array_has(obj, "code_challenge_methods_supported", "S256");
	if (r == -EINVAL || r == 0) {
		snprintf(
			err, errlen,
			"the provider does not support PKCE with S256 (code_challenge_methods_supported)");
		return -EPROTO;
	}
	/* The default, client_secret_basic, unless the provider lists
	 * methods without it but with client_secret_post. */
	d->auth_post = false;
	r = idp_json_array_has(obj, "token_endpoint_auth_methods_supported",
			       "client_secret_basic");
	if (r == -EINVAL) {
		snprintf(
			err, errlen,
			"the discovery document's token_endpoint_auth_methods_supported is not a list");
		return -EINVAL;
	}
	if (r == 0) {
		r = idp_json_array_has(obj,
				       "token_endpoint_auth_methods_supported",
				       "client_secret_post");
		if (r != 1) {
			snprintf(
				err, errlen,
				"the provider supports neither client_secret_basic nor client_secret_post");
			return -EPROTO;
		}
		d->auth_post = true;
	}
	return 0;
}

int idp_discovery_parse(const char *json, size_t len, const char *issuer,
			struct idp_discovery *d, char *err, size_t errlen)
{
	json_object *obj;
	int ret;

	memset(d, 0, sizeof(*d));
	obj = idp_json_object(json, len, "discovery document", err, errlen);
	if (!obj)
		return -EINVAL;
	ret = idp_json_str(obj, "issuer", d->issuer, sizeof(d->issuer),
			   "discovery document", err, errlen);
	if (ret == -ENOENT) {
		snprintf(err, errlen, "the discovery document has no issuer");
		ret = -EINVAL;
	}
	if (ret)
		goto out;
	if (strcmp(d->issuer, issuer)) {
		char got[128];

		idp_sanitize(got, sizeof(got), d->issuer);
		snprintf(err, errlen,
			 "the discovery document names issuer %s, not %s", got,
			 issuer);
		ret = -EINVAL;
		goto out;
	}
	ret = idp_discovery_endpoint(obj, issuer, "authorization_endpoint",
				     d->authorization_endpoint, true, err,
				     errlen);
	if (!ret)
		ret = idp_discovery_endpoint(obj, issuer, "token_endpoint",
					     d->token_endpoint, true, err,
					     errlen);
	if (!ret)
		ret = idp_discovery_endpoint(obj, issuer, "jwks_uri",
					     d->jwks_uri, true, err, errlen);
	if (!ret)
		ret = idp_discovery_endpoint(obj, issuer, "userinfo_endpoint",
					     d->userinfo_endpoint, false, err,
					     errlen);
	if (!ret)
		ret = idp_discovery_methods(obj, d, err, errlen);
out:
	json_object_put(obj);
	if (ret)
		memset(d, 0, sizeof(*d));
	return ret;
}
