// SPDX-License-Identifier: GPL-2.0
/*
 * device.c: GET_DEVICE dump messages built in memory with libnl, valid,
 * split, and malformed. Run under ASan/UBSan, so "does not crash" is
 * checked as strictly as the return values.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "fzk/device.h"
#include "lib/clock.h"
#include "../suites.h"

#define FAMILY_ID 0x1d /* any generic netlink family id will do */
#define NS 1000000000ULL

/* Key bytes all equal to `b`, enough to tell keys apart. */
static void fill_key(uint8_t key[FZ_KEY_LEN], uint8_t b)
{
	memset(key, b, FZ_KEY_LEN);
}

static struct nl_msg *msg_start(void)
{
	struct nl_msg *msg = nlmsg_alloc();

	ck_assert_ptr_nonnull(msg);
	ck_assert_ptr_nonnull(genlmsg_put(msg, 0, 1, FAMILY_ID, 0, NLM_F_MULTI,
					  FZ_CMD_GET_DEVICE, FZ_GENL_VERSION));
	return msg;
}

static void put_ok(int ret)
{
	ck_assert_int_ge(ret, 0);
}

static void put_stats(struct nl_msg *msg)
{
	struct nlattr *nest = nla_nest_start(msg, FZ_A_STATS);

	put_ok(nla_put_u64(msg, FZ_STAT_A_RX_PACKETS, 10));
	put_ok(nla_put_u64(msg, FZ_STAT_A_DROP_REPLAY, 3));
	put_ok(nla_put_u64(msg, FZ_STAT_A_COOKIES_SENT, 5));
	nla_nest_end(msg, nest);
}

/* The attributes of a first message, before FZ_A_PEERS. */
static void put_device(struct nl_msg *msg, uint32_t ifindex)
{
	uint8_t key[FZ_KEY_LEN];

	fill_key(key, 0x11);
	put_ok(nla_put_u32(msg, FZ_A_IFINDEX, ifindex));
	put_ok(nla_put_string(msg, FZ_A_IFNAME, "fz0"));
	put_ok(nla_put(msg, FZ_A_PUBLIC_KEY, FZ_KEY_LEN, key));
	put_ok(nla_put_u16(msg, FZ_A_LISTEN_PORT, 51820));
	put_ok(nla_put_u32(msg, FZ_A_FWMARK, 0x1234));
	put_ok(nla_put_u32(msg, FZ_A_GENERATION, 42));
	put_stats(msg);
}

static void put_aip_raw(struct nl_msg *msg, uint16_t family, const void *addr,
			int addr_len, uint8_t cidr)
{
	struct nlattr *nest = nla_nest_start(msg, 0);

	put_ok(nla_put_u16(msg, FZ_AIP_A_FAMILY, family));
	put_ok(nla_put(msg, FZ_AIP_A_ADDR, addr_len, addr));
	put_ok(nla_put_u8(msg, FZ_AIP_A_CIDR, cidr));
	nla_nest_end(msg, nest);
}

/* "10.0.0.2/32" or "fd00::2/128". */
static void put_aip(struct nl_msg *msg, const char *text)
{
	char addr[64];
	uint8_t bin[16];
	unsigned int cidr;
	int family;

	ck_assert_int_eq(sscanf(text, "%63[^/]/%u", addr, &cidr), 2);
	family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	ck_assert_int_eq(inet_pton(family, addr, bin), 1);
	put_aip_raw(msg, family, bin, family == AF_INET ? 4 : 16, cidr);
}

static struct nlattr *peer_start(struct nl_msg *msg, uint8_t key_byte,
				 int key_len)
{
	struct nlattr *nest = nla_nest_start(msg, 0);
	uint8_t key[FZ_KEY_LEN + 1];

	memset(key, key_byte, sizeof(key));
	put_ok(nla_put(msg, FZ_PEER_A_PUBLIC_KEY, key_len, key));
	return nest;
}

static void put_endpoint4(struct nl_msg *msg, const char *addr, uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	sin.sin_port = htons(port);
	ck_assert_int_eq(inet_pton(AF_INET, addr, &sin.sin_addr), 1);
	put_ok(nla_put(msg, FZ_PEER_A_ENDPOINT, sizeof(sin), &sin));
}

static void put_endpoint6(struct nl_msg *msg, const char *addr, uint16_t port)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };

	sin6.sin6_port = htons(port);
	ck_assert_int_eq(inet_pton(AF_INET6, addr, &sin6.sin6_addr), 1);
	put_ok(nla_put(msg, FZ_PEER_A_ENDPOINT, sizeof(sin6), &sin6));
}

/* Peer 0x22: every attribute set, two allowed IPs. */
static void put_full_peer(struct nl_msg *msg)
{
	struct nlattr *peer = peer_start(msg, 0x22, FZ_KEY_LEN);
	struct nlattr *aips, *drops;

	put_endpoint4(msg, "192.0.2.1", 51820);
	put_ok(nla_put_u16(msg, FZ_PEER_A_PERSISTENT_KEEPALIVE, 25));
	put_ok(nla_put_u32(msg, FZ_PEER_A_FLAGS, 0));
	aips = nla_nest_start(msg, FZ_PEER_A_ALLOWEDIPS);
	put_aip(msg, "10.0.0.2/32");
	put_aip(msg, "fd00::2/128");
	nla_nest_end(msg, aips);
	put_ok(nla_put_u64(msg, FZ_PEER_A_RX_BYTES, 1260));
	put_ok(nla_put_u64(msg, FZ_PEER_A_TX_BYTES, 4781507));
	put_ok(nla_put_u64(msg, FZ_PEER_A_LAST_HANDSHAKE, 1000 * NS));
	put_ok(nla_put_u64(msg, FZ_PEER_A_LAST_RX, 2000 * NS));
	drops = nla_nest_start(msg, FZ_PEER_A_DROPS);
	put_ok(nla_put_u64(msg, FZ_STAT_A_DROP_DENIED, 7));
	put_ok(nla_put_u64(msg, FZ_STAT_A_DENIED_RETURN, 7));
	nla_nest_end(msg, drops);
	nla_nest_end(msg, peer);
}

/* Peer 0x33: an IPv6 endpoint and nothing else. */
static void put_small_peer(struct nl_msg *msg)
{
	struct nlattr *peer = peer_start(msg, 0x33, FZ_KEY_LEN);

	put_endpoint6(msg, "2001:db8::1", 51820);
	nla_nest_end(msg, peer);
}

