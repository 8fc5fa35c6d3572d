// SPDX-License-Identifier: GPL-2.0
/*
 * fz.ko: module init and exit. Each subsystem registers itself here and is
 * unwound in reverse order, so a failure half-way leaves nothing behind.
 */
#include <linux/module.h>
#include <net/genetlink.h>
#include <net/rtnetlink.h>

#include "device.h"
#include "netlink.h"
#include "peer.h"
#include "version.h"

static int __init fz_mod_init(void)
{
	int ret;

	fz_peer_init();
	ret = fz_device_init();
	if (ret < 0)
		goto err_device;
	ret = fz_genl_init();
	if (ret < 0)
		goto err_netlink;
	pr_info("fz: " FZ_VERSION " loaded\n");
	return 0;

err_netlink:
	fz_device_uninit();
err_device:
	return ret;
}

static void __exit fz_mod_exit(void)
{
	fz_genl_uninit();
	fz_device_uninit();
	/* Peers are freed by RCU callbacks that live in this module. */
	rcu_barrier();
	pr_info("fz: unloaded\n");
}

module_init(fz_mod_init);
module_exit(fz_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("fz: zero-trust access data path (WireGuard protocol)");
MODULE_VERSION(FZ_VERSION);
MODULE_ALIAS_RTNL_LINK(FZ_LINK_KIND);
MODULE_ALIAS_GENL_FAMILY(FZ_GENL_NAME);
