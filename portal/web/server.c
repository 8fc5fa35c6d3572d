// SPDX-License-Identifier: GPL-2.0
/*
 * The listener: one lws context on the process's libuv loop (a "foreign"
 * loop to lws, so the portal's own timers share it), one TLS vhost, one
 * protocol whose callback hands HTTP to http.c and WebSockets to ws.c,
 * and the clean shutdown.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "priv.h"
#include "core/log.h"

#define SHUTDOWN_GRACE_MS 2000

uint64_t web_now_ms(const struct web_server *srv)
{
	return uv_now(srv->cfg.loop);
}

void web_remote_addr(struct lws *wsi, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	char ip[INET6_ADDRSTRLEN];

	snprintf(buf, len, "?");
	if (getpeername(lws_get_socket_fd(wsi), (struct sockaddr *)&ss, &sl))
		return;
	if (ss.ss_family == AF_INET &&
	    inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip)))
		snprintf(buf, len, "%s:%u", ip, ntohs(s4->sin_port));
	else if (ss.ss_family == AF_INET6 &&
		 IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr) &&
		 inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], ip, sizeof(ip)))
		snprintf(buf, len, "%s:%u", ip, ntohs(s6->sin6_port));
	else if (ss.ss_family == AF_INET6 &&
		 inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip)))
		snprintf(buf, len, "[%s]:%u", ip, ntohs(s6->sin6_port));
}

/*
 * The one protocol callback. CONFIRM_UPGRADE comes on the HTTP socket
 * before it becomes a WebSocket, so ws.c sees it; WSI_DESTROY reaches
 * protocols[0] for every socket, and ws.c frees a handle if it has one.
 */
static int callback(struct lws *wsi, enum lws_callback_reasons reason,
		    void *user, void *in, size_t len)
{
	struct web_server *srv = lws_context_user(lws_get_context(wsi));

	switch (reason) {
	case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
	case LWS_CALLBACK_ESTABLISHED:
	case LWS_CALLBACK_RECEIVE:
	case LWS_CALLBACK_RECEIVE_PONG:
	case LWS_CALLBACK_SERVER_WRITEABLE:
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
	case LWS_CALLBACK_CLOSED:
		return web_ws_callback(srv, wsi, reason, in, len);
	case LWS_CALLBACK_WSI_DESTROY:
		web_page_wsi_gone(srv, wsi); /* its pending answer, if any */
		return web_ws_callback(srv, wsi, reason, in, len);
	default:
		return web_http_callback(srv, wsi, reason, user, in, len);
	}
}

/* lws's own complaints go to the event log, not to its own format. */
static void lws_log(int level, const char *line)
{
	char msg[256];
	size_t n = strlen(line);

	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	if (n >= sizeof(msg))
		n = sizeof(msg) - 1;
	memcpy(msg, line, n);
	msg[n] = '\0';
	core_log("lws", "level", level == LLL_ERR ? "error" : "warning", "msg",
		 msg, NULL);
}

