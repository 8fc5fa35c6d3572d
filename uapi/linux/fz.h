/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * fz: the generic netlink ABI between fz.ko and fzagent.
 *
 * This header is the only contract between the kernel and userspace. It is
 * designed whole: commands whose handlers arrive in later releases are
 * already numbered here so the numbering never changes. A kernel that does
 * not implement a command yet answers -EOPNOTSUPP.
 *
 * Conventions
 *  - Family name FZ_GENL_NAME, version FZ_GENL_VERSION. Requests carrying a
 *    different version in their genlmsghdr are refused with -EPROTONOSUPPORT.
 *  - Every command is validated strictly against its own policy: unknown
 *    attributes, attributes the command does not take, wrong lengths and
 *    wrong types are -EINVAL (-ERANGE for a key or other exact-length
 *    binary of the wrong size), with an extended ack message naming the
 *    attribute. A request that fails changes nothing.
 *  - Every command needs CAP_NET_ADMIN in the user namespace owning the
 *    network namespace the device lives in. Devices are named by
 *    FZ_A_IFINDEX or FZ_A_IFNAME in the requesting socket's namespace.
 *  - Flag words: a bit the kernel does not know is refused with -EOPNOTSUPP,
 *    so new bits can be added safely.
 *  - Keys are exactly FZ_KEY_LEN bytes. Static private keys never cross this
 *    interface: fzagent runs the Noise handshake and installs session keys.
 *  - Times are in nanoseconds since the Unix epoch (u64) unless noted.
 *  - GET_DEVICE is a dump (NLM_F_DUMP) of one device and may span several
 *    messages. The first carries the device attributes (FZ_A_IFINDEX,
 *    FZ_A_IFNAME, FZ_A_PUBLIC_KEY if set, FZ_A_LISTEN_PORT, FZ_A_FWMARK,
 *    FZ_A_GENERATION, FZ_A_STATS); every message carries FZ_A_IFINDEX and
 *    the next peers in FZ_A_PEERS, one nest per peer (nest type ignored), a
 *    peer never split. A dump that raced a change carries NLM_F_DUMP_INTR
 *    on a message and must be retried.
 *  - Asynchronous events go to the FZ_MCGRP_EVENTS multicast group of the
 *    device's network namespace; each carries FZ_A_IFINDEX.
 *
 * Gateway (every command names the client with FZ_A_PEER, which must hold
 * FZ_PEER_A_PUBLIC_KEY only)
 *  - SET_PEER with FZ_PEER_F_GATEWAY_CLIENT makes the peer a client of this
 *    gateway: default deny applies to what it sends and what it is sent,
 *    for as long as the peer exists (the flag cannot be cleared). The first
 *    such peer turns on conntrack and the mapped-IP NAT hooks in the
 *    device's namespace, and the device can no longer change namespaces.
 *  - A client may send to its resources (SET_RESOURCE: FZ_A_RESOURCE with
 *    ID, ADDRS, FILTERS, EXPIRES, FLAGS; same ID replaces), and to the
 *    device's own addresses only what the gateway serves there: ICMP echo
 *    requests and TCP/UDP to FZ_GATEWAY_DNS_PORT (anything else there is
 *    denied as FILTERED). Destinations in 100.64.0.0/11 and
 *    fd00:2021:1111::/107 are refused. An ICMP error passes either way
 *    (but from the gateway itself) only if conntrack relates it to a flow
 *    and the packet it quotes is one the policy lets through now. A
 *    later fragment is judged with its datagram, once conntrack has
 *    reassembled it. A packet of a flow that
 *    the mapped-IP translation bound to a real address passes only while
 *    the client's map still leads that mapped IP to that address: after
 *    a revoke, expiry, map change or re-pointed mapped IP its conntrack
 *    entry is dropped (counted as DENIED_NO_MAPPING) and the next packet
 *    starts a new flow, judged anew. SET_DNS_MAP binds a mapped IP the
 *    client chose to a real address (FZ_MAP_A_RESOURCE_ID, FZ_MAP_A_MAPPED,
 *    FZ_MAP_A_REAL, one per request) for one of its DNS resources
 *    (FZ_RES_F_DNS). A real address must be one remote unicast host:
 *    unspecified, loopback, link-local, multicast, broadcast and IPv4-
 *    mapped addresses, 100.64.0.0/10, fd00:2021:1111::/48 and the
 *    gateway's own addresses are refused (-EINVAL). A mapped IP belongs
 *    to the resource its map names, so a wildcard resource with many
 *    names needs no address list. A DNS
 *    resource's ADDRS (optional) cover mapped IPs that have no map yet. DEL_RESOURCE (ID only) also
 *    drops its maps; DEL_DNS_MAP takes FZ_MAP_A_MAPPED or
 *    FZ_MAP_A_RESOURCE_ID (all of that resource's maps).
 *  - Denied packets are answered with ICMP administratively prohibited,
 *    counted per reason (FZ_STAT_A_DENIED_*) and sampled as
 *    EVT_DENIED_FLOW { FZ_A_PEER, FZ_A_REASON, FZ_A_FLOW }.
 *  - The dump lists a client's resources as ID, FLAGS and EXPIRES only.
 *
 * Per-peer drops
 *  - A dumped peer's FZ_PEER_A_DROPS holds the drop counters (enum
 *    fz_stat_attr, only those not zero) of packets from or to that peer:
 *    from it DROP_BAD_AUTH, DROP_REPLAY, DROP_MALFORMED, DROP_BAD_SOURCE,
 *    DROP_CONTROL(_RATELIMITED), DROP_DENIED with DENIED_* but RETURN; to
 *    it DROP_NO_KEY (waiting for a session, overflowed), DENIED_RETURN and
 *    DROP_MALFORMED (not IP).
 *    They add to the device's, which also counts what no peer owns. A
 *    packet is charged to a peer by its receiver index before it is
 *    authenticated, so anyone who copies a peer's packets can raise its
 *    DROP_BAD_AUTH and DROP_REPLAY: read those as "under attack", not
 *    as "misbehaving".
 *
 * Client: packets for destinations no peer routes
 *  - With FZ_A_HOLD set to 1 (SET_DEVICE; dumped), a packet that no
 *    peer's allowed IPs route is held instead of being answered with
 *    ICMP unreachable, and the first packet held for its destination
 *    raises EVT_UNKNOWN_DEST { FZ_A_FLOW } (one event per destination
 *    until its packets leave). At most 64 destinations and 16 packets
 *    each (4 MiB in all) are held, for 10 seconds; past a bound a packet
 *    is dropped (DROP_HOLD_FULL), at the end of the time they are
 *    (DROP_HOLD_TIMEOUT). A destination that finds all 64 places taken
 *    is still announced (at most 10 such events a second), so that the
 *    agent can ask for it while its packets are dropped.
 *  - Once a SET_PEER gives a peer allowed IPs that route a held
 *    destination, its packets are sent through that peer in order
 *    (HELD_SENT), waiting for its session as any packet would.
 *  - DROP_HELD { FZ_A_FLOW with FZ_FLOW_A_DADDR }: the agent could not
 *    get the destination; its packets are answered with ICMP
 *    administratively prohibited and dropped (DROP_HOLD_REFUSED).
 *    Destinations with nothing held are not an error.
 *  - Turning FZ_A_HOLD off, or the device going down, drops what is held.
 *  - With FZ_A_HOLD on, an ICMP "administratively prohibited" (ICMP
 *    type 3 code 13, ICMPv6 type 1 code 1) that a peer sends through the
 *    tunnel from a tunnel-range address (the gateway itself, not a
 *    resource behind it) says the gateway's policy refused a packet of
 *    ours: it is counted (PEER_PROHIBITED), passed to the stack as usual,
 *    and raises EVT_DENIED_FLOW { FZ_A_PEER, FZ_A_REASON PEER_PROHIBITED,
 *    FZ_A_FLOW the packet it quotes }, at most 10 such events a second
 *    per peer.
 *
 * p2p control packets
 *  - SEND_CONTROL { FZ_A_PEER, FZ_A_PACKET }: the 8-byte header and JSON;
 *    the kernel wraps them in IPv6 :: -> ::, next header 0xFF, hop limit
 *    0, and sends them through the tunnel (queued like data if no session
 *    key is ready).
 *  - Such packets from a peer are never given to the stack: they arrive as
 *    EVT_CONTROL { FZ_A_PEER, FZ_A_PACKET } with the IPv6 header removed;
 *    ones from another source than ::, shorter than 8 or longer than
 *    FZ_MAX_CONTROL_PAYLOAD bytes are dropped and counted
 *    (FZ_STAT_A_DROP_CONTROL). Each peer may send a burst of 50, then
 *    20 a second; the rest are dropped and counted
 *    (FZ_STAT_A_DROP_CONTROL_RATELIMITED).
 */
