// SPDX-License-Identifier: GPL-2.0
/*
 * The relying party: a cache of each issuer's discovery document and
 * JWKS, the authorization URL and the code exchange. Fetches happen
 * outside the lock (they block for up to the timeout); the cache is only
 * read and written under it, and callers work on copies.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "priv.h"

#define IDP_DISCOVERY_TTL_S 3600
#define IDP_JWKS_MIN_REFRESH_S 10
/*
 * A provider whose discovery failed is not asked again for this long:
 * every sign-in start would otherwise hold a pool thread for the whole
 * HTTP timeout while the provider is down or slow.
 */
#define IDP_DISCOVERY_RETRY_S 30
#define IDP_CACHE_MAX 64

struct idp_entry {
	struct idp_entry *next;
	char issuer[IDP_URL_MAX];
	struct idp_discovery disc;
	int64_t disc_at; /* monotonic seconds */
	int64_t failed_at; /* the last failed discovery; 0: none */
	char failed_why[256];
	struct idp_jwks jwks;
	int64_t jwks_at; /* 0: never fetched */
};

struct idp_oidc {
	struct idp_http_opts opts;
	char *ca_file;
	pthread_mutex_t lock;
	struct idp_entry *entries;
	size_t n;
};

static int64_t idp_mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec + 1; /* never 0, which means "never" */
}

struct idp_oidc *idp_oidc_new(const struct idp_http_opts *opts)
{
	struct idp_oidc *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	if (opts)
		o->opts = *opts;
	if (opts && opts->ca_file) {
		o->ca_file = strdup(opts->ca_file);
		if (!o->ca_file) {
			free(o);
			return NULL;
		}
	}
	o->opts.ca_file = o->ca_file;
	pthread_mutex_init(&o->lock, NULL);
	idp_curl_init();
	return o;
}

void idp_oidc_free(struct idp_oidc *o)
{
	struct idp_entry *e, *next;

	if (!o)
		return;
	for (e = o->entries; e; e = next) {
		next = e->next;
		idp_jwks_free(&e->jwks);
		free(e);
	}
	pthread_mutex_destroy(&o->lock);
	free(o->ca_file);
	free(o);
}

/* Under the lock. */
static struct idp_entry *idp_entry_find(struct idp_oidc *o, const char *issuer)
{
	struct idp_entry *e;

	for (e = o->entries; e; e = e->next)
		if (!strcmp(e->issuer, issuer))
			return e;
	return NULL;
}

/* Under the lock: the issuer's entry, made (the oldest dropped when the
 * cache is full) if need be. */
static struct idp_entry *idp_entry_get(struct idp_oidc *o, const char *issuer)
{
	struct idp_entry *e = idp_entry_find(o, issuer), **pp;

	if (e)
		return e;
	if (o->n >= IDP_CACHE_MAX) {
		for (pp = &o->entries; (*pp)->next; pp = &(*pp)->next)
			;
		idp_jwks_free(&(*pp)->jwks);
		free(*pp);
		*pp = NULL;
		o->n--;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	snprintf(e->issuer, sizeof(e->issuer), "%s", issuer);
	e->next = o->entries;
	o->entries = e;
	o->n++;
	return e;
}

static int idp_fetch_json(struct idp_oidc *o, const char *url, const char *what,
			  struct idp_http_res *res, char *err, size_t errlen)
{
	int ret = idp_http_get(&o->opts, url, NULL, res, err, errlen);

	if (ret)
		return ret;
	if (res->status != 200) {
		snprintf(err, errlen, "%s: the %s answered HTTP %ld", url, what,
			 res->status);
		idp_http_res_free(res);
		return -EPROTO;
	}
	return 0;
}

static int idp_discovery_get(struct idp_oidc *o, const char *issuer,
			     struct idp_discovery *d, char *err, size_t errlen)
{
	char url[IDP_URL_MAX + 64];
	struct idp_http_res res;
	struct idp_entry *e;
	int ret;

	pthread_mutex_lock(&o->lock);
	e = idp_entry_find(o, issuer);
	if (e && e->disc_at &&
	    idp_mono_s() - e->disc_at < IDP_DISCOVERY_TTL_S) {
		*d = e->disc;
		pthread_mutex_unlock(&o->lock);
		return 0;
	}
	if (e && e->failed_at &&
	    idp_mono_s() - e->failed_at < IDP_DISCOVERY_RETRY_S) {
		snprintf(err, errlen, "%s (not asked again for %d s)",
			 e->failed_why, IDP_DISCOVERY_RETRY_S);
		pthread_mutex_unlock(&o->lock);
		return -EAGAIN;
	}
	pthread_mutex_unlock(&o->lock);

