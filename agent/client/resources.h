/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The client role's state machine: the resources the portal lists, which
 * gateway serves each, and what that means for fz.ko (routes, peers and
 * their allowed IPs, held packets), the portal (request_authorization)
 * and the gateways (p2p AssignedIps). Pure: every effect goes through
 * struct client_res_ops, so the tests run it against a model.
 *
 * A resource is NOT_CONNECTED, CONNECTING (a request_authorization is
 * outstanding: one per resource) or CONNECTED via a gateway until its
 * authorization expires. Resources of one site share the gateway that
 * serves the site while it works: the request names the gateways we
 * have there (connected_gateway_ids) and those that failed us.
 *
 * A gateway is a peer of fz.ko whose allowed IPs are its tunnel
 * addresses (for p2p control) and the union of what it serves: a CIDR or
 * IP resource's prefix, a DNS resource's mapped IPs of each name asked
 * and confirmed by the gateway's DomainStatus (before that the packets
 * for it stay held: the gateway could not forward them yet). A DNS
 * resource keeps its CLIENT_RES_MAX_NAMES names used last (names.c);
 * past FZ_MAX_ALLOWEDIPS, the names used least lately are left out
 * until a packet for one comes (held, it is routed in turn). A gateway
 * that serves nothing any more is removed.
 *
 * A failed request is remembered CLIENT_RES_NEGATIVE_MS: packets for the
 * resource meanwhile are refused at once (DROP_HELD), so an application
 * that retries does not flood the portal.
 */
#ifndef FZ_CLIENT_RESOURCES_H
#define FZ_CLIENT_RESOURCES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/fz.h>

#include "mapped.h"
#include "lib/cidr.h"
#include "lib/resaddr.h"
#include "proto/sig.h"

#define CLIENT_RES_MAX 1024 /* resources the portal may list */
#define CLIENT_RES_MAX_GATEWAYS 64
#define CLIENT_RES_MAX_NAMES 16 /* per DNS resource: the newest kept */
#define CLIENT_RES_MAX_HELD 8 /* held destinations remembered per resource */
#define CLIENT_RES_MAX_FAILED 16 /* gateways that failed us, remembered */
#define CLIENT_RES_NEGATIVE_MS 5000
#define CLIENT_RES_REASK_MS 5000 /* after an ICMP prohibited, per resource */
#define CLIENT_RES_REQUEST_MS 10000 /* a request unanswered: given up */
#define CLIENT_RES_RESEND_MS 2000 /* AssignedIps without DomainStatus */
/*
 * A gateway that said Goodbye is leaving: its portal socket closes at
 * once, so the portal stops choosing it by itself. It is named as failed
 * only this long, for requests that cross its leaving; a gateway that
 * restarts is chosen again once it has rejoined.
 */
#define CLIENT_RES_GOODBYE_MS 5000
#define CLIENT_RES_KEEPALIVE 25 /* seconds */
/*
 * The gateway timeout is the seeds' promise: a dead gateway's resources
 * are rerouted within it (10 s). A gateway that sent nothing
 * authenticated back for that less CLIENT_RES_MOVE_S while we sent it
 * data (fz.ko's FZ_CMD_EVT_PEER_QUIET), or answered no handshake that
 * long, is dead; the second left is for the move (the portal asked, the
 * new gateway's handshake). A dead gateway is named as failed long
 * enough for the portal to see it gone: its heartbeats stop for 30 s
 * before the portal drops it.
 */
#define CLIENT_RES_GATEWAY_TIMEOUT 10 /* seconds */
#define CLIENT_RES_MOVE_S 1
#define CLIENT_RES_DEAD_MS 60000
#define CLIENT_RES_NAME_MAX 63 /* resource names as log labels */

enum client_res_state {
	CLIENT_RES_NOT_CONNECTED,
	CLIENT_RES_CONNECTING,
	CLIENT_RES_CONNECTED,
};

struct client_res_name {
	char name[FZ_DOMAIN_MAX + 1];
	const struct client_mapped_entry *e; /* its mapped IPs */
	bool active; /* the gateway's DomainStatus said so */
	bool inactive; /* ... said it cannot resolve it */
	uint64_t sent_ns; /* the last AssignedIps; 0: not yet */
	uint64_t used; /* client_res.uses when last asked or confirmed */
};

