// SPDX-License-Identifier: GPL-2.0
/*
 * Parser for fz.ko's events; see event.h. Like the dump parser it trusts
 * no length it has not checked: a handshake packet must have the exact
 * size of its type, an endpoint the size of its family.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "event.h"
#include "device.h"
#include "wg/noise.h"

static const struct nla_policy event_policy[FZ_A_MAX + 1] = {
	[FZ_A_IFINDEX] = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
	[FZ_A_PEER] = { .type = NLA_NESTED },
	[FZ_A_ENDPOINT] = { .type = NLA_UNSPEC,
			    .minlen = sizeof(struct sockaddr_in),
			    .maxlen = sizeof(struct sockaddr_in6) },
	/* Sizes depend on the command: see parse_packet(). */
	[FZ_A_PACKET] = { .type = NLA_UNSPEC,
			  .maxlen = FZ_MAX_CONTROL_PAYLOAD },
	[FZ_A_REASON] = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
	[FZ_A_FLOW] = { .type = NLA_NESTED },
};

static const struct nla_policy flow_policy[FZ_FLOW_A_MAX + 1] = {
	[FZ_FLOW_A_PROTO] = { .type = NLA_U8 },
	[FZ_FLOW_A_SADDR] = { .type = NLA_UNSPEC, .minlen = 4, .maxlen = 16 },
	[FZ_FLOW_A_DADDR] = { .type = NLA_UNSPEC, .minlen = 4, .maxlen = 16 },
	[FZ_FLOW_A_SPORT] = { .type = NLA_U16 },
	[FZ_FLOW_A_DPORT] = { .type = NLA_U16 },
};

static const struct nla_policy peer_policy[FZ_PEER_A_MAX + 1] = {
	[FZ_PEER_A_PUBLIC_KEY] = { .type = NLA_UNSPEC,
				   .minlen = FZ_KEY_LEN,
				   .maxlen = FZ_KEY_LEN },
};

static size_t packet_size(uint8_t type)
{
	switch (type) {
	case WG_NOISE_MSG_INITIATION:
		return WG_NOISE_INITIATION_LEN;
	case WG_NOISE_MSG_RESPONSE:
		return WG_NOISE_RESPONSE_LEN;
	case WG_NOISE_MSG_COOKIE_REPLY:
		return WG_NOISE_COOKIE_REPLY_LEN;
	default:
		return 0;
	}
}

/* Control packets are checked by their codec (p2p.h), which counts drops. */
static int parse_packet(struct fzk_event *ev, struct nlattr *pkt)
{
	const uint8_t *p = nla_data(pkt);
	size_t len = (size_t)nla_len(pkt);

	if (ev->cmd == FZ_CMD_EVT_CONTROL) {
		ev->packet = p;
		ev->packet_len = len;
		return 0;
	}
	if (len < 4 || p[1] || p[2] || p[3] || len != packet_size(p[0]))
		return -EINVAL;
	ev->packet = p;
	ev->packet_len = len;
	return 0;
}

static int parse_endpoint(struct fzk_event *ev, struct nlattr *nla)
{
	size_t len = (size_t)nla_len(nla);
	sa_family_t family;

	memcpy(&family, nla_data(nla), sizeof(family));
	if ((family == AF_INET && len == sizeof(struct sockaddr_in)) ||
	    (family == AF_INET6 && len == sizeof(struct sockaddr_in6))) {
		memset(&ev->endpoint, 0, sizeof(ev->endpoint));
		memcpy(&ev->endpoint, nla_data(nla), len);
		ev->has_endpoint = true;
		return 0;
	}
	return -EINVAL;
}

static int parse_peer(struct fzk_event *ev, struct nlattr *nest)
{
	struct nlattr *tb[FZ_PEER_A_MAX + 1];

	if (nla_parse_nested(tb, FZ_PEER_A_MAX, nest, peer_policy) < 0 ||
	    !tb[FZ_PEER_A_PUBLIC_KEY])
		return -EINVAL;
	memcpy(ev->peer_key, nla_data(tb[FZ_PEER_A_PUBLIC_KEY]), FZ_KEY_LEN);
	ev->has_peer = true;
	return 0;
}

static int address_len(struct nlattr *nla)
{
	int len = nla_len(nla);

	return len == 4 || len == 16 ? len : -EINVAL;
}

