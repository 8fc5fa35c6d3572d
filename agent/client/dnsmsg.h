/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DNS messages as the stub sees them (pure functions on byte buffers,
 * ldns underneath): a query read and judged, the stub's own answers
 * built, an upstream's reply checked against the question it answers.
 */
#ifndef FZ_CLIENT_DNSMSG_H
#define FZ_CLIENT_DNSMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ldns/ldns.h>

#include "lib/cidr.h"
#include "lib/values.h"

#define CLIENT_DNS_HEADER_LEN 12
/* A query larger than this is not a stub's query: dropped. */
#define CLIENT_DNS_MAX_QUERY 4096
/* The EDNS buffer size the stub's own answers offer. */
#define CLIENT_DNS_EDNS_SIZE 1232

/* What a query is; everything but _OK is counted under its name. */
enum client_dns_verdict {
	CLIENT_DNS_OK,
	CLIENT_DNS_SHORT, /* no header: dropped */
	CLIENT_DNS_OVERSIZED, /* over CLIENT_DNS_MAX_QUERY: dropped */
	CLIENT_DNS_RESPONSE, /* QR=1: dropped (answering answers loops) */
	CLIENT_DNS_MALFORMED, /* does not parse: FORMERR */
	CLIENT_DNS_QDCOUNT, /* not exactly one question: FORMERR */
	CLIENT_DNS_OPCODE, /* not QUERY: NOTIMP */
	CLIENT_DNS_VERDICT_MAX,
};
const char *client_dns_verdict_name(enum client_dns_verdict v);
/* The rcode that answers a verdict, or -1 for a silent drop. */
int client_dns_verdict_rcode(enum client_dns_verdict v);

struct client_dns_query {
	ldns_pkt *pkt; /* the query as parsed */
	uint16_t id, qtype, qclass;
	/* The name in lower case without the trailing dot ("" for the
	 * root), and whether it is a plain host name that resources may
	 * match (no escapes, no wildcards). */
	char name[4 * 255 + 1];
	bool host_name;
};

/* On CLIENT_DNS_OK, q is filled; client_dns_query_free() after. */
enum client_dns_verdict client_dns_parse_query(const uint8_t *wire, size_t len,
					       struct client_dns_query *q);
void client_dns_query_free(struct client_dns_query *q);

/*
 * An error response with rcode to the query whose first len bytes
 * (a header at least) are at wire; the question is echoed when q is not
 * NULL. *out is malloc'd. 0, -EINVAL (no header) or -ENOMEM.
 */
int client_dns_error(const uint8_t *wire, size_t len,
		     const struct client_dns_query *q, uint8_t rcode,
		     uint8_t **out, size_t *outlen);

/*
 * NOERROR to q with n addresses of q's type (A: AF_INET, AAAA: AF_INET6;
 * others are skipped) at ttl; n 0 is an answer with no records.
 */
int client_dns_answer(const struct client_dns_query *q,
		      const struct fz_cidr *addrs, size_t n, uint32_t ttl,
		      uint8_t **out, size_t *outlen);

/*
 * The question of a message: its name in wire form, lower case, type and
 * class. 0, or -EINVAL when there is no readable question.
 */
struct client_dns_question {
	uint8_t name[256];
	size_t len;
	uint16_t qtype, qclass;
};
int client_dns_question(const uint8_t *wire, size_t len,
			struct client_dns_question *out);
/*
 * Whether reply (from upstream) answers a query with question q: QR set
 * and the question echoed (the same name in any case, type and class).
 * The one exception: FORMERR, SERVFAIL, NOTIMP or REFUSED with no
 * question and no answer or authority records, as some servers send
 * errors; such a reply carries nothing to poison a cache with.
 */
bool client_dns_reply_matches(const uint8_t *reply, size_t len,
			      const struct client_dns_question *q);

#endif /* FZ_CLIENT_DNSMSG_H */
