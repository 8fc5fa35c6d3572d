/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Live object counts, for the selftests' "everything created was
 * destroyed" check (debugfs: fz/live_*). Changed on create and free only,
 * never per packet.
 */
#ifndef _FZ_OBJECTS_H
#define _FZ_OBJECTS_H

#include <linux/atomic.h>

struct fz_live {
	atomic_t peers;
	atomic_t keypairs;
	atomic_t allowedips;
	atomic_t devices;
	atomic_t dnsmaps;
};

extern struct fz_live fz_live;

void fz_objects_init(void);
void fz_objects_uninit(void);

#endif /* _FZ_OBJECTS_H */
