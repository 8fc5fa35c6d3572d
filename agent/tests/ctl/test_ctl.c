// SPDX-License-Identifier: GPL-2.0
/*
 * ctl.c: the control protocol's packets and their bounds, canonical
 * `set` words and back, a real round trip over the socket and who may
 * take or reach it; and
 * the small pure helpers of `fzagent up` (interface names, the test
 * timer divisor).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "conf/config.h"
#include "ctl/ctl.h"
#include "daemon/daemon.h"
#include "fzk/link.h"
#include "lib/keys.h"
#include "../suites.h"

static char tmpdir[] = "/tmp/fzagent-ctl.XXXXXX";

static void setup(void)
{
	ck_assert_int_eq(fz_keys_init(), 0);
	strcpy(tmpdir, "/tmp/fzagent-ctl.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	setenv(CTL_DIR_ENV, tmpdir, 1);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

/* --- Packets --- */

START_TEST(test_request_round_trip)
{
	char *argv[] = { "set", "peer", "", "allowed-ips", "10.0.0.0/8" };
	struct ctl_words w;
	uint8_t *buf;
	size_t len;

	ck_assert_int_eq(ctl_encode_request(argv, 5, &buf, &len), 0);
	ck_assert_uint_eq(len, 4 + 4 + 5 + 1 + 12 + 11);
	ck_assert_int_eq(ctl_decode_request(buf, len, &w), 0);
	ck_assert_uint_eq(w.argc, 5);
	for (size_t i = 0; i < 5; i++)
		ck_assert_str_eq(w.argv[i], argv[i]);
	ck_assert_ptr_null(w.argv[5]);
	ctl_words_free(&w);
	free(buf);
}
END_TEST

START_TEST(test_request_bounds)
{
	size_t big = CTL_MAX_WORDS_LEN;
	char *word = malloc(big + 1), *argv[1] = { word };
	uint8_t *buf, bad[16];
	struct ctl_words w;
	uint32_t l32;
	size_t len;

	/* The largest request fits exactly; one byte more does not. */
	memset(word, 'x', big - 1);
	word[big - 1] = '\0';
	ck_assert_int_eq(ctl_encode_request(argv, 1, &buf, &len), 0);
	ck_assert_uint_eq(len, CTL_MAX_REQUEST);
	ck_assert_int_eq(ctl_decode_request(buf, len, &w), 0);
	ck_assert_uint_eq(w.argc, 1);
	ctl_words_free(&w);
	free(buf);
	memset(word, 'x', big);
	word[big] = '\0';
	ck_assert_int_eq(ctl_encode_request(argv, 1, &buf, &len), -E2BIG);
	ck_assert_int_eq(ctl_encode_request(argv, 0, &buf, &len), -EINVAL);
	free(word);

	/* Too short, lying length, no final NUL, too long. */
	memset(bad, 0, sizeof(bad));
	ck_assert_int_eq(ctl_decode_request(bad, 4, &w), -EINVAL);
	l32 = 5;
	memcpy(bad, &l32, 4);
	memcpy(bad + 4, "stop", 5);
	ck_assert_int_eq(ctl_decode_request(bad, 9, &w), 0);
	ctl_words_free(&w);
	ck_assert_int_eq(ctl_decode_request(bad, 10, &w), -EINVAL);
	l32 = 4;
	memcpy(bad, &l32, 4);
	ck_assert_int_eq(ctl_decode_request(bad, 8, &w), -EINVAL);
	ck_assert_int_eq(ctl_decode_request(bad, CTL_MAX_REQUEST + 1, &w),
			 -EMSGSIZE);
	ck_assert_ptr_null(w.argv);
}
END_TEST

