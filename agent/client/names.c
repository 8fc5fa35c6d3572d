// SPDX-License-Identifier: GPL-2.0
/*
 * A DNS resource's names on the client (see resources.h): each name
 * asked keeps its mapped IPs, told to the resource's gateway (p2p
 * AssignedIps) until its DomainStatus, and again on each new question;
 * the gateway's control packets (DomainStatus, Goodbye) land here.
 *
 * A resource keeps CLIENT_RES_MAX_NAMES names, as the gateway keeps
 * GW_MAX_DOMAINS per client and resource, and like it forgets the name
 * used least lately for a new one: a wildcard resource serves the names
 * asked now, not only the first ones for the agent's life. A name is
 * used when asked (a question, a held packet) and when its gateway
 * confirms it: the gateway's order is that of its confirmations, so the
 * two forget the same name. A forgotten name keeps its mapped IPs (they
 * are the name's for the agent's life, and count against its wildcard's
 * cap once): asked again, it comes back with them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "resources.h"
#include "resources_int.h"
#include "proto/p2p.h"

static struct client_res_name *name_of(struct client_resource *r,
				       const char *name)
{
	for (size_t i = 0; i < r->n_names; i++)
		if (!strcmp(r->names[i].name, name))
			return &r->names[i];
	return NULL;
}

static void use(struct client_res *c, struct client_res_name *n)
{
	n->used = ++c->uses;
}

static bool is_ip_of(const struct client_mapped_entry *e,
		     const struct fz_cidr *ip)
{
	for (size_t i = 0; i < CLIENT_MAPPED_PER_FAMILY; i++)
		if (fz_cidr_equal(&e->v4[i], ip) ||
		    fz_cidr_equal(&e->v6[i], ip))
			return true;
	return false;
}

/*
 * The name used least lately goes: its packets held in fz.ko are refused
 * (nothing would ever release them: it is asked of no gateway now), and
 * a gateway that routed its addresses stops.
 */
static void forget_oldest(struct client_res *c, struct client_resource *r)
{
	struct client_res_name *n = &r->names[0];
	size_t kept = 0;
	uint64_t count;
	bool active;

	for (size_t i = 1; i < r->n_names; i++)
		if (r->names[i].used < n->used)
			n = &r->names[i];
	active = n->active;
	for (size_t i = 0; i < CLIENT_MAPPED_PER_FAMILY; i++) {
		c->ops->drop_held(c->ctx, &n->e->v4[i]);
		c->ops->drop_held(c->ctx, &n->e->v6[i]);
	}
	for (size_t i = 0; i < r->n_held; i++)
		if (!is_ip_of(n->e, &r->held[i]))
			r->held[kept++] = r->held[i];
	r->n_held = kept;
	count = ++c->n_forgotten;
	if (count <= 10 || !(count & (count - 1)))
		client_res_say(c,
			       "resource %s: %s forgotten for a newer name "
			       "(%d at most; %" PRIu64 " forgotten)",
			       r->name, n->name, CLIENT_RES_MAX_NAMES, count);
	*n = r->names[--r->n_names];
	if (active && r->gw) /* its addresses may be allowed */
		client_gw_sync(c, r->gw);
}

struct client_res_name *client_name_add(struct client_res *c,
					struct client_resource *r,
					const struct client_mapped_entry *e)
{
	struct client_res_name *n = name_of(r, e->name);

	if (n) {
		use(c, n);
		return n;
	}
	if (r->n_names == CLIENT_RES_MAX_NAMES)
		forget_oldest(c, r);
	n = &r->names[r->n_names++];
	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", e->name);
	n->e = e;
	use(c, n);
	return n;
}

void client_name_send(struct client_res *c, struct client_resource *r,
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
		client_res_say(
			c, "resource %s: cannot send AssignedIps for %s: %s",
			r->name, n->name, strerror(-ret));
	n->sent_ns = client_res_now(c);
}

static void domain_status(struct client_res *c, struct client_res_gateway *g,
			  const struct proto_p2p_msg *m)
{
	struct client_resource *r = client_res_find_uuid(c, m->resource);
	struct client_res_name *n = r && r->gw == g ? name_of(r, m->domain) :
						      NULL;

	if (!n) {
		client_res_say(
			c,
			"gateway %s: DomainStatus for a name not asked of it; "
			"ignored",
			g->id.s);
		return;
	}
	if (m->active)
		use(c, n); /* the gateway's newest now */
	if (m->active == n->active && m->active)
		return;
	n->active = m->active;
	n->inactive = !m->active;
	if (m->active) {
		client_gw_sync(c, g);
		return;
	}
	client_res_say(c, "resource %s: the gateway cannot resolve %s", r->name,
		       n->name);
	for (size_t i = 0; i < CLIENT_MAPPED_PER_FAMILY; i++) {
		c->ops->drop_held(c->ctx, &n->e->v4[i]);
		c->ops->drop_held(c->ctx, &n->e->v6[i]);
	}
	client_gw_sync(c, g);
}

void client_res_control(struct client_res *c, const uint8_t key[FZ_KEY_LEN],
			const uint8_t *pkt, size_t len)
{
	struct client_res_gateway *g = client_gw_by_key(c, key);
	struct proto_p2p_msg m;
	enum proto_p2p_drop why;

	if (!g) {
		client_res_say(
			c,
			"control packet from a peer that is no gateway; dropped");
		return;
	}
	why = proto_p2p_decode(pkt, len, &m);
	if (why != PROTO_P2P_OK) {
		client_res_say(c, "gateway %s: control packet dropped: %s",
			       g->id.s, proto_p2p_drop_name(why));
		return;
	}
	if (m.event == PROTO_P2P_GOODBYE)
		client_gw_goodbye(c, g);
	else if (m.event == PROTO_P2P_DOMAIN_STATUS)
		domain_status(c, g, &m);
	else
		client_res_say(
			c, "gateway %s: AssignedIps from a gateway; dropped",
			g->id.s);
}

void client_res_name_asked(struct client_res *c, const char *name,
			   const uint8_t id[FZ_RESOURCE_ID_LEN],
			   const struct client_mapped_entry *e)
{
	struct client_resource *r = client_res_find_uuid(c, id);
	struct client_res_name *n;

	(void)name;
	if (!r || r->addr.type != FZ_RESADDR_DNS || !e)
		return;
	n = client_name_add(c, r, e);
	if (!n || r->state != CLIENT_RES_CONNECTED)
		return;
	/* The gateway resolves again: the name's addresses may have moved. */
	n->inactive = false;
	client_name_send(c, r, n);
}

/* AssignedIps again for names the gateway has not answered. */
void client_names_resend(struct client_res *c, struct client_resource *r,
			 uint64_t t)
{
	for (size_t k = 0; k < r->n_names; k++) {
		struct client_res_name *n = &r->names[k];

		if (!n->active && !n->inactive &&
		    t - n->sent_ns >= CLIENT_RES_RESEND_MS * NS_PER_MS)
			client_name_send(c, r, n);
	}
}
