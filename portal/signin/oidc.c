// SPDX-License-Identifier: GPL-2.0
/*
 * Sign-in through an OpenID Connect provider: authorization code flow
 * with PKCE (S256), state and nonce (portal/SIGNIN.md, step 3). The
 * flow keeps the provider's state, nonce and verifier; the browser sees
 * only the state and the challenge. The provider's state finds the flow
 * on the way back, and the fz_flow cookie must match it too, so a code
 * cannot be carried into somebody else's browser.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "job.h"
#include "admin/admin.h"
#include "core/log.h"

struct oidc_job {
	struct signin_job base;
	char flow_id[SIGNIN_B64_SIZE];
	char provider_id[STORE_ID_SIZE];
	char provider_name[STORE_TEXT_SIZE];
	bool link_by_email;
	char issuer[STORE_TEXT_SIZE];
	char client_id[STORE_TEXT_SIZE];
	char client_secret[STORE_SECRET_SIZE];
	char scopes[STORE_TEXT_SIZE];
	char redirect_uri[300];
	char state[SIGNIN_B64_SIZE];
	char nonce[SIGNIN_B64_SIZE];
	char verifier[SIGNIN_B64_SIZE];
	char challenge[SIGNIN_B64_SIZE];
	char *code;
	/* Out of run(). */
	char *url;
	int rc;
	struct idp_claims claims;
	char err[256];
};

static void oidc_job_free(struct signin_job *base)
{
	struct oidc_job *job = (struct oidc_job *)base;

	if (job->code)
		sodium_memzero(job->code, strlen(job->code));
	free(job->code);
	free(job->url);
	sodium_memzero(job, sizeof(*job));
	free(job);
}

static void provider_cfg(const struct oidc_job *job, struct idp_provider_cfg *p)
{
	p->issuer = job->issuer;
	p->client_id = job->client_id;
	p->client_secret = job->client_secret;
	p->scopes = job->scopes;
}

/* The provider of the flow's account, enabled; 0 or an error page. */
static int load_provider(struct signin *si, const char *account_id,
			 const char *id, struct oidc_job *job,
			 struct web_page_response *resp)
{
	struct store_provider p;
	struct store_err err = { 0 };

	if (strlen(id) >= STORE_ID_SIZE ||
	    store_provider_get(si->cfg.store, id, &p, &err) ||
	    strcmp(p.account_id, account_id) || p.disabled_at) {
		signin_page_error(resp, 404, "No such provider",
				  "This identity provider is not one of the "
				  "account's, or it is disabled.");
		return -ENOENT;
	}
	snprintf(job->provider_id, sizeof(job->provider_id), "%s", p.id);
	snprintf(job->provider_name, sizeof(job->provider_name), "%s", p.name);
	snprintf(job->issuer, sizeof(job->issuer), "%s", p.issuer);
	snprintf(job->client_id, sizeof(job->client_id), "%s", p.client_id);
	snprintf(job->client_secret, sizeof(job->client_secret), "%s",
		 p.client_secret);
	snprintf(job->scopes, sizeof(job->scopes), "%s", p.scopes);
	job->link_by_email = p.link_by_email;
	sodium_memzero(&p, sizeof(p));
	return 0;
}

static struct oidc_job *job_new(struct signin *si, const struct signin_flow *f)
{
	struct oidc_job *job = calloc(1, sizeof(*job));

	if (!job)
		return NULL;
	job->base.free = oidc_job_free;
	memcpy(job->flow_id, f->id, sizeof(job->flow_id));
	snprintf(job->redirect_uri, sizeof(job->redirect_uri), "%s",
		 si->oidc_redirect_uri);
	return job;
}

/* A job found its flow again, or the flow timed out or ended meanwhile. */
static struct signin_flow *job_flow(struct oidc_job *job)
{
	struct signin_flow *f = signin_flow_by_id(job->base.si->flows,
						  job->flow_id, signin_now());

	if (f)
		f->busy = false;
	return f;
}

/* The flow waits for job (no second one meanwhile), or the page says busy. */
static int start_job(struct signin *si, struct signin_flow *f,
		     struct oidc_job *job, const struct web_page_request *req,
		     struct web_page_response *resp)
{
	int rc;

