// SPDX-License-Identifier: GPL-2.0
/*
 * The fz link type: an L3 point-to-point device with no ARP and no qdisc.
 * Its UDP sockets are open while it is up.
 */
#include <linux/if_arp.h>
#include <linux/rtnetlink.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/rtnetlink.h>

#include "compat.h"
#include "device.h"
#include "dnsmap.h"
#include "hold.h"
#include "nat.h"
#include "objects.h"
#include "peer.h"
#include "queueing.h"
#include "receive.h"
#include "send.h"
#include "socket.h"

static struct rtnl_link_ops fz_link_ops;
/* Every fz device, so a dying namespace can close the sockets in it. */
static LIST_HEAD(fz_devices);
static DEFINE_MUTEX(fz_devices_lock);

static int fz_dev_init(struct net_device *dev)
{
	struct fz_device *fz = netdev_priv(dev);
	int ret = -ENOMEM;

	if (fz_compat_tstats_alloc(dev))
		goto err;
	fz->counters = alloc_percpu_gfp(struct fz_counters, GFP_KERNEL_ACCOUNT);
	if (!fz->counters)
		goto err_tstats;
	fz->ratelimiter = fz_ratelimiter_create();
	if (!fz->ratelimiter)
		goto err_counters;
	fz->sent_handshakes = kvcalloc(1 << FZ_SENT_HANDSHAKE_BITS, sizeof(u64),
				       GFP_KERNEL_ACCOUNT);
	if (!fz->sent_handshakes)
		goto err_ratelimiter;
	ret = fz_aip_table_init(&fz->aips);
	if (ret)
		goto err_ratelimiter;
	ret = fz_dnsmap_table_init(&fz->dnsmaps);
	if (ret)
		goto err_aips;
	ret = fz_crypt_queue_init(&fz->encrypt_queue, fz, fz_encrypt_worker);
	if (ret)
		goto err_dnsmaps;
	ret = fz_crypt_queue_init(&fz->decrypt_queue, fz, fz_decrypt_worker);
	if (ret)
		goto err_encrypt;
	atomic_inc(&fz_live.devices);
	return 0;

err_encrypt:
	fz_crypt_queue_free(&fz->encrypt_queue);
err_dnsmaps:
	fz_dnsmap_table_destroy(&fz->dnsmaps);
err_aips:
	fz_aip_table_destroy(&fz->aips);
err_ratelimiter:
	kvfree(fz->sent_handshakes);
	fz_ratelimiter_destroy(fz->ratelimiter);
err_counters:
	free_percpu(fz->counters);
err_tstats:
	fz_compat_tstats_free(dev);
err:
	return ret;
}

static void fz_dev_uninit(struct net_device *dev)
{
	struct fz_device *fz = netdev_priv(dev);

	mutex_lock(&fz_devices_lock);
	list_del(&fz->device_list);
	mutex_unlock(&fz_devices_lock);

	fz_hold_flush(fz, true);
	mutex_lock(&fz->lock);
	fz->dead = true;
	fz_socket_close(fz);
	fz_peer_remove_all(fz);
	mutex_unlock(&fz->lock);
	cancel_work_sync(&fz->handshake_work);
	skb_queue_purge(&fz->handshake_queue);
	fz_crypt_flush(fz);
	fz_crypt_queue_free(&fz->decrypt_queue);
	fz_crypt_queue_free(&fz->encrypt_queue);
	fz_nat_disable(fz);
	fz_dnsmap_table_destroy(&fz->dnsmaps);
	fz_aip_table_destroy(&fz->aips);
	kvfree(fz->sent_handshakes);
	fz_ratelimiter_destroy(fz->ratelimiter);
	free_percpu(fz->counters);
	fz_compat_tstats_free(dev);
	atomic_dec(&fz_live.devices);
}

static int fz_open(struct net_device *dev)
{
	struct fz_device *fz = netdev_priv(dev);
	int ret;

	mutex_lock(&fz->lock);
	ret = fz_socket_open(fz, fz->listen_port);
	mutex_unlock(&fz->lock);
	if (ret)
		netdev_err(dev, "cannot open UDP port %u: %d\n",
			   fz->listen_port, ret);
	return ret;
}

static int fz_stop(struct net_device *dev)
{
	struct fz_device *fz = netdev_priv(dev);
	struct fz_peer *peer;

	mutex_lock(&fz->lock);
	fz_socket_close(fz);
	list_for_each_entry(peer, &fz->peer_list, list)
		fz_staged_purge(peer);
	mutex_unlock(&fz->lock);
	/* Held packets keep routes to this device; a move must not wait. */
	fz_hold_flush(fz, false);
	return 0;
}

static const struct net_device_ops fz_netdev_ops = {
	.ndo_init = fz_dev_init,
	.ndo_uninit = fz_dev_uninit,
	.ndo_open = fz_open,
	.ndo_stop = fz_stop,
	.ndo_start_xmit = fz_xmit,
	.ndo_get_stats64 = dev_get_tstats64,
};