	ret = idp_discovery_url(issuer, url, sizeof(url), err, errlen);
	if (!ret)
		ret = idp_fetch_json(o, url, "discovery document", &res, err,
				     errlen);
	if (!ret) {
		ret = idp_discovery_parse(res.body, res.len, issuer, d, err,
					  errlen);
		idp_http_res_free(&res);
	}
	if (ret) {
		pthread_mutex_lock(&o->lock);
		e = idp_entry_get(o, issuer);
		if (e) {
			e->failed_at = idp_mono_s();
			snprintf(e->failed_why, sizeof(e->failed_why), "%s",
				 err);
		}
		pthread_mutex_unlock(&o->lock);
		return ret;
	}

	pthread_mutex_lock(&o->lock);
	e = idp_entry_get(o, issuer);
	if (e) {
		/* New endpoints may mean new keys: fetch them again. */
		if (strcmp(e->disc.jwks_uri, d->jwks_uri)) {
			idp_jwks_free(&e->jwks);
			e->jwks_at = 0;
		}
		e->disc = *d;
		e->disc_at = idp_mono_s();
		e->failed_at = 0;
	}
	pthread_mutex_unlock(&o->lock);
	return 0;
}

/* A copy of the issuer's keys: the cached ones, or fetched when there are
 * none or when refresh is asked and the last fetch is old enough. */
static int idp_jwks_get(struct idp_oidc *o, const struct idp_discovery *d,
			bool refresh, struct idp_jwks *out, char *err,
			size_t errlen)
{
	struct idp_http_res res;
	struct idp_entry *e;
	struct idp_jwks fresh;
	int ret;

	pthread_mutex_lock(&o->lock);
	e = idp_entry_find(o, d->issuer);
	if (e && e->jwks_at &&
	    (!refresh || idp_mono_s() - e->jwks_at < IDP_JWKS_MIN_REFRESH_S)) {
		ret = refresh ? -EAGAIN : idp_jwks_dup(&e->jwks, out);
		pthread_mutex_unlock(&o->lock);
		if (ret == -ENOMEM)
			snprintf(err, errlen, "out of memory");
		return ret;
	}
	pthread_mutex_unlock(&o->lock);

	ret = idp_fetch_json(o, d->jwks_uri, "JWKS", &res, err, errlen);
	if (ret)
		return ret;
	ret = idp_jwks_parse(res.body, res.len, &fresh, err, errlen);
	idp_http_res_free(&res);
	if (ret)
		return ret;
	ret = idp_jwks_dup(&fresh, out);
	if (ret) {
		idp_jwks_free(&fresh);
		snprintf(err, errlen, "out of memory");
		return ret;
	}
	pthread_mutex_lock(&o->lock);
	e = idp_entry_get(o, d->issuer);
	if (e) {
		idp_jwks_free(&e->jwks);
		e->jwks = fresh;
		e->jwks_at = idp_mono_s();
	} else {
		idp_jwks_free(&fresh);
	}
	pthread_mutex_unlock(&o->lock);
	return 0;
}

char *idp_oidc_authorize_url(struct idp_oidc *o,
			     const struct idp_provider_cfg *p,
			     const char *redirect_uri, const char *state,
			     const char *nonce, const char *code_challenge,
			     char *err, size_t errlen)
{
	struct idp_discovery d;
	struct idp_authurl a = {
		.client_id = p->client_id,
		.redirect_uri = redirect_uri,
		.scope = p->scopes,
		.state = state,
		.nonce = nonce,
		.code_challenge = code_challenge,
	};

	if (idp_discovery_get(o, p->issuer, &d, err, errlen))
		return NULL;
	a.endpoint = d.authorization_endpoint;
	return idp_authurl_build(&a, err, errlen);
}

static int idp_token_request(struct idp_oidc *o,
			     const struct idp_provider_cfg *p,
			     const struct idp_discovery *d,
			     const char *redirect_uri, const char *code,
			     const char *verifier, char **id_token,
			     char **access_token, char *err, size_t errlen)
{
	struct idp_http_res res = { 0 };
	char *form = NULL;
	int ret = -ENOMEM;

	if (idp_form_add(&form, "grant_type", "authorization_code") ||
	    idp_form_add(&form, "code", code) ||
	    idp_form_add(&form, "redirect_uri", redirect_uri) ||
	    idp_form_add(&form, "code_verifier", verifier))
		goto nomem;
	if (d->auth_post &&
	    (idp_form_add(&form, "client_id", p->client_id) ||
	     idp_form_add(&form, "client_secret",
			  p->client_secret ? p->client_secret : "")))
		goto nomem;
	ret = idp_http_post_form(&o->opts, d->token_endpoint, form,
				 d->auth_post ? NULL : p->client_id,
				 p->client_secret, &res, err, errlen);
	idp_free_secret(form);
	if (ret)
		return ret;
	ret = idp_tokenresp_parse(res.status, res.body, res.len, id_token,
				  access_token, err, errlen);
	idp_http_res_free(&res);
	return ret;
nomem:
	snprintf(err, errlen, "out of memory");
	return ret;
}

static int idp_verify(struct idp_oidc *o, const struct idp_discovery *d,
		      const char *id_token, const struct idp_idtoken_want *w,
		      struct idp_claims *out, char *err, size_t errlen)
{
	struct idp_jwks k = { 0 };
	int ret;

