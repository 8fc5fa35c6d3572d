// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "sockaddr.h"
#include "values.h"

static int parse_port(const char *text, uint16_t *port, const char **why)
{
	uint64_t v;

	*why = "port is not a number from 1 to 65535";
	if (fz_parse_decimal(text, UINT16_MAX, &v) || !v)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

int fz_sockaddr_parse(const char *text, uint16_t default_port,
		      struct sockaddr_storage *out, const char **why)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)out;
	struct sockaddr_in *sin = (struct sockaddr_in *)out;
	char buf[FZ_SOCKADDR_TEXT_MAX], *host = buf, *port_text = NULL, *end;
	uint16_t port = default_port;

	memset(out, 0, sizeof(*out));
	*why = "too long";
	if (strlen(text) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, text);
	if (buf[0] == '[') {
		end = strchr(buf, ']');
		*why = "missing ']'";
		if (!end)
			return -EINVAL;
		*end = '\0';
		host = buf + 1;
		*why = "junk after ']'";
		if (end[1] == ':')
			port_text = end + 2;
		else if (end[1])
			return -EINVAL;
	} else if ((end = strchr(buf, ':')) && !strchr(end + 1, ':')) {
		*end = '\0';
		port_text = end + 1;
	}
	if (port_text && parse_port(port_text, &port, why))
		return -EINVAL;
	*why = "missing port";
	if (!port)
		return -EINVAL;
	if (host == buf && inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		*why = "an IPv6 address with a port needs brackets, as in [::1]:53";
		if (host == buf && port_text)
			return -EINVAL;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		return 0;
	}
	*why = "not an IP address";
	return -EINVAL;
}

void fz_sockaddr_format(char out[FZ_SOCKADDR_TEXT_MAX],
			const struct sockaddr_storage *ss)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
	char ip[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET) {
		inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip));
		snprintf(out, FZ_SOCKADDR_TEXT_MAX, "%s:%u", ip,
			 ntohs(sin->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &sin6->sin6_addr, ip, sizeof(ip));
		snprintf(out, FZ_SOCKADDR_TEXT_MAX, "[%s]:%u", ip,
			 ntohs(sin6->sin6_port));
	} else {
		snprintf(out, FZ_SOCKADDR_TEXT_MAX, "(family %u)",
			 ss->ss_family);
	}
}

size_t fz_sockaddr_len(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return sizeof(struct sockaddr_in);
	if (ss->ss_family == AF_INET6)
		return sizeof(struct sockaddr_in6);
	return 0;
}

bool fz_sockaddr_equal(const struct sockaddr_storage *a,
		       const struct sockaddr_storage *b)
{
	const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)a;
	const struct sockaddr_in6 *b6 = (const struct sockaddr_in6 *)b;
	const struct sockaddr_in *a4 = (const struct sockaddr_in *)a;
	const struct sockaddr_in *b4 = (const struct sockaddr_in *)b;

	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return a4->sin_port == b4->sin_port &&
		       a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	if (a->ss_family == AF_INET6)
		return a6->sin6_port == b6->sin6_port &&
		       !memcmp(&a6->sin6_addr, &b6->sin6_addr,
			       sizeof(a6->sin6_addr));
	return false;
}
