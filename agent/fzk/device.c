// SPDX-License-Identifier: GPL-2.0
/*
 * Parser for FZ_CMD_GET_DEVICE dump messages.
 *
 * The kernel is trusted to be correct but not to be bug-free or of the same
 * version: every length is checked against a policy before it is read, a
 * malformed message is -EINVAL and never a crash, and attributes newer than
 * this parser are ignored so that old agents keep working on new kernels.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "device.h"
#include "lib/clock.h"

/*
 * Policy bodies. Integers must have exactly their size, where libnl only
 * checks a minimum: a u8 sent as a u32 means a different ABI.
 */
#define POLICY_U8 .type = NLA_U8, .maxlen = sizeof(uint8_t)
#define POLICY_U16 .type = NLA_U16, .maxlen = sizeof(uint16_t)
#define POLICY_U32 .type = NLA_U32, .maxlen = sizeof(uint32_t)
#define POLICY_U64 .type = NLA_U64, .maxlen = sizeof(uint64_t)
#define POLICY_LEN(min, max) \
	.type = NLA_UNSPEC, .minlen = (min), .maxlen = (max)
#define POLICY_NESTED .type = NLA_NESTED

static const struct nla_policy device_policy[FZ_A_MAX + 1] = {
	[FZ_A_IFINDEX] = { POLICY_U32 },
	[FZ_A_IFNAME] = { .type = NLA_STRING, .maxlen = IFNAMSIZ },
	[FZ_A_PUBLIC_KEY] = { POLICY_LEN(FZ_KEY_LEN, FZ_KEY_LEN) },
	[FZ_A_LISTEN_PORT] = { POLICY_U16 },
	[FZ_A_FWMARK] = { POLICY_U32 },
	[FZ_A_PEERS] = { POLICY_NESTED },
	[FZ_A_STATS] = { POLICY_NESTED },
	[FZ_A_GENERATION] = { POLICY_U32 },
	[FZ_A_HOLD] = { .type = NLA_U8 },
};

static const struct nla_policy peer_policy[FZ_PEER_A_MAX + 1] = {
	[FZ_PEER_A_PUBLIC_KEY] = { POLICY_LEN(FZ_KEY_LEN, FZ_KEY_LEN) },
	[FZ_PEER_A_FLAGS] = { POLICY_U32 },
	[FZ_PEER_A_ENDPOINT] = { POLICY_LEN(sizeof(struct sockaddr_in),
					    sizeof(struct sockaddr_in6)) },
	[FZ_PEER_A_PERSISTENT_KEEPALIVE] = { POLICY_U16 },
	[FZ_PEER_A_ALLOWEDIPS] = { POLICY_NESTED },
	[FZ_PEER_A_RX_BYTES] = { POLICY_U64 },
	[FZ_PEER_A_TX_BYTES] = { POLICY_U64 },
	[FZ_PEER_A_LAST_HANDSHAKE] = { POLICY_U64 },
	[FZ_PEER_A_LAST_RX] = { POLICY_U64 },
	[FZ_PEER_A_KEYPAIRS] = { POLICY_NESTED },
	[FZ_PEER_A_RESOURCES] = { POLICY_NESTED },
	[FZ_PEER_A_DROPS] = { POLICY_NESTED },
	[FZ_PEER_A_QUIET_TIMEOUT] = { POLICY_U16 },
};

static const struct nla_policy allowedip_policy[FZ_AIP_A_MAX + 1] = {
	[FZ_AIP_A_FAMILY] = { POLICY_U16 },
	[FZ_AIP_A_ADDR] = { POLICY_LEN(sizeof(struct in_addr),
				       sizeof(struct in6_addr)) },
	[FZ_AIP_A_CIDR] = { POLICY_U8 },
};

static const struct nla_policy keypair_policy[FZ_KP_A_MAX + 1] = {
	[FZ_KP_A_SLOT] = { POLICY_U8 },
	[FZ_KP_A_LOCAL_INDEX] = { POLICY_U32 },
	[FZ_KP_A_REMOTE_INDEX] = { POLICY_U32 },
	[FZ_KP_A_FLAGS] = { POLICY_U32 },
	[FZ_KP_A_CREATED] = { POLICY_U64 },
	[FZ_KP_A_TX_COUNTER] = { POLICY_U64 },
};

