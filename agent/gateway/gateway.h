/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The gateway wing (agent/gateway/), the gateway role: clients,
 * authorizations, DNS for proxy IPs (dns.c) and host setup (hostsetup.h).
 * It calls fz.ko and the daemon only through the struct gw_ops it is
 * given (fzk gives it types only), so it does not know the daemon; it may
 * use proto, fzk, ctl, conf, wg and lib. client/ and signal/ will sit
 * beside it.
 *
 * The gateway role: which clients may connect and reach which resources,
 * and the p2p control conversation with them (DNS resources).
 *
 * Every authorization, whether from the authorizations file at start,
 * from `fzagent authorize` or, later, from the portal, goes through
 * gw_authorize(); every revocation through gw_revoke(). The
 * kernel does the per-packet work (default deny, filters, expiry, the
 * mapped-IP translation); this keeps what it needs to tell the kernel.
 *
 * Like the handshake state machine, the gateway sees the kernel, the
 * resolver and the log only through struct gw_ops, so the tests can plug
 * in a recording double and a synchronous resolver. Nothing here blocks.
 */
#ifndef FZ_AGENT_GATEWAY_H
#define FZ_AGENT_GATEWAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/fz.h>

#include "fzk/event.h"
#include "fzk/kernel_gw.h"
#include "proto/gw_auth.h"
#include "proto/p2p.h"
#include "proto/resolve.h"

#define GW_MAX_DOMAINS 16 /* names per wildcard resource and client */
/*
 * Lookups one client may have in flight. Name servers that never answer
 * hold a resolver worker for PROTO_RESOLVE_TIMEOUT_MS; libuv has 4, so one
 * client must not hold them all. An AssignedIps beyond this is dropped
 * and counted (PROTO_P2P_DROP_TOO_MANY_LOOKUPS); cached names do not count.
 */
#define GW_MAX_LOOKUPS_PER_CLIENT 2

struct gw_ops {
	/* SET_PEER with FZ_PEER_F_GATEWAY_CLIENT and the tunnel IPs as
	 * allowed IPs; the handshake state learns the peer and its PSK. */
	int (*set_client_peer)(void *ctx, const struct proto_auth_client *c);
	int (*set_resource)(void *ctx, const uint8_t key[FZ_KEY_LEN],
			    const struct fzk_resource_spec *r);
	int (*del_resource)(void *ctx, const uint8_t key[FZ_KEY_LEN],
			    const uint8_t id[FZ_RESOURCE_ID_LEN]);
	int (*set_dns_map)(void *ctx, const uint8_t key[FZ_KEY_LEN],
			   const uint8_t id[FZ_RESOURCE_ID_LEN],
			   const struct fz_cidr *mapped,
			   const struct fz_cidr *real);
	int (*del_dns_map)(void *ctx, const uint8_t key[FZ_KEY_LEN],
			   const struct fz_cidr *mapped);
	/* Every map of the client's resource id. */
	int (*del_dns_maps)(void *ctx, const uint8_t key[FZ_KEY_LEN],
			    const uint8_t id[FZ_RESOURCE_ID_LEN]);
	int (*send_control)(void *ctx, const uint8_t key[FZ_KEY_LEN],
			    const uint8_t *packet, size_t len);
	/* As proto_resolver_lookup(): cb is called once if this returns 0. */
	int (*resolve)(void *ctx, const char *name, proto_resolver_cb cb,
		       void *arg);
	/* One log line, without interface or newline. */
	void (*log)(void *ctx, const char *line);
	/* An address of this host (NULL: none is); never a DNS map's real. */
	bool (*is_own_addr)(void *ctx, const struct fz_cidr *ip);
};

struct gateway;

/* Takes auth (it is freed with the gateway). NULL: out of memory. */
struct gateway *gw_new(const struct gw_ops *ops, void *ctx,
		       struct proto_auth *auth);
/* Resolutions still running are forgotten: their answers are dropped. */
void gw_free(struct gateway *gw);

struct fzk_device_view;

/*
 * Makes fz.ko hold exactly what the authorizations file says: installs
 * every client and applies its Authorize lines, and removes what dev (a
 * dump of the device; NULL: an empty one) holds beyond: resources the
 * file does not grant (run-time grants of an earlier agent or of
 * `fzagent authorize` before a reload included) and the DNS maps of
 * resources the agent does not know the maps of. Each removal is logged.
 * At start and after gw_replace_auth().
 */
int gw_start(struct gateway *gw, const struct fzk_device_view *dev, char *err,
	     size_t errlen);
/*
 * The same, but a client fz.ko refuses (logged) does not keep the next
 * ones out: the portal's init, where one bad client must not cost every
 * other its access. Returns the first error, err its message.
 */
