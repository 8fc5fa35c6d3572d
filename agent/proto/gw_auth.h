/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The gateway's static authorizations file: which clients may connect
 * and which resources each may reach, until when. The same model the
 * portal will later send over signalling; until then an operator writes
 * it by hand, in the INI style of the config file (config.h):
 *
 *   [Resource]
 *   Name = gitlab                    required, unique, [A-Za-z0-9._-]+
 *   ID = 0b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c11   required, a unique UUID
 *   Type = dns                       dns | cidr | ip
 *   Address = gitlab.company.test    dns: a name, "*." / "**." allowed;
 *                                    cidr: 10.0.0.0/24; ip: one address
 *   Filters = tcp/80, udp/5000-5010, icmp     optional, at most 16
 *
 *   [Client]
 *   PublicKey = <base64>             required, unique
 *   PresharedKey = <base64>          optional (the file must then be 0600)
 *   TunnelIPs = 100.64.0.2, fd00:2021:1111::2   one IPv4 and/or one IPv6
 *   Authorize = gitlab until 2026-11-22T10:00:00Z   repeatable: Name or
 *                                    ID, optionally "until TIME" or
 *                                    "for SECONDS"
 *
 * Authorize may name resources defined later in the file. Parsing either
 * succeeds completely or fails with "PATH:LINE: message" in err.
 */
#ifndef FZ_AGENT_GW_AUTH_H
#define FZ_AGENT_GW_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/fz.h>

#include "lib/cidr.h"
#include "lib/filter.h"
#include "lib/resaddr.h"
#include "lib/values.h"

#include "gw_index.h"

#define PROTO_AUTH_NAME_MAX 63

/* lib/resaddr.h's types, under the names the gateway wing uses. */
enum proto_auth_resource_type {
	PROTO_AUTH_RES_DNS = FZ_RESADDR_DNS,
	PROTO_AUTH_RES_CIDR = FZ_RESADDR_CIDR,
	PROTO_AUTH_RES_IP = FZ_RESADDR_IP
};

struct proto_auth_resource {
	char name[PROTO_AUTH_NAME_MAX + 1];
	uint8_t id[FZ_RESOURCE_ID_LEN];
	enum proto_auth_resource_type type;
	char domain[FZ_DOMAIN_MAX + 1]; /* DNS, lower case */
	struct fz_cidr cidr; /* CIDR and IP (a full-length prefix) */
	struct fz_filter filters[FZ_MAX_FILTERS];
	size_t n_filters; /* 0: everything allowed */
	unsigned int line;
};

/* A client's authorization as written; resolved to indices after parsing. */
struct proto_auth_grant {
	size_t resource; /* index in proto_auth.resources */
	uint64_t expires_ns; /* since the epoch; 0: never */
	unsigned int line;
};

struct proto_auth_client {
	uint8_t public_key[FZ_KEY_LEN];
	bool has_preshared_key;
	uint8_t preshared_key[FZ_KEY_LEN];
	struct fz_cidr tunnel_ips[2]; /* full-length prefixes */
	size_t n_tunnel_ips;
	struct proto_auth_grant *grants;
	size_t n_grants;
	unsigned int line;
	/* The portal's id of the client (gw_portal.h); files have none. */
	bool has_portal_id;
	uint8_t portal_id[FZ_RESOURCE_ID_LEN];
};

struct proto_auth {
	struct proto_auth_resource *resources;
	size_t n_resources;
	struct proto_auth_client *clients;
	size_t n_clients;
	/* Every control packet, sync and portal message looks one up. */
	struct proto_auth_index index;
};

/* now_ns (realtime) turns "for SECONDS" into an expiry. */
int proto_auth_parse_file(const char *path, uint64_t now_ns,
			  struct proto_auth *out, char *err, size_t errlen);
/* Wipes the preshared keys; leaves *a all zero. */
void proto_auth_free(struct proto_auth *a);

const struct proto_auth_resource *
proto_auth_find_resource(const struct proto_auth *a, const char *name_or_id);

#endif /* FZ_AGENT_GW_AUTH_H */
