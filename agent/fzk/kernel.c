// SPDX-License-Identifier: GPL-2.0
/*
 * Requests to fz.ko; see kernel.h. Every attribute has exactly the type
 * and length the kernel's policy asks for: it validates strictly and
 * refuses anything else with -EINVAL or -ERANGE.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <sodium.h>

#include "kernel.h"
#include "nl.h"
#include "lib/cidr.h"
#include "wg/noise.h"

size_t fzk_sockaddr_len(const struct sockaddr_storage *ss)
{
	switch (ss->ss_family) {
	case AF_INET:
		return sizeof(struct sockaddr_in);
	case AF_INET6:
		return sizeof(struct sockaddr_in6);
	default:
		return 0;
	}
}

/* Acks are asked for explicitly: an error must never go unnoticed. */
struct nl_msg *fzk_msg_start(int family, uint8_t cmd, uint32_t ifindex)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, NLM_F_ACK,
			 cmd, FZ_GENL_VERSION) ||
	    nla_put_u32(msg, FZ_A_IFINDEX, ifindex) < 0) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* Frees a message that held secrets, wiping its buffer first. */
static void msg_free_secret(struct nl_msg *msg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	sodium_memzero(nlh, nlh->nlmsg_len);
	nlmsg_free(msg);
}

bool fzk_device_update_empty(const struct fzk_device_update *u)
{
	return !u->public_key && !u->has_listen_port && !u->has_fwmark &&
	       !u->flags;
}

