// SPDX-License-Identifier: GPL-2.0
/*
 * The portal's changes, one at a time; see gw_grant() in gateway.h.
 * The authorizations file is read whole, but the portal adds one client
 * and resource at a time, so the arrays of struct proto_auth grow here:
 * the peers, authorizations and the index (gw_index.h) point into them
 * and move with them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "gateway_int.h"
#include "lib/keys.h"
#include "lib/values.h"
#include "proto/gw_portal.h"

/* The arrays' room (gw_new() and gw_replace_auth() leave none). */
static size_t room(size_t cap, size_t n)
{
	return cap > n ? cap : n;
}

/* Doubling: n clients joining one at a time cost O(n), not O(n^2). */
static size_t next_room(size_t n)
{
	return n < 8 ? 16 : 2 * n;
}

/* The arrays moved to room for nc clients and nr resources. */
struct moved {
	struct proto_auth_client *clients;
	struct proto_auth_resource *resources;
	struct gw_peer *peers;
};

static void moved_free(struct moved *m, size_t nc)
{
	if (m->clients)
		sodium_memzero(m->clients, (nc + 1) * sizeof(*m->clients));
	free(m->clients);
	free(m->resources);
	free(m->peers);
}

static int move_copy(const struct gateway *gw, size_t nc, size_t nr,
		     struct moved *m)
{
	const struct proto_auth *a = &gw->auth;

	memset(m, 0, sizeof(*m));
	m->clients = calloc(nc + 1, sizeof(*m->clients));
	m->resources = calloc(nr + 1, sizeof(*m->resources));
	m->peers = calloc(nc + 1, sizeof(*m->peers));
	if (!m->clients || !m->resources || !m->peers)
		goto fail;
	if (a->n_clients) {
		memcpy(m->clients, a->clients,
		       a->n_clients * sizeof(*m->clients));
		memcpy(m->peers, gw->peers, a->n_clients * sizeof(*m->peers));
	}
	if (a->n_resources)
		memcpy(m->resources, a->resources,
		       a->n_resources * sizeof(*m->resources));
	return 0;
fail:
	moved_free(m, nc);
	return -ENOMEM;
}

/*
 * The arrays moved to room for nc clients and nr resources, and indexed
 * there (the index is built aside: a failure leaves everything as it
 * was).
 */
static int move_arrays(struct gateway *gw, size_t nc, size_t nr)
{
	struct proto_auth *a = &gw->auth;
	struct proto_auth moved_auth;
	struct moved m;

	if (move_copy(gw, nc, nr, &m))
		return -ENOMEM;
	moved_auth = (struct proto_auth){ .clients = m.clients,
					  .n_clients = a->n_clients,
					  .resources = m.resources,
					  .n_resources = a->n_resources };
	if (proto_auth_index_build(&moved_auth)) {
		moved_free(&m, nc);
		return -ENOMEM;
	}
	for (size_t i = 0; i < a->n_clients; i++) {
		struct gw_peer *p = &m.peers[i];

		p->client = &m.clients[i];
		for (size_t j = 0; j < p->n_authz; j++)
			p->authz[j].res =
				&m.resources[p->authz[j].res - a->resources];
	}
	if (a->clients)
		sodium_memzero(a->clients, a->n_clients * sizeof(*a->clients));
	free(a->clients);
	free(a->resources);
	free(gw->peers);
	proto_auth_index_free(&a->index);
	a->clients = m.clients;
	a->resources = m.resources;
	moved_auth.index.rebuilds = a->index.rebuilds;
	a->index = moved_auth.index;
	gw->peers = m.peers;
	gw->room_clients = nc;
	gw->room_resources = nr;
	return 0;
}

