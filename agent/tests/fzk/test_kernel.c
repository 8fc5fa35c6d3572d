// SPDX-License-Identifier: GPL-2.0
/*
 * The agent's side of the fz.ko ABI without fz.ko: requests are checked
 * attribute by attribute against what kmod/netlink.c's strict policies
 * accept (exact lengths, NLA_F_NESTED, flags); events and dumps with
 * keypairs are built in memory and parsed; and adoption is planned from
 * a parsed dump and a parsed config.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "conf/config.h"
#include "daemon/apply.h"
#include "daemon/plan.h"
#include "fzk/device.h"
#include "fzk/event.h"
#include "fzk/kernel.h"
#include "fzk/kernel_client.h"
#include "lib/cidr.h"
#include "lib/keys.h"
#include "wg/noise.h"
#include "../suites.h"

#define FAMILY 0x1d

static void fill_key(uint8_t key[FZ_KEY_LEN], uint8_t b)
{
	memset(key, b, FZ_KEY_LEN);
}

static void sin4(struct sockaddr_storage *ss, const char *ip, uint16_t port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	ck_assert_int_eq(inet_pton(AF_INET, ip, &sin->sin_addr), 1);
}

static void sin6(struct sockaddr_storage *ss, const char *ip, uint16_t port)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(port);
	ck_assert_int_eq(inet_pton(AF_INET6, ip, &s6->sin6_addr), 1);
}

/* --- Requests, as the kernel's policy sees them --- */

/* The genl header and the top-level attributes of a request. */
static struct genlmsghdr *top(struct nl_msg *msg, struct nlattr **tb,
			      uint8_t cmd)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	ck_assert_ptr_nonnull(msg);
	nlh = nlmsg_hdr(msg);
	ck_assert_uint_eq(nlh->nlmsg_type, FAMILY);
	ck_assert(nlh->nlmsg_flags & NLM_F_ACK);
	g = nlmsg_data(nlh);
	ck_assert_uint_eq(g->cmd, cmd);
	ck_assert_uint_eq(g->version, FZ_GENL_VERSION);
	ck_assert_uint_eq(g->reserved, 0);
	ck_assert_int_eq(genlmsg_parse(nlh, 0, tb, FZ_A_MAX, NULL), 0);
	ck_assert_ptr_nonnull(tb[FZ_A_IFINDEX]);
	ck_assert_int_eq(nla_len(tb[FZ_A_IFINDEX]), 4);
	ck_assert_uint_eq(nla_get_u32(tb[FZ_A_IFINDEX]), 7);
	ck_assert_ptr_null(tb[FZ_A_IFNAME]); /* exactly one selector */
	return g;
}

static void check_len(struct nlattr *nla, int len)
{
	ck_assert_ptr_nonnull(nla);
	ck_assert_int_eq(nla_len(nla), len);
}

/* Strict validation refuses a nest without NLA_F_NESTED. */
static void nested(struct nlattr **tb, int max, struct nlattr *nest)
{
	ck_assert_ptr_nonnull(nest);
	ck_assert(nest->nla_type & NLA_F_NESTED);
	ck_assert_int_eq(nla_parse_nested(tb, max, nest, NULL), 0);
}

START_TEST(test_msg_set_device)
{
	struct fzk_device_update u = { 0 };
	struct nlattr *tb[FZ_A_MAX + 1];
	uint8_t key[FZ_KEY_LEN];
	struct nl_msg *msg;

	fill_key(key, 0x11);
	u.public_key = key;
	u.has_listen_port = true;
	u.listen_port = 51820;
	u.has_fwmark = true;
	u.fwmark = 0x1234;
	u.flags = FZ_DEVICE_F_REPLACE_PEERS;
	msg = fzk_msg_set_device(FAMILY, 7, &u);
	top(msg, tb, FZ_CMD_SET_DEVICE);
	check_len(tb[FZ_A_PUBLIC_KEY], FZ_KEY_LEN);
	ck_assert_mem_eq(nla_data(tb[FZ_A_PUBLIC_KEY]), key, FZ_KEY_LEN);
	check_len(tb[FZ_A_LISTEN_PORT], 2);
	ck_assert_uint_eq(nla_get_u16(tb[FZ_A_LISTEN_PORT]), 51820);
	check_len(tb[FZ_A_FWMARK], 4);
	ck_assert_uint_eq(nla_get_u32(tb[FZ_A_FWMARK]), 0x1234);
	check_len(tb[FZ_A_FLAGS], 4);
	ck_assert_uint_eq(nla_get_u32(tb[FZ_A_FLAGS]),
			  FZ_DEVICE_F_REPLACE_PEERS);
	nlmsg_free(msg);

	/* Only what is set is sent; an empty update is recognised. */
	memset(&u, 0, sizeof(u));
	ck_assert(fzk_device_update_empty(&u));
	u.has_listen_port = true;
	ck_assert(!fzk_device_update_empty(&u));
	msg = fzk_msg_set_device(FAMILY, 7, &u);
	top(msg, tb, FZ_CMD_SET_DEVICE);
	check_len(tb[FZ_A_LISTEN_PORT], 2);
	ck_assert_ptr_null(tb[FZ_A_PUBLIC_KEY]);
	ck_assert_ptr_null(tb[FZ_A_FWMARK]);
	ck_assert_ptr_null(tb[FZ_A_FLAGS]);
	nlmsg_free(msg);
}
END_TEST

