// SPDX-License-Identifier: GPL-2.0
/* libwebsockets' log, one per process; see lwslog.h. */
#include <stdio.h>
#include <string.h>

#include <libwebsockets.h>

#include "lwslog.h"

#define MAX_SINKS 8

static struct {
	fz_lws_sink sink;
	void *ctx;
} sinks[MAX_SINKS];
static size_t n_sinks;

static void lws_line(int level, const char *line)
{
	char text[512];
	size_t n;

	(void)level;
	snprintf(text, sizeof(text), "%s", line);
	n = strlen(text);
	while (n && (text[n - 1] == '\n' || text[n - 1] == '\r'))
		text[--n] = '\0';
	for (unsigned char *c = (unsigned char *)text; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			*c = '?';
	if (n_sinks)
		sinks[n_sinks - 1].sink(sinks[n_sinks - 1].ctx, text);
	else
		fprintf(stderr, "fzagent: lws: %s\n", text);
}

void fz_lws_log_init(void)
{
	lws_set_log_level(LLL_ERR, lws_line);
}

void fz_lws_log_take(fz_lws_sink sink, void *ctx)
{
	fz_lws_log_put(ctx);
	if (n_sinks == MAX_SINKS) /* the oldest gives way */
		memmove(&sinks[0], &sinks[1], --n_sinks * sizeof(*sinks));
	sinks[n_sinks].sink = sink;
	sinks[n_sinks++].ctx = ctx;
}

void fz_lws_log_put(void *ctx)
{
	for (size_t i = 0; i < n_sinks; i++)
		if (sinks[i].ctx == ctx) {
			memmove(&sinks[i], &sinks[i + 1],
				(n_sinks - i - 1) * sizeof(*sinks));
			n_sinks--;
			return;
		}
}
