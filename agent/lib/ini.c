// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "ini.h"

char *fz_ini_trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	*end = '\0';
	return s;
}

/*
 * The line itself is never quoted: a key pasted without "PrivateKey ="
 * must not end up in a log.
 */
static int parse_line(const struct fz_ini *ini, char *line)
{
	char *hash = strchr(line, '#'), *eq, *key;

	if (hash)
		*hash = '\0';
	line = fz_ini_trim(line);
	if (!*line)
		return 0;
	if (*line == '[')
		return ini->section(ini->ctx, line);
	eq = strchr(line, '=');
	if (!eq)
		return ini->error(ini->ctx,
				  "expected 'Key = Value' or a [Section]");
	*eq = '\0';
	key = fz_ini_trim(line);
	if (!*key)
		return ini->error(ini->ctx, "missing key before '='");
	return ini->key(ini->ctx, key, fz_ini_trim(eq + 1));
}

int fz_ini_parse(const struct fz_ini *ini, char *buf, size_t len)
{
	char *line = buf, *end = buf + len, *nl, msg[64];
	int ret = 0;

	while (!ret && line < end) {
		size_t n;

		(*ini->line)++;
		nl = memchr(line, '\n', (size_t)(end - line));
		n = (size_t)((nl ? nl : end) - line);
		if (n > ini->max_line) {
			snprintf(msg, sizeof(msg), "line longer than %zu bytes",
				 ini->max_line);
			return ini->error(ini->ctx, msg);
		}
		if (memchr(line, '\0', n))
			return ini->error(ini->ctx, "NUL byte in line");
		line[n] = '\0';
		ret = parse_line(ini, line);
		line += n + 1;
	}
	return ret;
}
