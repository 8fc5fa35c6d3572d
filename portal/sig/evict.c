// SPDX-License-Identifier: GPL-2.0
/*
 * A token's devices stay within sig_limits.client_devices. Every new
 * public key a client joins with is a client row holding one of the
 * account's tunnel addresses, so without a cap one token joining with
 * fresh keys in a loop would take the whole pool and lock every other
 * user of the account out. At the cap, one of the token's devices that
 * has been offline for SIG_EVICT_UNSEEN_S goes, the longest unseen first,
 * as a delete an admin would make (the change feed then revokes its
 * authorizations); with none such, the join is refused. The wait keeps a
 * loop of "new key, join, close" from writing a change and an audit row
 * per join. The devices are chosen before the join's upsert and evicted
 * only once it succeeded, so a join refused there (another actor's key)
 * evicts nobody. A device that comes back after it was evicted joins as
 * a new one.
 */
#include <stdlib.h>
#include <string.h>

#include "priv.h"
#include "core/log.h"

struct token_devices {
	const char *token_id;
	const uint8_t *key;
	bool known; /* the joining key is already one of the actor's */
	size_t n; /* the token's devices */
	struct sig_room *room; /* its offline ones, unseen long enough */
	size_t cap;
	int64_t before; /* last seen before this (ns) */
	struct sig *s;
};

static int each_device(void *arg, const void *rec)
{
	const struct store_client *c = rec;
	struct token_devices *d = arg;
	struct sig_room *r = d->room;

	if (!memcmp(c->public_key, d->key, FZ_KEY_LEN))
		d->known = true;
	if (strcmp(c->token_id, d->token_id))
		return 0;
	d->n++;
	if (sig_index_first(&d->s->clients, c->id) ||
	    c->last_seen_at > d->before)
		return 0;
	if (r->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		struct store_client *o = realloc(r->evict, cap * sizeof(*o));

		if (!o)
			return -1;
		r->evict = o;
		d->cap = cap;
	}
	r->evict[r->n++] = *c;
	return 0;
}

static int longest_unseen_first(const void *a, const void *b)
{
	const struct store_client *x = a, *y = b;

	if (x->last_seen_at != y->last_seen_at)
		return x->last_seen_at < y->last_seen_at ? -1 : 1;
	return (x->created_at > y->created_at) -
	       (x->created_at < y->created_at);
}

/* The change row the feed acts on (client deleted) and an audit row. */
static int record(struct sig *s, const struct store_client *c, unsigned int cap,
		  struct store_err *err)
{
	json_object *before = json_object_new_object(), *d = NULL;
	struct store_change ch = { 0 };
	struct store_audit au = { 0 };
	const char *text;
	int ret = -1;

	if (!before)
		return -1;
	json_object_object_add(before, "id", json_object_new_string(c->id));
	json_object_object_add(before, "name", json_object_new_string(c->name));
	json_object_object_add(before, "actor_id",
			       json_object_new_string(c->actor_id));
	json_object_object_add(before, "token_id",
			       json_object_new_string(c->token_id));
	json_object_object_add(before, "last_seen_at",
			       json_object_new_int64(c->last_seen_at));
	d = json_object_new_object();
	if (!d)
		goto out;
	json_object_object_add(d, "before", json_object_get(before));
	json_object_object_add(d, "reason",
			       json_object_new_string("devices_per_token"));
	json_object_object_add(d, "cap", json_object_new_int64(cap));
	text = json_object_to_json_string_ext(d, JSON_C_TO_STRING_PLAIN);
	if (strlen(text) >= sizeof(ch.data))
		goto out;
	strcpy(ch.account_id, c->account_id);
	strcpy(ch.entity, "client");
	strcpy(ch.op, "delete");
	strcpy(ch.object_id, c->id);
	strcpy(ch.data, text);
	strcpy(au.account_id, c->account_id);
	strcpy(au.source, "signal");
	snprintf(au.who, sizeof(au.who), "token:%s", c->token_id);
	strcpy(au.action, "client.evict");
	strcpy(au.object_type, "client");
	strcpy(au.object_id, c->id);
	strcpy(au.reason, "devices_per_token");
	strcpy(au.detail, text);
	ret = store_change_append(s->store, &ch, err) ?:
		      store_audit_append(s->store, &au, err);
out:
	json_object_put(before);
	json_object_put(d);
	return ret;
}

/*
 * The change row first: once it is written the feed revokes the client's
 * authorizations whether or not the delete follows, and without it a
 * deleted client's authorizations would live on.
 */
static void evict(struct sig *s, const struct store_client *c, unsigned int cap)
{
	struct store_err err = { 0 };

	if (record(s, c, cap, &err) ||
	    store_client_delete(s->store, c->id, &err)) {
		core_log("client_evict_failed", "client", c->id, "msg",
			 err.msg[0] ? err.msg : "out of memory", NULL);
		return;
	}
	core_log("client_evicted", "client", c->id, "name", c->name, "token",
		 c->token_id, "reason", "devices_per_token", NULL);
}

int sig_client_room(struct sig *s, const struct store_token *t,
		    const uint8_t *key, struct sig_room *room)
{
	struct token_devices d = { .token_id = t->id, .key = key, .s = s };
	unsigned int cap = s->limits.client_devices;
	struct store_err err = { 0 };

	memset(room, 0, sizeof(*room));
	d.room = room;
	d.before = sig_now_ns() - SIG_EVICT_UNSEEN_S * 1000000000LL;
	if (!cap)
		return 0;
	if (store_client_list(s->store, t->account_id, t->actor_id, each_device,
			      &d, &err)) {
		core_log("store_failed", "op", "client_list", "actor",
			 t->actor_id, "msg",
			 err.msg[0] ? err.msg : "out of memory", NULL);
		sig_client_room_free(room);
		return -1;
	}
	if (d.known || d.n < cap) {
		room->n = 0;
		return 0;
	}
	if (d.n - room->n >= cap) {
		core_log("join_refused", "role", "client", "token", t->id,
			 "reason", "too_many_devices", NULL);
		sig_client_room_free(room);
		return SIG_TOO_MANY_DEVICES;
	}
	qsort(room->evict, room->n, sizeof(*room->evict), longest_unseen_first);
	room->n = d.n - cap + 1;
	room->cap = cap;
	return 0;
}

void sig_client_room_make(struct sig *s, struct sig_room *room)
{
	for (size_t i = 0; i < room->n; i++)
		evict(s, &room->evict[i], room->cap);
	sig_client_room_free(room);
}

void sig_client_room_free(struct sig_room *room)
{
	free(room->evict);
	memset(room, 0, sizeof(*room));
}
