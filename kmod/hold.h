/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FZ_HOLD_H
#define _FZ_HOLD_H

#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/ratelimit.h>
#include <linux/timer.h>

struct fz_device;
struct fz_flow;

/*
 * A client's first packets for a destination no peer routes yet wait
 * here while fzagent asks the portal for it (EVT_UNKNOWN_DEST), so the
 * first TCP SYN is sent once the gateway is a peer, not lost. Bounded:
 * FZ_HOLD_DESTS destinations, FZ_HOLD_PER_DEST packets each, and
 * FZ_HOLD_TIMEOUT seconds; everything past a bound is dropped and counted.
 */
#define FZ_HOLD_DESTS 64
#define FZ_HOLD_PER_DEST 16
#define FZ_HOLD_TIMEOUT 10
/* And at most this much memory (truesize): GSO packets can be large. */
#define FZ_HOLD_MAX_BYTES (4U << 20)

struct fz_hold_dest {
	u16 family; /* 0: the slot is free */
	u8 addr[16];
	unsigned long deadline; /* jiffies */
	struct sk_buff_head queue;
};

struct fz_hold {
	/* Taken only for packets no peer routes, never on the data path. */
	spinlock_t lock;
	bool enabled; /* read locklessly by fz_xmit() */
	bool dead; /* the device is going: the timer stays off */
	unsigned int bytes; /* truesize of everything held */
	/* A destination that found no room is still announced, this often. */
	struct ratelimit_state full_event_rs;
	struct timer_list timer; /* the earliest deadline */
	struct fz_hold_dest dests[FZ_HOLD_DESTS];
};

void fz_hold_init(struct fz_hold *hold);
/* Under fz->lock; turning it off drops what is held. */
void fz_hold_set_enabled(struct fz_device *fz, bool on);
/*
 * fz_xmit(), bottom halves off, for a packet no peer routes: 0 if it is
 * held now; -ENOSPC if a bound was reached (the caller drops it, counted
 * as DROP_HOLD_FULL); -EOPNOTSUPP if holding is off.
 */
int fz_hold_packet(struct fz_device *fz, struct sk_buff *skb);
/* After allowed IPs changed: held packets a peer now routes are sent. */
void fz_hold_release(struct fz_device *fz);
/* The agent could not get dest: its packets get ICMP unreachable. */
unsigned int fz_hold_refuse(struct fz_device *fz, u16 family, const u8 *addr);
/* ndo_stop and ndo_uninit: everything held is dropped. */
void fz_hold_flush(struct fz_device *fz, bool dying);

#endif /* _FZ_HOLD_H */
