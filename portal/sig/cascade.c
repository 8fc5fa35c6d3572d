// SPDX-License-Identifier: GPL-2.0
/*
 * Deletes that cascade (site, actor, group): the database took the
 * children with it, and the change row's before.cascade names them
 * (admin/admin.h). Each child is acted on through its own index, so a
 * delete costs what it took: the authorizations of exactly those
 * clients, tokens, gateways and policies are revoked (offline clients'
 * too, which no socket would find), exactly those sockets closed, and
 * only the clients that saw a resource the delete hides are re-synced.
 */
#include <stdlib.h>
#include <string.h>

#include "priv.h"

/* The list name of before.cascade, NULL when it is not there. */
static json_object *cascade_list(json_object *before, const char *name)
{
	json_object *c, *l;

	if (!before || !json_object_object_get_ex(before, "cascade", &c) ||
	    !json_object_object_get_ex(c, name, &l) ||
	    !json_object_is_type(l, json_type_array))
		return NULL;
	return l;
}

/* Entry i of l: a string, or the key member of an object. */
static const char *entry(json_object *l, size_t i, const char *key)
{
	json_object *e = json_object_array_get_idx(l, i), *v;

	if (!json_object_is_type(e, json_type_string) &&
	    (!json_object_object_get_ex(e, key, &v) ||
	     !json_object_is_type(v, json_type_string)))
		return NULL;
	return json_object_get_string(
		json_object_is_type(e, json_type_string) ? e : v);
}

void sig_disconnect_all(struct sig *s, const struct sig_index *ix,
			const char *key, const char *why)
{
	struct sig_peer **peers;
	size_t n = sig_presence_all(ix, key, &peers);

	for (size_t i = 0; i < n; i++) {
		if (peers[i]->role == WEB_ROLE_CLIENT && peers[i]->joined)
			sig_revoke_by(s, STORE_AUTHZ_BY_CLIENT, peers[i]->id,
				      false, why);
		sig_disconnect(peers[i], why);
	}
	free(peers);
}

/* Each id of list: its sockets closed, its authorizations revoked. */
static void drop_each(struct sig *s, json_object *l, const struct sig_index *ix,
		      enum store_authz_by by, const char *why)
{
	size_t n = json_object_array_length(l);

	for (size_t i = 0; i < n; i++) {
		const char *id = entry(l, i, "id");

		if (!id)
			continue;
		sig_disconnect_all(s, ix, id, why);
		sig_revoke_by(s, by, id, false, why);
	}
}

bool sig_cascade_site(struct sig *s, json_object *before)
{
	json_object *toks = cascade_list(before, "tokens");
	json_object *gws = cascade_list(before, "gateways");

	if (!toks || !gws)
		return false;
	/* Tokens first: a socket that has not joined yet has no gateway id. */
	drop_each(s, toks, &s->tokens, STORE_AUTHZ_BY_TOKEN, "site deleted");
	drop_each(s, gws, &s->gateways, STORE_AUTHZ_BY_GATEWAY, "site deleted");
	return true;
}

bool sig_cascade_actor(struct sig *s, json_object *before)
{
	json_object *clients = cascade_list(before, "clients");
	json_object *toks = cascade_list(before, "tokens");

	if (!clients || !toks)
		return false;
	drop_each(s, toks, &s->tokens, STORE_AUTHZ_BY_TOKEN, "actor deleted");
	drop_each(s, clients, &s->clients, STORE_AUTHZ_BY_CLIENT,
		  "actor deleted");
	return true;
}

/* The actors of the client sockets that saw resource_id, each once. */
static void seen_by(struct sig *s, const char *resource_id,
		    struct sig_index *actors)
{
	struct sig_peer **peers;
	size_t n = sig_presence_all(&s->seen, resource_id, &peers);

	for (size_t i = 0; i < n; i++) {
		const char *actor = peers[i]->p->tok.actor_id;

		if (!sig_index_count(actors, actor))
			sig_index_add(actors, actor, peers[i]->p);
	}
	free(peers);
}

/*
 * Re-synced (and so told resource_deleted) are only the clients that
 * saw a resource of the group's policies: another group may still show
 * it to them, which the sync finds out.
 */
static void resync_seen(struct sig *s, json_object *policies)
{
	size_t n = json_object_array_length(policies), k;
	struct sig_index actors = { 0 };
	char(*ids)[STORE_ID_SIZE];
	void **ps;

	for (size_t i = 0; i < n; i++) {
		const char *rid = entry(policies, i, "resource_id");

		if (rid)
			seen_by(s, rid, &actors);
	}
	k = sig_index_values(&actors, NULL, 0);
	ps = calloc(k ? k : 1, sizeof(*ps));
	ids = calloc(k ? k : 1, STORE_ID_SIZE);
	if (ps && ids) {
		sig_index_values(&actors, ps, k);
		/* Copied: a sync may close a socket, and its principal. */
		for (size_t i = 0; i < k; i++)
			memcpy(ids[i],
			       ((struct sig_principal *)ps[i])->tok.actor_id,
			       STORE_ID_SIZE);
		for (size_t i = 0; i < k; i++)
			sig_client_sync(s, ids[i]);
	}
	free(ids);
	free(ps);
	sig_index_free(&actors);
}

bool sig_cascade_group(struct sig *s, json_object *before)
{
	json_object *policies = cascade_list(before, "policies");
	size_t n;

	if (!policies)
		return false;
	n = json_object_array_length(policies);
	/* Another group's policy may still allow: re-check, as a delete. */
	for (size_t i = 0; i < n; i++) {
		const char *id = entry(policies, i, "id");

		if (id)
			sig_revoke_by(s, STORE_AUTHZ_BY_POLICY, id, true,
				      "group deleted");
	}
	resync_seen(s, policies);
	return true;
}
