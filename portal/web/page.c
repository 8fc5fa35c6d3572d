// SPDX-License-Identifier: GPL-2.0
/*
 * The pages: requests outside /api and the WebSockets, handed to
 * cfg->page() (or served from cfg->statics), and their answers, each
 * with the security headers whatever the upper wing put in it. An answer
 * may come later (web_page_defer(), web_page_finish()): a sign-in asks
 * an identity provider from a worker thread first. The socket may be
 * gone by then, so a pending answer holds no pointer lws might free: the
 * socket's end (CLOSED_HTTP, WSI_DESTROY) detaches it, and finishing a
 * detached one only frees it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "priv.h"
#include "core/log.h"

#define PAGE_HEADER_MAX (8 * 1024) /* a Location, a cookie, a CSP */
#define PAGE_HEADERS_FIXED 1024 /* status line and the fixed headers */
#define PAGE_CTYPE "text/html; charset=utf-8"
#define TEXT_CTYPE "text/plain; charset=utf-8"

static const struct web_static *find_static(const struct web_server *srv,
					    const char *uri)
{
	for (size_t i = 0; i < srv->cfg.n_statics; i++)
		if (!strcmp(srv->cfg.statics[i].path, uri))
			return &srv->cfg.statics[i];
	return NULL;
}

bool web_page_routed(const struct web_server *srv, const char *uri)
{
	return srv->cfg.page || find_static(srv, uri);
}

static void free_response(struct web_page_response *r)
{
	if (r->body)
		sodium_memzero(r->body, r->body_len);
	free(r->body);
	if (r->location) /* a sign-in's way back holds half a token */
		sodium_memzero(r->location, strlen(r->location));
	free(r->location);
	if (r->set_cookie)
		sodium_memzero(r->set_cookie, strlen(r->set_cookie));
	free(r->set_cookie);
	if (r->set_cookie2)
		sodium_memzero(r->set_cookie2, strlen(r->set_cookie2));
	free(r->set_cookie2);
	memset(r, 0, sizeof(*r));
}

/* A header value fit to send: no control characters (CR LF injection). */
static bool header_ok(const char *v)
{
	size_t n = 0;

	for (; v && *v; v++, n++)
		if ((unsigned char)*v < 0x20 || *v == 0x7f)
			return false;
	return n <= PAGE_HEADER_MAX;
}

static const char *check(const struct web_page_response *r)
{
	if (r->status < 100 || r->status > 599)
		return "status out of range";
	if (!r->body && r->body_len)
		return "body_len without a body";
	if (!header_ok(r->content_type) || !header_ok(r->csp) ||
	    !header_ok(r->location) || !header_ok(r->set_cookie) ||
	    !header_ok(r->set_cookie2))
		return "a header value with a control character, or too long";
	return NULL;
}

static int add(struct lws *wsi, const char *name, const char *value,
	       unsigned char **q, unsigned char *end)
{
	if (!value)
		return 0;
	return lws_add_http_header_by_name(wsi, (const unsigned char *)name,
					   (const unsigned char *)value,
					   (int)strlen(value), q, end);
}

static size_t slen(const char *s)
{
	return s ? strlen(s) : 0;
}

/* Into h->hdr, for WRITEABLE; 0 or -1 (no memory, no room). */
static int build_headers(struct web_http *h, const struct web_page_response *r)
{
	const char *ctype = r->content_type ? r->content_type : PAGE_CTYPE;
	const char *csp = r->csp ? r->csp : WEB_PAGE_CSP;
	size_t size = LWS_PRE + PAGE_HEADERS_FIXED + slen(ctype) + slen(csp) +
		      slen(r->location) + slen(r->set_cookie) +
		      slen(r->set_cookie2);
	unsigned char *buf = malloc(size), *start, *q, *end;

	if (!buf)
		return -1;
	start = q = buf + LWS_PRE;
	end = buf + size - 1;
	if (lws_add_http_common_headers(h->wsi, (unsigned int)r->status, ctype,
					r->body_len, &q, end) ||
	    add(h->wsi, "content-security-policy:", csp, &q, end) ||
	    add(h->wsi, "x-frame-options:", "DENY", &q, end) ||
	    add(h->wsi, "x-content-type-options:", "nosniff", &q, end) ||
	    add(h->wsi, "referrer-policy:", "no-referrer", &q, end) ||
	    add(h->wsi, "cache-control:", "no-store", &q, end) ||
	    add(h->wsi, "strict-transport-security:", "max-age=31536000", &q,
		end) ||
	    add(h->wsi, "location:", r->location, &q, end) ||
	    add(h->wsi, "set-cookie:", r->set_cookie, &q, end) ||
	    add(h->wsi, "set-cookie:", r->set_cookie2, &q, end) ||
	    add(h->wsi, "allow:", r->status == 405 ? "GET, HEAD, POST" : NULL,
		&q, end) ||
	    lws_finalize_http_header(h->wsi, &q, end)) {
		sodium_memzero(buf, size);
		free(buf);
		return -1;
	}
	h->hdr = buf;
	h->hdr_len = (size_t)(q - start);
	return 0;
}

