/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The portal's messages to a gateway (proto/sig.h), acted on: `init`,
 * `create_authorization`, `init_done`, `reject_access`,
 * `resource_updated` and `disconnect`. An init only adds (it holds what
 * fits one message; pushes bring the rest); its `init_done` brings fz.ko
 * to exactly what the init and the pushes before it named. What needs more than the gateway (fz.ko's peers, the
 * interface's addresses, the portal connection, the daemon's exit)
 * goes through struct gw_portal_ops, so that tests can run the messages
 * against a gateway with recording doubles and no connection.
 *
 * The portal is input like any other: a message that does not check out
 * (proto/gw_portal.h) is logged ("portal: init refused: ...") and
 * changes nothing. Each function returns 0 or the negative errno of what
 * it refused or what failed.
 */
#ifndef FZ_AGENT_GW_PORTAL_MSG_H
#define FZ_AGENT_GW_PORTAL_MSG_H

#include <stdint.h>

#include "gateway.h"
#include "proto/sig.h"

struct fzk_device_view;

struct gw_portal_ops {
	/* fz.ko's gateway clients that gw no longer has go (as at start). */
	int (*prune)(void *ctx, char *err, size_t errlen);
	/* One client's fz.ko peer deleted (its resources and maps go with
	 * it) and its handshake state forgotten; reason is for the log. */
	int (*remove_client)(void *ctx, const uint8_t key[FZ_KEY_LEN],
			     const char *reason, char *err, size_t errlen);
	/* The device as fz.ko holds it, for gw_start(). */
	int (*dump)(void *ctx, struct fzk_device_view *dev);
	/* The init's tunnel addresses on the interface (replacing older);
	 * an error is logged and the init goes on. */
	int (*set_addresses)(void *ctx, const struct fz_cidr *v4,
			     const struct fz_cidr *v6, char *err,
			     size_t errlen);
	/* `authorization_created {ref}` to the portal. */
	int (*ack)(void *ctx, const struct proto_sig_id *ref);
	/* `disconnect`: Goodbye to the clients with a session (first)... */
	void (*goodbye)(void *ctx);
	/* ...and, once every client is gone, the end (exit status 1). */
	void (*disconnected)(void *ctx, const char *reason);
	/* Realtime, nanoseconds: expiries are unix seconds. */
	uint64_t (*now_ns)(void *ctx);
};

int gw_portal_init(struct gateway *gw, const struct gw_portal_ops *ops,
		   void *ctx, const struct proto_sig_gateway_init *m);
int gw_portal_create_authorization(struct gateway *gw,
				   const struct gw_portal_ops *ops, void *ctx,
				   const struct proto_sig_authorization *m);
int gw_portal_init_done(struct gateway *gw, const struct gw_portal_ops *ops,
			void *ctx);
/* A client left with no resource is removed (its peer deleted). */
int gw_portal_reject_access(struct gateway *gw, const struct gw_portal_ops *ops,
			    void *ctx, const struct proto_sig_reject_access *m);
int gw_portal_resource_updated(struct gateway *gw,
			       const struct proto_sig_resource_updated *m);
int gw_portal_disconnect(struct gateway *gw, const struct gw_portal_ops *ops,
			 void *ctx, const struct proto_sig_disconnect *m);
/* Any message: the above by kind; replies are logged when errors. */
int gw_portal_message(struct gateway *gw, const struct gw_portal_ops *ops,
		      void *ctx, const struct proto_sig_msg *m);

#endif /* FZ_AGENT_GW_PORTAL_MSG_H */
