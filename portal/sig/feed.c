// SPDX-License-Identifier: GPL-2.0
/*
 * The change feed: the admin wing appends one `changes` row per write
 * (the contract in admin/admin.h: entity, op, object_id, data
 * {"before", "after"}), in this process or another one. A 100 ms timer
 * (or sig_feed_poke()) reads the rows after the last one seen and acts
 * on each in proportion to what it names, through the indexed lists of
 * authorizations (by policy, client, resource, token, gateway) and the
 * in-memory presence maps; nothing is recomputed for everybody.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "priv.h"
#include "core/log.h"

struct change {
	const struct store_change *c;
	json_object *data, *before, *after;
};

static const char *str(json_object *o, const char *key)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* Whether a member differs between before and after (as JSON text). */
static bool changed(const struct change *ch, const char *key)
{
	json_object *a = NULL, *b = NULL;

	if (!ch->before || !ch->after)
		return true;
	json_object_object_get_ex(ch->before, key, &b);
	json_object_object_get_ex(ch->after, key, &a);
	return !json_object_equal(a, b);
}

static bool enabled(json_object *o)
{
	json_object *v;

	if (!o)
		return false;
	if (json_object_object_get_ex(o, "enabled", &v))
		return json_object_get_boolean(v);
	/* The store's shape: disabled_at null when enabled. */
	return !json_object_object_get_ex(o, "disabled_at", &v) || !v;
}

static int each_member(void *arg, const void *rec)
{
	const struct store_actor *a = rec;

	sig_client_sync(arg, a->id);
	return 0;
}

/* The group's members with clients online learn what they see now. */
static void sync_group(struct sig *s, const char *group_id)
{
	struct store_err err = { 0 };

	if (group_id)
		store_member_list(s->store, group_id, each_member, s, &err);
}

static void on_policy(struct sig *s, const struct change *ch)
{
	bool was = enabled(ch->before), is = enabled(ch->after);
	const char *id = ch->c->object_id;

	/* Another of the actor's policies may still allow: re-check. */
	if (was && (!is || changed(ch, "conditions") ||
		    changed(ch, "group_id") || changed(ch, "resource_id")))
		sig_revoke_by(s, STORE_AUTHZ_BY_POLICY, id, true,
			      is ? "policy changed" : "policy removed");
	if (was != is || changed(ch, "group_id") ||
	    changed(ch, "resource_id")) {
		sync_group(s, str(ch->before, "group_id"));
		if (ch->after && ch->before &&
		    strcmp(str(ch->after, "group_id") ?: "",
			   str(ch->before, "group_id") ?: ""))
			sync_group(s, str(ch->after, "group_id"));
		else if (!ch->before)
			sync_group(s, str(ch->after, "group_id"));
	}
}

static int each_client(void *arg, const void *rec)
{
	const struct store_client *c = rec;

	sig_revoke_by(arg, STORE_AUTHZ_BY_CLIENT, c->id, true,
		      "membership removed");
	return 0;
}

static void on_member(struct sig *s, const struct change *ch)
{
	json_object *o = ch->after ?: ch->before;
	const char *actor = str(o, "actor_id");
	struct store_err err = { 0 };

	if (!actor)
		return;
	if (!ch->after)
		store_client_list(s->store, ch->c->account_id, actor,
				  each_client, s, &err);
	sig_client_sync(s, actor);
}

static void on_resource(struct sig *s, const struct change *ch)
{
	const char *id = ch->c->object_id;
	struct store_err err = { 0 };
	struct store_resource r;

	if (!strcmp(ch->c->op, "delete")) {
		sig_revoke_by(s, STORE_AUTHZ_BY_RESOURCE, id, false,
			      "resource deleted");
		sig_client_resource_gone(s, id);
		return;
	}
	if (strcmp(ch->c->op, "update") ||
	    store_get(s->store, STORE_RESOURCE, id, &r, &err))
		return;
	/* A new address or site is a new resource for the gateways. */
	if (changed(ch, "address") || changed(ch, "type") ||
	    changed(ch, "site_id"))
		sig_revoke_by(s, STORE_AUTHZ_BY_RESOURCE, id, false,
			      "resource address changed");
	else if (changed(ch, "filters"))
		sig_gateway_resource_updated(s, &r);
	sig_client_resource_updated(s, &r);
}

