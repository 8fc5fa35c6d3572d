// SPDX-License-Identifier: GPL-2.0
/*
 * Taking authorizations back: reject_access to the gateway holding one
 * (when it is online; one that is not gets none in its next init), the
 * row deleted, an audit row and a log line. A re-check applies the same
 * decision as a new request (decide.c) to each row of one index of the
 * authorizations table, so a change costs what it touches: another
 * policy that still allows keeps the authorization alive, unless the
 * decision now ends sooner than the row (see recheck()).
 */
#include <stdio.h>
#include <string.h>

#include "priv.h"
#include "core/log.h"

void sig_revoke(struct sig *s, const struct store_authz *a, const char *why)
{
	struct proto_sig_msg m = { .kind = PROTO_SIG_REJECT_ACCESS };
	struct sig_peer *gw = sig_presence_gateway(s, a->gateway_id);
	struct store_err err = { 0 };

	sig_pending_drop(s, a->id);
	if (gw) {
		snprintf(m.reject_access.client_id.s,
			 sizeof(m.reject_access.client_id.s), "%s",
			 a->client_id);
		snprintf(m.reject_access.resource_id.s,
			 sizeof(m.reject_access.resource_id.s), "%s",
			 a->resource_id);
		sig_send(gw, &m);
	}
	if (store_authz_delete(s->store, a->id, &err) &&
	    err.code != STORE_NOT_FOUND)
		core_log("store_failed", "op", "authorization delete", "msg",
			 err.msg, NULL);
	sig_audit(s, a, "authorization.revoke", "deny", why);
	core_log("authorization_revoked", "authorization", a->id, "client",
		 a->client_id, "resource", a->resource_id, "gateway",
		 a->gateway_id, "reason", why, NULL);
	/* Last: a may be the very row of its init that is forgotten. */
	if (gw)
		sig_gateway_init_forget(gw, a->id);
}

/* The remote address the decision sees: the live socket's, else the
 * last one the store knows. */
static void remote_of(struct sig *s, const struct store_client *c,
		      struct fz_cidr *remote)
{
	struct sig_index_ent *e = sig_index_first(&s->clients, c->id);
	char ip[64];

	if (e) {
		*remote = ((struct sig_peer *)e->val)->remote;
		return;
	}
	sig_remote_ip(c->remote_addr, ip, sizeof(ip), remote);
}

enum recheck {
	RECHECK_DENIED, /* the decision now denies */
	RECHECK_SHORTER, /* allowed, but it ends before the row does */
	RECHECK_ALLOWED,
};

/*
 * The decision a new request would get now. Allowed is not enough: the
 * gateway holds the row's expiry, so a decision that ends sooner (a
 * window added or narrowed, the unrestricted policy gone and a windowed
 * one left) must take the row back, or the client keeps its access up
 * to the old expiry. The client then asks again and gets the new one.
 */
static enum recheck recheck(struct sig *s, const struct store_authz *a,
			    char *policy_id)
{
	struct store_err err = { 0 };
	struct store_client c;
	struct store_token t;
	struct sig_verdict v;
	struct sig_request rq = { 0 };

	if (store_client_get(s->store, a->client_id, &c, &err) ||
	    store_token_get(s->store, a->token_id, &t, &err))
		return RECHECK_DENIED;
	rq.account_id = a->account_id;
	rq.actor_id = c.actor_id;
	rq.resource_id = a->resource_id;
	rq.verified = c.verified_at != 0;
	rq.token_expires_ns = t.expires_at;
	remote_of(s, &c, &rq.remote);
	sig_decide(s, &rq, &v);
	if (v.outcome != SIG_ALLOW)
		return RECHECK_DENIED;
	if (v.expires_ns < a->expires_at)
		return RECHECK_SHORTER;
	strcpy(policy_id, v.policy_id);
	return RECHECK_ALLOWED;
}

/* Still allowed by another policy: the row names that one now. */
static void repoint(struct sig *s, struct store_authz *a, const char *policy)
{
	struct store_err err = { 0 };

	if (!strcmp(a->policy_id, policy))
		return;
	snprintf(a->policy_id, sizeof(a->policy_id), "%s", policy);
	if (store_authz_delete(s->store, a->id, &err) ||
	    store_authz_insert(s->store, a, &err))
		core_log("store_failed", "op", "authorization repoint", "msg",
			 err.msg, NULL);
}

void sig_revoke_by(struct sig *s, enum store_authz_by by, const char *id,
		   bool again, const char *why)
{
	char policy[STORE_ID_SIZE];
	struct sig_authz_list l;

	sig_authz_collect(s, by, id, &l);
	for (size_t i = 0; i < l.n; i++) {
		enum recheck r = again ? recheck(s, &l.a[i], policy) :
					 RECHECK_DENIED;

		if (r == RECHECK_ALLOWED)
			repoint(s, &l.a[i], policy);
		else
			sig_revoke(s, &l.a[i],
				   r == RECHECK_SHORTER ?
					   "policy ends it sooner" :
					   why);
	}
	sig_authz_list_free(&l);
}
