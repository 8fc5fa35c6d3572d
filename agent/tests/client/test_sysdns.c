// SPDX-License-Identifier: GPL-2.0
/*
 * sysdns.c on files in a temporary directory: resolv.conf replaced and
 * restored byte for byte (a file with its mode, a symlink as a symlink,
 * a missing file as missing), crash recovery from the state file, a bad
 * state file refused without a change; resolvectl's argv for the
 * systemd-resolved mode (never run here), and a fake resolvectl run.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "client/sysdns.h"
#include "lib/files.h"
#include "../suites.h"

static char dir[] = "/tmp/fz-sysdns-XXXXXX";
static char rc[256], state[256];
static struct fz_cidr servers[2];
static struct client_sysdns_config cfg;

static void setup(void)
{
	const char *why;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(rc, sizeof(rc), "%s/resolv.conf", dir);
	snprintf(state, sizeof(state), "%s/lib/fz/resolv.conf.orig", dir);
	ck_assert_int_eq(fz_cidr_parse(&servers[0], "100.100.111.1", 13, &why),
			 0);
	ck_assert_int_eq(fz_cidr_parse(&servers[1],
				       "fd00:2021:1111:8000:100:100:111:0", 33,
				       &why),
			 0);
	cfg = (struct client_sysdns_config){
		.mode = CLIENT_SYSDNS_RESOLV_CONF,
		.resolv_conf = rc,
		.state_file = state,
		.servers = servers,
		.n_servers = 2,
	};
	/* The state's parent exists; lib/fz is made by the first save. */
	snprintf(state, sizeof(state), "%s/lib", dir);
	ck_assert_int_eq(mkdir(state, 0755), 0);
	snprintf(state, sizeof(state), "%s/lib/fz/resolv.conf.orig", dir);
}

/* Runs in the test's own process (checked): the directory its setup()
 * made, if it made one, goes with it. */
static void teardown(void)
{
	char cmd[64 + sizeof(dir)];

	if (strstr(dir, "XXXXXX"))
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)!system(cmd);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
}

static char *read_text(const char *path, mode_t *mode)
{
	char *buf;
	size_t len;
	mode_t m;

	ck_assert_int_eq(fz_read_file(path, 1 << 20, &buf, &len, &m, NULL), 0);
	if (mode)
		*mode = m & 07777;
	return buf;
}

static const char original[] = "# the original\nnameserver 192.0.2.53\n"
			       "search example.test\n\001\377no newline";

static void assert_ours(void)
{
	char *text = read_text(rc, NULL);

	ck_assert_ptr_nonnull(
		strstr(text, "\nnameserver 100.100.111.1\n"
			     "nameserver fd00:2021:1111:8000:100:100:111:0\n"));
	ck_assert_ptr_null(strstr(text, "192.0.2.53"));
	free(text);
}

