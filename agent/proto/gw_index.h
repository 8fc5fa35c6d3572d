/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The gateway's clients by public key, portal id and tunnel address, and
 * its resources by id, in hash tables (json-c's lh_table), so that the
 * portal's n-th authorization costs what the first did: a scan per
 * authorization made 100,000 clients cost 5 billion comparisons.
 *
 * The keys come from clients (public keys) and the portal (ids and
 * addresses), so they are hashed with SipHash under a random key drawn
 * once per process: no one can choose keys that all land in one bucket.
 *
 * The tables point into struct proto_auth's arrays: rebuild them when
 * an array moves, add what is appended, and drop a client before its
 * tunnel addresses or portal id change (then add it again). A key is
 * indexed once: adding a client or resource whose key, id or address is
 * already indexed fails with -EEXIST and changes nothing.
 */
#ifndef FZ_AGENT_GW_INDEX_H
#define FZ_AGENT_GW_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include <linux/fz.h>

struct lh_table;
struct proto_auth;
struct proto_auth_client;
struct proto_auth_resource;

/*
 * One table and the entries deleted from it since it was built. lh_table
 * leaves a deleted entry's slot marked freed, and a lookup that misses
 * walks on over freed slots to an empty one: under churn (clients
 * removed, their addresses changed) the empty ones run out and every
 * miss scans the whole table. proto_auth_index_tidy() builds it anew
 * before that.
 */
struct proto_auth_table {
	struct lh_table *t;
	size_t deleted;
};

struct proto_auth_index {
	struct proto_auth_table key; /* clients by public key */
	struct proto_auth_table portal_id; /* clients that have one, by it */
	struct proto_auth_table tunnel_ip; /* clients, once per address */
	struct proto_auth_table resource_id; /* resources by id */
	size_t rebuilds; /* by proto_auth_index_tidy(), for tests */
};

/*
 * Indexes every client and resource of a (its index so far is freed).
 * -ENOMEM, or -EEXIST for a repeated key, id or address: the index is
 * then empty.
 */
int proto_auth_index_build(struct proto_auth *a);
/* a->clients[pos] (or a->resources[pos]), appended: 0, -EEXIST, -ENOMEM. */
int proto_auth_index_add_client(struct proto_auth *a, size_t pos);
int proto_auth_index_add_resource(struct proto_auth *a, size_t pos);
/* a->clients[pos] out of the index, before its addresses or id change. */
void proto_auth_index_drop_client(struct proto_auth *a, size_t pos);
/*
 * Builds the index anew once deletions have used up half the empty
 * slots of one of its tables, so that lookups stay short; call it once
 * a removal or change is complete. Out of memory, it keeps the index
 * it had (slower, still right) and tries again after as many deletions
 * more.
 */
void proto_auth_index_tidy(struct proto_auth *a);
void proto_auth_index_free(struct proto_auth_index *ix);

const struct proto_auth_client *
proto_auth_find_client(const struct proto_auth *a,
		       const uint8_t key[FZ_KEY_LEN]);
const struct proto_auth_client *
proto_auth_find_client_by_portal_id(const struct proto_auth *a,
				    const uint8_t id[FZ_RESOURCE_ID_LEN]);
const struct proto_auth_resource *
proto_auth_find_resource_by_id(const struct proto_auth *a,
			       const uint8_t id[FZ_RESOURCE_ID_LEN]);
/* A client other than self holding one of c's tunnel addresses. */
const struct proto_auth_client *
proto_auth_tunnel_ip_holder(const struct proto_auth *a,
			    const struct proto_auth_client *c,
			    const struct proto_auth_client *self);

#endif /* FZ_AGENT_GW_INDEX_H */
