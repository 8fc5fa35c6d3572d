/* SPDX-License-Identifier: GPL-2.0 */
/* Shared between the netlink files; not an interface of its own. */
#ifndef _FZ_NETLINK_INT_H
#define _FZ_NETLINK_INT_H

#include <net/genetlink.h>
#include <linux/fz.h>

struct fz_device;
struct fz_peer;
struct fz_prefix;

extern const struct nla_policy fz_allowedip_policy[FZ_AIP_A_MAX + 1];
extern const struct nla_policy fz_peer_key_policy[FZ_PEER_A_MAX + 1];

/*
 * How every op names its device: by exactly one of these. No device has
 * ifindex 0; one above INT_MAX is looked up as what it is, a miss.
 */
#define FZ_DEVICE_SELECTOR_POLICY                     \
	[FZ_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1), \
	[FZ_A_IFNAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 }

int fz_request_valid(struct genl_info *info, bool needs_peer);
struct fz_device *fz_lookup(struct net *net, struct nlattr **attrs,
			    struct netlink_ext_ack *extack);
int fz_lock_live(struct fz_device *fz, struct netlink_ext_ack *extack);
struct fz_peer *fz_lookup_peer(struct fz_device *fz, struct nlattr *nest,
			       struct netlink_ext_ack *extack, int *err);
int fz_check_flags(const struct nlattr *attr, u32 known,
		   struct netlink_ext_ack *extack, u32 *out);
int fz_parse_prefix(const struct nlattr *nest, struct fz_prefix *out,
		    struct netlink_ext_ack *extack);

/* netlink_gateway.c */
extern const struct nla_policy fz_set_resource_policy[FZ_A_MAX + 1];
extern const struct nla_policy fz_del_resource_policy[FZ_A_MAX + 1];
extern const struct nla_policy fz_dns_map_cmd_policy[FZ_A_MAX + 1];
extern const struct nla_policy fz_send_control_policy[FZ_A_MAX + 1];
int fz_set_resource_doit(struct sk_buff *skb, struct genl_info *info);
int fz_del_resource_doit(struct sk_buff *skb, struct genl_info *info);
int fz_set_dns_map_doit(struct sk_buff *skb, struct genl_info *info);
int fz_del_dns_map_doit(struct sk_buff *skb, struct genl_info *info);
int fz_send_control_doit(struct sk_buff *skb, struct genl_info *info);

#endif /* _FZ_NETLINK_INT_H */
