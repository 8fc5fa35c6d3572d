// SPDX-License-Identifier: GPL-2.0
/*
 * The gateway's netlink commands: a client's authorized resources, its
 * mapped IPs, and p2p control packets to a peer. Each request is checked
 * whole before anything changes.
 */
#include <linux/inetdevice.h>
#include <linux/slab.h>
#include <net/addrconf.h>
#include <net/genetlink.h>
#include <net/route.h>

#include "control.h"
#include "device.h"
#include "dnsmap.h"
#include "nat.h"
#include "netlink_int.h"
#include "peer.h"
#include "policy.h"

static const struct nla_policy fz_filter_policy[FZ_FILTER_A_MAX + 1] = {
	[FZ_FILTER_A_PROTO] = { .type = NLA_U8 },
	[FZ_FILTER_A_PORT_START] = { .type = NLA_U16 },
	[FZ_FILTER_A_PORT_END] = { .type = NLA_U16 },
};

static const struct nla_policy fz_resource_policy[FZ_RES_A_MAX + 1] = {
	[FZ_RES_A_ID] = NLA_POLICY_EXACT_LEN(FZ_RESOURCE_ID_LEN),
	[FZ_RES_A_ADDRS] = NLA_POLICY_NESTED_ARRAY(fz_allowedip_policy),
	[FZ_RES_A_FILTERS] = NLA_POLICY_NESTED_ARRAY(fz_filter_policy),
	[FZ_RES_A_EXPIRES] = { .type = NLA_U64 },
	[FZ_RES_A_FLAGS] = { .type = NLA_U32 },
};

static const struct nla_policy fz_resource_id_policy[FZ_RES_A_MAX + 1] = {
	[FZ_RES_A_ID] = NLA_POLICY_EXACT_LEN(FZ_RESOURCE_ID_LEN),
};

static const struct nla_policy fz_dns_map_policy[FZ_MAP_A_MAX + 1] = {
	[FZ_MAP_A_RESOURCE_ID] = NLA_POLICY_EXACT_LEN(FZ_RESOURCE_ID_LEN),
	[FZ_MAP_A_MAPPED] = NLA_POLICY_NESTED(fz_allowedip_policy),
	[FZ_MAP_A_REAL] = NLA_POLICY_NESTED(fz_allowedip_policy),
};

#define FZ_SELECT_DEVICE_AND_PEER                            \
	[FZ_A_PEER] = NLA_POLICY_NESTED(fz_peer_key_policy), \
	FZ_DEVICE_SELECTOR_POLICY

const struct nla_policy fz_set_resource_policy[FZ_A_MAX + 1] = {
	FZ_SELECT_DEVICE_AND_PEER,
	[FZ_A_RESOURCE] = NLA_POLICY_NESTED(fz_resource_policy),
};

const struct nla_policy fz_del_resource_policy[FZ_A_MAX + 1] = {
	FZ_SELECT_DEVICE_AND_PEER,
	[FZ_A_RESOURCE] = NLA_POLICY_NESTED(fz_resource_id_policy),
};

const struct nla_policy fz_dns_map_cmd_policy[FZ_A_MAX + 1] = {
	FZ_SELECT_DEVICE_AND_PEER,
	[FZ_A_DNS_MAP] = NLA_POLICY_NESTED(fz_dns_map_policy),
};

const struct nla_policy fz_send_control_policy[FZ_A_MAX + 1] = {
	FZ_SELECT_DEVICE_AND_PEER,
	[FZ_A_PACKET] = { .type = NLA_BINARY, .len = FZ_MAX_CONTROL_PAYLOAD },
};

/* what must be a string literal: extack messages are not copied. */
#define fz_need(attr, what, extack)                                 \
	({                                                          \
		int __ret = 0;                                      \
		if (!(attr)) {                                      \
			NL_SET_ERR_MSG_MOD(extack, "missing " what); \
			__ret = -EINVAL;                            \
		}                                                   \
		__ret;                                              \
	})

static unsigned int fz_addr_len(u16 family)
{
	return family == AF_INET ? 4 : 16;
}