static const struct nla_policy resource_policy[FZ_RES_A_MAX + 1] = {
	[FZ_RES_A_ID] = { POLICY_LEN(FZ_RESOURCE_ID_LEN, FZ_RESOURCE_ID_LEN) },
	[FZ_RES_A_FLAGS] = { POLICY_U32 },
	[FZ_RES_A_EXPIRES] = { POLICY_U64 },
};

static const struct nla_policy stats_policy[FZ_STAT_A_MAX + 1] = {
	[FZ_STAT_A_RX_PACKETS] = { POLICY_U64 },
	[FZ_STAT_A_RX_BYTES] = { POLICY_U64 },
	[FZ_STAT_A_TX_PACKETS] = { POLICY_U64 },
	[FZ_STAT_A_TX_BYTES] = { POLICY_U64 },
	[FZ_STAT_A_DROP_BAD_MAC1] = { POLICY_U64 },
	[FZ_STAT_A_DROP_RATELIMITED] = { POLICY_U64 },
	[FZ_STAT_A_DROP_BAD_AUTH] = { POLICY_U64 },
	[FZ_STAT_A_DROP_REPLAY] = { POLICY_U64 },
	[FZ_STAT_A_DROP_NO_KEY] = { POLICY_U64 },
	[FZ_STAT_A_DROP_BAD_SOURCE] = { POLICY_U64 },
	[FZ_STAT_A_DROP_NO_PEER] = { POLICY_U64 },
	[FZ_STAT_A_DROP_MALFORMED] = { POLICY_U64 },
	[FZ_STAT_A_DROP_DENIED] = { POLICY_U64 },
	[FZ_STAT_A_DROP_CONTROL] = { POLICY_U64 },
	[FZ_STAT_A_COOKIES_SENT] = { POLICY_U64 },
	[FZ_STAT_A_DENIED_NOT_AUTHORIZED] = { POLICY_U64 },
	[FZ_STAT_A_DENIED_FILTERED] = { POLICY_U64 },
	[FZ_STAT_A_DENIED_EXPIRED] = { POLICY_U64 },
	[FZ_STAT_A_DENIED_CLIENT_TO_CLIENT] = { POLICY_U64 },
	[FZ_STAT_A_DENIED_RETURN] = { POLICY_U64 },
	[FZ_STAT_A_DENIED_NO_MAPPING] = { POLICY_U64 },
	[FZ_STAT_A_DROP_CONTROL_RATELIMITED] = { POLICY_U64 },
	[FZ_STAT_A_HELD] = { POLICY_U64 },
	[FZ_STAT_A_HELD_SENT] = { POLICY_U64 },
	[FZ_STAT_A_DROP_HOLD_FULL] = { POLICY_U64 },
	[FZ_STAT_A_DROP_HOLD_TIMEOUT] = { POLICY_U64 },
	[FZ_STAT_A_DROP_HOLD_REFUSED] = { POLICY_U64 },
	[FZ_STAT_A_PEER_PROHIBITED] = { POLICY_U64 },
};

void fzk_device_view_init(struct fzk_device_view *dev)
{
	memset(dev, 0, sizeof(*dev));
}

static void peer_free(struct fzk_peer_view *peer)
{
	free(peer->allowedips);
	free(peer->resources);
}

void fzk_device_view_free(struct fzk_device_view *dev)
{
	for (size_t i = 0; i < dev->n_peers; i++)
		peer_free(&dev->peers[i]);
	free(dev->peers);
	fzk_device_view_init(dev);
}

/*
 * Make room for `need` elements. Returns the (possibly moved) array, or
 * NULL with the old array untouched when memory runs out.
 */
static void *reserve(void *array, size_t *cap, size_t need, size_t elem)
{
	size_t new_cap = *cap ? *cap : 4;
	void *p;

	if (need <= *cap)
		return array;
	while (new_cap < need) {
		if (new_cap > SIZE_MAX / 2)
			return NULL;
		new_cap *= 2;
	}
	if (new_cap > SIZE_MAX / elem)
		return NULL;
	p = realloc(array, new_cap * elem);
	if (p)
		*cap = new_cap;
	return p;
}

