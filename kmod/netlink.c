// SPDX-License-Identifier: GPL-2.0
/*
 * The "fz" generic netlink family: configuration from fzagent and the
 * event group. Every op has its own strict policy, so an attribute an op
 * does not take is refused instead of silently ignored.
 */
#include <linux/if.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "compat.h"
#include "device.h"
#include "netlink.h"
#include "peer.h"

static struct genl_family fz_family;

static const struct nla_policy fz_allowedip_policy[FZ_AIP_A_MAX + 1] = {
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

static const struct nla_policy fz_peer_key_policy[FZ_PEER_A_MAX + 1] = {
	[FZ_PEER_A_PUBLIC_KEY] = NLA_POLICY_EXACT_LEN(FZ_KEY_LEN),
};

#define FZ_DEVICE_SELECTOR_POLICY                                    \
	[FZ_A_IFINDEX] = { .type = NLA_U32 },                        \
	[FZ_A_IFNAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 }

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

/* Requests must speak a version of this ABI we know; 0 means "unset". */
static int fz_check_version(u8 version, struct netlink_ext_ack *extack)
{
	if (version >= 1 && version <= FZ_GENL_VERSION)
		return 0;
	NL_SET_ERR_MSG_MOD(extack, "unsupported fz genl version");
	return -EPROTONOSUPPORT;
}

static struct fz_device *fz_lookup(struct net *net, struct nlattr **attrs,
				   struct netlink_ext_ack *extack)
{
	struct fz_device *fz;

	if (!attrs[FZ_A_IFINDEX] == !attrs[FZ_A_IFNAME]) {
		NL_SET_ERR_MSG_MOD(extack,
				   "name the device by exactly one of ifindex or ifname");
		return ERR_PTR(-EINVAL);
	}
	fz = fz_device_get(net,
			   attrs[FZ_A_IFINDEX] ? nla_get_u32(attrs[FZ_A_IFINDEX]) : 0,
			   attrs[FZ_A_IFNAME] ? nla_data(attrs[FZ_A_IFNAME]) : NULL);
	if (!fz) {
		NL_SET_ERR_MSG_MOD(extack, "no such fz device");
		return ERR_PTR(-ENODEV);
	}
	return fz;
}

static int fz_check_flags(const struct nlattr *attr, u32 known,
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
	for (i = FZ_STAT_A_RX_PACKETS; i < FZ_STAT_A_PAD; i++) {
		if (nla_put_u64_64bit(skb, i, c[i], FZ_STAT_A_PAD))
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
	struct fz_allowedip *aip;
	struct nlattr *list, *one;

	list = nla_nest_start(skb, FZ_PEER_A_ALLOWEDIPS);
	if (!list)
		return -EMSGSIZE;
	list_for_each_entry(aip, &peer->allowedips, list) {
		one = nla_nest_start(skb, 0);
		if (!one ||
		    nla_put_u16(skb, FZ_AIP_A_FAMILY, aip->family) ||
		    nla_put(skb, FZ_AIP_A_ADDR, aip->family == AF_INET ? 4 : 16,
			    aip->addr) ||
		    nla_put_u8(skb, FZ_AIP_A_CIDR, aip->cidr))
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

static int fz_put_peer(struct sk_buff *skb, struct fz_peer *peer)
{
	struct nlattr *nest = nla_nest_start(skb, FZ_A_PEER);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put(skb, FZ_PEER_A_PUBLIC_KEY, FZ_KEY_LEN, peer->public_key) ||
	    fz_put_endpoint(skb, FZ_PEER_A_ENDPOINT, &peer->endpoint) ||
	    nla_put_u16(skb, FZ_PEER_A_PERSISTENT_KEEPALIVE,
			peer->persistent_keepalive) ||
	    nla_put_u64_64bit(skb, FZ_PEER_A_RX_BYTES, peer->rx_bytes,
			      FZ_PEER_A_PAD) ||
	    nla_put_u64_64bit(skb, FZ_PEER_A_TX_BYTES, peer->tx_bytes,
			      FZ_PEER_A_PAD) ||
	    nla_put_u64_64bit(skb, FZ_PEER_A_LAST_HANDSHAKE,
			      peer->last_handshake_ns, FZ_PEER_A_PAD) ||
	    nla_put_u64_64bit(skb, FZ_PEER_A_LAST_RX, peer->last_rx_ns,
			      FZ_PEER_A_PAD) ||
	    fz_put_allowedips(skb, peer)) {
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
	mutex_lock(&fz->lock);
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

static int fz_set_device_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct fz_device *fz;
	u32 flags;
	int ret;

	ret = fz_check_version(info->genlhdr->version, info->extack);
	if (ret)
		return ret;
	ret = fz_check_flags(attrs[FZ_A_FLAGS], __FZ_DEVICE_F_ALL, info->extack,
			     &flags);
	if (ret)
		return ret;
	if (attrs[FZ_A_LISTEN_PORT]) {
		/* The UDP socket arrives with the data path. */
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[FZ_A_LISTEN_PORT],
				    "listen port not supported by this fz.ko");
		return -EOPNOTSUPP;
	}
	fz = fz_lookup(genl_info_net(info), attrs, info->extack);
	if (IS_ERR(fz))
		return PTR_ERR(fz);

	mutex_lock(&fz->lock);
	if (flags & FZ_DEVICE_F_REPLACE_PEERS)
		fz_peer_remove_all(fz);
	if (attrs[FZ_A_PUBLIC_KEY]) {
		memcpy(fz->public_key, nla_data(attrs[FZ_A_PUBLIC_KEY]),
		       FZ_KEY_LEN);
		fz->has_public_key = !fz_key_is_zero(fz->public_key);
	}
	if (attrs[FZ_A_FWMARK])
		fz->fwmark = nla_get_u32(attrs[FZ_A_FWMARK]);
	else if (flags & FZ_DEVICE_F_REMOVE_FWMARK)
		fz->fwmark = 0;
	fz->generation++;
	mutex_unlock(&fz->lock);
	fz_device_put(fz);
	return 0;
}

/* ---- SET_PEER / DEL_PEER ---- */

struct fz_prefix {
	u16 family;
	u8 cidr;
	u8 addr[16];
};

static int fz_parse_prefix(const struct nlattr *nest, struct fz_prefix *out,
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
	ret = fz_check_flags(tb[FZ_PEER_A_FLAGS],
			     __FZ_PEER_F_ALL & ~FZ_PEER_F_GATEWAY_CLIENT,
			     extack, &req->flags);
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
	if (!(req->flags & FZ_PEER_F_REPLACE_ALLOWEDIPS) &&
	    peer->num_allowedips + req->num_prefixes > FZ_MAX_ALLOWEDIPS) {
		NL_SET_ERR_MSG_MOD(extack, "too many allowed IPs for this peer");
		ret = -E2BIG;
		goto undo;
	}
	if (req->flags & FZ_PEER_F_REPLACE_ALLOWEDIPS)
		fz_peer_clear_allowedips(peer);
	for (i = 0; i < req->num_prefixes; i++) {
		ret = fz_peer_add_allowedip(peer, req->prefixes[i].family,
					    req->prefixes[i].addr,
					    req->prefixes[i].cidr);
		if (ret)
			goto undo;
	}
	if (req->flags & FZ_PEER_F_REMOVE_ENDPOINT)
		memset(&peer->endpoint, 0, sizeof(peer->endpoint));
	if (req->has_endpoint)
		peer->endpoint = req->endpoint;
	if (req->keepalive)
		peer->persistent_keepalive = nla_get_u16(req->keepalive);
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
	int ret;

	ret = fz_check_version(info->genlhdr->version, info->extack);
	if (ret)
		return ret;
	if (!info->attrs[FZ_A_PEER]) {
		NL_SET_ERR_MSG_MOD(info->extack, "missing FZ_A_PEER");
		return -EINVAL;
	}
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
	mutex_lock(&fz->lock);
	ret = fz_apply_peer(fz, req, info->extack);
	fz->generation++;
	mutex_unlock(&fz->lock);
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

	ret = fz_check_version(info->genlhdr->version, info->extack);
	if (ret)
		return ret;
	if (!info->attrs[FZ_A_PEER]) {
		NL_SET_ERR_MSG_MOD(info->extack, "missing FZ_A_PEER");
		return -EINVAL;
	}
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
	mutex_lock(&fz->lock);
	peer = fz_peer_lookup(fz, nla_data(tb[FZ_PEER_A_PUBLIC_KEY]));
	if (peer) {
		fz_peer_remove(peer);
		fz->generation++;
	} else {
		NL_SET_ERR_MSG_MOD(info->extack, "no such peer");
		ret = -ENOENT;
	}
	mutex_unlock(&fz->lock);
	fz_device_put(fz);
	return ret;
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
