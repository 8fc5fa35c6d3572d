/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A socket's message budget: a token bucket of WEB_RATE_PER_S messages
 * a second with bursts of WEB_RATE_BURST. A message over the budget is
 * refused (the peer gets a rate_limited reply); a peer that keeps going
 * over (2 x burst refusals in a row, or refused for 3 s without one
 * message getting through) is to be closed. Time comes in as
 * milliseconds, so the tests need no clock.
 */
#ifndef FZ_PORTAL_WEB_RATE_H
#define FZ_PORTAL_WEB_RATE_H

#include <stdint.h>

#define WEB_RATE_CLOSE_RUN (2 * WEB_RATE_BURST)
#define WEB_RATE_CLOSE_MS 3000

enum web_rate_verdict {
	WEB_RATE_OK,
	WEB_RATE_REFUSE,
	WEB_RATE_CLOSE,
};

struct web_rate {
	uint64_t millis; /* tokens, in thousandths of a message */
	uint64_t last_ms; /* when millis was last refilled */
	uint64_t refused_since_ms; /* first refusal of the current run */
	unsigned int refused; /* refusals in a row */
};

void web_rate_init(struct web_rate *r, uint64_t now_ms);
enum web_rate_verdict web_rate_take(struct web_rate *r, uint64_t now_ms);

#endif /* FZ_PORTAL_WEB_RATE_H */
