// SPDX-License-Identifier: GPL-2.0
/*
 * Portal URLs (portalurl.h). Plain http is for tests against a portal on
 * this host only: anywhere else a token would cross the network in clear.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "portalurl.h"

bool fz_host_is_loopback(const char *host)
{
	struct in_addr a;

	if (!strcasecmp(host, "localhost") || !strcmp(host, "[::1]"))
		return true;
	return inet_pton(AF_INET, host, &a) == 1 &&
	       (ntohl(a.s_addr) >> 24) == 127;
}

/* Whether part is absent from u. */
static bool lacks(CURLU *u, CURLUPart part)
{
	char *s = NULL;
	CURLUcode rc = curl_url_get(u, part, &s, 0);

	curl_free(s);
	return rc != CURLUE_OK;
}

static int check_base(CURLU *u, char *err, size_t errlen)
{
	char *scheme = NULL, *host = NULL;
	int ret = -EINVAL;

	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0))
		snprintf(err, errlen, "has no scheme or host");
	else if (strcmp(scheme, "https") &&
		 (strcmp(scheme, "http") || !fz_host_is_loopback(host)))
		snprintf(err, errlen,
			 "must be https (http only to this host, for tests)");
	else if (!lacks(u, CURLUPART_USER) || !lacks(u, CURLUPART_PASSWORD))
		snprintf(err, errlen, "must not hold a user or password");
	else if (!lacks(u, CURLUPART_QUERY) || !lacks(u, CURLUPART_FRAGMENT))
		snprintf(err, errlen, "must not have a query or fragment");
	else
		ret = 0;
	curl_free(scheme);
	curl_free(host);
	return ret;
}

static int append_path(CURLU *u, const char *suffix)
{
	char *path = NULL, *joined;
	size_t n;
	int ret = -ENOMEM;

	if (curl_url_get(u, CURLUPART_PATH, &path, 0))
		return -ENOMEM;
	n = strlen(path);
	while (n && path[n - 1] == '/')
		n--;
	joined = malloc(n + strlen(suffix) + 1);
	if (joined) {
		memcpy(joined, path, n);
		strcpy(joined + n, suffix);
		if (!curl_url_set(u, CURLUPART_PATH, joined, 0))
			ret = 0;
		free(joined);
	}
	curl_free(path);
	return ret;
}

CURLU *fz_portal_url(const char *base, const char *suffix, char *err,
		     size_t errlen)
{
	char why[128];
	CURLU *u = curl_url();

	if (!u) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (curl_url_set(u, CURLUPART_URL, base, 0)) {
		snprintf(err, errlen,
			 "'%s' is not a URL (as https://portal.example.com)",
			 base);
		goto fail;
	}
	if (check_base(u, why, sizeof(why))) {
		snprintf(err, errlen, "portal URL '%s' %s", base, why);
		goto fail;
	}
	if (append_path(u, suffix)) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	return u;
fail:
	curl_url_cleanup(u);
	return NULL;
}

/*
 * The query is joined as text: libcurl's URL API would write the escapes
 * in lower case, curl_easy_escape() writes them in upper case, as RFC
 * 3986 recommends and portal/SIGNIN.md shows.
 */
char *fz_portal_url_query(CURLU *u, const char *const *names,
			  const char *const *values, size_t n)
{
	char *base = fz_portal_url_text(u), *text = NULL, *esc[8] = { 0 };
	size_t len;

	if (!base || n > 8)
		goto out;
	len = strlen(base) + 1;
	for (size_t i = 0; i < n; i++) {
		esc[i] = curl_easy_escape(NULL, values[i], 0);
		if (!esc[i])
			goto out;
		len += strlen(names[i]) + strlen(esc[i]) + 2;
	}
	text = malloc(len);
	if (!text)
		goto out;
	strcpy(text, base);
	for (size_t i = 0; i < n; i++) {
		strcat(text, i ? "&" : "?");
		strcat(text, names[i]);
		strcat(text, "=");
		strcat(text, esc[i]);
	}
out:
	/* A value may be a nonce: no copy of it is left behind. */
	for (size_t i = 0; i < n && i < 8 && esc[i]; i++) {
		sodium_memzero(esc[i], strlen(esc[i]));
		curl_free(esc[i]);
	}
	curl_free(base);
	return text;
}

char *fz_portal_url_text(CURLU *u)
{
	char *s = NULL;

	if (curl_url_get(u, CURLUPART_URL, &s, 0))
		return NULL;
	return s;
}

/* part of u copied into buf, whole or not at all. */
static int copy_part(CURLU *u, CURLUPart part, unsigned int flags, char *buf,
		     size_t len)
{
	char *s = NULL;
	int ret = -EINVAL;

	if (!curl_url_get(u, part, &s, flags) && strlen(s) < len) {
		strcpy(buf, s);
		ret = 0;
	}
	curl_free(s);
	return ret;
}

static int split(CURLU *u, struct fz_portal_dial *d)
{
	char scheme[8], port[8], *end;
	unsigned long n;
	size_t hl;

	if (copy_part(u, CURLUPART_SCHEME, 0, scheme, sizeof(scheme)) ||
	    copy_part(u, CURLUPART_HOST, 0, d->host, sizeof(d->host)) ||
	    copy_part(u, CURLUPART_PORT, CURLU_DEFAULT_PORT, port,
		      sizeof(port)) ||
	    copy_part(u, CURLUPART_PATH, 0, d->path, sizeof(d->path)))
		return -EINVAL;
	d->tls = !strcmp(scheme, "https");
	n = strtoul(port, &end, 10);
	if (*end || !n || n > 65535)
		return -EINVAL;
	d->port = (uint16_t)n;
	/* libcurl keeps an IPv6 host's brackets; a resolver wants none. */
	hl = strlen(d->host);
	if (hl > 2 && d->host[0] == '[' && d->host[hl - 1] == ']') {
		memmove(d->host, d->host + 1, hl - 2);
		d->host[hl - 2] = '\0';
	}
	return 0;
}

int fz_portal_dial(const char *base, const char *suffix,
		   struct fz_portal_dial *d, char *err, size_t errlen)
{
	CURLU *u = fz_portal_url(base, suffix, err, errlen);
	int ret;

	memset(d, 0, sizeof(*d));
	if (!u)
		return -EINVAL;
	ret = split(u, d);
	if (ret)
		snprintf(err, errlen, "portal URL '%s' is too long", base);
	curl_url_cleanup(u);
	return ret;
}
