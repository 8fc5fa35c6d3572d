// SPDX-License-Identifier: GPL-2.0
/*
 * Sessions: the client tokens of an actor, each with the identity and
 * provider it was signed in with (none for email sign-ins and tokens an
 * admin made). Revoking one deletes the token exactly as `client-token
 * delete` does: its changes row closes the sockets it opened.
 */
#include <string.h>

#include "priv.h"

/* identity id -> provider id, provider id -> name, of the account. */
struct names {
	json_object *identities, *providers;
};

static int each_identity(void *arg, const void *rec)
{
	const struct store_identity *i = rec;

	json_object_object_add(((struct names *)arg)->identities, i->id,
			       json_object_new_string(i->provider));
	return 0;
}

static int each_provider(void *arg, const void *rec)
{
	const struct store_provider *p = rec;

	json_object_object_add(((struct names *)arg)->providers, p->id,
			       json_object_new_string(p->name));
	return 0;
}

static int names_load(struct admin_ctx *ctx, struct names *n,
		      struct admin_error *err)
{
	struct store_err serr = { 0 };

	n->identities = json_object_new_object();
	n->providers = json_object_new_object();
	if (store_identity_list(ctx->s, ctx->account.id, NULL, each_identity, n,
				&serr) ||
	    store_provider_list(ctx->s, ctx->account.id, each_provider, n,
				&serr))
		return admin_store_fail(err, "", &serr);
	return 0;
}

static void names_free(struct names *n)
{
	json_object_put(n->identities);
	json_object_put(n->providers);
}

static json_object *session_json(const struct store_token *t,
				 const struct names *n)
{
	json_object *o = json_object_new_object(), *prov = NULL, *name = NULL;

	if (t->identity_id[0] &&
	    json_object_object_get_ex(n->identities, t->identity_id, &prov))
		json_object_object_get_ex(n->providers,
					  json_object_get_string(prov), &name);
	json_object_object_add(o, "id", json_object_new_string(t->id));
	json_object_object_add(o, "actor_id", admin_opt_str(t->actor_id));
	json_object_object_add(o, "identity_id", admin_opt_str(t->identity_id));
	json_object_object_add(o, "provider", json_object_get(name));
	json_object_object_add(o, "name", json_object_new_string(t->name));
	json_object_object_add(o, "created_at", admin_time_json(t->created_at));
	json_object_object_add(o, "expires_at", admin_time_json(t->expires_at));
	json_object_object_add(o, "last_used_at",
			       admin_time_json(t->last_used_at));
	return o;
}

/* The client tokens of actor_id or of identity_id (one of them set). */
struct each_session {
	const char *actor_id, *identity_id;
	const struct names *names;
	json_object *arr; /* session objects, or token ids */
};

static int each_token(void *arg, const void *rec)
{
	const struct store_token *t = rec;
	struct each_session *e = arg;

	if (e->actor_id && strcmp(t->actor_id, e->actor_id))
		return 0;
	if (e->identity_id && strcmp(t->identity_id, e->identity_id))
		return 0;
	json_object_array_add(e->arr, e->names ? session_json(t, e->names) :
						 json_object_new_string(t->id));
	return 0;
}

static int tokens_of(struct admin_ctx *ctx, struct each_session *e,
		     struct admin_error *err)
{
	struct store_err serr = { 0 };

	if (store_token_list(ctx->s, ctx->account.id, "client", each_token, e,
			     &serr))
		return admin_store_fail(err, "", &serr);
	return 0;
}

/* Deletes each listed client token with its changes row. */
static int revoke_ids(struct admin_ctx *ctx, json_object *ids, json_object *out,
		      struct admin_error *err)
{
	size_t n = json_object_array_length(ids);

	for (size_t i = 0; i < n; i++) {
		const char *id = json_object_get_string(
			json_object_array_get_idx(ids, i));
		json_object *obj = NULL;

		if (admin_token_delete(ctx, "client", id, &obj, err))
			return -1;
		json_object_array_add(out, obj);
	}
	return 0;
}

int admin_revoke_identity(struct admin_ctx *ctx, const char *identity_id,
			  json_object *out, struct admin_error *err)
{
	struct each_session e = { NULL, identity_id, NULL,
				  json_object_new_array() };
	int ret = tokens_of(ctx, &e, err) ?: revoke_ids(ctx, e.arr, out, err);

	json_object_put(e.arr);
	return ret;
}

static int list(struct admin_ctx *ctx, const char *id, json_object *req,
		json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { "actor_id", NULL };
	struct names n = { NULL, NULL };
	struct each_session e = { 0 };
	struct store_actor a;
	const char *ref;
	int ret = -1;

	(void)id;
	if (admin_req_keys(req, keys, err) ||
	    admin_req_str(req, "actor_id", true, &ref, err) ||
	    admin_find(ctx, STORE_ACTOR, ref, &a, "actor_id", err))
		return -1;
	if (names_load(ctx, &n, err))
		goto out;
	e.actor_id = a.id;
	e.names = &n;
	*resp = e.arr = json_object_new_array();
	ret = tokens_of(ctx, &e, err);
out:
	names_free(&n);
	return ret;
}

/* One session by id, or every session of actor_id: the revoked ones. */
static int revoke(struct admin_ctx *ctx, const char *id, json_object *req,
		  json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { "actor_id", NULL };
	struct each_session e = { 0 };
	struct store_actor a;
	const char *ref;
	int ret;

	if (admin_req_keys(req, keys, err) ||
	    admin_req_str(req, "actor_id", false, &ref, err))
		return -1;
	if (!id == !ref)
		return admin_fail(err, ADMIN_INVALID, "actor_id",
				  "name either one session (its id) or an "
				  "actor, not both");
	*resp = json_object_new_array();
	if (id) {
		json_object *obj = NULL;

		if (admin_token_delete(ctx, "client", id, &obj, err))
			return -1;
		json_object_array_add(*resp, obj);
		return 0;
	}
	if (admin_find(ctx, STORE_ACTOR, ref, &a, "actor_id", err))
		return -1;
	e.actor_id = a.id;
	e.arr = json_object_new_array();
	ret = tokens_of(ctx, &e, err) ?: revoke_ids(ctx, e.arr, *resp, err);
	json_object_put(e.arr);
	return ret;
}

static const struct admin_verb verbs[] = {
	{ "list", list, false },
	{ "revoke", revoke, true },
	{ NULL, NULL, false },
};

const struct admin_noun admin_noun_session = { "session", verbs };