START_TEST(test_reply_round_trip)
{
	uint8_t buf[CTL_MAX_REPLY];
	char msg[CTL_MAX_MESSAGE + 1], *longmsg;
	size_t len;
	int status;

	len = ctl_encode_reply(buf, 0, NULL);
	ck_assert_uint_eq(len, 1);
	ck_assert_int_eq(ctl_decode_reply(buf, len, &status, msg, sizeof(msg)),
			 0);
	ck_assert_int_eq(status, 0);
	ck_assert_str_eq(msg, "");

	len = ctl_encode_reply(buf, -ENOENT, "no such peer");
	ck_assert_int_eq(ctl_decode_reply(buf, len, &status, msg, sizeof(msg)),
			 0);
	ck_assert_int_eq(status, ENOENT);
	ck_assert_str_eq(msg, "no such peer");

	/* Long messages are cut, never overflow; a small buffer cuts too. */
	longmsg = malloc(10000);
	memset(longmsg, 'm', 9999);
	longmsg[9999] = '\0';
	len = ctl_encode_reply(buf, 1000, longmsg);
	ck_assert_uint_eq(len, CTL_MAX_REPLY);
	ck_assert_int_eq(buf[0], 255);
	ck_assert_int_eq(ctl_decode_reply(buf, len, &status, msg, 8), 0);
	ck_assert_str_eq(msg, "mmmmmmm");
	free(longmsg);

	/* Empty, oversized, or with a NUL inside: refused. */
	ck_assert_int_eq(ctl_decode_reply(buf, 0, &status, msg, 8), -EINVAL);
	ck_assert_int_eq(ctl_decode_reply(buf, CTL_MAX_REPLY + 1, &status, msg,
					  8),
			 -EINVAL);
	buf[3] = '\0';
	ck_assert_int_eq(ctl_decode_reply(buf, 10, &status, msg, 8), -EINVAL);
}
END_TEST

/* --- Canonical words --- */

static const char peer1[] = "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=";
static const char peer2[] = "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=";

static char *key_file(const char *name, const char *content)
{
	static char path[4][128];
	static int next;
	char *p = path[next++ % 4];
	FILE *f;

	snprintf(p, 128, "%s/%s", tmpdir, name);
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(content, f);
	fclose(f);
	ck_assert_int_eq(chmod(p, 0600), 0);
	return p;
}

static void parse_set(struct conf *cfg, char **argv, int argc)
{
	char err[256];
	int ret = conf_parse_set(argc, argv, cfg, err, sizeof(err));

	ck_assert_msg(ret == 0, "parse_set: %s", err);
}

/* The words joined by '|', to compare with one string. */
static void check_words(const struct ctl_words *w, const char *want)
{
	char got[1024] = "";

	for (size_t i = 0; i < w->argc; i++) {
		if (i)
			strcat(got, "|");
		ck_assert_uint_lt(strlen(got) + strlen(w->argv[i]), 1000);
		strcat(got, w->argv[i]);
	}
	ck_assert_str_eq(got, want);
}

static void check_same_peer(const struct conf_peer *x,
			    const struct conf_peer *y)
{
	ck_assert_mem_eq(x->public_key, y->public_key, FZ_KEY_LEN);
	ck_assert_int_eq(x->has_preshared_key, y->has_preshared_key);
	ck_assert_mem_eq(x->preshared_key, y->preshared_key, FZ_KEY_LEN);
	ck_assert_int_eq(x->has_endpoint, y->has_endpoint);
	ck_assert_mem_eq(&x->endpoint, &y->endpoint, sizeof(x->endpoint));
	ck_assert_int_eq(x->has_keepalive, y->has_keepalive);
	ck_assert_uint_eq(x->persistent_keepalive, y->persistent_keepalive);
	ck_assert_uint_eq(x->n_allowed_ips, y->n_allowed_ips);
	for (size_t i = 0; i < x->n_allowed_ips; i++)
		ck_assert_mem_eq(&x->allowed_ips[i], &y->allowed_ips[i],
				 sizeof(struct fz_cidr));
	ck_assert_int_eq(x->remove, y->remove);
	ck_assert_int_eq(x->replace_allowed_ips, y->replace_allowed_ips);
	ck_assert_int_eq(x->update_only, y->update_only);
}