/* Before lws sees them: lws's own error for a missing file is vague. */
static int check_readable(const char *what, const char *path, char *err,
			  size_t errlen)
{
	int fd;

	if (!path || !*path) {
		snprintf(err, errlen, "no TLS %s file given", what);
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "TLS %s %s: %s", what, path,
			 strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

static void sweep_cb(uv_timer_t *t)
{
	web_ws_sweep(t->data);
}

static void finish(struct web_server *srv)
{
	if (srv->finished)
		return;
	srv->finished = true;
	uv_timer_stop(&srv->sweep);
	uv_close((uv_handle_t *)&srv->sweep, NULL);
	uv_close((uv_handle_t *)&srv->grace, NULL);
	/*
	 * Asynchronous on a foreign loop: lws closes its handles, then
	 * writes NULL to srv->ctx (info.pcontext).
	 */
	lws_context_destroy(srv->ctx);
}

static void grace_cb(uv_timer_t *t)
{
	finish(t->data);
}

/* A socket is gone; the last one while stopping ends the grace early. */
void web_server_conn_gone(struct web_server *srv)
{
	/* Not from inside lws's callback: the context cannot die there. */
	if (srv->stopping && !srv->n_conns && !srv->finished)
		uv_timer_start(&srv->grace, grace_cb, 0, 0);
}

static void fill_info(struct web_server *srv,
		      struct lws_context_creation_info *info, void **loops)
{
	memset(info, 0, sizeof(*info));
	srv->protocols[0] = (struct lws_protocols){
		.name = "fzportal",
		.callback = callback,
		.per_session_data_size = web_http_pss_size(),
		.rx_buffer_size = 4096,
	};
	loops[0] = srv->cfg.loop;
	info->foreign_loops = loops;
	info->pcontext = &srv->ctx;
	info->user = srv;
	info->protocols = srv->protocols;
	info->iface = srv->cfg.address;
	info->port = srv->cfg.port;
	info->ssl_cert_filepath = srv->cfg.cert_file;
	info->ssl_private_key_filepath = srv->cfg.key_file;
	/* One code path: HTTP/1.1, where the 401 of an upgrade is sent. */
	info->alpn = "http/1.1";
	/*
	 * Room for a whole TLS record (16 KiB) per read: with less, the rest
	 * of a record waits inside OpenSSL where no poll sees it, and lws
	 * 4.1.6 on libuv can leave an HTTP body stalled there.
	 */
	info->pt_serv_buf_size = 32 * 1024;
	info->max_http_header_data = 4096;
	info->max_http_header_pool = 64;
	info->timeout_secs = 10;
	info->options = LWS_SERVER_OPTION_LIBUV |
			LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT |
			LWS_SERVER_OPTION_VALIDATE_UTF8 |
			LWS_SERVER_OPTION_FAIL_UPON_UNABLE_TO_BIND;
	/*
	 * lws 4.1 binds an IPv4 address given to an IPv6 socket to every
	 * address ("*"): a portal told 127.0.0.1 would listen on all of
	 * them. An IPv4 socket binds to the one address given.
	 */
	if (srv->cfg.address && !strchr(srv->cfg.address, ':'))
		info->options |= LWS_SERVER_OPTION_DISABLE_IPV6;
}

static int start_timers(struct web_server *srv)
{
	/* Half an interval: a peer is closed 3 to 3.5 intervals silent. */
	uint64_t period =
		srv->cfg.heartbeat_ms / 2 ? srv->cfg.heartbeat_ms / 2 : 1;

	uv_timer_init(srv->cfg.loop, &srv->sweep);
	uv_timer_init(srv->cfg.loop, &srv->grace);
	srv->sweep.data = srv;
	srv->grace.data = srv;
	return uv_timer_start(&srv->sweep, sweep_cb, period, period);
}

void web_config_defaults(struct web_config *cfg)
{
	static const unsigned int per_s[] = {
		[WEB_ROLE_GATEWAY] = WEB_GW_RATE_PER_S,
		[WEB_ROLE_CLIENT] = WEB_RATE_PER_S,
	};
	static const unsigned int burst[] = {
		[WEB_ROLE_GATEWAY] = WEB_GW_RATE_BURST,
		[WEB_ROLE_CLIENT] = WEB_RATE_BURST,
	};

	if (!cfg->heartbeat_ms)
		cfg->heartbeat_ms = WEB_HEARTBEAT_MS_DEFAULT;
	for (int r = WEB_ROLE_GATEWAY; r <= WEB_ROLE_CLIENT; r++) {
		if (!cfg->rate_per_s[r])
			cfg->rate_per_s[r] = per_s[r];
		if (!cfg->rate_burst[r])
			cfg->rate_burst[r] = burst[r];
	}
}

struct web_server *web_server_start(const struct web_config *cfg, char *err,
				    size_t errlen)
{
	struct lws_context_creation_info info;
	struct web_server *srv;
	void *loops[1];

	if (check_readable("certificate", cfg->cert_file, err, errlen) ||
	    check_readable("key", cfg->key_file, err, errlen))
		return NULL;
	srv = calloc(1, sizeof(*srv));
	if (!srv) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	srv->cfg = *cfg;
	web_config_defaults(&srv->cfg);
	lws_set_log_level(LLL_ERR | LLL_WARN, lws_log);
	fill_info(srv, &info, loops);
	srv->ctx = lws_create_context(&info);
	if (!srv->ctx)
		goto fail;
	srv->vhost = lws_get_vhost_by_name(srv->ctx, "default");
	srv->port = srv->vhost ? lws_get_vhost_listen_port(srv->vhost) : -1;
	if (srv->port <= 0) {
		lws_context_destroy(srv->ctx);
		goto fail;
	}
	start_timers(srv);
	return srv;
fail:
	snprintf(err, errlen,
		 "cannot listen on %s port %d with %s and %s (address in "
		 "use, or not a certificate and its key? see the lws lines "
		 "above)",
		 cfg->address ? cfg->address : "*", cfg->port, cfg->cert_file,
		 cfg->key_file);
	/*
	 * A context being destroyed still writes srv->ctx when the loop has
	 * closed its handles, so srv is left to the exiting process then.
	 */
	if (!srv->ctx)
		free(srv);
	return NULL;
}

int web_server_port(const struct web_server *srv)
{
	return srv->port;
}

size_t web_server_conns(const struct web_server *srv)
{
	return srv->n_conns;
}

void web_server_stop(struct web_server *srv)
{
	if (srv->stopping)
		return;
	srv->stopping = true;
	for (struct web_conn *c = srv->conns; c; c = c->next)
		web_conn_close(c, WEB_CLOSE_GOING_AWAY, "server shutting down");
	uv_timer_start(&srv->grace, grace_cb,
		       srv->n_conns ? SHUTDOWN_GRACE_MS : 0, 0);
}

void web_server_free(struct web_server *srv)
{
	if (!srv)
		return;
	lws_context_destroy(srv->ctx); /* NULL once the loop finished it */
	web_page_server_gone(srv); /* answers finished later only free */
	free(srv);
}