#ifndef _UAPI_LINUX_FZ_H
#define _UAPI_LINUX_FZ_H

#include <linux/types.h>

#define FZ_GENL_NAME "fz"
#define FZ_GENL_VERSION 1
#define FZ_MCGRP_EVENTS "events"
#define FZ_LINK_KIND "fz"

#define FZ_KEY_LEN 32
#define FZ_RESOURCE_ID_LEN 16 /* a UUID, as the portal names resources */

/*
 * Firezone's address plan, the one definition fz.ko and fzagent share.
 * Each range is given as an initializer of its first address's bytes
 * (network order, the rest zero), its prefix length, and its text form.
 *   TUNNEL: the tunnel addresses of clients and gateways
 *   MAPPED: the proxy IPs a client maps DNS resources to
 *   ALL:    every Firezone range: tunnel, mapped and the DNS sentinels
 */
#define FZ_RANGE_TUNNEL_V4 { 100, 64 }
#define FZ_RANGE_TUNNEL_V4_LEN 11
#define FZ_RANGE_TUNNEL_V4_TEXT "100.64.0.0/11"
#define FZ_RANGE_TUNNEL_V6 { 0xfd, 0x00, 0x20, 0x21, 0x11, 0x11 }
#define FZ_RANGE_TUNNEL_V6_LEN 107
#define FZ_RANGE_TUNNEL_V6_TEXT "fd00:2021:1111::/107"
#define FZ_RANGE_MAPPED_V4 { 100, 96 }
#define FZ_RANGE_MAPPED_V4_LEN 11
#define FZ_RANGE_MAPPED_V4_TEXT "100.96.0.0/11"
#define FZ_RANGE_MAPPED_V6 { 0xfd, 0x00, 0x20, 0x21, 0x11, 0x11, 0x80, 0x00 }
#define FZ_RANGE_MAPPED_V6_LEN 107
#define FZ_RANGE_MAPPED_V6_TEXT "fd00:2021:1111:8000::/107"
#define FZ_RANGE_ALL_V4 { 100, 64 }
#define FZ_RANGE_ALL_V4_LEN 10
#define FZ_RANGE_ALL_V4_TEXT "100.64.0.0/10"
#define FZ_RANGE_ALL_V6 { 0xfd, 0x00, 0x20, 0x21, 0x11, 0x11 }
#define FZ_RANGE_ALL_V6_LEN 48
#define FZ_RANGE_ALL_V6_TEXT "fd00:2021:1111::/48"

