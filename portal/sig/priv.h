/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The signalling wing's insides, shared by its files: the per-socket
 * peer, the pending authorizations waiting for a gateway's ack, and the
 * indexes that make each lookup O(1).
 */
#ifndef FZ_PORTAL_SIG_PRIV_H
#define FZ_PORTAL_SIG_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "sig.h"
#include "index.h"
#include "core/psk.h"
#include "lib/cidr.h"
#include "policy/choose.h"
#include "policy/eval.h"
#include "proto/sig.h"

struct sig_authz_list;

#define SIG_FEED_MS 100 /* how often the changes table is read */
#define SIG_FEED_BATCH 256 /* changes handled per read */
#define SIG_EXPIRY_MS 10000 /* how often expired rows are deleted */
/* Neither a time window nor the token ends it: the longest a client
 * session lasts (7 days), so that no authorization is forever. */
#define SIG_AUTHZ_TTL_MAX_S (7 * 86400)
#define SIG_MAX_EPS 16 /* a gateway's endpoints kept for clients */
/*
 * An init's pushes go in pages while the socket's queue is under this,
 * the next page when it has drained (gateway.c, client.c): the other
 * half is for what else the peer is sent meanwhile.
 */
#define SIG_INIT_QUEUE (WEB_QUEUE_MAX / 2)
#define SIG_MAX_RULES 64 /* policies considered per request */
#define SIG_MAX_CANDIDATES 256 /* a site's online gateways considered */
/*
 * Live authorizations one client may hold of one resource. Reuse keeps a
 * client at one per gateway (reuse.c), so only one that failed over
 * across more of a site's gateways within an authorization's life meets
 * it; past it a request is refused, not written.
 */
#define SIG_AUTHZ_PER_RESOURCE 8
/* Requests that wait for one pending authorization besides the first. */
#define SIG_PENDING_WAITERS 8

/* What a socket's token is, from sig_web_authenticate() on. */
struct sig_principal {
	struct store_token tok;
	struct store_actor actor; /* client tokens: the token's actor */
};

struct sig_peer {
	struct sig *sig;
	struct web_conn *conn;
	struct sig_principal *p;
	enum web_role role;
	bool joined;
	bool gone; /* being closed by the portal: never chosen, told nothing */
	char id[STORE_ID_SIZE]; /* the device's id, once joined */
	char site_id[STORE_ID_SIZE]; /* gateways: the token's site */
	uint8_t public_key[FZ_KEY_LEN];
	uint32_t tunnel; /* the device's tunnel offset */
	char remote_ip[64]; /* the socket's peer address, without port */
	struct fz_cidr remote;
	int64_t online_since;
	bool verified; /* clients: as the store says at join */
	struct proto_sig_endpoint eps[SIG_MAX_EPS]; /* gateways */
	size_t n_eps;
	char **seen; /* clients: ids of the resources they were told of */
	size_t n_seen, cap_seen;
	/* seen[]'s ids, each to its position there: a membership of some
	 * thousands of resources made every join and sync quadratic */
	struct sig_index seen_pos;
	/* gateways: the init's pushes still to send (gateway.c), or NULL */
	struct sig_authz_list *init_rest;
	size_t init_pos;
	/* clients: the ids of the resources the init did not hold (or a
	 * sync's: the first n_init_deleted those the actor no longer sees,
	 * then its new ones), still to push (client.c; from init_pos), or
	 * NULL; and a sync that came meanwhile, begun before init_done
	 * (its new resources may page on after it) */
	char (*init_ids)[STORE_ID_SIZE];
	size_t n_init_ids, n_init_deleted;
	bool sync_owed;
	bool paging_sync; /* the pages are a sync's, not the init's rest */
	/* clients: denials not audited one by one (audit.c) */
	unsigned int unaudited;
};

/* A budget of denials audited one by one (audit.c). */
struct sig_deny_bucket {
	double tokens;
	uint64_t refill_ms; /* 0: never used */
};

#define SIG_DENY_BUCKETS 4096 /* a power of two */

