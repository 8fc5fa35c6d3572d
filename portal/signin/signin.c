// SPDX-License-Identifier: GPL-2.0
/*
 * The wing's door: routing of the page requests, the start of a flow,
 * the checks every later page makes (cookie, account, csrf), and the
 * end of a flow, where the client's token is made and the browser sent
 * back to the client's loopback address.
 */
#define _GNU_SOURCE /* asprintf */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "priv.h"
#include "admin/admin.h"
#include "core/log.h"
#include "core/token.h"
#include "lib/clock.h"

#define SLUG_MAX 63
#define COOKIE_NAME "fz_flow"

int64_t signin_now(void)
{
	return (int64_t)fz_clock_real_ns();
}

static int parse_proxies(const char *text, struct fz_cidr *out, size_t *n,
			 const char **why)
{
	const char *p = text;

	*n = 0;
	while (p && *p) {
		size_t l = strcspn(p, ",");
		struct fz_cidr c;

		while (l && (*p == ' ')) {
			p++;
			l--;
		}
		if (*n == SIGNIN_PROXIES_MAX) {
			*why = "more than 16 proxies";
			return -EINVAL;
		}
		if (fz_cidr_parse(&c, p, l, why))
			return -EINVAL;
		if (out)
			out[*n] = c;
		(*n)++;
		p += l;
		if (*p == ',')
			p++;
	}
	return 0;
}

struct signin *signin_new(const struct signin_config *cfg)
{
	struct signin *si = calloc(1, sizeof(*si));
	const char *why;

	if (!si)
		return NULL;
	si->cfg = *cfg;
	if (!si->cfg.code_ttl_s)
		si->cfg.code_ttl_s = SIGNIN_CODE_TTL_DEFAULT_S;
	if (cfg->external_url && signin_set_external_url(si, cfg->external_url))
		goto err;
	if (cfg->trusted_proxies &&
	    parse_proxies(cfg->trusted_proxies, si->proxy, &si->n_proxies,
			  &why))
		goto err;
	si->flows = signin_flows_new();
	si->limits = signin_limits_new();
	si->oidc = idp_oidc_new(&cfg->http);
	if (!si->flows || !si->limits || !si->oidc)
		goto err;
	return si;
err:
	signin_free(si);
	return NULL;
}

int signin_set_external_url(struct signin *si, const char *url)
{
	size_t n = strlen(url);

	if (n && url[n - 1] == '/')
		n--;
	if (strncmp(url, "https://", 8) && strncmp(url, "http://", 7))
		return -EINVAL;
	if (snprintf(si->oidc_redirect_uri, sizeof(si->oidc_redirect_uri),
		     "%.*s/auth/oidc/callback", (int)n,
		     url) >= (int)sizeof(si->oidc_redirect_uri))
		return -EINVAL;
	return 0;
}

void signin_free(struct signin *si)
{
	if (!si)
		return;
	signin_flows_free(si->flows);
	signin_limits_free(si->limits);
	if (si->oidc)
		idp_oidc_free(si->oidc);
	free(si);
}

/* "192.0.2.1:5000" -> "192.0.2.1", "[2001:db8::1]:5000" -> "2001:db8::1" */
/* "192.0.2.1:5000" or "[2001:db8::1]:5000" -> the address alone */
static void strip_port(const char *remote, char *out, size_t len)
{
	const char *end;

	if (remote[0] == '[') {
		end = strchr(remote, ']');
		remote++;
	} else {
		end = strrchr(remote, ':');
	}
	if (!end)
		end = remote + strlen(remote);
	snprintf(out, len, "%.*s", (int)(end - remote), remote);
}

static bool trusted(const struct signin *si, const char *addr)
{
	struct fz_cidr ip;
	const char *why;

	if (fz_cidr_parse(&ip, addr, strlen(addr), &why))
		return false;
	for (size_t i = 0; i < si->n_proxies; i++)
		if (si->proxy[i].family == ip.family &&
		    fz_cidr_in(&ip, si->proxy[i].addr, si->proxy[i].cidr))
			return true;
	return false;
}

/*
 * X-Forwarded-For from the right: each proxy appends the address it got
 * the request from, so the first one that is not a trusted proxy is the
 * client as far as anyone trusted can tell (what is left of it is the
 * client's own to write).
 */
