// SPDX-License-Identifier: GPL-2.0
/*
 * The systemd-resolved mode's commands: resolvectl, spawned without a
 * shell (nothing in its words is ever parsed by one), and waited for.
 */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

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

int client_sysdns_resolvectl(const struct client_sysdns_config *cfg,
			     enum client_sysdns_step step, char *err,
			     size_t errlen)
{
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
	ret = posix_spawnp(&pid, a.argv[0], NULL, NULL, a.argv, environ);
	if (ret) {
		if (err)
			snprintf(err, errlen, "cannot run %s: %s", a.argv[0],
				 strerror(ret));
		return -ret;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
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
