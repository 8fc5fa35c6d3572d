// SPDX-License-Identifier: GPL-2.0
/*
 * dnsstub.c on a real loop over loopback: the resource table (matching,
 * checks, updates), local answers and the owner's callback, forwarding
 * with a fresh ID and the asker's restored, SERVFAIL when upstreams stay
 * silent, stray replies ignored. Plain sockets play the asker and the
 * upstream; the loop runs between their steps.
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
	int asker, upstream; /* UDP sockets on 127.0.0.1 */
	struct sockaddr_storage stub_addr, up_addr;
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

static void setup(struct fixture *f, unsigned int try_ms)
{
	struct client_dnsstub_config cfg = { 0 };
	char err[256];
	int probe;

	memset(f, 0, sizeof(*f));
	ck_assert_int_eq(uv_loop_init(&f->loop), 0);
	f->mapped = client_mapped_new(0, NULL, NULL);
	f->asker = udp_socket(&f->stub_addr);
	f->upstream = udp_socket(&f->up_addr);
	/* The stub's port: one the kernel just handed out, freed again. */
	probe = udp_socket(&f->stub_addr);
	close(probe);
	cfg.listen = &f->stub_addr;
	cfg.n_listen = 1;
	cfg.upstreams = &f->up_addr;
	cfg.n_upstreams = 1;
	cfg.try_ms = try_ms;
	f->stub = client_dnsstub_new(&f->loop, &cfg, f->mapped, &ops, f, err,
				     sizeof(err));
	ck_assert_msg(f->stub != NULL, "%s", err);
	ck_assert_int_eq(client_dnsstub_set_resources(f->stub, res, 4), 0);
}

static void teardown(struct fixture *f)
{
	client_dnsstub_close(f->stub);
	uv_run(&f->loop, UV_RUN_DEFAULT);
	ck_assert_int_eq(uv_loop_close(&f->loop), 0);
	client_mapped_free(f->mapped);
	close(f->asker);
	close(f->upstream);
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

static void ask(struct fixture *f, const char *name, ldns_rr_type type,
		uint16_t id)
{
	ldns_pkt *p = ldns_pkt_query_new(ldns_dname_new_frm_str(name), type,
					 LDNS_RR_CLASS_IN, LDNS_RD);
	uint8_t *wire;
	size_t len;

	ldns_pkt_set_id(p, id);
	ck_assert_int_eq(ldns_pkt2wire(&wire, p, &len), LDNS_STATUS_OK);
	ck_assert_int_eq(sendto(f->asker, wire, len, 0,
				(struct sockaddr *)&f->stub_addr,
				sizeof(struct sockaddr_in)),
			 (ssize_t)len);
	free(wire);
	ldns_pkt_free(p);
}

static ldns_pkt *reply(struct fixture *f)
{
	struct sockaddr_storage from;
	uint8_t buf[4096];
	ssize_t n = await(f, f->asker, buf, sizeof(buf), &from);
	ldns_pkt *p;

	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(ldns_wire2pkt(&p, buf, (size_t)n), LDNS_STATUS_OK);
	return p;
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
	ck_assert_uint_eq(st.upstream_stray, 2);
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

START_TEST(test_malformed)
{
	struct client_dnsstub_stats st;
	struct sockaddr_storage from;
	uint8_t buf[64] = { 0xab, 0xcd, 0x01, 0x00, 0x00, 0x02 };
	struct fixture f;

	setup(&f, 0);
	sendto(f.asker, buf, 5, 0, (struct sockaddr *)&f.stub_addr,
	       sizeof(struct sockaddr_in));
	sendto(f.asker, buf, 12, 0, (struct sockaddr *)&f.stub_addr,
	       sizeof(struct sockaddr_in));
	ck_assert_int_eq(await(&f, f.asker, buf, sizeof(buf), &from), 12);
	ck_assert_uint_eq(buf[0], 0xab);
	ck_assert_uint_eq(buf[3] & 15, LDNS_RCODE_FORMERR);
	client_dnsstub_stats(f.stub, &st);
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

Suite *client_dnsstub_suite(void)
{
	Suite *s = suite_create("client_dnsstub");
	TCase *tc = tcase_create("client_dnsstub");

	tcase_add_test(tc, test_match);
	tcase_add_test(tc, test_local_answer);
	tcase_add_test(tc, test_forward);
	tcase_add_test(tc, test_silent_upstream);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_bad_config);
	suite_add_tcase(s, tc);
	return s;
}
