// SPDX-License-Identifier: GPL-2.0
/*
 * The gateway's clients and authorizations; see gateway.h. The kernel is
 * told first and the state follows only where it agreed, so the two
 * never disagree about what a client may reach.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "gateway_int.h"
#include "fzk/device.h"
#include "lib/keyindex.h"
#include "lib/keys.h"

void gw_log(struct gateway *gw, const char *fmt, ...)
{
	char line[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	gw->ops->log(gw->ctx, line);
}

struct gateway *gw_new(const struct gw_ops *ops, void *ctx,
		       struct proto_auth *auth)
{
	struct gateway *gw = calloc(1, sizeof(*gw));

	if (!gw)
		return NULL;
	gw->peers = calloc(auth->n_clients + 1, sizeof(*gw->peers));
	if (!gw->peers) {
		free(gw);
		return NULL;
	}
	gw->ops = ops;
	gw->ctx = ctx;
	gw->source = "the authorizations file";
	gw->auth = *auth;
	memset(auth, 0, sizeof(*auth));
	for (size_t i = 0; i < gw->auth.n_clients; i++)
		gw->peers[i].client = &gw->auth.clients[i];
	return gw;
}

void gw_free(struct gateway *gw)
{
	if (!gw)
		return;
	gw_dns_detach(gw);
	for (size_t i = 0; i < gw->auth.n_clients; i++)
		gw_peer_free_authz(&gw->peers[i]);
	free(gw->peers);
	proto_auth_free(&gw->auth);
	free(gw->collect.v);
	free(gw);
}

void gw_set_source(struct gateway *gw, const char *source)
{
	gw->source = source;
}

const struct proto_auth *gw_authorizations(const struct gateway *gw)
{
	return &gw->auth;
}

struct gw_peer *gw_find_peer(struct gateway *gw, const uint8_t *key)
{
	const struct proto_auth_client *c =
		proto_auth_find_client(&gw->auth, key);

	return c ? &gw->peers[c - gw->auth.clients] : NULL;
}

bool gw_is_client(const struct gateway *gw, const uint8_t key[FZ_KEY_LEN])
{
	return proto_auth_find_client(&gw->auth, key) != NULL;
}

struct gw_authz *gw_find_authz(struct gw_peer *p, const uint8_t *id)
{
	for (size_t i = 0; i < p->n_authz; i++)
		if (!memcmp(p->authz[i].res->id, id, FZ_RESOURCE_ID_LEN))
			return &p->authz[i];
	return NULL;
}

/* --- Talking to the kernel --- */

/*
 * A DNS resource's addresses are the proxy IPs its client assigned, the
 * newest names first; the kernel takes FZ_MAX_RESOURCE_ADDRS of them.
 */
static size_t dns_addrs(const struct gw_authz *a, struct fz_cidr *out)
{
	size_t n = 0;

	for (size_t d = a->n_domains; d-- > 0;)
		for (size_t i = 0;
		     i < a->domains[d].n_proxy && n < FZ_MAX_RESOURCE_ADDRS;
		     i++)
			out[n++] = a->domains[d].proxy[i];
	return n;
}

int gw_push_resource(struct gateway *gw, struct gw_peer *p,
		     const struct gw_authz *a)
{
	const struct proto_auth_resource *r = a->res;
	struct fz_cidr addrs[FZ_MAX_RESOURCE_ADDRS];
	struct fzk_resource_spec spec = {
		.addrs = addrs,
		.filters = r->filters,
		.n_filters = r->n_filters,
		.expires_ns = a->expires_ns,
	};

	memcpy(spec.id, r->id, FZ_RESOURCE_ID_LEN);
	if (r->type == PROTO_AUTH_RES_DNS) {
		spec.flags = FZ_RES_F_DNS;
		spec.n_addrs = dns_addrs(a, addrs);
	} else {
		addrs[0] = r->cidr;
		spec.n_addrs = 1;
	}
	return gw->ops->set_resource(gw->ctx, p->client->public_key, &spec);
}

static int install_peer(struct gateway *gw, struct gw_peer *p, char *err,
			size_t errlen)
{
	char id[FZ_KEY_B64_LEN + 1];
	int ret;

	if (p->installed)
		return 0;
	ret = gw->ops->set_client_peer(gw->ctx, p->client);
	if (ret) {
		fz_key_to_base64(id, p->client->public_key);
		snprintf(err, errlen, "cannot add client %s: %s", id,
			 strerror(-ret));
		return ret;
	}
	p->installed = true;
	return 0;
}

/* --- Authorizations --- */

