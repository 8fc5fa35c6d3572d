/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The client's DNS stub, on the agent's libuv loop. It listens on UDP
 * and TCP on the given addresses (the sentinels in the role, loopback
 * in tests) for this host's programs only: what comes in on any device
 * but loopback (a LAN host routing the sentinels through us) gets no
 * answer, and a UDP query of it is counted (not_local). A or AAAA for a
 * name that a DNS resource's pattern matches (fz_domain_matches(), the
 * gateway's function) is answered with the
 * name's mapped IPs (mapped.h), other types for such a name with NOERROR
 * and no records; the owner is told each such name asked (at most once
 * a second per name: CLIENT_MAPPED_TELL_MS). A wildcard resource makes
 * at most CLIENT_MAPPED_PER_WILDCARD names (client_mapped_set_wildcard_cap);
 * past that a new name under it is answered with no records. Everything
 * else goes unchanged to the upstream resolvers (UDP over UDP, TCP over
 * TCP; a truncated UDP answer comes back truncated and the asker retries
 * over TCP), and the answer comes back unchanged but for its ID.
 *
 * Forwarded queries: each try has a fresh random ID and, over UDP, a
 * socket of its own on a fresh random port (RFC 5452), connected to the
 * one upstream asked; a reply counts only from that address and port,
 * with that ID, and with the question echoed (client_dns_reply_matches).
 *
 * Bounds: CLIENT_DNS_MAX_PENDING forwarded queries (each holds one
 * upstream socket at most: with the TCP askers and the listeners, under
 * 600 descriptors, well inside the usual limit of 1024), CLIENT_DNS_MAX_PENDING_PER_SOURCE of them
 * from one UDP asker (address and port), CLIENT_DNS_MAX_TCP
 * connections of at most CLIENT_DNS_TCP_PIPELINE queries each, an idle
 * TCP connection closed after CLIENT_DNS_TCP_IDLE_MS; whatever goes past
 * a bound is answered SERVFAIL or dropped, and counted.
 */
#ifndef FZ_CLIENT_DNSSTUB_H
#define FZ_CLIENT_DNSSTUB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <uv.h>

#include <linux/fz.h>

#include "dnsmsg.h"
#include "lib/values.h"
#include "mapped.h"

#define CLIENT_DNS_MAX_LISTEN 8
#define CLIENT_DNS_MAX_UPSTREAMS 8
#define CLIENT_DNS_MAX_PENDING 512
/* Forwarded UDP queries one asker (address and port) may have waiting. */
#define CLIENT_DNS_MAX_PENDING_PER_SOURCE 32
#define CLIENT_DNS_MAX_TCP 64
#define CLIENT_DNS_TCP_PIPELINE 16
#define CLIENT_DNS_TCP_IDLE_MS 10000
#define CLIENT_DNS_TRY_MS 2000
#define CLIENT_DNS_TTL 60
/* Bytes queued to one TCP client before the connection is dropped. */
#define CLIENT_DNS_TCP_WRITE_MAX (256 * 1024)

struct client_dns_resource {
	uint8_t id[FZ_RESOURCE_ID_LEN];
	char pattern[FZ_DOMAIN_MAX + 1]; /* "host.x", "*.x", "**.x" */
};

struct client_dnsstub_config {
	const struct sockaddr_storage *listen; /* UDP and TCP on each */
	size_t n_listen;
	const struct sockaddr_storage *upstreams; /* tried round robin */
	size_t n_upstreams;
	uint32_t ttl; /* 0: CLIENT_DNS_TTL */
	unsigned int try_ms; /* 0: CLIENT_DNS_TRY_MS */
	unsigned int tcp_idle_ms; /* 0: CLIENT_DNS_TCP_IDLE_MS */
};

struct client_dnsstub_ops {
	/* A resource's name was asked (A or AAAA): its mapped IPs. */
	void (*resource_query)(void *ctx, const char *name,
			       const uint8_t id[FZ_RESOURCE_ID_LEN],
			       const struct client_mapped_entry *e);
	void (*log)(void *ctx, const char *line); /* one line, no newline */
};

/* What the stub did, and everything it refused. */
struct client_dnsstub_stats {
	uint64_t udp_queries, tcp_queries;
	/* UDP from another host, dropped (not in udp_queries); an empty
	 * datagram of this host's counts here too. */
	uint64_t not_local;
	uint64_t local_answers; /* resource names */
	uint64_t forwarded, upstream_answers, upstream_timeouts;
	uint64_t servfail; /* no upstream answered, or none could be asked */
	uint64_t refused[CLIENT_DNS_VERDICT_MAX]; /* by verdict (dnsmsg.h) */
	uint64_t pending_full; /* CLIENT_DNS_MAX_PENDING reached */
	uint64_t source_full; /* CLIENT_DNS_MAX_PENDING_PER_SOURCE reached */
	uint64_t upstream_stray; /* replies matching no pending query */
	uint64_t tcp_accepted, tcp_refused; /* refused: CLIENT_DNS_MAX_TCP */
	uint64_t tcp_bad_length, tcp_idle_closed, tcp_pipeline_full;
	uint64_t tcp_slow_reader;
	uint64_t send_failed;
	uint64_t pool_exhausted; /* a resource name got no mapped IPs */
	uint64_t resource_full; /* nor this one: its wildcard made its names */
	uint64_t resource_query_limited; /* owner not told again so soon */
	unsigned int pending, pending_max, tcp_conns, tcp_conns_max;
};

struct client_dnsstub;

/*
 * Binds every listening socket; the resources start empty. mapped stays
 * the caller's and must outlive the stub. NULL with err set on failure.
 */
struct client_dnsstub *
client_dnsstub_new(uv_loop_t *loop, const struct client_dnsstub_config *cfg,
		   struct client_mapped *mapped,
		   const struct client_dnsstub_ops *ops, void *ctx, char *err,
		   size_t errlen);
/* Replaces the resource table with a copy of r: 0, -EINVAL, -ENOMEM. */
int client_dnsstub_set_resources(struct client_dnsstub *s,
				 const struct client_dns_resource *r, size_t n);
/* Adds r, or replaces the one with its id. */
int client_dnsstub_upsert_resource(struct client_dnsstub *s,
				   const struct client_dns_resource *r);
/* 0, or -ENOENT when no resource has that id. */
int client_dnsstub_remove_resource(struct client_dnsstub *s,
				   const uint8_t id[FZ_RESOURCE_ID_LEN]);
/* The most specific resource matching name (exact, then "*.", then
 * "**.", a longer pattern first), or NULL. */
const struct client_dns_resource *
client_dnsstub_match(const struct client_dnsstub *s, const char *name);
/*
 * Replaces the upstream resolvers (1 to CLIENT_DNS_MAX_UPSTREAMS): 1 when
 * the list changed, 0 when it is the same, -EINVAL. A query already
 * upstream finishes its try; its next try asks the new list.
 */
int client_dnsstub_set_upstreams(struct client_dnsstub *s,
				 const struct sockaddr_storage *up, size_t n);
void client_dnsstub_stats(const struct client_dnsstub *s,
			  struct client_dnsstub_stats *out);
/* No more callbacks; everything is closed and freed on the loop. */
void client_dnsstub_close(struct client_dnsstub *s);

#endif /* FZ_CLIENT_DNSSTUB_H */