static bool fz_host_bits_clear(const struct fz_prefix *p)
{
	u8 masked[16];
	unsigned int len = fz_addr_len(p->family);

	fz_aip_mask(masked, p->addr, len, p->cidr);
	return !memcmp(masked, p->addr, len);
}

static int fz_parse_resource_addrs(struct nlattr *list,
				   struct fz_resource *res,
				   struct netlink_ext_ack *extack)
{
	bool dns = res->flags & FZ_RES_F_DNS;
	struct fz_prefix *p;
	struct nlattr *nest;
	int rem, ret;

	nla_for_each_nested(nest, list, rem) {
		if (res->num_addrs >= FZ_MAX_RESOURCE_ADDRS) {
			NL_SET_ERR_MSG_ATTR(extack, nest, "too many addresses");
			return -E2BIG;
		}
		p = &res->addrs[res->num_addrs];
		ret = fz_parse_prefix(nest, p, extack);
		if (ret)
			return ret;
		if (!fz_host_bits_clear(p)) {
			NL_SET_ERR_MSG_ATTR(extack, nest,
					    "prefix has host bits set");
			return -EINVAL;
		}
		if (dns && (p->cidr != fz_addr_len(p->family) * 8 ||
			    !fz_is_mapped(p->family, p->addr))) {
			NL_SET_ERR_MSG_ATTR(extack, nest,
					    "a DNS resource's addresses are single mapped IPs");
			return -EINVAL;
		}
		res->num_addrs++;
	}
	return 0;
}

static int fz_parse_filter(struct nlattr *nest, struct fz_filter *f,
			   struct netlink_ext_ack *extack)
{
	struct nlattr *tb[FZ_FILTER_A_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, FZ_FILTER_A_MAX, nest, fz_filter_policy,
			       extack) ?:
	      fz_need(tb[FZ_FILTER_A_PROTO], "filter protocol", extack);
	if (ret)
		return ret;
	f->proto = nla_get_u8(tb[FZ_FILTER_A_PROTO]);
	if (f->proto == FZ_FILTER_ICMP) {
		if (!tb[FZ_FILTER_A_PORT_START] && !tb[FZ_FILTER_A_PORT_END])
			return 0;
		NL_SET_ERR_MSG_ATTR(extack, nest, "icmp filters have no ports");
		return -EINVAL;
	}
	if (f->proto != FZ_FILTER_TCP && f->proto != FZ_FILTER_UDP) {
		NL_SET_ERR_MSG_ATTR(extack, tb[FZ_FILTER_A_PROTO],
				    "filter protocol must be tcp, udp or icmp");
		return -EINVAL;
	}
	f->port_start = tb[FZ_FILTER_A_PORT_START] ?
		nla_get_u16(tb[FZ_FILTER_A_PORT_START]) : 1;
	f->port_end = tb[FZ_FILTER_A_PORT_END] ?
		nla_get_u16(tb[FZ_FILTER_A_PORT_END]) :
		tb[FZ_FILTER_A_PORT_START] ? f->port_start : 65535;
	if (!f->port_start || f->port_start > f->port_end) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "port range must be 1-65535 with start <= end");
		return -EINVAL;
	}
	return 0;
}

static int fz_parse_filters(struct nlattr *list, struct fz_resource *res,
			    struct netlink_ext_ack *extack)
{
	struct nlattr *nest;
	int rem, ret;

	nla_for_each_nested(nest, list, rem) {
		if (res->num_filters >= FZ_MAX_FILTERS) {
			NL_SET_ERR_MSG_ATTR(extack, nest, "too many filters");
			return -E2BIG;
		}
		ret = fz_parse_filter(nest, &res->filters[res->num_filters],
				      extack);
		if (ret)
			return ret;
		res->num_filters++;
	}
	return 0;
}

static int fz_parse_resource(struct nlattr *nest, struct fz_resource *res,
			     struct netlink_ext_ack *extack)
{
	struct nlattr *tb[FZ_RES_A_MAX + 1];
	int ret;

