// SPDX-License-Identifier: GPL-2.0
/*
 * The writes of signing in and out (admin.h): who an identity is, the
 * session (client token) a sign-in ends with, and signing out. They go
 * through the same records as every admin change, so the audit log shows
 * each sign-in and the signalling wing closes a signed-out socket.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/token.h"
#include "lib/clock.h"
#include "priv.h"
#include "store/auth.h"

#define TTL_DEFAULT_S (7 * 86400)
#define NAME_TRIES 100
#define NAME_BASE_MAX 200

static int to_errno(struct admin_error *err)
{
	return err->code == ADMIN_INTERNAL ? -EIO : -EINVAL;
}

/* A refusal: -EACCES with err saying why. */
#define refuse(err, ...) \
	(admin_fail(err, ADMIN_FORBIDDEN, "", __VA_ARGS__), -EACCES)

static int begin(struct admin_ctx *ctx, struct store *s, const char *account,
		 const char *source, struct admin_error *err)
{
	struct store_err serr = { 0 };

	if (!account || !*account) {
		admin_fail(err, ADMIN_INVALID, "account", "is required");
		return -EINVAL;
	}
	if (admin_ctx_init(ctx, s, account, source, "sign-in", err))
		return to_errno(err);
	if (store_begin(s, &serr)) {
		admin_store_fail(err, "", &serr);
		return -EIO;
	}
	return 0;
}

static int finish(struct admin_ctx *ctx, int ret, struct admin_error *err)
{
	struct store_err serr = { 0 };

	if (!ret && store_commit(ctx->s, &serr)) {
		admin_store_fail(err, "", &serr);
		ret = -EIO;
	}
	if (ret)
		store_rollback(ctx->s);
	return ret;
}

static json_object *identity_json(const struct store_identity *i)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_string(i->id));
	json_object_object_add(o, "actor_id",
			       json_object_new_string(i->actor_id));
	json_object_object_add(o, "provider_id",
			       json_object_new_string(i->provider));
	json_object_object_add(o, "subject",
			       json_object_new_string(i->subject));
	json_object_object_add(o, "email", admin_opt_str(i->email));
	json_object_object_add(o, "created_at", admin_time_json(i->created_at));
	return o;
}

static int enabled_actor(struct admin_ctx *ctx, const char *id,
			 struct store_actor *a, struct admin_error *err)
{
	struct store_err serr = { 0 };
	int ret = store_get(ctx->s, STORE_ACTOR, id, a, &serr);

	if (ret == STORE_NOT_FOUND ||
	    (!ret && strcmp(a->account_id, ctx->account.id)))
		return refuse(err, "unknown user");
	if (ret) {
		admin_store_fail(err, "", &serr);
		return -EIO;
	}
	if (a->disabled_at)
		return refuse(err, "the user '%s' is disabled", a->name);
	return 0;
}

/* The one enabled actor with email: 0, 1 (none), or an error. */
static int by_email(struct admin_ctx *ctx, const char *email,
		    struct store_actor *a, struct admin_error *err)
{
	struct store_err serr = { 0 };
	int ret = store_actor_find_by_email(ctx->s, ctx->account.id, email, a,
					    &serr);

	if (ret == STORE_NOT_FOUND)
		return 1;
	if (ret == STORE_CONFLICT)
		return refuse(err,
			      "several users have the email '%s': an admin "
			      "must give them different ones",
			      email);
	if (ret) {
		admin_store_fail(err, "", &serr);
		return -EIO;
	}
	if (a->disabled_at)
		return refuse(err, "the user '%s' is disabled", a->name);
	return 0;
}

static int make_identity(struct admin_ctx *ctx, const struct store_actor *a,
			 const char *provider, const char *sub,
			 const char *email, struct store_identity *i,
			 struct admin_error *err)
{
	struct store_err serr = { 0 };
	json_object *obj;
	int ret;

	memset(i, 0, sizeof(*i));
	strcpy(i->account_id, ctx->account.id);
	strcpy(i->actor_id, a->id);
	strcpy(i->provider, provider);
	if (ADMIN_COPY(i->subject, sub, "sub", err) ||
	    ADMIN_COPY(i->email, email ? email : "", "email", err))
		return -EINVAL;
	if (store_identity_create(ctx->s, i, &serr)) {
		admin_store_fail(err, "", &serr);
		return serr.code == STORE_IO || serr.code == STORE_BUSY ?
			       -EIO :
			       -EINVAL;
	}
	obj = identity_json(i);
	ret = admin_record(ctx, "identity", "create", i->id, NULL, obj, err);
	json_object_put(obj);
	return ret ? to_errno(err) : 0;
}

