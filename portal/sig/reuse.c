// SPDX-License-Identifier: GPL-2.0
/*
 * A client that asks again for a resource it already holds (a retry, a
 * reconnect, or a loop) is answered from the authorization it has, as
 * long as its gateway is one the choice could pick for this request
 * (policy_choose_eligible(): the same pools, so a request naming
 * connected gateways that are not online, or failed ones, falls back
 * exactly as the choice does): no new row, no create_authorization to
 * the gateway. One still waiting for its gateway's ack is waited for.
 * A client so holds at most one live authorization per resource and
 * gateway. Without this each request cost a row, an audit line and a
 * gateway message, so one client could grow the tables and load its
 * gateways without bound.
 *
 * What is handed out again must be what a new request would get: an
 * authorization that outlives the fresh decision (a shorter-lived
 * token, a policy narrowed since) is revoked instead, and a new one is
 * made with the decision's expiry.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "priv.h"
#include "core/log.h"

/* a's gateway, when the choice could pick it for this request. */
static struct sig_peer *eligible(const struct sig_choice *c,
				 const struct store_authz *a)
{
	size_t i = 0;

	while (i < c->req.n_online && strcasecmp(c->ids[i], a->gateway_id))
		i++;
	if (!policy_choose_eligible(&c->req, i) || c->gws[i]->gone)
		return NULL;
	return c->gws[i];
}

static bool is_pending(struct sig *s, const struct store_authz *a)
{
	return sig_index_first(&s->pending_ids, a->id) != NULL;
}

/*
 * The client's live authorizations of the resource, counted; *use is
 * one on an eligible gateway, an acked one before one still pending
 * (that would make the request wait for nothing). One that ends after
 * v would is revoked, not counted: its gateway would keep it to that
 * end.
 */
static size_t scan(struct sig *s, struct sig_authz_list *l,
		   const char *resource_id, const struct sig_verdict *v,
		   const struct sig_choice *c, const struct store_authz **use,
		   struct sig_peer **gw)
{
	int64_t now = sig_now_ns();
	struct sig_peer *g;
	size_t n = 0;

	*use = NULL;
	for (size_t i = 0; i < l->n; i++) {
		const struct store_authz *a = &l->a[i];

		if (strcmp(a->resource_id, resource_id) || a->expires_at <= now)
			continue;
		if (a->expires_at > v->expires_ns) {
			sig_revoke(s, a, "outlives a new decision");
			l->a[i].id[0] = 0;
			continue;
		}
		n++;
		if (*use && (!is_pending(s, *use) || is_pending(s, a)))
			continue;
		if (!(g = eligible(c, a)))
			continue;
		*use = a;
		*gw = g;
	}
	return n;
}

/*
 * A row no request of the client's can be served by as it stands: its
 * gateway is offline, being closed or no more, or the request names it
 * failed (and the choice would not fall back to it). A client that
 * failed over across SIG_AUTHZ_PER_RESOURCE gateways would otherwise be
 * refused until those rows expired. One on an online gateway the
 * request merely does not name connected still counts: naming each
 * gateway in turn must not cost a row per request.
 */
static bool stale(struct sig *s, const struct sig_choice *c,
		  const struct store_authz *a)
{
	struct sig_peer *gw = sig_presence_gateway(s, a->gateway_id);

	if (!gw || gw->gone)
		return true;
	if (eligible(c, a))
		return false;
	for (size_t i = 0; i < c->req.n_failed; i++)
		if (!strcasecmp(c->failed[i], a->gateway_id))
			return true;
	return false;
}

/*
 * At the cap, room for a new one: the oldest stale rows are revoked
 * (reject_access to a gateway still online) until one fits. What is
 * left counted.
 */
static size_t make_room(struct sig *s, struct sig_authz_list *l,
			const char *resource_id, const struct sig_choice *c,
			size_t held)
{
	int64_t now = sig_now_ns();

	while (held >= SIG_AUTHZ_PER_RESOURCE) {
		struct store_authz *old = NULL;

		for (size_t i = 0; i < l->n; i++) {
			struct store_authz *a = &l->a[i];

			if (!a->id[0] || strcmp(a->resource_id, resource_id) ||
			    a->expires_at <= now || !stale(s, c, a))
				continue;
			if (!old || a->created_at < old->created_at)
				old = a;
		}
		if (!old)
			break;
		sig_revoke(s, old, "gateway offline or failed, at the cap");
		old->id[0] = 0;
		held--;
	}
	return held;
}

/* authorization_created at once, from a held (acked) authorization. */
static bool answer(struct sig_peer *p, const char *ref,
		   const struct sig_verdict *v, const struct store_authz *a,
		   struct sig_peer *gw)
{
	struct sig_pending pd = { .client = p, .ref = (char *)ref };
	struct proto_sig_peer peer;
	bool done = false;

	if (sig_gateway_init_push(gw, a->id) &&
	    !sig_peer_msg(p->sig, p->id, p->public_key, p->tunnel, gw->id,
			  gw->public_key, &peer)) {
		pd.authz = *a;
		pd.gateway = gw;
		snprintf(pd.site_id, sizeof(pd.site_id), "%s", v->res.site_id);
		memcpy(pd.psk, peer.preshared_key, FZ_KEY_LEN);
		sig_pending_created(&pd);
		core_log("authorization_reused", "client", p->id, "resource",
			 a->resource_id, "gateway", gw->id, "authorization",
			 a->id, NULL);
		done = true;
	}
	sodium_memzero(&peer, sizeof(peer));
	sodium_memzero(pd.psk, sizeof(pd.psk));
	return done;
}

/*
 * Still waiting for its gateway's ack: the request waits with it. Past
 * SIG_PENDING_WAITERS it is refused, so a loop of requests costs the
 * portal no memory either. False: another socket of the client's waits
 * for it, and this one gets its own.
 */
static bool wait_for(struct sig_peer *p, const char *ref,
		     struct sig_pending *pd)
{
	int ret = sig_pending_join(pd, p, ref);

	if (ret == -EBUSY)
		return false;
	if (ret) {
		sig_reply(p, ref, "authorization_pending");
		core_log("authorization_refused", "client", p->id, "resource",
			 pd->authz.resource_id, "reason",
			 "authorization_pending", "detail",
			 ret == -ENOSPC ? "too many requests wait for its ack" :
					  "out of memory",
			 NULL);
		return true;
	}
	core_log("authorization_reused", "client", p->id, "resource",
		 pd->authz.resource_id, "gateway", pd->authz.gateway_id,
		 "authorization", pd->authz.id, "note", "waits for its ack",
		 NULL);
	return true;
}

bool sig_reuse(struct sig_peer *p, const struct proto_sig_msg *m,
	       const struct sig_verdict *v, const struct sig_choice *c,
	       size_t *held)
{
	const struct store_authz *a;
	struct sig_index_ent *e;
	struct sig_authz_list l;
	struct sig_peer *gw = NULL;
	bool done = false;

	*held = 0;
	if (sig_authz_collect(p->sig, STORE_AUTHZ_BY_CLIENT, p->id, &l)) {
		sig_authz_list_free(&l);
		return false;
	}
	*held = scan(p->sig, &l, m->request_authorization.resource_id.s, v, c,
		     &a, &gw);
	if (a) {
		e = sig_index_first(&p->sig->pending_ids, a->id);
		done = e ? wait_for(p, m->ref, e->val) :
			   answer(p, m->ref, v, a, gw);
	}
	if (!done)
		*held = make_room(p->sig, &l,
				  m->request_authorization.resource_id.s, c,
				  *held);
	sig_authz_list_free(&l);
	return done;
}