/* One peer, key 0x44, whose single allowed IP is given raw. */
static struct nl_msg *msg_with_aip(uint16_t family, const void *addr,
				   int addr_len, uint8_t cidr)
{
	struct nl_msg *msg = msg_start();
	struct nlattr *peers, *peer, *aips;

	put_device(msg, 7);
	peers = nla_nest_start(msg, FZ_A_PEERS);
	peer = peer_start(msg, 0x44, FZ_KEY_LEN);
	aips = nla_nest_start(msg, FZ_PEER_A_ALLOWEDIPS);
	put_aip_raw(msg, family, addr, addr_len, cidr);
	nla_nest_end(msg, aips);
	nla_nest_end(msg, peer);
	nla_nest_end(msg, peers);
	return msg;
}

static const uint8_t uuid_a[FZ_RESOURCE_ID_LEN] = { 0x0b, 0x8d, 0x7c, 0x4e,
						    0x2f, 0x6a, 0x4d, 0x1e,
						    0x9c, 0x3b, 0x5a, 0x7e,
						    0x8f, 0x9d, 0x0c, 0x11 };

/* One resource nest, each attribute left out when its length is < 0. */
static void put_resource_raw(struct nl_msg *msg, const uint8_t *id, int id_len,
			     int flags_len, uint32_t flags, uint64_t expires)
{
	struct nlattr *nest = nla_nest_start(msg, 0);

	if (id_len >= 0)
		put_ok(nla_put(msg, FZ_RES_A_ID, id_len, id));
	if (flags_len == sizeof(uint32_t))
		put_ok(nla_put_u32(msg, FZ_RES_A_FLAGS, flags));
	else if (flags_len == sizeof(uint64_t))
		put_ok(nla_put_u64(msg, FZ_RES_A_FLAGS, flags));
	put_ok(nla_put_u64(msg, FZ_RES_A_EXPIRES, expires));
	nla_nest_end(msg, nest);
}

static void put_resource(struct nl_msg *msg, uint8_t id_byte, uint32_t flags,
			 uint64_t expires)
{
	uint8_t id[FZ_RESOURCE_ID_LEN];

	memset(id, id_byte, sizeof(id));
	put_resource_raw(msg, id, sizeof(id), sizeof(flags), flags, expires);
}

/* Peer 0x88, a gateway client: a DNS resource with expiry, then another. */
static void put_client_peer(struct nl_msg *msg)
{
	struct nlattr *peer = peer_start(msg, 0x88, FZ_KEY_LEN);
	struct nlattr *list, *aips;

	put_ok(nla_put_u32(msg, FZ_PEER_A_FLAGS, FZ_PEER_F_GATEWAY_CLIENT));
	aips = nla_nest_start(msg, FZ_PEER_A_ALLOWEDIPS);
	put_aip(msg, "100.64.0.8/32");
	nla_nest_end(msg, aips);
	list = nla_nest_start(msg, FZ_PEER_A_RESOURCES);
	put_resource_raw(msg, uuid_a, sizeof(uuid_a), sizeof(uint32_t),
			 FZ_RES_F_DNS, 5000 * NS);
	put_resource(msg, 0xab, 0, 0);
	nla_nest_end(msg, list);
	nla_nest_end(msg, peer);
}

/* The kernel's boot-time deadline, read back as real time (to a second). */
static void assert_real_deadline(uint64_t got, uint64_t boot_ns)
{
	uint64_t want = fz_clock_boot_to_real(boot_ns);

	ck_assert_uint_ne(got, 0);
	ck_assert_uint_lt(got > want ? got - want : want - got, NS);
}

static void check_client_peer(const struct fzk_peer_view *p)
{
	uint8_t id[FZ_RESOURCE_ID_LEN];

	ck_assert_uint_eq(p->flags, FZ_PEER_F_GATEWAY_CLIENT);
	ck_assert_uint_eq(p->n_resources, 2);
	ck_assert_mem_eq(p->resources[0].id, uuid_a, FZ_RESOURCE_ID_LEN);
	ck_assert_uint_eq(p->resources[0].flags, FZ_RES_F_DNS);
	assert_real_deadline(p->resources[0].expires_ns, 5000 * NS);
	memset(id, 0xab, sizeof(id));
	ck_assert_mem_eq(p->resources[1].id, id, FZ_RESOURCE_ID_LEN);
	ck_assert_uint_eq(p->resources[1].flags, 0);
	ck_assert_uint_eq(p->resources[1].expires_ns, 0);
}

static struct nl_msg *gateway_message(void)
{
	struct nl_msg *msg = msg_start();
	struct nlattr *peers;

	put_device(msg, 7);
	peers = nla_nest_start(msg, FZ_A_PEERS);
	put_full_peer(msg);
	put_client_peer(msg);
	put_small_peer(msg);
	nla_nest_end(msg, peers);
	return msg;
}

/* Peer 0x88 with a good resource, then one as given (see put_resource_raw). */
static struct nl_msg *msg_with_resource(const uint8_t *id, int id_len,
					int flags_len)
{
	struct nl_msg *msg = msg_start();
	struct nlattr *peers, *peer, *list;

	put_ok(nla_put_u32(msg, FZ_A_IFINDEX, 7));
	peers = nla_nest_start(msg, FZ_A_PEERS);
	peer = peer_start(msg, 0x88, FZ_KEY_LEN);
	put_ok(nla_put_u32(msg, FZ_PEER_A_FLAGS, FZ_PEER_F_GATEWAY_CLIENT));
	list = nla_nest_start(msg, FZ_PEER_A_RESOURCES);
	put_resource(msg, 0x01, 0, 0); /* a good one first, to be freed */
	put_resource_raw(msg, id, id_len, flags_len, FZ_RES_F_DNS, NS);
	nla_nest_end(msg, list);
	nla_nest_end(msg, peer);
	nla_nest_end(msg, peers);
	return msg;
}

/* Parse one message into a fresh device, free it, return the result. */
static int parse_one(struct nl_msg *msg)
{
	struct fzk_device_view dev;
	int ret;

	fzk_device_view_init(&dev);
	ret = fzk_device_view_parse_msg(&dev, nlmsg_hdr(msg));
	fzk_device_view_free(&dev);
	nlmsg_free(msg);
	return ret;
}

