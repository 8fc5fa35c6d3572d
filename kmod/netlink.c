// SPDX-License-Identifier: GPL-2.0
/*
 * The "fz" generic netlink family: configuration from fzagent and the
 * event group. Every op has its own strict policy, so an attribute an op
 * does not take is refused instead of silently ignored.
 */
#include <linux/if.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/sizes.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "compat.h"
#include "device.h"
#include "keypair.h"
#include "nat.h"
#include "netlink.h"
#include "netlink_int.h"
#include "peer.h"
#include "policy.h"
#include "receive.h"
#include "send.h"
#include "socket.h"
#include "timers.h"

/* Dump messages are at least this large; see fz_get_device_start(). */
#define FZ_DUMP_MIN_ALLOC SZ_16K

static struct genl_family fz_family;

const struct nla_policy fz_allowedip_policy[FZ_AIP_A_MAX + 1] = {
	[FZ_AIP_A_FAMILY] = { .type = NLA_U16 },
	[FZ_AIP_A_ADDR] = NLA_POLICY_MIN_LEN(sizeof(struct in_addr)),
	[FZ_AIP_A_CIDR] = { .type = NLA_U8 },
};

static const struct nla_policy fz_peer_policy[FZ_PEER_A_MAX + 1] = {
	[FZ_PEER_A_PUBLIC_KEY] = NLA_POLICY_EXACT_LEN(FZ_KEY_LEN),
	[FZ_PEER_A_FLAGS] = { .type = NLA_U32 },
	[FZ_PEER_A_ENDPOINT] = NLA_POLICY_MIN_LEN(sizeof(struct sockaddr_in)),
	[FZ_PEER_A_PERSISTENT_KEEPALIVE] = { .type = NLA_U16 },
	[FZ_PEER_A_ALLOWEDIPS] = NLA_POLICY_NESTED_ARRAY(fz_allowedip_policy),
};

const struct nla_policy fz_peer_key_policy[FZ_PEER_A_MAX + 1] = {
	[FZ_PEER_A_PUBLIC_KEY] = NLA_POLICY_EXACT_LEN(FZ_KEY_LEN),
};

static const struct nla_policy fz_keypair_policy[FZ_KP_A_MAX + 1] = {
	[FZ_KP_A_SLOT] = NLA_POLICY_MAX(NLA_U8, FZ_KEYPAIR_SLOT_MAX),
	[FZ_KP_A_LOCAL_INDEX] = { .type = NLA_U32 },
	[FZ_KP_A_REMOTE_INDEX] = { .type = NLA_U32 },
	[FZ_KP_A_SEND_KEY] = NLA_POLICY_EXACT_LEN(FZ_KEY_LEN),
	[FZ_KP_A_RECV_KEY] = NLA_POLICY_EXACT_LEN(FZ_KEY_LEN),
	[FZ_KP_A_FLAGS] = { .type = NLA_U32 },
	[FZ_KP_A_RX_HANDSHAKE_BYTES] =
		NLA_POLICY_MAX(NLA_U32, FZ_MAX_HANDSHAKE_PACKET),
};

static const struct nla_policy fz_get_device_policy[FZ_A_MAX + 1] = {
	FZ_DEVICE_SELECTOR_POLICY,
};

static const struct nla_policy fz_set_device_policy[FZ_A_MAX + 1] = {
	FZ_DEVICE_SELECTOR_POLICY,
	[FZ_A_PUBLIC_KEY] = NLA_POLICY_EXACT_LEN(FZ_KEY_LEN),
	[FZ_A_LISTEN_PORT] = { .type = NLA_U16 },
	[FZ_A_FWMARK] = { .type = NLA_U32 },
	[FZ_A_FLAGS] = { .type = NLA_U32 },
};

static const struct nla_policy fz_set_peer_policy[FZ_A_MAX + 1] = {
	FZ_DEVICE_SELECTOR_POLICY,
	[FZ_A_PEER] = NLA_POLICY_NESTED(fz_peer_policy),
};

static const struct nla_policy fz_del_peer_policy[FZ_A_MAX + 1] = {
	FZ_DEVICE_SELECTOR_POLICY,
	[FZ_A_PEER] = NLA_POLICY_NESTED(fz_peer_key_policy),
};

static const struct nla_policy fz_set_keypair_policy[FZ_A_MAX + 1] = {
	FZ_DEVICE_SELECTOR_POLICY,
	[FZ_A_PEER] = NLA_POLICY_NESTED(fz_peer_key_policy),
	[FZ_A_KEYPAIR] = NLA_POLICY_NESTED(fz_keypair_policy),
};