/*
 * libnl's nla_parse() ignores bytes left over after the last attribute.
 * A well-formed message has none, so treat them as corruption.
 */
static bool has_leftover(struct nlattr *head, int len)
{
	struct nlattr *pos;
	int rem;

	nla_for_each_attr(pos, head, len, rem) {
		/* only walking, to find where the attributes end */
	}
	return rem > 0;
}

static int parse_attrs(struct nlattr **tb, int max, struct nlattr *head,
		       int len, const struct nla_policy *policy)
{
	if (len < 0 || nla_parse(tb, max, head, len, policy) < 0 ||
	    has_leftover(head, len))
		return -EINVAL;
	return 0;
}

static int parse_nest(struct nlattr **tb, int max, struct nlattr *nest,
		      const struct nla_policy *policy)
{
	return parse_attrs(tb, max, nla_data(nest), nla_len(nest), policy);
}

static uint16_t get_u16(const struct nlattr *nla)
{
	return nla ? nla_get_u16(nla) : 0;
}

static uint64_t get_u64(const struct nlattr *nla)
{
	return nla ? nla_get_u64(nla) : 0;
}

/* Address length and longest prefix of a family; -EINVAL if unknown. */
static int family_limits(unsigned int family, size_t *addr_len,
			 unsigned int *max_cidr)
{
	switch (family) {
	case AF_INET:
		*addr_len = sizeof(struct in_addr);
		*max_cidr = 32;
		return 0;
	case AF_INET6:
		*addr_len = sizeof(struct in6_addr);
		*max_cidr = 128;
		return 0;
	default:
		return -EINVAL;
	}
}

int fzk_allowedip_parse(struct fzk_allowedip_view *aip, struct nlattr *nest)
{
	struct nlattr *tb[FZ_AIP_A_MAX + 1];
	unsigned int max_cidr;
	size_t addr_len;

	memset(aip, 0, sizeof(*aip));
	if (parse_nest(tb, FZ_AIP_A_MAX, nest, allowedip_policy))
		return -EINVAL;
	if (!tb[FZ_AIP_A_FAMILY] || !tb[FZ_AIP_A_ADDR] || !tb[FZ_AIP_A_CIDR])
		return -EINVAL;
	aip->family = nla_get_u16(tb[FZ_AIP_A_FAMILY]);
	aip->cidr = nla_get_u8(tb[FZ_AIP_A_CIDR]);
	if (family_limits(aip->family, &addr_len, &max_cidr) ||
	    (size_t)nla_len(tb[FZ_AIP_A_ADDR]) != addr_len ||
	    aip->cidr > max_cidr)
		return -EINVAL;
	memcpy(&aip->addr, nla_data(tb[FZ_AIP_A_ADDR]), addr_len);
	return 0;
}

/* The attribute holds a sockaddr whose length must match its family. */
static int parse_endpoint(struct sockaddr_storage *ss, struct nlattr *nla)
{
	size_t len = nla_len(nla);
	sa_family_t family;

	memcpy(&family, nla_data(nla), sizeof(family));
	if ((family == AF_INET && len == sizeof(struct sockaddr_in)) ||
	    (family == AF_INET6 && len == sizeof(struct sockaddr_in6))) {
		memset(ss, 0, sizeof(*ss));
		memcpy(ss, nla_data(nla), len);
		return 0;
	}
	return -EINVAL;
}

static int append_allowedip(struct fzk_peer_view *peer, struct nlattr *nest)
{
	struct fzk_allowedip_view *aips;
	int ret;

	aips = reserve(peer->allowedips, &peer->allowedips_cap,
		       peer->n_allowedips + 1, sizeof(*aips));
	if (!aips)
		return -ENOMEM;
	peer->allowedips = aips;
	ret = fzk_allowedip_parse(&aips[peer->n_allowedips], nest);
	if (ret)
		return ret;
	peer->n_allowedips++;
	return 0;
}

