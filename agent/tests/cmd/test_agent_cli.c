// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end tests of `fzagent up|set|down` as far as they go without
 * fz.ko: help, usage errors, every check `up` makes before it touches
 * anything, and `set` talking to an agent, played here by a child that
 * speaks the control protocol and records what it was sent.
 */
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctl/ctl.h"
#include "lib/keys.h"
#include "../runbin.h"
#include "../suites.h"

static void setup(void)
{
	fzt_tmpdir_make("fzagent-agent");
	ck_assert_int_eq(fz_keys_init(), 0);
}

static void teardown(void)
{
	fzt_tmpdir_remove();
}

static void write_file(const char *name, const char *text, int mode)
{
	char path[160], cmd[200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fzt_tmpdir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "chmod %o '%s'", mode, path);
	ck_assert_int_eq(system(cmd), 0);
}

/* A fresh key, as base64 in b64; its public key in pub if not NULL. */
static void new_key(char b64[FZ_KEY_B64_LEN + 1], char *pub)
{
	uint8_t k[FZ_KEY_LEN], p[FZ_KEY_LEN];

	fz_key_generate_private(k);
	fz_key_to_base64(b64, k);
	if (pub) {
		ck_assert_int_eq(fz_key_public_from_private(p, k), 0);
		fz_key_to_base64(pub, p);
	}
}

/* An interface name nobody uses: these tests must create none. */
static void unique_ifname(char name[IFNAMSIZ], const char *prefix)
{
	snprintf(name, IFNAMSIZ, "%s%u", prefix, (unsigned int)getpid());
	ck_assert_uint_eq(if_nametoindex(name), 0);
}

START_TEST(test_help)
{
	static const char *const sections[] = { "NAME",	       "SYNOPSIS",
						"DESCRIPTION", "OPTIONS",
						"EXAMPLES",    "EXIT STATUS" };
	static const char *const cmds[] = { "up", "set", "down" };
	struct run r, alias;

	for (size_t i = 0; i < 3; i++) {
		fzt_run(&r, "\"$FZAGENT\" %s --help", cmds[i]);
		fzt_run(&alias, "\"$FZAGENT\" help %s", cmds[i]);
		ck_assert_int_eq(r.status, 0);
		ck_assert_str_eq(r.err, "");
		ck_assert_str_eq(r.out, alias.out);
		for (size_t s = 0; s < sizeof(sections) / sizeof(*sections);
		     s++)
			ck_assert_msg(strstr(r.out, sections[s]),
				      "%s --help lacks %s", cmds[i],
				      sections[s]);
		fzt_run_free(&r);
		fzt_run_free(&alias);
	}
	fzt_run(&r, "\"$FZAGENT\" up --help");
	ck_assert_ptr_nonnull(strstr(r.out, "SIGNALS"));
	ck_assert_ptr_nonnull(strstr(r.out, "SIGHUP"));
	fzt_run_free(&r);
	fzt_run(&r, "\"$FZAGENT\" --help");
	ck_assert_ptr_nonnull(strstr(r.out, "\n  up "));
	ck_assert_ptr_nonnull(strstr(r.out, "\n  set "));
	ck_assert_ptr_nonnull(strstr(r.out, "\n  down "));
	fzt_run_free(&r);
}
END_TEST

