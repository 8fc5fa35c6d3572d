// SPDX-License-Identifier: GPL-2.0
/*
 * Service accounts: actors that are not people, for machines that sign
 * in with a client token (client_token). Same table and rules as users
 * (actor.c), without an email.
 */
#include "priv.h"

static int create(struct admin_ctx *ctx, const char *id, json_object *req,
		  json_object **resp, struct admin_error *err)
{
	(void)id;
	return admin_actor_create(ctx, "service_account", req, resp, err);
}

static int list(struct admin_ctx *ctx, const char *id, json_object *req,
		json_object **resp, struct admin_error *err)
{
	(void)id;
	return admin_actor_list(ctx, "service_account", req, resp, err);
}

static int show(struct admin_ctx *ctx, const char *id, json_object *req,
		json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { NULL };
	struct store_actor a;

	if (admin_req_keys(req, keys, err) ||
	    admin_actor_find(ctx, "service_account", id, &a, err))
		return -1;
	*resp = admin_actor_json(&a);
	return 0;
}

static int update(struct admin_ctx *ctx, const char *id, json_object *req,
		  json_object **resp, struct admin_error *err)
{
	return admin_actor_update(ctx, "service_account", id, req, resp, err);
}

static int delete (struct admin_ctx *ctx, const char *id, json_object *req,
		   json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { NULL };

	return admin_req_keys(req, keys, err) ?:
		       admin_actor_delete(ctx, "service_account", id, resp,
					  err);
}

static const struct admin_verb verbs[] = {
	{ "create", create, true }, { "list", list, false },
	{ "show", show, false },    { "update", update, true },
	{ "delete", delete, true }, { NULL, NULL, false },
};

const struct admin_noun admin_noun_service_account = { "service_account",
						       verbs };
