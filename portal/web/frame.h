/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough of the Phoenix channel frame ({topic, event, payload, ref})
 * for the transport: tell heartbeats from the rest, refuse what is not a
 * frame at all, and build the replies the transport sends itself. The
 * full message codec (agent/proto/sig.[ch]) parses payloads above this.
 */
#ifndef FZ_PORTAL_WEB_FRAME_H
#define FZ_PORTAL_WEB_FRAME_H

#include <stddef.h>

#define WEB_FRAME_DEPTH 8 /* json-c nesting limit */
#define WEB_FRAME_FIELD_MAX 128 /* topic and ref, as JSON text */

enum web_frame_kind {
	WEB_FRAME_INVALID, /* not JSON, or not a frame */
	WEB_FRAME_HEARTBEAT, /* topic "phoenix", event "heartbeat" */
	WEB_FRAME_MESSAGE, /* anything else: for the upper wings */
};

struct web_frame {
	enum web_frame_kind kind;
	/* As JSON text, ready to splice into a reply ("null" if unknown). */
	char topic[WEB_FRAME_FIELD_MAX];
	char ref[WEB_FRAME_FIELD_MAX];
};

/*
 * Classifies text (len bytes; need not be NUL-terminated). A frame is an
 * object with string topic and event, an object payload, and a ref that
 * is a string, an integer, null or absent; topic and ref longer than
 * WEB_FRAME_FIELD_MAX as JSON make it invalid. For an invalid frame the
 * ref is still recovered when it can be, so the error reply carries it.
 */
void web_frame_parse(const char *text, size_t len, struct web_frame *f);

/*
 * The replies, into buf: the heartbeat's ok, and an error with a reason
 * ("invalid_message", "rate_limited"). Return the length, or 0 if buf is
 * too small (never with WEB_FRAME_REPLY_MAX).
 */
#define WEB_FRAME_REPLY_MAX 512
size_t web_frame_reply_ok(char *buf, size_t len, const struct web_frame *f);
size_t web_frame_reply_error(char *buf, size_t len, const struct web_frame *f,
			     const char *reason);

#endif /* FZ_PORTAL_WEB_FRAME_H */
