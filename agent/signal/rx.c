// SPDX-License-Identifier: GPL-2.0
/*
 * Frames from the portal: pieces put together up to PROTO_SIG_MAX_MSG
 * (a bigger message closes the socket, as the portal does to its
 * peers), parsed, and sorted: the reply to the join decides the state,
 * replies to heartbeats only prove the portal alive, a disconnect is
 * final, and everything else goes to the role.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "signal_int.h"

/* init and create_authorization carry preshared keys: wiped, not left. */
void signal_rx_reset(struct signal *s)
{
	if (s->rx)
		sodium_memzero(s->rx, s->rx_room);
	free(s->rx);
	s->rx = NULL;
	s->rx_len = s->rx_room = 0;
}

/*
 * Room for len more bytes and a NUL. By hand, not realloc(): realloc
 * would free the old block with its bytes in it. Doubling keeps the
 * copies linear in the message.
 */
static int rx_room(struct signal *s, size_t len)
{
	size_t need = s->rx_len + len + 1,
	       room = s->rx_room ? s->rx_room : 4096;
	char *b;

	if (need <= s->rx_room)
		return 0;
	while (room < need)
		room *= 2;
	b = malloc(room);
	if (!b)
		return -1;
	if (s->rx) {
		memcpy(b, s->rx, s->rx_len);
		sodium_memzero(s->rx, s->rx_room);
		free(s->rx);
	}
	s->rx = b;
	s->rx_room = room;
	return 0;
}

/*
 * A join refused for good: the key is another site's gateway's or
 * another actor's client's, which no retry changes (the portal's
 * refuse() in portal/sig/gateway.c, client.c). Its other refusals
 * ("join_failed": the store or presence failed) pass: redialled with
 * backoff, as a drop is. A bad token is refused earlier, with 401.
 */
static bool refused_for_good(const char *reason)
{
	return reason && !strcmp(reason, "public_key_in_use");
}

static void join_reply(struct signal *s, const struct proto_sig_reply *r)
{
	char why[160];

	s->join_ref[0] = '\0';
	if (r->status != PROTO_SIG_OK) {
		snprintf(why, sizeof(why), "the portal refused the join: %s",
			 r->reason ? r->reason : "no reason given");
		if (refused_for_good(r->reason)) {
			signal_finish(s, SIGNAL_REFUSED, why);
			return;
		}
		signal_drop(s, LWS_CLOSE_STATUS_NORMAL, why);
		return;
	}
	s->joined_at = uv_now(s->loop);
	signal_log(s, "joined %s as %s", s->url,
		   s->cfg.role == PROTO_SIG_GATEWAY ? "gateway" : "client");
	signal_set_state(s, SIGNAL_JOINED, "joined");
}

static bool own_heartbeat(const struct proto_sig_msg *m)
{
	return m->ref && !strncmp(m->ref, "hb", 2);
}

static void deliver(struct signal *s, const struct proto_sig_msg *m)
{
	char why[160];

	if (m->kind == PROTO_SIG_REPLY && m->ref && s->join_ref[0] &&
	    !strcmp(m->ref, s->join_ref)) {
		join_reply(s, &m->reply);
		return;
	}
	if (m->kind == PROTO_SIG_REPLY && own_heartbeat(m)) {
		if (m->reply.status != PROTO_SIG_OK)
			signal_log(s, "the portal answered a heartbeat with %s",
				   m->reply.reason ? m->reply.reason : "error");
		return;
	}
	if (s->ops->message)
		s->ops->message(s->ctx, m);
	if (m->kind == PROTO_SIG_DISCONNECT && !s->closed) {
		snprintf(why, sizeof(why), "disconnected by the portal: %s",
			 m->disconnect.reason ? m->disconnect.reason :
						"no reason given");
		signal_finish(s, SIGNAL_CLOSED, why);
	}
}

/* Malformed messages are logged and dropped; the socket stays. */
static void message(struct signal *s, const char *buf, size_t len)
{
	struct proto_sig_msg m;
	struct proto_sig_error e;

	if (proto_sig_parse(PROTO_SIG_FROM_PORTAL, s->cfg.role, buf, len, &m,
			    &e)) {
		signal_log(s, "dropped a message from the portal: %s (%s)",
			   e.reason, e.message);
		return;
	}
	deliver(s, &m);
	proto_sig_free(&m);
}

static int too_large(struct signal *s, struct lws *wsi)
{
	static const char why[] = "a message from the portal over 16 KiB";

	if (!s->why[0])
		snprintf(s->why, sizeof(s->why), "%s", why);
	signal_log(s, "%s: closing the connection", why);
	lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE,
			 (unsigned char *)why, strlen(why));
	return -1;
}

int signal_rx(struct signal *s, struct lws *wsi, const char *in, size_t len)
{
	bool last = lws_is_final_fragment(wsi) &&
		    !lws_remaining_packet_payload(wsi);
	s->last_rx = uv_now(s->loop); /* any frame proves the portal alive */
	if (last && !s->rx) {
		if (len > PROTO_SIG_MAX_MSG)
			return too_large(s, wsi);
		message(s, in, len);
		return 0;
	}
	if (s->rx_len + len > PROTO_SIG_MAX_MSG)
		return too_large(s, wsi);
	if (rx_room(s, len)) {
		snprintf(s->why, sizeof(s->why), "out of memory");
		return -1;
	}
	memcpy(s->rx + s->rx_len, in, len);
	s->rx_len += len;
	if (last) {
		message(s, s->rx, s->rx_len);
		signal_rx_reset(s);
	}
	return 0;
}
