// SPDX-License-Identifier: GPL-2.0
/*
 * OpenID Connect providers users sign in with (SIGNIN.md). The client
 * secret goes in and never comes out: every object shows it as "(set)",
 * so neither a listing, nor the changes row, nor the audit log holds it.
 * Removing a provider removes the identities made through it and
 * revokes the sessions (client tokens) signed in with them: one token
 * delete row each, which closes their sockets (admin/token.c).
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>
#include <sodium.h>

#include "priv.h"

#define SCOPES_DEFAULT "openid email profile"

static json_object *provider_json(const struct store_provider *p)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_string(p->id));
	json_object_object_add(o, "name", json_object_new_string(p->name));
	json_object_object_add(o, "issuer", json_object_new_string(p->issuer));
	json_object_object_add(o, "client_id",
			       json_object_new_string(p->client_id));
	/* Required on create, never empty: only that it is set shows. */
	json_object_object_add(o, "client_secret",
			       json_object_new_string("(set)"));
	json_object_object_add(o, "scopes", json_object_new_string(p->scopes));
	json_object_object_add(o, "link_by_email",
			       json_object_new_boolean(p->link_by_email));
	json_object_object_add(o, "disabled_at",
			       admin_time_json(p->disabled_at));
	json_object_object_add(o, "created_at", admin_time_json(p->created_at));
	return o;
}

static bool loopback(const char *host)
{
	return !strcmp(host, "127.0.0.1") || !strcmp(host, "[::1]") ||
	       !strcmp(host, "::1") || !strcmp(host, "localhost");
}

/*
 * An issuer (OpenID Connect Discovery 1.0, 2): https, no user, query or
 * fragment; http only to this machine (for test providers). libcurl's
 * parser, the one the idp wing fetches with, decides what the URL is.
 */
static int check_issuer(const char *url, struct admin_error *err)
{
	char *scheme = NULL, *host = NULL, *user = NULL, *query = NULL,
	     *frag = NULL;
	CURLU *u = curl_url();
	int ret = -1;

	if (!u || curl_url_set(u, CURLUPART_URL, url, 0) ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0)) {
		admin_fail(err, ADMIN_INVALID, "issuer", "'%s' is not a URL",
			   url);
		goto out;
	}
	curl_url_get(u, CURLUPART_USER, &user, 0);
	curl_url_get(u, CURLUPART_QUERY, &query, 0);
	curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0);
	if (user || query || frag || strpbrk(url, " \t\r\n"))
		admin_fail(err, ADMIN_INVALID, "issuer",
			   "an issuer has no user, query or fragment");
	else if (strcmp(scheme, "https") &&
		 (strcmp(scheme, "http") || !loopback(host)))
		admin_fail(err, ADMIN_INVALID, "issuer",
			   "must be https (http only to 127.0.0.1, [::1] "
			   "or localhost)");
	else
		ret = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(query);
	curl_free(frag);
	curl_url_cleanup(u);
	return ret;
}

/* RFC 6749 3.3 scope-tokens separated by single spaces, openid among them. */
static int check_scopes(const char *s, struct admin_error *err)
{
	bool openid = false;
	size_t n;

	for (const char *p = s; *p; p += n + (p[n] == ' ')) {
		n = strcspn(p, " ");
		for (size_t i = 0; i < n; i++)
			if (p[i] < 0x21 || p[i] > 0x7e || p[i] == '"' ||
			    p[i] == '\\')
				n = 0;
		if (!n)
			return admin_fail(err, ADMIN_INVALID, "scopes",
					  "must be scope names separated by "
					  "single spaces");
		if (n == 6 && !strncmp(p, "openid", 6))
			openid = true;
	}
	if (!openid)
		return admin_fail(err, ADMIN_INVALID, "scopes",
				  "must include openid");
	return 0;
}

/* Printable, no spaces: what a token endpoint takes as a form value. */
static int check_secret(const char *s, struct admin_error *err)
{
	size_t n = strlen(s);

	if (!n || n >= STORE_SECRET_SIZE)
		return admin_fail(err, ADMIN_INVALID, "client_secret",
				  "must be 1 to %d bytes",
				  STORE_SECRET_SIZE - 1);
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f)
			return admin_fail(err, ADMIN_INVALID, "client_secret",
					  "must not hold spaces or control "
					  "characters");
	return 0;
}

static const char *const keys[] = { "name",	     "issuer", "client_id",
				    "client_secret", "scopes", "link_by_email",
				    "disabled",	     NULL };

