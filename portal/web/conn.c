// SPDX-License-Identifier: GPL-2.0
/*
 * A WebSocket's handle for the upper wings, and its out-queue. Nothing
 * here writes to the socket except web_conn_writeable(), which runs from
 * lws's SERVER_WRITEABLE: lws_write() may only be called there, and a
 * bounded queue in front of it is what keeps a slow reader from either
 * blocking the loop or eating the portal's memory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "priv.h"

/*
 * lws's private name (lib/roles/ws/private-lib-roles-ws.h) for a close
 * frame write; the public header reserves the value between
 * LWS_WRITE_HTTP and LWS_WRITE_PING for it. See write_close().
 */
#define WEB_WRITE_CLOSE ((enum lws_write_protocol)4)

const char *web_role_name(enum web_role role)
{
	return role == WEB_ROLE_GATEWAY ? "gateway" : "client";
}

struct web_conn *web_conn_new(struct web_server *srv, struct lws *wsi,
			      const struct web_auth *auth)
{
	struct web_conn *conn = calloc(1, sizeof(*conn));

	if (!conn)
		return NULL;
	conn->srv = srv;
	conn->wsi = wsi;
	conn->role = auth->role;
	conn->principal = auth->principal;
	snprintf(conn->name, sizeof(conn->name), "%s", auth->name);
	snprintf(conn->remote, sizeof(conn->remote), "%s", auth->remote);
	conn->close_code = LWS_CLOSE_STATUS_ABNORMAL_CLOSE; /* until known */
	return conn;
}

/* Once open, the sweep and the shutdown see it. */
void web_conn_link(struct web_conn *conn)
{
	struct web_server *srv = conn->srv;

	conn->next = srv->conns;
	if (srv->conns)
		srv->conns->prev = conn;
	srv->conns = conn;
	srv->n_conns++;
	conn->linked = true;
}

static void unlink_conn(struct web_conn *conn)
{
	struct web_server *srv = conn->srv;

	if (!conn->linked)
		return;
	if (conn->prev)
		conn->prev->next = conn->next;
	else
		srv->conns = conn->next;
	if (conn->next)
		conn->next->prev = conn->prev;
	srv->n_conns--;
	conn->linked = false;
}

/* A queued message may carry a preshared key: gone with the copy. */
static void wipe_free(struct web_msg *m)
{
	sodium_memzero(m->buf, LWS_PRE + m->len);
	free(m);
}

static void drop_queue(struct web_conn *conn)
{
	struct web_msg *m;

	while ((m = conn->q_head)) {
		conn->q_head = m->next;
		wipe_free(m);
	}
	conn->q_tail = NULL;
	conn->q_bytes = 0;
}

/* From WSI_DESTROY: lws is done with the socket, whatever its state. */
void web_conn_free(struct web_conn *conn)
{
	struct web_server *srv = conn->srv;

	unlink_conn(conn);
	drop_queue(conn);
	free(conn->rx);
	if (srv->cfg.release)
		srv->cfg.release(srv->cfg.arg, conn->principal);
	free(conn);
	web_server_conn_gone(srv);
}

enum web_role web_conn_role(const struct web_conn *conn)
{
	return conn->role;
}

void *web_conn_principal(const struct web_conn *conn)
{
	return conn->principal;
}

const char *web_conn_name(const struct web_conn *conn)
{
	return conn->name;
}

const char *web_conn_remote(const struct web_conn *conn)
{
	return conn->remote;
}

void web_conn_set_data(struct web_conn *conn, void *data)
{
	conn->data = data;
}

void *web_conn_data(const struct web_conn *conn)
{
	return conn->data;
}

