// SPDX-License-Identifier: GPL-2.0
/*
 * dnsstub.c on a real loop over loopback: the resource table (matching,
 * checks, updates), local answers and the owner's callback, forwarding
 * with a fresh ID and the asker's restored, SERVFAIL when upstreams stay
 * silent, stray replies ignored (from the upstream not asked, without
 * the question), a port per query, a bound per asker, the caps on a
 * wildcard's names and on the owner's callbacks, an empty datagram (what
 * the socket filter leaves of another host's query) counted, unanswered.
 * Plain sockets play the asker and the upstream; the loop runs between
 * their steps.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client/dnsstub.h"
#include "../suites.h"

struct fixture {
	uv_loop_t loop;
	struct client_mapped *mapped;
	struct client_dnsstub *stub;
	int asker, upstream, upstream2; /* UDP sockets on 127.0.0.1 */
	struct sockaddr_storage stub_addr, up_addr[2];
	int calls;
	char last_name[256];
	uint8_t last_id[FZ_RESOURCE_ID_LEN];
};

static const struct client_dns_resource res[] = {
	{ { 1 }, "gitlab.company.test" },
	{ { 2 }, "*.one.test" },
	{ { 3 }, "**.many.test" },
	{ { 4 }, "**.company.test" },
};

static void on_resource(void *ctx, const char *name,
			const uint8_t id[FZ_RESOURCE_ID_LEN],
			const struct client_mapped_entry *e)
{
	struct fixture *f = ctx;

	(void)e;
	f->calls++;
	strcpy(f->last_name, name);
	memcpy(f->last_id, id, FZ_RESOURCE_ID_LEN);
}

static const struct client_dnsstub_ops ops = { .resource_query = on_resource };

/* A UDP socket bound to 127.0.0.1 on a port the kernel picks. */
static int udp_socket(struct sockaddr_storage *bound)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)bound;
	socklen_t len = sizeof(*bound);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	ck_assert_int_ge(fd, 0);
	memset(bound, 0, sizeof(*bound));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)bound, sizeof(*sin)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)bound, &len), 0);
	return fd;
}

static void setup_n(struct fixture *f, unsigned int try_ms, size_t n_up)
{
	struct client_dnsstub_config cfg = { 0 };
	char err[256];
	int probe;

	memset(f, 0, sizeof(*f));
	ck_assert_int_eq(uv_loop_init(&f->loop), 0);
	f->mapped = client_mapped_new(0, NULL, NULL);
	f->asker = udp_socket(&f->stub_addr);
	f->upstream = udp_socket(&f->up_addr[0]);
	f->upstream2 = udp_socket(&f->up_addr[1]);
	/* The stub's port: one the kernel just handed out, freed again. */
	probe = udp_socket(&f->stub_addr);
	close(probe);
	cfg.listen = &f->stub_addr;
	cfg.n_listen = 1;
	cfg.upstreams = f->up_addr;
	cfg.n_upstreams = n_up;
	cfg.try_ms = try_ms;
	f->stub = client_dnsstub_new(&f->loop, &cfg, f->mapped, &ops, f, err,
				     sizeof(err));
	ck_assert_msg(f->stub != NULL, "%s", err);
	ck_assert_int_eq(client_dnsstub_set_resources(f->stub, res, 4), 0);
}

static void setup(struct fixture *f, unsigned int try_ms)
{
	setup_n(f, try_ms, 1);
}

static void teardown(struct fixture *f)
{
	client_dnsstub_close(f->stub);
	uv_run(&f->loop, UV_RUN_DEFAULT);
	ck_assert_int_eq(uv_loop_close(&f->loop), 0);
	client_mapped_free(f->mapped);
	close(f->asker);
	close(f->upstream);
	close(f->upstream2);
}

/* Runs the loop until fd has a datagram (into buf) or ~3 s pass. */
static ssize_t await(struct fixture *f, int fd, uint8_t *buf, size_t len,
		     struct sockaddr_storage *from)
{
	socklen_t fromlen = sizeof(*from);
	ssize_t n;

	for (int i = 0; i < 3000; i++) {
		uv_run(&f->loop, UV_RUN_NOWAIT);
		n = recvfrom(fd, buf, len, 0, (struct sockaddr *)from,
			     &fromlen);
		if (n >= 0)
			return n;
		usleep(1000);
	}
	return -1;
}

