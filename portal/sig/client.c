// SPDX-License-Identifier: GPL-2.0
/*
 * A client's life on its socket: phx_join (upsert for its token's
 * actor; a key another actor's client holds is refused and the socket
 * closed), `init` with its addresses, the account's DNS settings and the
 * resources its actor may see, and later the pushes that keep that list
 * right (resource_created_or_updated, resource_deleted).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "priv.h"
#include "core/log.h"

/*
 * As for gateways (gateway.c): init holds what fits, the rest follow as
 * resource_created_or_updated pushes, in pages as the socket's queue
 * drains, then init_done. All at once, an actor seeing some 370
 * resources passed the queue's 256 KiB and the client was closed (1013)
 * before init_done, at every join.
 */
#define MAX_DNS 8

struct resources {
	struct store_resource *r;
	size_t n, cap;
	const char **by_id; /* r's ids, sorted (visible_sorted), or NULL */
};

static int each_resource(void *arg, const void *rec)
{
	struct resources *l = arg;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct store_resource *r = realloc(l->r, cap * sizeof(*r));

		if (!r)
			return -1;
		l->r = r;
		l->cap = cap;
	}
	memcpy(&l->r[l->n++], rec, sizeof(*l->r));
	return 0;
}

static int visible(struct sig *s, const char *actor_id, struct resources *l)
{
	struct store_err err = { 0 };
	int ret;

	memset(l, 0, sizeof(*l));
	ret = store_visible_resources(s->store, actor_id, each_resource, l,
				      &err);
	if (ret)
		core_log("store_failed", "op", "visible_resources", "actor",
			 actor_id, "msg", ret < 0 ? "out of memory" : err.msg,
			 NULL);
	return ret;
}

/* The resource with its site, as a client sees it; site must live on. */
static int client_resource(struct sig *s, const struct store_resource *r,
			   struct store_site *site,
			   struct proto_sig_resource *out)
{
	struct store_err err = { 0 };

	if (sig_resource_msg(r, out) ||
	    store_get(s->store, STORE_SITE, r->site_id, site, &err))
		return -1;
	out->sites = calloc(1, sizeof(*out->sites));
	if (!out->sites)
		return -1;
	snprintf(out->sites[0].id.s, sizeof(out->sites[0].id.s), "%s",
		 site->id);
	out->sites[0].name = site->name;
	out->n_sites = 1;
	return 0;
}

/* 0, or sig_send()'s error (-1: the resource cannot be told). */
static int push_resource(struct sig_peer *p, const struct store_resource *r)
{
	struct proto_sig_msg m = {
		.kind = PROTO_SIG_RESOURCE_CREATED_OR_UPDATED
	};
	struct store_site site;
	int ret;

	if (client_resource(p->sig, r, &site, &m.resource_created_or_updated))
		return -1;
	ret = sig_send(p, &m);
	if (!ret)
		sig_seen_add(p, r->id);
	free(m.resource_created_or_updated.sites);
	return ret;
}

static int send_deleted(struct sig_peer *p, const char *id)
{
	struct proto_sig_msg m = { .kind = PROTO_SIG_RESOURCE_DELETED };

	snprintf(m.resource_deleted.id.s, sizeof(m.resource_deleted.id.s), "%s",
		 id);
	return sig_send(p, &m);
}

static void push_deleted(struct sig_peer *p, const char *id)
{
	char copy[STORE_ID_SIZE];

	/* id may be the seen list's own copy, which sig_seen_del frees. */
	snprintf(copy, sizeof(copy), "%s", id);
	send_deleted(p, copy);
	sig_seen_del(p, copy);
}

static void dns_of(const struct store_account *a, struct fz_cidr *dns,
		   size_t *n)
{
	json_object *arr =
		a->upstream_dns[0] ? json_tokener_parse(a->upstream_dns) : NULL;
	size_t len = arr && json_object_is_type(arr, json_type_array) ?
			     json_object_array_length(arr) :
			     0;

	*n = 0;
	for (size_t i = 0; i < len && *n < MAX_DNS; i++) {
		json_object *v = json_object_array_get_idx(arr, i);
		const char *t = json_object_get_string(v), *why;

		if (t && !fz_cidr_parse(&dns[*n], t, strlen(t), &why))
			(*n)++;
	}
	json_object_put(arr);
}

