/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The signalling wing (portal/sig/): what the portal says to gateways
 * and clients over the web wing's sockets. It authenticates sockets
 * against the store's tokens, keeps who is online in memory, answers
 * joins with `init`, decides `request_authorization` (policy engine,
 * gateway choice, the pair's preshared key), and follows the store's
 * `changes` rows to revoke, update and disconnect as administrators
 * change things, in proportion to what each change affects.
 *
 * One thread: every function here runs on the loop given to sig_new().
 * The web wing's callbacks map one to one onto the sig_web_* functions;
 * serve.c passes them through (its web_config.arg is its own).
 */
#ifndef FZ_PORTAL_SIG_H
#define FZ_PORTAL_SIG_H

#include <stddef.h>
#include <uv.h>

#include "store/store.h"
#include "web/web.h"

struct sig;

/*
 * What one token may cost the portal, and how long history is kept.
 * Sockets: a client runs one socket per device session and a gateway
 * token is shared by a site's gateways (HA), hence the larger default;
 * one more is closed with 1008 at once. Devices: the client rows (keys) a
 * token may hold, each with a tunnel address of the account's pool; at
 * the cap its longest unseen offline one is evicted, and a join is
 * refused when all are online. 0 lifts a cap. Retention: audit
 * rows older than audit_s and changes rows older than changes_s (but
 * never the newest SIG_CHANGES_KEEP, nor any the feed has not read) are
 * deleted on the expiry timer; 0 keeps them.
 */
struct sig_limits {
	unsigned int client_sockets;
	unsigned int gateway_sockets;
	unsigned int client_devices;
	int64_t audit_s;
	int64_t changes_s;
};

#define SIG_CLIENT_SOCKETS_DEFAULT 4
#define SIG_GATEWAY_SOCKETS_DEFAULT 16
#define SIG_CLIENT_DEVICES_DEFAULT 16
#define SIG_AUDIT_DAYS_DEFAULT 90
#define SIG_CHANGES_DAYS_DEFAULT 7
#define SIG_CHANGES_KEEP 10000

/*
 * Reads the portal secret (meta "psk_key"), marks every device offline
 * (no socket outlives a restart), and starts the feed and expiry timers
 * on loop. NULL with a sentence in err when it cannot. The store stays
 * the caller's and must outlive the sig.
 */
struct sig *sig_new(uv_loop_t *loop, struct store *store, char *err,
		    size_t errlen);

#define SIG_ACK_TIMEOUT_MS 5000 /* a gateway's authorization_created */

/*
 * How long a gateway has to ack a create_authorization before the client
 * gets authorization_creation_failed (offline); 0: SIG_ACK_TIMEOUT_MS.
 */
void sig_set_ack_timeout(struct sig *s, unsigned int ms);

/* Replaces the defaults above (which sig_new() sets). */
void sig_set_limits(struct sig *s, const struct sig_limits *l);

/* Stops the timers (uv_close); uv_run() returns once they are closed. */
void sig_stop(struct sig *s);
/* After uv_run() has returned (and every socket is gone); s may be NULL. */
void sig_free(struct sig *s);

/*
 * Reads the changes written since the last look now rather than at the
 * next tick of the 100 ms timer: for writers in this process (the REST
 * API), so that a revocation is not even 100 ms late.
 */
void sig_feed_poke(struct sig *s);

/*
 * Commits the signalling's writes of this turn of the loop now (they are
 * otherwise committed before the loop waits): for a caller that is about
 * to open a store transaction of its own (the REST API's admin writes).
 */
void sig_batch_flush(struct sig *s);

/* The web wing's callbacks (struct web_config), with s for arg. */
int sig_web_authenticate(struct sig *s, struct web_auth *auth);
void sig_web_release(struct sig *s, void *principal);
void sig_web_open(struct sig *s, struct web_conn *conn);
void sig_web_message(struct sig *s, struct web_conn *conn, const char *text,
		     size_t len);
void sig_web_close(struct sig *s, struct web_conn *conn, int code,
		   const char *reason);
void sig_web_drained(struct sig *s, struct web_conn *conn);

#endif /* FZ_PORTAL_SIG_H */
