// SPDX-License-Identifier: GPL-2.0
/*
 * The portal's messages to a gateway; see portal.h. An init and the
 * pushes up to its init_done are the portal's whole truth: at init_done
 * fz.ko is brought to exactly them, as a reload of the authorizations
 * file does, so nothing stale survives a reconnect. The pushes after
 * init_done change one thing each.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "portal.h"
#include "gateway_int.h"
#include "fzk/device.h"
#include "lib/keys.h"
#include "lib/values.h"
#include "proto/gw_portal.h"

/* The portal's words in our log: printable ASCII only, bounded. */
static const char *clean(char out[128], const char *s)
{
	size_t n = 0;

	for (; s && *s && n < 127; s++)
		out[n++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
	out[n] = '\0';
	return n ? out : "none given";
}

/* The gateway's state and fz.ko made exactly auth (taken). */
static int apply_exactly(struct gateway *gw, const struct gw_portal_ops *ops,
			 void *ctx, struct proto_auth *auth, char *err,
			 size_t errlen)
{
	struct fzk_device_view dev;
	int ret = gw_replace_auth(gw, auth);

	if (ret) {
		snprintf(err, errlen, "out of memory");
		return ret;
	}
	ret = ops->prune(ctx, err, errlen);
	if (ret)
		return ret;
	fzk_device_view_init(&dev);
	ret = ops->dump(ctx, &dev);
	if (ret)
		snprintf(err, errlen, "cannot read the interface: %s",
			 strerror(-ret));
	else
		ret = gw_start_each(gw, &dev, err, errlen);
	fzk_device_view_free(&dev);
	return ret;
}

/* --- The set an init and its pushes give, until init_done --- */

static void collect_stop(struct gateway *gw)
{
	free(gw->collect.v);
	memset(&gw->collect, 0, sizeof(gw->collect));
}

static void collect_add(struct gateway *gw, const uint8_t *key,
			const uint8_t *id)
{
	struct gw_collect *c = &gw->collect;
	struct gw_held *v;

	if (!c->on)
		return;
	if (c->n == c->room) {
		v = realloc(c->v, (c->room ? 2 * c->room : 64) * sizeof(*v));
		if (!v) {
			gw_log(gw, "portal: out of memory collecting the init; "
				   "nothing is removed until the next init");
			collect_stop(gw);
			return;
		}
		c->v = v;
		c->room = c->room ? 2 * c->room : 64;
	}
	memcpy(c->v[c->n].key, key, FZ_KEY_LEN);
	memcpy(c->v[c->n].id, id, FZ_RESOURCE_ID_LEN);
	c->n++;
}

static int cmp_held(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct gw_held));
}

static bool is_held(void *arg, const uint8_t *key, const uint8_t *id)
{
	const struct gw_collect *c = arg;
	struct gw_held h;

	if (!c->n)
		return false;
	memcpy(h.key, key, FZ_KEY_LEN);
	memcpy(h.id, id, FZ_RESOURCE_ID_LEN);
	return bsearch(&h, c->v, c->n, sizeof(h), cmp_held) != NULL;
}

/* One authorization granted (and, until init_done, collected). */
static int grant_one(struct gateway *gw, const struct gw_portal_ops *ops,
		     void *ctx, const struct proto_sig_authorization *m,
		     char *err, size_t errlen)
{
	struct proto_auth_client c;
	struct proto_auth_resource r;
	uint64_t expires;
	int ret;

	ret = proto_auth_expiry_from_sig(m->expires_at, ops->now_ns(ctx),
					 &expires, err, errlen);
	if (!ret)
		ret = proto_auth_client_from_sig(&m->client, &c, err, errlen);
	if (ret)
		return ret;
	ret = proto_auth_resource_from_sig(&m->resource, &r, err, errlen);
	if (!ret)
		ret = gw_grant(gw, &c, &r, expires, err, errlen);
	if (!ret)
		collect_add(gw, c.public_key, r.id);
	sodium_memzero(&c, sizeof(c));
	return ret;
}

/*
 * An init holds what fits one message; the rest follows as pushes, then
 * init_done. So an init only adds (nothing a later push names loses its
 * session or DNS maps on a reconnect), and init_done removes.
 */
