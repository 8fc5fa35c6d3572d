/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The decision on a request for a resource, as a pure function: the
 * caller (sig/authorize.c) fetches the actor's enabled policies for the
 * resource and describes the request; nothing here reads a clock, a
 * socket or the store, so the truth tables in the tests are the whole
 * behaviour. Default deny: no policy, or none whose every condition
 * holds, is "forbidden". A condition whose input is missing (no remote
 * address, no identity provider) fails, whatever its operator.
 */
#ifndef FZ_POLICY_EVAL_H
#define FZ_POLICY_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cond.h"

struct policy_ctx {
	struct fz_cidr remote; /* family 0: unknown; ::ffff:a.b.c.d is IPv4 */
	const char *provider_id; /* NULL: no identity provider */
	bool verified; /* the client is marked verified */
	uint64_t now_ns; /* real time, ns since the epoch */
	uint64_t token_expires_ns; /* the client token's expiry; 0: never */
};

/* An enabled policy linking one of the actor's groups to the resource. */
struct policy_rule {
	const char *id;
	const struct policy_conds *conds;
};

struct policy_decision {
	bool allow;
	const char *policy_id; /* allow: the id of the rule that allowed */
	uint64_t expires_ns; /* allow: ns since the epoch; 0: never */
	const char *reason; /* deny: "forbidden" */
	char detail[256]; /* deny: which condition of which policy failed */
};

/*
 * Whether condition c holds for ctx; when it holds and is a time window,
 * *end_ns (if not NULL) is when the window stretch ends (0: never),
 * else 0.
 */
bool policy_cond_holds(const struct policy_cond *c,
		       const struct policy_ctx *ctx, uint64_t *end_ns);

/*
 * Decides on the n rules: allow when one holds entirely, naming the one
 * that gives the latest expiry (the first of equals), with expires_ns =
 * min(end of its time windows, the token's expiry); else deny.
 */
void policy_eval(const struct policy_rule *rules, size_t n,
		 const struct policy_ctx *ctx, struct policy_decision *d);

#endif /* FZ_POLICY_EVAL_H */
