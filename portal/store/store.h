/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The store wing (portal/store/): everything the portal keeps, behind one
 * narrow interface that says nothing of SQL. A backend is a table of
 * functions (struct store_ops) chosen by the URL given to store_open():
 * "sqlite:PATH" today; a PostgreSQL backend ("postgres://...") can be
 * added beside it in its own file without changing any caller.
 *
 * Conventions, the same for every record and function:
 * - Ids are 36-character lower-case UUID text (core/ids.h), made by the
 *   store on create when the record's id is empty.
 * - Times are int64_t nanoseconds since the Unix epoch (the agent's
 *   clock, lib/clock.h); created_at is set by the store when 0. An
 *   optional time (disabled_at, expires_at, ...) is 0 for "none".
 * - An optional text (email, a token's site_id, ...) is "" for "none".
 * - Keys and token hashes are 32-byte arrays; filters, conditions, DNS
 *   server lists, endpoints and details are JSON text that the store
 *   keeps as given (admin/ and policy/ validate it).
 * - Every function returns 0 (STORE_OK) or a store_code, and then fills
 *   *err (when not NULL) with the code and a message a user can read
 *   ("a site named 'x' already exists"). The store prints nothing.
 * - Lists call each(arg, record) per row; the record is only valid during
 *   the call. A nonzero return stops the list and is returned as is.
 * - Writes are atomic one by one; store_begin/commit/rollback group them
 *   (an admin change, its changes row and its audit row go in one).
 */
#ifndef FZ_PORTAL_STORE_H
#define FZ_PORTAL_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/fz.h>

#define STORE_ID_SIZE 37 /* 36 characters and the NUL */
#define STORE_TEXT_SIZE 256 /* names, addresses, descriptions */
#define STORE_SHORT_SIZE 32 /* kinds, roles, types, versions */
#define STORE_JSON_SIZE 8192 /* filters, conditions, details */
#define STORE_MSG_SIZE 256
#define STORE_SECRET_SIZE 512 /* a provider's client secret */

enum store_code {
	STORE_OK = 0,
	STORE_NOT_FOUND, /* no such record */
	STORE_CONFLICT, /* a unique name, key or id is taken */
	STORE_INVALID, /* a value the schema refuses, or a missing reference */
	STORE_IN_USE, /* a delete that other records still need */
	STORE_FULL, /* the tunnel address pool is exhausted */
	STORE_BUSY, /* locked by another process past the busy timeout */
	STORE_SCHEMA, /* the schema is older or newer than this binary's */
	STORE_IO, /* anything else the backend reports */
};

struct store_err {
	enum store_code code;
	char msg[STORE_MSG_SIZE];
};

struct store_account {
	char id[STORE_ID_SIZE];
	char slug[64];
	char name[STORE_TEXT_SIZE];
	char upstream_dns[STORE_JSON_SIZE]; /* JSON array, "" = "[]" */
	char search_domain[STORE_TEXT_SIZE];
	int64_t client_token_ttl_s; /* 0 = the default, 7 days */
	int64_t self_signup; /* 0 | 1 (schema 3): sign-in makes new users */
	int64_t created_at;
};

struct store_actor {
	char id[STORE_ID_SIZE];
	char account_id[STORE_ID_SIZE];
	char type[STORE_SHORT_SIZE]; /* user | service_account */
	char role[STORE_SHORT_SIZE]; /* admin | member */
	char name[STORE_TEXT_SIZE];
	char email[STORE_TEXT_SIZE];
	int64_t disabled_at;
	int64_t created_at;
};

struct store_group {
	char id[STORE_ID_SIZE];
	char account_id[STORE_ID_SIZE];
	char name[STORE_TEXT_SIZE];
	int64_t builtin; /* 1 for Everyone: cannot be deleted or left */
	int64_t created_at;
};

struct store_site {
	char id[STORE_ID_SIZE];
	char account_id[STORE_ID_SIZE];
	char name[STORE_TEXT_SIZE];
	int64_t created_at;
};

struct store_resource {
	char id[STORE_ID_SIZE];
	char account_id[STORE_ID_SIZE];
	char site_id[STORE_ID_SIZE];
	char name[STORE_TEXT_SIZE];
	char type[STORE_SHORT_SIZE]; /* dns | ip | cidr */
	char address[STORE_TEXT_SIZE];
	char address_description[STORE_TEXT_SIZE];
	char filters[STORE_JSON_SIZE]; /* JSON array, "" = "[]" */
	int64_t created_at;
	int64_t updated_at;
};

struct store_policy {
	char id[STORE_ID_SIZE];
	char account_id[STORE_ID_SIZE];
	char group_id[STORE_ID_SIZE];
	char resource_id[STORE_ID_SIZE];
	char conditions[STORE_JSON_SIZE]; /* JSON array, "" = "[]" */
	char description[STORE_TEXT_SIZE];
	int64_t disabled_at;
	int64_t created_at;
	int64_t updated_at;
};

struct store_token {
	char id[STORE_ID_SIZE]; /* the id in the token's text */
	char account_id[STORE_ID_SIZE];
	char kind[STORE_SHORT_SIZE]; /* api | client | gateway */
	char actor_id[STORE_ID_SIZE]; /* api, client */
	char site_id[STORE_ID_SIZE]; /* gateway */
	char identity_id[STORE_ID_SIZE];
	uint8_t hash[32]; /* core_token_hash() */
	char name[STORE_TEXT_SIZE];
	char created_by[STORE_TEXT_SIZE];
	int64_t created_at;
	int64_t expires_at;
	int64_t last_used_at;
};

struct store_gateway {
	char id[STORE_ID_SIZE];
	char account_id[STORE_ID_SIZE];
	char site_id[STORE_ID_SIZE];
	char token_id[STORE_ID_SIZE];
	char name[STORE_TEXT_SIZE];
	uint8_t public_key[FZ_KEY_LEN];
	int64_t tunnel_offset; /* set by the store (core/tunnel.h) */
	int64_t listen_port;
	char endpoints[STORE_JSON_SIZE]; /* JSON array of "ip:port" */
	char remote_addr[STORE_TEXT_SIZE];
	char version[STORE_SHORT_SIZE];
	int64_t online_since;
	int64_t last_seen_at;
	int64_t created_at;
};

struct store_client {
	char id[STORE_ID_SIZE];
	char account_id[STORE_ID_SIZE];
	char actor_id[STORE_ID_SIZE];
	char token_id[STORE_ID_SIZE];
	char name[STORE_TEXT_SIZE];
	uint8_t public_key[FZ_KEY_LEN];
	int64_t tunnel_offset; /* set by the store */
	char external_id[STORE_TEXT_SIZE]; /* the device's own id (schema 2) */
	int64_t verified_at;
	char remote_addr[STORE_TEXT_SIZE];
	char version[STORE_SHORT_SIZE];
	int64_t online_since;
	int64_t last_seen_at;
	int64_t created_at;
};

/* An OpenID Connect provider users of the account sign in with. */
struct store_provider {
	char id[STORE_ID_SIZE];
	char account_id[STORE_ID_SIZE];
	char name[STORE_TEXT_SIZE];
	char issuer[STORE_TEXT_SIZE]; /* https://..., or http to loopback */
	char client_id[STORE_TEXT_SIZE];
	char client_secret[STORE_SECRET_SIZE]; /* never shown back */
	char scopes[STORE_TEXT_SIZE]; /* space-separated, with openid */
	int64_t link_by_email; /* 0 | 1 */
	int64_t disabled_at;
	int64_t created_at;
};

/* Who an actor is at a provider: (provider id, subject) is unique. */
struct store_identity {
	char id[STORE_ID_SIZE];
	char account_id[STORE_ID_SIZE];
	char actor_id[STORE_ID_SIZE];
	char provider[STORE_ID_SIZE]; /* the provider's id */
	char subject[STORE_TEXT_SIZE]; /* the id_token's sub */
	char email[STORE_TEXT_SIZE];
	int64_t created_at;
};

/* No references on purpose: revocation must find them after a delete. */
struct store_authz {
	char id[STORE_ID_SIZE];
	char account_id[STORE_ID_SIZE];
	char client_id[STORE_ID_SIZE];
	char gateway_id[STORE_ID_SIZE];
	char resource_id[STORE_ID_SIZE];
	char policy_id[STORE_ID_SIZE];
	char token_id[STORE_ID_SIZE];
	int64_t expires_at;
	int64_t created_at;
};

struct store_change {
	int64_t seq; /* set by the store, increasing */
	char account_id[STORE_ID_SIZE];
	int64_t at; /* 0: now */
	char entity[STORE_SHORT_SIZE]; /* site, policy, membership, ... */
	char op[STORE_SHORT_SIZE]; /* create | update | delete */
	char object_id[STORE_ID_SIZE];
	char data[STORE_JSON_SIZE]; /* what a delete loses, "" = null */
};

struct store_audit {
	int64_t id; /* set by the store */
	char account_id[STORE_ID_SIZE];
	int64_t at; /* 0: now */
	char source[STORE_SHORT_SIZE]; /* cli | api | signal */
	char who[STORE_TEXT_SIZE];
	char action[STORE_SHORT_SIZE];
	char object_type[STORE_SHORT_SIZE];
	char object_id[STORE_ID_SIZE];
	char decision[STORE_SHORT_SIZE]; /* allow | deny | "" */
	char policy_id[STORE_ID_SIZE];
	char reason[STORE_TEXT_SIZE];
	char detail[STORE_JSON_SIZE];
};

/* The columns authorizations can be listed by. */
enum store_authz_by {
	STORE_AUTHZ_BY_CLIENT,
	STORE_AUTHZ_BY_GATEWAY,
	STORE_AUTHZ_BY_POLICY,
	STORE_AUTHZ_BY_RESOURCE,
	STORE_AUTHZ_BY_TOKEN,
	STORE_AUTHZ_BY_MAX,
};

/* The record kinds with the same create/get/list/update/delete. */
enum store_kind {
	STORE_ACTOR,
	STORE_GROUP,
	STORE_SITE,
	STORE_RESOURCE,
	STORE_POLICY,
	STORE_KIND_MAX,
};

typedef int (*store_each_fn)(void *arg, const void *record);

struct store;

/* The backend of "scheme:rest" (see ops.h); NULL with *err filled. */
struct store *store_open(const char *url, struct store_err *err);
void store_close(struct store *s);

/*
 * Applies the migrations after the database's version up to target (0:
 * all this binary knows); *from and *to (either may be NULL) get the
 * versions before and after. A database newer than the binary is refused
 * (STORE_SCHEMA) by store_open() already; data functions work only once
 * the schema is this binary's latest.
 */
int store_migrate(struct store *s, int target, int *from, int *to,
		  struct store_err *err);
int store_schema_version(struct store *s, int *version, int *latest,
			 struct store_err *err);

/*
 * For a long-running server: the work that makes commits durable on
 * disk (SQLite's WAL checkpoint, with its fsync) is done every period_ms
 * (0: a second) on a thread and connection of the store's own instead of
 * inside whichever commit comes due, so the caller's thread never waits
 * for the disk. Until store_close(). A backend without such work: 0.
 */
int store_checkpoint_in_background(struct store *s, unsigned int period_ms,
				   struct store_err *err);

int store_begin(struct store *s, struct store_err *err);
int store_commit(struct store *s, struct store_err *err);
int store_rollback(struct store *s);

/* A value of at most *len bytes; *len gets its length. */
int store_meta_get(struct store *s, const char *key, void *value, size_t *len,
		   struct store_err *err);
int store_meta_set(struct store *s, const char *key, const void *value,
		   size_t len, struct store_err *err);

int store_account_create(struct store *s, struct store_account *a,
			 struct store_err *err);
int store_account_get(struct store *s, const char *id, struct store_account *a,
		      struct store_err *err);
int store_account_get_by_slug(struct store *s, const char *slug,
			      struct store_account *a, struct store_err *err);
int store_account_update(struct store *s, const struct store_account *a,
			 struct store_err *err);
/* Every account, by slug (each gets struct store_account). */
int store_account_list(struct store *s, store_each_fn each, void *arg,
		       struct store_err *err);

/*
 * Actors, groups, sites, resources and policies: rec points to the
 * struct of kind. Creating an actor also makes it a member of its
 * account's builtin group; the builtin group cannot be deleted.
 * list: every record of the account, ordered by name (policies: by
 * creation). update writes every field but id, account_id, created_at.
 */
int store_create(struct store *s, enum store_kind kind, void *rec,
		 struct store_err *err);
int store_get(struct store *s, enum store_kind kind, const char *id, void *rec,
	      struct store_err *err);
int store_list(struct store *s, enum store_kind kind, const char *account_id,
	       store_each_fn each, void *arg, struct store_err *err);
int store_update(struct store *s, enum store_kind kind, const void *rec,
		 struct store_err *err);
int store_delete(struct store *s, enum store_kind kind, const char *id,
		 struct store_err *err);
/* The account's builtin group (Everyone). */
int store_group_builtin(struct store *s, const char *account_id,
			struct store_group *g, struct store_err *err);

int store_member_add(struct store *s, const char *group_id,
		     const char *actor_id, struct store_err *err);
int store_member_remove(struct store *s, const char *group_id,
			const char *actor_id, struct store_err *err);
/* each gets struct store_actor; store_actor_groups: struct store_group. */
int store_member_list(struct store *s, const char *group_id, store_each_fn each,
		      void *arg, struct store_err *err);
int store_actor_groups(struct store *s, const char *actor_id,
		       store_each_fn each, void *arg, struct store_err *err);

/*
 * Providers (schema 3): list is by name. Deleting one leaves its
 * identities to the caller (admin/ deletes them and their tokens).
 */
int store_provider_create(struct store *s, struct store_provider *p,
			  struct store_err *err);
int store_provider_get(struct store *s, const char *id,
		       struct store_provider *p, struct store_err *err);
int store_provider_list(struct store *s, const char *account_id,
			store_each_fn each, void *arg, struct store_err *err);
int store_provider_update(struct store *s, const struct store_provider *p,
			  struct store_err *err);
int store_provider_delete(struct store *s, const char *id,
			  struct store_err *err);

/*
 * Identities: find by (account, provider id, subject), STORE_NOT_FOUND
 * when none; list those of a provider (NULL: every one of the account),
 * oldest first; delete one.
 */
int store_identity_create(struct store *s, struct store_identity *i,
			  struct store_err *err);
int store_identity_find(struct store *s, const char *account_id,
			const char *provider, const char *subject,
			struct store_identity *i, struct store_err *err);
int store_identity_list(struct store *s, const char *account_id,
			const char *provider, store_each_fn each, void *arg,
			struct store_err *err);
int store_identity_delete(struct store *s, const char *id,
			  struct store_err *err);

/*
 * The one actor of the account with this email, compared without case:
 * STORE_NOT_FOUND when none, STORE_CONFLICT when several have it (an
 * email that names two actors names nobody).
 */
int store_actor_find_by_email(struct store *s, const char *account_id,
			      const char *email, struct store_actor *a,
			      struct store_err *err);

int store_token_create(struct store *s, struct store_token *t,
		       struct store_err *err);
int store_token_get(struct store *s, const char *id, struct store_token *t,
		    struct store_err *err);
/* kind NULL: every kind. */
int store_token_list(struct store *s, const char *account_id, const char *kind,
		     store_each_fn each, void *arg, struct store_err *err);
int store_token_delete(struct store *s, const char *id, struct store_err *err);
int store_token_touch(struct store *s, const char *id, int64_t at,
		      struct store_err *err);

/*
 * Upsert by (account, public key): a new device gets an id and a tunnel
 * offset, a known one keeps both and has every other field replaced.
 * The record comes back complete. Deleting frees the offset.
 */
int store_gateway_upsert(struct store *s, struct store_gateway *g,
			 struct store_err *err);
int store_gateway_get(struct store *s, const char *id, struct store_gateway *g,
		      struct store_err *err);
/* site_id NULL: the whole account. */
int store_gateway_list(struct store *s, const char *account_id,
		       const char *site_id, store_each_fn each, void *arg,
		       struct store_err *err);
int store_gateway_delete(struct store *s, const char *id,
			 struct store_err *err);
int store_client_upsert(struct store *s, struct store_client *c,
			struct store_err *err);
int store_client_get(struct store *s, const char *id, struct store_client *c,
		     struct store_err *err);
/* actor_id NULL: the whole account. */
int store_client_list(struct store *s, const char *account_id,
		      const char *actor_id, store_each_fn each, void *arg,
		      struct store_err *err);
int store_client_delete(struct store *s, const char *id, struct store_err *err);
/*
 * Presence as the signalling wing sees it, for `admin gateway|client
 * list` in other processes: kind "gateway" or "client"; online_since 0
 * is offline. presence_reset marks every device offline (at start: no
 * socket survives a restart).
 */
int store_device_seen(struct store *s, const char *kind, const char *id,
		      int64_t online_since, int64_t last_seen_at,
		      const char *remote_addr, struct store_err *err);
int store_presence_reset(struct store *s, struct store_err *err);

int store_authz_insert(struct store *s, struct store_authz *a,
		       struct store_err *err);
int store_authz_delete(struct store *s, const char *id, struct store_err *err);
int store_authz_list_by(struct store *s, enum store_authz_by by, const char *id,
			store_each_fn each, void *arg, struct store_err *err);
/* Deletes those with expires_at <= now; *n (if not NULL) gets how many. */
int store_authz_delete_expired(struct store *s, int64_t now, int64_t *n,
			       struct store_err *err);

/* Sets c->seq. changes_since lists seq > after, in order. */
int store_change_append(struct store *s, struct store_change *c,
			struct store_err *err);
int store_changes_since(struct store *s, int64_t after, store_each_fn each,
			void *arg, struct store_err *err);
/* The highest seq written so far (0: none), where a new reader starts. */
int store_changes_last(struct store *s, int64_t *seq, struct store_err *err);

/* History older than a retention; the n_ fields get how many went. */
struct store_prune {
	int64_t changes_before; /* at < this (ns); 0: no changes row goes */
	int64_t changes_max_seq; /* and seq <= this (unread rows stay) */
	int64_t audit_before; /* at < this (ns); 0: no audit row goes */
	int64_t n_changes, n_audit;
};

int store_prune(struct store *s, struct store_prune *p, struct store_err *err);
int store_audit_append(struct store *s, struct store_audit *a,
		       struct store_err *err);
/* Newest first, at most limit (0: all) rows at or after since. */
int store_audit_list(struct store *s, const char *account_id, int64_t since,
		     int64_t limit, store_each_fn each, void *arg,
		     struct store_err *err);

/*
 * The hot path of an authorization: the enabled policies that link a
 * group of actor to resource (struct store_policy, oldest first), and the
 * resources any enabled policy of the actor's groups links to (struct
 * store_resource, by name, each once). Conditions are the caller's.
 */
int store_policies_for(struct store *s, const char *actor_id,
		       const char *resource_id, store_each_fn each, void *arg,
		       struct store_err *err);
int store_visible_resources(struct store *s, const char *actor_id,
			    store_each_fn each, void *arg,
			    struct store_err *err);

/*
 * A backend: one function per store_* function above, with the same
 * arguments (s is the backend's own struct, which starts with struct
 * store). store.c checks nothing and only dispatches.
 */
struct store_ops {
	const char *scheme; /* "sqlite" for "sqlite:PATH" */
	struct store *(*open)(const char *rest, struct store_err *err);
	void (*close)(struct store *s);
	int (*migrate)(struct store *s, int target, int *from, int *to,
		       struct store_err *err);
	int (*schema_version)(struct store *s, int *version, int *latest,
			      struct store_err *err);
	int (*begin)(struct store *s, struct store_err *err);
	int (*commit)(struct store *s, struct store_err *err);
	int (*rollback)(struct store *s);
	/* NULL: nothing to do in the background. */
	int (*checkpoint_in_background)(struct store *s, unsigned int period_ms,
					struct store_err *err);
	int (*meta_get)(struct store *s, const char *key, void *value,
			size_t *len, struct store_err *err);
	int (*meta_set)(struct store *s, const char *key, const void *value,
			size_t len, struct store_err *err);
	int (*account_create)(struct store *s, struct store_account *a,
			      struct store_err *err);
	int (*account_get)(struct store *s, const char *id,
			   struct store_account *a, struct store_err *err);
	int (*account_get_by_slug)(struct store *s, const char *slug,
				   struct store_account *a,
				   struct store_err *err);
	int (*account_update)(struct store *s, const struct store_account *a,
			      struct store_err *err);
	int (*account_list)(struct store *s, store_each_fn each, void *arg,
			    struct store_err *err);
	int (*create)(struct store *s, enum store_kind kind, void *rec,
		      struct store_err *err);
	int (*get)(struct store *s, enum store_kind kind, const char *id,
		   void *rec, struct store_err *err);
	int (*list)(struct store *s, enum store_kind kind,
		    const char *account_id, store_each_fn each, void *arg,
		    struct store_err *err);
	int (*update)(struct store *s, enum store_kind kind, const void *rec,
		      struct store_err *err);
	int (*delete)(struct store *s, enum store_kind kind, const char *id,
		      struct store_err *err);
	int (*group_builtin)(struct store *s, const char *account_id,
			     struct store_group *g, struct store_err *err);
	int (*member_add)(struct store *s, const char *group_id,
			  const char *actor_id, struct store_err *err);
	int (*member_remove)(struct store *s, const char *group_id,
			     const char *actor_id, struct store_err *err);
	int (*member_list)(struct store *s, const char *group_id,
			   store_each_fn each, void *arg,
			   struct store_err *err);
	int (*actor_groups)(struct store *s, const char *actor_id,
			    store_each_fn each, void *arg,
			    struct store_err *err);
	int (*provider_create)(struct store *s, struct store_provider *p,
			       struct store_err *err);
	int (*provider_get)(struct store *s, const char *id,
			    struct store_provider *p, struct store_err *err);
	int (*provider_list)(struct store *s, const char *account_id,
			     store_each_fn each, void *arg,
			     struct store_err *err);
	int (*provider_update)(struct store *s, const struct store_provider *p,
			       struct store_err *err);
	int (*provider_delete)(struct store *s, const char *id,
			       struct store_err *err);
	int (*identity_create)(struct store *s, struct store_identity *i,
			       struct store_err *err);
	int (*identity_find)(struct store *s, const char *account_id,
			     const char *provider, const char *subject,
			     struct store_identity *i, struct store_err *err);
	int (*identity_list)(struct store *s, const char *account_id,
			     const char *provider, store_each_fn each,
			     void *arg, struct store_err *err);
	int (*identity_delete)(struct store *s, const char *id,
			       struct store_err *err);
	int (*actor_find_by_email)(struct store *s, const char *account_id,
				   const char *email, struct store_actor *a,
				   struct store_err *err);
	int (*token_create)(struct store *s, struct store_token *t,
			    struct store_err *err);
	int (*token_get)(struct store *s, const char *id, struct store_token *t,
			 struct store_err *err);
	int (*token_list)(struct store *s, const char *account_id,
			  const char *kind, store_each_fn each, void *arg,
			  struct store_err *err);
	int (*token_delete)(struct store *s, const char *id,
			    struct store_err *err);
	int (*token_touch)(struct store *s, const char *id, int64_t at,
			   struct store_err *err);
	int (*gateway_upsert)(struct store *s, struct store_gateway *g,
			      struct store_err *err);
	int (*gateway_get)(struct store *s, const char *id,
			   struct store_gateway *g, struct store_err *err);
	int (*gateway_list)(struct store *s, const char *account_id,
			    const char *site_id, store_each_fn each, void *arg,
			    struct store_err *err);
	int (*gateway_delete)(struct store *s, const char *id,
			      struct store_err *err);
	int (*client_upsert)(struct store *s, struct store_client *c,
			     struct store_err *err);
	int (*client_get)(struct store *s, const char *id,
			  struct store_client *c, struct store_err *err);
	int (*client_list)(struct store *s, const char *account_id,
			   const char *actor_id, store_each_fn each, void *arg,
			   struct store_err *err);
	int (*client_delete)(struct store *s, const char *id,
			     struct store_err *err);
	int (*device_seen)(struct store *s, const char *kind, const char *id,
			   int64_t online_since, int64_t last_seen_at,
			   const char *remote_addr, struct store_err *err);
	int (*presence_reset)(struct store *s, struct store_err *err);
	int (*authz_insert)(struct store *s, struct store_authz *a,
			    struct store_err *err);
	int (*authz_delete)(struct store *s, const char *id,
			    struct store_err *err);
	int (*authz_list_by)(struct store *s, enum store_authz_by by,
			     const char *id, store_each_fn each, void *arg,
			     struct store_err *err);
	int (*authz_delete_expired)(struct store *s, int64_t now, int64_t *n,
				    struct store_err *err);
	int (*change_append)(struct store *s, struct store_change *c,
			     struct store_err *err);
	int (*changes_since)(struct store *s, int64_t after, store_each_fn each,
			     void *arg, struct store_err *err);
	int (*changes_last)(struct store *s, int64_t *seq,
			    struct store_err *err);
	int (*prune)(struct store *s, struct store_prune *p,
		     struct store_err *err);
	int (*audit_append)(struct store *s, struct store_audit *a,
			    struct store_err *err);
	int (*audit_list)(struct store *s, const char *account_id,
			  int64_t since, int64_t limit, store_each_fn each,
			  void *arg, struct store_err *err);
	int (*policies_for)(struct store *s, const char *actor_id,
			    const char *resource_id, store_each_fn each,
			    void *arg, struct store_err *err);
	int (*visible_resources)(struct store *s, const char *actor_id,
				 store_each_fn each, void *arg,
				 struct store_err *err);
};

struct store {
	const struct store_ops *ops;
};

extern const struct store_ops store_sqlite_ops;

/* Fills err (if not NULL) and returns code; for backends. */
int store_fail(struct store_err *err, enum store_code code, const char *fmt,
	       ...) __attribute__((format(printf, 3, 4)));

#endif /* FZ_PORTAL_STORE_H */
