/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fzk wing (agent/fzk/), libfzk: everything that speaks
 * uapi/linux/fz.h or rtnetlink: the requests (this file and kernel_gw.h),
 * the netlink transport (nl.h), dumps parsed into the agent's views of
 * fz.ko's objects (device.h), events (event.h) and links (link.h). It
 * prints nothing: errors go back to the caller. It may use lib and wg
 * (for the handshake's message sizes).
 *
 * The configuration commands of fz.ko (uapi/linux/fz.h), as messages.
 *
 * fzk_msg_*() build one request each and touch no socket, so the tests can
 * check every attribute against the kernel's policies (kmod/netlink.c).
 * fzk_*() build and send one and wait for the kernel's answer:
 * 0 or a negative errno, the kernel's extended ack text then in
 * fzk_nl_ext_msg(). Devices are named by ifindex.
 */
#ifndef FZ_AGENT_KERNEL_H
#define FZ_AGENT_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <linux/fz.h>

struct fz_cidr;
struct wg_noise_keys;
struct fzk_nl;
struct nl_msg;

/* FZ_CMD_SET_DEVICE; only what is set is sent. */
struct fzk_device_update {
	const uint8_t *public_key; /* NULL: unchanged */
	bool has_listen_port;
	uint16_t listen_port;
	bool has_fwmark;
	uint32_t fwmark;
	uint32_t flags; /* enum fz_device_flag */
};

bool fzk_device_update_empty(const struct fzk_device_update *u);

/*
 * FZ_CMD_SET_PEER; only what is set is sent. Allowed IPs go when flags
 * hold FZ_PEER_F_REPLACE_ALLOWEDIPS or any are given (an empty list then
 * removes them all: libnl drops an empty nest, the flag does the work).
 */
struct fzk_peer_update {
	const uint8_t *public_key; /* FZ_KEY_LEN bytes */
	const struct sockaddr_storage *endpoint; /* NULL: unchanged */
	bool has_keepalive;
	uint16_t persistent_keepalive; /* seconds, 0 = off */
	uint16_t quiet_timeout; /* seconds, 0: unchanged */
	const struct fz_cidr *allowed_ips;
	size_t n_allowed_ips;
	uint32_t flags; /* enum fz_peer_flag */
};

struct nl_msg *fzk_msg_set_peer(int family, uint32_t ifindex,
				const struct fzk_peer_update *u);
struct nl_msg *fzk_msg_set_device(int family, uint32_t ifindex,
				  const struct fzk_device_update *u);
struct nl_msg *fzk_msg_del_peer(int family, uint32_t ifindex,
				const uint8_t key[FZ_KEY_LEN]);
struct nl_msg *fzk_msg_set_keypair(int family, uint32_t ifindex,
				   const uint8_t key[FZ_KEY_LEN], uint8_t slot,
				   const struct wg_noise_keys *keys);
/* key and ep may each be NULL, not both. */
struct nl_msg *fzk_msg_send_handshake(int family, uint32_t ifindex,
				      const uint8_t *key,
				      const struct sockaddr_storage *ep,
				      const uint8_t *packet, size_t len);

int fzk_set_device(struct fzk_nl *nl, uint32_t ifindex,
		   const struct fzk_device_update *u);
int fzk_set_peer(struct fzk_nl *nl, uint32_t ifindex,
		 const struct fzk_peer_update *u);
int fzk_set_endpoint(struct fzk_nl *nl, uint32_t ifindex,
		     const uint8_t key[FZ_KEY_LEN],
		     const struct sockaddr_storage *ep);
int fzk_del_peer(struct fzk_nl *nl, uint32_t ifindex,
		 const uint8_t key[FZ_KEY_LEN]);
int fzk_set_keypair(struct fzk_nl *nl, uint32_t ifindex,
		    const uint8_t key[FZ_KEY_LEN], uint8_t slot,
		    const struct wg_noise_keys *keys);
int fzk_send_handshake(struct fzk_nl *nl, uint32_t ifindex, const uint8_t *key,
		       const struct sockaddr_storage *ep, const uint8_t *packet,
		       size_t len);

/*
 * Building blocks shared with kernel_gw.c: a request's header with
 * FZ_A_IFINDEX (NLM_F_ACK set), FZ_A_PEER holding only a key, and one
 * FZ_AIP_A_* prefix nest. fzk_request() sends msg and frees it,
 * wiping it first if it held secrets; msg NULL is -ENOMEM.
 */
struct nl_msg *fzk_msg_start(int family, uint8_t cmd, uint32_t ifindex);
int fzk_msg_put_peer_key(struct nl_msg *msg, const uint8_t key[FZ_KEY_LEN]);
int fzk_msg_put_prefix(struct nl_msg *msg, int type, const struct fz_cidr *c);
int fzk_request(struct fzk_nl *nl, struct nl_msg *msg, bool secret);

/* The length of a struct sockaddr_in or _in6 in ss; 0 for other families. */
size_t fzk_sockaddr_len(const struct sockaddr_storage *ss);

#endif /* FZ_AGENT_KERNEL_H */
