// SPDX-License-Identifier: GPL-2.0
/*
 * pagesrv: the web wing alone, with a page callback made for
 * tests/integration/25-pages.sh. Not part of fzportal. Built with the
 * sanitizers, so a use after free in a deferred answer is a report.
 *
 *   pagesrv --cert C --key K [--pending-max N] [--page-timeout S]
 *
 * prints "listening port=N" on stdout, stops cleanly on SIGTERM. Pages:
 *   /page?name=X   200, X escaped in the HTML
 *   /redirect      303 to /page with two cookies
 *   /form          POST: email, csrf and the fz_flow cookie echoed (415
 *                  unless the body is application/x-www-form-urlencoded)
 *   /csp           200 with a CSP of its own
 *   /bad           a Location with CR LF in it: the wing makes it a 500
 *   /instant       deferred and finished before the callback returns
 *   /slow          deferred, answered 200 ms later from a uv timer
 *   /forever       deferred until /release answers them all
 *   /release       finishes every /forever (their sockets may be gone)
 *   /stats         "pending=N": web_server_pending()
 *   /static/fz.css the stylesheet, a static file
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "web/web.h"

#define FOREVER_MAX 1024

static const char css[] = "body { font-family: sans-serif; }\n";
static const struct web_static statics[] = {
	{ "/static/fz.css", "text/css; charset=utf-8", css, sizeof(css) - 1 },
};

struct pagesrv {
	uv_loop_t loop;
	uv_signal_t sigterm, sigint;
	struct web_server *srv;
	struct web_pending *forever[FOREVER_MAX];
	size_t n_forever;
};

struct slow {
	uv_timer_t timer;
	struct web_pending *pending;
};

static int text(struct web_page_response *resp, int status, const char *ctype,
		const char *body)
{
	resp->status = status;
	resp->content_type = ctype;
	resp->body = strdup(body);
	resp->body_len = resp->body ? strlen(body) : 0;
	return 0;
}

static int page(struct web_page_response *resp, const char *query)
{
	char name[256], html[1024];
	char *esc;

	if (web_query_value(query, "name", name, sizeof(name)))
		snprintf(name, sizeof(name), "nobody");
	esc = web_html_escape(name);
	snprintf(html, sizeof(html),
		 "<!doctype html><html><head><title>fz</title>"
		 "<link rel=\"stylesheet\" href=\"/static/fz.css\"></head>"
		 "<body><p>hello %s</p></body></html>\n",
		 esc ? esc : "");
	free(esc);
	return text(resp, 200, NULL, html);
}

static int redirect(struct web_page_response *resp)
{
	text(resp, 303, NULL, "");
	resp->location = strdup("/page?name=back");
	resp->set_cookie = strdup(
		"fz_flow=abc123; HttpOnly; Secure; SameSite=Lax; Path=/");
	resp->set_cookie2 = strdup("fz_seen=1; Secure; Path=/");
	return 0;
}

/* One field of the form, or its error number, into buf. */
static void field(const char *what, int rc, const char *value, char *buf,
		  size_t len)
{
	size_t n = strlen(buf);

	if (rc)
		snprintf(buf + n, len - n, "%s=ERR(%d)\n", what, rc);
	else
		snprintf(buf + n, len - n, "%s=%s\n", what, value);
}

static int form(const struct web_page_request *req,
		struct web_page_response *resp)
{
	char email[64], csrf[64], flow[64], out[512] = "";

	if (strcmp(req->method, "POST"))
		return text(resp, 400, "text/plain", "POST only\n");
	if (!web_media_type_is(req->content_type,
			       "application/x-www-form-urlencoded"))
		return text(resp, 415, "text/plain", "a form, please\n");
	field("email",
	      web_form_value(req->body, req->body_len, "email", email,
			     sizeof(email)),
	      email, out, sizeof(out));
	field("csrf",
	      web_form_value(req->body, req->body_len, "csrf", csrf,
			     sizeof(csrf)),
	      csrf, out, sizeof(out));
	field("flow",
	      web_cookie_value(req->cookie, "fz_flow", flow, sizeof(flow)),
	      flow, out, sizeof(out));
	return text(resp, 200, "text/plain; charset=utf-8", out);
}

static void slow_closed(uv_handle_t *h)
{
	free(h->data);
}

static void slow_fire(uv_timer_t *t)
{
	struct slow *s = t->data;
	struct web_page_response resp = { 0 };

	text(&resp, 200, "text/plain", "slow answer\n");
	web_page_finish(s->pending, &resp);
	uv_close((uv_handle_t *)&s->timer, slow_closed);
}

static int slow(struct pagesrv *ps, const struct web_page_request *req)
{
	struct slow *s = calloc(1, sizeof(*s));

	if (!s)
		return WEB_PAGE_DEFERRED; /* the wing answers 503 */
	s->pending = web_page_defer(req);
	if (!s->pending) {
		free(s);
		return WEB_PAGE_DEFERRED;
	}
	uv_timer_init(&ps->loop, &s->timer);
	s->timer.data = s;
	uv_timer_start(&s->timer, slow_fire, 200, 0);
	return WEB_PAGE_DEFERRED;
}

static int instant(const struct web_page_request *req)
{
	struct web_page_response resp = { 0 };
	struct web_pending *p = web_page_defer(req);

	text(&resp, 200, "text/plain", "instant answer\n");
	web_page_finish(p, &resp);
	return WEB_PAGE_DEFERRED;
}