START_TEST(test_usage_errors)
{
	static const struct {
		const char *args, *want;
	} cases[] = {
		{ "up", "fzagent: up: missing CONFIG\n" },
		{ "up a.conf b.conf", "fzagent: up: unexpected argument" },
		{ "up -x a.conf", "fzagent: up: unknown option '-x'" },
		{ "up a.conf -i", "fzagent: up: -i needs IFACE" },
		{ "up a.conf -i 'fz 0'", "not a valid interface name" },
		{ "up a.conf -i 0123456789abcdef", "not a valid interface" },
		{ "up '/tmp/bad name.conf'", "name one with -i IFACE" },
		{ "set", "fzagent: set: missing IFACE\n" },
		{ "set fz/0 listen-port 1", "not a valid interface name" },
		{ "down", "fzagent: down: missing IFACE\n" },
		{ "down fz0 fz1", "fzagent: down: too many arguments\n" },
		{ "down ..", "not a valid interface name" },
		/* The gateway's portal mode: checked before anything runs. */
		{ "gateway a.conf -a x --portal https://p.test",
		  "fzagent: gateway: -a and --portal exclude each other" },
		{ "gateway a.conf --health 127.0.0.1:9",
		  "fzagent: gateway: --health needs --portal" },
		{ "gateway a.conf --token-file t",
		  "fzagent: gateway: --token-file needs --portal" },
		{ "gateway a.conf --endpoint 192.0.2.1:1",
		  "fzagent: gateway: --endpoint needs --portal" },
		{ "gateway a.conf --portal", "--portal needs URL" },
		{ "gateway a.conf --portal https://p.test --portal https://q",
		  "--portal given twice" },
		{ "gateway a.conf --portal http://portal.test",
		  "must be https (http only to this host" },
		{ "gateway a.conf --portal https://p.test --endpoint 192.0.2.1",
		  "--endpoint '192.0.2.1': not IP:PORT" },
		{ "gateway a.conf --portal https://p.test --endpoint [::1]:0",
		  "--endpoint '[::1]:0': not IP:PORT" },
		{ "gateway a.conf --portal https://p.test --health x:1",
		  "--health 'x:1': not ADDR:PORT" },
		{ "gateway a.conf --portal https://p.test --ca-file /nonexistent",
		  "--ca-file /nonexistent: No such file" },
		{ "gateway a.conf --portal https://p.test --token-file /nonexistent",
		  "/nonexistent" },
		{ "gateway a.conf --portal https://p.test "
		  "--endpoint 192.0.2.1:1 --endpoint 192.0.2.1:2 "
		  "--endpoint 192.0.2.1:3 --endpoint 192.0.2.1:4 "
		  "--endpoint 192.0.2.1:5 --endpoint 192.0.2.1:6 "
		  "--endpoint 192.0.2.1:7 --endpoint 192.0.2.1:8 "
		  "--endpoint 192.0.2.1:9",
		  "more than 8 --endpoint flags" },
	};
	struct run r;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fzt_run(&r, "\"$FZAGENT\" %s", cases[i].args);
		ck_assert_msg(r.status == 1, "'%s' exited %d", cases[i].args,
			      r.status);
		ck_assert_str_eq(r.out, "");
		ck_assert_msg(strstr(r.err, cases[i].want), "'%s' printed '%s'",
			      cases[i].args, r.err);
		fzt_run_free(&r);
	}
}
END_TEST

/*
 * The gateway's token: never from argv; $FZ_TOKEN first, then
 * --token-file, then systemd's credential, each checked. A token that is
 * accepted gets as far as CONFIG (missing here).
 */
#define GOOD_TOKEN                              \
	"fz1_AAAAAAAAAAAAAAAAAAAAAA_AAAAAAAAAA" \
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

START_TEST(test_gateway_token)
{
	static const struct {
		const char *env, *args, *want;
	} cases[] = {
		{ "FZ_TOKEN=bad", "", "$FZ_TOKEN does not hold a token" },
		{ "FZ_TOKEN=" GOOD_TOKEN, "--token-file \"$T/none\"",
		  "missing.conf" },
		{ "CREDENTIALS_DIRECTORY=\"$T/creds\"", "", "creds/fz-token" },
		{ "CREDENTIALS_DIRECTORY=\"$T/good\"", "", "missing.conf" },
		{ "CREDENTIALS_DIRECTORY=\"$T/creds\"",
		  "--token-file \"$T/good/fz-token\"", "missing.conf" },
	};
	char cmd[200];
	struct run r;

	snprintf(cmd, sizeof(cmd), "mkdir -m 700 '%s/creds' '%s/good'",
		 fzt_tmpdir, fzt_tmpdir);
	ck_assert_int_eq(system(cmd), 0);
	write_file("creds/fz-token", "not a token\n", 0600);
	write_file("good/fz-token", GOOD_TOKEN "\n", 0600);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fzt_run(&r,
			"env -u FZ_TOKEN -u FZ_TOKEN_FILE %s \"$FZAGENT\" "
			"gateway \"$T/missing.conf\" --portal https://p.test %s",
			cases[i].env, cases[i].args);
		ck_assert_msg(r.status == 1, "case %zu exited %d", i, r.status);
		ck_assert_msg(strstr(r.err, cases[i].want),
			      "case %zu printed '%s'", i, r.err);
		ck_assert_msg(!strstr(r.err, "AAAAAAAAAA"),
			      "case %zu printed the token", i);
		fzt_run_free(&r);
	}
}
END_TEST

