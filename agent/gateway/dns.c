// SPDX-License-Identifier: GPL-2.0
/*
 * The gateway's side of the p2p control conversation, and its audit log.
 *
 * A client that resolves a DNS resource's name picks proxy ("mapped")
 * IPs for it and tells the gateway with AssignedIps. The gateway resolves
 * the name itself (off the loop, see resolve.h), maps the proxy IPs
 * round-robin onto the answers of the same family, installs the maps and
 * answers DomainStatus. Anything a client sends that does not fit is
 * dropped and counted; nothing it sends can make the agent do more than
 * one resolution per name and 30 seconds, or have more than
 * GW_MAX_LOOKUPS_PER_CLIENT of the resolver's workers at once.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway_int.h"
#include "lib/cidr.h"
#include "lib/keys.h"

/* First ten of each reason, then at powers of two: a flood cannot fill
 * the log, and the counts still show how much there was. */
static bool worth_logging(uint64_t count)
{
	return count <= 10 || !(count & (count - 1));
}

static void drop(struct gateway *gw, const uint8_t *key,
		 enum proto_p2p_drop why)
{
	char id[FZ_KEY_B64_LEN + 1];
	uint64_t n = ++gw->drops[why];

	if (!worth_logging(n))
		return;
	fz_key_to_base64(id, key);
	gw_log(gw, "dropped control packet from %s: %s (%" PRIu64 " dropped)",
	       id, proto_p2p_drop_name(why), n);
}

uint64_t gw_drops(const struct gateway *gw, enum proto_p2p_drop reason)
{
	return reason < PROTO_P2P_DROP_MAX ? gw->drops[reason] : 0;
}

int gw_send_goodbye(struct gateway *gw, const uint8_t key[FZ_KEY_LEN])
{
	uint8_t pkt[PROTO_P2P_HEADER_LEN];
	int len = proto_p2p_encode_goodbye(pkt, sizeof(pkt));

	return gw->ops->send_control(gw->ctx, key, pkt, (size_t)len);
}

/* --- Mapping --- */

void gw_map_round_robin(const struct fz_cidr *proxy, size_t n,
			const struct proto_resolve_result *r,
			struct fz_cidr *real, bool *has_real)
{
	size_t k4 = 0, k6 = 0;

	for (size_t i = 0; i < n; i++) {
		bool v4 = proxy[i].family == AF_INET;
		size_t answers = v4 ? r->n4 : r->n6;
		size_t k = v4 ? k4++ : k6++;

		has_real[i] = answers > 0;
		if (answers)
			real[i] = v4 ? r->v4[k % answers] : r->v6[k % answers];
	}
}

struct refused_range {
	uint16_t family;
	uint8_t prefix[16];
	unsigned int bits;
	const char *why;
};

static const struct refused_range refused[] = {
	{ AF_INET, { 0 }, 8, "unspecified" },
	{ AF_INET, { 127 }, 8, "loopback" },
	{ AF_INET, { 169, 254 }, 16, "link-local" },
	{ AF_INET, FZ_RANGE_ALL_V4, FZ_RANGE_ALL_V4_LEN,
	  "in the tunnel or mapped range" },
	{ AF_INET, { 224 }, 4, "multicast" },
	{ AF_INET, { 240 }, 4, "reserved or broadcast" },
	{ AF_INET6, { 0 }, 128, "unspecified" },
	{ AF_INET6, { [15] = 1 }, 128, "loopback" },
	{ AF_INET6, { 0xfe, 0x80 }, 10, "link-local" },
	{ AF_INET6, { 0xff }, 8, "multicast" },
	{ AF_INET6, { [10] = 0xff, [11] = 0xff }, 96, "IPv4-mapped" },
	{ AF_INET6, { 0x00, 0x64, 0xff, 0x9b }, 96, "NAT64 (an IPv4 host)" },
	{ AF_INET6,
	  { 0x00, 0x64, 0xff, 0x9b, 0x00, 0x01 },
	  48,
	  "NAT64 (an IPv4 host)" },
	{ AF_INET6,
	  { 0xfd, 0x00, 0x0e, 0xc2, [14] = 0x02, [15] = 0x54 },
	  128,
	  "a cloud metadata service" },
	{ AF_INET6, FZ_RANGE_TUNNEL_V6, FZ_RANGE_TUNNEL_V6_LEN,
	  "in the tunnel range" },
	{ AF_INET6, FZ_RANGE_MAPPED_V6, FZ_RANGE_MAPPED_V6_LEN,
	  "in the mapped range" },
};