static const struct nla_policy fz_send_handshake_policy[FZ_A_MAX + 1] = {
	FZ_DEVICE_SELECTOR_POLICY,
	[FZ_A_PEER] = NLA_POLICY_NESTED(fz_peer_key_policy),
	[FZ_A_ENDPOINT] = NLA_POLICY_MIN_LEN(sizeof(struct sockaddr_in)),
	[FZ_A_PACKET] = { .type = NLA_BINARY,
			  .len = FZ_MAX_HANDSHAKE_PACKET },
};

/* Requests must speak a version of this ABI we know; 0 means "unset". */
static int fz_check_version(u8 version, struct netlink_ext_ack *extack)
{
	if (version >= 1 && version <= FZ_GENL_VERSION)
		return 0;
	NL_SET_ERR_MSG_MOD(extack, "unsupported fz genl version");
	return -EPROTONOSUPPORT;
}

/* Every doit starts here: a known ABI version and, if needed, a peer. */
int fz_request_valid(struct genl_info *info, bool needs_peer)
{
	int ret = fz_check_version(info->genlhdr->version, info->extack);

	if (ret)
		return ret;
	if (needs_peer && !info->attrs[FZ_A_PEER]) {
		NL_SET_ERR_MSG_MOD(info->extack, "missing FZ_A_PEER");
		return -EINVAL;
	}
	return 0;
}

struct fz_device *fz_lookup(struct net *net, struct nlattr **attrs,
			    struct netlink_ext_ack *extack)
{
	struct fz_device *fz;

	if (!attrs[FZ_A_IFINDEX] == !attrs[FZ_A_IFNAME]) {
		NL_SET_ERR_MSG_MOD(extack,
				   "name the device by exactly one of ifindex or ifname");
		return ERR_PTR(-EINVAL);
	}
	if (attrs[FZ_A_IFNAME]) {
		if (!*(char *)nla_data(attrs[FZ_A_IFNAME])) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[FZ_A_IFNAME],
					    "empty ifname");
			return ERR_PTR(-EINVAL);
		}
		fz = fz_device_get_by_name(net, nla_data(attrs[FZ_A_IFNAME]));
	} else {
		u32 ifindex = nla_get_u32(attrs[FZ_A_IFINDEX]);

		fz = ifindex <= INT_MAX ? fz_device_get_by_index(net, ifindex) :
					  NULL;
	}
	if (!fz) {
		NL_SET_ERR_MSG_MOD(extack, "no such fz device");
		return ERR_PTR(-ENODEV);
	}
	return fz;
}

/*
 * Takes the device lock for a request that holds the device. Deleting the
 * link tears its state down under this lock while such a request may
 * still be waiting for it: then the request finds the device dead.
 */
int fz_lock_live(struct fz_device *fz, struct netlink_ext_ack *extack)
{
	mutex_lock(&fz->lock);
	if (likely(!fz->dead))
		return 0;
	mutex_unlock(&fz->lock);
	NL_SET_ERR_MSG_MOD(extack, "the device is being deleted");
	return -ENODEV;
}

int fz_check_flags(const struct nlattr *attr, u32 known,
		   struct netlink_ext_ack *extack, u32 *flags)
{
	*flags = attr ? nla_get_u32(attr) : 0;
	if (*flags & ~known) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "unknown flag bits");
		return -EOPNOTSUPP;
	}
	return 0;
}

static bool fz_key_is_zero(const u8 *key)
{
	return !memchr_inv(key, 0, FZ_KEY_LEN);
}

/* ---- GET_DEVICE (dump) ---- */

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
	    nla_put_u32(skb, FZ_A_GENERATION, fz->generation))
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

static int fz_put_endpoint(struct sk_buff *skb, int type,
			   const union fz_endpoint *ep)
{
	if (ep->addr.sa_family == AF_INET)
		return nla_put(skb, type, sizeof(ep->addr4), &ep->addr4);
	if (ep->addr.sa_family == AF_INET6)
		return nla_put(skb, type, sizeof(ep->addr6), &ep->addr6);
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
static int fz_get_device_start(struct netlink_callback *cb)
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

static int fz_get_device_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb)
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
			  &fz_family, NLM_F_MULTI, FZ_CMD_GET_DEVICE);
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

static int fz_get_device_done(struct netlink_callback *cb)
{
	struct fz_device *fz = (struct fz_device *)cb->args[0];

	if (fz)
		fz_device_put(fz);
	return 0;
}

/* ---- SET_DEVICE ---- */

static void fz_set_fwmark(struct fz_device *fz, u32 mark)
{
	struct fz_peer *peer;

	fz->fwmark = mark;
	/* Routes were looked up with the old mark. */
	list_for_each_entry(peer, &fz->peer_list, list)
		dst_cache_reset(&peer->dst_cache);
}