START_TEST(test_client_help)
{
	static const char *const sections[] = { "NAME",	       "SYNOPSIS",
						"DESCRIPTION", "DNS",
						"THE PORTAL",  "OPTIONS",
						"EXIT STATUS" };
	struct run r;

	fzt_run(&r, "\"$FZAGENT\" client --help");
	ck_assert_int_eq(r.status, 0);
	for (size_t s = 0; s < sizeof(sections) / sizeof(*sections); s++)
		ck_assert_msg(strstr(r.out, sections[s]),
			      "client --help lacks %s", sections[s]);
	fzt_run_free(&r);
	fzt_run(&r, "\"$FZAGENT\" --help");
	ck_assert_ptr_nonnull(strstr(r.out, "\n  client "));
	fzt_run_free(&r);
}
END_TEST

/* Every flag, the token and the key are checked before anything runs. */
START_TEST(test_client_errors)
{
	static const struct {
		const char *env, *args, *want;
	} cases[] = {
		{ "", "", "--portal URL is required" },
		{ "", "--portal", "--portal needs a value" },
		{ "", "--portal https://p.test --portal https://q.test",
		  "--portal given twice" },
		{ "", "--portal https://p.test --bogus 1",
		  "unknown word '--bogus'" },
		{ "", "--portal http://portal.test", "must be https" },
		{ "", "--portal https://p.test -i 'fz 0'",
		  "not a valid interface name" },
		{ "", "--portal https://p.test --listen-port 65536",
		  "--listen-port '65536'" },
		{ "", "--portal https://p.test --dns-control dnsmasq",
		  "--dns-control 'dnsmasq'" },
		{ "", "--portal https://p.test --ca-file /nonexistent",
		  "--ca-file /nonexistent" },
		{ "FZ_TOKEN=bad", "--portal https://p.test",
		  "$FZ_TOKEN does not hold a token" },
		{ "FZ_TOKEN=" GOOD_TOKEN,
		  "--portal https://p.test --key-file \"$T/open.key\"",
		  "group or others may access it" },
		{ "FZ_TOKEN=" GOOD_TOKEN,
		  "--portal https://p.test --key-file \"$T/bad.key\"",
		  "not a base64 private key" },
	};
	char b64[FZ_KEY_B64_LEN + 1], text[FZ_KEY_B64_LEN + 2];
	struct run r;

	new_key(b64, NULL);
	snprintf(text, sizeof(text), "%s\n", b64);
	write_file("open.key", text, 0644);
	write_file("bad.key", "not a key\n", 0600);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fzt_run(&r,
			"env -u FZ_TOKEN -u FZ_TOKEN_FILE %s \"$FZAGENT\" "
			"client %s",
			cases[i].env, cases[i].args);
		ck_assert_msg(r.status == 1, "case %zu exited %d", i, r.status);
		ck_assert_str_eq(r.out, "");
		ck_assert_msg(strstr(r.err, cases[i].want),
			      "case %zu printed '%s'", i, r.err);
		ck_assert_msg(!strstr(r.err, "AAAAAAAAAA") &&
				      !strstr(r.err, b64),
			      "case %zu printed a secret", i);
		fzt_run_free(&r);
	}
}
END_TEST

