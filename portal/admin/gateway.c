// SPDX-License-Identifier: GPL-2.0
/*
 * Gateways: they register themselves when they join; the admin may list
 * them (with presence: online while their socket is up, as the server
 * records in online_since) and delete them, which frees their tunnel
 * addresses and closes their socket.
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

static json_object *gateway_json(const struct store_gateway *g)
{
	json_object *o = json_object_new_object();
	char key[FZ_KEY_B64_LEN + 1];

	fz_key_to_base64(key, g->public_key);
	json_object_object_add(o, "id", json_object_new_string(g->id));
	json_object_object_add(o, "name", json_object_new_string(g->name));
	json_object_object_add(o, "site_id",
			       json_object_new_string(g->site_id));
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
	json_object_object_add(
		o, "listen_port",
		g->listen_port ? json_object_new_int64(g->listen_port) : NULL);
	json_object_object_add(o, "endpoints",
			       admin_parse_stored(g->endpoints));
	json_object_object_add(o, "created_at", admin_time_json(g->created_at));
	return o;
}

static int add(void *arg, const void *rec)
{
	json_object_array_add(arg, gateway_json(rec));
	return 0;
}

static int list(struct admin_ctx *ctx, const char *id, json_object *req,
		json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { "site_id", NULL };
	struct store_err serr = { 0 };
	const char *site;
	struct store_site s;

	(void)id;
	if (admin_req_keys(req, keys, err) ||
	    admin_req_str(req, "site_id", false, &site, err) ||
	    (site && admin_find(ctx, STORE_SITE, site, &s, "site_id", err)))
		return -1;
	*resp = json_object_new_array();
	if (store_gateway_list(ctx->s, ctx->account.id, site ? s.id : NULL, add,
			       *resp, &serr))
		return admin_store_fail(err, "", &serr);
	return 0;
}

static int show(struct admin_ctx *ctx, const char *id, json_object *req,
		json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { NULL };
	struct store_gateway g;

	if (admin_req_keys(req, keys, err) ||
	    admin_find_gateway(ctx, id, &g, err))
		return -1;
	*resp = gateway_json(&g);
	return 0;
}

static int delete (struct admin_ctx *ctx, const char *id, json_object *req,
		   json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { NULL };
	struct store_err serr = { 0 };
	struct store_gateway g;

	if (admin_req_keys(req, keys, err) ||
	    admin_find_gateway(ctx, id, &g, err))
		return -1;
	if (store_gateway_delete(ctx->s, g.id, &serr))
		return admin_store_fail(err, "id", &serr);
	*resp = gateway_json(&g);
	return admin_record(ctx, "gateway", "delete", g.id, *resp, NULL, err);
}

static const struct admin_verb verbs[] = {
	{ "list", list, false },
	{ "show", show, false },
	{ "delete", delete, true },
	{ NULL, NULL, false },
};

const struct admin_noun admin_noun_gateway = { "gateway", verbs };