static int fz_apply_device(struct fz_device *fz, struct nlattr **attrs,
			   u32 flags, struct netlink_ext_ack *extack)
{
	int ret;

	if (attrs[FZ_A_LISTEN_PORT]) {
		u16 port = nla_get_u16(attrs[FZ_A_LISTEN_PORT]);

		if (netif_running(fz->dev)) {
			ret = fz_socket_open(fz, port);
			if (ret) {
				NL_SET_ERR_MSG_ATTR(extack,
						    attrs[FZ_A_LISTEN_PORT],
						    "cannot bind the listen port");
				return ret;
			}
		} else {
			fz->listen_port = port;
		}
	}
	if (flags & FZ_DEVICE_F_REPLACE_PEERS)
		fz_peer_remove_all(fz);
	if (attrs[FZ_A_PUBLIC_KEY]) {
		memcpy(fz->public_key, nla_data(attrs[FZ_A_PUBLIC_KEY]),
		       FZ_KEY_LEN);
		fz->has_public_key = !fz_key_is_zero(fz->public_key);
		fz_cookie_checker_set_key(&fz->cookie_checker,
					  fz->has_public_key ? fz->public_key :
							       NULL);
	}
	if (attrs[FZ_A_FWMARK])
		fz_set_fwmark(fz, nla_get_u32(attrs[FZ_A_FWMARK]));
	else if (flags & FZ_DEVICE_F_REMOVE_FWMARK)
		fz_set_fwmark(fz, 0);
	return 0;
}

static int fz_set_device_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct fz_device *fz;
	u32 flags;
	int ret;

	ret = fz_request_valid(info, false);
	if (ret)
		return ret;
	ret = fz_check_flags(attrs[FZ_A_FLAGS], __FZ_DEVICE_F_ALL, info->extack,
			     &flags);
	if (ret)
		return ret;
	fz = fz_lookup(genl_info_net(info), attrs, info->extack);
	if (IS_ERR(fz))
		return PTR_ERR(fz);

	/* rtnl: the device's up/down state must not change under us. */
	rtnl_lock();
	ret = fz_lock_live(fz, info->extack);
	if (!ret) {
		ret = fz_apply_device(fz, attrs, flags, info->extack);
		fz->generation++;
		mutex_unlock(&fz->lock);
	}
	rtnl_unlock();
	fz_device_put(fz);
	return ret;
}

/* ---- SET_PEER / DEL_PEER ---- */

int fz_parse_prefix(const struct nlattr *nest, struct fz_prefix *out,
		    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[FZ_AIP_A_MAX + 1];
	unsigned int len;
	int ret;

	ret = nla_parse_nested(tb, FZ_AIP_A_MAX, nest, fz_allowedip_policy,
			       extack);
	if (ret)
		return ret;
	if (!tb[FZ_AIP_A_FAMILY] || !tb[FZ_AIP_A_ADDR] || !tb[FZ_AIP_A_CIDR]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "a prefix needs family, address and cidr");
		return -EINVAL;
	}
	out->family = nla_get_u16(tb[FZ_AIP_A_FAMILY]);
	out->cidr = nla_get_u8(tb[FZ_AIP_A_CIDR]);
	if (out->family != AF_INET && out->family != AF_INET6) {
		NL_SET_ERR_MSG_ATTR(extack, tb[FZ_AIP_A_FAMILY],
				    "family must be AF_INET or AF_INET6");
		return -EAFNOSUPPORT;
	}
	len = out->family == AF_INET ? 4 : 16;
	if (nla_len(tb[FZ_AIP_A_ADDR]) != len) {
		NL_SET_ERR_MSG_ATTR(extack, tb[FZ_AIP_A_ADDR],
				    "address length does not match family");
		return -EINVAL;
	}
	if (out->cidr > len * 8) {
		NL_SET_ERR_MSG_ATTR(extack, tb[FZ_AIP_A_CIDR],
				    "prefix length too long for family");
		return -EINVAL;
	}
	memcpy(out->addr, nla_data(tb[FZ_AIP_A_ADDR]), len);
	return 0;
}

static int fz_parse_endpoint(const struct nlattr *attr, union fz_endpoint *ep,
			     struct netlink_ext_ack *extack)
{
	const struct sockaddr *sa = nla_data(attr);
	int len = nla_len(attr);

	memset(ep, 0, sizeof(*ep));
	if (sa->sa_family == AF_INET && len == sizeof(ep->addr4)) {
		memcpy(&ep->addr4, sa, sizeof(ep->addr4));
		return 0;
	}
	if (sa->sa_family == AF_INET6 && len == sizeof(ep->addr6)) {
		memcpy(&ep->addr6, sa, sizeof(ep->addr6));
		return 0;
	}
	NL_SET_ERR_MSG_ATTR(extack, attr,
			    "endpoint must be a sockaddr_in or sockaddr_in6");
	return -EINVAL;
}