/* Both addresses of one family; ports only where the protocol has them. */
static int parse_flow(struct fzk_event *ev, struct nlattr *nest)
{
	struct nlattr *tb[FZ_FLOW_A_MAX + 1];
	struct fzk_event_flow *f = &ev->flow;
	int len;

	if (nla_parse_nested(tb, FZ_FLOW_A_MAX, nest, flow_policy) < 0 ||
	    !tb[FZ_FLOW_A_PROTO] || !tb[FZ_FLOW_A_SADDR] ||
	    !tb[FZ_FLOW_A_DADDR])
		return -EINVAL;
	len = address_len(tb[FZ_FLOW_A_SADDR]);
	if (len < 0 || len != nla_len(tb[FZ_FLOW_A_DADDR]))
		return -EINVAL;
	f->family = len == 4 ? AF_INET : AF_INET6;
	f->proto = nla_get_u8(tb[FZ_FLOW_A_PROTO]);
	memcpy(f->saddr, nla_data(tb[FZ_FLOW_A_SADDR]), (size_t)len);
	memcpy(f->daddr, nla_data(tb[FZ_FLOW_A_DADDR]), (size_t)len);
	f->has_ports = tb[FZ_FLOW_A_SPORT] && tb[FZ_FLOW_A_DPORT];
	if (f->has_ports) {
		f->sport = nla_get_u16(tb[FZ_FLOW_A_SPORT]);
		f->dport = nla_get_u16(tb[FZ_FLOW_A_DPORT]);
	}
	return 0;
}

static int check_complete(const struct fzk_event *ev, bool has_flow)
{
	switch (ev->cmd) {
	case FZ_CMD_EVT_HANDSHAKE:
		return ev->packet && ev->has_endpoint ? 0 : -EINVAL;
	case FZ_CMD_EVT_CONTROL:
		return ev->packet && ev->has_peer ? 0 : -EINVAL;
	case FZ_CMD_EVT_DENIED_FLOW:
		return has_flow && ev->has_peer ? 0 : -EINVAL;
	case FZ_CMD_EVT_UNKNOWN_DEST:
		return has_flow ? 0 : -EINVAL;
	default:
		return ev->has_peer ? 0 : -EINVAL;
	}
}

static bool handled(uint8_t cmd)
{
	return cmd == FZ_CMD_EVT_HANDSHAKE ||
	       cmd == FZ_CMD_EVT_HANDSHAKE_NEEDED ||
	       cmd == FZ_CMD_EVT_PEER_QUIET || cmd == FZ_CMD_EVT_CONTROL ||
	       cmd == FZ_CMD_EVT_DENIED_FLOW || cmd == FZ_CMD_EVT_UNKNOWN_DEST;
}

int fzk_event_parse(const struct nlmsghdr *nlh, int family,
		    struct fzk_event *ev)
{
	struct nlattr *tb[FZ_A_MAX + 1];
	struct genlmsghdr *gnlh;
	int ret = 0;

	memset(ev, 0, sizeof(*ev));
	if (nlh->nlmsg_type != family)
		return -ENOMSG;
	if (!genlmsg_valid_hdr((struct nlmsghdr *)nlh, 0))
		return -EINVAL;
	gnlh = nlmsg_data(nlh);
	if (!handled(gnlh->cmd))
		return -ENOMSG;
	ev->cmd = gnlh->cmd;
	if (genlmsg_parse((struct nlmsghdr *)nlh, 0, tb, FZ_A_MAX,
			  event_policy) < 0 ||
	    !tb[FZ_A_IFINDEX])
		return -EINVAL;
	ev->ifindex = nla_get_u32(tb[FZ_A_IFINDEX]);
	if (tb[FZ_A_REASON])
		ev->reason = nla_get_u32(tb[FZ_A_REASON]);
	if (tb[FZ_A_PACKET])
		ret = parse_packet(ev, tb[FZ_A_PACKET]);
	if (!ret && tb[FZ_A_ENDPOINT])
		ret = parse_endpoint(ev, tb[FZ_A_ENDPOINT]);
	if (!ret && tb[FZ_A_PEER])
		ret = parse_peer(ev, tb[FZ_A_PEER]);
	if (!ret && tb[FZ_A_FLOW])
		ret = parse_flow(ev, tb[FZ_A_FLOW]);
	return ret ? ret : check_complete(ev, tb[FZ_A_FLOW] != NULL);
}

enum fzk_event_resync fzk_event_resync_need(const struct fzk_peer_view *p,
					    uint64_t now_ns,
					    uint64_t rekey_after_ns)
{
	const struct fzk_keypair_view *kp =
		fzk_peer_keypair(p, FZ_KEYPAIR_CURRENT);

	if (p->endpoint.ss_family == AF_UNSPEC)
		return FZK_RESYNC_NONE;
	if (!kp)
		return p->persistent_keepalive ? FZK_RESYNC_KEEPALIVE :
						 FZK_RESYNC_NONE;
	if ((kp->flags & FZ_KEYPAIR_F_INITIATOR) && now_ns >= kp->created_ns &&
	    now_ns - kp->created_ns >= rekey_after_ns)
		return FZK_RESYNC_REKEY;
	return FZK_RESYNC_NONE;
}
