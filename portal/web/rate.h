/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A socket's message budget: a token bucket of per_s messages a second
 * with bursts of burst (per role: see struct web_config). A message over
 * the budget is
 * refused (the peer gets a rate_limited reply). A peer that keeps going
 * over is to be closed: 2 x burst refusals before its bucket has once
 * been full again, whether at once (a flood) or a few a second (a peer
 * sending 25 a second is closed after about 20 s). Time comes in as
 * milliseconds, so the tests need no clock.
 */
#ifndef FZ_PORTAL_WEB_RATE_H
#define FZ_PORTAL_WEB_RATE_H

#include <stdint.h>

enum web_rate_verdict {
	WEB_RATE_OK,
	WEB_RATE_REFUSE,
	WEB_RATE_CLOSE,
};

struct web_rate {
	uint64_t millis; /* tokens, in thousandths of a message */
	uint64_t last_ms; /* when millis was last refilled */
	unsigned int refused; /* since the bucket was last full */
	unsigned int per_s, burst; /* both > 0 */
};

/* Refusals in a row that close the socket: twice the burst. */
#define WEB_RATE_CLOSE_RUN(r) (2 * (r)->burst)

void web_rate_init(struct web_rate *r, unsigned int per_s, unsigned int burst,
		   uint64_t now_ms);
enum web_rate_verdict web_rate_take(struct web_rate *r, uint64_t now_ms);

#endif /* FZ_PORTAL_WEB_RATE_H */
