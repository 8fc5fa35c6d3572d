// SPDX-License-Identifier: GPL-2.0
/*
 * GET_DEVICE: the dump of a device, its peers, their allowed IPs,
 * keypairs, resources and counters, as `fzagent show` reads it.
 */
#include <linux/sizes.h>
#include <net/genetlink.h>

#include "compat.h"
#include "device.h"
#include "keypair.h"
#include "netlink_int.h"
#include "peer.h"
#include "policy.h"

/* Dump messages are at least this large; see fz_get_device_start(). */
#define FZ_DUMP_MIN_ALLOC SZ_16K

static int fz_put_stats(struct sk_buff *skb, struct fz_device *fz)
{
	u64 c[__FZ_STAT_A_MAX];
	struct rtnl_link_stats64 st = {};
	struct nlattr *nest;
	int i;

	fz_device_counters(fz, c);
	dev_get_tstats64(fz->dev, &st);
	c[FZ_STAT_A_RX_PACKETS] = st.rx_packets;
	c[FZ_STAT_A_RX_BYTES] = st.rx_bytes;
	c[FZ_STAT_A_TX_PACKETS] = st.tx_packets;
	c[FZ_STAT_A_TX_BYTES] = st.tx_bytes;
	nest = nla_nest_start(skb, FZ_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = FZ_STAT_A_RX_PACKETS; i < __FZ_STAT_A_MAX; i++) {
		if (i != FZ_STAT_A_PAD &&
		    nla_put_u64_64bit(skb, i, c[i], FZ_STAT_A_PAD))
			return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int fz_put_device(struct sk_buff *skb, struct fz_device *fz)
{
	if (nla_put_string(skb, FZ_A_IFNAME, fz->dev->name) ||
	    nla_put_u16(skb, FZ_A_LISTEN_PORT, fz->listen_port) ||
	    nla_put_u32(skb, FZ_A_FWMARK, fz->fwmark) ||
	    nla_put_u32(skb, FZ_A_GENERATION, fz->generation) ||
	    nla_put_u8(skb, FZ_A_HOLD, READ_ONCE(fz->hold.enabled)))
		return -EMSGSIZE;
	if (fz->has_public_key &&
	    nla_put(skb, FZ_A_PUBLIC_KEY, FZ_KEY_LEN, fz->public_key))
		return -EMSGSIZE;
	return fz_put_stats(skb, fz);
}

static int fz_put_allowedips(struct sk_buff *skb, struct fz_peer *peer)
{
	struct nlattr *list, *one;
	struct fz_aip *aip;

	list = nla_nest_start(skb, FZ_PEER_A_ALLOWEDIPS);
	if (!list)
		return -EMSGSIZE;
	list_for_each_entry(aip, &peer->allowedips, peer_list) {
		bool v4 = aip->key.family == 4;

		one = nla_nest_start(skb, 0);
		if (!one ||
		    nla_put_u16(skb, FZ_AIP_A_FAMILY, v4 ? AF_INET : AF_INET6) ||
		    nla_put(skb, FZ_AIP_A_ADDR, v4 ? 4 : 16, aip->key.addr) ||
		    nla_put_u8(skb, FZ_AIP_A_CIDR, aip->key.cidr))
			return -EMSGSIZE;
		nla_nest_end(skb, one);
	}
	nla_nest_end(skb, list);
	return 0;
}

static int fz_put_keypair(struct sk_buff *skb, struct fz_keypair *kp, u8 slot)
{
	struct nlattr *nest;

	if (!kp)
		return 0;
	nest = nla_nest_start(skb, 0);
	if (!nest || nla_put_u8(skb, FZ_KP_A_SLOT, slot) ||
	    nla_put_u32(skb, FZ_KP_A_LOCAL_INDEX, kp->local_index) ||
	    nla_put_u32(skb, FZ_KP_A_REMOTE_INDEX,
			le32_to_cpu(kp->remote_index)) ||
	    nla_put_u32(skb, FZ_KP_A_FLAGS,
			kp->initiator ? FZ_KEYPAIR_F_INITIATOR : 0) ||
	    nla_put_u64_64bit(skb, FZ_KP_A_CREATED, kp->created_real,
			      FZ_KP_A_PAD) ||
	    nla_put_u64_64bit(skb, FZ_KP_A_TX_COUNTER,
			      atomic64_read(&kp->send_counter), FZ_KP_A_PAD))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* The dump has no "previous" slot: it only ever receives. */
static int fz_put_keypairs(struct sk_buff *skb, struct fz_peer *peer)
{
	struct nlattr *list = nla_nest_start(skb, FZ_PEER_A_KEYPAIRS);
	struct fz_keypair *cur, *next;
	int ret;

	if (!list)
		return -EMSGSIZE;
	spin_lock_bh(&peer->keys.lock);
	cur = rcu_dereference_protected(peer->keys.cur,
					lockdep_is_held(&peer->keys.lock));
	next = rcu_dereference_protected(peer->keys.next,
					 lockdep_is_held(&peer->keys.lock));
	ret = fz_put_keypair(skb, cur, FZ_KEYPAIR_CURRENT) ?:
	      fz_put_keypair(skb, next, FZ_KEYPAIR_NEXT);
	spin_unlock_bh(&peer->keys.lock);
	if (ret)
		return ret;
	nla_nest_end(skb, list);
	return 0;
}

/* Which resources, and until when: their addresses and filters stay out. */
static int fz_put_resources(struct sk_buff *skb, struct fz_peer *peer)
{
	const struct fz_policy *pol;
	struct nlattr *list, *nest;
	unsigned int i;

	pol = rcu_dereference_protected(peer->policy,
					lockdep_is_held(&peer->fz->lock));
	if (!pol)
		return 0;
	list = nla_nest_start(skb, FZ_PEER_A_RESOURCES);
	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < pol->num; i++) {
		nest = nla_nest_start(skb, 0);
		if (!nest ||
		    nla_put(skb, FZ_RES_A_ID, FZ_RESOURCE_ID_LEN,
			    pol->res[i].id) ||
		    nla_put_u32(skb, FZ_RES_A_FLAGS, pol->res[i].flags) ||
		    nla_put_u64_64bit(skb, FZ_RES_A_EXPIRES,
				      pol->res[i].expires_ns, FZ_RES_A_PAD))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
	}
	nla_nest_end(skb, list);
	return 0;
}

/* Only the counters that are not zero: most peers have none. */
static int fz_put_peer_drops(struct sk_buff *skb, struct fz_peer *peer)
{
	struct nlattr *nest = nla_nest_start(skb, FZ_PEER_A_DROPS);
	int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < FZ_PEER_DROP_SLOTS; i++) {
		u64 v = atomic64_read(&peer->drops[i]);

		if (v && nla_put_u64_64bit(skb, fz_peer_drop_attrs[i], v,
					   FZ_STAT_A_PAD))
			return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int fz_put_peer(struct sk_buff *skb, struct fz_peer *peer)
{
	struct nlattr *nest = nla_nest_start(skb, FZ_A_PEER);
	struct fz_peer_endpoint ep;
	struct fz_peer_stats st;

	if (!nest)
		return -EMSGSIZE;
	fz_peer_get_endpoint(peer, &ep);
	fz_peer_stats(peer, &st);
	if (nla_put(skb, FZ_PEER_A_PUBLIC_KEY, FZ_KEY_LEN, peer->public_key) ||
	    nla_put_u32(skb, FZ_PEER_A_FLAGS, peer->flags) ||
	    fz_put_endpoint(skb, FZ_PEER_A_ENDPOINT, &ep.addr) ||
	    nla_put_u16(skb, FZ_PEER_A_PERSISTENT_KEEPALIVE,
			peer->persistent_keepalive) ||
	    nla_put_u16(skb, FZ_PEER_A_QUIET_TIMEOUT,
			READ_ONCE(peer->quiet_timeout)) ||
	    nla_put_u64_64bit(skb, FZ_PEER_A_RX_BYTES, st.rx_bytes,
			      FZ_PEER_A_PAD) ||
	    nla_put_u64_64bit(skb, FZ_PEER_A_TX_BYTES, st.tx_bytes,
			      FZ_PEER_A_PAD) ||
	    nla_put_u64_64bit(skb, FZ_PEER_A_LAST_HANDSHAKE,
			      READ_ONCE(peer->last_handshake_ns),
			      FZ_PEER_A_PAD) ||
	    nla_put_u64_64bit(skb, FZ_PEER_A_LAST_RX,
			      READ_ONCE(peer->last_rx_ns), FZ_PEER_A_PAD) ||
	    fz_put_allowedips(skb, peer) || fz_put_keypairs(skb, peer) ||
	    fz_put_resources(skb, peer) || fz_put_peer_drops(skb, peer)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* cb->args: [0] the device (referenced), [1] peers sent, [2] all sent. */
int fz_get_device_start(struct netlink_callback *cb)
{
	struct genlmsghdr *ghdr = nlmsg_data(cb->nlh);
	struct fz_device *fz;
	int ret;

	ret = fz_check_version(ghdr->version, cb->extack);
	if (ret)
		return ret;
	fz = fz_lookup(sock_net(cb->skb->sk), fz_compat_dump_attrs(cb),
		       cb->extack);
	if (IS_ERR(fz))
		return PTR_ERR(fz);
	cb->args[0] = (long)fz;
	/*
	 * A peer is never split, and one with every allowed IP, resource and
	 * counter takes about 9 KiB: ask for messages that always hold one.
	 * Netlink expects dump readers to offer 16 KiB anyway.
	 */
	cb->min_dump_alloc = FZ_DUMP_MIN_ALLOC;
	return 0;
}

/* Appends the peers after the first cb->args[1]; returns how many fit. */
static int fz_put_peers(struct sk_buff *skb, struct fz_device *fz,
			struct netlink_callback *cb)
{
	unsigned long index = 0, skip = cb->args[1];
	struct nlattr *nest;
	struct fz_peer *peer;
	int added = 0;

	nest = nla_nest_start(skb, FZ_A_PEERS);
	if (!nest)
		return -EMSGSIZE;
	list_for_each_entry(peer, &fz->peer_list, list) {
		if (index++ < skip)
			continue;
		if (fz_put_peer(skb, peer))
			goto out;
		added++;
	}
	cb->args[2] = 1;
out:
	cb->args[1] += added;
	nla_nest_end(skb, nest);
	return added;
}

int fz_get_device_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct fz_device *fz = (struct fz_device *)cb->args[0];
	bool first = !cb->args[1];
	void *hdr;
	int added, ret = 0;

	if (cb->args[2])
		return 0;
	ret = fz_lock_live(fz, cb->extack);
	if (ret)
		return ret;
	cb->seq = fz->generation;
	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &fz_genl_family, NLM_F_MULTI, FZ_CMD_GET_DEVICE);
	if (!hdr) {
		ret = -EMSGSIZE;
		goto out;
	}
	genl_dump_check_consistent(cb, hdr);
	if (nla_put_u32(skb, FZ_A_IFINDEX, fz->dev->ifindex) ||
	    (first && fz_put_device(skb, fz))) {
		ret = -EMSGSIZE;
		goto cancel;
	}
	added = fz_put_peers(skb, fz, cb);
	/* A peer that fits no empty message would make the dump spin. */
	if (added < 0 || (!added && !cb->args[2] && !first)) {
		ret = -EMSGSIZE;
		goto cancel;
	}
	genlmsg_end(skb, hdr);
	ret = skb->len;
	goto out;
cancel:
	genlmsg_cancel(skb, hdr);
out:
	mutex_unlock(&fz->lock);
	return ret;
}

int fz_get_device_done(struct netlink_callback *cb)
{
	struct fz_device *fz = (struct fz_device *)cb->args[0];

	if (fz)
		fz_device_put(fz);
	return 0;
}