static struct conf_peer *test_peer(void)
{
	static struct fz_cidr aips[2];
	static struct conf_peer p;

	memset(&p, 0, sizeof(p));
	fill_key(p.public_key, 0x22);
	p.has_endpoint = true;
	sin4(&p.endpoint, "192.0.2.1", 51820);
	p.has_keepalive = true;
	p.persistent_keepalive = 25;
	memset(aips, 0, sizeof(aips));
	aips[0].family = AF_INET;
	inet_pton(AF_INET, "10.0.0.2", aips[0].addr);
	aips[0].cidr = 32;
	aips[1].family = AF_INET6;
	inet_pton(AF_INET6, "fd00::", aips[1].addr);
	aips[1].cidr = 64;
	p.allowed_ips = aips;
	p.n_allowed_ips = 2;
	p.replace_allowed_ips = true;
	return &p;
}

static void check_aip(struct nlattr *nest, uint16_t family, const char *ip,
		      uint8_t cidr)
{
	struct nlattr *tb[FZ_AIP_A_MAX + 1];
	uint8_t want[16];
	int len = family == AF_INET ? 4 : 16;

	nested(tb, FZ_AIP_A_MAX, nest);
	check_len(tb[FZ_AIP_A_FAMILY], 2);
	ck_assert_uint_eq(nla_get_u16(tb[FZ_AIP_A_FAMILY]), family);
	check_len(tb[FZ_AIP_A_ADDR], len);
	inet_pton(family, ip, want);
	ck_assert_mem_eq(nla_data(tb[FZ_AIP_A_ADDR]), want, (size_t)len);
	check_len(tb[FZ_AIP_A_CIDR], 1);
	ck_assert_uint_eq(nla_get_u8(tb[FZ_AIP_A_CIDR]), cidr);
}

/* The request for a parsed peer, as daemon_apply_config() builds it. */
static struct nl_msg *set_peer_msg(const struct conf_peer *p,
				   bool skip_endpoint)
{
	struct fzk_peer_update u;

	daemon_apply_peer_update(&u, p, 0, skip_endpoint);
	return fzk_msg_set_peer(FAMILY, 7, &u);
}

START_TEST(test_msg_set_peer)
{
	struct nlattr *tb[FZ_A_MAX + 1], *pb[FZ_PEER_A_MAX + 1], *nest;
	struct conf_peer *p = test_peer();
	struct sockaddr_in sin;
	struct nl_msg *msg;
	int rem, n = 0;

	msg = set_peer_msg(p, false);
	top(msg, tb, FZ_CMD_SET_PEER);
	nested(pb, FZ_PEER_A_MAX, tb[FZ_A_PEER]);
	check_len(pb[FZ_PEER_A_PUBLIC_KEY], FZ_KEY_LEN);
	ck_assert_mem_eq(nla_data(pb[FZ_PEER_A_PUBLIC_KEY]), p->public_key,
			 FZ_KEY_LEN);
	check_len(pb[FZ_PEER_A_FLAGS], 4);
	ck_assert_uint_eq(nla_get_u32(pb[FZ_PEER_A_FLAGS]),
			  FZ_PEER_F_REPLACE_ALLOWEDIPS);
	/* Exactly a struct sockaddr_in: the kernel checks the length. */
	check_len(pb[FZ_PEER_A_ENDPOINT], sizeof(struct sockaddr_in));
	memcpy(&sin, nla_data(pb[FZ_PEER_A_ENDPOINT]), sizeof(sin));
	ck_assert_uint_eq(sin.sin_family, AF_INET);
	ck_assert_uint_eq(ntohs(sin.sin_port), 51820);
	check_len(pb[FZ_PEER_A_PERSISTENT_KEEPALIVE], 2);
	ck_assert_uint_eq(nla_get_u16(pb[FZ_PEER_A_PERSISTENT_KEEPALIVE]), 25);
	ck_assert(pb[FZ_PEER_A_ALLOWEDIPS]->nla_type & NLA_F_NESTED);
	nla_for_each_nested(nest, pb[FZ_PEER_A_ALLOWEDIPS], rem) {
		if (n == 0)
			check_aip(nest, AF_INET, "10.0.0.2", 32);
		else
			check_aip(nest, AF_INET6, "fd00::", 64);
		n++;
	}
	ck_assert_int_eq(n, 2);
	nlmsg_free(msg);

	/* IPv6 endpoint, kept endpoint, update-only, no allowed IPs. */
	sin6(&p->endpoint, "2001:db8::1", 1);
	msg = set_peer_msg(p, false);
	top(msg, tb, FZ_CMD_SET_PEER);
	nested(pb, FZ_PEER_A_MAX, tb[FZ_A_PEER]);
	check_len(pb[FZ_PEER_A_ENDPOINT], sizeof(struct sockaddr_in6));
	nlmsg_free(msg);
	p->replace_allowed_ips = false;
	p->n_allowed_ips = 0;
	p->update_only = true;
	p->has_keepalive = false;
	msg = set_peer_msg(p, true);
	top(msg, tb, FZ_CMD_SET_PEER);
	nested(pb, FZ_PEER_A_MAX, tb[FZ_A_PEER]);
	ck_assert_ptr_null(pb[FZ_PEER_A_ENDPOINT]);
	ck_assert_ptr_null(pb[FZ_PEER_A_ALLOWEDIPS]);
	ck_assert_ptr_null(pb[FZ_PEER_A_PERSISTENT_KEEPALIVE]);
	ck_assert_uint_eq(nla_get_u32(pb[FZ_PEER_A_FLAGS]),
			  FZ_PEER_F_UPDATE_ONLY);
	nlmsg_free(msg);

	/*
	 * Replacing with nothing: libnl drops an empty nest, and the flag
	 * alone makes the kernel remove them all (fz_apply_peer()).
	 */
	p->replace_allowed_ips = true;
	p->update_only = false;
	msg = set_peer_msg(p, true);
	top(msg, tb, FZ_CMD_SET_PEER);
	nested(pb, FZ_PEER_A_MAX, tb[FZ_A_PEER]);
	ck_assert_ptr_null(pb[FZ_PEER_A_ALLOWEDIPS]);
	ck_assert_uint_eq(nla_get_u32(pb[FZ_PEER_A_FLAGS]),
			  FZ_PEER_F_REPLACE_ALLOWEDIPS);
	nlmsg_free(msg);
}
END_TEST

