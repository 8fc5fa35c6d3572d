/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sign-in wing (portal/signin/): the pages a person sees when a
 * client signs in (portal/SIGNIN.md), and the flows behind them:
 *
 *   GET  /SLUG/sign_in?state&nonce&redirect_uri  a flow starts: chooser
 *   GET  /SLUG/sign_in/oidc/PROVIDER?csrf        to the identity provider
 *   GET  /auth/oidc/callback?code&state          back from it
 *   POST /SLUG/sign_in/email                     send a code
 *   POST /SLUG/sign_in/email/verify              check it
 *   GET  /SLUG/signed_in                         "you can close this window"
 *   GET  /static/fz.css                          the stylesheet
 *
 * Flows live in memory only: whoever reaches the portal can start one,
 * and nobody unauthenticated may make the portal write to its database.
 * Calls to a provider or a mail server are blocking (libcurl), so they
 * run on libuv's thread pool and the page is answered when they end.
 */
#ifndef FZ_PORTAL_SIGNIN_H
#define FZ_PORTAL_SIGNIN_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "idp/idp.h"
#include "idp/smtp.h"
#include "store/store.h"
#include "web/web.h"

#define SIGNIN_CODE_TTL_DEFAULT_S 600 /* an emailed code lives, s */

struct signin_config {
	uv_loop_t *loop;
	struct store *store;
	/* How browsers and providers reach the portal: "https://host[:port]"
	 * (no path, no trailing slash); the OIDC redirect URI is built on it. */
	const char *external_url;
	struct idp_http_opts http; /* provider calls */
	struct idp_smtp_cfg smtp; /* smtp.url NULL: no email codes */
	int64_t code_ttl_s; /* an emailed code lives; 0: 600 */
	/*
	 * Proxies in front of the portal, "CIDR[,CIDR...]" or NULL: a request
	 * from one of them is counted against the address it says it
	 * forwards (X-Forwarded-For), not its own.
	 */
	const char *trusted_proxies;
	/*
	 * Around the wing's writes to the store (tokens, identities, audit):
	 * before_write ends the signalling's open batch, so the writes get
	 * their own transaction; after_write has the feed act on them now.
	 */
	void (*before_write)(void *arg);
	void (*after_write)(void *arg);
	void *hook_arg;
};

struct signin;

#define SIGNIN_PROXIES_MAX 16

struct signin *signin_new(const struct signin_config *cfg);
/* cfg->trusted_proxies' syntax: 0, or -EINVAL with *why. */
int signin_check_proxies(const char *text, const char **why);
/* When cfg->external_url was NULL: known once the server listens. */
int signin_set_external_url(struct signin *si, const char *url);
/* No new jobs (shutdown); those running finish and answer. */
void signin_stop(struct signin *si);
/* After the loop has stopped running jobs (serve's shutdown). */
void signin_free(struct signin *si);

/* web_config.page: arg is the struct signin. */
int signin_page(void *arg, const struct web_page_request *req,
		struct web_page_response *resp);

#endif /* FZ_PORTAL_SIGNIN_H */
