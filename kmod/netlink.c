// SPDX-License-Identifier: GPL-2.0
/*
 * The "fz" generic netlink family: its ops and their policies, and what
 * every op shares (the device and peer a request names, addresses).
 * Every op has its own strict policy, so an attribute an op does not take
 * is refused instead of silently ignored. The ops themselves are in
 * netlink_dump.c (GET_DEVICE), netlink_config.c (device and peers),
 * netlink_session.c (keypairs, handshakes), netlink_gateway.c; the event
 * group in netlink_event.c.
 */
#include <linux/if.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <net/genetlink.h>

#include "device.h"
#include "netlink.h"
#include "netlink_int.h"
#include "peer.h"
#include "policy.h"

const struct nla_policy fz_allowedip_policy[FZ_AIP_A_MAX + 1] = {
	[FZ_AIP_A_FAMILY] = { .type = NLA_U16 },
	[FZ_AIP_A_ADDR] = NLA_POLICY_MIN_LEN(sizeof(struct in_addr)),
	[FZ_AIP_A_CIDR] = { .type = NLA_U8 },
};

const struct nla_policy fz_peer_policy[FZ_PEER_A_MAX + 1] = {
	[FZ_PEER_A_PUBLIC_KEY] = NLA_POLICY_EXACT_LEN(FZ_KEY_LEN),
	[FZ_PEER_A_FLAGS] = { .type = NLA_U32 },
	[FZ_PEER_A_ENDPOINT] = NLA_POLICY_MIN_LEN(sizeof(struct sockaddr_in)),
	[FZ_PEER_A_PERSISTENT_KEEPALIVE] = { .type = NLA_U16 },
	[FZ_PEER_A_QUIET_TIMEOUT] =
		NLA_POLICY_MAX(NLA_U16, FZ_QUIET_TIMEOUT_MAX),
	[FZ_PEER_A_ALLOWEDIPS] = NLA_POLICY_NESTED_ARRAY(fz_allowedip_policy),
};

const struct nla_policy fz_peer_key_policy[FZ_PEER_A_MAX + 1] = {
	[FZ_PEER_A_PUBLIC_KEY] = NLA_POLICY_EXACT_LEN(FZ_KEY_LEN),
};

const struct nla_policy fz_keypair_policy[FZ_KP_A_MAX + 1] = {
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
	[FZ_A_HOLD] = NLA_POLICY_MAX(NLA_U8, 1),
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
int fz_check_version(u8 version, struct netlink_ext_ack *extack)
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

/*
 * Runs fn under fz->lock on the live device the request names, with rtnl
 * taken first for FZ_REQ_RTNL (the link must hold still). FZ_REQ_CHANGES
 * moves the dump generation, even when fn fails: it may have done part of
 * its work.
 */
int fz_with_device(struct genl_info *info, unsigned int flags,
		   fz_device_fn fn, void *arg)
{
	bool rtnl = flags & FZ_REQ_RTNL;
	struct fz_device *fz;
	int ret;

	fz = fz_lookup(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(fz))
		return PTR_ERR(fz);
	if (rtnl)
		rtnl_lock();
	ret = fz_lock_live(fz, info->extack);
	if (!ret) {
		ret = fn(fz, arg, info);
		if (flags & FZ_REQ_CHANGES)
			fz->generation++;
		mutex_unlock(&fz->lock);
	}
	if (rtnl)
		rtnl_unlock();
	fz_device_put(fz);
	return ret;
}

struct fz_peer_call {
	fz_peer_fn fn;
	void *arg;
};

static int fz_call_on_peer(struct fz_device *fz, void *arg,
			   struct genl_info *info)
{
	struct fz_peer_call *call = arg;
	struct fz_peer *peer;
	int ret;

	peer = fz_lookup_peer(fz, info->attrs[FZ_A_PEER], info->extack, &ret);
	return peer ? call->fn(peer, call->arg, info) : ret;
}

/* The same, on the peer FZ_A_PEER names (ENOENT if there is none). */
int fz_with_peer(struct genl_info *info, unsigned int flags, fz_peer_fn fn,
		 void *arg)
{
	struct fz_peer_call call = { .fn = fn, .arg = arg };

	return fz_with_device(info, flags, fz_call_on_peer, &call);
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

int fz_put_endpoint(struct sk_buff *skb, int type,
		    const union fz_endpoint *ep)
{
	if (ep->addr.sa_family == AF_INET)
		return nla_put(skb, type, sizeof(ep->addr4), &ep->addr4);
	if (ep->addr.sa_family == AF_INET6)
		return nla_put(skb, type, sizeof(ep->addr6), &ep->addr6);
	return 0;
}

int fz_parse_endpoint(const struct nlattr *attr, union fz_endpoint *ep,
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
	{
		.cmd = FZ_CMD_DROP_HELD,
		.doit = fz_drop_held_doit,
		.policy = fz_drop_held_policy,
		.maxattr = FZ_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static const struct genl_multicast_group fz_mcgrps[] = {
	{ .name = FZ_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN },
};

struct genl_family fz_genl_family __ro_after_init = {
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
	return genl_register_family(&fz_genl_family);
}

void fz_genl_uninit(void)
{
	genl_unregister_family(&fz_genl_family);
}