START_TEST(test_msg_del_peer)
{
	struct nlattr *tb[FZ_A_MAX + 1], *pb[FZ_PEER_A_MAX + 1];
	uint8_t key[FZ_KEY_LEN];
	struct nl_msg *msg;

	fill_key(key, 0x33);
	msg = fzk_msg_del_peer(FAMILY, 7, key);
	top(msg, tb, FZ_CMD_DEL_PEER);
	nested(pb, FZ_PEER_A_MAX, tb[FZ_A_PEER]);
	check_len(pb[FZ_PEER_A_PUBLIC_KEY], FZ_KEY_LEN);
	/* The kernel's policy for this nest takes the key and nothing else. */
	for (int i = FZ_PEER_A_PUBLIC_KEY + 1; i <= FZ_PEER_A_MAX; i++)
		ck_assert_ptr_null(pb[i]);
	nlmsg_free(msg);
}
END_TEST

START_TEST(test_msg_set_keypair)
{
	struct nlattr *tb[FZ_A_MAX + 1], *kb[FZ_KP_A_MAX + 1];
	struct nlattr *pb[FZ_PEER_A_MAX + 1];
	struct wg_noise_keys keys = { 0 };
	uint8_t key[FZ_KEY_LEN];
	struct nl_msg *msg;

	fill_key(key, 0x44);
	memset(keys.send_key, 0xaa, FZ_KEY_LEN);
	memset(keys.recv_key, 0xbb, FZ_KEY_LEN);
	keys.local_index = 0x01020304;
	keys.remote_index = 0xa0b0c0d0;
	keys.initiator = true;
	msg = fzk_msg_set_keypair(FAMILY, 7, key, FZ_KEYPAIR_CURRENT, &keys);
	top(msg, tb, FZ_CMD_SET_KEYPAIR);
	nested(pb, FZ_PEER_A_MAX, tb[FZ_A_PEER]);
	check_len(pb[FZ_PEER_A_PUBLIC_KEY], FZ_KEY_LEN);
	nested(kb, FZ_KP_A_MAX, tb[FZ_A_KEYPAIR]);
	check_len(kb[FZ_KP_A_SLOT], 1);
	ck_assert_uint_eq(nla_get_u8(kb[FZ_KP_A_SLOT]), FZ_KEYPAIR_CURRENT);
	check_len(kb[FZ_KP_A_LOCAL_INDEX], 4);
	ck_assert_uint_eq(nla_get_u32(kb[FZ_KP_A_LOCAL_INDEX]), 0x01020304);
	check_len(kb[FZ_KP_A_REMOTE_INDEX], 4);
	ck_assert_uint_eq(nla_get_u32(kb[FZ_KP_A_REMOTE_INDEX]), 0xa0b0c0d0);
	check_len(kb[FZ_KP_A_SEND_KEY], FZ_KEY_LEN);
	ck_assert_mem_eq(nla_data(kb[FZ_KP_A_SEND_KEY]), keys.send_key,
			 FZ_KEY_LEN);
	check_len(kb[FZ_KP_A_RECV_KEY], FZ_KEY_LEN);
	ck_assert_mem_eq(nla_data(kb[FZ_KP_A_RECV_KEY]), keys.recv_key,
			 FZ_KEY_LEN);
	check_len(kb[FZ_KP_A_FLAGS], 4);
	ck_assert_uint_eq(nla_get_u32(kb[FZ_KP_A_FLAGS]),
			  FZ_KEYPAIR_F_INITIATOR);
	ck_assert_ptr_null(kb[FZ_KP_A_CREATED]); /* dump only */
	nlmsg_free(msg);

	keys.initiator = false;
	msg = fzk_msg_set_keypair(FAMILY, 7, key, FZ_KEYPAIR_NEXT, &keys);
	top(msg, tb, FZ_CMD_SET_KEYPAIR);
	nested(kb, FZ_KP_A_MAX, tb[FZ_A_KEYPAIR]);
	ck_assert_uint_eq(nla_get_u8(kb[FZ_KP_A_SLOT]), FZ_KEYPAIR_NEXT);
	ck_assert_ptr_null(kb[FZ_KP_A_FLAGS]);
	nlmsg_free(msg);
}
END_TEST

