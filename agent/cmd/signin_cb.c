// SPDX-License-Identifier: GPL-2.0
/*
 * The request the browser brings back to `fzagent sign-in` (signin.h).
 * Everything in it is hostile until the state matches: any local process
 * and any web page the browser shows can send requests to the port.
 */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <sodium.h>

#include "signin.h"

/* The parameters that matter, decoded; each may appear once. */
struct cb_params {
	char *state, *fragment, *slug, *actor;
};

static void wipe_value(char **v)
{
	if (!*v)
		return;
	sodium_memzero(*v, strlen(*v));
	curl_free(*v);
	*v = NULL;
}

static void params_free(struct cb_params *p)
{
	wipe_value(&p->state);
	wipe_value(&p->fragment);
	wipe_value(&p->slug);
	wipe_value(&p->actor);
}

static char **param_slot(struct cb_params *p, const char *name, size_t n)
{
	static const char *const names[] = { "state", "fragment",
					     "account_slug", "actor_name" };
	char **slots[] = { &p->state, &p->fragment, &p->slug, &p->actor };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && !memcmp(names[i], name, n))
			return slots[i];
	return NULL;
}

/*
 * One name=value pair. Form encoding writes a space as '+', which
 * curl_easy_unescape() leaves alone, so it is turned into "%20" first
 * (in a copy); a decoded NUL is refused.
 */
static int decode_value(const char *v, size_t n, char **out)
{
	char *copy = malloc(3 * n + 1), *q = copy;
	int len = 0;

	if (!copy)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (v[i] == '+') {
			memcpy(q, "%20", 3);
			q += 3;
		} else {
			*q++ = v[i];
		}
	}
	*q = '\0';
	*out = curl_easy_unescape(NULL, copy, (int)(q - copy), &len);
	sodium_memzero(copy, 3 * n + 1);
	free(copy);
	if (!*out)
		return -ENOMEM;
	if ((size_t)len != strlen(*out)) {
		wipe_value(out);
		return -EINVAL;
	}
	return 0;
}

static int parse_query(const char *q, size_t qlen, struct cb_params *p,
		       const char **why)
{
	const char *end = q + qlen;

	while (q < end) {
		const char *amp = memchr(q, '&', (size_t)(end - q));
		const char *stop = amp ? amp : end;
		const char *eq = memchr(q, '=', (size_t)(stop - q));
		char **slot = param_slot(p, q, (size_t)((eq ? eq : stop) - q));

		if (slot && *slot) {
			*why = "a parameter is given twice";
			return -EINVAL;
		}
		if (slot &&
		    (!eq ||
		     decode_value(eq + 1, (size_t)(stop - eq - 1), slot))) {
			*why = "a parameter is malformed";
			return -EINVAL;
		}
		q = stop + 1;
	}
	return 0;
}

/*
 * The request line: "GET /callback?QUERY HTTP/1.x". The path is compared
 * as sent (no dot segments, no escapes): only the exact one counts.
 */
static int parse_request_line(const char *line, size_t n, const char **query,
			      size_t *qlen, const char **why)
{
	static const char prefix[] = "GET /callback?";
	const char *sp;

	*why = "this address only takes the portal's sign-in callback";
	if (memchr(line, '\0', n) || n < sizeof(prefix) - 1 + 9 ||
	    memcmp(line, prefix, sizeof(prefix) - 1))
		return -EINVAL;
	sp = memchr(line + sizeof(prefix) - 1, ' ', n - (sizeof(prefix) - 1));
	if (!sp || (size_t)(line + n - sp) != 9 ||
	    (memcmp(sp, " HTTP/1.1", 9) && memcmp(sp, " HTTP/1.0", 9)))
		return -EINVAL;
	*query = line + sizeof(prefix) - 1;
	*qlen = (size_t)(sp - *query);
	if (memchr(*query, '#', *qlen))
		return -EINVAL;
	return 0;
}

static bool state_matches(const char *got, const char *want)
{
	size_t n = strlen(want);

	return strlen(got) == n && !sodium_memcmp(got, want, n);
}

/* Control characters of the name would reach the user's terminal. */
static void copy_actor(char *out, const char *name)
{
	size_t i;

	for (i = 0; name[i] && i < CMD_SIGNIN_ACTOR_MAX; i++)
		out[i] = ((unsigned char)name[i] < 0x20 || name[i] == 0x7f) ?
				 '?' :
				 name[i];
	out[i] = '\0';
}

static int check_params(const struct cb_params *p, const char *state,
			const char *slug, const char **why)
{
	if (!p->state) {
		*why = "the callback has no state";
		return -EINVAL;
	}
	if (!state_matches(p->state, state)) {
		*why = "this is not the sign-in this agent waits for (wrong "
		       "state)";
		return -EACCES;
	}
	if (!p->fragment ||
	    !fz_token_plain_valid(p->fragment, strlen(p->fragment))) {
		*why = "the callback holds no valid token";
		return -EINVAL;
	}
	if (p->slug && strcmp(p->slug, slug)) {
		*why = "the callback is for another account";
		return -EINVAL;
	}
	if (p->actor && strlen(p->actor) > CMD_SIGNIN_ACTOR_MAX) {
		*why = "the actor's name is too long";
		return -EINVAL;
	}
	return 0;
}

int cmd_signin_parse_callback(const char *buf, size_t len, const char *state,
			      const char *slug, struct cmd_signin_callback *out,
			      const char **why)
{
	struct cb_params p = { 0 };
	const char *end, *line_end, *query;
	size_t qlen;
	int ret;

	sodium_memzero(out, sizeof(*out));
	end = memmem(buf, len, "\r\n\r\n", 4);
	if (!end || end + 4 > buf + CMD_SIGNIN_REQUEST_MAX) {
		*why = "the request is too large";
		return len >= CMD_SIGNIN_REQUEST_MAX || end ? -EMSGSIZE :
							      -EAGAIN;
	}
	line_end = memmem(buf, len, "\r\n", 2); /* found: end is one */
	ret = parse_request_line(buf, (size_t)(line_end - buf), &query, &qlen,
				 why);
	if (!ret)
		ret = parse_query(query, qlen, &p, why);
	if (!ret)
		ret = check_params(&p, state, slug, why);
	if (!ret) {
		memcpy(out->fragment, p.fragment, FZ_TOKEN_PLAIN_LEN);
		copy_actor(out->actor, p.actor ? p.actor : "");
	}
	params_free(&p);
	return ret;
}

int cmd_signin_answer(char *buf, size_t buflen, int status,
		      const char *location, const char *text)
{
	static const char common[] =
		"Content-Type: text/plain; charset=utf-8\r\n"
		"Cache-Control: no-store\r\n"
		"Referrer-Policy: no-referrer\r\n"
		"X-Content-Type-Options: nosniff\r\n"
		"Connection: close\r\n";
	int n;

	if (status == 303)
		n = snprintf(buf, buflen,
			     "HTTP/1.1 303 See Other\r\nLocation: %s\r\n%s"
			     "Content-Length: 0\r\n\r\n",
			     location, common);
	else
		n = snprintf(buf, buflen,
			     "HTTP/1.1 400 Bad Request\r\n%s"
			     "Content-Length: %zu\r\n\r\n%s\n",
			     common, strlen(text) + 1, text);
	return n < 0 || (size_t)n >= buflen ? -ENOSPC : n;
}
