// SPDX-License-Identifier: GPL-2.0
/*
 * SET_KEYPAIR, DEL_KEYPAIRS and SEND_HANDSHAKE: the sessions fzagent
 * negotiates (it runs Noise; fz.ko holds only the session keys) and the
 * handshake messages it relays through the device's socket.
 */
#include <net/genetlink.h>

#include "device.h"
#include "keypair.h"
#include "netlink_int.h"
#include "peer.h"
#include "receive.h"
#include "send.h"
#include "socket.h"
#include "timers.h"

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

static int fz_set_keypair(struct fz_peer *peer, void *arg,
			  struct genl_info *info)
{
	struct fz_keypair_params *params = arg;
	int ret = fz_keypair_install(peer, params);

	if (ret == -EEXIST)
		NL_SET_ERR_MSG_MOD(info->extack, "local index already in use");
	if (ret)
		return ret;
	this_cpu_add(peer->stats->rx_bytes, params->rx_handshake_bytes);
	if (params->slot == FZ_KEYPAIR_CURRENT) {
		/* Initiator done: data or a keepalive confirms it to the peer. */
		fz_timers_handshake_complete(peer);
		fz_send_keepalive(peer);
	}
	return 0;
}

int fz_set_keypair_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct fz_keypair_params params;
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
	if (!ret)
		ret = fz_with_peer(info, FZ_REQ_CHANGES, fz_set_keypair, &params);
	memzero_explicit(&params, sizeof(params));
	return ret;
}

static int fz_del_keypairs(struct fz_peer *peer, void *arg,
			   struct genl_info *info)
{
	fz_keypairs_clear(peer);
	return 0;
}

int fz_del_keypairs_doit(struct sk_buff *skb, struct genl_info *info)
{
	return fz_request_valid(info, true) ?:
	       fz_with_peer(info, FZ_REQ_CHANGES, fz_del_keypairs, NULL);
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

static int fz_send_handshake(struct fz_device *fz, void *arg,
			     struct genl_info *info)
{
	const union fz_endpoint *to = arg;
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

int fz_send_handshake_doit(struct sk_buff *skb, struct genl_info *info)
{
	union fz_endpoint to, *top = NULL;
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
	return fz_with_device(info, 0, fz_send_handshake, top);
}
