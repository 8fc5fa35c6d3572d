/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Name resolution for DNS resources: the A and AAAA records of a name,
 * as the gateway host's system resolver sees them (/etc/hosts first, then
 * the name servers of /etc/resolv.conf), with ldns.
 *
 * Three layers, so each can be tested alone:
 *  - resolve_blocking(): one lookup, blocking, at most timeout_ms;
 *  - struct resolve_cache: answers per name for a fixed time, on a clock
 *    the caller passes in;
 *  - struct resolver: the two on a libuv loop. Lookups run on libuv's
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

#define RESOLVE_MAX_ADDRS 16 /* per family; more answers are ignored */
#define RESOLVE_TIMEOUT_MS 10000
#define RESOLVE_CACHE_NS (30 * 1000000000ULL)
#define RESOLVE_CACHE_MAX 1024 /* names */
#define RESOLVE_MAX_CNAMES 8 /* a longer chain ends there */

struct resolve_result {
	struct fz_cidr v4[RESOLVE_MAX_ADDRS]; /* full-length prefixes */
	size_t n4;
	struct fz_cidr v6[RESOLVE_MAX_ADDRS];
	size_t n6;
};

/* Where to look; NULL files are the system's. port 0: 53. */
struct resolve_config {
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
int resolve_blocking(const struct resolve_config *cfg, const char *name,
		     struct resolve_result *out);
/*
 * The records of type (A or AAAA) in pkt's answer that answer qname:
 * owned by qname or by a name its CNAME chain leads to, added to out.
 */
void resolve_collect(const ldns_pkt *pkt, const ldns_rdf *qname,
		     ldns_rr_type type, struct resolve_result *out);

/* --- Cache --- */

struct resolve_cache;

struct resolve_cache *resolve_cache_new(uint64_t ttl_ns);
void resolve_cache_free(struct resolve_cache *c);
/* The answer stored for name less than ttl_ns before now_ns, or NULL. */
const struct resolve_result *
resolve_cache_get(struct resolve_cache *c, const char *name, uint64_t now_ns);
/* Stores (or replaces) the answer; expired entries are dropped. */
int resolve_cache_put(struct resolve_cache *c, const char *name,
		      const struct resolve_result *r, uint64_t now_ns);

/* --- On the loop --- */

struct resolver;

/*
 * Called on the loop thread exactly once per resolver_lookup() that
 * returned 0 (on an error it is not called at all): r is the
 * answer (from the cache if cached), or NULL when resolution failed or
 * the resolver is being freed; in that last case nothing but arg may be
 * touched.
 */
typedef void (*resolver_cb)(void *arg, const struct resolve_result *r, int err,
			    bool cached);

struct resolver *resolver_new(uv_loop_t *loop, const struct resolve_config *cfg,
			      uint64_t (*now_ns)(void));
/* Lookups still running finish on the loop and call back with NULL. */
void resolver_free(struct resolver *r);
int resolver_lookup(struct resolver *r, const char *name, resolver_cb cb,
		    void *arg);

#endif /* FZ_AGENT_RESOLVE_H */
