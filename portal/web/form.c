// SPDX-License-Identifier: GPL-2.0
/*
 * The pages' parsers and escapers: form bodies and queries
 * (application/x-www-form-urlencoded), the Cookie header (RFC 6265) and
 * HTML text. Pure functions over bytes, for hostile input: every value
 * is bounded by its caller's buffer, every malformed escape refused, and
 * a name given twice is an error rather than a guess (RFC 6749, 3.1: a
 * parameter must not be sent more than once).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "web.h"

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The byte at s[*i] of a form-encoded string, decoded ('+' a space, %XX
 * a byte), *i moved past it; -1 for a bad escape or a NUL either way.
 */
static int form_byte(const char *s, size_t len, size_t *i)
{
	unsigned char c = (unsigned char)s[*i];
	int hi, lo;

	(*i)++;
	if (c == '+')
		return ' ';
	if (c != '%')
		return c ? c : -1;
	if (len - *i < 2)
		return -1;
	hi = hexval((unsigned char)s[*i]);
	lo = hexval((unsigned char)s[*i + 1]);
	*i += 2;
	if (hi < 0 || lo < 0 || !(hi | lo))
		return -1;
	return hi << 4 | lo;
}

/* Decodes s[0, len) into out (NULL: only checks it). */
static int form_decode(const char *s, size_t len, char *out, size_t outlen)
{
	size_t i = 0, o = 0;
	int c;

	while (i < len) {
		c = form_byte(s, len, &i);
		if (c < 0)
			return -EINVAL;
		if (!out)
			continue;
		if (o + 1 >= outlen)
			return -ENOSPC;
		out[o++] = (char)c;
	}
	if (out)
		out[o] = '\0';
	return 0;
}

/* Whether s[0, len), well-formed, decodes to exactly name. */
static bool form_name_is(const char *s, size_t len, const char *name)
{
	size_t i = 0, n = 0;

	while (i < len)
		if (form_byte(s, len, &i) != (unsigned char)name[n++])
			return false; /* name's NUL never matches a byte */
	return !name[n];
}

static int fail(int err, char *out, size_t outlen)
{
	if (out && outlen)
		out[0] = '\0';
	return err;
}

int web_form_value(const char *body, size_t len, const char *name, char *out,
		   size_t outlen)
{
	const char *p = body, *end = body + len, *pe, *eq, *v = NULL;
	size_t vlen = 0;
	int rc;

	if (!body || !name || !out || !outlen)
		return fail(-EINVAL, out, outlen);
	for (; p < end; p = pe + 1) {
		pe = memchr(p, '&', (size_t)(end - p));
		if (!pe)
			pe = end;
		if (pe == p)
			continue; /* "a=1&&b=2" */
		eq = memchr(p, '=', (size_t)(pe - p));
		if (!eq)
			eq = pe; /* "flag": an empty value */
		/* All of it well-formed, not just the pair asked for. */
		if (form_decode(p, (size_t)(eq - p), NULL, 0) ||
		    (eq < pe &&
		     form_decode(eq + 1, (size_t)(pe - eq - 1), NULL, 0)))
			return fail(-EINVAL, out, outlen);
		if (!form_name_is(p, (size_t)(eq - p), name))
			continue;
		if (v)
			return fail(-EINVAL, out, outlen);
		v = eq < pe ? eq + 1 : pe;
		vlen = (size_t)(pe - v);
	}
	if (!v)
		return fail(-ENOENT, out, outlen);
	rc = form_decode(v, vlen, out, outlen);
	return rc ? fail(rc, out, outlen) : 0;
}

int web_query_value(const char *query, const char *name, char *out,
		    size_t outlen)
{
	if (!query)
		return fail(-EINVAL, out, outlen);
	return web_form_value(query, strlen(query), name, out, outlen);
}

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* RFC 6265, 4.1.1: no CTLs, whitespace, DQUOTE, comma, ';' or '\'. */
static bool cookie_octet(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x2b) ||
	       (c >= 0x2d && c <= 0x3a) || (c >= 0x3c && c <= 0x5b) ||
	       (c >= 0x5d && c <= 0x7e);
}

