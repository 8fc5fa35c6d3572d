// SPDX-License-Identifier: GPL-2.0
/*
 * The HTML of the sign-in pages: plain server-rendered documents with one
 * small stylesheet and no script, so the strict CSP the web wing sends
 * (default-src 'none'; style-src 'self') holds without exceptions. Every
 * text that came from outside (names, addresses, messages) is escaped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "priv.h"

static const char css[] =
	"*{box-sizing:border-box}"
	"body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',"
	"Roboto,sans-serif;background:#f4f5f7;color:#1d2330}"
	"main{max-width:26rem;margin:8vh auto;padding:2rem;background:#fff;"
	"border-radius:10px;box-shadow:0 2px 12px rgba(0,0,0,.08)}"
	"h1{font-size:1.4rem;margin:0 0 1rem}"
	"p{margin:.5rem 0 1rem}"
	".button,button{display:block;width:100%;padding:.7rem 1rem;"
	"margin:.5rem 0;border:1px solid #2d5bd7;border-radius:6px;"
	"background:#2d5bd7;color:#fff;font:inherit;text-align:center;"
	"text-decoration:none;cursor:pointer}"
	".button:hover,button:hover{background:#2149b8}"
	"label{display:block;margin:1rem 0 .3rem;font-weight:600}"
	"input{width:100%;padding:.6rem;border:1px solid #b8bfcc;"
	"border-radius:6px;font:inherit}"
	".or{text-align:center;color:#6b7383;margin:1.2rem 0 0}"
	".notice{padding:.6rem .8rem;border-radius:6px;background:#fff4e5;"
	"border:1px solid #f0c36d}"
	".error h1{color:#b42318}"
	"footer{margin-top:1.5rem;font-size:.8rem;color:#6b7383}";

/*
 * Text into HTML, for element content and quoted attributes alike. Out
 * of memory, the text is left out: the page stays well-formed.
 */
static void put_text(FILE *out, const char *s)
{
	char *e = web_html_escape(s);

	if (e)
		fputs(e, out);
	free(e);
}

struct doc {
	FILE *out;
	char *buf;
	size_t len;
};

static int doc_open(struct doc *d, const char *title, bool error)
{
	d->buf = NULL;
	d->out = open_memstream(&d->buf, &d->len);
	if (!d->out)
		return -ENOMEM;
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<meta name=\"viewport\" content=\"width=device-width, "
	      "initial-scale=1\"><meta name=\"referrer\" content=\"no-referrer\">"
	      "<title>",
	      d->out);
	put_text(d->out, title);
	fputs(" - fz</title><link rel=\"stylesheet\" href=\"/static/fz.css\">"
	      "</head>\n<body>",
	      d->out);
	fputs(error ? "<main class=\"error\">" : "<main>", d->out);
	fputs("<h1>", d->out);
	put_text(d->out, title);
	fputs("</h1>\n", d->out);
	return 0;
}

static int doc_close(struct doc *d, struct web_page_response *resp, int status)
{
	fputs("<footer>fz zero-trust access</footer></main></body></html>\n",
	      d->out);
	if (fclose(d->out)) {
		free(d->buf);
		return -ENOMEM;
	}
	resp->status = status;
	resp->content_type = "text/html; charset=utf-8";
	resp->body = d->buf;
	resp->body_len = d->len;
	return 0;
}

static void put_hidden_csrf(FILE *out, const struct signin_flow *f)
{
	fprintf(out, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">",
		f->csrf); /* base64url: nothing to escape */
}