/* Everything a SET_PEER asks for, checked whole before anything changes. */
struct fz_peer_request {
	const u8 *public_key;
	u32 flags;
	bool has_endpoint;
	union fz_endpoint endpoint;
	struct nlattr *keepalive;
	unsigned int num_prefixes;
	bool has_allowedips;
	struct fz_prefix prefixes[FZ_MAX_ALLOWEDIPS];
};

static int fz_parse_allowedips(struct nlattr *list, struct fz_peer_request *req,
			       struct netlink_ext_ack *extack)
{
	struct nlattr *nest;
	int rem, ret;

	req->has_allowedips = true;
	nla_for_each_nested(nest, list, rem) {
		if (req->num_prefixes >= FZ_MAX_ALLOWEDIPS) {
			NL_SET_ERR_MSG_ATTR(extack, nest, "too many allowed IPs");
			return -E2BIG;
		}
		ret = fz_parse_prefix(nest, &req->prefixes[req->num_prefixes],
				      extack);
		if (ret)
			return ret;
		req->num_prefixes++;
	}
	return 0;
}

static int fz_parse_peer(struct nlattr *nest, struct fz_peer_request *req,
			 struct netlink_ext_ack *extack)
{
	struct nlattr *tb[FZ_PEER_A_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, FZ_PEER_A_MAX, nest, fz_peer_policy, extack);
	if (ret)
		return ret;
	if (!tb[FZ_PEER_A_PUBLIC_KEY]) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "peer needs a public key");
		return -EINVAL;
	}
	req->public_key = nla_data(tb[FZ_PEER_A_PUBLIC_KEY]);
	if (fz_key_is_zero(req->public_key)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[FZ_PEER_A_PUBLIC_KEY],
				    "peer public key is all zeros");
		return -EINVAL;
	}
	ret = fz_check_flags(tb[FZ_PEER_A_FLAGS], __FZ_PEER_F_ALL, extack,
			     &req->flags);
	if (ret)
		return ret;
	if (tb[FZ_PEER_A_ENDPOINT]) {
		ret = fz_parse_endpoint(tb[FZ_PEER_A_ENDPOINT], &req->endpoint,
					extack);
		if (ret)
			return ret;
		req->has_endpoint = true;
	}
	req->keepalive = tb[FZ_PEER_A_PERSISTENT_KEEPALIVE];
	if (tb[FZ_PEER_A_ALLOWEDIPS])
		return fz_parse_allowedips(tb[FZ_PEER_A_ALLOWEDIPS], req, extack);
	return 0;
}

/* Checks limits before changing anything; only -ENOMEM can stop it half way. */
static int fz_apply_peer(struct fz_device *fz, struct fz_peer_request *req,
			 struct netlink_ext_ack *extack)
{
	struct fz_peer *peer = fz_peer_lookup(fz, req->public_key);
	bool created = false;
	unsigned int i;
	int ret;

	if (!peer) {
		if (req->flags & FZ_PEER_F_UPDATE_ONLY) {
			NL_SET_ERR_MSG_MOD(extack, "no such peer");
			return -ENOENT;
		}
		if (fz->has_public_key &&
		    !memcmp(req->public_key, fz->public_key, FZ_KEY_LEN)) {
			NL_SET_ERR_MSG_MOD(extack,
					   "peer key is the device's own key");
			return -EINVAL;
		}
		peer = fz_peer_create(fz, req->public_key);
		if (IS_ERR(peer))
			return PTR_ERR(peer);
		created = true;
	}
	if (req->flags & FZ_PEER_F_GATEWAY_CLIENT) {
		ret = fz_nat_enable(fz);
		if (ret) {
			NL_SET_ERR_MSG_MOD(extack,
					   "cannot enable conntrack NAT for the gateway");
			goto undo;
		}
	}
	if (!(req->flags & FZ_PEER_F_REPLACE_ALLOWEDIPS) &&
	    peer->num_allowedips + req->num_prefixes > FZ_MAX_ALLOWEDIPS) {
		NL_SET_ERR_MSG_MOD(extack, "too many allowed IPs for this peer");
		ret = -E2BIG;
		goto undo;
	}
	if (req->flags & FZ_PEER_F_REPLACE_ALLOWEDIPS)
		fz_aip_remove_peer(&fz->aips, peer);
	for (i = 0; i < req->num_prefixes; i++) {
		ret = fz_aip_insert(&fz->aips, peer, req->prefixes[i].family,
				    req->prefixes[i].addr,
				    req->prefixes[i].cidr);
		if (ret)
			goto undo;
	}
	if (req->flags & FZ_PEER_F_GATEWAY_CLIENT) {
		/* Sticky: default deny ends only with the peer. */
		WRITE_ONCE(peer->gateway_client, true);
		peer->flags |= FZ_PEER_F_GATEWAY_CLIENT;
	}
	if (req->flags & FZ_PEER_F_REMOVE_ENDPOINT)
		fz_peer_clear_endpoint(peer);
	if (req->has_endpoint)
		fz_peer_set_endpoint(peer, &req->endpoint);
	if (req->keepalive) {
		u16 interval = nla_get_u16(req->keepalive);

		if (interval != peer->persistent_keepalive) {
			WRITE_ONCE(peer->persistent_keepalive, interval);
			if (netif_running(fz->dev))
				fz_timers_keepalive_changed(peer);
		}
	}
	return 0;

undo:
	if (created)
		fz_peer_remove(peer);
	return ret;
}

