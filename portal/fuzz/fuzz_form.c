// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer over the pages' parsers (web/form.c): arbitrary bytes as a
 * form body, a query, a Cookie header and HTML text, the first byte
 * choosing the name asked for. Beyond the sanitizers' "no crash, no
 * undefined behaviour", a value read from a form must encode and read
 * back to itself, a cookie value must hold only cookie-octets, and
 * escaped HTML must hold none of & < > " ' but in its entities.
 *
 *   make fuzz FUZZ_SECONDS=60
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web/web.h"

#define VALUE_MAX 64

static const char *const names[] = { "a", "state", "fz_flow", "", "a b" };

static void form(const char *in, size_t len, const char *name)
{
	char v[VALUE_MAX], enc[3 * VALUE_MAX + 8], back[VALUE_MAX];
	int rc = web_form_value(in, len, name, v, sizeof(v));

	if (rc && (rc != -ENOENT && rc != -EINVAL && rc != -ENOSPC))
		abort();
	if (rc) {
		if (v[0])
			abort(); /* nothing half-read */
		return;
	}
	strcpy(enc, "v=");
	if (web_url_encode(v, strlen(v), enc + 2, sizeof(enc) - 2))
		abort();
	if (web_query_value(enc, "v", back, sizeof(back)) || strcmp(v, back))
		abort();
}

static void cookie(const char *in, const char *name)
{
	char v[VALUE_MAX];

	if (web_cookie_value(in, name, v, sizeof(v)))
		return;
	for (const char *c = v; *c; c++)
		if ((unsigned char)*c <= ' ' || *c == '"' || *c == ',' ||
		    *c == ';' || *c == '\\' || (unsigned char)*c >= 0x7f)
			abort();
}

static void html(const char *in)
{
	char *s = web_html_escape(in);

	if (!s)
		return;
	for (const char *c = s; *c; c++) {
		if (*c == '<' || *c == '>' || *c == '"' || *c == '\'')
			abort();
		if (*c == '&' && strncmp(c, "&amp;", 5) &&
		    strncmp(c, "&lt;", 4) && strncmp(c, "&gt;", 4) &&
		    strncmp(c, "&quot;", 6) && strncmp(c, "&#39;", 5))
			abort();
	}
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *name;
	char *text;

	if (!size)
		return 0;
	name = names[data[0] % (sizeof(names) / sizeof(names[0]))];
	data++;
	size--;
	/* As a body: bytes with a length, NULs and all. */
	form((const char *)data, size, name);
	/* As headers and text: C strings. */
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	form(text, strlen(text), name);
	cookie(text, name);
	html(text);
	free(text);
	return 0;
}