	ret = fz_need(nest, "FZ_A_RESOURCE", extack) ?:
	      nla_parse_nested(tb, FZ_RES_A_MAX, nest, fz_resource_policy,
			       extack) ?:
	      fz_need(tb[FZ_RES_A_ID], "resource id", extack) ?:
	      fz_check_flags(tb[FZ_RES_A_FLAGS], __FZ_RES_F_ALL, extack,
			     &res->flags);
	if (ret)
		return ret;
	memcpy(res->id, nla_data(tb[FZ_RES_A_ID]), FZ_RESOURCE_ID_LEN);
	if (tb[FZ_RES_A_EXPIRES])
		res->expires_ns = nla_get_u64(tb[FZ_RES_A_EXPIRES]);
	if (tb[FZ_RES_A_ADDRS]) {
		ret = fz_parse_resource_addrs(tb[FZ_RES_A_ADDRS], res, extack);
		if (ret)
			return ret;
	}
	/* A DNS resource may wait for the client's mapped IPs; a CIDR not. */
	if (!res->num_addrs && !(res->flags & FZ_RES_F_DNS)) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "resource needs an address");
		return -EINVAL;
	}
	if (tb[FZ_RES_A_FILTERS])
		return fz_parse_filters(tb[FZ_RES_A_FILTERS], res, extack);
	return 0;
}

/* The named peer, which must be a gateway client; NULL with *err set. */
static struct fz_peer *fz_lookup_client(struct fz_device *fz,
					struct genl_info *info, int *err)
{
	struct fz_peer *peer;

	peer = fz_lookup_peer(fz, info->attrs[FZ_A_PEER], info->extack, err);
	if (peer && !peer->gateway_client) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "peer is not a gateway client (FZ_PEER_F_GATEWAY_CLIENT)");
		*err = -EINVAL;
		return NULL;
	}
	return peer;
}

typedef int (*fz_client_fn)(struct fz_peer *peer, void *arg,
			    struct netlink_ext_ack *extack);

struct fz_client_call {
	fz_client_fn fn;
	void *arg;
};

static int fz_call_on_client(struct fz_device *fz, void *arg,
			     struct genl_info *info)
{
	struct fz_client_call *call = arg;
	struct fz_peer *peer;
	int ret;

	peer = fz_lookup_client(fz, info, &ret);
	return peer ? call->fn(peer, call->arg, info->extack) : ret;
}

/* Runs fn on the device and client a request names, under fz->lock. */
static int fz_with_client(struct genl_info *info, fz_client_fn fn, void *arg)
{
	struct fz_client_call call = { .fn = fn, .arg = arg };

	return fz_with_device(info, FZ_REQ_CHANGES, fz_call_on_client, &call);
}

static int fz_set_resource(struct fz_peer *peer, void *arg,
			   struct netlink_ext_ack *extack)
{
	int ret = fz_policy_set(peer, arg);

	if (ret == -ENOSPC)
		NL_SET_ERR_MSG_MOD(extack, "too many resources for this client");
	return ret;
}

int fz_set_resource_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct fz_resource *res;
	int ret;

	ret = fz_request_valid(info, true);
	if (ret)
		return ret;
	res = kzalloc(sizeof(*res), GFP_KERNEL);
	if (!res)
		return -ENOMEM;
	ret = fz_parse_resource(info->attrs[FZ_A_RESOURCE], res, info->extack);
	if (!ret)
		ret = fz_with_client(info, fz_set_resource, res);
	kfree(res);
	return ret;
}

static int fz_del_resource(struct fz_peer *peer, void *arg,
			   struct netlink_ext_ack *extack)
{
	int ret = fz_policy_del(peer, arg);

	if (ret == -ENOENT)
		NL_SET_ERR_MSG_MOD(extack, "no such resource for this client");
	if (!ret)
		fz_dnsmap_del_resource(peer, arg);
	return ret;
}