/* A create_authorization sent, waiting for the gateway's ack. */
struct sig_pending {
	struct sig_pending *next, *prev;
	struct store_authz authz;
	struct sig_peer *client, *gateway; /* NULL once gone */
	char *ref; /* the client's request ref; NULL: null */
	/* Its later requests for the same, answered with the first. */
	char *waiters[SIG_PENDING_WAITERS];
	size_t n_waiters;
	char site_id[STORE_ID_SIZE];
	uint8_t psk[FZ_KEY_LEN];
	uint64_t deadline_ms;
};

struct sig {
	uv_loop_t *loop;
	struct store *store;
	uint8_t secret[CORE_PSK_SECRET_LEN];
	struct sig_index gateways; /* joined, by gateway id */
	struct sig_index sites; /* joined gateways, by site id */
	struct sig_index clients; /* joined, by client id */
	struct sig_index actors; /* client sockets, by actor id */
	struct sig_index tokens; /* every socket, by token id */
	struct sig_index seen; /* client peers, by resource id they saw */
	struct sig_index pending_ids; /* pending, by authorization id */
	struct sig_pending *pending; /* oldest last */
	uv_timer_t feed_timer, expiry_timer;
	uv_timer_t deadline_timer; /* the next token to expire under a socket */
	int64_t deadline_ns; /* when it fires; 0: not armed */
	int64_t feed_seq; /* the last change handled */
	unsigned int ack_timeout_ms; /* for authorization_created */
	struct sig_limits limits;
	uv_prepare_t batch_prepare; /* batch.c: commit before the loop waits */
	uv_check_t batch_check; /* and after its I/O callbacks */
	bool in_batch; /* a store transaction is open for this turn */
	/* By client id, hashed: the budget outlives sockets (audit.c). */
	struct sig_deny_bucket deny[SIG_DENY_BUCKETS];
	bool stopped;
};

/* batch.c: the turn's writes in one transaction (see there) */
void sig_batch_start(struct sig *s);
void sig_batch_open(struct sig *s);
void sig_batch_stop(struct sig *s);

/* presence.c */
int sig_presence_open(struct sig *s, struct sig_peer *p);
int sig_presence_join(struct sig *s, struct sig_peer *p);
void sig_presence_leave(struct sig *s, struct sig_peer *p);
struct sig_peer *sig_presence_gateway(struct sig *s, const char *id);
size_t sig_presence_site(struct sig *s, const char *site_id,
			 struct sig_peer **out, size_t max);
/* Every socket of an index key, joined or not, copied out; malloc()ed. */
size_t sig_presence_all(const struct sig_index *ix, const char *key,
			struct sig_peer ***out);

/* send.c */
int sig_send(struct sig_peer *p, const struct proto_sig_msg *m);
/* As sig_send(), but -E2BIG is not logged: the caller sends less. */
int sig_send_try(struct sig_peer *p, const struct proto_sig_msg *m);
/*
 * Sends an init whose list (*n elements, set by set_n) fits one message:
 * starting at the codec's array bound, halved while the build says
 * -E2BIG. *n is left at what went; the caller pushes the rest one by one.
 */
int sig_send_fitting(struct sig_peer *p, struct proto_sig_msg *m, size_t *n,
		     void (*set_n)(struct proto_sig_msg *m, size_t n));
/*
 * `init_done`, after the last push that completes an init: only then may
 * the agent drop what neither the init nor those pushes named.
 */
void sig_init_done(struct sig_peer *p);
void sig_reply(struct sig_peer *p, const char *ref, const char *error);
/*
 * A join's public key of small order (no key exchange can come of it,
 * and every agent refuses a message naming it): refused with
 * "invalid_public_key" before anything is stored. True when refused.
 */
bool sig_key_unusable(struct sig_peer *p, const char *ref,
		      const uint8_t key[FZ_KEY_LEN]);
/* `disconnect` with reason, then close; out of presence at once. */
void sig_disconnect(struct sig_peer *p, const char *reason);

/* convert.c: store records into messages */
uint64_t sig_now_ms(struct sig *s);
int64_t sig_now_ns(void);
void sig_remote_ip(const char *remote, char *ip, size_t len,
		   struct fz_cidr *cidr);
void sig_tunnel(int64_t offset, struct fz_cidr *v4, struct fz_cidr *v6);
/* r's fields into out, filters parsed; out points into r. */
int sig_resource_msg(const struct store_resource *r,
		     struct proto_sig_resource *out);