/* Bounds the kernel enforces, so userspace can check before it asks. */
#define FZ_MAX_HANDSHAKE_PACKET 148 /* largest handshake message (type 1) */
#define FZ_MAX_CONTROL_PAYLOAD 1024 /* p2p control: header + JSON */
/* What a gateway's DNS forwarder listens on, at its tunnel addresses. */
#define FZ_GATEWAY_DNS_PORT 53535
#define FZ_MAX_ALLOWEDIPS 64 /* per peer, so a peer fits one dump message */
#define FZ_MAX_RESOURCES 128 /* authorized resources per client peer */
#define FZ_MAX_RESOURCE_ADDRS 8 /* prefixes (or mapped IPs) per resource */
#define FZ_MAX_FILTERS 16 /* filters per resource */
#define FZ_MAX_DNS_MAPS 4096 /* mapped IPs per client peer */

enum fz_cmd {
	FZ_CMD_UNSPEC,

	/* Configuration (request -> reply). */
	FZ_CMD_GET_DEVICE, /* dump: device, then its peers */
	FZ_CMD_SET_DEVICE, /* public key, listen port, fwmark, flags */
	FZ_CMD_SET_PEER, /* add or update one peer (FZ_A_PEER) */
	FZ_CMD_DEL_PEER, /* remove one peer (FZ_A_PEER with its key) */
	FZ_CMD_SET_KEYPAIR, /* install a session keypair for a peer */
	FZ_CMD_DEL_KEYPAIRS, /* drop all session keys of a peer */
	FZ_CMD_SEND_HANDSHAKE, /* send a handshake message to an endpoint */
	FZ_CMD_SET_RESOURCE, /* authorize a resource for a client peer */
	FZ_CMD_DEL_RESOURCE, /* revoke it */
	FZ_CMD_SET_DNS_MAP, /* mapped IP -> real IP for a peer's resource */
	FZ_CMD_DEL_DNS_MAP,
	FZ_CMD_SEND_CONTROL, /* a p2p control packet into the tunnel */

