// SPDX-License-Identifier: GPL-2.0
/*
 * Per-peer timers that need no handshake state, so they live in the
 * kernel: keepalives, noticing a quiet peer, and wiping old keys. The
 * handshake retry timers live in fzagent.
 *
 * A timer is only armed while the peer is alive; fz_peer_remove() marks it
 * dead, waits a grace period, then stops the timers, so none re-arms.
 */
#include <linux/jiffies.h>
#include <linux/random.h>
#include <linux/timer.h>

#include "device.h"
#include "netlink.h"
#include "peer.h"
#include "send.h"
#include "timers.h"

static void fz_mod_timer(struct fz_peer *peer, struct timer_list *t,
			 unsigned long expires)
{
	rcu_read_lock_bh();
	if (likely(!READ_ONCE(peer->dead)))
		mod_timer(t, expires);
	rcu_read_unlock_bh();
}

static void fz_expired_keepalive(struct timer_list *t)
{
	struct fz_peer *peer = from_timer(peer, t, timer_keepalive);

	fz_send_keepalive(peer);
}

static void fz_expired_quiet(struct timer_list *t)
{
	struct fz_peer *peer = from_timer(peer, t, timer_quiet);
	unsigned long deadline;

	/*
	 * Heard from while this ran, too late for del_timer() to stop it.
	 * Acquire: the deadline read below is the one the flag was set with.
	 */
	if (!smp_load_acquire(&peer->quiet_armed))
		return;
	/* The early first stage of an exact quiet timeout: wait the rest. */
	deadline = READ_ONCE(peer->quiet_deadline);
	if (time_before(jiffies, deadline)) {
		fz_mod_timer(peer, t, deadline);
		return;
	}
	WRITE_ONCE(peer->quiet_armed, false);
	/* The peer may have moved or lost its keys: the agent rehandshakes. */
	dst_cache_reset(&peer->dst_cache);
	fz_genl_event_peer(peer, FZ_CMD_EVT_PEER_QUIET, FZ_REASON_NONE);
}

static void fz_expired_persistent(struct timer_list *t)
{
	struct fz_peer *peer = from_timer(peer, t, timer_persistent);

	if (READ_ONCE(peer->persistent_keepalive))
		fz_send_keepalive(peer);
}

static void fz_expired_zero_keys(struct timer_list *t)
{
	struct fz_peer *peer = from_timer(peer, t, timer_zero_keys);

	fz_keypairs_clear(peer);
}

void fz_timers_init(struct fz_peer *peer)
{
	timer_setup(&peer->timer_keepalive, fz_expired_keepalive, 0);
	timer_setup(&peer->timer_quiet, fz_expired_quiet, 0);
	timer_setup(&peer->timer_persistent, fz_expired_persistent, 0);
	timer_setup(&peer->timer_zero_keys, fz_expired_zero_keys, 0);
}

void fz_timers_stop(struct fz_peer *peer)
{
	del_timer_sync(&peer->timer_keepalive);
	del_timer_sync(&peer->timer_quiet);
	del_timer_sync(&peer->timer_persistent);
	del_timer_sync(&peer->timer_zero_keys);
}

/*
 * The quiet timer ends at deadline. The timer wheel fires a timer up to
 * 8/63 of its delay late (at HZ=250, up to 256 ms of a 9 s wait): for an
 * exact timeout (delay given) it is armed a seventh of the delay early
 * and its handler waits the rest, which the wheel keeps to within an
 * eighth of that (32 ms of 9 s). WireGuard's own timeout (delay 0) is
 * jittered anyway.
 *
 * quiet_armed, not timer_pending(), says a wait is on: the timer is not
 * pending while its handler runs, and neither a send then (which would
 * push the deadline back) nor a receive then (which del_timer() would
 * miss, and the re-armed second stage would end in a false PEER_QUIET)
 * may go unseen.
 */