static void check_full_peer(const struct fzk_peer_view *p)
{
	const struct sockaddr_in *sin = (const void *)&p->endpoint;
	uint8_t key[FZ_KEY_LEN];

	fill_key(key, 0x22);
	ck_assert_mem_eq(p->public_key, key, FZ_KEY_LEN);
	ck_assert_int_eq(sin->sin_family, AF_INET);
	ck_assert_uint_eq(ntohs(sin->sin_port), 51820);
	ck_assert_uint_eq(ntohl(sin->sin_addr.s_addr), 0xc0000201);
	ck_assert_uint_eq(p->persistent_keepalive, 25);
	ck_assert_uint_eq(p->drops[FZ_STAT_A_DROP_DENIED], 7);
	ck_assert_uint_eq(p->drops[FZ_STAT_A_DENIED_RETURN], 7);
	ck_assert_uint_eq(p->drops[FZ_STAT_A_DROP_REPLAY], 0);
	ck_assert_uint_eq(p->n_allowedips, 2);
	ck_assert_uint_eq(p->allowedips[0].family, AF_INET);
	ck_assert_uint_eq(p->allowedips[0].cidr, 32);
	ck_assert_uint_eq(ntohl(p->allowedips[0].addr.ip4.s_addr), 0x0a000002);
	ck_assert_uint_eq(p->allowedips[1].family, AF_INET6);
	ck_assert_uint_eq(p->allowedips[1].cidr, 128);
	ck_assert_uint_eq(p->allowedips[1].addr.ip6.s6_addr[0], 0xfd);
	ck_assert_uint_eq(p->allowedips[1].addr.ip6.s6_addr[15], 2);
	ck_assert_uint_eq(p->rx_bytes, 1260);
	ck_assert_uint_eq(p->tx_bytes, 4781507);
	ck_assert_uint_eq(p->last_handshake_ns, 1000 * NS);
	ck_assert_uint_eq(p->last_rx_ns, 2000 * NS);
}

static void check_small_peer(const struct fzk_peer_view *p)
{
	const struct sockaddr_in6 *sin6 = (const void *)&p->endpoint;
	uint8_t key[FZ_KEY_LEN];

	fill_key(key, 0x33);
	ck_assert_mem_eq(p->public_key, key, FZ_KEY_LEN);
	ck_assert_int_eq(sin6->sin6_family, AF_INET6);
	ck_assert_uint_eq(ntohs(sin6->sin6_port), 51820);
	ck_assert_uint_eq(sin6->sin6_addr.s6_addr[0], 0x20);
	ck_assert_uint_eq(p->n_allowedips, 0);
	ck_assert_uint_eq(p->persistent_keepalive, 0);
	ck_assert_uint_eq(p->last_handshake_ns, 0);
	ck_assert_uint_eq(p->drops[FZ_STAT_A_DROP_DENIED], 0);
}

static void check_device_attrs(const struct fzk_device_view *dev)
{
	uint8_t key[FZ_KEY_LEN];

	fill_key(key, 0x11);
	ck_assert_uint_eq(dev->ifindex, 7);
	ck_assert_str_eq(dev->ifname, "fz0");
	ck_assert(dev->has_public_key);
	ck_assert_mem_eq(dev->public_key, key, FZ_KEY_LEN);
	ck_assert_uint_eq(dev->listen_port, 51820);
	ck_assert_uint_eq(dev->fwmark, 0x1234);
	ck_assert_uint_eq(dev->generation, 42);
	ck_assert_uint_eq(dev->stats[FZ_STAT_A_RX_PACKETS], 10);
	ck_assert_uint_eq(dev->stats[FZ_STAT_A_DROP_REPLAY], 3);
	ck_assert_uint_eq(dev->stats[FZ_STAT_A_COOKIES_SENT], 5);
	ck_assert_uint_eq(dev->stats[FZ_STAT_A_DROP_BAD_MAC1], 0);
}

static struct nl_msg *full_message(void)
{
	struct nl_msg *msg = msg_start();
	struct nlattr *peers;

	put_device(msg, 7);
	peers = nla_nest_start(msg, FZ_A_PEERS);
	put_full_peer(msg);
	put_small_peer(msg);
	nla_nest_end(msg, peers);
	return msg;
}

START_TEST(test_single_message)
{
	struct nl_msg *msg = full_message();
	struct fzk_device_view dev;

	fzk_device_view_init(&dev);
	ck_assert_int_eq(fzk_device_view_parse_msg(&dev, nlmsg_hdr(msg)), 0);
	check_device_attrs(&dev);
	ck_assert_uint_eq(dev.n_peers, 2);
	check_full_peer(&dev.peers[0]);
	check_small_peer(&dev.peers[1]);
	ck_assert_uint_eq(dev.n_msgs, 1);
	fzk_device_view_free(&dev);
	ck_assert_uint_eq(dev.n_peers, 0);
	ck_assert_ptr_null(dev.peers);
	nlmsg_free(msg);
}
END_TEST

START_TEST(test_gateway_client_resources)
{
	struct nl_msg *msg = gateway_message();
	struct fzk_device_view dev;

	fzk_device_view_init(&dev);
	ck_assert_int_eq(fzk_device_view_parse_msg(&dev, nlmsg_hdr(msg)), 0);
	ck_assert_uint_eq(dev.n_peers, 3);
	check_full_peer(&dev.peers[0]);
	check_client_peer(&dev.peers[1]);
	check_small_peer(&dev.peers[2]);
	/* Peers without resources allocate nothing for them. */
	ck_assert_uint_eq(dev.peers[0].flags, 0);
	ck_assert_ptr_null(dev.peers[0].resources);
	ck_assert_uint_eq(dev.peers[0].n_resources, 0);
	ck_assert_ptr_null(dev.peers[2].resources);
	fzk_device_view_free(&dev);
	nlmsg_free(msg);
}
END_TEST

