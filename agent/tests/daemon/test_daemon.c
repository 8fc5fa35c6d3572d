// SPDX-License-Identifier: GPL-2.0
/*
 * The agent's control server (daemon_ctl.c) on a real libuv loop, with
 * no kernel behind it: a client in a child process sends what the tests
 * need (garbage, unknown commands, bad `set` words, an oversized packet,
 * and finally "stop") while the loop serves it. Requests that would
 * reach fz.ko are left to the VM tests.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctl/ctl.h"
#include "daemon/daemon_int.h"
#include "daemon/tunaddr.h"
#include "lib/keys.h"
#include "../suites.h"

static struct daemon *d;
static char name[IFNAMSIZ];

static void setup(void)
{
	ck_assert_int_eq(fz_keys_init(), 0);
	snprintf(name, sizeof(name), "fzc%u", (unsigned int)getpid());
	d = calloc(1, sizeof(*d));
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(uv_loop_init(&d->loop), 0);
	snprintf(d->ifname, sizeof(d->ifname), "%s", name);
	d->ctl_fd = ctl_listen(name, &d->ctl_name);
	ck_assert_int_ge(d->ctl_fd, 0);
	ck_assert_int_eq(daemon_ctl_start(d), 0);
}

static void teardown(void)
{
	daemon_ctl_close_all(d);
	uv_run(&d->loop, UV_RUN_DEFAULT);
	ck_assert_int_eq(uv_loop_close(&d->loop), 0);
	/* The name goes last, as the daemon's teardown lets it go. */
	ctl_release(&d->ctl_name);
	free(d);
}

/* One request as raw bytes; the reply as "STATUS MESSAGE". */
static void raw_call(const void *req, size_t len, char *out, size_t outlen)
{
	char msg[CTL_MAX_MESSAGE + 1];
	uint8_t buf[CTL_MAX_REPLY];
	int fd = ctl_connect(name), status;
	ssize_t n;

	if (fd < 0) {
		snprintf(out, outlen, "connect %d", fd);
		return;
	}
	if (send(fd, req, len, MSG_NOSIGNAL) != (ssize_t)len) {
		snprintf(out, outlen, "send %d", errno);
		close(fd);
		return;
	}
	n = recv(fd, buf, sizeof(buf), 0);
	close(fd);
	if (n <= 0 ||
	    ctl_decode_reply(buf, (size_t)n, &status, msg, sizeof(msg)))
		snprintf(out, outlen, "no reply");
	else
		snprintf(out, outlen, "%d %s", status, msg);
}

static void call(char **argv, size_t argc, char *out, size_t outlen)
{
	uint8_t *req;
	size_t len;

	if (ctl_encode_request(argv, argc, &req, &len)) {
		snprintf(out, outlen, "encode");
		return;
	}
	raw_call(req, len, out, outlen);
	free(req);
}

/* The child's view, one line per request, for the parent to check. */
static void client(int out)
{
	static const uint8_t garbage[] = { 3, 0, 0, 0, 'a', 'b' };
	char *unknown[] = { "frobnicate" };
	char *bad_set[] = { "set", "bogus", "1" };
	char *bad_key[] = { "set", "private-key", "/etc/passwd" };
	char *stop_args[] = { "stop", "now" };
	char *stop[] = { "stop" };
	char line[CTL_MAX_MESSAGE + 32];
	uint8_t *big;

	raw_call(garbage, sizeof(garbage), line, sizeof(line));
	dprintf(out, "%s\n", line);
	call(unknown, 1, line, sizeof(line));
	dprintf(out, "%s\n", line);
	call(bad_set, 3, line, sizeof(line));
	dprintf(out, "%s\n", line);
	call(bad_key, 3, line, sizeof(line));
	dprintf(out, "%s\n", line);
	big = calloc(1, CTL_MAX_REQUEST + 100);
	raw_call(big, CTL_MAX_REQUEST + 100, line, sizeof(line));
	free(big);
	dprintf(out, "%s\n", line);
	call(stop_args, 2, line, sizeof(line));
	dprintf(out, "%s\n", line);
	call(stop, 1, line, sizeof(line));
	dprintf(out, "%s\n", line);
	/* The name is free as soon as the answer came. */
	dprintf(out, "after %d\n", ctl_connect(name));
	_exit(0);
}

