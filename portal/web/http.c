// SPDX-License-Identifier: GPL-2.0
/*
 * The HTTP side: routing by URI, /healthz and /readyz, and /api/...
 * handed whole (headers and a bounded body) to cfg->rest(); the rest to
 * page.c. Headers are written from the HTTP callback (a page's from
 * HTTP_WRITEABLE, as its answer may come later), the body from
 * HTTP_WRITEABLE, in pieces, so a large answer never blocks the loop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "priv.h"

#define HTTP_CHUNK 4096 /* body bytes per WRITEABLE */
#define HTTP_HEADER_MAX 4096 /* Authorization and friends, copied */
#define HTTP_DISCARD_MAX WEB_BODY_DISCARD_MAX /* see priv.h */

static const char *const method_names[] = {
	[LWSHUMETH_GET] = "GET",	 [LWSHUMETH_POST] = "POST",
	[LWSHUMETH_OPTIONS] = "OPTIONS", [LWSHUMETH_PUT] = "PUT",
	[LWSHUMETH_PATCH] = "PATCH",	 [LWSHUMETH_DELETE] = "DELETE",
	[LWSHUMETH_CONNECT] = "CONNECT", [LWSHUMETH_HEAD] = "HEAD",
};

size_t web_http_pss_size(void)
{
	return sizeof(struct web_http);
}

static void pss_reset(struct web_http *p)
{
	web_page_detach(p);
	free(p->path);
	free(p->query);
	if (p->auth)
		sodium_memzero(p->auth, strlen(p->auth)); /* a bearer token */
	free(p->auth);
	free(p->ctype);
	if (p->cookie)
		sodium_memzero(p->cookie, strlen(p->cookie)); /* a flow id */
	free(p->cookie);
	free(p->host);
	free(p->xff);
	/*
	 * A response may carry a token shown only once, a request a secret
	 * (an identity provider's): neither outlives the exchange.
	 */
	/* The kept length: a body with a NUL would hide what follows it. */
	if (p->body)
		sodium_memzero(p->body, p->body_kept);
	free(p->body);
	if (p->out)
		sodium_memzero(p->out, LWS_PRE + p->out_len);
	free(p->out);
	if (p->hdr)
		sodium_memzero(p->hdr, LWS_PRE + p->hdr_len); /* Set-Cookie */
	free(p->hdr);
	memset(p, 0, sizeof(*p));
}

static const char *status_text(int status)
{
	switch (status) {
	case 200:
		return "ok";
	case 404:
		return "not_found";
	case 413:
		return "too_large";
	case 426:
		return "upgrade_required";
	case 503:
		return "unavailable";
	default:
		return "error";
	}
}

/* Headers now, the body from WRITEABLE. The body is copied. */
static int respond(struct lws *wsi, struct web_http *p, int status,
		   const char *ctype, const char *body, size_t len)
{
	unsigned char hdr[LWS_PRE + 512], *start = hdr + LWS_PRE, *q = start,
					  *end = hdr + sizeof(hdr) - 1;

	p->out = malloc(LWS_PRE + len + 1);
	if (!p->out)
		return -1;
	memcpy(p->out + LWS_PRE, body, len);
	p->out_len = len;
	p->out_pos = 0;
	p->answered = true;
	if (lws_add_http_common_headers(wsi, (unsigned int)status, ctype, len,
					&q, end) ||
	    lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CACHE_CONTROL,
					 (unsigned char *)"no-store", 8, &q,
					 end) ||
	    lws_finalize_write_http_header(wsi, start, &q, end))
		return -1;
	lws_callback_on_writable(wsi);
	return 0;
}

static int respond_error(struct lws *wsi, struct web_http *p, int status,
			 const char *message)
{
	char body[256];
	int n = snprintf(body, sizeof(body),
			 "{\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}",
			 status_text(status), message);

	return respond(wsi, p, status, "application/json", body, (size_t)n);
}

static const char *reason_phrase(int status)
{
	switch (status) {
	case 401:
		return "Unauthorized";
	case 404:
		return "Not Found";
	default:
		return "Service Unavailable";
	}
}

/*
 * Written by hand: at CONFIRM_UPGRADE lws has not yet read the request's
 * HTTP version, and its helpers would answer "HTTP/1.0", which WebSocket
 * clients reject as a malformed handshake rather than as a refusal. A
 * 401 names the scheme it wants (RFC 6750, 3).
 */
int web_http_respond_now(struct lws *wsi, int status, const char *body)
{
	unsigned char buf[LWS_PRE + 1024], *start = buf + LWS_PRE;
	int n = snprintf((char *)start, sizeof(buf) - LWS_PRE,
			 "HTTP/1.1 %d %s\r\n"
			 "content-type: application/json\r\n"
			 "content-length: %zu\r\n"
			 "%s"
			 "connection: close\r\n"
			 "\r\n%s",
			 status, reason_phrase(status), strlen(body),
			 status == 401 ? "www-authenticate: Bearer\r\n" : "",
			 body);

	if (n < 0 || (size_t)n >= sizeof(buf) - LWS_PRE)
		return -1;
	if (lws_write(wsi, start, (size_t)n, LWS_WRITE_HTTP) != n)
		return -1;
	return 1; /* lws: a response was sent, finish the transaction */
}