/* A client with nothing authorized: an empty list, or none at all. */
START_TEST(test_gateway_client_without_resources)
{
	struct nl_msg *msg = msg_start();
	struct nlattr *peers, *peer;
	struct fzk_device_view dev;

	put_ok(nla_put_u32(msg, FZ_A_IFINDEX, 7));
	peers = nla_nest_start(msg, FZ_A_PEERS);
	peer = peer_start(msg, 0x88, FZ_KEY_LEN);
	put_ok(nla_put_u32(msg, FZ_PEER_A_FLAGS, FZ_PEER_F_GATEWAY_CLIENT));
	/* Empty: libnl's nla_nest_end() would drop it. */
	put_ok(nla_put(msg, FZ_PEER_A_RESOURCES | NLA_F_NESTED, 0, NULL));
	nla_nest_end(msg, peer);
	nla_nest_end(msg, peers);
	fzk_device_view_init(&dev);
	ck_assert_int_eq(fzk_device_view_parse_msg(&dev, nlmsg_hdr(msg)), 0);
	ck_assert_uint_eq(dev.n_peers, 1);
	ck_assert_uint_eq(dev.peers[0].flags, FZ_PEER_F_GATEWAY_CLIENT);
	ck_assert_uint_eq(dev.peers[0].n_resources, 0);
	ck_assert_ptr_null(dev.peers[0].resources);
	fzk_device_view_free(&dev);
	nlmsg_free(msg);
}
END_TEST

/* The most a client can have, and unknown attributes and flag bits. */
START_TEST(test_max_resources_and_future_attrs)
{
	struct nl_msg *msg = nlmsg_alloc_size(1 << 16);
	struct nlattr *peers, *peer, *list, *res;
	struct fzk_device_view dev;
	uint8_t id[FZ_RESOURCE_ID_LEN] = { 0 };

	ck_assert_ptr_nonnull(genlmsg_put(msg, 0, 1, FAMILY_ID, 0, NLM_F_MULTI,
					  FZ_CMD_GET_DEVICE, FZ_GENL_VERSION));
	put_ok(nla_put_u32(msg, FZ_A_IFINDEX, 7));
	peers = nla_nest_start(msg, FZ_A_PEERS);
	peer = peer_start(msg, 0x88, FZ_KEY_LEN);
	list = nla_nest_start(msg, FZ_PEER_A_RESOURCES);
	for (int i = 0; i < FZ_MAX_RESOURCES; i++) {
		id[15] = (uint8_t)i;
		res = nla_nest_start(msg, i);
		put_ok(nla_put(msg, FZ_RES_A_ID, sizeof(id), id));
		put_ok(nla_put_u32(msg, FZ_RES_A_FLAGS, 1U << 7));
		put_ok(nla_put_u64(msg, FZ_RES_A_EXPIRES, (uint64_t)i * NS));
		put_ok(nla_put_u32(msg, FZ_RES_A_MAX + 1, 1));
		nla_nest_end(msg, res);
	}
	nla_nest_end(msg, list);
	nla_nest_end(msg, peer);
	nla_nest_end(msg, peers);
	fzk_device_view_init(&dev);
	ck_assert_int_eq(fzk_device_view_parse_msg(&dev, nlmsg_hdr(msg)), 0);
	ck_assert_uint_eq(dev.peers[0].n_resources, FZ_MAX_RESOURCES);
	ck_assert_uint_eq(dev.peers[0].resources[127].id[15], 127);
	ck_assert_uint_eq(dev.peers[0].resources[127].flags, 1U << 7);
	assert_real_deadline(dev.peers[0].resources[127].expires_ns, 127 * NS);
	fzk_device_view_free(&dev);
	nlmsg_free(msg);
}
END_TEST

/* A client split across messages keeps the resources it came with. */
START_TEST(test_split_client_keeps_resources)
{
	struct nl_msg *first = msg_start(), *second = msg_start();
	struct nlattr *peers, *peer, *aips;
	struct fzk_device_view dev;

	put_device(first, 7);
	peers = nla_nest_start(first, FZ_A_PEERS);
	put_client_peer(first);
	nla_nest_end(first, peers);

	put_ok(nla_put_u32(second, FZ_A_IFINDEX, 7));
	peers = nla_nest_start(second, FZ_A_PEERS);
	peer = peer_start(second, 0x88, FZ_KEY_LEN);
	aips = nla_nest_start(second, FZ_PEER_A_ALLOWEDIPS);
	put_aip(second, "100.64.0.9/32");
	nla_nest_end(second, aips);
	nla_nest_end(second, peer);
	nla_nest_end(second, peers);

	fzk_device_view_init(&dev);
	ck_assert_int_eq(fzk_device_view_parse_msg(&dev, nlmsg_hdr(first)), 0);
	ck_assert_int_eq(fzk_device_view_parse_msg(&dev, nlmsg_hdr(second)), 0);
	ck_assert_uint_eq(dev.n_peers, 1);
	check_client_peer(&dev.peers[0]);
	fzk_device_view_free(&dev);
	nlmsg_free(first);
	nlmsg_free(second);
}
END_TEST

/* Device attributes only in the first message; peers in both. */
START_TEST(test_split_dump)
{
	struct nl_msg *first = msg_start(), *second = msg_start();
	struct nlattr *peers;
	struct fzk_device_view dev;

	put_device(first, 7);
	peers = nla_nest_start(first, FZ_A_PEERS);
	put_full_peer(first);
	nla_nest_end(first, peers);

	put_ok(nla_put_u32(second, FZ_A_IFINDEX, 7));
	peers = nla_nest_start(second, FZ_A_PEERS);
	put_small_peer(second);
	nla_nest_end(second, peers);

	fzk_device_view_init(&dev);
	ck_assert_int_eq(fzk_device_view_parse_msg(&dev, nlmsg_hdr(first)), 0);
	ck_assert_int_eq(fzk_device_view_parse_msg(&dev, nlmsg_hdr(second)), 0);
	check_device_attrs(&dev);
	ck_assert_uint_eq(dev.n_msgs, 2);
	ck_assert_uint_eq(dev.n_peers, 2);
	check_full_peer(&dev.peers[0]);
	check_small_peer(&dev.peers[1]);
	fzk_device_view_free(&dev);
	nlmsg_free(first);
	nlmsg_free(second);
}
END_TEST

