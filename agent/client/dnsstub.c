// SPDX-License-Identifier: GPL-2.0
/*
 * The DNS stub: the object, its resource table, its UDP listeners (only
 * this host's programs heard) and the decision each query gets (dropped,
 * refused, answered from mapped IPs, or forwarded by dnsfwd.c).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/filter.h>
#include <sodium.h>

#include "dnsstub_int.h"
#include "lib/sockaddr.h"

void client_dns_log(struct client_dnsstub *s, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (s->closing || !s->ops->log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	s->ops->log(s->ctx, line);
}

/* First ten of each reason, then at powers of two: a flood cannot fill
 * the log, and the counts still show how much there was. */
bool client_dns_worth_logging(uint64_t count)
{
	return count <= 10 || !(count & (count - 1));
}

/* --- Resources --- */

/* How specific a pattern is: exact names beat "*.", which beats "**.". */
static unsigned int specificity(const char *pattern)
{
	if (!strncmp(pattern, "**.", 3))
		return 0;
	if (!strncmp(pattern, "*.", 2))
		return 1;
	return 2;
}

const struct client_dns_resource *
client_dnsstub_match(const struct client_dnsstub *s, const char *name)
{
	const struct client_dns_resource *best = NULL;
	unsigned int best_spec = 0;
	size_t best_len = 0;

	for (size_t i = 0; i < s->n_res; i++) {
		const struct client_dns_resource *r = &s->res[i];
		unsigned int spec = specificity(r->pattern);
		size_t len = strlen(r->pattern);

		if (!fz_domain_matches(r->pattern, name))
			continue;
		if (best && (spec < best_spec ||
			     (spec == best_spec && len <= best_len)))
			continue;
		best = r, best_spec = spec, best_len = len;
	}
	return best;
}

/* r's pattern checked and lower-cased into out: 0 or -EINVAL. */
static int check_resource(const struct client_dns_resource *r,
			  struct client_dns_resource *out)
{
	size_t len = strnlen(r->pattern, sizeof(r->pattern));
	const char *host;

	if (len == sizeof(r->pattern))
		return -EINVAL;
	*out = *r;
	for (size_t i = 0; i < len; i++)
		out->pattern[i] = (char)tolower((unsigned char)r->pattern[i]);
	host = out->pattern;
	if (!strncmp(host, "**.", 3))
		host += 3;
	else if (!strncmp(host, "*.", 2))
		host += 2;
	return fz_domain_valid(host) ? 0 : -EINVAL;
}

int client_dnsstub_set_resources(struct client_dnsstub *s,
				 const struct client_dns_resource *r, size_t n)
{
	struct client_dns_resource *copy = NULL;

	if (n) {
		copy = calloc(n, sizeof(*copy));
		if (!copy)
			return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		if (check_resource(&r[i], &copy[i])) {
			free(copy);
			return -EINVAL;
		}
	}
	free(s->res);
	s->res = copy;
	s->n_res = n;
	return 0;
}