const char *gw_map_target_refused(const struct fz_cidr *ip)
{
	for (size_t i = 0; i < sizeof(refused) / sizeof(*refused); i++)
		if (refused[i].family == ip->family &&
		    fz_cidr_in(ip, refused[i].prefix, refused[i].bits))
			return refused[i].why;
	return NULL;
}

/*
 * Only what may be a translation target stays in r; each address left
 * out is logged (a name that points at the gateway is worth knowing).
 */
static void filter_answer(struct gateway *gw, const uint8_t *key,
			  const char *name, struct proto_resolve_result *r)
{
	struct fz_cidr *lists[2] = { r->v4, r->v6 };
	size_t *counts[2] = { &r->n4, &r->n6 };
	char id[FZ_KEY_B64_LEN + 1], text[INET6_ADDRSTRLEN];

	for (size_t f = 0; f < 2; f++) {
		size_t kept = 0;

		for (size_t i = 0; i < *counts[f]; i++) {
			const struct fz_cidr *ip = &lists[f][i];
			const char *why = gw_map_target_refused(ip);

			if (!why && gw->ops->is_own_addr &&
			    gw->ops->is_own_addr(gw->ctx, ip))
				why = "an address of this gateway";
			if (!why) {
				lists[f][kept++] = *ip;
				continue;
			}
			fz_key_to_base64(id, key);
			inet_ntop(ip->family, ip->addr, text, sizeof(text));
			gw_log(gw,
			       "client %s: %s resolved to %s, which is %s: "
			       "not mapped",
			       id, name, text, why);
		}
		*counts[f] = kept;
	}
}

static bool same_ip(const struct fz_cidr *a, const struct fz_cidr *b)
{
	return a->family == b->family && !memcmp(a->addr, b->addr, 16);
}

static bool contains(const struct fz_cidr *list, size_t n,
		     const struct fz_cidr *ip)
{
	for (size_t i = 0; i < n; i++)
		if (same_ip(&list[i], ip))
			return true;
	return false;
}

static struct gw_domain *find_domain(struct gw_authz *a, const char *name)
{
	for (size_t i = 0; i < a->n_domains; i++)
		if (!strcmp(a->domains[i].name, name))
			return &a->domains[i];
	return NULL;
}

/*
 * The newest name goes last; when full, the oldest name's maps go.
 * NULL: out of memory for a new name.
 */
static struct gw_domain *claim_domain(struct gateway *gw, struct gw_peer *p,
				      struct gw_authz *a, const char *name)
{
	struct gw_domain *d = find_domain(a, name), *grown;
	struct gw_domain keep;

	if (d) {
		keep = *d;
		memmove(d, d + 1,
			(size_t)(&a->domains[a->n_domains] - (d + 1)) *
				sizeof(*d));
		a->domains[a->n_domains - 1] = keep;
		return &a->domains[a->n_domains - 1];
	}
	if (a->n_domains == GW_MAX_DOMAINS) {
		for (size_t i = 0; i < a->domains[0].n_proxy; i++)
			gw->ops->del_dns_map(gw->ctx, p->client->public_key,
					     &a->domains[0].proxy[i]);
		memmove(a->domains, a->domains + 1,
			(GW_MAX_DOMAINS - 1) * sizeof(*a->domains));
		a->n_domains--;
	} else {
		grown = realloc(a->domains,
				(a->n_domains + 1) * sizeof(*a->domains));
		if (!grown)
			return NULL;
		a->domains = grown;
	}
	d = &a->domains[a->n_domains++];
	memset(d, 0, sizeof(*d));
	strcpy(d->name, name);
	return d;
}