/* A peer continued in the next message keeps one entry. */
START_TEST(test_split_peer_is_merged)
{
	struct nl_msg *first = full_message(), *second = msg_start();
	struct nlattr *peers, *peer, *aips;
	struct fzk_device_view dev;

	put_ok(nla_put_u32(second, FZ_A_IFINDEX, 7));
	peers = nla_nest_start(second, FZ_A_PEERS);
	peer = peer_start(second, 0x33, FZ_KEY_LEN);
	aips = nla_nest_start(second, FZ_PEER_A_ALLOWEDIPS);
	put_aip(second, "10.0.0.3/32");
	put_aip(second, "10.0.1.0/24");
	nla_nest_end(second, aips);
	nla_nest_end(second, peer);
	nla_nest_end(second, peers);

	fzk_device_view_init(&dev);
	ck_assert_int_eq(fzk_device_view_parse_msg(&dev, nlmsg_hdr(first)), 0);
	ck_assert_int_eq(fzk_device_view_parse_msg(&dev, nlmsg_hdr(second)), 0);
	ck_assert_uint_eq(dev.n_peers, 2);
	ck_assert_uint_eq(dev.peers[1].n_allowedips, 2);
	ck_assert_uint_eq(dev.peers[1].allowedips[1].cidr, 24);
	/* What the first part said about the peer is kept. */
	ck_assert_int_eq(dev.peers[1].endpoint.ss_family, AF_INET6);
	fzk_device_view_free(&dev);
	nlmsg_free(first);
	nlmsg_free(second);
}
END_TEST

/* Within one message, equal keys are two entries: no silent merging. */
START_TEST(test_duplicate_in_one_message_not_merged)
{
	struct nl_msg *msg = msg_start();
	struct nlattr *peers;
	struct fzk_device_view dev;

	put_ok(nla_put_u32(msg, FZ_A_IFINDEX, 7));
	peers = nla_nest_start(msg, FZ_A_PEERS);
	put_small_peer(msg);
	put_small_peer(msg);
	nla_nest_end(msg, peers);
	fzk_device_view_init(&dev);
	ck_assert_int_eq(fzk_device_view_parse_msg(&dev, nlmsg_hdr(msg)), 0);
	ck_assert_uint_eq(dev.n_peers, 2);
	fzk_device_view_free(&dev);
	nlmsg_free(msg);
}
END_TEST

/* An attribute with no payload; libnl's nla_nest_end() drops empty nests. */
static void put_empty_nest(struct nl_msg *msg, int type)
{
	put_ok(nla_put(msg, type | NLA_F_NESTED, 0, NULL));
}

START_TEST(test_minimal_and_empty_nests)
{
	struct nl_msg *msg = msg_start(), *more = msg_start();
	struct nlattr *peers, *peer;
	struct fzk_device_view dev;

	put_ok(nla_put_u32(msg, FZ_A_IFINDEX, 3));
	peers = nla_nest_start(msg, FZ_A_PEERS);
	peer = peer_start(msg, 0x55, FZ_KEY_LEN);
	put_empty_nest(msg, FZ_PEER_A_ALLOWEDIPS);
	nla_nest_end(msg, peer);
	nla_nest_end(msg, peers);
	put_empty_nest(msg, FZ_A_STATS);
	put_ok(nla_put_u32(more, FZ_A_IFINDEX, 3));
	put_empty_nest(more, FZ_A_PEERS);

	fzk_device_view_init(&dev);
	ck_assert_int_eq(fzk_device_view_parse_msg(&dev, nlmsg_hdr(msg)), 0);
	ck_assert_int_eq(fzk_device_view_parse_msg(&dev, nlmsg_hdr(more)), 0);
	ck_assert(!dev.has_public_key);
	ck_assert_str_eq(dev.ifname, "");
	ck_assert_uint_eq(dev.n_msgs, 2);
	ck_assert_uint_eq(dev.n_peers, 1);
	ck_assert_uint_eq(dev.peers[0].n_allowedips, 0);
	ck_assert_int_eq(dev.peers[0].endpoint.ss_family, AF_UNSPEC);
	fzk_device_view_free(&dev);
	nlmsg_free(msg);
	nlmsg_free(more);
}
END_TEST

/* Newer kernels may add attributes; they are skipped, not refused. */
START_TEST(test_unknown_attributes_ignored)
{
	struct nl_msg *msg = msg_start();
	struct nlattr *peers, *peer, *aips, *aip;
	uint8_t v4[4] = { 10, 0, 0, 9 };

	put_device(msg, 7);
	put_ok(nla_put_u32(msg, FZ_A_MAX + 3, 1));
	peers = nla_nest_start(msg, FZ_A_PEERS);
	peer = peer_start(msg, 0x66, FZ_KEY_LEN);
	put_ok(nla_put_u64(msg, FZ_PEER_A_MAX + 2, 1));
	aips = nla_nest_start(msg, FZ_PEER_A_ALLOWEDIPS);
	aip = nla_nest_start(msg, 0);
	put_ok(nla_put_u16(msg, FZ_AIP_A_FAMILY, AF_INET));
	put_ok(nla_put(msg, FZ_AIP_A_ADDR, 4, v4));
	put_ok(nla_put_u8(msg, FZ_AIP_A_CIDR, 32));
	put_ok(nla_put_string(msg, FZ_AIP_A_MAX + 1, "future"));
	nla_nest_end(msg, aip);
	nla_nest_end(msg, aips);
	nla_nest_end(msg, peer);
	nla_nest_end(msg, peers);
	ck_assert_int_eq(parse_one(msg), 0);
}
END_TEST

/* Enough entries to grow the arrays several times; a nest is < 64 KiB. */
START_TEST(test_many_peers_and_allowedips)
{
	struct nl_msg *msg = nlmsg_alloc_size(1 << 20);
	struct nlattr *peers, *peer, *aips;
	struct fzk_device_view dev;
	uint8_t v4[4] = { 10, 0, 0, 0 };

	ck_assert_ptr_nonnull(genlmsg_put(msg, 0, 1, FAMILY_ID, 0, NLM_F_MULTI,
					  FZ_CMD_GET_DEVICE, FZ_GENL_VERSION));
	put_ok(nla_put_u32(msg, FZ_A_IFINDEX, 7));
	peers = nla_nest_start(msg, FZ_A_PEERS);
	for (int i = 0; i < 80; i++) {
		peer = peer_start(msg, (uint8_t)i, FZ_KEY_LEN);
		aips = nla_nest_start(msg, FZ_PEER_A_ALLOWEDIPS);
		for (int a = 0; a < 20; a++) {
			v4[2] = (uint8_t)i;
			v4[3] = (uint8_t)a;
			put_aip_raw(msg, AF_INET, v4, 4, 32);
		}
		nla_nest_end(msg, aips);
		nla_nest_end(msg, peer);
	}
	nla_nest_end(msg, peers);
	fzk_device_view_init(&dev);
	ck_assert_int_eq(fzk_device_view_parse_msg(&dev, nlmsg_hdr(msg)), 0);
	ck_assert_uint_eq(dev.n_peers, 80);
	ck_assert_uint_eq(dev.peers[79].n_allowedips, 20);
	ck_assert_uint_eq(dev.peers[79].allowedips[19].addr.ip4.s_addr,
			  htonl(0x0a004f13));
	fzk_device_view_free(&dev);
	nlmsg_free(msg);
}
END_TEST

