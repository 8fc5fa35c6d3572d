// SPDX-License-Identifier: GPL-2.0
/*
 * The authorization request (OpenID Connect Core 3.1.2.1) as a URL: the
 * provider's endpoint with our parameters appended to its query, each
 * encoded by curl's URL API rather than by hand.
 */
#define _GNU_SOURCE /* asprintf, strndup */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>

#include "priv.h"

static int idp_query_add(CURLU *u, const char *name, const char *value)
{
	char *kv;
	int r;

	if (asprintf(&kv, "%s=%s", name, value) < 0)
		return -1;
	/* URLENCODE encodes the part after the first '=' only. */
	r = curl_url_set(u, CURLUPART_QUERY, kv,
			 CURLU_APPENDQUERY | CURLU_URLENCODE) ?
		    -1 :
		    0;
	free(kv);
	return r;
}

static int idp_authurl_params(CURLU *u, const struct idp_authurl *a)
{
	const char *kv[][2] = {
		{ "response_type", "code" },
		{ "client_id", a->client_id },
		{ "redirect_uri", a->redirect_uri },
		{ "scope",
		  a->scope && *a->scope ? a->scope : "openid email profile" },
		{ "state", a->state },
		{ "nonce", a->nonce },
		{ "code_challenge", a->code_challenge },
		{ "code_challenge_method", "S256" },
	};
	size_t i;

	for (i = 0; i < sizeof(kv) / sizeof(kv[0]); i++)
		if (!kv[i][1] || !*kv[i][1] ||
		    idp_query_add(u, kv[i][0], kv[i][1]))
			return -1;
	return 0;
}

char *idp_authurl_build(const struct idp_authurl *a, char *err, size_t errlen)
{
	char *frag = NULL, *url = NULL, *copy = NULL;
	const char *why;
	CURLU *u;

	if (!idp_url_allowed(a->endpoint, &why)) {
		snprintf(err, errlen,
			 "the authorization endpoint is refused: %s", why);
		return NULL;
	}
	u = curl_url();
	if (!u || curl_url_set(u, CURLUPART_URL, a->endpoint, 0)) {
		snprintf(err, errlen,
			 "the authorization endpoint does not parse");
		goto out;
	}
	if (curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0) !=
	    CURLUE_NO_FRAGMENT) {
		snprintf(err, errlen,
			 "the authorization endpoint has a fragment");
		goto out;
	}
	if (idp_authurl_params(u, a) ||
	    curl_url_get(u, CURLUPART_URL, &url, 0)) {
		snprintf(
			err, errlen,
			"cannot build the authorization URL (a parameter is missing)");
		goto out;
	}
	copy = strdup(url);
	if (!copy)
		snprintf(err, errlen, "out of memory");
out:
	curl_free(frag);
	curl_free(url);
	curl_url_cleanup(u);
	return copy;
}