char *web_http_header(struct lws *wsi, enum lws_token_indexes h)
{
	int n = lws_hdr_total_length(wsi, h);
	char *s;

	if (n <= 0 || n > HTTP_HEADER_MAX)
		return NULL;
	s = malloc((size_t)n + 1);
	if (s && lws_hdr_copy(wsi, s, n + 1, h) < 0) {
		free(s);
		s = NULL;
	}
	return s;
}

/* lws splits "?a=1&b=2" into decoded fragments; join them with '&'. */
static char *query(struct lws *wsi)
{
	int total = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_URI_ARGS);
	size_t pos = 0, cap = (size_t)(total > 0 ? total : 0) + 64;
	char *s = calloc(1, cap);

	for (int i = 0; s && total > 0; i++) {
		int n = lws_hdr_copy_fragment(wsi, s + pos, (int)(cap - pos),
					      WSI_TOKEN_HTTP_URI_ARGS, i);

		if (n <= 0)
			break;
		pos += (size_t)n;
		if (pos + 1 >= cap)
			break;
		s[pos++] = '&';
	}
	if (s && pos)
		s[pos - 1] = '\0';
	return s;
}

static void rest_not_found(void *arg, const struct web_request *req,
			   struct web_response *resp)
{
	static const char body[] = "{\"error\":{\"code\":\"not_found\","
				   "\"message\":\"no such API endpoint\"}}";

	(void)arg;
	(void)req;
	resp->status = 404;
	resp->body = strdup(body);
	resp->body_len = resp->body ? sizeof(body) - 1 : 0;
}

static int run_rest(struct web_server *srv, struct lws *wsi, struct web_http *p)
{
	struct web_request req = {
		.method = p->method,
		.path = p->path,
		.query = p->query ? p->query : "",
		.authorization = p->auth,
		.content_type = p->ctype,
		.remote = p->remote,
		.body = p->body ? p->body : "",
		.body_len = p->body_len,
	};
	struct web_response resp = { 0 };
	int rc;

	if (p->answered)
		return 0; /* answered before the body was in */
	if (p->too_big)
		return respond_error(wsi, p, 413, "request body over 64 KiB");
	(srv->cfg.rest ? srv->cfg.rest : rest_not_found)(srv->cfg.arg, &req,
							 &resp);
	if (!resp.body)
		return respond_error(wsi, p, 500, "no response");
	rc = respond(wsi, p, resp.status, "application/json", resp.body,
		     resp.body_len);
	sodium_memzero(resp.body, resp.body_len);
	free(resp.body);
	return rc;
}