START_TEST(test_cidr_limits)
{
	uint8_t v4[4] = { 10, 0, 0, 0 }, v6[16] = { 0xfd };

	ck_assert_int_eq(parse_one(msg_with_aip(AF_INET, v4, 4, 32)), 0);
	ck_assert_int_eq(parse_one(msg_with_aip(AF_INET, v4, 4, 0)), 0);
	ck_assert_int_eq(parse_one(msg_with_aip(AF_INET, v4, 4, 33)), -EINVAL);
	ck_assert_int_eq(parse_one(msg_with_aip(AF_INET, v4, 4, 255)), -EINVAL);
	ck_assert_int_eq(parse_one(msg_with_aip(AF_INET6, v6, 16, 128)), 0);
	ck_assert_int_eq(parse_one(msg_with_aip(AF_INET6, v6, 16, 129)),
			 -EINVAL);
}
END_TEST

START_TEST(test_address_length_must_match_family)
{
	uint8_t addr[16] = { 10 };

	ck_assert_int_eq(parse_one(msg_with_aip(AF_INET, addr, 16, 32)),
			 -EINVAL);
	ck_assert_int_eq(parse_one(msg_with_aip(AF_INET6, addr, 4, 32)),
			 -EINVAL);
	ck_assert_int_eq(parse_one(msg_with_aip(AF_INET, addr, 3, 8)), -EINVAL);
	ck_assert_int_eq(parse_one(msg_with_aip(AF_INET, addr, 0, 0)), -EINVAL);
	ck_assert_int_eq(parse_one(msg_with_aip(AF_UNIX, addr, 4, 8)), -EINVAL);
	ck_assert_int_eq(parse_one(msg_with_aip(AF_UNSPEC, addr, 16, 8)),
			 -EINVAL);
}
END_TEST

START_TEST(test_allowedip_needs_all_attributes)
{
	struct nl_msg *msg = msg_start();
	struct nlattr *peers, *peer, *aips, *aip;
	uint8_t v4[4] = { 10, 0, 0, 1 };

	put_ok(nla_put_u32(msg, FZ_A_IFINDEX, 7));
	peers = nla_nest_start(msg, FZ_A_PEERS);
	peer = peer_start(msg, 0x44, FZ_KEY_LEN);
	aips = nla_nest_start(msg, FZ_PEER_A_ALLOWEDIPS);
	aip = nla_nest_start(msg, 0);
	put_ok(nla_put_u16(msg, FZ_AIP_A_FAMILY, AF_INET));
	put_ok(nla_put(msg, FZ_AIP_A_ADDR, 4, v4));
	nla_nest_end(msg, aip);
	nla_nest_end(msg, aips);
	nla_nest_end(msg, peer);
	nla_nest_end(msg, peers);
	ck_assert_int_eq(parse_one(msg), -EINVAL);
}
END_TEST

/* Every malformed resource fails the dump, after a good one was parsed. */
START_TEST(test_malformed_resource)
{
	uint8_t id[FZ_RESOURCE_ID_LEN + 1] = { 0x42 };
	struct nl_msg *msg;
	struct nlattr *peers, *peer, *list;

	ck_assert_int_eq(parse_one(msg_with_resource(id, FZ_RESOURCE_ID_LEN,
						     sizeof(uint32_t))),
			 0);
	/* ID missing, short, long or empty. */
	ck_assert_int_eq(parse_one(msg_with_resource(id, -1, sizeof(uint32_t))),
			 -EINVAL);
	ck_assert_int_eq(parse_one(msg_with_resource(id, FZ_RESOURCE_ID_LEN - 1,
						     sizeof(uint32_t))),
			 -EINVAL);
	ck_assert_int_eq(parse_one(msg_with_resource(id, FZ_RESOURCE_ID_LEN + 1,
						     sizeof(uint32_t))),
			 -EINVAL);
	ck_assert_int_eq(parse_one(msg_with_resource(id, 0, sizeof(uint32_t))),
			 -EINVAL);
	/* Flags missing, or a u64. */
	ck_assert_int_eq(
		parse_one(msg_with_resource(id, FZ_RESOURCE_ID_LEN, 0)),
		-EINVAL);
	ck_assert_int_eq(parse_one(msg_with_resource(id, FZ_RESOURCE_ID_LEN,
						     sizeof(uint64_t))),
			 -EINVAL);

	/* Expires missing, or a u32; garbage after a resource; not a nest. */
	for (int c = 0; c < 4; c++) {
		static const uint8_t zeros[4] = { 0 };
		struct nlattr *res;

		msg = msg_start();
		put_ok(nla_put_u32(msg, FZ_A_IFINDEX, 7));
		peers = nla_nest_start(msg, FZ_A_PEERS);
		peer = peer_start(msg, 0x88, FZ_KEY_LEN);
		list = nla_nest_start(msg, FZ_PEER_A_RESOURCES);
		put_resource(msg, 0x01, 0, 0);
		if (c == 3) {
			put_ok(nla_put_u32(msg, 0, 1));
		} else {
			res = nla_nest_start(msg, 0);
			put_ok(nla_put(msg, FZ_RES_A_ID, FZ_RESOURCE_ID_LEN,
				       uuid_a));
			put_ok(nla_put_u32(msg, FZ_RES_A_FLAGS, 0));
			if (c == 1)
				put_ok(nla_put_u32(msg, FZ_RES_A_EXPIRES, 1));
			if (c == 2) {
				put_ok(nla_put_u64(msg, FZ_RES_A_EXPIRES, 1));
				put_ok(nlmsg_append(msg, (void *)zeros, 3,
						    NLMSG_ALIGNTO));
			}
			nla_nest_end(msg, res);
		}
		nla_nest_end(msg, list);
		nla_nest_end(msg, peer);
		nla_nest_end(msg, peers);
		ck_assert_msg(parse_one(msg) == -EINVAL, "case %d", c);
	}
}
END_TEST

