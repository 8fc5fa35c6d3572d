// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "files.h"

void fz_wipe_free(void *p, size_t len)
{
	if (!p)
		return;
	sodium_memzero(p, len);
	free(p);
}

void *fz_grow(void *array, size_t *cap, size_t n, size_t elem)
{
	size_t new_cap = *cap ? *cap * 2 : 4;
	void *p;

	if (n < *cap)
		return array;
	if (new_cap < *cap || new_cap > SIZE_MAX / elem)
		return NULL;
	p = calloc(new_cap, elem);
	if (!p)
		return NULL;
	if (array) {
		memcpy(p, array, *cap * elem);
		fz_wipe_free(array, *cap * elem);
	}
	*cap = new_cap;
	return p;
}

/*
 * hint: the file's size where known, so a big file is read into one
 * buffer instead of one that doubles (and is wiped) a dozen times.
 */
static int read_all(int fd, size_t max, size_t hint, char **bufp, size_t *lenp)
{
	size_t cap = 0, len = 0;
	char *buf = NULL, *p;
	ssize_t n = 0;
	int ret = 0;

	if (hint && hint < max) {
		buf = calloc(1, hint + 2); /* + 1: sees the end in one read */
		if (!buf)
			return -ENOMEM;
		cap = hint + 2;
	}
	do {
		if (len + 1 >= cap) {
			p = fz_grow(buf, &cap, cap, 1);
			if (!p) {
				ret = -ENOMEM;
				break;
			}
			buf = p;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno != EINTR)
			ret = -errno;
		else if (n > 0)
			len += (size_t)n;
	} while (!ret && n && len <= max);
	if (!ret && len > max)
		ret = -EFBIG;
	if (ret) {
		fz_wipe_free(buf, cap);
		return ret;
	}
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	return 0;
}

/* Pipes (`private-key <(wg genkey)`) have no size: see read_all(). */
int fz_read_file(const char *path, size_t max, char **buf, size_t *len,
		 mode_t *mode, uid_t *uid)
{
	struct stat st;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		ret = -errno;
	else if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > max)
		ret = -EFBIG;
	else
		ret = read_all(fd, max,
			       S_ISREG(st.st_mode) ? (size_t)st.st_size : 0,
			       buf, len);
	if (!ret) {
		*mode = st.st_mode;
		if (uid)
			*uid = st.st_uid;
	}
	close(fd);
	return ret;
}
