// SPDX-License-Identifier: GPL-2.0
/*
 * Queries forwarded upstream. Each gets a slot of CLIENT_DNS_MAX_PENDING
 * (at most CLIENT_DNS_MAX_PENDING_PER_SOURCE of them from one UDP
 * address and port), and each try a fresh random ID and a socket of its
 * own: over UDP one on a fresh random port, connected to the upstream
 * asked, where a reply counts only from that address and port, with
 * that ID and the question echoed (dnsmsg.c); over TCP a connection.
 * Each try lasts try_ms; then the next upstream is asked (at least two
 * tries), and when all are spent the asker gets SERVFAIL. A slot holds
 * one socket at most, so the slots bound the descriptors too.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "dnsstub_int.h"
#include "lib/sockaddr.h"

static void handle_closed(uv_handle_t *h)
{
	client_dns_handle_closed(h->data);
}

static void pending_free(struct client_dns_pending *p);
static void try_next(struct client_dns_pending *p);

/* --- Over TCP --- */

static void upconn_closed(uv_handle_t *h)
{
	struct client_dns_upconn *u = h->data;
	struct client_dnsstub *s = u->s;

	free(u->buf);
	free(u);
	client_dns_handle_closed(s);
}

static void upconn_abandon(struct client_dns_upconn *u)
{
	if (u->p)
		u->p->up = NULL;
	u->p = NULL;
	uv_close((uv_handle_t *)&u->tcp, upconn_closed);
}

/* The TCP try failed before an answer: the next one, now. */
static void upconn_failed(struct client_dns_upconn *u)
{
	struct client_dns_pending *p = u->p;

	upconn_abandon(u);
	if (p) {
		uv_timer_stop(&p->timer);
		try_next(p);
	}
}

static void upconn_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct client_dns_upconn *u = h->data;

	(void)suggested;
	*buf = uv_buf_init((char *)u->buf + u->len,
			   (unsigned int)(u->cap - u->len));
}

static void deliver(struct client_dns_pending *p, uint8_t *reply, size_t len);

static void upconn_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf)
{
	struct client_dns_upconn *u = st->data;
	size_t need;
	uint8_t *grown;

	(void)buf;
	if (!u->p || nread == 0)
		return;
	if (nread < 0) {
		upconn_failed(u);
		return;
	}
	u->len += (size_t)nread;
	if (u->len < 2)
		return;
	need = 2 + ((size_t)u->buf[0] << 8 | u->buf[1]);
	if (need > u->cap) {
		grown = realloc(u->buf, need);
		if (!grown) {
			upconn_failed(u);
			return;
		}
		u->buf = grown;
		u->cap = need;
	}
	if (u->len < need)
		return;
	if (need - 2 < CLIENT_DNS_HEADER_LEN ||
	    ldns_read_uint16(u->buf + 2) != u->p->up_id ||
	    !client_dns_reply_matches(u->buf + 2, need - 2, &u->p->question)) {
		u->s->st.upstream_stray++;
		upconn_failed(u);
		return;
	}
	deliver(u->p, u->buf + 2, need - 2);
}

static void upconn_connected(uv_connect_t *req, int status)
{
	struct client_dns_upconn *u = req->handle->data;
	uv_buf_t bufs[2];

	if (!u->p)
		return;
	if (status < 0) {
		upconn_failed(u);
		return;
	}
	u->lenbuf[0] = (uint8_t)(u->p->len >> 8);
	u->lenbuf[1] = (uint8_t)u->p->len;
	bufs[0] = uv_buf_init((char *)u->lenbuf, 2);
	bufs[1] = uv_buf_init((char *)u->p->query, (unsigned int)u->p->len);
	if (uv_write(&u->write, req->handle, bufs, 2, NULL) ||
	    uv_read_start(req->handle, upconn_alloc, upconn_read))
		upconn_failed(u);
}

static int upconn_start(struct client_dns_pending *p,
			const struct sockaddr_storage *to)
{
	struct client_dnsstub *s = p->s;
	struct client_dns_upconn *u = calloc(1, sizeof(*u));
	int ret;

	if (!u)
		return -ENOMEM;
	u->cap = 2 + 512;
	u->buf = malloc(u->cap);
	if (!u->buf) {
		free(u);
		return -ENOMEM;
	}
	u->s = s;
	u->p = p;
	uv_tcp_init(s->loop, &u->tcp);
	u->tcp.data = u;
	s->handles++;
	p->up = u;
	ret = uv_tcp_connect(&u->connect, &u->tcp, (const struct sockaddr *)to,
			     upconn_connected);
	if (ret)
		upconn_abandon(u);
	return ret;
}

/* --- Over UDP: one socket per try --- */

static void upsock_closed(uv_handle_t *h)
{
	struct client_dns_upsock *u = h->data;
	struct client_dnsstub *s = u->s;

	free(u);
	client_dns_handle_closed(s);
}

static void upsock_abandon(struct client_dns_upsock *u)
{
	if (u->p)
		u->p->sock = NULL;
	u->p = NULL;
	uv_close((uv_handle_t *)&u->udp, upsock_closed);
}

