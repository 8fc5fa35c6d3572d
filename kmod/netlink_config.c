// SPDX-License-Identifier: GPL-2.0
/* SET_DEVICE, SET_PEER and DEL_PEER: a device's and its peers' settings. */
#include <net/genetlink.h>
#include <net/sock.h>

#include "device.h"
#include "hold.h"
#include "nat.h"
#include "netlink_int.h"
#include "peer.h"
#include "policy.h"
#include "socket.h"
#include "timers.h"

static bool fz_key_is_zero(const u8 *key)
{
	return !memchr_inv(key, 0, FZ_KEY_LEN);
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
	if (attrs[FZ_A_HOLD])
		fz_hold_set_enabled(fz, nla_get_u8(attrs[FZ_A_HOLD]));
	if (attrs[FZ_A_FWMARK])
		fz_set_fwmark(fz, nla_get_u32(attrs[FZ_A_FWMARK]));
	else if (flags & FZ_DEVICE_F_REMOVE_FWMARK)
		fz_set_fwmark(fz, 0);
	return 0;
}

static int fz_set_device(struct fz_device *fz, void *arg,
			 struct genl_info *info)
{
	return fz_apply_device(fz, info->attrs, *(u32 *)arg, info->extack);
}

int fz_set_device_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	u32 flags;
	int ret;

	ret = fz_request_valid(info, false);
	if (ret)
		return ret;
	ret = fz_check_flags(attrs[FZ_A_FLAGS], __FZ_DEVICE_F_ALL, info->extack,
			     &flags);
	if (ret)
		return ret;
	/* rtnl: the device's up/down state must not change under us. */
	return fz_with_device(info, FZ_REQ_RTNL | FZ_REQ_CHANGES, fz_set_device,
			      &flags);
}

/* ---- SET_PEER / DEL_PEER ---- */

/* Everything a SET_PEER asks for, checked whole before anything changes. */
struct fz_peer_request {
	const u8 *public_key;
	u32 flags;
	bool has_endpoint;
	union fz_endpoint endpoint;
	struct nlattr *keepalive;
	struct nlattr *quiet_timeout;
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
	req->quiet_timeout = tb[FZ_PEER_A_QUIET_TIMEOUT];
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
	if (req->quiet_timeout) {
		WRITE_ONCE(peer->quiet_timeout,
			   nla_get_u16(req->quiet_timeout));
		fz_timers_quiet_changed(peer);
	}
	return 0;

undo:
	if (created)
		fz_peer_remove(peer);
	return ret;
}

static int fz_set_peer(struct fz_device *fz, void *arg,
		       struct genl_info *info)
{
	struct fz_peer_request *req = arg;
	int ret = fz_apply_peer(fz, req, info->extack);

	/* A client's held packets may have a way out now. */
	if (!ret && req->num_prefixes)
		fz_hold_release(fz);
	return ret;
}

int fz_set_peer_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct fz_peer_request *req;
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
	/* A first gateway client pins the device to its namespace (nat.c). */
	ret = fz_with_device(info,
			     FZ_REQ_CHANGES |
				     (req->flags & FZ_PEER_F_GATEWAY_CLIENT ?
					      FZ_REQ_RTNL :
					      0),
			     fz_set_peer, req);
out_free:
	kfree(req);
	return ret;
}

static int fz_del_peer(struct fz_peer *peer, void *arg,
		       struct genl_info *info)
{
	fz_peer_remove(peer);
	return 0;
}

int fz_del_peer_doit(struct sk_buff *skb, struct genl_info *info)
{
	return fz_request_valid(info, true) ?:
	       fz_with_peer(info, FZ_REQ_CHANGES, fz_del_peer, NULL);
}
