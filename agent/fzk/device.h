/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The parsed form of an FZ_CMD_GET_DEVICE dump: one device and its peers,
 * as the agent sees them. These are views of fz.ko's struct fz_device and
 * struct fz_peer at the time of the dump, hence the names, not the
 * kernel's objects.
 *
 * A dump may span several netlink messages. Feed them in order to
 * fzk_device_view_parse_msg(), which merges each into the same struct
 * fzk_device_view.
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

struct fzk_allowedip_view {
	uint16_t family; /* AF_INET or AF_INET6 */
	uint8_t cidr;
	union {
		struct in_addr ip4;
		struct in6_addr ip6;
	} addr;
};

/* A session keypair as the dump shows it; its keys never leave fz.ko. */
struct fzk_keypair_view {
	uint8_t slot; /* enum fz_keypair_slot */
	uint32_t local_index;
	uint32_t remote_index;
	uint32_t flags; /* enum fz_keypair_flag */
	uint64_t created_ns; /* since the epoch */
	uint64_t tx_counter;
};

/* A gateway client's authorized resource as the dump shows it. */
struct fzk_resource_view {
	uint8_t id[FZ_RESOURCE_ID_LEN]; /* a UUID */
	uint32_t flags; /* enum fz_resource_flag */
	uint64_t expires_ns; /* since the epoch, 0 = never */
};

/* The dump shows "current" and "next"; room for a future "previous". */
#define FZK_DEVICE_MAX_KEYPAIRS 4

struct fzk_peer_view {
	uint8_t public_key[FZ_KEY_LEN];
	uint32_t flags; /* enum fz_peer_flag */
	struct sockaddr_storage endpoint; /* ss_family AF_UNSPEC: none */
	uint16_t persistent_keepalive; /* seconds, 0 = off */
	uint16_t quiet_timeout; /* seconds, 0: WireGuard's 15 */
	struct fzk_allowedip_view *allowedips;
	size_t n_allowedips;
	size_t allowedips_cap; /* allocated slots */
	uint64_t rx_bytes;
	uint64_t tx_bytes;
	uint64_t last_handshake_ns; /* since the epoch, 0 = never */
	uint64_t last_rx_ns; /* since the epoch, 0 = never */
	uint64_t drops[__FZ_STAT_A_MAX]; /* its own, by enum fz_stat_attr */
	struct fzk_keypair_view keypairs[FZK_DEVICE_MAX_KEYPAIRS];
	size_t n_keypairs; /* more than the maximum are ignored */
	/* Gateway clients only (FZ_PEER_F_GATEWAY_CLIENT); NULL when none. */
	struct fzk_resource_view *resources;
	size_t n_resources;
};

struct fzk_device_view {
	uint32_t ifindex;
	char ifname[IFNAMSIZ];
	bool has_public_key;
	uint8_t public_key[FZ_KEY_LEN];
	uint16_t listen_port;
	uint32_t fwmark;
	uint32_t generation;
	bool hold; /* client: packets for unknown destinations are held */
	uint64_t stats[__FZ_STAT_A_MAX]; /* indexed by enum fz_stat_attr */
	struct fzk_peer_view *peers;
	size_t n_peers;
	size_t peers_cap; /* allocated slots */
	size_t n_msgs; /* messages merged so far */
};

void fzk_device_view_init(struct fzk_device_view *dev);
void fzk_device_view_free(struct fzk_device_view *dev);
int fzk_device_view_parse_msg(struct fzk_device_view *dev,
			      struct nlmsghdr *nlh);

int fzk_allowedip_parse(struct fzk_allowedip_view *aip, struct nlattr *nest);

/* The peer's keypair in slot (enum fz_keypair_slot), or NULL. */
const struct fzk_keypair_view *
fzk_peer_keypair(const struct fzk_peer_view *peer, uint8_t slot);

#endif /* FZ_AGENT_DEVICE_H */
