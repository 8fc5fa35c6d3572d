// SPDX-License-Identifier: GPL-2.0
/*
 * Clients: they register themselves when they join; the admin may list
 * them (with presence, as for gateways), mark them verified (a policy
 * condition) and delete them, which frees their tunnel addresses and
 * revokes what they were granted.
 */
#include <string.h>

#include "core/tunnel.h"
#include "lib/keys.h"
#include "priv.h"

static void add_tunnel(json_object *o, int64_t off)
{
	char v4[16], v6[46];

	if (core_tunnel_format((uint32_t)off, v4, v6)) {
		json_object_object_add(o, "ipv4", NULL);
		json_object_object_add(o, "ipv6", NULL);
		return;
	}
	json_object_object_add(o, "ipv4", json_object_new_string(v4));
	json_object_object_add(o, "ipv6", json_object_new_string(v6));
}

static json_object *client_json(const struct store_client *g)
{
	json_object *o = json_object_new_object();
	char key[FZ_KEY_B64_LEN + 1];

	fz_key_to_base64(key, g->public_key);
	json_object_object_add(o, "id", json_object_new_string(g->id));
	json_object_object_add(o, "name", json_object_new_string(g->name));
	json_object_object_add(o, "actor_id",
			       json_object_new_string(g->actor_id));
	json_object_object_add(o, "public_key", json_object_new_string(key));
	add_tunnel(o, g->tunnel_offset);
	json_object_object_add(o, "online",
			       json_object_new_boolean(g->online_since != 0));
	json_object_object_add(o, "online_since",
			       admin_time_json(g->online_since));
	json_object_object_add(o, "last_seen_at",
			       admin_time_json(g->last_seen_at));
	json_object_object_add(o, "remote_addr", admin_opt_str(g->remote_addr));
	json_object_object_add(o, "version", admin_opt_str(g->version));
	json_object_object_add(o, "verified",
			       json_object_new_boolean(g->verified_at != 0));
	json_object_object_add(o, "verified_at",
			       admin_time_json(g->verified_at));
	json_object_object_add(o, "external_id", admin_opt_str(g->external_id));
	json_object_object_add(o, "created_at", admin_time_json(g->created_at));
	return o;
}

static int add(void *arg, const void *rec)
{
	json_object_array_add(arg, client_json(rec));
	return 0;
}

static int list(struct admin_ctx *ctx, const char *id, json_object *req,
		json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { "actor_id", NULL };
	struct store_err serr = { 0 };
	const char *actor;
	struct store_actor a;

	(void)id;
	if (admin_req_keys(req, keys, err) ||
	    admin_req_str(req, "actor_id", false, &actor, err) ||
	    (actor && admin_find(ctx, STORE_ACTOR, actor, &a, "actor_id", err)))
		return -1;
	*resp = json_object_new_array();
	if (store_client_list(ctx->s, ctx->account.id, actor ? a.id : NULL, add,
			      *resp, &serr))
		return admin_store_fail(err, "", &serr);
	return 0;
}

static int show(struct admin_ctx *ctx, const char *id, json_object *req,
		json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { NULL };
	struct store_client g;

	if (admin_req_keys(req, keys, err) ||
	    admin_find_client(ctx, id, &g, err))
		return -1;
	*resp = client_json(&g);
	return 0;
}

static int delete (struct admin_ctx *ctx, const char *id, json_object *req,
		   json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { NULL };
	struct store_err serr = { 0 };
	struct store_client g;

	if (admin_req_keys(req, keys, err) ||
	    admin_find_client(ctx, id, &g, err))
		return -1;
	if (store_client_delete(ctx->s, g.id, &serr))
		return admin_store_fail(err, "id", &serr);
	*resp = client_json(&g);
	return admin_record(ctx, "client", "delete", g.id, *resp, NULL, err);
}

/* {verified}: the one thing an admin may change of a client. */
static int update(struct admin_ctx *ctx, const char *id, json_object *req,
		  json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { "verified", NULL };
	struct store_err serr = { 0 };
	struct store_client c;
	json_object *before;
	bool verified, set;
	int ret;

	if (admin_req_keys(req, keys, err) ||
	    admin_req_bool(req, "verified", &verified, &set, err) ||
	    admin_find_client(ctx, id, &c, err))
		return -1;
	before = client_json(&c);
	if (set)
		c.verified_at = verified ? (c.verified_at ?: admin_now()) : 0;
	/* An upsert by public key keeps the id and tunnel offset. */
	if (store_client_upsert(ctx->s, &c, &serr)) {
		json_object_put(before);
		return admin_store_fail(err, "id", &serr);
	}
	*resp = client_json(&c);
	ret = admin_record(ctx, "client", "update", c.id, before, *resp, err);
	json_object_put(before);
	return ret;
}

static const struct admin_verb verbs[] = {
	{ "list", list, false }, { "update", update, true },
	{ "show", show, false }, { "delete", delete, true },
	{ NULL, NULL, false },
};

const struct admin_noun admin_noun_client = { "client", verbs };
