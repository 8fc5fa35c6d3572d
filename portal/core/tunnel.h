/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tunnel address plan: every gateway and client of an account gets
 * one offset o, which names both of its tunnel addresses,
 * 100.64.0.0 + o in FZ_RANGE_TUNNEL_V4 (100.64.0.0/11) and
 * fd00:2021:1111:: + o in FZ_RANGE_TUNNEL_V6 (fd00:2021:1111::/107).
 * Both ranges have 21 host bits; o is in [1, 2^21 - 2], so neither the
 * network address nor the all-ones address is ever handed out.
 */
#ifndef FZ_PORTAL_CORE_TUNNEL_H
#define FZ_PORTAL_CORE_TUNNEL_H

#include <stdint.h>

#include "lib/cidr.h"

#define CORE_TUNNEL_HOST_BITS 21
#define CORE_TUNNEL_MIN 1u
#define CORE_TUNNEL_MAX ((1u << CORE_TUNNEL_HOST_BITS) - 2)

/* Both addresses of offset o (as /32 and /128): 0 or -ERANGE. */
int core_tunnel_addrs(uint32_t o, struct fz_cidr *v4, struct fz_cidr *v6);

/*
 * The offset of a tunnel address of either family: 0 or -ERANGE when it
 * is outside the tunnel ranges or not a valid offset.
 */
int core_tunnel_offset(const struct fz_cidr *addr, uint32_t *o);

/* Text forms: "100.64.0.1" and "fd00:2021:1111::1"; 0 or -ERANGE. */
int core_tunnel_format(uint32_t o, char v4[16], char v6[46]);

#endif /* FZ_PORTAL_CORE_TUNNEL_H */
