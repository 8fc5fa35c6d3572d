// SPDX-License-Identifier: GPL-2.0
/*
 * The client's resources (see resources.h): the portal's list, matching a
 * destination, the requests and their answers, expiry. Gateways are in
 * gateways.c, DNS names in names.c. Everything runs on the agent's loop;
 * the ops do the talking.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "resources.h"
#include "resources_int.h"
#include "lib/values.h"

void client_res_say(struct client_res *c, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!c->ops->log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	c->ops->log(c->ctx, line);
}

uint64_t client_res_now(struct client_res *c)
{
	return c->ops->now_ns(c->ctx);
}

const char *client_res_state_name(enum client_res_state st)
{
	switch (st) {
	case CLIENT_RES_CONNECTING:
		return "connecting";
	case CLIENT_RES_CONNECTED:
		return "connected";
	default:
		return "not connected";
	}
}

static const char *fail_name(enum proto_sig_fail_reason r)
{
	switch (r) {
	case PROTO_SIG_NOT_FOUND:
		return "not found";
	case PROTO_SIG_FORBIDDEN:
		return "forbidden (no policy allows it)";
	default:
		return "no gateway of its sites is online";
	}
}

bool client_res_same_id(const struct proto_sig_id *a,
			const struct proto_sig_id *b)
{
	return !strcmp(a->s, b->s);
}

/* --- Life --- */

struct client_res *client_res_new(const struct client_res_ops *ops, void *ctx,
				  struct client_mapped *mapped)
{
	struct client_res *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->ops = ops;
	c->ctx = ctx;
	c->mapped = mapped;
	c->gateway_timeout = CLIENT_RES_GATEWAY_TIMEOUT;
	return c;
}

void client_res_free(struct client_res *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_gws; i++)
		client_gw_free(c->gws[i]);
	free(c->res);
	free(c);
}

/* --- Lookups --- */

struct client_resource *client_res_find(struct client_res *c,
					const struct proto_sig_id *id)
{
	for (size_t i = 0; i < c->n_res; i++)
		if (client_res_same_id(&c->res[i].id, id))
			return &c->res[i];
	return NULL;
}

struct client_resource *
client_res_find_uuid(struct client_res *c, const uint8_t id[FZ_RESOURCE_ID_LEN])
{
	for (size_t i = 0; i < c->n_res; i++)
		if (!memcmp(c->res[i].uuid, id, FZ_RESOURCE_ID_LEN))
			return &c->res[i];
	return NULL;
}

/* A CIDR or IP resource by longest prefix, else a mapped IP's name. */
struct client_resource *client_res_match(struct client_res *c,
					 const struct fz_cidr *dst)
{
	const struct client_mapped_entry *e;
	struct client_resource *best = NULL, *r;

	for (size_t i = 0; i < c->n_res; i++) {
		r = &c->res[i];
		if (r->addr.type == FZ_RESADDR_DNS ||
		    r->addr.cidr.family != dst->family ||
		    !fz_cidr_in(dst, r->addr.cidr.addr, r->addr.cidr.cidr))
			continue;
		if (!best || r->addr.cidr.cidr > best->addr.cidr.cidr)
			best = r;
	}
	if (best || !c->mapped)
		return best;
	e = client_mapped_lookup_addr(c->mapped, dst);
	r = e ? client_res_find_uuid(c, e->resource_id) : NULL;
	return r && r->addr.type == FZ_RESADDR_DNS ? r : NULL;
}

/* --- Gateways --- */

/* --- Resources --- */

static void drop_held(struct client_res *c, struct client_resource *r)
{
	for (size_t i = 0; i < r->n_held; i++)
		c->ops->drop_held(c->ctx, &r->held[i]);
	r->n_held = 0;
}

static void hold(struct client_resource *r, const struct fz_cidr *dst)
{
	for (size_t i = 0; i < r->n_held; i++)
		if (fz_cidr_equal(&r->held[i], dst))
			return;
	if (r->n_held < CLIENT_RES_MAX_HELD)
		r->held[r->n_held++] = *dst;
}

/* Back to NOT_CONNECTED; its gateway keeps what else it serves. */
void client_res_disconnect(struct client_res *c, struct client_resource *r)
{
	struct client_res_gateway *g = r->gw;

	r->gw = NULL;
	r->state = CLIENT_RES_NOT_CONNECTED;
	r->expires_ns = 0;
	r->reask_pending = false;
	r->follows = false;
	for (size_t i = 0; i < r->n_names; i++) {
		r->names[i].active = r->names[i].inactive = false;
		r->names[i].sent_ns = 0;
	}
	if (g)
		client_gw_sync(c, g);
}

