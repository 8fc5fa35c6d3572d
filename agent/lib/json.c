// SPDX-License-Identifier: GPL-2.0
/*
 * Streaming JSON writer. Strings are escaped per RFC 8259: quote,
 * backslash and control characters; other bytes pass through unchanged,
 * as interface names and addresses are ASCII in practice.
 */
#include <assert.h>
#include <inttypes.h>
#include <string.h>

#include "json.h"

void fz_json_init(struct fz_json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
}

/*
 * Called before every value or key: emits the comma that separates it.
 * Top-level values are a stream (one per line, the caller's newline), so
 * they are never separated by commas.
 */
static void json_separate(struct fz_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->depth && j->has_items[j->depth])
		fputc(',', j->f);
	j->has_items[j->depth] = true;
}

static void json_open(struct fz_json *j, char c)
{
	json_separate(j);
	fputc(c, j->f);
	assert(j->depth + 1 < FZ_JSON_MAX_DEPTH);
	j->depth++;
	j->has_items[j->depth] = false;
}

static void json_close(struct fz_json *j, char c)
{
	assert(j->depth > 0);
	j->depth--;
	fputc(c, j->f);
}

void fz_json_object_begin(struct fz_json *j)
{
	json_open(j, '{');
}

void fz_json_object_end(struct fz_json *j)
{
	json_close(j, '}');
}

void fz_json_array_begin(struct fz_json *j)
{
	json_open(j, '[');
}

void fz_json_array_end(struct fz_json *j)
{
	json_close(j, ']');
}

static void json_escaped(FILE *f, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u00%c%c", hex[c >> 4], hex[c & 0xf]);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void fz_json_key(struct fz_json *j, const char *key)
{
	json_separate(j);
	json_escaped(j->f, key);
	fputc(':', j->f);
	j->after_key = true;
}

void fz_json_string(struct fz_json *j, const char *s)
{
	json_separate(j);
	json_escaped(j->f, s);
}

void fz_json_u64(struct fz_json *j, uint64_t v)
{
	json_separate(j);
	fprintf(j->f, "%" PRIu64, v);
}

void fz_json_null(struct fz_json *j)
{
	json_separate(j);
	fputs("null", j->f);
}

void fz_json_bool(struct fz_json *j, bool v)
{
	json_separate(j);
	fputs(v ? "true" : "false", j->f);
}

void fz_json_kv_string(struct fz_json *j, const char *key, const char *s)
{
	fz_json_key(j, key);
	fz_json_string(j, s);
}

void fz_json_kv_u64(struct fz_json *j, const char *key, uint64_t v)
{
	fz_json_key(j, key);
	fz_json_u64(j, v);
}

void fz_json_kv_bool(struct fz_json *j, const char *key, bool v)
{
	fz_json_key(j, key);
	fz_json_bool(j, v);
}
