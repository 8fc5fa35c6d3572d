// SPDX-License-Identifier: GPL-2.0
/*
 * The WebSocket endpoints: the bearer check before the handshake, then
 * per message reassembly, the rate budget, heartbeats and the malformed
 * frame reply, and the sweep that closes silent peers. What survives all
 * that goes up through cfg->on_message().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "priv.h"
#include "frame.h"
#include "core/log.h"

#define AUTH_HEADER_MAX 1024

static int role_of_uri(const char *uri, enum web_role *role)
{
	if (!strcmp(uri, "/gateway/websocket"))
		*role = WEB_ROLE_GATEWAY;
	else if (!strcmp(uri, "/client/websocket"))
		*role = WEB_ROLE_CLIENT;
	else
		return -1;
	return 0;
}

static void log_refused(const char *remote, const char *uri, const char *why)
{
	core_log("conn_refused", "remote", remote, "path", uri, "reason", why,
		 NULL);
}

/* The token after "Bearer ", into buf; NULL and *why if there is none. */
static const char *bearer(struct lws *wsi, char *buf, size_t len,
			  const char **why)
{
	int n = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_AUTHORIZATION);
	const char *t;

	*why = "no Authorization header";
	if (n <= 0)
		return NULL;
	*why = "Authorization header too long";
	if ((size_t)n >= len ||
	    lws_hdr_copy(wsi, buf, (int)len, WSI_TOKEN_HTTP_AUTHORIZATION) < 0)
		return NULL;
	*why = "Authorization is not a bearer token";
	if (strncasecmp(buf, "Bearer ", 7))
		return NULL;
	for (t = buf + 7; *t == ' '; t++)
		;
	return *t ? t : NULL;
}

/*
 * The reason goes to the log only: a 401 that said "no such token" or
 * "wrong secret" would tell a prober which token ids exist, which the
 * constant-time lookup hides. Other statuses keep their (public) reason.
 */
static int refuse(struct lws *wsi, const char *remote, const char *uri,
		  int status, const char *why)
{
	char body[256];

	log_refused(remote, uri, why);
	snprintf(body, sizeof(body),
		 "{\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}",
		 status == 401 ? "unauthorized" :
		 status == 404 ? "not_found" :
				 "unavailable",
		 status == 401 ? "invalid token" :
		 status == 404 ? "no such WebSocket endpoint" :
				 "try again later");
	return web_http_respond_now(wsi, status, body);
}

/* Asks cfg->authenticate(); on yes, the handle exists from here on. */
static int authenticate(struct web_server *srv, struct lws *wsi,
			struct web_auth *a, const char *uri)
{
	struct web_conn *conn;

	a->why = "refused";
	if (srv->cfg.authenticate(srv->cfg.arg, a))
		return refuse(wsi, a->remote, uri, 401, a->why);
	conn = web_conn_new(srv, wsi, a);
	if (!conn) {
		if (srv->cfg.release)
			srv->cfg.release(srv->cfg.arg, a->principal);
		return refuse(wsi, a->remote, uri, 503, "out of memory");
	}
	lws_set_opaque_user_data(wsi, conn);
	return 0;
}

/*
 * HTTP_CONFIRM_UPGRADE: the last point where a refusal can still be an
 * HTTP status (401) rather than a dropped connection. Returns 0 to go
 * on with the handshake, 1 when a response has been sent instead.
 */
static int confirm_upgrade(struct web_server *srv, struct lws *wsi,
			   const char *upgrade)
{
	char remote[WEB_ADDR_MAX], hdr[AUTH_HEADER_MAX];
	struct web_auth a = { 0 };
	char *uri = NULL;
	int uri_len = 0, rc;

	web_remote_addr(wsi, remote, sizeof(remote));
	a.remote = remote;
	if (lws_http_get_uri_and_method(wsi, &uri, &uri_len) != LWSHUMETH_GET ||
	    strcasecmp(upgrade, "websocket") || role_of_uri(uri, &a.role))
		return refuse(wsi, remote, uri ? uri : "?", 404,
			      "no such WebSocket endpoint");
	if (srv->stopping)
		return refuse(wsi, remote, uri, 503, "shutting down");
	a.token = bearer(wsi, hdr, sizeof(hdr), &a.why);
	if (!a.token)
		rc = refuse(wsi, remote, uri, 401, a.why);
	else
		rc = authenticate(srv, wsi, &a, uri);
	sodium_memzero(hdr, sizeof(hdr));
	return rc;
}

static void established(struct web_server *srv, struct web_conn *conn)
{
	uint64_t now = web_now_ms(srv);

	conn->opened = true;
	conn->last_rx_ms = now;
	web_rate_init(&conn->rate, srv->cfg.rate_per_s[conn->role],
		      srv->cfg.rate_burst[conn->role], now);
	web_conn_link(conn);
	core_log("conn_open", "role", web_role_name(conn->role), "remote",
		 conn->remote, "who", conn->name, NULL);
	if (srv->cfg.on_open)
		srv->cfg.on_open(srv->cfg.arg, conn);
}

static void reply(struct web_conn *conn, const struct web_frame *f,
		  const char *error)
{
	char buf[WEB_FRAME_REPLY_MAX];
	size_t n = error ? web_frame_reply_error(buf, sizeof(buf), f, error) :
			   web_frame_reply_ok(buf, sizeof(buf), f);

	if (n)
		web_conn_send(conn, buf, n);
}