int gw_portal_init(struct gateway *gw, const struct gw_portal_ops *ops,
		   void *ctx, const struct proto_sig_gateway_init *m)
{
	struct proto_auth auth;
	size_t expired;
	char err[512];
	int ret, first = 0;

	/* The whole message checks out, or nothing of it is used. */
	ret = proto_auth_from_sig_init(m, ops->now_ns(ctx), &auth, &expired,
				       err, sizeof(err));
	if (ret) {
		collect_stop(gw);
		gw_log(gw, "portal: init refused: %s; nothing changed", err);
		return ret;
	}
	gw_log(gw,
	       "portal: init: %zu clients, %zu resources, %zu "
	       "authorizations (%zu already expired, left out)",
	       auth.n_clients, auth.n_resources, m->n_authorizations - expired,
	       expired);
	proto_auth_free(&auth);
	if (ops->set_addresses(ctx, &m->interface.ipv4, &m->interface.ipv6, err,
			       sizeof(err)))
		gw_log(gw, "portal: init: %s", err);
	collect_stop(gw);
	gw->collect.on = true;
	for (size_t i = 0; i < m->n_authorizations; i++) {
		const struct proto_sig_authorization *z = &m->authorizations[i];

		ret = grant_one(gw, ops, ctx, z, err, sizeof(err));
		if (ret == -ETIME)
			continue; /* counted above */
		if (ret)
			gw_log(gw, "portal: init: authorization %.36s: %s",
			       z->ref.s, err);
		if (ret && !first)
			first = ret;
	}
	return first;
}

int gw_portal_init_done(struct gateway *gw, const struct gw_portal_ops *ops,
			void *ctx)
{
	struct gw_collect *c = &gw->collect;
	struct proto_auth auth;
	char err[512];
	int ret;

	if (!c->on) {
		gw_log(gw, "portal: init_done without an init in force; "
			   "nothing removed");
		return -EINVAL;
	}
	if (c->n)
		qsort(c->v, c->n, sizeof(*c->v), cmp_held);
	ret = gw_auth_kept(gw, is_held, c, &auth);
	collect_stop(gw);
	if (ret) {
		gw_log(gw, "portal: init_done: out of memory; nothing removed");
		return ret;
	}
	gw_log(gw, "portal: init_done: %zu clients stay; the others go",
	       auth.n_clients);
	ret = apply_exactly(gw, ops, ctx, &auth, err, sizeof(err));
	proto_auth_free(&auth); /* empty unless gw_replace_auth() failed */
	if (ret)
		gw_log(gw, "portal: init_done: %s", err);
	return ret;
}

int gw_portal_create_authorization(struct gateway *gw,
				   const struct gw_portal_ops *ops, void *ctx,
				   const struct proto_sig_authorization *m)
{
	char err[512];
	int ret = grant_one(gw, ops, ctx, m, err, sizeof(err));

	if (ret) {
		gw_log(gw,
		       "portal: authorization %.36s refused: %s; not "
		       "acknowledged",
		       m->ref.s, err);
		return ret;
	}
	ret = ops->ack(ctx, &m->ref);
	if (ret)
		gw_log(gw,
		       "portal: cannot acknowledge authorization %.36s: %s "
		       "(it stands; the portal's next init decides)",
		       m->ref.s, strerror(-ret));
	return ret;
}

static int parse_id(struct gateway *gw, const char *what,
		    const struct proto_sig_id *id, uint8_t out[16])
{
	if (!fz_uuid_parse(id->s, out))
		return 0;
	gw_log(gw, "portal: %s: not a UUID; ignored", what);
	return -EINVAL;
}

/*
 * A gateway's clients are its authorizations (portal/PLAN.md section 5):
 * a client left with none goes, its peer and preshared key with it, and
 * its tunnel address and id are free for another. Until init_done the
 * init's end does that.
 */
static int drop_if_empty(struct gateway *gw, const struct gw_portal_ops *ops,
			 void *ctx, const uint8_t cid[FZ_RESOURCE_ID_LEN])
{
	const struct proto_auth_client *c =
		proto_auth_find_client_by_portal_id(gw_authorizations(gw), cid);
	char err[512];
	int ret;

	if (!c || c->n_grants || gw->collect.on)
		return 0;
	/* fz.ko first: should it fail, the client stays whole, with no
	 * resource, and the next init_done prunes it. One client, not a
	 * dump and rebuild of all (a mass revocation was quadratic). */
	ret = ops->remove_client(ctx, c->public_key, "no resource left", err,
				 sizeof(err));
	if (ret)
		gw_log(gw,
		       "portal: cannot remove a client with nothing left: %s",
		       err);
	else
		gw_forget_client(gw,
				 (size_t)(c - gw_authorizations(gw)->clients));
	return ret;
}

