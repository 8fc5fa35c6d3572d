// SPDX-License-Identifier: GPL-2.0
/*
 * Resources: what clients reach through the gateways of a site. The
 * address is checked against the type and the filters parsed by the
 * agent's own rules (lib/resaddr.h, lib/filter.h), so the portal accepts
 * exactly what a gateway's authorizations file accepts. Deleting a
 * resource takes its policies with it.
 */
#include <stdio.h>
#include <string.h>

#include "lib/filter.h"
#include "lib/resaddr.h"
#include "priv.h"

static json_object *resource_json(const struct store_resource *r)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_string(r->id));
	json_object_object_add(o, "name", json_object_new_string(r->name));
	json_object_object_add(o, "type", json_object_new_string(r->type));
	json_object_object_add(o, "address",
			       json_object_new_string(r->address));
	json_object_object_add(o, "description",
			       admin_opt_str(r->address_description));
	json_object_object_add(o, "site_id",
			       json_object_new_string(r->site_id));
	json_object_object_add(o, "filters", admin_parse_stored(r->filters));
	json_object_object_add(o, "created_at", admin_time_json(r->created_at));
	json_object_object_add(o, "updated_at", admin_time_json(r->updated_at));
	return o;
}

/* type and address together: either may have changed. */
static int check_address(struct store_resource *r, struct admin_error *err)
{
	enum fz_resaddr_type type;
	struct fz_resaddr out;
	const char *why;

	if (fz_resaddr_type_parse(r->type, &type))
		return admin_fail(err, ADMIN_INVALID, "type",
				  "'%s' is not dns, ip or cidr", r->type);
	strcpy(r->type, fz_resaddr_type_name(type));
	if (fz_resaddr_parse(type, r->address, &out, &why))
		return admin_fail(err, ADMIN_INVALID, "address", "%s: '%s'",
				  why, r->address);
	if (type == FZ_RESADDR_DNS)
		snprintf(r->address, sizeof(r->address), "%s", out.domain);
	return 0;
}

/* "tcp/443, icmp" or Firezone's JSON array, stored as the JSON. */
static int set_filters(json_object *req, struct store_resource *r,
		       struct admin_error *err)
{
	struct fz_filter f[FZ_MAX_FILTERS];
	struct fz_filter_error fe = { 0 };
	const char *why = NULL;
	json_object *v, *arr;
	size_t n = 0;

	if (!json_object_object_get_ex(req, "filters", &v) || !v)
		return 0;
	if (json_object_is_type(v, json_type_string)) {
		if (fz_filter_parse(json_object_get_string(v), f, &n, &fe))
			return admin_fail(err, ADMIN_INVALID, "filters",
					  "%s: '%s'", fe.why, fe.entry);
	} else if (fz_filter_from_json(v, f, &n, &why)) {
		return admin_fail(err, ADMIN_INVALID, "filters", "%s", why);
	}
	arr = fz_filter_to_json(f, n);
	snprintf(r->filters, sizeof(r->filters), "%s",
		 json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN));
	json_object_put(arr);
	return 0;
}

/* Every member of req that is there, into r. */
static int apply(struct admin_ctx *ctx, json_object *req,
		 struct store_resource *r, struct admin_error *err)
{
	static const char *const keys[] = { "name",	   "type",    "address",
					    "description", "site_id", "filters",
					    NULL };
	const char *name, *type, *addr, *desc, *site;
	struct store_site s;

	if (admin_req_keys(req, keys, err) ||
	    admin_req_name(req, "name", false, &name, err) ||
	    admin_req_str(req, "type", false, &type, err) ||
	    admin_req_str(req, "address", false, &addr, err) ||
	    admin_req_str(req, "description", false, &desc, err) ||
	    admin_req_str(req, "site_id", false, &site, err))
		return -1;
	if (site && admin_find(ctx, STORE_SITE, site, &s, "site_id", err))
		return -1;
	if ((name && ADMIN_COPY(r->name, name, "name", err)) ||
	    (type && ADMIN_COPY(r->type, type, "type", err)) ||
	    (addr && ADMIN_COPY(r->address, addr, "address", err)) ||
	    (desc &&
	     ADMIN_COPY(r->address_description, desc, "description", err)))
		return -1;
	if (site)
		strcpy(r->site_id, s.id);
	return set_filters(req, r, err);
}