static void set_n(struct proto_sig_msg *m, size_t n)
{
	m->client_init.n_resources = n;
}

static void init_free(struct sig_peer *p)
{
	free(p->init_ids);
	p->init_ids = NULL;
	p->n_init_ids = p->n_init_deleted = p->init_pos = 0;
	p->paging_sync = false;
}

/*
 * A row of the init's rest as it is now: an admin may have changed or
 * deleted it since the join (a change of what the actor may see comes
 * as a sync, owed until the pages are done). Only ids wait, not rows
 * (some 9 KB each), for a reader that may be slow.
 */
static bool current(struct sig_peer *p, const char *id,
		    struct store_resource *r)
{
	struct store_err err = { 0 };

	return !store_get(p->sig->store, STORE_RESOURCE, id, r, &err);
}

static void resync(struct sig_peer *p);

/*
 * One page of the rest, then after the last the owed sync and, for the
 * init's rest, init_done. A sync's new resources go the same way.
 */
static void push_page(struct sig_peer *p)
{
	struct store_resource r;
	bool init;
	int ret = 0;

	while (ret != -EPIPE && ret != -ENOBUFS && !p->gone &&
	       p->init_pos < p->n_init_ids &&
	       web_conn_queued(p->conn) < SIG_INIT_QUEUE) {
		const char *id = p->init_ids[p->init_pos++];

		if (p->init_pos <= p->n_init_deleted)
			ret = send_deleted(p, id);
		else
			ret = current(p, id, &r) ? push_resource(p, &r) : 0;
	}
	if (p->gone || ret == -EPIPE || ret == -ENOBUFS) {
		init_free(p);
		return;
	}
	if (p->init_pos < p->n_init_ids) {
		web_conn_want_drained(p->conn);
		return;
	}
	init = !p->paging_sync;
	init_free(p);
	if (p->sync_owed)
		resync(p);
	if (init)
		sig_init_done(p);
}

void sig_client_drained(struct sig_peer *p)
{
	if (p->init_ids && !p->gone)
		push_page(p);
}

void sig_client_gone(struct sig_peer *p)
{
	init_free(p);
}

