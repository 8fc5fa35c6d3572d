// SPDX-License-Identifier: GPL-2.0
/*
 * The portal's gateway messages as struct proto_auth; see gw_portal.h.
 * Every check happens before anything is kept, so an error leaves the
 * output as empty as it was given.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "gw_portal.h"
#include "lib/keys.h"
#include "lib/values.h"

#define NS_PER_S 1000000000ULL

static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

static bool is_host(const struct fz_cidr *c, int family)
{
	return c->family == family && c->cidr == (family == AF_INET ? 32 : 128);
}

static int check_tunnel_ip(const struct fz_cidr *c, int family,
			   const char *what, char *err, size_t errlen)
{
	if (!is_host(c, family) || !fz_cidr_in_tunnel(c))
		return fail(err, errlen, -EINVAL, "%s: not one address in %s",
			    what,
			    family == AF_INET ? FZ_RANGE_TUNNEL_V4_TEXT :
						FZ_RANGE_TUNNEL_V6_TEXT);
	return 0;
}

int proto_auth_client_from_sig(const struct proto_sig_peer *p,
			       struct proto_auth_client *out, char *err,
			       size_t errlen)
{
	int ret;

	memset(out, 0, sizeof(*out));
	if (fz_uuid_parse(p->id.s, out->portal_id))
		return fail(err, errlen, -EINVAL, "client.id: not a UUID");
	if (sodium_is_zero(p->public_key, FZ_KEY_LEN))
		return fail(err, errlen, -EINVAL,
			    "client.public_key: all zero, not a key");
	if (fz_key_is_low_order(p->public_key))
		return fail(err, errlen, -EINVAL, "client.public_key: %s",
			    FZ_KEY_LOW_ORDER_WHY);
	ret = check_tunnel_ip(&p->ipv4, AF_INET, "client.ipv4", err, errlen);
	if (!ret)
		ret = check_tunnel_ip(&p->ipv6, AF_INET6, "client.ipv6", err,
				      errlen);
	if (ret) {
		memset(out, 0, sizeof(*out));
		return ret;
	}
	out->has_portal_id = true;
	memcpy(out->public_key, p->public_key, FZ_KEY_LEN);
	out->has_preshared_key = !sodium_is_zero(p->preshared_key, FZ_KEY_LEN);
	memcpy(out->preshared_key, p->preshared_key, FZ_KEY_LEN);
	out->tunnel_ips[0] = p->ipv4;
	out->tunnel_ips[1] = p->ipv6;
	out->n_tunnel_ips = 2;
	return 0;
}

int proto_auth_filters_check(const struct fz_filter *f, size_t n, char *err,
			     size_t errlen)
{
	if (n > FZ_MAX_FILTERS)
		return fail(err, errlen, -EINVAL, "filters: more than %d",
			    FZ_MAX_FILTERS);
	for (size_t i = 0; i < n; i++) {
		bool ports = f[i].proto == FZ_FILTER_TCP ||
			     f[i].proto == FZ_FILTER_UDP;

		if (!ports && f[i].proto != FZ_FILTER_ICMP)
			return fail(err, errlen, -EINVAL,
				    "filters[%zu]: unknown protocol %u", i,
				    f[i].proto);
		if (ports ? !f[i].port_start ||
				    f[i].port_end < f[i].port_start :
			    f[i].port_start || f[i].port_end)
			return fail(err, errlen, -EINVAL,
				    "filters[%zu]: invalid port range %u-%u", i,
				    f[i].port_start, f[i].port_end);
	}
	return 0;
}

/* A label for the log: the portal's names are free text. */
static void label(char out[PROTO_AUTH_NAME_MAX + 1], const char *name,
		  const char *uuid)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz"
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
	size_t n = 0;

	for (; name && name[n] && n < PROTO_AUTH_NAME_MAX; n++)
		out[n] = strchr(ok, name[n]) ? name[n] : '_';
	out[n] = '\0';
	if (!n)
		snprintf(out, PROTO_AUTH_NAME_MAX + 1, "%s", uuid);
}