static bool prefix_used(const struct client_res *c,
			const struct client_resource *skip,
			const struct fz_cidr *p)
{
	for (size_t i = 0; i < c->n_res; i++)
		if (&c->res[i] != skip && c->res[i].routed &&
		    fz_cidr_equal(&c->res[i].addr.cidr, p))
			return true;
	return false;
}

static void unroute(struct client_res *c, struct client_resource *r)
{
	if (r->routed && !prefix_used(c, r, &r->addr.cidr))
		c->ops->route(c->ctx, &r->addr.cidr, false);
	r->routed = false;
}

static void route(struct client_res *c, struct client_resource *r)
{
	int ret;

	if (r->addr.type == FZ_RESADDR_DNS || r->routed)
		return;
	ret = prefix_used(c, r, &r->addr.cidr) ?
		      0 :
		      c->ops->route(c->ctx, &r->addr.cidr, true);
	if (ret && ret != -EEXIST)
		client_res_say(c, "resource %s: cannot route it: %s", r->name,
			       strerror(-ret));
	else
		r->routed = true;
}

/*
 * Every route again, removed first: they name the tunnel address as
 * their source, and the interface's address changed.
 */
void client_res_reroute(struct client_res *c)
{
	for (size_t i = 0; i < c->n_res; i++) {
		struct client_resource *r = &c->res[i];

		if (!r->routed)
			continue;
		c->ops->route(c->ctx, &r->addr.cidr, false);
		r->routed = false;
	}
	for (size_t i = 0; i < c->n_res; i++)
		route(c, &c->res[i]);
}

/* Everything the resource set up goes; the slot is left to the caller. */
static void undo_resource(struct client_res *c, struct client_resource *r)
{
	drop_held(c, r);
	client_res_disconnect(c, r);
	unroute(c, r);
	if (r->addr.type == FZ_RESADDR_DNS)
		c->ops->dns_remove(c->ctx, r->uuid);
}

static void remove_at(struct client_res *c, size_t i)
{
	client_res_say(c, "resource %s (%s): removed", c->res[i].name,
		       c->res[i].id.s);
	undo_resource(c, &c->res[i]);
	memmove(&c->res[i], &c->res[i + 1],
		(c->n_res - i - 1) * sizeof(c->res[0]));
	c->n_res--;
}

