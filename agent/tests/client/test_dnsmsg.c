// SPDX-License-Identifier: GPL-2.0
/*
 * dnsmsg.c on byte buffers: what a query is judged, the stub's own
 * answers read back with ldns, and upstream replies matched to
 * questions. Malformed input is the point: short, QR set, QDCOUNT 0 and
 * 2, compression loops and stray pointers, names and labels too long.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "client/dnsmsg.h"
#include "../suites.h"

#define QUESTION_A \
	"\x07"     \
	"example"  \
	"\x04"     \
	"test"     \
	"\x00"     \
	"\x00\x01\x00\x01"

/* A query built by hand: header (id 0x1234, RD), then body. */
static size_t raw(uint8_t *buf, uint16_t flags, uint16_t qd, const void *body,
		  size_t len)
{
	buf[0] = 0x12, buf[1] = 0x34;
	buf[2] = (uint8_t)(flags >> 8), buf[3] = (uint8_t)flags;
	buf[4] = (uint8_t)(qd >> 8), buf[5] = (uint8_t)qd;
	memset(buf + 6, 0, 6);
	memcpy(buf + 12, body, len);
	return 12 + len;
}

static enum client_dns_verdict judge(const uint8_t *wire, size_t len)
{
	struct client_dns_query q;
	enum client_dns_verdict v = client_dns_parse_query(wire, len, &q);

	if (v == CLIENT_DNS_OK)
		client_dns_query_free(&q);
	else
		ck_assert_ptr_null(q.pkt);
	return v;
}

/* A query made by ldns, as dig would send it. */
static uint8_t *query(const char *name, ldns_rr_type type, bool edns,
		      size_t *len)
{
	ldns_rdf *owner = ldns_dname_new_frm_str(name);
	ldns_pkt *p =
		ldns_pkt_query_new(owner, type, LDNS_RR_CLASS_IN, LDNS_RD);
	uint8_t *wire;

	ck_assert_ptr_nonnull(p);
	ldns_pkt_set_id(p, 0xbeef);
	if (edns)
		ldns_pkt_set_edns_udp_size(p, 4096);
	ck_assert_int_eq(ldns_pkt2wire(&wire, p, len), LDNS_STATUS_OK);
	ldns_pkt_free(p);
	return wire;
}

