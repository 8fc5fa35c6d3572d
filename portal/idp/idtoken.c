// SPDX-License-Identifier: GPL-2.0
/*
 * The id_token check (OpenID Connect Core 3.1.3.7): the signature first,
 * with a key of the provider's JWKS and an asymmetric alg that fits that
 * key (so "none" and HS256 keyed with a public key never pass), then the
 * claims: iss, aud (and azp), exp, iat, nonce, sub.
 */
#include <errno.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "priv.h"

struct idp_alg {
	const char *name;
	cjose_jwk_kty_t kty;
	int curve; /* EC only */
};

static const struct idp_alg idp_algs[] = {
	{ "RS256", CJOSE_JWK_KTY_RSA, 0 },
	{ "RS384", CJOSE_JWK_KTY_RSA, 0 },
	{ "RS512", CJOSE_JWK_KTY_RSA, 0 },
	{ "PS256", CJOSE_JWK_KTY_RSA, 0 },
	{ "ES256", CJOSE_JWK_KTY_EC, CJOSE_JWK_EC_P_256 },
	{ "ES384", CJOSE_JWK_KTY_EC, CJOSE_JWK_EC_P_384 },
};

#define IDP_RSA_MIN_BITS 2048

struct idp_jose_hdr {
	char alg[16];
	char kid[IDP_KID_MAX];
	bool has_kid;
};

static const struct idp_alg *idp_alg_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(idp_algs) / sizeof(idp_algs[0]); i++)
		if (!strcmp(idp_algs[i].name, name))
			return &idp_algs[i];
	return NULL;
}

/* The protected header, decoded here rather than trusted from cjose, so
 * that the alg is refused before any key is looked at. */
static int idp_jose_header(const char *token, struct idp_jose_hdr *h, char *err,
			   size_t errlen)
{
	const char *dot = strchr(token, '.');
	unsigned char raw[2048];
	json_object *obj;
	size_t rawlen;
	int r;

	memset(h, 0, sizeof(*h));
	if (!dot ||
	    sodium_base642bin(raw, sizeof(raw) - 1, token,
			      (size_t)(dot - token), NULL, &rawlen, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING)) {
		snprintf(
			err, errlen,
			"the id_token is not a JWS (its header does not decode)");
		return -EINVAL;
	}
	obj = idp_json_object((const char *)raw, rawlen, "id_token header", err,
			      errlen);
	if (!obj)
		return -EINVAL;
	r = idp_json_str(obj, "alg", h->alg, sizeof(h->alg), "id_token header",
			 err, errlen);
	if (r == -ENOENT)
		snprintf(err, errlen, "the id_token header has no alg");
	if (!r) {
		r = idp_json_str(obj, "kid", h->kid, sizeof(h->kid),
				 "id_token header", err, errlen);
		h->has_kid = !r;
		r = r == -ENOENT ? 0 : r;
	}
	if (!r && json_object_object_get_ex(obj, "crit", NULL)) {
		snprintf(
			err, errlen,
			"the id_token header has critical extensions (crit) we do not know");
		r = -EINVAL;
	}
	json_object_put(obj);
	return r ? -EINVAL : 0;
}

static int idp_alg_check(const char *alg, char *err, size_t errlen)
{
	char safe[16];

	if (idp_alg_find(alg))
		return 0;
	idp_sanitize(safe, sizeof(safe), alg);
	if (!strcmp(alg, "none"))
		snprintf(err, errlen, "id_token alg none refused");
	else if (!strncmp(alg, "HS", 2))
		snprintf(
			err, errlen,
			"id_token alg %s refused: only asymmetric signatures are accepted",
			safe);
	else
		snprintf(err, errlen,
			 "id_token alg %s refused: not one we accept", safe);
	return -EPERM;
}

/* The key must be of the alg's type (and curve), and the alg the key's
 * own when the JWKS names one. */
