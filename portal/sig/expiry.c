// SPDX-License-Identifier: GPL-2.0
/*
 * Expired authorizations leave the table on a timer. Nothing is sent:
 * the gateway got expires_at with each one and enforces it itself; the
 * rows only must not come back in a gateway's next init (which also
 * skips expired rows, so the sweep's period does not matter for safety).
 *
 * A token that expires under an open socket closes it: the token was
 * checked once, at the handshake, and a socket outliving it could still
 * ask for authorizations. One timer is armed for the earliest expiry of
 * any open socket's token; when it fires, every socket is looked at
 * (rare: once per expiring token) and the timer re-armed for the next.
 *
 * History is pruned on the same sweep (sig_limits): audit rows past
 * their retention, and changes rows past theirs, but never one the feed
 * has not handled yet nor the newest SIG_CHANGES_KEEP (a portal catching
 * up after a pause, or a second portal on the same database, reads them).
 */
#include <stdio.h>
#include <stdlib.h>

#include "priv.h"
#include "core/log.h"

static void prune(struct sig *s, int64_t now)
{
	struct store_prune p = { 0 };
	struct store_err err = { 0 };
	int64_t last = 0;
	char nc[24], na[24];

	if (s->limits.changes_s && !store_changes_last(s->store, &last, &err)) {
		p.changes_before = now - s->limits.changes_s * 1000000000LL;
		p.changes_max_seq = last - SIG_CHANGES_KEEP < s->feed_seq ?
					    last - SIG_CHANGES_KEEP :
					    s->feed_seq;
	}
	if (s->limits.audit_s)
		p.audit_before = now - s->limits.audit_s * 1000000000LL;
	if (store_prune(s->store, &p, &err)) {
		core_log("store_failed", "op", "prune", "msg", err.msg, NULL);
		return;
	}
	if (!p.n_changes && !p.n_audit)
		return;
	snprintf(nc, sizeof(nc), "%lld", (long long)p.n_changes);
	snprintf(na, sizeof(na), "%lld", (long long)p.n_audit);
	core_log("history_pruned", "changes", nc, "audit", na, NULL);
}

static void expiry_tick(uv_timer_t *t)
{
	struct sig *s = t->data;
	struct store_err err = { 0 };
	int64_t n = 0, now = sig_now_ns();
	char count[24];

	prune(s, now);
	if (store_authz_delete_expired(s->store, now, &n, &err)) {
		core_log("store_failed", "op", "expiry", "msg", err.msg, NULL);
		return;
	}
	if (!n)
		return;
	snprintf(count, sizeof(count), "%lld", (long long)n);
	core_log("authorizations_expired", "count", count, NULL);
}

static void deadline_tick(uv_timer_t *t);

/* Fires at when_ns unless an earlier firing is already set. */
static void arm(struct sig *s, int64_t when_ns)
{
	int64_t ms;

	if (!when_ns || (s->deadline_ns && s->deadline_ns <= when_ns) ||
	    s->stopped)
		return;
	ms = (when_ns - sig_now_ns()) / 1000000 + 1;
	s->deadline_ns = when_ns;
	uv_timer_start(&s->deadline_timer, deadline_tick,
		       ms > 0 ? (uint64_t)ms : 0, 0);
}

static void deadline_tick(uv_timer_t *t)
{
	struct sig *s = t->data;
	size_t n = sig_index_values(&s->tokens, NULL, 0);
	struct sig_peer **peers = calloc(n + 1, sizeof(*peers));
	int64_t now = sig_now_ns(), next = 0;

	s->deadline_ns = 0;
	if (!peers) {
		arm(s, now + 1000000000LL); /* try again in a second */
		return;
	}
	n = sig_index_values(&s->tokens, (void **)peers, n);
	for (size_t i = 0; i < n; i++) {
		int64_t exp = peers[i]->p->tok.expires_at;

		if (!exp || peers[i]->gone)
			continue;
		if (exp <= now) {
			core_log("token_expired", "who",
				 web_conn_name(peers[i]->conn), NULL);
			sig_disconnect(peers[i], "token_expired");
		} else if (!next || exp < next) {
			next = exp;
		}
	}
	free(peers);
	arm(s, next);
}

void sig_expiry_watch(struct sig *s, struct sig_peer *p)
{
	arm(s, p->p->tok.expires_at);
}

void sig_expiry_start(struct sig *s)
{
	s->expiry_timer.data = s;
	uv_timer_init(s->loop, &s->expiry_timer);
	uv_timer_start(&s->expiry_timer, expiry_tick, SIG_EXPIRY_MS,
		       SIG_EXPIRY_MS);
	s->deadline_timer.data = s;
	uv_timer_init(s->loop, &s->deadline_timer);
}

static void closed(uv_handle_t *h)
{
	(void)h;
}

void sig_expiry_stop(struct sig *s)
{
	uv_close((uv_handle_t *)&s->expiry_timer, closed);
	uv_close((uv_handle_t *)&s->deadline_timer, closed);
}
