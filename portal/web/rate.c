// SPDX-License-Identifier: GPL-2.0
/*
 * The token bucket behind web/rate.h. Integer thousandths of a message
 * keep it exact: 20 messages a second is 20 thousandths a millisecond.
 */
#include "web.h"
#include "rate.h"

#define MILLIS_PER_MSG 1000ULL
#define MILLIS_FULL(r) ((r)->burst * MILLIS_PER_MSG)

void web_rate_init(struct web_rate *r, unsigned int per_s, unsigned int burst,
		   uint64_t now_ms)
{
	r->per_s = per_s;
	r->burst = burst;
	r->millis = MILLIS_FULL(r); /* a new socket may burst at once (join) */
	r->last_ms = now_ms;
	r->refused = 0;
}

static void refill(struct web_rate *r, uint64_t now_ms)
{
	uint64_t elapsed;

	if (now_ms <= r->last_ms)
		return; /* a clock that went back refills nothing */
	elapsed = now_ms - r->last_ms;
	r->last_ms = now_ms;
	/* Capped first: a long-idle socket must not overflow the product. */
	if (elapsed >= MILLIS_FULL(r))
		r->millis = MILLIS_FULL(r);
	else
		r->millis += elapsed * r->per_s;
	if (r->millis >= MILLIS_FULL(r)) {
		r->millis = MILLIS_FULL(r);
		r->refused = 0; /* back under the rate long enough: forgiven */
	}
}

enum web_rate_verdict web_rate_take(struct web_rate *r, uint64_t now_ms)
{
	refill(r, now_ms);
	if (r->millis >= MILLIS_PER_MSG) {
		r->millis -= MILLIS_PER_MSG;
		return WEB_RATE_OK;
	}
	if (++r->refused >= WEB_RATE_CLOSE_RUN(r))
		return WEB_RATE_CLOSE;
	return WEB_RATE_REFUSE;
}