static void ask_from(struct fixture *f, int fd, const char *name,
		     ldns_rr_type type, uint16_t id)
{
	ldns_pkt *p = ldns_pkt_query_new(ldns_dname_new_frm_str(name), type,
					 LDNS_RR_CLASS_IN, LDNS_RD);
	uint8_t *wire;
	size_t len;

	ldns_pkt_set_id(p, id);
	ck_assert_int_eq(ldns_pkt2wire(&wire, p, &len), LDNS_STATUS_OK);
	ck_assert_int_eq(sendto(fd, wire, len, 0,
				(struct sockaddr *)&f->stub_addr,
				sizeof(struct sockaddr_in)),
			 (ssize_t)len);
	free(wire);
	ldns_pkt_free(p);
}

static void ask(struct fixture *f, const char *name, ldns_rr_type type,
		uint16_t id)
{
	ask_from(f, f->asker, name, type, id);
}

static ldns_pkt *reply_on(struct fixture *f, int fd)
{
	struct sockaddr_storage from;
	uint8_t buf[4096];
	ssize_t n = await(f, fd, buf, sizeof(buf), &from);
	ldns_pkt *p;

	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(ldns_wire2pkt(&p, buf, (size_t)n), LDNS_STATUS_OK);
	return p;
}

static ldns_pkt *reply(struct fixture *f)
{
	return reply_on(f, f->asker);
}

/* The query in buf turned into a reply with rcode, sent from fd to to. */
static void answer(int fd, uint8_t *buf, size_t n, uint8_t rcode,
		   const struct sockaddr_storage *to)
{
	buf[2] |= 0x80;
	buf[3] = (uint8_t)((buf[3] & 0xf0) | rcode);
	ck_assert_int_eq(sendto(fd, buf, n, 0, (const struct sockaddr *)to,
				sizeof(struct sockaddr_in)),
			 (ssize_t)n);
}

static uint16_t port_of(const struct sockaddr_storage *ss)
{
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

START_TEST(test_match)
{
	struct fixture f;
	struct client_dns_resource bad = { { 9 }, "*" };
	const struct client_dns_resource *r;

	setup(&f, 0);
	/* The most specific pattern wins: exact, then *., then **. */
	ck_assert_uint_eq(
		client_dnsstub_match(f.stub, "gitlab.company.test")->id[0], 1);
	ck_assert_uint_eq(client_dnsstub_match(f.stub, "x.company.test")->id[0],
			  4);
	ck_assert_uint_eq(client_dnsstub_match(f.stub, "a.one.test")->id[0], 2);
	ck_assert_ptr_null(client_dnsstub_match(f.stub, "a.b.one.test"));
	ck_assert_ptr_null(client_dnsstub_match(f.stub, "one.test"));
	ck_assert_uint_eq(client_dnsstub_match(f.stub, "a.b.many.test")->id[0],
			  3);
	ck_assert_ptr_null(client_dnsstub_match(f.stub, "many.test"));
	/* Bad patterns are refused, and the table is left as it was. */
	ck_assert_int_eq(client_dnsstub_set_resources(f.stub, &bad, 1),
			 -EINVAL);
	strcpy(bad.pattern, "*.*.x");
	ck_assert_int_eq(client_dnsstub_upsert_resource(f.stub, &bad), -EINVAL);
	strcpy(bad.pattern, "a..b");
	ck_assert_int_eq(client_dnsstub_upsert_resource(f.stub, &bad), -EINVAL);
	ck_assert_ptr_nonnull(client_dnsstub_match(f.stub, "a.one.test"));
	/* Updates: a new pattern for an id, a removal, an addition. */
	strcpy(bad.pattern, "Late.Test");
	ck_assert_int_eq(client_dnsstub_upsert_resource(f.stub, &bad), 0);
	r = client_dnsstub_match(f.stub, "late.test");
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->pattern, "late.test");
	strcpy(bad.pattern, "later.test");
	ck_assert_int_eq(client_dnsstub_upsert_resource(f.stub, &bad), 0);
	ck_assert_ptr_null(client_dnsstub_match(f.stub, "late.test"));
	ck_assert_int_eq(client_dnsstub_remove_resource(f.stub, res[1].id), 0);
	ck_assert_int_eq(client_dnsstub_remove_resource(f.stub, res[1].id),
			 -ENOENT);
	ck_assert_ptr_null(client_dnsstub_match(f.stub, "a.one.test"));
	ck_assert_int_eq(client_dnsstub_set_resources(f.stub, NULL, 0), 0);
	ck_assert_ptr_null(client_dnsstub_match(f.stub, "gitlab.company.test"));
	teardown(&f);
}
END_TEST

