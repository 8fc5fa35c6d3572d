// SPDX-License-Identifier: GPL-2.0
/*
 * Which record field is which column, per table: the single description
 * that sqlite_stmts.c builds the CRUD statements from and sqlite_rows.c
 * binds and reads by. A new column is one line here and one migration.
 */
#include <stddef.h>

#include "sqlite.h"

#define COL(st, field, type, fixed)                                   \
	{                                                             \
#field, STORE_COL_##type, offsetof(struct st, field), \
			sizeof(((struct st *)0)->field), fixed        \
	}
#define N(cols) (sizeof(cols) / sizeof(cols[0]))
#define NAME_OFF(st) offsetof(struct st, name)

static const struct store_sqlite_col account_cols[] = {
	COL(store_account, id, TEXT, 1),
	COL(store_account, slug, TEXT, 1),
	COL(store_account, name, TEXT, 0),
	COL(store_account, upstream_dns, JSON, 0),
	COL(store_account, search_domain, OPT_TEXT, 0),
	COL(store_account, client_token_ttl_s, INT, 0),
	COL(store_account, self_signup, INT, 0),
	COL(store_account, created_at, INT, 1),
};

static const struct store_sqlite_col actor_cols[] = {
	COL(store_actor, id, TEXT, 1),
	COL(store_actor, account_id, TEXT, 1),
	COL(store_actor, type, TEXT, 0),
	COL(store_actor, role, TEXT, 0),
	COL(store_actor, name, TEXT, 0),
	COL(store_actor, email, OPT_TEXT, 0),
	COL(store_actor, disabled_at, OPT_INT, 0),
	COL(store_actor, created_at, INT, 1),
};

static const struct store_sqlite_col group_cols[] = {
	COL(store_group, id, TEXT, 1),
	COL(store_group, account_id, TEXT, 1),
	COL(store_group, name, TEXT, 0),
	COL(store_group, builtin, INT, 1),
	COL(store_group, created_at, INT, 1),
};

static const struct store_sqlite_col site_cols[] = {
	COL(store_site, id, TEXT, 1),
	COL(store_site, account_id, TEXT, 1),
	COL(store_site, name, TEXT, 0),
	COL(store_site, created_at, INT, 1),
};

static const struct store_sqlite_col resource_cols[] = {
	COL(store_resource, id, TEXT, 1),
	COL(store_resource, account_id, TEXT, 1),
	COL(store_resource, site_id, TEXT, 0),
	COL(store_resource, name, TEXT, 0),
	COL(store_resource, type, TEXT, 0),
	COL(store_resource, address, TEXT, 0),
	COL(store_resource, address_description, OPT_TEXT, 0),
	COL(store_resource, filters, JSON, 0),
	COL(store_resource, created_at, INT, 1),
	COL(store_resource, updated_at, OPT_INT, 0),
};

static const struct store_sqlite_col policy_cols[] = {
	COL(store_policy, id, TEXT, 1),
	COL(store_policy, account_id, TEXT, 1),
	COL(store_policy, group_id, TEXT, 0),
	COL(store_policy, resource_id, TEXT, 0),
	COL(store_policy, conditions, JSON, 0),
	COL(store_policy, description, OPT_TEXT, 0),
	COL(store_policy, disabled_at, OPT_INT, 0),
	COL(store_policy, created_at, INT, 1),
	COL(store_policy, updated_at, OPT_INT, 0),
};

static const struct store_sqlite_col token_cols[] = {
	COL(store_token, id, TEXT, 1),
	COL(store_token, account_id, TEXT, 1),
	COL(store_token, kind, TEXT, 1),
	COL(store_token, actor_id, OPT_TEXT, 1),
	COL(store_token, site_id, OPT_TEXT, 1),
	COL(store_token, identity_id, OPT_TEXT, 1),
	COL(store_token, hash, BLOB, 1),
	COL(store_token, name, TEXT, 0),
	COL(store_token, created_by, OPT_TEXT, 1),
	COL(store_token, created_at, INT, 1),
	COL(store_token, expires_at, OPT_INT, 0),
	COL(store_token, last_used_at, OPT_INT, 0),
};