static bool forwarded(const struct signin *si, const char *xff, char *out,
		      size_t len)
{
	char list[1024];

	if (!xff ||
	    snprintf(list, sizeof(list), "%s", xff) >= (int)sizeof(list))
		return false;
	for (;;) {
		char *comma = strrchr(list, ',');
		char *item = comma ? comma + 1 : list;
		struct fz_cidr ip;
		const char *why;

		item += strspn(item, " \t");
		item[strcspn(item, " \t")] = '\0';
		if (!trusted(si, item)) {
			if (strchr(item, '/') ||
			    fz_cidr_parse(&ip, item, strlen(item), &why))
				return false;
			snprintf(out, len, "%s", item);
			return true;
		}
		if (!comma)
			return false;
		*comma = '\0';
	}
}

void signin_source_of(const struct signin *si,
		      const struct web_page_request *req, char *out, size_t len)
{
	struct in6_addr a6;
	char addr[INET6_ADDRSTRLEN + 8];

	strip_port(req->remote, addr, sizeof(addr));
	if (si->n_proxies && trusted(si, addr))
		forwarded(si, req->forwarded_for, addr, sizeof(addr));
	/* One host has a whole IPv6 /64: that is one source. */
	if (inet_pton(AF_INET6, addr, &a6) == 1) {
		memset(a6.s6_addr + 8, 0, 8);
		inet_ntop(AF_INET6, &a6, addr, sizeof(addr));
		strcat(addr, "/64");
	}
	snprintf(out, len, "%s", addr);
}

int signin_check_proxies(const char *text, const char **why)
{
	size_t n;

	return parse_proxies(text, NULL, &n, why);
}

static bool is_b64_43(const char *s)
{
	size_t n = strlen(s);

	if (n != SIGNIN_B64_LEN)
		return false;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			 "0123456789-_") == n;
}

/*
 * Only the client's own loopback listener (RFC 8252, 7.3), on 127.0.0.1
 * as fzagent listens: the code page's CSP names that address alone (CSP
 * has no syntax for an IPv6 literal).
 */
static bool redirect_ok(const char *uri)
{
	static const char host[] = "http://127.0.0.1:";
	unsigned long port = 0;
	size_t digits = 0, n = sizeof(host) - 1;
	const char *p;

	if (strncmp(uri, host, n))
		return false;
	for (p = uri + n; *p >= '0' && *p <= '9' && digits < 6; p++, digits++)
		port = port * 10 + (unsigned long)(*p - '0');
	return digits && uri[n] != '0' && port >= 1 && port <= 65535 &&
	       !strcmp(p, "/callback");
}

static int fail(struct web_page_response *resp, int status, const char *title,
		const char *message)
{
	return signin_page_error(resp, status, title, message);
}

struct links {
	struct signin_provider_link link[32];
	char id[32][STORE_ID_SIZE];
	char name[32][STORE_TEXT_SIZE];
	size_t n;
};

static int add_link(void *arg, const void *record)
{
	const struct store_provider *p = record;
	struct links *l = arg;

	if (p->disabled_at || l->n == 32)
		return 0;
	snprintf(l->id[l->n], sizeof(l->id[0]), "%s", p->id);
	snprintf(l->name[l->n], sizeof(l->name[0]), "%s", p->name);
	l->link[l->n].id = l->id[l->n];
	l->link[l->n].name = l->name[l->n];
	l->n++;
	return 0;
}

static int set_cookie(struct web_page_response *resp, const char *value,
		      int max_age)
{
	if (asprintf(&resp->set_cookie,
		     COOKIE_NAME "=%s; Path=/; Max-Age=%d; HttpOnly; Secure; "
				 "SameSite=Lax",
		     value, max_age) < 0) {
		resp->set_cookie = NULL;
		return -ENOMEM;
	}
	return 0;
}

static int start(struct signin *si, const struct web_page_request *req,
		 struct web_page_response *resp, const char *slug)
{
	char state[64], nonce[64], redirect[SIGNIN_REDIRECT_SIZE], source[64];
	struct store_account acct;
	struct store_err err = { 0 };
	struct signin_flow *f;
	struct links *l;
	int64_t now = signin_now();
	int rc;