START_TEST(test_local_answer)
{
	struct client_dnsstub_stats st;
	struct fixture f;
	ldns_pkt *p;

	setup(&f, 0);
	ask(&f, "GitLab.Company.Test.", LDNS_RR_TYPE_A, 0x4242);
	p = reply(&f);
	ck_assert_uint_eq(ldns_pkt_id(p), 0x4242);
	ck_assert_uint_eq(ldns_pkt_ancount(p), 4);
	ldns_pkt_free(p);
	ck_assert_int_eq(f.calls, 1);
	ck_assert_str_eq(f.last_name, "gitlab.company.test");
	ck_assert_uint_eq(f.last_id[0], 1);
	ask(&f, "gitlab.company.test.", LDNS_RR_TYPE_MX, 0x4243);
	p = reply(&f);
	ck_assert_uint_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	ck_assert_uint_eq(ldns_pkt_ancount(p), 0);
	ldns_pkt_free(p);
	ck_assert_int_eq(f.calls, 1);
	client_dnsstub_stats(f.stub, &st);
	ck_assert_uint_eq(st.local_answers, 2);
	ck_assert_uint_eq(st.forwarded, 0);
	ck_assert_uint_eq(client_mapped_count(f.mapped), 1);
	teardown(&f);
}
END_TEST

START_TEST(test_forward)
{
	struct client_dnsstub_stats st;
	struct sockaddr_storage from;
	uint8_t buf[4096], stray[4096];
	struct fixture f;
	ldns_pkt *p;
	ssize_t n;

	setup(&f, 0);
	ask(&f, "elsewhere.test.", LDNS_RR_TYPE_A, 0x1111);
	n = await(&f, f.upstream, buf, sizeof(buf), &from);
	ck_assert_int_gt(n, 12);
	/* The upstream sees the query unchanged, but for a fresh ID. */
	ck_assert_int_eq(ldns_wire2pkt(&p, buf, (size_t)n), LDNS_STATUS_OK);
	ck_assert_uint_eq(ldns_pkt_qdcount(p), 1);
	ldns_pkt_free(p);
	/* A reply from elsewhere, and one with another ID, are ignored. */
	memcpy(stray, buf, (size_t)n);
	stray[2] |= 0x80;
	sendto(f.asker, stray, (size_t)n, 0, (struct sockaddr *)&from,
	       sizeof(struct sockaddr_in));
	stray[0] ^= 0xff;
	sendto(f.upstream, stray, (size_t)n, 0, (struct sockaddr *)&from,
	       sizeof(struct sockaddr_in));
	/* The real one: REFUSED, to tell it from anything the stub makes. */
	buf[2] |= 0x80;
	buf[3] = (buf[3] & 0xf0) | LDNS_RCODE_REFUSED;
	sendto(f.upstream, buf, (size_t)n, 0, (struct sockaddr *)&from,
	       sizeof(struct sockaddr_in));
	p = reply(&f);
	ck_assert_uint_eq(ldns_pkt_id(p), 0x1111);
	ck_assert_uint_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_REFUSED);
	ldns_pkt_free(p);
	client_dnsstub_stats(f.stub, &st);
	ck_assert_uint_eq(st.forwarded, 1);
	ck_assert_uint_eq(st.upstream_answers, 1);
	/* The one from elsewhere never reaches the stub: its socket is
	 * connected to the upstream. */
	ck_assert_uint_eq(st.upstream_stray, 1);
	ck_assert_uint_eq(st.pending, 0);
	ck_assert_int_eq(f.calls, 0);
	teardown(&f);
}
END_TEST

