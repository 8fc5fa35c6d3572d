// SPDX-License-Identifier: GPL-2.0
/*
 * DNS messages. ldns parses (its name reader bounds compression pointer
 * chains and name lengths, so loops and oversized names are errors, not
 * hangs) and writes every message the stub makes up itself.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dnsmsg.h"

static const char *const verdict_names[CLIENT_DNS_VERDICT_MAX] = {
	[CLIENT_DNS_OK] = "ok",
	[CLIENT_DNS_SHORT] = "shorter than a header",
	[CLIENT_DNS_OVERSIZED] = "oversized",
	[CLIENT_DNS_RESPONSE] = "a response, not a query",
	[CLIENT_DNS_MALFORMED] = "malformed",
	[CLIENT_DNS_QDCOUNT] = "not exactly one question",
	[CLIENT_DNS_OPCODE] = "not a standard query",
};

const char *client_dns_verdict_name(enum client_dns_verdict v)
{
	return v < CLIENT_DNS_VERDICT_MAX ? verdict_names[v] : "?";
}

int client_dns_verdict_rcode(enum client_dns_verdict v)
{
	switch (v) {
	case CLIENT_DNS_MALFORMED:
	case CLIENT_DNS_QDCOUNT:
		return LDNS_RCODE_FORMERR;
	case CLIENT_DNS_OPCODE:
		return LDNS_RCODE_NOTIMPL;
	default:
		return -1;
	}
}

/* The question's name as text: lower case, no trailing dot. */
static void name_text(struct client_dns_query *q, const ldns_rdf *owner)
{
	char *text = ldns_rdf2str(owner);
	size_t len;

	q->name[0] = '\0';
	q->host_name = false;
	if (!text)
		return;
	len = strlen(text);
	if (len && text[len - 1] == '.')
		len--;
	if (len < sizeof(q->name)) {
		for (size_t i = 0; i < len; i++)
			q->name[i] = (char)tolower((unsigned char)text[i]);
		q->name[len] = '\0';
		q->host_name = len && fz_domain_valid(q->name);
	}
	free(text);
}

enum client_dns_verdict client_dns_parse_query(const uint8_t *wire, size_t len,
					       struct client_dns_query *q)
{
	ldns_rr *question;

	memset(q, 0, sizeof(*q));
	if (len < CLIENT_DNS_HEADER_LEN)
		return CLIENT_DNS_SHORT;
	if (len > CLIENT_DNS_MAX_QUERY)
		return CLIENT_DNS_OVERSIZED;
	if (LDNS_QR_WIRE(wire))
		return CLIENT_DNS_RESPONSE;
	if (LDNS_OPCODE_WIRE(wire) != LDNS_PACKET_QUERY)
		return CLIENT_DNS_OPCODE;
	if (LDNS_QDCOUNT(wire) != 1)
		return CLIENT_DNS_QDCOUNT;
	if (ldns_wire2pkt(&q->pkt, wire, len) != LDNS_STATUS_OK) {
		q->pkt = NULL;
		return CLIENT_DNS_MALFORMED;
	}
	question = ldns_rr_list_rr(ldns_pkt_question(q->pkt), 0);
	if (!question) {
		client_dns_query_free(q);
		return CLIENT_DNS_MALFORMED;
	}
	q->id = ldns_pkt_id(q->pkt);
	q->qtype = (uint16_t)ldns_rr_get_type(question);
	q->qclass = (uint16_t)ldns_rr_get_class(question);
	name_text(q, ldns_rr_owner(question));
	return CLIENT_DNS_OK;
}

void client_dns_query_free(struct client_dns_query *q)
{
	ldns_pkt_free(q->pkt);
	q->pkt = NULL;
}

/* The packet's wire form into *out (malloc'd); the packet is freed. */
static int finish(ldns_pkt *p, uint8_t **out, size_t *outlen)
{
	ldns_status st = ldns_pkt2wire(out, p, outlen);

	ldns_pkt_free(p);
	return st == LDNS_STATUS_OK ? 0 : -ENOMEM;
}

/* A response header to a query: its id, opcode and RD; RA set. */
static ldns_pkt *response_to(uint16_t id, ldns_pkt_opcode opcode, bool rd)
{
	ldns_pkt *p = ldns_pkt_new();

	if (!p)
		return NULL;
	ldns_pkt_set_id(p, id);
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_opcode(p, opcode);
	ldns_pkt_set_rd(p, rd);
	ldns_pkt_set_ra(p, true);
	return p;
}

/* The query's question and EDNS presence carried over to p. */
static int echo_question(ldns_pkt *p, const struct client_dns_query *q)
{
	ldns_rr *question = ldns_rr_list_rr(ldns_pkt_question(q->pkt), 0);
	ldns_rr *copy = question ? ldns_rr_clone(question) : NULL;

	if (!copy || !ldns_pkt_push_rr(p, LDNS_SECTION_QUESTION, copy)) {
		ldns_rr_free(copy);
		return -ENOMEM;
	}
	if (ldns_pkt_edns(q->pkt))
		ldns_pkt_set_edns_udp_size(p, CLIENT_DNS_EDNS_SIZE);
	return 0;
}

