/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The DNS stub's insides, shared by its three files: dnsstub.c (the
 * object, the resources, UDP, what to do with a query), dnsfwd.c (queries
 * forwarded upstream) and dnstcp.c (the askers' TCP connections).
 */
#ifndef FZ_CLIENT_DNSSTUB_INT_H
#define FZ_CLIENT_DNSSTUB_INT_H

#include <stdbool.h>

#include "dnsmsg.h"
#include "dnsstub.h"

struct client_dns_conn;

/* Where a query came from, and so where its answer goes. */
struct client_dns_origin {
	uv_udp_t *udp; /* the listener it came in on; NULL: TCP */
	struct sockaddr_storage addr;
	struct client_dns_conn *conn; /* TCP */
};

/* A query sent upstream over TCP (one connection per try). */
struct client_dns_upconn {
	uv_tcp_t tcp;
	uv_connect_t connect;
	uv_write_t write;
	struct client_dnsstub *s;
	struct client_dns_pending *p; /* NULL once abandoned */
	uint8_t lenbuf[2];
	uint8_t *buf; /* the reply: 2 length bytes, then the message */
	size_t len, cap;
};

/* A query's current try over UDP: a socket of its own, connected to the
 * upstream asked (to). */
struct client_dns_upsock {
	uv_udp_t udp;
	struct client_dnsstub *s;
	struct client_dns_pending *p; /* NULL once abandoned */
	struct sockaddr_storage to;
};

struct client_dns_pending {
	bool used;
	uv_timer_t timer; /* the current try */
	struct client_dnsstub *s;
	struct client_dns_origin origin;
	uint16_t client_id, up_id;
	struct client_dns_question question;
	uint8_t *query; /* as sent upstream: up_id in its header */
	size_t len;
	unsigned int first, tries; /* upstream first tried; tries made */
	struct client_dns_upconn *up; /* over TCP: the current try */
	struct client_dns_upsock *sock; /* over UDP: the current try */
};

/* An asker's TCP connection: DNS messages with 2-byte lengths. */
struct client_dns_conn {
	uv_tcp_t tcp;
	uv_timer_t idle;
	struct client_dnsstub *s;
	struct client_dns_conn *next, **pprev;
	uint8_t buf[2 + CLIENT_DNS_MAX_QUERY];
	size_t len;
	unsigned int inflight;
	int handles;
	bool closing;
};

struct client_dns_listener {
	uv_udp_t udp;
	uv_tcp_t tcp;
	struct client_dnsstub *s;
};

struct client_dnsstub {
	uv_loop_t *loop;
	struct client_mapped *mapped;
	const struct client_dnsstub_ops *ops;
	void *ctx;
	uint32_t ttl;
	unsigned int try_ms, tcp_idle_ms;
	struct sockaddr_storage upstreams[CLIENT_DNS_MAX_UPSTREAMS];
	size_t n_upstreams;
	unsigned int next_upstream;
	struct client_dns_listener listeners[CLIENT_DNS_MAX_LISTEN];
	size_t n_listen;
	struct client_dns_pending pending[CLIENT_DNS_MAX_PENDING];
	struct client_dns_conn *conns;
	struct client_dns_resource *res;
	size_t n_res;
	struct client_dnsstub_stats st;
	int handles; /* open uv handles; freed at 0 once closing */
	bool closing;
	uint8_t rbuf[65536];
};

/* dnsstub.c */
void client_dns_log(struct client_dnsstub *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool client_dns_worth_logging(uint64_t count);
void client_dns_on_query(struct client_dnsstub *s,
			 const struct client_dns_origin *o, const uint8_t *wire,
			 size_t len);
void client_dns_reply(struct client_dnsstub *s,
		      const struct client_dns_origin *o, const uint8_t *wire,
		      size_t len);
/* A handle of the stub's (its own, a pending's, a connection's) closed. */
void client_dns_handle_closed(struct client_dnsstub *s);

/* dnsfwd.c */
int client_dns_fwd_init(struct client_dnsstub *s, char *err, size_t errlen);
void client_dns_forward(struct client_dnsstub *s,
			const struct client_dns_origin *o, const uint8_t *wire,
			size_t len, const struct client_dns_query *q);
void client_dns_fwd_cancel_conn(struct client_dnsstub *s,
				struct client_dns_conn *c);
void client_dns_fwd_close(struct client_dnsstub *s);

/* dnstcp.c */
void client_dns_tcp_connection(uv_stream_t *server, int status);
void client_dns_tcp_write(struct client_dns_conn *c, const uint8_t *wire,
			  size_t len);
void client_dns_tcp_close_all(struct client_dnsstub *s);

#endif /* FZ_CLIENT_DNSSTUB_INT_H */