START_TEST(test_silent_upstream)
{
	struct client_dnsstub_stats st;
	struct sockaddr_storage from;
	uint8_t buf[4096];
	uint16_t ids[2];
	struct fixture f;
	ldns_pkt *p;

	setup(&f, 50);
	ask(&f, "elsewhere.test.", LDNS_RR_TYPE_A, 0x2222);
	/* One upstream: asked twice, each time with a fresh ID. */
	for (int i = 0; i < 2; i++) {
		ck_assert_int_gt(await(&f, f.upstream, buf, sizeof(buf), &from),
				 12);
		ids[i] = (uint16_t)(buf[0] << 8 | buf[1]);
	}
	(void)ids;
	p = reply(&f);
	ck_assert_uint_eq(ldns_pkt_id(p), 0x2222);
	ck_assert_uint_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_SERVFAIL);
	ck_assert_uint_eq(ldns_pkt_qdcount(p), 1);
	ldns_pkt_free(p);
	client_dnsstub_stats(f.stub, &st);
	ck_assert_uint_eq(st.upstream_timeouts, 2);
	ck_assert_uint_eq(st.servfail, 1);
	ck_assert_uint_eq(st.pending, 0);
	teardown(&f);
}
END_TEST

/* A later init's upstreams: the next query asks the new one only. */
START_TEST(test_set_upstreams)
{
	struct sockaddr_storage from;
	uint8_t buf[4096];
	struct fixture f;
	ldns_pkt *p;
	ssize_t n;

	setup(&f, 0);
	ck_assert_int_eq(client_dnsstub_set_upstreams(f.stub, f.up_addr, 1), 0);
	ck_assert_int_eq(client_dnsstub_set_upstreams(f.stub, f.up_addr, 0),
			 -EINVAL);
	ck_assert_int_eq(
		client_dnsstub_set_upstreams(f.stub, f.up_addr,
					     CLIENT_DNS_MAX_UPSTREAMS + 1),
		-EINVAL);
	ck_assert_int_eq(client_dnsstub_set_upstreams(f.stub, &f.up_addr[1], 1),
			 1);
	ask(&f, "elsewhere.test.", LDNS_RR_TYPE_A, 0x2222);
	n = await(&f, f.upstream2, buf, sizeof(buf), &from);
	ck_assert_int_gt(n, 12);
	answer(f.upstream2, buf, (size_t)n, LDNS_RCODE_REFUSED, &from);
	p = reply(&f);
	ck_assert_uint_eq(ldns_pkt_id(p), 0x2222);
	ck_assert_uint_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_REFUSED);
	ldns_pkt_free(p);
	/* The old upstream was never asked. */
	ck_assert_int_lt(recv(f.upstream, buf, sizeof(buf), MSG_DONTWAIT), 0);
	teardown(&f);
}
END_TEST

START_TEST(test_malformed)
{
	struct client_dnsstub_stats st;
	struct sockaddr_storage from;
	uint8_t buf[64] = { 0xab, 0xcd, 0x01, 0x00, 0x00, 0x02 };
	struct fixture f;

	setup(&f, 0);
	/* Empty: what the socket filter leaves of another host's query. */
	sendto(f.asker, buf, 0, 0, (struct sockaddr *)&f.stub_addr,
	       sizeof(struct sockaddr_in));
	sendto(f.asker, buf, 5, 0, (struct sockaddr *)&f.stub_addr,
	       sizeof(struct sockaddr_in));
	sendto(f.asker, buf, 12, 0, (struct sockaddr *)&f.stub_addr,
	       sizeof(struct sockaddr_in));
	ck_assert_int_eq(await(&f, f.asker, buf, sizeof(buf), &from), 12);
	ck_assert_uint_eq(buf[0], 0xab);
	ck_assert_uint_eq(buf[3] & 15, LDNS_RCODE_FORMERR);
	client_dnsstub_stats(f.stub, &st);
	ck_assert_uint_eq(st.not_local, 1);
	ck_assert_uint_eq(st.udp_queries, 2);
	ck_assert_uint_eq(st.refused[CLIENT_DNS_SHORT], 1);
	ck_assert_uint_eq(st.refused[CLIENT_DNS_QDCOUNT], 1);
	teardown(&f);
}
END_TEST

