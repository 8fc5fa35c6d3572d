// SPDX-License-Identifier: GPL-2.0
/*
 * HTTP to identity providers with libcurl's easy interface: blocking, so
 * only on worker threads. No redirects are followed (a provider's answer
 * is the answer), only http and https are spoken, answers are bounded,
 * and every URL passes idp_url_allowed first.
 */
#define _GNU_SOURCE /* asprintf, strndup */
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>

#include "priv.h"

#define IDP_TIMEOUT_MS 10000L
#define IDP_MAX_BODY (256 * 1024)

static pthread_once_t idp_curl_once = PTHREAD_ONCE_INIT;

static void idp_curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void idp_curl_init(void)
{
	pthread_once(&idp_curl_once, idp_curl_init_once);
}

bool idp_host_loopback(const char *host)
{
	return !strcmp(host, "127.0.0.1") || !strcmp(host, "[::1]") ||
	       !strcmp(host, "::1") || !strcasecmp(host, "localhost");
}

static bool idp_url_check(CURLU *u, const char **why)
{
	char *scheme = NULL, *host = NULL, *user = NULL, *pass = NULL;
	bool ok = false;

	if (curl_url_get(u, CURLUPART_USER, &user, 0) != CURLUE_NO_USER ||
	    curl_url_get(u, CURLUPART_PASSWORD, &pass, 0) !=
		    CURLUE_NO_PASSWORD) {
		*why = "a provider URL may not carry a user name or password";
		goto out;
	}
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) || !*host) {
		*why = "the URL has no scheme or host";
		goto out;
	}
	if (!strcmp(scheme, "https")) {
		ok = true;
	} else if (!strcmp(scheme, "http")) {
		ok = idp_host_loopback(host);
		if (!ok)
			*why = "http is allowed only to 127.0.0.1, ::1 or localhost; use https";
	} else {
		*why = "only https URLs (or http to a loopback host) are allowed";
	}
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(pass);
	return ok;
}

bool idp_url_allowed(const char *url, const char **why)
{
	const char *dummy;
	CURLU *u;
	bool ok;

	if (!why)
		why = &dummy;
	if (!url || !*url || strlen(url) >= IDP_URL_MAX) {
		*why = "the URL is empty or too long";
		return false;
	}
	u = curl_url();
	if (!u) {
		*why = "out of memory";
		return false;
	}
	/* No default scheme: "example.com/x" is not a URL here. */
	if (curl_url_set(u, CURLUPART_URL, url, 0)) {
		*why = "the URL does not parse";
		curl_url_cleanup(u);
		return false;
	}
	ok = idp_url_check(u, why);
	curl_url_cleanup(u);
	return ok;
}

struct idp_sink {
	char *buf;
	size_t len, cap, max;
	bool too_big;
};

static size_t idp_sink_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct idp_sink *s = arg;
	size_t n = size * nmemb;
	char *nb;

	if (n > s->max - s->len) {
		s->too_big = true;
		return 0;
	}
	if (s->len + n + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;

		while (cap < s->len + n + 1)
			cap *= 2;
		nb = realloc(s->buf, cap);
		if (!nb)
			return 0;
		s->buf = nb;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, data, n);
	s->len += n;
	s->buf[s->len] = '\0';
	return n;
}

static int idp_http_setup(CURL *c, const struct idp_http_opts *o,
			  const char *url, struct idp_sink *s)
{
	long timeout = o && o->timeout_ms > 0 ? o->timeout_ms : IDP_TIMEOUT_MS;

	s->max = o && o->max_body ? o->max_body : IDP_MAX_BODY;
	if (curl_easy_setopt(c, CURLOPT_URL, url) ||
	    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") ||
	    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) ||
	    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) ||
	    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout) ||
	    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout) ||
	    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
			     (curl_off_t)s->max) ||
	    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, idp_sink_write) ||
	    curl_easy_setopt(c, CURLOPT_WRITEDATA, s) ||
	    curl_easy_setopt(c, CURLOPT_USERAGENT, "fzportal") ||
	    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, NULL))
		return -EINVAL;
	if (o && o->ca_file && curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file))
		return -EINVAL;
	return 0;
}

static int idp_http_run(CURL *c, const char *url, struct idp_sink *s,
			struct idp_http_res *res, char *err, size_t errlen)
{
	char cerr[CURL_ERROR_SIZE] = "";
	CURLcode rc;

	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	rc = curl_easy_perform(c);
	/* cerr is gone when this returns; curl must not keep it. */
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
	if (s->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		snprintf(err, errlen, "%s: the answer is larger than %zu bytes",
			 url, s->max);
		return -EMSGSIZE;
	}
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "%s: %s", url,
			 *cerr ? cerr : curl_easy_strerror(rc));
		return rc == CURLE_OPERATION_TIMEDOUT ? -ETIMEDOUT : -EIO;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res->status);
	if (!s->buf) {
		s->buf = calloc(1, 1);
		if (!s->buf) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
	}
	res->body = s->buf;
	res->len = s->len;
	s->buf = NULL;
	return 0;
}