/* What a new user is called: email's local part, else sub; printable. */
static void base_name(char *out, size_t size, const char *email,
		      const char *sub)
{
	const char *src = email && *email ? email : sub;
	size_t n = email && *email ? strcspn(src, "@") : strlen(src);
	size_t j = 0;

	if (n > NAME_BASE_MAX)
		n = NAME_BASE_MAX;
	for (size_t i = 0; i < n && j + 1 < size; i++)
		if ((unsigned char)src[i] > 0x20 && src[i] != 0x7f)
			out[j++] = src[i];
	out[j] = '\0';
	if (!j)
		snprintf(out, size, "user");
}

/* A member user named base, base-2, base-3, ... whichever is free. */
static int make_user(struct admin_ctx *ctx, const char *email, const char *sub,
		     bool email_verified, struct store_actor *a,
		     struct admin_error *err)
{
	struct store_err serr = { 0 };
	char base[NAME_BASE_MAX + 1];
	json_object *obj;
	int ret = STORE_CONFLICT;

	base_name(base, sizeof(base), email, sub);
	for (int n = 1; n <= NAME_TRIES && ret == STORE_CONFLICT; n++) {
		memset(a, 0, sizeof(*a));
		strcpy(a->account_id, ctx->account.id);
		strcpy(a->type, "user");
		strcpy(a->role, "member");
		snprintf(a->name, sizeof(a->name), n > 1 ? "%s-%d" : "%s", base,
			 n);
		if (email_verified && email && strlen(email) < sizeof(a->email))
			strcpy(a->email, email);
		ret = store_create(ctx->s, STORE_ACTOR, a, &serr);
	}
	if (!ret)
		ret = store_get(ctx->s, STORE_ACTOR, a->id, a, &serr);
	if (ret) {
		admin_store_fail(err, "", &serr);
		return -EIO;
	}
	obj = admin_actor_json(a);
	ret = admin_record(ctx, "actor", "create", a->id, NULL, obj, err);
	json_object_put(obj);
	return ret ? to_errno(err) : 0;
}

static int provider_enabled(struct admin_ctx *ctx, const char *id,
			    struct admin_error *err)
{
	struct store_provider p;
	struct store_err serr = { 0 };
	int ret = store_provider_get(ctx->s, id, &p, &serr);

	sodium_memzero(p.client_secret, sizeof(p.client_secret));
	if (ret == STORE_NOT_FOUND ||
	    (!ret && strcmp(p.account_id, ctx->account.id)))
		return refuse(err, "no such provider");
	if (ret) {
		admin_store_fail(err, "", &serr);
		return -EIO;
	}
	if (p.disabled_at)
		return refuse(err, "the provider '%s' is disabled", p.name);
	return 0;
}

static int match(struct admin_ctx *ctx, const char *provider, const char *sub,
		 const char *email, bool verified, bool link, bool self,
		 struct store_actor *a, struct store_identity *i,
		 struct admin_error *err)
{
	struct store_err serr = { 0 };
	int ret;

	if (!provider) { /* email: the code proved the address */
		ret = by_email(ctx, email, a, err);
		return ret > 0 ? refuse(err, "unknown user") : ret;
	}
	ret = provider_enabled(ctx, provider, err);
	if (ret)
		return ret;
	ret = store_identity_find(ctx->s, ctx->account.id, provider, sub, i,
				  &serr);
	if (!ret)
		return enabled_actor(ctx, i->actor_id, a, err);
	if (ret != STORE_NOT_FOUND) {
		admin_store_fail(err, "", &serr);
		return -EIO;
	}
	if (link && verified && email && *email) {
		ret = by_email(ctx, email, a, err);
		if (ret <= 0)
			return ret   ?:
				       make_identity(ctx, a, provider, sub,
						     email, i, err);
	}
	if (!self)
		return refuse(err, "unknown user");
	return make_user(ctx, email, sub, verified, a, err) ?:
		       make_identity(ctx, a, provider, sub, email, i, err);
}

int admin_signin_match(struct store *s, const char *account_id,
		       const char *provider_id, const char *sub,
		       const char *email, bool email_verified,
		       bool link_by_email, bool self_signup,
		       struct store_actor *actor,
		       struct store_identity *identity, struct admin_error *err)
{
	struct admin_ctx ctx;
	int ret;