START_TEST(test_words_round_trip)
{
	char priv[FZ_KEY_B64_LEN + 1], psk[FZ_KEY_B64_LEN + 1], line[64];
	char want[1024];
	uint8_t k[FZ_KEY_LEN];
	char *argv[32], err[256];
	struct conf cfg, back;
	struct ctl_words w;
	int n = 0;

	fz_key_generate_private(k);
	fz_key_to_base64(priv, k);
	randombytes_buf(k, sizeof(k));
	fz_key_to_base64(psk, k);
	snprintf(line, sizeof(line), "%s\n", priv);
	argv[n++] = "listen-port";
	argv[n++] = "51820";
	argv[n++] = "fwmark";
	argv[n++] = "0x1234";
	argv[n++] = "private-key";
	argv[n++] = key_file("priv", line);
	argv[n++] = "peer";
	argv[n++] = (char *)peer1;
	argv[n++] = "preshared-key";
	argv[n++] = key_file("psk", psk);
	argv[n++] = "endpoint";
	argv[n++] = "192.0.2.1:51820";
	argv[n++] = "persistent-keepalive";
	argv[n++] = "25";
	argv[n++] = "allowed-ips";
	argv[n++] = "10.0.0.2/32, fd00::2/128,10.1.0.0/16";
	argv[n++] = "peer";
	argv[n++] = (char *)peer2;
	argv[n++] = "update-only";
	argv[n++] = "preshared-key";
	argv[n++] = "/dev/null";
	argv[n++] = "endpoint";
	argv[n++] = "[2001:db8::1]:1";
	argv[n++] = "allowed-ips";
	argv[n++] = "";
	parse_set(&cfg, argv, n);

	/* Keys inline, lists and endpoints in one spelling. */
	ck_assert_int_eq(ctl_words_from_config(&cfg, &w), 0);
	snprintf(want, sizeof(want),
		 "set|listen-port|51820|fwmark|0x1234|private-key|%s|"
		 "peer|%s|preshared-key|%s|endpoint|192.0.2.1:51820|"
		 "persistent-keepalive|25|allowed-ips|"
		 "10.0.0.2/32,fd00::2/128,10.1.0.0/16|"
		 "peer|%s|update-only|preshared-key||"
		 "endpoint|[2001:db8::1]:1|allowed-ips|",
		 priv, peer1, psk, peer2);
	check_words(&w, want);
	ck_assert_int_eq(ctl_config_from_words((int)w.argc - 1, w.argv + 1,
					       &back, err, sizeof(err)),
			 0);
	ck_assert(back.has_private_key && back.has_listen_port &&
		  back.has_fwmark);
	ck_assert_mem_eq(back.private_key, cfg.private_key, FZ_KEY_LEN);
	ck_assert_uint_eq(back.listen_port, 51820);
	ck_assert_uint_eq(back.fwmark, 0x1234);
	ck_assert_uint_eq(back.n_peers, 2);
	check_same_peer(&back.peers[0], &cfg.peers[0]);
	check_same_peer(&back.peers[1], &cfg.peers[1]);
	ctl_words_free_all(&w);
	conf_free(&back);
	conf_free(&cfg);
}
END_TEST

START_TEST(test_words_remove_and_off)
{
	char *argv[] = { "fwmark",	"off",
			 "peer",	(char *)peer1,
			 "remove",	"peer",
			 (char *)peer2, "persistent-keepalive",
			 "off" };
	char want[256];
	struct conf cfg, back;
	struct ctl_words w;
	char err[256];

	parse_set(&cfg, argv, 9);
	ck_assert_int_eq(ctl_words_from_config(&cfg, &w), 0);
	snprintf(want, sizeof(want),
		 "set|fwmark|0x0|peer|%s|remove|peer|%s|"
		 "persistent-keepalive|0",
		 peer1, peer2);
	check_words(&w, want);
	ck_assert_int_eq(ctl_config_from_words((int)w.argc - 1, w.argv + 1,
					       &back, err, sizeof(err)),
			 0);
	ck_assert(back.peers[0].remove);
	check_same_peer(&back.peers[1], &cfg.peers[1]);
	ctl_words_free_all(&w);
	conf_free(&back);
	conf_free(&cfg);
}
END_TEST

