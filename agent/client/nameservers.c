// SPDX-License-Identifier: GPL-2.0
/*
 * The system's resolvers as /etc/resolv.conf names them, for the DNS
 * stub's upstreams when the portal gives none. Read before sysdns.c
 * replaces the file; the stub's own sentinels are skipped, so a file
 * left behind by a run that died cannot make the stub ask itself.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "mapped.h"
#include "sysdns.h"
#include "lib/files.h"

bool client_sysdns_is_sentinel(const struct fz_cidr *c)
{
	static const uint8_t v4[16] = CLIENT_SENTINEL_V4;
	static const uint8_t v6[16] = CLIENT_SENTINEL_V6;

	return c->family == AF_INET ?
		       fz_cidr_in(c, v4, CLIENT_SENTINEL_V4_LEN) :
		       fz_cidr_in(c, v6, CLIENT_SENTINEL_V6_LEN);
}

/* One "nameserver ADDR" line (scoped IPv6 addresses are skipped). */
static bool parse_line(char *line, struct fz_cidr *out)
{
	char *word = strtok(line, " \t\r"), *addr = strtok(NULL, " \t\r");

	if (!word || !addr || strcmp(word, "nameserver"))
		return false;
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, addr, out->addr) == 1) {
		out->family = AF_INET;
		out->cidr = 32;
	} else if (inet_pton(AF_INET6, addr, out->addr) == 1) {
		out->family = AF_INET6;
		out->cidr = 128;
	} else {
		return false;
	}
	return !client_sysdns_is_sentinel(out);
}

int client_sysdns_read_servers(const char *path, struct fz_cidr *out,
			       size_t max)
{
	char *buf, *line, *save = NULL;
	size_t len, n = 0;
	mode_t mode;
	int ret;

	ret = fz_read_file(path ? path : CLIENT_SYSDNS_RESOLV_CONF_PATH,
			   CLIENT_SYSDNS_MAX_FILE, &buf, &len, &mode, NULL);
	if (ret)
		return ret;
	for (line = strtok_r(buf, "\n", &save); line && n < max;
	     line = strtok_r(NULL, "\n", &save))
		if (parse_line(line, &out[n]))
			n++;
	free(buf);
	return (int)n;
}
