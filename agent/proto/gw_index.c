// SPDX-License-Identifier: GPL-2.0
/* The gateway's clients and resources in hash tables; see gw_index.h. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <json-c/linkhash.h>
#include <sodium.h>

#include "lib/keys.h"

#include "gw_auth.h"
#include "gw_index.h"

static unsigned char sip_key[crypto_shorthash_KEYBYTES];
static pthread_once_t sip_once = PTHREAD_ONCE_INIT;
static int sip_ready = -EIO;

static void sip_init(void)
{
	sip_ready = fz_keys_init();
	if (!sip_ready)
		randombytes_buf(sip_key, sizeof(sip_key));
}

static unsigned long sip(const void *in, size_t len)
{
	unsigned char out[crypto_shorthash_BYTES];
	unsigned long h;

	crypto_shorthash(out, in, len, sip_key);
	memcpy(&h, out, sizeof(h));
	return h;
}

static unsigned long hash_key(const void *k)
{
	return sip(k, FZ_KEY_LEN);
}

static int equal_key(const void *a, const void *b)
{
	return !memcmp(a, b, FZ_KEY_LEN);
}

static unsigned long hash_id(const void *k)
{
	return sip(k, FZ_RESOURCE_ID_LEN);
}

static int equal_id(const void *a, const void *b)
{
	return !memcmp(a, b, FZ_RESOURCE_ID_LEN);
}

/* An IPv4 address is not the IPv6 address of the same bytes. */
static unsigned long hash_ip(const void *k)
{
	const struct fz_cidr *c = k;
	uint8_t in[1 + sizeof(c->addr)];

	in[0] = c->family == AF_INET6;
	memcpy(in + 1, c->addr, sizeof(c->addr));
	return sip(in, sizeof(in));
}

static int equal_ip(const void *a, const void *b)
{
	const struct fz_cidr *x = a, *y = b;

	return x->family == y->family &&
	       !memcmp(x->addr, y->addr, sizeof(x->addr));
}

/* Room for n without a resize (lh_table grows at two-thirds full). */
static struct lh_table *new_table(size_t n, lh_hash_fn *hash,
				  lh_equal_fn *equal)
{
	size_t size = n < INT_MAX / 4 ? n + n / 2 + 16 : INT_MAX / 2;

	return lh_table_new((int)size, NULL, hash, equal);
}

static ssize_t get(const struct proto_auth_table *t, const void *k)
{
	void *v;

	if (!t->t || !lh_table_lookup_ex(t->t, k, &v))
		return -1;
	return (ssize_t)(uintptr_t)v;
}

static int put(struct proto_auth_table *t, const void *k, size_t pos)
{
	if (!t->t)
		return -ENOMEM; /* no index was built */
	if (lh_table_lookup_entry(t->t, k))
		return -EEXIST;
	return lh_table_insert(t->t, k, (void *)(uintptr_t)pos) ? -ENOMEM : 0;
}

/* k's entry, only if it is pos's: another's stays. */
static void drop(struct proto_auth_table *t, const void *k, size_t pos)
{
	struct lh_entry *e = t->t ? lh_table_lookup_entry(t->t, k) : NULL;

	if (e && (uintptr_t)lh_entry_v(e) == pos) {
		lh_table_delete_entry(t->t, e);
		t->deleted++;
	}
}

static void free_table(struct proto_auth_table *t)
{
	if (t->t)
		lh_table_free(t->t);
	t->t = NULL;
	t->deleted = 0;
}

void proto_auth_index_free(struct proto_auth_index *ix)
{
	free_table(&ix->key);
	free_table(&ix->portal_id);
	free_table(&ix->tunnel_ip);
	free_table(&ix->resource_id);
}

static int new_index(struct proto_auth_index *ix, size_t nc, size_t nr)
{
	pthread_once(&sip_once, sip_init);
	if (sip_ready)
		return sip_ready; /* no key: no index anyone could flood */
	ix->key.t = new_table(nc, hash_key, equal_key);
	ix->portal_id.t = new_table(nc, hash_id, equal_id);
	ix->tunnel_ip.t = new_table(2 * nc, hash_ip, equal_ip);
	ix->resource_id.t = new_table(nr, hash_id, equal_id);
	if (ix->key.t && ix->portal_id.t && ix->tunnel_ip.t &&
	    ix->resource_id.t)
		return 0;
	proto_auth_index_free(ix);
	return -ENOMEM;
}

