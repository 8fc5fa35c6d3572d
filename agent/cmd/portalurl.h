/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The portal's URL as `fzagent sign-in` and `sign-out` take it, and the
 * URLs they make under it, with libcurl's URL API.
 */
#ifndef FZ_AGENT_CMD_PORTALURL_H
#define FZ_AGENT_CMD_PORTALURL_H

#include <stdbool.h>
#include <stddef.h>

#include <curl/curl.h>

/* localhost, 127.0.0.0/8 or [::1] (as libcurl writes an IPv6 host). */
bool cmd_host_is_loopback(const char *host);

/*
 * base checked as a portal URL (https; http only to a loopback host;
 * no user, password, query or fragment) and suffix ("/acme/sign_in")
 * appended to its path, without doubling a trailing '/'. Returns a
 * handle for curl_url_cleanup(), or NULL with err set.
 */
CURLU *cmd_portal_url(const char *base, const char *suffix, char *err,
		      size_t errlen);

/*
 * u's text with the query name[i]=value[i] (values percent-encoded, at
 * most 8 pairs): malloc'd, or NULL. The caller wipes it if a value is
 * secret.
 */
char *cmd_portal_url_query(CURLU *u, const char *const *names,
			   const char *const *values, size_t n);

/* u's text, to be freed with curl_free(), or NULL. */
char *cmd_portal_url_text(CURLU *u);

#endif /* FZ_AGENT_CMD_PORTALURL_H */