START_TEST(test_refusals)
{
	uint8_t buf[CLIENT_DNS_MAX_QUERY + 64] = { 0 }, name[400];
	size_t len, n = 0;

	ck_assert_int_eq(judge(buf, 0), CLIENT_DNS_SHORT);
	len = raw(buf, 0x0100, 1, QUESTION_A, sizeof(QUESTION_A) - 1);
	ck_assert_int_eq(judge(buf, 11), CLIENT_DNS_SHORT);
	ck_assert_int_eq(judge(buf, len), CLIENT_DNS_OK);
	len = raw(buf, 0x8100, 1, QUESTION_A, sizeof(QUESTION_A) - 1);
	ck_assert_int_eq(judge(buf, len), CLIENT_DNS_RESPONSE);
	len = raw(buf, 0x0100, 0, "", 0);
	ck_assert_int_eq(judge(buf, len), CLIENT_DNS_QDCOUNT);
	len = raw(buf, 0x0100, 2, QUESTION_A QUESTION_A,
		  2 * (sizeof(QUESTION_A) - 1));
	ck_assert_int_eq(judge(buf, len), CLIENT_DNS_QDCOUNT);
	len = raw(buf, 0x2800, 1, QUESTION_A, sizeof(QUESTION_A) - 1);
	ck_assert_int_eq(judge(buf, len), CLIENT_DNS_OPCODE);
	/* A pointer to itself, a loop through a label, a pointer past the
	 * end. */
	len = raw(buf, 0x0100, 1, "\xc0\x0c\x00\x01\x00\x01", 6);
	ck_assert_int_eq(judge(buf, len), CLIENT_DNS_MALFORMED);
	len = raw(buf, 0x0100, 1,
		  "\x01"
		  "a"
		  "\xc0\x0c\x00\x01\x00\x01",
		  8);
	ck_assert_int_eq(judge(buf, len), CLIENT_DNS_MALFORMED);
	len = raw(buf, 0x0100, 1, "\xc3\xff\x00\x01\x00\x01", 6);
	ck_assert_int_eq(judge(buf, len), CLIENT_DNS_MALFORMED);
	/* Into the header: odd, but a name ldns can read; forwarded. */
	len = raw(buf, 0x0100, 1, "\xc0\x02\x00\x01\x00\x01", 6);
	judge(buf, len);
	/* A question cut short, in the name and in the type. */
	len = raw(buf, 0x0100, 1,
		  "\x07"
		  "exam",
		  5);
	ck_assert_int_eq(judge(buf, len), CLIENT_DNS_MALFORMED);
	len = raw(buf, 0x0100, 1, QUESTION_A, sizeof(QUESTION_A) - 3);
	ck_assert_int_eq(judge(buf, len), CLIENT_DNS_MALFORMED);
	/* A label of 80 bytes, a name of 320. */
	name[0] = 80;
	memset(name + 1, 'a', 80);
	memcpy(name + 81, "\x00\x00\x01\x00\x01", 5);
	len = raw(buf, 0x0100, 1, name, 86);
	ck_assert_int_eq(judge(buf, len), CLIENT_DNS_MALFORMED);
	for (int i = 0; i < 5; i++, n += 64) {
		name[n] = 63;
		memset(name + n + 1, 'a', 63);
	}
	memcpy(name + n, "\x00\x00\x01\x00\x01", 5);
	len = raw(buf, 0x0100, 1, name, n + 5);
	ck_assert_int_eq(judge(buf, len), CLIENT_DNS_MALFORMED);
	/* Larger than any stub's query. */
	len = raw(buf, 0x0100, 1, QUESTION_A, sizeof(QUESTION_A) - 1);
	ck_assert_int_eq(judge(buf, CLIENT_DNS_MAX_QUERY + 1),
			 CLIENT_DNS_OVERSIZED);
	/* Random bytes after a valid header: judged, never a crash. */
	srand(1);
	for (int i = 0; i < 2000; i++) {
		len = 12 + (size_t)(rand() % 100);
		for (size_t k = 0; k < len; k++)
			buf[k] = (uint8_t)rand();
		buf[2] &= 0x7f;
		judge(buf, len);
	}
}
END_TEST

START_TEST(test_verdict_rcodes)
{
	ck_assert_int_eq(client_dns_verdict_rcode(CLIENT_DNS_SHORT), -1);
	ck_assert_int_eq(client_dns_verdict_rcode(CLIENT_DNS_RESPONSE), -1);
	ck_assert_int_eq(client_dns_verdict_rcode(CLIENT_DNS_OVERSIZED), -1);
	ck_assert_int_eq(client_dns_verdict_rcode(CLIENT_DNS_MALFORMED),
			 LDNS_RCODE_FORMERR);
	ck_assert_int_eq(client_dns_verdict_rcode(CLIENT_DNS_QDCOUNT),
			 LDNS_RCODE_FORMERR);
	ck_assert_int_eq(client_dns_verdict_rcode(CLIENT_DNS_OPCODE),
			 LDNS_RCODE_NOTIMPL);
	ck_assert_str_eq(client_dns_verdict_name(CLIENT_DNS_QDCOUNT),
			 "not exactly one question");
	ck_assert_str_eq(client_dns_verdict_name(CLIENT_DNS_VERDICT_MAX), "?");
}
END_TEST

START_TEST(test_names)
{
	struct client_dns_query q;
	uint8_t *wire;
	size_t len;

	wire = query("GitLab.Company.TEST.", LDNS_RR_TYPE_AAAA, false, &len);
	ck_assert_int_eq(client_dns_parse_query(wire, len, &q), CLIENT_DNS_OK);
	ck_assert_str_eq(q.name, "gitlab.company.test");
	ck_assert(q.host_name);
	ck_assert_uint_eq(q.id, 0xbeef);
	ck_assert_uint_eq(q.qtype, LDNS_RR_TYPE_AAAA);
	ck_assert_uint_eq(q.qclass, LDNS_RR_CLASS_IN);
	client_dns_query_free(&q);
	free(wire);
	/* A dot inside a label is not a host name. */
	wire = query("a\\.b.test.", LDNS_RR_TYPE_A, false, &len);
	ck_assert_int_eq(client_dns_parse_query(wire, len, &q), CLIENT_DNS_OK);
	ck_assert(!q.host_name);
	client_dns_query_free(&q);
	free(wire);
	wire = query(".", LDNS_RR_TYPE_NS, false, &len);
	ck_assert_int_eq(client_dns_parse_query(wire, len, &q), CLIENT_DNS_OK);
	ck_assert_str_eq(q.name, "");
	ck_assert(!q.host_name);
	client_dns_query_free(&q);
	free(wire);
}
END_TEST

