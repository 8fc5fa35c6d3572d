// SPDX-License-Identifier: GPL-2.0
/*
 * Memberships: the id is the group's, the request names the actor. The
 * builtin Everyone cannot be left (every actor is in it from creation).
 * The changes row's object_id is the group's id, its objects the pair.
 */
#include <string.h>

#include "priv.h"

json_object *admin_member_json(const char *group_id, const char *actor_id)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "group_id", json_object_new_string(group_id));
	json_object_object_add(o, "actor_id", json_object_new_string(actor_id));
	return o;
}

static int pair(struct admin_ctx *ctx, const char *id, json_object *req,
		struct store_group *g, struct store_actor *a,
		struct admin_error *err)
{
	static const char *const keys[] = { "actor_id", NULL };
	const char *actor;

	return admin_req_keys(req, keys, err) ||
	       admin_req_str(req, "actor_id", true, &actor, err) ||
	       admin_find(ctx, STORE_GROUP, id, g, "group_id", err) ||
	       admin_find(ctx, STORE_ACTOR, actor, a, "actor_id", err);
}

static int add(struct admin_ctx *ctx, const char *id, json_object *req,
	       json_object **resp, struct admin_error *err)
{
	struct store_err serr = { 0 };
	struct store_group g;
	struct store_actor a;

	if (pair(ctx, id, req, &g, &a, err))
		return -1;
	if (store_member_add(ctx->s, g.id, a.id, &serr))
		return admin_store_fail(err, "actor_id", &serr);
	*resp = admin_member_json(g.id, a.id);
	return admin_record(ctx, "member", "create", g.id, NULL, *resp, err);
}

static int remove_(struct admin_ctx *ctx, const char *id, json_object *req,
		   json_object **resp, struct admin_error *err)
{
	struct store_err serr = { 0 };
	struct store_group g;
	struct store_actor a;

	if (pair(ctx, id, req, &g, &a, err))
		return -1;
	if (g.builtin)
		return admin_fail(err, ADMIN_FORBIDDEN, "group_id",
				  "the builtin group '%s' cannot be left",
				  g.name);
	if (store_member_remove(ctx->s, g.id, a.id, &serr))
		return admin_store_fail(err, "actor_id", &serr);
	*resp = admin_member_json(g.id, a.id);
	return admin_record(ctx, "member", "delete", g.id, *resp, NULL, err);
}

struct each_member {
	json_object *arr;
	const char *group_id;
};

static int each(void *arg, const void *rec)
{
	const struct store_actor *a = rec;
	struct each_member *m = arg;

	json_object_array_add(m->arr, admin_member_json(m->group_id, a->id));
	return 0;
}

static int list(struct admin_ctx *ctx, const char *id, json_object *req,
		json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { NULL };
	struct store_err serr = { 0 };
	struct each_member m;
	struct store_group g;

	if (admin_req_keys(req, keys, err) ||
	    admin_find(ctx, STORE_GROUP, id, &g, "group_id", err))
		return -1;
	*resp = json_object_new_array();
	m.arr = *resp;
	m.group_id = g.id;
	if (store_member_list(ctx->s, g.id, each, &m, &serr))
		return admin_store_fail(err, "", &serr);
	return 0;
}

static const struct admin_verb verbs[] = {
	{ "add", add, true },
	{ "list", list, false },
	{ "remove", remove_, true },
	{ NULL, NULL, false },
};

const struct admin_noun admin_noun_member = { "member", verbs };