static int fz_set_peer_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct fz_peer_request *req;
	struct fz_device *fz;
	bool need_rtnl;
	int ret;

	ret = fz_request_valid(info, true);
	if (ret)
		return ret;
	req = kzalloc(sizeof(*req), GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	ret = fz_parse_peer(info->attrs[FZ_A_PEER], req, info->extack);
	if (ret)
		goto out_free;
	fz = fz_lookup(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(fz)) {
		ret = PTR_ERR(fz);
		goto out_free;
	}
	/* A first gateway client pins the device to its namespace (nat.c). */
	need_rtnl = req->flags & FZ_PEER_F_GATEWAY_CLIENT;
	if (need_rtnl)
		rtnl_lock();
	ret = fz_lock_live(fz, info->extack);
	if (!ret) {
		ret = fz_apply_peer(fz, req, info->extack);
		fz->generation++;
		mutex_unlock(&fz->lock);
	}
	if (need_rtnl)
		rtnl_unlock();
	fz_device_put(fz);
out_free:
	kfree(req);
	return ret;
}

static int fz_del_peer_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[FZ_PEER_A_MAX + 1];
	struct fz_peer *peer;
	struct fz_device *fz;
	int ret;

	ret = fz_request_valid(info, true);
	if (ret)
		return ret;
	ret = nla_parse_nested(tb, FZ_PEER_A_MAX, info->attrs[FZ_A_PEER],
			       fz_peer_key_policy, info->extack);
	if (ret)
		return ret;
	if (!tb[FZ_PEER_A_PUBLIC_KEY]) {
		NL_SET_ERR_MSG_MOD(info->extack, "peer needs a public key");
		return -EINVAL;
	}
	fz = fz_lookup(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(fz))
		return PTR_ERR(fz);
	ret = fz_lock_live(fz, info->extack);
	if (ret)
		goto out_put;
	peer = fz_peer_lookup(fz, nla_data(tb[FZ_PEER_A_PUBLIC_KEY]));
	if (peer) {
		fz_peer_remove(peer);
		fz->generation++;
	} else {
		NL_SET_ERR_MSG_MOD(info->extack, "no such peer");
		ret = -ENOENT;
	}
	mutex_unlock(&fz->lock);
out_put:
	fz_device_put(fz);
	return ret;
}

/* Finds the peer named by FZ_A_PEER; NULL with an error set otherwise. */
struct fz_peer *fz_lookup_peer(struct fz_device *fz, struct nlattr *nest,
			       struct netlink_ext_ack *extack, int *err)
{
	struct nlattr *tb[FZ_PEER_A_MAX + 1];
	struct fz_peer *peer;

	*err = nla_parse_nested(tb, FZ_PEER_A_MAX, nest, fz_peer_key_policy,
				extack);
	if (*err)
		return NULL;
	if (!tb[FZ_PEER_A_PUBLIC_KEY]) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "peer needs a public key");
		*err = -EINVAL;
		return NULL;
	}
	peer = fz_peer_lookup(fz, nla_data(tb[FZ_PEER_A_PUBLIC_KEY]));
	if (!peer) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "no such peer");
		*err = -ENOENT;
	}
	return peer;
}

