/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The system's DNS pointed at the stub while the client runs, and put
 * back afterwards (`--dns-control`):
 *   resolv-conf       /etc/resolv.conf replaced by "nameserver" lines for
 *                     the sentinels. The original (a file, byte for byte,
 *                     with its mode, owner and SELinux label; a symlink,
 *                     as the link; or nothing)
 *                     is saved first to a state file (0600, fsync'd), and
 *                     restored on exit. A start that finds a state file
 *                     restores it first: the last run died before it
 *                     could (crash recovery).
 *   systemd-resolved  `resolvectl dns IFACE IP...` and `resolvectl domain
 *                     IFACE '~.'` (all names to the interface's servers),
 *                     `resolvectl revert IFACE` on exit; spawned, no shell.
 *   none              nothing is touched.
 * Paths are parameters, so tests point them at a temporary directory.
 */
#ifndef FZ_CLIENT_SYSDNS_H
#define FZ_CLIENT_SYSDNS_H

#include <arpa/inet.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/cidr.h"

#define CLIENT_SYSDNS_RESOLV_CONF_PATH "/etc/resolv.conf"
#define CLIENT_SYSDNS_STATE_PATH "/var/lib/fz/resolv.conf.orig"
#define CLIENT_SYSDNS_RESOLVECTL "resolvectl"
#define CLIENT_SYSDNS_MAX_SERVERS 8
/* How long one resolvectl step may take before it is killed. */
#define CLIENT_SYSDNS_RESOLVECTL_MS 5000
/* The largest resolv.conf saved (glibc reads far less). */
#define CLIENT_SYSDNS_MAX_FILE (1024 * 1024)

enum client_sysdns_mode {
	CLIENT_SYSDNS_NONE,
	CLIENT_SYSDNS_RESOLV_CONF,
	CLIENT_SYSDNS_RESOLVED,
};

struct client_sysdns_config {
	enum client_sysdns_mode mode;
	const char *resolv_conf; /* NULL: CLIENT_SYSDNS_RESOLV_CONF_PATH */
	const char *state_file; /* NULL: CLIENT_SYSDNS_STATE_PATH */
	const char *ifname; /* systemd-resolved: the tunnel interface */
	const char *resolvectl; /* NULL: CLIENT_SYSDNS_RESOLVECTL, on $PATH */
	unsigned int resolvectl_ms; /* 0: CLIENT_SYSDNS_RESOLVECTL_MS */
	const struct fz_cidr *servers; /* the sentinels, in order */
	size_t n_servers;
};

/* "resolv-conf", "systemd-resolved", "none": 0 or -EINVAL. */
int client_sysdns_mode_parse(const char *text, enum client_sysdns_mode *out);
const char *client_sysdns_mode_name(enum client_sysdns_mode mode);

/*
 * resolv-conf: a state file left by a run that died is restored and
 * removed. Returns 1 when it restored one, 0 when there was none (or
 * another mode), or -errno with err set (nothing changed).
 */
int client_sysdns_recover(const struct client_sysdns_config *cfg, char *err,
			  size_t errlen);
/* Recovery, then the system's DNS pointed at cfg->servers. 0 or -errno
 * with err set; on failure nothing is left changed. */
int client_sysdns_apply(const struct client_sysdns_config *cfg, char *err,
			size_t errlen);
/* What apply did, undone. 0 or -errno with err set. */
int client_sysdns_revert(const struct client_sysdns_config *cfg, char *err,
			 size_t errlen);

/* The resolvectl commands, as argv vectors (for running and for tests). */
enum client_sysdns_step {
	CLIENT_SYSDNS_STEP_DNS, /* resolvectl dns IFACE IP... */
	CLIENT_SYSDNS_STEP_DOMAIN, /* resolvectl domain IFACE ~. */
	CLIENT_SYSDNS_STEP_REVERT, /* resolvectl revert IFACE */
};
struct client_sysdns_argv {
	char *argv[3 + CLIENT_SYSDNS_MAX_SERVERS + 1];
	char words[3 + CLIENT_SYSDNS_MAX_SERVERS][INET6_ADDRSTRLEN + IFNAMSIZ];
};
/* 0, or -EINVAL (no or bad interface name, no or too many servers). */
int client_sysdns_resolvectl_argv(const struct client_sysdns_config *cfg,
				  enum client_sysdns_step step,
				  struct client_sysdns_argv *out);

/*
 * Runs one step (posix_spawnp, no shell, in a process group of its own)
 * and waits for it: 0, or -errno with err (if not NULL) set, for a
 * failure to run, a nonzero exit, or -ETIMEDOUT when it ran past
 * resolvectl_ms (the group is then killed). It blocks the caller: apply
 * and revert run once, at the role's start and exit, where the stub has
 * nothing to serve yet or any more, and the timeout bounds the wait
 * should systemd-resolved hang.
 */
int client_sysdns_resolvectl(const struct client_sysdns_config *cfg,
			     enum client_sysdns_step step, char *err,
			     size_t errlen);

/* The resolv.conf the resolv-conf mode writes, into out: its length, or
 * -ENOSPC / -EINVAL (no servers). */
int client_sysdns_resolv_conf_text(const struct client_sysdns_config *cfg,
				   char *out, size_t outlen);

/*
 * The "nameserver" addresses of a resolv.conf (NULL: the system's), at
 * most max, the DNS sentinels skipped (nameservers.c): the count, or
 * -errno when the file cannot be read.
 */
int client_sysdns_read_servers(const char *path, struct fz_cidr *out,
			       size_t max);
/* ip is one of the stub's own addresses (100.100.111.0/24, and
 * fd00:2021:1111:8000:100:100:111:0/120): never an upstream. */
bool client_sysdns_is_sentinel(const struct fz_cidr *ip);

#endif /* FZ_CLIENT_SYSDNS_H */
