/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The portal's event log: one line per event on standard error, as text
 * for people ("fzportal: conn_open role=gateway remote=192.0.2.1:5000")
 * or as one JSON object per line for a log pipeline. It lives in core so
 * that every wing (store, sig, web) logs the same way; the cli wing only
 * picks the format.
 */
#ifndef FZ_PORTAL_CORE_LOG_H
#define FZ_PORTAL_CORE_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum core_log_format {
	CORE_LOG_TEXT,
	CORE_LOG_JSON,
};

/* The name at the start of text lines ("fzportal"). */
void core_log_init(const char *prog, enum core_log_format format);

/* "text" or "json"; -1 for anything else. */
int core_log_parse_format(const char *name);

/*
 * Logs EVENT with key/value string pairs, ended by NULL:
 *   core_log("conn_close", "code", "1000", "reason", why, NULL);
 * A NULL value is left out, so optional fields need no branches.
 */
void core_log(const char *event, ...) __attribute__((sentinel));

/*
 * The line core_log() writes, into buf (always NUL-terminated and ended by
 * a newline; a line too long is cut). kv holds n_kv keys and values,
 * alternating; ts is the time for JSON lines (text lines have none: the
 * journal adds its own). Split out so that tests see the exact output
 * without capturing stderr. Returns the line's length.
 */
size_t core_log_format_line(char *buf, size_t len, enum core_log_format fmt,
			    const char *prog, const char *ts, const char *event,
			    const char *const *kv, size_t n_kv);

#endif /* FZ_PORTAL_CORE_LOG_H */
