// SPDX-License-Identifier: GPL-2.0
/* A pool of locked, guard-fenced objects; see secpool.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "secpool.h"

/* Slots start 16-byte aligned, as sodium_malloc()'s callers expect. */
#define SLOT_ALIGN 16
#define HEADER_SIZE SLOT_ALIGN
#define ALL_USED UINT64_MAX

struct fz_secpool_chunk {
	struct fz_secpool_chunk *prev, *next;
	uint64_t used; /* a bit per slot */
	unsigned char *mem; /* sodium_malloc(): FZ_SECPOOL_SLOTS slots */
};

_Static_assert(FZ_SECPOOL_SLOTS == 64, "the used mask is 64 bits");

/*
 * A slot's header: its chunk's address, and a tag binding that address to
 * the slot under the pool's secret, so a header overrun by the object
 * before it (or a double free) is caught before the chunk is trusted.
 */
struct slot_header {
	struct fz_secpool_chunk *chunk;
	uint64_t tag;
};

_Static_assert(sizeof(struct slot_header) <= HEADER_SIZE,
	       "a slot's header fits before its object");

static void list_add(struct fz_secpool_chunk **head, struct fz_secpool_chunk *c)
{
	c->prev = NULL;
	c->next = *head;
	if (*head)
		(*head)->prev = c;
	*head = c;
}

static void list_del(struct fz_secpool_chunk **head, struct fz_secpool_chunk *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		*head = c->next;
	if (c->next)
		c->next->prev = c->prev;
}

void fz_secpool_init(struct fz_secpool *pool, size_t obj_size)
{
	memset(pool, 0, sizeof(*pool));
	pool->obj_size = obj_size;
	pool->secret = ((uint64_t)randombytes_random() << 32) |
		       randombytes_random();
	pool->slot_size = HEADER_SIZE +
			  (obj_size + SLOT_ALIGN - 1) / SLOT_ALIGN * SLOT_ALIGN;
}

static uint64_t slot_tag(const struct fz_secpool *pool,
			 const struct fz_secpool_chunk *c,
			 const unsigned char *slot)
{
	return (uint64_t)(uintptr_t)c ^ (uint64_t)(uintptr_t)slot ^
	       pool->secret;
}

/* The slot's chunk and index in it; anything but a live slot aborts. */
static size_t owned_slot(const struct fz_secpool *pool, unsigned char *slot,
			 struct fz_secpool_chunk **chunk)
{
	struct slot_header h;
	size_t off, i;

	memcpy(&h, slot, sizeof(h));
	if (h.tag != slot_tag(pool, h.chunk, slot))
		abort();
	off = (size_t)(slot - h.chunk->mem);
	i = off / pool->slot_size;
	if (off % pool->slot_size || i >= FZ_SECPOOL_SLOTS ||
	    !(h.chunk->used & (1ULL << i)))
		abort();
	*chunk = h.chunk;
	return i;
}

static struct fz_secpool_chunk *chunk_new(struct fz_secpool *pool)
{
	struct fz_secpool_chunk *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	/* A multiple of 16 bytes, so sodium_malloc() returns it aligned. */
	c->mem = sodium_malloc(FZ_SECPOOL_SLOTS * pool->slot_size);
	if (!c->mem) {
		free(c);
		return NULL;
	}
	list_add(&pool->partial, c);
	pool->n_chunks++;
	return c;
}

void *fz_secpool_alloc(struct fz_secpool *pool)
{
	struct fz_secpool_chunk *c = pool->partial;
	struct slot_header hdr;
	unsigned char *slot;
	int i;

	if (!c && !(c = chunk_new(pool)))
		return NULL;
	i = __builtin_ctzll(~c->used);
	c->used |= 1ULL << i;
	if (c->used == ALL_USED) {
		list_del(&pool->partial, c);
		list_add(&pool->full, c);
	}
	slot = c->mem + (size_t)i * pool->slot_size;
	hdr.chunk = c;
	hdr.tag = slot_tag(pool, c, slot);
	memcpy(slot, &hdr, sizeof(hdr));
	memset(slot + HEADER_SIZE, 0, pool->obj_size);
	return slot + HEADER_SIZE;
}

void fz_secpool_free(struct fz_secpool *pool, void *obj)
{
	struct fz_secpool_chunk *c;
	unsigned char *slot;
	size_t i;

	if (!obj)
		return;
	slot = (unsigned char *)obj - HEADER_SIZE;
	i = owned_slot(pool, slot, &c);
	sodium_memzero(slot, pool->slot_size); /* header too: no double free */
	if (c->used == ALL_USED) {
		list_del(&pool->full, c);
		list_add(&pool->partial, c);
	}
	c->used &= ~(1ULL << i);
	if (c->used)
		return;
	list_del(&pool->partial, c);
	sodium_free(c->mem); /* zeroes it, too */
	free(c);
	pool->n_chunks--;
}

static void free_list(struct fz_secpool_chunk *c)
{
	while (c) {
		struct fz_secpool_chunk *next = c->next;

		sodium_free(c->mem);
		free(c);
		c = next;
	}
}

void fz_secpool_destroy(struct fz_secpool *pool)
{
	free_list(pool->partial);
	free_list(pool->full);
	fz_secpool_init(pool, pool->obj_size);
}
