// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/fz.h>

#include "cidr.h"

_Static_assert(FZ_CIDR_TEXT_MAX == INET6_ADDRSTRLEN + 8,
	       "FZ_CIDR_TEXT_MAX follows INET6_ADDRSTRLEN");

/* Decimal digits only, no sign: -EINVAL if none or another character. */
static int parse_prefix_len(const char *s, unsigned int max, unsigned int *out)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		if (v <= max) /* keep scanning: "99999x" is not a number */
			v = v * 10 + (unsigned int)(*s - '0');
	}
	if (v > max)
		return -ERANGE;
	*out = (unsigned int)v;
	return 0;
}

int fz_cidr_parse(struct fz_cidr *out, const char *text, size_t len,
		  const char **why)
{
	char buf[FZ_CIDR_TEXT_MAX];
	unsigned int max, cidr;
	char *slash;
	int ret;

	memset(out, 0, sizeof(*out));
	*why = "not an IP address";
	if (len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, text, len);
	buf[len] = '\0';
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, out->addr) == 1)
		out->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, out->addr) == 1)
		out->family = AF_INET6;
	else
		return -EINVAL;
	max = out->family == AF_INET ? 32 : 128;
	out->cidr = (uint8_t)max;
	if (!slash)
		return 0;
	ret = parse_prefix_len(slash, max, &cidr);
	if (ret == -ERANGE)
		*why = max == 32 ? "prefix length above 32" :
				   "prefix length above 128";
	else if (!*slash)
		*why = "missing prefix length";
	else if (ret)
		*why = "prefix length is not a number";
	if (ret)
		return -EINVAL;
	out->cidr = (uint8_t)cidr;
	return 0;
}

bool fz_cidr_in(const struct fz_cidr *ip, const uint8_t *prefix,
		unsigned int bits)
{
	unsigned int bytes = bits / 8, rest = bits % 8;

	if (memcmp(ip->addr, prefix, bytes))
		return false;
	return !rest || !((ip->addr[bytes] ^ prefix[bytes]) &
			  (uint8_t)(0xff << (8 - rest)));
}

bool fz_cidr_host_bits_clear(const struct fz_cidr *p)
{
	size_t bytes = p->family == AF_INET ? 4 : 16;

	for (size_t i = 0; i < bytes; i++) {
		unsigned int bit = (unsigned int)i * 8;
		uint8_t mask = bit >= p->cidr ?
				       0 :
			       bit + 8 <= p->cidr ?
				       0xff :
				       (uint8_t)(0xff << (8 - (p->cidr - bit)));

		if (p->addr[i] & (uint8_t)~mask)
			return false;
	}
	return true;
}

bool fz_cidr_in_tunnel(const struct fz_cidr *p)
{
	static const uint8_t v4[16] = FZ_RANGE_TUNNEL_V4;
	static const uint8_t v6[16] = FZ_RANGE_TUNNEL_V6;

	if (p->family == AF_INET)
		return fz_cidr_in(p, v4, FZ_RANGE_TUNNEL_V4_LEN);
	return fz_cidr_in(p, v6, FZ_RANGE_TUNNEL_V6_LEN);
}

bool fz_cidr_in_mapped(const struct fz_cidr *p)
{
	static const uint8_t v4[16] = FZ_RANGE_MAPPED_V4;
	static const uint8_t v6[16] = FZ_RANGE_MAPPED_V6;

	if (p->family == AF_INET)
		return fz_cidr_in(p, v4, FZ_RANGE_MAPPED_V4_LEN);
	return p->family == AF_INET6 &&
	       fz_cidr_in(p, v6, FZ_RANGE_MAPPED_V6_LEN);
}

bool fz_cidr_equal(const struct fz_cidr *a, const struct fz_cidr *b)
{
	return a->family == b->family && a->cidr == b->cidr &&
	       !memcmp(a->addr, b->addr, a->family == AF_INET ? 4 : 16);
}