/* nc and nr (if not NULL) appended; the arrays move only to grow. */
static int grow(struct gateway *gw, const struct proto_auth_client *nc,
		const struct proto_auth_resource *nr)
{
	struct proto_auth *a = &gw->auth;
	size_t rc = room(gw->room_clients, a->n_clients);
	size_t rr = room(gw->room_resources, a->n_resources);
	struct proto_auth_client *c;

	if ((nc && a->n_clients == rc) || (nr && a->n_resources == rr)) {
		if (nc && a->n_clients == rc)
			rc = next_room(rc);
		if (nr && a->n_resources == rr)
			rr = next_room(rr);
		if (move_arrays(gw, rc, rr))
			return -ENOMEM;
	}
	if (nc) {
		c = &a->clients[a->n_clients];
		*c = *nc;
		c->grants = NULL;
		c->n_grants = 0;
		if (proto_auth_index_add_client(a, a->n_clients)) {
			sodium_memzero(c, sizeof(*c));
			return -ENOMEM;
		}
		gw->peers[a->n_clients] = (struct gw_peer){ .client = c };
		a->n_clients++;
	}
	if (nr) {
		a->resources[a->n_resources] = *nr;
		if (proto_auth_index_add_resource(a, a->n_resources))
			return -ENOMEM;
		a->n_resources++;
	}
	return 0;
}

static struct proto_auth_resource *find_resource(struct gateway *gw,
						 const uint8_t *id)
{
	const struct proto_auth_resource *r =
		proto_auth_find_resource_by_id(&gw->auth, id);

	return r ? &gw->auth.resources[r - gw->auth.resources] : NULL;
}

static struct proto_auth_client *own_client(struct gateway *gw,
					    const struct gw_peer *p)
{
	return &gw->auth.clients[p->client - gw->auth.clients];
}

static void drop_grant(struct proto_auth_client *c, size_t res)
{
	for (size_t i = 0; i < c->n_grants; i++)
		if (c->grants[i].resource == res) {
			memmove(&c->grants[i], &c->grants[i + 1],
				(c->n_grants - i - 1) * sizeof(*c->grants));
			c->n_grants--;
			return;
		}
}

/* Another client's tunnel address or portal id: refused. */
static int check_client(struct gateway *gw, const struct proto_auth_client *c,
			const struct gw_peer *p, char *err, size_t errlen)
{
	const struct proto_auth_client *self = p ? p->client : NULL, *o;
	char id[FZ_KEY_B64_LEN + 1], other[FZ_KEY_B64_LEN + 1];

	fz_key_to_base64(id, c->public_key);
	o = proto_auth_tunnel_ip_holder(&gw->auth, c, self);
	if (!o && c->has_portal_id) {
		o = proto_auth_find_client_by_portal_id(&gw->auth,
							c->portal_id);
		if (o == self)
			o = NULL;
	}
	if (!o)
		return 0;
	fz_key_to_base64(other, o->public_key);
	snprintf(err, errlen,
		 "client %s: its tunnel address or id is client %s's", id,
		 other);
	return -EINVAL;
}

/*
 * fz.ko matches a resource by its address: a new address is a new
 * resource, so every client loses the old one (the portal revokes them
 * too) and no one holds it until granted again.
 */
static int revoke_everywhere(struct gateway *gw,
			     const struct proto_auth_resource *r, char *err,
			     size_t errlen)
{
	size_t res = (size_t)(r - gw->auth.resources);
	int ret = 0;

	for (size_t i = 0; i < gw->auth.n_clients && !ret; i++) {
		struct gw_peer *p = &gw->peers[i];

		drop_grant(own_client(gw, p), res);
		if (gw_find_authz(p, r->id))
			ret = gw_revoke(gw, p->client, r, err, errlen);
	}
	return ret;
}

/* New filters reach every client holding the resource. */
static int push_holders(struct gateway *gw, const struct proto_auth_resource *r,
			char *err, size_t errlen)
{
	char id[FZ_KEY_B64_LEN + 1];
	size_t n = 0;
	int ret, first = 0;

	for (size_t i = 0; i < gw->auth.n_clients; i++) {
		struct gw_peer *p = &gw->peers[i];
		struct gw_authz *a = gw_find_authz(p, r->id);

		if (!a)
			continue;
		ret = gw_push_resource(gw, p, a);
		if (!ret) {
			n++;
			continue;
		}
		fz_key_to_base64(id, p->client->public_key);
		gw_log(gw, "cannot set the new filters of %s for client %s: %s",
		       r->name, id, strerror(-ret));
		if (!first) {
			first = ret;
			snprintf(err, errlen,
				 "cannot set the new filters of %s for client "
				 "%s: %s",
				 r->name, id, strerror(-ret));
		}
	}
	gw_log(gw, "resource %s: new filters set for %zu clients", r->name, n);
	return first;
}