static const struct store_sqlite_col gateway_cols[] = {
	COL(store_gateway, id, TEXT, 1),
	COL(store_gateway, account_id, TEXT, 1),
	COL(store_gateway, site_id, TEXT, 0),
	COL(store_gateway, token_id, OPT_TEXT, 0),
	COL(store_gateway, name, TEXT, 0),
	COL(store_gateway, public_key, BLOB, 1),
	COL(store_gateway, tunnel_offset, INT, 1),
	COL(store_gateway, listen_port, OPT_INT, 0),
	COL(store_gateway, endpoints, JSON, 0),
	COL(store_gateway, remote_addr, OPT_TEXT, 0),
	COL(store_gateway, version, OPT_TEXT, 0),
	COL(store_gateway, online_since, OPT_INT, 0),
	COL(store_gateway, last_seen_at, OPT_INT, 0),
	COL(store_gateway, created_at, INT, 1),
};

static const struct store_sqlite_col client_cols[] = {
	COL(store_client, id, TEXT, 1),
	COL(store_client, account_id, TEXT, 1),
	COL(store_client, actor_id, TEXT, 1),
	COL(store_client, token_id, OPT_TEXT, 0),
	COL(store_client, name, TEXT, 0),
	COL(store_client, public_key, BLOB, 1),
	COL(store_client, tunnel_offset, INT, 1),
	COL(store_client, external_id, OPT_TEXT, 0),
	COL(store_client, verified_at, OPT_INT, 0),
	COL(store_client, remote_addr, OPT_TEXT, 0),
	COL(store_client, version, OPT_TEXT, 0),
	COL(store_client, online_since, OPT_INT, 0),
	COL(store_client, last_seen_at, OPT_INT, 0),
	COL(store_client, created_at, INT, 1),
};

static const struct store_sqlite_col authz_cols[] = {
	COL(store_authz, id, TEXT, 1),
	COL(store_authz, account_id, TEXT, 1),
	COL(store_authz, client_id, TEXT, 1),
	COL(store_authz, gateway_id, TEXT, 1),
	COL(store_authz, resource_id, TEXT, 1),
	COL(store_authz, policy_id, TEXT, 1),
	COL(store_authz, token_id, OPT_TEXT, 1),
	COL(store_authz, expires_at, INT, 0),
	COL(store_authz, created_at, INT, 1),
};

static const struct store_sqlite_col change_cols[] = {
	COL(store_change, seq, AUTO, 1),
	COL(store_change, account_id, TEXT, 1),
	COL(store_change, at, INT, 1),
	COL(store_change, entity, TEXT, 1),
	COL(store_change, op, TEXT, 1),
	COL(store_change, object_id, OPT_TEXT, 1),
	COL(store_change, data, OPT_TEXT, 1),
};

static const struct store_sqlite_col audit_cols[] = {
	COL(store_audit, id, AUTO, 1),
	COL(store_audit, account_id, TEXT, 1),
	COL(store_audit, at, INT, 1),
	COL(store_audit, source, TEXT, 1),
	COL(store_audit, who, OPT_TEXT, 1),
	COL(store_audit, action, TEXT, 1),
	COL(store_audit, object_type, OPT_TEXT, 1),
	COL(store_audit, object_id, OPT_TEXT, 1),
	COL(store_audit, decision, OPT_TEXT, 1),
	COL(store_audit, policy_id, OPT_TEXT, 1),
	COL(store_audit, reason, OPT_TEXT, 1),
	COL(store_audit, detail, OPT_TEXT, 1),
};

