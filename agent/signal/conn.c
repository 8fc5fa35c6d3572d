// SPDX-License-Identifier: GPL-2.0
/*
 * The libwebsockets side of the connection: one client context per
 * connection on the agent's loop (a foreign loop to lws, as the portal
 * runs its server), the dial, and the callback that turns lws's events
 * into the wing's: open, frames in, room to write, the end.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "signal_int.h"
#include "lib/lwslog.h"

/* lws's own complaints (lib/lwslog.h, cleaned there): our log's. */
static void lws_sink(void *ctx, const char *line)
{
	signal_log(ctx, "lws: %s", line);
}

static bool refused_401(struct lws *wsi, const char *in)
{
	/* lws 4.1 says so in its error text; later ones keep the status. */
	return (in && strstr(in, "unauthorized")) ||
	       (wsi && lws_http_client_http_response(wsi) == 401);
}

static void connection_error(struct signal *s, struct lws *wsi, const char *in)
{
	if (!s->why[0])
		snprintf(s->why, sizeof(s->why), "%s",
			 in ? in : "connection error");
	if (refused_401(wsi, in))
		signal_finish(s, SIGNAL_REFUSED,
			      "401: the portal refused the token");
	signal_conn_over(s);
}

static int writeable(struct signal *s, struct lws *wsi)
{
	int more;

	if (s->kill)
		return 0; /* the close is under way */
	more = signal_tx_write(s);
	if (more < 0) {
		if (!s->why[0])
			snprintf(s->why, sizeof(s->why), "a write failed");
		return -1;
	}
	if (more)
		lws_callback_on_writable(wsi);
	return 0;
}

static void peer_close(struct signal *s, const unsigned char *in, size_t len)
{
	unsigned int code = len >= 2 ? (unsigned int)(in[0] << 8 | in[1]) : 0;
	int n = len > 2 ? (int)(len - 2 < 96 ? len - 2 : 96) : 0;

	if (!s->why[0])
		snprintf(s->why, sizeof(s->why),
			 "closed by the portal (%u%s%.*s)", code, n ? ": " : "",
			 n, (const char *)in + 2);
}

/* The bearer token, from locked memory straight into lws's header. */
static int append_auth(struct signal *s, struct lws *wsi, void *in, size_t len)
{
	unsigned char **p = in, *end = *p + len;

	if (lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_AUTHORIZATION,
					 (unsigned char *)s->auth,
					 (int)s->auth_len, p, end))
		return -1;
	return 0;
}

/* Events of a socket that is no longer the connection are ignored. */
static int event(struct signal *s, struct lws *wsi,
		 enum lws_callback_reasons reason, void *in, size_t len)
{
	switch (reason) {
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
		return append_auth(s, wsi, in, len);
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (s->live)
			connection_error(s, wsi, in);
		return 0;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		if (wsi != s->wsi)
			return -1;
		signal_conn_open(s);
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		return wsi == s->wsi ? signal_rx(s, wsi, in, len) : -1;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		return wsi == s->wsi ? writeable(s, wsi) : -1;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (wsi == s->wsi)
			peer_close(s, in, len);
		return 0;
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (wsi == s->wsi)
			signal_conn_over(s);
		return 0;
	default:
		return 0;
	}
}

/*
 * A signal_drop() while lws is calling us asks for -1: lws then sends
 * the close frame signal_drop() prepared.
 */
static int callback(struct lws *wsi, enum lws_callback_reasons reason,
		    void *user, void *in, size_t len)
{
	struct lws_context *cx = lws_get_context(wsi);
	struct signal *s = cx ? lws_context_user(cx) : NULL;
	bool killing;
	int ret;

	(void)user;
	if (!s || s->closed)
		return 0;
	killing = s->kill;
	s->in_callback = true;
	ret = event(s, wsi, reason, in, len);
	s->in_callback = false;
	if (!killing && s->kill && s->wsi == wsi &&
	    (reason == LWS_CALLBACK_CLIENT_RECEIVE ||
	     reason == LWS_CALLBACK_CLIENT_ESTABLISHED))
		return -1;
	return ret;
}

int signal_conn_context(struct signal *s, char *err, size_t errlen)
{
	struct lws_context_creation_info info;
	void *loops[1] = { s->loop };

	memset(&info, 0, sizeof(info));
	s->protocols[0] = (struct lws_protocols){
		.name = "fzsignal",
		.callback = callback,
		.rx_buffer_size = 4096,
	};
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = s->protocols;
	info.foreign_loops = loops;
	info.pcontext = &s->lws;
	info.user = s;
	info.client_ssl_ca_filepath = s->cfg.ca_file;
	/* One connection: no table sized from a large RLIMIT_NOFILE. */
	info.fd_limit_per_thread = 16;
	info.timeout_secs = 15;
	info.connect_timeout_secs = 10;
	info.options = LWS_SERVER_OPTION_LIBUV |
		       LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT |
		       LWS_SERVER_OPTION_VALIDATE_UTF8;
	fz_lws_log_init();
	fz_lws_log_take(lws_sink, s);
	s->lws = lws_create_context(&info);
	if (!s->lws) {
		snprintf(err, errlen,
			 "cannot set up the WebSocket client (libwebsockets "
			 "with libuv; see the lws lines above)");
		fz_lws_log_put(s);
		return -ENOMEM;
	}
	return 0;
}

int signal_conn_dial(struct signal *s)
{
	struct lws_client_connect_info ci;

	memset(&ci, 0, sizeof(ci));
	ci.context = s->lws;
	ci.address = s->dial.host;
	ci.port = s->dial.port;
	ci.path = s->dial.path;
	ci.host = s->dial.host;
	ci.origin = s->dial.host;
	ci.ssl_connection = s->dial.tls ? LCCSCF_USE_SSL : 0;
	ci.ietf_version_or_minus_one = -1;
	ci.local_protocol_name = s->protocols[0].name;
	ci.pwsi = &s->wsi;
	/* lws may call back with an error before it returns. */
	if (!lws_client_connect_via_info(&ci))
		return s->live ? -EIO : 0;
	return 0;
}

void signal_conn_gone(struct signal *s)
{
	fz_lws_log_put(s);
}
