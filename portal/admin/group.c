// SPDX-License-Identifier: GPL-2.0
/*
 * Groups of actors, which policies grant resources to. The builtin
 * Everyone holds every actor and can be neither renamed nor deleted;
 * deleting a group takes its memberships and policies with it.
 */
#include <string.h>

#include "priv.h"

static json_object *group_json(const struct store_group *s)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_string(s->id));
	json_object_object_add(o, "name", json_object_new_string(s->name));
	json_object_object_add(o, "builtin",
			       json_object_new_boolean(s->builtin));
	json_object_object_add(o, "created_at", admin_time_json(s->created_at));
	return o;
}

static int create(struct admin_ctx *ctx, const char *id, json_object *req,
		  json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { "name", NULL };
	struct store_err serr = { 0 };
	struct store_group s = { 0 };
	const char *name;

	(void)id;
	if (admin_req_keys(req, keys, err) ||
	    admin_req_name(req, "name", true, &name, err))
		return -1;
	strcpy(s.account_id, ctx->account.id);
	strcpy(s.name, name);
	if (store_create(ctx->s, STORE_GROUP, &s, &serr) ||
	    store_get(ctx->s, STORE_GROUP, s.id, &s, &serr))
		return admin_store_fail(err, "name", &serr);
	*resp = group_json(&s);
	return admin_record(ctx, "group", "create", s.id, NULL, *resp, err);
}

static int add(void *arg, const void *rec)
{
	json_object_array_add(arg, group_json(rec));
	return 0;
}

static int list(struct admin_ctx *ctx, const char *id, json_object *req,
		json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { NULL };
	struct store_err serr = { 0 };

	(void)id;
	if (admin_req_keys(req, keys, err))
		return -1;
	*resp = json_object_new_array();
	if (store_list(ctx->s, STORE_GROUP, ctx->account.id, add, *resp, &serr))
		return admin_store_fail(err, "", &serr);
	return 0;
}

static int show(struct admin_ctx *ctx, const char *id, json_object *req,
		json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { NULL };
	struct store_group s;

	if (admin_req_keys(req, keys, err) ||
	    admin_find(ctx, STORE_GROUP, id, &s, "id", err))
		return -1;
	*resp = group_json(&s);
	return 0;
}

static int update(struct admin_ctx *ctx, const char *id, json_object *req,
		  json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { "name", NULL };
	struct store_err serr = { 0 };
	struct store_group s;
	json_object *before;
	const char *name;
	int ret;

	if (admin_req_keys(req, keys, err) ||
	    admin_req_name(req, "name", false, &name, err) ||
	    admin_find(ctx, STORE_GROUP, id, &s, "id", err))
		return -1;
	if (s.builtin)
		return admin_fail(err, ADMIN_FORBIDDEN, "id",
				  "the builtin group '%s' cannot be renamed",
				  s.name);
	before = group_json(&s);
	if (name)
		strcpy(s.name, name);
	if (store_update(ctx->s, STORE_GROUP, &s, &serr)) {
		json_object_put(before);
		return admin_store_fail(err, "name", &serr);
	}
	*resp = group_json(&s);
	ret = admin_record(ctx, "group", "update", s.id, before, *resp, err);
	json_object_put(before);
	return ret;
}

static int delete (struct admin_ctx *ctx, const char *id, json_object *req,
		   json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { NULL };
	struct store_err serr = { 0 };
	struct store_group s;
	json_object *cascade;
	int ret;

	if (admin_req_keys(req, keys, err) ||
	    admin_find(ctx, STORE_GROUP, id, &s, "id", err))
		return -1;
	if (s.builtin)
		return admin_fail(err, ADMIN_FORBIDDEN, "id",
				  "the builtin group '%s' cannot be deleted",
				  s.name);
	cascade = admin_cascade(ctx, "group", s.id, err);
	if (!cascade)
		return -1;
	if (store_delete(ctx->s, STORE_GROUP, s.id, &serr)) {
		json_object_put(cascade);
		return admin_store_fail(err, "id", &serr);
	}
	*resp = group_json(&s);
	ret = admin_record_delete(ctx, "group", s.id, *resp, cascade, err);
	json_object_put(cascade);
	return ret;
}

static const struct admin_verb verbs[] = {
	{ "create", create, true }, { "list", list, false },
	{ "show", show, false },    { "update", update, true },
	{ "delete", delete, true }, { NULL, NULL, false },
};

const struct admin_noun admin_noun_group = { "group", verbs };