static int idp_http_do(const struct idp_http_opts *o, const char *url,
		       struct curl_slist *hdrs, const char *form,
		       const char *user, const char *pass,
		       struct idp_http_res *res, char *err, size_t errlen)
{
	struct idp_sink s = { 0 };
	const char *why;
	CURL *c = NULL;
	int ret;

	memset(res, 0, sizeof(*res));
	if (!idp_url_allowed(url, &why)) {
		snprintf(err, errlen, "%s: %s", url, why);
		return -EINVAL;
	}
	idp_curl_init();
	c = curl_easy_init();
	if (!c || idp_http_setup(c, o, url, &s) ||
	    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs) ||
	    (form && (curl_easy_setopt(c, CURLOPT_POSTFIELDS, form) ||
		      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE,
				       (long)strlen(form)))) ||
	    (user &&
	     (curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC) ||
	      curl_easy_setopt(c, CURLOPT_USERNAME, user) ||
	      curl_easy_setopt(c, CURLOPT_PASSWORD, pass)))) {
		snprintf(err, errlen, "%s: cannot set up the request", url);
		ret = -ENOMEM;
		goto out;
	}
	ret = idp_http_run(c, url, &s, res, err, errlen);
out:
	if (c)
		curl_easy_cleanup(c);
	if (s.buf) {
		sodium_memzero(s.buf, s.cap);
		free(s.buf);
	}
	return ret;
}

int idp_http_get(const struct idp_http_opts *o, const char *url,
		 const char *bearer, struct idp_http_res *res, char *err,
		 size_t errlen)
{
	struct curl_slist *h = NULL, *n;
	char *auth = NULL;
	int ret = -ENOMEM;

	memset(res, 0, sizeof(*res));
	n = curl_slist_append(h, "Accept: application/json");
	if (!n)
		goto out;
	h = n;
	if (bearer) {
		if (asprintf(&auth, "Authorization: Bearer %s", bearer) < 0) {
			auth = NULL;
			goto out;
		}
		n = curl_slist_append(h, auth);
		if (!n)
			goto out;
		h = n;
	}
	ret = idp_http_do(o, url, h, NULL, NULL, NULL, res, err, errlen);
out:
	if (ret == -ENOMEM && !res->body)
		snprintf(err, errlen, "out of memory");
	curl_slist_free_all(h);
	idp_free_secret(auth);
	return ret;
}

/* RFC 6749 2.3.1: the client id and secret are form-encoded before they
 * become the Basic credentials. */
static char *idp_form_encode(const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0), *copy;

	if (!e)
		return NULL;
	copy = strdup(e);
	sodium_memzero(e, strlen(e));
	curl_free(e);
	return copy;
}

int idp_http_post_form(const struct idp_http_opts *o, const char *url,
		       const char *form, const char *user, const char *pass,
		       struct idp_http_res *res, char *err, size_t errlen)
{
	struct curl_slist *h = NULL, *n;
	char *euser = NULL, *epass = NULL;
	int ret = -ENOMEM;

	memset(res, 0, sizeof(*res));
	n = curl_slist_append(h, "Accept: application/json");
	if (!n)
		goto out;
	h = n;
	n = curl_slist_append(
		h, "Content-Type: application/x-www-form-urlencoded");
	if (!n)
		goto out;
	h = n;
	if (user) {
		euser = idp_form_encode(user);
		epass = idp_form_encode(pass ? pass : "");
		if (!euser || !epass)
			goto out;
	}
	ret = idp_http_do(o, url, h, form, euser, epass, res, err, errlen);
out:
	if (ret == -ENOMEM && !res->body)
		snprintf(err, errlen, "out of memory");
	curl_slist_free_all(h);
	idp_free_secret(euser);
	idp_free_secret(epass);
	return ret;
}

void idp_http_res_free(struct idp_http_res *res)
{
	if (res->body) {
		sodium_memzero(res->body, res->len);
		free(res->body);
	}
	memset(res, 0, sizeof(*res));
}

int idp_form_add(char **form, const char *name, const char *value)
{
	char *e = idp_form_encode(value), *nf = NULL;
	int n;

	if (!e)
		goto fail;
	n = asprintf(&nf, "%s%s%s=%s", *form ? *form : "", *form ? "&" : "",
		     name, e);
	idp_free_secret(e);
	if (n < 0)
		goto fail;
	idp_free_secret(*form);
	*form = nf;
	return 0;
fail:
	idp_free_secret(*form);
	*form = NULL;
	return -ENOMEM;
}

void idp_free_secret(char *s)
{
	if (!s)
		return;
	sodium_memzero(s, strlen(s));
	free(s);
}
