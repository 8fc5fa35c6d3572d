/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The portal's URL as `fzagent sign-in`, `sign-out` and the signal wing
 * take it, and the URLs they make under it, with libcurl's URL API.
 */
#ifndef FZ_AGENT_LIB_PORTALURL_H
#define FZ_AGENT_LIB_PORTALURL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

/* localhost, 127.0.0.0/8 or [::1] (as libcurl writes an IPv6 host). */
bool fz_host_is_loopback(const char *host);

/*
 * base checked as a portal URL (https; http only to a loopback host;
 * no user, password, query or fragment) and suffix ("/acme/sign_in")
 * appended to its path, without doubling a trailing '/'. Returns a
 * handle for curl_url_cleanup(), or NULL with err set.
 */
CURLU *fz_portal_url(const char *base, const char *suffix, char *err,
		     size_t errlen);

/*
 * u's text with the query name[i]=value[i] (values percent-encoded, at
 * most 8 pairs): malloc'd, or NULL. The caller wipes it if a value is
 * secret.
 */
char *fz_portal_url_query(CURLU *u, const char *const *names,
			  const char *const *values, size_t n);

/* u's text, to be freed with curl_free(), or NULL. */
char *fz_portal_url_text(CURLU *u);

/* Where a WebSocket client dials for a portal URL (fz_portal_dial()). */
struct fz_portal_dial {
	bool tls; /* https: wss; http (loopback only): ws */
	char host[256]; /* without an IPv6 address's brackets */
	uint16_t port; /* the scheme's default when the URL has none */
	char path[1024]; /* the URL's path with suffix appended */
};

/*
 * base checked as fz_portal_url() checks it, suffix appended, and split
 * into what a WebSocket client needs. Returns 0, or -EINVAL with err set.
 */
int fz_portal_dial(const char *base, const char *suffix,
		   struct fz_portal_dial *d, char *err, size_t errlen);

#endif /* FZ_AGENT_LIB_PORTALURL_H */