static void on_token(struct sig *s, const struct change *ch)
{
	if (strcmp(ch->c->op, "delete"))
		return;
	sig_disconnect_all(s, &s->tokens, ch->c->object_id, "token deleted");
	sig_revoke_by(s, STORE_AUTHZ_BY_TOKEN, ch->c->object_id, false,
		      "token deleted");
}

static void on_client(struct sig *s, const struct change *ch)
{
	const char *id = ch->c->object_id;
	struct sig_index_ent *e;

	if (!strcmp(ch->c->op, "delete")) {
		sig_disconnect_all(s, &s->clients, id, "client deleted");
		sig_revoke_by(s, STORE_AUTHZ_BY_CLIENT, id, false,
			      "client deleted");
		return;
	}
	e = sig_index_first(&s->clients, id);
	if (e) {
		json_object *v = NULL;

		json_object_object_get_ex(ch->after, "verified", &v);
		((struct sig_peer *)e->val)->verified =
			json_object_get_boolean(v);
	}
	sig_revoke_by(s, STORE_AUTHZ_BY_CLIENT, id, true, "client changed");
}

static void on_gateway(struct sig *s, const struct change *ch)
{
	if (strcmp(ch->c->op, "delete"))
		return;
	sig_disconnect_all(s, &s->gateways, ch->c->object_id,
			   "gateway deleted");
	sig_revoke_by(s, STORE_AUTHZ_BY_GATEWAY, ch->c->object_id, false,
		      "gateway deleted");
}

struct actor_clients {
	struct sig *s;
	const char *why;
};

static int revoke_client(void *arg, const void *rec)
{
	const struct actor_clients *a = arg;

	sig_revoke_by(a->s, STORE_AUTHZ_BY_CLIENT,
		      ((const struct store_client *)rec)->id, false, a->why);
	return 0;
}

static void on_actor(struct sig *s, const struct change *ch)
{
	struct actor_clients a = { s, "actor disabled" };
	struct store_err err = { 0 };
	json_object *v = NULL;

	if (!strcmp(ch->c->op, "delete")) {
		/* Sockets not yet joined have no client id: by actor too. */
		sig_disconnect_all(s, &s->actors, ch->c->object_id,
				   "actor deleted");
		sig_cascade_actor(s, ch->before);
		return;
	}
	if (strcmp(ch->c->op, "update") ||
	    !json_object_object_get_ex(ch->after, "disabled_at", &v) || !v)
		return;
	/* Disabled: its sockets close, and offline clients lose theirs. */
	sig_disconnect_all(s, &s->actors, ch->c->object_id, a.why);
	store_client_list(s->store, ch->c->account_id, ch->c->object_id,
			  revoke_client, &a, &err);
}

/*
 * A group delete names its policies (admin.h): exactly their
 * authorizations are re-checked. A row without them (too large, see
 * "truncated") leaves only the online clients to re-check.
 */
static void on_group_unknown(struct sig *s)
{
	size_t n = sig_index_values(&s->clients, NULL, 0);
	struct sig_peer **peers;

	if (!n)
		return;
	peers = calloc(n, sizeof(*peers));
	if (!peers)
		return;
	sig_index_values(&s->clients, (void **)peers, n);
	for (size_t i = 0; i < n; i++) {
		sig_revoke_by(s, STORE_AUTHZ_BY_CLIENT, peers[i]->id, true,
			      "group deleted");
		sig_client_sync(s, peers[i]->p->tok.actor_id);
	}
	free(peers);
}

static void on_group(struct sig *s, const struct change *ch)
{
	if (!strcmp(ch->c->op, "delete") && !sig_cascade_group(s, ch->before))
		on_group_unknown(s);
}

static void on_site(struct sig *s, const struct change *ch)
{
	if (!strcmp(ch->c->op, "delete") && !sig_cascade_site(s, ch->before))
		sig_disconnect_all(s, &s->sites, ch->c->object_id,
				   "site deleted");
}

static const struct {
	const char *entity;
	void (*fn)(struct sig *s, const struct change *ch);
} handlers[] = {
	{ "policy", on_policy },     { "member", on_member },
	{ "resource", on_resource }, { "token", on_token },
	{ "client", on_client },     { "gateway", on_gateway },
	{ "actor", on_actor },	     { "group", on_group },
	{ "site", on_site },
};