	if (web_query_value(req->query, "state", state, sizeof(state)) ||
	    web_query_value(req->query, "nonce", nonce, sizeof(nonce)) ||
	    web_query_value(req->query, "redirect_uri", redirect,
			    sizeof(redirect)) ||
	    !is_b64_43(state) || !is_b64_43(nonce) || !redirect_ok(redirect))
		return fail(resp, 400, "Not a sign-in link",
			    "This page opens from a client's sign-in link, "
			    "which has a state, a nonce and a loopback "
			    "redirect_uri; this one does not.");
	signin_source_of(si, req, source, sizeof(source));
	if (!signin_limit_take(si->limits, SIGNIN_LIMIT_START_SOURCE, source,
			       now))
		return fail(resp, 429, "Too many sign-ins",
			    "Too many sign-ins were started from your "
			    "address. Wait a few minutes and try again.");
	if (store_account_get_by_slug(si->cfg.store, slug, &acct, &err))
		return fail(resp, err.code == STORE_NOT_FOUND ? 404 : 503,
			    "No such account",
			    err.code == STORE_NOT_FOUND ?
				    "There is no account with this name." :
				    "The portal cannot read its database.");
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	if (store_provider_list(si->cfg.store, acct.id, add_link, l, &err)) {
		free(l);
		return fail(resp, 503, "Unavailable",
			    "The portal cannot read its database.");
	}
	f = signin_flow_new(si->flows, source, now);
	if (!f) {
		free(l);
		core_log("signin_full", "source", source, NULL);
		return fail(resp, 503, "Busy",
			    "Too many sign-ins are under way. Try again in a "
			    "few minutes.");
	}
	snprintf(f->account_id, sizeof(f->account_id), "%s", acct.id);
	snprintf(f->account_slug, sizeof(f->account_slug), "%s", acct.slug);
	memcpy(f->client_state, state, sizeof(f->client_state));
	memcpy(f->client_nonce_hash, nonce, sizeof(f->client_nonce_hash));
	snprintf(f->redirect_uri, sizeof(f->redirect_uri), "%s", redirect);
	sodium_memzero(nonce, sizeof(nonce));
	rc = signin_page_chooser(resp, acct.name, acct.slug, f, l->link, l->n,
				 si->cfg.smtp.url != NULL);
	free(l);
	if (!rc)
		rc = set_cookie(resp, f->id, SIGNIN_FLOW_TTL_S);
	core_log("signin_start", "account", acct.slug, "source", source, NULL);
	return rc;
}

struct signin_flow *signin_flow_of(struct signin *si,
				   const struct web_page_request *req,
				   struct web_page_response *resp,
				   const char *slug, const char *csrf)
{
	char id[64];
	struct signin_flow *f = NULL;

	if (!web_cookie_value(req->cookie, COOKIE_NAME, id, sizeof(id)))
		f = signin_flow_by_id(si->flows, id, signin_now());
	sodium_memzero(id, sizeof(id));
	if (!f) {
		fail(resp, 400, "Sign-in expired",
		     "This sign-in has expired or was started in another "
		     "browser (it lasts 10 minutes).");
		return NULL;
	}
	if (strcmp(f->account_slug, slug) || strlen(csrf) != SIGNIN_B64_LEN ||
	    sodium_memcmp(f->csrf, csrf, SIGNIN_B64_LEN)) {
		fail(resp, 403, "Wrong state",
		     "This request does not belong to your sign-in.");
		return NULL;
	}
	if (f->busy) {
		fail(resp, 409, "Busy",
		     "This sign-in is already on its way; wait for it.");
		return NULL;
	}
	return f;
}

