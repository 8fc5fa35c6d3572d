/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The web wing (portal/web/): the portal's one HTTPS listener, on
 * libwebsockets over the process's libuv loop, single-threaded.
 *
 *   /healthz            200 "ok" while the process runs
 *   /readyz             200 when cfg->ready() says so, else 503
 *   /api/...            handed to cfg->rest() (bodies bounded, 413)
 *   /gateway/websocket  WebSocket, bearer token checked by
 *   /client/websocket   cfg->authenticate() before the handshake
 *   anything else       cfg->statics, then cfg->page() (page.c): HTML
 *                       pages with the security headers always added;
 *                       404 when neither is set
 *
 * The wing knows nothing of the store, tokens or policies: the upper
 * wings plug in through struct web_config. What it does own is the
 * transport's hygiene per WebSocket: fragments reassembled up to
 * WEB_MSG_MAX, a token bucket, a bounded out-queue, Phoenix heartbeats
 * and the sweep of silent peers. Messages that pass all that reach
 * cfg->on_message() as text; writes go out only from lws's WRITEABLE
 * callback, so web_conn_send() never blocks and may be called anywhere
 * on the loop's thread.
 */
#ifndef FZ_PORTAL_WEB_H
#define FZ_PORTAL_WEB_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#define WEB_MSG_MAX (16 * 1024) /* a reassembled message, bytes */
#define WEB_BODY_MAX (64 * 1024) /* an /api request body, bytes */
#define WEB_QUEUE_MAX (256 * 1024) /* a socket's unsent messages, bytes */
#define WEB_PAGE_BODY_MAX (16 * 1024) /* a page's POST body: small forms */
#define WEB_PENDING_MAX 256 /* deferred page answers in flight */
#define WEB_PAGE_TIMEOUT_S 60 /* a deferred page's socket waits this long */
/*
 * Message budgets per socket, by role. A client sends a join, a few
 * requests and heartbeats: 20 a second with bursts of 50 is far above
 * any honest client and stops a flood early. A gateway acks every
 * authorization the portal sends it (authorization_created), so its
 * budget must follow the portal's own sending rate: the issue's
 * benchmark is 10,000 clients over 10 gateways, 1,000 each; if they all
 * ask at once (a portal restart, a policy change for everybody), one
 * gateway gets about 1,000 create_authorization in a second or two.
 * 1,000 a second with bursts of 2,000 takes that whole wave without a
 * refusal and still bounds a misbehaving gateway.
 */
#define WEB_RATE_PER_S 20 /* client messages per second, sustained */
#define WEB_RATE_BURST 50 /* client messages at once */
#define WEB_GW_RATE_PER_S 1000 /* gateway messages per second */
#define WEB_GW_RATE_BURST 2000 /* gateway messages at once */
#define WEB_RATE_MAX 1000000 /* either number, at most */
#define WEB_HEARTBEAT_MS_DEFAULT 10000
#define WEB_MISSED_HEARTBEATS 3 /* silent this many intervals: closed */

/* WebSocket close codes the wing uses (RFC 6455, 7.4.1). */
enum {
	WEB_CLOSE_NORMAL = 1000,
	WEB_CLOSE_GOING_AWAY = 1001, /* shutdown, heartbeat timeout */
	WEB_CLOSE_POLICY = 1008, /* persistently over the rate */
	WEB_CLOSE_TOO_BIG = 1009, /* message over WEB_MSG_MAX */
	WEB_CLOSE_OVERLOAD = 1013, /* out-queue over WEB_QUEUE_MAX */
};

enum web_role {
	WEB_ROLE_GATEWAY,
	WEB_ROLE_CLIENT,
};

const char *web_role_name(enum web_role role);

/* The handshake's question to cfg->authenticate(). */
struct web_auth {
	enum web_role role; /* in: chosen by the URI */
	const char *token; /* in: after "Bearer ", NUL-terminated */
	const char *remote; /* in: "192.0.2.1:50000", "[2001:db8::1]:50000" */
	void *principal; /* out when accepted: kept by the connection */
	char name[64]; /* out: who, for the logs (never the secret) */
	const char *why; /* out when refused: static text for the logs */
};

/* One /api request, complete (body included), and its answer. */
struct web_request {
	const char *method; /* "GET", "POST", "PUT", "PATCH", "DELETE" */
	const char *path; /* "/api/v1/sites/x", URL-decoded, no query */
	const char *query; /* "a=1&b=2" (values decoded), "" if none */
	const char *authorization; /* the header's value, NULL if none */
	const char *content_type; /* NULL if none */
	const char *remote;
	const char *body; /* NUL-terminated, body_len bytes */
	size_t body_len;
};

struct web_response {
	int status;
	char *body; /* JSON, malloc()ed: the wing frees it */
	size_t body_len;
};

/*
 * Pages (page.c): everything that is not /healthz, /readyz, /api/... or
 * a WebSocket goes to cfg->page(), GET, HEAD and POST only (others 405),
 * a POST body up to WEB_PAGE_BODY_MAX (413 past it).
 */
struct web_http; /* the wing's, one per HTTP socket */