static int create(struct admin_ctx *ctx, const char *id, json_object *req,
		  json_object **resp, struct admin_error *err)
{
	static const char *const required[] = { "name", "type", "address",
						"site_id" };
	struct store_resource r = { 0 };
	struct store_err serr = { 0 };
	const char *v;

	(void)id;
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (admin_req_str(req, required[i], true, &v, err))
			return -1;
	strcpy(r.account_id, ctx->account.id);
	strcpy(r.filters, "[]");
	if (apply(ctx, req, &r, err) || check_address(&r, err))
		return -1;
	if (store_create(ctx->s, STORE_RESOURCE, &r, &serr) ||
	    store_get(ctx->s, STORE_RESOURCE, r.id, &r, &serr))
		return admin_store_fail(err, "name", &serr);
	*resp = resource_json(&r);
	return admin_record(ctx, "resource", "create", r.id, NULL, *resp, err);
}

static int add(void *arg, const void *rec)
{
	json_object_array_add(arg, resource_json(rec));
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
	if (store_list(ctx->s, STORE_RESOURCE, ctx->account.id, add, *resp,
		       &serr))
		return admin_store_fail(err, "", &serr);
	return 0;
}

static int show(struct admin_ctx *ctx, const char *id, json_object *req,
		json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { NULL };
	struct store_resource r;

	if (admin_req_keys(req, keys, err) ||
	    admin_find(ctx, STORE_RESOURCE, id, &r, "id", err))
		return -1;
	*resp = resource_json(&r);
	return 0;
}

static int update(struct admin_ctx *ctx, const char *id, json_object *req,
		  json_object **resp, struct admin_error *err)
{
	struct store_err serr = { 0 };
	struct store_resource r;
	json_object *before;
	int ret = -1;

	if (admin_find(ctx, STORE_RESOURCE, id, &r, "id", err))
		return -1;
	before = resource_json(&r);
	if (apply(ctx, req, &r, err) || check_address(&r, err))
		goto out;
	r.updated_at = admin_now();
	if (store_update(ctx->s, STORE_RESOURCE, &r, &serr) ||
	    store_get(ctx->s, STORE_RESOURCE, r.id, &r, &serr)) {
		admin_store_fail(err, "name", &serr);
		goto out;
	}
	*resp = resource_json(&r);
	ret = admin_record(ctx, "resource", "update", r.id, before, *resp, err);
out:
	json_object_put(before);
	return ret;
}

static int delete (struct admin_ctx *ctx, const char *id, json_object *req,
		   json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { NULL };
	struct store_err serr = { 0 };
	struct store_resource r;
	json_object *cascade;
	int ret;

	if (admin_req_keys(req, keys, err) ||
	    admin_find(ctx, STORE_RESOURCE, id, &r, "id", err))
		return -1;
	cascade = admin_cascade(ctx, "resource", r.id, err);
	if (!cascade)
		return -1;
	if (store_delete(ctx->s, STORE_RESOURCE, r.id, &serr)) {
		json_object_put(cascade);
		return admin_store_fail(err, "id", &serr);
	}
	*resp = resource_json(&r);
	ret = admin_record_delete(ctx, "resource", r.id, *resp, cascade, err);
	json_object_put(cascade);
	return ret;
}

static const struct admin_verb verbs[] = {
	{ "create", create, true }, { "list", list, false },
	{ "show", show, false },    { "update", update, true },
	{ "delete", delete, true }, { NULL, NULL, false },
};

const struct admin_noun admin_noun_resource = { "resource", verbs };