struct client_res_gateway {
	struct proto_sig_id id;
	struct proto_sig_id site_id;
	uint8_t public_key[FZ_KEY_LEN];
	uint8_t preshared_key[FZ_KEY_LEN];
	struct proto_sig_endpoint endpoint; /* the first usable one */
	struct fz_cidr ipv4, ipv6;
	bool installed; /* fz.ko has it */
};

struct client_resource {
	struct proto_sig_id id;
	uint8_t uuid[FZ_RESOURCE_ID_LEN];
	char name[CLIENT_RES_NAME_MAX + 1];
	struct fz_resaddr addr;
	struct proto_sig_id sites[PROTO_SIG_MAX_ARRAY];
	size_t n_sites;
	enum client_res_state state;
	uint64_t requested_ns; /* CONNECTING since */
	uint64_t reasked_ns; /* CONNECTED: the portal asked again, after a
			      * gateway's ICMP prohibited */
	bool reask_pending; /* ... and its answer not in yet */
	uint64_t refused_until_ns; /* the negative cache */
	enum proto_sig_fail_reason refused_why;
	struct client_res_gateway *gw; /* CONNECTED */
	uint64_t expires_ns; /* CONNECTED: real time; 0: never */
	struct fz_cidr held[CLIENT_RES_MAX_HELD]; /* CONNECTING */
	size_t n_held;
	struct client_res_name names[CLIENT_RES_MAX_NAMES]; /* DNS */
	size_t n_names;
	bool routed; /* CIDR, IP: the route is ours */
	bool listed; /* named since the last init (until its init_done) */
	bool moving; /* its gateway is gone: ask again (client_res_move) */
	bool follows; /* CONNECTING, unasked: a resource of its site asked
		       * first, and the gateway it gets is named to us */
};

struct client_res_ops {
	/* A route to c through the device: 0, -EEXIST is fine. */
	int (*route)(void *ctx, const struct fz_cidr *c, bool add);
	/* request_authorization to the portal. */
	int (*request)(void *ctx,
		       const struct proto_sig_request_authorization *req);
	/* The gateway's peer with exactly aips as allowed IPs; new: first
	 * time (the handshake state must learn it). */
	int (*set_peer)(void *ctx, const struct client_res_gateway *g,
			const struct fz_cidr *aips, size_t n, bool is_new);
	int (*del_peer)(void *ctx, const uint8_t key[FZ_KEY_LEN]);
	int (*send_control)(void *ctx, const uint8_t key[FZ_KEY_LEN],
			    const uint8_t *pkt, size_t len);
	/* fz.ko refuses what it holds for dst (ICMP prohibited). */
	void (*drop_held)(void *ctx, const struct fz_cidr *dst);
	/* The DNS stub's table (id, pattern). */
	int (*dns_upsert)(void *ctx, const uint8_t id[FZ_RESOURCE_ID_LEN],
			  const char *pattern);
	void (*dns_remove)(void *ctx, const uint8_t id[FZ_RESOURCE_ID_LEN]);
	uint64_t (*now_ns)(void *ctx); /* real time: expires_at is */
	void (*log)(void *ctx, const char *line);
};

struct client_res {
	const struct client_res_ops *ops;
	void *ctx;
	struct client_mapped *mapped;
	struct client_resource *res;
	size_t n_res, cap_res;
	struct client_res_gateway *gws[CLIENT_RES_MAX_GATEWAYS];
	size_t n_gws;
	struct {
		struct proto_sig_id id;
		uint64_t until_ns;
	} failed[CLIENT_RES_MAX_FAILED];
	size_t n_failed;
	uint64_t n_unknown; /* destinations of no resource, refused */
	uint64_t uses; /* names' uses so far: their order, newest highest */
	uint64_t n_forgotten; /* names that made room for newer ones */
	uint64_t n_unrouted; /* syncs that left names out (allowed IPs) */
	unsigned int gateway_timeout; /* seconds to dead, for the log */
	bool initialized;
	/* Between an init and its init_done: what is unnamed goes then. */
	bool collecting;
};

