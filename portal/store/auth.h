/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who a bearer token is: the one check behind every door of the portal
 * (the REST API, the gateway and client sockets). It parses the text,
 * looks the id up, compares hashes in constant time (core/token.h), then
 * checks the kind, the expiry and, for tokens of an actor, that the actor
 * exists and is not disabled.
 */
#ifndef FZ_PORTAL_STORE_AUTH_H
#define FZ_PORTAL_STORE_AUTH_H

#include <stdint.h>

#include "store.h"

/*
 * 0 and *tok (and *actor, when not NULL and the token has one) filled, or
 * -EACCES with *why saying why for the log (never for the peer: every
 * refusal looks the same from outside), or -EIO when the store failed
 * (*why is then its message). kind is "api", "client" or "gateway"; now
 * is in nanoseconds since the epoch, as every store time.
 */
int store_authenticate(struct store *s, const char *text, const char *kind,
		       int64_t now, struct store_token *tok,
		       struct store_actor *actor, const char **why);

#endif /* FZ_PORTAL_STORE_AUTH_H */