/* A proxy IP moved to another name or resource is no longer the old's. */
static void release_elsewhere(struct gw_peer *p, const struct gw_domain *keep,
			      const struct fz_cidr *ip)
{
	for (size_t i = 0; i < p->n_authz; i++)
		for (size_t k = 0; k < p->authz[i].n_domains; k++) {
			struct gw_domain *d = &p->authz[i].domains[k];
			size_t kept = 0;

			if (d == keep)
				continue;
			for (size_t j = 0; j < d->n_proxy; j++)
				if (!same_ip(&d->proxy[j], ip))
					d->proxy[kept++] = d->proxy[j];
			d->n_proxy = kept;
		}
}

static void format_ips(char *out, size_t len, const struct fz_cidr *ips,
		       size_t n)
{
	char ip[INET6_ADDRSTRLEN];
	size_t off = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && off < len; i++) {
		inet_ntop(ips[i].family, ips[i].addr, ip, sizeof(ip));
		off += (size_t)snprintf(out + off, len - off, "%s%s",
					i ? "," : "", ip);
	}
	if (!n)
		snprintf(out, len, "none");
}

/* Installs the maps of one name; returns how many have a real address. */
static size_t install_maps(struct gateway *gw, struct gw_peer *p,
			   struct gw_authz *a, struct gw_domain *d,
			   const struct proto_p2p_msg *m,
			   const struct proto_resolve_result *r)
{
	const uint8_t *key = p->client->public_key;
	struct fz_cidr real[PROTO_P2P_MAX_PROXY_IPS];
	bool has_real[PROTO_P2P_MAX_PROXY_IPS];
	size_t mapped = 0;

	for (size_t i = 0; i < d->n_proxy; i++)
		if (!contains(m->proxy_ips, m->n_proxy_ips, &d->proxy[i]))
			gw->ops->del_dns_map(gw->ctx, key, &d->proxy[i]);
	gw_map_round_robin(m->proxy_ips, m->n_proxy_ips, r, real, has_real);
	for (size_t i = 0; i < m->n_proxy_ips; i++) {
		release_elsewhere(p, d, &m->proxy_ips[i]);
		if (has_real[i] &&
		    !gw->ops->set_dns_map(gw->ctx, key, a->res->id,
					  &m->proxy_ips[i], &real[i]))
			mapped++;
		else if (!has_real[i] &&
			 contains(d->proxy, d->n_proxy, &m->proxy_ips[i]))
			gw->ops->del_dns_map(gw->ctx, key, &m->proxy_ips[i]);
	}
	memcpy(d->proxy, m->proxy_ips, sizeof(d->proxy));
	d->n_proxy = m->n_proxy_ips;
	return mapped;
}

static void answer(struct gateway *gw, const uint8_t *key,
		   const struct proto_p2p_msg *m, bool active)
{
	uint8_t pkt[FZ_MAX_CONTROL_PAYLOAD];
	int len = proto_p2p_encode_domain_status(pkt, sizeof(pkt), m->resource,
						 m->domain, active);
	char id[FZ_KEY_B64_LEN + 1];
	int ret = len < 0 ?
			  len :
			  gw->ops->send_control(gw->ctx, key, pkt, (size_t)len);

	if (ret) {
		fz_key_to_base64(id, key);
		gw_log(gw, "cannot send DomainStatus for %s to %s: %s",
		       m->domain, id, strerror(-ret));
	}
}

static void log_mapping(struct gateway *gw, const uint8_t *key,
			const struct proto_p2p_msg *m,
			const struct proto_resolve_result *r, bool cached,
			size_t mapped)
{
	char id[FZ_KEY_B64_LEN + 1], v4[160], v6[400], proxy[400];

	fz_key_to_base64(id, key);
	format_ips(v4, sizeof(v4), r->v4, r->n4);
	format_ips(v6, sizeof(v6), r->v6, r->n6);
	format_ips(proxy, sizeof(proxy), m->proxy_ips, m->n_proxy_ips);
	gw_log(gw,
	       "client %s: %s resolved%s to IPv4 %s, IPv6 %s; %zu of proxy "
	       "IPs %s mapped",
	       id, m->domain, cached ? " (cached)" : "", v4, v6, mapped, proxy);
}