static int idp_key_fits(const struct idp_alg *a, const struct idp_jwks *jwks,
			const struct idp_jose_hdr *h, cjose_jwk_t *key,
			char *err, size_t errlen)
{
	size_t i;

	if (cjose_jwk_get_kty(key, NULL) != a->kty)
		goto bad;
	if (a->kty == CJOSE_JWK_KTY_EC &&
	    (int)cjose_jwk_EC_get_curve(key, NULL) != a->curve)
		goto bad;
	if (a->kty == CJOSE_JWK_KTY_RSA &&
	    cjose_jwk_get_keysize(key, NULL) < IDP_RSA_MIN_BITS) {
		snprintf(err, errlen,
			 "the provider's RSA key is shorter than %d bits",
			 IDP_RSA_MIN_BITS);
		return -EPERM;
	}
	for (i = 0; i < jwks->n; i++) {
		const struct idp_jwk *k = &jwks->keys[i];

		if ((!h->has_kid || !strcmp(k->kid, h->kid)) && *k->alg &&
		    strcmp(k->alg, a->name))
			goto bad;
	}
	return 0;
bad:
	snprintf(err, errlen, "id_token alg %s does not fit the provider's key",
		 a->name);
	return -EPERM;
}

static int idp_signature(const char *token, const struct idp_jwks *jwks,
			 const struct idp_jose_hdr *h, cjose_jws_t **jws,
			 char *err, size_t errlen)
{
	const struct idp_alg *a = idp_alg_find(h->alg);
	cjose_jwk_t *key = NULL;
	const char *calg;
	cjose_err cerr;
	int ret;

	ret = idp_jwks_select(jwks, h->has_kid ? h->kid : NULL, &key, err,
			      errlen);
	if (ret)
		return ret;
	ret = idp_key_fits(a, jwks, h, key, err, errlen);
	if (ret)
		goto out;
	*jws = cjose_jws_import(token, strlen(token), &cerr);
	ret = -EINVAL;
	if (!*jws) {
		snprintf(err, errlen, "the id_token is not a JWS: %s",
			 cerr.message ? cerr.message : "?");
		goto out;
	}
	/* cjose read the header itself: it must have seen the same alg. */
	calg = cjose_header_get(cjose_jws_get_protected(*jws), CJOSE_HDR_ALG,
				NULL);
	if (!calg || strcmp(calg, a->name)) {
		snprintf(err, errlen, "the id_token header is ambiguous");
		goto out;
	}
	if (!cjose_jws_verify(*jws, key, &cerr)) {
		snprintf(err, errlen, "id_token signature does not verify");
		ret = -EPERM;
		goto out;
	}
	ret = 0;
out:
	if (ret && *jws) {
		cjose_jws_release(*jws);
		*jws = NULL;
	}
	cjose_jwk_release(key);
	return ret;
}

static int idp_claim_time(json_object *c, const char *name, int64_t *out,
			  char *err, size_t errlen)
{
	json_object *v;
	double d;

	if (!json_object_object_get_ex(c, name, &v)) {
		snprintf(err, errlen, "the id_token has no %s", name);
		return -EINVAL;
	}
	if (json_object_is_type(v, json_type_int)) {
		*out = json_object_get_int64(v);
		return 0;
	}
	if (json_object_is_type(v, json_type_double)) {
		d = json_object_get_double(v);
		if (isfinite(d) && d > -1e15 && d < 1e15) {
			*out = (int64_t)d;
			return 0;
		}
	}
	snprintf(err, errlen, "the id_token's %s is not a time", name);
	return -EINVAL;
}

static int idp_claim_aud(json_object *c, const char *client_id, char *err,
			 size_t errlen)
{
	json_object *aud, *v;
	char azp[256];
	size_t i, n;
	bool found = false;
	int r;

	if (!json_object_object_get_ex(c, "aud", &aud))
		goto bad;
	if (json_object_is_type(aud, json_type_string)) {
		n = 1;
		found = !strcmp(json_object_get_string(aud), client_id);
	} else if (json_object_is_type(aud, json_type_array)) {
		n = json_object_array_length(aud);
		for (i = 0; i < n; i++) {
			v = json_object_array_get_idx(aud, i);
			if (!json_object_is_type(v, json_type_string))
				goto bad;
			found |= !strcmp(json_object_get_string(v), client_id);
		}
	} else {
		goto bad;
	}
	if (!found)
		goto bad;
	r = idp_json_str(c, "azp", azp, sizeof(azp), "id_token", err, errlen);
	if ((r == -ENOENT && n > 1) || r == -EINVAL ||
	    (!r && strcmp(azp, client_id))) {
		snprintf(err, errlen,
			 "the id_token was issued to another party (azp)");
		return -EPERM;
	}
	return 0;
bad:
	snprintf(err, errlen, "the id_token is not for this client (aud)");
	return -EPERM;
}