/* mapped stays the caller's. */
struct client_res *client_res_new(const struct client_res_ops *ops, void *ctx,
				  struct client_mapped *mapped);
/* Frees memory only; client_res_clear() undoes the effects first. */
void client_res_free(struct client_res *c);
/* Every gateway and route removed, the stub's table emptied. */
void client_res_clear(struct client_res *c);

/*
 * The portal's messages. A message with anything wrong (a resource with
 * a bad address, duplicate ids, unknown ids, too many) is logged and
 * changes nothing: -EINVAL. The init holds only what fits one message,
 * the rest follows as pushes, then init_done: the init and the pushes
 * before init_done are applied without removing anything, and
 * init_done reconciles: resources none of them named go with their
 * routes and addresses; the others keep their gateways.
 */
int client_res_init(struct client_res *c,
		    const struct proto_sig_client_init *m);
void client_res_init_done(struct client_res *c);
int client_res_upsert(struct client_res *c, const struct proto_sig_resource *r);
int client_res_delete(struct client_res *c, const struct proto_sig_id *id);
int client_res_authorized(struct client_res *c,
			  const struct proto_sig_authorization_created *a);
int client_res_refused(struct client_res *c,
		       const struct proto_sig_authorization_creation_failed *f);

/* fz.ko holds packets for dst (EVT_UNKNOWN_DEST). */
void client_res_unknown_dest(struct client_res *c, const struct fz_cidr *dst);
/*
 * The gateway key answered a packet for dst with ICMP prohibited
 * (EVT_DENIED_FLOW, FZ_REASON_PEER_PROHIBITED): its policy may have
 * changed, so a CONNECTED resource through it asks the portal again, at
 * most once in CLIENT_RES_REASK_MS, naming only that gateway (a working
 * resource is not moved). An authorization renews it; a refusal for
 * policy (forbidden, not found) disconnects it; "no gateway online" and
 * no answer keep it until its expiry.
 */
void client_res_prohibited(struct client_res *c, const uint8_t key[FZ_KEY_LEN],
			   const struct fz_cidr *dst);
/*
 * fz.ko heard nothing from the peer key for the gateway timeout while we
 * sent (EVT_PEER_QUIET): if it is one of our gateways, it is dead: it
 * goes, and its resources ask the portal for another gateway of their
 * site, naming it as failed for CLIENT_RES_DEAD_MS. False: not ours.
 */
bool client_res_gateway_quiet(struct client_res *c,
			      const uint8_t key[FZ_KEY_LEN]);
/* The same for another reason ("answered no handshake"), logged. */
bool client_res_gateway_dead(struct client_res *c,
			     const uint8_t key[FZ_KEY_LEN], const char *what);
/* A p2p control packet from the peer key (EVT_CONTROL). */
void client_res_control(struct client_res *c, const uint8_t key[FZ_KEY_LEN],
			const uint8_t *pkt, size_t len);
/* The DNS stub answered name for resource id from e. */
void client_res_name_asked(struct client_res *c, const char *name,
			   const uint8_t id[FZ_RESOURCE_ID_LEN],
			   const struct client_mapped_entry *e);
/* Every route removed and added again (the tunnel address changed). */
void client_res_reroute(struct client_res *c);
/* Expiries, unanswered requests, AssignedIps resent; every second. */
void client_res_tick(struct client_res *c);

/* Lookups, for the adapter and the tests. */
struct client_resource *client_res_find(struct client_res *c,
					const struct proto_sig_id *id);
struct client_resource *client_res_match(struct client_res *c,
					 const struct fz_cidr *dst);
bool client_res_is_gateway(const struct client_res *c,
			   const uint8_t key[FZ_KEY_LEN]);
/* A gateway's allowed IPs as set_peer gets them: the count. */
size_t client_res_gateway_aips(const struct client_res *c,
			       const struct client_res_gateway *g,
			       struct fz_cidr *out, size_t max);
const char *client_res_state_name(enum client_res_state st);

/* `fzagent show`: text (one line each) or JSON; the length or -ENOSPC. */
int client_res_format(const struct client_res *c, bool json, char *out,
		      size_t outlen);

#endif /* FZ_CLIENT_RESOURCES_H */