int fz_del_resource_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[FZ_RES_A_MAX + 1];
	struct nlattr *nest = info->attrs[FZ_A_RESOURCE];
	int ret;

	ret = fz_request_valid(info, true) ?:
	      fz_need(nest, "FZ_A_RESOURCE", info->extack) ?:
	      nla_parse_nested(tb, FZ_RES_A_MAX, nest, fz_resource_id_policy,
			       info->extack) ?:
	      fz_need(tb[FZ_RES_A_ID], "resource id", info->extack);
	if (ret)
		return ret;
	return fz_with_client(info, fz_del_resource, nla_data(tb[FZ_RES_A_ID]));
}

/* A single address: family and address, and a full-length cidr if any. */
static int fz_parse_addr(const struct nlattr *nest, struct fz_prefix *out,
			 struct netlink_ext_ack *extack)
{
	struct nlattr *tb[FZ_AIP_A_MAX + 1];
	unsigned int len;
	int ret;

	ret = nla_parse_nested(tb, FZ_AIP_A_MAX, nest, fz_allowedip_policy,
			       extack) ?:
	      fz_need(tb[FZ_AIP_A_FAMILY], "address family", extack) ?:
	      fz_need(tb[FZ_AIP_A_ADDR], "address", extack);
	if (ret)
		return ret;
	out->family = nla_get_u16(tb[FZ_AIP_A_FAMILY]);
	if (out->family != AF_INET && out->family != AF_INET6) {
		NL_SET_ERR_MSG_ATTR(extack, tb[FZ_AIP_A_FAMILY],
				    "family must be AF_INET or AF_INET6");
		return -EAFNOSUPPORT;
	}
	len = fz_addr_len(out->family);
	out->cidr = len * 8;
	if (nla_len(tb[FZ_AIP_A_ADDR]) != len ||
	    (tb[FZ_AIP_A_CIDR] && nla_get_u8(tb[FZ_AIP_A_CIDR]) != len * 8)) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "need one full-length address of the family");
		return -EINVAL;
	}
	memcpy(out->addr, nla_data(tb[FZ_AIP_A_ADDR]), len);
	return 0;
}

struct fz_dns_map_request {
	struct nlattr *resource_id, *mapped_attr, *real_attr;
	struct fz_prefix mapped, real;
};

static int fz_parse_dns_map(struct nlattr *nest, struct fz_dns_map_request *r,
			    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[FZ_MAP_A_MAX + 1];
	int ret;

	ret = fz_need(nest, "FZ_A_DNS_MAP", extack) ?:
	      nla_parse_nested(tb, FZ_MAP_A_MAX, nest, fz_dns_map_policy,
			       extack);
	if (ret)
		return ret;
	r->resource_id = tb[FZ_MAP_A_RESOURCE_ID];
	r->mapped_attr = tb[FZ_MAP_A_MAPPED];
	r->real_attr = tb[FZ_MAP_A_REAL];
	if (r->mapped_attr) {
		ret = fz_parse_addr(r->mapped_attr, &r->mapped, extack);
		if (ret)
			return ret;
		if (!fz_is_mapped(r->mapped.family, r->mapped.addr)) {
			NL_SET_ERR_MSG_ATTR(extack, r->mapped_attr,
					    "not in the mapped ranges");
			return -EINVAL;
		}
	}
	if (r->real_attr)
		return fz_parse_addr(r->real_attr, &r->real, extack);
	return 0;
}

/*
 * A real address is where the gateway sends a client's packets: one remote
 * unicast host, never back into Firezone's own ranges.
 */
#define fz_real_bad(why)                                                  \
	({                                                                \
		NL_SET_ERR_MSG_ATTR(extack, attr, "real address is " why); \
		-EINVAL;                                                  \
	})

