// SPDX-License-Identifier: GPL-2.0
/*
 * The audit log, newest first: every admin change (with its before and
 * after) and every authorization decision of the signalling wing.
 */
#include <string.h>

#include "lib/values.h"
#include "priv.h"

#define LIMIT_DEFAULT 100
#define LIMIT_MAX 100000

static json_object *audit_json(const struct store_audit *a)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_int64(a->id));
	json_object_object_add(o, "at", admin_time_json(a->at));
	json_object_object_add(o, "source", json_object_new_string(a->source));
	json_object_object_add(o, "who", admin_opt_str(a->who));
	json_object_object_add(o, "action", json_object_new_string(a->action));
	json_object_object_add(o, "object_type", admin_opt_str(a->object_type));
	json_object_object_add(o, "object_id", admin_opt_str(a->object_id));
	json_object_object_add(o, "decision", admin_opt_str(a->decision));
	json_object_object_add(o, "policy_id", admin_opt_str(a->policy_id));
	json_object_object_add(o, "reason", admin_opt_str(a->reason));
	json_object_object_add(o, "detail",
			       a->detail[0] ? json_tokener_parse(a->detail) :
					      NULL);
	return o;
}

/* "1h" (that long ago) or an RFC 3339 time. */
static int since(json_object *req, int64_t *out, struct admin_error *err)
{
	const char *s;
	uint64_t t;
	int64_t d;
	bool set;

	*out = 0;
	if (admin_req_str(req, "since", false, &s, err))
		return -1;
	if (!s)
		return 0;
	if (s[0] >= '0' && s[0] <= '9' && !strchr(s, '-')) {
		if (admin_req_duration(req, "since", &d, &set, err))
			return -1;
		*out = admin_now() - d * 1000000000LL;
		return 0;
	}
	if (!strcmp(s, "never") || s[0] == '+' || fz_expiry_parse(s, 0, &t))
		return admin_fail(err, ADMIN_INVALID, "since",
				  "'%s' is neither a duration (1h, 7d) nor "
				  "an RFC 3339 time (2026-01-31T12:00:00Z)",
				  s);
	*out = (int64_t)t;
	return 0;
}

static int add(void *arg, const void *rec)
{
	json_object_array_add(arg, audit_json(rec));
	return 0;
}

static int list(struct admin_ctx *ctx, const char *id, json_object *req,
		json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { "since", "limit", NULL };
	struct store_err serr = { 0 };
	int64_t from, limit = LIMIT_DEFAULT;
	bool set;

	(void)id;
	if (admin_req_keys(req, keys, err) || since(req, &from, err) ||
	    admin_req_int(req, "limit", LIMIT_MAX, &limit, &set, err))
		return -1;
	if (set && !limit)
		return admin_fail(err, ADMIN_INVALID, "limit",
				  "must be at least 1");
	*resp = json_object_new_array();
	if (store_audit_list(ctx->s, ctx->account.id, from, limit, add, *resp,
			     &serr))
		return admin_store_fail(err, "", &serr);
	return 0;
}

static const struct admin_verb verbs[] = {
	{ "list", list, false },
	{ NULL, NULL, false },
};

const struct admin_noun admin_noun_audit = { "audit", verbs };