/* Inline keys: base64 or "" only; the agent never reads a file. */
START_TEST(test_words_inline_keys)
{
	char *bad[] = { "private-key", "/etc/shadow" };
	char *none[] = { "private-key", "" };
	char *psk_first[] = { "preshared-key", (char *)peer1 };
	struct conf cfg;
	char err[256];

	ck_assert_int_eq(ctl_config_from_words(2, bad, &cfg, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "invalid key in request");
	ck_assert_int_eq(ctl_config_from_words(2, none, &cfg, err, sizeof(err)),
			 0);
	ck_assert(cfg.has_private_key);
	ck_assert(sodium_is_zero(cfg.private_key, FZ_KEY_LEN));
	conf_free(&cfg);
	/* Out of place: the parser's own message. */
	ck_assert_int_eq(ctl_config_from_words(2, psk_first, &cfg, err,
					       sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "needs a 'peer KEY'"));
	/* The caller's words are not changed. */
	ck_assert_str_eq(bad[1], "/etc/shadow");
}
END_TEST

/* --- Sockets --- */

static void unique_name(char name[IFNAMSIZ])
{
	snprintf(name, IFNAMSIZ, "fzt%u", (unsigned int)getpid());
}

/* The child is the agent: one request, echoed back with its word count. */
static void serve_one(const char *name, int ready)
{
	uint8_t buf[CTL_MAX_REQUEST], reply[CTL_MAX_REPLY];
	struct ctl_name held;
	int lfd = ctl_listen(name, &held), fd = -EAGAIN;
	struct ctl_words w;
	char msg[64];
	ssize_t n;

	if (lfd < 0)
		_exit(2);
	(void)!write(ready, "x", 1);
	while (fd == -EAGAIN || fd == -EINTR) {
		usleep(1000);
		fd = ctl_accept(lfd);
	}
	if (fd < 0)
		_exit(3);
	do
		n = recv(fd, buf, sizeof(buf), 0);
	while (n < 0 && errno == EAGAIN);
	if (n <= 0 || ctl_decode_request(buf, (size_t)n, &w))
		_exit(4);
	snprintf(msg, sizeof(msg), "%s %zu %s", w.argv[0], w.argc,
		 w.argv[w.argc - 1]);
	n = (ssize_t)ctl_encode_reply(reply, 17, msg);
	(void)!send(fd, reply, (size_t)n, 0);
	_exit(0); /* as if killed: the socket and the lock file stay */
}

/* ctl_listen, with what it wrote to stderr in said (NUL-terminated). */
static int listen_saying(const char *name, struct ctl_name *out, char *said,
			 size_t size)
{
	FILE *f = tmpfile();
	int saved, fd;
	size_t n;

	ck_assert_ptr_nonnull(f);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	ck_assert_int_ge(dup2(fileno(f), STDERR_FILENO), 0);
	fd = ctl_listen(name, out);
	fflush(stderr);
	ck_assert_int_ge(dup2(saved, STDERR_FILENO), 0);
	close(saved);
	rewind(f);
	n = fread(said, 1, size - 1, f);
	said[n] = 0;
	fclose(f);
	return fd;
}

START_TEST(test_socket_round_trip)
{
	char name[IFNAMSIZ], msg[64], said[512], c;
	char *argv[] = { "set", "peer", "k", "remove" };
	struct ctl_words w = { argv, 4 };
	int pipefd[2], fd, lfd, status, st;
	struct ctl_name held;
	struct stat sock;
	pid_t pid;

	unique_name(name);
	ck_assert_int_eq(ctl_connect(name), -ECONNREFUSED);
	ck_assert_int_eq(pipe(pipefd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (!pid)
		serve_one(name, pipefd[1]);
	ck_assert_int_eq(read(pipefd[0], &c, 1), 1);
	/* One agent per name: a second one cannot start, and says no wait
	 * (its holder serves). */
	ck_assert_int_eq(listen_saying(name, &held, said, sizeof(said)),
			 -EADDRINUSE);
	ck_assert_int_eq(held.lock_fd, -1);
	ck_assert_msg(!*said, "said: '%s'", said);
	fd = ctl_connect(name);
	if (getuid() != 0) {
		/* A server that is not root is never talked to. */
		ck_assert_int_eq(fd, -EPERM);
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		return;
	}
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ctl_call(fd, &w, &status, msg, sizeof(msg)), 0);
	ck_assert_int_eq(status, 17);
	ck_assert_str_eq(msg, "set 4 remove");
	close(fd);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* Its socket is left, with no one behind it: no agent. */
	ck_assert_int_eq(ctl_connect(name), -ECONNREFUSED);
	/* The lock went with the agent: the next one takes the name. */
	lfd = ctl_listen(name, &held);
	ck_assert_int_ge(lfd, 0);
	ck_assert_int_eq(stat(held.sock_path, &sock), 0);
	ck_assert(S_ISSOCK(sock.st_mode) && !(sock.st_mode & 077));
	ck_assert_ptr_nonnull(strstr(held.sock_path, name));
	fd = ctl_connect(name);
	ck_assert_int_ge(fd, 0);
	close(fd);
	close(lfd);
	ctl_release(&held);
	ck_assert_int_eq(held.lock_fd, -1);
	ck_assert_int_ne(access(held.sock_path, F_OK), 0);
	ck_assert_int_ne(access(held.lock_path, F_OK), 0);
	ck_assert_int_eq(ctl_connect(name), -ECONNREFUSED);
	close(pipefd[0]);
	close(pipefd[1]);
}
END_TEST

#define NOBODY 65534

/* NOBODY in a child: 0 if fn(name) returned want, else 1 (2: setuid). */
static int as_nobody(int (*fn)(const char *), const char *name, int want)
{
	int st;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (!pid) {
		if (setgid(NOBODY) || setuid(NOBODY))
			_exit(2);
		_exit(fn(name) == want ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 3;
}

static int listen_once(const char *name)
{
	struct ctl_name held;
	int fd = ctl_listen(name, &held);

	if (fd < 0)
		return fd;
	close(fd);
	ctl_release(&held);
	return 0;
}

/*
 * The directory keeps other users out: they can neither take a name (as
 * any user could bind a free abstract name) nor reach an agent; and a
 * directory another user owns, or anyone may write to, is not used.
 */
START_TEST(test_socket_directory)
{
	char name[IFNAMSIZ], theirs[160];
	struct ctl_name held;
	int lfd;

	if (getuid() != 0)
		return; /* needs to become another user */
	unique_name(name);
	ck_assert_int_eq(chmod(tmpdir, 0711), 0); /* they may look, no more */
	ck_assert_int_eq(as_nobody(listen_once, name, -EACCES), 0);
	lfd = ctl_listen(name, &held);
	ck_assert_int_ge(lfd, 0);
	ck_assert_int_eq(as_nobody(ctl_connect, name, -EACCES), 0);
	close(lfd);
	ctl_release(&held);

	snprintf(theirs, sizeof(theirs), "%s/theirs", tmpdir);
	ck_assert_int_eq(mkdir(theirs, 0700), 0);
	ck_assert_int_eq(chown(theirs, NOBODY, NOBODY), 0);
	setenv(CTL_DIR_ENV, theirs, 1);
	ck_assert_int_eq(as_nobody(listen_once, name, 0), 0);
	ck_assert_int_eq(ctl_listen(name, &held), -ENOTDIR);
	ck_assert_int_eq(ctl_connect(name), -ENOTDIR);
	ck_assert_int_eq(chown(theirs, 0, 0), 0);
	ck_assert_int_eq(chmod(theirs, 0777), 0);
	ck_assert_int_eq(ctl_listen(name, &held), -ENOTDIR);
	ck_assert_int_eq(ctl_connect(name), -ENOTDIR);
	ck_assert_int_eq(ctl_wait_released(name, 0), -ENOTDIR);
	setenv(CTL_DIR_ENV, tmpdir, 1);
}
END_TEST

/*
 * Each end still checks the other's uid, should the directory let
 * another user in: the agent serves only root.
 */
START_TEST(test_socket_peer_checks)
{
	char *argv[] = { "stop" };
	struct ctl_words w = { argv, 1 };
	char name[IFNAMSIZ], msg[64];
	int lfd, fd, st, status;
	struct ctl_name held;
	pid_t pid;

	if (getuid() != 0)
		return; /* needs to become another user */
	unique_name(name);
	lfd = ctl_listen(name, &held);
	ck_assert_int_ge(lfd, 0);
	ck_assert_int_eq(chmod(tmpdir, 0711), 0);
	ck_assert_int_eq(chmod(held.sock_path, 0666), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (!pid) {
		if (setgid(NOBODY) || setuid(NOBODY))
			_exit(1);
		fd = ctl_connect(name);
		if (fd < 0)
			_exit(2);
		st = ctl_call(fd, &w, &status, msg, sizeof(msg));
		_exit(st == -ECONNRESET || st == -EPIPE ? 0 : 3);
	}
	do {
		usleep(1000);
		fd = ctl_accept(lfd);
	} while (fd == -EAGAIN);
	ck_assert_int_eq(fd, -EPERM);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);
	close(lfd);
	ctl_release(&held);
}
END_TEST

static socklen_t old_address(const char *name, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	snprintf(sun->sun_path + 1, sizeof(sun->sun_path) - 1, "fzagent/%s",
		 name);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
			   strlen("fzagent/") + strlen(name));
}

/* A listener on the earlier abstract name @fzagent/NAME. */
static int bind_old(const char *name, int backlog)
{
	struct sockaddr_un sun;
	socklen_t len = old_address(name, &sun);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, len) ||
	    listen(fd, backlog))
		return -1;
	return fd;
}

static int connect_old(const char *name)
{
	struct sockaddr_un sun;
	socklen_t len = old_address(name, &sun);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, len))
		return -1;
	return fd;
}

