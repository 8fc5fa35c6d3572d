// SPDX-License-Identifier: GPL-2.0
/*
 * A gateway's life on its socket: phx_join (upsert in its token's site,
 * ok reply, `init` with its tunnel addresses and the unexpired
 * authorizations it should hold), and `resource_updated` to the
 * gateways holding a resource whose filters changed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "priv.h"
#include "core/log.h"

/*
 * A gateway's init carries as many held authorizations as fit one
 * message (16 KiB, 64 elements: sig_send_fitting()); the rest follow as
 * create_authorization pushes, whose acks nobody waits for, and then
 * init_done: only the whole set lets the gateway drop the others. A fixed count
 * was wrong both ways: long names made 24 too many, and an init the codec
 * refuses is not sent at all.
 *
 * The pushes go in pages, each while the socket's queue is under
 * SIG_INIT_QUEUE, the next when it has drained (web_conn_want_drained):
 * all at once, a gateway holding some 430 authorizations passed the
 * queue's 256 KiB and was closed before init_done, every time it came
 * back.
 */

static void set_n(struct proto_sig_msg *m, size_t n)
{
	m->gateway_init.n_authorizations = n;
}

static int upsert(struct sig_peer *p, const struct proto_sig_gateway_join *j,
		  struct store_gateway *g)
{
	struct store_err err = { 0 };
	const struct store_token *t = &p->p->tok;
	int ret;

	memset(g, 0, sizeof(*g));
	strcpy(g->account_id, t->account_id);
	strcpy(g->site_id, t->site_id);
	strcpy(g->token_id, t->id);
	snprintf(g->name, sizeof(g->name), "%s", j->name);
	memcpy(g->public_key, j->public_key, FZ_KEY_LEN);
	g->listen_port = j->listen_port;
	snprintf(g->remote_addr, sizeof(g->remote_addr), "%s", p->remote_ip);
	snprintf(g->version, sizeof(g->version), "%s", j->version);
	g->online_since = g->last_seen_at = sig_now_ns();
	ret = sig_endpoints_json(j->endpoints, j->n_endpoints, g->endpoints,
				 sizeof(g->endpoints));
	if (!ret)
		ret = store_gateway_upsert(p->sig->store, g, &err);
	if (ret)
		core_log("join_failed", "role", "gateway", "who",
			 web_conn_name(p->conn), "msg",
			 ret < 0 ? "endpoints too long" : err.msg, NULL);
	return ret;
}

/* One held authorization as the gateway sees it; -1: drop the row. */
static int held(struct sig_peer *gw, const struct store_authz *a,
		struct store_resource *r, struct proto_sig_authorization *out)
{
	struct store_client c;
	struct store_err err = { 0 };
	struct sig *s = gw->sig;

	memset(out, 0, sizeof(*out));
	if (store_client_get(s->store, a->client_id, &c, &err) ||
	    store_get(s->store, STORE_RESOURCE, a->resource_id, r, &err) ||
	    sig_resource_msg(r, &out->resource))
		return -1;
	snprintf(out->ref.s, sizeof(out->ref.s), "%s", a->id);
	out->expires_at = sig_expires_s(a->expires_at);
	return sig_peer_msg(s, c.id, c.public_key, c.tunnel_offset, gw->id,
			    gw->public_key, &out->client);
}

/* held() for a row still to be sent: false when it is not (any more). */
static bool sendable(struct sig_peer *gw, struct store_authz *a,
		     struct store_resource *r,
		     struct proto_sig_authorization *out)
{
	/* Revoked since the join (an expiry of 0: _init_forget), pushed
	 * out of turn (PUSHED: _init_push), or expired. */
	if (a->expires_at <= sig_now_ns())
		return false;
	if (held(gw, a, r, out)) {
		/* Its client or resource is gone: so is it, once. The id
		 * stays: the rest is searched by it (rest_find). */
		sig_revoke(gw->sig, a, "orphaned");
		a->expires_at = 0;
		return false;
	}
	return true;
}

static void init_free(struct sig_peer *gw)
{
	if (!gw->init_rest)
		return;
	sig_authz_list_free(gw->init_rest);
	free(gw->init_rest);
	gw->init_rest = NULL;
}

/*
 * A push that failed: true when the socket is going (closed, or closing
 * on a full queue), and nothing more is sent. A message the codec
 * refuses (-EINVAL, -E2BIG) or a failed allocation leaves it open: the
 * row is skipped, the rest and init_done still go, or the gateway would
 * never prune what it holds (revoked grants included).
 */
static bool push_failed(struct sig_peer *gw, const struct store_authz *a,
			int ret)
{
	if (gw->gone || ret == -EPIPE || ret == -ENOBUFS)
		return true;
	core_log("init_push_skipped", "who", web_conn_name(gw->conn),
		 "authorization", a->id, "msg", strerror(-ret), NULL);
	return false;
}

