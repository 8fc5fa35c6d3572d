/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The gateway's commands of fz.ko (uapi/linux/fz.h): resources of a
 * client peer, DNS translation maps and p2p control packets. Builders
 * (fzk_msg_*) and senders (fzk_*) as in kernel.h; every command
 * names the client peer by its public key.
 */
#ifndef FZ_AGENT_KERNEL_GW_H
#define FZ_AGENT_KERNEL_GW_H

#include <stddef.h>
#include <stdint.h>

#include <linux/fz.h>

#include "lib/cidr.h"
#include "lib/filter.h"

struct fzk_nl;
struct nl_msg;

/* FZ_CMD_SET_RESOURCE's FZ_A_RESOURCE nest. */
struct fzk_resource_spec {
	uint8_t id[FZ_RESOURCE_ID_LEN];
	const struct fz_cidr *addrs; /* CIDRs, or mapped IPs (DNS) */
	size_t n_addrs; /* <= FZ_MAX_RESOURCE_ADDRS; 0: omitted */
	const struct fz_filter *filters;
	size_t n_filters; /* <= FZ_MAX_FILTERS; 0: omitted = all allowed */
	uint64_t expires_ns; /* since the epoch; 0: never (omitted) */
	uint32_t flags; /* enum fz_resource_flag; 0: omitted */
};

struct nl_msg *fzk_msg_set_resource(int family, uint32_t ifindex,
				    const uint8_t key[FZ_KEY_LEN],
				    const struct fzk_resource_spec *r);
struct nl_msg *fzk_msg_del_resource(int family, uint32_t ifindex,
				    const uint8_t key[FZ_KEY_LEN],
				    const uint8_t id[FZ_RESOURCE_ID_LEN]);
/* mapped and real: full-length prefixes of one family. */
struct nl_msg *fzk_msg_set_dns_map(int family, uint32_t ifindex,
				   const uint8_t key[FZ_KEY_LEN],
				   const uint8_t id[FZ_RESOURCE_ID_LEN],
				   const struct fz_cidr *mapped,
				   const struct fz_cidr *real);
/* Exactly one of mapped (that map) and id (all of the resource's maps). */
struct nl_msg *fzk_msg_del_dns_map(int family, uint32_t ifindex,
				   const uint8_t key[FZ_KEY_LEN],
				   const struct fz_cidr *mapped,
				   const uint8_t *id);
/* packet: the 8-byte header and JSON, 8..FZ_MAX_CONTROL_PAYLOAD bytes. */
struct nl_msg *fzk_msg_send_control(int family, uint32_t ifindex,
				    const uint8_t key[FZ_KEY_LEN],
				    const uint8_t *packet, size_t len);

int fzk_set_resource(struct fzk_nl *nl, uint32_t ifindex,
		     const uint8_t key[FZ_KEY_LEN],
		     const struct fzk_resource_spec *r);
int fzk_del_resource(struct fzk_nl *nl, uint32_t ifindex,
		     const uint8_t key[FZ_KEY_LEN],
		     const uint8_t id[FZ_RESOURCE_ID_LEN]);
int fzk_set_dns_map(struct fzk_nl *nl, uint32_t ifindex,
		    const uint8_t key[FZ_KEY_LEN],
		    const uint8_t id[FZ_RESOURCE_ID_LEN],
		    const struct fz_cidr *mapped, const struct fz_cidr *real);
int fzk_del_dns_map(struct fzk_nl *nl, uint32_t ifindex,
		    const uint8_t key[FZ_KEY_LEN], const struct fz_cidr *mapped,
		    const uint8_t *id);
int fzk_send_control(struct fzk_nl *nl, uint32_t ifindex,
		     const uint8_t key[FZ_KEY_LEN], const uint8_t *packet,
		     size_t len);

#endif /* FZ_AGENT_KERNEL_GW_H */