int signin_page_chooser(struct web_page_response *resp, const char *account,
			const char *slug, const struct signin_flow *f,
			const struct signin_provider_link *links, size_t n,
			bool email)
{
	struct doc d;

	if (doc_open(&d, "Sign in", false))
		return -ENOMEM;
	fputs("<p>to <strong>", d.out);
	put_text(d.out, account);
	fputs("</strong></p>\n", d.out);
	for (size_t i = 0; i < n; i++) {
		fprintf(d.out,
			"<a class=\"button\" id=\"provider-%zu\" href=\"/", i);
		put_text(d.out, slug);
		fprintf(d.out, "/sign_in/oidc/%s?csrf=%s\">Sign in with ",
			links[i].id, f->csrf); /* a UUID, base64url */
		put_text(d.out, links[i].name);
		fputs("</a>\n", d.out);
	}
	if (email) {
		if (n)
			fputs("<p class=\"or\">or</p>\n", d.out);
		fputs("<form method=\"post\" action=\"/", d.out);
		put_text(d.out, slug);
		fputs("/sign_in/email\">", d.out);
		put_hidden_csrf(d.out, f);
		fputs("<label for=\"email\">Email</label><input id=\"email\" "
		      "name=\"email\" type=\"email\" required maxlength=\"254\" "
		      "autocomplete=\"email\" autofocus>"
		      "<button type=\"submit\" id=\"send\">Send me a sign-in "
		      "code</button></form>\n",
		      d.out);
	}
	if (!n && !email)
		fputs("<p class=\"notice\">This account has no way to sign in "
		      "yet. Ask its administrator.</p>\n",
		      d.out);
	return doc_close(&d, resp, 200);
}

/*
 * The code's form is answered with a redirect to the client's loopback
 * listener, and browsers hold redirects after a form to form-action too.
 */
#define CSP_TO_LOOPBACK                                          \
	"default-src 'none'; style-src 'self'; img-src 'self'; " \
	"form-action 'self' http://127.0.0.1:*; "                \
	"frame-ancestors 'none'; base-uri 'none'"

int signin_page_code(struct web_page_response *resp, const char *slug,
		     const struct signin_flow *f, const char *notice,
		     int64_t ttl_s)
{
	struct doc d;

	resp->csp = CSP_TO_LOOPBACK;
	if (doc_open(&d, "Check your email", false))
		return -ENOMEM;
	if (notice) {
		fputs("<p class=\"notice\" id=\"notice\">", d.out);
		put_text(d.out, notice);
		fputs("</p>\n", d.out);
	}
	fputs("<p>If <strong>", d.out);
	put_text(d.out, f->email);
	fprintf(d.out,
		"</strong> belongs to a user of this account, a sign-in code "
		"is on its way. It works once, for %lld %s.</p>\n"
		"<form method=\"post\" action=\"/",
		(long long)(ttl_s >= 120 ? ttl_s / 60 : ttl_s),
		ttl_s >= 120 ? "minutes" : "seconds");
	put_text(d.out, slug);
	fputs("/sign_in/email/verify\">", d.out);
	put_hidden_csrf(d.out, f);
	fputs("<label for=\"code\">Code</label><input id=\"code\" name=\"code\" "
	      "required maxlength=\"16\" inputmode=\"numeric\" "
	      "autocomplete=\"one-time-code\" autofocus>"
	      "<button type=\"submit\" id=\"verify\">Sign in</button></form>\n",
	      d.out);
	return doc_close(&d, resp, 200);
}

int signin_page_signed_in(struct web_page_response *resp)
{
	struct doc d;

	if (doc_open(&d, "Signed in", false))
		return -ENOMEM;
	fputs("<p id=\"done\">You are signed in. You can close this window and "
	      "go back to the client.</p>\n",
	      d.out);
	return doc_close(&d, resp, 200);
}

int signin_page_error(struct web_page_response *resp, int status,
		      const char *title, const char *message)
{
	struct doc d;

	if (doc_open(&d, title, true))
		return -ENOMEM;
	fputs("<p id=\"error\">", d.out);
	put_text(d.out, message);
	fputs("</p>\n<p>Start again from your client: <code>fzagent "
	      "sign-in</code>.</p>\n",
	      d.out);
	return doc_close(&d, resp, status);
}

int signin_page_css(struct web_page_response *resp)
{
	resp->body = strdup(css);
	if (!resp->body)
		return -ENOMEM;
	resp->status = 200;
	resp->content_type = "text/css; charset=utf-8";
	resp->body_len = strlen(css);
	return 0;
}

int signin_redirect(struct web_page_response *resp, const char *location)
{
	resp->location = strdup(location);
	if (!resp->location)
		return -ENOMEM;
	resp->status = 303;
	resp->content_type = "text/plain; charset=utf-8";
	resp->body = strdup("See Other\n");
	resp->body_len = resp->body ? strlen(resp->body) : 0;
	return resp->body ? 0 : -ENOMEM;
}
