// SPDX-License-Identifier: GPL-2.0
/*
 * The client's resources and gateways; see resources.h. Everything runs
 * on the agent's loop; the ops do the talking.
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
#include "lib/files.h"
#include "lib/values.h"
#include "proto/p2p.h"

#define NS_PER_MS 1000000ULL

static void say(struct client_res *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(struct client_res *c, const char *fmt, ...)
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

static uint64_t now(struct client_res *c)
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

static bool same_id(const struct proto_sig_id *a, const struct proto_sig_id *b)
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
	return c;
}

static void free_gateway(struct client_res_gateway *g)
{
	fz_wipe_free(g, sizeof(*g));
}

void client_res_free(struct client_res *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_gws; i++)
		free_gateway(c->gws[i]);
	free(c->res);
	free(c);
}

/* --- Lookups --- */

struct client_resource *client_res_find(struct client_res *c,
					const struct proto_sig_id *id)
{
	for (size_t i = 0; i < c->n_res; i++)
		if (same_id(&c->res[i].id, id))
			return &c->res[i];
	return NULL;
}

static struct client_resource *find_uuid(struct client_res *c,
					 const uint8_t id[FZ_RESOURCE_ID_LEN])
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
	r = e ? find_uuid(c, e->resource_id) : NULL;
	return r && r->addr.type == FZ_RESADDR_DNS ? r : NULL;
}

static struct client_res_gateway *gw_by_key(const struct client_res *c,
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
		if (same_id(&c->gws[i]->id, id))
			return c->gws[i];
	return NULL;
}

bool client_res_is_gateway(const struct client_res *c,
			   const uint8_t key[FZ_KEY_LEN])
{
	return gw_by_key(c, key) != NULL;
}

/* --- Gateways --- */

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
		if (!memcmp(&out[i], a, sizeof(*a)))
			return n;
	if (n >= max) {
		*full = true;
		return n;
	}
	out[n] = *a;
	return n + 1;
}

size_t client_res_gateway_aips(const struct client_res *c,
			       const struct client_res_gateway *g,
			       struct fz_cidr *out, size_t max)
{
	bool full = false;
	size_t n = 0;

	n = add_aip(out, n, max, &g->ipv4, &full);
	n = add_aip(out, n, max, &g->ipv6, &full);
	for (size_t i = 0; i < c->n_res; i++) {
		const struct client_resource *r = &c->res[i];

		if (r->gw != g)
			continue;
		if (r->addr.type != FZ_RESADDR_DNS) {
			n = add_aip(out, n, max, &r->addr.cidr, &full);
			continue;
		}
		for (size_t k = 0; k < r->n_names; k++) {
			if (!r->names[k].active)
				continue;
			for (size_t j = 0; j < CLIENT_MAPPED_PER_FAMILY; j++) {
				n = add_aip(out, n, max, &r->names[k].e->v4[j],
					    &full);
				n = add_aip(out, n, max, &r->names[k].e->v6[j],
					    &full);
			}
		}
	}
	return n;
}

static void remove_gateway(struct client_res *c, struct client_res_gateway *g)
{
	size_t i;

	for (i = 0; i < c->n_gws && c->gws[i] != g; i++)
		;
	if (i == c->n_gws)
		return;
	if (g->installed)
		c->ops->del_peer(c->ctx, g->public_key);
	say(c, "gateway %s: removed (it serves nothing)", g->id.s);
	c->gws[i] = c->gws[--c->n_gws];
	free_gateway(g);
}

/* fz.ko brought to what g serves now; a gateway serving nothing goes. */
static int gw_sync(struct client_res *c, struct client_res_gateway *g)
{
	struct fz_cidr aips[FZ_MAX_ALLOWEDIPS + 1];
	size_t n;
	int ret;

	if (!serves(c, g)) {
		remove_gateway(c, g);
		return 0;
	}
	n = client_res_gateway_aips(c, g, aips, FZ_MAX_ALLOWEDIPS + 1);
	if (n > FZ_MAX_ALLOWEDIPS) {
		say(c,
		    "gateway %s: more than %d allowed IPs; the last names "
		    "asked are not routed",
		    g->id.s, FZ_MAX_ALLOWEDIPS);
		n = FZ_MAX_ALLOWEDIPS;
	}
	ret = c->ops->set_peer(c->ctx, g, aips, n, !g->installed);
	if (ret) {
		say(c, "gateway %s: cannot set its peer: %s", g->id.s,
		    strerror(-ret));
		return ret;
	}
	g->installed = true;
	return 0;
}

