// SPDX-License-Identifier: GPL-2.0
/*
 * Mapped IPs. Names are found through an ldns red-black tree (the agent
 * links ldns for the stub anyway); addresses need no index at all, since
 * an address's offset in its range says its block, and blocks are an
 * array in the order they were handed out.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <ldns/ldns.h>

#include "lib/files.h"
#include "mapped.h"

struct mapped_node {
	ldns_rbnode_t node; /* key: entry.name */
	struct client_mapped_entry entry;
	uint64_t told_ms; /* when the owner last heard of it */
	bool told;
};

/* The names a wildcard resource made. */
struct wild_node {
	ldns_rbnode_t node; /* key: id */
	uint8_t id[FZ_RESOURCE_ID_LEN];
	size_t names;
};

struct client_mapped {
	ldns_rbtree_t *names;
	ldns_rbtree_t *wild; /* wild_node by resource id */
	size_t wild_names, wild_cap; /* made under wildcards; cap each */
	struct mapped_node **blocks; /* by block; NULL: skipped */
	size_t cap;
	uint32_t next_block; /* the first block never handed out */
	uint32_t end; /* blocks in the pool */
	size_t count, max_names;
	uint64_t refused;
	void (*log)(void *ctx, const char *line);
	void *ctx;
};

static const uint8_t range_v4[16] = FZ_RANGE_MAPPED_V4;
static const uint8_t range_v6[16] = FZ_RANGE_MAPPED_V6;
static const uint8_t sentinel_v4[16] = CLIENT_SENTINEL_V4;

static int name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int id_cmp(const void *a, const void *b)
{
	return memcmp(a, b, FZ_RESOURCE_ID_LEN);
}

