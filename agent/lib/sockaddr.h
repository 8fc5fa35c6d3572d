/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Numeric socket addresses as people write them on a command line:
 * "ADDR:PORT", "[IPV6]:PORT", or a bare address taking a default port.
 * No names: nothing here ever asks DNS (the DNS stub's own upstreams
 * cannot be names).
 */
#ifndef FZ_SOCKADDR_H
#define FZ_SOCKADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* "[ffff:...:ffff%ifname]:65535" and its NUL. */
#define FZ_SOCKADDR_TEXT_MAX 80

/*
 * text into *out (port set). default_port 0: a port is required.
 * Returns 0 or -EINVAL with *why saying what is wrong.
 */
int fz_sockaddr_parse(const char *text, uint16_t default_port,
		      struct sockaddr_storage *out, const char **why);

/* "1.2.3.4:53" or "[::1]:53". */
void fz_sockaddr_format(char out[FZ_SOCKADDR_TEXT_MAX],
			const struct sockaddr_storage *ss);

/* sizeof(struct sockaddr_in) or _in6 for the family; 0 for others. */
size_t fz_sockaddr_len(const struct sockaddr_storage *ss);

/* Same family, address and port. */
bool fz_sockaddr_equal(const struct sockaddr_storage *a,
		       const struct sockaddr_storage *b);

#endif /* FZ_SOCKADDR_H */