/* A whole message (NUL-terminated): budget, then what kind of frame. */
static void message(struct web_server *srv, struct web_conn *conn,
		    const char *text, size_t len)
{
	enum web_rate_verdict v = web_rate_take(&conn->rate, web_now_ms(srv));
	struct web_frame f;

	if (v == WEB_RATE_CLOSE) {
		core_log("conn_rate_limited", "remote", conn->remote, "who",
			 conn->name, NULL);
		web_conn_close(conn, WEB_CLOSE_POLICY, "rate limit exceeded");
		return;
	}
	web_frame_parse(text, len, &f);
	if (conn->rx_binary)
		f.kind = WEB_FRAME_INVALID; /* Phoenix frames are text */
	if (v == WEB_RATE_REFUSE)
		reply(conn, &f, "rate_limited");
	else if (f.kind == WEB_FRAME_INVALID)
		reply(conn, &f, "invalid_message");
	else if (f.kind == WEB_FRAME_HEARTBEAT)
		reply(conn, &f, NULL);
	else if (srv->cfg.on_message)
		srv->cfg.on_message(srv->cfg.arg, conn, text, len);
}

/* RECEIVE: a piece of a message; lws says when it is the last one. */
static int receive(struct web_server *srv, struct web_conn *conn,
		   struct lws *wsi, const void *in, size_t len)
{
	char *rx;

	conn->last_rx_ms = web_now_ms(srv); /* any frame means alive */
	if (conn->closing)
		return 0; /* what is still coming is not read any more */
	if (conn->rx_len + len > WEB_MSG_MAX) {
		web_conn_close(conn, WEB_CLOSE_TOO_BIG, "message too big");
		goto done;
	}
	/* Heap per message, so that an idle socket holds no buffer. */
	rx = realloc(conn->rx, conn->rx_len + len + 1);
	if (!rx) {
		web_conn_close(conn, LWS_CLOSE_STATUS_UNEXPECTED_CONDITION,
			       "out of memory");
		goto done;
	}
	if (!conn->rx_len)
		conn->rx_binary = lws_frame_is_binary(wsi);
	conn->rx = rx;
	memcpy(rx + conn->rx_len, in, len);
	conn->rx_len += len;
	rx[conn->rx_len] = '\0';
	if (!lws_is_final_fragment(wsi))
		return 0;
	message(srv, conn, rx, conn->rx_len);
done:
	free(conn->rx);
	conn->rx = NULL;
	conn->rx_len = 0;
	return 0;
}

/* The peer's close frame: keep its code and reason for the log. */
static void peer_close(struct web_conn *conn, const unsigned char *in,
		       size_t len)
{
	size_t n = len > 2 ? len - 2 : 0;

	if (conn->closing)
		return;
	conn->close_code = len >= 2 ? (in[0] << 8 | in[1]) :
				      LWS_CLOSE_STATUS_NO_STATUS;
	if (n > WEB_REASON_MAX)
		n = WEB_REASON_MAX;
	/* The log escapes what it prints, so any bytes may stay. */
	memcpy(conn->close_reason, in + 2 * (len >= 2), n);
	conn->close_reason[n] = '\0';
}

static void closed(struct web_server *srv, struct web_conn *conn)
{
	char code[16];

	if (!conn->opened)
		return;
	snprintf(code, sizeof(code), "%d", conn->close_code);
	core_log("conn_close", "role", web_role_name(conn->role), "remote",
		 conn->remote, "who", conn->name, "code", code, "reason",
		 conn->close_reason[0] ? conn->close_reason : NULL, "by",
		 conn->closing ? "portal" : "peer", NULL);
	if (srv->cfg.on_close)
		srv->cfg.on_close(srv->cfg.arg, conn, conn->close_code,
				  conn->close_reason);
	conn->wsi = NULL; /* web_conn_send() and _close() now do nothing */
}

int web_ws_callback(struct web_server *srv, struct lws *wsi,
		    enum lws_callback_reasons reason, void *in, size_t len)
{
	struct web_conn *conn = lws_get_opaque_user_data(wsi);

	if (reason == LWS_CALLBACK_HTTP_CONFIRM_UPGRADE)
		return confirm_upgrade(srv, wsi, in);
	if (!conn)
		return 0;
	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
		established(srv, conn);
		break;
	case LWS_CALLBACK_RECEIVE:
		return receive(srv, conn, wsi, in, len);
	case LWS_CALLBACK_RECEIVE_PONG:
		conn->last_rx_ms = web_now_ms(srv);
		break;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return web_conn_writeable(conn);
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		peer_close(conn, in, len);
		break;
	case LWS_CALLBACK_CLOSED:
		closed(srv, conn);
		break;
	case LWS_CALLBACK_WSI_DESTROY:
		lws_set_opaque_user_data(wsi, NULL);
		web_conn_free(conn);
		break;
	default:
		break;
	}
	return 0;
}

/* The sweep timer: a peer silent for 3 heartbeat intervals is gone. */
void web_ws_sweep(struct web_server *srv)
{
	uint64_t now = web_now_ms(srv),
		 limit = (uint64_t)WEB_MISSED_HEARTBEATS *
			 srv->cfg.heartbeat_ms;

	for (struct web_conn *c = srv->conns; c; c = c->next) {
		if (c->closing || now - c->last_rx_ms < limit)
			continue;
		core_log("conn_timeout", "remote", c->remote, "who", c->name,
			 NULL);
		web_conn_close(c, WEB_CLOSE_NORMAL, "heartbeat timeout");
	}
}