struct web_page_request {
	const char *method; /* "GET", "HEAD" or "POST" */
	const char *path; /* URL-decoded by lws, no query */
	/*
	 * The query for web_query_value(): lws decodes it as it parses, so
	 * the wing encodes each name and value again ("" if none). Only
	 * '&' separates pairs; lws also splits at ';', which is lost.
	 */
	const char *query;
	const char *cookie; /* the Cookie header, NULL if none */
	const char *content_type; /* NULL if none */
	const char *remote; /* "192.0.2.1:50000" */
	const char *host; /* the Host header, NULL if none */
	const char *forwarded_for; /* X-Forwarded-For, NULL if none */
	const char *body; /* NUL-terminated, body_len bytes; "" for GET */
	size_t body_len;
	struct web_http *http; /* for web_page_defer() */
};

/*
 * The wing frees body, location and the cookies (wiped first: a page
 * may carry a CSRF token, a cookie a flow id). Every response gets
 * Content-Security-Policy (csp, or WEB_PAGE_CSP when NULL),
 * X-Frame-Options: DENY, X-Content-Type-Options: nosniff,
 * Referrer-Policy: no-referrer, Cache-Control: no-store and
 * Strict-Transport-Security. A header value with a control character
 * (CR, LF: header injection) turns the answer into a 500.
 */
struct web_page_response {
	int status; /* 200, 303, 400...: 100 to 599, else 500 */
	const char *content_type; /* NULL: text/html; charset=utf-8 */
	char *body; /* malloc()ed or NULL */
	size_t body_len;
	char *location; /* malloc()ed: a redirect's Location, or NULL */
	char *set_cookie; /* malloc()ed: a Set-Cookie value, or NULL */
	char *set_cookie2; /* a second one, or NULL */
	const char *csp; /* NULL: WEB_PAGE_CSP */
};

#define WEB_PAGE_CSP                                             \
	"default-src 'none'; style-src 'self'; img-src 'self'; " \
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
#define WEB_PAGE_DEFERRED 1 /* cfg->page(): the answer comes later */

/* A fixed file (the stylesheet), served for GET and HEAD. */
struct web_static {
	const char *path; /* "/static/fz.css" */
	const char *content_type; /* "text/css; charset=utf-8" */
	const char *body;
	size_t len;
};

struct web_pending;

struct web_conn;

struct web_config {
	uv_loop_t *loop; /* shared with the portal's other timers */
	const char *address; /* to listen on: "127.0.0.1", "::1" */
	int port; /* 0: the kernel picks one (see web_server_port) */
	const char *cert_file; /* PEM certificate chain */
	const char *key_file; /* PEM private key */
	unsigned int heartbeat_ms; /* 0: WEB_HEARTBEAT_MS_DEFAULT */
	/* Per role (enum web_role), messages a second and at once; each
	 * 0: the WEB_*RATE_* default of the role. */
	unsigned int rate_per_s[2], rate_burst[2];
	void *arg; /* passed to every callback below */

	/*
	 * The token check at handshake time: 0 accepts (principal and name
	 * set), anything else refuses (why set) with HTTP 401. Required.
	 * release() gets every accepted principal back, once, when its
	 * connection is gone, whether or not it ever opened.
	 */
	int (*authenticate)(void *arg, struct web_auth *auth);
	void (*release)(void *arg, void *principal);

	/* /readyz; NULL: ready as long as the server is not stopping. */
	bool (*ready)(void *arg);

	/*
	 * /api/...: fill resp (status and a JSON body). NULL: every path
	 * is 404 {"error":{"code":"not_found",...}} until the admin wing
	 * plugs in.
	 */
	void (*rest)(void *arg, const struct web_request *req,
		     struct web_response *resp);

	/*
	 * Pages: fill resp and return 0, or take a web_page_defer() and
	 * return WEB_PAGE_DEFERRED, then answer with web_page_finish(). NULL
	 * (and no static file at the path): 404 as for any unknown path.
	 */
	int (*page)(void *arg, const struct web_page_request *req,
		    struct web_page_response *resp);
	const struct web_static *statics; /* n_statics files, or NULL */
	size_t n_statics;
	unsigned int pending_max; /* 0: WEB_PENDING_MAX */
	unsigned int page_timeout_s; /* 0: WEB_PAGE_TIMEOUT_S */

	/*
	 * The sockets' life: on_open after the handshake, on_message per
	 * complete non-heartbeat message that parsed as a Phoenix frame
	 * (text and len, NUL-terminated), on_close once for every opened
	 * connection (the handle is freed right after it returns). Any may
	 * be NULL.
	 */
	void (*on_open)(void *arg, struct web_conn *conn);
	void (*on_message)(void *arg, struct web_conn *conn, const char *text,
			   size_t len);
	void (*on_close)(void *arg, struct web_conn *conn, int code,
			 const char *reason);
	/*
	 * The out-queue is empty again after web_conn_want_drained(): a
	 * writer with more to send than WEB_QUEUE_MAX takes sends the next
	 * part. Never for a closing connection. May be NULL.
	 */
	void (*on_drained)(void *arg, struct web_conn *conn);
};