	/* Events (kernel -> FZ_MCGRP_EVENTS). */
	FZ_CMD_EVT_HANDSHAKE, /* a handshake message whose mac1 verified */
	FZ_CMD_EVT_HANDSHAKE_NEEDED, /* data queued or rekey due */
	FZ_CMD_EVT_PEER_QUIET, /* nothing heard within the keepalive limit */
	FZ_CMD_EVT_UNKNOWN_DEST, /* client: packet for no known peer */
	FZ_CMD_EVT_DENIED_FLOW, /* gateway: a sampled default-deny drop */
	FZ_CMD_EVT_CONTROL, /* a p2p control packet from a peer */

	/* Configuration added later (request -> reply). */
	FZ_CMD_DROP_HELD, /* client: refuse the packets held for a destination */

	__FZ_CMD_MAX
};

#define FZ_CMD_MAX (__FZ_CMD_MAX - 1)

/* Top-level attributes, used by every command. */
enum fz_attr {
	FZ_A_UNSPEC,
	FZ_A_IFINDEX, /* u32 */
	FZ_A_IFNAME, /* NUL-terminated string, < IFNAMSIZ */
	FZ_A_PUBLIC_KEY, /* FZ_KEY_LEN: the device's static public key */
	FZ_A_LISTEN_PORT, /* u16, host order; 0 = choose one */
	FZ_A_FWMARK, /* u32 */
	FZ_A_FLAGS, /* u32, enum fz_device_flag */
	FZ_A_PEERS, /* nest of FZ_A_PEER entries (dump) */
	FZ_A_PEER, /* nest, enum fz_peer_attr (single-peer commands) */
	FZ_A_STATS, /* nest, enum fz_stat_attr (dump) */
	FZ_A_ENDPOINT, /* struct sockaddr_in or sockaddr_in6 */
	FZ_A_PACKET, /* binary: handshake or control message */
	FZ_A_KEYPAIR, /* nest, enum fz_keypair_attr */
	FZ_A_RESOURCE, /* nest, enum fz_resource_attr */
	FZ_A_DNS_MAP, /* nest, enum fz_dns_map_attr */
	FZ_A_FLOW, /* nest, enum fz_flow_attr (events) */
	FZ_A_REASON, /* u32, enum fz_event_reason (events) */
	FZ_A_GENERATION, /* u32: bumped by every configuration change */
	FZ_A_PAD,
	FZ_A_HOLD, /* u8, 0 or 1: client: hold packets for unknown destinations */
	__FZ_A_MAX
};

#define FZ_A_MAX (__FZ_A_MAX - 1)

enum fz_device_flag {
	FZ_DEVICE_F_REPLACE_PEERS = 1U << 0, /* SET_DEVICE: drop every peer */
	FZ_DEVICE_F_REMOVE_FWMARK = 1U << 1,
	__FZ_DEVICE_F_ALL = FZ_DEVICE_F_REPLACE_PEERS | FZ_DEVICE_F_REMOVE_FWMARK
};

