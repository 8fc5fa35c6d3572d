/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The agent's health endpoints, for a supervisor or a load balancer:
 * plain HTTP (no TLS: bind it to an address only they reach) served by
 * libwebsockets on the daemon's libuv loop.
 *
 *   GET /healthz  200 "ok" while the process runs its loop
 *   GET /readyz   200 "ready" when ready(ctx) says so, else 503
 *                 "not ready"
 *   anything else 404
 *
 * Bodies are text/plain and end with a newline; nothing is cached.
 */
#ifndef FZ_AGENT_HEALTH_H
#define FZ_AGENT_HEALTH_H

#include <stdbool.h>
#include <stddef.h>

#include <uv.h>

struct daemon_health;

/*
 * Listens on addr (an IPv4 or IPv6 address) and port (0: any; see
 * daemon_health_port()). NULL with err filled on failure.
 */
struct daemon_health *daemon_health_start(uv_loop_t *loop, const char *addr,
					  int port, bool (*ready)(void *ctx),
					  void *ctx, char *err, size_t errlen);
int daemon_health_port(const struct daemon_health *h);
/*
 * Stops answering: lws closes its handles on the loop's next turns.
 * daemon_health_free() after the loop has run them (NULL: nothing).
 */
void daemon_health_stop(struct daemon_health *h);
void daemon_health_free(struct daemon_health *h);

#endif /* FZ_AGENT_HEALTH_H */
