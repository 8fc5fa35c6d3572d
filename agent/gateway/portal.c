// SPDX-License-Identifier: GPL-2.0
/*
 * The portal's messages to a gateway; see portal.h. An init is the
 * portal's whole truth: fz.ko is brought to exactly it, as a reload of
 * the authorizations file does, so nothing stale survives a reconnect.
 * The pushes between inits change one thing each.
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
static int apply_init(struct gateway *gw, const struct gw_portal_ops *ops,
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

int gw_portal_init(struct gateway *gw, const struct gw_portal_ops *ops,
		   void *ctx, const struct proto_sig_gateway_init *m)
{
	struct proto_auth auth;
	size_t expired;
	char err[512];
	int ret;

	ret = proto_auth_from_sig_init(m, ops->now_ns(ctx), &auth, &expired,
				       err, sizeof(err));
	if (ret) {
		gw_log(gw, "portal: init refused: %s; nothing changed", err);
		return ret;
	}
	ret = ops->set_addresses(ctx, &m->interface.ipv4, &m->interface.ipv6,
				 err, sizeof(err));
	if (ret) {
		proto_auth_free(&auth);
		gw_log(gw, "portal: init: %s", err);
		return ret;
	}
	gw_log(gw,
	       "portal: init: %zu clients, %zu resources, %zu "
	       "authorizations (%zu already expired, left out)",
	       auth.n_clients, auth.n_resources, m->n_authorizations - expired,
	       expired);
	ret = apply_init(gw, ops, ctx, &auth, err, sizeof(err));
	proto_auth_free(&auth); /* empty unless gw_replace_auth() failed */
	if (ret)
		gw_log(gw, "portal: init: %s", err);
	return ret;
}

int gw_portal_create_authorization(struct gateway *gw,
				   const struct gw_portal_ops *ops, void *ctx,
				   const struct proto_sig_authorization *m)
{
	struct proto_auth_client c;
	struct proto_auth_resource r;
	uint64_t expires;
	char err[512];
	int ret;

	ret = proto_auth_expiry_from_sig(m->expires_at, ops->now_ns(ctx),
					 &expires, err, sizeof(err));
	if (!ret)
		ret = proto_auth_client_from_sig(&m->client, &c, err,
						 sizeof(err));
	if (!ret) {
		ret = proto_auth_resource_from_sig(&m->resource, &r, err,
						   sizeof(err));
		if (!ret)
			ret = gw_grant(gw, &c, &r, expires, err, sizeof(err));
		sodium_memzero(&c, sizeof(c));
	}
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

int gw_portal_reject_access(struct gateway *gw,
			    const struct proto_sig_reject_access *m)
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
		return gw_portal_reject_access(gw, &m->reject_access);
	case PROTO_SIG_RESOURCE_UPDATED:
		return gw_portal_resource_updated(gw, &m->resource_updated);
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