static int fz_check_real_addr(const struct fz_prefix *real,
			      const struct nlattr *attr,
			      struct netlink_ext_ack *extack)
{
	/* These hold the tunnel, mapped and DNS sentinel ranges. */
	static const struct fz_prefix firezone4 = {
		.family = AF_INET, .cidr = FZ_RANGE_ALL_V4_LEN,
		.addr = FZ_RANGE_ALL_V4
	};
	static const struct fz_prefix firezone6 = {
		.family = AF_INET6, .cidr = FZ_RANGE_ALL_V6_LEN,
		.addr = FZ_RANGE_ALL_V6
	};
	/*
	 * NAT64's well-known and local-use prefixes (RFC 6052, RFC 8215):
	 * through a translator on the gateway's path they reach IPv4 hosts,
	 * including every one refused above.
	 */
	static const struct fz_prefix nat64 = {
		.family = AF_INET6, .cidr = 96,
		.addr = { 0x00, 0x64, 0xff, 0x9b }
	};
	static const struct fz_prefix nat64_local = {
		.family = AF_INET6, .cidr = 48,
		.addr = { 0x00, 0x64, 0xff, 0x9b, 0x00, 0x01 }
	};
	/* The IPv6 address of a cloud's instance metadata (AWS). */
	static const struct fz_prefix metadata6 = {
		.family = AF_INET6, .cidr = 128,
		.addr = { 0xfd, 0x00, 0x0e, 0xc2, [14] = 0x02, [15] = 0x54 }
	};
	const struct in6_addr *a6 = (const struct in6_addr *)real->addr;
	__be32 a4;
	int type;

	if (real->family == AF_INET) {
		memcpy(&a4, real->addr, 4);
		/* ipv4_is_zeronet() tests only 0.0.0.0 since Linux 5.x. */
		if ((a4 & htonl(0xff000000)) == 0)
			return fz_real_bad("this network (0.0.0.0/8)");
		if (ipv4_is_loopback(a4))
			return fz_real_bad("loopback");
		if (ipv4_is_linklocal_169(a4))
			return fz_real_bad("link-local");
		if (ipv4_is_multicast(a4))
			return fz_real_bad("multicast");
		if (ipv4_is_lbcast(a4))
			return fz_real_bad("broadcast");
		if (fz_prefix_contains(&firezone4, AF_INET, real->addr))
			return fz_real_bad("in Firezone's ranges (" FZ_RANGE_ALL_V4_TEXT ")");
		return 0;
	}
	type = ipv6_addr_type(a6);
	if (type == IPV6_ADDR_ANY)
		return fz_real_bad("unspecified (::)");
	if (type & IPV6_ADDR_LOOPBACK)
		return fz_real_bad("loopback");
	if (type & IPV6_ADDR_LINKLOCAL)
		return fz_real_bad("link-local");
	if (type & IPV6_ADDR_MULTICAST)
		return fz_real_bad("multicast");
	if (type & IPV6_ADDR_MAPPED)
		return fz_real_bad("IPv4-mapped");
	if (fz_prefix_contains(&nat64, AF_INET6, real->addr) ||
	    fz_prefix_contains(&nat64_local, AF_INET6, real->addr))
		return fz_real_bad("NAT64 (64:ff9b::/96, 64:ff9b:1::/48)");
	if (fz_prefix_contains(&metadata6, AF_INET6, real->addr))
		return fz_real_bad("a cloud metadata service (fd00:ec2::254)");
	if (fz_prefix_contains(&firezone6, AF_INET6, real->addr))
		return fz_real_bad("in Firezone's ranges (" FZ_RANGE_ALL_V6_TEXT ")");
	return 0;
}

/*
 * One of the gateway's own addresses in its namespace. Only RTN_LOCAL
 * counts: inet_addr_type() answers RTN_BROADCAST for any address in a
 * namespace whose local table does not exist yet (no address configured).
 * Limited broadcast and multicast are refused before this.
 */
static bool fz_real_addr_is_gateway(struct net *net,
				    const struct fz_prefix *real)
{
	__be32 a4;

	if (real->family == AF_INET6)
		return ipv6_chk_addr(net, (const struct in6_addr *)real->addr,
				     NULL, 0);
	memcpy(&a4, real->addr, 4);
	return inet_addr_type(net, a4) == RTN_LOCAL;
}