struct nl_msg *fzk_msg_set_device(int family, uint32_t ifindex,
				  const struct fzk_device_update *u)
{
	struct nl_msg *msg = fzk_msg_start(family, FZ_CMD_SET_DEVICE, ifindex);

	if (!msg)
		return NULL;
	if ((u->public_key &&
	     nla_put(msg, FZ_A_PUBLIC_KEY, FZ_KEY_LEN, u->public_key) < 0) ||
	    (u->has_listen_port &&
	     nla_put_u16(msg, FZ_A_LISTEN_PORT, u->listen_port) < 0) ||
	    (u->has_fwmark && nla_put_u32(msg, FZ_A_FWMARK, u->fwmark) < 0) ||
	    (u->flags && nla_put_u32(msg, FZ_A_FLAGS, u->flags) < 0)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int put_endpoint(struct nl_msg *msg, int type,
			const struct sockaddr_storage *ss)
{
	size_t len = fzk_sockaddr_len(ss);

	if (!len)
		return -EINVAL;
	return nla_put(msg, type, (int)len, ss) < 0 ? -ENOMEM : 0;
}

int fzk_msg_put_prefix(struct nl_msg *msg, int type, const struct fz_cidr *c)
{
	struct nlattr *nest = nla_nest_start(msg, type);
	int len = c->family == AF_INET ? 4 : 16;

	if (!nest || nla_put_u16(msg, FZ_AIP_A_FAMILY, c->family) < 0 ||
	    nla_put(msg, FZ_AIP_A_ADDR, len, c->addr) < 0 ||
	    nla_put_u8(msg, FZ_AIP_A_CIDR, c->cidr) < 0)
		return -ENOMEM;
	nla_nest_end(msg, nest);
	return 0;
}

/*
 * libnl drops an empty nest; REPLACE_ALLOWEDIPS alone is then how a peer
 * loses them all, which the kernel does whether or not the list is there.
 */
static int put_allowedips(struct nl_msg *msg, const struct fzk_peer_update *u)
{
	struct nlattr *list = nla_nest_start(msg, FZ_PEER_A_ALLOWEDIPS);

	if (!list)
		return -ENOMEM;
	for (size_t i = 0; i < u->n_allowed_ips; i++)
		if (fzk_msg_put_prefix(msg, 0, &u->allowed_ips[i]))
			return -ENOMEM;
	nla_nest_end(msg, list);
	return 0;
}

static int put_peer(struct nl_msg *msg, const struct fzk_peer_update *u)
{
	struct nlattr *nest = nla_nest_start(msg, FZ_A_PEER);

	if (!nest ||
	    nla_put(msg, FZ_PEER_A_PUBLIC_KEY, FZ_KEY_LEN, u->public_key) < 0 ||
	    (u->flags && nla_put_u32(msg, FZ_PEER_A_FLAGS, u->flags) < 0))
		return -ENOMEM;
	if (u->endpoint && put_endpoint(msg, FZ_PEER_A_ENDPOINT, u->endpoint))
		return -EINVAL;
	if (u->has_keepalive && nla_put_u16(msg, FZ_PEER_A_PERSISTENT_KEEPALIVE,
					    u->persistent_keepalive) < 0)
		return -ENOMEM;
	if (u->quiet_timeout &&
	    nla_put_u16(msg, FZ_PEER_A_QUIET_TIMEOUT, u->quiet_timeout) < 0)
		return -ENOMEM;
	if (((u->flags & FZ_PEER_F_REPLACE_ALLOWEDIPS) || u->n_allowed_ips) &&
	    put_allowedips(msg, u))
		return -ENOMEM;
	nla_nest_end(msg, nest);
	return 0;
}

struct nl_msg *fzk_msg_set_peer(int family, uint32_t ifindex,
				const struct fzk_peer_update *u)
{
	struct nl_msg *msg = fzk_msg_start(family, FZ_CMD_SET_PEER, ifindex);

	if (msg && put_peer(msg, u)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* FZ_A_PEER holding only the public key, for the commands that name one. */
int fzk_msg_put_peer_key(struct nl_msg *msg, const uint8_t key[FZ_KEY_LEN])
{
	struct nlattr *nest = nla_nest_start(msg, FZ_A_PEER);

	if (!nest || nla_put(msg, FZ_PEER_A_PUBLIC_KEY, FZ_KEY_LEN, key) < 0)
		return -ENOMEM;
	nla_nest_end(msg, nest);
	return 0;
}

struct nl_msg *fzk_msg_del_peer(int family, uint32_t ifindex,
				const uint8_t key[FZ_KEY_LEN])
{
	struct nl_msg *msg = fzk_msg_start(family, FZ_CMD_DEL_PEER, ifindex);

	if (msg && fzk_msg_put_peer_key(msg, key)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int put_keypair(struct nl_msg *msg, uint8_t slot,
		       const struct wg_noise_keys *k)
{
	struct nlattr *nest = nla_nest_start(msg, FZ_A_KEYPAIR);

	if (!nest || nla_put_u8(msg, FZ_KP_A_SLOT, slot) < 0 ||
	    nla_put_u32(msg, FZ_KP_A_LOCAL_INDEX, k->local_index) < 0 ||
	    nla_put_u32(msg, FZ_KP_A_REMOTE_INDEX, k->remote_index) < 0 ||
	    nla_put(msg, FZ_KP_A_SEND_KEY, FZ_KEY_LEN, k->send_key) < 0 ||
	    nla_put(msg, FZ_KP_A_RECV_KEY, FZ_KEY_LEN, k->recv_key) < 0 ||
	    (k->initiator &&
	     nla_put_u32(msg, FZ_KP_A_FLAGS, FZ_KEYPAIR_F_INITIATOR) < 0) ||
	    /* The message these keys came from: a response for the initiator,
	     * an initiation for the responder; the kernel counts it as rx. */
	    nla_put_u32(msg, FZ_KP_A_RX_HANDSHAKE_BYTES,
			slot == FZ_KEYPAIR_CURRENT ?
				WG_NOISE_RESPONSE_LEN :
				WG_NOISE_INITIATION_LEN) < 0)
		return -ENOMEM;
	nla_nest_end(msg, nest);
	return 0;
}

struct nl_msg *fzk_msg_set_keypair(int family, uint32_t ifindex,
				   const uint8_t key[FZ_KEY_LEN], uint8_t slot,
				   const struct wg_noise_keys *keys)
{
	struct nl_msg *msg = fzk_msg_start(family, FZ_CMD_SET_KEYPAIR, ifindex);

	if (msg &&
	    (fzk_msg_put_peer_key(msg, key) || put_keypair(msg, slot, keys))) {
		msg_free_secret(msg);
		return NULL;
	}
	return msg;
}

struct nl_msg *fzk_msg_send_handshake(int family, uint32_t ifindex,
				      const uint8_t *key,
				      const struct sockaddr_storage *ep,
				      const uint8_t *packet, size_t len)
{
	struct nl_msg *msg;

	if ((!key && !ep) || !len || len > FZ_MAX_HANDSHAKE_PACKET)
		return NULL;
	msg = fzk_msg_start(family, FZ_CMD_SEND_HANDSHAKE, ifindex);
	if (!msg)
		return NULL;
	if ((key && fzk_msg_put_peer_key(msg, key)) ||
	    (ep && put_endpoint(msg, FZ_A_ENDPOINT, ep)) ||
	    nla_put(msg, FZ_A_PACKET, (int)len, packet) < 0) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* --- Sending --- */

int fzk_request(struct fzk_nl *nl, struct nl_msg *msg, bool secret)
{
	int ret;

	if (!msg)
		return -ENOMEM;
	ret = fzk_nl_request(nl, msg);
	if (secret)
		msg_free_secret(msg);
	else
		nlmsg_free(msg);
	return ret;
}

int fzk_set_device(struct fzk_nl *nl, uint32_t ifindex,
		   const struct fzk_device_update *u)
{
	return fzk_request(
		nl, fzk_msg_set_device(fzk_nl_family(nl), ifindex, u), false);
}

int fzk_set_peer(struct fzk_nl *nl, uint32_t ifindex,
		 const struct fzk_peer_update *u)
{
	return fzk_request(nl, fzk_msg_set_peer(fzk_nl_family(nl), ifindex, u),
			   false);
}

int fzk_set_endpoint(struct fzk_nl *nl, uint32_t ifindex,
		     const uint8_t key[FZ_KEY_LEN],
		     const struct sockaddr_storage *ep)
{
	const struct fzk_peer_update u = {
		.public_key = key,
		.endpoint = ep,
		.flags = FZ_PEER_F_UPDATE_ONLY,
	};

	return fzk_set_peer(nl, ifindex, &u);
}

int fzk_del_peer(struct fzk_nl *nl, uint32_t ifindex,
		 const uint8_t key[FZ_KEY_LEN])
{
	return fzk_request(
		nl, fzk_msg_del_peer(fzk_nl_family(nl), ifindex, key), false);
}

int fzk_set_keypair(struct fzk_nl *nl, uint32_t ifindex,
		    const uint8_t key[FZ_KEY_LEN], uint8_t slot,
		    const struct wg_noise_keys *keys)
{
	return fzk_request(nl,
			   fzk_msg_set_keypair(fzk_nl_family(nl), ifindex, key,
					       slot, keys),
			   true);
}

int fzk_send_handshake(struct fzk_nl *nl, uint32_t ifindex, const uint8_t *key,
		       const struct sockaddr_storage *ep, const uint8_t *packet,
		       size_t len)
{
	return fzk_request(nl,
			   fzk_msg_send_handshake(fzk_nl_family(nl), ifindex,
						  key, ep, packet, len),
			   false);
}
