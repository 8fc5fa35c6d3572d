// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "lib/clock.h"
#include "eval.h"

/* --- One condition --- */

/* ::ffff:a.b.c.d, as a dual-stack listener reports IPv4 peers. */
static struct fz_cidr unmapped(const struct fz_cidr *a)
{
	static const uint8_t prefix[12] = { [10] = 0xff, [11] = 0xff };
	struct fz_cidr v4 = { .family = AF_INET, .cidr = 32 };

	if (a->family != AF_INET6 || memcmp(a->addr, prefix, sizeof(prefix)))
		return *a;
	memcpy(v4.addr, a->addr + 12, 4);
	return v4;
}

static bool in_cidrs(const struct policy_cond *c, const struct fz_cidr *ip)
{
	for (unsigned int j = 0; j < c->n; j++)
		if (c->cidrs[j].family == ip->family &&
		    fz_cidr_in(ip, c->cidrs[j].addr, c->cidrs[j].cidr))
			return true;
	return false;
}

static bool in_values(const struct policy_cond *c, const char *s)
{
	for (unsigned int j = 0; j < c->n; j++)
		if (!strcasecmp(c->values[j], s))
			return true;
	return false;
}

static bool remote_holds(const struct policy_cond *c,
			 const struct policy_ctx *ctx)
{
	struct fz_cidr ip = unmapped(&ctx->remote);

	if (ip.family != AF_INET && ip.family != AF_INET6)
		return false;
	return in_cidrs(c, &ip) == (c->op == POLICY_OP_IS_IN_CIDR);
}

static bool provider_holds(const struct policy_cond *c,
			   const struct policy_ctx *ctx)
{
	if (!ctx->provider_id)
		return false;
	return in_values(c, ctx->provider_id) == (c->op == POLICY_OP_IS_IN);
}

static bool time_holds(const struct policy_cond *c,
		       const struct policy_ctx *ctx, uint64_t *end_ns)
{
	int64_t now = (int64_t)(ctx->now_ns / FZ_NSEC_PER_SEC), end;

	if (!policy_windows_contain(c->windows, c->n, now))
		return false;
	end = policy_windows_end(c->windows, c->n, now);
	if (end_ns)
		*end_ns = end ? (uint64_t)end * FZ_NSEC_PER_SEC : 0;
	return true;
}

bool policy_cond_holds(const struct policy_cond *c,
		       const struct policy_ctx *ctx, uint64_t *end_ns)
{
	if (end_ns)
		*end_ns = 0;
	switch (c->prop) {
	case POLICY_PROP_REMOTE_IP:
		return remote_holds(c, ctx);
	case POLICY_PROP_PROVIDER_ID:
		return provider_holds(c, ctx);
	case POLICY_PROP_CLIENT_VERIFIED:
		return ctx->verified;
	case POLICY_PROP_DATETIME:
		return time_holds(c, ctx, end_ns);
	default:
		return false; /* cond.c admits no other: fail closed anyway */
	}
}

/* --- A policy, then the decision --- */

/* The earlier of two expiries, 0 meaning never. */
static uint64_t earlier(uint64_t a, uint64_t b)
{
	if (!a)
		return b;
	return b && b < a ? b : a;
}

/* Whether every condition of r holds: -1, or the index of the first not. */
static int rule_fails(const struct policy_rule *r, const struct policy_ctx *ctx,
		      uint64_t *expires)
{
	*expires = ctx->token_expires_ns;
	for (unsigned int i = 0; i < r->conds->n; i++) {
		uint64_t end;

		if (!policy_cond_holds(&r->conds->c[i], ctx, &end))
			return (int)i;
		*expires = earlier(*expires, end);
	}
	return -1;
}

static void deny(struct policy_decision *d, const char *detail)
{
	d->allow = false;
	d->reason = "forbidden";
	snprintf(d->detail, sizeof(d->detail), "%s", detail);
}

/* Names the first failed condition of the first policy for the audit. */
static void deny_failed(struct policy_decision *d, const struct policy_rule *r,
			int failed, size_t n)
{
	const struct policy_cond *c = &r->conds->c[failed];

	deny(d, "");
	snprintf(d->detail, sizeof(d->detail),
		 "policy %s: conditions[%d] (%s %s) does not hold%s", r->id,
		 failed, policy_prop_name(c->prop), policy_op_name(c->op),
		 n > 1 ? ", nor does any other policy" : "");
}

void policy_eval(const struct policy_rule *rules, size_t n,
		 const struct policy_ctx *ctx, struct policy_decision *d)
{
	const struct policy_rule *first_denied = NULL;
	int first_failed = 0;

	memset(d, 0, sizeof(*d));
	if (ctx->token_expires_ns && ctx->token_expires_ns <= ctx->now_ns) {
		deny(d, "client token expired");
		return;
	}
	if (!n) {
		deny(d, "no policy grants the actor this resource");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t exp;
		int failed = rule_fails(&rules[i], ctx, &exp);

		if (failed >= 0 && !first_denied) {
			first_denied = &rules[i];
			first_failed = failed;
		}
		/* Of several that allow, the longest-lived saves a renewal. */
		if (failed >= 0 ||
		    (d->allow &&
		     (!d->expires_ns || (exp && exp <= d->expires_ns))))
			continue;
		d->allow = true;
		d->policy_id = rules[i].id;
		d->expires_ns = exp;
	}
	if (!d->allow)
		deny_failed(d, first_denied, first_failed, n);
}
