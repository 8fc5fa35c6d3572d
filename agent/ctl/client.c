// SPDX-License-Identifier: GPL-2.0
/*
 * The client end of the control socket, as every command uses it: the
 * messages for an agent that cannot be reached or does not answer are
 * the same whichever command asks.
 */
#include <errno.h>
#include <string.h>

#include "ctl.h"
#include "lib/cli.h"

int ctl_client_connect(const char *cmd, const char *ifname,
		       const char *no_agent, const char *not_root)
{
	int fd = ctl_connect(ifname);

	if (fd == -ECONNREFUSED && no_agent)
		fz_cli_error(cmd, "%s: %s", ifname, no_agent);
	else if (fd == -EACCES)
		fz_cli_error(cmd,
			     "%s: permission denied: only root may talk to "
			     "its agent",
			     ifname);
	else if (fd == -ENOTDIR)
		fz_cli_error(cmd,
			     "%s: %s is not a directory of root's alone; "
			     "nothing was sent",
			     ifname, ctl_run_dir());
	else if (fd == -EPERM)
		fz_cli_error(
			cmd,
			"%s: its control socket is held by a process that is "
			"not root; %s",
			ifname, not_root);
	else if (fd < 0 && fd != -ECONNREFUSED)
		fz_cli_error(cmd, "%s: cannot reach its agent: %s", ifname,
			     strerror(-fd));
	return fd;
}

int ctl_client_call(const char *cmd, const char *ifname, int fd,
		    const struct ctl_words *words, char *msg, size_t msglen)
{
	int ret, status = 0;

	ret = ctl_call(fd, words, &status, msg, msglen);
	return ctl_client_result(cmd, ifname, ret, status, msg);
}

int ctl_client_result(const char *cmd, const char *ifname, int ret, int status,
		      const char *msg)
{
	if (ret) {
		fz_cli_error(cmd, "%s: no answer from its agent: %s", ifname,
			     strerror(-ret));
		return -1;
	}
	if (status) {
		fz_cli_error(cmd, "%s: %s", ifname,
			     *msg ? msg : strerror(status));
		return -1;
	}
	return 0;
}