static enum proto_p2p_drop check_assigned(struct gw_peer *p,
					  const struct proto_p2p_msg *m)
{
	struct gw_authz *a = gw_find_authz(p, m->resource);

	if (!a)
		return PROTO_P2P_DROP_UNAUTHORIZED;
	if (a->res->type != PROTO_AUTH_RES_DNS)
		return PROTO_P2P_DROP_NOT_DNS;
	if (!fz_domain_matches(a->res->domain, m->domain))
		return PROTO_P2P_DROP_DOMAIN_MISMATCH;
	return PROTO_P2P_OK;
}

/*
 * The client, its authorization or the resource's address may have
 * changed while we resolved (a reload, the portal): the request is
 * checked again as it arrived, or a name the resource no longer covers
 * would be mapped.
 */
static void apply_answer(struct gateway *gw, const uint8_t *key,
			 const struct proto_p2p_msg *m,
			 const struct proto_resolve_result *res, bool cached)
{
	struct gw_peer *p = gw_find_peer(gw, key);
	enum proto_p2p_drop why = p ? check_assigned(p, m) :
				      PROTO_P2P_DROP_UNAUTHORIZED;
	struct proto_resolve_result filtered, *r = NULL;
	struct gw_authz *a;
	struct gw_domain *d;
	size_t mapped = 0;
	int ret;

	if (why) {
		drop(gw, key, why);
		return;
	}
	a = gw_find_authz(p, m->resource);
	if (res) {
		filtered = *res;
		r = &filtered;
		filter_answer(gw, key, m->domain, r);
	}
	if (r) {
		d = claim_domain(gw, p, a, m->domain);
		if (!d) {
			gw_log(gw, "cannot map %s: out of memory", m->domain);
			r = NULL; /* answered as not active */
		}
	}
	if (r) {
		mapped = install_maps(gw, p, a, d, m, r);
		ret = gw_push_resource(gw, p, a);
		if (ret)
			gw_log(gw, "cannot update resource %s: %s",
			       a->res->name, strerror(-ret));
		log_mapping(gw, key, m, r, cached, mapped);
	}
	answer(gw, key, m, r && (r->n4 || r->n6));
}

/* --- Resolution --- */

static void unlink_pending(struct gateway *gw, struct gw_pending *pd)
{
	struct gw_pending **pp = &gw->pending;

	while (*pp && *pp != pd)
		pp = &(*pp)->next;
	if (*pp)
		*pp = pd->next;
}

static void on_resolved(void *arg, const struct proto_resolve_result *r,
			int err, bool cached)
{
	struct gw_pending *pd = arg;
	struct gateway *gw = pd->gw;
	char id[FZ_KEY_B64_LEN + 1];

	if (gw) {
		unlink_pending(gw, pd);
		if (!r) {
			fz_key_to_base64(id, pd->key);
			gw_log(gw, "client %s: cannot resolve %s: %s", id,
			       pd->msg.domain, strerror(err < 0 ? -err : err));
		}
		apply_answer(gw, pd->key, &pd->msg, r, cached);
	}
	free(pd);
}

void gw_dns_detach(struct gateway *gw)
{
	for (struct gw_pending *pd = gw->pending; pd; pd = pd->next)
		pd->gw = NULL;
	gw->pending = NULL;
}

static void resolve(struct gateway *gw, const uint8_t *key,
		    const struct proto_p2p_msg *m)
{
	struct gw_pending *pd = calloc(1, sizeof(*pd));
	int ret;

	if (!pd) {
		answer(gw, key, m, false);
		return;
	}
	pd->gw = gw;
	memcpy(pd->key, key, FZ_KEY_LEN);
	pd->msg = *m;
	pd->next = gw->pending;
	gw->pending = pd;
	ret = gw->ops->resolve(gw->ctx, m->domain, on_resolved, pd);
	if (ret) {
		unlink_pending(gw, pd);
		free(pd);
		answer(gw, key, m, false);
	}
}