static bool fz_has_dns_resource(struct fz_peer *peer, const u8 *id)
{
	const struct fz_policy *pol;
	unsigned int i;

	pol = rcu_dereference_protected(peer->policy,
					lockdep_is_held(&peer->fz->lock));
	for (i = 0; pol && i < pol->num; i++) {
		if (!memcmp(pol->res[i].id, id, FZ_RESOURCE_ID_LEN))
			return pol->res[i].flags & FZ_RES_F_DNS;
	}
	return false;
}

static int fz_set_dns_map(struct fz_peer *peer, void *arg,
			  struct netlink_ext_ack *extack)
{
	struct fz_dns_map_request *r = arg;
	const u8 *id = nla_data(r->resource_id);
	int ret;

	if (!fz_has_dns_resource(peer, id)) {
		NL_SET_ERR_MSG_MOD(extack, "no such DNS resource for this client");
		return -ENOENT;
	}
	if (fz_real_addr_is_gateway(dev_net(peer->fz->dev), &r->real)) {
		NL_SET_ERR_MSG_ATTR(extack, r->real_attr,
				    "real address is one of the gateway's own addresses");
		return -EINVAL;
	}
	ret = fz_dnsmap_set(peer, r->mapped.family, r->mapped.addr,
			    r->real.addr, id);
	if (ret == -ENOSPC)
		NL_SET_ERR_MSG_MOD(extack, "too many mapped IPs for this client");
	return ret;
}

int fz_set_dns_map_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct fz_dns_map_request r = {};
	int ret;

	ret = fz_request_valid(info, true) ?:
	      fz_parse_dns_map(info->attrs[FZ_A_DNS_MAP], &r, info->extack);
	if (ret)
		return ret;
	if (!r.resource_id || !r.mapped_attr || !r.real_attr) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "a DNS map needs resource id, mapped and real address");
		return -EINVAL;
	}
	if (r.mapped.family != r.real.family) {
		NL_SET_ERR_MSG_ATTR(info->extack, r.real_attr,
				    "real address must be of the mapped IP's family");
		return -EINVAL;
	}
	ret = fz_check_real_addr(&r.real, r.real_attr, info->extack);
	if (ret)
		return ret;
	return fz_with_client(info, fz_set_dns_map, &r);
}

static int fz_del_dns_map(struct fz_peer *peer, void *arg,
			  struct netlink_ext_ack *extack)
{
	struct fz_dns_map_request *r = arg;

	if (r->resource_id) {
		fz_dnsmap_del_resource(peer, nla_data(r->resource_id));
		return 0;
	}
	if (!fz_dnsmap_del(peer, r->mapped.family, r->mapped.addr))
		return 0;
	NL_SET_ERR_MSG_MOD(extack, "no such mapped IP for this client");
	return -ENOENT;
}

int fz_del_dns_map_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct fz_dns_map_request r = {};
	int ret;

	ret = fz_request_valid(info, true) ?:
	      fz_parse_dns_map(info->attrs[FZ_A_DNS_MAP], &r, info->extack);
	if (ret)
		return ret;
	if (!r.resource_id == !r.mapped_attr || r.real_attr) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "delete by exactly one of resource id or mapped address");
		return -EINVAL;
	}
	return fz_with_client(info, fz_del_dns_map, &r);
}

static int fz_send_control(struct fz_peer *peer, void *arg,
			   struct genl_info *info)
{
	const struct nlattr *pkt = arg;

	return fz_control_send(peer, nla_data(pkt), nla_len(pkt));
}

int fz_send_control_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *pkt = info->attrs[FZ_A_PACKET];
	int ret;

	ret = fz_request_valid(info, true) ?:
	      fz_need(pkt, "FZ_A_PACKET", info->extack);
	if (ret)
		return ret;
	if (nla_len(pkt) < FZ_CONTROL_HEADER_LEN) {
		NL_SET_ERR_MSG_ATTR(info->extack, pkt,
				    "a control packet has an 8-byte header");
		return -EINVAL;
	}
	return fz_with_peer(info, 0, fz_send_control, pkt);
}