/* The list is a nest of nests; the type of each inner nest is ignored. */
static int parse_allowedips(struct fzk_peer_view *peer, struct nlattr *list)
{
	struct nlattr *nest;
	int rem, ret;

	nla_for_each_nested(nest, list, rem) {
		ret = append_allowedip(peer, nest);
		if (ret)
			return ret;
	}
	return rem > 0 ? -EINVAL : 0;
}

static uint32_t get_u32(const struct nlattr *nla)
{
	return nla ? nla_get_u32(nla) : 0;
}

/* Slot and both indices identify a keypair; the rest is informative. */
static int parse_keypair(struct fzk_keypair_view *kp, struct nlattr *nest)
{
	struct nlattr *tb[FZ_KP_A_MAX + 1];

	memset(kp, 0, sizeof(*kp));
	if (parse_nest(tb, FZ_KP_A_MAX, nest, keypair_policy) ||
	    !tb[FZ_KP_A_SLOT] || !tb[FZ_KP_A_LOCAL_INDEX] ||
	    !tb[FZ_KP_A_REMOTE_INDEX])
		return -EINVAL;
	kp->slot = nla_get_u8(tb[FZ_KP_A_SLOT]);
	kp->local_index = nla_get_u32(tb[FZ_KP_A_LOCAL_INDEX]);
	kp->remote_index = nla_get_u32(tb[FZ_KP_A_REMOTE_INDEX]);
	kp->flags = get_u32(tb[FZ_KP_A_FLAGS]);
	kp->created_ns = get_u64(tb[FZ_KP_A_CREATED]);
	kp->tx_counter = get_u64(tb[FZ_KP_A_TX_COUNTER]);
	return 0;
}

/* A nest of nests, like the allowed IPs; entries past the room are ignored. */
static int parse_keypairs(struct fzk_peer_view *peer, struct nlattr *list)
{
	struct fzk_keypair_view kp;
	struct nlattr *nest;
	int rem;

	nla_for_each_nested(nest, list, rem) {
		if (parse_keypair(&kp, nest))
			return -EINVAL;
		if (peer->n_keypairs < FZK_DEVICE_MAX_KEYPAIRS)
			peer->keypairs[peer->n_keypairs++] = kp;
	}
	return rem > 0 ? -EINVAL : 0;
}

const struct fzk_keypair_view *
fzk_peer_keypair(const struct fzk_peer_view *peer, uint8_t slot)
{
	for (size_t i = 0; i < peer->n_keypairs; i++)
		if (peer->keypairs[i].slot == slot)
			return &peer->keypairs[i];
	return NULL;
}

/* The kernel always sends all three; a missing one is not "never". */
static int parse_resource(struct fzk_resource_view *res, struct nlattr *nest)
{
	struct nlattr *tb[FZ_RES_A_MAX + 1];

	memset(res, 0, sizeof(*res));
	if (parse_nest(tb, FZ_RES_A_MAX, nest, resource_policy) ||
	    !tb[FZ_RES_A_ID] || !tb[FZ_RES_A_FLAGS] || !tb[FZ_RES_A_EXPIRES])
		return -EINVAL;
	memcpy(res->id, nla_data(tb[FZ_RES_A_ID]), FZ_RESOURCE_ID_LEN);
	res->flags = nla_get_u32(tb[FZ_RES_A_FLAGS]);
	/* fz.ko keeps deadlines in boot time; people read real time. */
	res->expires_ns =
		fz_clock_boot_to_real(nla_get_u64(tb[FZ_RES_A_EXPIRES]));
	return 0;
}

/*
 * A nest of nests, like the allowed IPs. Most peers have none, so the
 * array is allocated only here, at its exact size: the entries are
 * counted first (the nest bounds them, under 64 KiB).
 */
static int parse_resources(struct fzk_peer_view *peer, struct nlattr *list)
{
	struct nlattr *nest;
	size_t n = 0;
	int rem;

	nla_for_each_nested(nest, list, rem)
		n++;
	if (rem > 0)
		return -EINVAL;
	if (!n)
		return 0;
	peer->resources = calloc(n, sizeof(*peer->resources));
	if (!peer->resources)
		return -ENOMEM;
	nla_for_each_nested(nest, list, rem) {
		if (parse_resource(&peer->resources[peer->n_resources], nest))
			return -EINVAL;
		peer->n_resources++;
	}
	return 0;
}