START_TEST(test_msg_send_handshake)
{
	uint8_t pkt[FZ_MAX_HANDSHAKE_PACKET + 1] = { WG_NOISE_MSG_INITIATION };
	struct nlattr *tb[FZ_A_MAX + 1], *pb[FZ_PEER_A_MAX + 1];
	struct sockaddr_storage ep;
	uint8_t key[FZ_KEY_LEN];
	struct nl_msg *msg;

	fill_key(key, 0x55);
	sin4(&ep, "198.51.100.7", 4242);
	msg = fzk_msg_send_handshake(FAMILY, 7, key, NULL, pkt,
				     WG_NOISE_INITIATION_LEN);
	top(msg, tb, FZ_CMD_SEND_HANDSHAKE);
	nested(pb, FZ_PEER_A_MAX, tb[FZ_A_PEER]);
	check_len(pb[FZ_PEER_A_PUBLIC_KEY], FZ_KEY_LEN);
	check_len(tb[FZ_A_PACKET], WG_NOISE_INITIATION_LEN);
	ck_assert_ptr_null(tb[FZ_A_ENDPOINT]);
	nlmsg_free(msg);

	/* A response goes to the initiation's source, named as well. */
	msg = fzk_msg_send_handshake(FAMILY, 7, key, &ep, pkt,
				     WG_NOISE_RESPONSE_LEN);
	top(msg, tb, FZ_CMD_SEND_HANDSHAKE);
	check_len(tb[FZ_A_ENDPOINT], sizeof(struct sockaddr_in));
	ck_assert_mem_eq(nla_data(tb[FZ_A_ENDPOINT]), &ep,
			 sizeof(struct sockaddr_in));
	check_len(tb[FZ_A_PACKET], WG_NOISE_RESPONSE_LEN);
	nlmsg_free(msg);

	msg = fzk_msg_send_handshake(FAMILY, 7, NULL, &ep, pkt,
				     WG_NOISE_COOKIE_REPLY_LEN);
	top(msg, tb, FZ_CMD_SEND_HANDSHAKE);
	ck_assert_ptr_null(tb[FZ_A_PEER]);
	nlmsg_free(msg);

	/* Neither peer nor endpoint, or a packet above the kernel's limit. */
	ck_assert_ptr_null(fzk_msg_send_handshake(FAMILY, 7, NULL, NULL, pkt,
						  WG_NOISE_RESPONSE_LEN));
	ck_assert_ptr_null(
		fzk_msg_send_handshake(FAMILY, 7, key, NULL, pkt, sizeof(pkt)));
}
END_TEST

/* The client's: SET_DEVICE { HOLD u8 }, DROP_HELD { FLOW { DADDR } }. */
START_TEST(test_msg_client)
{
	struct nlattr *tb[FZ_A_MAX + 1], *flow[FZ_FLOW_A_MAX + 1];
	struct fz_cidr dst = { .family = AF_INET,
			       .cidr = 32,
			       .addr = { 10, 1, 2, 3 } };
	struct nl_msg *msg;

	for (int on = 0; on < 2; on++) {
		msg = fzk_msg_set_hold(FAMILY, 7, on);
		top(msg, tb, FZ_CMD_SET_DEVICE);
		check_len(tb[FZ_A_HOLD], 1);
		ck_assert_uint_eq(nla_get_u8(tb[FZ_A_HOLD]), on);
		ck_assert_ptr_null(tb[FZ_A_PUBLIC_KEY]);
		nlmsg_free(msg);
	}
	msg = fzk_msg_drop_held(FAMILY, 7, &dst);
	top(msg, tb, FZ_CMD_DROP_HELD);
	nested(flow, FZ_FLOW_A_MAX, tb[FZ_A_FLOW]);
	check_len(flow[FZ_FLOW_A_DADDR], 4);
	ck_assert_mem_eq(nla_data(flow[FZ_FLOW_A_DADDR]), dst.addr, 4);
	ck_assert_ptr_null(flow[FZ_FLOW_A_SADDR]);
	nlmsg_free(msg);
	dst.family = AF_INET6;
	msg = fzk_msg_drop_held(FAMILY, 7, &dst);
	top(msg, tb, FZ_CMD_DROP_HELD);
	nested(flow, FZ_FLOW_A_MAX, tb[FZ_A_FLOW]);
	check_len(flow[FZ_FLOW_A_DADDR], 16);
	nlmsg_free(msg);
	dst.family = AF_UNIX;
	ck_assert_ptr_null(fzk_msg_drop_held(FAMILY, 7, &dst));
}
END_TEST

START_TEST(test_sockaddr_len)
{
	struct sockaddr_storage ss = { 0 };

	ck_assert_uint_eq(fzk_sockaddr_len(&ss), 0);
	sin4(&ss, "192.0.2.1", 1);
	ck_assert_uint_eq(fzk_sockaddr_len(&ss), 16);
	sin6(&ss, "::1", 1);
	ck_assert_uint_eq(fzk_sockaddr_len(&ss), 28);
}
END_TEST

/* --- Events --- */

static struct nl_msg *event_start(uint8_t cmd, int family)
{
	struct nl_msg *msg = nlmsg_alloc();

	ck_assert_ptr_nonnull(msg);
	ck_assert_ptr_nonnull(
		genlmsg_put(msg, 0, 0, family, 0, 0, cmd, FZ_GENL_VERSION));
	ck_assert_int_ge(nla_put_u32(msg, FZ_A_IFINDEX, 7), 0);
	return msg;
}