/* What req gives, checked, into p; required on create. */
static int apply(json_object *req, bool create, struct store_provider *p,
		 struct admin_error *err)
{
	const char *name, *issuer, *client_id, *secret, *scopes;
	bool link, link_set, disabled, dis_set;

	if (admin_req_keys(req, keys, err) ||
	    admin_req_name(req, "name", create, &name, err) ||
	    admin_req_str(req, "issuer", create, &issuer, err) ||
	    admin_req_name(req, "client_id", create, &client_id, err) ||
	    admin_req_str(req, "client_secret", create, &secret, err) ||
	    admin_req_str(req, "scopes", false, &scopes, err) ||
	    admin_req_bool(req, "link_by_email", &link, &link_set, err) ||
	    admin_req_bool(req, "disabled", &disabled, &dis_set, err))
		return -1;
	if ((issuer && (check_issuer(issuer, err) ||
			ADMIN_COPY(p->issuer, issuer, "issuer", err))) ||
	    (secret && check_secret(secret, err)) ||
	    (scopes && (check_scopes(scopes, err) ||
			ADMIN_COPY(p->scopes, scopes, "scopes", err))))
		return -1;
	if (name)
		strcpy(p->name, name);
	if (client_id)
		strcpy(p->client_id, client_id);
	if (secret)
		strcpy(p->client_secret, secret);
	if (create && !scopes)
		strcpy(p->scopes, SCOPES_DEFAULT);
	if (link_set)
		p->link_by_email = link;
	if (dis_set)
		p->disabled_at = disabled ? (p->disabled_at ?: admin_now()) : 0;
	return 0;
}

static void wipe(struct store_provider *p)
{
	sodium_memzero(p->client_secret, sizeof(p->client_secret));
}

struct by_name {
	const char *name;
	struct store_provider *p;
	int n;
};

static int match_name(void *arg, const void *rec)
{
	const struct store_provider *p = rec;
	struct by_name *b = arg;

	if (!strcmp(p->name, b->name) && !b->n++)
		*b->p = *p;
	return 0;
}

/* A provider of ctx's account by id or name. */
static int find(struct admin_ctx *ctx, const char *ref,
		struct store_provider *p, struct admin_error *err)
{
	struct by_name b = { ref, p, 0 };
	struct store_err serr = { 0 };

	if (!ref || !*ref)
		return admin_fail(err, ADMIN_INVALID, "id", "is required");
	if (!store_provider_get(ctx->s, ref, p, &serr) &&
	    !strcmp(p->account_id, ctx->account.id))
		return 0;
	if (store_provider_list(ctx->s, ctx->account.id, match_name, &b, &serr))
		return admin_store_fail(err, "id", &serr);
	if (b.n == 1)
		return 0;
	wipe(p);
	return admin_fail(err, ADMIN_NOT_FOUND, "id", "no provider '%s'", ref);
}

int admin_provider_find(struct admin_ctx *ctx, const char *ref,
			struct store_provider *p, struct admin_error *err)
{
	return find(ctx, ref, p, err);
}

static int create(struct admin_ctx *ctx, const char *id, json_object *req,
		  json_object **resp, struct admin_error *err)
{
	struct store_provider p = { 0 };
	struct store_err serr = { 0 };
	int ret = -1;

	(void)id;
	strcpy(p.account_id, ctx->account.id);
	if (apply(req, true, &p, err))
		goto out;
	if (store_provider_create(ctx->s, &p, &serr) ||
	    store_provider_get(ctx->s, p.id, &p, &serr)) {
		admin_store_fail(err, "name", &serr);
		goto out;
	}
	*resp = provider_json(&p);
	ret = admin_record(ctx, "provider", "create", p.id, NULL, *resp, err);
out:
	wipe(&p);
	return ret;
}

static int add(void *arg, const void *rec)
{
	json_object_array_add(arg, provider_json(rec));
	return 0;
}

static int list(struct admin_ctx *ctx, const char *id, json_object *req,
		json_object **resp, struct admin_error *err)
{
	static const char *const none[] = { NULL };
	struct store_err serr = { 0 };

	(void)id;
	if (admin_req_keys(req, none, err))
		return -1;
	*resp = json_object_new_array();
	if (store_provider_list(ctx->s, ctx->account.id, add, *resp, &serr))
		return admin_store_fail(err, "", &serr);
	return 0;
}

static int show(struct admin_ctx *ctx, const char *id, json_object *req,
		json_object **resp, struct admin_error *err)
{
	static const char *const none[] = { NULL };
	struct store_provider p;

	if (admin_req_keys(req, none, err) || find(ctx, id, &p, err))
		return -1;
	*resp = provider_json(&p);
	wipe(&p);
	return 0;
}

