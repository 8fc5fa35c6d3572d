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
/*
 * A body over its bound is read and dropped up to this size, so the 413
 * reaches a client still sending; past it the socket is closed.
 */
#define WEB_BODY_DISCARD_MAX (1024 * 1024)

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
	bool want_drained; /* cfg->on_drained() once the queue is empty */
};

/* How an HTTP socket's current request is being answered. */
enum web_http_kind {
	WEB_HTTP_NONE, /* /healthz and the like, answered at once */
	WEB_HTTP_API, /* cfg->rest() once the body is in */
	WEB_HTTP_PAGE, /* cfg->page() once the body is in */
};

/*
 * Per HTTP socket (lws allocates it as the protocol's per-session data);
 * reset for every request.
 */
struct web_http {
	struct web_server *srv;
	struct lws *wsi;
	enum web_http_kind kind;
	const char *method;
	char *path, *query, *auth, *ctype, *cookie, *host, *xff;
	char remote[WEB_ADDR_MAX];
	char *body;
	size_t body_len; /* counted, dropped bytes too (too_big) */
	size_t body_kept; /* in body, without its NUL */
	bool too_big; /* over the bound: answer 413 once it is in */
	bool close_after; /* the body was not all read: do not reuse */
	bool answered; /* a response is on its way: the body is dropped */
	bool head; /* HEAD: the headers only */
	struct web_pending *pending; /* a page answer to come */
	unsigned char *hdr; /* LWS_PRE + a page's headers, from WRITEABLE */
	size_t hdr_len;
	unsigned char *out; /* LWS_PRE + the response body */
	size_t out_len, out_pos;
};

/* A deferred page answer; wsi NULL once its socket is gone. */
struct web_pending {
	struct web_server *srv; /* NULL once the server is freed */
	struct lws *wsi;
	struct web_pending *prev, *next; /* srv->pending */
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
	struct web_pending *pending;
	size_t n_pending;
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
/* A copied header's value (NULL if absent, too long or out of memory). */
char *web_http_header(struct lws *wsi, enum lws_token_indexes h);
/* Takes body (LWS_PRE in front) for WRITEABLE to send after h->hdr. */
void web_http_send(struct web_http *h, unsigned char *out, size_t len);

/* page.c: the pages, their headers, deferred answers. */
int web_page_start(struct web_server *srv, struct web_http *h, int meth,
		   const char *uri);
int web_page_run(struct web_http *h);
/* The statics and cfg->page() see this path (or 404 as ever). */
bool web_page_routed(const struct web_server *srv, const char *uri);
/* The socket is going: its pending answer, if any, is detached. */
void web_page_detach(struct web_http *h);
void web_page_wsi_gone(struct web_server *srv, struct lws *wsi);
void web_page_server_gone(struct web_server *srv);
/* The query from lws's decoded fragments, encoded again; NULL: no memory. */
char *web_page_query(struct lws *wsi);

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