	ret = idp_jwks_get(o, d, false, &k, err, errlen);
	if (ret)
		return ret;
	ret = idp_idtoken_verify(id_token, &k, w, out, err, errlen);
	idp_jwks_free(&k);
	if (ret != -ENOKEY)
		return ret;
	/* A kid we do not know: the provider may have rotated its keys. */
	ret = idp_jwks_get(o, d, true, &k, err, errlen);
	if (ret == -EAGAIN) {
		snprintf(
			err, errlen,
			"the id_token's key is not among the provider's keys (fetched again too recently)");
		return -ENOKEY;
	}
	if (ret)
		return ret;
	ret = idp_idtoken_verify(id_token, &k, w, out, err, errlen);
	idp_jwks_free(&k);
	return ret;
}

static int idp_userinfo(struct idp_oidc *o, const struct idp_discovery *d,
			const char *access_token, struct idp_claims *out,
			char *err, size_t errlen)
{
	struct idp_http_res res;
	int ret;

	ret = idp_http_get(&o->opts, d->userinfo_endpoint, access_token, &res,
			   err, errlen);
	if (ret)
		return ret;
	if (res.status != 200) {
		snprintf(err, errlen, "the userinfo endpoint answered HTTP %ld",
			 res.status);
		ret = -EPROTO;
	} else {
		ret = idp_userinfo_parse(res.body, res.len, out, err, errlen);
	}
	idp_http_res_free(&res);
	return ret;
}

int idp_oidc_exchange(struct idp_oidc *o, const struct idp_provider_cfg *p,
		      const char *redirect_uri, const char *code,
		      const char *code_verifier, const char *nonce,
		      int64_t now_s, struct idp_claims *out, char *err,
		      size_t errlen)
{
	struct idp_idtoken_want w = { p->issuer, p->client_id, nonce, now_s };
	char *id_token = NULL, *access_token = NULL;
	bool access_token_bad = false;
	struct idp_discovery d;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!code || !*code || strlen(code) > IDP_TOKEN_MAX) {
		snprintf(err, errlen, "the provider sent no usable code");
		return -EINVAL;
	}
	ret = idp_discovery_get(o, p->issuer, &d, err, errlen);
	if (!ret)
		ret = idp_token_request(o, p, &d, redirect_uri, code,
					code_verifier, &id_token, &access_token,
					err, errlen);
	if (!ret)
		ret = idp_verify(o, &d, id_token, &w, out, err, errlen);
	/* It goes into a header: RFC 6750's b64token characters only. */
	if (access_token &&
	    strspn(access_token,
		   "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
		   "qrstuvwxyz0123456789-._~+/=") != strlen(access_token))
		access_token_bad = true;
	if (!ret && !out->email[0] && d.userinfo_endpoint[0] && access_token &&
	    !access_token_bad)
		ret = idp_userinfo(o, &d, access_token, out, err, errlen);
	if (ret)
		memset(out, 0, sizeof(*out));
	idp_free_secret(id_token);
	idp_free_secret(access_token);
	return ret;
}
