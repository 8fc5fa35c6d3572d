/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The signal wing (agent/signal/): one WebSocket to the portal over TLS,
 * on the agent's libuv loop, speaking proto/sig.[ch]. The declaration
 * of agent/ROLES.md section 1, as written there.
 *
 * PLACEHOLDER (branch r-gwportal): the signal helper's real header
 * replaces this file at merge; it is kept identical to ROLES.md.
 */
#ifndef FZ_AGENT_SIGNAL_H
#define FZ_AGENT_SIGNAL_H

#include <stddef.h>

#include <uv.h>

#include "proto/sig.h"

enum signal_state {
	SIGNAL_CONNECTING, /* dialling, or waiting out the backoff */
	SIGNAL_JOINED, /* joined: the portal's init follows as a message */
	SIGNAL_REFUSED, /* 401 / join refused: the token is bad; no retry */
	SIGNAL_CLOSED, /* signal_close() ran, or `disconnect` arrived */
};
struct signal_config {
	const char *url; /* https://host[:port][/prefix]; "/gateway/websocket" or
				    "/client/websocket" is appended (wss on the wire); http only to loopback */
	enum proto_sig_role role;
	const char *ca_file; /* NULL: the system's store */
	unsigned int
		heartbeat_ms; /* 0: 10000 (the portal's sweep closes at 3 missed) */
	unsigned int backoff_min_ms; /* 0: 500 */
	unsigned int
		backoff_max_ms; /* 0: 30000; full jitter: uniform in [min, cur] */
};
struct signal_ops {
	/* Fill the phx_join (called on every connect; the role's current key, port, endpoints). */
	int (*join)(void *ctx, struct proto_sig_msg *out);
	/* Every parsed message from the portal: init, pushes, replies, disconnect. m is freed after. */
	void (*message)(void *ctx, const struct proto_sig_msg *m);
	/* The state changed; why: a short text for the log ("connection refused", "401", ...). */
	void (*state)(void *ctx, enum signal_state st, const char *why);
	void (*log)(void *ctx, const char *line); /* one line, no newline */
};
/* token: copied into locked memory and wiped on free; the caller wipes its own copy. */
struct signal *signal_new(uv_loop_t *loop, const struct signal_config *cfg,
			  const char *token, const struct signal_ops *ops,
			  void *ctx, char *err, size_t errlen);
int signal_start(struct signal *s); /* first dial */
int signal_send(struct signal *s,
		const struct proto_sig_msg *m); /* -ENOTCONN unless joined */
enum signal_state signal_state(const struct signal *s);
void signal_close(struct signal *s); /* no more callbacks; freed on the loop */

#endif /* FZ_AGENT_SIGNAL_H */