/* A u8 sent as a u32 is a different ABI, not a value to truncate. */
START_TEST(test_integer_sizes_are_exact)
{
	struct nl_msg *msg = msg_start();

	put_ok(nla_put_u64(msg, FZ_A_IFINDEX, 7));
	ck_assert_int_eq(parse_one(msg), -EINVAL);

	msg = msg_start();
	put_ok(nla_put_u32(msg, FZ_A_IFINDEX, 7));
	put_ok(nla_put_u32(msg, FZ_A_LISTEN_PORT, 51820));
	ck_assert_int_eq(parse_one(msg), -EINVAL);
}
END_TEST

START_TEST(test_device_key_length)
{
	uint8_t key[FZ_KEY_LEN + 1] = { 0 };
	struct nl_msg *msg = msg_start();

	put_ok(nla_put_u32(msg, FZ_A_IFINDEX, 7));
	put_ok(nla_put(msg, FZ_A_PUBLIC_KEY, FZ_KEY_LEN - 1, key));
	ck_assert_int_eq(parse_one(msg), -EINVAL);

	msg = msg_start();
	put_ok(nla_put_u32(msg, FZ_A_IFINDEX, 7));
	put_ok(nla_put(msg, FZ_A_PUBLIC_KEY, FZ_KEY_LEN + 1, key));
	ck_assert_int_eq(parse_one(msg), -EINVAL);
}
END_TEST

static struct nl_msg *msg_with_peer_key(int key_len)
{
	struct nl_msg *msg = msg_start();
	struct nlattr *peers, *peer;

	put_ok(nla_put_u32(msg, FZ_A_IFINDEX, 7));
	peers = nla_nest_start(msg, FZ_A_PEERS);
	peer = peer_start(msg, 0x77, key_len);
	nla_nest_end(msg, peer);
	nla_nest_end(msg, peers);
	return msg;
}

START_TEST(test_peer_key_length)
{
	ck_assert_int_eq(parse_one(msg_with_peer_key(FZ_KEY_LEN)), 0);
	ck_assert_int_eq(parse_one(msg_with_peer_key(FZ_KEY_LEN - 1)), -EINVAL);
	ck_assert_int_eq(parse_one(msg_with_peer_key(FZ_KEY_LEN + 1)), -EINVAL);
	ck_assert_int_eq(parse_one(msg_with_peer_key(0)), -EINVAL);
}
END_TEST

START_TEST(test_peer_needs_key)
{
	struct nl_msg *msg = msg_start();
	struct nlattr *peers, *peer;

	put_ok(nla_put_u32(msg, FZ_A_IFINDEX, 7));
	peers = nla_nest_start(msg, FZ_A_PEERS);
	peer = nla_nest_start(msg, 0);
	put_ok(nla_put_u16(msg, FZ_PEER_A_PERSISTENT_KEEPALIVE, 25));
	nla_nest_end(msg, peer);
	nla_nest_end(msg, peers);
	ck_assert_int_eq(parse_one(msg), -EINVAL);
}
END_TEST

static struct nl_msg *msg_with_endpoint(const void *sa, int len)
{
	struct nl_msg *msg = msg_start();
	struct nlattr *peers, *peer;

	put_ok(nla_put_u32(msg, FZ_A_IFINDEX, 7));
	peers = nla_nest_start(msg, FZ_A_PEERS);
	peer = peer_start(msg, 0x77, FZ_KEY_LEN);
	put_ok(nla_put(msg, FZ_PEER_A_ENDPOINT, len, sa));
	nla_nest_end(msg, peer);
	nla_nest_end(msg, peers);
	return msg;
}

START_TEST(test_endpoint_length_must_match_family)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sockaddr_in6 v4_in_v6_size = { 0 };
	struct sockaddr_storage unix_ss = { .ss_family = AF_UNIX };

	v4_in_v6_size.sin6_family = AF_INET;
	ck_assert_int_eq(parse_one(msg_with_endpoint(&sin, sizeof(sin))), 0);
	ck_assert_int_eq(parse_one(msg_with_endpoint(&sin6, sizeof(sin6))), 0);
	ck_assert_int_eq(parse_one(msg_with_endpoint(&sin6, sizeof(sin))),
			 -EINVAL);
	ck_assert_int_eq(parse_one(msg_with_endpoint(&v4_in_v6_size,
						     sizeof(v4_in_v6_size))),
			 -EINVAL);
	ck_assert_int_eq(parse_one(msg_with_endpoint(&sin, 8)), -EINVAL);
	ck_assert_int_eq(parse_one(msg_with_endpoint(&unix_ss, sizeof(sin))),
			 -EINVAL);
	ck_assert_int_eq(parse_one(msg_with_endpoint(&unix_ss, 100)), -EINVAL);
}
END_TEST

START_TEST(test_ifindex_rules)
{
	struct nl_msg *first = full_message(), *second;
	struct fzk_device_view dev;

	/* Missing, and zero. */
	ck_assert_int_eq(parse_one(msg_start()), -EINVAL);
	second = msg_start();
	put_ok(nla_put_u32(second, FZ_A_IFINDEX, 0));
	ck_assert_int_eq(parse_one(second), -EINVAL);

	/* A second message about another device. */
	second = msg_start();
	put_ok(nla_put_u32(second, FZ_A_IFINDEX, 8));
	fzk_device_view_init(&dev);
	ck_assert_int_eq(fzk_device_view_parse_msg(&dev, nlmsg_hdr(first)), 0);
	ck_assert_int_eq(fzk_device_view_parse_msg(&dev, nlmsg_hdr(second)),
			 -EINVAL);
	ck_assert_uint_eq(dev.ifindex, 7);
	fzk_device_view_free(&dev);
	nlmsg_free(first);
	nlmsg_free(second);
}
END_TEST

START_TEST(test_ifname_must_be_a_short_string)
{
	char name[IFNAMSIZ + 1];
	struct nl_msg *msg = msg_start();

	put_ok(nla_put_u32(msg, FZ_A_IFINDEX, 7));
	put_ok(nla_put(msg, FZ_A_IFNAME, 3, "fz0")); /* no NUL */
	ck_assert_int_eq(parse_one(msg), -EINVAL);

	memset(name, 'a', IFNAMSIZ);
	name[IFNAMSIZ] = '\0';
	msg = msg_start();
	put_ok(nla_put_u32(msg, FZ_A_IFINDEX, 7));
	put_ok(nla_put_string(msg, FZ_A_IFNAME, name));
	ck_assert_int_eq(parse_one(msg), -EINVAL);

	name[IFNAMSIZ - 1] = '\0'; /* 15 characters: the longest name */
	msg = msg_start();
	put_ok(nla_put_u32(msg, FZ_A_IFINDEX, 7));
	put_ok(nla_put_string(msg, FZ_A_IFNAME, name));
	ck_assert_int_eq(parse_one(msg), 0);
}
END_TEST

