/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the daemon knows of a role (the gateway today; the client next):
 * a table of hooks at the points of its life where a role has a say.
 * The daemon core (daemon.c, daemon_sync.c, daemon_ctl.c) calls roles
 * only through this table and includes no role's headers; a role's
 * adapter (role_gw.c) is the one file that knows both the daemon's state
 * (daemon_int.h) and the role's own wing (gateway/). `fzagent up` runs
 * with no role. Every hook runs on the loop thread; err/msg hooks write
 * one line for the user and return a negative errno.
 */
#ifndef FZ_AGENT_ROLE_H
#define FZ_AGENT_ROLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/fz.h>

#include "ctl/ctl.h"

struct daemon;
struct conf;
struct fzk_event;

struct daemon_role_ops {
	const char *name; /* "gateway" */
	/* Once the daemon and its loop exist, before anything is set up. */
	int (*create)(struct daemon *d);
	/* fz.ko's peers of this role that it no longer has go (adoption). */
	int (*prune)(struct daemon *d, char *err, size_t errlen);
	/* After the first config sync: the role's own state in fz.ko. */
	int (*start)(struct daemon *d);
	/* On exit, whatever happened before; undoes what start did. */
	void (*stop)(struct daemon *d);
	/* A peer the config file lacks that config sync must leave alone. */
	bool (*keeps_peer)(struct daemon *d, const uint8_t key[FZ_KEY_LEN]);
	/* A file reread on SIGHUP besides the config file; NULL: none. */
	const char *(*reload_path)(struct daemon *d);
	/*
	 * SIGHUP, in this order: reload_read (its file, kept pending),
	 * check_config (the new config against the pending state, or the
	 * current one), then, if all is well, reload (the pending state
	 * replaces the current one; fz.ko pruned), config sync, resync
	 * (fz.ko brought to the role's state); reload_end always.
	 */
	int (*reload_read)(struct daemon *d, char *err, size_t errlen);
	int (*check_config)(struct daemon *d, const struct conf *cfg, char *err,
			    size_t errlen);
	int (*reload)(struct daemon *d, char *err, size_t errlen);
	int (*resync)(struct daemon *d, char *err, size_t errlen);
	void (*reload_end)(struct daemon *d);
	/* `fzagent set` words that touch the role's peers: -EPERM. */
	int (*check_set)(struct daemon *d, const struct conf *cfg, char *msg,
			 size_t msglen);
	/* FZ_CMD_EVT_CONTROL, _DENIED_FLOW and _UNKNOWN_DEST. */
	void (*event)(struct daemon *d, const struct fzk_event *ev);
	/*
	 * FZ_CMD_EVT_PEER_QUIET: true if the role took it (a client's dead
	 * gateway); else, or NULL, the peer rehandshakes as WireGuard's.
	 */
	bool (*peer_quiet)(struct daemon *d, const uint8_t key[FZ_KEY_LEN]);
	/* A control request whose verb the table marks as a role's. */
	int (*ctl)(struct daemon *d, enum ctl_verb verb, int argc, char **argv,
		   char *msg, size_t msglen);
	/* The role deletes the interface on exit (the client's is its own). */
	bool removes_link;
};

/* Embedded first in the role's own state; d->role points at it. */
struct daemon_role {
	const struct daemon_role_ops *ops;
};

/*
 * Runs the agent for CMD ("up", "gateway") with role (NULL: none), as
 * daemon_up() does; cfg is freed. The role stays the caller's.
 */
int daemon_run(const char *cmd, const char *ifname, const char *config_path,
	       struct conf *cfg, struct daemon_role *role);

#endif /* FZ_AGENT_ROLE_H */