enum fz_peer_attr {
	FZ_PEER_A_UNSPEC,
	FZ_PEER_A_PUBLIC_KEY, /* FZ_KEY_LEN, required: names the peer */
	FZ_PEER_A_FLAGS, /* u32, enum fz_peer_flag */
	FZ_PEER_A_ENDPOINT, /* struct sockaddr_in or sockaddr_in6 */
	FZ_PEER_A_PERSISTENT_KEEPALIVE, /* u16 seconds, 0 = off */
	FZ_PEER_A_ALLOWEDIPS, /* nest of nests, enum fz_allowedip_attr */
	FZ_PEER_A_RX_BYTES, /* u64 */
	FZ_PEER_A_TX_BYTES, /* u64 */
	FZ_PEER_A_LAST_HANDSHAKE, /* u64 ns since epoch, 0 = never */
	FZ_PEER_A_LAST_RX, /* u64 ns since epoch, 0 = never */
	FZ_PEER_A_KEYPAIRS, /* nest of nests, enum fz_keypair_attr (dump) */
	FZ_PEER_A_RESOURCES, /* nest of nests, enum fz_resource_attr (dump) */
	FZ_PEER_A_DROPS, /* nest, enum fz_stat_attr: see below (dump) */
	FZ_PEER_A_PAD,
	/*
	 * u16 seconds, 0 = WireGuard's 15 s (plus jitter): raise
	 * FZ_CMD_EVT_PEER_QUIET when data was sent and nothing authenticated
	 * came back for this long. A client sets 10 on its gateways.
	 */
	FZ_PEER_A_QUIET_TIMEOUT,
	__FZ_PEER_A_MAX
};

#define FZ_PEER_A_MAX (__FZ_PEER_A_MAX - 1)
#define FZ_QUIET_TIMEOUT_MAX 3600 /* seconds */

enum fz_peer_flag {
	FZ_PEER_F_REPLACE_ALLOWEDIPS = 1U << 0,
	FZ_PEER_F_UPDATE_ONLY = 1U << 1, /* fail with -ENOENT if new */
	FZ_PEER_F_REMOVE_ENDPOINT = 1U << 2,
	FZ_PEER_F_GATEWAY_CLIENT = 1U << 3, /* default-deny filters apply */
	__FZ_PEER_F_ALL = FZ_PEER_F_REPLACE_ALLOWEDIPS | FZ_PEER_F_UPDATE_ONLY |
			  FZ_PEER_F_REMOVE_ENDPOINT | FZ_PEER_F_GATEWAY_CLIENT
};

/* An IP prefix: allowed IPs, resource CIDRs, mapped and real addresses. */
enum fz_allowedip_attr {
	FZ_AIP_A_UNSPEC,
	FZ_AIP_A_FAMILY, /* u16: AF_INET or AF_INET6 */
	FZ_AIP_A_ADDR, /* 4 or 16 bytes, network order */
	FZ_AIP_A_CIDR, /* u8: prefix length, <= 32 or 128 */
	__FZ_AIP_A_MAX
};

#define FZ_AIP_A_MAX (__FZ_AIP_A_MAX - 1)

enum fz_keypair_slot {
	FZ_KEYPAIR_NEXT, /* responder: becomes current on first data */
	FZ_KEYPAIR_CURRENT, /* initiator: usable at once */
	FZ_KEYPAIR_SLOT_MAX = FZ_KEYPAIR_CURRENT
};