/* One page of the rest, then init_done after the last. */
static void push_page(struct sig_peer *gw)
{
	struct proto_sig_msg m = { .kind = PROTO_SIG_CREATE_AUTHORIZATION };
	struct sig_authz_list *l = gw->init_rest;
	struct store_resource r;
	bool going = false;
	int ret;

	while (!going && gw->init_pos < l->n &&
	       web_conn_queued(gw->conn) < SIG_INIT_QUEUE) {
		struct store_authz *a = &l->a[gw->init_pos++];

		if (!sendable(gw, a, &r, &m.create_authorization))
			continue;
		ret = sig_send(gw, &m);
		if (ret)
			going = push_failed(gw, a, ret);
	}
	sodium_memzero(&m, sizeof(m));
	if (!going && gw->init_pos < l->n) {
		web_conn_want_drained(gw->conn);
		return;
	}
	init_free(gw);
	if (!going)
		sig_init_done(gw);
}

/* A row of the rest pushed out of turn: handed out, not to go again. A
 * revoked or orphaned one has an expiry of 0. */
#define PUSHED (-1)

static int by_id(const void *a, const void *b)
{
	return strcmp(((const struct store_authz *)a)->id,
		      ((const struct store_authz *)b)->id);
}

/*
 * A row of the init's rest not yet pushed, by id: a binary search, so
 * that revoking thousands while a large init pages costs no walk of the
 * rest each. Rows from init_pos on are sorted by id and keep their ids:
 * one done with is marked by an expiry of 0 (sendable() skips it).
 */
static struct store_authz *rest_find(struct sig_peer *gw, const char *id)
{
	struct sig_authz_list *l = gw->init_rest;
	struct store_authz key;

	if (!l || gw->init_pos >= l->n)
		return NULL;
	snprintf(key.id, sizeof(key.id), "%s", id);
	return bsearch(&key, l->a + gw->init_pos, l->n - gw->init_pos,
		       sizeof(*l->a), by_id);
}

/* The init, with what fits of l's first PROTO_SIG_MAX_ARRAY rows. */
static void send_init(struct sig_peer *gw, struct sig_authz_list *l)
{
	struct proto_sig_msg m = { .kind = PROTO_SIG_GATEWAY_INIT };
	struct proto_sig_authorization *z =
		calloc(PROTO_SIG_MAX_ARRAY, sizeof(*z));
	struct store_resource *r = calloc(PROTO_SIG_MAX_ARRAY, sizeof(*r));
	size_t row[PROTO_SIG_MAX_ARRAY], n = 0, i = 0, sent;

	if (!z || !r)
		goto out;
	for (; i < l->n && n < PROTO_SIG_MAX_ARRAY; i++)
		if (sendable(gw, &l->a[i], &r[n], &z[n]))
			row[n++] = i;
	sig_tunnel(gw->tunnel, &m.gateway_init.interface.ipv4,
		   &m.gateway_init.interface.ipv6);
	m.gateway_init.authorizations = z;
	sent = n;
	if (sig_send_fitting(gw, &m, &sent, set_n))
		goto out;
	/* The rest, from the first row the init did not hold. */
	gw->init_rest = malloc(sizeof(*gw->init_rest));
	if (!gw->init_rest) {
		/* No init_done: the gateway keeps what it holds. */
		core_log("out_of_memory", "where", "gateway init", NULL);
		goto out;
	}
	*gw->init_rest = *l;
	gw->init_pos = sent < n ? row[sent] : i;
	memset(l, 0, sizeof(*l));
	/* By id, for rest_find(); the order they go in does not matter. */
	if (gw->init_pos < gw->init_rest->n)
		qsort(gw->init_rest->a + gw->init_pos,
		      gw->init_rest->n - gw->init_pos,
		      sizeof(*gw->init_rest->a), by_id);
	push_page(gw);
out:
	/* Every held authorization's preshared key. */
	if (z)
		sodium_memzero(z, PROTO_SIG_MAX_ARRAY * sizeof(*z));
	free(z);
	free(r);
}

void sig_gateway_drained(struct sig_peer *gw)
{
	if (gw->init_rest && !gw->gone)
		push_page(gw);
}

void sig_gateway_init_forget(struct sig_peer *gw, const char *authz_id)
{
	struct store_authz *a = rest_find(gw, authz_id);

	if (a)
		a->expires_at = 0;
}

/*
 * A row handed out again (sig_reuse) must be on its gateway when the
 * client hears of it, not pages later: pushed now, out of turn. False
 * when the init held it but it may not go (revoked, orphaned, expired,
 * or the socket is going): not to be handed out.
 */