static struct nl_msg *handshake_event(const uint8_t *pkt, int len,
				      const struct sockaddr_storage *ep,
				      int ep_len)
{
	struct nl_msg *msg = event_start(FZ_CMD_EVT_HANDSHAKE, FAMILY);

	if (pkt)
		ck_assert_int_ge(nla_put(msg, FZ_A_PACKET, len, pkt), 0);
	if (ep)
		ck_assert_int_ge(nla_put(msg, FZ_A_ENDPOINT, ep_len, ep), 0);
	return msg;
}

static int parse(struct nl_msg *msg, struct fzk_event *ev)
{
	return fzk_event_parse(nlmsg_hdr(msg), FAMILY, ev);
}

START_TEST(test_event_handshake)
{
	uint8_t pkt[FZ_MAX_HANDSHAKE_PACKET] = { WG_NOISE_MSG_INITIATION };
	struct sockaddr_storage ep;
	struct fzk_event ev;
	struct nl_msg *msg;

	sin4(&ep, "203.0.113.9", 51820);
	msg = handshake_event(pkt, WG_NOISE_INITIATION_LEN, &ep, 16);
	ck_assert_int_eq(parse(msg, &ev), 0);
	ck_assert_uint_eq(ev.cmd, FZ_CMD_EVT_HANDSHAKE);
	ck_assert_uint_eq(ev.ifindex, 7);
	ck_assert_uint_eq(ev.packet_len, WG_NOISE_INITIATION_LEN);
	ck_assert_int_eq(ev.packet[0], WG_NOISE_MSG_INITIATION);
	ck_assert(ev.has_endpoint);
	ck_assert_mem_eq(&ev.endpoint, &ep, sizeof(struct sockaddr_in));
	nlmsg_free(msg);

	sin6(&ep, "2001:db8::9", 51820);
	pkt[0] = WG_NOISE_MSG_COOKIE_REPLY;
	msg = handshake_event(pkt, WG_NOISE_COOKIE_REPLY_LEN, &ep, 28);
	ck_assert_int_eq(parse(msg, &ev), 0);
	ck_assert_uint_eq(ev.endpoint.ss_family, AF_INET6);
	nlmsg_free(msg);
}
END_TEST

START_TEST(test_event_handshake_malformed)
{
	uint8_t pkt[FZ_MAX_HANDSHAKE_PACKET] = { WG_NOISE_MSG_RESPONSE };
	struct sockaddr_storage ep;
	struct fzk_event ev;
	struct nl_msg *msg;

	sin4(&ep, "203.0.113.9", 51820);
	/* A response with an initiation's size; a wrong endpoint size. */
	msg = handshake_event(pkt, WG_NOISE_INITIATION_LEN, &ep, 16);
	ck_assert_int_eq(parse(msg, &ev), -EINVAL);
	nlmsg_free(msg);
	msg = handshake_event(pkt, WG_NOISE_RESPONSE_LEN, &ep, 28);
	ck_assert_int_eq(parse(msg, &ev), -EINVAL);
	nlmsg_free(msg);
	/* Reserved bytes set; no endpoint; no packet; a data message. */
	pkt[2] = 1;
	msg = handshake_event(pkt, WG_NOISE_RESPONSE_LEN, &ep, 16);
	ck_assert_int_eq(parse(msg, &ev), -EINVAL);
	nlmsg_free(msg);
	pkt[2] = 0;
	msg = handshake_event(pkt, WG_NOISE_RESPONSE_LEN, NULL, 0);
	ck_assert_int_eq(parse(msg, &ev), -EINVAL);
	nlmsg_free(msg);
	msg = handshake_event(NULL, 0, &ep, 16);
	ck_assert_int_eq(parse(msg, &ev), -EINVAL);
	nlmsg_free(msg);
	pkt[0] = 4;
	msg = handshake_event(pkt, 32, &ep, 16);
	ck_assert_int_eq(parse(msg, &ev), -EINVAL);
	nlmsg_free(msg);
	/* Larger than any handshake message. */
	pkt[0] = WG_NOISE_MSG_INITIATION;
	msg = handshake_event(pkt, FZ_MAX_HANDSHAKE_PACKET, &ep, 16);
	ck_assert_int_eq(parse(msg, &ev), 0);
	nlmsg_free(msg);
}
END_TEST

static struct nl_msg *peer_event(uint8_t cmd, int key_len, uint32_t reason)
{
	struct nl_msg *msg = event_start(cmd, FAMILY);
	uint8_t key[FZ_KEY_LEN + 1];
	struct nlattr *nest;

	memset(key, 0x66, sizeof(key));
	nest = nla_nest_start(msg, FZ_A_PEER);
	ck_assert_int_ge(nla_put(msg, FZ_PEER_A_PUBLIC_KEY, key_len, key), 0);
	nla_nest_end(msg, nest);
	ck_assert_int_ge(nla_put_u32(msg, FZ_A_REASON, reason), 0);
	return msg;
}

