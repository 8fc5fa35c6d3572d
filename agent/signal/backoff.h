/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The wait before a redial: exponential, with full jitter so that a
 * fleet dropped at once by a restarting portal does not come back at
 * once. Each wait is uniform in [min, cur]; cur then doubles up to max.
 */
#ifndef FZ_AGENT_SIGNAL_BACKOFF_H
#define FZ_AGENT_SIGNAL_BACKOFF_H

struct signal_backoff {
	unsigned int min_ms, max_ms, cur_ms;
};

/* min_ms <= max_ms, both at most SIGNAL_LIMIT_MS (the caller checks). */
void signal_backoff_init(struct signal_backoff *b, unsigned int min_ms,
			 unsigned int max_ms);
/* The next wait in ms; the ceiling doubles for the one after. */
unsigned int signal_backoff_next(struct signal_backoff *b);
/* Back to the first step (a join that held). */
void signal_backoff_reset(struct signal_backoff *b);

#endif /* FZ_AGENT_SIGNAL_BACKOFF_H */