START_TEST(test_control_server)
{
	char got[2048] = "", want[512];
	int pipefd[2], st;
	ssize_t n, off = 0;
	pid_t pid;

	if (getuid() != 0)
		return; /* the server answers root only */
	ck_assert_int_eq(pipe(pipefd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (!pid) {
		/* Not the agent's socket to keep open: it must go with it. */
		close(d->ctl_fd);
		close(pipefd[0]);
		client(pipefd[1]);
	}
	close(pipefd[1]);
	d->status = -1;
	uv_run(&d->loop, UV_RUN_DEFAULT);
	ck_assert(d->stopping);
	ck_assert_int_eq(d->status, 0);
	ck_assert_int_eq(d->ctl_fd, -1);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	while ((n = read(pipefd[0], got + off, sizeof(got) - 1 - off)) > 0)
		off += n;
	close(pipefd[0]);
	snprintf(want, sizeof(want),
		 "%d malformed request\n"
		 "%d unknown request\n"
		 "%d unknown word 'bogus'\n"
		 "%d invalid key in request\n"
		 "%d request too large\n"
		 "%d unknown request\n"
		 "0 \n"
		 "after %d\n",
		 EINVAL, EINVAL, EINVAL, EINVAL, EMSGSIZE, EINVAL,
		 -ECONNREFUSED);
	ck_assert_str_eq(got, want);
}
END_TEST

/* A client that never speaks is dropped; the agent goes on serving. */
START_TEST(test_silent_client)
{
	char *stop[] = { "stop" };
	struct ctl_words w = { stop, 1 };
	char msg[64];
	int st, status = -1;
	pid_t pid;

	if (getuid() != 0)
		return;
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (!pid) {
		int idle, fd;
		char c;

		close(d->ctl_fd);
		idle = ctl_connect(name);

		/* Dropped: the read sees the end, not a reply or a timeout. */
		if (idle < 0 || recv(idle, &c, 1, 0) != 0)
			_exit(1);
		fd = ctl_connect(name);
		if (fd < 0 || ctl_call(fd, &w, &status, msg, sizeof(msg)) ||
		    status)
			_exit(2);
		_exit(0);
	}
	uv_run(&d->loop, UV_RUN_DEFAULT);
	ck_assert(d->stopping);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);
}
END_TEST

static struct fz_cidr cidr(const char *t)
{
	struct fz_cidr c;
	const char *why;

	ck_assert_int_eq(fz_cidr_parse(&c, t, strlen(t), &why), 0);
	return c;
}

/* An earlier run's or init's tunnel address goes; the init's and any
 * other stay. */
START_TEST(test_tunaddr_stale)
{
	const struct fz_cidr want[2] = { cidr("100.64.0.7/11"),
					 cidr("fd00:2021:1111::7/107") };
	struct fz_cidr c;

	c = cidr("100.64.0.7/11");
	ck_assert(!daemon_tunaddr_stale(&c, want));
	c = cidr("fd00:2021:1111::7/107");
	ck_assert(!daemon_tunaddr_stale(&c, want));
	c = cidr("100.64.0.9/11");
	ck_assert(daemon_tunaddr_stale(&c, want));
	c = cidr("100.64.0.7/32"); /* same address, not as the init's */
	ck_assert(daemon_tunaddr_stale(&c, want));
	c = cidr("100.95.255.1/11");
	ck_assert(daemon_tunaddr_stale(&c, want));
	c = cidr("fd00:2021:1111::1f:ffff/107");
	ck_assert(daemon_tunaddr_stale(&c, want));
	c = cidr("100.96.0.1/11"); /* a client's mapped range: not ours */
	ck_assert(!daemon_tunaddr_stale(&c, want));
	c = cidr("192.168.1.5/24");
	ck_assert(!daemon_tunaddr_stale(&c, want));
	c = cidr("fd00:2021:1111:8000::1/107");
	ck_assert(!daemon_tunaddr_stale(&c, want));
	c = cidr("fe80::1/64");
	ck_assert(!daemon_tunaddr_stale(&c, want));
}
END_TEST

Suite *daemon_suite(void)
{
	Suite *s = suite_create("daemon");
	TCase *tc = tcase_create("daemon");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_control_server);
	tcase_add_test(tc, test_silent_client);
	tcase_add_test(tc, test_tunaddr_stale);
	suite_add_tcase(s, tc);
	return s;
}
