// SPDX-License-Identifier: GPL-2.0
/*
 * The askers' TCP connections (RFC 7766): messages with a 2-byte length,
 * several in flight, answered in any order. A length that cannot be a
 * stub's query, a reader that lets CLIENT_DNS_TCP_WRITE_MAX pile up, or
 * tcp_idle_ms without a query (and nothing in flight) closes the
 * connection; past CLIENT_DNS_MAX_TCP a new one is closed at once.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dnsstub_int.h"
#include "lib/sockaddr.h"

static void conn_closed(uv_handle_t *h)
{
	struct client_dns_conn *c = h->data;
	struct client_dnsstub *s = c->s;

	if (!--c->handles)
		free(c);
	client_dns_handle_closed(s);
}

static void conn_close(struct client_dns_conn *c)
{
	struct client_dnsstub *s = c->s;

	if (c->closing)
		return;
	c->closing = true;
	client_dns_fwd_cancel_conn(s, c);
	if (c->pprev) {
		*c->pprev = c->next;
		if (c->next)
			c->next->pprev = c->pprev;
		s->st.tcp_conns--;
	}
	uv_close((uv_handle_t *)&c->tcp, conn_closed);
	uv_close((uv_handle_t *)&c->idle, conn_closed);
}

static void idle_timeout(uv_timer_t *t)
{
	struct client_dns_conn *c = t->data;

	if (c->inflight) {
		uv_timer_again(t);
		return;
	}
	c->s->st.tcp_idle_closed++;
	conn_close(c);
}

static void write_done(uv_write_t *req, int status)
{
	(void)status;
	free(req);
}

void client_dns_tcp_write(struct client_dns_conn *c, const uint8_t *wire,
			  size_t len)
{
	struct client_dnsstub *s = c->s;
	uv_write_t *req;
	uint8_t *msg;
	uv_buf_t buf;

	if (c->closing || len > UINT16_MAX)
		return;
	if (uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp) >
	    CLIENT_DNS_TCP_WRITE_MAX) {
		s->st.tcp_slow_reader++;
		conn_close(c);
		return;
	}
	req = malloc(sizeof(*req) + 2 + len);
	if (!req) {
		s->st.send_failed++;
		return;
	}
	msg = (uint8_t *)(req + 1);
	msg[0] = (uint8_t)(len >> 8);
	msg[1] = (uint8_t)len;
	memcpy(msg + 2, wire, len);
	buf = uv_buf_init((char *)msg, (unsigned int)(2 + len));
	if (uv_write(req, (uv_stream_t *)&c->tcp, &buf, 1, write_done)) {
		free(req);
		s->st.send_failed++;
		conn_close(c);
		return;
	}
	uv_timer_again(&c->idle);
}

static void conn_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct client_dns_conn *c = h->data;

	(void)suggested;
	*buf = uv_buf_init((char *)c->buf + c->len,
			   (unsigned int)(sizeof(c->buf) - c->len));
}

/* Each whole message in the buffer, in order; a bad length closes. */
static void conn_consume(struct client_dns_conn *c)
{
	struct client_dnsstub *s = c->s;
	struct client_dns_origin o = { .conn = c };
	size_t qlen, used = 0;
	int len = sizeof(o.addr);

	uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&o.addr, &len);
	while (!c->closing && c->len - used >= 2) {
		qlen = (size_t)c->buf[used] << 8 | c->buf[used + 1];
		if (qlen < CLIENT_DNS_HEADER_LEN ||
		    qlen > CLIENT_DNS_MAX_QUERY) {
			if (client_dns_worth_logging(++s->st.tcp_bad_length))
				client_dns_log(
					s,
					"TCP query of %zu bytes: connection closed (%" PRIu64
					" so far)",
					qlen, s->st.tcp_bad_length);
			conn_close(c);
			return;
		}
		if (c->len - used < 2 + qlen)
			break;
		s->st.tcp_queries++;
		client_dns_on_query(s, &o, c->buf + used + 2, qlen);
		used += 2 + qlen;
	}
	if (c->closing)
		return;
	memmove(c->buf, c->buf + used, c->len - used);
	c->len -= used;
}

static void conn_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf)
{
	struct client_dns_conn *c = st->data;

	(void)buf;
	if (nread == 0 || c->closing)
		return;
	if (nread < 0) {
		conn_close(c);
		return;
	}
	c->len += (size_t)nread;
	uv_timer_again(&c->idle);
	conn_consume(c);
}

void client_dns_tcp_connection(uv_stream_t *server, int status)
{
	struct client_dns_listener *l = server->data;
	struct client_dnsstub *s = l->s;
	struct client_dns_conn *c;

	if (status < 0 || s->closing)
		return;
	c = calloc(1, sizeof(*c));
	if (!c)
		return; /* left in the backlog; tried again on the next one */
	c->s = s;
	uv_tcp_init(s->loop, &c->tcp);
	uv_timer_init(s->loop, &c->idle);
	c->tcp.data = c;
	c->idle.data = c;
	c->handles = 2;
	s->handles += 2;
	if (uv_accept(server, (uv_stream_t *)&c->tcp)) {
		conn_close(c);
		return;
	}
	if (s->st.tcp_conns >= CLIENT_DNS_MAX_TCP) {
		if (client_dns_worth_logging(++s->st.tcp_refused))
			client_dns_log(
				s,
				"%d TCP connections already: one closed (%" PRIu64
				" so far)",
				CLIENT_DNS_MAX_TCP, s->st.tcp_refused);
		conn_close(c);
		return;
	}
	c->next = s->conns;
	if (c->next)
		c->next->pprev = &c->next;
	c->pprev = &s->conns;
	s->conns = c;
	s->st.tcp_accepted++;
	if (++s->st.tcp_conns > s->st.tcp_conns_max)
		s->st.tcp_conns_max = s->st.tcp_conns;
	uv_timer_start(&c->idle, idle_timeout, s->tcp_idle_ms, s->tcp_idle_ms);
	if (uv_read_start((uv_stream_t *)&c->tcp, conn_alloc, conn_read))
		conn_close(c);
}

void client_dns_tcp_close_all(struct client_dnsstub *s)
{
	while (s->conns)
		conn_close(s->conns);
}