/* Headers and a copy of the body on their way; r is left as it was. */
static int send_page(struct web_http *h, const struct web_page_response *r)
{
	unsigned char *out = malloc(LWS_PRE + r->body_len + 1);

	if (!out)
		return -1;
	if (r->body_len)
		memcpy(out + LWS_PRE, r->body, r->body_len);
	if (build_headers(h, r)) {
		sodium_memzero(out, LWS_PRE + r->body_len);
		free(out);
		return -1;
	}
	web_http_send(h, out, r->body_len);
	return 0;
}

/* The wing's own short answers: errors, refusals. */
static int simple(struct web_http *h, int status, const char *text)
{
	struct web_page_response r = {
		.status = status,
		.content_type = TEXT_CTYPE,
		.body = (char *)text, /* only read */
		.body_len = strlen(text),
	};

	return send_page(h, &r);
}

/* An upper wing's answer, checked; r is freed either way. */
static int answer(struct web_http *h, struct web_page_response *r)
{
	const char *why = check(r);
	int rc;

	if (why) {
		core_log("page_error", "path", h->path, "reason", why, NULL);
		rc = simple(h, 500, "internal error\n");
	} else {
		rc = send_page(h, r);
	}
	free_response(r);
	return rc;
}

static int serve_static(struct web_http *h, const struct web_static *st)
{
	struct web_page_response r = {
		.status = 200,
		.content_type = st->content_type,
		.body = (char *)st->body, /* only read */
		.body_len = st->len,
	};

	return send_page(h, &r);
}

int web_page_run(struct web_http *h)
{
	struct web_server *srv = h->srv;
	struct web_page_request req = {
		.method = h->method,
		.path = h->path,
		.query = h->query,
		.cookie = h->cookie,
		.content_type = h->ctype,
		.remote = h->remote,
		.host = h->host,
		.forwarded_for = h->xff,
		.body = h->body ? h->body : "",
		.body_len = h->body ? h->body_kept : 0,
		.http = h,
	};
	struct web_page_response resp = { 0 };
	int rc;

	if (h->answered)
		return 0;
	if (h->too_big)
		return simple(h, 413, "request body over 16 KiB\n");
	rc = srv->cfg.page(srv->cfg.arg, &req, &resp);
	if (h->answered) { /* deferred and finished at once */
		free_response(&resp);
		return 0;
	}
	if (rc != WEB_PAGE_DEFERRED) {
		web_page_detach(h); /* deferred, yet answered here: once */
		return answer(h, &resp);
	}
	free_response(&resp);
	if (!h->pending)
		return simple(h, 503, "busy, try again later\n");
	/* Not forever: a wing that never answers loses the socket. */
	lws_set_timeout(h->wsi, PENDING_TIMEOUT_USER_OK,
			srv->cfg.page_timeout_s ? (int)srv->cfg.page_timeout_s :
						  WEB_PAGE_TIMEOUT_S);
	return 0;
}

static const char *page_method(int meth)
{
	switch (meth) {
	case LWSHUMETH_GET:
		return "GET";
	case LWSHUMETH_HEAD:
		return "HEAD";
	case LWSHUMETH_POST:
		return "POST";
	default:
		return NULL;
	}
}

