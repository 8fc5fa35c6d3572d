/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The signalling messages between the portal and its gateways and
 * clients, as C structs, with one bounded json-c parser and one builder.
 * Frames are Phoenix-channel style:
 *
 *   {"topic":"client","event":"request_authorization",
 *    "payload":{...},"ref":"7"}                    ref: a string or null
 *
 * An event name alone does not say what a frame is ("init" and
 * "phx_join" differ for gateways and clients, "authorization_created"
 * for the two directions), so a parser is told the direction and the
 * peer's role. Each message's payload is described by one field table
 * in sig.c, as a netlink policy describes attributes: parser, builder
 * and free walk the same table, so they cannot disagree.
 *
 * Parsed strings point into the parsed JSON, which the message owns
 * until proto_sig_free(); arrays are allocated. Bounds, checked before
 * anything is read: at most PROTO_SIG_MAX_MSG bytes, nesting depth
 * PROTO_SIG_MAX_DEPTH, arrays of PROTO_SIG_MAX_ARRAY elements, strings
 * of PROTO_SIG_MAX_STRING bytes (without NULs), anywhere in the frame,
 * unknown members included; unknown members are otherwise ignored.
 */
#ifndef FZ_AGENT_PROTO_SIG_H
#define FZ_AGENT_PROTO_SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>
#include <linux/fz.h>

#include "lib/cidr.h"
#include "lib/filter.h"
#include "lib/resaddr.h"

#define PROTO_SIG_MAX_MSG (16 * 1024)
#define PROTO_SIG_MAX_DEPTH 8
#define PROTO_SIG_MAX_ARRAY 64
#define PROTO_SIG_MAX_STRING 1024
/* Unix seconds whose nanoseconds still fit fz.ko's clock (2262). */
#define PROTO_SIG_MAX_TIME ((int64_t)(INT64_MAX / 1000000000))

enum proto_sig_role { PROTO_SIG_GATEWAY, PROTO_SIG_CLIENT };
enum proto_sig_dir { PROTO_SIG_TO_PORTAL, PROTO_SIG_FROM_PORTAL };

enum proto_sig_kind {
	/* to the portal */
	PROTO_SIG_GATEWAY_JOIN, /* phx_join, topic "gateway" */
	PROTO_SIG_CLIENT_JOIN, /* phx_join, topic "client" */
	PROTO_SIG_HEARTBEAT, /* topic "phoenix", either role */
	PROTO_SIG_REQUEST_AUTHORIZATION, /* client */
	PROTO_SIG_AUTHORIZATION_ACK, /* gateway's authorization_created */
	/* from the portal */
	PROTO_SIG_REPLY, /* phx_reply, either role */
	PROTO_SIG_GATEWAY_INIT,
	PROTO_SIG_CREATE_AUTHORIZATION,
	PROTO_SIG_REJECT_ACCESS,
	PROTO_SIG_RESOURCE_UPDATED,
	PROTO_SIG_DISCONNECT,
	PROTO_SIG_CLIENT_INIT,
	PROTO_SIG_AUTHORIZATION_CREATED, /* to the client */
	PROTO_SIG_AUTHORIZATION_CREATION_FAILED,
	PROTO_SIG_RESOURCE_CREATED_OR_UPDATED,
	PROTO_SIG_RESOURCE_DELETED,
	/*
	 * Either role, empty payload: the init is complete. An init holds
	 * what fits one message; the rest follows as pushes
	 * (create_authorization, resource_created_or_updated), and only
	 * after init_done is the set the portal's whole truth.
	 */
	PROTO_SIG_INIT_DONE,
	PROTO_SIG_KIND_COUNT
};

/* A UUID as canonical text (lower case), as the portal stores ids. */
struct proto_sig_id {
	char s[37];
};

/* "1.2.3.4:51820" or "[fd00::1]:51820". */
struct proto_sig_endpoint {
	struct fz_cidr ip; /* a full-length prefix */
	uint16_t port; /* 1..65535 */
};

struct proto_sig_gateway_join {
	uint8_t public_key[FZ_KEY_LEN];
	uint16_t listen_port;
	struct proto_sig_endpoint *endpoints;
	size_t n_endpoints;
	const char *name;
	const char *version;
};

struct proto_sig_client_join {
	uint8_t public_key[FZ_KEY_LEN];
	const char *name;
	const char *version;
};

struct proto_sig_request_authorization {
	struct proto_sig_id resource_id;
	struct proto_sig_id *connected_gateway_ids;
	size_t n_connected_gateway_ids;
	struct proto_sig_id *failed_gateway_ids;
	size_t n_failed_gateway_ids;
};

/* The gateway's "authorization_created": ref is the authorization's id. */
struct proto_sig_authorization_ack {
	struct proto_sig_id ref;
};

enum proto_sig_status { PROTO_SIG_OK, PROTO_SIG_ERROR };

/* phx_reply: {"status":"ok"|"error","response":{"reason":...}}. */
struct proto_sig_reply {
	enum proto_sig_status status;
	const char *reason; /* NULL: none */
};

/* Gateways get ipv4 and ipv6 only. */
struct proto_sig_interface {
	struct fz_cidr ipv4, ipv6; /* full-length prefixes */
	struct fz_cidr *upstream_dns; /* addresses, either family */
	size_t n_upstream_dns;
	const char *search_domain; /* NULL: none */
};