START_TEST(test_file)
{
	char err[256], *text;
	struct stat st;
	mode_t mode;

	setup();
	write_file(rc, original, 0640);
	ck_assert_int_eq(client_sysdns_apply(&cfg, err, sizeof(err)), 0);
	assert_ours();
	ck_assert_int_eq(stat(state, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(client_sysdns_revert(&cfg, err, sizeof(err)), 0);
	text = read_text(rc, &mode);
	ck_assert_str_eq(text, original);
	ck_assert_uint_eq(mode, 0640);
	free(text);
	ck_assert_int_eq(access(state, F_OK), -1);
	/* A second revert has nothing to do. */
	ck_assert_int_eq(client_sysdns_revert(&cfg, err, sizeof(err)), 0);
}
END_TEST

/* Owner and SELinux label (as root; the label where the file system
 * takes security.* attributes) come back with the original, and the
 * file written in its place has them too. */
static const char label[] = "system_u:object_r:net_conf_t:s0";

static void assert_attrs(const char *path, bool with_label)
{
	char got[256];
	struct stat st;
	ssize_t n;

	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_uid, 1234);
	ck_assert_uint_eq(st.st_gid, 5678);
	if (!with_label)
		return;
	n = getxattr(path, "security.selinux", got, sizeof(got));
	ck_assert_int_eq(n, (ssize_t)sizeof(label));
	ck_assert_mem_eq(got, label, sizeof(label));
}

START_TEST(test_owner_label)
{
	char err[256], *text;
	bool with_label;

	if (geteuid())
		return; /* chown needs root */
	setup();
	write_file(rc, original, 0644);
	ck_assert_int_eq(chown(rc, 1234, 5678), 0);
	with_label = !setxattr(rc, "security.selinux", label, sizeof(label), 0);
	ck_assert_int_eq(client_sysdns_apply(&cfg, err, sizeof(err)), 0);
	assert_ours();
	assert_attrs(rc, with_label);
	/* After a crash too: the state file holds them. */
	ck_assert_int_eq(chown(rc, 0, 0), 0);
	ck_assert_int_eq(client_sysdns_revert(&cfg, err, sizeof(err)), 0);
	text = read_text(rc, NULL);
	ck_assert_str_eq(text, original);
	free(text);
	assert_attrs(rc, with_label);
}
END_TEST

/* A state file of the agent before owners were saved still restores. */
START_TEST(test_old_state)
{
	char err[256], *text;
	mode_t mode;

	setup();
	snprintf(err, sizeof(err), "%s/lib/fz", dir);
	ck_assert_int_eq(mkdir(err, 0700), 0);
	write_file(state, "fz-resolv-conf 1 file 0640\nold\n", 0600);
	write_file(rc, "ours\n", 0644);
	ck_assert_int_eq(client_sysdns_recover(&cfg, err, sizeof(err)), 1);
	text = read_text(rc, &mode);
	ck_assert_str_eq(text, "old\n");
	ck_assert_uint_eq(mode, 0640);
	free(text);
	/* A bad owner or label is a bad state file. */
	write_file(state, "fz-resolv-conf 1 file 0640 owner=x\nold\n", 0600);
	ck_assert_int_eq(client_sysdns_recover(&cfg, err, sizeof(err)),
			 -EINVAL);
	write_file(state, "fz-resolv-conf 1 file 0640 label=zz\nold\n", 0600);
	ck_assert_int_eq(client_sysdns_recover(&cfg, err, sizeof(err)),
			 -EINVAL);
}
END_TEST

START_TEST(test_crash_recovery)
{
	char err[256], *text;

	setup();
	write_file(rc, original, 0644);
	ck_assert_int_eq(client_sysdns_apply(&cfg, err, sizeof(err)), 0);
	/* The process dies here. The next start restores first, so the
	 * state keeps the original rather than the sentinels. */
	ck_assert_int_eq(client_sysdns_apply(&cfg, err, sizeof(err)), 0);
	assert_ours();
	ck_assert_int_eq(client_sysdns_revert(&cfg, err, sizeof(err)), 0);
	text = read_text(rc, NULL);
	ck_assert_str_eq(text, original);
	free(text);
	/* recover() alone: 1 when it restored, 0 when nothing was there. */
	ck_assert_int_eq(client_sysdns_apply(&cfg, err, sizeof(err)), 0);
	ck_assert_int_eq(client_sysdns_recover(&cfg, err, sizeof(err)), 1);
	text = read_text(rc, NULL);
	ck_assert_str_eq(text, original);
	free(text);
	ck_assert_int_eq(client_sysdns_recover(&cfg, err, sizeof(err)), 0);
}
END_TEST

START_TEST(test_symlink)
{
	char err[256], target[256], link[256], *text;
	struct stat st;
	ssize_t n;

	setup();
	snprintf(target, sizeof(target), "%s/stub-resolv.conf", dir);
	write_file(target, "nameserver 127.0.0.53\n", 0644);
	ck_assert_int_eq(symlink("stub-resolv.conf", rc), 0);
	ck_assert_int_eq(client_sysdns_apply(&cfg, err, sizeof(err)), 0);
	ck_assert_int_eq(lstat(rc, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	assert_ours();
	text = read_text(target, NULL);
	ck_assert_str_eq(text, "nameserver 127.0.0.53\n");
	free(text);
	ck_assert_int_eq(client_sysdns_revert(&cfg, err, sizeof(err)), 0);
	n = readlink(rc, link, sizeof(link) - 1);
	ck_assert_int_gt(n, 0);
	link[n] = '\0';
	ck_assert_str_eq(link, "stub-resolv.conf");
}
END_TEST

START_TEST(test_absent)
{
	char err[256];

	setup();
	ck_assert_int_eq(client_sysdns_apply(&cfg, err, sizeof(err)), 0);
	assert_ours();
	ck_assert_int_eq(client_sysdns_revert(&cfg, err, sizeof(err)), 0);
	ck_assert_int_eq(access(rc, F_OK), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(test_bad_state)
{
	char err[256], *text;

	setup();
	write_file(rc, original, 0644);
	snprintf(err, sizeof(err), "%s/lib/fz", dir);
	ck_assert_int_eq(mkdir(err, 0700), 0);
	write_file(state, "not a state file\n", 0600);
	ck_assert_int_eq(client_sysdns_apply(&cfg, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "not a saved resolv.conf"));
	text = read_text(rc, NULL);
	ck_assert_str_eq(text, original);
	free(text);
	write_file(state, "fz-resolv-conf 1 file 99999\nx", 0600);
	ck_assert_int_eq(client_sysdns_recover(&cfg, err, sizeof(err)),
			 -EINVAL);
	write_file(state, "fz-resolv-conf 1 symlink\n", 0600);
	ck_assert_int_eq(client_sysdns_recover(&cfg, err, sizeof(err)),
			 -EINVAL);
	text = read_text(rc, NULL);
	ck_assert_str_eq(text, original);
	free(text);
	/* No servers: nothing is touched. */
	unlink(state);
	cfg.n_servers = 0;
	ck_assert_int_eq(client_sysdns_apply(&cfg, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(access(state, F_OK), -1);
}
END_TEST

START_TEST(test_modes)
{
	enum client_sysdns_mode m;
	char err[64];

	ck_assert_int_eq(client_sysdns_mode_parse("resolv-conf", &m), 0);
	ck_assert_int_eq(m, CLIENT_SYSDNS_RESOLV_CONF);
	ck_assert_int_eq(client_sysdns_mode_parse("systemd-resolved", &m), 0);
	ck_assert_int_eq(m, CLIENT_SYSDNS_RESOLVED);
	ck_assert_int_eq(client_sysdns_mode_parse("none", &m), 0);
	ck_assert_int_eq(m, CLIENT_SYSDNS_NONE);
	ck_assert_int_eq(client_sysdns_mode_parse("resolvconf", &m), -EINVAL);
	ck_assert_str_eq(client_sysdns_mode_name(CLIENT_SYSDNS_RESOLVED),
			 "systemd-resolved");
	cfg = (struct client_sysdns_config){ .mode = CLIENT_SYSDNS_NONE };
	ck_assert_int_eq(client_sysdns_apply(&cfg, err, sizeof(err)), 0);
	ck_assert_int_eq(client_sysdns_revert(&cfg, err, sizeof(err)), 0);
}
END_TEST

START_TEST(test_resolvectl_argv)
{
	struct client_sysdns_argv a;
	const char *why;

	ck_assert_int_eq(fz_cidr_parse(&servers[0], "100.100.111.1", 13, &why),
			 0);
	ck_assert_int_eq(fz_cidr_parse(&servers[1], "fd00::1", 7, &why), 0);
	cfg = (struct client_sysdns_config){
		.mode = CLIENT_SYSDNS_RESOLVED,
		.ifname = "fz0",
		.servers = servers,
		.n_servers = 2,
	};
	ck_assert_int_eq(
		client_sysdns_resolvectl_argv(&cfg, CLIENT_SYSDNS_STEP_DNS, &a),
		0);
	ck_assert_str_eq(a.argv[0], "resolvectl");
	ck_assert_str_eq(a.argv[1], "dns");
	ck_assert_str_eq(a.argv[2], "fz0");
	ck_assert_str_eq(a.argv[3], "100.100.111.1");
	ck_assert_str_eq(a.argv[4], "fd00::1");
	ck_assert_ptr_null(a.argv[5]);
	ck_assert_int_eq(client_sysdns_resolvectl_argv(
				 &cfg, CLIENT_SYSDNS_STEP_DOMAIN, &a),
			 0);
	ck_assert_str_eq(a.argv[1], "domain");
	ck_assert_str_eq(a.argv[2], "fz0");
	ck_assert_str_eq(a.argv[3], "~.");
	ck_assert_ptr_null(a.argv[4]);
	cfg.resolvectl = "/usr/bin/resolvectl";
	ck_assert_int_eq(client_sysdns_resolvectl_argv(
				 &cfg, CLIENT_SYSDNS_STEP_REVERT, &a),
			 0);
	ck_assert_str_eq(a.argv[0], "/usr/bin/resolvectl");
	ck_assert_str_eq(a.argv[1], "revert");
	ck_assert_str_eq(a.argv[2], "fz0");
	ck_assert_ptr_null(a.argv[3]);
	/* Interface names that are not one. */
	cfg.ifname = "";
	ck_assert_int_eq(client_sysdns_resolvectl_argv(
				 &cfg, CLIENT_SYSDNS_STEP_REVERT, &a),
			 -EINVAL);
	cfg.ifname = "-h";
	ck_assert_int_eq(client_sysdns_resolvectl_argv(
				 &cfg, CLIENT_SYSDNS_STEP_REVERT, &a),
			 -EINVAL);
	cfg.ifname = "a/b";
	ck_assert_int_eq(client_sysdns_resolvectl_argv(
				 &cfg, CLIENT_SYSDNS_STEP_REVERT, &a),
			 -EINVAL);
	cfg.ifname = "abcdefghijklmnopq";
	ck_assert_int_eq(client_sysdns_resolvectl_argv(
				 &cfg, CLIENT_SYSDNS_STEP_REVERT, &a),
			 -EINVAL);
	cfg.ifname = "fz0";
	cfg.n_servers = 0;
	ck_assert_int_eq(
		client_sysdns_resolvectl_argv(&cfg, CLIENT_SYSDNS_STEP_DNS, &a),
		-EINVAL);
}
END_TEST

/* A stand-in resolvectl that logs its words: the run, not just argv. */
START_TEST(test_resolvectl_run)
{
	char fake[256], log[256], script[1024], err[256], *text;

	setup();
	snprintf(fake, sizeof(fake), "%s/resolvectl", dir);
	snprintf(log, sizeof(log), "%s/calls", dir);
	snprintf(
		script, sizeof(script),
		"#!/bin/sh\necho \"$@\" >>%s\n[ \"$1\" != domain ] || [ ! -e %s.fail ]\n",
		log, fake);
	write_file(fake, script, 0755);
	cfg.mode = CLIENT_SYSDNS_RESOLVED;
	cfg.ifname = "fz0";
	cfg.resolvectl = fake;
	ck_assert_int_eq(client_sysdns_apply(&cfg, err, sizeof(err)), 0);
	ck_assert_int_eq(client_sysdns_revert(&cfg, err, sizeof(err)), 0);
	text = read_text(log, NULL);
	ck_assert_str_eq(
		text,
		"dns fz0 100.100.111.1 fd00:2021:1111:8000:100:100:111:0\n"
		"domain fz0 ~.\nrevert fz0\n");
	free(text);
	/* A failing step is reverted, and the error says which. */
	unlink(log);
	snprintf(script, sizeof(script), "%s.fail", fake);
	write_file(script, "", 0644);
	ck_assert_int_eq(client_sysdns_apply(&cfg, err, sizeof(err)), -EIO);
	ck_assert_ptr_nonnull(strstr(err, "domain fz0 failed (exit status 1)"));
	text = read_text(log, NULL);
	ck_assert_str_eq(
		text,
		"dns fz0 100.100.111.1 fd00:2021:1111:8000:100:100:111:0\n"
		"domain fz0 ~.\nrevert fz0\n");
	free(text);
	snprintf(script, sizeof(script), "%s/none", dir);
	cfg.resolvectl = script;
	ck_assert_int_lt(client_sysdns_apply(&cfg, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "cannot run"));
}
END_TEST

/* A resolvectl that hangs is killed after resolvectl_ms, with whatever
 * it started, and the error says so. */
START_TEST(test_resolvectl_timeout)
{
	char fake[256], script[512], err[256];
	struct timespec t0, t1;
	long ms;

	setup();
	snprintf(fake, sizeof(fake), "%s/resolvectl", dir);
	snprintf(script, sizeof(script), "#!/bin/sh\nsleep 30\n");
	write_file(fake, script, 0755);
	cfg.mode = CLIENT_SYSDNS_RESOLVED;
	cfg.ifname = "fz0";
	cfg.resolvectl = fake;
	cfg.resolvectl_ms = 300;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(client_sysdns_resolvectl(&cfg, CLIENT_SYSDNS_STEP_DNS,
						  err, sizeof(err)),
			 -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	     (t1.tv_nsec - t0.tv_nsec) / 1000000;
	ck_assert_int_lt(ms, 2000);
	ck_assert_ptr_nonnull(strstr(err, "dns fz0: "));
	ck_assert_ptr_nonnull(strstr(err, "(killed)"));
}
END_TEST

Suite *client_sysdns_suite(void)
{
	Suite *s = suite_create("client_sysdns");
	TCase *tc = tcase_create("client_sysdns");

	tcase_add_checked_fixture(tc, NULL, teardown);

	tcase_add_test(tc, test_file);
	tcase_add_test(tc, test_crash_recovery);
	tcase_add_test(tc, test_symlink);
	tcase_add_test(tc, test_absent);
	tcase_add_test(tc, test_bad_state);
	tcase_add_test(tc, test_modes);
	tcase_add_test(tc, test_resolvectl_argv);
	tcase_add_test(tc, test_resolvectl_run);
	tcase_add_test(tc, test_owner_label);
	tcase_add_test(tc, test_old_state);
	tcase_add_test(tc, test_resolvectl_timeout);
	suite_add_tcase(s, tc);
	return s;
}