int client_dnsstub_upsert_resource(struct client_dnsstub *s,
				   const struct client_dns_resource *r)
{
	struct client_dns_resource checked, *grown;

	if (check_resource(r, &checked))
		return -EINVAL;
	for (size_t i = 0; i < s->n_res; i++) {
		if (!memcmp(s->res[i].id, r->id, FZ_RESOURCE_ID_LEN)) {
			s->res[i] = checked;
			return 0;
		}
	}
	grown = realloc(s->res, (s->n_res + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	s->res = grown;
	s->res[s->n_res++] = checked;
	return 0;
}

int client_dnsstub_remove_resource(struct client_dnsstub *s,
				   const uint8_t id[FZ_RESOURCE_ID_LEN])
{
	for (size_t i = 0; i < s->n_res; i++) {
		if (memcmp(s->res[i].id, id, FZ_RESOURCE_ID_LEN))
			continue;
		memmove(&s->res[i], &s->res[i + 1],
			(s->n_res - i - 1) * sizeof(*s->res));
		s->n_res--;
		return 0;
	}
	return -ENOENT;
}

/* --- Queries --- */

void client_dns_reply(struct client_dnsstub *s,
		      const struct client_dns_origin *o, const uint8_t *wire,
		      size_t len)
{
	uv_buf_t buf = uv_buf_init((char *)wire, (unsigned int)len);

	if (o->conn) {
		client_dns_tcp_write(o->conn, wire, len);
		return;
	}
	if (uv_udp_try_send(o->udp, &buf, 1,
			    (const struct sockaddr *)&o->addr) < 0)
		s->st.send_failed++;
}

static void refuse(struct client_dnsstub *s, const struct client_dns_origin *o,
		   const uint8_t *wire, size_t len, enum client_dns_verdict v)
{
	int rcode = client_dns_verdict_rcode(v);
	uint64_t n = ++s->st.refused[v];
	char from[FZ_SOCKADDR_TEXT_MAX];
	uint8_t *out;
	size_t outlen;

	if (client_dns_worth_logging(n)) {
		fz_sockaddr_format(from, &o->addr);
		client_dns_log(s, "query from %s %s: %s (%" PRIu64 " so far)",
			       from, rcode < 0 ? "dropped" : "refused",
			       client_dns_verdict_name(v), n);
	}
	if (rcode < 0 ||
	    client_dns_error(wire, len, NULL, (uint8_t)rcode, &out, &outlen))
		return;
	client_dns_reply(s, o, out, outlen);
	free(out);
}

/* A or AAAA of a resource's name: its mapped IPs; other types: none. */
static void answer_resource(struct client_dnsstub *s,
			    const struct client_dns_origin *o,
			    const struct client_dns_query *q,
			    const struct client_dns_resource *r)
{
	const struct client_mapped_entry *e = NULL;
	const struct fz_cidr *addrs = NULL;
	uint8_t id[FZ_RESOURCE_ID_LEN], *out;
	size_t n = 0, outlen;
	int ret;

	if (q->qtype == LDNS_RR_TYPE_A || q->qtype == LDNS_RR_TYPE_AAAA) {
		memcpy(id, r->id, sizeof(id)); /* the callback may change r */
		if (r->pattern[0] == '*')
			ret = client_mapped_get_wildcard(s->mapped, q->name, id,
							 &e);
		else
			ret = client_mapped_get(s->mapped, q->name, id, &e);
		if (ret == -ENOSPC)
			s->st.pool_exhausted++;
		else if (ret == -EDQUOT)
			s->st.resource_full++;
		else if (ret)
			return; /* out of memory: the asker retries */
		if (e) {
			addrs = q->qtype == LDNS_RR_TYPE_A ? e->v4 : e->v6;
			n = CLIENT_MAPPED_PER_FAMILY;
			if (!client_mapped_tell(s->mapped, e, uv_now(s->loop)))
				s->st.resource_query_limited++;
			else if (s->ops->resource_query)
				s->ops->resource_query(s->ctx, e->name, id, e);
		}
	}
	if (client_dns_answer(q, addrs, n, s->ttl, &out, &outlen))
		return;
	s->st.local_answers++;
	client_dns_reply(s, o, out, outlen);
	free(out);
}

void client_dns_on_query(struct client_dnsstub *s,
			 const struct client_dns_origin *o, const uint8_t *wire,
			 size_t len)
{
	const struct client_dns_resource *r = NULL;
	struct client_dns_query q;
	enum client_dns_verdict v;

	v = client_dns_parse_query(wire, len, &q);
	if (v != CLIENT_DNS_OK) {
		refuse(s, o, wire, len, v);
		return;
	}
	if (q.host_name && q.qclass == LDNS_RR_CLASS_IN)
		r = client_dnsstub_match(s, q.name);
	if (r)
		answer_resource(s, o, &q, r);
	else
		client_dns_forward(s, o, wire, len, &q);
	client_dns_query_free(&q);
}

/* --- UDP --- */

static void udp_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct client_dns_listener *l = h->data;

	(void)suggested;
	*buf = uv_buf_init((char *)l->s->rbuf, sizeof(l->s->rbuf));
}

/* What the filter left of a query from another host: logged, no answer. */
static void not_local(struct client_dnsstub *s, const struct sockaddr *addr)
{
	char from[FZ_SOCKADDR_TEXT_MAX];
	struct sockaddr_storage ss;
	uint64_t n = ++s->st.not_local;

	if (!client_dns_worth_logging(n))
		return;
	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, addr,
	       addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
					     sizeof(struct sockaddr_in));
	fz_sockaddr_format(from, &ss);
	client_dns_log(s,
		       "query from %s dropped: not from this host (%" PRIu64
		       " so far)",
		       from, n);
}

