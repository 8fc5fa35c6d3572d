// SPDX-License-Identifier: GPL-2.0
/*
 * idp_smtp_send(): one mail, one libcurl easy handle, one connection. The
 * message is composed by mailmsg.c; curl speaks SMTP (EHLO, STARTTLS,
 * AUTH, MAIL FROM, RCPT TO, DATA with dot-stuffing).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <sodium.h>

#include "mailmsg.h"
#include "priv.h"
#include "smtp.h"

struct upload {
	const char *p;
	size_t left;
};

static size_t read_cb(char *buf, size_t size, size_t nitems, void *arg)
{
	struct upload *u = arg;
	size_t n = size * nitems;

	if (n > u->left)
		n = u->left;
	memcpy(buf, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

/*
 * The URL must be smtp:// or smtps:// with a host and without user info
 * (the URL is logged; credentials have their own fields). *tls_only is
 * set for smtps.
 */
static const char *check_url(const char *url, bool *tls_only)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *user = NULL, *pass = NULL;
	const char *why = NULL;

	if (!u)
		return "out of memory";
	if (!url || curl_url_set(u, CURLUPART_URL, url, 0)) {
		why = "the SMTP URL does not parse";
		goto out;
	}
	curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
	curl_url_get(u, CURLUPART_HOST, &host, 0);
	curl_url_get(u, CURLUPART_USER, &user, 0);
	curl_url_get(u, CURLUPART_PASSWORD, &pass, 0);
	if (!scheme || (strcmp(scheme, "smtp") && strcmp(scheme, "smtps")))
		why = "the SMTP URL must start with smtp:// or smtps://";
	else if (!host || !*host)
		why = "the SMTP URL has no host";
	else if (user || pass)
		why = "the SMTP URL must not hold a user or password (use the user and password settings)";
	else
		*tls_only = !strcmp(scheme, "smtps");
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(pass);
	curl_url_cleanup(u);
	return why;
}

static int errno_of(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
		return -EHOSTUNREACH;
	case CURLE_COULDNT_CONNECT:
		return -ECONNREFUSED;
	case CURLE_OPERATION_TIMEDOUT:
		return -ETIMEDOUT;
	case CURLE_LOGIN_DENIED:
		return -EACCES;
	case CURLE_USE_SSL_FAILED:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
		return -EPROTO;
	default:
		return -EIO;
	}
}

/*
 * What went wrong, in words: curl's detail (it names the step and the
 * server's reply code, e.g. "RCPT failed: 550"), else its generic text.
 */
static void describe(CURLcode rc, const struct idp_smtp_cfg *c,
		     const char *detail, char *err, size_t errlen)
{
	const char *what = *detail ? detail : curl_easy_strerror(rc);

	if (rc == CURLE_USE_SSL_FAILED && c->user && *c->user)
		snprintf(err, errlen,
			 "mail via %s failed: %s (TLS is required when a "
			 "password is set)",
			 c->url, what);
	else
		snprintf(err, errlen, "mail via %s failed: %s", c->url, what);
}

/* Whether url's host is this host (idp_host_loopback). */
static bool loopback_url(const char *url)
{
	char *host = NULL;
	bool yes = false;
	CURLU *u = curl_url();

	if (u && !curl_url_set(u, CURLUPART_URL, url, 0) &&
	    !curl_url_get(u, CURLUPART_HOST, &host, 0))
		yes = idp_host_loopback(host);
	curl_free(host);
	curl_url_cleanup(u);
	return yes;
}

static CURLcode setup(CURL *h, const struct idp_smtp_cfg *c, bool tls_only,
		      struct curl_slist *rcpt, struct upload *up, char *detail)
{
	long timeout = c->timeout_ms > 0 ? c->timeout_ms : IDP_SMTP_TIMEOUT_MS;
	bool auth = c->user && *c->user;
	CURLcode rc = CURLE_OK;

#define SET(opt, val)                                       \
	do {                                                \
		if (rc == CURLE_OK)                         \
			rc = curl_easy_setopt(h, opt, val); \
	} while (0)
	SET(CURLOPT_ERRORBUFFER, detail);
	SET(CURLOPT_URL, c->url);
	SET(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_TIMEOUT_MS, timeout);
	SET(CURLOPT_CONNECTTIMEOUT_MS, timeout);
	/*
	 * TLS or nothing, even on smtp://: the mail carries a sign-in code,
	 * and STARTTLS offered but stripped on the way would send it in
	 * clear. Only a server on this host may do without.
	 */
	SET(CURLOPT_USE_SSL, tls_only || auth || !loopback_url(c->url) ?
				     (long)CURLUSESSL_ALL :
				     (long)CURLUSESSL_TRY);
	if (c->ca_file && *c->ca_file)
		SET(CURLOPT_CAINFO, c->ca_file);
	if (auth) {
		SET(CURLOPT_USERNAME, c->user);
		SET(CURLOPT_PASSWORD, c->password ? c->password : "");
	}
	SET(CURLOPT_MAIL_FROM, c->from);
	SET(CURLOPT_MAIL_RCPT, rcpt);
	SET(CURLOPT_UPLOAD, 1L);
	SET(CURLOPT_READFUNCTION, read_cb);
	SET(CURLOPT_READDATA, up);
	SET(CURLOPT_INFILESIZE_LARGE, (curl_off_t)up->left);
#undef SET
	return rc;
}

static int send_msg(const struct idp_smtp_cfg *c, bool tls_only, const char *to,
		    const char *msg, size_t len, char *err, size_t errlen)
{
	char detail[CURL_ERROR_SIZE] = "";
	struct upload up = { msg, len };
	struct curl_slist *rcpt = NULL;
	CURL *h = curl_easy_init();
	CURLcode rc;
	int ret = -ENOMEM;

	if (!h)
		goto nomem;
	rcpt = curl_slist_append(NULL, to);
	if (!rcpt)
		goto nomem;
	rc = setup(h, c, tls_only, rcpt, &up, detail);
	if (rc == CURLE_OK)
		rc = curl_easy_perform(h);
	ret = rc == CURLE_OK ? 0 : errno_of(rc);
	if (ret)
		describe(rc, c, detail, err, errlen);
	goto out;
nomem:
	snprintf(err, errlen, "out of memory sending mail");
out:
	curl_slist_free_all(rcpt);
	if (h)
		curl_easy_cleanup(h);
	return ret;
}

int idp_smtp_send(const struct idp_smtp_cfg *c, const char *to,
		  const char *subject, const char *text, char *err,
		  size_t errlen)
{
	bool tls_only = false;
	const char *why;
	size_t len;
	char *msg;
	int ret;

	why = check_url(c->url, &tls_only);
	if (why) {
		snprintf(err, errlen, "%s", why);
		return -EINVAL;
	}
	msg = idp_mailmsg_build(c->from, to, subject, text, time(NULL), &len,
				err, errlen);
	if (!msg)
		return -EINVAL;
	ret = send_msg(c, tls_only, to, msg, len, err, errlen);
	/* It holds the code in clear. */
	sodium_memzero(msg, len);
	free(msg);
	return ret;
}
