// SPDX-License-Identifier: GPL-2.0
/*
 * API tokens: the credential of the REST API, for admin actors only (a
 * member's token would be refused at every request anyway). They expire
 * only when asked to (expires_in).
 */
#include <stdio.h>
#include <string.h>

#include "priv.h"

/* {actor_id, name, expires_in}; the actor must be an admin. */
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
	if (strcmp(a.role, "admin"))
		return admin_fail(err, ADMIN_INVALID, "actor_id",
				  "'%s' is not an admin: API tokens are for "
				  "admins only",
				  a.name);
	if (a.disabled_at)
		return admin_fail(err, ADMIN_INVALID, "actor_id",
				  "'%s' is disabled", a.name);
	strcpy(t.kind, "api");
	strcpy(t.actor_id, a.id);
	snprintf(t.name, sizeof(t.name), "%s", name ? name : a.name);
	t.expires_at = set ? admin_now() + ttl * 1000000000LL : 0;
	return admin_token_create(ctx, &t, resp, err);
}

static int list(struct admin_ctx *ctx, const char *id, json_object *req,
		json_object **resp, struct admin_error *err)
{
	(void)id;
	return admin_token_list(ctx, "api", "actor_id", req, resp, err);
}

static int show(struct admin_ctx *ctx, const char *id, json_object *req,
		json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { NULL };

	return admin_req_keys(req, keys, err) ?:
		       admin_token_show(ctx, "api", id, resp, err);
}

static int delete (struct admin_ctx *ctx, const char *id, json_object *req,
		   json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { NULL };

	return admin_req_keys(req, keys, err) ?:
		       admin_token_delete(ctx, "api", id, resp, err);
}

static const struct admin_verb verbs[] = {
	{ "create", create, true }, { "list", list, false },
	{ "show", show, false },    { "delete", delete, true },
	{ NULL, NULL, false },
};

const struct admin_noun admin_noun_api_token = { "api_token", verbs };