/* Each bad file is refused before anything exists. */
START_TEST(test_up_refuses_bad_configs)
{
	char priv[FZ_KEY_B64_LEN + 1], pub[FZ_KEY_B64_LEN + 1], text[512];
	char name[IFNAMSIZ];
	struct run r;

	unique_ifname(name, "fzu");
	new_key(priv, pub);

	write_file("syntax.conf", "[Interface]\nListenPort = x\n", 0600);
	fzt_run(&r, "\"$FZAGENT\" up \"$T/syntax.conf\" -i %s", name);
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "fzagent: up: "));
	ck_assert_ptr_nonnull(strstr(r.err, "syntax.conf:2: "));
	fzt_run_free(&r);

	write_file("nokey.conf", "[Interface]\nListenPort = 1\n", 0600);
	fzt_run(&r, "\"$FZAGENT\" up \"$T/nokey.conf\" -i %s", name);
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "needs a PrivateKey"));
	fzt_run_free(&r);

	snprintf(text, sizeof(text),
		 "[Interface]\nPrivateKey = %s\n[Peer]\nPublicKey = %s\n", priv,
		 pub);
	write_file("self.conf", text, 0600);
	fzt_run(&r, "\"$FZAGENT\" up \"$T/self.conf\" -i %s", name);
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "self.conf:3: peer"));
	ck_assert_ptr_nonnull(strstr(r.err, "own key"));
	fzt_run_free(&r);

	snprintf(text, sizeof(text), "[Interface]\nPrivateKey = %s\n", priv);
	write_file("open.conf", text, 0644);
	fzt_run(&r, "\"$FZAGENT\" up \"$T/open.conf\" -i %s", name);
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "chmod 600"));
	ck_assert_ptr_null(strstr(r.err, priv)); /* secrets never printed */
	fzt_run_free(&r);

	fzt_run(&r, "\"$FZAGENT\" up \"$T/missing.conf\" -i %s", name);
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "cannot read"));
	fzt_run_free(&r);

	ck_assert_uint_eq(if_nametoindex(name), 0);
}
END_TEST

START_TEST(test_set_errors_without_agent)
{
	char name[IFNAMSIZ], priv[FZ_KEY_B64_LEN + 1];
	struct run r;

	unique_ifname(name, "fzs");
	fzt_run(&r, "\"$FZAGENT\" set %s bogus 1", name);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, "fzagent: set: unknown word 'bogus'\n");
	fzt_run_free(&r);

	/* Static keys need the agent; nothing is tried without one. */
	new_key(priv, NULL);
	write_file("key", priv, 0600);
	fzt_run(&r, "\"$FZAGENT\" set %s private-key \"$T/key\"", name);
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "no agent runs for it"));
	ck_assert_ptr_null(strstr(r.err, priv));
	fzt_run_free(&r);

	fzt_run(&r, "\"$FZAGENT\" set %s listen-port 51820", name);
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "no such interface"));
	fzt_run_free(&r);
}
END_TEST

START_TEST(test_down_errors)
{
	char name[IFNAMSIZ];
	struct run r;

	unique_ifname(name, "fzd");
	fzt_run(&r, "\"$FZAGENT\" down %s", name);
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "no such interface"));
	fzt_run_free(&r);
	fzt_run(&r, "\"$FZAGENT\" down lo");
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, "fzagent: down: lo is not an fz interface\n");
	fzt_run_free(&r);
}
END_TEST

/*
 * A stand-in agent: answers n requests with the given statuses and
 * messages, and writes the words of each, joined by '|', to out.
 */