int sig_endpoints_json(const struct proto_sig_endpoint *eps, size_t n,
		       char *buf, size_t len);
int sig_endpoints_parse(const char *json, struct proto_sig_endpoint *eps,
			size_t max, size_t *n);
/* The client as a gateway sees it; -EINVAL for a key of small order. */
int sig_peer_msg(struct sig *s, const char *client_id, const uint8_t *client_pk,
		 int64_t tunnel, const char *gateway_id,
		 const uint8_t *gateway_pk, struct proto_sig_peer *out);
int64_t sig_expires_s(int64_t ns);

/* audit.c */
void sig_audit(struct sig *s, const struct store_authz *a, const char *action,
	       const char *decision, const char *reason);
/*
 * A denial of p's request: its audit row and log line, within its
 * client's budget (SIG_DENY_BURST, then one per SIG_DENY_EVERY_MS, kept
 * across the client's sockets and reconnections); past it, counted, and
 * the count goes in the next row ("unaudited_before") or in one of its
 * own when the socket goes (sig_audit_unaudited).
 */
#define SIG_DENY_BURST 30
#define SIG_DENY_EVERY_MS 2000
void sig_audit_deny(struct sig_peer *p, const struct store_authz *a,
		    const char *reason, const char *detail);
void sig_audit_unaudited(struct sig_peer *p);

/* decide.c */
struct sig_request {
	const char *account_id;
	const char *actor_id;
	const char *resource_id;
	struct fz_cidr remote;
	bool verified;
	int64_t token_expires_ns; /* 0: never */
};

enum sig_outcome { SIG_ALLOW, SIG_NOT_FOUND, SIG_FORBIDDEN, SIG_ERROR };

struct sig_verdict {
	enum sig_outcome outcome;
	struct store_resource res;
	char policy_id[STORE_ID_SIZE];
	int64_t expires_ns;
	char detail[256];
};

void sig_decide(struct sig *s, const struct sig_request *rq,
		struct sig_verdict *v);
const char *sig_outcome_name(enum sig_outcome o);

/* gateway.c */
void sig_gateway_join(struct sig_peer *p, const struct proto_sig_msg *m);
/* The socket's queue has drained: the init's next page. */
void sig_gateway_drained(struct sig_peer *gw);
/* Revoked: not to be pushed by an init still under way. */
void sig_gateway_init_forget(struct sig_peer *gw, const char *authz_id);
/* Handed out again: if its init has it still to push, pushed now;
 * false when it may not be handed out. */
bool sig_gateway_init_push(struct sig_peer *gw, const char *authz_id);
/* The socket is gone: what its init had still to send goes too. */
void sig_gateway_gone(struct sig_peer *gw);
void sig_gateway_resource_updated(struct sig *s,
				  const struct store_resource *r);

/* client.c */
void sig_client_join(struct sig_peer *p, const struct proto_sig_msg *m);
/* Pushes the difference between what the actor's clients saw and what
 * the actor may see now. */
void sig_client_sync(struct sig *s, const char *actor_id);
/* resource_created_or_updated to every client that saw it. */
void sig_client_resource_updated(struct sig *s, const struct store_resource *r);
/* resource_deleted to every client that saw it. */
void sig_client_resource_gone(struct sig *s, const char *resource_id);
void sig_client_forget(struct sig_peer *p);
/* The socket's queue has drained: the init's next page. */
void sig_client_drained(struct sig_peer *p);
/* The socket is gone: what its init had still to send goes too. */
void sig_client_gone(struct sig_peer *p);

/* evict.c */
#define SIG_TOO_MANY_DEVICES 1
#define SIG_EVICT_UNSEEN_S 600 /* offline this long before it may go */
/* The devices a join evicts, chosen before its upsert. */
struct sig_room {
	struct store_client *evict;
	size_t n;
	unsigned int cap;
};
/*
 * Before token t's client joins with key: 0 when the key is known or the
 * token is under its device cap (sig_limits.client_devices), or when
 * room holds the devices to evict to get under it (longest unseen
 * first, offline for SIG_EVICT_UNSEEN_S); SIG_TOO_MANY_DEVICES when
 * there are not enough such; <0 when the store failed. Once the upsert
 * succeeded, sig_client_room_make() evicts them; else _free().
 */