static int fz_parse_keypair(struct nlattr *nest, struct fz_keypair_params *p,
			    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[FZ_KP_A_MAX + 1];
	u32 flags;
	int ret;

	ret = nla_parse_nested(tb, FZ_KP_A_MAX, nest, fz_keypair_policy,
			       extack);
	if (ret)
		return ret;
	if (!tb[FZ_KP_A_SLOT] || !tb[FZ_KP_A_LOCAL_INDEX] ||
	    !tb[FZ_KP_A_REMOTE_INDEX] || !tb[FZ_KP_A_SEND_KEY] ||
	    !tb[FZ_KP_A_RECV_KEY]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "a keypair needs slot, both indices and both keys");
		return -EINVAL;
	}
	ret = fz_check_flags(tb[FZ_KP_A_FLAGS], __FZ_KEYPAIR_F_ALL, extack,
			     &flags);
	if (ret)
		return ret;
	p->slot = nla_get_u8(tb[FZ_KP_A_SLOT]);
	p->local_index = nla_get_u32(tb[FZ_KP_A_LOCAL_INDEX]);
	p->remote_index = nla_get_u32(tb[FZ_KP_A_REMOTE_INDEX]);
	p->send_key = nla_data(tb[FZ_KP_A_SEND_KEY]);
	p->recv_key = nla_data(tb[FZ_KP_A_RECV_KEY]);
	p->initiator = flags & FZ_KEYPAIR_F_INITIATOR;
	p->rx_handshake_bytes = tb[FZ_KP_A_RX_HANDSHAKE_BYTES] ?
		nla_get_u32(tb[FZ_KP_A_RX_HANDSHAKE_BYTES]) : 0;
	return 0;
}

static int fz_set_keypair_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct fz_keypair_params params;
	struct fz_device *fz;
	struct fz_peer *peer;
	int ret;

	ret = fz_request_valid(info, true);
	if (ret)
		return ret;
	if (!info->attrs[FZ_A_KEYPAIR]) {
		NL_SET_ERR_MSG_MOD(info->extack, "missing FZ_A_KEYPAIR");
		return -EINVAL;
	}
	ret = fz_parse_keypair(info->attrs[FZ_A_KEYPAIR], &params,
			       info->extack);
	if (ret)
		return ret;
	fz = fz_lookup(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(fz))
		return PTR_ERR(fz);
	ret = fz_lock_live(fz, info->extack);
	if (ret)
		goto out_put;
	peer = fz_lookup_peer(fz, info->attrs[FZ_A_PEER], info->extack, &ret);
	if (peer)
		ret = fz_keypair_install(peer, &params);
	if (!ret)
		this_cpu_add(peer->stats->rx_bytes, params.rx_handshake_bytes);
	if (ret == -EEXIST)
		NL_SET_ERR_MSG_MOD(info->extack, "local index already in use");
	if (!ret && params.slot == FZ_KEYPAIR_CURRENT) {
		/* Initiator done: data or a keepalive confirms it to the peer. */
		fz_timers_handshake_complete(peer);
		fz_send_keepalive(peer);
	}
	fz->generation++;
	mutex_unlock(&fz->lock);
out_put:
	fz_device_put(fz);
	return ret;
}

static int fz_del_keypairs_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct fz_device *fz;
	struct fz_peer *peer;
	int ret;

	ret = fz_request_valid(info, true);
	if (ret)
		return ret;
	fz = fz_lookup(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(fz))
		return PTR_ERR(fz);
	ret = fz_lock_live(fz, info->extack);
	if (ret)
		goto out_put;
	peer = fz_lookup_peer(fz, info->attrs[FZ_A_PEER], info->extack, &ret);
	if (peer)
		fz_keypairs_clear(peer);
	fz->generation++;
	mutex_unlock(&fz->lock);
out_put:
	fz_device_put(fz);
	return ret;
}

static int fz_check_handshake_packet(struct nlattr *attr,
				     struct netlink_ext_ack *extack)
{
	static const u8 sizes[] = {
		[FZ_MSG_INITIATION] = sizeof(struct fz_msg_initiation),
		[FZ_MSG_RESPONSE] = sizeof(struct fz_msg_response),
		[FZ_MSG_COOKIE] = sizeof(struct fz_msg_cookie),
	};
	const u8 *msg;

	if (!attr) {
		NL_SET_ERR_MSG_MOD(extack, "missing FZ_A_PACKET");
		return -EINVAL;
	}
	msg = nla_data(attr);
	if (nla_len(attr) < 4 || msg[0] < FZ_MSG_INITIATION ||
	    msg[0] > FZ_MSG_COOKIE || msg[1] || msg[2] || msg[3] ||
	    nla_len(attr) != sizes[msg[0]]) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "not a handshake message of the right size");
		return -EINVAL;
	}
	return 0;
}

