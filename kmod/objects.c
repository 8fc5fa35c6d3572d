// SPDX-License-Identifier: GPL-2.0
#include <linux/debugfs.h>

#include "objects.h"

struct fz_live fz_live;
static struct dentry *fz_debugfs;

void fz_objects_init(void)
{
	/* debugfs may be absent or off: the counters still count. */
	fz_debugfs = debugfs_create_dir("fz", NULL);
	debugfs_create_atomic_t("live_peers", 0400, fz_debugfs, &fz_live.peers);
	debugfs_create_atomic_t("live_keypairs", 0400, fz_debugfs,
				&fz_live.keypairs);
	debugfs_create_atomic_t("live_allowedips", 0400, fz_debugfs,
				&fz_live.allowedips);
	debugfs_create_atomic_t("live_dnsmaps", 0400, fz_debugfs,
				&fz_live.dnsmaps);
	debugfs_create_atomic_t("live_devices", 0400, fz_debugfs,
				&fz_live.devices);
}

void fz_objects_uninit(void)
{
	debugfs_remove_recursive(fz_debugfs);
}