int sig_client_room(struct sig *s, const struct store_token *t,
		    const uint8_t *key, struct sig_room *room);
void sig_client_room_make(struct sig *s, struct sig_room *room);
void sig_client_room_free(struct sig_room *room);

/* seen.c */
bool sig_seen_has(const struct sig_peer *p, const char *id);
int sig_seen_add(struct sig_peer *p, const char *id);
void sig_seen_del(struct sig_peer *p, const char *id);

/* authorize.c */
void sig_authorize(struct sig_peer *p, const struct proto_sig_msg *m);
void sig_authorize_fail(struct sig_peer *p, const char *ref,
			const char *resource_id,
			enum proto_sig_fail_reason why);

/* The resource site's online gateways, as policy_choose() takes them. */
struct sig_choice {
	struct sig_peer *gws[SIG_MAX_CANDIDATES];
	const char *ids[SIG_MAX_CANDIDATES];
	int64_t joined[SIG_MAX_CANDIDATES];
	const char *failed[PROTO_SIG_MAX_ARRAY];
	const char *connected[PROTO_SIG_MAX_ARRAY];
	struct policy_choose_req req;
};
void sig_choice_init(struct sig *s, const char *site_id,
		     const struct proto_sig_request_authorization *r,
		     struct sig_choice *c);

/*
 * reuse.c: answered from a live authorization of the same resource on a
 * gateway the choice c could pick (true). Those that outlive the fresh
 * decision v are revoked on the way, and when it is not answered at the
 * cap, the oldest stale ones (offline, gone or failed gateways); *held
 * is how many live ones of the resource the client is left with.
 */
bool sig_reuse(struct sig_peer *p, const struct proto_sig_msg *m,
	       const struct sig_verdict *v, const struct sig_choice *c,
	       size_t *held);

/* pending.c */
int sig_pending_add(struct sig *s, struct sig_pending *pd);
void sig_pending_ack(struct sig_peer *gw, const char *authz_id);
/* authorization_created to pd->client, with pd's PSK and gateway. */
void sig_pending_created(const struct sig_pending *pd);
void sig_pending_sweep(struct sig *s);
void sig_pending_peer_gone(struct sig *s, struct sig_peer *p);
/* Revoked before its ack: the client is told it is forbidden. */
void sig_pending_drop(struct sig *s, const char *authz_id);
/*
 * Request ref of client p waits for pd's ack too: 0, -EBUSY (another
 * socket waits for it), -ENOSPC (SIG_PENDING_WAITERS wait) or -ENOMEM.
 */
int sig_pending_join(struct sig_pending *pd, struct sig_peer *p,
		     const char *ref);

/* collect.c: rows copied out, so acting on them cannot disturb a query */
struct sig_authz_list {
	struct store_authz *a;
	size_t n, cap;
};
int sig_authz_collect(struct sig *s, enum store_authz_by by, const char *id,
		      struct sig_authz_list *out);
void sig_authz_list_free(struct sig_authz_list *l);

/* revoke.c */
/* reject_access to its gateway (if online), delete, audit, log. */
void sig_revoke(struct sig *s, const struct store_authz *a, const char *why);
/*
 * Every authorization of by/id; again: only those a new decision denies
 * or would end sooner than the row does.
 */
void sig_revoke_by(struct sig *s, enum store_authz_by by, const char *id,
		   bool again, const char *why);

/* cascade.c: false when the row names no children (see admin.h) */
/* Every socket of index key ix: `disconnect`, then closed. */
void sig_disconnect_all(struct sig *s, const struct sig_index *ix,
			const char *key, const char *why);
bool sig_cascade_site(struct sig *s, json_object *before);
bool sig_cascade_actor(struct sig *s, json_object *before);
bool sig_cascade_group(struct sig *s, json_object *before);

/* feed.c */
int sig_feed_start(struct sig *s, char *err, size_t errlen);
int sig_feed_handle(struct sig *s, const struct store_change *c);

/* expiry.c */
void sig_expiry_start(struct sig *s);
void sig_expiry_stop(struct sig *s);
/* p's token expires: its socket is closed then (disconnect token_expired). */
void sig_expiry_watch(struct sig *s, struct sig_peer *p);

#endif /* FZ_PORTAL_SIG_PRIV_H */
