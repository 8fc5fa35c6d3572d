// SPDX-License-Identifier: GPL-2.0
/*
 * Client tokens: what a client (of a user or a service account) signs
 * in with. They always expire: after expires_in, or the account's
 * client_token_ttl (7 days unless changed).
 */
#include <stdio.h>
#include <string.h>

#include "priv.h"

#define DEFAULT_TTL_S (7 * 86400)

/* {actor_id, name, expires_in}. */
static int create(struct admin_ctx *ctx, const char *id, json_object *req,
		  json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { "actor_id", "name", "expires_in",
					    NULL };
	struct store_token t = { 0 };
	const char *actor, *name;
	struct store_actor a;
	int64_t ttl = 0;
	bool set;

	(void)id;
	if (admin_req_keys(req, keys, err) ||
	    admin_req_str(req, "actor_id", true, &actor, err) ||
	    admin_req_name(req, "name", false, &name, err) ||
	    admin_req_duration(req, "expires_in", &ttl, &set, err) ||
	    admin_find(ctx, STORE_ACTOR, actor, &a, "actor_id", err))
		return -1;
	if (a.disabled_at)
		return admin_fail(err, ADMIN_INVALID, "actor_id",
				  "'%s' is disabled", a.name);
	if (!set)
		ttl = ctx->account.client_token_ttl_s ?: DEFAULT_TTL_S;
	strcpy(t.kind, "client");
	strcpy(t.actor_id, a.id);
	snprintf(t.name, sizeof(t.name), "%s", name ? name : a.name);
	t.expires_at = admin_now() + ttl * 1000000000LL;
	return admin_token_create(ctx, &t, resp, err);
}

static int list(struct admin_ctx *ctx, const char *id, json_object *req,
		json_object **resp, struct admin_error *err)
{
	(void)id;
	return admin_token_list(ctx, "client", "actor_id", req, resp, err);
}

static int show(struct admin_ctx *ctx, const char *id, json_object *req,
		json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { NULL };

	return admin_req_keys(req, keys, err) ?:
		       admin_token_show(ctx, "client", id, resp, err);
}

static int delete (struct admin_ctx *ctx, const char *id, json_object *req,
		   json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { NULL };

	return admin_req_keys(req, keys, err) ?:
		       admin_token_delete(ctx, "client", id, resp, err);
}

static const struct admin_verb verbs[] = {
	{ "create", create, true }, { "list", list, false },
	{ "show", show, false },    { "delete", delete, true },
	{ NULL, NULL, false },
};

const struct admin_noun admin_noun_client_token = { "client_token", verbs };