int sig_feed_handle(struct sig *s, const struct store_change *c)
{
	struct change ch = { .c = c };

	for (size_t i = 0; i < sizeof(handlers) / sizeof(*handlers); i++) {
		if (strcmp(handlers[i].entity, c->entity))
			continue;
		ch.data = c->data[0] ? json_tokener_parse(c->data) : NULL;
		json_object_object_get_ex(ch.data, "before", &ch.before);
		json_object_object_get_ex(ch.data, "after", &ch.after);
		if (!json_object_is_type(ch.before, json_type_object))
			ch.before = NULL;
		if (!json_object_is_type(ch.after, json_type_object))
			ch.after = NULL;
		core_log("change", "entity", c->entity, "op", c->op, "id",
			 c->object_id, NULL);
		handlers[i].fn(s, &ch);
		json_object_put(ch.data);
		return 1;
	}
	return 0;
}

#define BATCH_FULL (-2) /* not a store_code */

struct batch {
	struct store_change *c;
	size_t n;
};

static int each_change(void *arg, const void *rec)
{
	struct batch *b = arg;

	if (b->n == SIG_FEED_BATCH)
		return BATCH_FULL; /* the rest next time */
	memcpy(&b->c[b->n++], rec, sizeof(*b->c));
	return 0;
}

/*
 * The cursor is kept in the database: `fzportal admin` works while no
 * portal runs (a policy deleted then must still be revoked), so a portal
 * that starts replays what was written since the last one stopped. With
 * nobody online yet, a replayed revocation only deletes the rows, and a
 * gateway's init then holds nothing stale.
 */
#define FEED_CURSOR "feed_seq"

static void feed_save(struct sig *s)
{
	struct store_err err = { 0 };
	char text[24];
	int n = snprintf(text, sizeof(text), "%lld", (long long)s->feed_seq);

	if (store_meta_set(s->store, FEED_CURSOR, text, (size_t)n, &err))
		core_log("store_failed", "op", "feed cursor", "msg", err.msg,
			 NULL);
}

/* The saved cursor, or -1 with none saved (a database never served). */
static int64_t feed_load(struct sig *s)
{
	struct store_err err = { 0 };
	char text[24] = { 0 };
	size_t len = sizeof(text) - 1;
	char *end;
	long long v;

	if (store_meta_get(s->store, FEED_CURSOR, text, &len, &err))
		return -1;
	text[len] = '\0';
	v = strtoll(text, &end, 10);
	return end != text && !*end && v >= 0 ? v : -1;
}

/* Reads and handles what was written since the last tick. */
static void feed_read(struct sig *s)
{
	struct store_err err = { 0 };
	struct batch b = { 0 };
	int ret;

	b.c = malloc(SIG_FEED_BATCH * sizeof(*b.c));
	if (!b.c)
		return;
	ret = store_changes_since(s->store, s->feed_seq, each_change, &b, &err);
	if (ret && ret != BATCH_FULL)
		core_log("store_failed", "op", "changes", "msg", err.msg, NULL);
	/* seq first: a handler that fails must not replay forever. */
	for (size_t i = 0; i < b.n; i++) {
		s->feed_seq = b.c[i].seq;
		sig_feed_handle(s, &b.c[i]);
	}
	if (b.n)
		feed_save(s);
	free(b.c);
}

static void feed_tick(uv_timer_t *t)
{
	struct sig *s = t->data;

	sig_pending_sweep(s);
	feed_read(s);
}

void sig_feed_poke(struct sig *s)
{
	if (s && !s->stopped)
		feed_read(s);
}

/* libuv's timer calls cannot fail once the loop exists. */
int sig_feed_start(struct sig *s, char *err, size_t errlen)
{
	struct store_err serr = { 0 };

	int64_t saved = feed_load(s);
	char seq[24];

	/* A database never served: what was written so far is history. */
	if (saved >= 0) {
		s->feed_seq = saved;
	} else if (store_changes_last(s->store, &s->feed_seq, &serr)) {
		snprintf(err, errlen, "cannot read the change feed: %s",
			 serr.msg);
		return -1;
	} else {
		feed_save(s); /* from here on, nothing is history */
	}
	snprintf(seq, sizeof(seq), "%lld", (long long)s->feed_seq);
	core_log("feed_start", "after_seq", seq, NULL);
	/* What was written while no portal ran is acted on now. */
	feed_read(s);
	s->feed_timer.data = s;
	uv_timer_init(s->loop, &s->feed_timer);
	uv_timer_start(&s->feed_timer, feed_tick, SIG_FEED_MS, SIG_FEED_MS);
	return 0;
}
