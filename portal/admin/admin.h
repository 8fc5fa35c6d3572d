/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The admin wing (portal/admin/): the one validation and write path
 * behind `fzportal admin` and the REST API. Both turn what they are given
 * into a request (a json-c object, the REST body), call admin_call(), and
 * show the response (the object --json prints and REST returns). Nothing
 * else in the portal writes administrative records, so a rule checked
 * here holds for both doors.
 *
 * Nouns and verbs (noun names as the CLI spells them, '_' for '-'):
 *   account          show, update
 *   site, group      create, list, show, update, delete
 *   gateway_token    create, list, show, delete
 *   gateway          list, show, delete
 *   client           list, show, update (verified), delete
 *   resource         create, list, show, update, delete
 *   member           add, list, remove (id: the group)
 *   actor            create, list, show, update, delete (users)
 *   service_account  create, list, show, update, delete
 *   client_token     create, list, show, delete
 *   api_token        create, list, show, delete (admin actors only)
 *   policy           create, list, show, update, enable, disable, delete
 *   audit            list
 *   provider         create, list, show, update, delete (OIDC providers;
 *                    the client secret is shown as "(set)", never back)
 *   session          list (actor_id), revoke (id, or every one of
 *                    actor_id): an actor's client tokens
 * Wherever a request refers to another record (site_id, group_id,
 * actor_id, resource_id, and the id argument), its id or its unique name
 * is accepted. Unknown request members are refused, so a typo never
 * passes silently. Times in responses are RFC 3339 UTC text, or null.
 *
 * Every write runs in one store transaction together with one `changes`
 * row and one `audit` row; on any error the transaction is rolled back
 * and nothing has changed. A created token's text appears once, as
 * "token" in the response; only its hash is stored (see
 * admin_wipe_token()).
 *
 * THE CHANGES CONTRACT (what the signalling wing consumes to revoke and
 * push). Every admin write appends exactly one row to `changes`:
 *   entity     account | actor | group | member | site | resource |
 *              policy | token | gateway | client | provider | identity
 *              (service accounts are actors; all three token nouns are
 *              "token", told apart by data's "kind")
 *   op         create | update | delete
 *   object_id  the record's id; for member, the group's id
 *   data       {"before": OBJ|null, "after": OBJ|null}: OBJ is the same
 *              JSON object the REST API returns for that noun (null before
 *              a create and after a delete). member's OBJ is
 *              {"group_id": ..., "actor_id": ...}; token's is {"id",
 *              "kind", "actor_id", "site_id", "name", "created_at",
 *              "expires_at", "last_used_at"} (absent references null),
 *              never the hash nor the text.
 * A delete that cascades in the database writes only the parent's row,
 * but its data.before names what the delete took with it, collected in
 * the same transaction before the delete (nobody can ask afterwards):
 * before.cascade is
 *   site     {"tokens": [ID...], "gateways": [ID...]} (its gateway
 *            tokens and gateways; a site with resources cannot be
 *            deleted)
 *   actor    {"clients": [ID...], "tokens": [ID...], "memberships":
 *            [{"group_id", "actor_id"}...]}
 *   group    {"memberships": [{"group_id", "actor_id"}...], "policies":
 *            [{"id", "group_id", "resource_id"}...]}
 *   resource {"policies": [{"id", "group_id", "resource_id"}...]}
 * Consumers treat these as deleted too. When the lists do not fit the
 * row (8 KiB; a group of thousands), "memberships" is left out, then
 * every list, and cascade gains "truncated": true: a list present is
 * complete, a list missing means the consumer must assume any child of
 * that kind may be gone.
 * Enabling or disabling a policy is an update (see "enabled" in data).
 * Exceptions to "exactly one row": a session revoke of an actor writes
 * one token delete row per token; deleting a provider writes one token
 * delete row per session signed in through it, then the provider's row
 * (before.cascade {"identities": [ID...], "tokens": [OBJ...]}); a
 * self-signup writes the actor's create row and the identity's.
 */
#ifndef FZ_PORTAL_ADMIN_H
#define FZ_PORTAL_ADMIN_H

#include <json-c/json.h>