/*
 * An agent of the earlier fzagent, on the abstract name, keeps a new one
 * from starting beside it; a squatter on that name (any user can bind
 * one) does not.
 */
START_TEST(test_socket_old_agent)
{
	char name[IFNAMSIZ], c;
	struct ctl_name held;
	int old, lfd, pipefd[2], st;
	pid_t pid;

	if (getuid() != 0)
		return; /* needs to become another user */
	unique_name(name);
	old = bind_old(name, 1);
	ck_assert_int_ge(old, 0);
	ck_assert_int_eq(ctl_old_agent(name), getpid());
	ck_assert_int_eq(ctl_listen(name, &held), -EALREADY);
	ck_assert_int_eq(held.lock_fd, -1);
	ck_assert_int_ne(access(held.lock_path, F_OK), 0);
	close(old);
	lfd = ctl_listen(name, &held);
	ck_assert_int_ge(lfd, 0);
	close(lfd);
	ctl_release(&held);

	/* A squatter whose backlog is full (one connection it never
	 * accepts) holds up nothing either. */
	unique_name(name);
	ck_assert_int_eq(pipe(pipefd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (!pid) {
		close(pipefd[0]);
		if (setgid(NOBODY) || setuid(NOBODY) || bind_old(name, 0) < 0 ||
		    connect_old(name) < 0)
			_exit(1);
		(void)!write(pipefd[1], "x", 1);
		pause();
		_exit(0);
	}
	close(pipefd[1]);
	ck_assert_int_eq(read(pipefd[0], &c, 1), 1);
	ck_assert_int_eq(ctl_old_agent(name), 0);
	lfd = ctl_listen(name, &held);
	ck_assert_int_ge(lfd, 0);
	close(lfd);
	ctl_release(&held);
	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	close(pipefd[0]);
}
END_TEST

/* A dead agent's files go when another agent starts; a live one's stay. */
START_TEST(test_socket_sweep)
{
	char live[IFNAMSIZ], next[IFNAMSIZ], dead[2][200];
	struct ctl_name held, mine;
	int lfd, nfd;

	unique_name(live);
	snprintf(next, sizeof(next), "%.12sn", live);
	snprintf(dead[0], sizeof(dead[0]), "%s/fzdead0@12345.lock", tmpdir);
	snprintf(dead[1], sizeof(dead[1]), "%s/fzdead0@12345.sock", tmpdir);
	for (int i = 0; i < 2; i++)
		close(open(dead[i], O_CREAT | O_WRONLY, 0600));
	lfd = ctl_listen(live, &held);
	ck_assert_int_ge(lfd, 0);
	/* The first agent swept them already; make them again. */
	for (int i = 0; i < 2; i++) {
		ck_assert_int_ne(access(dead[i], F_OK), 0);
		close(open(dead[i], O_CREAT | O_WRONLY, 0600));
	}
	nfd = ctl_listen(next, &mine);
	ck_assert_int_ge(nfd, 0);
	ck_assert_int_ne(access(dead[0], F_OK), 0);
	ck_assert_int_ne(access(dead[1], F_OK), 0);
	ck_assert_int_eq(access(held.lock_path, F_OK), 0);
	ck_assert_int_eq(access(held.sock_path, F_OK), 0);
	if (getuid() == 0) {
		int fd = ctl_connect(live);

		ck_assert_int_ge(fd, 0); /* the live agent is still reached */
		close(fd);
	}
	close(nfd);
	ctl_release(&mine);
	close(lfd);
	ctl_release(&held);
}
END_TEST

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * An agent that is stopping keeps its name until it has undone its work:
 * `fzagent down` waits for that (ctl_wait_released), and so does a new
 * agent (ctl_listen), past the second it gives an agent that serves.
 */
START_TEST(test_socket_stopping)
{
	char said[512];
	char name[IFNAMSIZ], c;
	struct ctl_name held, mine;
	int pipefd[2], lfd, st;
	double t0;
	pid_t pid;

	unique_name(name);
	ck_assert_int_eq(ctl_wait_released(name, 0), 0); /* no one */
	ck_assert_int_eq(pipe(pipefd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (!pid) {
		lfd = ctl_listen(name, &held);
		if (lfd < 0)
			_exit(1);
		close(lfd);
		ctl_unlisten(&held);
		(void)!write(pipefd[1], "x", 1);
		/* Undoing its role's work: long enough that the waiter,
		 * slowed by ASan and a busy host, has said it waits. */
		usleep(2500 * 1000);
		ctl_release(&held);
		_exit(0);
	}
	close(pipefd[1]);
	ck_assert_int_eq(read(pipefd[0], &c, 1), 1);
	close(pipefd[0]);
	t0 = now_s();
	ck_assert_int_eq(ctl_wait_released(name, 100), -ETIMEDOUT);
	ck_assert_int_eq(ctl_connect(name),
			 -ECONNREFUSED); /* it serves no more */
	lfd = listen_saying(name, &mine, said, sizeof(said));
	ck_assert_msg(lfd >= 0, "ctl_listen: %s", strerror(-lfd));
	ck_assert_double_ge(now_s() - t0, 1.2);
	/* The wait is said, with the name. */
	ck_assert_msg(strstr(said, name) &&
			      strstr(said, "waiting up to 10 s for the agent "
					   "that is stopping"),
		      "said: '%s'", said);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* Ours now: held, then released. */
	ck_assert_int_eq(ctl_wait_released(name, 40), -ETIMEDOUT);
	close(lfd);
	ctl_release(&mine);
	ck_assert_int_eq(ctl_wait_released(name, 0), 0);

	/* A holder that is gone without a word (killed) holds nothing. */
	ck_assert_int_eq(pipe(pipefd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (!pid) {
		if (ctl_listen(name, &held) < 0)
			_exit(1);
		(void)!write(pipefd[1], "x", 1);
		pause();
		_exit(0);
	}
	close(pipefd[1]);
	ck_assert_int_eq(read(pipefd[0], &c, 1), 1);
	close(pipefd[0]);
	ck_assert_int_eq(ctl_wait_released(name, 0), -ETIMEDOUT);
	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_int_eq(ctl_wait_released(name, 0), 0);
}
END_TEST

START_TEST(test_socket_names)
{
	struct ctl_name held;

	ck_assert_int_eq(ctl_listen("", &held), -EINVAL);
	ck_assert_int_eq(ctl_listen("a/b", &held), -EINVAL);
	ck_assert_int_eq(ctl_connect("0123456789abcdef"), -EINVAL);
}
END_TEST

/* --- Names and the divisor --- */

START_TEST(test_ifname_from_path)
{
	static const struct {
		const char *path, *want; /* NULL: invalid */
	} cases[] = {
		{ "/etc/fz/fz0.conf", "fz0" },
		{ "fz0.conf", "fz0" },
		{ "relative/dir/office-1.conf", "office-1" },
		{ "/etc/fz/fz0", "fz0" },
		{ "a.b.conf", "a.b" },
		{ "/etc/fz/0123456789abcde.conf", "0123456789abcde" },
		{ "/etc/fz/0123456789abcdef.conf", NULL },
		{ "/etc/fz/.conf", NULL },
		{ "/etc/fz/..conf", NULL },
		{ "/etc/fz/", NULL },
		{ "/etc/fz/wg 0.conf", NULL },
		{ "/etc/fz/wg:0.conf", NULL },
		{ "/etc/fz/fz0.conf/", NULL },
	};
	char out[IFNAMSIZ];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret = fzk_ifname_from_config_path(cases[i].path, out);

		if (!cases[i].want) {
			ck_assert_msg(ret == -EINVAL, "%s: accepted as '%s'",
				      cases[i].path, out);
			continue;
		}
		ck_assert_msg(ret == 0, "%s: refused", cases[i].path);
		ck_assert_str_eq(out, cases[i].want);
	}
	ck_assert(fzk_ifname_valid("fz0"));
	ck_assert(fzk_ifname_valid("a=b+c_d.e-f"));
	ck_assert(!fzk_ifname_valid(""));
	ck_assert(!fzk_ifname_valid("."));
	ck_assert(!fzk_ifname_valid("a/b"));
	ck_assert(!fzk_ifname_valid("0123456789abcdef"));
}
END_TEST

START_TEST(test_time_divisor)
{
	char path[160];
	FILE *f;

	snprintf(path, sizeof(path), "%s/divisor", tmpdir);
	ck_assert_uint_eq(daemon_read_time_divisor(path), 1);
	f = fopen(path, "w");
	fputs("20\n", f);
	fclose(f);
	ck_assert_uint_eq(daemon_read_time_divisor(path), 20);
	f = fopen(path, "w");
	fputs("0\n", f);
	fclose(f);
	ck_assert_uint_eq(daemon_read_time_divisor(path), 1);
	f = fopen(path, "w");
	fputs("x\n", f);
	fclose(f);
	ck_assert_uint_eq(daemon_read_time_divisor(path), 1);
}
END_TEST

Suite *ctl_suite(void)
{
	Suite *s = suite_create("ctl");
	TCase *tc = tcase_create("ctl");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_request_round_trip);
	tcase_add_test(tc, test_request_bounds);
	tcase_add_test(tc, test_reply_round_trip);
	tcase_add_test(tc, test_words_round_trip);
	tcase_add_test(tc, test_words_remove_and_off);
	tcase_add_test(tc, test_words_inline_keys);
	tcase_add_test(tc, test_socket_round_trip);
	tcase_add_test(tc, test_socket_directory);
	tcase_add_test(tc, test_socket_peer_checks);
	tcase_add_test(tc, test_socket_old_agent);
	tcase_add_test(tc, test_socket_sweep);
	tcase_add_test(tc, test_socket_stopping);
	tcase_add_test(tc, test_socket_names);
	tcase_add_test(tc, test_ifname_from_path);
	tcase_add_test(tc, test_time_divisor);
	suite_add_tcase(s, tc);
	return s;
}