static void format_expiry(char out[32], uint64_t expires_ns)
{
	time_t t = (time_t)(expires_ns / 1000000000ULL);
	struct tm tm;

	if (!expires_ns || !gmtime_r(&t, &tm))
		snprintf(out, 32, "never");
	else
		strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int add_authz(struct gw_peer *p, const struct proto_auth_resource *r,
		     struct gw_authz **out)
{
	struct gw_authz *grown;

	if (p->n_authz == FZ_MAX_RESOURCES)
		return -ENOSPC;
	grown = realloc(p->authz, (p->n_authz + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	p->authz = grown;
	*out = &grown[p->n_authz++];
	memset(*out, 0, sizeof(**out));
	(*out)->res = r;
	return 0;
}

void gw_peer_free_authz(struct gw_peer *p)
{
	for (size_t i = 0; i < p->n_authz; i++)
		free(p->authz[i].domains);
	free(p->authz);
	p->authz = NULL;
	p->n_authz = 0;
}

static void remove_authz(struct gw_peer *p, struct gw_authz *a)
{
	size_t i = (size_t)(a - p->authz);

	free(a->domains);
	memmove(a, a + 1, (p->n_authz - i - 1) * sizeof(*a));
	p->n_authz--;
}

int gw_authorize(struct gateway *gw, const struct proto_auth_client *c,
		 const struct proto_auth_resource *r, uint64_t expires_ns,
		 char *err, size_t errlen)
{
	struct gw_peer *p = gw_find_peer(gw, c->public_key);
	char id[FZ_KEY_B64_LEN + 1], until[32];
	struct gw_authz *a;
	uint64_t old_expiry = 0;
	bool is_new;
	int ret;

	ret = p ? install_peer(gw, p, err, errlen) : -ENOENT;
	if (ret)
		return ret;
	a = gw_find_authz(p, r->id);
	is_new = !a;
	if (is_new && (ret = add_authz(p, r, &a))) {
		snprintf(
			err, errlen, "%s",
			ret == -ENOSPC ?
				"the client has the most resources fz.ko allows" :
				"out of memory");
		return ret;
	}
	old_expiry = a->expires_ns;
	a->expires_ns = expires_ns;
	fz_key_to_base64(id, c->public_key);
	ret = gw_push_resource(gw, p, a);
	if (ret) {
		snprintf(err, errlen, "cannot authorize %s for %s: %s", id,
			 r->name, strerror(-ret));
		if (is_new)
			remove_authz(p, a);
		else
			a->expires_ns = old_expiry;
		return ret;
	}
	format_expiry(until, expires_ns);
	gw_log(gw, "authorized client %s for resource %s until %s", id, r->name,
	       until);
	return 0;
}

static int revoke_one(struct gateway *gw, struct gw_peer *p, struct gw_authz *a,
		      char *err, size_t errlen)
{
	char id[FZ_KEY_B64_LEN + 1];
	const char *name = a->res->name;
	int ret;

	fz_key_to_base64(id, p->client->public_key);
	ret = gw->ops->del_resource(gw->ctx, p->client->public_key, a->res->id);
	if (ret && ret != -ENOENT) {
		snprintf(err, errlen, "cannot revoke %s from %s: %s", name, id,
			 strerror(-ret));
		return ret;
	}
	remove_authz(p, a);
	gw_log(gw, "revoked resource %s from client %s", name, id);
	return 0;
}

/*
 * What the agent does not hold may still be in fz.ko (state it did not
 * create): asking costs one request, and revoke must be able to remove
 * anything a client can reach.
 */
static int revoke_unknown(struct gateway *gw, struct gw_peer *p,
			  const uint8_t *rid, const char *name, bool quiet,
			  char *err, size_t errlen)
{
	char id[FZ_KEY_B64_LEN + 1];
	int ret = gw->ops->del_resource(gw->ctx, p->client->public_key, rid);

	fz_key_to_base64(id, p->client->public_key);
	if (ret == -ENOENT && !quiet)
		snprintf(err, errlen, "the client is not authorized for %s",
			 name);
	else if (ret && ret != -ENOENT)
		snprintf(err, errlen, "cannot revoke %s from %s: %s", name, id,
			 strerror(-ret));
	else if (!ret)
		gw_log(gw,
		       "revoked resource %s from client %s (fz.ko had it, the "
		       "agent did not)",
		       name, id);
	return quiet && ret == -ENOENT ? 0 : ret;
}

int gw_revoke(struct gateway *gw, const struct proto_auth_client *c,
	      const struct proto_auth_resource *r, char *err, size_t errlen)
{
	struct gw_peer *p = gw_find_peer(gw, c->public_key);
	struct gw_authz *a;
	int ret = 0;

	if (!p)
		return -ENOENT;
	if (!r) {
		while (p->n_authz && !ret)
			ret = revoke_one(gw, p, &p->authz[p->n_authz - 1], err,
					 errlen);
		for (size_t i = 0; i < gw->auth.n_resources && !ret; i++)
			ret = revoke_unknown(gw, p, gw->auth.resources[i].id,
					     gw->auth.resources[i].name, true,
					     err, errlen);
		return ret;
	}
	a = gw_find_authz(p, r->id);
	if (!a)
		return revoke_unknown(gw, p, r->id, r->name, false, err,
				      errlen);
	return revoke_one(gw, p, a, err, errlen);
}

/* --- Reconciling with the file --- */

static const struct proto_auth_grant *
file_grant(const struct proto_auth *auth, const struct proto_auth_client *c,
	   const uint8_t *id)
{
	for (size_t g = 0; g < c->n_grants; g++)
		if (!memcmp(auth->resources[c->grants[g].resource].id, id,
			    FZ_RESOURCE_ID_LEN))
			return &c->grants[g];
	return NULL;
}

/* The device's peers by key: a scan per client would be quadratic. */
static int index_device(struct fz_keyindex *ki,
			const struct fzk_device_view *dev)
{
	*ki = (struct fz_keyindex){ 0 };
	return dev ? fz_keyindex_of(ki, dev->peers, dev->n_peers, public_key) :
		     0;
}

static const struct fzk_peer_view *dev_peer(const struct fzk_device_view *dev,
					    const struct fz_keyindex *ki,
					    const uint8_t *key)
{
	ssize_t pos = dev ? fz_keyindex_find(ki, key) : -1;

	return pos < 0 ? NULL : &dev->peers[pos];
}

static bool dev_has_resource(const struct fzk_peer_view *kp, const uint8_t *id)
{
	for (size_t i = 0; kp && i < kp->n_resources; i++)
		if (!memcmp(kp->resources[i].id, id, FZ_RESOURCE_ID_LEN))
			return true;
	return false;
}

/* "gitlab" when the file knows the ID, else the UUID. */
static void resource_label(const struct gateway *gw, const uint8_t *id,
			   char out[PROTO_AUTH_NAME_MAX + 1])
{
	const struct proto_auth_resource *r =
		proto_auth_find_resource_by_id(&gw->auth, id);

	if (r)
		snprintf(out, PROTO_AUTH_NAME_MAX + 1, "%s", r->name);
	else
		fz_uuid_format(out, id);
}

/* Grants the agent holds that the file does not: revoked. */
static int drop_unfiled(struct gateway *gw, struct gw_peer *p, char *err,
			size_t errlen)
{
	char id[FZ_KEY_B64_LEN + 1];
	int ret = 0;

	for (size_t j = p->n_authz; j-- > 0 && !ret;) {
		const struct proto_auth_resource *r = p->authz[j].res;

		if (file_grant(&gw->auth, p->client, r->id))
			continue;
		fz_key_to_base64(id, p->client->public_key);
		gw_log(gw, "client %s: resource %s is not authorized in %s", id,
		       r->name, gw->source);
		ret = revoke_one(gw, p, &p->authz[j], err, errlen);
	}
	return ret;
}

/* What fz.ko holds for the client that no one told it: removed. */
static int drop_unknown(struct gateway *gw, struct gw_peer *p,
			const struct fzk_peer_view *kp, char *err,
			size_t errlen)
{
	char id[FZ_KEY_B64_LEN + 1], label[PROTO_AUTH_NAME_MAX + 1];
	int ret;

	for (size_t k = 0; kp && k < kp->n_resources; k++) {
		const uint8_t *rid = kp->resources[k].id;

		if (gw_find_authz(p, rid) ||
		    file_grant(&gw->auth, p->client, rid))
			continue;
		ret = gw->ops->del_resource(gw->ctx, p->client->public_key,
					    rid);
		if (ret == -ENOENT)
			continue;
		fz_key_to_base64(id, p->client->public_key);
		resource_label(gw, rid, label);
		if (ret) {
			snprintf(err, errlen,
				 "cannot remove resource %s of client %s: %s",
				 label, id, strerror(-ret));
			return ret;
		}
		gw_log(gw,
		       "removed resource %s of client %s from fz.ko: not in %s",
		       label, id, gw->source);
	}
	return 0;
}

/*
 * The file's grants. A resource fz.ko had, whose maps the agent does
 * not know (an earlier agent's, or of a changed definition), loses them
 * first: the client assigns its proxy IPs again when it resolves anew.
 */
static int apply_grants(struct gateway *gw, struct gw_peer *p,
			const struct fzk_peer_view *kp, char *err,
			size_t errlen)
{
	const struct proto_auth_client *c = p->client;
	char id[FZ_KEY_B64_LEN + 1];
	int ret = 0;

	for (size_t g = 0; g < c->n_grants && !ret; g++) {
		const struct proto_auth_resource *r =
			&gw->auth.resources[c->grants[g].resource];

		if (!gw_find_authz(p, r->id) && dev_has_resource(kp, r->id)) {
			ret = gw->ops->del_dns_maps(gw->ctx, c->public_key,
						    r->id);
			fz_key_to_base64(id, c->public_key);
			if (ret && ret != -ENOENT) {
				snprintf(err, errlen,
					 "cannot clear the DNS maps of %s of "
					 "client %s: %s",
					 r->name, id, strerror(-ret));
				return ret;
			}
			if (!ret && r->type == PROTO_AUTH_RES_DNS)
				gw_log(gw,
				       "cleared the DNS maps of resource %s "
				       "of client %s left in fz.ko",
				       r->name, id);
		}
		ret = gw_authorize(gw, c, r, c->grants[g].expires_ns, err,
				   errlen);
	}
	return ret;
}

static int start_client(struct gateway *gw, size_t i,
			const struct fzk_device_view *dev,
			const struct fz_keyindex *ki, char *err, size_t errlen)
{
	struct gw_peer *p = &gw->peers[i];
	const struct fzk_peer_view *kp =
		dev_peer(dev, ki, gw->auth.clients[i].public_key);
	int ret;

	ret = install_peer(gw, p, err, errlen);
	if (!ret)
		ret = drop_unfiled(gw, p, err, errlen);
	if (!ret)
		ret = drop_unknown(gw, p, kp, err, errlen);
	if (!ret)
		ret = apply_grants(gw, p, kp, err, errlen);
	return ret;
}

/* Every client becomes a peer, even one with no Authorize line yet. */
int gw_start(struct gateway *gw, const struct fzk_device_view *dev, char *err,
	     size_t errlen)
{
	const struct proto_auth *auth = &gw->auth;
	struct fz_keyindex ki;
	int ret = 0;

	if (index_device(&ki, dev)) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < auth->n_clients && !ret; i++)
		ret = start_client(gw, i, dev, &ki, err, errlen);
	fz_keyindex_free(&ki);
	if (!ret)
		gw_log(gw, "gateway: %zu clients, %zu resources",
		       auth->n_clients, auth->n_resources);
	return ret;
}

int gw_start_each(struct gateway *gw, const struct fzk_device_view *dev,
		  char *err, size_t errlen)
{
	const struct proto_auth *auth = &gw->auth;
	struct fz_keyindex ki;
	char one[512];
	size_t failed = 0;
	int ret, first = 0;

	if (index_device(&ki, dev)) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < auth->n_clients; i++) {
		ret = start_client(gw, i, dev, &ki, one, sizeof(one));
		if (!ret)
			continue;
		gw_log(gw, "%s", one);
		failed++;
		if (!first) {
			first = ret;
			snprintf(err, errlen, "%s", one);
		}
	}
	fz_keyindex_free(&ki);
	gw_log(gw, "gateway: %zu clients (%zu failed), %zu resources",
	       auth->n_clients, failed, auth->n_resources);
	return first;
}

static bool same_definition(const struct proto_auth_resource *a,
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

/* The old client's authorizations whose resource is still the same. */
static int carry_authz(struct gw_peer *to, const struct gw_peer *from,
		       const struct proto_auth *auth)
{
	for (size_t j = 0; j < from->n_authz; j++) {
		const struct gw_authz *a = &from->authz[j];
		const struct proto_auth_resource *r =
			proto_auth_find_resource_by_id(auth, a->res->id);
		struct gw_authz *grown;

		if (!r || !same_definition(r, a->res))
			continue;
		grown = realloc(to->authz, (to->n_authz + 1) * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		to->authz = grown;
		grown[to->n_authz] = *a;
		grown[to->n_authz].res = r;
		/* The old peer frees its own names: these are a copy. */
		grown[to->n_authz].domains = NULL;
		grown[to->n_authz].n_domains = 0;
		if (a->n_domains) {
			grown[to->n_authz].domains =
				malloc(a->n_domains * sizeof(*a->domains));
			if (!grown[to->n_authz].domains)
				return -ENOMEM;
			memcpy(grown[to->n_authz].domains, a->domains,
			       a->n_domains * sizeof(*a->domains));
			grown[to->n_authz].n_domains = a->n_domains;
		}
		to->n_authz++;
	}
	return 0;
}

int gw_replace_auth(struct gateway *gw, struct proto_auth *auth)
{
	struct gw_peer *peers = calloc(auth->n_clients + 1, sizeof(*peers));
	char id[FZ_KEY_B64_LEN + 1];
	int ret = peers ? 0 : -ENOMEM;

	for (size_t i = 0; i < auth->n_clients && !ret; i++) {
		const struct gw_peer *old =
			gw_find_peer(gw, auth->clients[i].public_key);

		peers[i].client = &auth->clients[i];
		if (old)
			ret = carry_authz(&peers[i], old, auth);
	}
	if (ret) {
		for (size_t i = 0; peers && i < auth->n_clients; i++)
			gw_peer_free_authz(&peers[i]);
		free(peers);
		return ret;
	}
	for (size_t i = 0; i < gw->auth.n_clients; i++) {
		const struct proto_auth_client *c = &gw->auth.clients[i];

		if (!proto_auth_find_client(auth, c->public_key)) {
			fz_key_to_base64(id, c->public_key);
			gw_log(gw, "client %s is no longer in %s", id,
			       gw->source);
		}
		gw_peer_free_authz(&gw->peers[i]);
	}
	free(gw->peers);
	proto_auth_free(&gw->auth);
	gw->peers = peers;
	gw->auth = *auth;
	gw->room_clients = gw->room_resources = 0;
	memset(auth, 0, sizeof(*auth));
	return 0;
}

/* --- Control socket words --- */

static const struct proto_auth_client *
ctl_client(struct gateway *gw, const char *b64, char *msg, size_t msglen)
{
	uint8_t key[FZ_KEY_LEN];
	const struct proto_auth_client *c = NULL;

	if (fz_key_from_base64(key, b64, strlen(b64)))
		snprintf(msg, msglen, "'%s' is not a public key", b64);
	else if (!(c = proto_auth_find_client(&gw->auth, key)))
		snprintf(msg, msglen,
			 "client %s is not in the authorizations file", b64);
	return c;
}

static const struct proto_auth_resource *
ctl_resource(struct gateway *gw, const char *name, char *msg, size_t msglen)
{
	const struct proto_auth_resource *r =
		proto_auth_find_resource(&gw->auth, name);

	if (!r)
		snprintf(msg, msglen,
			 "no resource with Name or ID '%s' in the "
			 "authorizations file",
			 name);
	return r;
}

int gw_ctl_authorize(struct gateway *gw, int argc, char **argv, char *msg,
		     size_t msglen)
{
	const struct proto_auth_client *c;
	const struct proto_auth_resource *r;
	unsigned long long expires;
	char *end;

	if (argc != 3) {
		snprintf(msg, msglen, "malformed authorize request");
		return -EINVAL;
	}
	c = ctl_client(gw, argv[0], msg, msglen);
	r = c ? ctl_resource(gw, argv[1], msg, msglen) : NULL;
	if (!r)
		return -EINVAL;
	errno = 0;
	expires = strtoull(argv[2], &end, 10);
	if (*end || !*argv[2] || argv[2][0] == '-' || errno ||
	    expires > FZ_EXPIRY_MAX_NS) {
		snprintf(msg, msglen, "malformed expiry in request");
		return -EINVAL;
	}
	return gw_authorize(gw, c, r, expires, msg, msglen);
}

int gw_ctl_revoke(struct gateway *gw, int argc, char **argv, char *msg,
		  size_t msglen)
{
	const struct proto_auth_client *c;
	const struct proto_auth_resource *r = NULL;
	uint8_t rid[FZ_RESOURCE_ID_LEN];
	struct gw_peer *p;

	if (argc != 2) {
		snprintf(msg, msglen, "malformed revoke request");
		return -EINVAL;
	}
	c = ctl_client(gw, argv[0], msg, msglen);
	if (!c)
		return -EINVAL;
	if (!strcmp(argv[1], "all"))
		return gw_revoke(gw, c, NULL, msg, msglen);
	r = proto_auth_find_resource(&gw->auth, argv[1]);
	if (r)
		return gw_revoke(gw, c, r, msg, msglen);
	/* An ID the file does not have may still be in fz.ko. */
	p = gw_find_peer(gw, c->public_key);
	if (!fz_uuid_parse(argv[1], rid) && p)
		return revoke_unknown(gw, p, rid, argv[1], false, msg, msglen);
	ctl_resource(gw, argv[1], msg, msglen);
	return -EINVAL;
}
