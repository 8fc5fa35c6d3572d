/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FZ_NAT_H
#define _FZ_NAT_H

#include <linux/types.h>

struct fz_device;

/* In 100.96.0.0/11 or fd00:2021:1111:8000::/107, the mapped ranges. */
bool fz_is_mapped(u16 family, const u8 *addr);

/*
 * Turns on conntrack and the mapped-IP translation in the device's
 * namespace, once per device; the device stays in that namespace from
 * then on. Process context, under fz->lock.
 */
int fz_nat_enable(struct fz_device *fz);
/* From the device's teardown. */
void fz_nat_disable(struct fz_device *fz);

#endif /* _FZ_NAT_H */