/* Log labels: the portal's free text cut to [A-Za-z0-9._ -]. */
static void label(char out[CLIENT_RES_NAME_MAX + 1], const char *name)
{
	size_t n = 0;

	for (; name && name[n] && n < CLIENT_RES_NAME_MAX; n++) {
		char ch = name[n];
		bool ok = (ch >= 'a' && ch <= 'z') ||
			  (ch >= 'A' && ch <= 'Z') ||
			  (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' ||
			  ch == '_' || ch == ' ';

		out[n] = ok ? ch : '_';
	}
	out[n] = '\0';
}

/* The portal's resource, checked: 0, or -EINVAL with why. */
static int convert(const struct proto_sig_resource *in,
		   struct client_resource *out, const char **why)
{
	memset(out, 0, sizeof(*out));
	if (fz_uuid_parse(in->id.s, out->uuid)) {
		*why = "its id is not a UUID";
		return -EINVAL;
	}
	out->id = in->id;
	label(out->name, in->name);
	if (!in->address ||
	    fz_resaddr_parse(in->type, in->address, &out->addr, why))
		return *why = *why ? *why : "no address", -EINVAL;
	if (in->n_sites > PROTO_SIG_MAX_ARRAY) {
		*why = "too many sites";
		return -EINVAL;
	}
	for (size_t i = 0; i < in->n_sites; i++)
		out->sites[i] = in->sites[i].id;
	out->n_sites = in->n_sites;
	return 0;
}

static int grow(struct client_res *c)
{
	struct client_resource *res;
	size_t cap = c->cap_res ? 2 * c->cap_res : 16;

	if (c->n_res >= CLIENT_RES_MAX)
		return -ENOSPC;
	if (c->n_res < c->cap_res)
		return 0;
	res = realloc(c->res, cap * sizeof(*res));
	if (!res)
		return -ENOMEM;
	c->res = res;
	c->cap_res = cap;
	return 0;
}

static bool same_addr(const struct fz_resaddr *a, const struct fz_resaddr *b)
{
	if (a->type != b->type)
		return false;
	return a->type == FZ_RESADDR_DNS ? !strcmp(a->domain, b->domain) :
					   fz_cidr_equal(&a->cidr, &b->cidr);
}

/* A new resource, or new facts about one we have. */
static int apply(struct client_res *c, const struct client_resource *in)
{
	struct client_resource *r = client_res_find(c, &in->id);
	int ret;

	if (r && same_addr(&r->addr, &in->addr)) {
		r->listed = true;
		memcpy(r->name, in->name, sizeof(r->name));
		memcpy(r->sites, in->sites, sizeof(r->sites));
		r->n_sites = in->n_sites;
		return 0;
	}
	if (r) { /* a new address: nothing of the old one stays */
		client_res_say(c, "resource %s (%s): its address changed",
			       r->name, r->id.s);
		undo_resource(c, r);
		memcpy(r, in, sizeof(*r));
	} else {
		ret = grow(c);
		if (ret)
			return ret;
		r = &c->res[c->n_res++];
		memcpy(r, in, sizeof(*r));
	}
	r->listed = true;
	route(c, r);
	if (r->addr.type == FZ_RESADDR_DNS) {
		ret = c->ops->dns_upsert(c->ctx, r->uuid, r->addr.domain);
		if (ret)
			client_res_say(
				c, "resource %s: the DNS stub refused %s: %s",
				r->name, r->addr.domain, strerror(-ret));
	}
	return 0;
}

void client_res_clear(struct client_res *c)
{
	while (c->n_res)
		remove_at(c, c->n_res - 1);
	while (c->n_gws)
		client_gw_remove(c, c->gws[c->n_gws - 1]);
}

/* --- The portal's messages --- */

int client_res_init(struct client_res *c, const struct proto_sig_client_init *m)
{
	struct client_resource *in;
	const char *why = NULL;
	size_t i, j;
	int ret = 0;

	if (m->n_resources > CLIENT_RES_MAX) {
		client_res_say(
			c, "portal: init refused: %zu resources (at most %d)",
			m->n_resources, CLIENT_RES_MAX);
		return -EINVAL;
	}
	in = calloc(m->n_resources + 1, sizeof(*in));
	if (!in)
		return -ENOMEM;
	for (i = 0; !ret && i < m->n_resources; i++) {
		ret = convert(&m->resources[i], &in[i], &why);
		for (j = 0; !ret && j < i; j++)
			if (client_res_same_id(&in[j].id, &in[i].id))
				why = "listed twice", ret = -EINVAL;
	}
	if (ret) {
		client_res_say(
			c,
			"portal: init refused, nothing changed: resource %zu "
			"(%s): %s",
			i, m->resources[i - 1].id.s, why);
		free(in);
		return ret;
	}
	/* Nothing goes before init_done: the rest may follow as pushes. */
	for (i = 0; i < c->n_res; i++)
		c->res[i].listed = false;
	c->collecting = true;
	for (i = 0; !ret && i < m->n_resources; i++)
		ret = apply(c, &in[i]);
	free(in);
	if (ret)
		client_res_say(c, "portal: init applied in part: %s",
			       strerror(-ret));
	c->initialized = true;
	client_res_say(c, "portal: init: %zu resources", c->n_res);
	return ret;
}

void client_res_init_done(struct client_res *c)
{
	size_t i, gone = 0;

	if (!c->collecting)
		return;
	c->collecting = false;
	for (i = c->n_res; i-- > 0;) {
		if (c->res[i].listed)
			continue;
		remove_at(c, i);
		gone++;
	}
	client_res_say(c, "portal: init complete: %zu resources (%zu gone)",
		       c->n_res, gone);
}

int client_res_upsert(struct client_res *c, const struct proto_sig_resource *r)
{
	struct client_resource in;
	const char *why = NULL;
	int ret = convert(r, &in, &why);

	if (ret) {
		client_res_say(
			c, "portal: resource %s refused, nothing changed: %s",
			r->id.s, why);
		return ret;
	}
	ret = apply(c, &in);
	if (ret == -ENOSPC)
		client_res_say(
			c, "portal: resource %s refused: %d resources already",
			r->id.s, CLIENT_RES_MAX);
	else if (!ret)
		client_res_say(c, "resource %s (%s): %s %s", in.name, in.id.s,
			       fz_resaddr_type_name(in.addr.type), r->address);
	return ret;
}

int client_res_delete(struct client_res *c, const struct proto_sig_id *id)
{
	for (size_t i = 0; i < c->n_res; i++) {
		if (client_res_same_id(&c->res[i].id, id)) {
			remove_at(c, i);
			return 0;
		}
	}
	client_res_say(
		c, "portal: resource_deleted for unknown resource %s; ignored",
		id->s);
	return -EINVAL;
}

/*
 * request_authorization, naming the gateways we have in its sites, or
 * only `only` (asking again: the portal must not move a working resource
 * to another gateway of the site).
 */
static int ask_portal(struct client_res *c, struct client_resource *r,
		      const struct client_res_gateway *only)
{
	struct proto_sig_id connected[CLIENT_RES_MAX_GATEWAYS];
	struct proto_sig_id failed[CLIENT_RES_MAX_FAILED];
	struct proto_sig_request_authorization req = {
		.resource_id = r->id,
		.connected_gateway_ids = connected,
		.failed_gateway_ids = failed,
	};

	client_gw_forget_failed(c, client_res_now(c));
	for (size_t i = 0; i < c->n_gws && only; i++)
		if (c->gws[i] == only)
			connected[req.n_connected_gateway_ids++] = only->id;
	for (size_t i = 0; i < c->n_gws && !only; i++)
		for (size_t s = 0; s < r->n_sites; s++)
			if (client_res_same_id(&c->gws[i]->site_id,
					       &r->sites[s]) &&
			    req.n_connected_gateway_ids < PROTO_SIG_MAX_ARRAY) {
				connected[req.n_connected_gateway_ids++] =
					c->gws[i]->id;
				break;
			}
	for (size_t i = 0; i < c->n_failed; i++)
		failed[req.n_failed_gateway_ids++] = c->failed[i].id;
	return c->ops->request(c->ctx, &req);
}

static int send_request(struct client_res *c, struct client_resource *r)
{
	int ret = ask_portal(c, r, NULL);

	if (ret) {
		client_res_say(
			c,
			"resource %s: cannot ask the portal (%s); refusing its "
			"packets",
			r->name, strerror(-ret));
		drop_held(c, r);
		return ret;
	}
	r->state = CLIENT_RES_CONNECTING;
	r->requested_ns = client_res_now(c);
	client_res_say(c, "resource %s: asking the portal for a gateway",
		       r->name);
	return 0;
}

static bool share_site(const struct client_resource *a,
		       const struct proto_sig_id *site)
{
	for (size_t s = 0; s < a->n_sites; s++)
		if (client_res_same_id(&a->sites[s], site))
			return true;
	return false;
}

/* A resource asking for a site, or one that follows such. */
static bool site_asked(const struct client_res *c,
		       const struct client_resource *r)
{
	for (size_t i = 0; i < c->n_res; i++) {
		const struct client_resource *o = &c->res[i];

		if (o == r || o->state != CLIENT_RES_CONNECTING || o->follows)
			continue;
		for (size_t s = 0; s < r->n_sites; s++)
			if (share_site(o, &r->sites[s]))
				return true;
	}
	return false;
}

/*
 * Asked all at once, the resources of a site could land on different
 * gateways; one of them asks first and the others follow, naming the
 * gateway it gets (the seeds: one gateway per site while it works).
 * Followers are CONNECTING already: their packets are held meanwhile.
 */
void client_res_move(struct client_res *c)
{
	for (size_t i = 0; i < c->n_res; i++) {
		struct client_resource *r = &c->res[i];

		if (!r->moving)
			continue;
		r->moving = false;
		if (site_asked(c, r)) {
			r->state = CLIENT_RES_CONNECTING;
			r->requested_ns = client_res_now(c);
			r->follows = true;
		} else {
			send_request(c, r);
		}
	}
}

/* Someone of site has an answer (g, or none): its followers ask now. */
static void release_followers(struct client_res *c,
			      const struct proto_sig_id *site)
{
	for (size_t i = 0; i < c->n_res; i++) {
		struct client_resource *r = &c->res[i];

		if (r->follows && share_site(r, site)) {
			/* Not connecting, should asking fail. */
			r->follows = false;
			r->state = CLIENT_RES_NOT_CONNECTED;
			send_request(c, r);
		}
	}
}

/* r has its answer (or none will come): every site's followers ask. */
static void release_all(struct client_res *c, const struct client_resource *r)
{
	for (size_t s = 0; s < r->n_sites; s++)
		release_followers(c, &r->sites[s]);
}

/* First ten, then at powers of two: a scan cannot fill the log. */
static void refused_unknown(struct client_res *c, const struct fz_cidr *dst)
{
	char ip[INET6_ADDRSTRLEN];
	uint64_t n = ++c->n_unknown;

	if (n > 10 && (n & (n - 1)))
		return;
	if (!inet_ntop(dst->family, dst->addr, ip, sizeof(ip)))
		snprintf(ip, sizeof(ip), "?");
	client_res_say(
		c,
		"refused packets for %s: no resource has that address (%" PRIu64
		" refused)",
		ip, n);
}

void client_res_unknown_dest(struct client_res *c, const struct fz_cidr *dst)
{
	struct client_resource *r = client_res_match(c, dst);
	const struct client_mapped_entry *e;
	struct client_res_name *n;

	if (!r) {
		c->ops->drop_held(c->ctx, dst);
		refused_unknown(c, dst);
		return;
	}
	if (r->refused_until_ns > client_res_now(c)) {
		c->ops->drop_held(c->ctx, dst);
		return;
	}
	e = r->addr.type == FZ_RESADDR_DNS ?
		    client_mapped_lookup_addr(c->mapped, dst) :
		    NULL;
	n = e ? client_name_add(c, r, e) : NULL;
	switch (r->state) {
	case CLIENT_RES_CONNECTED:
		/*
		 * A name the gateway has not confirmed yet: ask it again. One
		 * it has: the allowed IPs left it out, and it is the newest
		 * now, so they take it (and leave out the least used); the
		 * gateway is told too (AssignedIps again, at most one per
		 * resend interval), or its least used would still be this
		 * name, the first it forgets when it needs room.
		 */
		if (n &&
		    (!n->active || client_res_now(c) - n->sent_ns >=
					   CLIENT_RES_RESEND_MS * NS_PER_MS))
			client_name_send(c, r, n);
		if (!n || n->active)
			client_gw_sync(c, r->gw);
		return;
	case CLIENT_RES_CONNECTING:
		hold(r, dst);
		return;
	default:
		hold(r, dst);
		send_request(c, r);
	}
}

void client_res_prohibited(struct client_res *c, const uint8_t key[FZ_KEY_LEN],
			   const struct fz_cidr *dst)
{
	struct client_resource *r = client_res_match(c, dst);
	uint64_t t = client_res_now(c);
	int ret;

	if (!r || r->state != CLIENT_RES_CONNECTED || !r->gw ||
	    memcmp(r->gw->public_key, key, FZ_KEY_LEN))
		return;
	if (r->reasked_ns &&
	    t - r->reasked_ns < CLIENT_RES_REASK_MS * NS_PER_MS)
		return;
	r->reasked_ns = t;
	ret = ask_portal(c, r, r->gw);
	r->reask_pending = !ret;
	client_res_say(c,
		       "resource %s: gateway %s refused a packet (ICMP "
		       "prohibited); %s%s",
		       r->name, r->gw->id.s,
		       ret ? "cannot ask the portal again: " :
			     "asking the portal again",
		       ret ? strerror(-ret) : "");
}

int client_res_authorized(struct client_res *c,
			  const struct proto_sig_authorization_created *a)
{
	struct client_resource *r = client_res_find(c, &a->resource_id);
	struct fz_cidr held[CLIENT_RES_MAX_HELD];
	struct client_res_gateway *g, *old;
	const char *why = NULL;
	size_t n_held;

	if (!r || client_gw_check_created(a, &why)) {
		client_res_say(c,
			       "portal: authorization for %s refused, nothing "
			       "changed: %s",
			       a->resource_id.s,
			       why ? why : "unknown resource");
		return -EINVAL;
	}
	g = client_gw_get(c, a, &why);
	if (!g) {
		client_res_say(c, "portal: authorization for %s refused: %s",
			       r->name, why);
		return -EINVAL;
	}
	if (r->state == CLIENT_RES_CONNECTED && r->reask_pending && r->gw &&
	    g != r->gw) {
		/*
		 * The answer to a re-ask, through another gateway: the portal
		 * does not see ours just now. The policy still allows the
		 * resource, and the gateway we have works: moving would cut
		 * its flows. The other gateway is dropped if it serves
		 * nothing else.
		 */
		struct proto_sig_id gid = g->id; /* g may go */
		int ret;

		r->reask_pending = false;
		ret = client_gw_sync(c, g);
		client_res_say(c,
			       "resource %s: still allowed (the portal named "
			       "gateway %s); staying with gateway %s",
			       r->name, gid.s, r->gw->id.s);
		return ret ? -EIO : 0;
	}
	old = r->gw;
	r->gw = g;
	r->state = CLIENT_RES_CONNECTED;
	r->reask_pending = false;
	r->follows = false;
	r->expires_ns = (uint64_t)a->expires_at * 1000000000ULL;
	r->refused_until_ns = 0;
	if (old && old != g)
		client_gw_sync(c, old);
	/* fz.ko sends them once the allowed IPs route them. */
	memcpy(held, r->held, sizeof(held));
	n_held = r->n_held;
	r->n_held = 0;
	/* The held mapped IPs' names, known from the stub or not. */
	for (size_t i = 0; r->addr.type == FZ_RESADDR_DNS && i < n_held; i++) {
		const struct client_mapped_entry *e =
			client_mapped_lookup_addr(c->mapped, &held[i]);

		if (e && !memcmp(e->resource_id, r->uuid, FZ_RESOURCE_ID_LEN))
			client_name_add(c, r, e);
	}
	client_res_say(c, "resource %s: via gateway %s (site %s)", r->name,
		       g->id.s, g->site_id.s);
	if (client_gw_sync(c, g)) {
		release_all(c, r);
		return -EIO;
	}
	for (size_t i = 0; i < r->n_names; i++)
		if (!r->names[i].active)
			client_name_send(c, r, &r->names[i]);
	release_all(c, r);
	return 0;
}

int client_res_refused(struct client_res *c,
		       const struct proto_sig_authorization_creation_failed *f)
{
	struct client_resource *r = client_res_find(c, &f->resource_id);

	if (!r) {
		client_res_say(
			c,
			"portal: authorization failed for unknown resource %s",
			f->resource_id.s);
		return -EINVAL;
	}
	if (r->state == CLIENT_RES_CONNECTED && !r->reask_pending) {
		/* Not an answer to anything we asked while connected (a
		 * late answer to an earlier request): nothing to undo. */
		client_res_say(c,
			       "resource %s: a refusal (%s) no request of ours "
			       "is waiting for; ignored",
			       r->name, fail_name(f->reason));
		return 0;
	}
	client_res_say(c, "resource %s: the portal refused access: %s", r->name,
		       fail_name(f->reason));
	r->refused_until_ns =
		client_res_now(c) + CLIENT_RES_NEGATIVE_MS * NS_PER_MS;
	r->refused_why = f->reason;
	drop_held(c, r);
	if (r->state == CLIENT_RES_CONNECTING) {
		r->state = CLIENT_RES_NOT_CONNECTED;
		r->follows = false;
		release_all(c, r);
	}
	/*
	 * Asked again while connected: the access it had is gone, unless the
	 * portal only had no gateway online just then (the one we have still
	 * works until its expiry, as when the portal is down).
	 */
	if (r->state == CLIENT_RES_CONNECTED) {
		r->reask_pending = false;
		if (f->reason != PROTO_SIG_OFFLINE)
			client_res_disconnect(c, r);
		else
			r->refused_until_ns = 0;
	}
	return 0;
}

/* --- The gateways' control packets and the stub --- */

void client_res_tick(struct client_res *c)
{
	uint64_t t = client_res_now(c);

	for (size_t i = 0; i < c->n_res; i++) {
		struct client_resource *r = &c->res[i];

		if (r->state == CLIENT_RES_CONNECTED && r->expires_ns &&
		    t >= r->expires_ns) {
			client_res_say(c,
				       "resource %s: its authorization expired",
				       r->name);
			client_res_disconnect(c, r);
		} else if (r->state == CLIENT_RES_CONNECTING &&
			   t - r->requested_ns >=
				   CLIENT_RES_REQUEST_MS * NS_PER_MS) {
			client_res_say(
				c,
				"resource %s: the portal did not answer; "
				"refusing its packets",
				r->name);
			r->state = CLIENT_RES_NOT_CONNECTED;
			r->follows = false;
			drop_held(c, r);
			release_all(c, r);
		}
		if (r->state == CLIENT_RES_CONNECTED && r->reask_pending &&
		    t - r->reasked_ns >= CLIENT_RES_REQUEST_MS * NS_PER_MS)
			r->reask_pending =
				false; /* unanswered: keep what works */
		if (r->state == CLIENT_RES_CONNECTED)
			client_names_resend(c, r, t);
	}
	client_gw_forget_failed(c, t);
}
