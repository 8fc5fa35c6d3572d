// SPDX-License-Identifier: GPL-2.0
/*
 * Policies: a group may reach a resource while every condition holds.
 * Conditions are checked in full here (policy/cond.h), so the store never
 * holds one the engine cannot evaluate and unknown types are refused at
 * write time. Disabling is an update that sets disabled_at.
 */
#include <stdlib.h>
#include <string.h>

#include "policy/cond.h"
#include "priv.h"

static json_object *policy_json(const struct store_policy *p)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_string(p->id));
	json_object_object_add(o, "group_id",
			       json_object_new_string(p->group_id));
	json_object_object_add(o, "resource_id",
			       json_object_new_string(p->resource_id));
	json_object_object_add(o, "conditions",
			       admin_parse_stored(p->conditions));
	json_object_object_add(o, "description", admin_opt_str(p->description));
	json_object_object_add(o, "enabled",
			       json_object_new_boolean(!p->disabled_at));
	json_object_object_add(o, "disabled_at",
			       admin_time_json(p->disabled_at));
	json_object_object_add(o, "created_at", admin_time_json(p->created_at));
	json_object_object_add(o, "updated_at", admin_time_json(p->updated_at));
	return o;
}

/* An array, or its JSON text (the CLI's --condition), checked in full. */
static int set_conditions(json_object *req, struct store_policy *p,
			  struct admin_error *err)
{
	struct policy_error pe = { 0 };
	struct policy_conds c = { 0 };
	json_object *v;
	char *text;
	int ret;

	if (!json_object_object_get_ex(req, "conditions", &v) || !v)
		return 0;
	if (json_object_is_type(v, json_type_string))
		ret = policy_conds_parse(&c, json_object_get_string(v),
					 (size_t)json_object_get_string_len(v),
					 &pe);
	else
		ret = policy_conds_from_json(&c, v, &pe);
	if (ret)
		return admin_fail(err, ADMIN_INVALID,
				  pe.field[0] ? pe.field : "conditions", "%s",
				  pe.message[0] ? pe.message : "out of memory");
	text = policy_conds_format(&c);
	policy_conds_free(&c);
	if (!text)
		return admin_fail(err, ADMIN_INTERNAL, "", "out of memory");
	ret = ADMIN_COPY(p->conditions, text, "conditions", err);
	free(text);
	return ret;
}

static int apply(json_object *req, struct store_policy *p,
		 struct admin_error *err)
{
	const char *desc;
	bool enabled, set;

	if (admin_req_str(req, "description", false, &desc, err) ||
	    admin_req_bool(req, "enabled", &enabled, &set, err) ||
	    set_conditions(req, p, err))
		return -1;
	if (desc && ADMIN_COPY(p->description, desc, "description", err))
		return -1;
	if (set)
		p->disabled_at = enabled ? 0 : (p->disabled_at ?: admin_now());
	return 0;
}

static int create(struct admin_ctx *ctx, const char *id, json_object *req,
		  json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { "group_id",	  "resource_id",
					    "conditions", "description",
					    "enabled",	  NULL };
	struct store_policy p = { 0 };
	struct store_err serr = { 0 };
	const char *group, *resource;
	struct store_resource r;
	struct store_group g;

	(void)id;
	if (admin_req_keys(req, keys, err) ||
	    admin_req_str(req, "group_id", true, &group, err) ||
	    admin_req_str(req, "resource_id", true, &resource, err) ||
	    admin_find(ctx, STORE_GROUP, group, &g, "group_id", err) ||
	    admin_find(ctx, STORE_RESOURCE, resource, &r, "resource_id", err))
		return -1;
	strcpy(p.account_id, ctx->account.id);
	strcpy(p.group_id, g.id);
	strcpy(p.resource_id, r.id);
	strcpy(p.conditions, "[]");
	if (apply(req, &p, err))
		return -1;
	if (store_create(ctx->s, STORE_POLICY, &p, &serr) ||
	    store_get(ctx->s, STORE_POLICY, p.id, &p, &serr))
		return admin_store_fail(err, "group_id", &serr);
	*resp = policy_json(&p);
	return admin_record(ctx, "policy", "create", p.id, NULL, *resp, err);
}

static int add(void *arg, const void *rec)
{
	json_object_array_add(arg, policy_json(rec));
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
	if (store_list(ctx->s, STORE_POLICY, ctx->account.id, add, *resp,
		       &serr))
		return admin_store_fail(err, "", &serr);
	return 0;
}

static int show(struct admin_ctx *ctx, const char *id, json_object *req,
		json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { NULL };
	struct store_policy p;

	if (admin_req_keys(req, keys, err) ||
	    admin_find(ctx, STORE_POLICY, id, &p, "id", err))
		return -1;
	*resp = policy_json(&p);
	return 0;
}

static int change(struct admin_ctx *ctx, const char *id, json_object *req,
		  json_object **resp, struct admin_error *err)
{
	struct store_err serr = { 0 };
	struct store_policy p;
	json_object *before;
	int ret = -1;

	if (admin_find(ctx, STORE_POLICY, id, &p, "id", err))
		return -1;
	before = policy_json(&p);
	if (apply(req, &p, err))
		goto out;
	p.updated_at = admin_now();
	if (store_update(ctx->s, STORE_POLICY, &p, &serr) ||
	    store_get(ctx->s, STORE_POLICY, p.id, &p, &serr)) {
		admin_store_fail(err, "id", &serr);
		goto out;
	}
	*resp = policy_json(&p);
	ret = admin_record(ctx, "policy", "update", p.id, before, *resp, err);
out:
	json_object_put(before);
	return ret;
}

static int update(struct admin_ctx *ctx, const char *id, json_object *req,
		  json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { "conditions", "description",
					    "enabled", NULL };

	return admin_req_keys(req, keys, err) ?:
						change(ctx, id, req, resp, err);
}

static int set_enabled(struct admin_ctx *ctx, const char *id, json_object *req,
		       bool on, json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { NULL };
	json_object *r;
	int ret;

	if (admin_req_keys(req, keys, err))
		return -1;
	r = json_object_new_object();
	json_object_object_add(r, "enabled", json_object_new_boolean(on));
	ret = change(ctx, id, r, resp, err);
	json_object_put(r);
	return ret;
}

static int enable(struct admin_ctx *ctx, const char *id, json_object *req,
		  json_object **resp, struct admin_error *err)
{
	return set_enabled(ctx, id, req, true, resp, err);
}

static int disable(struct admin_ctx *ctx, const char *id, json_object *req,
		   json_object **resp, struct admin_error *err)
{
	return set_enabled(ctx, id, req, false, resp, err);
}

static int delete (struct admin_ctx *ctx, const char *id, json_object *req,
		   json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { NULL };
	struct store_err serr = { 0 };
	struct store_policy p;

	if (admin_req_keys(req, keys, err) ||
	    admin_find(ctx, STORE_POLICY, id, &p, "id", err))
		return -1;
	if (store_delete(ctx->s, STORE_POLICY, p.id, &serr))
		return admin_store_fail(err, "id", &serr);
	*resp = policy_json(&p);
	return admin_record(ctx, "policy", "delete", p.id, *resp, NULL, err);
}

static const struct admin_verb verbs[] = {
	{ "create", create, true }, { "list", list, false },
	{ "show", show, false },    { "update", update, true },
	{ "enable", enable, true }, { "disable", disable, true },
	{ "delete", delete, true }, { NULL, NULL, false },
};

const struct admin_noun admin_noun_policy = { "policy", verbs };