START_TEST(test_event_peer)
{
	const uint8_t v4a[4] = { 10, 0, 0, 1 }, v4b[4] = { 100, 96, 0, 5 };
	uint8_t key[FZ_KEY_LEN];
	struct fzk_event ev;
	struct nlattr *nest;
	struct nl_msg *msg;

	fill_key(key, 0x66);
	msg = peer_event(FZ_CMD_EVT_HANDSHAKE_NEEDED, FZ_KEY_LEN,
			 FZ_REASON_REKEY_TIME);
	ck_assert_int_eq(parse(msg, &ev), 0);
	ck_assert_uint_eq(ev.cmd, FZ_CMD_EVT_HANDSHAKE_NEEDED);
	ck_assert(ev.has_peer);
	ck_assert_mem_eq(ev.peer_key, key, FZ_KEY_LEN);
	ck_assert_uint_eq(ev.reason, FZ_REASON_REKEY_TIME);
	nlmsg_free(msg);

	msg = peer_event(FZ_CMD_EVT_PEER_QUIET, FZ_KEY_LEN, FZ_REASON_NONE);
	ck_assert_int_eq(parse(msg, &ev), 0);
	ck_assert_uint_eq(ev.cmd, FZ_CMD_EVT_PEER_QUIET);
	nlmsg_free(msg);

	msg = peer_event(FZ_CMD_EVT_PEER_QUIET, FZ_KEY_LEN + 1, 0);
	ck_assert_int_eq(parse(msg, &ev), -EINVAL);
	nlmsg_free(msg);

	/* Unknown destination: the held packet's flow, no peer. */
	msg = event_start(FZ_CMD_EVT_UNKNOWN_DEST, FAMILY);
	nest = nla_nest_start(msg, FZ_A_FLOW);
	ck_assert_int_ge(nla_put_u8(msg, FZ_FLOW_A_PROTO, 6), 0);
	ck_assert_int_ge(nla_put(msg, FZ_FLOW_A_SADDR, 4, v4a), 0);
	ck_assert_int_ge(nla_put(msg, FZ_FLOW_A_DADDR, 4, v4b), 0);
	ck_assert_int_ge(nla_put_u16(msg, FZ_FLOW_A_SPORT, 40000), 0);
	ck_assert_int_ge(nla_put_u16(msg, FZ_FLOW_A_DPORT, 443), 0);
	nla_nest_end(msg, nest);
	ck_assert_int_eq(parse(msg, &ev), 0);
	ck_assert_uint_eq(ev.cmd, FZ_CMD_EVT_UNKNOWN_DEST);
	ck_assert_uint_eq(ev.flow.family, AF_INET);
	ck_assert_mem_eq(ev.flow.daddr, v4b, 4);
	ck_assert_uint_eq(ev.flow.dport, 443);
	nlmsg_free(msg);
	/* Without its flow it says nothing: malformed. */
	msg = event_start(FZ_CMD_EVT_UNKNOWN_DEST, FAMILY);
	ck_assert_int_eq(parse(msg, &ev), -EINVAL);
	nlmsg_free(msg);

	/* Not for us: another family. */
	msg = event_start(FZ_CMD_EVT_PEER_QUIET, FAMILY + 1);
	ck_assert_int_eq(parse(msg, &ev), -ENOMSG);
	nlmsg_free(msg);
	/* Needed without a peer is malformed. */
	msg = event_start(FZ_CMD_EVT_HANDSHAKE_NEEDED, FAMILY);
	ck_assert_int_eq(parse(msg, &ev), -EINVAL);
	nlmsg_free(msg);
}
END_TEST

/* --- Dumps with keypairs --- */

static void put_keypair(struct nl_msg *msg, uint8_t slot, uint32_t local,
			uint32_t remote, uint32_t flags)
{
	struct nlattr *nest = nla_nest_start(msg, 0);

	ck_assert_int_ge(nla_put_u8(msg, FZ_KP_A_SLOT, slot), 0);
	ck_assert_int_ge(nla_put_u32(msg, FZ_KP_A_LOCAL_INDEX, local), 0);
	ck_assert_int_ge(nla_put_u32(msg, FZ_KP_A_REMOTE_INDEX, remote), 0);
	ck_assert_int_ge(nla_put_u32(msg, FZ_KP_A_FLAGS, flags), 0);
	ck_assert_int_ge(nla_put_u64(msg, FZ_KP_A_CREATED, 123456789), 0);
	ck_assert_int_ge(nla_put_u64(msg, FZ_KP_A_TX_COUNTER, 42), 0);
	nla_nest_end(msg, nest);
}

/* One dump message: a device with one peer (key byte kb, n keypairs). */
static struct nl_msg *dump_msg(uint8_t kb, int n_keypairs, bool bad)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct nlattr *peers, *peer, *kps;
	uint8_t key[FZ_KEY_LEN];

	ck_assert_ptr_nonnull(genlmsg_put(msg, 0, 1, FAMILY, 0, NLM_F_MULTI,
					  FZ_CMD_GET_DEVICE, FZ_GENL_VERSION));
	ck_assert_int_ge(nla_put_u32(msg, FZ_A_IFINDEX, 7), 0);
	peers = nla_nest_start(msg, FZ_A_PEERS);
	peer = nla_nest_start(msg, FZ_A_PEER);
	fill_key(key, kb);
	ck_assert_int_ge(nla_put(msg, FZ_PEER_A_PUBLIC_KEY, FZ_KEY_LEN, key),
			 0);
	ck_assert_int_ge(nla_put_u32(msg, FZ_PEER_A_FLAGS, 0), 0);
	kps = nla_nest_start(msg, FZ_PEER_A_KEYPAIRS);
	for (int i = 0; i < n_keypairs; i++)
		put_keypair(msg, i ? FZ_KEYPAIR_NEXT : FZ_KEYPAIR_CURRENT,
			    0x100 + i, 0x200 + i,
			    i ? 0 : FZ_KEYPAIR_F_INITIATOR);
	if (bad) {
		struct nlattr *nest = nla_nest_start(msg, 0);

		ck_assert_int_ge(nla_put_u32(msg, FZ_KP_A_LOCAL_INDEX, 1), 0);
		nla_nest_end(msg, nest);
	}
	nla_nest_end(msg, kps);
	nla_nest_end(msg, peer);
	nla_nest_end(msg, peers);
	return msg;
}