static bool wants_body(struct lws *wsi, int meth, long long *cl)
{
	char s[32];

	*cl = -1;
	if (lws_hdr_copy(wsi, s, sizeof(s), WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0)
		*cl = atoll(s);
	if (meth == LWSHUMETH_POST)
		return true; /* lws calls BODY_COMPLETION even for 0 bytes */
	/*
	 * Without a Content-Length a PUT or PATCH has no body (RFC 9112
	 * 6.3; chunked request bodies are not taken here): waiting for one
	 * would leave the request unanswered.
	 */
	return (meth == LWSHUMETH_PUT || meth == LWSHUMETH_PATCH) && *cl > 0;
}

static int api_request(struct web_server *srv, struct lws *wsi,
		       struct web_http *p, int meth, const char *uri)
{
	long long cl;

	p->kind = WEB_HTTP_API;
	p->method = method_names[meth];
	p->path = strdup(uri);
	p->query = query(wsi);
	p->auth = web_http_header(wsi, WSI_TOKEN_HTTP_AUTHORIZATION);
	p->ctype = web_http_header(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE);
	web_remote_addr(wsi, p->remote, sizeof(p->remote));
	if (!p->path || !p->query)
		return respond_error(wsi, p, 500, "out of memory");
	if (!wants_body(wsi, meth, &cl))
		return run_rest(srv, wsi, p);
	if (cl > HTTP_DISCARD_MAX) {
		p->close_after = true;
		return respond_error(wsi, p, 413, "request body over 64 KiB");
	}
	return 0; /* BODY, then BODY_COMPLETION */
}

static int route_uri(struct web_server *srv, struct lws *wsi,
		     struct web_http *p, int meth, const char *uri)
{
	bool ready;

	if (!strcmp(uri, "/healthz"))
		return respond(wsi, p, 200, "text/plain", "ok\n", 3);
	if (!strcmp(uri, "/readyz")) {
		ready = !srv->stopping &&
			(!srv->cfg.ready || srv->cfg.ready(srv->cfg.arg));
		return ready ? respond(wsi, p, 200, "text/plain", "ready\n",
				       6) :
			       respond(wsi, p, 503, "text/plain", "not ready\n",
				       10);
	}
	if (!strncmp(uri, "/api/", 5))
		return api_request(srv, wsi, p, meth, uri);
	if (!strcmp(uri, "/gateway/websocket") ||
	    !strcmp(uri, "/client/websocket"))
		return respond_error(wsi, p, 426, "this is a WebSocket");
	if (web_page_routed(srv, uri))
		return web_page_start(srv, p, meth, uri);
	return respond_error(wsi, p, 404, "no such path");
}

static int route(struct web_server *srv, struct lws *wsi, struct web_http *p,
		 const char *uri)
{
	char *u = NULL, s[32];
	int len = 0, meth = lws_http_get_uri_and_method(wsi, &u, &len), rc;

	pss_reset(p);
	if (meth < 0 || meth > LWSHUMETH_HEAD)
		return -1;
	p->srv = srv;
	p->wsi = wsi;
	rc = route_uri(srv, wsi, p, meth, uri);
	/*
	 * Answered before a body announced was read: what is left of it
	 * must not be taken for the next request.
	 */
	if (p->answered &&
	    lws_hdr_copy(wsi, s, sizeof(s), WSI_TOKEN_HTTP_CONTENT_LENGTH) >
		    0 &&
	    atoll(s) > 0)
		p->close_after = true;
	return rc;
}

static int body(struct web_http *p, const void *in, size_t len)
{
	size_t max = p->kind == WEB_HTTP_PAGE ? WEB_PAGE_BODY_MAX :
						WEB_BODY_MAX;
	char *b;

	if (p->answered || p->too_big || p->body_len + len > max) {
		p->too_big = true;
		p->body_len += len; /* counted, not kept */
		return p->body_len > HTTP_DISCARD_MAX ? -1 : 0;
	}
	/* Not realloc(): the old copy may hold a secret, wiped here. */
	b = malloc(p->body_kept + len + 1);
	if (!b)
		return -1;
	if (p->body) {
		memcpy(b, p->body, p->body_kept);
		sodium_memzero(p->body, p->body_kept);
		free(p->body);
	}
	memcpy(b + p->body_kept, in, len);
	p->body = b;
	p->body_kept += len;
	p->body_len = p->body_kept;
	b[p->body_kept] = '\0';
	return 0;
}

/* The request is answered: ready for the next one, or closed. */
static int completed(struct lws *wsi, struct web_http *p)
{
	if (p->close_after)
		return -1;
	pss_reset(p);
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

void web_http_send(struct web_http *h, unsigned char *out, size_t len)
{
	h->out = out;
	h->out_len = len;
	h->out_pos = 0;
	h->answered = true;
	lws_callback_on_writable(h->wsi);
}

/* A page's headers, built when its answer came. */
static int write_headers(struct lws *wsi, struct web_http *p)
{
	int n = lws_write(wsi, p->hdr + LWS_PRE, p->hdr_len,
			  LWS_WRITE_HTTP_HEADERS);

	sodium_memzero(p->hdr, LWS_PRE + p->hdr_len);
	free(p->hdr);
	p->hdr = NULL;
	if (n != (int)p->hdr_len)
		return -1;
	if (p->head || !p->out_len)
		return completed(wsi, p);
	lws_callback_on_writable(wsi);
	return 0;
}

static int writeable(struct lws *wsi, struct web_http *p)
{
	size_t n = p->out_len - p->out_pos;
	enum lws_write_protocol wp = LWS_WRITE_HTTP_FINAL;

	if (p->hdr)
		return write_headers(wsi, p);
	if (!p->out)
		return 0;
	if (n > HTTP_CHUNK) {
		n = HTTP_CHUNK;
		wp = LWS_WRITE_HTTP;
	}
	/*
	 * lws_write() may scribble on the LWS_PRE bytes before what it
	 * sends: after the first chunk those are bytes already sent.
	 */
	if (lws_write(wsi, p->out + LWS_PRE + p->out_pos, n, wp) != (int)n)
		return -1;
	p->out_pos += n;
	if (wp == LWS_WRITE_HTTP) {
		lws_callback_on_writable(wsi);
		return 0;
	}
	return completed(wsi, p);
}

static int body_complete(struct web_server *srv, struct lws *wsi,
			 struct web_http *p)
{
	if (p->kind == WEB_HTTP_PAGE)
		return web_page_run(p);
	if (p->kind == WEB_HTTP_API)
		return run_rest(srv, wsi, p);
	return 0;
}

int web_http_callback(struct web_server *srv, struct lws *wsi,
		      enum lws_callback_reasons reason, void *user, void *in,
		      size_t len)
{
	struct web_http *p = user;

	switch (reason) {
	case LWS_CALLBACK_HTTP:
		return route(srv, wsi, p, in) ? -1 : 0;
	case LWS_CALLBACK_HTTP_BODY:
		return body(p, in, len);
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		return body_complete(srv, wsi, p) ? -1 : 0;
	case LWS_CALLBACK_HTTP_WRITEABLE:
		return writeable(wsi, p);
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
	case LWS_CALLBACK_CLOSED_HTTP:
		if (p)
			pss_reset(p);
		return 0;
	default:
		return 0;
	}
}
