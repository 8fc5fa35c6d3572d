/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Many small secrets in few mappings. sodium_malloc() gives every
 * allocation its own guard pages and locked pages, four mappings each,
 * so a process holding one per peer runs out of vm.max_map_count
 * (65,530 by default) at about 16,000 peers. A pool carves same-sized
 * objects out of sodium_malloc()ed chunks of FZ_SECPOOL_SLOTS: still
 * locked in memory and fenced by guard pages (per chunk), zeroed when
 * handed out, wiped when given back; an empty chunk is unmapped.
 */
#ifndef FZ_AGENT_SECPOOL_H
#define FZ_AGENT_SECPOOL_H

#include <stddef.h>
#include <stdint.h>

#define FZ_SECPOOL_SLOTS 64

struct fz_secpool_chunk;

struct fz_secpool {
	size_t obj_size;
	size_t slot_size; /* a header naming the chunk, then the object */
	uint64_t secret; /* tags the headers */
	struct fz_secpool_chunk *partial; /* chunks with a free slot */
	struct fz_secpool_chunk *full;
	size_t n_chunks;
};

void fz_secpool_init(struct fz_secpool *pool, size_t obj_size);
/* A zeroed object, or NULL (out of memory). */
void *fz_secpool_alloc(struct fz_secpool *pool);
/* Wipes obj and gives it back; obj NULL: nothing. */
void fz_secpool_free(struct fz_secpool *pool, void *obj);
/* Wipes and unmaps everything; every object of the pool is gone. */
void fz_secpool_destroy(struct fz_secpool *pool);

#endif