START_TEST(test_dump_keypairs)
{
	const struct fzk_keypair_view *cur, *next;
	struct fzk_device_view dev;
	struct nl_msg *msg;

	fzk_device_view_init(&dev);
	msg = dump_msg(0x22, 2, false);
	ck_assert_int_eq(fzk_device_view_parse_msg(&dev, nlmsg_hdr(msg)), 0);
	nlmsg_free(msg);
	ck_assert_uint_eq(dev.n_peers, 1);
	ck_assert_uint_eq(dev.peers[0].n_keypairs, 2);
	cur = fzk_peer_keypair(&dev.peers[0], FZ_KEYPAIR_CURRENT);
	next = fzk_peer_keypair(&dev.peers[0], FZ_KEYPAIR_NEXT);
	ck_assert_ptr_nonnull(cur);
	ck_assert_ptr_nonnull(next);
	ck_assert_uint_eq(cur->local_index, 0x100);
	ck_assert_uint_eq(cur->remote_index, 0x200);
	ck_assert_uint_eq(cur->flags, FZ_KEYPAIR_F_INITIATOR);
	ck_assert_uint_eq(cur->created_ns, 123456789);
	ck_assert_uint_eq(cur->tx_counter, 42);
	ck_assert_uint_eq(next->local_index, 0x101);
	ck_assert_uint_eq(next->flags, 0);
	fzk_device_view_free(&dev);

	/* More than there is room for: the rest is ignored. */
	msg = dump_msg(0x22, FZK_DEVICE_MAX_KEYPAIRS + 2, false);
	ck_assert_int_eq(fzk_device_view_parse_msg(&dev, nlmsg_hdr(msg)), 0);
	ck_assert_uint_eq(dev.peers[0].n_keypairs, FZK_DEVICE_MAX_KEYPAIRS);
	nlmsg_free(msg);
	fzk_device_view_free(&dev);

	/* A keypair without its slot is malformed. */
	msg = dump_msg(0x22, 1, true);
	ck_assert_int_eq(fzk_device_view_parse_msg(&dev, nlmsg_hdr(msg)),
			 -EINVAL);
	nlmsg_free(msg);
	fzk_device_view_free(&dev);

	/* No keypairs at all. */
	msg = dump_msg(0x22, 0, false);
	ck_assert_int_eq(fzk_device_view_parse_msg(&dev, nlmsg_hdr(msg)), 0);
	ck_assert_uint_eq(dev.peers[0].n_keypairs, 0);
	ck_assert_ptr_null(fzk_peer_keypair(&dev.peers[0], FZ_KEYPAIR_CURRENT));
	nlmsg_free(msg);
	fzk_device_view_free(&dev);
}
END_TEST

/* --- Adoption planning --- */

static struct fzk_peer_view *dev_peer(struct fzk_device_view *dev, uint8_t kb,
				      bool endpoint, bool current, size_t n_kps)
{
	struct fzk_peer_view *p = &dev->peers[dev->n_peers++];

	memset(p, 0, sizeof(*p));
	fill_key(p->public_key, kb);
	if (endpoint)
		sin4(&p->endpoint, "192.0.2.99", 1000);
	for (size_t i = 0; i < n_kps; i++) {
		p->keypairs[i].slot = current && !i ? FZ_KEYPAIR_CURRENT :
						      FZ_KEYPAIR_NEXT;
		p->keypairs[i].local_index = kb * 16 + (uint32_t)i;
	}
	p->n_keypairs = n_kps;
	return p;
}

static const char plan_conf[] =
	"[Interface]\n"
	"PrivateKey = dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=\n"
	"ListenPort = 51820\n"
	"[Peer]\n"
	"PublicKey = ERERERERERERERERERERERERERERERERERERERERERE=\n"
	"Endpoint = 192.0.2.1:51820\n"
	"PersistentKeepalive = 25\n"
	"AllowedIPs = 10.0.0.1/32\n"
	"[Peer]\n"
	"PublicKey = IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=\n"
	"Endpoint = 192.0.2.2:51820\n"
	"[Peer]\n"
	"PublicKey = MzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzM=\n"
	"AllowedIPs = 10.0.0.3/32\n";

static void load_conf(struct conf *cfg, const char *text)
{
	char path[] = "/tmp/fzagent-plan.XXXXXX", err[256];
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	ck_assert_msg(!conf_parse_file(path, cfg, err, sizeof(err)), "%s", err);
	unlink(path);
}