int gw_start_each(struct gateway *gw, const struct fzk_device_view *dev,
		  char *err, size_t errlen);

/*
 * The authorizations file was read again: auth (taken on success)
 * replaces the gateway's. A client and resource in both keep their DNS
 * mappings when the resource's Type and Address are unchanged; every
 * other state goes. Nothing is sent to the kernel: gw_start() does
 * that, and the daemon removes peers of clients no longer in the file.
 * -ENOMEM: nothing changed.
 */
int gw_replace_auth(struct gateway *gw, struct proto_auth *auth);

/* Where the authorizations come from, for the log ("the authorizations
 * file" unless set; source must outlive the gateway). */
void gw_set_source(struct gateway *gw, const char *source);

const struct proto_auth *gw_authorizations(const struct gateway *gw);
bool gw_is_client(const struct gateway *gw, const uint8_t key[FZ_KEY_LEN]);

/*
 * Authorizes client c (of gw_authorizations()) for resource r until
 * expires_ns (0: never), replacing an earlier authorization of the same
 * pair. The client's peer is created on its first authorization.
 */
int gw_authorize(struct gateway *gw, const struct proto_auth_client *c,
		 const struct proto_auth_resource *r, uint64_t expires_ns,
		 char *err, size_t errlen);
/* r NULL: every resource of the client. -ENOENT: was not authorized. */
int gw_revoke(struct gateway *gw, const struct proto_auth_client *c,
	      const struct proto_auth_resource *r, char *err, size_t errlen);

/*
 * The portal's changes, one at a time (grant.c). gw_grant(): c and r
 * (the caller's, copied) join the authorizations or update them (new
 * tunnel addresses or preshared key: the peer is set again; new filters:
 * every holder's resource is set again; a new address: the resource is
 * revoked from every holder first), c's grant of r until expires_ns is
 * recorded (so that gw_start() keeps it) and gw_authorize() runs.
 * Refused (-EINVAL, nothing changed): a tunnel address or portal id of
 * another client. gw_ungrant(): the grant is forgotten and gw_revoke()
 * runs (the resource may be one gw does not know: fz.ko is asked).
 * gw_update_filters(): the resource's filters, set again for every
 * client holding it; -ENOENT for an unknown resource.
 */
int gw_grant(struct gateway *gw, const struct proto_auth_client *c,
	     const struct proto_auth_resource *r, uint64_t expires_ns,
	     char *err, size_t errlen);
int gw_ungrant(struct gateway *gw, const struct proto_auth_client *c,
	       const uint8_t resource_id[FZ_RESOURCE_ID_LEN], char *err,
	       size_t errlen);
int gw_update_filters(struct gateway *gw,
		      const uint8_t resource_id[FZ_RESOURCE_ID_LEN],
		      const struct fz_filter *filters, size_t n, char *err,
		      size_t errlen);

/* fz.ko's events for this gateway's peers. */
void gw_on_control(struct gateway *gw, const uint8_t key[FZ_KEY_LEN],
		   const uint8_t *packet, size_t len);
void gw_on_denied_flow(struct gateway *gw, const struct fzk_event *ev);

/* Tells a client we are going away (p2p Goodbye). */
int gw_send_goodbye(struct gateway *gw, const uint8_t key[FZ_KEY_LEN]);

/* Control packets dropped so far, by reason. */
uint64_t gw_drops(const struct gateway *gw, enum proto_p2p_drop reason);

/*
 * The control socket's words (after the command): "authorize" KEY
 * RESOURCE EXPIRES-NS and "revoke" KEY RESOURCE|all, answered in msg.
 */
int gw_ctl_authorize(struct gateway *gw, int argc, char **argv, char *msg,
		     size_t msglen);
int gw_ctl_revoke(struct gateway *gw, int argc, char **argv, char *msg,
		  size_t msglen);

/*
 * The round-robin DNS mapping: real[i] for proxy[i] is the (k mod n)-th
 * answer of proxy[i]'s family, k counting the proxy IPs of that family
 * before it; has_real[i] false when the family had no answer.
 */
void gw_map_round_robin(const struct fz_cidr *proxy, size_t n,
			const struct proto_resolve_result *r,
			struct fz_cidr *real, bool *has_real);

/*
 * Why a DNS answer must never be a translation target, or NULL when it
 * may be: unspecified, loopback, link-local, multicast, broadcast and
 * reserved, IPv4-mapped IPv6, and the tunnel and mapped ranges
 * (100.64.0.0/10, fd00:2021:1111::/107, fd00:2021:1111:8000::/107). A
 * name pointing there would make fz.ko translate a client's flow to the
 * gateway itself, its metadata service or another client.
 */
const char *gw_map_target_refused(const struct fz_cidr *ip);

#endif /* FZ_AGENT_GATEWAY_H */