	f->busy = true;
	rc = signin_job_start(si, &job->base, req);
	if (rc != -EBUSY)
		return rc;
	f->busy = false;
	oidc_job_free(&job->base);
	return signin_page_error(resp, 503, "Busy", "Try again in a moment.");
}

static void authorize_run(struct signin_job *base)
{
	struct oidc_job *job = (struct oidc_job *)base;
	struct idp_provider_cfg p;

	provider_cfg(job, &p);
	job->url = idp_oidc_authorize_url(job->base.si->oidc, &p,
					  job->redirect_uri, job->state,
					  job->nonce, job->challenge, job->err,
					  sizeof(job->err));
}

static int authorize_done(struct signin_job *base,
			  struct web_page_response *resp)
{
	struct oidc_job *job = (struct oidc_job *)base;
	struct signin_flow *f = job_flow(job);

	if (!resp)
		return 0;
	if (!f)
		return signin_page_error(resp, 400, "Sign-in expired",
					 "This sign-in expired meanwhile.");
	if (job->base.cancelled || !job->url) {
		core_log("signin_provider_error", "provider",
			 job->provider_name, "why", job->err, NULL);
		return signin_page_error(resp, 502, "Provider unreachable",
					 job->err[0] ? job->err :
						       "The identity provider "
						       "did not answer.");
	}
	return signin_redirect(resp, job->url);
}

int signin_oidc_start(struct signin *si, const struct web_page_request *req,
		      struct web_page_response *resp, const char *slug,
		      const char *provider_id)
{
	char csrf[64] = "";
	struct signin_flow *f;
	struct oidc_job *job;

	web_query_value(req->query, "csrf", csrf, sizeof(csrf));
	f = signin_flow_of(si, req, resp, slug, csrf);
	if (!f)
		return 0;
	/* Each start costs a provider call on the pool: counted as a start. */
	if (!signin_limit_take(si->limits, SIGNIN_LIMIT_START_SOURCE, f->source,
			       signin_now()))
		return signin_page_error(resp, 429, "Too many sign-ins",
					 "Too many sign-ins were started from "
					 "your address. Wait a few minutes.");
	job = job_new(si, f);
	if (!job)
		return -ENOMEM;
	if (load_provider(si, f->account_id, provider_id, job, resp)) {
		oidc_job_free(&job->base);
		return 0;
	}
	idp_random_b64(job->state, 32);
	idp_random_b64(job->nonce, 32);
	idp_pkce_pair(job->verifier, job->challenge);
	job->base.run = authorize_run;
	job->base.done = authorize_done;
	/* A new choice replaces an earlier one: its state stops working. */
	memcpy(f->oidc_state, job->state, sizeof(f->oidc_state));
	memcpy(f->oidc_nonce, job->nonce, sizeof(f->oidc_nonce));
	memcpy(f->pkce_verifier, job->verifier, sizeof(f->pkce_verifier));
	memcpy(f->provider_id, job->provider_id, sizeof(f->provider_id));
	return start_job(si, f, job, req, resp);
}

static void exchange_run(struct signin_job *base)
{
	struct oidc_job *job = (struct oidc_job *)base;
	struct idp_provider_cfg p;

	provider_cfg(job, &p);
	job->rc = idp_oidc_exchange(job->base.si->oidc, &p, job->redirect_uri,
				    job->code, job->verifier, job->nonce,
				    signin_now() / 1000000000LL, &job->claims,
				    job->err, sizeof(job->err));
}

static int exchange_done(struct signin_job *base,
			 struct web_page_response *resp)
{
	struct oidc_job *job = (struct oidc_job *)base;
	struct signin *si = job->base.si;
	struct signin_flow *f = job_flow(job);
	struct admin_error err = { 0 };
	struct store_actor actor;
	struct store_identity identity;
	char how[STORE_TEXT_SIZE + 16];
	struct store_account acct;
	struct store_err serr = { 0 };
	bool self_signup = false;

