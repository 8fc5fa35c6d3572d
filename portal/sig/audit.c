// SPDX-License-Identifier: GPL-2.0
/*
 * The audit rows of the signalling: every decision (allow with the
 * policy, deny with the reason) and every revocation, one row each,
 * with the client and gateway in the detail.
 */
#include <stdio.h>
#include <string.h>

#include "priv.h"
#include "core/log.h"

static void audit(struct sig *s, const struct store_authz *a,
		  const char *action, const char *decision, const char *reason,
		  unsigned int unaudited)
{
	struct store_audit au = { 0 };
	struct store_err err = { 0 };

	snprintf(au.account_id, sizeof(au.account_id), "%s", a->account_id);
	strcpy(au.source, "signal");
	snprintf(au.who, sizeof(au.who), "client:%s", a->client_id);
	snprintf(au.action, sizeof(au.action), "%s", action);
	strcpy(au.object_type, "resource");
	snprintf(au.object_id, sizeof(au.object_id), "%s", a->resource_id);
	snprintf(au.decision, sizeof(au.decision), "%s", decision ?: "");
	snprintf(au.policy_id, sizeof(au.policy_id), "%s", a->policy_id);
	snprintf(au.reason, sizeof(au.reason), "%s", reason ?: "");
	snprintf(au.detail, sizeof(au.detail),
		 "{\"authorization_id\":\"%s\",\"client_id\":\"%s\","
		 "\"gateway_id\":\"%s\",\"unaudited_before\":%u}",
		 a->id, a->client_id, a->gateway_id, unaudited);
	if (store_audit_append(s->store, &au, &err))
		core_log("audit_failed", "action", action, "msg", err.msg,
			 NULL);
}

void sig_audit(struct sig *s, const struct store_authz *a, const char *action,
	       const char *decision, const char *reason)
{
	audit(s, a, action, decision, reason, 0);
}

/*
 * A client may send 20 requests a second for resources it may not have:
 * one row each would grow the audit table by millions a day. A token
 * bucket per client keeps the first ones and a trickle after them. It is
 * found by the client's id, hashed into a fixed table, so that neither a
 * new socket nor a reconnection refills it, and memory stays bounded;
 * clients that share a bucket share a budget, and lose nothing by it: what
 * is not audited one by one is counted.
 */
static struct sig_deny_bucket *bucket_of(struct sig_peer *p)
{
	uint64_t h = 14695981039346656037ULL; /* FNV-1a */

	for (const char *c = p->id; *c; c++)
		h = (h ^ (uint8_t)*c) * 1099511628211ULL;
	return &p->sig->deny[h & (SIG_DENY_BUCKETS - 1)];
}

static bool deny_budget(struct sig_peer *p)
{
	struct sig_deny_bucket *b = bucket_of(p);
	uint64_t now = uv_now(p->sig->loop);

	if (!b->refill_ms) {
		b->tokens = SIG_DENY_BURST;
		b->refill_ms = now;
	}
	b->tokens += (double)(now - b->refill_ms) / SIG_DENY_EVERY_MS;
	if (b->tokens > SIG_DENY_BURST)
		b->tokens = SIG_DENY_BURST;
	b->refill_ms = now;
	if (b->tokens < 1)
		return false;
	b->tokens -= 1;
	return true;
}

void sig_audit_deny(struct sig_peer *p, const struct store_authz *a,
		    const char *reason, const char *detail)
{
	char n[16];

	if (!deny_budget(p)) {
		p->unaudited++;
		return;
	}
	audit(p->sig, a, "authorization.create", "deny", reason, p->unaudited);
	snprintf(n, sizeof(n), "%u", p->unaudited);
	core_log("authorization_denied", "client", a->client_id, "resource",
		 a->resource_id, "reason", reason, "detail", detail,
		 "unaudited_before", n, NULL);
	p->unaudited = 0;
}

void sig_audit_unaudited(struct sig_peer *p)
{
	struct store_authz a = { 0 };
	char n[16];

	if (!p->unaudited || !p->p)
		return;
	snprintf(a.account_id, sizeof(a.account_id), "%s",
		 p->p->tok.account_id);
	snprintf(a.client_id, sizeof(a.client_id), "%s", p->id);
	audit(p->sig, &a, "authorization.create", "deny", "unaudited",
	      p->unaudited);
	snprintf(n, sizeof(n), "%u", p->unaudited);
	core_log("authorization_denied", "client", p->id, "reason", "unaudited",
		 "unaudited_before", n, NULL);
	p->unaudited = 0;
}