int signin_finish(struct signin *si, struct signin_flow *f,
		  const struct store_actor *actor, const char *identity_id,
		  const char *how, struct web_page_response *resp)
{
	char fragment[CORE_TOKEN_TEXT_LEN + 1], name[3 * STORE_TEXT_SIZE];
	char *url = NULL;
	struct admin_error err = { 0 };
	int64_t expires_at;
	int rc;

	signin_hook(si, true);
	rc = admin_signin_session(si->cfg.store, f->account_id, actor->id,
				  identity_id[0] ? identity_id : NULL, how,
				  f->client_nonce_hash, signin_now(), fragment,
				  &expires_at, &err);
	if (rc) {
		signin_hook(si, false);
		core_log("signin_fail", "account", f->account_slug, "actor",
			 actor->name, "why", err.message, NULL);
		signin_flow_end(f);
		return fail(resp, 503, "Sign-in failed",
			    "The portal could not make your session.");
	}
	signin_hook(si, false);
	if (!web_url_encode(actor->name, strlen(actor->name), name,
			    sizeof(name)) &&
	    asprintf(&url,
		     "%s?state=%s&fragment=%s&account_slug=%s&actor_name=%s",
		     f->redirect_uri, f->client_state, fragment,
		     f->account_slug, name) < 0)
		url = NULL;
	sodium_memzero(fragment, sizeof(fragment));
	core_log("signin_ok", "account", f->account_slug, "actor", actor->name,
		 "via", how, NULL);
	signin_flow_end(f);
	if (!url)
		return -ENOMEM;
	rc = signin_redirect(resp, url);
	sodium_memzero(url, strlen(url));
	free(url);
	if (!rc)
		rc = set_cookie(resp, "", 0); /* the flow is over */
	return rc;
}

/* "/acme/sign_in/oidc/ID" -> slug "acme", rest "/sign_in/oidc/ID" */
static const char *split_slug(const char *path, char slug[SLUG_MAX + 1])
{
	const char *end = strchr(path + 1, '/');
	size_t n;

	if (path[0] != '/' || !end)
		return NULL;
	n = (size_t)(end - path - 1);
	if (!n || n > SLUG_MAX)
		return NULL;
	memcpy(slug, path + 1, n);
	slug[n] = '\0';
	return end;
}

static bool is(const struct web_page_request *req, const char *method)
{
	return !strcmp(req->method, method) ||
	       (!strcmp(method, "GET") && !strcmp(req->method, "HEAD"));
}

static int route(struct signin *si, const struct web_page_request *req,
		 struct web_page_response *resp)
{
	static const char oidc_prefix[] = "/sign_in/oidc/";
	char slug[SLUG_MAX + 1];
	const char *rest;

	if (!strcmp(req->path, "/static/fz.css") && is(req, "GET"))
		return signin_page_css(resp);
	if (!strcmp(req->path, "/auth/oidc/callback") && is(req, "GET"))
		return signin_oidc_callback(si, req, resp);
	rest = split_slug(req->path, slug);
	if (!rest)
		return fail(resp, 404, "Not found", "There is no such page.");
	if (!strcmp(rest, "/sign_in") && is(req, "GET"))
		return start(si, req, resp, slug);
	if (!strcmp(rest, "/signed_in") && is(req, "GET"))
		return signin_page_signed_in(resp);
	if (!strncmp(rest, oidc_prefix, sizeof(oidc_prefix) - 1) &&
	    is(req, "GET"))
		return signin_oidc_start(si, req, resp, slug,
					 rest + sizeof(oidc_prefix) - 1);
	if (!strcmp(rest, "/sign_in/email") && is(req, "POST"))
		return signin_email_send(si, req, resp, slug);
	if (!strcmp(rest, "/sign_in/email/verify") && is(req, "POST"))
		return signin_email_verify(si, req, resp, slug);
	return fail(resp, 404, "Not found", "There is no such page.");
}

void signin_stop(struct signin *si)
{
	si->closing = true;
}

int signin_match(struct signin *si, const char *account_id,
		 const char *provider_id, const struct idp_claims *claims,
		 bool link_by_email, bool self_signup,
		 struct store_actor *actor, struct store_identity *identity,
		 struct admin_error *err)
{
	int rc;

	signin_hook(si, true);
	rc = admin_signin_match(si->cfg.store, account_id, provider_id,
				claims->sub, claims->email,
				claims->email_verified, link_by_email,
				self_signup, actor, identity, err);
	signin_hook(si, false);
	return rc;
}

void signin_hook(struct signin *si, bool before)
{
	void (*fn)(void *) = before ? si->cfg.before_write :
				      si->cfg.after_write;

	if (fn)
		fn(si->cfg.hook_arg);
}

int signin_page(void *arg, const struct web_page_request *req,
		struct web_page_response *resp)
{
	return route(arg, req, resp);
}