enum fz_keypair_attr {
	FZ_KP_A_UNSPEC,
	FZ_KP_A_SLOT, /* u8, enum fz_keypair_slot */
	FZ_KP_A_LOCAL_INDEX, /* u32: our receiver index */
	FZ_KP_A_REMOTE_INDEX, /* u32: the peer's receiver index */
	FZ_KP_A_SEND_KEY, /* FZ_KEY_LEN, write only */
	FZ_KP_A_RECV_KEY, /* FZ_KEY_LEN, write only */
	FZ_KP_A_FLAGS, /* u32, enum fz_keypair_flag */
	FZ_KP_A_CREATED, /* u64 ns since epoch (dump) */
	FZ_KP_A_TX_COUNTER, /* u64 (dump) */
	FZ_KP_A_PAD,
	/*
	 * u32, optional: size of the handshake message from the peer that
	 * made this keypair. The kernel cannot tell which peer a handshake
	 * came from, so the agent says, and the peer's rx counter includes
	 * handshakes as WireGuard's does. Handshakes the agent sends through
	 * SEND_HANDSHAKE with FZ_A_PEER count in the tx counter.
	 */
	FZ_KP_A_RX_HANDSHAKE_BYTES,
	__FZ_KP_A_MAX
};

#define FZ_KP_A_MAX (__FZ_KP_A_MAX - 1)

enum fz_keypair_flag {
	FZ_KEYPAIR_F_INITIATOR = 1U << 0, /* we initiated this handshake */
	__FZ_KEYPAIR_F_ALL = FZ_KEYPAIR_F_INITIATOR
};

enum fz_resource_attr {
	FZ_RES_A_UNSPEC,
	FZ_RES_A_ID, /* FZ_RESOURCE_ID_LEN bytes */
	FZ_RES_A_ADDRS, /* nest of FZ_AIP_A_* nests: CIDRs or mapped IPs */
	FZ_RES_A_FILTERS, /* nest of nests, enum fz_filter_attr; none = all */
	FZ_RES_A_EXPIRES, /* u64 ns of CLOCK_BOOTTIME; 0 = no expiry */
	FZ_RES_A_FLAGS, /* u32, enum fz_resource_flag */
	FZ_RES_A_PAD,
	__FZ_RES_A_MAX
};

#define FZ_RES_A_MAX (__FZ_RES_A_MAX - 1)

enum fz_resource_flag {
	FZ_RES_F_DNS = 1U << 0, /* addresses are mapped IPs (DNS resource) */
	__FZ_RES_F_ALL = FZ_RES_F_DNS
};

enum fz_filter_proto {
	FZ_FILTER_TCP = 6,
	FZ_FILTER_UDP = 17,
	FZ_FILTER_ICMP = 1, /* ICMP for IPv4 and ICMPv6 (58) for IPv6 */
};

enum fz_filter_attr {
	FZ_FILTER_A_UNSPEC,
	FZ_FILTER_A_PROTO, /* u8, enum fz_filter_proto */
	FZ_FILTER_A_PORT_START, /* u16, host order (tcp/udp) */
	FZ_FILTER_A_PORT_END, /* u16, host order, >= start */
	__FZ_FILTER_A_MAX
};

#define FZ_FILTER_A_MAX (__FZ_FILTER_A_MAX - 1)

enum fz_dns_map_attr {
	FZ_MAP_A_UNSPEC,
	FZ_MAP_A_RESOURCE_ID, /* FZ_RESOURCE_ID_LEN bytes */
	FZ_MAP_A_MAPPED, /* nest, FZ_AIP_A_* (full-length prefix) */
	FZ_MAP_A_REAL, /* nest, FZ_AIP_A_* (full-length prefix) */
	__FZ_MAP_A_MAX
};

#define FZ_MAP_A_MAX (__FZ_MAP_A_MAX - 1)

/* A flow in an event: the inner packet's 5-tuple. */
enum fz_flow_attr {
	FZ_FLOW_A_UNSPEC,
	FZ_FLOW_A_PROTO, /* u8: IP protocol number */
	FZ_FLOW_A_SADDR, /* 4 or 16 bytes */
	FZ_FLOW_A_DADDR, /* 4 or 16 bytes */
	FZ_FLOW_A_SPORT, /* u16, host order (tcp/udp) */
	FZ_FLOW_A_DPORT, /* u16, host order (tcp/udp) */
	__FZ_FLOW_A_MAX
};

#define FZ_FLOW_A_MAX (__FZ_FLOW_A_MAX - 1)

