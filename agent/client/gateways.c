// SPDX-License-Identifier: GPL-2.0
/*
 * The client's gateways (see resources.h): found by key or id, their
 * allowed IPs as the union of what they serve, fz.ko brought to that,
 * removed when they serve nothing or say Goodbye, remembered a while
 * when they failed us, and made from the portal's authorization_created.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "resources.h"
#include "resources_int.h"
#include "lib/files.h"

void client_gw_free(struct client_res_gateway *g)
{
	fz_wipe_free(g, sizeof(*g));
}

struct client_res_gateway *client_gw_by_key(const struct client_res *c,
					    const uint8_t key[FZ_KEY_LEN])
{
	for (size_t i = 0; i < c->n_gws; i++)
		if (!memcmp(c->gws[i]->public_key, key, FZ_KEY_LEN))
			return c->gws[i];
	return NULL;
}

static struct client_res_gateway *gw_by_id(const struct client_res *c,
					   const struct proto_sig_id *id)
{
	for (size_t i = 0; i < c->n_gws; i++)
		if (client_res_same_id(&c->gws[i]->id, id))
			return c->gws[i];
	return NULL;
}

bool client_res_is_gateway(const struct client_res *c,
			   const uint8_t key[FZ_KEY_LEN])
{
	return client_gw_by_key(c, key) != NULL;
}

static bool serves(const struct client_res *c,
		   const struct client_res_gateway *g)
{
	for (size_t i = 0; i < c->n_res; i++)
		if (c->res[i].gw == g)
			return true;
	return false;
}

static size_t add_aip(struct fz_cidr *out, size_t n, size_t max,
		      const struct fz_cidr *a, bool *full)
{
	for (size_t i = 0; i < n; i++)
		if (fz_cidr_equal(&out[i], a))
			return n;
	if (n >= max) {
		*full = true;
		return n;
	}
	out[n] = *a;
	return n + 1;
}

/* g's confirmed name used most lately before `before`, or NULL. */
static const struct client_res_name *
newest_name(const struct client_res *c, const struct client_res_gateway *g,
	    uint64_t before)
{
	const struct client_res_name *best = NULL;

	for (size_t i = 0; i < c->n_res; i++) {
		const struct client_resource *r = &c->res[i];

		if (r->gw != g || r->addr.type != FZ_RESADDR_DNS)
			continue;
		for (size_t k = 0; k < r->n_names; k++) {
			const struct client_res_name *n = &r->names[k];

			if (n->active && n->used < before &&
			    (!best || n->used > best->used))
				best = n;
		}
	}
	return best;
}

/*
 * The prefixes first, then the names' mapped IPs newest first, each name
 * whole: what does not fit is what was used least lately. Each name's
 * use is its own (client_res.uses), so `before` walks them down one by
 * one. *full: something was left out.
 */
static size_t gateway_aips(const struct client_res *c,
			   const struct client_res_gateway *g,
			   struct fz_cidr *out, size_t max, bool *full)
{
	const struct client_res_name *nm;
	uint64_t before = UINT64_MAX;
	size_t n = 0;

	*full = false;
	n = add_aip(out, n, max, &g->ipv4, full);
	n = add_aip(out, n, max, &g->ipv6, full);
	for (size_t i = 0; i < c->n_res; i++) {
		const struct client_resource *r = &c->res[i];

		if (r->gw == g && r->addr.type != FZ_RESADDR_DNS)
			n = add_aip(out, n, max, &r->addr.cidr, full);
	}
	while (!*full && (nm = newest_name(c, g, before))) {
		if (max - n < 2 * CLIENT_MAPPED_PER_FAMILY) {
			*full = true;
			break;
		}
		for (size_t j = 0; j < CLIENT_MAPPED_PER_FAMILY; j++) {
			n = add_aip(out, n, max, &nm->e->v4[j], full);
			n = add_aip(out, n, max, &nm->e->v6[j], full);
		}
		before = nm->used;
	}
	return n;
}

size_t client_res_gateway_aips(const struct client_res *c,
			       const struct client_res_gateway *g,
			       struct fz_cidr *out, size_t max)
{
	bool full;

	return gateway_aips(c, g, out, max, &full);
}

void client_gw_remove(struct client_res *c, struct client_res_gateway *g)
{
	size_t i;

	for (i = 0; i < c->n_gws && c->gws[i] != g; i++)
		;
	if (i == c->n_gws)
		return;
	if (g->installed)
		c->ops->del_peer(c->ctx, g->public_key);
	client_res_say(c, "gateway %s: removed (it serves nothing)", g->id.s);
	c->gws[i] = c->gws[--c->n_gws];
	client_gw_free(g);
}

/* fz.ko brought to what g serves now; a gateway serving nothing goes. */
int client_gw_sync(struct client_res *c, struct client_res_gateway *g)
{
	struct fz_cidr aips[FZ_MAX_ALLOWEDIPS];
	uint64_t count;
	bool full;
	size_t n;
	int ret;

	if (!serves(c, g)) {
		client_gw_remove(c, g);
		return 0;
	}
	n = gateway_aips(c, g, aips, FZ_MAX_ALLOWEDIPS, &full);
	count = full ? ++c->n_unrouted : 0;
	if (full && (count <= 10 || !(count & (count - 1))))
		client_res_say(c,
			       "gateway %s: more than %d allowed IPs; the "
			       "names used least lately wait for their next "
			       "packet (%" PRIu64 " times)",
			       g->id.s, FZ_MAX_ALLOWEDIPS, count);
	ret = c->ops->set_peer(c->ctx, g, aips, n, !g->installed);
	if (ret) {
		client_res_say(c, "gateway %s: cannot set its peer: %s",
			       g->id.s, strerror(-ret));
		return ret;
	}
	g->installed = true;
	return 0;
}

