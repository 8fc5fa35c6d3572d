/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Applying `set` words to fz.ko: shared by the agent (which also updates
 * its handshake state through the done callback) and by `fzagent set`
 * when no agent runs. Like `wg set`, it stops at the first error.
 */
#ifndef FZ_AGENT_APPLY_H
#define FZ_AGENT_APPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/fz.h>

struct conf;
struct conf_peer;
struct fzk_nl;
struct fzk_peer_update;

/* Called after each peer was applied; skipped: update-only, not there. */
typedef void (*daemon_apply_done_fn)(void *ctx, const struct conf_peer *peer,
				     bool skipped);

/*
 * Device settings (listen port, fwmark, and public_key unless NULL), then
 * each peer: removed, or set. Returns 0 or a negative errno with a
 * message in err. Private and preshared keys in cfg are not the kernel's
 * business and are ignored here. daemon_apply_config() is the two in a row.
 */
int daemon_apply_device(struct fzk_nl *nl, uint32_t ifindex,
			const struct conf *cfg, const uint8_t *public_key,
			char *err, size_t errlen);
int daemon_apply_peers(struct fzk_nl *nl, uint32_t ifindex,
		       const struct conf *cfg, daemon_apply_done_fn done,
		       void *ctx, char *err, size_t errlen);
int daemon_apply_config(struct fzk_nl *nl, uint32_t ifindex,
			const struct conf *cfg, const uint8_t *public_key,
			daemon_apply_done_fn done, void *ctx, char *err,
			size_t errlen);

/*
 * The kernel's update for a parsed peer: its key, endpoint (unless
 * skip_endpoint), keepalive and allowed IPs; flags are added to those the
 * peer implies (REPLACE_ALLOWEDIPS, UPDATE_ONLY). Its remove field is
 * ignored. u points into p, which must outlive it.
 */
void daemon_apply_peer_update(struct fzk_peer_update *u,
			      const struct conf_peer *p, uint32_t flags,
			      bool skip_endpoint);

/* "what: strerror (the kernel's extended ack)", for any request. */
void daemon_apply_error(char *err, size_t errlen, struct fzk_nl *nl, int ret,
			const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#endif /* FZ_AGENT_APPLY_H */
