/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Events of the FZ_MCGRP_EVENTS group, parsed. A pure parser over one
 * netlink message, so that it can be tested on messages built in memory;
 * the daemon owns the socket.
 */
#ifndef FZ_AGENT_EVENT_H
#define FZ_AGENT_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <linux/fz.h>

struct nlmsghdr;

struct fzk_event {
	uint8_t cmd; /* FZ_CMD_EVT_* */
	uint32_t ifindex;
	/* EVT_HANDSHAKE: a whole message, pointing into the netlink one. */
	const uint8_t *packet;
	size_t packet_len;
	bool has_endpoint;
	struct sockaddr_storage endpoint;
	/* EVT_HANDSHAKE_NEEDED, EVT_PEER_QUIET. */
	bool has_peer;
	uint8_t peer_key[FZ_KEY_LEN];
	uint32_t reason; /* enum fzk_event_reason */
	/* EVT_CONTROL: packet (header + JSON, not checked here) and peer. */
	/* EVT_DENIED_FLOW: peer, reason and the flow. */
	/* EVT_UNKNOWN_DEST: the flow of the first packet held (no peer). */
	struct fzk_event_flow {
		uint8_t proto; /* IP protocol number */
		uint16_t family; /* AF_INET or AF_INET6 */
		uint8_t saddr[16], daddr[16]; /* network order */
		bool has_ports; /* tcp and udp */
		uint16_t sport, dport; /* host order */
	} flow;
};

/*
 * Returns 0 for an event this agent handles (HANDSHAKE, HANDSHAKE_NEEDED,
 * PEER_QUIET, CONTROL, DENIED_FLOW, UNKNOWN_DEST) with everything it needs present; -ENOMSG for a message of
 * another family or command, to be ignored; -EINVAL if malformed.
 */
int fzk_event_parse(const struct nlmsghdr *nlh, int family,
		    struct fzk_event *ev);

/*
 * After the event socket overflowed (ENOBUFS), events were lost, and a
 * HANDSHAKE_NEEDED among them leaves a peer without keys until fz.ko
 * asks again. Judged from the peer as a dump shows it, at real time
 * now_ns: FZK_RESYNC_REKEY when the current session is ours and older than
 * rekey_after_ns (its rekey request may be lost); FZK_RESYNC_KEEPALIVE when
 * it has no session but a persistent keepalive, which WireGuard keeps up
 * anyway; FZK_RESYNC_NONE otherwise, and always without an endpoint. Lost
 * handshake messages need nothing: peers and our own retry timers send
 * them again.
 */
#define FZK_EVENT_REKEY_AFTER_NS (120ULL * 1000000000ULL)
enum fzk_event_resync {
	FZK_RESYNC_NONE,
	FZK_RESYNC_REKEY,
	FZK_RESYNC_KEEPALIVE
};
struct fzk_peer_view;
enum fzk_event_resync fzk_event_resync_need(const struct fzk_peer_view *p,
					    uint64_t now_ns,
					    uint64_t rekey_after_ns);

#endif /* FZ_AGENT_EVENT_H */