bool sig_gateway_init_push(struct sig_peer *gw, const char *authz_id)
{
	struct proto_sig_msg m = { .kind = PROTO_SIG_CREATE_AUTHORIZATION };
	struct store_authz *a = rest_find(gw, authz_id);
	struct store_resource r;
	bool ok = true;
	int ret;

	if (!a || a->expires_at == PUSHED)
		return true;
	if (!sendable(gw, a, &r, &m.create_authorization))
		return false;
	a->expires_at = PUSHED;
	ret = sig_send(gw, &m);
	if (ret && push_failed(gw, a, ret))
		ok = false;
	sodium_memzero(&m, sizeof(m));
	return ok;
}

void sig_gateway_gone(struct sig_peer *gw)
{
	init_free(gw);
}

/*
 * A key of another site's gateway: this token may not take that gateway
 * over (a public key is no secret), and the socket has nothing left to
 * do. Refused before adopt(), so the real gateway keeps its socket.
 */
static void refuse(struct sig_peer *p, const char *ref, int ret)
{
	sig_reply(p, ref,
		  ret == STORE_CONFLICT ? "public_key_in_use" : "join_failed");
	if (ret != STORE_CONFLICT)
		return;
	p->gone = true;
	sig_presence_leave(p->sig, p);
	web_conn_close(p->conn, WEB_CLOSE_POLICY, "public key in use");
}

static void adopt(struct sig_peer *p, const struct store_gateway *g,
		  const struct proto_sig_gateway_join *j)
{
	struct sig_peer *old = sig_presence_gateway(p->sig, g->id);

	/* A gateway is one socket: a reconnect replaces the stale one. */
	if (old)
		sig_disconnect(old, "replaced by a new connection");
	strcpy(p->id, g->id);
	strcpy(p->site_id, g->site_id);
	memcpy(p->public_key, g->public_key, FZ_KEY_LEN);
	p->tunnel = (uint32_t)g->tunnel_offset;
	p->n_eps = j->n_endpoints < SIG_MAX_EPS ? j->n_endpoints : SIG_MAX_EPS;
	memcpy(p->eps, j->endpoints, p->n_eps * sizeof(*p->eps));
}

void sig_gateway_join(struct sig_peer *p, const struct proto_sig_msg *m)
{
	struct sig_authz_list l;
	struct store_gateway g;
	char n[16];
	int ret;

	if (p->joined) {
		sig_reply(p, m->ref, "already_joined");
		return;
	}
	if (sig_key_unusable(p, m->ref, m->gateway_join.public_key))
		return;
	ret = upsert(p, &m->gateway_join, &g);
	if (ret) {
		refuse(p, m->ref, ret);
		return;
	}
	adopt(p, &g, &m->gateway_join);
	if (sig_presence_join(p->sig, p)) {
		sig_reply(p, m->ref, "join_failed");
		return;
	}
	sig_reply(p, m->ref, NULL);
	sig_authz_collect(p->sig, STORE_AUTHZ_BY_GATEWAY, p->id, &l);
	snprintf(n, sizeof(n), "%zu", l.n);
	send_init(p, &l); /* may keep l's rows for the pages to come */
	sig_authz_list_free(&l);
	core_log("gateway_join", "gateway", p->id, "site", p->site_id, "name",
		 g.name, "remote", p->remote_ip, "authorizations", n, NULL);
}

static bool listed(struct sig_peer **gws, size_t n, struct sig_peer *p)
{
	for (size_t i = 0; i < n; i++)
		if (gws[i] == p)
			return true;
	return false;
}

void sig_gateway_resource_updated(struct sig *s, const struct store_resource *r)
{
	struct proto_sig_msg m = { .kind = PROTO_SIG_RESOURCE_UPDATED };
	struct proto_sig_resource res;
	struct sig_authz_list l;
	struct sig_peer **gws;
	size_t n = 0;
	char count[16];

	if (sig_resource_msg(r, &res))
		return;
	m.resource_updated.id = res.id;
	memcpy(m.resource_updated.filters, res.filters, sizeof(res.filters));
	m.resource_updated.n_filters = res.n_filters;
	sig_authz_collect(s, STORE_AUTHZ_BY_RESOURCE, r->id, &l);
	gws = calloc(l.n + 1, sizeof(*gws));
	for (size_t i = 0; gws && i < l.n; i++) {
		struct sig_peer *gw =
			sig_presence_gateway(s, l.a[i].gateway_id);

		if (!gw || listed(gws, n, gw))
			continue;
		gws[n++] = gw;
		sig_send(gw, &m);
	}
	free(gws);
	sig_authz_list_free(&l);
	snprintf(count, sizeof(count), "%zu", n);
	core_log("resource_updated", "resource", r->id, "gateways", count,
		 NULL);
}