int web_conn_send(struct web_conn *conn, const char *text, size_t len)
{
	struct web_msg *m;

	if (conn->closing || !conn->wsi)
		return -EPIPE;
	if (conn->q_bytes + len > WEB_QUEUE_MAX) {
		conn->drop_queue = true;
		web_conn_close(conn, WEB_CLOSE_OVERLOAD, "send queue full");
		return -ENOBUFS;
	}
	m = malloc(sizeof(*m) + LWS_PRE + len);
	if (!m)
		return -ENOMEM;
	m->next = NULL;
	m->len = len;
	memcpy(m->buf + LWS_PRE, text, len);
	if (conn->q_tail)
		conn->q_tail->next = m;
	else
		conn->q_head = m;
	conn->q_tail = m;
	conn->q_bytes += len;
	lws_callback_on_writable(conn->wsi);
	return 0;
}

size_t web_conn_queued(const struct web_conn *conn)
{
	return conn->q_bytes;
}

void web_conn_want_drained(struct web_conn *conn)
{
	if (conn->closing || !conn->wsi)
		return;
	conn->want_drained = true;
	lws_callback_on_writable(conn->wsi);
}

/* Empty: whoever waits for room is told, once. */
static void drained(struct web_conn *conn)
{
	struct web_server *srv = conn->srv;

	if (!conn->want_drained || conn->closing)
		return;
	conn->want_drained = false;
	if (srv->cfg.on_drained)
		srv->cfg.on_drained(srv->cfg.arg, conn);
}

void web_conn_close(struct web_conn *conn, int code, const char *reason)
{
	if (conn->closing || !conn->wsi)
		return;
	conn->closing = true;
	conn->close_code = code;
	snprintf(conn->close_reason, sizeof(conn->close_reason), "%s",
		 reason ? reason : "");
	if (conn->drop_queue)
		drop_queue(conn);
	/*
	 * What is queued still goes out first (a "disconnect" push before
	 * the close), but a peer that reads none of it is cut off anyway.
	 */
	lws_set_timeout(conn->wsi, PENDING_TIMEOUT_CLOSE_SEND,
			WEB_CLOSE_GRACE_S);
	lws_callback_on_writable(conn->wsi);
}

/*
 * The close frame, written here rather than by returning -1 after
 * lws_close_reason(): Debian's lws 4.1.6 is built with _DEBUG, and on
 * libuv its close path then calls itself a second time as a self-test,
 * which kills the socket before the close frame is sent (the peer sees
 * 1006). Written as a frame, the peer answers with its own close, lws
 * finishes the handshake, and the socket goes.
 */
static int write_close(struct web_conn *conn)
{
	unsigned char buf[LWS_PRE + 2 + WEB_REASON_MAX], *p = buf + LWS_PRE;
	size_t n = strlen(conn->close_reason);

	p[0] = (unsigned char)(conn->close_code >> 8);
	p[1] = (unsigned char)conn->close_code;
	memcpy(p + 2, conn->close_reason, n);
	if (lws_write(conn->wsi, p, n + 2, WEB_WRITE_CLOSE) < 0)
		return -1;
	conn->close_sent = true;
	/* A peer that never answers is cut off. */
	lws_set_timeout(conn->wsi, PENDING_TIMEOUT_CLOSE_ACK,
			WEB_CLOSE_GRACE_S);
	return 0;
}

/* SERVER_WRITEABLE: one message per call, then ask again if more. */
int web_conn_writeable(struct web_conn *conn)
{
	struct web_msg *m = conn->q_head;
	int n;

	if (!m) {
		if (conn->closing && !conn->close_sent)
			return write_close(conn);
		drained(conn);
		return 0;
	}
	n = lws_write(conn->wsi, m->buf + LWS_PRE, m->len, LWS_WRITE_TEXT);
	if (n < (int)m->len)
		return -1; /* lws has already failed the socket */
	conn->q_head = m->next;
	if (!conn->q_head)
		conn->q_tail = NULL;
	conn->q_bytes -= m->len;
	wipe_free(m);
	if (conn->q_head || (conn->closing && !conn->close_sent))
		lws_callback_on_writable(conn->wsi);
	else
		drained(conn);
	return 0;
}
