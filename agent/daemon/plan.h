/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What it takes to make a device match a config file: the pure planning
 * half of `fzagent up` (adopting a link that already exists, or filling
 * a new one) and of reloading on SIGHUP. Applying the plan is up to the
 * daemon; nothing here talks to the kernel.
 *
 * The rule is that a running tunnel is never cut: a peer in both keeps
 * its session keys (SET_PEER never touches them), and while it has a
 * current keypair the endpoint the kernel learned from its packets wins
 * over the file's, which may be out of date behind NAT.
 */
#ifndef FZ_AGENT_PLAN_H
#define FZ_AGENT_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct conf;
struct conf_peer;
struct fzk_device_view;
struct fzk_peer_view;

enum daemon_plan_op {
	DAEMON_PLAN_DELETE, /* in the device only: DEL_PEER */
	DAEMON_PLAN_ADD, /* in the config only: SET_PEER */
	DAEMON_PLAN_KEEP, /* in both: SET_PEER, keys untouched */
};

struct daemon_plan_peer {
	enum daemon_plan_op op;
	const struct conf_peer *cfg; /* ADD, KEEP */
	const struct fzk_peer_view *dev; /* KEEP, DELETE */
	bool skip_endpoint; /* KEEP: the kernel's endpoint stays */
	bool has_current; /* KEEP: a current keypair in the kernel */
};

struct daemon_plan {
	struct daemon_plan_peer *peers; /* deletions first, then config order */
	size_t n_peers;
	size_t n_add, n_keep, n_delete;
	size_t n_keypairs; /* of the peers kept */
	bool set_listen_port;
	uint16_t listen_port;
	bool set_fwmark;
	uint32_t fwmark; /* 0: FZ_DEVICE_F_REMOVE_FWMARK */
};

/* dev may be empty (a new link). The plan points into dev and cfg. */
int daemon_plan_adopt(const struct fzk_device_view *dev, const struct conf *cfg,
		      struct daemon_plan *out);
/*
 * The same, leaving alone the device's peers for which keep() is true
 * although cfg does not have them: a gateway's clients, which are part
 * of the desired state without being in the config file.
 */
int daemon_plan_adopt_keeping(const struct fzk_device_view *dev,
			      const struct conf *cfg,
			      bool (*keep)(void *ctx, const uint8_t *key),
			      void *keep_ctx, struct daemon_plan *out);
void daemon_plan_free(struct daemon_plan *plan);

#endif /* FZ_AGENT_PLAN_H */
