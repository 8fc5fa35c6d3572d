// SPDX-License-Identifier: GPL-2.0
/*
 * /healthz and /readyz over libwebsockets on the daemon's loop; see
 * health.h. The loop is lws's "foreign" loop, as in the portal's web
 * wing: lws adds its handles to it and closes them when the context is
 * destroyed, which finishes on a later turn of the loop.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libwebsockets.h>

#include "health.h"
#include "lib/lwslog.h"

struct daemon_health {
	struct lws_context *ctx; /* NULL once lws finished destroying it */
	struct lws_protocols protocols[2];
	bool (*ready)(void *ctx);
	void *ready_ctx;
	int port;
};

/* One answer per request, kept until the socket may be written. */
struct answer {
	unsigned int status;
	const char *body;
};

static void choose(struct daemon_health *h, const char *uri, struct answer *a)
{
	bool ready;

	if (!strcmp(uri, "/healthz")) {
		*a = (struct answer){ HTTP_STATUS_OK, "ok\n" };
		return;
	}
	if (strcmp(uri, "/readyz")) {
		*a = (struct answer){ HTTP_STATUS_NOT_FOUND, "not found\n" };
		return;
	}
	ready = h->ready(h->ready_ctx);
	*a = ready ? (struct answer){ HTTP_STATUS_OK, "ready\n" } :
		     (struct answer){ HTTP_STATUS_SERVICE_UNAVAILABLE,
				      "not ready\n" };
}

static int send_headers(struct lws *wsi, const struct answer *a)
{
	uint8_t buf[LWS_PRE + 512], *start = buf + LWS_PRE, *p = start;
	uint8_t *end = buf + sizeof(buf) - 1;

	if (lws_add_http_common_headers(wsi, a->status, "text/plain",
					strlen(a->body), &p, end) ||
	    lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CACHE_CONTROL,
					 (const uint8_t *)"no-store", 8, &p,
					 end) ||
	    lws_finalize_write_http_header(wsi, start, &p, end))
		return -1;
	lws_callback_on_writable(wsi);
	return 0;
}

static int send_body(struct lws *wsi, const struct answer *a)
{
	uint8_t buf[LWS_PRE + 64];
	size_t n = strlen(a->body);

	memcpy(buf + LWS_PRE, a->body, n);
	if (lws_write(wsi, buf + LWS_PRE, n, LWS_WRITE_HTTP_FINAL) != (int)n)
		return -1;
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason,
		    void *user, void *in, size_t len)
{
	struct daemon_health *h = lws_context_user(lws_get_context(wsi));
	struct answer *a = user;

	(void)len;
	switch (reason) {
	case LWS_CALLBACK_HTTP:
		/* Only GET; the URI is what lws matched, without a query. */
		if (!lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI))
			*a = (struct answer){ HTTP_STATUS_METHOD_NOT_ALLOWED,
					      "method not allowed\n" };
		else
			choose(h, in ? in : "", a);
		return send_headers(wsi, a);
	case LWS_CALLBACK_HTTP_WRITEABLE:
		return a->body ? send_body(wsi, a) : -1;
	default:
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
}

/* lws's complaints on standard error, one line each. */
/*
 * Whether lws will be able to bind: asked first, because lws 4.1 on a
 * foreign loop, failing to bind, leaves handles behind whose callbacks
 * are in its unloaded event library: the next turn of the loop crashes.
 */
static int can_bind(const char *addr, int port, char *err, size_t errlen)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	int fd, ret = 0, one = 1;

	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
	} else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
	} else {
		snprintf(err, errlen, "'%s' is not an IP address", addr);
		return -EINVAL;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&ss, sizeof(ss))) {
		ret = -errno;
		snprintf(err, errlen, "cannot listen on %s port %d: %s", addr,
			 port, strerror(errno));
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

struct daemon_health *daemon_health_start(uv_loop_t *loop, const char *addr,
					  int port, bool (*ready)(void *ctx),
					  void *ctx, char *err, size_t errlen)
{
	struct lws_context_creation_info info;
	void *loops[1] = { loop };
	struct daemon_health *h;
	struct lws_vhost *vh;

	if (can_bind(addr, port, err, errlen))
		return NULL;
	h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	h->ready = ready;
	h->ready_ctx = ctx;
	h->protocols[0] = (struct lws_protocols){
		.name = "fz-health",
		.callback = callback,
		.per_session_data_size = sizeof(struct answer),
	};
	memset(&info, 0, sizeof(info));
	info.foreign_loops = loops;
	info.pcontext = &h->ctx;
	info.user = h;
	info.protocols = h->protocols;
	info.iface = addr;
	info.port = port; /* 0: any free port */
	info.timeout_secs = 5;
	info.max_http_header_pool = 8;
	info.options = LWS_SERVER_OPTION_LIBUV |
		       LWS_SERVER_OPTION_FAIL_UPON_UNABLE_TO_BIND;
	/*
	 * lws 4.1 binds an IPv4 address given to an IPv6 socket to every
	 * address ("*"): an IPv4 socket binds to the one given.
	 */
	if (!strchr(addr, ':'))
		info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
	fz_lws_log_init(); /* the signal wing's sink keeps its lines */
	h->ctx = lws_create_context(&info);
	vh = h->ctx ? lws_get_vhost_by_name(h->ctx, "default") : NULL;
	h->port = vh ? lws_get_vhost_listen_port(vh) : -1;
	if (h->port > 0)
		return h;
	snprintf(err, errlen, "cannot listen on %s port %d for /healthz", addr,
		 port);
	if (h->ctx) {
		lws_context_destroy(h->ctx);
		return NULL; /* h is lws's until the loop finishes the destroy */
	}
	free(h);
	return NULL;
}

int daemon_health_port(const struct daemon_health *h)
{
	return h->port;
}

void daemon_health_stop(struct daemon_health *h)
{
	if (h && h->ctx)
		lws_context_destroy(h->ctx);
}

void daemon_health_free(struct daemon_health *h)
{
	if (!h)
		return;
	lws_context_destroy(h->ctx); /* NULL once the loop finished it */
	free(h);
}