static int update_resource(struct gateway *gw, struct proto_auth_resource *cur,
			   const struct proto_auth_resource *r, char *err,
			   size_t errlen)
{
	bool filters = !proto_auth_same_filters(cur, r);

	*cur = *r;
	return filters ? push_holders(gw, cur, err, errlen) : 0;
}

static void set_client(struct proto_auth_client *cur,
		       const struct proto_auth_client *c)
{
	cur->has_preshared_key = c->has_preshared_key;
	memcpy(cur->preshared_key, c->preshared_key, FZ_KEY_LEN);
	memcpy(cur->tunnel_ips, c->tunnel_ips, sizeof(cur->tunnel_ips));
	cur->n_tunnel_ips = c->n_tunnel_ips;
	cur->has_portal_id = c->has_portal_id;
	memcpy(cur->portal_id, c->portal_id, FZ_RESOURCE_ID_LEN);
}

/*
 * The client's new addresses, id and preshared key (check_client() found
 * them free), indexed anew. Out of memory, it keeps the old ones: their
 * entries fit where they were, so indexing them again cannot fail.
 */
static int update_client(struct gateway *gw, struct gw_peer *p,
			 struct proto_auth_client *cur,
			 const struct proto_auth_client *c)
{
	size_t pos = (size_t)(cur - gw->auth.clients);
	struct proto_auth_client was;
	int ret;

	if (proto_auth_same_client(cur, c))
		return 0;
	was = *cur;
	proto_auth_index_drop_client(&gw->auth, pos);
	set_client(cur, c);
	ret = proto_auth_index_add_client(&gw->auth, pos);
	if (ret) {
		set_client(cur, &was);
		proto_auth_index_add_client(&gw->auth, pos);
	} else {
		p->installed = false; /* SET_PEER again, with the new ones */
	}
	sodium_memzero(&was, sizeof(was));
	proto_auth_index_tidy(&gw->auth);
	return ret;
}

/* The grant as gw_start() will apply it; *old: what it replaced. */
static int record_grant(struct proto_auth_client *c, size_t res,
			uint64_t expires_ns, struct proto_auth_grant *old)
{
	struct proto_auth_grant *g;

	memset(old, 0, sizeof(*old));
	old->resource = SIZE_MAX;
	for (size_t i = 0; i < c->n_grants; i++)
		if (c->grants[i].resource == res) {
			*old = c->grants[i];
			c->grants[i].expires_ns = expires_ns;
			return 0;
		}
	g = realloc(c->grants, (c->n_grants + 1) * sizeof(*g));
	if (!g)
		return -ENOMEM;
	c->grants = g;
	g[c->n_grants++] =
		(struct proto_auth_grant){ .resource = res,
					   .expires_ns = expires_ns };
	return 0;
}

static void restore_grant(struct proto_auth_client *c, size_t res,
			  const struct proto_auth_grant *old)
{
	if (old->resource == SIZE_MAX) {
		drop_grant(c, res);
		return;
	}
	for (size_t i = 0; i < c->n_grants; i++)
		if (c->grants[i].resource == res)
			c->grants[i] = *old;
}

int gw_grant(struct gateway *gw, const struct proto_auth_client *c,
	     const struct proto_auth_resource *r, uint64_t expires_ns,
	     char *err, size_t errlen)
{
	struct gw_peer *p = gw_find_peer(gw, c->public_key);
	struct proto_auth_resource *cur = find_resource(gw, r->id);
	struct proto_auth_client *cl;
	struct proto_auth_grant old;
	size_t res;
	int ret;

	ret = check_client(gw, c, p, err, errlen);
	if (!ret && cur && !proto_auth_same_address(cur, r))
		ret = revoke_everywhere(gw, cur, err, errlen);
	if (!ret && (!p || !cur)) {
		ret = grow(gw, p ? NULL : c, cur ? NULL : r);
		if (ret)
			snprintf(err, errlen, "out of memory");
	}
	if (ret)
		return ret;
	p = gw_find_peer(gw, c->public_key);
	cur = find_resource(gw, r->id);
	cl = own_client(gw, p);
	if (update_client(gw, p, cl, c)) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	/* A holder fz.ko refused new filters to is logged; c is granted. */
	update_resource(gw, cur, r, err, errlen);
	res = (size_t)(cur - gw->auth.resources);
	if (record_grant(cl, res, expires_ns, &old)) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = gw_authorize(gw, cl, cur, expires_ns, err, errlen);
	if (ret)
		restore_grant(cl, res, &old);
	return ret;
}