	if (!resp || !f)
		return resp ? signin_page_error(resp, 400, "Sign-in expired",
						"This sign-in expired "
						"meanwhile.") :
			      0;
	if (job->base.cancelled || job->rc) {
		core_log("signin_refused", "account", f->account_slug,
			 "provider", job->provider_name, "why", job->err, NULL);
		signin_flow_end(f); /* the code is spent either way */
		return signin_page_error(resp, 401, "Sign-in refused",
					 job->err[0] ?
						 job->err :
						 "The identity provider's "
						 "answer did not check "
						 "out.");
	}
	if (!store_account_get(si->cfg.store, f->account_id, &acct, &serr))
		self_signup = acct.self_signup;
	if (signin_match(si, f->account_id, job->provider_id, &job->claims,
			 job->link_by_email, self_signup, &actor, &identity,
			 &err)) {
		core_log("signin_refused", "account", f->account_slug,
			 "provider", job->provider_name, "subject",
			 job->claims.sub, "why", err.message, NULL);
		signin_flow_end(f);
		return signin_page_error(resp, 403, "Unknown user",
					 "You signed in with the provider, but "
					 "this account has no user for you. "
					 "Ask its administrator.");
	}
	snprintf(how, sizeof(how), "%s", job->provider_name);
	return signin_finish(si, f, &actor, identity.id, how, resp);
}

/*
 * The provider said no (error=...): RFC 6749, 4.1.2.1. Anybody can make
 * such a link, so the page shows no text of the link's but the error
 * code, and only when it is one of RFC 6749's shape ([a-z_]); the
 * description goes to the log.
 */
static int provider_error(struct signin *si, const struct web_page_request *req,
			  struct web_page_response *resp)
{
	char error[64] = "", desc[256] = "", state[64] = "", msg[160];
	struct signin_flow *f;

	web_query_value(req->query, "error", error, sizeof(error));
	web_query_value(req->query, "error_description", desc, sizeof(desc));
	if (!web_query_value(req->query, "state", state, sizeof(state))) {
		f = signin_flow_by_oidc_state(si->flows, state, signin_now());
		if (f && !f->busy)
			signin_flow_end(f);
	}
	if (!error[0] ||
	    strspn(error, "abcdefghijklmnopqrstuvwxyz_") != strlen(error))
		snprintf(error, sizeof(error), "unknown");
	snprintf(msg, sizeof(msg),
		 "The identity provider did not sign you in (%s).", error);
	core_log("signin_provider_error", "error", error, "description", desc,
		 NULL);
	return signin_page_error(resp, 401, "Provider error", msg);
}

int signin_oidc_callback(struct signin *si, const struct web_page_request *req,
			 struct web_page_response *resp)
{
	char state[64] = "", code[8192] = "", cookie[64] = "";
	struct signin_flow *f = NULL;
	struct oidc_job *job;

	if (!web_query_value(req->query, "error", code, sizeof(code)))
		return provider_error(si, req, resp);
	if (web_query_value(req->query, "state", state, sizeof(state)) ||
	    web_query_value(req->query, "code", code, sizeof(code)) || !code[0])
		return signin_page_error(resp, 400, "Wrong state",
					 "This answer from the identity "
					 "provider has no state or no code.");
	f = signin_flow_by_oidc_state(si->flows, state, signin_now());
	if (f &&
	    (web_cookie_value(req->cookie, "fz_flow", cookie, sizeof(cookie)) ||
	     strlen(cookie) != SIGNIN_B64_LEN ||
	     sodium_memcmp(cookie, f->id, SIGNIN_B64_LEN)))
		f = NULL;
	sodium_memzero(cookie, sizeof(cookie));
	if (!f || f->busy) {
		sodium_memzero(code, sizeof(code));
		return signin_page_error(resp, 400, "Wrong state",
					 "This answer from the identity "
					 "provider does not belong to a "
					 "sign-in of this browser, or it came "
					 "twice, or too late.");
	}
	job = job_new(si, f);
	if (!job ||
	    load_provider(si, f->account_id, f->provider_id, job, resp)) {
		sodium_memzero(code, sizeof(code));
		if (job)
			oidc_job_free(&job->base);
		signin_flow_end(f);
		return job ? 0 : -ENOMEM;
	}
	job->code = strdup(code);
	sodium_memzero(code, sizeof(code));
	memcpy(job->nonce, f->oidc_nonce, sizeof(job->nonce));
	memcpy(job->verifier, f->pkce_verifier, sizeof(job->verifier));
	/* One answer per state: a second callback finds nothing. */
	memset(f->oidc_state, 0, sizeof(f->oidc_state));
	job->base.run = exchange_run;
	job->base.done = exchange_done;
	if (!job->code) {
		oidc_job_free(&job->base);
		return -ENOMEM;
	}
	return start_job(si, f, job, req, resp);
}