static int parse_stats(uint64_t stats[__FZ_STAT_A_MAX], struct nlattr *nest);

/* On error the caller still owns, and must free, the peer's arrays. */
static int parse_peer(struct fzk_peer_view *peer, struct nlattr *nest)
{
	struct nlattr *tb[FZ_PEER_A_MAX + 1];
	int ret;

	memset(peer, 0, sizeof(*peer));
	if (parse_nest(tb, FZ_PEER_A_MAX, nest, peer_policy) ||
	    !tb[FZ_PEER_A_PUBLIC_KEY])
		return -EINVAL;
	memcpy(peer->public_key, nla_data(tb[FZ_PEER_A_PUBLIC_KEY]),
	       FZ_KEY_LEN);
	if (tb[FZ_PEER_A_ENDPOINT]) {
		ret = parse_endpoint(&peer->endpoint, tb[FZ_PEER_A_ENDPOINT]);
		if (ret)
			return ret;
	}
	peer->persistent_keepalive =
		get_u16(tb[FZ_PEER_A_PERSISTENT_KEEPALIVE]);
	peer->quiet_timeout = get_u16(tb[FZ_PEER_A_QUIET_TIMEOUT]);
	peer->rx_bytes = get_u64(tb[FZ_PEER_A_RX_BYTES]);
	peer->tx_bytes = get_u64(tb[FZ_PEER_A_TX_BYTES]);
	peer->last_handshake_ns = get_u64(tb[FZ_PEER_A_LAST_HANDSHAKE]);
	peer->last_rx_ns = get_u64(tb[FZ_PEER_A_LAST_RX]);
	peer->flags = get_u32(tb[FZ_PEER_A_FLAGS]);
	if (tb[FZ_PEER_A_DROPS] &&
	    parse_stats(peer->drops, tb[FZ_PEER_A_DROPS]))
		return -EINVAL;
	if (tb[FZ_PEER_A_KEYPAIRS]) {
		ret = parse_keypairs(peer, tb[FZ_PEER_A_KEYPAIRS]);
		if (ret)
			return ret;
	}
	if (tb[FZ_PEER_A_RESOURCES]) {
		ret = parse_resources(peer, tb[FZ_PEER_A_RESOURCES]);
		if (ret)
			return ret;
	}
	if (tb[FZ_PEER_A_ALLOWEDIPS])
		return parse_allowedips(peer, tb[FZ_PEER_A_ALLOWEDIPS]);
	return 0;
}

/*
 * fz.h promises that a peer is never split across messages. Should a
 * kernel ever split a peer with many allowed IPs the way WireGuard does
 * (the next message starting with the same key), merge the allowed IPs
 * rather than show the peer twice. Keypairs and resources come whole in
 * one part: src's are taken only if dst has none.
 */
static int merge_allowedips(struct fzk_peer_view *dst,
			    struct fzk_peer_view *src)
{
	struct fzk_allowedip_view *aips;
	size_t need = dst->n_allowedips + src->n_allowedips;

	aips = reserve(dst->allowedips, &dst->allowedips_cap, need,
		       sizeof(*aips));
	if (!aips)
		return -ENOMEM;
	memcpy(aips + dst->n_allowedips, src->allowedips,
	       src->n_allowedips * sizeof(*aips));
	dst->allowedips = aips;
	dst->n_allowedips = need;
	if (!dst->n_keypairs) {
		memcpy(dst->keypairs, src->keypairs, sizeof(src->keypairs));
		dst->n_keypairs = src->n_keypairs;
	}
	if (!dst->resources) {
		dst->resources = src->resources;
		dst->n_resources = src->n_resources;
		src->resources = NULL;
		src->n_resources = 0;
	}
	return 0;
}

static bool continues_last_peer(const struct fzk_device_view *dev,
				const struct fzk_peer_view *peer)
{
	return dev->n_peers && !memcmp(dev->peers[dev->n_peers - 1].public_key,
				       peer->public_key, FZ_KEY_LEN);
}