/* Bytes after the last attribute, at top level or inside a peer. */
START_TEST(test_trailing_garbage)
{
	static const uint8_t zeros[4] = { 0 };
	struct nl_msg *msg = msg_start();
	struct nlattr *peers, *peer;

	put_ok(nla_put_u32(msg, FZ_A_IFINDEX, 7));
	put_ok(nlmsg_append(msg, (void *)zeros, 2, NLMSG_ALIGNTO));
	ck_assert_int_eq(parse_one(msg), -EINVAL);

	msg = msg_start();
	put_ok(nla_put_u32(msg, FZ_A_IFINDEX, 7));
	peers = nla_nest_start(msg, FZ_A_PEERS);
	peer = peer_start(msg, 0x77, FZ_KEY_LEN);
	put_ok(nlmsg_append(msg, (void *)zeros, 3, NLMSG_ALIGNTO));
	nla_nest_end(msg, peer);
	nla_nest_end(msg, peers);
	ck_assert_int_eq(parse_one(msg), -EINVAL);
}
END_TEST

START_TEST(test_not_a_genl_message)
{
	struct nlmsghdr *nlh = calloc(1, NLMSG_HDRLEN);
	struct fzk_device_view dev;

	nlh->nlmsg_len = NLMSG_HDRLEN;
	fzk_device_view_init(&dev);
	ck_assert_int_eq(fzk_device_view_parse_msg(&dev, nlh), -EINVAL);
	fzk_device_view_free(&dev);
	free(nlh);
}
END_TEST

/* Copy a message into a buffer of exactly its size, so ASan sees overruns. */
static struct nlmsghdr *exact_copy(struct nl_msg *msg, uint32_t len)
{
	struct nlmsghdr *copy = malloc(len);

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, nlmsg_hdr(msg), len);
	copy->nlmsg_len = len;
	return copy;
}

static void parse_and_free(struct nlmsghdr *nlh)
{
	struct fzk_device_view dev;

	fzk_device_view_init(&dev);
	fzk_device_view_parse_msg(&dev,
				  nlh); /* any result but a crash is fine */
	fzk_device_view_free(&dev);
	free(nlh);
}

/*
 * Every truncation and every single-byte corruption of a valid message
 * must be parsed or refused without reading out of bounds. nlmsg_len
 * itself is the caller's promise (libnl checks it on receive), so it is
 * kept consistent with the buffer.
 */
START_TEST(test_corruption_never_crashes)
{
	static const uint8_t flips[] = { 0x01, 0x04, 0x80, 0xff };
	struct nl_msg *msg = full_message();
	uint32_t len = nlmsg_hdr(msg)->nlmsg_len;

	for (uint32_t l = NLMSG_HDRLEN; l <= len; l++)
		parse_and_free(exact_copy(msg, l));
	for (uint32_t off = sizeof(uint32_t); off < len; off++) {
		for (size_t f = 0; f < sizeof(flips); f++) {
			struct nlmsghdr *copy = exact_copy(msg, len);

			((uint8_t *)copy)[off] ^= flips[f];
			parse_and_free(copy);
		}
	}
	nlmsg_free(msg);
}
END_TEST

/* The same, with a gateway client's resources in the message. */
START_TEST(test_corruption_with_resources_never_crashes)
{
	static const uint8_t flips[] = { 0x01, 0x04, 0x80, 0xff };
	struct nl_msg *msg = gateway_message();
	uint32_t len = nlmsg_hdr(msg)->nlmsg_len;

	for (uint32_t l = NLMSG_HDRLEN; l <= len; l++)
		parse_and_free(exact_copy(msg, l));
	for (uint32_t off = sizeof(uint32_t); off < len; off++) {
		for (size_t f = 0; f < sizeof(flips); f++) {
			struct nlmsghdr *copy = exact_copy(msg, len);

			((uint8_t *)copy)[off] ^= flips[f];
			parse_and_free(copy);
		}
	}
	nlmsg_free(msg);
}
END_TEST

Suite *device_suite(void)
{
	Suite *s = suite_create("device");
	TCase *ok = tcase_create("valid");
	TCase *bad = tcase_create("malformed");

	tcase_add_test(ok, test_single_message);
	tcase_add_test(ok, test_split_dump);
	tcase_add_test(ok, test_split_peer_is_merged);
	tcase_add_test(ok, test_duplicate_in_one_message_not_merged);
	tcase_add_test(ok, test_minimal_and_empty_nests);
	tcase_add_test(ok, test_unknown_attributes_ignored);
	tcase_add_test(ok, test_many_peers_and_allowedips);
	tcase_add_test(ok, test_gateway_client_resources);
	tcase_add_test(ok, test_gateway_client_without_resources);
	tcase_add_test(ok, test_max_resources_and_future_attrs);
	tcase_add_test(ok, test_split_client_keeps_resources);
	suite_add_tcase(s, ok);

	tcase_add_test(bad, test_cidr_limits);
	tcase_add_test(bad, test_address_length_must_match_family);
	tcase_add_test(bad, test_allowedip_needs_all_attributes);
	tcase_add_test(bad, test_malformed_resource);
	tcase_add_test(bad, test_integer_sizes_are_exact);
	tcase_add_test(bad, test_device_key_length);
	tcase_add_test(bad, test_peer_key_length);
	tcase_add_test(bad, test_peer_needs_key);
	tcase_add_test(bad, test_endpoint_length_must_match_family);
	tcase_add_test(bad, test_ifindex_rules);
	tcase_add_test(bad, test_ifname_must_be_a_short_string);
	tcase_add_test(bad, test_trailing_garbage);
	tcase_add_test(bad, test_not_a_genl_message);
	tcase_add_test(bad, test_corruption_never_crashes);
	tcase_add_test(bad, test_corruption_with_resources_never_crashes);
	suite_add_tcase(s, bad);
	return s;
}
