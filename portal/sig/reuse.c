// SPDX-License-Identifier: GPL-2.0
/*
 * A client that asks again for a resource it already holds (a retry, a
 * reconnect, or a loop) is answered from the authorization it has, as
 * long as its gateway is online, not one the client says failed it and,
 * if the client names gateways it is connected to, one of them (the
 * choice prefers those: policy/choose.c): no new row, no
 * create_authorization to the gateway. A client so holds at most one
 * live authorization per resource and gateway. Without this each
 * request cost a row, an audit line and a gateway message, so one client
 * could grow the tables and load its gateways without bound.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "priv.h"
#include "core/log.h"

static bool listed(const struct proto_sig_id *ids, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(ids[i].s, id))
			return true;
	return false;
}

static bool acceptable(const struct proto_sig_request_authorization *r,
		       const char *gateway_id)
{
	if (listed(r->failed_gateway_ids, r->n_failed_gateway_ids, gateway_id))
		return false;
	return !r->n_connected_gateway_ids ||
	       listed(r->connected_gateway_ids, r->n_connected_gateway_ids,
		      gateway_id);
}

/* A usable authorization of p for the resource, or NULL. */
static const struct store_authz *
live(struct sig_peer *p, const struct sig_authz_list *l,
     const struct proto_sig_request_authorization *r, struct sig_peer **gw)
{
	int64_t now = sig_now_ns();

	for (size_t i = 0; i < l->n; i++) {
		const struct store_authz *a = &l->a[i];

		if (strcmp(a->resource_id, r->resource_id.s) ||
		    a->expires_at <= now || !acceptable(r, a->gateway_id) ||
		    sig_index_first(&p->sig->pending_ids, a->id))
			continue;
		*gw = sig_presence_gateway(p->sig, a->gateway_id);
		if (*gw && !(*gw)->gone)
			return a;
	}
	return NULL;
}

bool sig_reuse(struct sig_peer *p, const struct proto_sig_msg *m,
	       const struct sig_verdict *v)
{
	struct sig_pending pd = { .client = p, .ref = (char *)m->ref };
	struct proto_sig_peer peer;
	const struct store_authz *a;
	struct sig_authz_list l;
	struct sig_peer *gw;
	bool done = false;

	if (sig_authz_collect(p->sig, STORE_AUTHZ_BY_CLIENT, p->id, &l)) {
		sig_authz_list_free(&l);
		return false;
	}
	a = live(p, &l, &m->request_authorization, &gw);
	if (a && !sig_peer_msg(p->sig, p->id, p->public_key, p->tunnel, gw->id,
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
	sig_authz_list_free(&l);
	return done;
}
