/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few kernel API differences between the kernels fz.ko supports
 * (Debian's 6.1 and 6.12), kept in one place so the rest reads as plain
 * current-kernel code.
 */
#ifndef _FZ_COMPAT_H
#define _FZ_COMPAT_H

#include <linux/version.h>
#include <linux/netdevice.h>
#include <net/genetlink.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#include <net/gso.h> /* skb_gso_segment() moved here */
#endif

static inline void fz_compat_set_lltx(struct net_device *dev)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
	dev->lltx = true;
#else
	dev->features |= NETIF_F_LLTX;
#endif
}

/*
 * Per-CPU tstats: since 6.7 the core allocates them when asked to (and
 * tunnel helpers insist on being asked); before, the driver does.
 */
static inline int fz_compat_tstats_alloc(struct net_device *dev)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
	return 0;
#else
	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	return dev->tstats ? 0 : -ENOMEM;
#endif
}

static inline void fz_compat_tstats_free(struct net_device *dev)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 7, 0)
	free_percpu(dev->tstats);
#endif
}

static inline void fz_compat_tstats_setup(struct net_device *dev)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
	dev->pcpu_stat_type = NETDEV_PCPU_STAT_TSTATS;
#endif
}

/* The device may not move to another network namespace. */
static inline void fz_compat_set_netns_local(struct net_device *dev)
{
#if defined(FZ_HAVE_NETNS_IMMUTABLE)
	dev->netns_immutable = true;
#elif defined(FZ_HAVE_NETNS_LOCAL)
	dev->netns_local = true;
#else
	dev->features |= NETIF_F_NETNS_LOCAL;
#endif
}

/* The attributes a dump request was parsed into by its op's policy. */
static inline struct nlattr **fz_compat_dump_attrs(struct netlink_callback *cb)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

#endif /* _FZ_COMPAT_H */
