// SPDX-License-Identifier: GPL-2.0
/*
 * Expired authorizations leave the table on a timer. Nothing is sent:
 * the gateway got expires_at with each one and enforces it itself; the
 * rows only must not come back in a gateway's next init (which also
 * skips expired rows, so the sweep's period does not matter for safety).
 */
#include <stdio.h>

#include "priv.h"
#include "core/log.h"

static void expiry_tick(uv_timer_t *t)
{
	struct sig *s = t->data;
	struct store_err err = { 0 };
	int64_t n = 0;
	char count[24];

	if (store_authz_delete_expired(s->store, sig_now_ns(), &n, &err)) {
		core_log("store_failed", "op", "expiry", "msg", err.msg, NULL);
		return;
	}
	if (!n)
		return;
	snprintf(count, sizeof(count), "%lld", (long long)n);
	core_log("authorizations_expired", "count", count, NULL);
}

void sig_expiry_start(struct sig *s)
{
	s->expiry_timer.data = s;
	uv_timer_init(s->loop, &s->expiry_timer);
	uv_timer_start(&s->expiry_timer, expiry_tick, SIG_EXPIRY_MS,
		       SIG_EXPIRY_MS);
}
