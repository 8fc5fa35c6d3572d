/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The api wing (portal/api/): the REST API, a mapping of HTTP methods
 * and paths onto the admin wing's nouns and verbs, behind bearer tokens.
 *
 *   /api/v1/{sites,gateway_tokens,gateways,clients,resources,groups,
 *            actors,service_accounts,client_tokens,api_tokens,policies,
 *            audit,providers}
 *       GET list (query parameters are the request: ?site_id=hq),
 *       POST create (201)
 *   /api/v1/COLLECTION/ID      GET show, PATCH update, DELETE delete
 *   /api/v1/groups/ID/members  GET list, POST add {"actor_id": ...}
 *   /api/v1/groups/ID/members/ACTOR   DELETE remove
 *   /api/v1/account            GET show, PATCH update
 *   /api/v1/providers          as the collections above (OIDC providers;
 *                              client_secret is written, never read)
 *   /api/v1/sessions?actor_id=X   GET list (an actor's client tokens)
 *   /api/v1/sessions/ID        DELETE revoke (and ?actor_id=X: all)
 *   /api/v1/sign_out           POST with "Authorization: Bearer" a
 *                              client token: deletes it, 204 (any bad
 *                              token: 401, like every refusal)
 *
 * "Authorization: Bearer fz1_..." must be an API token of an admin:
 * without one, or with a bad one, 401; of a member, 403. Bodies are JSON
 * objects with "Content-Type: application/json" (else 415). Errors are
 * {"error":{"code":"invalid|not_found|conflict|forbidden|...","field":
 * F,"message":M}} with 400, 404, 409, 403, 405, 500.
 */
#ifndef FZ_PORTAL_API_H
#define FZ_PORTAL_API_H

#include "store/store.h"
#include "web/web.h"

/* A struct web_config.rest; arg is the open struct store. */
void api_rest(void *arg, const struct web_request *req,
	      struct web_response *resp);

#endif /* FZ_PORTAL_API_H */