static void udp_recv(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf,
		     const struct sockaddr *addr, unsigned int flags)
{
	struct client_dns_listener *l = h->data;
	struct client_dns_origin o = { .udp = h };

	if (nread < 0 || !addr || l->s->closing)
		return;
	if (!nread) { /* an empty datagram: what only_here() leaves */
		not_local(l->s, addr);
		return;
	}
	memcpy(&o.addr, addr,
	       addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
					     sizeof(struct sockaddr_in));
	l->s->st.udp_queries++;
	if (flags & UV_UDP_PARTIAL) {
		refuse(l->s, &o, (const uint8_t *)buf->base, 0,
		       CLIENT_DNS_OVERSIZED);
		return;
	}
	client_dns_on_query(l->s, &o, (const uint8_t *)buf->base,
			    (size_t)nread);
}

/* --- The object --- */

static void handle_closed(uv_handle_t *h)
{
	client_dns_handle_closed(h->data);
}

void client_dns_handle_closed(struct client_dnsstub *s)
{
	if (--s->handles || !s->closing)
		return;
	free(s->res);
	free(s);
}

/*
 * Only this host's programs may ask: a resolver for the LAN would answer
 * it internal names through the portal's resolvers, reflect its floods,
 * and use up the names our resources may have. Linux takes a packet for
 * any of its addresses on any interface (the weak host model), so a LAN
 * host that routes the sentinels through us reaches the stub. What tells
 * the two apart exactly is the device a packet came in on: whatever this
 * host sends to an address of its own comes in on loopback, whichever
 * device holds the address (the sentinels are fz0's), and nothing else
 * does. IP_PKTINFO cannot say it (it names fz0 for this host's packets
 * and for the tunnel's alike); the kernel's socket filter sees the
 * device itself, and a filter set before bind() lets nothing through
 * unseen.
 *
 * From another device, the filter keeps UDP's header only (it asks for
 * 1 byte; the kernel never cuts into the header): an empty datagram,
 * which udp_recv() counts and drops (no DNS asker sends one), so that a
 * flood shows in the stats. TCP gets nothing (keep is 0): its SYN is
 * dropped and no connection opens; accepted connections inherit the
 * filter.
 */
#define LOOPBACK_IFINDEX 1 /* the kernel's, in every namespace */

static int only_here(uv_handle_t *h, uint32_t keep)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_IFINDEX),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, LOOPBACK_IFINDEX, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, UINT32_MAX), /* the whole packet */
		BPF_STMT(BPF_RET | BPF_K, keep),
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]),
				   .filter = code };
	uv_os_fd_t fd;
	int ret = uv_fileno(h, &fd);

	if (ret)
		return ret;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)))
		return uv_translate_sys_error(errno);
	return 0;
}

static int listen_on(struct client_dnsstub *s, struct client_dns_listener *l,
		     const struct sockaddr_storage *ss, char *err,
		     size_t errlen)
{
	const struct sockaddr *sa = (const struct sockaddr *)ss;
	bool v6 = ss->ss_family == AF_INET6;
	char text[FZ_SOCKADDR_TEXT_MAX];
	const char *what = "udp";
	int ret, ret_tcp;

	l->s = s;
	/* The sockets made now, so that the filter is on before bind(). */
	ret = uv_udp_init_ex(s->loop, &l->udp, ss->ss_family);
	if (ret)
		uv_udp_init(s->loop, &l->udp); /* closed like the others */
	l->udp.data = s;
	s->handles++;
	ret_tcp = uv_tcp_init_ex(s->loop, &l->tcp, ss->ss_family);
	if (ret_tcp)
		uv_tcp_init(s->loop, &l->tcp);
	l->tcp.data = s;
	s->handles++;
	if (!ret)
		ret = only_here((uv_handle_t *)&l->udp, 1);
	if (!ret)
		ret = uv_udp_bind(&l->udp, sa, v6 ? UV_UDP_IPV6ONLY : 0);
	if (!ret) {
		/* The callbacks find the listener, not the stub. */
		l->udp.data = l;
		ret = uv_udp_recv_start(&l->udp, udp_alloc, udp_recv);
	}
	if (!ret) {
		what = "tcp";
		ret = ret_tcp ? ret_tcp : only_here((uv_handle_t *)&l->tcp, 0);
	}
	if (!ret)
		ret = uv_tcp_bind(&l->tcp, sa, v6 ? UV_TCP_IPV6ONLY : 0);
	if (!ret) {
		l->tcp.data = l;
		ret = uv_listen((uv_stream_t *)&l->tcp, 128,
				client_dns_tcp_connection);
	}
	if (ret) {
		fz_sockaddr_format(text, ss);
		snprintf(err, errlen, "cannot listen on %s (%s): %s", text,
			 what, uv_strerror(ret));
	}
	return ret;
}

