/* SPDX-License-Identifier: GPL-2.0 */
/* Shared between the netlink files; not an interface of its own. */
#ifndef _FZ_NETLINK_INT_H
#define _FZ_NETLINK_INT_H

#include <net/genetlink.h>
#include <linux/fz.h>

struct fz_device;
struct fz_peer;
struct fz_prefix;

union fz_endpoint;

extern struct genl_family fz_genl_family;
extern const struct nla_policy fz_allowedip_policy[FZ_AIP_A_MAX + 1];
extern const struct nla_policy fz_peer_policy[FZ_PEER_A_MAX + 1];
extern const struct nla_policy fz_peer_key_policy[FZ_PEER_A_MAX + 1];
extern const struct nla_policy fz_keypair_policy[FZ_KP_A_MAX + 1];

/*
 * How every op names its device: by exactly one of these. No device has
 * ifindex 0; one above INT_MAX is looked up as what it is, a miss.
 */
#define FZ_DEVICE_SELECTOR_POLICY                     \
	[FZ_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1), \
	[FZ_A_IFNAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 }

int fz_check_version(u8 version, struct netlink_ext_ack *extack);
int fz_request_valid(struct genl_info *info, bool needs_peer);
struct fz_device *fz_lookup(struct net *net, struct nlattr **attrs,
			    struct netlink_ext_ack *extack);
int fz_lock_live(struct fz_device *fz, struct netlink_ext_ack *extack);

typedef int (*fz_device_fn)(struct fz_device *fz, void *arg,
			    struct genl_info *info);
typedef int (*fz_peer_fn)(struct fz_peer *peer, void *arg,
			  struct genl_info *info);

enum {
	FZ_REQ_RTNL = 1 << 0, /* rtnl before fz->lock */
	FZ_REQ_CHANGES = 1 << 1, /* a dump in progress must start over */
};

int fz_with_device(struct genl_info *info, unsigned int flags,
		   fz_device_fn fn, void *arg);
int fz_with_peer(struct genl_info *info, unsigned int flags, fz_peer_fn fn,
		 void *arg);
struct fz_peer *fz_lookup_peer(struct fz_device *fz, struct nlattr *nest,
			       struct netlink_ext_ack *extack, int *err);
int fz_check_flags(const struct nlattr *attr, u32 known,
		   struct netlink_ext_ack *extack, u32 *out);
int fz_parse_prefix(const struct nlattr *nest, struct fz_prefix *out,
		    struct netlink_ext_ack *extack);
int fz_parse_endpoint(const struct nlattr *attr, union fz_endpoint *ep,
		      struct netlink_ext_ack *extack);
int fz_put_endpoint(struct sk_buff *skb, int type,
		    const union fz_endpoint *ep);

/* netlink_dump.c */
int fz_get_device_start(struct netlink_callback *cb);
int fz_get_device_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int fz_get_device_done(struct netlink_callback *cb);

/* netlink_config.c */
int fz_set_device_doit(struct sk_buff *skb, struct genl_info *info);
int fz_set_peer_doit(struct sk_buff *skb, struct genl_info *info);
int fz_del_peer_doit(struct sk_buff *skb, struct genl_info *info);

/* netlink_session.c */
int fz_set_keypair_doit(struct sk_buff *skb, struct genl_info *info);
int fz_del_keypairs_doit(struct sk_buff *skb, struct genl_info *info);
int fz_send_handshake_doit(struct sk_buff *skb, struct genl_info *info);

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

/* netlink_client.c */
extern const struct nla_policy fz_drop_held_policy[FZ_A_MAX + 1];
int fz_drop_held_doit(struct sk_buff *skb, struct genl_info *info);

#endif /* _FZ_NETLINK_INT_H */