#define FZ_FEATURES                                                        \
	(NETIF_F_HW_CSUM | NETIF_F_RXCSUM | NETIF_F_SG | NETIF_F_GSO |      \
	 NETIF_F_GSO_SOFTWARE | NETIF_F_HIGHDMA)

static void fz_setup(struct net_device *dev)
{
	struct fz_device *fz = netdev_priv(dev);

	dev->netdev_ops = &fz_netdev_ops;
	dev->header_ops = NULL;
	dev->type = ARPHRD_NONE;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->needed_headroom = FZ_DATA_HEADROOM;
	dev->needed_tailroom = FZ_PADDING + FZ_AUTHTAG_LEN;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP;
	dev->priv_flags |= IFF_NO_QUEUE;
	/* ICMP errors to local senders need the packet's route in xmit. */
	netif_keep_dst(dev);
	fz_compat_set_lltx(dev);
	fz_compat_tstats_setup(dev);
	dev->features |= FZ_FEATURES;
	dev->hw_features |= FZ_FEATURES;
	dev->hw_enc_features |= FZ_FEATURES;
	dev->mtu = FZ_DEFAULT_MTU;
	dev->min_mtu = IPV6_MIN_MTU;
	dev->max_mtu = ETH_MAX_MTU - FZ_DATA_HEADROOM;
	dev->needs_free_netdev = true;

	memset(fz, 0, sizeof(*fz));
	fz->dev = dev;
	mutex_init(&fz->lock);
	INIT_LIST_HEAD(&fz->peer_list);
	INIT_LIST_HEAD(&fz->device_list);
	hash_init(fz->peer_hash);
	hash_init(fz->index_hash);
	spin_lock_init(&fz->index_lock);
	skb_queue_head_init(&fz->handshake_queue);
	INIT_WORK(&fz->handshake_work, fz_handshake_worker);
	fz_cookie_checker_init(&fz->cookie_checker);
	fz_hold_init(&fz->hold);
	/* Bounds the work a client flooding denied packets can cause. */
	ratelimit_state_init(&fz->deny_icmp_rs, HZ, 100);
	ratelimit_set_flags(&fz->deny_icmp_rs, RATELIMIT_MSG_ON_RELEASE);
	ratelimit_state_init(&fz->deny_event_rs, HZ, 10);
	ratelimit_set_flags(&fz->deny_event_rs, RATELIMIT_MSG_ON_RELEASE);
	fz->generation = 1;
}

static int fz_newlink(struct net *src_net, struct net_device *dev,
		      struct nlattr *tb[], struct nlattr *data[],
		      struct netlink_ext_ack *extack)
{
	struct fz_device *fz = netdev_priv(dev);
	int ret;

	/* Sockets live where the device was made, wherever it moves. */
	fz->creating_net = src_net;
	ret = register_netdevice(dev);
	if (ret < 0)
		return ret;
	mutex_lock(&fz_devices_lock);
	list_add(&fz->device_list, &fz_devices);
	mutex_unlock(&fz_devices_lock);
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

/* The namespace holding a device's sockets is going away: close them. */
static void __net_exit fz_netns_pre_exit(struct net *net)
{
	struct fz_device *fz;

	rtnl_lock();
	mutex_lock(&fz_devices_lock);
	list_for_each_entry(fz, &fz_devices, device_list) {
		if (fz->creating_net != net)
			continue;
		mutex_lock(&fz->lock);
		fz_socket_close(fz);
		fz->creating_net = NULL;
		mutex_unlock(&fz->lock);
	}
	mutex_unlock(&fz_devices_lock);
	rtnl_unlock();
}

static struct pernet_operations fz_netns_ops = {
	.pre_exit = fz_netns_pre_exit,
};

static struct fz_device *fz_device_of(struct net_device *dev)
{
	if (!dev)
		return NULL;
	if (dev->rtnl_link_ops != &fz_link_ops) {
		dev_put(dev);
		return NULL;
	}
	return netdev_priv(dev);
}

struct fz_device *fz_device_get_by_index(struct net *net, int ifindex)
{
	return fz_device_of(dev_get_by_index(net, ifindex));
}

struct fz_device *fz_device_get_by_name(struct net *net, const char *ifname)
{
	return fz_device_of(dev_get_by_name(net, ifname));
}

bool fz_netdev_is_fz(const struct net_device *dev)
{
	return dev->rtnl_link_ops == &fz_link_ops;
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
	int ret = register_pernet_device(&fz_netns_ops);

	if (ret)
		return ret;
	ret = rtnl_link_register(&fz_link_ops);
	if (ret)
		unregister_pernet_device(&fz_netns_ops);
	return ret;
}

void fz_device_uninit(void)
{
	/* Deletes every fz device in every namespace. */
	rtnl_link_unregister(&fz_link_ops);
	unregister_pernet_device(&fz_netns_ops);
}
