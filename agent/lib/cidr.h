/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Addresses with a prefix length, their text form ("ADDR" or "ADDR/LEN"),
 * and Firezone's ranges (uapi/linux/fz.h) as tests on them. One parser
 * serves the config file, `set` words and the authorizations file.
 */
#ifndef FZ_CIDR_H
#define FZ_CIDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An address with a prefix length; addr is in network order. */
struct fz_cidr {
	uint16_t family; /* AF_INET or AF_INET6 */
	uint8_t addr[16]; /* the first 4 bytes for AF_INET */
	uint8_t cidr; /* <= 32 or 128; host bits are kept as written */
};

/*
 * The len bytes at text, "ADDR" or "ADDR/LEN"; without a length the prefix
 * is a single host. Returns 0 or -EINVAL with *why saying what is wrong:
 * "not an IP address" (also for a text of FZ_CIDR_TEXT_MAX bytes or more),
 * "missing prefix length", "prefix length is not a number", "prefix
 * length above 32" or "... above 128". The length is decimal digits only.
 */
#define FZ_CIDR_TEXT_MAX (46 /* INET6_ADDRSTRLEN */ + 8)

/* Same family, length and address bytes (never memcmp: padding). */
bool fz_cidr_equal(const struct fz_cidr *a, const struct fz_cidr *b);

int fz_cidr_parse(struct fz_cidr *out, const char *text, size_t len,
		  const char **why);

/* Whether ip's address lies in the prefix of bits bits at prefix. */
bool fz_cidr_in(const struct fz_cidr *ip, const uint8_t *prefix,
		unsigned int bits);

/* Whether the bits of p->addr past its prefix length are all zero. */
bool fz_cidr_host_bits_clear(const struct fz_cidr *p);

/* In FZ_RANGE_TUNNEL_V4 or _V6 (any family but AF_INET tests as IPv6). */
bool fz_cidr_in_tunnel(const struct fz_cidr *p);

/* In FZ_RANGE_MAPPED_V4 or _V6. */
bool fz_cidr_in_mapped(const struct fz_cidr *p);

#endif /* FZ_CIDR_H */
