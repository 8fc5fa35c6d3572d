// SPDX-License-Identifier: GPL-2.0
/*
 * Sites: where gateways run and resources live. Deleting one takes its
 * gateway tokens and gateways with it (one changes row, the site's); a
 * site that resources still use is refused.
 */
#include <string.h>

#include "priv.h"

static json_object *site_json(const struct store_site *s)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_string(s->id));
	json_object_object_add(o, "name", json_object_new_string(s->name));
	json_object_object_add(o, "created_at", admin_time_json(s->created_at));
	return o;
}

static int create(struct admin_ctx *ctx, const char *id, json_object *req,
		  json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { "name", NULL };
	struct store_err serr = { 0 };
	struct store_site s = { 0 };
	const char *name;

	(void)id;
	if (admin_req_keys(req, keys, err) ||
	    admin_req_name(req, "name", true, &name, err))
		return -1;
	strcpy(s.account_id, ctx->account.id);
	strcpy(s.name, name);
	if (store_create(ctx->s, STORE_SITE, &s, &serr) ||
	    store_get(ctx->s, STORE_SITE, s.id, &s, &serr))
		return admin_store_fail(err, "name", &serr);
	*resp = site_json(&s);
	return admin_record(ctx, "site", "create", s.id, NULL, *resp, err);
}

static int add(void *arg, const void *rec)
{
	json_object_array_add(arg, site_json(rec));
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
	if (store_list(ctx->s, STORE_SITE, ctx->account.id, add, *resp, &serr))
		return admin_store_fail(err, "", &serr);
	return 0;
}

static int show(struct admin_ctx *ctx, const char *id, json_object *req,
		json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { NULL };
	struct store_site s;

	if (admin_req_keys(req, keys, err) ||
	    admin_find(ctx, STORE_SITE, id, &s, "id", err))
		return -1;
	*resp = site_json(&s);
	return 0;
}

static int update(struct admin_ctx *ctx, const char *id, json_object *req,
		  json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { "name", NULL };
	struct store_err serr = { 0 };
	struct store_site s;
	json_object *before;
	const char *name;
	int ret;

	if (admin_req_keys(req, keys, err) ||
	    admin_req_name(req, "name", false, &name, err) ||
	    admin_find(ctx, STORE_SITE, id, &s, "id", err))
		return -1;
	before = site_json(&s);
	if (name)
		strcpy(s.name, name);
	if (store_update(ctx->s, STORE_SITE, &s, &serr)) {
		json_object_put(before);
		return admin_store_fail(err, "name", &serr);
	}
	*resp = site_json(&s);
	ret = admin_record(ctx, "site", "update", s.id, before, *resp, err);
	json_object_put(before);
	return ret;
}

static int delete (struct admin_ctx *ctx, const char *id, json_object *req,
		   json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { NULL };
	struct store_err serr = { 0 };
	struct store_site s;
	json_object *cascade;
	int ret;

	if (admin_req_keys(req, keys, err) ||
	    admin_find(ctx, STORE_SITE, id, &s, "id", err))
		return -1;
	cascade = admin_cascade(ctx, "site", s.id, err);
	if (!cascade)
		return -1;
	if (store_delete(ctx->s, STORE_SITE, s.id, &serr)) {
		json_object_put(cascade);
		return admin_store_fail(err, "id", &serr);
	}
	*resp = site_json(&s);
	ret = admin_record_delete(ctx, "site", s.id, *resp, cascade, err);
	json_object_put(cascade);
	return ret;
}

static const struct admin_verb verbs[] = {
	{ "create", create, true }, { "list", list, false },
	{ "show", show, false },    { "update", update, true },
	{ "delete", delete, true }, { NULL, NULL, false },
};

const struct admin_noun admin_noun_site = { "site", verbs };
