// SPDX-License-Identifier: GPL-2.0
/*
 * Authorizations sent to a gateway and not yet acknowledged. The client
 * gets authorization_created only once the gateway has the peer set up
 * (its ack), so the client never dials a gateway that does not expect
 * it; a gateway that leaves or stays silent for 5 s makes it
 * "offline", and the row it was to hold is withdrawn. The client's
 * requests for it meanwhile wait with the first (reuse.c): each is
 * answered, none makes a row of its own.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "priv.h"
#include "core/log.h"

int sig_pending_add(struct sig *s, struct sig_pending *pd)
{
	if (sig_index_add(&s->pending_ids, pd->authz.id, pd))
		return -ENOMEM;
	pd->deadline_ms = sig_now_ms(s) + s->ack_timeout_ms;
	pd->prev = NULL;
	pd->next = s->pending;
	if (s->pending)
		s->pending->prev = pd;
	s->pending = pd;
	return 0;
}

static void free_refs(struct sig_pending *pd)
{
	free(pd->ref);
	pd->ref = NULL;
	for (size_t i = 0; i < pd->n_waiters; i++)
		free(pd->waiters[i]);
	pd->n_waiters = 0;
}

static void unlink_pending(struct sig *s, struct sig_pending *pd)
{
	sig_index_del(&s->pending_ids, pd->authz.id, pd);
	if (pd->prev)
		pd->prev->next = pd->next;
	else
		s->pending = pd->next;
	if (pd->next)
		pd->next->prev = pd->prev;
	free_refs(pd);
	sodium_memzero(pd->psk, sizeof(pd->psk));
	free(pd);
}

static void created(const struct sig_pending *pd, const char *ref)
{
	struct proto_sig_msg m = { .kind = PROTO_SIG_AUTHORIZATION_CREATED,
				   .ref = ref };
	struct proto_sig_authorization_created *c = &m.authorization_created;
	struct sig_peer *gw = pd->gateway;

	snprintf(c->resource_id.s, sizeof(c->resource_id.s), "%s",
		 pd->authz.resource_id);
	snprintf(c->gateway_id.s, sizeof(c->gateway_id.s), "%s", gw->id);
	memcpy(c->gateway_public_key, gw->public_key, FZ_KEY_LEN);
	c->gateway_endpoints = gw->eps;
	c->n_gateway_endpoints = gw->n_eps;
	sig_tunnel(gw->tunnel, &c->gateway_ipv4, &c->gateway_ipv6);
	snprintf(c->site_id.s, sizeof(c->site_id.s), "%s", pd->site_id);
	memcpy(c->preshared_key, pd->psk, FZ_KEY_LEN);
	c->expires_at = sig_expires_s(pd->authz.expires_at);
	sig_send(pd->client, &m);
	sodium_memzero(c->preshared_key, sizeof(c->preshared_key));
}

void sig_pending_created(const struct sig_pending *pd)
{
	created(pd, pd->ref);
	for (size_t i = 0; i < pd->n_waiters; i++)
		created(pd, pd->waiters[i]);
}

/* Every request waiting for pd hears why not. */
static void fail_all(const struct sig_pending *pd,
		     enum proto_sig_fail_reason why)
{
	if (!pd->client)
		return;
	sig_authorize_fail(pd->client, pd->ref, pd->authz.resource_id, why);
	for (size_t i = 0; i < pd->n_waiters; i++)
		sig_authorize_fail(pd->client, pd->waiters[i],
				   pd->authz.resource_id, why);
}

void sig_pending_ack(struct sig_peer *gw, const char *authz_id)
{
	struct sig_index_ent *e =
		sig_index_first(&gw->sig->pending_ids, authz_id);
	struct sig_pending *pd = e ? e->val : NULL;

	/* Acks of init's pushes, or late ones, have nobody waiting. */
	if (!pd || pd->gateway != gw)
		return;
	if (pd->client)
		sig_pending_created(pd);
	core_log("authorization_created", "authorization", pd->authz.id,
		 "client", pd->authz.client_id, "gateway", gw->id, "note",
		 pd->client ? NULL : "the client left meanwhile", NULL);
	unlink_pending(gw->sig, pd);
}

/* No ack: the client hears "offline", the gateway loses the row. */
static void give_up(struct sig *s, struct sig_pending *pd, const char *why)
{
	struct store_authz a = pd->authz;

	fail_all(pd, PROTO_SIG_OFFLINE);
	core_log("authorization_failed", "authorization", a.id, "client",
		 a.client_id, "gateway", a.gateway_id, "reason", why, NULL);
	/* Unlinked first: the revocation must not find it pending. */
	unlink_pending(s, pd);
	sig_revoke(s, &a, why);
}

void sig_pending_sweep(struct sig *s)
{
	uint64_t now = sig_now_ms(s);
	struct sig_pending *pd = s->pending, *next;

	for (; pd; pd = next) {
		next = pd->next;
		if (now >= pd->deadline_ms)
			give_up(s, pd, "no ack from the gateway in time");
	}
}

void sig_pending_peer_gone(struct sig *s, struct sig_peer *p)
{
	struct sig_pending *pd = s->pending, *next;

	for (; pd; pd = next) {
		next = pd->next;
		if (pd->client == p)
			pd->client = NULL;
		if (pd->gateway == p) {
			pd->gateway = NULL;
			give_up(s, pd, "the gateway left");
		}
	}
}

void sig_pending_drop(struct sig *s, const char *authz_id)
{
	struct sig_index_ent *e = sig_index_first(&s->pending_ids, authz_id);
	struct sig_pending *pd = e ? e->val : NULL;

	if (!pd)
		return;
	fail_all(pd, PROTO_SIG_FORBIDDEN);
	unlink_pending(s, pd);
}

/* NULL for a null ref; *ok false when out of memory. */
static char *dup_ref(const char *ref, bool *ok)
{
	char *d = ref ? strdup(ref) : NULL;

	*ok = !ref || d;
	return d;
}

int sig_pending_join(struct sig_pending *pd, struct sig_peer *p,
		     const char *ref)
{
	bool ok;
	char *d;

	if (pd->client && pd->client != p)
		return -EBUSY;
	if (pd->client && pd->n_waiters == SIG_PENDING_WAITERS)
		return -ENOSPC;
	d = dup_ref(ref, &ok);
	if (!ok)
		return -ENOMEM;
	if (!pd->client) {
		/* The socket that asked is gone; its client asks again. */
		free_refs(pd);
		pd->client = p;
		pd->ref = d;
	} else {
		pd->waiters[pd->n_waiters++] = d;
	}
	return 0;
}