struct proto_sig_site {
	struct proto_sig_id id;
	const char *name;
};

/*
 * A resource as a client sees it; a gateway's lacks the description and
 * sites. The address is checked against the type (lib/resaddr.h).
 */
struct proto_sig_resource {
	struct proto_sig_id id;
	const char *name;
	enum fz_resaddr_type type;
	const char *address;
	const char *address_description; /* NULL: none */
	struct proto_sig_site *sites;
	size_t n_sites;
	struct fz_filter filters[FZ_MAX_FILTERS];
	size_t n_filters; /* 0: everything allowed */
};

/* The client as a gateway sees it. */
struct proto_sig_peer {
	struct proto_sig_id id;
	uint8_t public_key[FZ_KEY_LEN];
	uint8_t preshared_key[FZ_KEY_LEN];
	struct fz_cidr ipv4, ipv6;
};

/* create_authorization, and each of a gateway init's (without ref). */
struct proto_sig_authorization {
	struct proto_sig_id ref; /* the authorization's id */
	struct proto_sig_peer client;
	struct proto_sig_resource resource;
	int64_t expires_at; /* unix seconds */
};

struct proto_sig_gateway_init {
	struct proto_sig_interface interface;
	struct proto_sig_authorization *authorizations;
	size_t n_authorizations;
};

struct proto_sig_reject_access {
	struct proto_sig_id client_id;
	struct proto_sig_id resource_id;
};

struct proto_sig_resource_updated {
	struct proto_sig_id id;
	struct fz_filter filters[FZ_MAX_FILTERS];
	size_t n_filters;
};

struct proto_sig_disconnect {
	const char *reason;
};

struct proto_sig_client_init {
	struct proto_sig_interface interface;
	struct proto_sig_resource *resources;
	size_t n_resources;
};

struct proto_sig_authorization_created {
	struct proto_sig_id resource_id;
	struct proto_sig_id gateway_id;
	uint8_t gateway_public_key[FZ_KEY_LEN];
	struct proto_sig_endpoint *gateway_endpoints;
	size_t n_gateway_endpoints;
	struct fz_cidr gateway_ipv4, gateway_ipv6;
	struct proto_sig_id site_id;
	uint8_t preshared_key[FZ_KEY_LEN];
	int64_t expires_at; /* unix seconds */
};

enum proto_sig_fail_reason {
	PROTO_SIG_NOT_FOUND,
	PROTO_SIG_FORBIDDEN,
	PROTO_SIG_OFFLINE
};

struct proto_sig_authorization_creation_failed {
	struct proto_sig_id resource_id;
	enum proto_sig_fail_reason reason;
};

struct proto_sig_resource_deleted {
	struct proto_sig_id id;
};

struct proto_sig_msg {
	enum proto_sig_kind kind;
	const char *topic; /* building: NULL for the kind's usual topic */
	const char *ref; /* NULL: null */
	union {
		struct proto_sig_gateway_join gateway_join;
		struct proto_sig_client_join client_join;
		struct proto_sig_request_authorization request_authorization;
		struct proto_sig_authorization_ack authorization_ack;
		struct proto_sig_reply reply;
		struct proto_sig_gateway_init gateway_init;
		struct proto_sig_authorization create_authorization;
		struct proto_sig_reject_access reject_access;
		struct proto_sig_resource_updated resource_updated;
		struct proto_sig_disconnect disconnect;
		struct proto_sig_client_init client_init;
		struct proto_sig_authorization_created authorization_created;
		struct proto_sig_authorization_creation_failed
			authorization_creation_failed;
		struct proto_sig_resource resource_created_or_updated;
		struct proto_sig_resource_deleted resource_deleted;
	};
	json_object *root; /* a parsed message's: owns its strings */
};

/*
 * Why a frame was refused: reason is a short machine word ("too_large",
 * "invalid_json", "too_deep", "not_an_object", "unknown_event",
 * "wrong_topic", "missing_field", "wrong_type", "out_of_bounds",
 * "invalid_value", "no_memory"); message names the member, as in
 * "payload.resources[2].sites[0].id: not a UUID".
 */
struct proto_sig_error {
	const char *reason;
	char message[160];
};

/*
 * The len bytes at buf (no NUL needed), as sent in dir by or to a peer of
 * role. Returns 0 with *out filled (free it with proto_sig_free()), or
 * -EINVAL / -E2BIG / -ENOMEM with *err filled and *out empty.
 */
int proto_sig_parse(enum proto_sig_dir dir, enum proto_sig_role role,
		    const char *buf, size_t len, struct proto_sig_msg *out,
		    struct proto_sig_error *err);
void proto_sig_free(struct proto_sig_msg *m);

/*
 * The JSON text of m, NUL-terminated, in *out (free() it). Refuses
 * (-EINVAL, or -E2BIG past a bound) what the parser would refuse, so
 * whatever it builds parses back to the same message.
 */
int proto_sig_build(const struct proto_sig_msg *m, char **out, size_t *len,
		    struct proto_sig_error *err);

/* "phx_join", "init", ...: the event name of a kind. */
const char *proto_sig_event_name(enum proto_sig_kind kind);

#endif /* FZ_AGENT_PROTO_SIG_H */
