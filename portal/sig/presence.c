// SPDX-License-Identifier: GPL-2.0
/*
 * Who is online, in memory: every socket by its token (so a deleted
 * token closes its sockets at once), client sockets by actor, and joined
 * devices by id and gateways by site (the candidates of a request).
 * The store's online_since, last_seen_at and remote_addr are written on
 * join and leave only, for `fzportal admin ... list` in other processes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "priv.h"
#include "core/log.h"

int sig_presence_open(struct sig *s, struct sig_peer *p)
{
	if (sig_index_add(&s->tokens, p->p->tok.id, p))
		return -ENOMEM;
	if (p->role == WEB_ROLE_CLIENT &&
	    sig_index_add(&s->actors, p->p->tok.actor_id, p)) {
		sig_index_del(&s->tokens, p->p->tok.id, p);
		return -ENOMEM;
	}
	return 0;
}

static void write_seen(struct sig *s, struct sig_peer *p, int64_t since)
{
	struct store_err err = { 0 };
	const char *kind = p->role == WEB_ROLE_GATEWAY ? "gateway" : "client";

	if (store_device_seen(s->store, kind, p->id, since, sig_now_ns(),
			      p->remote_ip, &err))
		core_log("presence_write_failed", "kind", kind, "id", p->id,
			 "msg", err.msg, NULL);
}

int sig_presence_join(struct sig *s, struct sig_peer *p)
{
	int ret;

	if (p->role == WEB_ROLE_GATEWAY) {
		ret = sig_index_add(&s->gateways, p->id, p);
		if (!ret && sig_index_add(&s->sites, p->site_id, p)) {
			sig_index_del(&s->gateways, p->id, p);
			ret = -ENOMEM;
		}
	} else {
		ret = sig_index_add(&s->clients, p->id, p);
	}
	if (ret)
		return ret;
	p->joined = true;
	p->online_since = sig_now_ns();
	write_seen(s, p, p->online_since);
	return 0;
}

/* Out of every index; safe to call twice (disconnect, then close). */
void sig_presence_leave(struct sig *s, struct sig_peer *p)
{
	if (p->joined) {
		if (p->role == WEB_ROLE_GATEWAY) {
			sig_index_del(&s->gateways, p->id, p);
			sig_index_del(&s->sites, p->site_id, p);
		} else {
			sig_index_del(&s->clients, p->id, p);
		}
		p->joined = false;
		write_seen(s, p, 0);
	}
	if (p->p && sig_index_del(&s->tokens, p->p->tok.id, p) &&
	    p->role == WEB_ROLE_CLIENT)
		sig_index_del(&s->actors, p->p->tok.actor_id, p);
	sig_client_forget(p);
}

struct sig_peer *sig_presence_gateway(struct sig *s, const char *id)
{
	struct sig_index_ent *e = sig_index_first(&s->gateways, id);

	return e ? e->val : NULL;
}

size_t sig_presence_site(struct sig *s, const char *site_id,
			 struct sig_peer **out, size_t max)
{
	size_t n = sig_index_get(&s->sites, site_id, (void **)out, max);

	return n < max ? n : max;
}

size_t sig_presence_all(const struct sig_index *ix, const char *key,
			struct sig_peer ***out)
{
	size_t n = sig_index_count(ix, key);

	*out = NULL;
	if (!n)
		return 0;
	*out = calloc(n, sizeof(**out));
	if (!*out) {
		core_log("out_of_memory", "where", "presence", NULL);
		return 0;
	}
	return sig_index_get(ix, key, (void **)*out, n);
}