START_TEST(test_errors)
{
	uint8_t buf[64], *out;
	struct client_dns_query q;
	size_t len, outlen;
	ldns_pkt *p;

	len = raw(buf, 0x0100, 2, QUESTION_A, sizeof(QUESTION_A) - 1);
	ck_assert_int_eq(client_dns_error(buf, 5, NULL, 1, &out, &outlen),
			 -EINVAL);
	ck_assert_int_eq(client_dns_error(buf, len, NULL, LDNS_RCODE_FORMERR,
					  &out, &outlen),
			 0);
	ck_assert_uint_eq(outlen, 12);
	ck_assert_uint_eq(out[0], 0x12);
	ck_assert_uint_eq(out[1], 0x34);
	ck_assert(LDNS_QR_WIRE(out));
	ck_assert(LDNS_RD_WIRE(out));
	ck_assert_uint_eq(LDNS_RCODE_WIRE(out), LDNS_RCODE_FORMERR);
	ck_assert_uint_eq(LDNS_QDCOUNT(out), 0);
	free(out);
	/* SERVFAIL with the question echoed. */
	len = raw(buf, 0x0100, 1, QUESTION_A, sizeof(QUESTION_A) - 1);
	ck_assert_int_eq(client_dns_parse_query(buf, len, &q), CLIENT_DNS_OK);
	ck_assert_int_eq(client_dns_error(buf, len, &q, LDNS_RCODE_SERVFAIL,
					  &out, &outlen),
			 0);
	ck_assert_int_eq(ldns_wire2pkt(&p, out, outlen), LDNS_STATUS_OK);
	ck_assert_uint_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_SERVFAIL);
	ck_assert_uint_eq(ldns_pkt_qdcount(p), 1);
	ck_assert_uint_eq(ldns_pkt_id(p), 0x1234);
	ldns_pkt_free(p);
	free(out);
	client_dns_query_free(&q);
}
END_TEST

static ldns_pkt *answer(const char *name, ldns_rr_type type, bool edns,
			const struct fz_cidr *addrs, size_t n)
{
	struct client_dns_query q;
	uint8_t *wire, *out;
	size_t len, outlen;
	ldns_pkt *p;

	wire = query(name, type, edns, &len);
	ck_assert_int_eq(client_dns_parse_query(wire, len, &q), CLIENT_DNS_OK);
	ck_assert_int_eq(client_dns_answer(&q, addrs, n, 60, &out, &outlen), 0);
	ck_assert_int_eq(ldns_wire2pkt(&p, out, outlen), LDNS_STATUS_OK);
	client_dns_query_free(&q);
	free(wire);
	free(out);
	return p;
}