/* Why an event was raised, or why packets were dropped. */
enum fz_event_reason {
	FZ_REASON_NONE,
	FZ_REASON_QUEUED_DATA, /* HANDSHAKE_NEEDED: packets wait for keys */
	FZ_REASON_REKEY_TIME, /* HANDSHAKE_NEEDED: keys too old */
	FZ_REASON_REKEY_MESSAGES, /* HANDSHAKE_NEEDED: counter too high */
	FZ_REASON_NOT_AUTHORIZED, /* DENIED_FLOW: no resource matches */
	FZ_REASON_FILTERED, /* DENIED_FLOW: a resource, not this port */
	FZ_REASON_EXPIRED, /* DENIED_FLOW: authorization has expired */
	FZ_REASON_CLIENT_TO_CLIENT, /* DENIED_FLOW: tunnel range destination */
	FZ_REASON_PEER_PROHIBITED, /* DENIED_FLOW, client: the peer refused */
	__FZ_REASON_MAX
};

/* Counters, device-wide (FZ_A_STATS) or per peer (FZ_PEER_A_DROPS). */
enum fz_stat_attr {
	FZ_STAT_A_UNSPEC,
	FZ_STAT_A_RX_PACKETS, /* u64 */
	FZ_STAT_A_RX_BYTES, /* u64 */
	FZ_STAT_A_TX_PACKETS, /* u64 */
	FZ_STAT_A_TX_BYTES, /* u64 */
	/* u64: handshakes killed in the kernel: a bad mac1, or a cookie reply
	 * to no initiation or response of ours of the last 10 s
	 */
	FZ_STAT_A_DROP_BAD_MAC1,
	FZ_STAT_A_DROP_RATELIMITED, /* u64 */
	FZ_STAT_A_DROP_BAD_AUTH, /* u64: data failing Poly1305 */
	FZ_STAT_A_DROP_REPLAY, /* u64 */
	FZ_STAT_A_DROP_NO_KEY, /* u64: unknown receiver index */
	FZ_STAT_A_DROP_BAD_SOURCE, /* u64: inner source not allowed */
	FZ_STAT_A_DROP_NO_PEER, /* u64: outgoing, no route */
	FZ_STAT_A_DROP_MALFORMED, /* u64 */
	FZ_STAT_A_DROP_DENIED, /* u64: default deny */
	FZ_STAT_A_DROP_CONTROL, /* u64: bad p2p control packets */
	FZ_STAT_A_COOKIES_SENT, /* u64 */
	FZ_STAT_A_PAD,
	/* Default-deny drops by reason; they add up to FZ_STAT_A_DROP_DENIED. */
	FZ_STAT_A_DENIED_NOT_AUTHORIZED, /* u64 */
	FZ_STAT_A_DENIED_FILTERED, /* u64 */
	FZ_STAT_A_DENIED_EXPIRED, /* u64 */
	FZ_STAT_A_DENIED_CLIENT_TO_CLIENT, /* u64 */
	FZ_STAT_A_DENIED_RETURN, /* u64: to a client, not from its resources */
	FZ_STAT_A_DENIED_NO_MAPPING, /* u64: mapped IP not (or no longer) mapped */
	FZ_STAT_A_DROP_CONTROL_RATELIMITED, /* u64: control over 20/s a peer */
	/* Client, packets for destinations no peer routes (FZ_A_HOLD). */
	FZ_STAT_A_HELD, /* u64: held while the agent asks for a peer */
	FZ_STAT_A_HELD_SENT, /* u64: sent once a peer routed them */
	FZ_STAT_A_DROP_HOLD_FULL, /* u64: not held: a bound was reached */
	FZ_STAT_A_DROP_HOLD_TIMEOUT, /* u64: no peer in time, or held when off */
	FZ_STAT_A_DROP_HOLD_REFUSED, /* u64: DROP_HELD: the agent gave up */
	FZ_STAT_A_PEER_PROHIBITED, /* u64: ICMP prohibited from a peer (HOLD) */
	__FZ_STAT_A_MAX
};

#define FZ_STAT_A_MAX (__FZ_STAT_A_MAX - 1)

#endif /* _UAPI_LINUX_FZ_H */
