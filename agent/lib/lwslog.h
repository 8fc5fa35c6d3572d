/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libwebsockets' log, one per process: lws_set_log_level() is global, so
 * the wings that run an lws context (signal/'s client, daemon/health.c's
 * server) do not set it each their way, overwriting the other's: they
 * take it here. Each line is cleaned (no newline, control bytes as '?',
 * since lws may quote what the network sent) and goes to the sink taken
 * last and not yet given back, else to stderr as "fzagent: lws: ...".
 */
#ifndef FZ_AGENT_LWSLOG_H
#define FZ_AGENT_LWSLOG_H

typedef void (*fz_lws_sink)(void *ctx, const char *line);

/* lws's errors to here (idempotent); before each lws_create_context(). */
void fz_lws_log_init(void);
/* sink(ctx, line) gets lws's lines from now until fz_lws_log_put(ctx). */
void fz_lws_log_take(fz_lws_sink sink, void *ctx);
void fz_lws_log_put(void *ctx);

#endif /* FZ_AGENT_LWSLOG_H */