/* [*s, *e) without the whitespace around it. */
static void trim(const char **s, const char **e)
{
	while (*s < *e && is_wsp(**s))
		(*s)++;
	while (*e > *s && is_wsp((*e)[-1]))
		(*e)--;
}

/* The value of the one pair named name, in [*v, *ve); -ENOENT, -EINVAL. */
static int cookie_find(const char *cookie, const char *name, const char **v,
		       const char **ve)
{
	const char *p = cookie, *end = cookie + strlen(cookie), *pe, *eq, *ne;
	size_t nlen = strlen(name);
	bool found = false;

	for (; p < end; p = pe + 1) {
		pe = memchr(p, ';', (size_t)(end - p));
		if (!pe)
			pe = end;
		eq = memchr(p, '=', (size_t)(pe - p));
		if (!eq)
			continue; /* RFC 6265, 5.2: ignored */
		ne = eq;
		trim(&p, &ne);
		if ((size_t)(ne - p) != nlen || memcmp(p, name, nlen))
			continue;
		if (found)
			return -EINVAL; /* which one would be ours? */
		found = true;
		*v = eq + 1;
		*ve = pe;
		trim(v, ve);
	}
	return found ? 0 : -ENOENT;
}

int web_cookie_value(const char *cookie, const char *name, char *out,
		     size_t outlen)
{
	const char *v, *ve;
	int rc;

	if (!cookie || !name || !*name || !out || !outlen)
		return fail(cookie ? -EINVAL : -ENOENT, out, outlen);
	rc = cookie_find(cookie, name, &v, &ve);
	if (rc)
		return fail(rc, out, outlen);
	if (ve - v >= 2 && *v == '"' && ve[-1] == '"') {
		v++;
		ve--;
	}
	for (const char *c = v; c < ve; c++)
		if (!cookie_octet((unsigned char)*c))
			return fail(-EINVAL, out, outlen);
	if ((size_t)(ve - v) >= outlen)
		return fail(-ENOSPC, out, outlen);
	memcpy(out, v, (size_t)(ve - v));
	out[ve - v] = '\0';
	return 0;
}

bool web_media_type_is(const char *content_type, const char *type)
{
	size_t n = type ? strlen(type) : 0;
	const char *p = content_type;

	if (!p || !n)
		return false;
	while (is_wsp(*p))
		p++;
	if (strncasecmp(p, type, n))
		return false;
	for (p += n; is_wsp(*p); p++)
		;
	return !*p || *p == ';';
}

static const char *entity(char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&#39;";
	default:
		return NULL;
	}
}

int web_html_escape_buf(const char *s, char *out, size_t outlen)
{
	size_t o = 0, n;
	const char *e;

	if (!s || !out || !outlen)
		return fail(-EINVAL, out, outlen);
	for (; *s; s++) {
		e = entity(*s);
		n = e ? strlen(e) : 1;
		if (o + n >= outlen)
			return fail(-ENOSPC, out, outlen);
		memcpy(out + o, e ? e : s, n);
		o += n;
	}
	out[o] = '\0';
	return 0;
}

char *web_html_escape(const char *s)
{
	size_t n = 1;
	char *out;

	if (!s)
		return NULL;
	for (const char *c = s; *c; c++)
		n += entity(*c) ? strlen(entity(*c)) : 1;
	out = malloc(n);
	if (out && web_html_escape_buf(s, out, n)) {
		free(out);
		out = NULL;
	}
	return out;
}

static bool unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       c == '~';
}

int web_url_encode(const char *s, size_t len, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	if ((!s && len) || !out || !outlen)
		return fail(-EINVAL, out, outlen);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (o + (unreserved(c) ? 1 : 3) >= outlen)
			return fail(-ENOSPC, out, outlen);
		if (unreserved(c)) {
			out[o++] = (char)c;
			continue;
		}
		out[o++] = '%';
		out[o++] = hex[c >> 4];
		out[o++] = hex[c & 15];
	}
	out[o] = '\0';
	return 0;
}
