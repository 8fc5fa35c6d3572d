// SPDX-License-Identifier: GPL-2.0
/*
 * The decision on one client's request for one resource, as the store
 * holds things now: the resource must exist in the client's account and
 * be linked to one of the actor's groups by an enabled policy (else it
 * is invisible: not_found), then policy_eval() over those policies (else
 * forbidden). Shared by a new request and by the feed's re-checks, so a
 * revocation applies exactly the rule a grant did.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "priv.h"
#include "core/log.h"

struct rules {
	struct policy_rule r[SIG_MAX_RULES];
	struct policy_conds c[SIG_MAX_RULES];
	char ids[SIG_MAX_RULES][STORE_ID_SIZE];
	size_t n;
};

static int each_policy(void *arg, const void *rec)
{
	const struct store_policy *p = rec;
	struct rules *rs = arg;
	struct policy_error pe;
	const char *text = p->conditions[0] ? p->conditions : "[]";

	if (rs->n == SIG_MAX_RULES)
		return 0;
	/* Refused at write time; one that fails here allows nothing. */
	if (policy_conds_parse(&rs->c[rs->n], text, strlen(text), &pe)) {
		core_log("policy_unreadable", "policy", p->id, "field",
			 pe.field, "msg", pe.message, NULL);
		return 0;
	}
	snprintf(rs->ids[rs->n], STORE_ID_SIZE, "%s", p->id);
	rs->r[rs->n].id = rs->ids[rs->n];
	rs->r[rs->n].conds = &rs->c[rs->n];
	rs->n++;
	return 0;
}

const char *sig_outcome_name(enum sig_outcome o)
{
	static const char *const names[] = { "allow", "not_found", "forbidden",
					     "error" };

	return names[o];
}

static void evaluate(const struct sig_request *rq, const struct rules *rs,
		     struct sig_verdict *v)
{
	struct policy_ctx ctx = {
		.remote = rq->remote,
		.provider_id = NULL, /* no identity providers yet */
		.verified = rq->verified,
		.now_ns = (uint64_t)sig_now_ns(),
		.token_expires_ns = (uint64_t)rq->token_expires_ns,
	};
	int64_t cap = (int64_t)ctx.now_ns + SIG_AUTHZ_TTL_MAX_S * 1000000000ll;
	struct policy_decision d;

	policy_eval(rs->r, rs->n, &ctx, &d);
	if (!d.allow) {
		v->outcome = SIG_FORBIDDEN;
		snprintf(v->detail, sizeof(v->detail), "%s", d.detail);
		return;
	}
	v->outcome = SIG_ALLOW;
	snprintf(v->policy_id, sizeof(v->policy_id), "%s", d.policy_id);
	v->expires_ns = d.expires_ns && (int64_t)d.expires_ns < cap ?
				(int64_t)d.expires_ns :
				cap;
}

void sig_decide(struct sig *s, const struct sig_request *rq,
		struct sig_verdict *v)
{
	struct store_err err = { 0 };
	struct rules *rs;
	int ret;

	memset(v, 0, sizeof(*v));
	ret = store_get(s->store, STORE_RESOURCE, rq->resource_id, &v->res,
			&err);
	if (ret || strcmp(v->res.account_id, rq->account_id)) {
		v->outcome = ret && ret != STORE_NOT_FOUND ? SIG_ERROR :
							     SIG_NOT_FOUND;
		snprintf(v->detail, sizeof(v->detail), "%s",
			 ret ? err.msg : "no such resource");
		return;
	}
	rs = calloc(1, sizeof(*rs));
	if (!rs) {
		v->outcome = SIG_ERROR;
		snprintf(v->detail, sizeof(v->detail), "out of memory");
		return;
	}
	ret = store_policies_for(s->store, rq->actor_id, rq->resource_id,
				 each_policy, rs, &err);
	if (ret) {
		v->outcome = SIG_ERROR;
		snprintf(v->detail, sizeof(v->detail), "%s", err.msg);
	} else if (!rs->n) {
		v->outcome = SIG_NOT_FOUND;
		snprintf(v->detail, sizeof(v->detail),
			 "no enabled policy of the actor's groups");
	} else {
		evaluate(rq, rs, v);
	}
	for (size_t i = 0; i < rs->n; i++)
		policy_conds_free(&rs->c[i]);
	free(rs);
}