static int fz_send_handshake(struct fz_device *fz, struct genl_info *info,
			     const union fz_endpoint *to)
{
	struct nlattr *pkt = info->attrs[FZ_A_PACKET];
	struct fz_peer_endpoint ep = {};
	struct fz_peer *peer = NULL;
	int ret = 0;

	if (info->attrs[FZ_A_PEER]) {
		peer = fz_lookup_peer(fz, info->attrs[FZ_A_PEER], info->extack,
				      &ret);
		if (!peer)
			return ret;
		/* Answering the address a message came from: it roamed. */
		if (to)
			fz_peer_set_endpoint(peer, to);
		fz_peer_get_endpoint(peer, &ep);
	} else if (to) {
		ep.addr = *to;
	}
	if (!ep.addr.addr.sa_family) {
		NL_SET_ERR_MSG_MOD(info->extack, "no endpoint to send to");
		return -EDESTADDRREQ;
	}
	/* Before sending: the cookie reply may come back on another CPU. */
	fz_handshake_sent(fz, nla_data(pkt), nla_len(pkt));
	ret = fz_socket_send_buffer(fz, &ep, nla_data(pkt), nla_len(pkt));
	if (!ret && peer) {
		this_cpu_add(peer->stats->tx_bytes, nla_len(pkt));
		fz_timers_any_sent(peer);
		fz_timers_traversal(peer);
	}
	return ret;
}

static int fz_send_handshake_doit(struct sk_buff *skb, struct genl_info *info)
{
	union fz_endpoint to, *top = NULL;
	struct fz_device *fz;
	int ret;

	ret = fz_request_valid(info, false) ?:
	      fz_check_handshake_packet(info->attrs[FZ_A_PACKET], info->extack);
	if (ret)
		return ret;
	if (info->attrs[FZ_A_ENDPOINT]) {
		ret = fz_parse_endpoint(info->attrs[FZ_A_ENDPOINT], &to,
					info->extack);
		if (ret)
			return ret;
		top = &to;
	}
	if (!info->attrs[FZ_A_PEER] && !top) {
		NL_SET_ERR_MSG_MOD(info->extack, "needs FZ_A_PEER or FZ_A_ENDPOINT");
		return -EINVAL;
	}
	fz = fz_lookup(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(fz))
		return PTR_ERR(fz);
	ret = fz_lock_live(fz, info->extack);
	if (!ret) {
		ret = fz_send_handshake(fz, info, top);
		mutex_unlock(&fz->lock);
	}
	fz_device_put(fz);
	return ret;
}

/* ---- Events ---- */

static struct sk_buff *fz_event_new(struct fz_device *fz, u8 cmd,
				    void **hdr)
{
	struct sk_buff *skb;

	if (!genl_has_listeners(&fz_family, dev_net(fz->dev), 0))
		return NULL;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!skb)
		return NULL;
	*hdr = genlmsg_put(skb, 0, 0, &fz_family, 0, cmd);
	if (!*hdr || nla_put_u32(skb, FZ_A_IFINDEX, fz->dev->ifindex)) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

static void fz_event_send(struct fz_device *fz, struct sk_buff *skb,
			  void *hdr)
{
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&fz_family, dev_net(fz->dev), skb, 0, 0,
				GFP_ATOMIC);
}

void fz_genl_event_handshake(struct fz_device *fz, const void *msg,
			     size_t len, const union fz_endpoint *src)
{
	struct sk_buff *skb;
	void *hdr;

	skb = fz_event_new(fz, FZ_CMD_EVT_HANDSHAKE, &hdr);
	if (!skb)
		return;
	if (nla_put(skb, FZ_A_PACKET, len, msg) ||
	    fz_put_endpoint(skb, FZ_A_ENDPOINT, src)) {
		nlmsg_free(skb);
		return;
	}
	fz_event_send(fz, skb, hdr);
}

void fz_genl_event_peer(struct fz_peer *peer, u8 cmd, u32 reason)
{
	struct fz_device *fz = peer->fz;
	struct nlattr *nest;
	struct sk_buff *skb;
	void *hdr;

	skb = fz_event_new(fz, cmd, &hdr);
	if (!skb)
		return;
	nest = nla_nest_start(skb, FZ_A_PEER);
	if (!nest ||
	    nla_put(skb, FZ_PEER_A_PUBLIC_KEY, FZ_KEY_LEN, peer->public_key) ||
	    (nla_nest_end(skb, nest), nla_put_u32(skb, FZ_A_REASON, reason))) {
		nlmsg_free(skb);
		return;
	}
	fz_event_send(fz, skb, hdr);
}