static const struct store_sqlite_col provider_cols[] = {
	COL(store_provider, id, TEXT, 1),
	COL(store_provider, account_id, TEXT, 1),
	COL(store_provider, name, TEXT, 0),
	COL(store_provider, issuer, TEXT, 0),
	COL(store_provider, client_id, TEXT, 0),
	COL(store_provider, client_secret, TEXT, 0),
	COL(store_provider, scopes, TEXT, 0),
	COL(store_provider, link_by_email, INT, 0),
	COL(store_provider, disabled_at, OPT_INT, 0),
	COL(store_provider, created_at, INT, 1),
};

static const struct store_sqlite_col identity_cols[] = {
	COL(store_identity, id, TEXT, 1),
	COL(store_identity, account_id, TEXT, 1),
	COL(store_identity, actor_id, TEXT, 1),
	COL(store_identity, provider, TEXT, 1),
	COL(store_identity, subject, TEXT, 1),
	COL(store_identity, email, OPT_TEXT, 0),
	COL(store_identity, created_at, INT, 1),
};

#define TABLE(id, sql_, st, noun_, a, cols_, order_, missing_, in_use_, noff) \
	[id] = { .name = sql_,                                                \
		 .noun = noun_,                                               \
		 .a_noun = a,                                                 \
		 .cols = cols_,                                               \
		 .n_cols = N(cols_),                                          \
		 .size = sizeof(struct st),                                   \
		 .order = order_,                                             \
		 .missing = missing_,                                         \
		 .in_use = in_use_,                                           \
		 .name_off = noff }

const struct store_sqlite_table store_sqlite_tables[STORE_T_MAX] = {
	TABLE(STORE_T_ACCOUNT, "accounts", store_account, "account",
	      "an account", account_cols, "slug", NULL, NULL,
	      NAME_OFF(store_account)),
	TABLE(STORE_T_ACTOR, "actors", store_actor, "actor", "an actor",
	      actor_cols, "name", "no such account", NULL,
	      NAME_OFF(store_actor)),
	TABLE(STORE_T_GROUP, "groups", store_group, "group", "a group",
	      group_cols, "name", "no such account", NULL,
	      NAME_OFF(store_group)),
	TABLE(STORE_T_SITE, "sites", store_site, "site", "a site", site_cols,
	      "name", "no such account",
	      "the site still has resources; delete or move them first",
	      NAME_OFF(store_site)),
	TABLE(STORE_T_RESOURCE, "resources", store_resource, "resource",
	      "a resource", resource_cols, "name", "no such account or site",
	      NULL, NAME_OFF(store_resource)),
	TABLE(STORE_T_POLICY, "policies", store_policy, "policy", "a policy",
	      policy_cols, "created_at, id",
	      "no such account, group or resource", NULL, 0),
	TABLE(STORE_T_TOKEN, "tokens", store_token, "token", "a token",
	      token_cols, "created_at, id", "no such account, actor or site",
	      NULL, NAME_OFF(store_token)),
	TABLE(STORE_T_GATEWAY, "gateways", store_gateway, "gateway",
	      "a gateway", gateway_cols, "name, id", "no such account or site",
	      NULL, NAME_OFF(store_gateway)),
	TABLE(STORE_T_CLIENT, "clients", store_client, "client", "a client",
	      client_cols, "name, id", "no such account or actor", NULL,
	      NAME_OFF(store_client)),
	TABLE(STORE_T_AUTHZ, "authorizations", store_authz, "authorization",
	      "an authorization", authz_cols, "created_at, id", NULL, NULL, 0),
	TABLE(STORE_T_CHANGE, "changes", store_change, "change", "a change",
	      change_cols, "seq", NULL, NULL, 0),
	TABLE(STORE_T_AUDIT, "audit", store_audit, "audit record",
	      "an audit record", audit_cols, "at, id", NULL, NULL, 0),
	TABLE(STORE_T_PROVIDER, "providers", store_provider, "provider",
	      "a provider", provider_cols, "name, id", "no such account", NULL,
	      NAME_OFF(store_provider)),
	TABLE(STORE_T_IDENTITY, "identities", store_identity, "identity",
	      "an identity", identity_cols, "created_at, id",
	      "no such account or actor", NULL, 0),
};