static void up_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct client_dns_upsock *u = h->data;

	(void)suggested;
	*buf = uv_buf_init((char *)u->s->rbuf, sizeof(u->s->rbuf));
}

static bool same_addr(const struct sockaddr *sa,
		      const struct sockaddr_storage *want)
{
	struct sockaddr_storage ss = { 0 };

	if (sa->sa_family != AF_INET && sa->sa_family != AF_INET6)
		return false;
	memcpy(&ss, sa,
	       sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
					   sizeof(struct sockaddr_in));
	return fz_sockaddr_equal(&ss, want);
}

/* The socket is connected to the upstream asked, so the kernel drops
 * datagrams from anywhere else; the address is checked again all the
 * same. Anything that is not the answer is counted and the try goes on
 * (a spoofer must not be able to end it early). */
static void up_recv(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf,
		    const struct sockaddr *addr, unsigned int flags)
{
	struct client_dns_upsock *u = h->data;
	struct client_dns_pending *p = u->p;
	uint8_t *reply = (uint8_t *)buf->base;

	if (nread <= 0 || !addr || !p || u->s->closing)
		return;
	if (nread < CLIENT_DNS_HEADER_LEN || (flags & UV_UDP_PARTIAL) ||
	    !same_addr(addr, &u->to) || ldns_read_uint16(reply) != p->up_id ||
	    !client_dns_reply_matches(reply, (size_t)nread, &p->question)) {
		u->s->st.upstream_stray++;
		return;
	}
	deliver(p, reply, (size_t)nread);
}

/* A fresh socket on a port the kernel picks at random (RFC 5452:
 * the port is the other 16 bits a spoofer must guess), connected to
 * to, with p's query sent. 0 or a libuv error. */
static int upsock_start(struct client_dns_pending *p,
			const struct sockaddr_storage *to)
{
	struct sockaddr_storage any = { .ss_family = to->ss_family };
	struct client_dnsstub *s = p->s;
	struct client_dns_upsock *u = calloc(1, sizeof(*u));
	uv_buf_t buf;
	int ret;

	if (!u)
		return UV_ENOMEM;
	u->s = s;
	u->p = p;
	u->to = *to;
	ret = uv_udp_init(s->loop, &u->udp);
	if (ret) {
		free(u);
		return ret;
	}
	u->udp.data = u;
	s->handles++;
	p->sock = u;
	ret = uv_udp_bind(&u->udp, (const struct sockaddr *)&any,
			  to->ss_family == AF_INET6 ? UV_UDP_IPV6ONLY : 0);
	if (!ret)
		ret = uv_udp_connect(&u->udp, (const struct sockaddr *)to);
	if (!ret)
		ret = uv_udp_recv_start(&u->udp, up_alloc, up_recv);
	if (!ret) {
		buf = uv_buf_init((char *)p->query, (unsigned int)p->len);
		ret = uv_udp_try_send(&u->udp, &buf, 1, NULL);
		ret = ret < 0 ? ret : 0;
	}
	if (ret)
		upsock_abandon(u);
	return ret;
}

/* --- Pending queries --- */

static void try_timeout(uv_timer_t *t)
{
	struct client_dns_pending *p = t->data;

	p->s->st.upstream_timeouts++;
	if (p->up)
		upconn_abandon(p->up);
	if (p->sock)
		upsock_abandon(p->sock);
	try_next(p);
}

/* Every try failed: SERVFAIL, with the asker's ID and question. */
static void servfail_pending(struct client_dns_pending *p)
{
	struct client_dnsstub *s = p->s;
	struct client_dns_query q;
	uint8_t *out = NULL;
	size_t outlen;
	bool parsed;

	s->st.servfail++;
	ldns_write_uint16(p->query, p->client_id);
	parsed = client_dns_parse_query(p->query, p->len, &q) == CLIENT_DNS_OK;
	if (!client_dns_error(p->query, p->len, parsed ? &q : NULL,
			      LDNS_RCODE_SERVFAIL, &out, &outlen))
		client_dns_reply(s, &p->origin, out, outlen);
	free(out);
	if (parsed)
		client_dns_query_free(&q);
	pending_free(p);
}

/* Sends p to the next upstream, with a fresh random ID (and over UDP
 * from a fresh random port); SERVFAIL when no try is left. */
static void try_next(struct client_dns_pending *p)
{
	struct client_dnsstub *s = p->s;
	unsigned int max = s->n_upstreams < 2 ? 2 :
						(unsigned int)s->n_upstreams;
	const struct sockaddr_storage *to;
	int ret;

	while (p->tries < max) {
		to = &s->upstreams[(p->first + p->tries++) % s->n_upstreams];
		p->up_id = (uint16_t)randombytes_uniform(65536);
		ldns_write_uint16(p->query, p->up_id);
		if (p->origin.conn)
			ret = upconn_start(p, to);
		else
			ret = upsock_start(p, to);
		if (!ret) {
			uv_timer_start(&p->timer, try_timeout, s->try_ms, 0);
			return;
		}
		s->st.send_failed++;
	}
	servfail_pending(p);
}

