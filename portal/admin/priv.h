/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The admin wing's insides: the noun and verb tables, and the helpers
 * every noun file shares (request members, JSON of records, references,
 * the changes and audit rows). Verb functions return 0, or -1 with err
 * filled.
 */
#ifndef FZ_PORTAL_ADMIN_PRIV_H
#define FZ_PORTAL_ADMIN_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "admin.h"

typedef int (*admin_verb_fn)(struct admin_ctx *ctx, const char *id,
			     json_object *req, json_object **resp,
			     struct admin_error *err);

struct admin_verb {
	const char *name;
	admin_verb_fn fn;
	bool writes; /* run in a transaction with its changes row */
};

struct admin_noun {
	const char *name;
	const struct admin_verb *verbs; /* ended by { NULL } */
};

extern const struct admin_noun admin_noun_account, admin_noun_site,
	admin_noun_group, admin_noun_gateway_token, admin_noun_gateway,
	admin_noun_client, admin_noun_resource, admin_noun_member,
	admin_noun_actor, admin_noun_service_account, admin_noun_client_token,
	admin_noun_api_token, admin_noun_policy, admin_noun_audit,
	admin_noun_provider, admin_noun_session;

/* err filled; returns -1. */
int admin_fail(struct admin_error *err, enum admin_code code, const char *field,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* A store error as an admin error on field; returns -1. */
int admin_store_fail(struct admin_error *err, const char *field,
		     const struct store_err *serr);

/* Refuses members of req not in keys (NULL-terminated). */
int admin_req_keys(json_object *req, const char *const *keys,
		   struct admin_error *err);
/* A string member: *out NULL when absent (then refused if required). */
int admin_req_str(json_object *req, const char *key, bool required,
		  const char **out, struct admin_error *err);
/* A name: 1..255 bytes, no control characters, no outer spaces. */
int admin_req_name(json_object *req, const char *key, bool required,
		   const char **out, struct admin_error *err);
/* A boolean, or "true"/"false" text: *set false when absent. */
int admin_req_bool(json_object *req, const char *key, bool *out, bool *set,
		   struct admin_error *err);
/* An integer >= 0, or decimal text: *set false when absent. */
int admin_req_int(json_object *req, const char *key, int64_t max, int64_t *out,
		  bool *set, struct admin_error *err);
/* A duration in seconds: integer, or "90", "30m", "12h", "7d", "2w". */
int admin_req_duration(json_object *req, const char *key, int64_t *out,
		       bool *set, struct admin_error *err);

/* Copies src into a char array, refusing what does not fit. */
int admin_copy(char *dst, size_t size, const char *src, const char *field,
	       struct admin_error *err);
#define ADMIN_COPY(dst, src, field, err) \
	admin_copy(dst, sizeof(dst), src, field, err)

/* Now, in the store's nanoseconds. */
int64_t admin_now(void);
/* RFC 3339 text of t, or null for 0. */
json_object *admin_time_json(int64_t t);
/* A new string, or null for "". */
json_object *admin_opt_str(const char *s);
/* Stored JSON text (a "" is "[]") as a json-c value. */
json_object *admin_parse_stored(const char *text);

/*
 * A record of kind (STORE_ACTOR..STORE_POLICY) of ctx's account by its id,
 * or by its name (kinds with names); not_found names field.
 */
int admin_find(struct admin_ctx *ctx, enum store_kind kind, const char *ref,
	       void *rec, const char *field, struct admin_error *err);
int admin_find_token(struct admin_ctx *ctx, const char *kind, const char *ref,
		     struct store_token *t, struct admin_error *err);
int admin_find_gateway(struct admin_ctx *ctx, const char *ref,
		       struct store_gateway *g, struct admin_error *err);
int admin_find_client(struct admin_ctx *ctx, const char *ref,
		      struct store_client *c, struct admin_error *err);

/* The changes row and the audit row of one write (see admin.h). */
int admin_record(struct admin_ctx *ctx, const char *entity, const char *op,
		 const char *object_id, json_object *before, json_object *after,
		 struct admin_error *err);

/*
 * The changes and audit rows of a delete that cascades (entity site,
 * actor, group or resource): before is resp plus "cascade", the ids of
 * the children the delete takes (admin_cascade(), called before the
 * delete); cascade is {"truncated": true} when they do not fit the row.
 */
int admin_record_delete(struct admin_ctx *ctx, const char *entity,
			const char *object_id, json_object *resp,
			json_object *cascade, struct admin_error *err);
/* The children of entity id, as admin.h's contract names them; NULL
 * with err filled when the store fails. */
json_object *admin_cascade(struct admin_ctx *ctx, const char *entity,
			   const char *id, struct admin_error *err);

/* The REST objects of the records. */
json_object *admin_actor_json(const struct store_actor *a);
json_object *admin_token_json(const struct store_token *t);
json_object *admin_member_json(const char *group_id, const char *actor_id);

/* Actors and tokens, shared by the nouns built on them. */
int admin_actor_create(struct admin_ctx *ctx, const char *type,
		       json_object *req, json_object **resp,
		       struct admin_error *err);
int admin_actor_list(struct admin_ctx *ctx, const char *type, json_object *req,
		     json_object **resp, struct admin_error *err);
int admin_actor_find(struct admin_ctx *ctx, const char *type, const char *ref,
		     struct store_actor *a, struct admin_error *err);
int admin_actor_update(struct admin_ctx *ctx, const char *type, const char *id,
		       json_object *req, json_object **resp,
		       struct admin_error *err);
int admin_actor_delete(struct admin_ctx *ctx, const char *type, const char *id,
		       json_object **resp, struct admin_error *err);

/*
 * A new token t (kind, account, actor or site, name, expiry set by the
 * caller): minted, stored, recorded; *resp its object plus "token".
 */
int admin_token_create(struct admin_ctx *ctx, struct store_token *t,
		       json_object **resp, struct admin_error *err);
/* The tokens of kind, only those of field's (actor_id|site_id) ref. */
int admin_token_list(struct admin_ctx *ctx, const char *kind, const char *field,
		     json_object *req, json_object **resp,
		     struct admin_error *err);
int admin_token_show(struct admin_ctx *ctx, const char *kind, const char *id,
		     json_object **resp, struct admin_error *err);
int admin_token_delete(struct admin_ctx *ctx, const char *kind, const char *id,
		       json_object **resp, struct admin_error *err);

/* A provider of ctx's account by id or unique name. */
int admin_provider_find(struct admin_ctx *ctx, const char *ref,
			struct store_provider *p, struct admin_error *err);
/*
 * Deletes the client tokens signed in with identity_id, each with its
 * changes row (their sockets close); out gets their objects.
 */
int admin_revoke_identity(struct admin_ctx *ctx, const char *identity_id,
			  json_object *out, struct admin_error *err);

#endif /* FZ_PORTAL_ADMIN_PRIV_H */