int proto_auth_resource_from_sig(const struct proto_sig_resource *r,
				 struct proto_auth_resource *out, char *err,
				 size_t errlen)
{
	struct fz_resaddr addr;
	const char *why;
	int ret;

	memset(out, 0, sizeof(*out));
	if (fz_uuid_parse(r->id.s, out->id))
		return fail(err, errlen, -EINVAL, "resource.id: not a UUID");
	if (!r->address || fz_resaddr_parse(r->type, r->address, &addr, &why)) {
		memset(out, 0, sizeof(*out));
		return fail(err, errlen, -EINVAL,
			    "resource %s: invalid address: %s", r->id.s,
			    r->address ? why : "missing");
	}
	ret = proto_auth_filters_check(r->filters, r->n_filters, err, errlen);
	if (ret) {
		memset(out, 0, sizeof(*out));
		return ret;
	}
	label(out->name, r->name, r->id.s);
	out->type = (enum proto_auth_resource_type)addr.type;
	memcpy(out->domain, addr.domain, sizeof(out->domain));
	out->cidr = addr.cidr;
	memcpy(out->filters, r->filters, r->n_filters * sizeof(*r->filters));
	out->n_filters = r->n_filters;
	return 0;
}

int proto_auth_expiry_from_sig(int64_t expires_at, uint64_t now_ns,
			       uint64_t *out, char *err, size_t errlen)
{
	*out = 0;
	if (expires_at < 1 || expires_at > PROTO_SIG_MAX_TIME ||
	    (uint64_t)expires_at * NS_PER_S > FZ_EXPIRY_MAX_NS)
		return fail(err, errlen, -EINVAL,
			    "expires_at %lld: out of range",
			    (long long)expires_at);
	if ((uint64_t)expires_at * NS_PER_S <= now_ns)
		return fail(err, errlen, -ETIME, "already expired");
	*out = (uint64_t)expires_at * NS_PER_S;
	return 0;
}

int proto_auth_interface_check(const struct proto_sig_interface *i, char *err,
			       size_t errlen)
{
	int ret = check_tunnel_ip(&i->ipv4, AF_INET, "interface.ipv4", err,
				  errlen);

	return ret ? ret :
		     check_tunnel_ip(&i->ipv6, AF_INET6, "interface.ipv6", err,
				     errlen);
}

/* --- Comparing and finding --- */

bool proto_auth_same_client(const struct proto_auth_client *a,
			    const struct proto_auth_client *b)
{
	if (memcmp(a->public_key, b->public_key, FZ_KEY_LEN) ||
	    a->has_preshared_key != b->has_preshared_key ||
	    (a->has_preshared_key &&
	     sodium_memcmp(a->preshared_key, b->preshared_key, FZ_KEY_LEN)) ||
	    a->has_portal_id != b->has_portal_id ||
	    memcmp(a->portal_id, b->portal_id, FZ_RESOURCE_ID_LEN) ||
	    a->n_tunnel_ips != b->n_tunnel_ips)
		return false;
	for (size_t i = 0; i < a->n_tunnel_ips; i++)
		if (memcmp(&a->tunnel_ips[i], &b->tunnel_ips[i],
			   sizeof(a->tunnel_ips[i])))
			return false;
	return true;
}

bool proto_auth_same_address(const struct proto_auth_resource *a,
			     const struct proto_auth_resource *b)
{
	if (a->type != b->type)
		return false;
	if (a->type == PROTO_AUTH_RES_DNS)
		return !strcmp(a->domain, b->domain);
	return a->cidr.family == b->cidr.family &&
	       a->cidr.cidr == b->cidr.cidr &&
	       !memcmp(a->cidr.addr, b->cidr.addr, sizeof(a->cidr.addr));
}

bool proto_auth_same_filters(const struct proto_auth_resource *a,
			     const struct proto_auth_resource *b)
{
	if (a->n_filters != b->n_filters)
		return false;
	for (size_t i = 0; i < a->n_filters; i++)
		if (a->filters[i].proto != b->filters[i].proto ||
		    a->filters[i].port_start != b->filters[i].port_start ||
		    a->filters[i].port_end != b->filters[i].port_end)
			return false;
	return true;
}

/* --- init --- */

/* The client, once: a second mention must say the same. */
static int add_client(struct proto_auth *a, const struct proto_auth_client *c,
		      size_t *pos, char *err, size_t errlen)
{
	const struct proto_auth_client *o =
		proto_auth_find_client(a, c->public_key);
	char b64[FZ_KEY_B64_LEN + 1];
	int ret;

	fz_key_to_base64(b64, c->public_key);
	if (o && !proto_auth_same_client(o, c))
		return fail(err, errlen, -EINVAL,
			    "client %s: described twice, differently", b64);
	if (o) {
		*pos = (size_t)(o - a->clients);
		return 0;
	}
	if (proto_auth_find_client_by_portal_id(a, c->portal_id))
		return fail(err, errlen, -EINVAL,
			    "client %s: its id belongs to another key", b64);
	if (proto_auth_tunnel_ip_holder(a, c, NULL))
		return fail(err, errlen, -EINVAL,
			    "client %s: its tunnel address belongs to another "
			    "client",
			    b64);
	*pos = a->n_clients;
	a->clients[a->n_clients] = *c;
	ret = proto_auth_index_add_client(a, *pos);
	if (ret) {
		sodium_memzero(&a->clients[*pos], sizeof(*c));
		return fail(err, errlen, ret, "out of memory");
	}
	a->n_clients++;
	return 0;
}