	memset(actor, 0, sizeof(*actor));
	memset(identity, 0, sizeof(*identity));
	if ((provider_id && (!sub || !*sub)) ||
	    (!provider_id && (!email || !*email))) {
		admin_fail(err, ADMIN_INVALID, provider_id ? "sub" : "email",
			   "is required");
		return -EINVAL;
	}
	ret = begin(&ctx, s, account_id, "signal", err);
	if (ret)
		return ret;
	ret = match(&ctx, provider_id, sub, email, email_verified,
		    link_by_email, self_signup, actor, identity, err);
	ret = finish(&ctx, ret, err);
	if (ret) {
		memset(actor, 0, sizeof(*actor));
		memset(identity, 0, sizeof(*identity));
	}
	return ret;
}

static int store_session(struct admin_ctx *ctx, struct store_token *t,
			 const struct core_token *tok, struct admin_error *err)
{
	struct store_err serr = { 0 };
	json_object *obj;
	int ret;

	core_token_id_text(t->id, tok);
	strcpy(t->account_id, ctx->account.id);
	strcpy(t->kind, "client");
	snprintf(t->created_by, sizeof(t->created_by), "%s", ctx->who);
	core_token_hash_of(t->hash, tok);
	ret = store_token_create(ctx->s, t, &serr) ?:
		      store_token_get(ctx->s, t->id, t, &serr);
	sodium_memzero(t->hash, sizeof(t->hash));
	if (ret) {
		admin_store_fail(err, "", &serr);
		return -EIO;
	}
	obj = admin_token_json(t);
	ret = admin_record(ctx, "token", "create", t->id, NULL, obj, err);
	json_object_put(obj);
	return ret ? to_errno(err) : 0;
}

int admin_signin_session(struct store *s, const char *account_id,
			 const char *actor_id, const char *identity_id,
			 const char *provider_label, const char *nonce_text,
			 int64_t now, char fragment[71], int64_t *expires_at,
			 struct admin_error *err)
{
	struct store_token t = { 0 };
	struct core_token tok;
	struct store_actor a;
	struct admin_ctx ctx;
	int ret;

	memset(err, 0, sizeof(*err));
	fragment[0] = '\0';
	if (!nonce_text || core_token_mint_signin(&tok, nonce_text)) {
		admin_fail(err, ADMIN_INVALID, "nonce",
			   "must be 43 characters of base64url");
		return -EINVAL;
	}
	ret = begin(&ctx, s, account_id, "signal", err);
	if (ret)
		goto out;
	ret = enabled_actor(&ctx, actor_id, &a, err);
	if (!ret) {
		ctx.who = a.name;
		strcpy(t.actor_id, a.id);
		snprintf(t.identity_id, sizeof(t.identity_id), "%s",
			 identity_id ? identity_id : "");
		snprintf(t.name, sizeof(t.name), "sign-in via %s",
			 provider_label ? provider_label : "email");
		t.expires_at = now + (ctx.account.client_token_ttl_s ?:
					      TTL_DEFAULT_S) *
					     1000000000LL;
		ret = store_session(&ctx, &t, &tok, err);
	}
	ret = finish(&ctx, ret, err);
	if (!ret) {
		core_token_format(fragment, &tok);
		*expires_at = t.expires_at;
	}
out:
	core_token_wipe(&tok);
	return ret;
}

int admin_signout(struct store *s, const char *token_text,
		  struct admin_error *err)
{
	const char *why = "no token";
	json_object *obj = NULL;
	struct store_token tok;
	struct store_actor a;
	struct admin_ctx ctx;
	int ret;

	memset(err, 0, sizeof(*err));
	ret = token_text ? store_authenticate(s, token_text, "client",
					      (int64_t)fz_clock_real_ns(), &tok,
					      &a, &why) :
			   -EACCES;
	if (ret) {
		admin_fail(err, ret == -EIO ? ADMIN_INTERNAL : ADMIN_FORBIDDEN,
			   "", "%s", why);
		return ret;
	}
	ret = begin(&ctx, s, tok.account_id, "api", err);
	if (ret)
		return ret;
	ctx.who = a.name;
	if (admin_token_delete(&ctx, "client", tok.id, &obj, err))
		ret = to_errno(err);
	json_object_put(obj);
	return finish(&ctx, ret, err);
}