int gw_portal_reject_access(struct gateway *gw, const struct gw_portal_ops *ops,
			    void *ctx, const struct proto_sig_reject_access *m)
{
	uint8_t cid[FZ_RESOURCE_ID_LEN], rid[FZ_RESOURCE_ID_LEN];
	const struct proto_auth_client *c;
	char err[512];
	int ret;

	if (parse_id(gw, "reject_access client_id", &m->client_id, cid) ||
	    parse_id(gw, "reject_access resource_id", &m->resource_id, rid))
		return -EINVAL;
	c = proto_auth_find_client_by_portal_id(gw_authorizations(gw), cid);
	if (!c) {
		gw_log(gw,
		       "portal: reject_access: client %.36s is not a client "
		       "of this gateway; nothing to revoke",
		       m->client_id.s);
		return -ENOENT;
	}
	ret = gw_ungrant(gw, c, rid, err, sizeof(err));
	if (ret)
		gw_log(gw, "portal: reject_access %.36s of client %.36s: %s",
		       m->resource_id.s, m->client_id.s, err);
	drop_if_empty(gw, ops, ctx, cid);
	return ret;
}

int gw_portal_resource_updated(struct gateway *gw,
			       const struct proto_sig_resource_updated *m)
{
	uint8_t rid[FZ_RESOURCE_ID_LEN];
	char err[512];
	int ret;

	if (parse_id(gw, "resource_updated id", &m->id, rid))
		return -EINVAL;
	ret = proto_auth_filters_check(m->filters, m->n_filters, err,
				       sizeof(err));
	if (!ret)
		ret = gw_update_filters(gw, rid, m->filters, m->n_filters, err,
					sizeof(err));
	if (ret == -ENOENT)
		gw_log(gw,
		       "portal: resource_updated: resource %.36s is not "
		       "held here; nothing to update",
		       m->id.s);
	else if (ret)
		gw_log(gw, "portal: resource_updated %.36s: %s", m->id.s, err);
	return ret;
}

int gw_portal_disconnect(struct gateway *gw, const struct gw_portal_ops *ops,
			 void *ctx, const struct proto_sig_disconnect *m)
{
	struct proto_auth none = { 0 };
	char why[128], err[512];
	int ret;

	clean(why, m->reason);
	gw_log(gw,
	       "portal: disconnected this gateway (reason: %s); removing "
	       "every client",
	       why);
	ops->goodbye(ctx);
	collect_stop(gw);
	ret = gw_replace_auth(gw, &none);
	if (!ret)
		ret = ops->prune(ctx, err, sizeof(err));
	else
		snprintf(err, sizeof(err), "out of memory");
	if (ret)
		gw_log(gw, "portal: cannot remove every client: %s", err);
	ops->disconnected(ctx, why);
	return ret;
}

static void log_reply(struct gateway *gw, const struct proto_sig_msg *m)
{
	char why[128];

	if (m->reply.status == PROTO_SIG_OK)
		return;
	gw_log(gw, "portal: request %.16s refused: %s",
	       m->ref ? m->ref : "(no ref)", clean(why, m->reply.reason));
}

int gw_portal_message(struct gateway *gw, const struct gw_portal_ops *ops,
		      void *ctx, const struct proto_sig_msg *m)
{
	switch (m->kind) {
	case PROTO_SIG_GATEWAY_INIT:
		return gw_portal_init(gw, ops, ctx, &m->gateway_init);
	case PROTO_SIG_CREATE_AUTHORIZATION:
		return gw_portal_create_authorization(gw, ops, ctx,
						      &m->create_authorization);
	case PROTO_SIG_REJECT_ACCESS:
		return gw_portal_reject_access(gw, ops, ctx, &m->reject_access);
	case PROTO_SIG_RESOURCE_UPDATED:
		return gw_portal_resource_updated(gw, &m->resource_updated);
	case PROTO_SIG_INIT_DONE:
		return gw_portal_init_done(gw, ops, ctx);
	case PROTO_SIG_DISCONNECT:
		return gw_portal_disconnect(gw, ops, ctx, &m->disconnect);
	case PROTO_SIG_REPLY:
		log_reply(gw, m);
		return 0;
	default:
		gw_log(gw, "portal: unexpected %s message; ignored",
		       proto_sig_event_name(m->kind));
		return -EINVAL;
	}
}
