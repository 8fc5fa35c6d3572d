/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FZ_NAT_H
#define _FZ_NAT_H

#include <linux/types.h>

struct fz_device;
struct fz_peer;
struct nf_conn;

/* In the mapped ranges (FZ_RANGE_MAPPED_V4/V6 in the uapi header). */
bool fz_is_mapped(u16 family, const u8 *addr);

/*
 * Whether a packet of conntrack entry ct (NULL: untracked) may pass for
 * client peer: a flow this translation bound to a real address passes
 * only while the client's map still leads its mapped IP there. mapped: the
 * packet's own mapped source (to a client), which only such a flow, to
 * that mapped IP, can have. Under RCU.
 */
bool fz_nat_ct_ok(struct fz_peer *peer, const struct nf_conn *ct,
		  const u8 *mapped);

/*
 * Turns on conntrack and the mapped-IP translation in the device's
 * namespace, once per device; the device stays in that namespace from
 * then on. Process context, under fz->lock.
 */
int fz_nat_enable(struct fz_device *fz);
/* From the device's teardown. */
void fz_nat_disable(struct fz_device *fz);

#endif /* _FZ_NAT_H */
