// SPDX-License-Identifier: GPL-2.0
/*
 * What the three token nouns share. A token's text is made here, put in
 * the response once, and wiped; the store keeps only its hash
 * (core/token.h), so a lost token is deleted and made anew, never shown
 * again. Deleting a token is what disconnects the sockets it opened:
 * the signalling wing acts on its changes row.
 */
#include <string.h>

#include <sodium.h>

#include "core/token.h"
#include "priv.h"

json_object *admin_token_json(const struct store_token *t)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_string(t->id));
	json_object_object_add(o, "kind", json_object_new_string(t->kind));
	json_object_object_add(o, "actor_id", admin_opt_str(t->actor_id));
	json_object_object_add(o, "site_id", admin_opt_str(t->site_id));
	json_object_object_add(o, "name", json_object_new_string(t->name));
	json_object_object_add(o, "created_at", admin_time_json(t->created_at));
	json_object_object_add(o, "expires_at", admin_time_json(t->expires_at));
	json_object_object_add(o, "last_used_at",
			       admin_time_json(t->last_used_at));
	return o;
}

int admin_token_create(struct admin_ctx *ctx, struct store_token *t,
		       json_object **resp, struct admin_error *err)
{
	char text[CORE_TOKEN_TEXT_LEN + 1];
	struct store_err serr = { 0 };
	struct core_token tok;
	int ret = -1;

	core_token_mint(&tok);
	core_token_id_text(t->id, &tok);
	strcpy(t->account_id, ctx->account.id);
	snprintf(t->created_by, sizeof(t->created_by), "%s", ctx->who);
	core_token_hash(t->hash, tok.id, tok.secret, sizeof(tok.secret));
	if (store_token_create(ctx->s, t, &serr) ||
	    store_token_get(ctx->s, t->id, t, &serr)) {
		admin_store_fail(err, "", &serr);
		goto out;
	}
	*resp = admin_token_json(t);
	ret = admin_record(ctx, "token", "create", t->id, NULL, *resp, err);
	core_token_format(text, &tok);
	json_object_object_add(*resp, "token", json_object_new_string(text));
	sodium_memzero(text, sizeof(text));
out:
	core_token_wipe(&tok);
	sodium_memzero(t->hash, sizeof(t->hash));
	return ret;
}

struct each_token {
	json_object *arr;
	const char *actor_id, *site_id;
};

static int each(void *arg, const void *rec)
{
	const struct store_token *t = rec;
	struct each_token *e = arg;

	if ((!e->actor_id || !strcmp(e->actor_id, t->actor_id)) &&
	    (!e->site_id || !strcmp(e->site_id, t->site_id)))
		json_object_array_add(e->arr, admin_token_json(t));
	return 0;
}

int admin_token_list(struct admin_ctx *ctx, const char *kind, const char *field,
		     json_object *req, json_object **resp,
		     struct admin_error *err)
{
	const char *keys[] = { field, NULL };
	struct each_token e = { NULL, NULL, NULL };
	struct store_err serr = { 0 };
	struct store_actor a;
	struct store_site s;
	const char *ref;

	if (admin_req_keys(req, keys, err) ||
	    admin_req_str(req, field, false, &ref, err))
		return -1;
	if (ref && !strcmp(field, "site_id")) {
		if (admin_find(ctx, STORE_SITE, ref, &s, field, err))
			return -1;
		e.site_id = s.id;
	} else if (ref) {
		if (admin_find(ctx, STORE_ACTOR, ref, &a, field, err))
			return -1;
		e.actor_id = a.id;
	}
	*resp = e.arr = json_object_new_array();
	if (store_token_list(ctx->s, ctx->account.id, kind, each, &e, &serr))
		return admin_store_fail(err, "", &serr);
	return 0;
}

int admin_token_show(struct admin_ctx *ctx, const char *kind, const char *id,
		     json_object **resp, struct admin_error *err)
{
	struct store_token t;

	if (admin_find_token(ctx, kind, id, &t, err))
		return -1;
	*resp = admin_token_json(&t);
	return 0;
}

int admin_token_delete(struct admin_ctx *ctx, const char *kind, const char *id,
		       json_object **resp, struct admin_error *err)
{
	struct store_err serr = { 0 };
	struct store_token t;

	if (admin_find_token(ctx, kind, id, &t, err))
		return -1;
	if (store_token_delete(ctx->s, t.id, &serr))
		return admin_store_fail(err, "id", &serr);
	*resp = admin_token_json(&t);
	return admin_record(ctx, "token", "delete", t.id, *resp, NULL, err);
}
