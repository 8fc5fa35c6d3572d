/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The agent's connection to the portal: one WebSocket over TLS on the
 * agent's libuv loop (a libwebsockets client on a foreign loop), speaking
 * Phoenix-channel frames (proto/sig.h). The wing joins on every connect,
 * sends heartbeats, and redials after a drop with exponential backoff and
 * full jitter, except after a refused token (HTTP 401 or an error reply
 * to the join) or a `disconnect` from the portal: those are final.
 * Messages are not queued across a drop: the portal's init after the
 * next join is the truth.
 */
#ifndef FZ_AGENT_SIGNAL_H
#define FZ_AGENT_SIGNAL_H

#include <stddef.h>

#include <uv.h>

#include "proto/sig.h"

#define SIGNAL_HEARTBEAT_MS 10000
#define SIGNAL_BACKOFF_MIN_MS 500
#define SIGNAL_BACKOFF_MAX_MS 30000
/* Past this the backoff is a configuration mistake, not a wish. */
#define SIGNAL_LIMIT_MS (3600 * 1000)
/* A join that lasted this long resets the backoff. */
#define SIGNAL_STABLE_MS 30000
/* Bytes waiting to go out; signal_send() refuses more (-ENOBUFS). */
#define SIGNAL_OUT_MAX (256 * 1024)
#define SIGNAL_TOKEN_MAX 1024

enum signal_state {
	SIGNAL_CONNECTING, /* dialling, or waiting out the backoff */
	SIGNAL_JOINED, /* joined: the portal's init follows as a message */
	SIGNAL_REFUSED, /* 401, or public_key_in_use: no retry */
	SIGNAL_CLOSED, /* `disconnect` arrived; no retry */
};

struct signal_config {
	/*
	 * https://host[:port][/prefix]; "/gateway/websocket" or
	 * "/client/websocket" is appended (wss on the wire); http (ws) only
	 * to a loopback host.
	 */
	const char *url;
	enum proto_sig_role role;
	const char *ca_file; /* NULL: the system's store */
	unsigned int heartbeat_ms; /* 0: 10000 (the portal closes at 3 missed) */
	unsigned int backoff_min_ms; /* 0: 500 */
	unsigned int
		backoff_max_ms; /* 0: 30000; full jitter: uniform in [min, cur] */
};

struct signal_ops {
	/*
	 * Fill the phx_join (called on every connect: the role's current
	 * key, port, endpoints). kind must be the role's join; its pointers
	 * only need to live until join returns (the frame is built then).
	 * The wing sets topic and ref. Non-zero: this dial is dropped and
	 * retried.
	 */
	int (*join)(void *ctx, struct proto_sig_msg *out);
	/*
	 * Every parsed message from the portal: init, pushes, replies and
	 * disconnect, but not the replies to the wing's own join and
	 * heartbeats. m is freed after.
	 */
	void (*message)(void *ctx, const struct proto_sig_msg *m);
	/* The state changed; why: a short text for the log ("401", ...). */
	void (*state)(void *ctx, enum signal_state st, const char *why);
	void (*log)(void *ctx, const char *line); /* one line, no newline */
};

struct signal;

/*
 * A connection, not yet dialled. cfg's strings are copied; token (at
 * most SIGNAL_TOKEN_MAX printable characters) is copied into locked
 * memory and wiped on free; the caller wipes its own copy. Returns NULL
 * with err set on a bad URL, an unreadable ca_file, bounds out of range,
 * or no memory.
 */
struct signal *signal_new(uv_loop_t *loop, const struct signal_config *cfg,
			  const char *token, const struct signal_ops *ops,
			  void *ctx, char *err, size_t errlen);
/* The first dial: 0, or -EALREADY. */
int signal_start(struct signal *s);
/*
 * m (the role's own kinds: request_authorization for a client, the
 * authorization_created ack for a gateway) built and queued: 0,
 * -ENOTCONN unless joined, -EINVAL for another kind or a message the
 * builder refuses, -ENOBUFS past SIGNAL_OUT_MAX, -ENOMEM.
 */
int signal_send(struct signal *s, const struct proto_sig_msg *m);
enum signal_state signal_state(const struct signal *s);
const char *signal_state_name(enum signal_state st);
/* No more callbacks from here on; freed on the loop. */
void signal_close(struct signal *s);

#endif /* FZ_AGENT_SIGNAL_H */
