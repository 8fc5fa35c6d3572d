// SPDX-License-Identifier: GPL-2.0
/*
 * fzagent down: stop an interface's agent and delete the interface.
 */
#define _GNU_SOURCE /* struct ucred */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "ctl/ctl.h"
#include "fzk/link.h"

static const char down_usage[] =
	"NAME\n"
	"    fzagent down - stop an fz interface's agent and delete it\n"
	"\n"
	"SYNOPSIS\n"
	"    fzagent down IFACE\n"
	"    fzagent down -h | --help\n"
	"\n"
	"DESCRIPTION\n"
	"    Asks IFACE's agent, if one runs in this network namespace, to\n"
	"    exit, and waits until it has (up to 10 seconds): it wipes its\n"
	"    keys, undoes what its role did (a client restores the system's\n"
	"    DNS and deletes its interface) and gives up the interface's name\n"
	"    last, so an `fzagent up` run after this never meets the old\n"
	"    agent. Then deletes the interface, and with it every peer and\n"
	"    session key in the kernel. It is an error if IFACE does not exist\n"
	"    or is not an fz interface; nothing is stopped then.\n"
	"\n"
	"    To restart the agent without cutting the tunnel, stop it with\n"
	"    SIGTERM instead and run `fzagent up` again.\n"
	"\n"
	"OPTIONS\n"
	"    IFACE\n"
	"        The fz interface, e.g. fz0.\n"
	"\n"
	"    -h, --help\n"
	"        Print this help to standard output and exit.\n"
	"\n"
	"EXAMPLES\n"
	"    fzagent down fz0\n"
	"    ip netns exec site-a fzagent down fz0\n"
	"\n"
	"EXIT STATUS\n"
	"    0 when the interface was deleted; 1 on any error.\n";

/*
 * The agent behind fd, as a pidfd (it answers our connection, so the pid
 * is still its own), or -1 when it cannot be had (another pid namespace).
 */
static int agent_pidfd(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) ||
	    len != sizeof(cred) || cred.pid <= 0)
		return -1;
	return pidfd_open(cred.pid, 0);
}

/*
 * Until the agent has given up its name, and then (when its pid could be
 * had) until its process has ended, within CTL_STOP_WAIT_MS in all.
 */
static void wait_agent_gone(const char *ifname, int pidfd)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	struct timespec t0, t1;
	int ret, left;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = ctl_wait_released(ifname, CTL_STOP_WAIT_MS);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	left = CTL_STOP_WAIT_MS - (int)((t1.tv_sec - t0.tv_sec) * 1000 +
					(t1.tv_nsec - t0.tv_nsec) / 1000000);
	if (!ret && pidfd >= 0) {
		do
			ret = poll(&pfd, 1, left > 0 ? left : 0);
		while (ret < 0 && errno == EINTR);
		ret = ret > 0 ? 0 : ret < 0 ? -errno : -ETIMEDOUT;
	}
	if (ret == -ETIMEDOUT)
		fz_cli_error("down",
			     "%s: its agent has not exited after %d s; "
			     "deleting the interface anyway",
			     ifname, CTL_STOP_WAIT_MS / 1000);
	else if (ret)
		fz_cli_error("down",
			     "%s: cannot wait for its agent to exit: %s; "
			     "deleting the interface anyway",
			     ifname, strerror(-ret));
}

/* An agent that does not answer is no reason to keep the interface. */
static void stop_agent(const char *ifname)
{
	static char stop[] = "stop";
	char *argv[] = { stop, NULL };
	struct ctl_words words = { .argv = argv, .argc = 1 };
	char msg[CTL_MAX_MESSAGE + 1];
	int fd, pidfd, ret, status = 0;

	fd = ctl_client_connect("down", ifname, NULL, "ignored");
	/* No socket: no agent, or one already stopping; wait for it. */
	if (fd == -ECONNREFUSED)
		wait_agent_gone(ifname, -1);
	if (fd < 0)
		return;
	pidfd = agent_pidfd(fd);
	ret = ctl_call(fd, &words, &status, msg, sizeof(msg));
	close(fd);
	if (ret || status)
		fz_cli_error("down", "%s: its agent did not confirm: %s",
			     ifname, ret ? strerror(-ret) : msg);
	else /* It answers, then undoes what its role did. */
		wait_agent_gone(ifname, pidfd);
	if (pidfd >= 0)
		close(pidfd);
}

int cmd_down_main(int argc, char *argv[])
{
	struct fzk_link_info info;
	const char *ifname;
	int ret;

	if (fz_cli_wants_help(argc, argv))
		return fz_cli_print_usage(down_usage);
	if (argc != 2)
		return fz_cli_usage_error("down", argc < 2 ?
							  "missing IFACE" :
							  "too many arguments");
	ifname = argv[1];
	if (!fzk_ifname_valid(ifname))
		return fz_cli_usage_error(
			"down", "'%s' is not a valid interface name", ifname);
	ret = fzk_link_get(ifname, &info);
	if (ret == -ENODEV)
		fz_cli_error("down", "%s: no such interface", ifname);
	else if (ret)
		fz_cli_error("down", "%s: cannot look it up: %s", ifname,
			     strerror(-ret));
	else if (!info.is_fz)
		fz_cli_error("down", "%s is not an fz interface", ifname);
	if (ret || !info.is_fz)
		return FZ_CLI_EXIT_FAILURE;
	stop_agent(ifname);
	ret = fzk_link_delete(info.ifindex);
	/* A client's agent deletes its interface itself as it stops. */
	if (ret == -ENODEV)
		ret = 0;
	if (ret) {
		fz_cli_error("down", "%s: cannot delete it: %s", ifname,
			     strerror(-ret));
		return FZ_CLI_EXIT_FAILURE;
	}
	return FZ_CLI_EXIT_OK;
}
