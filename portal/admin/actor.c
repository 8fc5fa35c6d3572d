// SPDX-License-Identifier: GPL-2.0
/*
 * Actors: users (the noun "actor") and service accounts (svcacct.c)
 * share one table and these functions; the type keeps each noun to its
 * own records. Deleting an actor takes its clients, tokens and
 * memberships with it (one changes row, the actor's).
 */
#include <string.h>

#include "priv.h"

json_object *admin_actor_json(const struct store_actor *a)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_string(a->id));
	json_object_object_add(o, "type", json_object_new_string(a->type));
	json_object_object_add(o, "name", json_object_new_string(a->name));
	json_object_object_add(o, "email", admin_opt_str(a->email));
	json_object_object_add(o, "role", json_object_new_string(a->role));
	json_object_object_add(o, "disabled_at",
			       admin_time_json(a->disabled_at));
	json_object_object_add(o, "created_at", admin_time_json(a->created_at));
	return o;
}

static const char *const user_keys[] = { "name", "email", "role", "disabled",
					 NULL };
static const char *const sa_keys[] = { "name", "role", "disabled", NULL };

static const char *const *keys_of(const char *type)
{
	return strcmp(type, "user") ? sa_keys : user_keys;
}

static const char *noun_of(const char *type)
{
	return strcmp(type, "user") ? "service account" : "actor";
}

int admin_actor_find(struct admin_ctx *ctx, const char *type, const char *ref,
		     struct store_actor *a, struct admin_error *err)
{
	if (admin_find(ctx, STORE_ACTOR, ref, a, "id", err))
		return -1;
	if (strcmp(a->type, type))
		return admin_fail(err, ADMIN_NOT_FOUND, "id", "no %s '%s'",
				  noun_of(type), ref);
	return 0;
}

static int check_email(const char *e, struct admin_error *err)
{
	const char *at = strchr(e, '@');

	if (!at || at == e || !at[1] || strchr(at + 1, '@') ||
	    strpbrk(e, " \t\r\n<>,;\"") || strlen(e) >= STORE_TEXT_SIZE)
		return admin_fail(err, ADMIN_INVALID, "email",
				  "'%s' is not an email address", e);
	return 0;
}

/* name, email, role and disabled from req into a (all optional). */
static int apply(json_object *req, struct store_actor *a,
		 struct admin_error *err)
{
	const char *name, *email = NULL, *role;
	bool disabled, set;

	if (admin_req_keys(req, keys_of(a->type), err) ||
	    admin_req_name(req, "name", false, &name, err) ||
	    admin_req_str(req, "email", false, &email, err) ||
	    admin_req_str(req, "role", false, &role, err) ||
	    admin_req_bool(req, "disabled", &disabled, &set, err))
		return -1;
	if (role && strcmp(role, "admin") && strcmp(role, "member"))
		return admin_fail(err, ADMIN_INVALID, "role",
				  "'%s' is not admin or member", role);
	if (email && *email && check_email(email, err))
		return -1;
	if (name)
		strcpy(a->name, name);
	if (email)
		strcpy(a->email, email);
	if (role)
		strcpy(a->role, role);
	if (set)
		a->disabled_at = disabled ? (a->disabled_at ?: admin_now()) : 0;
	return 0;
}

int admin_actor_create(struct admin_ctx *ctx, const char *type,
		       json_object *req, json_object **resp,
		       struct admin_error *err)
{
	struct store_err serr = { 0 };
	struct store_actor a = { 0 };
	const char *name;

	strcpy(a.account_id, ctx->account.id);
	strcpy(a.type, type);
	strcpy(a.role, "member");
	if (apply(req, &a, err) ||
	    admin_req_name(req, "name", true, &name, err))
		return -1;
	if (store_create(ctx->s, STORE_ACTOR, &a, &serr) ||
	    store_get(ctx->s, STORE_ACTOR, a.id, &a, &serr))
		return admin_store_fail(err, "name", &serr);
	*resp = admin_actor_json(&a);
	return admin_record(ctx, "actor", "create", a.id, NULL, *resp, err);
}

