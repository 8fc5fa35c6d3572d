// SPDX-License-Identifier: GPL-2.0
/*
 * request_authorization, the seeds' "Policy evaluation": decide
 * (decide.c), answer from an authorization the client holds if one
 * serves (reuse.c), else choose one of the resource site's online
 * gateways (policy_choose: never one that failed the client, preferably
 * one it is connected to, else uniformly at random), record the
 * authorization, and send create_authorization to that gateway. The
 * client hears back when the gateway acks (pending.c), or why not at
 * once. Every outcome is a log line, and but for a refusal past the cap
 * (too_many()) an audit row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "priv.h"
#include "core/log.h"
#include "policy/choose.h"

void sig_authorize_fail(struct sig_peer *p, const char *ref,
			const char *resource_id, enum proto_sig_fail_reason why)
{
	struct proto_sig_msg m = {
		.kind = PROTO_SIG_AUTHORIZATION_CREATION_FAILED,
		.ref = ref
	};

	snprintf(m.authorization_creation_failed.resource_id.s,
		 sizeof(m.authorization_creation_failed.resource_id.s), "%s",
		 resource_id);
	m.authorization_creation_failed.reason = why;
	sig_send(p, &m);
}

static const char *const fail_names[] = { "not_found", "forbidden", "offline" };

static void deny(struct sig_peer *p, const char *ref, struct store_authz *a,
		 enum proto_sig_fail_reason why, const char *detail)
{
	sig_authorize_fail(p, ref, a->resource_id, why);
	sig_audit_deny(p, a, fail_names[why], detail);
}

void sig_choice_init(struct sig *s, const char *site_id,
		     const struct proto_sig_request_authorization *r,
		     struct sig_choice *c)
{
	c->req = (struct policy_choose_req){ .online = c->ids,
					     .joined = c->joined,
					     .failed = c->failed,
					     .connected = c->connected };
	c->req.n_online =
		sig_presence_site(s, site_id, c->gws, SIG_MAX_CANDIDATES);
	for (size_t k = 0; k < c->req.n_online; k++) {
		c->ids[k] = c->gws[k]->id;
		c->joined[k] = c->gws[k]->online_since;
	}
	for (size_t k = 0; k < r->n_failed_gateway_ids; k++)
		c->failed[c->req.n_failed++] = r->failed_gateway_ids[k].s;
	for (size_t k = 0; k < r->n_connected_gateway_ids; k++)
		c->connected[c->req.n_connected++] =
			r->connected_gateway_ids[k].s;
}

/*
 * Past SIG_AUTHZ_PER_RESOURCE a request is refused without a write: an
 * audit row per refusal would be the same flood through another table.
 */
static void too_many(struct sig_peer *p, const char *ref,
		     const char *resource_id, size_t held)
{
	char n[24];

	snprintf(n, sizeof(n), "%zu", held);
	sig_reply(p, ref, "too_many_authorizations");
	core_log("authorization_refused", "client", p->id, "resource",
		 resource_id, "reason", "too_many_authorizations", "held", n,
		 NULL);
}

static int send_create(struct sig_peer *gw, struct sig_peer *cl,
		       const struct store_resource *res, struct sig_pending *pd)
{
	struct proto_sig_msg m = { .kind = PROTO_SIG_CREATE_AUTHORIZATION };
	struct proto_sig_authorization *z = &m.create_authorization;
	int ret;

	snprintf(z->ref.s, sizeof(z->ref.s), "%s", pd->authz.id);
	ret = sig_resource_msg(res, &z->resource) ?:
		      sig_peer_msg(gw->sig, cl->id, cl->public_key, cl->tunnel,
				   gw->id, gw->public_key, &z->client);
	if (ret)
		return ret;
	z->expires_at = sig_expires_s(pd->authz.expires_at);
	memcpy(pd->psk, z->client.preshared_key, FZ_KEY_LEN);
	ret = sig_send(gw, &m);
	sodium_memzero(z->client.preshared_key, FZ_KEY_LEN);
	return ret;
}

/* Recorded and sent: now the gateway's ack is awaited. */
static int grant(struct sig_peer *p, struct sig_peer *gw,
		 const struct sig_verdict *v, struct store_authz *a,
		 const char *ref)
{
	struct sig_pending *pd = calloc(1, sizeof(*pd));
	struct store_err err = { 0 };
	int ret;

	if (!pd || (ref && !(pd->ref = strdup(ref)))) {
		free(pd);
		return -1;
	}
	strcpy(a->gateway_id, gw->id);
	ret = store_authz_insert(p->sig->store, a, &err);
	if (ret) {
		core_log("store_failed", "op", "authorization insert", "msg",
			 err.msg, NULL);
		free(pd->ref);
		free(pd);
		return -1;
	}
	pd->authz = *a;
	pd->client = p;
	pd->gateway = gw;
	strcpy(pd->site_id, v->res.site_id);
	if (send_create(gw, p, &v->res, pd) || sig_pending_add(p->sig, pd)) {
		store_authz_delete(p->sig->store, a->id, NULL);
		free(pd->ref);
		sodium_memzero(pd->psk, sizeof(pd->psk));
		free(pd);
		return -1;
	}
	return 0;
}

static void fill(struct sig_peer *p, const char *resource_id,
		 struct sig_request *rq, struct store_authz *a)
{
	const struct store_token *t = &p->p->tok;

	memset(a, 0, sizeof(*a));
	strcpy(a->account_id, t->account_id);
	strcpy(a->client_id, p->id);
	snprintf(a->resource_id, sizeof(a->resource_id), "%s", resource_id);
	strcpy(a->token_id, t->id);
	*rq = (struct sig_request){
		.account_id = t->account_id,
		.actor_id = t->actor_id,
		.resource_id = a->resource_id,
		.remote = p->remote,
		.verified = p->verified,
		.token_expires_ns = t->expires_at,
	};
}

void sig_authorize(struct sig_peer *p, const struct proto_sig_msg *m)
{
	struct sig_choice c;
	struct sig_verdict v;
	struct sig_request rq;
	struct store_authz a;
	size_t held;
	int i;

	fill(p, m->request_authorization.resource_id.s, &rq, &a);
	sig_decide(p->sig, &rq, &v);
	if (v.outcome != SIG_ALLOW) {
		deny(p, m->ref, &a,
		     v.outcome == SIG_FORBIDDEN ? PROTO_SIG_FORBIDDEN :
		     v.outcome == SIG_NOT_FOUND ? PROTO_SIG_NOT_FOUND :
						  PROTO_SIG_OFFLINE,
		     v.detail);
		return;
	}
	sig_choice_init(p->sig, v.res.site_id, &m->request_authorization, &c);
	if (sig_reuse(p, m, &v, &c, &held))
		return;
	if (held >= SIG_AUTHZ_PER_RESOURCE) {
		too_many(p, m->ref, a.resource_id, held);
		return;
	}
	strcpy(a.policy_id, v.policy_id);
	a.expires_at = v.expires_ns;
	i = policy_choose(&c.req);
	if (i < 0) {
		deny(p, m->ref, &a, PROTO_SIG_OFFLINE,
		     "no online gateway in the site");
		return;
	}
	if (grant(p, c.gws[i], &v, &a, m->ref)) {
		deny(p, m->ref, &a, PROTO_SIG_OFFLINE, "could not reach it");
		return;
	}
	sig_audit(p->sig, &a, "authorization.create", "allow", NULL);
	core_log("authorization_granted", "client", a.client_id, "resource",
		 a.resource_id, "gateway", a.gateway_id, "policy", a.policy_id,
		 "authorization", a.id, NULL);
}
