// SPDX-License-Identifier: GPL-2.0
/*
 * Gateway tokens: one per site or several, each opening the gateway
 * sockets of its site. They do not expire; deleting one disconnects
 * every gateway that joined with it.
 */
#include <stdio.h>
#include <string.h>

#include "priv.h"

/* {site_id, name}: name defaults to the site's. */
static int create(struct admin_ctx *ctx, const char *id, json_object *req,
		  json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { "site_id", "name", NULL };
	struct store_token t = { 0 };
	const char *site, *name;
	struct store_site s;

	(void)id;
	if (admin_req_keys(req, keys, err) ||
	    admin_req_str(req, "site_id", true, &site, err) ||
	    admin_req_name(req, "name", false, &name, err) ||
	    admin_find(ctx, STORE_SITE, site, &s, "site_id", err))
		return -1;
	strcpy(t.kind, "gateway");
	strcpy(t.site_id, s.id);
	snprintf(t.name, sizeof(t.name), "%s", name ? name : s.name);
	return admin_token_create(ctx, &t, resp, err);
}

static int list(struct admin_ctx *ctx, const char *id, json_object *req,
		json_object **resp, struct admin_error *err)
{
	(void)id;
	return admin_token_list(ctx, "gateway", "site_id", req, resp, err);
}

static int show(struct admin_ctx *ctx, const char *id, json_object *req,
		json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { NULL };

	return admin_req_keys(req, keys, err) ?:
		       admin_token_show(ctx, "gateway", id, resp, err);
}

static int delete (struct admin_ctx *ctx, const char *id, json_object *req,
		   json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { NULL };

	return admin_req_keys(req, keys, err) ?:
		       admin_token_delete(ctx, "gateway", id, resp, err);
}

static const struct admin_verb verbs[] = {
	{ "create", create, true }, { "list", list, false },
	{ "show", show, false },    { "delete", delete, true },
	{ NULL, NULL, false },
};

const struct admin_noun admin_noun_gateway_token = { "gateway_token", verbs };