START_TEST(test_bad_config)
{
	struct client_dnsstub_config cfg = { 0 };
	struct sockaddr_storage ss[2];
	struct client_dnsstub *s;
	uv_loop_t loop;
	char err[256];
	int fd;

	ck_assert_int_eq(uv_loop_init(&loop), 0);
	s = client_dnsstub_new(&loop, &cfg, NULL, &ops, NULL, err, sizeof(err));
	ck_assert_ptr_null(s);
	/* An address in use: the error names it; nothing is left open. */
	fd = udp_socket(&ss[0]);
	cfg.listen = ss;
	cfg.n_listen = 1;
	s = client_dnsstub_new(&loop, &cfg, NULL, &ops, NULL, err, sizeof(err));
	ck_assert_ptr_null(s);
	ck_assert_ptr_nonnull(strstr(err, "cannot listen on 127.0.0.1:"));
	uv_run(&loop, UV_RUN_DEFAULT);
	ck_assert_int_eq(uv_loop_close(&loop), 0);
	close(fd);
}
END_TEST

/* Runs the loop a few turns without waiting. */
static void pump(struct fixture *f)
{
	for (int i = 0; i < 4; i++)
		uv_run(&f->loop, UV_RUN_NOWAIT);
}

/* RFC 5452: a reply counts only from the address and port asked, with
 * the question echoed; each query leaves from a port of its own. */
START_TEST(test_spoofed_replies)
{
	struct sockaddr_storage from, from2;
	uint8_t buf[4096], buf2[4096], fake[4096];
	struct client_dnsstub_stats st;
	struct fixture f;
	ldns_pkt *p;
	ssize_t n, n2;

	setup_n(&f, 0, 2);
	ask(&f, "elsewhere.test.", LDNS_RR_TYPE_A, 0x1111);
	n = await(&f, f.upstream, buf, sizeof(buf), &from);
	ck_assert_int_gt(n, 12);
	ask(&f, "other.test.", LDNS_RR_TYPE_A, 0x2222);
	/* Round robin: the second query goes to the second upstream. */
	n2 = await(&f, f.upstream2, buf2, sizeof(buf2), &from2);
	ck_assert_int_gt(n2, 12);
	/* The upstream not asked answers with the right ID and question. */
	memcpy(fake, buf, (size_t)n);
	answer(f.upstream2, fake, (size_t)n, LDNS_RCODE_NXDOMAIN, &from);
	/* The one asked, the right ID, NOERROR without the question. */
	memcpy(fake, buf, 12);
	fake[4] = fake[5] = 0;
	answer(f.upstream, fake, 12, LDNS_RCODE_NOERROR, &from);
	/* The real answer. */
	answer(f.upstream, buf, (size_t)n, LDNS_RCODE_REFUSED, &from);
	p = reply(&f);
	ck_assert_uint_eq(ldns_pkt_id(p), 0x1111);
	ck_assert_uint_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_REFUSED);
	ldns_pkt_free(p);
	/* An error without the question, from the one asked: taken. */
	memcpy(fake, buf2, 12);
	fake[4] = fake[5] = 0;
	answer(f.upstream2, fake, 12, LDNS_RCODE_SERVFAIL, &from2);
	p = reply(&f);
	ck_assert_uint_eq(ldns_pkt_id(p), 0x2222);
	ck_assert_uint_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_SERVFAIL);
	ldns_pkt_free(p);
	client_dnsstub_stats(f.stub, &st);
	ck_assert_uint_eq(st.upstream_answers, 2);
	ck_assert_uint_ge(st.upstream_stray, 1);
	ck_assert_uint_eq(st.pending, 0);
	/* Two queries waiting at once left from two ports. */
	ck_assert_uint_ne(port_of(&from), port_of(&from2));
	ck_assert_uint_ne(port_of(&from), port_of(&f.stub_addr));
	teardown(&f);
}
END_TEST