static void forget_failed(struct client_res *c, uint64_t t)
{
	size_t k = 0;

	for (size_t i = 0; i < c->n_failed; i++)
		if (c->failed[i].until_ns > t)
			c->failed[k++] = c->failed[i];
	c->n_failed = k;
}

static void mark_failed(struct client_res *c, const struct proto_sig_id *id)
{
	uint64_t until = now(c) + CLIENT_RES_FAILED_MS * NS_PER_MS;
	size_t i;

	for (i = 0; i < c->n_failed && !same_id(&c->failed[i].id, id); i++)
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
		if (!memcmp(&r->held[i], dst, sizeof(*dst)))
			return;
	if (r->n_held < CLIENT_RES_MAX_HELD)
		r->held[r->n_held++] = *dst;
}

/* Back to NOT_CONNECTED; its gateway keeps what else it serves. */
static void disconnect(struct client_res *c, struct client_resource *r)
{
	struct client_res_gateway *g = r->gw;

	r->gw = NULL;
	r->state = CLIENT_RES_NOT_CONNECTED;
	r->expires_ns = 0;
	for (size_t i = 0; i < r->n_names; i++) {
		r->names[i].active = r->names[i].inactive = false;
		r->names[i].sent_ns = 0;
	}
	if (g)
		gw_sync(c, g);
}

static bool prefix_used(const struct client_res *c,
			const struct client_resource *skip,
			const struct fz_cidr *p)
{
	for (size_t i = 0; i < c->n_res; i++)
		if (&c->res[i] != skip && c->res[i].routed &&
		    !memcmp(&c->res[i].addr.cidr, p, sizeof(*p)))
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
		say(c, "resource %s: cannot route it: %s", r->name,
		    strerror(-ret));
	else
		r->routed = true;
}

/* Everything the resource set up goes; the slot is left to the caller. */
static void undo_resource(struct client_res *c, struct client_resource *r)
{
	drop_held(c, r);
	disconnect(c, r);
	unroute(c, r);
	if (r->addr.type == FZ_RESADDR_DNS)
		c->ops->dns_remove(c->ctx, r->uuid);
}

