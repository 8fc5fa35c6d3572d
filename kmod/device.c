// SPDX-License-Identifier: GPL-2.0
/*
 * The fz link type: an L3 point-to-point device with no ARP and no qdisc.
 * Until a peer owns a destination (cryptokey routing), every packet sent
 * into it is dropped and counted.
 */
#include <linux/if_arp.h>
#include <linux/rtnetlink.h>
#include <net/ipv6.h>
#include <net/rtnetlink.h>

#include "compat.h"
#include "device.h"
#include "peer.h"

static struct rtnl_link_ops fz_link_ops;

static int fz_dev_init(struct net_device *dev)
{
	struct fz_device *fz = netdev_priv(dev);

	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	if (!dev->tstats)
		return -ENOMEM;
	fz->counters = alloc_percpu(struct fz_counters);
	if (!fz->counters) {
		free_percpu(dev->tstats);
		dev->tstats = NULL;
		return -ENOMEM;
	}
	return 0;
}

static void fz_dev_uninit(struct net_device *dev)
{
	struct fz_device *fz = netdev_priv(dev);

	mutex_lock(&fz->lock);
	fz_peer_remove_all(fz);
	mutex_unlock(&fz->lock);
	free_percpu(fz->counters);
	free_percpu(dev->tstats);
}

static netdev_tx_t fz_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct fz_device *fz = netdev_priv(dev);

	/* No peer can own a destination yet: drop, count, say why. */
	fz_count(fz, FZ_STAT_A_DROP_NO_PEER);
	DEV_STATS_INC(dev, tx_dropped);
	kfree_skb(skb);
	return NETDEV_TX_OK;
}

static const struct net_device_ops fz_netdev_ops = {
	.ndo_init = fz_dev_init,
	.ndo_uninit = fz_dev_uninit,
	.ndo_start_xmit = fz_xmit,
	.ndo_get_stats64 = dev_get_tstats64,
};

static void fz_setup(struct net_device *dev)
{
	struct fz_device *fz = netdev_priv(dev);

	dev->netdev_ops = &fz_netdev_ops;
	dev->header_ops = NULL;
	dev->type = ARPHRD_NONE;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP;
	dev->priv_flags |= IFF_NO_QUEUE;
	fz_compat_set_lltx(dev);
	dev->mtu = FZ_DEFAULT_MTU;
	dev->min_mtu = IPV6_MIN_MTU;
	dev->max_mtu = ETH_MAX_MTU;
	dev->needs_free_netdev = true;

	memset(fz, 0, sizeof(*fz));
	fz->dev = dev;
	mutex_init(&fz->lock);
	INIT_LIST_HEAD(&fz->peer_list);
	hash_init(fz->peer_hash);
	fz->generation = 1;
}

static int fz_newlink(struct net *src_net, struct net_device *dev,
		      struct nlattr *tb[], struct nlattr *data[],
		      struct netlink_ext_ack *extack)
{
	int ret = register_netdevice(dev);

	if (ret < 0)
		return ret;
	netdev_info(dev, "created\n");
	return 0;
}

static void fz_dellink(struct net_device *dev, struct list_head *head)
{
	netdev_info(dev, "deleted\n");
	unregister_netdevice_queue(dev, head);
}

static struct rtnl_link_ops fz_link_ops __read_mostly = {
	.kind = FZ_LINK_KIND,
	.priv_size = sizeof(struct fz_device),
	.setup = fz_setup,
	.newlink = fz_newlink,
	.dellink = fz_dellink,
};

struct fz_device *fz_device_get(struct net *net, int ifindex,
				const char *ifname)
{
	struct net_device *dev;

	if (ifindex)
		dev = dev_get_by_index(net, ifindex);
	else
		dev = dev_get_by_name(net, ifname);
	if (!dev)
		return NULL;
	if (dev->rtnl_link_ops != &fz_link_ops) {
		dev_put(dev);
		return NULL;
	}
	return netdev_priv(dev);
}

void fz_device_put(struct fz_device *fz)
{
	dev_put(fz->dev);
}

void fz_device_counters(struct fz_device *fz, u64 out[__FZ_STAT_A_MAX])
{
	int cpu, i;

	memset(out, 0, sizeof(u64) * __FZ_STAT_A_MAX);
	for_each_possible_cpu(cpu) {
		const struct fz_counters *c = per_cpu_ptr(fz->counters, cpu);

		for (i = 0; i < __FZ_STAT_A_MAX; i++)
			out[i] += READ_ONCE(c->v[i]);
	}
}

int fz_device_init(void)
{
	return rtnl_link_register(&fz_link_ops);
}

void fz_device_uninit(void)
{
	/* Deletes every fz device in every namespace. */
	rtnl_link_unregister(&fz_link_ops);
}