int client_dns_error(const uint8_t *wire, size_t len,
		     const struct client_dns_query *q, uint8_t rcode,
		     uint8_t **out, size_t *outlen)
{
	ldns_pkt *p;

	if (len < CLIENT_DNS_HEADER_LEN)
		return -EINVAL;
	p = response_to(LDNS_ID_WIRE(wire),
			(ldns_pkt_opcode)LDNS_OPCODE_WIRE(wire),
			LDNS_RD_WIRE(wire));
	if (!p)
		return -ENOMEM;
	ldns_pkt_set_rcode(p, rcode);
	if (q && q->pkt && echo_question(p, q)) {
		ldns_pkt_free(p);
		return -ENOMEM;
	}
	return finish(p, out, outlen);
}

static ldns_rr *address_rr(const ldns_rdf *owner, const struct fz_cidr *a,
			   uint32_t ttl)
{
	bool v4 = a->family == AF_INET;
	ldns_rr *rr = ldns_rr_new();
	ldns_rdf *owner_copy = ldns_rdf_clone(owner);
	ldns_rdf *data =
		ldns_rdf_new_frm_data(v4 ? LDNS_RDF_TYPE_A : LDNS_RDF_TYPE_AAAA,
				      v4 ? 4 : 16, a->addr);

	if (!rr || !owner_copy || !data) {
		ldns_rr_free(rr);
		ldns_rdf_deep_free(owner_copy);
		ldns_rdf_deep_free(data);
		return NULL;
	}
	ldns_rr_set_owner(rr, owner_copy);
	ldns_rr_set_type(rr, v4 ? LDNS_RR_TYPE_A : LDNS_RR_TYPE_AAAA);
	ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
	ldns_rr_set_ttl(rr, ttl);
	ldns_rr_push_rdf(rr, data);
	return rr;
}

int client_dns_answer(const struct client_dns_query *q,
		      const struct fz_cidr *addrs, size_t n, uint32_t ttl,
		      uint8_t **out, size_t *outlen)
{
	ldns_rr *question = ldns_rr_list_rr(ldns_pkt_question(q->pkt), 0);
	int family = q->qtype == LDNS_RR_TYPE_A	   ? AF_INET :
		     q->qtype == LDNS_RR_TYPE_AAAA ? AF_INET6 :
						     AF_UNSPEC;
	ldns_pkt *p =
		response_to(q->id, LDNS_PACKET_QUERY, ldns_pkt_rd(q->pkt));
	ldns_rr *rr;

	if (!p || !question || echo_question(p, q))
		goto fail;
	ldns_pkt_set_rcode(p, LDNS_RCODE_NOERROR);
	ldns_pkt_set_aa(p, true);
	for (size_t i = 0; i < n; i++) {
		if (addrs[i].family != family)
			continue;
		rr = address_rr(ldns_rr_owner(question), &addrs[i], ttl);
		if (!rr)
			goto fail;
		if (!ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr)) {
			ldns_rr_free(rr);
			goto fail;
		}
	}
	return finish(p, out, outlen);
fail:
	ldns_pkt_free(p);
	return -ENOMEM;
}

int client_dns_question(const uint8_t *wire, size_t len,
			struct client_dns_question *out)
{
	size_t pos = CLIENT_DNS_HEADER_LEN;
	ldns_rdf *name = NULL;
	int ret = -EINVAL;

	if (len < CLIENT_DNS_HEADER_LEN || LDNS_QDCOUNT(wire) < 1)
		return -EINVAL;
	if (ldns_wire2dname(&name, wire, len, &pos) != LDNS_STATUS_OK)
		return -EINVAL;
	if (pos + 4 <= len && ldns_rdf_size(name) <= sizeof(out->name)) {
		ldns_dname2canonical(name);
		out->len = ldns_rdf_size(name);
		memcpy(out->name, ldns_rdf_data(name), out->len);
		out->qtype = ldns_read_uint16(wire + pos);
		out->qclass = ldns_read_uint16(wire + pos + 2);
		ret = 0;
	}
	ldns_rdf_deep_free(name);
	return ret;
}

/* An error some servers send without the question (see dnsmsg.h). */
static bool question_less_error(const uint8_t *reply)
{
	switch (LDNS_RCODE_WIRE(reply)) {
	case LDNS_RCODE_FORMERR:
	case LDNS_RCODE_SERVFAIL:
	case LDNS_RCODE_NOTIMPL:
	case LDNS_RCODE_REFUSED:
		return !LDNS_ANCOUNT(reply) && !LDNS_NSCOUNT(reply);
	default:
		return false;
	}
}

bool client_dns_reply_matches(const uint8_t *reply, size_t len,
			      const struct client_dns_question *q)
{
	struct client_dns_question got;

	if (len < CLIENT_DNS_HEADER_LEN || !LDNS_QR_WIRE(reply))
		return false;
	if (!LDNS_QDCOUNT(reply))
		return question_less_error(reply);
	if (client_dns_question(reply, len, &got))
		return false;
	return got.len == q->len && !memcmp(got.name, q->name, q->len) &&
	       got.qtype == q->qtype && got.qclass == q->qclass;
}