START_TEST(test_plan_adopt)
{
	struct fzk_peer_view peers[4];
	struct fzk_device_view dev;
	struct conf cfg;
	struct daemon_plan plan;

	ck_assert_int_eq(fz_keys_init(), 0);
	load_conf(&cfg, plan_conf);
	fzk_device_view_init(&dev);
	dev.peers = peers;
	dev.listen_port = 51820;
	dev.fwmark = 0x10;
	dev_peer(&dev, 0x11, true, true, 2); /* in config, live */
	dev_peer(&dev, 0x22, false, false, 1); /* in config, next only */
	dev_peer(&dev, 0x44, true, true, 1); /* not in config */

	ck_assert_int_eq(daemon_plan_adopt(&dev, &cfg, &plan), 0);
	ck_assert_uint_eq(plan.n_peers, 4);
	/* Deletions first, so freed allowed IPs can move. */
	ck_assert_int_eq(plan.peers[0].op, DAEMON_PLAN_DELETE);
	ck_assert_ptr_eq(plan.peers[0].dev, &peers[2]);
	ck_assert_ptr_null(plan.peers[0].cfg);
	/* A live peer keeps the endpoint the kernel learned. */
	ck_assert_int_eq(plan.peers[1].op, DAEMON_PLAN_KEEP);
	ck_assert_ptr_eq(plan.peers[1].cfg, &cfg.peers[0]);
	ck_assert_ptr_eq(plan.peers[1].dev, &peers[0]);
	ck_assert(plan.peers[1].has_current);
	ck_assert(plan.peers[1].skip_endpoint);
	/* One without a current keypair takes the file's. */
	ck_assert_int_eq(plan.peers[2].op, DAEMON_PLAN_KEEP);
	ck_assert(!plan.peers[2].has_current);
	ck_assert(!plan.peers[2].skip_endpoint);
	ck_assert_int_eq(plan.peers[3].op, DAEMON_PLAN_ADD);
	ck_assert_ptr_eq(plan.peers[3].cfg, &cfg.peers[2]);
	ck_assert_ptr_null(plan.peers[3].dev);
	ck_assert_uint_eq(plan.n_add, 1);
	ck_assert_uint_eq(plan.n_keep, 2);
	ck_assert_uint_eq(plan.n_delete, 1);
	ck_assert_uint_eq(plan.n_keypairs, 3);
	/* The bound port is the configured one; the fwmark goes. */
	ck_assert(!plan.set_listen_port);
	ck_assert(plan.set_fwmark);
	ck_assert_uint_eq(plan.fwmark, 0);
	daemon_plan_free(&plan);
	conf_free(&cfg);
}
END_TEST

START_TEST(test_plan_new_device)
{
	struct fzk_device_view dev;
	struct conf cfg;
	struct daemon_plan plan;

	ck_assert_int_eq(fz_keys_init(), 0);
	load_conf(&cfg, plan_conf);
	fzk_device_view_init(&dev);
	dev.listen_port = 40000; /* picked at random when it came up */
	ck_assert_int_eq(daemon_plan_adopt(&dev, &cfg, &plan), 0);
	ck_assert_uint_eq(plan.n_peers, 3);
	for (size_t i = 0; i < 3; i++) {
		ck_assert_int_eq(plan.peers[i].op, DAEMON_PLAN_ADD);
		ck_assert(!plan.peers[i].skip_endpoint);
	}
	ck_assert(plan.set_listen_port);
	ck_assert_uint_eq(plan.listen_port, 51820);
	ck_assert(!plan.set_fwmark);
	daemon_plan_free(&plan);
	conf_free(&cfg);
}
END_TEST

START_TEST(test_plan_device_settings)
{
	struct fzk_device_view dev;
	struct conf cfg = { 0 };
	struct daemon_plan plan;

	fzk_device_view_init(&dev);
	dev.listen_port = 40000;
	/* Port 0 (any) keeps a bound port; an explicit one moves it. */
	cfg.has_listen_port = true;
	ck_assert_int_eq(daemon_plan_adopt(&dev, &cfg, &plan), 0);
	ck_assert(!plan.set_listen_port);
	daemon_plan_free(&plan);
	cfg.listen_port = 40001;
	ck_assert_int_eq(daemon_plan_adopt(&dev, &cfg, &plan), 0);
	ck_assert(plan.set_listen_port);
	daemon_plan_free(&plan);
	/* FwMark: set, unchanged, cleared. */
	cfg.has_fwmark = true;
	cfg.fwmark = 7;
	ck_assert_int_eq(daemon_plan_adopt(&dev, &cfg, &plan), 0);
	ck_assert(plan.set_fwmark);
	ck_assert_uint_eq(plan.fwmark, 7);
	daemon_plan_free(&plan);
	dev.fwmark = 7;
	ck_assert_int_eq(daemon_plan_adopt(&dev, &cfg, &plan), 0);
	ck_assert(!plan.set_fwmark);
	daemon_plan_free(&plan);
	cfg.has_fwmark = false;
	ck_assert_int_eq(daemon_plan_adopt(&dev, &cfg, &plan), 0);
	ck_assert(plan.set_fwmark);
	ck_assert_uint_eq(plan.fwmark, 0);
	daemon_plan_free(&plan);
}
END_TEST

Suite *kernel_suite(void)
{
	Suite *s = suite_create("kernel");
	TCase *tc = tcase_create("kernel");

	tcase_add_test(tc, test_msg_set_device);
	tcase_add_test(tc, test_msg_set_peer);
	tcase_add_test(tc, test_msg_del_peer);
	tcase_add_test(tc, test_msg_set_keypair);
	tcase_add_test(tc, test_msg_send_handshake);
	tcase_add_test(tc, test_msg_client);
	tcase_add_test(tc, test_sockaddr_len);
	tcase_add_test(tc, test_event_handshake);
	tcase_add_test(tc, test_event_handshake_malformed);
	tcase_add_test(tc, test_event_peer);
	tcase_add_test(tc, test_dump_keypairs);
	tcase_add_test(tc, test_plan_adopt);
	tcase_add_test(tc, test_plan_new_device);
	tcase_add_test(tc, test_plan_device_settings);
	suite_add_tcase(s, tc);
	return s;
}
