/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The proto wing (agent/proto/): what the roles speak with their peers
 * and the portal: the p2p control codec (this file), the resolver for DNS
 * resources (resolve.h) and the authorization model with its file format
 * (gw_auth.h). It may use fzk, conf, wg and lib, never a role.
 *
 * Firezone's peer-to-peer control messages, as fz.ko passes them between
 * the tunnel and the agent (FZ_CMD_EVT_CONTROL, FZ_CMD_SEND_CONTROL): the
 * kernel adds and strips the IPv6 header, so a packet here is an 8-byte
 * header and a JSON body.
 *
 *   byte 0      event: 0 AssignedIps, 1 DomainStatus, 2 Goodbye
 *   bytes 1..7  zero; anything else is refused, so that a future use of
 *               them is noticed rather than silently misread
 *   JSON        AssignedIps  {"resource": UUID, "domain": NAME,
 *                             "proxy_ips": [1..8 IPs]}
 *               DomainStatus {"resource": UUID, "domain": NAME,
 *                             "status": "Active" | "Inactive"}
 *               Goodbye      empty (a body is ignored)
 *
 * The decoder is strict: one JSON object of at most PROTO_P2P_MAX_DEPTH levels,
 * nothing after it but white space, every field present with its JSON
 * type (unknown fields are ignored, for newer peers), proxy IPs unique and
 * inside Firezone's mapped ranges 100.96.0.0/11 and
 * fd00:2021:1111:8000::/107. It never reads past len.
 */
#ifndef FZ_AGENT_P2P_H
#define FZ_AGENT_P2P_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/fz.h>

#include "lib/cidr.h"
#include "lib/values.h"

#define PROTO_P2P_HEADER_LEN 8
#define PROTO_P2P_MAX_PROXY_IPS 8
#define PROTO_P2P_MAX_DEPTH 4

enum proto_p2p_event {
	PROTO_P2P_ASSIGNED_IPS = 0,
	PROTO_P2P_DOMAIN_STATUS = 1,
	PROTO_P2P_GOODBYE = 2,
};

/* Why a control packet was dropped; also the gateway's drop counters. */
enum proto_p2p_drop {
	PROTO_P2P_OK,
	PROTO_P2P_DROP_TRUNCATED, /* shorter than the header */
	PROTO_P2P_DROP_OVERSIZED, /* longer than FZ_MAX_CONTROL_PAYLOAD */
	PROTO_P2P_DROP_BAD_HEADER, /* reserved header bytes not zero */
	PROTO_P2P_DROP_UNKNOWN_EVENT,
	PROTO_P2P_DROP_BAD_JSON, /* not one JSON object */
	PROTO_P2P_DROP_BAD_FIELD, /* missing, wrong type or invalid value */
	PROTO_P2P_DROP_BAD_PROXY_IP, /* not an IP, outside the ranges, repeated */
	/* Decoded fine, refused by the gateway: */
	PROTO_P2P_DROP_UNEXPECTED, /* an event a gateway does not take */
	PROTO_P2P_DROP_UNKNOWN_CLIENT, /* from a peer that is no client */
	PROTO_P2P_DROP_UNAUTHORIZED, /* resource not authorized for the client */
	PROTO_P2P_DROP_NOT_DNS, /* the resource is not a DNS resource */
	PROTO_P2P_DROP_DOMAIN_MISMATCH, /* the name is not the resource's */
	PROTO_P2P_DROP_TOO_MANY_LOOKUPS, /* the client's lookups fill its share */
	PROTO_P2P_DROP_MAX
};

struct proto_p2p_msg {
	enum proto_p2p_event event;
	uint8_t resource[FZ_RESOURCE_ID_LEN];
	char domain[FZ_DOMAIN_MAX + 1]; /* lower case, no trailing dot */
	struct fz_cidr proxy_ips[PROTO_P2P_MAX_PROXY_IPS]; /* full-length */
	size_t n_proxy_ips;
	bool active; /* DomainStatus */
};

/* A short name for logs: "bad JSON", "truncated", ... */
const char *proto_p2p_drop_name(enum proto_p2p_drop reason);

enum proto_p2p_drop proto_p2p_decode(const uint8_t *packet, size_t len,
				     struct proto_p2p_msg *out);

/*
 * Encoders write header and body into buf (FZ_MAX_CONTROL_PAYLOAD bytes
 * is always enough) and return the length, or -EINVAL / -ENOMEM.
 */
int proto_p2p_encode_domain_status(uint8_t *buf, size_t cap,
				   const uint8_t id[FZ_RESOURCE_ID_LEN],
				   const char *domain, bool active);
int proto_p2p_encode_assigned_ips(uint8_t *buf, size_t cap,
				  const uint8_t id[FZ_RESOURCE_ID_LEN],
				  const char *domain, const struct fz_cidr *ips,
				  size_t n);
int proto_p2p_encode_goodbye(uint8_t *buf, size_t cap);

#endif /* FZ_AGENT_P2P_H */
