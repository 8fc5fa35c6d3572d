/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Name resolution for DNS resources: the A and AAAA records of a name,
 * as the gateway host's system resolver sees them (/etc/hosts first, then
 * the name servers of /etc/resolv.conf), with ldns.
 *
 * Three layers, so each can be tested alone:
 *  - proto_resolve_blocking(): one lookup, blocking, at most timeout_ms;
 *  - struct proto_resolve_cache: answers per name for a fixed time, on a clock
 *    the caller passes in;
 *  - struct proto_resolver: the two on a libuv loop. Lookups run on libuv's
 *    thread pool (uv_queue_work), so the loop never waits for DNS;
 *    concurrent lookups of one name share one query.
 */
#ifndef FZ_AGENT_RESOLVE_H
#define FZ_AGENT_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ldns/ldns.h>
#include <uv.h>

#include "lib/cidr.h"
#include "lib/values.h"

#define PROTO_RESOLVE_MAX_ADDRS 16 /* per family; more answers are ignored */
#define PROTO_RESOLVE_TIMEOUT_MS 10000
#define PROTO_RESOLVE_CACHE_NS (30 * 1000000000ULL)
#define PROTO_RESOLVE_CACHE_MAX 1024 /* names */
#define PROTO_RESOLVE_MAX_CNAMES 8 /* a longer chain ends there */

struct proto_resolve_result {
	struct fz_cidr v4[PROTO_RESOLVE_MAX_ADDRS]; /* full-length prefixes */
	size_t n4;
	struct fz_cidr v6[PROTO_RESOLVE_MAX_ADDRS];
	size_t n6;
};

/* Where to look; NULL files are the system's. port 0: 53. */
struct proto_resolve_config {
	const char *resolv_conf;
	const char *hosts;
	uint16_t port;
	unsigned int timeout_ms; /* for A and AAAA together */
};

/*
 * Returns 0 with the addresses found (possibly none: the name has no
 * such records), or a negative errno when no name server could be asked
 * (-ENOENT: resolv.conf unusable) and the hosts file had no entry.
 */
int proto_resolve_blocking(const struct proto_resolve_config *cfg,
			   const char *name, struct proto_resolve_result *out);
/*
 * The records of type (A or AAAA) in pkt's answer that answer qname:
 * owned by qname or by a name its CNAME chain leads to, added to out.
 */
void proto_resolve_collect(const ldns_pkt *pkt, const ldns_rdf *qname,
			   ldns_rr_type type, struct proto_resolve_result *out);

/* --- Cache --- */

struct proto_resolve_cache;

struct proto_resolve_cache *proto_resolve_cache_new(uint64_t ttl_ns);
void proto_resolve_cache_free(struct proto_resolve_cache *c);
/* The answer stored for name less than ttl_ns before now_ns, or NULL. */
const struct proto_resolve_result *
proto_resolve_cache_get(struct proto_resolve_cache *c, const char *name,
			uint64_t now_ns);
/* Stores (or replaces) the answer; expired entries are dropped. */
int proto_resolve_cache_put(struct proto_resolve_cache *c, const char *name,
			    const struct proto_resolve_result *r,
			    uint64_t now_ns);

/* --- On the loop --- */

struct proto_resolver;

/*
 * Called on the loop thread exactly once per proto_resolver_lookup() that
 * returned 0 (on an error it is not called at all): r is the
 * answer (from the cache if cached), or NULL when resolution failed or
 * the resolver is being freed; in that last case nothing but arg may be
 * touched.
 */
typedef void (*proto_resolver_cb)(void *arg,
				  const struct proto_resolve_result *r, int err,
				  bool cached);

struct proto_resolver *
proto_resolver_new(uv_loop_t *loop, const struct proto_resolve_config *cfg,
		   uint64_t (*now_ns)(void));
/* Lookups still running finish on the loop and call back with NULL. */
void proto_resolver_free(struct proto_resolver *r);
int proto_resolver_lookup(struct proto_resolver *r, const char *name,
			  proto_resolver_cb cb, void *arg);

#endif /* FZ_AGENT_RESOLVE_H */