#include "store/store.h"

enum admin_code {
	ADMIN_OK = 0,
	ADMIN_INVALID, /* the request is wrong: 400 */
	ADMIN_NOT_FOUND, /* no such record: 404 */
	ADMIN_CONFLICT, /* a name taken, a record still in use: 409 */
	ADMIN_FORBIDDEN, /* not allowed, e.g. leaving Everyone: 403 */
	ADMIN_INTERNAL, /* the store failed: 500 */
};

struct admin_error {
	enum admin_code code;
	char field[48]; /* the request member at fault, "" if none */
	char message[256];
};

/* Who acts, on which account: set by admin_ctx_init(). */
struct admin_ctx {
	struct store *s;
	struct store_account account;
	const char *source; /* "cli" or "api", for the audit log */
	const char *who; /* an actor's name or id, for the audit log */
};

/*
 * The account by slug or id; account NULL: the database's only account
 * (refused when there are none or several). 0 or the error's code.
 */
int admin_ctx_init(struct admin_ctx *ctx, struct store *s, const char *account,
		   const char *source, const char *who,
		   struct admin_error *err);

/*
 * Runs NOUN VERB: id is the record the verb acts on (NULL for create and
 * list), req the request (NULL: empty). 0 with *resp a new json-c value
 * (the caller puts it), or the error's code with err filled and *resp
 * NULL.
 */
int admin_call(struct admin_ctx *ctx, const char *noun, const char *verb,
	       const char *id, json_object *req, json_object **resp,
	       struct admin_error *err);

/* Whether NOUN VERB exists, and whether it writes. */
bool admin_verb_exists(const char *noun, const char *verb);

/* "invalid", "not_found", ... as REST's error.code. */
const char *admin_code_name(enum admin_code code);

/*
 * Overwrites the text of a created token ("token" in resp) with zeros,
 * once it has been written out.
 */
void admin_wipe_token(json_object *resp);
/* Overwrites a request's secret members (client_secret) with zeros. */
void admin_wipe_request(json_object *req);

/*
 * The sign-in wing's writes (SIGNIN.md), each one transaction with its
 * changes and audit rows (audit source "signal": the audit table's CHECK
 * allows only cli, api and signal, and SQLite cannot change a CHECK).
 * Each returns 0, or -EACCES (refused: err->message says why, for the
 * log and the error page), -EINVAL (bad arguments) or -EIO (the store).
 */

/*
 * Which enabled actor signs in: the actor of the identity (provider_id,
 * sub); else, when link_by_email and email_verified, the one enabled
 * actor with that email (an identity is made for it); else, when
 * self_signup, a new member user (named after the email's local part or
 * sub, made unique; email kept only when verified) and its identity;
 * else -EACCES "unknown user". provider_id NULL: an email sign-in, by the
 * one enabled actor with that email, no identity (*identity zeroed).
 * Several actors with the email, or a disabled actor: -EACCES.
 */
int admin_signin_match(struct store *s, const char *account_id,
		       const char *provider_id, const char *sub,
		       const char *email, bool email_verified,
		       bool link_by_email, bool self_signup,
		       struct store_actor *actor,
		       struct store_identity *identity,
		       struct admin_error *err);

/*
 * A new client token of actor_id for an agent's nonce (43 characters of
 * base64url), named "sign-in via LABEL", expiring at now (ns) + the
 * account's client_token_ttl: fragment gets its fz1_ text (the agent
 * prepends the nonce), *expires_at its expiry. identity_id NULL: none
 * (email). The caller wipes fragment once sent.
 */
int admin_signin_session(struct store *s, const char *account_id,
			 const char *actor_id, const char *identity_id,
			 const char *provider_label, const char *nonce_text,
			 int64_t now, char fragment[71], int64_t *expires_at,
			 struct admin_error *err);

/*
 * Signs out: deletes the client token whose text (either form) this is,
 * with its changes row (its sockets close). -EACCES when the text is
 * not a valid client token, however it fails.
 */
int admin_signout(struct store *s, const char *token_text,
		  struct admin_error *err);

#endif /* FZ_PORTAL_ADMIN_H */
