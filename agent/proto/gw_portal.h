/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The portal's signalling messages for a gateway (sig.h) as the
 * gateway's authorizations (gw_auth.h): an `init` becomes a whole
 * struct proto_auth, a `create_authorization` one client, one resource
 * and an expiry. The portal is input like any other: each function
 * checks all it converts and, on error, writes one line naming the
 * member to err and leaves its output empty (nothing half converted).
 *
 * What a message is checked for, beyond what proto_sig_parse() already
 * refused: a public key that is all zero; tunnel addresses that are not
 * one address each in 100.64.0.0/11 and fd00:2021:1111::/107; two
 * clients with one tunnel address, key or portal id; a resource address
 * its type refuses (lib/resaddr.h); filters outside fz.ko's rules; an
 * expiry outside 1 .. PROTO_SIG_MAX_TIME; one resource id given with two
 * definitions. Resource names are labels for the log only: the portal's
 * are free text, so characters outside A-Z a-z 0-9 . _ - become '_' and
 * a name is cut at PROTO_AUTH_NAME_MAX (an empty one is the UUID).
 */
#ifndef FZ_AGENT_GW_PORTAL_H
#define FZ_AGENT_GW_PORTAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gw_auth.h"
#include "sig.h"

/* A client as the portal describes it; a zero preshared key is none. */
int proto_auth_client_from_sig(const struct proto_sig_peer *p,
			       struct proto_auth_client *out, char *err,
			       size_t errlen);

int proto_auth_resource_from_sig(const struct proto_sig_resource *r,
				 struct proto_auth_resource *out, char *err,
				 size_t errlen);

/*
 * expires_at (unix seconds) as a grant's expiry (realtime nanoseconds):
 * -EINVAL outside 1 .. PROTO_SIG_MAX_TIME, -ETIME when not after now_ns.
 */
int proto_auth_expiry_from_sig(int64_t expires_at, uint64_t now_ns,
			       uint64_t *out, char *err, size_t errlen);

/* n filters as fz.ko takes them: 0, or -EINVAL with err. */
int proto_auth_filters_check(const struct fz_filter *f, size_t n, char *err,
			     size_t errlen);

/* The gateway's own tunnel addresses: one of each family, in range. */
int proto_auth_interface_check(const struct proto_sig_interface *i, char *err,
			       size_t errlen);

/*
 * The authorizations of an init, each client and resource once; those
 * already expired at now_ns are left out and counted in *n_expired. Two
 * authorizations of one client and resource make one grant, the later
 * expiry. Returns 0 with *out filled (proto_auth_free() it), or -EINVAL
 * or -ENOMEM with err and *out empty.
 */
int proto_auth_from_sig_init(const struct proto_sig_gateway_init *m,
			     uint64_t now_ns, struct proto_auth *out,
			     size_t *n_expired, char *err, size_t errlen);

/* The same key, preshared key, tunnel addresses and portal id. */
bool proto_auth_same_client(const struct proto_auth_client *a,
			    const struct proto_auth_client *b);
/* The same type and address (what fz.ko matches packets on). */
bool proto_auth_same_address(const struct proto_auth_resource *a,
			     const struct proto_auth_resource *b);
/* The same filters, in the same order. */
bool proto_auth_same_filters(const struct proto_auth_resource *a,
			     const struct proto_auth_resource *b);

#endif /* FZ_AGENT_GW_PORTAL_H */