/* One asker flooding a black hole cannot take every slot. */
START_TEST(test_per_source)
{
	struct sockaddr_storage from, other_addr;
	struct client_dnsstub_stats st;
	struct client_dns_question q;
	uint8_t buf[4096];
	struct fixture f;
	bool found = false;
	int other;
	ldns_pkt *p;
	ssize_t n;

	setup(&f, 5000);
	other = udp_socket(&other_addr);
	for (int i = 0; i < 600; i++) {
		ask(&f, "hole.test.", LDNS_RR_TYPE_A, (uint16_t)i);
		if (i % 16 == 15)
			pump(&f);
	}
	pump(&f);
	ask_from(&f, other, "fine.test.", LDNS_RR_TYPE_A, 0x7777);
	while (!found) {
		n = await(&f, f.upstream, buf, sizeof(buf), &from);
		if (n < 0)
			break;
		found = !client_dns_question(buf, (size_t)n, &q) &&
			q.len == 11 && !memcmp(q.name, "\4fine\4test", 11);
	}
	ck_assert_msg(found, "the second asker's query never went upstream");
	answer(f.upstream, buf, (size_t)n, LDNS_RCODE_REFUSED, &from);
	p = reply_on(&f, other);
	ck_assert_uint_eq(ldns_pkt_id(p), 0x7777);
	ck_assert_uint_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_REFUSED);
	ldns_pkt_free(p);
	client_dnsstub_stats(f.stub, &st);
	ck_assert_uint_le(st.pending_max,
			  CLIENT_DNS_MAX_PENDING_PER_SOURCE + 1);
	ck_assert_uint_eq(st.pending, CLIENT_DNS_MAX_PENDING_PER_SOURCE);
	ck_assert_uint_gt(st.source_full, 0);
	ck_assert_uint_eq(st.pending_full, 0);
	close(other);
	teardown(&f);
}
END_TEST

/* How many A records name gets. */
static size_t a_records(struct fixture *f, const char *name)
{
	ldns_pkt *p;
	size_t n;

	ask(f, name, LDNS_RR_TYPE_A, 0x3333);
	p = reply(f);
	n = ldns_pkt_ancount(p);
	ldns_pkt_free(p);
	return n;
}

/* Random names under a wildcard cannot use the mapped IPs up. */
START_TEST(test_wildcard_cap)
{
	struct client_dnsstub_stats st;
	struct fixture f;
	size_t got = 0, empty = 0;
	char name[64];

	setup(&f, 0);
	for (int i = 0; i < CLIENT_MAPPED_PER_WILDCARD + 4; i++) {
		snprintf(name, sizeof(name), "n%d.one.test.", i);
		if (a_records(&f, name) == 4)
			got++;
		else
			empty++;
	}
	ck_assert_uint_eq(got, CLIENT_MAPPED_PER_WILDCARD);
	ck_assert_uint_eq(empty, 4);
	/* A name that got addresses keeps them; the owner heard of it
	 * less than a second ago, and is not told again. The last one, not
	 * the first: 256 queries can take a second on a loaded machine. */
	snprintf(name, sizeof(name), "n%d.one.test.",
		 CLIENT_MAPPED_PER_WILDCARD - 1);
	ck_assert_uint_eq(a_records(&f, name), 4);
	ck_assert_int_eq(f.calls, CLIENT_MAPPED_PER_WILDCARD);
	/* Exact names and other wildcards still get theirs. */
	ck_assert_uint_eq(a_records(&f, "gitlab.company.test."), 4);
	ck_assert_uint_eq(a_records(&f, "x.many.test."), 4);
	ck_assert_int_eq(f.calls, CLIENT_MAPPED_PER_WILDCARD + 2);
	client_dnsstub_stats(f.stub, &st);
	ck_assert_uint_eq(st.resource_full, 4);
	ck_assert_uint_eq(st.resource_query_limited, 1);
	teardown(&f);
}
END_TEST

/* The owner hears of a name at most once a second. */
START_TEST(test_tell_rate)
{
	struct fixture f;

	setup(&f, 0);
	for (int i = 0; i < 5; i++)
		ck_assert_uint_eq(a_records(&f, "gitlab.company.test."), 4);
	ck_assert_int_eq(f.calls, 1);
	usleep(1100 * 1000);
	ck_assert_uint_eq(a_records(&f, "gitlab.company.test."), 4);
	ck_assert_int_eq(f.calls, 2);
	teardown(&f);
}
END_TEST

Suite *client_dnsstub_suite(void)
{
	Suite *s = suite_create("client_dnsstub");
	TCase *tc = tcase_create("client_dnsstub");

	tcase_add_test(tc, test_match);
	tcase_add_test(tc, test_local_answer);
	tcase_add_test(tc, test_forward);
	tcase_add_test(tc, test_silent_upstream);
	tcase_add_test(tc, test_set_upstreams);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_bad_config);
	tcase_add_test(tc, test_spoofed_replies);
	tcase_add_test(tc, test_per_source);
	tcase_add_test(tc, test_wildcard_cap);
	tcase_add_test(tc, test_tell_rate);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}