static size_t lookups_of(const struct gateway *gw, const uint8_t *key)
{
	size_t n = 0;

	for (const struct gw_pending *pd = gw->pending; pd; pd = pd->next)
		n += !memcmp(pd->key, key, FZ_KEY_LEN);
	return n;
}

/* --- Control packets --- */

void gw_on_control(struct gateway *gw, const uint8_t key[FZ_KEY_LEN],
		   const uint8_t *packet, size_t len)
{
	struct gw_peer *p = gw_find_peer(gw, key);
	char id[FZ_KEY_B64_LEN + 1];
	enum proto_p2p_drop why;
	struct proto_p2p_msg m;

	why = p ? proto_p2p_decode(packet, len, &m) :
		  PROTO_P2P_DROP_UNKNOWN_CLIENT;
	if (!why && m.event == PROTO_P2P_DOMAIN_STATUS)
		why = PROTO_P2P_DROP_UNEXPECTED;
	if (!why && m.event == PROTO_P2P_ASSIGNED_IPS)
		why = check_assigned(p, &m);
	if (!why && m.event == PROTO_P2P_ASSIGNED_IPS &&
	    lookups_of(gw, key) >= GW_MAX_LOOKUPS_PER_CLIENT)
		why = PROTO_P2P_DROP_TOO_MANY_LOOKUPS;
	if (why) {
		drop(gw, key, why);
		return;
	}
	fz_key_to_base64(id, key);
	if (m.event == PROTO_P2P_GOODBYE) {
		gw_log(gw, "client %s said goodbye", id);
		return;
	}
	gw_log(gw, "client %s assigned %zu proxy IPs to %s", id, m.n_proxy_ips,
	       m.domain);
	resolve(gw, key, &m);
}

/* --- Audit --- */

static const char *reason_name(uint32_t reason)
{
	switch (reason) {
	case FZ_REASON_NOT_AUTHORIZED:
		return "not authorized";
	case FZ_REASON_FILTERED:
		return "filtered";
	case FZ_REASON_EXPIRED:
		return "expired";
	case FZ_REASON_CLIENT_TO_CLIENT:
		return "client to client";
	default:
		return "denied";
	}
}

static void format_proto(char out[16], uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		snprintf(out, 16, "tcp");
		break;
	case IPPROTO_UDP:
		snprintf(out, 16, "udp");
		break;
	case IPPROTO_ICMP:
		snprintf(out, 16, "icmp");
		break;
	case IPPROTO_ICMPV6:
		snprintf(out, 16, "icmpv6");
		break;
	default:
		snprintf(out, 16, "proto %u", proto);
	}
}

/* "1.2.3.4:80", "[fd00::1]:80", or the bare address without ports. */
static void format_end(char *out, size_t len, const struct fzk_event_flow *f,
		       const uint8_t *addr, uint16_t port)
{
	char ip[INET6_ADDRSTRLEN];
	bool v6 = f->family == AF_INET6;

	inet_ntop(f->family, addr, ip, sizeof(ip));
	if (!f->has_ports)
		snprintf(out, len, "%s", ip);
	else
		snprintf(out, len, v6 ? "[%s]:%u" : "%s:%u", ip, port);
}

void gw_on_denied_flow(struct gateway *gw, const struct fzk_event *ev)
{
	const struct fzk_event_flow *f = &ev->flow;
	char id[FZ_KEY_B64_LEN + 1], proto[16], src[64], dst[64];

	fz_key_to_base64(id, ev->peer_key);
	format_proto(proto, f->proto);
	format_end(src, sizeof(src), f, f->saddr, f->sport);
	format_end(dst, sizeof(dst), f, f->daddr, f->dport);
	gw_log(gw, "denied flow: client %s %s %s -> %s: %s", id, proto, src,
	       dst, reason_name(ev->reason));
}
