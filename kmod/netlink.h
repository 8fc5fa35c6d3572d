/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FZ_NETLINK_H
#define _FZ_NETLINK_H

#include <linux/types.h>

struct fz_device;
struct fz_peer;
union fz_endpoint;

int fz_genl_init(void);
void fz_genl_uninit(void);

/* Events to the "events" group of the device's namespace; any context. */
void fz_genl_event_handshake(struct fz_device *fz, const void *msg,
			     size_t len, const union fz_endpoint *src);
void fz_genl_event_peer(struct fz_peer *peer, u8 cmd, u32 reason);

#endif /* _FZ_NETLINK_H */
