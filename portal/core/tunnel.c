// SPDX-License-Identifier: GPL-2.0
/*
 * Offsets to tunnel addresses and back, from the ranges fz.h defines, so
 * that the portal hands out exactly what the agent checks against.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/fz.h>

#include "tunnel.h"

_Static_assert(32 - FZ_RANGE_TUNNEL_V4_LEN == CORE_TUNNEL_HOST_BITS,
	       "the IPv4 tunnel range has 21 host bits");
_Static_assert(128 - FZ_RANGE_TUNNEL_V6_LEN == CORE_TUNNEL_HOST_BITS,
	       "the IPv6 tunnel range has 21 host bits");

static const uint8_t range_v4[] = FZ_RANGE_TUNNEL_V4;
static const uint8_t range_v6[] = FZ_RANGE_TUNNEL_V6;

static int valid(uint32_t o)
{
	return o >= CORE_TUNNEL_MIN && o <= CORE_TUNNEL_MAX;
}

/* The range's prefix, then o in the last three bytes (21 bits fit). */
static void place(struct fz_cidr *c, int family, const uint8_t *range,
		  size_t range_len, size_t len, uint32_t o)
{
	memset(c, 0, sizeof(*c));
	c->family = (uint16_t)family;
	c->cidr = (uint8_t)(len * 8);
	memcpy(c->addr, range, range_len);
	c->addr[len - 3] |= (uint8_t)(o >> 16);
	c->addr[len - 2] = (uint8_t)(o >> 8);
	c->addr[len - 1] = (uint8_t)o;
}

int core_tunnel_addrs(uint32_t o, struct fz_cidr *v4, struct fz_cidr *v6)
{
	if (!valid(o))
		return -ERANGE;
	place(v4, AF_INET, range_v4, sizeof(range_v4), 4, o);
	place(v6, AF_INET6, range_v6, sizeof(range_v6), 16, o);
	return 0;
}

int core_tunnel_offset(const struct fz_cidr *addr, uint32_t *o)
{
	size_t len = addr->family == AF_INET ? 4 : 16;
	const uint8_t *a = addr->addr;
	uint32_t v;

	if (!fz_cidr_in_tunnel(addr))
		return -ERANGE;
	v = (uint32_t)(a[len - 3] & 0x1f) << 16 | (uint32_t)a[len - 2] << 8 |
	    a[len - 1];
	if (!valid(v))
		return -ERANGE;
	*o = v;
	return 0;
}

int core_tunnel_format(uint32_t o, char v4[16], char v6[46])
{
	struct fz_cidr a4, a6;

	if (core_tunnel_addrs(o, &a4, &a6))
		return -ERANGE;
	inet_ntop(AF_INET, a4.addr, v4, 16);
	inet_ntop(AF_INET6, a6.addr, v6, 46);
	return 0;
}
