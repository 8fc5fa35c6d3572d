// SPDX-License-Identifier: GPL-2.0
/*
 * The store's front: picks the backend by the URL's scheme and forwards
 * every call to it, so callers never name a backend.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "store.h"

static const struct store_ops *const backends[] = {
	&store_sqlite_ops,
};

int store_fail(struct store_err *err, enum store_code code, const char *fmt,
	       ...)
{
	va_list ap;

	if (err) {
		err->code = code;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}

struct store *store_open(const char *url, struct store_err *err)
{
	const char *colon = strchr(url, ':');
	size_t len = colon ? (size_t)(colon - url) : 0;

	for (size_t i = 0; colon && i < sizeof(backends) / sizeof(*backends);
	     i++) {
		if (strlen(backends[i]->scheme) == len &&
		    !strncmp(url, backends[i]->scheme, len))
			return backends[i]->open(colon + 1, err);
	}
	store_fail(err, STORE_INVALID,
		   "%s: unknown database URL (expected sqlite:PATH)", url);
	return NULL;
}

void store_close(struct store *s)
{
	if (s)
		s->ops->close(s);
}

int store_migrate(struct store *s, int target, int *from, int *to,
		  struct store_err *err)
{
	return s->ops->migrate(s, target, from, to, err);
}

int store_schema_version(struct store *s, int *version, int *latest,
			 struct store_err *err)
{
	return s->ops->schema_version(s, version, latest, err);
}

int store_checkpoint_in_background(struct store *s, unsigned int period_ms,
				   struct store_err *err)
{
	if (!s->ops->checkpoint_in_background)
		return 0;
	return s->ops->checkpoint_in_background(s, period_ms, err);
}

int store_begin(struct store *s, struct store_err *err)
{
	return s->ops->begin(s, err);
}

int store_commit(struct store *s, struct store_err *err)
{
	return s->ops->commit(s, err);
}

int store_rollback(struct store *s)
{
	return s->ops->rollback(s);
}

int store_meta_get(struct store *s, const char *key, void *value, size_t *len,
		   struct store_err *err)
{
	return s->ops->meta_get(s, key, value, len, err);
}

int store_meta_set(struct store *s, const char *key, const void *value,
		   size_t len, struct store_err *err)
{
	return s->ops->meta_set(s, key, value, len, err);
}

int store_account_create(struct store *s, struct store_account *a,
			 struct store_err *err)
{
	return s->ops->account_create(s, a, err);
}

int store_account_get(struct store *s, const char *id, struct store_account *a,
		      struct store_err *err)
{
	return s->ops->account_get(s, id, a, err);
}

int store_account_get_by_slug(struct store *s, const char *slug,
			      struct store_account *a, struct store_err *err)
{
	return s->ops->account_get_by_slug(s, slug, a, err);
}

int store_account_update(struct store *s, const struct store_account *a,
			 struct store_err *err)
{
	return s->ops->account_update(s, a, err);
}

int store_account_list(struct store *s, store_each_fn each, void *arg,
		       struct store_err *err)
{
	return s->ops->account_list(s, each, arg, err);
}

int store_create(struct store *s, enum store_kind kind, void *rec,
		 struct store_err *err)
{
	return s->ops->create(s, kind, rec, err);
}

int store_get(struct store *s, enum store_kind kind, const char *id, void *rec,
	      struct store_err *err)
{
	return s->ops->get(s, kind, id, rec, err);
}

int store_list(struct store *s, enum store_kind kind, const char *account_id,
	       store_each_fn each, void *arg, struct store_err *err)
{
	return s->ops->list(s, kind, account_id, each, arg, err);
}

int store_update(struct store *s, enum store_kind kind, const void *rec,
		 struct store_err *err)
{
	return s->ops->update(s, kind, rec, err);
}

int store_delete(struct store *s, enum store_kind kind, const char *id,
		 struct store_err *err)
{
	return s->ops->delete (s, kind, id, err);
}

int store_group_builtin(struct store *s, const char *account_id,
			struct store_group *g, struct store_err *err)
{
	return s->ops->group_builtin(s, account_id, g, err);
}

int store_member_add(struct store *s, const char *group_id,
		     const char *actor_id, struct store_err *err)
{
	return s->ops->member_add(s, group_id, actor_id, err);
}

int store_member_remove(struct store *s, const char *group_id,
			const char *actor_id, struct store_err *err)
{
	return s->ops->member_remove(s, group_id, actor_id, err);
}

int store_member_list(struct store *s, const char *group_id, store_each_fn each,
		      void *arg, struct store_err *err)
{
	return s->ops->member_list(s, group_id, each, arg, err);
}

int store_actor_groups(struct store *s, const char *actor_id,
		       store_each_fn each, void *arg, struct store_err *err)
{
	return s->ops->actor_groups(s, actor_id, each, arg, err);
}

int store_token_create(struct store *s, struct store_token *t,
		       struct store_err *err)
{
	return s->ops->token_create(s, t, err);
}

int store_token_get(struct store *s, const char *id, struct store_token *t,
		    struct store_err *err)
{
	return s->ops->token_get(s, id, t, err);
}

int store_token_list(struct store *s, const char *account_id, const char *kind,
		     store_each_fn each, void *arg, struct store_err *err)
{
	return s->ops->token_list(s, account_id, kind, each, arg, err);
}

int store_token_delete(struct store *s, const char *id, struct store_err *err)
{
	return s->ops->token_delete(s, id, err);
}

int store_token_touch(struct store *s, const char *id, int64_t at,
		      struct store_err *err)
{
	return s->ops->token_touch(s, id, at, err);
}

int store_gateway_upsert(struct store *s, struct store_gateway *g,
			 struct store_err *err)
{
	return s->ops->gateway_upsert(s, g, err);
}

int store_gateway_get(struct store *s, const char *id, struct store_gateway *g,
		      struct store_err *err)
{
	return s->ops->gateway_get(s, id, g, err);
}

int store_gateway_list(struct store *s, const char *account_id,
		       const char *site_id, store_each_fn each, void *arg,
		       struct store_err *err)
{
	return s->ops->gateway_list(s, account_id, site_id, each, arg, err);
}

int store_gateway_delete(struct store *s, const char *id, struct store_err *err)
{
	return s->ops->gateway_delete(s, id, err);
}

int store_client_upsert(struct store *s, struct store_client *c,
			struct store_err *err)
{
	return s->ops->client_upsert(s, c, err);
}

int store_client_get(struct store *s, const char *id, struct store_client *c,
		     struct store_err *err)
{
	return s->ops->client_get(s, id, c, err);
}

int store_client_list(struct store *s, const char *account_id,
		      const char *actor_id, store_each_fn each, void *arg,
		      struct store_err *err)
{
	return s->ops->client_list(s, account_id, actor_id, each, arg, err);
}

int store_client_delete(struct store *s, const char *id, struct store_err *err)
{
	return s->ops->client_delete(s, id, err);
}

int store_authz_insert(struct store *s, struct store_authz *a,
		       struct store_err *err)
{
	return s->ops->authz_insert(s, a, err);
}

int store_authz_delete(struct store *s, const char *id, struct store_err *err)
{
	return s->ops->authz_delete(s, id, err);
}

int store_authz_list_by(struct store *s, enum store_authz_by by, const char *id,
			store_each_fn each, void *arg, struct store_err *err)
{
	return s->ops->authz_list_by(s, by, id, each, arg, err);
}

int store_change_append(struct store *s, struct store_change *c,
			struct store_err *err)
{
	return s->ops->change_append(s, c, err);
}

int store_changes_since(struct store *s, int64_t after, store_each_fn each,
			void *arg, struct store_err *err)
{
	return s->ops->changes_since(s, after, each, arg, err);
}

int store_audit_append(struct store *s, struct store_audit *a,
		       struct store_err *err)
{
	return s->ops->audit_append(s, a, err);
}

int store_audit_list(struct store *s, const char *account_id, int64_t since,
		     int64_t limit, store_each_fn each, void *arg,
		     struct store_err *err)
{
	return s->ops->audit_list(s, account_id, since, limit, each, arg, err);
}

int store_policies_for(struct store *s, const char *actor_id,
		       const char *resource_id, store_each_fn each, void *arg,
		       struct store_err *err)
{
	return s->ops->policies_for(s, actor_id, resource_id, each, arg, err);
}

int store_visible_resources(struct store *s, const char *actor_id,
			    store_each_fn each, void *arg,
			    struct store_err *err)
{
	return s->ops->visible_resources(s, actor_id, each, arg, err);
}

int store_device_seen(struct store *s, const char *kind, const char *id,
		      int64_t online_since, int64_t last_seen_at,
		      const char *remote_addr, struct store_err *err)
{
	return s->ops->device_seen(s, kind, id, online_since, last_seen_at,
				   remote_addr, err);
}

int store_presence_reset(struct store *s, struct store_err *err)
{
	return s->ops->presence_reset(s, err);
}

int store_authz_delete_expired(struct store *s, int64_t now, int64_t *n,
			       struct store_err *err)
{
	return s->ops->authz_delete_expired(s, now, n, err);
}

int store_changes_last(struct store *s, int64_t *seq, struct store_err *err)
{
	return s->ops->changes_last(s, seq, err);
}

int store_prune(struct store *s, struct store_prune *p, struct store_err *err)
{
	return s->ops->prune(s, p, err);
}

int store_provider_create(struct store *s, struct store_provider *p,
			  struct store_err *err)
{
	return s->ops->provider_create(s, p, err);
}

int store_provider_get(struct store *s, const char *id,
		       struct store_provider *p, struct store_err *err)
{
	return s->ops->provider_get(s, id, p, err);
}

int store_provider_list(struct store *s, const char *account_id,
			store_each_fn each, void *arg, struct store_err *err)
{
	return s->ops->provider_list(s, account_id, each, arg, err);
}

int store_provider_update(struct store *s, const struct store_provider *p,
			  struct store_err *err)
{
	return s->ops->provider_update(s, p, err);
}

int store_provider_delete(struct store *s, const char *id,
			  struct store_err *err)
{
	return s->ops->provider_delete(s, id, err);
}

int store_identity_create(struct store *s, struct store_identity *i,
			  struct store_err *err)
{
	return s->ops->identity_create(s, i, err);
}

int store_identity_find(struct store *s, const char *account_id,
			const char *provider, const char *subject,
			struct store_identity *i, struct store_err *err)
{
	return s->ops->identity_find(s, account_id, provider, subject, i, err);
}

int store_identity_list(struct store *s, const char *account_id,
			const char *provider, store_each_fn each, void *arg,
			struct store_err *err)
{
	return s->ops->identity_list(s, account_id, provider, each, arg, err);
}

int store_identity_delete(struct store *s, const char *id,
			  struct store_err *err)
{
	return s->ops->identity_delete(s, id, err);
}

int store_actor_find_by_email(struct store *s, const char *account_id,
			      const char *email, struct store_actor *a,
			      struct store_err *err)
{
	return s->ops->actor_find_by_email(s, account_id, email, a, err);
}
