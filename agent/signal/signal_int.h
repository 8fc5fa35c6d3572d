/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the signal wing's files share: the connection's state. signal.c
 * owns its life and the timers, conn.c the libwebsockets side, rx.c the
 * frames that come in, tx.c the queue of frames going out.
 */
#ifndef FZ_AGENT_SIGNAL_INT_H
#define FZ_AGENT_SIGNAL_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <libwebsockets.h>

#include "backoff.h"
#include "signal.h"
#include "lib/portalurl.h"

/* One frame waiting to go out, with lws's headroom before it. */
struct signal_frame {
	struct signal_frame *next;
	size_t len;
	unsigned char buf[]; /* LWS_PRE bytes, then len bytes of JSON */
};

struct signal {
	uv_loop_t *loop;
	struct signal_config cfg; /* url and ca_file point at our copies */
	char *url, *ca_file;
	struct fz_portal_dial dial;
	char *auth; /* "Bearer TOKEN", sodium_malloc()ed */
	size_t auth_len;
	const struct signal_ops *ops;
	void *ctx;

	struct lws_context *lws; /* written NULL by lws once destroyed */
	struct lws_protocols protocols[2];
	struct lws *wsi; /* the connection, NULL between them */
	bool live; /* a dial is under way or up: its end is pending */
	bool established; /* the WebSocket is open */
	bool kill; /* the connection is being closed */
	bool in_callback; /* inside conn.c's lws callback */
	char why[128]; /* why the connection ended, first reason wins */

	enum signal_state state;
	bool started, final, closed, destroying;
	struct signal_backoff backoff;
	uint64_t joined_at, last_rx; /* uv_now() ms; 0: not joined */
	uint64_t next_ref;
	char join_ref[24];

	struct signal_frame *out_head, *out_tail;
	size_t out_bytes;
	char *rx; /* a message being reassembled */
	size_t rx_len, rx_room; /* rx_room: its size, wiped on free */

	uv_timer_t retry, heartbeat, reap;
	int open_handles;
};

/* signal.c */
void signal_log(struct signal *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void signal_set_state(struct signal *s, enum signal_state st, const char *why);
/* The connection is over (conn.c): redial later, or stay final. */
void signal_conn_over(struct signal *s);
/* The WebSocket is open (conn.c): join, heartbeats. */
void signal_conn_open(struct signal *s);
/* Close the connection with a close frame of status and why. */
void signal_drop(struct signal *s, enum lws_close_status status,
		 const char *why);
/* No redial after this connection: st is REFUSED or CLOSED. */
void signal_finish(struct signal *s, enum signal_state st, const char *why);

/* conn.c */
int signal_conn_context(struct signal *s, char *err, size_t errlen);
int signal_conn_dial(struct signal *s);
/* s is about to be freed: lws's log lines no longer go to it. */
void signal_conn_gone(struct signal *s);

/* rx.c: one piece of a message as lws hands it over; -1: drop the socket */
int signal_rx(struct signal *s, struct lws *wsi, const char *in, size_t len);
void signal_rx_reset(struct signal *s);

/* tx.c */
int signal_tx_queue(struct signal *s, const struct proto_sig_msg *m);
/* Writes one frame; 1 when more are waiting, -1 on a failed write. */
int signal_tx_write(struct signal *s);
void signal_tx_flush(struct signal *s);

#endif /* FZ_AGENT_SIGNAL_INT_H */