void client_gw_forget_failed(struct client_res *c, uint64_t t)
{
	size_t k = 0;

	for (size_t i = 0; i < c->n_failed; i++)
		if (c->failed[i].until_ns > t)
			c->failed[k++] = c->failed[i];
	c->n_failed = k;
}

static void mark_failed(struct client_res *c, const struct proto_sig_id *id,
			uint64_t ms)
{
	uint64_t until = client_res_now(c) + ms * NS_PER_MS;
	size_t i;

	for (i = 0;
	     i < c->n_failed && !client_res_same_id(&c->failed[i].id, id); i++)
		;
	if (i == c->n_failed && c->n_failed == CLIENT_RES_MAX_FAILED) {
		memmove(&c->failed[0], &c->failed[1],
			(CLIENT_RES_MAX_FAILED - 1) * sizeof(c->failed[0]));
		i = --c->n_failed;
	}
	c->failed[i].id = *id;
	c->failed[i].until_ns = until;
	if (i == c->n_failed)
		c->n_failed++;
}

int client_gw_check_created(const struct proto_sig_authorization_created *a,
			    const char **why)
{
	*why = NULL;
	if (a->gateway_ipv4.family != AF_INET ||
	    a->gateway_ipv6.family != AF_INET6 ||
	    !fz_cidr_in_tunnel(&a->gateway_ipv4) ||
	    !fz_cidr_in_tunnel(&a->gateway_ipv6))
		*why = "the gateway's tunnel addresses are not in the tunnel "
		       "ranges";
	else if (!a->n_gateway_endpoints)
		*why = "the gateway has no endpoint";
	else if (a->expires_at < 0 || a->expires_at > PROTO_SIG_MAX_TIME)
		*why = "its expiry is out of range";
	return *why ? -EINVAL : 0;
}

struct client_res_gateway *
client_gw_get(struct client_res *c,
	      const struct proto_sig_authorization_created *a, const char **why)
{
	struct client_res_gateway *g = gw_by_id(c, &a->gateway_id);
	struct client_res_gateway *k =
		client_gw_by_key(c, a->gateway_public_key);

	if (k && k != g) {
		*why = "another gateway has its public key";
		return NULL;
	}
	if (g && memcmp(g->public_key, a->gateway_public_key, FZ_KEY_LEN)) {
		/* A new key is a new peer: the old one goes. */
		if (g->installed)
			c->ops->del_peer(c->ctx, g->public_key);
		g->installed = false;
	}
	if (!g && c->n_gws == CLIENT_RES_MAX_GATEWAYS) {
		*why = "too many gateways";
		return NULL;
	}
	if (!g) {
		g = calloc(1, sizeof(*g));
		if (!g) {
			*why = "out of memory";
			return NULL;
		}
		c->gws[c->n_gws++] = g;
	}
	g->id = a->gateway_id;
	g->site_id = a->site_id;
	memcpy(g->public_key, a->gateway_public_key, FZ_KEY_LEN);
	memcpy(g->preshared_key, a->preshared_key, FZ_KEY_LEN);
	g->endpoint = a->gateway_endpoints[0];
	g->ipv4 = a->gateway_ipv4;
	g->ipv6 = a->gateway_ipv6;
	return g;
}

static bool failed_lately(struct client_res *c, const struct proto_sig_id *id)
{
	client_gw_forget_failed(c, client_res_now(c));
	for (size_t i = 0; i < c->n_failed; i++)
		if (client_res_same_id(&c->failed[i].id, id))
			return true;
	return false;
}

/*
 * g is gone: named as failed for ms, its peer removed (packets for what
 * it served are held by fz.ko from here on), and every resource it
 * served asks the portal again at once (client_res_move). A gateway that
 * fails again while still named as failed (one that says Goodbye to
 * every handshake, say) only loses its resources: they ask when their
 * next packet comes, so it cannot make us flood the portal.
 */
static void lose(struct client_res *c, struct client_res_gateway *g,
		 const char *why, uint64_t ms)
{
	bool again = failed_lately(c, &g->id);
	size_t n = 0;

	mark_failed(c, &g->id, ms);
	for (size_t i = 0; i < c->n_res; i++)
		if (c->res[i].gw == g) {
			c->res[i].gw = NULL;
			client_res_disconnect(c, &c->res[i]);
			c->res[i].moving = !again;
			n++;
		}
	client_res_say(c, "gateway %s %s; %s its %zu resource%s", g->id.s, why,
		       again ? "failed again lately: dropping" : "moving", n,
		       n == 1 ? "" : "s");
	client_gw_remove(c, g);
	client_res_move(c);
}

void client_gw_goodbye(struct client_res *c, struct client_res_gateway *g)
{
	lose(c, g, "said goodbye", CLIENT_RES_GOODBYE_MS);
}

bool client_res_gateway_dead(struct client_res *c,
			     const uint8_t key[FZ_KEY_LEN], const char *what)
{
	struct client_res_gateway *g = client_gw_by_key(c, key);
	char why[128];

	if (!g)
		return false;
	snprintf(why, sizeof(why), "%s for %u s: dead", what,
		 c->gateway_timeout);
	lose(c, g, why, CLIENT_RES_DEAD_MS);
	return true;
}

bool client_res_gateway_quiet(struct client_res *c,
			      const uint8_t key[FZ_KEY_LEN])
{
	return client_res_gateway_dead(c, key,
				       "sent nothing back while we sent to it");
}