static int forever(struct pagesrv *ps, const struct web_page_request *req)
{
	struct web_pending *p;

	if (ps->n_forever == FOREVER_MAX)
		return WEB_PAGE_DEFERRED;
	p = web_page_defer(req);
	if (p)
		ps->forever[ps->n_forever++] = p;
	return WEB_PAGE_DEFERRED;
}

/* With their sockets or without: either way the pendings go. */
static void release_all(struct pagesrv *ps)
{
	struct web_page_response resp;

	for (size_t i = 0; i < ps->n_forever; i++) {
		memset(&resp, 0, sizeof(resp));
		text(&resp, 200, "text/plain", "released\n");
		web_page_finish(ps->forever[i], &resp);
	}
	ps->n_forever = 0;
}

static int release(struct pagesrv *ps, struct web_page_response *resp)
{
	char out[64];

	snprintf(out, sizeof(out), "released %zu\n", ps->n_forever);
	release_all(ps);
	return text(resp, 200, "text/plain", out);
}

static int on_page(void *arg, const struct web_page_request *req,
		   struct web_page_response *resp)
{
	struct pagesrv *ps = arg;
	char out[64];

	if (!strcmp(req->path, "/page"))
		return page(resp, req->query);
	if (!strcmp(req->path, "/redirect"))
		return redirect(resp);
	if (!strcmp(req->path, "/form"))
		return form(req, resp);
	if (!strcmp(req->path, "/csp")) {
		resp->csp = "default-src 'none'; form-action 'self' "
			    "https://idp.example";
		return text(resp, 200, NULL, "<p>csp</p>\n");
	}
	if (!strcmp(req->path, "/bad")) {
		text(resp, 302, NULL, "");
		resp->location = strdup("/x\r\nSet-Cookie: evil=1");
		return 0;
	}
	if (!strcmp(req->path, "/instant"))
		return instant(req);
	if (!strcmp(req->path, "/slow"))
		return slow(ps, req);
	if (!strcmp(req->path, "/forever"))
		return forever(ps, req);
	if (!strcmp(req->path, "/release"))
		return release(ps, resp);
	if (!strcmp(req->path, "/stats")) {
		snprintf(out, sizeof(out), "pending=%zu\n",
			 web_server_pending(ps->srv));
		return text(resp, 200, "text/plain", out);
	}
	return text(resp, 404, NULL, "<p>no such page</p>\n");
}

static int refuse_all(void *arg, struct web_auth *auth)
{
	(void)arg;
	auth->why = "pagesrv has no sockets";
	return -1;
}

static void on_signal(uv_signal_t *s, int signum)
{
	struct pagesrv *ps = s->data;

	(void)signum;
	uv_close((uv_handle_t *)&ps->sigterm, NULL);
	uv_close((uv_handle_t *)&ps->sigint, NULL);
	web_server_stop(ps->srv);
}

static int usage(void)
{
	fprintf(stderr,
		"usage: pagesrv --cert FILE --key FILE [--pending-max N] "
		"[--page-timeout S]\n");
	return 2;
}

static int parse(int argc, char **argv, struct web_config *cfg)
{
	static const struct option opts[] = {
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "pending-max", required_argument, NULL, 'p' },
		{ "page-timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'c')
			cfg->cert_file = optarg;
		else if (c == 'k')
			cfg->key_file = optarg;
		else if (c == 'p')
			cfg->pending_max = (unsigned int)atoi(optarg);
		else if (c == 't')
			cfg->page_timeout_s = (unsigned int)atoi(optarg);
		else
			return -1;
	}
	return cfg->cert_file && cfg->key_file ? 0 : -1;
}

int main(int argc, char **argv)
{
	static struct pagesrv ps;
	struct web_config cfg = {
		.address = "127.0.0.1",
		.arg = &ps,
		.authenticate = refuse_all,
		.page = on_page,
		.statics = statics,
		.n_statics = sizeof(statics) / sizeof(statics[0]),
	};
	char err[512];

	if (parse(argc, argv, &cfg))
		return usage();
	signal(SIGPIPE, SIG_IGN);
	core_log_init("pagesrv", CORE_LOG_TEXT);
	uv_loop_init(&ps.loop);
	cfg.loop = &ps.loop;
	ps.srv = web_server_start(&cfg, err, sizeof(err));
	if (!ps.srv) {
		fprintf(stderr, "pagesrv: %s\n", err);
		return 1;
	}
	uv_signal_init(&ps.loop, &ps.sigterm);
	uv_signal_init(&ps.loop, &ps.sigint);
	ps.sigterm.data = ps.sigint.data = &ps;
	uv_signal_start(&ps.sigterm, on_signal, SIGTERM);
	uv_signal_start(&ps.sigint, on_signal, SIGINT);
	printf("listening port=%d\n", web_server_port(ps.srv));
	fflush(stdout);
	uv_run(&ps.loop, UV_RUN_DEFAULT);
	web_server_free(ps.srv);
	/* After the server: finishing must still only free. */
	release_all(&ps);
	if (uv_loop_close(&ps.loop))
		fprintf(stderr, "pagesrv: handles left open\n");
	fprintf(stderr, "pagesrv: stopped\n");
	return 0;
}
