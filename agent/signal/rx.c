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

#include "signal_int.h"

void signal_rx_reset(struct signal *s)
{
	free(s->rx);
	s->rx = NULL;
	s->rx_len = 0;
}

static void join_reply(struct signal *s, const struct proto_sig_reply *r)
{
	char why[160];

	s->join_ref[0] = '\0';
	if (r->status != PROTO_SIG_OK) {
		snprintf(why, sizeof(why), "the portal refused the join: %s",
			 r->reason ? r->reason : "no reason given");
		signal_finish(s, SIGNAL_REFUSED, why);
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
	char *b;

	s->last_rx = uv_now(s->loop); /* any frame proves the portal alive */
	if (last && !s->rx) {
		if (len > PROTO_SIG_MAX_MSG)
			return too_large(s, wsi);
		message(s, in, len);
		return 0;
	}
	if (s->rx_len + len > PROTO_SIG_MAX_MSG)
		return too_large(s, wsi);
	b = realloc(s->rx, s->rx_len + len + 1);
	if (!b) {
		snprintf(s->why, sizeof(s->why), "out of memory");
		return -1;
	}
	memcpy(b + s->rx_len, in, len);
	s->rx = b;
	s->rx_len += len;
	if (last) {
		message(s, s->rx, s->rx_len);
		signal_rx_reset(s);
	}
	return 0;
}
