/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The client wing (agent/client/), the client role's own logic: mapped
 * IPs (this file), the DNS stub (dnsstub.h) and the system's DNS
 * settings (sysdns.h). It knows neither fz.ko nor the portal: the
 * daemon's role adapter connects them. It may use lib and the wings
 * below it; gateway/ and signal/ sit beside it and are never included.
 *
 * Mapped ("proxy") IPs: a DNS resource's name resolves, on the client,
 * to 4 IPv4 addresses from 100.96.0.0/11 and 4 IPv6 addresses from
 * fd00:2021:1111:8000::/107, handed out in order from .1 and kept for
 * the life of the object, so a name always gets the same 8 addresses
 * and an address always means one name. The gateway maps them onto the
 * name's real addresses. Names are kept in lower case.
 *
 * Bounds: at most max_names names (CLIENT_MAPPED_MAX_NAMES); a
 * wildcard resource ("*.x", "**.x") makes at most CLIENT_MAPPED_PER_WILDCARD
 * new names (client_mapped_get_wildcard), and all wildcards together at
 * most three quarters of max_names, so that a program asking random
 * names under a wildcard cannot use the pool up: exact names always
 * find room. A name that got addresses keeps them; one refused gets
 * none (the stub answers it NOERROR with no records) until its resource
 * or the pool has room, which they never get back.
 *
 * Addresses come in blocks of 4 per family: block b holds offsets
 * 1 + 4b .. 4 + 4b from the start of each range. Blocks touching the DNS
 * sentinels (100.100.111.0/24, the stub's own addresses) are skipped.
 */
#ifndef FZ_CLIENT_MAPPED_H
#define FZ_CLIENT_MAPPED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/fz.h>

#include "lib/cidr.h"
#include "lib/values.h"

#define CLIENT_MAPPED_PER_FAMILY 4
/* Names one object keeps by default; under 1 KiB of memory each. */
#define CLIENT_MAPPED_MAX_NAMES 65536
/* New names one wildcard resource may make, by default. */
#define CLIENT_MAPPED_PER_WILDCARD 256
/* The owner hears of one name at most this often (client_mapped_tell). */
#define CLIENT_MAPPED_TELL_MS 1000
/* Blocks in each range: (2^21 - 1) / 4, the last partial one unused. */
#define CLIENT_MAPPED_BLOCKS 524287u
/* The DNS sentinels: the stub's addresses, never handed out. */
#define CLIENT_SENTINEL_V4       \
	{                        \
		100, 100, 111, 0 \
	}
#define CLIENT_SENTINEL_V4_LEN 24
#define CLIENT_SENTINEL_V6                                                  \
	{                                                                   \
		0xfd, 0x00, 0x20, 0x21, 0x11, 0x11, 0x80, 0x00, 0x01, 0x00, \
			0x01, 0x00, 0x01, 0x11, 0x00, 0x00                  \
	}
#define CLIENT_SENTINEL_V6_LEN 120

struct client_mapped_entry {
	char name[FZ_DOMAIN_MAX + 1]; /* lower case, no trailing dot */
	uint8_t resource_id[FZ_RESOURCE_ID_LEN]; /* the latest it was asked for */
	struct fz_cidr v4[CLIENT_MAPPED_PER_FAMILY]; /* /32 each */
	struct fz_cidr v6[CLIENT_MAPPED_PER_FAMILY]; /* /128 each */
	uint32_t block;
};

struct client_mapped;

/*
 * max_names 0: CLIENT_MAPPED_MAX_NAMES. log (may be NULL) gets one line,
 * no newline, for each refusal worth telling (rate-limited).
 */
struct client_mapped *
client_mapped_new(size_t max_names, void (*log)(void *ctx, const char *line),
		  void *ctx);
void client_mapped_free(struct client_mapped *m);
/* The pool cut to its first blocks (<= CLIENT_MAPPED_BLOCKS), so that
 * tests reach its end without half a million names. */
void client_mapped_set_pool_end(struct client_mapped *m, uint32_t blocks);

/*
 * The entry of name (any case, an optional trailing dot), made on first
 * use; resource_id becomes its resource. Returns 0, -EINVAL (not a host
 * name), -ENOSPC (the cap on names or the pool's end: logged) or -ENOMEM.
 * *out stays valid for the life of m.
 */
int client_mapped_get(struct client_mapped *m, const char *name,
		      const uint8_t resource_id[FZ_RESOURCE_ID_LEN],
		      const struct client_mapped_entry **out);
/*
 * client_mapped_get() for a name a wildcard resource matched: a new name
 * counts against that resource's cap and the wildcards' share of the
 * names; -EDQUOT (logged) when either is used up. A name that already
 * has addresses keeps them whatever the caps.
 */
int client_mapped_get_wildcard(struct client_mapped *m, const char *name,
			       const uint8_t resource_id[FZ_RESOURCE_ID_LEN],
			       const struct client_mapped_entry **out);
/* New names per wildcard resource; 0: CLIENT_MAPPED_PER_WILDCARD. */
void client_mapped_set_wildcard_cap(struct client_mapped *m, size_t names);
/*
 * Whether the owner should be told now (now_ms: the caller's clock) that
 * e was asked: true the first time, then at most once per
 * CLIENT_MAPPED_TELL_MS, so that a query loop cannot turn into a loop of
 * authorization requests.
 */
bool client_mapped_tell(struct client_mapped *m,
			const struct client_mapped_entry *e, uint64_t now_ms);

/* The entry of name, or NULL; nothing is made. */
const struct client_mapped_entry *client_mapped_find(struct client_mapped *m,
						     const char *name);
/* The entry that ip (one address; its prefix length ignored) belongs to. */
const struct client_mapped_entry *
client_mapped_lookup_addr(const struct client_mapped *m,
			  const struct fz_cidr *ip);
size_t client_mapped_count(const struct client_mapped *m);

/* Block b's k-th address of family (AF_INET, AF_INET6). */
void client_mapped_addr(uint32_t block, unsigned int k, int family,
			struct fz_cidr *out);

#endif /* FZ_CLIENT_MAPPED_H */
