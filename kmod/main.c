// SPDX-License-Identifier: GPL-2.0
/*
 * fz.ko: module init and exit. Each subsystem registers itself here and is
 * unwound in reverse order, so a failure half-way leaves nothing behind.
 */
#include <linux/module.h>
#include <net/genetlink.h>
#include <net/rtnetlink.h>

#include "ratelimiter.h"
#include "device.h"
#include "netlink.h"
#include "objects.h"
#include "peer.h"
#include "version.h"

struct workqueue_struct *fz_wq;

unsigned int fz_time_divisor = 1;
module_param_named(test_time_divisor, fz_time_divisor, uint, 0444);
MODULE_PARM_DESC(test_time_divisor,
		 "For tests only: divide WireGuard's protocol timers by this (default 1)");

static int __init fz_mod_init(void)
{
	int ret;

	if (!fz_time_divisor)
		fz_time_divisor = 1;
	fz_peer_init();
	fz_ratelimiter_init();
	fz_objects_init();
	/* Per-CPU (bound) so crypt work can be spread over chosen CPUs. */
	fz_wq = alloc_workqueue("fz", WQ_CPU_INTENSIVE | WQ_MEM_RECLAIM, 0);
	if (!fz_wq)
		return -ENOMEM;
	ret = fz_device_init();
	if (ret < 0)
		goto err_device;
	ret = fz_genl_init();
	if (ret < 0)
		goto err_netlink;
	pr_info("fz: " FZ_VERSION " loaded\n");
	if (fz_time_divisor > 1)
		pr_info("fz: test mode, protocol timers divided by %u\n",
			fz_time_divisor);
	return 0;

err_netlink:
	fz_device_uninit();
err_device:
	destroy_workqueue(fz_wq);
	fz_objects_uninit();
	return ret;
}

static void __exit fz_mod_exit(void)
{
	fz_genl_uninit();
	fz_device_uninit();
	destroy_workqueue(fz_wq);
	/* Peers and keypairs are freed by RCU callbacks in this module. */
	rcu_barrier();
	fz_objects_uninit();
	pr_info("fz: unloaded\n");
}

module_init(fz_mod_init);
module_exit(fz_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("fz: zero-trust access data path (WireGuard protocol)");
MODULE_VERSION(FZ_VERSION);
MODULE_ALIAS_RTNL_LINK(FZ_LINK_KIND);
MODULE_ALIAS_GENL_FAMILY(FZ_GENL_NAME);
