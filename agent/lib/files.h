/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Files and the buffers that hold what they say: reading a whole file
 * under a size limit, and arrays that may hold keys, which are wiped
 * rather than left behind when they move or are freed.
 */
#ifndef FZ_FILES_H
#define FZ_FILES_H

#include <stddef.h>
#include <sys/types.h>

/* Wipes len bytes at p and frees it; p may be NULL. */
void fz_wipe_free(void *p, size_t len);

/*
 * Make room for element n. Returns the (possibly moved) array, or NULL
 * with the old one untouched. Arrays and file buffers may hold keys, so
 * the old copy is wiped rather than left behind by realloc(); new slots
 * are zeroed, which is how new peers start.
 */
void *fz_grow(void *array, size_t *cap, size_t n, size_t elem);

/*
 * Reads a whole file of at most max bytes into a NUL-terminated buffer
 * (-EFBIG if larger; pipes have no size, so the limit is enforced while
 * reading), and on success its mode and (uid not NULL) its owner. The
 * caller wipes and frees the buffer (it may hold keys).
 */
int fz_read_file(const char *path, size_t max, char **buf, size_t *len,
		 mode_t *mode, uid_t *uid);

#endif /* FZ_FILES_H */