static void mlog(struct client_mapped *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void mlog(struct client_mapped *m, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!m->log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	m->log(m->ctx, line);
}

struct client_mapped *
client_mapped_new(size_t max_names, void (*log)(void *ctx, const char *line),
		  void *ctx)
{
	struct client_mapped *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->names = ldns_rbtree_create(name_cmp);
	m->wild = ldns_rbtree_create(id_cmp);
	if (!m->names || !m->wild) {
		ldns_rbtree_free(m->names);
		ldns_rbtree_free(m->wild);
		free(m);
		return NULL;
	}
	m->max_names = max_names ? max_names : CLIENT_MAPPED_MAX_NAMES;
	m->wild_cap = CLIENT_MAPPED_PER_WILDCARD;
	m->end = CLIENT_MAPPED_BLOCKS;
	m->log = log;
	m->ctx = ctx;
	return m;
}

static void free_wild(ldns_rbnode_t *n, void *arg)
{
	(void)arg;
	free(n);
}

void client_mapped_free(struct client_mapped *m)
{
	if (!m)
		return;
	for (uint32_t b = 0; b < m->next_block; b++)
		free(m->blocks[b]);
	free(m->blocks);
	ldns_rbtree_free(m->names);
	ldns_traverse_postorder(m->wild, free_wild, NULL);
	ldns_rbtree_free(m->wild);
	free(m);
}

void client_mapped_set_wildcard_cap(struct client_mapped *m, size_t names)
{
	m->wild_cap = names ? names : CLIENT_MAPPED_PER_WILDCARD;
}

void client_mapped_set_pool_end(struct client_mapped *m, uint32_t blocks)
{
	m->end = blocks < CLIENT_MAPPED_BLOCKS ? blocks : CLIENT_MAPPED_BLOCKS;
}

void client_mapped_addr(uint32_t block, unsigned int k, int family,
			struct fz_cidr *out)
{
	uint32_t off = 1 + 4 * block + k;
	bool v4 = family == AF_INET;
	size_t last = v4 ? 3 : 15;

	memset(out, 0, sizeof(*out));
	out->family = (uint16_t)family;
	out->cidr = v4 ? 32 : 128;
	memcpy(out->addr, v4 ? range_v4 : range_v6, 16);
	/* The ranges are /11 and /107: the offset's 21 bits fit the last 3
	 * bytes, and the range's own bits there are zero. */
	out->addr[last] = (uint8_t)off;
	out->addr[last - 1] = (uint8_t)(off >> 8);
	out->addr[last - 2] |= (uint8_t)(off >> 16);
}

/* Whether any of block b's IPv4 addresses is a sentinel. */
static bool block_is_sentinel(uint32_t b)
{
	struct fz_cidr first, last;

	client_mapped_addr(b, 0, AF_INET, &first);
	client_mapped_addr(b, CLIENT_MAPPED_PER_FAMILY - 1, AF_INET, &last);
	return fz_cidr_in(&first, sentinel_v4, CLIENT_SENTINEL_V4_LEN) ||
	       fz_cidr_in(&last, sentinel_v4, CLIENT_SENTINEL_V4_LEN);
}

/* name in lower case without a trailing dot into out: 0 or -EINVAL. */
static int normalize(const char *name, char out[FZ_DOMAIN_MAX + 1])
{
	size_t len = strlen(name);

	if (len && name[len - 1] == '.')
		len--;
	if (!len || len > FZ_DOMAIN_MAX)
		return -EINVAL;
	for (size_t i = 0; i < len; i++)
		out[i] = (char)tolower((unsigned char)name[i]);
	out[len] = '\0';
	return fz_domain_valid(out) ? 0 : -EINVAL;
}

const struct client_mapped_entry *client_mapped_find(struct client_mapped *m,
						     const char *name)
{
	char key[FZ_DOMAIN_MAX + 1];
	ldns_rbnode_t *n;

	if (normalize(name, key))
		return NULL;
	n = ldns_rbtree_search(m->names, key);
	return n ? &((struct mapped_node *)n)->entry : NULL;
}

/* The next block to hand out, sentinels skipped: 0 or -ENOSPC. */
static int take_block(struct client_mapped *m, uint32_t *out)
{
	struct mapped_node **blocks;

	while (m->next_block < m->end && block_is_sentinel(m->next_block)) {
		blocks = fz_grow(m->blocks, &m->cap, m->next_block,
				 sizeof(*blocks));
		if (!blocks)
			return -ENOMEM;
		m->blocks = blocks;
		m->blocks[m->next_block++] = NULL;
	}
	if (m->next_block >= m->end)
		return -ENOSPC;
	blocks = fz_grow(m->blocks, &m->cap, m->next_block, sizeof(*blocks));
	if (!blocks)
		return -ENOMEM;
	m->blocks = blocks;
	*out = m->next_block;
	return 0;
}

static bool worth_logging(uint64_t count)
{
	return count <= 10 || !(count & (count - 1));
}

static int refuse(struct client_mapped *m, const char *name, const char *why,
		  int ret)
{
	uint64_t n = ++m->refused;

	if (worth_logging(n))
		mlog(m, "no mapped IPs for %s: %s (%" PRIu64 " refused)", name,
		     why, n);
	return ret;
}

/* The wildcard resource id's count, made on first use (NULL: no memory). */
static struct wild_node *wild_of(struct client_mapped *m,
				 const uint8_t id[FZ_RESOURCE_ID_LEN])
{
	struct wild_node *w =
		(struct wild_node *)ldns_rbtree_search(m->wild, id);

	if (w)
		return w;
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	memcpy(w->id, id, FZ_RESOURCE_ID_LEN);
	w->node.key = w->id;
	w->node.data = w;
	ldns_rbtree_insert(m->wild, &w->node);
	return w;
}

static int get(struct client_mapped *m, const char *name,
	       const uint8_t resource_id[FZ_RESOURCE_ID_LEN], bool wildcard,
	       const struct client_mapped_entry **out)
{
	char key[FZ_DOMAIN_MAX + 1];
	struct wild_node *w = NULL;
	struct mapped_node *mn;
	ldns_rbnode_t *n;
	uint32_t block;
	int ret;

	if (normalize(name, key))
		return -EINVAL;
	n = ldns_rbtree_search(m->names, key);
	if (n) {
		mn = (struct mapped_node *)n; /* node is the first member */
		memcpy(mn->entry.resource_id, resource_id, FZ_RESOURCE_ID_LEN);
		*out = &mn->entry;
		return 0;
	}
	if (wildcard) {
		w = wild_of(m, resource_id);
		if (!w)
			return -ENOMEM;
		if (w->names >= m->wild_cap)
			return refuse(m, key,
				      "its wildcard resource has its names",
				      -EDQUOT);
		if (m->wild_names >= m->max_names - m->max_names / 4)
			return refuse(m, key,
				      "wildcards have their share of names",
				      -EDQUOT);
	}
	if (m->count >= m->max_names)
		return refuse(m, key, "too many names", -ENOSPC);
	ret = take_block(m, &block);
	if (ret == -ENOSPC)
		return refuse(m, key, "the mapped range is used up", -ENOSPC);
	if (ret)
		return ret;
	mn = calloc(1, sizeof(*mn));
	if (!mn)
		return -ENOMEM;
	strcpy(mn->entry.name, key);
	memcpy(mn->entry.resource_id, resource_id, FZ_RESOURCE_ID_LEN);
	mn->entry.block = block;
	for (unsigned int k = 0; k < CLIENT_MAPPED_PER_FAMILY; k++) {
		client_mapped_addr(block, k, AF_INET, &mn->entry.v4[k]);
		client_mapped_addr(block, k, AF_INET6, &mn->entry.v6[k]);
	}
	mn->node.key = mn->entry.name;
	mn->node.data = mn;
	ldns_rbtree_insert(m->names, &mn->node);
	m->blocks[block] = mn;
	m->next_block = block + 1;
	m->count++;
	if (w) {
		w->names++;
		m->wild_names++;
	}
	*out = &mn->entry;
	return 0;
}

int client_mapped_get(struct client_mapped *m, const char *name,
		      const uint8_t resource_id[FZ_RESOURCE_ID_LEN],
		      const struct client_mapped_entry **out)
{
	return get(m, name, resource_id, false, out);
}

int client_mapped_get_wildcard(struct client_mapped *m, const char *name,
			       const uint8_t resource_id[FZ_RESOURCE_ID_LEN],
			       const struct client_mapped_entry **out)
{
	return get(m, name, resource_id, true, out);
}

bool client_mapped_tell(struct client_mapped *m,
			const struct client_mapped_entry *e, uint64_t now_ms)
{
	/* e is the entry inside a node of m's; the node is found from it. */
	struct mapped_node *mn =
		(struct mapped_node *)((char *)e -
				       offsetof(struct mapped_node, entry));

	(void)m;
	if (mn->told && now_ms - mn->told_ms < CLIENT_MAPPED_TELL_MS)
		return false;
	mn->told = true;
	mn->told_ms = now_ms;
	return true;
}

const struct client_mapped_entry *
client_mapped_lookup_addr(const struct client_mapped *m,
			  const struct fz_cidr *ip)
{
	bool v4 = ip->family == AF_INET;
	size_t last = v4 ? 3 : 15;
	uint32_t off, block;

	if (ip->family != AF_INET && ip->family != AF_INET6)
		return NULL;
	if (v4 ? !fz_cidr_in(ip, range_v4, FZ_RANGE_MAPPED_V4_LEN) :
		 !fz_cidr_in(ip, range_v6, FZ_RANGE_MAPPED_V6_LEN))
		return NULL;
	off = (uint32_t)ip->addr[last] | (uint32_t)ip->addr[last - 1] << 8 |
	      (uint32_t)(ip->addr[last - 2] & 0x1f) << 16;
	if (!off)
		return NULL;
	block = (off - 1) / 4;
	if (block >= m->next_block || !m->blocks[block])
		return NULL;
	return &m->blocks[block]->entry;
}

size_t client_mapped_count(const struct client_mapped *m)
{
	return m->count;
}
