// SPDX-License-Identifier: GPL-2.0
/*
 * References: a request may name a record by its id or by its unique
 * name. Only records of the context's account are ever found, so one
 * account can never reach into another by guessing ids.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "lib/values.h"
#include "priv.h"

/* Every record struct of enum store_kind starts with these two. */
struct head {
	char id[STORE_ID_SIZE];
	char account_id[STORE_ID_SIZE];
};

static const struct {
	const char *noun;
	size_t size, name_off; /* name_off 0: no name */
} kinds[STORE_KIND_MAX] = {
	[STORE_ACTOR] = { "actor", sizeof(struct store_actor),
			  offsetof(struct store_actor, name) },
	[STORE_GROUP] = { "group", sizeof(struct store_group),
			  offsetof(struct store_group, name) },
	[STORE_SITE] = { "site", sizeof(struct store_site),
			 offsetof(struct store_site, name) },
	[STORE_RESOURCE] = { "resource", sizeof(struct store_resource),
			     offsetof(struct store_resource, name) },
	[STORE_POLICY] = { "policy", sizeof(struct store_policy), 0 },
};

struct by_name {
	const char *name;
	size_t off, size;
	void *rec;
	int n;
};

static int match_name(void *arg, const void *rec)
{
	struct by_name *b = arg;

	if (strcmp((const char *)rec + b->off, b->name))
		return 0;
	if (!b->n++)
		memcpy(b->rec, rec, b->size);
	return 0;
}

static bool is_uuid(const char *ref)
{
	uint8_t bin[16];

	return !fz_uuid_parse(ref, bin);
}

static int find_by_id(struct admin_ctx *ctx, enum store_kind kind,
		      const char *ref, void *rec)
{
	struct store_err serr = { 0 };

	if (!is_uuid(ref) || store_get(ctx->s, kind, ref, rec, &serr))
		return -1;
	return strcmp(((struct head *)rec)->account_id, ctx->account.id) ? -1 :
									   0;
}

int admin_find(struct admin_ctx *ctx, enum store_kind kind, const char *ref,
	       void *rec, const char *field, struct admin_error *err)
{
	struct by_name b = { ref, kinds[kind].name_off, kinds[kind].size, rec,
			     0 };
	struct store_err serr = { 0 };

	if (!ref || !*ref)
		return admin_fail(err, ADMIN_INVALID, field, "is required");
	if (!find_by_id(ctx, kind, ref, rec))
		return 0;
	if (b.off &&
	    store_list(ctx->s, kind, ctx->account.id, match_name, &b, &serr))
		return admin_store_fail(err, field, &serr);
	if (b.n == 1)
		return 0;
	return admin_fail(err, ADMIN_NOT_FOUND, field, "no %s '%s'",
			  kinds[kind].noun, ref);
}

int admin_find_token(struct admin_ctx *ctx, const char *kind, const char *ref,
		     struct store_token *t, struct admin_error *err)
{
	struct store_err serr = { 0 };
	char noun[48];

	snprintf(noun, sizeof(noun), "%s token", kind);
	if (!ref || !*ref)
		return admin_fail(err, ADMIN_INVALID, "id", "is required");
	if (!is_uuid(ref) || store_token_get(ctx->s, ref, t, &serr) ||
	    strcmp(t->account_id, ctx->account.id) || strcmp(t->kind, kind))
		return admin_fail(err, ADMIN_NOT_FOUND, "id", "no %s '%s'",
				  noun, ref);
	return 0;
}

static int dev_result(struct by_name *d, const char *noun, const char *ref,
		      struct admin_error *err)
{
	if (d->n == 1)
		return 0;
	if (d->n > 1)
		return admin_fail(err, ADMIN_CONFLICT, "id",
				  "%d %ss are named '%s': use the id", d->n,
				  noun, ref);
	return admin_fail(err, ADMIN_NOT_FOUND, "id", "no %s '%s'", noun, ref);
}

int admin_find_gateway(struct admin_ctx *ctx, const char *ref,
		       struct store_gateway *g, struct admin_error *err)
{
	struct by_name d = { ref, offsetof(struct store_gateway, name),
			     sizeof(*g), g, 0 };
	struct store_err serr = { 0 };

	if (!ref || !*ref)
		return admin_fail(err, ADMIN_INVALID, "id", "is required");
	if (is_uuid(ref) && !store_gateway_get(ctx->s, ref, g, &serr) &&
	    !strcmp(g->account_id, ctx->account.id))
		return 0;
	if (store_gateway_list(ctx->s, ctx->account.id, NULL, match_name, &d,
			       &serr))
		return admin_store_fail(err, "id", &serr);
	return dev_result(&d, "gateway", ref, err);
}

int admin_find_client(struct admin_ctx *ctx, const char *ref,
		      struct store_client *c, struct admin_error *err)
{
	struct by_name d = { ref, offsetof(struct store_client, name),
			     sizeof(*c), c, 0 };
	struct store_err serr = { 0 };

	if (!ref || !*ref)
		return admin_fail(err, ADMIN_INVALID, "id", "is required");
	if (is_uuid(ref) && !store_client_get(ctx->s, ref, c, &serr) &&
	    !strcmp(c->account_id, ctx->account.id))
		return 0;
	if (store_client_list(ctx->s, ctx->account.id, NULL, match_name, &d,
			      &serr))
		return admin_store_fail(err, "id", &serr);
	return dev_result(&d, "client", ref, err);
}
