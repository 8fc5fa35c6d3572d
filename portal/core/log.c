// SPDX-License-Identifier: GPL-2.0
/*
 * The event log. Each line is built whole in a buffer and written with
 * one write(2), so that lines from one process never interleave, even
 * with stderr unbuffered.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define LOG_LINE_MAX 2048
#define LOG_MAX_KV 32

static const char *log_prog = "fzportal";
static enum core_log_format log_format = CORE_LOG_TEXT;

void core_log_init(const char *prog, enum core_log_format format)
{
	log_prog = prog;
	log_format = format;
}

int core_log_parse_format(const char *name)
{
	if (!strcmp(name, "text"))
		return CORE_LOG_TEXT;
	if (!strcmp(name, "json"))
		return CORE_LOG_JSON;
	return -1;
}

struct out {
	char *buf;
	size_t len, pos; /* pos may pass len: the line was cut */
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->pos < o->len) {
		size_t room = o->len - o->pos;

		memcpy(o->buf + o->pos, s, n < room ? n : room);
	}
	o->pos += n;
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* Control characters never reach a terminal or a journal raw. */
static void put_escaped(struct out *o, const char *s, bool json)
{
	char hex[8];

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			put(o, "\\", 1);
			put(o, s, 1);
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(hex, sizeof(hex), json ? "\\u%04x" : "\\x%02x",
				 c);
			puts_(o, hex);
		} else {
			put(o, s, 1);
		}
	}
}

/* Text values are quoted only when a reader could misparse them. */
static bool needs_quotes(const char *s)
{
	if (!*s)
		return true;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == '"' || *s == '=' ||
		    *s == '\\' || *s == 0x7f)
			return true;
	return false;
}

static void text_line(struct out *o, const char *prog, const char *event,
		      const char *const *kv, size_t n_kv)
{
	puts_(o, prog);
	puts_(o, ": ");
	puts_(o, event);
	for (size_t i = 0; i + 1 < n_kv; i += 2) {
		bool q = needs_quotes(kv[i + 1]);

		put(o, " ", 1);
		puts_(o, kv[i]);
		put(o, q ? "=\"" : "=", q ? 2 : 1);
		put_escaped(o, kv[i + 1], false);
		if (q)
			put(o, "\"", 1);
	}
}

static void json_line(struct out *o, const char *ts, const char *event,
		      const char *const *kv, size_t n_kv)
{
	put(o, "{", 1);
	if (ts) {
		puts_(o, "\"ts\":\"");
		put_escaped(o, ts, true);
		puts_(o, "\",");
	}
	puts_(o, "\"event\":\"");
	put_escaped(o, event, true);
	put(o, "\"", 1);
	for (size_t i = 0; i + 1 < n_kv; i += 2) {
		puts_(o, ",\"");
		put_escaped(o, kv[i], true);
		puts_(o, "\":\"");
		put_escaped(o, kv[i + 1], true);
		put(o, "\"", 1);
	}
	put(o, "}", 1);
}

size_t core_log_format_line(char *buf, size_t len, enum core_log_format fmt,
			    const char *prog, const char *ts, const char *event,
			    const char *const *kv, size_t n_kv)
{
	struct out o = { .buf = buf, .len = len > 1 ? len - 2 : 0 };

	if (fmt == CORE_LOG_JSON)
		json_line(&o, ts, event, kv, n_kv);
	else
		text_line(&o, prog, event, kv, n_kv);
	if (o.pos > o.len)
		o.pos = o.len; /* cut: a JSON line then fails to parse, loudly */
	if (len > 1)
		buf[o.pos++] = '\n';
	if (len)
		buf[o.pos] = '\0';
	return o.pos;
}

static void timestamp(char *ts, size_t len)
{
	struct timespec now;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	n = strftime(ts, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts + n, len - n, ".%03ldZ", now.tv_nsec / 1000000);
}

void core_log(const char *event, ...)
{
	const char *kv[LOG_MAX_KV];
	char line[LOG_LINE_MAX], ts[40];
	size_t n = 0, len;
	const char *key;
	va_list ap;

	va_start(ap, event);
	while ((key = va_arg(ap, const char *))) {
		const char *value = va_arg(ap, const char *);

		if (!value || n + 2 > LOG_MAX_KV)
			continue;
		kv[n++] = key;
		kv[n++] = value;
	}
	va_end(ap);
	timestamp(ts, sizeof(ts));
	len = core_log_format_line(line, sizeof(line), log_format, log_prog, ts,
				   event, kv, n);
	/* Nothing to do if stderr is gone; the event is lost either way. */
	if (write(STDERR_FILENO, line, len) < 0)
		return;
}