struct client_dnsstub *
client_dnsstub_new(uv_loop_t *loop, const struct client_dnsstub_config *cfg,
		   struct client_mapped *mapped,
		   const struct client_dnsstub_ops *ops, void *ctx, char *err,
		   size_t errlen)
{
	struct client_dnsstub *s;

	if (!cfg->n_listen || cfg->n_listen > CLIENT_DNS_MAX_LISTEN ||
	    cfg->n_upstreams > CLIENT_DNS_MAX_UPSTREAMS) {
		snprintf(
			err, errlen,
			"the stub needs 1 to %d addresses and at most %d upstreams",
			CLIENT_DNS_MAX_LISTEN, CLIENT_DNS_MAX_UPSTREAMS);
		return NULL;
	}
	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium failed to start");
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->loop = loop;
	s->mapped = mapped;
	s->ops = ops;
	s->ctx = ctx;
	s->ttl = cfg->ttl ? cfg->ttl : CLIENT_DNS_TTL;
	s->try_ms = cfg->try_ms ? cfg->try_ms : CLIENT_DNS_TRY_MS;
	s->tcp_idle_ms = cfg->tcp_idle_ms ? cfg->tcp_idle_ms :
					    CLIENT_DNS_TCP_IDLE_MS;
	if (cfg->n_upstreams)
		memcpy(s->upstreams, cfg->upstreams,
		       cfg->n_upstreams * sizeof(*s->upstreams));
	s->n_upstreams = cfg->n_upstreams;
	if (client_dns_fwd_init(s, err, errlen))
		goto fail;
	for (size_t i = 0; i < cfg->n_listen; i++) {
		s->n_listen++;
		if (listen_on(s, &s->listeners[i], &cfg->listen[i], err,
			      errlen))
			goto fail;
	}
	return s;
fail:
	client_dnsstub_close(s);
	return NULL;
}

int client_dnsstub_set_upstreams(struct client_dnsstub *s,
				 const struct sockaddr_storage *up, size_t n)
{
	bool same;

	if (!n || n > CLIENT_DNS_MAX_UPSTREAMS)
		return -EINVAL;
	same = n == s->n_upstreams;

	for (size_t i = 0; same && i < n; i++)
		same = fz_sockaddr_equal(&s->upstreams[i], &up[i]);
	if (same)
		return 0;
	memcpy(s->upstreams, up, n * sizeof(*up));
	s->n_upstreams = n;
	s->next_upstream = 0;
	return 1;
}

void client_dnsstub_stats(const struct client_dnsstub *s,
			  struct client_dnsstub_stats *out)
{
	*out = s->st;
}

void client_dnsstub_close(struct client_dnsstub *s)
{
	if (!s || s->closing)
		return;
	s->closing = true;
	client_dns_tcp_close_all(s);
	client_dns_fwd_close(s);
	for (size_t i = 0; i < s->n_listen; i++) {
		s->listeners[i].udp.data = s;
		s->listeners[i].tcp.data = s;
		uv_close((uv_handle_t *)&s->listeners[i].udp, handle_closed);
		uv_close((uv_handle_t *)&s->listeners[i].tcp, handle_closed);
	}
}