START_TEST(test_answers)
{
	struct fz_cidr addrs[8];
	const char *why, *texts[] = { "100.96.0.1",
				      "100.96.0.2",
				      "100.96.0.3",
				      "100.96.0.4",
				      "fd00:2021:1111:8000::1",
				      "fd00:2021:1111:8000::2",
				      "fd00:2021:1111:8000::3",
				      "fd00:2021:1111:8000::4" };
	char *text;
	ldns_pkt *p;
	ldns_rr *rr;

	for (int i = 0; i < 8; i++)
		ck_assert_int_eq(fz_cidr_parse(&addrs[i], texts[i],
					       strlen(texts[i]), &why),
				 0);
	p = answer("GitLab.company.test.", LDNS_RR_TYPE_A, true, addrs, 8);
	ck_assert_uint_eq(ldns_pkt_id(p), 0xbeef);
	ck_assert(ldns_pkt_qr(p) && ldns_pkt_rd(p) && ldns_pkt_ra(p));
	ck_assert_uint_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	ck_assert_uint_eq(ldns_pkt_ancount(p), 4);
	ck_assert(ldns_pkt_edns(p));
	for (int i = 0; i < 4; i++) {
		rr = ldns_rr_list_rr(ldns_pkt_answer(p), (size_t)i);
		ck_assert_uint_eq(ldns_rr_get_type(rr), LDNS_RR_TYPE_A);
		ck_assert_uint_eq(ldns_rr_ttl(rr), 60);
		text = ldns_rdf2str(ldns_rr_rdf(rr, 0));
		ck_assert_str_eq(text, texts[i]);
		free(text);
		/* The name as asked: some clients check its case (0x20). */
		text = ldns_rdf2str(ldns_rr_owner(rr));
		ck_assert_str_eq(text, "GitLab.company.test.");
		free(text);
	}
	ldns_pkt_free(p);
	p = answer("x.test.", LDNS_RR_TYPE_AAAA, false, addrs, 8);
	ck_assert_uint_eq(ldns_pkt_ancount(p), 4);
	ck_assert(!ldns_pkt_edns(p));
	rr = ldns_rr_list_rr(ldns_pkt_answer(p), 3);
	text = ldns_rdf2str(ldns_rr_rdf(rr, 0));
	ck_assert_str_eq(text, texts[7]);
	free(text);
	ldns_pkt_free(p);
	p = answer("x.test.", LDNS_RR_TYPE_TXT, false, addrs, 8);
	ck_assert_uint_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	ck_assert_uint_eq(ldns_pkt_ancount(p), 0);
	ck_assert_uint_eq(ldns_pkt_qdcount(p), 1);
	ldns_pkt_free(p);
	p = answer("x.test.", LDNS_RR_TYPE_A, false, NULL, 0);
	ck_assert_uint_eq(ldns_pkt_ancount(p), 0);
	ldns_pkt_free(p);
}
END_TEST

START_TEST(test_reply_matches)
{
	struct client_dns_question q;
	uint8_t *wire, *reply;
	size_t len, rlen;

	wire = query("Example.Test.", LDNS_RR_TYPE_A, false, &len);
	ck_assert_int_eq(client_dns_question(wire, len, &q), 0);
	ck_assert_uint_eq(q.len, 14);
	ck_assert_mem_eq(q.name,
			 "\x07"
			 "example"
			 "\x04"
			 "test",
			 14);
	/* A query is no reply; the same question answered is. */
	ck_assert(!client_dns_reply_matches(wire, len, &q));
	free(wire);
	reply = query("EXAMPLE.test.", LDNS_RR_TYPE_A, false, &rlen);
	reply[2] |= 0x80;
	ck_assert(client_dns_reply_matches(reply, rlen, &q));
	ck_assert(!client_dns_reply_matches(reply, 11, &q));
	ck_assert(!client_dns_reply_matches(reply, rlen - 1, &q));
	free(reply);
	reply = query("example.test.", LDNS_RR_TYPE_AAAA, false, &rlen);
	reply[2] |= 0x80;
	ck_assert(!client_dns_reply_matches(reply, rlen, &q));
	free(reply);
	reply = query("other.test.", LDNS_RR_TYPE_A, false, &rlen);
	reply[2] |= 0x80;
	ck_assert(!client_dns_reply_matches(reply, rlen, &q));
	/* No question at all: only an error with no records is taken
	 * (FORMERR and the like from some servers); NOERROR is not. */
	reply[5] = 0;
	ck_assert(!client_dns_reply_matches(reply, 12, &q));
	reply[3] = (reply[3] & 0xf0) | LDNS_RCODE_NXDOMAIN;
	ck_assert(!client_dns_reply_matches(reply, 12, &q));
	for (uint8_t rc = LDNS_RCODE_FORMERR; rc <= LDNS_RCODE_REFUSED; rc++) {
		if (rc == LDNS_RCODE_NXDOMAIN)
			continue;
		reply[3] = (reply[3] & 0xf0) | rc;
		ck_assert(client_dns_reply_matches(reply, 12, &q));
		reply[7] = 1; /* an answer record with it: no */
		ck_assert(!client_dns_reply_matches(reply, 12, &q));
		reply[7] = 0;
	}
	free(reply);
	ck_assert_int_eq(client_dns_question((const uint8_t *)"\0\0\0\0\0\1", 6,
					     &q),
			 -EINVAL);
}
END_TEST

Suite *client_dnsmsg_suite(void)
{
	Suite *s = suite_create("client_dnsmsg");
	TCase *tc = tcase_create("client_dnsmsg");

	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_verdict_rcodes);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_answers);
	tcase_add_test(tc, test_reply_matches);
	suite_add_tcase(s, tc);
	return s;
}
