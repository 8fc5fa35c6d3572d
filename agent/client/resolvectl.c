// SPDX-License-Identifier: GPL-2.0
/*
 * The systemd-resolved mode's commands: resolvectl, spawned without a
 * shell (nothing in its words is ever parsed by one), and waited for,
 * at most resolvectl_ms (sysdns.h says why waiting is right here).
 */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "sysdns.h"

extern char **environ;

static bool ifname_ok(const char *name)
{
	size_t len = name ? strlen(name) : 0;

	return len && len < IFNAMSIZ && !strchr(name, '/') &&
	       strspn(name, " \t\n:") == 0 && name[0] != '-';
}

int client_sysdns_resolvectl_argv(const struct client_sysdns_config *cfg,
				  enum client_sysdns_step step,
				  struct client_sysdns_argv *out)
{
	static const char *const verbs[] = {
		[CLIENT_SYSDNS_STEP_DNS] = "dns",
		[CLIENT_SYSDNS_STEP_DOMAIN] = "domain",
		[CLIENT_SYSDNS_STEP_REVERT] = "revert",
	};
	const char *prog = cfg->resolvectl ? cfg->resolvectl :
					     CLIENT_SYSDNS_RESOLVECTL;
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	if (!ifname_ok(cfg->ifname) || step > CLIENT_SYSDNS_STEP_REVERT ||
	    strlen(prog) >= sizeof(out->words[0]))
		return -EINVAL;
	if (step == CLIENT_SYSDNS_STEP_DNS &&
	    (!cfg->n_servers || cfg->n_servers > CLIENT_SYSDNS_MAX_SERVERS))
		return -EINVAL;
	strcpy(out->words[n++], prog);
	strcpy(out->words[n++], verbs[step]);
	strcpy(out->words[n++], cfg->ifname);
	if (step == CLIENT_SYSDNS_STEP_DOMAIN)
		strcpy(out->words[n++], "~.");
	for (size_t i = 0; step == CLIENT_SYSDNS_STEP_DNS && i < cfg->n_servers;
	     i++) {
		if (!inet_ntop(cfg->servers[i].family, cfg->servers[i].addr,
			       out->words[n++], sizeof(out->words[0])))
			return -EINVAL;
	}
	for (size_t i = 0; i < n; i++)
		out->argv[i] = out->words[i];
	return 0;
}

/* Waits for pid up to ms; past that its process group is killed. 0 with
 * *status, -ETIMEDOUT, or -errno. */
static int wait_bounded(pid_t pid, unsigned int ms, int *status)
{
	const struct timespec tick = { 0, 10 * 1000 * 1000 };
	unsigned int waited = 0;
	pid_t got;

	for (;;) {
		got = waitpid(pid, status, WNOHANG);
		if (got == pid)
			return 0;
		if (got < 0 && errno != EINTR)
			return -errno;
		if (waited >= ms)
			break;
		nanosleep(&tick, NULL);
		waited += 10;
	}
	kill(-pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	return -ETIMEDOUT;
}

/* resolvectl in a process group of its own, so that a timeout kills
 * whatever it started too. */
static int spawn(char *const argv[], pid_t *pid)
{
	posix_spawnattr_t attr;
	int ret;

	ret = posix_spawnattr_init(&attr);
	if (ret)
		return ret;
	ret = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	if (!ret)
		ret = posix_spawnattr_setpgroup(&attr, 0);
	if (!ret)
		ret = posix_spawnp(pid, argv[0], NULL, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	return ret;
}

int client_sysdns_resolvectl(const struct client_sysdns_config *cfg,
			     enum client_sysdns_step step, char *err,
			     size_t errlen)
{
	unsigned int ms = cfg->resolvectl_ms ? cfg->resolvectl_ms :
					       CLIENT_SYSDNS_RESOLVECTL_MS;
	struct client_sysdns_argv a;
	int ret, status;
	pid_t pid;

	ret = client_sysdns_resolvectl_argv(cfg, step, &a);
	if (ret) {
		if (err)
			snprintf(
				err, errlen,
				"systemd-resolved: bad interface name or servers");
		return ret;
	}
	ret = spawn(a.argv, &pid);
	if (ret) {
		if (err)
			snprintf(err, errlen, "cannot run %s: %s", a.argv[0],
				 strerror(ret));
		return -ret;
	}
	ret = wait_bounded(pid, ms, &status);
	if (ret) {
		if (err)
			snprintf(err, errlen, "%s %s %s: %s%s", a.argv[0],
				 a.argv[1], a.argv[2], strerror(-ret),
				 ret == -ETIMEDOUT ? " (killed)" : "");
		return ret;
	}
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return 0;
	if (err)
		snprintf(err, errlen, "%s %s %s failed (%s %d)", a.argv[0],
			 a.argv[1], a.argv[2],
			 WIFEXITED(status) ? "exit status" : "signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) :
					     WTERMSIG(status));
	return -EIO;
}
