/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the web wing's files share and nobody above sees: the server and
 * connection structs, and the entry points of each file's part of the
 * one lws protocol callback (server.c dispatches).
 */
#ifndef FZ_PORTAL_WEB_PRIV_H
#define FZ_PORTAL_WEB_PRIV_H

#include <libwebsockets.h>
#include <stdint.h>

#include "web.h"
#include "rate.h"

#define WEB_ADDR_MAX 64 /* "[v6 address]:port" */
#define WEB_REASON_MAX 123 /* a close frame's reason (125 - 2) */
#define WEB_CLOSE_GRACE_S 5 /* a closing peer that does not read: cut */

/* One queued outbound message, with lws's LWS_PRE headroom in front. */
struct web_msg {
	struct web_msg *next;
	size_t len;
	unsigned char buf[]; /* LWS_PRE + len */
};

struct web_conn {
	struct web_server *srv;
	struct lws *wsi;
	struct web_conn *prev, *next; /* srv->conns, once open */
	enum web_role role;
	void *principal;
	void *data;
	char name[64];
	char remote[WEB_ADDR_MAX];
	bool opened, closing, close_sent, linked;
	int close_code; /* ours, or the peer's when it closed first */
	char close_reason[WEB_REASON_MAX + 1];
	bool drop_queue; /* close without flushing (a slow reader) */
	char *rx; /* the message being reassembled, or NULL */
	size_t rx_len;
	bool rx_binary;
	uint64_t last_rx_ms;
	struct web_rate rate;
	struct web_msg *q_head, *q_tail;
	size_t q_bytes;
};

struct web_server {
	struct web_config cfg;
	struct lws_context *ctx; /* NULL once lws has finished destroying it */
	struct lws_vhost *vhost;
	struct lws_protocols protocols[2];
	uv_timer_t sweep; /* silent peers */
	uv_timer_t grace; /* shutdown: wait for the sockets, then finish */
	struct web_conn *conns;
	size_t n_conns;
	int port;
	bool stopping, finished;
};

/* server.c */
uint64_t web_now_ms(const struct web_server *srv);
void web_remote_addr(struct lws *wsi, char *buf, size_t len);
void web_server_conn_gone(struct web_server *srv);

/* http.c: the HTTP side of the protocol callback. */
int web_http_callback(struct web_server *srv, struct lws *wsi,
		      enum lws_callback_reasons reason, void *user, void *in,
		      size_t len);
size_t web_http_pss_size(void);
/* A whole small response at once, for the upgrade's refusals. */
int web_http_respond_now(struct lws *wsi, int status, const char *body);

/* ws.c: the WebSocket side. */
int web_ws_callback(struct web_server *srv, struct lws *wsi,
		    enum lws_callback_reasons reason, void *in, size_t len);
void web_ws_sweep(struct web_server *srv);

/* conn.c: the handle's life and its out-queue. */
struct web_conn *web_conn_new(struct web_server *srv, struct lws *wsi,
			      const struct web_auth *auth);
void web_conn_link(struct web_conn *conn);
void web_conn_free(struct web_conn *conn);
int web_conn_writeable(struct web_conn *conn);

#endif /* FZ_PORTAL_WEB_PRIV_H */