static void fake_agent(const char *name, int ready, int out, int n,
		       const int *status, const char *const *msgs)
{
	uint8_t buf[CTL_MAX_REQUEST], reply[CTL_MAX_REPLY];
	struct ctl_name held;
	int lfd = ctl_listen(name, &held);
	struct ctl_words w;
	ssize_t len;

	if (lfd < 0)
		_exit(2);
	(void)!write(ready, "x", 1);
	for (int i = 0; i < n; i++) {
		int fd = -EAGAIN;

		while (fd == -EAGAIN) {
			usleep(1000);
			fd = ctl_accept(lfd);
		}
		if (fd < 0)
			_exit(3);
		do
			len = recv(fd, buf, sizeof(buf), 0);
		while (len < 0 && errno == EAGAIN);
		if (len <= 0 || ctl_decode_request(buf, (size_t)len, &w))
			_exit(4);
		for (size_t k = 0; k < w.argc; k++)
			dprintf(out, "%s%s", k ? "|" : "", w.argv[k]);
		dprintf(out, "\n");
		ctl_words_free(&w);
		len = (ssize_t)ctl_encode_reply(reply, status[i], msgs[i]);
		(void)!send(fd, reply, (size_t)len, 0);
		close(fd);
	}
	ctl_release(&held);
	_exit(0);
}

START_TEST(test_set_through_agent)
{
	static const int status[] = { 0, 22 };
	static const char *const msgs[] = { "applied", "cannot set peer X" };
	char name[IFNAMSIZ], priv[FZ_KEY_B64_LEN + 1], psk[FZ_KEY_B64_LEN + 1];
	char pub[FZ_KEY_B64_LEN + 1], want[512], got[1024] = "", c;
	int ready[2], words[2], st;
	struct run r;
	ssize_t n;
	pid_t pid;

	if (getuid() != 0)
		return; /* the agent serves root only; nothing to check */
	unique_ifname(name, "fza");
	new_key(priv, NULL);
	new_key(psk, pub);
	write_file("key", priv, 0600);
	write_file("psk", psk, 0600);
	ck_assert_int_eq(pipe(ready), 0);
	ck_assert_int_eq(pipe(words), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (!pid)
		fake_agent(name, ready[1], words[1], 2, status, msgs);
	close(words[1]);
	ck_assert_int_eq(read(ready[0], &c, 1), 1);

	/* Key files are read here, relative to where the user is. */
	fzt_run(&r,
		"cd \"$T\" && \"$FZAGENT\" set %s private-key key peer %s "
		"preshared-key psk endpoint 127.0.0.1:51820 allowed-ips "
		"10.0.0.2/32",
		name, pub);
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out, "applied\n");
	ck_assert_str_eq(r.err, "");
	fzt_run_free(&r);

	fzt_run(&r, "\"$FZAGENT\" set %s peer %s remove", name, pub);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.out, "");
	snprintf(want, sizeof(want), "fzagent: set: %s: cannot set peer X\n",
		 name);
	ck_assert_str_eq(r.err, want);
	fzt_run_free(&r);

	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	n = read(words[0], got, sizeof(got) - 1);
	ck_assert_int_gt(n, 0);
	snprintf(want, sizeof(want),
		 "set|private-key|%s|peer|%s|preshared-key|%s|endpoint|"
		 "127.0.0.1:51820|allowed-ips|10.0.0.2/32\n"
		 "set|peer|%s|remove\n",
		 priv, pub, psk, pub);
	ck_assert_str_eq(got, want);
	close(ready[0]);
	close(ready[1]);
	close(words[0]);
}
END_TEST

Suite *agent_cli_suite(void)
{
	Suite *s = suite_create("agent_cli");
	TCase *tc = tcase_create("agent_cli");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_help);
	tcase_add_test(tc, test_usage_errors);
	tcase_add_test(tc, test_gateway_token);
	tcase_add_test(tc, test_client_help);
	tcase_add_test(tc, test_client_errors);
	tcase_add_test(tc, test_up_refuses_bad_configs);
	tcase_add_test(tc, test_set_errors_without_agent);
	tcase_add_test(tc, test_down_errors);
	tcase_add_test(tc, test_set_through_agent);
	suite_add_tcase(s, tc);
	return s;
}