static long long content_length(struct lws *wsi)
{
	char s[32];

	if (lws_hdr_copy(wsi, s, sizeof(s), WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0)
		return atoll(s);
	return -1;
}

int web_page_start(struct web_server *srv, struct web_http *h, int meth,
		   const char *uri)
{
	const struct web_static *st = find_static(srv, uri);

	h->kind = WEB_HTTP_PAGE;
	h->method = page_method(meth);
	h->head = meth == LWSHUMETH_HEAD;
	if (!h->method || (st && meth == LWSHUMETH_POST))
		return simple(h, 405, "method not allowed\n");
	if (st)
		return serve_static(h, st);
	h->path = strdup(uri);
	h->query = web_page_query(h->wsi);
	h->cookie = web_http_header(h->wsi, WSI_TOKEN_HTTP_COOKIE);
	h->ctype = web_http_header(h->wsi, WSI_TOKEN_HTTP_CONTENT_TYPE);
	h->host = web_http_header(h->wsi, WSI_TOKEN_HOST);
	h->xff = web_http_header(h->wsi, WSI_TOKEN_X_FORWARDED_FOR);
	web_remote_addr(h->wsi, h->remote, sizeof(h->remote));
	if (!h->path || !h->query)
		return simple(h, 500, "out of memory\n");
	if (meth != LWSHUMETH_POST)
		return web_page_run(h);
	if (content_length(h->wsi) > WEB_BODY_DISCARD_MAX) {
		h->close_after = true;
		return simple(h, 413, "request body over 16 KiB\n");
	}
	return 0; /* BODY, then BODY_COMPLETION: web_page_run() */
}

/* lws splits the query at '&' (and ';') and decodes each piece. */
char *web_page_query(struct lws *wsi)
{
	int total = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_URI_ARGS);
	size_t cap = (size_t)(total > 0 ? total : 0) * 3 + 1, pos = 0, n;
	char *frag = malloc(cap), *out = calloc(1, cap * 2), *eq;

	for (int i = 0; frag && out && total > 0; i++) {
		int len = lws_hdr_copy_fragment(wsi, frag, (int)cap,
						WSI_TOKEN_HTTP_URI_ARGS, i);

		if (len < 0)
			break; /* no fragment i */
		if (!len)
			continue; /* "?&a=1" */
		/* lws made a '=' encoded in the name '_': this one is real. */
		eq = memchr(frag, '=', (size_t)len);
		n = eq ? (size_t)(eq - frag) : (size_t)len;
		if (pos)
			out[pos++] = '&';
		if (web_url_encode(frag, n, out + pos, cap * 2 - pos))
			goto fail;
		pos += strlen(out + pos);
		if (!eq)
			continue;
		out[pos++] = '=';
		if (web_url_encode(eq + 1, (size_t)len - n - 1, out + pos,
				   cap * 2 - pos))
			goto fail;
		pos += strlen(out + pos);
	}
	free(frag);
	return out;
fail:
	free(frag);
	free(out);
	return NULL;
}

static void unlink_pending(struct web_pending *p)
{
	struct web_server *srv = p->srv;

	if (!srv)
		return;
	if (p->prev)
		p->prev->next = p->next;
	else
		srv->pending = p->next;
	if (p->next)
		p->next->prev = p->prev;
	srv->n_pending--;
}

struct web_pending *web_page_defer(const struct web_page_request *req)
{
	struct web_http *h = req->http;
	struct web_server *srv = h->srv;
	size_t max = srv->cfg.pending_max ? srv->cfg.pending_max :
					    WEB_PENDING_MAX;
	struct web_pending *p;

	if (h->pending || h->answered)
		return NULL;
	if (srv->n_pending >= max) {
		core_log("page_busy", "remote", h->remote, "path", h->path,
			 NULL);
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->srv = srv;
	p->wsi = h->wsi;
	p->next = srv->pending;
	if (srv->pending)
		srv->pending->prev = p;
	srv->pending = p;
	srv->n_pending++;
	h->pending = p;
	return p;
}

void web_page_finish(struct web_pending *p, struct web_page_response *resp)
{
	struct web_http *h;
	int rc;

	if (!p) {
		if (resp)
			free_response(resp);
		return;
	}
	h = p->wsi ? lws_wsi_user(p->wsi) : NULL;
	if (h) {
		h->pending = NULL;
		lws_set_timeout(p->wsi, NO_PENDING_TIMEOUT, 0);
		rc = resp ? answer(h, resp) : simple(h, 500, "no answer\n");
		if (rc) /* no memory for it: the socket goes */
			lws_set_timeout(p->wsi, PENDING_TIMEOUT_USER_OK,
					LWS_TO_KILL_ASYNC);
	} else if (resp) {
		free_response(resp);
	}
	unlink_pending(p);
	free(p);
}

void web_page_detach(struct web_http *h)
{
	if (!h->pending)
		return;
	h->pending->wsi = NULL;
	h->pending = NULL;
}

void web_page_wsi_gone(struct web_server *srv, struct lws *wsi)
{
	for (struct web_pending *p = srv->pending; p; p = p->next)
		if (p->wsi == wsi)
			p->wsi = NULL;
}

void web_page_server_gone(struct web_server *srv)
{
	struct web_pending *p, *next;

	for (p = srv->pending; p; p = next) {
		next = p->next;
		p->srv = NULL;
		p->wsi = NULL;
		p->prev = p->next = NULL;
	}
	srv->pending = NULL;
	srv->n_pending = 0;
}

size_t web_server_pending(const struct web_server *srv)
{
	return srv->n_pending;
}