struct web_server;

/* Fills what cfg leaves 0 (heartbeat, budgets) with the defaults. */
void web_config_defaults(struct web_config *cfg);

/*
 * Creates the lws context on cfg->loop and starts listening; NULL with
 * a sentence in err when it cannot (missing or unreadable certificate
 * or key, address in use). cfg is copied; its strings must outlive the
 * server.
 */
struct web_server *web_server_start(const struct web_config *cfg, char *err,
				    size_t errlen);

/* The port listened on (the kernel's choice when cfg->port was 0). */
int web_server_port(const struct web_server *srv);

/* How many WebSockets are open now. */
size_t web_server_conns(const struct web_server *srv);

/*
 * Begins a clean shutdown: /readyz turns 503, every socket is closed
 * with 1001, and once they are gone (or after a grace of two seconds)
 * the lws context and the wing's timers are closed, so that uv_run()
 * returns once the caller's own handles are closed too.
 */
void web_server_stop(struct web_server *srv);

/* Frees what is left after uv_run() has returned; srv may be NULL. */
void web_server_free(struct web_server *srv);

/* Deferred page answers not yet finished (sockets gone or not). */
size_t web_server_pending(const struct web_server *srv);

/*
 * Called from cfg->page(): the answer will come from web_page_finish(),
 * on the loop's thread, typically from a uv_queue_work() after-callback.
 * NULL when WEB_PENDING_MAX (cfg->pending_max) answers already wait or
 * memory is short: return WEB_PAGE_DEFERRED anyway and the wing answers
 * 503, or fill resp and return 0. A socket waiting longer than
 * WEB_PAGE_TIMEOUT_S (cfg->page_timeout_s) is closed. lws reads nothing
 * from a socket in the middle of a request, so a client that gives up
 * is noticed only then, or when the answer is written.
 */
struct web_pending *web_page_defer(const struct web_page_request *req);

/*
 * Sends resp (its pointers taken over as from cfg->page(); NULL: a 500)
 * if the socket is still there, else just frees, and frees p. Every
 * pending must be finished, before or after web_server_free().
 */
void web_page_finish(struct web_pending *p, struct web_page_response *resp);

/*
 * Parsers for the pages (form.c). Each writes a NUL-terminated value
 * into out and returns 0, or -ENOENT (no such name), -EINVAL (malformed:
 * a bad %-escape, a NUL, the name twice) or -ENOSPC (value and NUL over
 * outlen); out is "" on error.
 *
 * application/x-www-form-urlencoded (a POST body, or a query as given in
 * struct web_page_request): '+' is a space, %XX a byte, names decoded too.
 */
int web_form_value(const char *body, size_t len, const char *name, char *out,
		   size_t outlen);
int web_query_value(const char *query, const char *name, char *out,
		    size_t outlen);
/*
 * A Cookie header (RFC 6265, 5.4): "a=1; b=2". Only the named cookie's
 * value is checked (cookie-octets, optionally in double quotes): other
 * cookies of the host are none of the wing's business.
 */
int web_cookie_value(const char *cookie, const char *name, char *out,
		     size_t outlen);

/*
 * Whether a Content-Type is media type type ("application/x-www-form-
 * urlencoded"), its case and parameters aside; NULL is no type at all.
 */
bool web_media_type_is(const char *content_type, const char *type);

/* & < > " ' as entities: malloc()ed (NULL: no memory), or into out. */
char *web_html_escape(const char *s);
int web_html_escape_buf(const char *s, char *out, size_t outlen);

/* Percent-encodes all but ALPHA DIGIT - . _ ~ into out: 0 or -ENOSPC. */
int web_url_encode(const char *s, size_t len, char *out, size_t outlen);

/* A connection, for the upper wings. */
enum web_role web_conn_role(const struct web_conn *conn);
void *web_conn_principal(const struct web_conn *conn);
const char *web_conn_name(const struct web_conn *conn); /* auth's name */
const char *web_conn_remote(const struct web_conn *conn);
void web_conn_set_data(struct web_conn *conn, void *data);
void *web_conn_data(const struct web_conn *conn);

/*
 * Queues one text message. 0, or -ENOBUFS when the queue would pass
 * WEB_QUEUE_MAX (the connection is then being closed: a reader that
 * slow is dropped rather than buffered without end), -ENOMEM, or
 * -EPIPE when the connection is already closing.
 */
int web_conn_send(struct web_conn *conn, const char *text, size_t len);

/* Bytes queued and not yet written. */
size_t web_conn_queued(const struct web_conn *conn);

/*
 * cfg->on_drained(conn), once, when the out-queue is next empty (from
 * the next WRITEABLE if it is empty now).
 */
void web_conn_want_drained(struct web_conn *conn);

/*
 * Closes with a code and a reason (at most 123 bytes, cut): what is
 * queued is dropped, the close frame goes out from WRITEABLE, and a
 * peer that does not read it is cut off after a few seconds.
 */
void web_conn_close(struct web_conn *conn, int code, const char *reason);

#endif /* FZ_PORTAL_WEB_H */
