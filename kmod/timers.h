/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FZ_TIMERS_H
#define _FZ_TIMERS_H

struct fz_peer;

void fz_timers_init(struct fz_peer *peer);
void fz_timers_stop(struct fz_peer *peer);

/* Events of the packet path that (re)arm or disarm the peer's timers. */
void fz_timers_data_sent(struct fz_peer *peer);
void fz_timers_data_received(struct fz_peer *peer);
void fz_timers_quiet_changed(struct fz_peer *peer);
void fz_timers_any_sent(struct fz_peer *peer);
void fz_timers_any_received(struct fz_peer *peer);
void fz_timers_traversal(struct fz_peer *peer);
void fz_timers_handshake_complete(struct fz_peer *peer);
void fz_timers_keepalive_changed(struct fz_peer *peer);

#endif /* _FZ_TIMERS_H */