static int idp_claim_nonce(json_object *c, const char *want, char *err,
			   size_t errlen)
{
	json_object *v;
	size_t n = strlen(want);

	if (!json_object_object_get_ex(c, "nonce", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    (size_t)json_object_get_string_len(v) != n || !n ||
	    sodium_memcmp(json_object_get_string(v), want, n)) {
		snprintf(err, errlen, "nonce mismatch");
		return -EPERM;
	}
	return 0;
}

static int idp_claim_profile(json_object *c, struct idp_claims *out, char *err,
			     size_t errlen)
{
	json_object *v;
	int r;

	r = idp_json_str(c, "sub", out->sub, sizeof(out->sub), "id_token", err,
			 errlen);
	if (r) {
		if (r == -ENOENT)
			snprintf(err, errlen, "the id_token has no sub");
		return -EINVAL;
	}
	r = idp_json_str(c, "email", out->email, sizeof(out->email), "id_token",
			 err, errlen);
	if (r == -EINVAL)
		return r;
	if (json_object_object_get_ex(c, "email_verified", &v))
		out->email_verified =
			json_object_is_type(v, json_type_boolean) &&
			json_object_get_boolean(v);
	/* A name too long is dropped: it is only for display. */
	if (idp_json_str(c, "name", out->name, sizeof(out->name), "id_token",
			 err, errlen))
		out->name[0] = '\0';
	*err = '\0';
	return 0;
}

static int idp_claims_check(json_object *c, const struct idp_idtoken_want *w,
			    struct idp_claims *out, char *err, size_t errlen)
{
	char iss[IDP_URL_MAX];
	int r;

	r = idp_json_str(c, "iss", iss, sizeof(iss), "id_token", err, errlen);
	if (r || strcmp(iss, w->issuer)) {
		snprintf(err, errlen,
			 "the id_token is from another issuer (iss)");
		return -EPERM;
	}
	r = idp_claim_aud(c, w->client_id, err, errlen);
	if (!r)
		r = idp_claim_time(c, "exp", &out->exp, err, errlen);
	if (!r)
		r = idp_claim_time(c, "iat", &out->iat, err, errlen);
	if (r)
		return r;
	if (out->exp <= w->now_s - IDP_LEEWAY_S) {
		snprintf(err, errlen, "id_token expired");
		return -EPERM;
	}
	if (out->iat > w->now_s + IDP_LEEWAY_S) {
		snprintf(
			err, errlen,
			"id_token issued in the future (iat): check the clocks");
		return -EPERM;
	}
	r = idp_claim_nonce(c, w->nonce, err, errlen);
	return r ? r : idp_claim_profile(c, out, err, errlen);
}

int idp_idtoken_verify(const char *token, const struct idp_jwks *jwks,
		       const struct idp_idtoken_want *w, struct idp_claims *out,
		       char *err, size_t errlen)
{
	size_t n = strlen(token), plen;
	struct idp_jose_hdr h;
	cjose_jws_t *jws = NULL;
	json_object *claims;
	uint8_t *plain;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!n || n > IDP_TOKEN_MAX ||
	    strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			  "0123456789-_.") != n) {
		snprintf(err, errlen, "the id_token is not a compact JWS");
		return -EINVAL;
	}
	ret = idp_jose_header(token, &h, err, errlen);
	if (!ret)
		ret = idp_alg_check(h.alg, err, errlen);
	if (!ret)
		ret = idp_signature(token, jwks, &h, &jws, err, errlen);
	if (ret)
		return ret;
	ret = -EINVAL;
	if (!cjose_jws_get_plaintext(jws, &plain, &plen, NULL)) {
		snprintf(err, errlen, "the id_token has no payload");
		goto out;
	}
	claims = idp_json_object((const char *)plain, plen, "id_token payload",
				 err, errlen);
	if (!claims)
		goto out;
	ret = idp_claims_check(claims, w, out, err, errlen);
	json_object_put(claims);
out:
	cjose_jws_release(jws);
	if (ret)
		memset(out, 0, sizeof(*out));
	return ret;
}
