/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one reader of INI-style text, as the config file and the
 * authorizations file are written: "[Section]" headers, "Key = Value"
 * lines, '#' comments to the end of a line, white space around everything.
 * It splits and trims; what a section or key means is the caller's.
 */
#ifndef FZ_INI_H
#define FZ_INI_H

#include <stddef.h>

struct fz_ini {
	/* A "[...]" line, trimmed, the header still to be checked. */
	int (*section)(void *ctx, char *line);
	/* A "Key = Value" line: both trimmed, key not empty. */
	int (*key)(void *ctx, char *key, char *value);
	/* A line the reader refuses; msg is the whole message. */
	int (*error)(void *ctx, const char *msg);
	void *ctx;
	unsigned int *line; /* counted up before each line is read */
	size_t max_line; /* bytes, without the newline */
};

/*
 * Reads the len bytes at buf (modified in place) line by line, stopping
 * at the first callback that returns nonzero, and returns that.
 */
int fz_ini_parse(const struct fz_ini *ini, char *buf, size_t len);

/* Cuts white space off both ends, in place. */
char *fz_ini_trim(char *s);

#endif /* FZ_INI_H */
