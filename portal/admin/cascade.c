// SPDX-License-Identifier: GPL-2.0
/*
 * What a delete takes with it. The database cascades a site, actor,
 * group or resource delete to its children without rows of their own in
 * `changes`, and afterwards nobody can ask the database which children
 * there were. So the delete's change row names them (before.cascade, see
 * admin.h), collected in the same transaction before the delete: the
 * signalling wing then revokes exactly their authorizations and closes
 * exactly their sockets instead of re-checking everybody.
 */
#include <string.h>

#include "priv.h"

struct collect {
	json_object *list; /* the array being filled */
	const char *field; /* tokens: "actor_id" or "site_id" */
	const char *id; /* the parent, to filter on */
};

static json_object *id_str(const char *id)
{
	return json_object_new_string(id);
}

static int each_token(void *arg, const void *rec)
{
	const struct store_token *t = rec;
	struct collect *c = arg;
	const char *ref = strcmp(c->field, "site_id") ? t->actor_id :
							t->site_id;

	if (!strcmp(ref, c->id))
		json_object_array_add(c->list, id_str(t->id));
	return 0;
}

static int each_gateway(void *arg, const void *rec)
{
	json_object_array_add(((struct collect *)arg)->list,
			      id_str(((const struct store_gateway *)rec)->id));
	return 0;
}

static int each_client(void *arg, const void *rec)
{
	json_object_array_add(((struct collect *)arg)->list,
			      id_str(((const struct store_client *)rec)->id));
	return 0;
}

/* An actor's memberships: each gets one of its groups. */
static int each_group(void *arg, const void *rec)
{
	struct collect *c = arg;

	json_object_array_add(
		c->list, admin_member_json(
				 ((const struct store_group *)rec)->id, c->id));
	return 0;
}

/* A group's memberships: each gets one of its actors. */
static int each_member(void *arg, const void *rec)
{
	struct collect *c = arg;

	json_object_array_add(
		c->list, admin_member_json(
				 c->id, ((const struct store_actor *)rec)->id));
	return 0;
}

/* The policies of a group or resource, with what each linked. */
static int each_policy(void *arg, const void *rec)
{
	const struct store_policy *p = rec;
	struct collect *c = arg;
	const char *ref = strcmp(c->field, "group_id") ? p->resource_id :
							 p->group_id;
	json_object *o;

	if (strcmp(ref, c->id))
		return 0;
	o = json_object_new_object();
	json_object_object_add(o, "id", id_str(p->id));
	json_object_object_add(o, "group_id", id_str(p->group_id));
	json_object_object_add(o, "resource_id", id_str(p->resource_id));
	json_object_array_add(c->list, o);
	return 0;
}

enum child {
	CHILD_TOKENS_OF_ACTOR,
	CHILD_TOKENS_OF_SITE,
	CHILD_GATEWAYS,
	CHILD_CLIENTS,
	CHILD_GROUPS_OF_ACTOR,
	CHILD_MEMBERS_OF_GROUP,
	CHILD_POLICIES_OF_GROUP,
	CHILD_POLICIES_OF_RESOURCE,
};

static const struct {
	const char *name; /* the member of cascade */
	const char *field;
} children[] = {
	[CHILD_TOKENS_OF_ACTOR] = { "tokens", "actor_id" },
	[CHILD_TOKENS_OF_SITE] = { "tokens", "site_id" },
	[CHILD_GATEWAYS] = { "gateways", NULL },
	[CHILD_CLIENTS] = { "clients", NULL },
	[CHILD_GROUPS_OF_ACTOR] = { "memberships", NULL },
	[CHILD_MEMBERS_OF_GROUP] = { "memberships", NULL },
	[CHILD_POLICIES_OF_GROUP] = { "policies", "group_id" },
	[CHILD_POLICIES_OF_RESOURCE] = { "policies", "resource_id" },
};

static int list_children(struct admin_ctx *ctx, enum child k, struct collect *c,
			 struct store_err *serr)
{
	const char *acct = ctx->account.id;

	switch (k) {
	case CHILD_TOKENS_OF_ACTOR:
	case CHILD_TOKENS_OF_SITE:
		return store_token_list(ctx->s, acct, NULL, each_token, c,
					serr);
	case CHILD_GATEWAYS:
		return store_gateway_list(ctx->s, acct, c->id, each_gateway, c,
					  serr);
	case CHILD_CLIENTS:
		return store_client_list(ctx->s, acct, c->id, each_client, c,
					 serr);
	case CHILD_GROUPS_OF_ACTOR:
		return store_actor_groups(ctx->s, c->id, each_group, c, serr);
	case CHILD_MEMBERS_OF_GROUP:
		return store_member_list(ctx->s, c->id, each_member, c, serr);
	default:
		return store_list(ctx->s, STORE_POLICY, acct, each_policy, c,
				  serr);
	}
}

/* One member of cascade: the ids (or pairs) of kind k under parent id. */
static int add_children(struct admin_ctx *ctx, json_object *cascade,
			enum child k, const char *id, struct admin_error *err)
{
	struct collect c = { json_object_new_array(), children[k].field, id };
	struct store_err serr = { 0 };

	if (list_children(ctx, k, &c, &serr)) {
		json_object_put(c.list);
		return admin_store_fail(err, "id", &serr);
	}
	json_object_object_add(cascade, children[k].name, c.list);
	return 0;
}

static const enum child site_children[] = { CHILD_TOKENS_OF_SITE,
					    CHILD_GATEWAYS };
static const enum child actor_children[] = { CHILD_CLIENTS,
					     CHILD_TOKENS_OF_ACTOR,
					     CHILD_GROUPS_OF_ACTOR };
static const enum child group_children[] = { CHILD_MEMBERS_OF_GROUP,
					     CHILD_POLICIES_OF_GROUP };
static const enum child resource_children[] = { CHILD_POLICIES_OF_RESOURCE };

static const struct {
	const char *entity;
	const enum child *kids;
	size_t n;
} parents[] = {
	{ "site", site_children, 2 },
	{ "actor", actor_children, 3 },
	{ "group", group_children, 2 },
	{ "resource", resource_children, 1 },
};

json_object *admin_cascade(struct admin_ctx *ctx, const char *entity,
			   const char *id, struct admin_error *err)
{
	json_object *cascade = json_object_new_object();

	for (size_t i = 0; i < sizeof(parents) / sizeof(parents[0]); i++) {
		if (strcmp(parents[i].entity, entity))
			continue;
		for (size_t k = 0; k < parents[i].n; k++)
			if (add_children(ctx, cascade, parents[i].kids[k], id,
					 err))
				goto fail;
	}
	return cascade;
fail:
	json_object_put(cascade);
	return NULL;
}