static void fz_quiet_arm(struct fz_peer *peer, unsigned long deadline,
			 unsigned long delay)
{
	WRITE_ONCE(peer->quiet_deadline, deadline);
	/* Release: the handler that sees the flag sees this deadline. */
	smp_store_release(&peer->quiet_armed, true);
	fz_mod_timer(peer, &peer->timer_quiet, deadline - delay / 7);
}

/*
 * Sent data, not a keepalive: expect to hear back within 15 s, or within
 * the peer's own quiet timeout, exactly: a client counts on it to leave
 * a dead gateway in time (no jitter: it rehandshakes with no one else).
 */
void fz_timers_data_sent(struct fz_peer *peer)
{
	u16 quiet;

	if (READ_ONCE(peer->quiet_armed))
		return;
	quiet = READ_ONCE(peer->quiet_timeout);
	if (quiet)
		fz_quiet_arm(peer, jiffies + fz_secs(quiet), fz_secs(quiet));
	else
		fz_quiet_arm(peer,
			     jiffies + fz_secs(FZ_KEEPALIVE_TIMEOUT +
					       FZ_REKEY_TIMEOUT) +
				     get_random_u32_below(HZ / 3 + 1),
			     0);
}

/*
 * Received data: if we send nothing back in 10 s, send a keepalive. A
 * gateway answers its clients within 2 s: a client takes a gateway that
 * is silent for its quiet timeout (9 s by default) as dead, and a
 * one-way flow (UDP logs, a SYN the resource ignores) must not look so.
 */
void fz_timers_data_received(struct fz_peer *peer)
{
	unsigned int delay = READ_ONCE(peer->gateway_client) ?
				     FZ_GATEWAY_KEEPALIVE_TIMEOUT :
				     FZ_KEEPALIVE_TIMEOUT;

	if (!timer_pending(&peer->timer_keepalive))
		fz_mod_timer(peer, &peer->timer_keepalive,
			     jiffies + fz_secs(delay));
}

/*
 * A new quiet timeout applies to a wait already on: it ends no later than
 * the new timeout from now. It starts none (only a send does), and bottom
 * halves are off so that a receive clearing the wait meanwhile has only
 * the handler's own window, not a preemption's.
 */
void fz_timers_quiet_changed(struct fz_peer *peer)
{
	u16 quiet = READ_ONCE(peer->quiet_timeout);
	unsigned long deadline;

	if (!quiet)
		return;
	local_bh_disable();
	deadline = jiffies + fz_secs(quiet);
	if (READ_ONCE(peer->quiet_armed) &&
	    time_before(deadline, READ_ONCE(peer->quiet_deadline))) {
		WRITE_ONCE(peer->quiet_deadline, deadline);
		fz_mod_timer(peer, &peer->timer_quiet,
			     deadline - fz_secs(quiet) / 7);
	}
	local_bh_enable();
}

void fz_timers_any_sent(struct fz_peer *peer)
{
	del_timer(&peer->timer_keepalive);
}

/*
 * The timer goes before the flag: a send arming it in between leaves it
 * pending with the flag clear (its handler ignores it; the next send
 * arms again), never the flag set with no timer, which no send would
 * ever arm again.
 */
void fz_timers_any_received(struct fz_peer *peer)
{
	del_timer(&peer->timer_quiet);
	if (READ_ONCE(peer->quiet_armed))
		WRITE_ONCE(peer->quiet_armed, false);
}

void fz_timers_traversal(struct fz_peer *peer)
{
	u16 interval = READ_ONCE(peer->persistent_keepalive);

	if (interval)
		fz_mod_timer(peer, &peer->timer_persistent,
			     jiffies + fz_secs(interval));
}

void fz_timers_handshake_complete(struct fz_peer *peer)
{
	WRITE_ONCE(peer->last_handshake_ns, ktime_get_real_ns());
	fz_mod_timer(peer, &peer->timer_zero_keys,
		     jiffies + fz_secs(FZ_REJECT_AFTER_TIME * 3));
}

void fz_timers_keepalive_changed(struct fz_peer *peer)
{
	if (READ_ONCE(peer->persistent_keepalive))
		fz_send_keepalive(peer);
	else
		del_timer(&peer->timer_persistent);
}