/* The ids of l's rows from first on, for push_page(); -1: no memory. */
static int rest_ids(struct sig_peer *p, const struct resources *l, size_t first)
{
	size_t n = l->n - first;

	p->init_ids = calloc(n + 1, sizeof(*p->init_ids));
	if (!p->init_ids) {
		/* No init_done: the client keeps what it was told. */
		core_log("out_of_memory", "where", "client init", NULL);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		memcpy(p->init_ids[i], l->r[first + i].id, STORE_ID_SIZE);
	p->n_init_ids = n;
	p->init_pos = 0;
	return 0;
}

static void send_init(struct sig_peer *p, const struct store_account *a,
		      struct resources *l)
{
	struct proto_sig_msg m = { .kind = PROTO_SIG_CLIENT_INIT };
	struct proto_sig_interface *itf = &m.client_init.interface;
	struct proto_sig_resource *res = calloc(l->n + 1, sizeof(*res));
	struct store_site *sites = calloc(l->n + 1, sizeof(*sites));
	size_t *row = calloc(l->n + 1, sizeof(*row));
	struct fz_cidr dns[MAX_DNS];
	size_t n = 0, sent;

	if (!res || !sites || !row)
		goto out;
	for (size_t i = 0; i < l->n; i++)
		if (!client_resource(p->sig, &l->r[i], &sites[n], &res[n]))
			row[n++] = i;
	sig_tunnel(p->tunnel, &itf->ipv4, &itf->ipv6);
	dns_of(a, dns, &itf->n_upstream_dns);
	itf->upstream_dns = dns;
	itf->search_domain = a->search_domain[0] ? a->search_domain : NULL;
	m.client_init.resources = res;
	sent = n;
	if (sig_send_fitting(p, &m, &sent, set_n))
		goto out;
	for (size_t i = 0; i < sent; i++)
		sig_seen_add(p, res[i].id.s);
	/* The rest, from the first row the init did not hold. */
	if (rest_ids(p, l, sent < n ? row[sent] : l->n))
		goto out;
	push_page(p);
out:
	for (size_t i = 0; res && i < n; i++)
		free(res[i].sites);
	free(res);
	free(sites);
	free(row);
}

struct known {
	const uint8_t *key;
	int64_t verified_at;
};

static int each_client(void *arg, const void *rec)
{
	const struct store_client *c = rec;
	struct known *k = arg;

	if (!memcmp(c->public_key, k->key, FZ_KEY_LEN))
		k->verified_at = c->verified_at;
	return 0;
}

static int upsert(struct sig_peer *p, const struct proto_sig_client_join *j,
		  struct store_client *c)
{
	const struct store_token *t = &p->p->tok;
	struct known k = { j->public_key, 0 };
	struct store_err err = { 0 };
	int ret;

	/* The upsert replaces every field: keep what an admin set. */
	store_client_list(p->sig->store, t->account_id, t->actor_id,
			  each_client, &k, &err);
	memset(c, 0, sizeof(*c));
	strcpy(c->account_id, t->account_id);
	strcpy(c->actor_id, t->actor_id);
	strcpy(c->token_id, t->id);
	snprintf(c->name, sizeof(c->name), "%s", j->name);
	memcpy(c->public_key, j->public_key, FZ_KEY_LEN);
	snprintf(c->remote_addr, sizeof(c->remote_addr), "%s", p->remote_ip);
	snprintf(c->version, sizeof(c->version), "%s", j->version);
	c->verified_at = k.verified_at;
	c->online_since = c->last_seen_at = sig_now_ns();
	ret = store_client_upsert(p->sig->store, c, &err);
	if (ret)
		core_log("join_failed", "role", "client", "who",
			 web_conn_name(p->conn), "msg", err.msg, NULL);
	return ret;
}

static void adopt(struct sig_peer *p, const struct store_client *c)
{
	struct sig_index_ent *e = sig_index_first(&p->sig->clients, c->id);

	if (e)
		sig_disconnect(e->val, "replaced by a new connection");
	strcpy(p->id, c->id);
	memcpy(p->public_key, c->public_key, FZ_KEY_LEN);
	p->tunnel = (uint32_t)c->tunnel_offset;
	p->verified = c->verified_at != 0;
}

static void refuse(struct sig_peer *p, const char *ref, int ret)
{
	sig_reply(p, ref,
		  ret == STORE_CONFLICT ? "public_key_in_use" : "join_failed");
	if (ret != STORE_CONFLICT)
		return;
	/* Another actor's key: nothing this socket may do. */
	p->gone = true;
	sig_presence_leave(p->sig, p);
	web_conn_close(p->conn, WEB_CLOSE_POLICY, "public key in use");
}

void sig_client_join(struct sig_peer *p, const struct proto_sig_msg *m)
{
	struct store_err err = { 0 };
	struct store_account a;
	struct store_client c;
	struct sig_room room;
	struct resources l;
	int ret;

	if (p->joined) {
		sig_reply(p, m->ref, "already_joined");
		return;
	}
	if (sig_key_unusable(p, m->ref, m->client_join.public_key))
		return;
	/* Not refused for good: the agent redials, and a device of the
	 * token may be offline long enough by then. */
	ret = sig_client_room(p->sig, &p->p->tok, m->client_join.public_key,
			      &room);
	if (ret) {
		sig_reply(p, m->ref,
			  ret == SIG_TOO_MANY_DEVICES ? "too_many_devices" :
							"join_failed");
		return;
	}
	ret = upsert(p, &m->client_join, &c);
	if (ret) {
		sig_client_room_free(&room);
		refuse(p, m->ref, ret);
		return;
	}
	sig_client_room_make(p->sig, &room);
	ret = store_account_get(p->sig->store, c.account_id, &a, &err);
	if (ret) {
		refuse(p, m->ref, ret);
		return;
	}
	adopt(p, &c);
	if (sig_presence_join(p->sig, p)) {
		sig_reply(p, m->ref, "join_failed");
		return;
	}
	sig_reply(p, m->ref, NULL);
	if (!visible(p->sig, c.actor_id, &l))
		send_init(p, &a, &l);
	free(l.r);
	core_log("client_join", "client", p->id, "actor", c.actor_id, "name",
		 c.name, "remote", p->remote_ip, NULL);
}

static int id_cmp(const void *id, const void *elem)
{
	return strcasecmp(id, *(const char *const *)elem);
}

static int ids_cmp(const void *a, const void *b)
{
	return id_cmp(*(const char *const *)a, b);
}

/*
 * What the actor sees, with its ids sorted for in_list (pointers: a row
 * is some 9 KB to move). Without memory for them, in_list scans.
 */
static int visible_sorted(struct sig *s, const char *actor_id,
			  struct resources *l)
{
	int ret = visible(s, actor_id, l);

	if (ret || !l->n)
		return ret;
	l->by_id = malloc(l->n * sizeof(*l->by_id));
	if (!l->by_id)
		return 0;
	for (size_t i = 0; i < l->n; i++)
		l->by_id[i] = l->r[i].id;
	qsort(l->by_id, l->n, sizeof(*l->by_id), ids_cmp);
	return 0;
}

static bool in_list(const struct resources *l, const char *id)
{
	if (l->by_id)
		return bsearch(id, l->by_id, l->n, sizeof(*l->by_id), id_cmp);
	for (size_t i = 0; i < l->n; i++)
		if (!strcasecmp(l->r[i].id, id))
			return true;
	return false;
}

/*
 * What the actor no longer sees, then what it sees anew, goes in pages,
 * as the init's rest does: a membership that opened 800 resources at
 * once, pushed in one turn, passed the socket's queue and the client was
 * closed (1013); so did one that closed some 2,500 (small messages, but
 * as many). l is from visible_sorted.
 */
static void sync_peer(struct sig_peer *p, const struct resources *l)
{
	size_t n = 0;

	p->init_ids = calloc(p->n_seen + l->n + 1, sizeof(*p->init_ids));
	if (!p->init_ids) {
		/* The deletions at least, at once: nothing more may reach
		 * the client of what it no longer sees. */
		for (size_t i = p->n_seen; i-- > 0;)
			if (!in_list(l, p->seen[i]))
				push_deleted(p, p->seen[i]);
		core_log("out_of_memory", "where", "client sync", NULL);
		return;
	}
	/* Out of the seen list now (an update meanwhile must not reach the
	 * client); the message follows in its page. */
	for (size_t i = p->n_seen; i-- > 0;)
		if (!in_list(l, p->seen[i])) {
			snprintf(p->init_ids[n++], STORE_ID_SIZE, "%s",
				 p->seen[i]);
			sig_seen_del(p, p->init_ids[n - 1]);
		}
	p->n_init_deleted = n;
	for (size_t i = 0; i < l->n; i++)
		if (!sig_seen_has(p, l->r[i].id))
			memcpy(p->init_ids[n++], l->r[i].id, STORE_ID_SIZE);
	if (!n) {
		init_free(p);
		return;
	}
	p->n_init_ids = n;
	p->init_pos = 0;
	p->paging_sync = true;
	push_page(p);
}

void sig_client_sync(struct sig *s, const char *actor_id)
{
	struct sig_peer **peers;
	size_t n = sig_presence_all(&s->actors, actor_id, &peers);
	struct resources l;

	if (!n)
		return;
	if (!visible_sorted(s, actor_id, &l))
		for (size_t i = 0; i < n; i++) {
			/* Its init's pages go on: after them. */
			if (peers[i]->init_ids)
				peers[i]->sync_owed = true;
			else if (peers[i]->joined)
				sync_peer(peers[i], &l);
		}
	free(l.by_id);
	free(l.r);
	free(peers);
}

static void resync(struct sig_peer *p)
{
	struct resources l;

	p->sync_owed = false;
	if (!visible_sorted(p->sig, p->p->tok.actor_id, &l))
		sync_peer(p, &l);
	free(l.by_id);
	free(l.r);
}

void sig_client_resource_updated(struct sig *s, const struct store_resource *r)
{
	struct sig_peer **peers;
	size_t n = sig_presence_all(&s->seen, r->id, &peers);

	for (size_t i = 0; i < n; i++)
		push_resource(peers[i], r);
	free(peers);
}

void sig_client_resource_gone(struct sig *s, const char *resource_id)
{
	struct sig_peer **peers;
	size_t n = sig_presence_all(&s->seen, resource_id, &peers);
	char id[STORE_ID_SIZE];

	/* The index's key is freed with the first delete: copy it. */
	snprintf(id, sizeof(id), "%s", resource_id);
	for (size_t i = 0; i < n; i++)
		push_deleted(peers[i], id);
	free(peers);
}