static int add_peer(struct fzk_device_view *dev, struct nlattr *nest,
		    bool may_continue)
{
	struct fzk_peer_view peer, *peers;
	int ret;

	ret = parse_peer(&peer, nest);
	if (ret)
		goto out;
	if (may_continue && continues_last_peer(dev, &peer)) {
		ret = merge_allowedips(&dev->peers[dev->n_peers - 1], &peer);
		goto out;
	}
	peers = reserve(dev->peers, &dev->peers_cap, dev->n_peers + 1,
			sizeof(*peers));
	if (!peers) {
		ret = -ENOMEM;
		goto out;
	}
	dev->peers = peers;
	peers[dev->n_peers++] = peer;
	return 0;
out:
	peer_free(&peer);
	return ret;
}

/* Only the first peer of a continuation message may continue a peer. */
static int parse_peers(struct fzk_device_view *dev, struct nlattr *list,
		       bool continuation)
{
	struct nlattr *nest;
	bool first = true;
	int rem, ret;

	nla_for_each_nested(nest, list, rem) {
		ret = add_peer(dev, nest, continuation && first);
		if (ret)
			return ret;
		first = false;
	}
	return rem > 0 ? -EINVAL : 0;
}

static int parse_stats(uint64_t stats[__FZ_STAT_A_MAX], struct nlattr *nest)
{
	struct nlattr *tb[FZ_STAT_A_MAX + 1];

	if (parse_nest(tb, FZ_STAT_A_MAX, nest, stats_policy))
		return -EINVAL;
	for (int i = 1; i <= FZ_STAT_A_MAX; i++)
		if (i != FZ_STAT_A_PAD && tb[i])
			stats[i] = nla_get_u64(tb[i]);
	return 0;
}

/* Device attributes come in the first message; take them where found. */
static int parse_device_attrs(struct fzk_device_view *dev, struct nlattr **tb)
{
	if (tb[FZ_A_IFNAME])
		nla_strlcpy(dev->ifname, tb[FZ_A_IFNAME], sizeof(dev->ifname));
	if (tb[FZ_A_PUBLIC_KEY]) {
		memcpy(dev->public_key, nla_data(tb[FZ_A_PUBLIC_KEY]),
		       FZ_KEY_LEN);
		dev->has_public_key = true;
	}
	if (tb[FZ_A_LISTEN_PORT])
		dev->listen_port = nla_get_u16(tb[FZ_A_LISTEN_PORT]);
	if (tb[FZ_A_FWMARK])
		dev->fwmark = nla_get_u32(tb[FZ_A_FWMARK]);
	if (tb[FZ_A_GENERATION])
		dev->generation = nla_get_u32(tb[FZ_A_GENERATION]);
	if (tb[FZ_A_HOLD])
		dev->hold = nla_get_u8(tb[FZ_A_HOLD]);
	if (tb[FZ_A_STATS])
		return parse_stats(dev->stats, tb[FZ_A_STATS]);
	return 0;
}

/*
 * Merge one message of a GET_DEVICE dump into dev. Every message names the
 * device by FZ_A_IFINDEX, which must not change within one dump. On error
 * dev keeps what was merged before and must still be freed.
 */
int fzk_device_view_parse_msg(struct fzk_device_view *dev, struct nlmsghdr *nlh)
{
	struct nlattr *tb[FZ_A_MAX + 1];
	struct genlmsghdr *gnlh;
	uint32_t ifindex;
	int ret;

	if (!genlmsg_valid_hdr(nlh, 0))
		return -EINVAL;
	gnlh = nlmsg_data(nlh);
	if (parse_attrs(tb, FZ_A_MAX, genlmsg_attrdata(gnlh, 0),
			genlmsg_attrlen(gnlh, 0), device_policy) ||
	    !tb[FZ_A_IFINDEX])
		return -EINVAL;
	ifindex = nla_get_u32(tb[FZ_A_IFINDEX]);
	if (!ifindex || (dev->n_msgs && ifindex != dev->ifindex))
		return -EINVAL;
	dev->ifindex = ifindex;

	ret = parse_device_attrs(dev, tb);
	if (!ret && tb[FZ_A_PEERS])
		ret = parse_peers(dev, tb[FZ_A_PEERS], dev->n_msgs > 0);
	if (!ret)
		dev->n_msgs++;
	return ret;
}
