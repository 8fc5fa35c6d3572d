/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pure text formatting helpers for `fzagent show`.
 *
 * Each writes a NUL-terminated string into the caller's buffer (truncated
 * if the buffer is too small) and returns the buffer, so that calls can be
 * used directly as printf arguments. None reads clocks or global state.
 */
#ifndef FZ_AGENT_FORMAT_H
#define FZ_AGENT_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Buffer sizes that are always large enough. */
#define FZ_FMT_BYTES_LEN 32
#define FZ_FMT_DURATION_LEN 96
#define FZ_FMT_ENDPOINT_LEN 72
#define FZ_FMT_ALLOWEDIP_LEN 56
#define FZ_FMT_UUID_LEN 37 /* 8-4-4-4-12 and the NUL */
#define FZ_FMT_EXPIRY_LEN (FZ_FMT_DURATION_LEN + 16)

const char *fz_fmt_bytes(char *buf, size_t size, uint64_t bytes);
const char *fz_fmt_duration(char *buf, size_t size, uint64_t seconds);
const char *fz_fmt_time_ago(char *buf, size_t size, uint64_t then_ns,
			    uint64_t now_ns);
/* "no expiry" (0), "expires in 59 minutes", "expired 3 seconds ago". */
const char *fz_fmt_expiry(char *buf, size_t size, uint64_t expires_ns,
			  uint64_t now_ns);
const char *fz_fmt_endpoint(char *buf, size_t size,
			    const struct sockaddr_storage *ss);
const char *fz_fmt_allowedip(char *buf, size_t size, int family,
			     const void *addr, unsigned int cidr);
/* A 16-byte UUID, lower case: 0b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c11. */
const char *fz_fmt_uuid(char *buf, size_t size, const uint8_t id[16]);

#endif /* FZ_AGENT_FORMAT_H */
