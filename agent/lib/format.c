// SPDX-License-Identifier: GPL-2.0
/*
 * Human-readable sizes, durations and addresses, in the style of wg(8).
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "clock.h"

const char *fz_fmt_bytes(char *buf, size_t size, uint64_t bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double value = (double)bytes / 1024;
	size_t unit = 0;

	if (bytes < 1024) {
		snprintf(buf, size, "%" PRIu64 " B", bytes);
		return buf;
	}
	while (value >= 1024 && unit + 1 < sizeof(units) / sizeof(units[0])) {
		value /= 1024;
		unit++;
	}
	snprintf(buf, size, "%.2f %s", value, units[unit]);
	return buf;
}

/* Append ", N unit(s)" (or without the comma when first) when N > 0. */
static size_t append_part(char *buf, size_t size, size_t off, uint64_t n,
			  const char *unit)
{
	int len;

	if (!n || off >= size)
		return off;
	len = snprintf(buf + off, size - off, "%s%" PRIu64 " %s%s",
		       off ? ", " : "", n, unit, n == 1 ? "" : "s");
	return len < 0 ? off : off + (size_t)len;
}

/* "1 year, 2 days, 3 hours, 4 minutes, 5 seconds"; zero parts are left out. */
const char *fz_fmt_duration(char *buf, size_t size, uint64_t seconds)
{
	static const struct {
		const char *unit;
		uint64_t seconds;
	} parts[] = {
		{ "year", 365ULL * 24 * 3600 },
		{ "day", 24 * 3600 },
		{ "hour", 3600 },
		{ "minute", 60 },
		{ "second", 1 },
	};
	size_t off = 0;

	if (!size)
		return buf;
	buf[0] = '\0';
	if (!seconds) {
		snprintf(buf, size, "0 seconds");
		return buf;
	}
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		off = append_part(buf, size, off, seconds / parts[i].seconds,
				  parts[i].unit);
		seconds %= parts[i].seconds;
	}
	return buf;
}

/*
 * A time in the future means the clock moved backwards since the kernel
 * stamped the event; say so rather than print a huge unsigned duration.
 */
const char *fz_fmt_time_ago(char *buf, size_t size, uint64_t then_ns,
			    uint64_t now_ns)
{
	uint64_t seconds;
	size_t len;

	if (then_ns > now_ns) {
		snprintf(buf, size, "in the future (clock went backwards?)");
		return buf;
	}
	seconds = (now_ns - then_ns) / FZ_NSEC_PER_SEC;
	if (!seconds) {
		snprintf(buf, size, "now");
		return buf;
	}
	fz_fmt_duration(buf, size, seconds);
	len = strlen(buf);
	if (len < size)
		snprintf(buf + len, size - len, " ago");
	return buf;
}

/*
 * Expired at expires_ns exactly, as the kernel's filter sees it. The time
 * left is rounded up, so a resource still usable never shows "in 0
 * seconds"; one that just expired shows "expired now".
 */
const char *fz_fmt_expiry(char *buf, size_t size, uint64_t expires_ns,
			  uint64_t now_ns)
{
	char dur[FZ_FMT_DURATION_LEN];
	uint64_t left;

	if (!expires_ns) {
		snprintf(buf, size, "no expiry");
	} else if (expires_ns <= now_ns) {
		snprintf(buf, size, "expired %s",
			 fz_fmt_time_ago(dur, sizeof(dur), expires_ns, now_ns));
	} else {
		left = (expires_ns - now_ns) / FZ_NSEC_PER_SEC +
		       !!((expires_ns - now_ns) % FZ_NSEC_PER_SEC);
		snprintf(buf, size, "expires in %s",
			 fz_fmt_duration(dur, sizeof(dur), left));
	}
	return buf;
}

static const char *fmt_inet(char *buf, size_t size,
			    const struct sockaddr_in *sin)
{
	char addr[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof(addr));
	snprintf(buf, size, "%s:%u", addr, ntohs(sin->sin_port));
	return buf;
}

/* IPv6 endpoints are bracketed; a scope id is kept numeric. */
static const char *fmt_inet6(char *buf, size_t size,
			     const struct sockaddr_in6 *sin6)
{
	char addr[INET6_ADDRSTRLEN];
	char scope[16] = "";

	inet_ntop(AF_INET6, &sin6->sin6_addr, addr, sizeof(addr));
	if (sin6->sin6_scope_id)
		snprintf(scope, sizeof(scope), "%%%u", sin6->sin6_scope_id);
	snprintf(buf, size, "[%s%s]:%u", addr, scope, ntohs(sin6->sin6_port));
	return buf;
}

const char *fz_fmt_endpoint(char *buf, size_t size,
			    const struct sockaddr_storage *ss)
{
	switch (ss->ss_family) {
	case AF_INET:
		return fmt_inet(buf, size, (const struct sockaddr_in *)ss);
	case AF_INET6:
		return fmt_inet6(buf, size, (const struct sockaddr_in6 *)ss);
	default:
		snprintf(buf, size, "(none)");
		return buf;
	}
}

const char *fz_fmt_allowedip(char *buf, size_t size, int family,
			     const void *addr, unsigned int cidr)
{
	char text[INET6_ADDRSTRLEN];

	if ((family != AF_INET && family != AF_INET6) ||
	    !inet_ntop(family, addr, text, sizeof(text))) {
		snprintf(buf, size, "(invalid)");
		return buf;
	}
	snprintf(buf, size, "%s/%u", text, cidr);
	return buf;
}

const char *fz_fmt_uuid(char *buf, size_t size, const uint8_t id[16])
{
	char text[FZ_FMT_UUID_LEN], *p = text;

	for (size_t i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		p += sprintf(p, "%02x", id[i]);
	}
	snprintf(buf, size, "%s", text);
	return buf;
}
