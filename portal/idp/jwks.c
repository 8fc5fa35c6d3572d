// SPDX-License-Identifier: GPL-2.0
/*
 * The provider's JSON Web Key Set (RFC 7517). cjose imports single keys
 * only, so the set is split here: each usable key (RSA or EC, for
 * signatures) keeps its own JSON text, its kid and its alg, and is
 * imported when a token names it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "priv.h"

void idp_jwks_free(struct idp_jwks *k)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		free(k->keys[i].json);
	free(k->keys);
	k->keys = NULL;
	k->n = 0;
}

/* 1 when the key is kept, 0 when it is not for us, -errno on bad input. */
static int idp_jwk_take(json_object *key, struct idp_jwk *out, char *err,
			size_t errlen)
{
	char kty[8], use[8];
	const char *text;
	int r;

	memset(out, 0, sizeof(*out));
	if (!json_object_is_type(key, json_type_object)) {
		snprintf(err, errlen, "a key of the JWKS is not an object");
		return -EINVAL;
	}
	r = idp_json_str(key, "kty", kty, sizeof(kty), "JWKS key", err, errlen);
	if (r == -ENOENT)
		return 0;
	if (r == -EINVAL || (strcmp(kty, "RSA") && strcmp(kty, "EC")))
		return 0; /* oct, OKP or unknown: never ours to verify with */
	r = idp_json_str(key, "use", use, sizeof(use), "JWKS key", err, errlen);
	if (r != -ENOENT && (r || strcmp(use, "sig")))
		return 0;
	r = idp_json_str(key, "kid", out->kid, sizeof(out->kid), "JWKS key",
			 err, errlen);
	if (r == -EINVAL)
		return 0;
	r = idp_json_str(key, "alg", out->alg, sizeof(out->alg), "JWKS key",
			 err, errlen);
	if (r == -EINVAL)
		return 0;
	text = json_object_to_json_string_ext(key, JSON_C_TO_STRING_PLAIN);
	out->json = text ? strdup(text) : NULL;
	if (!out->json) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 1;
}

int idp_jwks_parse(const char *json, size_t len, struct idp_jwks *out,
		   char *err, size_t errlen)
{
	json_object *obj, *keys;
	size_t i, n;
	int ret = -EINVAL, r;

	memset(out, 0, sizeof(*out));
	obj = idp_json_object(json, len, "JWKS", err, errlen);
	if (!obj)
		return -EINVAL;
	if (!json_object_object_get_ex(obj, "keys", &keys) ||
	    !json_object_is_type(keys, json_type_array)) {
		snprintf(err, errlen, "the JWKS has no \"keys\" list");
		goto fail;
	}
	n = json_object_array_length(keys);
	if (n > IDP_JWKS_MAX_KEYS) {
		snprintf(err, errlen, "the JWKS has %zu keys, more than %d", n,
			 IDP_JWKS_MAX_KEYS);
		goto fail;
	}
	out->keys = calloc(n ? n : 1, sizeof(*out->keys));
	if (!out->keys) {
		snprintf(err, errlen, "out of memory");
		ret = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < n; i++) {
		r = idp_jwk_take(json_object_array_get_idx(keys, i),
				 &out->keys[out->n], err, errlen);
		if (r < 0) {
			ret = r;
			goto fail;
		}
		out->n += r;
	}
	if (!out->n) {
		snprintf(err, errlen, "the JWKS has no RSA or EC signing key");
		goto fail;
	}
	json_object_put(obj);
	return 0;
fail:
	json_object_put(obj);
	idp_jwks_free(out);
	return ret;
}

int idp_jwks_dup(const struct idp_jwks *in, struct idp_jwks *out)
{
	size_t i;

	out->n = 0;
	out->keys = calloc(in->n ? in->n : 1, sizeof(*out->keys));
	if (!out->keys)
		return -ENOMEM;
	for (i = 0; i < in->n; i++) {
		out->keys[i] = in->keys[i];
		out->keys[i].json = strdup(in->keys[i].json);
		if (!out->keys[i].json) {
			idp_jwks_free(out);
			return -ENOMEM;
		}
		out->n++;
	}
	return 0;
}

static const struct idp_jwk *idp_jwks_find(const struct idp_jwks *k,
					   const char *kid, char *err,
					   size_t errlen)
{
	const struct idp_jwk *found = NULL;
	char safe[64];
	size_t i;

	if (!kid) {
		if (k->n == 1)
			return &k->keys[0];
		snprintf(
			err, errlen,
			"the id_token names no key (kid) and the provider has %zu keys",
			k->n);
		return NULL;
	}
	for (i = 0; i < k->n; i++) {
		if (strcmp(k->keys[i].kid, kid))
			continue;
		idp_sanitize(safe, sizeof(safe), kid);
		if (found) {
			snprintf(
				err, errlen,
				"the provider's JWKS has several keys with kid %s",
				safe);
			return NULL;
		}
		found = &k->keys[i];
	}
	return found;
}

int idp_jwks_select(const struct idp_jwks *k, const char *kid,
		    cjose_jwk_t **out, char *err, size_t errlen)
{
	const struct idp_jwk *key;
	char safe[64];
	cjose_err cerr;

	*out = NULL;
	*err = '\0';
	key = idp_jwks_find(k, kid, err, errlen);
	if (!key && *err)
		return -EINVAL;
	if (!key) {
		idp_sanitize(safe, sizeof(safe), kid);
		snprintf(err, errlen,
			 "no key with kid %s in the provider's JWKS", safe);
		return -ENOKEY;
	}
	*out = cjose_jwk_import(key->json, strlen(key->json), &cerr);
	if (!*out) {
		snprintf(err, errlen,
			 "the provider's key %s does not import: %s", key->kid,
			 cerr.message ? cerr.message : "?");
		return -EINVAL;
	}
	return 0;
}