static void deliver(struct client_dns_pending *p, uint8_t *reply, size_t len)
{
	struct client_dnsstub *s = p->s;
	struct client_dns_origin o = p->origin;

	s->st.upstream_answers++;
	ldns_write_uint16(reply, p->client_id);
	pending_free(p); /* first: client_dns_reply may close the connection */
	client_dns_reply(s, &o, reply, len);
}

static void pending_free(struct client_dns_pending *p)
{
	struct client_dnsstub *s = p->s;

	uv_timer_stop(&p->timer);
	if (p->up)
		upconn_abandon(p->up);
	if (p->sock)
		upsock_abandon(p->sock);
	if (p->origin.conn)
		p->origin.conn->inflight--;
	free(p->query);
	p->query = NULL;
	p->used = false;
	s->st.pending--;
}

/* Queries from o's address and port (UDP) waiting upstream. Local
 * programs all come from the same address (the tunnel's), so the port
 * tells them apart; TCP is bounded per connection instead. */
static unsigned int pending_from(struct client_dnsstub *s,
				 const struct client_dns_origin *o)
{
	unsigned int n = 0;

	for (size_t i = 0; i < CLIENT_DNS_MAX_PENDING; i++) {
		const struct client_dns_pending *p = &s->pending[i];

		n += p->used && !p->origin.conn &&
		     fz_sockaddr_equal(&p->origin.addr, &o->addr);
	}
	return n;
}

static void servfail_now(struct client_dnsstub *s,
			 const struct client_dns_origin *o, const uint8_t *wire,
			 size_t len, const struct client_dns_query *q)
{
	uint8_t *out;
	size_t outlen;

	s->st.servfail++;
	if (client_dns_error(wire, len, q, LDNS_RCODE_SERVFAIL, &out, &outlen))
		return;
	client_dns_reply(s, o, out, outlen);
	free(out);
}

void client_dns_forward(struct client_dnsstub *s,
			const struct client_dns_origin *o, const uint8_t *wire,
			size_t len, const struct client_dns_query *q)
{
	struct client_dns_pending *p = NULL;

	for (size_t i = 0; i < CLIENT_DNS_MAX_PENDING && !p; i++)
		if (!s->pending[i].used)
			p = &s->pending[i];
	if (!s->n_upstreams) {
		servfail_now(s, o, wire, len, q);
		return;
	}
	if (!p) {
		if (client_dns_worth_logging(++s->st.pending_full))
			client_dns_log(
				s,
				"%d queries upstream already: SERVFAIL (%" PRIu64
				" so far)",
				CLIENT_DNS_MAX_PENDING, s->st.pending_full);
		servfail_now(s, o, wire, len, q);
		return;
	}
	if (o->conn && o->conn->inflight >= CLIENT_DNS_TCP_PIPELINE) {
		s->st.tcp_pipeline_full++;
		servfail_now(s, o, wire, len, q);
		return;
	}
	if (!o->conn &&
	    pending_from(s, o) >= CLIENT_DNS_MAX_PENDING_PER_SOURCE) {
		if (client_dns_worth_logging(++s->st.source_full)) {
			char from[FZ_SOCKADDR_TEXT_MAX];

			fz_sockaddr_format(from, &o->addr);
			client_dns_log(
				s,
				"%s has %d queries upstream already: SERVFAIL (%" PRIu64
				" so far)",
				from, CLIENT_DNS_MAX_PENDING_PER_SOURCE,
				s->st.source_full);
		}
		servfail_now(s, o, wire, len, q);
		return;
	}
	p->query = malloc(len);
	if (!p->query || client_dns_question(wire, len, &p->question)) {
		free(p->query);
		p->query = NULL;
		servfail_now(s, o, wire, len, q);
		return;
	}
	memcpy(p->query, wire, len);
	p->len = len;
	p->used = true;
	p->origin = *o;
	if (o->conn)
		o->conn->inflight++;
	p->client_id = q->id;
	p->first = s->next_upstream++ % (unsigned int)s->n_upstreams;
	p->tries = 0;
	s->st.forwarded++;
	if (++s->st.pending > s->st.pending_max)
		s->st.pending_max = s->st.pending;
	try_next(p);
}

void client_dns_fwd_cancel_conn(struct client_dnsstub *s,
				struct client_dns_conn *c)
{
	for (size_t i = 0; i < CLIENT_DNS_MAX_PENDING; i++)
		if (s->pending[i].used && s->pending[i].origin.conn == c)
			pending_free(&s->pending[i]);
}

int client_dns_fwd_init(struct client_dnsstub *s, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	for (size_t i = 0; i < CLIENT_DNS_MAX_PENDING; i++) {
		uv_timer_init(s->loop, &s->pending[i].timer);
		s->pending[i].timer.data = &s->pending[i];
		s->pending[i].s = s;
		s->handles++;
	}
	return 0;
}

void client_dns_fwd_close(struct client_dnsstub *s)
{
	for (size_t i = 0; i < CLIENT_DNS_MAX_PENDING; i++) {
		struct client_dns_pending *p = &s->pending[i];

		if (p->used)
			pending_free(p);
		p->timer.data = s;
		uv_close((uv_handle_t *)&p->timer, handle_closed);
	}
}