static int add_resource(struct proto_auth *a,
			const struct proto_auth_resource *r, size_t *pos,
			char *err, size_t errlen)
{
	const struct proto_auth_resource *o =
		proto_auth_find_resource_by_id(a, r->id);
	char uuid[37];

	if (o && (!proto_auth_same_address(o, r) ||
		  !proto_auth_same_filters(o, r))) {
		fz_uuid_format(uuid, r->id);
		return fail(err, errlen, -EINVAL,
			    "resource %s: described twice, differently", uuid);
	}
	*pos = o ? (size_t)(o - a->resources) : a->n_resources;
	if (o)
		return 0;
	a->resources[a->n_resources] = *r;
	if (proto_auth_index_add_resource(a, *pos))
		return fail(err, errlen, -ENOMEM, "out of memory");
	a->n_resources++;
	return 0;
}

static int add_grant(struct proto_auth_client *c, size_t res,
		     uint64_t expires_ns, char *err, size_t errlen)
{
	struct proto_auth_grant *g;

	for (size_t i = 0; i < c->n_grants; i++)
		if (c->grants[i].resource == res) {
			if (c->grants[i].expires_ns < expires_ns)
				c->grants[i].expires_ns = expires_ns;
			return 0;
		}
	if (c->n_grants == FZ_MAX_RESOURCES)
		return fail(err, errlen, -EINVAL,
			    "a client has more than %d resources",
			    FZ_MAX_RESOURCES);
	g = realloc(c->grants, (c->n_grants + 1) * sizeof(*g));
	if (!g)
		return fail(err, errlen, -ENOMEM, "out of memory");
	c->grants = g;
	g[c->n_grants++] =
		(struct proto_auth_grant){ .resource = res,
					   .expires_ns = expires_ns };
	return 0;
}

static int add_authorization(struct proto_auth *a,
			     const struct proto_sig_authorization *z,
			     uint64_t now_ns, size_t *n_expired, char *err,
			     size_t errlen)
{
	struct proto_auth_client c;
	struct proto_auth_resource r;
	size_t cpos = 0, rpos = 0;
	uint64_t expires;
	int ret;

	ret = proto_auth_expiry_from_sig(z->expires_at, now_ns, &expires, err,
					 errlen);
	if (ret == -ETIME) {
		(*n_expired)++;
		return 0;
	}
	if (!ret)
		ret = proto_auth_client_from_sig(&z->client, &c, err, errlen);
	if (ret)
		return ret;
	ret = proto_auth_resource_from_sig(&z->resource, &r, err, errlen);
	if (!ret)
		ret = add_client(a, &c, &cpos, err, errlen);
	if (!ret)
		ret = add_resource(a, &r, &rpos, err, errlen);
	if (!ret)
		ret = add_grant(&a->clients[cpos], rpos, expires, err, errlen);
	sodium_memzero(&c, sizeof(c));
	return ret;
}

/* "authorizations[3]: " before what add_authorization() said. */
static void prefix(char *err, size_t errlen, size_t i)
{
	char tail[256];

	snprintf(tail, sizeof(tail), "%s", err);
	snprintf(err, errlen, "authorizations[%zu]: %s", i, tail);
}

int proto_auth_from_sig_init(const struct proto_sig_gateway_init *m,
			     uint64_t now_ns, struct proto_auth *out,
			     size_t *n_expired, char *err, size_t errlen)
{
	size_t n = m->n_authorizations;
	int ret;

	memset(out, 0, sizeof(*out));
	*n_expired = 0;
	ret = proto_auth_interface_check(&m->interface, err, errlen);
	if (ret)
		return ret;
	/* The arrays stay put: the index points into them as they fill. */
	out->clients = calloc(n + 1, sizeof(*out->clients));
	out->resources = calloc(n + 1, sizeof(*out->resources));
	if (!out->clients || !out->resources || proto_auth_index_build(out))
		ret = fail(err, errlen, -ENOMEM, "out of memory");
	for (size_t i = 0; !ret && i < n; i++) {
		ret = add_authorization(out, &m->authorizations[i], now_ns,
					n_expired, err, errlen);
		if (ret)
			prefix(err, errlen, i);
	}
	if (ret)
		proto_auth_free(out); /* only counted clients hold anything */
	return ret;
}
