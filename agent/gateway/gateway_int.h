/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The gateway's state, shared by gateway.c (clients and authorizations)
 * and dns.c (p2p control, DNS mappings, audit). Loop thread only.
 */
#ifndef FZ_AGENT_GATEWAY_INT_H
#define FZ_AGENT_GATEWAY_INT_H

#include "gateway.h"

/* The proxy IPs a client assigned to one name of a DNS resource. */
struct gw_domain {
	char name[FZ_DOMAIN_MAX + 1];
	struct fz_cidr proxy[PROTO_P2P_MAX_PROXY_IPS];
	size_t n_proxy;
};

/* One authorization in force: what the kernel was told. */
struct gw_authz {
	const struct proto_auth_resource *res;
	uint64_t expires_ns;
	/* Oldest first, up to GW_MAX_DOMAINS, allocated as names come: a
	 * full array in every authorization was 6.8 KiB each, 700 MB for
	 * 100,000 clients of one IP resource. */
	struct gw_domain *domains;
	size_t n_domains;
};

/* A client of the authorizations file, by the same index. */
struct gw_peer {
	const struct proto_auth_client *client;
	bool installed; /* its kernel peer exists */
	struct gw_authz *authz;
	size_t n_authz;
};

/* A (client, resource) pair the portal's init or a push named. */
struct gw_held {
	uint8_t key[FZ_KEY_LEN];
	uint8_t id[FZ_RESOURCE_ID_LEN];
};

/* The set an init and the pushes before its init_done give. */
struct gw_collect {
	bool on; /* an init arrived, its init_done not yet */
	struct gw_held *v;
	size_t n, room;
};

/* An AssignedIps waiting for its name to resolve. */
struct gw_pending {
	struct gateway *gw; /* NULL once the gateway is gone */
	uint8_t key[FZ_KEY_LEN];
	struct proto_p2p_msg msg;
	struct gw_pending *next;
};

struct gateway {
	const struct gw_ops *ops;
	void *ctx;
	struct proto_auth auth;
	struct gw_peer *peers;
	struct gw_pending *pending;
	uint64_t drops[PROTO_P2P_DROP_MAX];
	const char *source; /* "the authorizations file", for the log */
	/* The portal's init until init_done (portal.c). */
	struct gw_collect collect;
	/* Room in auth's arrays (and peers) for grant.c; 0: just n. */
	size_t room_clients, room_resources;
};

void gw_log(struct gateway *gw, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
struct gw_peer *gw_find_peer(struct gateway *gw, const uint8_t *key);
struct gw_authz *gw_find_authz(struct gw_peer *p, const uint8_t *id);
/* The peer's authorizations and their names, freed. */
void gw_peer_free_authz(struct gw_peer *p);
/* SET_RESOURCE from the authorization as it stands. */
int gw_push_resource(struct gateway *gw, struct gw_peer *p,
		     const struct gw_authz *a);
/*
 * A copy of the authorizations with only the grants keep() says yes to
 * (by client key and resource id) and the clients that still hold one:
 * in the portal's model a gateway's clients are its authorizations.
 * For gw_replace_auth(). -ENOMEM: *out empty.
 */
int gw_auth_kept(struct gateway *gw,
		 bool (*keep)(void *arg, const uint8_t *key, const uint8_t *id),
		 void *arg, struct proto_auth *out);
/*
 * The client at pos forgotten, in O(1): the last client takes its place
 * (the index follows). Its fz.ko peer is the caller's to delete.
 */
void gw_forget_client(struct gateway *gw, size_t pos);
/* Forgets the pending resolutions (gw_free). */
void gw_dns_detach(struct gateway *gw);

#endif /* FZ_AGENT_GATEWAY_INT_H */