static void remove_at(struct client_res *c, size_t i)
{
	say(c, "resource %s (%s): removed", c->res[i].name, c->res[i].id.s);
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

/* A new resource, or new facts about one we have. */
static int apply(struct client_res *c, const struct client_resource *in)
{
	struct client_resource *r = client_res_find(c, &in->id);
	int ret;

	if (r && !memcmp(&r->addr, &in->addr, sizeof(in->addr))) {
		memcpy(r->name, in->name, sizeof(r->name));
		memcpy(r->sites, in->sites, sizeof(r->sites));
		r->n_sites = in->n_sites;
		return 0;
	}
	if (r) { /* a new address: nothing of the old one stays */
		say(c, "resource %s (%s): its address changed", r->name,
		    r->id.s);
		undo_resource(c, r);
		memcpy(r, in, sizeof(*r));
	} else {
		ret = grow(c);
		if (ret)
			return ret;
		r = &c->res[c->n_res++];
		memcpy(r, in, sizeof(*r));
	}
	route(c, r);
	if (r->addr.type == FZ_RESADDR_DNS) {
		ret = c->ops->dns_upsert(c->ctx, r->uuid, r->addr.domain);
		if (ret)
			say(c, "resource %s: the DNS stub refused %s: %s",
			    r->name, r->addr.domain, strerror(-ret));
	}
	return 0;
}

void client_res_clear(struct client_res *c)
{
	while (c->n_res)
		remove_at(c, c->n_res - 1);
	while (c->n_gws)
		remove_gateway(c, c->gws[c->n_gws - 1]);
}

/* --- The portal's messages --- */

int client_res_init(struct client_res *c, const struct proto_sig_client_init *m)
{
	struct client_resource *in;
	const char *why = NULL;
	size_t i, j;
	int ret = 0;

	if (m->n_resources > CLIENT_RES_MAX) {
		say(c, "portal: init refused: %zu resources (at most %d)",
		    m->n_resources, CLIENT_RES_MAX);
		return -EINVAL;
	}
	in = calloc(m->n_resources + 1, sizeof(*in));
	if (!in)
		return -ENOMEM;
	for (i = 0; !ret && i < m->n_resources; i++) {
		ret = convert(&m->resources[i], &in[i], &why);
		for (j = 0; !ret && j < i; j++)
			if (same_id(&in[j].id, &in[i].id))
				why = "listed twice", ret = -EINVAL;
	}
	if (ret) {
		say(c,
		    "portal: init refused, nothing changed: resource %zu "
		    "(%s): %s",
		    i, m->resources[i - 1].id.s, why);
		free(in);
		return ret;
	}
	/* Those it no longer lists go first, then the rest is applied. */
	for (i = c->n_res; i-- > 0;) {
		for (j = 0;
		     j < m->n_resources && !same_id(&in[j].id, &c->res[i].id);
		     j++)
			;
		if (j == m->n_resources)
			remove_at(c, i);
	}
	for (i = 0; !ret && i < m->n_resources; i++)
		ret = apply(c, &in[i]);
	free(in);
	if (ret)
		say(c, "portal: init applied in part: %s", strerror(-ret));
	c->initialized = true;
	say(c, "portal: init: %zu resources", c->n_res);
	return ret;
}

int client_res_upsert(struct client_res *c, const struct proto_sig_resource *r)
{
	struct client_resource in;
	const char *why = NULL;
	int ret = convert(r, &in, &why);

	if (ret) {
		say(c, "portal: resource %s refused, nothing changed: %s",
		    r->id.s, why);
		return ret;
	}
	ret = apply(c, &in);
	if (ret == -ENOSPC)
		say(c, "portal: resource %s refused: %d resources already",
		    r->id.s, CLIENT_RES_MAX);
	else if (!ret)
		say(c, "resource %s (%s): %s %s", in.name, in.id.s,
		    fz_resaddr_type_name(in.addr.type), r->address);
	return ret;
}

int client_res_delete(struct client_res *c, const struct proto_sig_id *id)
{
	for (size_t i = 0; i < c->n_res; i++) {
		if (same_id(&c->res[i].id, id)) {
			remove_at(c, i);
			return 0;
		}
	}
	say(c, "portal: resource_deleted for unknown resource %s; ignored",
	    id->s);
	return -EINVAL;
}

static int send_request(struct client_res *c, struct client_resource *r)
{
	struct proto_sig_id connected[CLIENT_RES_MAX_GATEWAYS];
	struct proto_sig_id failed[CLIENT_RES_MAX_FAILED];
	struct proto_sig_request_authorization req = {
		.resource_id = r->id,
		.connected_gateway_ids = connected,
		.failed_gateway_ids = failed,
	};
	int ret;

	forget_failed(c, now(c));
	for (size_t i = 0; i < c->n_gws; i++)
		for (size_t s = 0; s < r->n_sites; s++)
			if (same_id(&c->gws[i]->site_id, &r->sites[s]) &&
			    req.n_connected_gateway_ids < PROTO_SIG_MAX_ARRAY) {
				connected[req.n_connected_gateway_ids++] =
					c->gws[i]->id;
				break;
			}
	for (size_t i = 0; i < c->n_failed; i++)
		failed[req.n_failed_gateway_ids++] = c->failed[i].id;
	ret = c->ops->request(c->ctx, &req);
	if (ret) {
		say(c,
		    "resource %s: cannot ask the portal (%s); refusing its "
		    "packets",
		    r->name, strerror(-ret));
		drop_held(c, r);
		return ret;
	}
	r->state = CLIENT_RES_CONNECTING;
	r->requested_ns = now(c);
	say(c, "resource %s: asking the portal for a gateway", r->name);
	return 0;
}

static struct client_res_name *name_of(struct client_resource *r,
				       const char *name)
{
	for (size_t i = 0; i < r->n_names; i++)
		if (!strcmp(r->names[i].name, name))
			return &r->names[i];
	return NULL;
}

static struct client_res_name *add_name(struct client_res *c,
					struct client_resource *r,
					const struct client_mapped_entry *e)
{
	struct client_res_name *n = name_of(r, e->name);

	if (n)
		return n;
	if (r->n_names == CLIENT_RES_MAX_NAMES) {
		say(c, "resource %s: %s not served: %d names asked already",
		    r->name, e->name, CLIENT_RES_MAX_NAMES);
		return NULL;
	}
	n = &r->names[r->n_names++];
	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", e->name);
	n->e = e;
	return n;
}

static void send_assigned(struct client_res *c, struct client_resource *r,
			  struct client_res_name *n)
{
	uint8_t pkt[FZ_MAX_CONTROL_PAYLOAD];
	struct fz_cidr ips[2 * CLIENT_MAPPED_PER_FAMILY];
	int len, ret;

	if (!r->gw)
		return;
	for (size_t i = 0; i < CLIENT_MAPPED_PER_FAMILY; i++) {
		ips[i] = n->e->v4[i];
		ips[CLIENT_MAPPED_PER_FAMILY + i] = n->e->v6[i];
	}
	len = proto_p2p_encode_assigned_ips(pkt, sizeof(pkt), r->uuid, n->name,
					    ips, 2 * CLIENT_MAPPED_PER_FAMILY);
	ret = len < 0 ? len :
			c->ops->send_control(c->ctx, r->gw->public_key, pkt,
					     (size_t)len);
	if (ret)
		say(c, "resource %s: cannot send AssignedIps for %s: %s",
		    r->name, n->name, strerror(-ret));
	n->sent_ns = now(c);
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
	say(c,
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
	if (r->refused_until_ns > now(c)) {
		c->ops->drop_held(c->ctx, dst);
		return;
	}
	e = r->addr.type == FZ_RESADDR_DNS ?
		    client_mapped_lookup_addr(c->mapped, dst) :
		    NULL;
	n = e ? add_name(c, r, e) : NULL;
	switch (r->state) {
	case CLIENT_RES_CONNECTED:
		/* A name the gateway has not confirmed yet: ask it again. */
		if (n && !n->active)
			send_assigned(c, r, n);
		else if (!n)
			gw_sync(c, r->gw);
		return;
	case CLIENT_RES_CONNECTING:
		hold(r, dst);
		return;
	default:
		hold(r, dst);
		send_request(c, r);
	}
}

static int check_created(const struct proto_sig_authorization_created *a,
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

static struct client_res_gateway *
get_gateway(struct client_res *c,
	    const struct proto_sig_authorization_created *a, const char **why)
{
	struct client_res_gateway *g = gw_by_id(c, &a->gateway_id);
	struct client_res_gateway *k = gw_by_key(c, a->gateway_public_key);

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

int client_res_authorized(struct client_res *c,
			  const struct proto_sig_authorization_created *a)
{
	struct client_resource *r = client_res_find(c, &a->resource_id);
	struct client_res_gateway *g, *old;
	const char *why = NULL;

	if (!r || check_created(a, &why)) {
		say(c,
		    "portal: authorization for %s refused, nothing "
		    "changed: %s",
		    a->resource_id.s, why ? why : "unknown resource");
		return -EINVAL;
	}
	g = get_gateway(c, a, &why);
	if (!g) {
		say(c, "portal: authorization for %s refused: %s", r->name,
		    why);
		return -EINVAL;
	}
	old = r->gw;
	r->gw = g;
	r->state = CLIENT_RES_CONNECTED;
	r->expires_ns = (uint64_t)a->expires_at * 1000000000ULL;
	r->refused_until_ns = 0;
	if (old && old != g)
		gw_sync(c, old);
	/* The held mapped IPs' names, known from the stub or not. */
	for (size_t i = 0; r->addr.type == FZ_RESADDR_DNS && i < r->n_held;
	     i++) {
		const struct client_mapped_entry *e =
			client_mapped_lookup_addr(c->mapped, &r->held[i]);

		if (e && !memcmp(e->resource_id, r->uuid, FZ_RESOURCE_ID_LEN))
			add_name(c, r, e);
	}
	r->n_held = 0; /* fz.ko sends them once the allowed IPs route them */
	say(c, "resource %s: via gateway %s (site %s)", r->name, g->id.s,
	    g->site_id.s);
	if (gw_sync(c, g))
		return -EIO;
	for (size_t i = 0; i < r->n_names; i++)
		if (!r->names[i].active)
			send_assigned(c, r, &r->names[i]);
	return 0;
}

int client_res_refused(struct client_res *c,
		       const struct proto_sig_authorization_creation_failed *f)
{
	struct client_resource *r = client_res_find(c, &f->resource_id);

	if (!r) {
		say(c, "portal: authorization failed for unknown resource %s",
		    f->resource_id.s);
		return -EINVAL;
	}
	say(c, "resource %s: the portal refused access: %s", r->name,
	    fail_name(f->reason));
	r->refused_until_ns = now(c) + CLIENT_RES_NEGATIVE_MS * NS_PER_MS;
	r->refused_why = f->reason;
	drop_held(c, r);
	if (r->state == CLIENT_RES_CONNECTING)
		r->state = CLIENT_RES_NOT_CONNECTED;
	return 0;
}

/* --- The gateways' control packets and the stub --- */

static void goodbye(struct client_res *c, struct client_res_gateway *g)
{
	say(c, "gateway %s said goodbye; its resources will ask again",
	    g->id.s);
	mark_failed(c, &g->id);
	for (size_t i = 0; i < c->n_res; i++)
		if (c->res[i].gw == g) {
			c->res[i].gw = NULL;
			disconnect(c, &c->res[i]);
		}
	remove_gateway(c, g);
}

static void domain_status(struct client_res *c, struct client_res_gateway *g,
			  const struct proto_p2p_msg *m)
{
	struct client_resource *r = find_uuid(c, m->resource);
	struct client_res_name *n = r && r->gw == g ? name_of(r, m->domain) :
						      NULL;

	if (!n) {
		say(c,
		    "gateway %s: DomainStatus for a name not asked of it; "
		    "ignored",
		    g->id.s);
		return;
	}
	if (m->active == n->active && m->active)
		return;
	n->active = m->active;
	n->inactive = !m->active;
	if (m->active) {
		gw_sync(c, g);
		return;
	}
	say(c, "resource %s: the gateway cannot resolve %s", r->name, n->name);
	for (size_t i = 0; i < CLIENT_MAPPED_PER_FAMILY; i++) {
		c->ops->drop_held(c->ctx, &n->e->v4[i]);
		c->ops->drop_held(c->ctx, &n->e->v6[i]);
	}
	gw_sync(c, g);
}

void client_res_control(struct client_res *c, const uint8_t key[FZ_KEY_LEN],
			const uint8_t *pkt, size_t len)
{
	struct client_res_gateway *g = gw_by_key(c, key);
	struct proto_p2p_msg m;
	enum proto_p2p_drop why;

	if (!g) {
		say(c,
		    "control packet from a peer that is no gateway; dropped");
		return;
	}
	why = proto_p2p_decode(pkt, len, &m);
	if (why != PROTO_P2P_OK) {
		say(c, "gateway %s: control packet dropped: %s", g->id.s,
		    proto_p2p_drop_name(why));
		return;
	}
	if (m.event == PROTO_P2P_GOODBYE)
		goodbye(c, g);
	else if (m.event == PROTO_P2P_DOMAIN_STATUS)
		domain_status(c, g, &m);
	else
		say(c, "gateway %s: AssignedIps from a gateway; dropped",
		    g->id.s);
}

void client_res_name_asked(struct client_res *c, const char *name,
			   const uint8_t id[FZ_RESOURCE_ID_LEN],
			   const struct client_mapped_entry *e)
{
	struct client_resource *r = find_uuid(c, id);
	struct client_res_name *n;

	(void)name;
	if (!r || r->addr.type != FZ_RESADDR_DNS || !e)
		return;
	n = add_name(c, r, e);
	if (!n || r->state != CLIENT_RES_CONNECTED)
		return;
	/* The gateway resolves again: the name's addresses may have moved. */
	n->inactive = false;
	send_assigned(c, r, n);
}

void client_res_tick(struct client_res *c)
{
	uint64_t t = now(c);

	for (size_t i = 0; i < c->n_res; i++) {
		struct client_resource *r = &c->res[i];

		if (r->state == CLIENT_RES_CONNECTED && r->expires_ns &&
		    t >= r->expires_ns) {
			say(c, "resource %s: its authorization expired",
			    r->name);
			disconnect(c, r);
		} else if (r->state == CLIENT_RES_CONNECTING &&
			   t - r->requested_ns >=
				   CLIENT_RES_REQUEST_MS * NS_PER_MS) {
			say(c,
			    "resource %s: the portal did not answer; "
			    "refusing its packets",
			    r->name);
			r->state = CLIENT_RES_NOT_CONNECTED;
			drop_held(c, r);
		}
		for (size_t k = 0;
		     r->state == CLIENT_RES_CONNECTED && k < r->n_names; k++) {
			struct client_res_name *n = &r->names[k];

			if (!n->active && !n->inactive &&
			    t - n->sent_ns >= CLIENT_RES_RESEND_MS * NS_PER_MS)
				send_assigned(c, r, n);
		}
	}
	forget_failed(c, t);
}
