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
#define FMT_BYTES_LEN 32
#define FMT_DURATION_LEN 96
#define FMT_ENDPOINT_LEN 72
#define FMT_ALLOWEDIP_LEN 56

const char *fmt_bytes(char *buf, size_t size, uint64_t bytes);
const char *fmt_duration(char *buf, size_t size, uint64_t seconds);
const char *fmt_time_ago(char *buf, size_t size, uint64_t then_ns,
			 uint64_t now_ns);
const char *fmt_endpoint(char *buf, size_t size,
			 const struct sockaddr_storage *ss);
const char *fmt_allowedip(char *buf, size_t size, int family, const void *addr,
			  unsigned int cidr);

#endif /* FZ_AGENT_FORMAT_H */