static int fz_put_peer_key(struct sk_buff *skb, struct fz_peer *peer)
{
	struct nlattr *nest = nla_nest_start(skb, FZ_A_PEER);

	if (!nest ||
	    nla_put(skb, FZ_PEER_A_PUBLIC_KEY, FZ_KEY_LEN, peer->public_key))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int fz_put_flow(struct sk_buff *skb, const struct fz_flow *flow)
{
	unsigned int len = flow->family == AF_INET ? 4 : 16;
	struct nlattr *nest = nla_nest_start(skb, FZ_A_FLOW);

	if (!nest || nla_put_u8(skb, FZ_FLOW_A_PROTO, flow->proto) ||
	    nla_put(skb, FZ_FLOW_A_SADDR, len, flow->saddr) ||
	    nla_put(skb, FZ_FLOW_A_DADDR, len, flow->daddr))
		return -EMSGSIZE;
	if (flow->has_ports &&
	    (nla_put_u16(skb, FZ_FLOW_A_SPORT, ntohs(flow->sport)) ||
	     nla_put_u16(skb, FZ_FLOW_A_DPORT, ntohs(flow->dport))))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

void fz_genl_event_denied(struct fz_peer *peer, u32 reason,
			  const struct fz_flow *flow)
{
	struct sk_buff *skb;
	void *hdr;

	skb = fz_event_new(peer->fz, FZ_CMD_EVT_DENIED_FLOW, &hdr);
	if (!skb)
		return;
	if (fz_put_peer_key(skb, peer) ||
	    nla_put_u32(skb, FZ_A_REASON, reason) || fz_put_flow(skb, flow)) {
		nlmsg_free(skb);
		return;
	}
	fz_event_send(peer->fz, skb, hdr);
}

void fz_genl_event_control(struct fz_peer *peer, const void *data,
			   size_t len)
{
	struct sk_buff *skb;
	void *hdr;

	skb = fz_event_new(peer->fz, FZ_CMD_EVT_CONTROL, &hdr);
	if (!skb)
		return;
	if (fz_put_peer_key(skb, peer) || nla_put(skb, FZ_A_PACKET, len, data)) {
		nlmsg_free(skb);
		return;
	}
	fz_event_send(peer->fz, skb, hdr);
}

static const struct genl_ops fz_genl_ops[] = {
	{
		.cmd = FZ_CMD_GET_DEVICE,
		.start = fz_get_device_start,
		.dumpit = fz_get_device_dumpit,
		.done = fz_get_device_done,
		.policy = fz_get_device_policy,
		.maxattr = FZ_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FZ_CMD_SET_DEVICE,
		.doit = fz_set_device_doit,
		.policy = fz_set_device_policy,
		.maxattr = FZ_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FZ_CMD_SET_PEER,
		.doit = fz_set_peer_doit,
		.policy = fz_set_peer_policy,
		.maxattr = FZ_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FZ_CMD_DEL_PEER,
		.doit = fz_del_peer_doit,
		.policy = fz_del_peer_policy,
		.maxattr = FZ_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FZ_CMD_SET_KEYPAIR,
		.doit = fz_set_keypair_doit,
		.policy = fz_set_keypair_policy,
		.maxattr = FZ_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FZ_CMD_DEL_KEYPAIRS,
		.doit = fz_del_keypairs_doit,
		.policy = fz_del_peer_policy,
		.maxattr = FZ_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FZ_CMD_SEND_HANDSHAKE,
		.doit = fz_send_handshake_doit,
		.policy = fz_send_handshake_policy,
		.maxattr = FZ_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FZ_CMD_SET_RESOURCE,
		.doit = fz_set_resource_doit,
		.policy = fz_set_resource_policy,
		.maxattr = FZ_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FZ_CMD_DEL_RESOURCE,
		.doit = fz_del_resource_doit,
		.policy = fz_del_resource_policy,
		.maxattr = FZ_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FZ_CMD_SET_DNS_MAP,
		.doit = fz_set_dns_map_doit,
		.policy = fz_dns_map_cmd_policy,
		.maxattr = FZ_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FZ_CMD_DEL_DNS_MAP,
		.doit = fz_del_dns_map_doit,
		.policy = fz_dns_map_cmd_policy,
		.maxattr = FZ_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FZ_CMD_SEND_CONTROL,
		.doit = fz_send_control_doit,
		.policy = fz_send_control_policy,
		.maxattr = FZ_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static const struct genl_multicast_group fz_mcgrps[] = {
	{ .name = FZ_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN },
};

static struct genl_family fz_family __ro_after_init = {
	.name = FZ_GENL_NAME,
	.version = FZ_GENL_VERSION,
	.maxattr = FZ_A_MAX,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = fz_genl_ops,
	.n_ops = ARRAY_SIZE(fz_genl_ops),
	/* Every op is new: validate reserved header bytes strictly. */
	.resv_start_op = FZ_CMD_GET_DEVICE,
	.mcgrps = fz_mcgrps,
	.n_mcgrps = ARRAY_SIZE(fz_mcgrps),
};

int __init fz_genl_init(void)
{
	return genl_register_family(&fz_family);
}

void fz_genl_uninit(void)
{
	genl_unregister_family(&fz_family);
}
