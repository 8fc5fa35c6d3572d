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
 *   anything else       404
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

/*
 * Closes with a code and a reason (at most 123 bytes, cut): what is
 * queued is dropped, the close frame goes out from WRITEABLE, and a
 * peer that does not read it is cut off after a few seconds.
 */
void web_conn_close(struct web_conn *conn, int code, const char *reason);

#endif /* FZ_PORTAL_WEB_H */