int proto_auth_index_build(struct proto_auth *a)
{
	int ret;

	proto_auth_index_free(&a->index);
	ret = new_index(&a->index, a->n_clients, a->n_resources);
	for (size_t i = 0; !ret && i < a->n_clients; i++)
		ret = proto_auth_index_add_client(a, i);
	for (size_t i = 0; !ret && i < a->n_resources; i++)
		ret = proto_auth_index_add_resource(a, i);
	if (ret)
		proto_auth_index_free(&a->index);
	return ret;
}

/*
 * Deletions could have taken half the slots t had empty when built (each
 * makes at most one freed slot; an insert may reuse one, or the table
 * resizes, so this overcounts, never under).
 */
static bool worn(const struct proto_auth_table *t)
{
	return t->t && t->deleted > (size_t)(t->t->size - t->t->count) / 2;
}

void proto_auth_index_tidy(struct proto_auth *a)
{
	struct proto_auth_index old = a->index;

	if (!worn(&old.key) && !worn(&old.portal_id) && !worn(&old.tunnel_ip) &&
	    !worn(&old.resource_id))
		return;
	/* Built beside the old one, which stays should that fail. */
	memset(&a->index, 0, sizeof(a->index));
	if (proto_auth_index_build(a)) {
		/* Tried again only after as many deletions more: not at
		 * every change while memory is short. */
		a->index = old;
		a->index.key.deleted = 0;
		a->index.portal_id.deleted = 0;
		a->index.tunnel_ip.deleted = 0;
		a->index.resource_id.deleted = 0;
		return;
	}
	a->index.rebuilds = old.rebuilds + 1;
	proto_auth_index_free(&old);
}

int proto_auth_index_add_client(struct proto_auth *a, size_t pos)
{
	const struct proto_auth_client *c = &a->clients[pos];
	struct proto_auth_index *ix = &a->index;
	int ret = put(&ix->key, c->public_key, pos);

	if (!ret && c->has_portal_id)
		ret = put(&ix->portal_id, c->portal_id, pos);
	for (size_t j = 0; !ret && j < c->n_tunnel_ips; j++)
		ret = put(&ix->tunnel_ip, &c->tunnel_ips[j], pos);
	if (ret)
		proto_auth_index_drop_client(a, pos);
	return ret;
}

int proto_auth_index_add_resource(struct proto_auth *a, size_t pos)
{
	return put(&a->index.resource_id, a->resources[pos].id, pos);
}

void proto_auth_index_drop_client(struct proto_auth *a, size_t pos)
{
	const struct proto_auth_client *c = &a->clients[pos];
	struct proto_auth_index *ix = &a->index;

	drop(&ix->key, c->public_key, pos);
	if (c->has_portal_id)
		drop(&ix->portal_id, c->portal_id, pos);
	for (size_t j = 0; j < c->n_tunnel_ips; j++)
		drop(&ix->tunnel_ip, &c->tunnel_ips[j], pos);
}

const struct proto_auth_client *
proto_auth_find_client(const struct proto_auth *a,
		       const uint8_t key[FZ_KEY_LEN])
{
	ssize_t pos = get(&a->index.key, key);

	return pos < 0 ? NULL : &a->clients[pos];
}

const struct proto_auth_client *
proto_auth_find_client_by_portal_id(const struct proto_auth *a,
				    const uint8_t id[FZ_RESOURCE_ID_LEN])
{
	ssize_t pos = get(&a->index.portal_id, id);

	return pos < 0 ? NULL : &a->clients[pos];
}

const struct proto_auth_resource *
proto_auth_find_resource_by_id(const struct proto_auth *a,
			       const uint8_t id[FZ_RESOURCE_ID_LEN])
{
	ssize_t pos = get(&a->index.resource_id, id);

	return pos < 0 ? NULL : &a->resources[pos];
}

const struct proto_auth_client *
proto_auth_tunnel_ip_holder(const struct proto_auth *a,
			    const struct proto_auth_client *c,
			    const struct proto_auth_client *self)
{
	for (size_t j = 0; j < c->n_tunnel_ips; j++) {
		ssize_t pos = get(&a->index.tunnel_ip, &c->tunnel_ips[j]);

		if (pos >= 0 && &a->clients[pos] != self)
			return &a->clients[pos];
	}
	return NULL;
}