static int count_one(void *arg, const void *rec)
{
	(void)rec;
	(*(size_t *)arg)++;
	return 0;
}

/*
 * A subject is unique only at its issuer: the identities made under one
 * would sign in whoever has the same subject at another. So an issuer
 * changes only while no identity exists (remove and add it again).
 */
static int check_issuer_change(struct admin_ctx *ctx,
			       const struct store_provider *p, const char *old,
			       struct admin_error *err)
{
	struct store_err serr = { 0 };
	size_t n = 0;

	if (!strcmp(old, p->issuer))
		return 0;
	if (store_identity_list(ctx->s, ctx->account.id, p->id, count_one, &n,
				&serr))
		return admin_store_fail(err, "issuer", &serr);
	if (!n)
		return 0;
	return admin_fail(err, ADMIN_CONFLICT, "issuer",
			  "the provider has %zu identities made under its "
			  "issuer; another issuer's subjects must not inherit "
			  "them: remove the provider and add it again",
			  n);
}

static int update(struct admin_ctx *ctx, const char *id, json_object *req,
		  json_object **resp, struct admin_error *err)
{
	struct store_err serr = { 0 };
	json_object *before = NULL;
	char old_issuer[STORE_TEXT_SIZE];
	struct store_provider p;
	int ret = -1;

	if (find(ctx, id, &p, err))
		return -1;
	before = provider_json(&p);
	memcpy(old_issuer, p.issuer, sizeof(old_issuer));
	if (apply(req, false, &p, err) ||
	    check_issuer_change(ctx, &p, old_issuer, err))
		goto out;
	if (store_provider_update(ctx->s, &p, &serr)) {
		admin_store_fail(err, "name", &serr);
		goto out;
	}
	*resp = provider_json(&p);
	ret = admin_record(ctx, "provider", "update", p.id, before, *resp, err);
out:
	wipe(&p);
	json_object_put(before);
	return ret;
}

struct gone {
	struct admin_ctx *ctx;
	json_object *identities; /* ids */
	int tokens;
};

static int each_identity(void *arg, const void *rec)
{
	struct gone *g = arg;

	json_object_array_add(
		g->identities,
		json_object_new_string(
			((const struct store_identity *)rec)->id));
	return 0;
}

/*
 * The identities of p and the sessions signed in with them: collected
 * first (a list must not run under its own deletes), then deleted.
 */
static int delete_identities(struct admin_ctx *ctx, const char *provider,
			     json_object *cascade, struct admin_error *err)
{
	struct gone g = { ctx, json_object_new_array(), 0 };
	struct store_err serr = { 0 };
	json_object *tokens = json_object_new_array();
	size_t n;

	json_object_object_add(cascade, "identities", g.identities);
	json_object_object_add(cascade, "tokens", tokens);
	if (store_identity_list(ctx->s, ctx->account.id, provider,
				each_identity, &g, &serr))
		return admin_store_fail(err, "id", &serr);
	n = json_object_array_length(g.identities);
	for (size_t i = 0; i < n; i++) {
		const char *iid = json_object_get_string(
			json_object_array_get_idx(g.identities, i));

		if (admin_revoke_identity(ctx, iid, tokens, err))
			return -1;
		if (store_identity_delete(ctx->s, iid, &serr))
			return admin_store_fail(err, "id", &serr);
	}
	return 0;
}

static int delete (struct admin_ctx *ctx, const char *id, json_object *req,
		   json_object **resp, struct admin_error *err)
{
	static const char *const none[] = { NULL };
	json_object *cascade = json_object_new_object();
	struct store_err serr = { 0 };
	struct store_provider p;
	int ret = -1;

	if (admin_req_keys(req, none, err) || find(ctx, id, &p, err))
		goto out;
	wipe(&p);
	if (delete_identities(ctx, p.id, cascade, err))
		goto out;
	if (store_provider_delete(ctx->s, p.id, &serr)) {
		admin_store_fail(err, "id", &serr);
		goto out;
	}
	*resp = provider_json(&p);
	ret = admin_record_delete(ctx, "provider", p.id, *resp, cascade, err);
out:
	json_object_put(cascade);
	return ret;
}

static const struct admin_verb verbs[] = {
	{ "create", create, true }, { "list", list, false },
	{ "show", show, false },    { "update", update, true },
	{ "delete", delete, true }, { NULL, NULL, false },
};

const struct admin_noun admin_noun_provider = { "provider", verbs };
