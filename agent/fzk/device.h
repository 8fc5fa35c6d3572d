/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The parsed form of an FZ_CMD_GET_DEVICE dump: one device and its peers.
 *
 * A dump may span several netlink messages. Feed them in order to
 * fz_device_parse_msg(), which merges each into the same struct fz_device.
 */
#ifndef FZ_AGENT_DEVICE_H
#define FZ_AGENT_DEVICE_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <linux/fz.h>

struct nlattr;
struct nlmsghdr;

struct fz_allowedip {
	uint16_t family; /* AF_INET or AF_INET6 */
	uint8_t cidr;
	union {
		struct in_addr ip4;
		struct in6_addr ip6;
	} addr;
};

/* A session keypair as the dump shows it; its keys never leave fz.ko. */
struct fz_keypair_info {
	uint8_t slot; /* enum fz_keypair_slot */
	uint32_t local_index;
	uint32_t remote_index;
	uint32_t flags; /* enum fz_keypair_flag */
	uint64_t created_ns; /* since the epoch */
	uint64_t tx_counter;
};

/* A gateway client's authorized resource as the dump shows it. */
struct fz_resource_info {
	uint8_t id[FZ_RESOURCE_ID_LEN]; /* a UUID */
	uint32_t flags; /* enum fz_resource_flag */
	uint64_t expires_ns; /* since the epoch, 0 = never */
};

/* The dump shows "current" and "next"; room for a future "previous". */
#define FZ_DEVICE_MAX_KEYPAIRS 4

struct fz_peer {
	uint8_t public_key[FZ_KEY_LEN];
	uint32_t flags; /* enum fz_peer_flag */
	struct sockaddr_storage endpoint; /* ss_family AF_UNSPEC: none */
	uint16_t persistent_keepalive; /* seconds, 0 = off */
	struct fz_allowedip *allowedips;
	size_t n_allowedips;
	size_t allowedips_cap; /* allocated slots */
	uint64_t rx_bytes;
	uint64_t tx_bytes;
	uint64_t last_handshake_ns; /* since the epoch, 0 = never */
	uint64_t last_rx_ns; /* since the epoch, 0 = never */
	uint64_t drops[__FZ_STAT_A_MAX]; /* its own, by enum fz_stat_attr */
	struct fz_keypair_info keypairs[FZ_DEVICE_MAX_KEYPAIRS];
	size_t n_keypairs; /* more than the maximum are ignored */
	/* Gateway clients only (FZ_PEER_F_GATEWAY_CLIENT); NULL when none. */
	struct fz_resource_info *resources;
	size_t n_resources;
};

struct fz_device {
	uint32_t ifindex;
	char ifname[IFNAMSIZ];
	bool has_public_key;
	uint8_t public_key[FZ_KEY_LEN];
	uint16_t listen_port;
	uint32_t fwmark;
	uint32_t generation;
	uint64_t stats[__FZ_STAT_A_MAX]; /* indexed by enum fz_stat_attr */
	struct fz_peer *peers;
	size_t n_peers;
	size_t peers_cap; /* allocated slots */
	size_t n_msgs; /* messages merged so far */
};

void fz_device_init(struct fz_device *dev);
void fz_device_free(struct fz_device *dev);
int fz_device_parse_msg(struct fz_device *dev, struct nlmsghdr *nlh);

int fz_allowedip_parse(struct fz_allowedip *aip, struct nlattr *nest);

/* The peer's keypair in slot (enum fz_keypair_slot), or NULL. */
const struct fz_keypair_info *fz_peer_keypair(const struct fz_peer *peer,
					      uint8_t slot);

#endif /* FZ_AGENT_DEVICE_H */
