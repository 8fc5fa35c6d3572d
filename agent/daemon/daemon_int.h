/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The agent's state, shared by daemon.c (loop, events, signals),
 * daemon_sync.c (configuration) and daemon_ctl.c (control socket), and
 * with the role adapters (role.h, role_gw.c).
 * Everything runs on the one loop thread.
 */
#ifndef FZ_AGENT_DAEMON_INT_H
#define FZ_AGENT_DAEMON_INT_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "ctl/ctl.h"

struct conf;
struct fzk_device_view;
struct wg_hs;
struct fzk_nl;
struct nl_sock;
struct daemon_client;
struct daemon_role;

struct daemon {
	uv_loop_t loop;
	char ifname[IFNAMSIZ];
	uint32_t ifindex;
	const char *config_path;
	struct fzk_nl *nl; /* requests and dumps */
	struct wg_hs *hs;
	unsigned int divisor; /* fz.ko's test_time_divisor */

	struct nl_sock *ev_sock; /* FZ_MCGRP_EVENTS */
	int family;
	uv_poll_t ev_poll;
	/* Events lost (ENOBUFS): a resync, at most one a second. */
	uv_timer_t resync_timer;
	uint64_t overflows; /* since the last resync */
	uint64_t last_resync_ms; /* loop time; 0: never */
	struct nl_sock *rt_sock; /* RTNLGRP_LINK: our link's deletion */
	uv_poll_t rt_poll;
	int ctl_fd; /* -1 once closed */
	struct ctl_name ctl_name; /* the interface's, while ctl_fd is open */
	uv_poll_t ctl_poll;
	struct daemon_client *clients;
	unsigned int n_clients;
	uv_signal_t signals[3];
	bool loop_ready; /* the handles above are initialised */

	bool stopping;
	int status; /* exit status */

	const char *cmd; /* "up" or "gateway", for error messages */
	struct daemon_role *role; /* role.h; NULL for `fzagent up` */
};

void daemon_log(struct daemon *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Leaves the loop after this iteration; closes the control socket now. */
void daemon_stop(struct daemon *d, int status);
/* A kernel request failed with -ENODEV: the link is gone. */
int daemon_check(struct daemon *d, int ret);

int daemon_dump(struct daemon *d, struct fzk_device_view *dev);

/* daemon_sync.c */
int daemon_sync(struct daemon *d, const struct conf *cfg, bool startup,
		bool created);
void daemon_reload(struct daemon *d);
int daemon_apply_set(struct daemon *d, const struct conf *cfg, char *msg,
		     size_t msglen);

/* A peer that is not in the config file but must stay: its role's. */
bool daemon_keeps_peer(void *d, const uint8_t *key);

/* daemon_ctl.c */
int daemon_ctl_start(struct daemon *d);
void daemon_ctl_close_listener(struct daemon *d);
void daemon_ctl_close_all(struct daemon *d);

#endif /* FZ_AGENT_DAEMON_INT_H */
