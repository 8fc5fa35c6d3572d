// SPDX-License-Identifier: GPL-2.0
/*
 * The two rows every admin write leaves, in its transaction: one in
 * `changes` (the contract in admin.h, what the signalling wing acts on)
 * and one in `audit` (who did what, from which door). Both carry the
 * same {"before", "after"} document.
 */
#include <stdio.h>
#include <string.h>

#include "priv.h"

static json_object *change_data(json_object *before, json_object *after)
{
	json_object *d = json_object_new_object();

	json_object_object_add(d, "before", json_object_get(before));
	json_object_object_add(d, "after", json_object_get(after));
	return d;
}

int admin_record(struct admin_ctx *ctx, const char *entity, const char *op,
		 const char *object_id, json_object *before, json_object *after,
		 struct admin_error *err)
{
	json_object *d = change_data(before, after);
	const char *text = json_object_to_json_string_ext(
		d, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	struct store_change c = { 0 };
	struct store_audit a = { 0 };
	struct store_err serr = { 0 };
	int ret = -1;

	if (strlen(text) >= sizeof(c.data)) {
		admin_fail(err, ADMIN_INVALID, "",
			   "the change is too large to record");
		goto out;
	}
	strcpy(c.account_id, ctx->account.id);
	snprintf(c.entity, sizeof(c.entity), "%s", entity);
	snprintf(c.op, sizeof(c.op), "%s", op);
	snprintf(c.object_id, sizeof(c.object_id), "%s", object_id);
	strcpy(c.data, text);
	strcpy(a.account_id, ctx->account.id);
	snprintf(a.source, sizeof(a.source), "%s", ctx->source);
	snprintf(a.who, sizeof(a.who), "%s", ctx->who);
	snprintf(a.action, sizeof(a.action), "%s.%s", entity, op);
	snprintf(a.object_type, sizeof(a.object_type), "%s", entity);
	snprintf(a.object_id, sizeof(a.object_id), "%s", object_id);
	strcpy(a.detail, text);
	if (store_change_append(ctx->s, &c, &serr) ||
	    store_audit_append(ctx->s, &a, &serr))
		admin_store_fail(err, "", &serr);
	else
		ret = 0;
out:
	json_object_put(d);
	return ret;
}

/* resp's members and cascade, as the delete's "before". */
static json_object *before_of(json_object *resp, json_object *cascade)
{
	json_object *b = json_object_new_object();

	json_object_object_foreach(resp, k, v)
		json_object_object_add(b, k, json_object_get(v));
	json_object_object_add(b, "cascade", json_object_get(cascade));
	return b;
}

/* Whether the change row of before would fit in the store's column. */
static bool fits(json_object *before)
{
	json_object *d = change_data(before, NULL);
	size_t len = strlen(json_object_to_json_string_ext(
		d, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));

	json_object_put(d);
	return len < STORE_JSON_SIZE;
}

int admin_record_delete(struct admin_ctx *ctx, const char *entity,
			const char *object_id, json_object *resp,
			json_object *cascade, struct admin_error *err)
{
	json_object *before = before_of(resp, cascade);
	int ret;

	/*
	 * Too many children to name (a group of thousands of members): the
	 * delete still happens. Memberships go first (the consumer finds
	 * a group's affected clients through its policies' resources),
	 * then every list; "truncated" tells the consumer that a missing
	 * list means "unknown", not "none".
	 */
	if (!fits(before)) {
		json_object *c = json_object_new_object();

		json_object_object_foreach(cascade, k,
					   v) if (strcmp(k, "memberships"))
			json_object_object_add(c, k, json_object_get(v));
		json_object_object_add(c, "truncated",
				       json_object_new_boolean(true));
		json_object_object_add(before, "cascade", c);
	}
	if (!fits(before)) {
		json_object *c = json_object_new_object();

		json_object_object_add(c, "truncated",
				       json_object_new_boolean(true));
		json_object_object_add(before, "cascade", c);
	}
	ret = admin_record(ctx, entity, "delete", object_id, before, NULL, err);
	json_object_put(before);
	return ret;
}