struct each_actor {
	json_object *arr;
	const char *type;
};

static int each(void *arg, const void *rec)
{
	const struct store_actor *a = rec;
	struct each_actor *e = arg;

	if (!strcmp(a->type, e->type))
		json_object_array_add(e->arr, admin_actor_json(a));
	return 0;
}

int admin_actor_list(struct admin_ctx *ctx, const char *type, json_object *req,
		     json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { NULL };
	struct store_err serr = { 0 };
	struct each_actor e = { NULL, type };

	if (admin_req_keys(req, keys, err))
		return -1;
	*resp = e.arr = json_object_new_array();
	if (store_list(ctx->s, STORE_ACTOR, ctx->account.id, each, &e, &serr))
		return admin_store_fail(err, "", &serr);
	return 0;
}

int admin_actor_update(struct admin_ctx *ctx, const char *type, const char *id,
		       json_object *req, json_object **resp,
		       struct admin_error *err)
{
	struct store_err serr = { 0 };
	json_object *before;
	struct store_actor a;
	int ret;

	if (admin_actor_find(ctx, type, id, &a, err))
		return -1;
	before = admin_actor_json(&a);
	if (apply(req, &a, err))
		goto fail;
	if (store_update(ctx->s, STORE_ACTOR, &a, &serr)) {
		admin_store_fail(err, "name", &serr);
		goto fail;
	}
	*resp = admin_actor_json(&a);
	ret = admin_record(ctx, "actor", "update", a.id, before, *resp, err);
	json_object_put(before);
	return ret;
fail:
	json_object_put(before);
	return -1;
}

int admin_actor_delete(struct admin_ctx *ctx, const char *type, const char *id,
		       json_object **resp, struct admin_error *err)
{
	struct store_err serr = { 0 };
	struct store_actor a;
	json_object *cascade;
	int ret;

	if (admin_actor_find(ctx, type, id, &a, err))
		return -1;
	cascade = admin_cascade(ctx, "actor", a.id, err);
	if (!cascade)
		return -1;
	if (store_delete(ctx->s, STORE_ACTOR, a.id, &serr)) {
		json_object_put(cascade);
		return admin_store_fail(err, "id", &serr);
	}
	*resp = admin_actor_json(&a);
	ret = admin_record_delete(ctx, "actor", a.id, *resp, cascade, err);
	json_object_put(cascade);
	return ret;
}

static int create(struct admin_ctx *ctx, const char *id, json_object *req,
		  json_object **resp, struct admin_error *err)
{
	(void)id;
	return admin_actor_create(ctx, "user", req, resp, err);
}

static int list(struct admin_ctx *ctx, const char *id, json_object *req,
		json_object **resp, struct admin_error *err)
{
	(void)id;
	return admin_actor_list(ctx, "user", req, resp, err);
}

static int show(struct admin_ctx *ctx, const char *id, json_object *req,
		json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { NULL };
	struct store_actor a;

	if (admin_req_keys(req, keys, err) ||
	    admin_actor_find(ctx, "user", id, &a, err))
		return -1;
	*resp = admin_actor_json(&a);
	return 0;
}

static int update(struct admin_ctx *ctx, const char *id, json_object *req,
		  json_object **resp, struct admin_error *err)
{
	return admin_actor_update(ctx, "user", id, req, resp, err);
}

static int delete (struct admin_ctx *ctx, const char *id, json_object *req,
		   json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { NULL };

	return admin_req_keys(req, keys, err) ?:
		       admin_actor_delete(ctx, "user", id, resp, err);
}

static const struct admin_verb verbs[] = {
	{ "create", create, true }, { "list", list, false },
	{ "show", show, false },    { "update", update, true },
	{ "delete", delete, true }, { NULL, NULL, false },
};

const struct admin_noun admin_noun_actor = { "actor", verbs };