int gw_ungrant(struct gateway *gw, const struct proto_auth_client *c,
	       const uint8_t resource_id[FZ_RESOURCE_ID_LEN], char *err,
	       size_t errlen)
{
	struct gw_peer *p = gw_find_peer(gw, c->public_key);
	const struct proto_auth_resource *r = find_resource(gw, resource_id);
	struct proto_auth_resource unknown;

	if (!p)
		return -ENOENT;
	if (r) {
		drop_grant(own_client(gw, p), (size_t)(r - gw->auth.resources));
	} else {
		memset(&unknown, 0, sizeof(unknown));
		memcpy(unknown.id, resource_id, FZ_RESOURCE_ID_LEN);
		fz_uuid_format(unknown.name, resource_id);
		r = &unknown;
	}
	return gw_revoke(gw, p->client, r, err, errlen);
}

int gw_update_filters(struct gateway *gw,
		      const uint8_t resource_id[FZ_RESOURCE_ID_LEN],
		      const struct fz_filter *filters, size_t n, char *err,
		      size_t errlen)
{
	struct proto_auth_resource *cur = find_resource(gw, resource_id);
	struct proto_auth_resource r;

	if (!cur) {
		snprintf(err, errlen, "no such resource");
		return -ENOENT;
	}
	if (n > FZ_MAX_FILTERS) {
		snprintf(err, errlen, "too many filters");
		return -EINVAL;
	}
	r = *cur;
	memcpy(r.filters, filters, n * sizeof(*filters));
	r.n_filters = n;
	return update_resource(gw, cur, &r, err, errlen);
}

void gw_forget_client(struct gateway *gw, size_t pos)
{
	struct proto_auth *a = &gw->auth;
	size_t last = a->n_clients - 1;

	gw_peer_free_authz(&gw->peers[pos]);
	free(a->clients[pos].grants);
	proto_auth_index_drop_client(a, pos);
	if (pos != last) {
		/* Entries dropped above make room: the add cannot fail. */
		proto_auth_index_drop_client(a, last);
		a->clients[pos] = a->clients[last];
		gw->peers[pos] = gw->peers[last];
		gw->peers[pos].client = &a->clients[pos];
		proto_auth_index_add_client(a, pos);
	}
	sodium_memzero(&a->clients[last], sizeof(a->clients[last]));
	memset(&gw->peers[last], 0, sizeof(gw->peers[last]));
	a->n_clients--;
	proto_auth_index_tidy(a);
}

static int kept_client(struct gateway *gw, const struct proto_auth_client *c,
		       bool (*keep)(void *arg, const uint8_t *key,
				    const uint8_t *id),
		       void *arg, struct proto_auth_client *out)
{
	*out = *c;
	out->grants = calloc(c->n_grants + 1, sizeof(*out->grants));
	out->n_grants = 0;
	if (!out->grants)
		return -ENOMEM;
	for (size_t j = 0; j < c->n_grants; j++)
		if (keep(arg, c->public_key,
			 gw->auth.resources[c->grants[j].resource].id))
			out->grants[out->n_grants++] = c->grants[j];
	return 0;
}

int gw_auth_kept(struct gateway *gw,
		 bool (*keep)(void *arg, const uint8_t *key, const uint8_t *id),
		 void *arg, struct proto_auth *out)
{
	const struct proto_auth *a = &gw->auth;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	out->clients = calloc(a->n_clients + 1, sizeof(*out->clients));
	out->resources = calloc(a->n_resources + 1, sizeof(*out->resources));
	if (!out->clients || !out->resources)
		ret = -ENOMEM;
	else if (a->n_resources)
		memcpy(out->resources, a->resources,
		       a->n_resources * sizeof(*a->resources));
	out->n_resources = a->n_resources;
	for (size_t i = 0; !ret && i < a->n_clients; i++) {
		struct proto_auth_client *c = &out->clients[out->n_clients];

		ret = kept_client(gw, &a->clients[i], keep, arg, c);
		if (!ret && c->n_grants)
			out->n_clients++;
		else if (!ret) {
			free(c->grants);
			sodium_memzero(c, sizeof(*c));
		}
	}
	if (!ret)
		ret = proto_auth_index_build(out);
	if (ret)
		proto_auth_free(out);
	return ret;
}
