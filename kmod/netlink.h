/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FZ_NETLINK_H
#define _FZ_NETLINK_H

#include <linux/types.h>

struct fz_device;
struct fz_peer;
union fz_endpoint;
struct fz_flow;

int fz_genl_init(void);
void fz_genl_uninit(void);

/* Events to the "events" group of the device's namespace; any context. */
void fz_genl_event_handshake(struct fz_device *fz, const void *msg,
			     size_t len, const union fz_endpoint *src);
void fz_genl_event_peer(struct fz_peer *peer, u8 cmd, u32 reason);
void fz_genl_event_denied(struct fz_peer *peer, u32 reason,
			  const struct fz_flow *flow);
void fz_genl_event_unknown_dest(struct fz_device *fz,
				const struct fz_flow *flow);
void fz_genl_event_control(struct fz_peer *peer, const void *data,
			   size_t len);

#endif /* _FZ_NETLINK_H */
