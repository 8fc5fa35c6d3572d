// SPDX-License-Identifier: GPL-2.0
/*
 * config.c: wg(8)-style files and `set` words, and the exact message for
 * each kind of mistake. Every failure must return an error and leave the
 * output all zero; files are made with mkstemp() under /tmp.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/config.h"
#include "lib/format.h"
#include "lib/keys.h"
#include "../suites.h"

#define PRIV "4FgXxjzRxSz8P46QniBVU1WJDX/9JVcUuoQSFlOqp0A="
#define PUB1 "kPrwgGSLrmxcjh8x7zNMpn66AnRt4CXjM6mtRXptkgQ="
#define PUB2 "DAp70oIq/4elMnonQyUy20Nb9gnRc4r1DsU1ngf+Z3c="
#define PUB3 "D3bs8/38ALL/f2OncKDBknu8YIvGsf+HBt7TBIs6iws="
#define PSK "di/3Xn+6BGRJNNVAmBdgynBBVIPja0vulIHvR3zZXWM="

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_TEMP 4
#define ERR_LEN 512

static char temp_paths[MAX_TEMP][32];
static int n_temp;

static void teardown(void)
{
	for (int i = 0; i < n_temp; i++)
		unlink(temp_paths[i]);
	n_temp = 0;
}

static const char *temp_file(const void *data, size_t len, mode_t mode)
{
	char *path;
	int fd;

	ck_assert_int_lt(n_temp, MAX_TEMP);
	path = temp_paths[n_temp++];
	strcpy(path, "/tmp/fzagent-config.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	ck_assert_int_eq(fchmod(fd, mode), 0);
	ck_assert_int_eq(close(fd), 0);
	return path;
}

static const char *temp_text(const char *text, mode_t mode)
{
	return temp_file(text, strlen(text), mode);
}

/*
 * Files are removed as soon as they are parsed: a failed assertion ends
 * the test's process before the checked teardown runs.
 */
static void drop_temp(void)
{
	teardown();
}

static void assert_empty(const struct conf *cfg)
{
	static const struct conf zero;

	ck_assert_mem_eq(cfg, &zero, sizeof(zero));
}

static void assert_key(const uint8_t key[FZ_KEY_LEN], const char *b64)
{
	uint8_t want[FZ_KEY_LEN];

	ck_assert_int_eq(fz_key_from_base64(want, b64, strlen(b64)), 0);
	ck_assert_mem_eq(key, want, FZ_KEY_LEN);
}

static void assert_zero_key(const uint8_t key[FZ_KEY_LEN])
{
	static const uint8_t zero[FZ_KEY_LEN];

	ck_assert_mem_eq(key, zero, FZ_KEY_LEN);
}

static void assert_cidr(const struct fz_cidr *cidr, const char *want)
{
	char buf[FZ_FMT_ALLOWEDIP_LEN];

	ck_assert_str_eq(fz_fmt_allowedip(buf, sizeof(buf), cidr->family,
					  cidr->addr, cidr->cidr),
			 want);
}

static void assert_endpoint(const struct conf_peer *peer, const char *want)
{
	char buf[FZ_FMT_ENDPOINT_LEN];

	ck_assert(peer->has_endpoint);
	ck_assert_str_eq(fz_fmt_endpoint(buf, sizeof(buf), &peer->endpoint),
			 want);
}

static void parse_ok(const char *text, mode_t mode, struct conf *cfg)
{
	const char *path = temp_text(text, mode);
	char err[ERR_LEN];
	int ret;

	memset(cfg, 0xa5, sizeof(*cfg));
	ret = conf_parse_file(path, cfg, err, sizeof(err));
	drop_temp();
	ck_assert_msg(ret == 0, "parse failed (%d): %s", ret, err);
	ck_assert_str_eq(err, "");
}

/*
 * Expect ret and exactly "PATH:LINE: msg" ("PATH: msg" for line 0) from
 * the file at path, and an output left all zero.
 */
static void expect_path_error(const char *path, int ret, unsigned int line,
			      const char *msg)
{
	struct conf cfg;
	char err[ERR_LEN], want[ERR_LEN];
	int got;

	if (line)
		snprintf(want, sizeof(want), "%s:%u: %s", path, line, msg);
	else
		snprintf(want, sizeof(want), "%s: %s", path, msg);
	memset(&cfg, 0xa5, sizeof(cfg));
	got = conf_parse_file(path, &cfg, err, sizeof(err));
	drop_temp();
	ck_assert_int_eq(got, ret);
	ck_assert_str_eq(err, want);
	assert_empty(&cfg);
}

static void expect_error_mode(const char *text, mode_t mode, unsigned int line,
			      const char *msg)
{
	expect_path_error(temp_text(text, mode), -EINVAL, line, msg);
}

static void expect_error(const char *text, unsigned int line, const char *msg)
{
	expect_error_mode(text, 0600, line, msg);
}

static const char full_file[] = "# fz0: the office gateway\n"
				"[interface]\n"
				"  PrivateKey=" PRIV
				"   # comment after a value\n"
				"listenport   =\t51820\n"
				"Address = 10.0.0.1/24,fd00::1 , 10.0.1.1\n"
				"address=fd00:1::1/64\n"
				"FWMARK = 0x1234\n"
				"\n"
				"[Peer]\n"
				"# the first peer\n"
				"PublicKey = " PUB1 "\n"
				"PresharedKey = " PSK "\n"
				"Endpoint = 192.0.2.1:51820\n"
				"AllowedIPs = 10.0.0.2/32, 10.10.0.0/16\n"
				"allowedips = fd00::2/128\n"
				"PersistentKeepalive = 25\n"
				"\t[ PEER ]  \r\n"
				"publickey = " PUB2 "\r\n"
				"endPoint = [2001:db8::1]:443\n"
				"AllowedIPs = 0.0.0.0/0, ::/0 # everything\n"
				"persistentkeepalive = off";

START_TEST(test_file_full)
{
	struct conf cfg;
	const struct conf_peer *p;

	parse_ok(full_file, 0600, &cfg);
	ck_assert(cfg.has_private_key);
	assert_key(cfg.private_key, PRIV);
	ck_assert(cfg.has_listen_port);
	ck_assert_uint_eq(cfg.listen_port, 51820);
	ck_assert(cfg.has_fwmark);
	ck_assert_uint_eq(cfg.fwmark, 0x1234);
	ck_assert_uint_eq(cfg.n_addresses, 4);
	assert_cidr(&cfg.addresses[0], "10.0.0.1/24");
	assert_cidr(&cfg.addresses[1], "fd00::1/128");
	assert_cidr(&cfg.addresses[2], "10.0.1.1/32");
	assert_cidr(&cfg.addresses[3], "fd00:1::1/64");
	ck_assert(cfg.replace_peers);
	ck_assert_uint_eq(cfg.n_peers, 2);

	p = &cfg.peers[0];
	assert_key(p->public_key, PUB1);
	ck_assert_uint_eq(p->line, 9);
	ck_assert(p->has_preshared_key);
	assert_key(p->preshared_key, PSK);
	assert_endpoint(p, "192.0.2.1:51820");
	ck_assert_uint_eq(p->n_allowed_ips, 3);
	assert_cidr(&p->allowed_ips[0], "10.0.0.2/32");
	assert_cidr(&p->allowed_ips[1], "10.10.0.0/16");
	assert_cidr(&p->allowed_ips[2], "fd00::2/128");
	ck_assert(p->has_keepalive);
	ck_assert_uint_eq(p->persistent_keepalive, 25);
	ck_assert(p->replace_allowed_ips);
	ck_assert(!p->remove && !p->update_only);

	p = &cfg.peers[1];
	assert_key(p->public_key, PUB2);
	ck_assert_uint_eq(p->line, 17);
	ck_assert(!p->has_preshared_key);
	assert_endpoint(p, "[2001:db8::1]:443");
	ck_assert_uint_eq(p->n_allowed_ips, 2);
	assert_cidr(&p->allowed_ips[0], "0.0.0.0/0");
	assert_cidr(&p->allowed_ips[1], "::/0");
	ck_assert(p->has_keepalive);
	ck_assert_uint_eq(p->persistent_keepalive, 0);
	ck_assert(p->replace_allowed_ips);

	conf_free(&cfg);
	assert_empty(&cfg);
}
END_TEST

START_TEST(test_file_minimal)
{
	struct conf cfg;

	/* setconf with an empty file removes every peer. */
	parse_ok("", 0644, &cfg);
	ck_assert(cfg.replace_peers);
	ck_assert(!cfg.has_private_key && !cfg.has_listen_port);
	ck_assert_uint_eq(cfg.n_peers, 0);
	conf_free(&cfg);

	/* An empty AllowedIPs is a peer without any. */
	parse_ok("# only a peer\n[Peer]\nPublicKey=" PUB1 "\nAllowedIPs =\n",
		 0644, &cfg);
	ck_assert(!cfg.has_private_key);
	ck_assert_uint_eq(cfg.n_peers, 1);
	ck_assert_uint_eq(cfg.peers[0].n_allowed_ips, 0);
	ck_assert_ptr_null(cfg.peers[0].allowed_ips);
	ck_assert(!cfg.peers[0].has_endpoint);
	ck_assert(!cfg.peers[0].has_keepalive);
	conf_free(&cfg);
}
END_TEST

START_TEST(test_file_endpoints)
{
	static const struct {
		const char *value, *want;
	} cases[] = {
		{ "192.0.2.1:1", "192.0.2.1:1" },
		{ "[::ffff:192.0.2.1]:65535", "[::ffff:192.0.2.1]:65535" },
		{ "[fe80::1%1]:51820", "[fe80::1%1]:51820" },
		{ "[2001:DB8::0:1]:7", "[2001:db8::1]:7" },
	};
	struct conf cfg;
	char text[256];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(text, sizeof(text),
			 "[Peer]\nPublicKey=%s\nEndpoint=%s", PUB1,
			 cases[i].value);
		parse_ok(text, 0600, &cfg);
		assert_endpoint(&cfg.peers[0], cases[i].want);
		conf_free(&cfg);
	}
}
END_TEST

/* /etc/hosts answers for localhost, so no network is needed. */
START_TEST(test_file_endpoint_host_name)
{
	struct conf cfg;
	char buf[FZ_FMT_ENDPOINT_LEN];

	parse_ok("[Peer]\nPublicKey=" PUB1 "\nEndpoint = localhost:51820\n",
		 0600, &cfg);
	ck_assert(cfg.peers[0].has_endpoint);
	fz_fmt_endpoint(buf, sizeof(buf), &cfg.peers[0].endpoint);
	ck_assert_msg(!strcmp(buf, "127.0.0.1:51820") ||
			      !strcmp(buf, "[::1]:51820"),
		      "localhost resolved to %s", buf);
	conf_free(&cfg);
}
END_TEST

START_TEST(test_file_numbers)
{
	struct conf cfg;

	parse_ok("[Interface]\nListenPort = 0\nFwMark = 4294967295\n"
		 "[Peer]\nPublicKey=" PUB1 "\nPersistentKeepalive = 65535\n",
		 0600, &cfg);
	ck_assert(cfg.has_listen_port);
	ck_assert_uint_eq(cfg.listen_port, 0);
	ck_assert_uint_eq(cfg.fwmark, 4294967295U);
	ck_assert_uint_eq(cfg.peers[0].persistent_keepalive, 65535);
	conf_free(&cfg);

	parse_ok("[Interface]\nListenPort = 065535\nFwMark = OFF\n"
		 "[Peer]\nPublicKey=" PUB1 "\nPersistentKeepalive = 0\n",
		 0600, &cfg);
	ck_assert_uint_eq(cfg.listen_port, 65535);
	ck_assert(cfg.has_fwmark);
	ck_assert_uint_eq(cfg.fwmark, 0);
	ck_assert(cfg.peers[0].has_keepalive);
	ck_assert_uint_eq(cfg.peers[0].persistent_keepalive, 0);
	conf_free(&cfg);

	parse_ok("[Interface]\nFwMark = 0XfF\n", 0600, &cfg);
	ck_assert_uint_eq(cfg.fwmark, 0xff);
	conf_free(&cfg);
}
END_TEST

START_TEST(test_file_bad_allowed_ips)
{
	static const struct {
		const char *value, *msg;
	} cases[] = {
		{ "10.0.0.0/33",
		  "invalid AllowedIPs '10.0.0.0/33': prefix length above 32" },
		{ "fd00::/129",
		  "invalid AllowedIPs 'fd00::/129': prefix length above 128" },
		{ "10.0.0.0/999999999999",
		  "invalid AllowedIPs '10.0.0.0/999999999999': prefix length above 32" },
		{ "10.0.0.0/",
		  "invalid AllowedIPs '10.0.0.0/': missing prefix length" },
		{ "10.0.0.0/x",
		  "invalid AllowedIPs '10.0.0.0/x': prefix length is not a number" },
		{ "10.0.0.0/-1",
		  "invalid AllowedIPs '10.0.0.0/-1': prefix length is not a number" },
		{ "10.0.0", "invalid AllowedIPs '10.0.0': not an IP address" },
		{ "10.0.0.0/8, bogus ,::/0",
		  "invalid AllowedIPs 'bogus': not an IP address" },
		{ "fe80::1%1/64",
		  "invalid AllowedIPs 'fe80::1%1/64': not an IP address" },
		{ "10.0.0.0/8,,::/0",
		  "invalid AllowedIPs '10.0.0.0/8,,::/0': empty entry" },
		{ "10.0.0.0/8,",
		  "invalid AllowedIPs '10.0.0.0/8,': empty entry" },
	};
	char text[256];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(text, sizeof(text),
			 "[Peer]\nPublicKey = %s\nAllowedIPs = %s\n", PUB1,
			 cases[i].value);
		expect_error(text, 3, cases[i].msg);
	}
	/* The same rules for Address. */
	expect_error("[Interface]\nAddress = 10.0.0.1/33\n", 2,
		     "invalid Address '10.0.0.1/33': prefix length above 32");
}
END_TEST

/* The kernel's limit per peer, reported where it is crossed. */
START_TEST(test_file_too_many_allowed_ips)
{
	struct conf cfg;
	char text[4096];
	int len;

	len = snprintf(text, sizeof(text), "[Peer]\nPublicKey = %s\n", PUB1);
	for (int i = 0; i < FZ_MAX_ALLOWEDIPS; i++)
		len += snprintf(text + len, sizeof(text) - (size_t)len,
				"AllowedIPs = 10.0.0.%d/32\n", i);
	ck_assert_int_lt(len, (int)sizeof(text) - 64);
	parse_ok(text, 0600, &cfg);
	ck_assert_uint_eq(cfg.peers[0].n_allowed_ips, FZ_MAX_ALLOWEDIPS);
	conf_free(&cfg);

	strcpy(text + len, "AllowedIPs = 10.0.1.0/24\n");
	expect_error(text, 3 + FZ_MAX_ALLOWEDIPS,
		     "too many AllowedIPs for one peer (at most 64)");
}
END_TEST

START_TEST(test_file_unknown_key)
{
	expect_error("[Interface]\nListenPort = 1\n[Peer]\nPublicKey = " PUB1
		     "\nFoo = 1\n",
		     5, "unknown key 'Foo' in [Peer]");
	expect_error("[Interface]\nPrivate Key = x\n", 2,
		     "unknown key 'Private Key' in [Interface]");
	expect_error("[Peer]\nPublicKey = " PUB1 "\nlistenport = 1\n", 3,
		     "listenport belongs in [Interface], not in [Peer]");
	expect_error("[Interface]\nEndpoint = 192.0.2.1:1\n", 2,
		     "Endpoint belongs in [Peer], not in [Interface]");
}
END_TEST

START_TEST(test_file_wg_quick_keys)
{
	static const char *const keys[] = {
		"DNS",	   "MTU",      "Table",	     "PreUp", "PostUp",
		"PreDown", "PostDown", "SaveConfig", "dns",   "postup",
	};
	char text[128], msg[128];

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		snprintf(text, sizeof(text), "[Interface]\n%s = 1\n", keys[i]);
		snprintf(
			msg, sizeof(msg),
			"%s is a wg-quick setting; fzagent does not support it",
			keys[i]);
		expect_error(text, 2, msg);
	}
}
END_TEST

START_TEST(test_file_missing_public_key)
{
	/* Found when the next section starts... */
	expect_error("[Interface]\nListenPort = 1\n\n[Peer]\n"
		     "AllowedIPs = 10.0.0.0/8\n[Peer]\nPublicKey = " PUB1 "\n",
		     4, "PublicKey missing in [Peer] starting at line 4");
	/* ...or when the file ends. */
	expect_error("[Peer]\nPublicKey = " PUB1 "\n[Peer]\n# nothing\n", 3,
		     "PublicKey missing in [Peer] starting at line 3");
}
END_TEST

START_TEST(test_file_duplicate_peer)
{
	expect_error("[Peer]\nPublicKey = " PUB1 "\n"
		     "[Peer]\nPublicKey = " PUB2 "\n"
		     "[Peer]\nAllowedIPs = 10.0.0.0/8\nPublicKey = " PUB1 "\n",
		     7, "duplicate peer '" PUB1 "' (first at line 1)");
	/* Checked once the file is read: the earliest repeat is told. */
	expect_error("[Peer]\nPublicKey = " PUB1 "\n"
		     "[Peer]\nPublicKey = " PUB2 "\n"
		     "[Peer]\nPublicKey = " PUB2 "\n"
		     "[Peer]\nPublicKey = " PUB1 "\n"
		     "[Peer]\nPublicKey = " PUB2 "\n",
		     6, "duplicate peer '" PUB2 "' (first at line 3)");
}
END_TEST

START_TEST(test_file_key_outside_section)
{
	expect_error(
		"# no section yet\nListenPort = 1\n[Interface]\n", 2,
		"key 'ListenPort' outside a section ([Interface] or [Peer])");
}
END_TEST

START_TEST(test_file_bad_numbers)
{
	expect_error("[Interface]\nListenPort = 70000\n", 2,
		     "ListenPort '70000' out of range (0-65535)");
	expect_error(
		"[Interface]\nListenPort = 99999999999999999999\n", 2,
		"ListenPort '99999999999999999999' out of range (0-65535)");
	expect_error("[Interface]\nListenPort = abc\n", 2,
		     "ListenPort 'abc' is not a number");
	expect_error("[Interface]\nListenPort = -1\n", 2,
		     "ListenPort '-1' is not a number");
	expect_error("[Interface]\nListenPort = 0x10\n", 2,
		     "ListenPort '0x10' is not a number");
	expect_error("[Interface]\nListenPort =\n", 2,
		     "missing value for ListenPort");
	expect_error("[Interface]\nFwMark = 0x100000000\n", 2,
		     "FwMark '0x100000000' out of range (0-4294967295)");
	expect_error(
		"[Interface]\nFwMark = 010\n", 2,
		"FwMark '010' has a leading zero; write decimal or 0x hex");
	expect_error("[Interface]\nFwMark = 0x\n", 2,
		     "FwMark '0x' is not a number");
	expect_error("[Peer]\nPublicKey = " PUB1
		     "\nPersistentKeepalive = 65536\n",
		     3, "PersistentKeepalive '65536' out of range (0-65535)");
	expect_error("[Peer]\nPublicKey = " PUB1 "\nPersistentKeepalive = on\n",
		     3, "PersistentKeepalive 'on' is not a number");
}
END_TEST

START_TEST(test_file_bad_endpoints)
{
	static const struct {
		const char *value, *why;
	} cases[] = {
		{ "x", "missing port" },
		{ "192.0.2.1", "missing port" },
		{ "192.0.2.1:", "missing port" },
		{ "192.0.2.1:0", "port out of range (1-65535)" },
		{ "192.0.2.1:65536", "port out of range (1-65535)" },
		{ "192.0.2.1:http", "port is not a number" },
		{ "2001:db8::1:51820",
		  "an IPv6 address needs brackets, as in [::1]:51820" },
		{ "[2001:db8::1:51820", "missing ']'" },
		{ "[2001:db8::1]51820", "missing port" },
		{ "[2001:db8::1]", "missing port" },
		{ "[192.0.2.1]:51820", "not an IPv6 address" },
		{ "[]:51820", "not an IPv6 address" },
		{ "1.2.3.256:1", "not an IPv4 address" },
		{ "10.1:1", "not an IPv4 address" },
		{ ":51820", "missing host" },
		{ "bad_host!:1", "not an IP address or host name" },
	};
	char text[256], msg[256];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(text, sizeof(text),
			 "[Peer]\nPublicKey = %s\nEndpoint = %s\n", PUB1,
			 cases[i].value);
		snprintf(msg, sizeof(msg), "invalid Endpoint '%s': %s",
			 cases[i].value, cases[i].why);
		expect_error(text, 3, msg);
	}
}
END_TEST

/* A secret is never quoted back, even when it is malformed. */
START_TEST(test_file_bad_keys)
{
	expect_error("[Interface]\nPrivateKey = 4FgXxjzRxSz8P46QniBVU1WJDX\n",
		     2, "invalid PrivateKey: not a 44-character base64 key");
	expect_error("[Peer]\nPublicKey = abc\n", 2,
		     "invalid PublicKey 'abc': not a 44-character base64 key");
	expect_error("[Peer]\nPublicKey = " PUB1 "\nPresharedKey = " PUB1 "x\n",
		     3, "invalid PresharedKey: not a 44-character base64 key");
	expect_error("[Interface]\nPrivateKey =\n", 2,
		     "missing value for PrivateKey");
	/* 0: a point of small order; the DH that would find out is lazy. */
	expect_error("[Peer]\nPublicKey = "
		     "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
		     2,
		     "invalid PublicKey "
		     "'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=': a point "
		     "of small order, with which no key exchange is possible");
}
END_TEST

START_TEST(test_file_syntax)
{
	expect_error("[Interface]\nListenPort 51820\n", 2,
		     "expected 'Key = Value' or a [Section]");
	expect_error("[Interface]\n = 5\n", 2, "missing key before '='");
	expect_error("[Interface]\n[Foo]\n", 2, "unknown section '[Foo]'");
	expect_error("[]\n", 1, "unknown section '[]'");
	expect_error("[Peer\n", 1, "malformed section header '[Peer'");
	expect_error("[Peer] x\n", 1, "malformed section header '[Peer] x'");
	expect_error("[Interface]\n\n[interface]\n", 3,
		     "duplicate [Interface] section (first at line 1)");
	expect_error("[Interface]\nListenPort = 1\nlistenPort = 1\n", 3,
		     "ListenPort given twice");
	expect_error("[Peer]\nPublicKey = " PUB1 "\nPublicKey = " PUB2 "\n", 3,
		     "PublicKey given twice");
	expect_error("[Peer]\nPublicKey = " PUB1 "\nEndpoint = 192.0.2.1:1\n"
		     "Endpoint = 192.0.2.1:2\n",
		     4, "Endpoint given twice");
}
END_TEST

START_TEST(test_file_permissions)
{
	static const char priv[] = "[Interface]\nPrivateKey = " PRIV "\n";
	static const char psk[] = "[Peer]\nPublicKey = " PUB1
				  "\nPresharedKey = " PSK "\n";
	struct conf cfg;

	expect_error_mode(
		priv, 0644, 0,
		"contains a private key but is readable by others (chmod 600)");
	expect_error_mode(
		priv, 0640, 0,
		"contains a private key but is readable by others (chmod 600)");
	expect_error_mode(
		priv, 0602, 0,
		"contains a private key but is writable by others (chmod 600)");
	expect_error_mode(
		psk, 0604, 0,
		"contains a preshared key but is readable by others (chmod 600)");

	/* Execute bits leak nothing; no secret, no rule. */
	parse_ok(priv, 0711, &cfg);
	conf_free(&cfg);
	parse_ok(psk, 0400, &cfg);
	conf_free(&cfg);
	parse_ok("[Interface]\nListenPort = 1\n", 0666, &cfg);
	conf_free(&cfg);
}
END_TEST

START_TEST(test_file_too_large)
{
	size_t size = CONF_MAX_FILE + 1;
	char *text = malloc(size);
	struct conf cfg;

	ck_assert_ptr_nonnull(text);
	/* Comment lines of 64 bytes: only the size is wrong. */
	for (size_t i = 0; i < size; i++)
		text[i] = i % 64 == 63 ? '\n' : '#';
	expect_path_error(temp_file(text, size, 0600), -EINVAL, 0,
			  "larger than 64 MiB");

	/* Exactly at the limit is fine. */
	temp_file(text, size - 1, 0600);
	memset(&cfg, 0, sizeof(cfg));
	ck_assert_int_eq(conf_parse_file(temp_paths[0], &cfg, NULL, 0), 0);
	conf_free(&cfg);
	free(text);
}
END_TEST

START_TEST(test_file_long_line)
{
	char text[CONF_MAX_LINE + 64];
	struct conf cfg;

	/* "[Interface]\n", then a comment line of exactly the limit. */
	strcpy(text, "[Interface]\n");
	memset(text + 12, '#', CONF_MAX_LINE);
	strcpy(text + 12 + CONF_MAX_LINE, "\nListenPort = 1\n");
	parse_ok(text, 0600, &cfg);
	ck_assert_uint_eq(cfg.listen_port, 1);
	conf_free(&cfg);

	/* One byte more. */
	text[12] = ' ';
	memset(text + 13, '#', CONF_MAX_LINE);
	strcpy(text + 13 + CONF_MAX_LINE, "\n");
	expect_error(text, 2, "line longer than 4096 bytes");
}
END_TEST

START_TEST(test_file_nul_byte)
{
	static const char text[] = "[Interface]\nListenPort = 1\0 2\n";

	expect_path_error(temp_file(text, sizeof(text) - 1, 0600), -EINVAL, 2,
			  "NUL byte in line");
}
END_TEST

START_TEST(test_file_unreadable)
{
	expect_path_error("/nonexistent/fz0.conf", -ENOENT, 0,
			  "cannot read: No such file or directory");
	expect_path_error("/tmp", -EISDIR, 0, "cannot read: Is a directory");
}
END_TEST

/* An error message is cut to the caller's buffer, never overflowing it. */
START_TEST(test_file_small_error_buffer)
{
	const char *path = temp_text("[Foo]\n", 0600);
	struct conf cfg;
	char err[8];

	memset(err, 'x', sizeof(err));
	ck_assert_int_eq(conf_parse_file(path, &cfg, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "/tmp/fz");
	ck_assert_int_eq(conf_parse_file(path, &cfg, NULL, 0), -EINVAL);
	assert_empty(&cfg);
}
END_TEST

/* The point 1: of small order. */
#define LOW_ORDER_1 "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

static int parse_set(int argc, char **argv, struct conf *cfg, char err[ERR_LEN])
{
	memset(cfg, 0xa5, sizeof(*cfg));
	return conf_parse_set(argc, argv, cfg, err, ERR_LEN);
}

static void expect_set_error(int argc, char **argv, int ret, const char *msg)
{
	struct conf cfg;
	char err[ERR_LEN];

	ck_assert_int_eq(parse_set(argc, argv, &cfg, err), ret);
	ck_assert_str_eq(err, msg);
	assert_empty(&cfg);
}

#define SET_ERROR(ret, msg, ...)                                          \
	do {                                                              \
		char *words[] = { __VA_ARGS__ };                          \
		expect_set_error(ARRAY_SIZE(words), words, (ret), (msg)); \
	} while (0)

START_TEST(test_set_device)
{
	const char *key = temp_text(PRIV "\n", 0600);
	char *argv[] = { "listen-port", "51820",       "fwmark",
			 "0x2a",	"private-key", (char *)key };
	struct conf cfg;
	char err[ERR_LEN];

	ck_assert_int_eq(parse_set(ARRAY_SIZE(argv), argv, &cfg, err), 0);
	ck_assert_str_eq(err, "");
	ck_assert(cfg.has_listen_port);
	ck_assert_uint_eq(cfg.listen_port, 51820);
	ck_assert(cfg.has_fwmark);
	ck_assert_uint_eq(cfg.fwmark, 42);
	ck_assert(cfg.has_private_key);
	assert_key(cfg.private_key, PRIV);
	ck_assert(!cfg.replace_peers);
	ck_assert_uint_eq(cfg.n_peers, 0);
	conf_free(&cfg);

	/* Nothing to change is not an error. */
	ck_assert_int_eq(parse_set(0, argv, &cfg, err), 0);
	assert_empty(&cfg);
}
END_TEST

START_TEST(test_set_peers)
{
	const char *psk = temp_text("  " PSK " \n\n", 0600);
	char *argv[] = {
		"peer",
		PUB1,
		"preshared-key",
		(char *)psk,
		"endpoint",
		"192.0.2.1:51820",
		"persistent-keepalive",
		"25",
		"allowed-ips",
		"10.0.0.0/8, fd00::/64",
		"allowed-ips",
		"10.1.0.0/16",
		"peer",
		PUB2,
		"remove",
		"endpoint",
		"[::1]:1",
		"peer",
		PUB3,
		"update-only",
		"allowed-ips",
		"",
		"persistent-keepalive",
		"off",
	};
	struct conf cfg;
	const struct conf_peer *p;
	char err[ERR_LEN];

	ck_assert_int_eq(parse_set(ARRAY_SIZE(argv), argv, &cfg, err), 0);
	ck_assert_uint_eq(cfg.n_peers, 3);
	ck_assert(!cfg.has_listen_port && !cfg.has_private_key);

	p = &cfg.peers[0];
	assert_key(p->public_key, PUB1);
	ck_assert(p->has_preshared_key);
	assert_key(p->preshared_key, PSK);
	assert_endpoint(p, "192.0.2.1:51820");
	ck_assert_uint_eq(p->persistent_keepalive, 25);
	ck_assert(p->replace_allowed_ips);
	ck_assert_uint_eq(p->n_allowed_ips, 3);
	assert_cidr(&p->allowed_ips[0], "10.0.0.0/8");
	assert_cidr(&p->allowed_ips[1], "fd00::/64");
	assert_cidr(&p->allowed_ips[2], "10.1.0.0/16");
	ck_assert_uint_eq(p->line, 0);

	/* remove with other options is accepted, as by wg(8). */
	p = &cfg.peers[1];
	assert_key(p->public_key, PUB2);
	ck_assert(p->remove);
	assert_endpoint(p, "[::1]:1");
	ck_assert(!p->replace_allowed_ips);
	ck_assert(!p->has_keepalive && !p->has_preshared_key);

	/* allowed-ips "" replaces the list with nothing. */
	p = &cfg.peers[2];
	assert_key(p->public_key, PUB3);
	ck_assert(p->update_only && !p->remove);
	ck_assert(p->replace_allowed_ips);
	ck_assert_uint_eq(p->n_allowed_ips, 0);
	ck_assert(p->has_keepalive);
	ck_assert_uint_eq(p->persistent_keepalive, 0);
	conf_free(&cfg);
}
END_TEST

/* As in wg(8), an empty key file (/dev/null) is the key that removes. */
START_TEST(test_set_empty_key_files)
{
	const char *empty = temp_text("\n", 0644);
	char *argv[] = { "private-key", (char *)empty,	 "peer",
			 PUB1,		"preshared-key", "/dev/null" };
	struct conf cfg;
	char err[ERR_LEN];

	ck_assert_int_eq(parse_set(ARRAY_SIZE(argv), argv, &cfg, err), 0);
	ck_assert(cfg.has_private_key);
	assert_zero_key(cfg.private_key);
	ck_assert(cfg.peers[0].has_preshared_key);
	assert_zero_key(cfg.peers[0].preshared_key);
	conf_free(&cfg);
}
END_TEST

START_TEST(test_set_missing_value)
{
	SET_ERROR(-EINVAL, "missing value for listen-port", "listen-port");
	SET_ERROR(-EINVAL, "missing value for fwmark", "fwmark", "");
	SET_ERROR(-EINVAL, "missing value for private-key", "listen-port", "1",
		  "private-key");
	SET_ERROR(-EINVAL, "missing value for peer", "peer");
	SET_ERROR(-EINVAL, "missing value for endpoint", "peer", PUB1,
		  "endpoint");
	SET_ERROR(-EINVAL, "missing value for persistent-keepalive", "peer",
		  PUB1, "persistent-keepalive", "");
	SET_ERROR(-EINVAL, "missing value for allowed-ips", "peer", PUB1,
		  "allowed-ips");
}
END_TEST

START_TEST(test_set_unknown_word)
{
	SET_ERROR(-EINVAL, "unknown word 'listen_port'", "listen_port", "1");
	SET_ERROR(-EINVAL, "unknown word 'Listen-Port'", "Listen-Port", "1");
	SET_ERROR(-EINVAL, "unknown word 'foo'", "peer", PUB1, "foo");
	SET_ERROR(-EINVAL, "'endpoint' needs a 'peer KEY' before it",
		  "endpoint", "192.0.2.1:1");
	SET_ERROR(-EINVAL, "'listen-port' must come before the first peer",
		  "peer", PUB1, "listen-port", "1");
}
END_TEST

START_TEST(test_set_bad_numbers)
{
	SET_ERROR(-EINVAL, "listen-port '70000' out of range (0-65535)",
		  "listen-port", "70000");
	SET_ERROR(-EINVAL, "listen-port 'x' is not a number", "listen-port",
		  "x");
	SET_ERROR(-EINVAL, "fwmark '-1' is not a number", "fwmark", "-1");
	SET_ERROR(
		-EINVAL,
		"invalid endpoint '192.0.2.1:99999': port out of range (1-65535)",
		"peer", PUB1, "endpoint", "192.0.2.1:99999");
	SET_ERROR(-EINVAL, "invalid endpoint 'x': missing port", "peer", PUB1,
		  "endpoint", "x");
	SET_ERROR(-EINVAL,
		  "persistent-keepalive '65536' out of range (0-65535)", "peer",
		  PUB1, "persistent-keepalive", "65536");
	SET_ERROR(-EINVAL,
		  "invalid allowed-ips '10.0.0.0/33': prefix length above 32",
		  "peer", PUB1, "allowed-ips", "10.0.0.0/8,10.0.0.0/33");
	SET_ERROR(-EINVAL, "listen-port given twice", "listen-port", "1",
		  "listen-port", "2");
	SET_ERROR(-EINVAL, "endpoint given twice", "peer", PUB1, "endpoint",
		  "192.0.2.1:1", "endpoint", "192.0.2.1:1");
}
END_TEST

/* A peer of small order cannot be added, but one already there can go. */
START_TEST(test_set_small_order_peer)
{
	char *rm[] = { "peer", LOW_ORDER_1, "remove" };
	struct conf cfg;
	char err[ERR_LEN];

	SET_ERROR(-EINVAL,
		  "invalid peer key '" LOW_ORDER_1 "': a point of small order, "
		  "with which no key exchange is possible",
		  "peer", LOW_ORDER_1, "allowed-ips", "10.0.0.1/32");
	ck_assert_int_eq(parse_set(ARRAY_SIZE(rm), rm, &cfg, err), 0);
	ck_assert_uint_eq(cfg.n_peers, 1);
	ck_assert(cfg.peers[0].remove);
	conf_free(&cfg);
}
END_TEST

START_TEST(test_set_bad_keys)
{
	const char *bad = temp_text("not a key\n", 0600);
	const char *open = temp_text(PRIV "\n", 0644);
	const char *nul = temp_file(PRIV "\0", sizeof(PRIV), 0600);
	const char *big_path;
	char msg[ERR_LEN], big[2048];

	SET_ERROR(-EINVAL,
		  "invalid peer key 'abc': not a 44-character base64 key",
		  "peer", "abc");
	SET_ERROR(-EINVAL, "duplicate peer '" PUB1 "'", "peer", PUB1, "peer",
		  PUB2, "peer", PUB1);

	snprintf(msg, sizeof(msg),
		 "invalid private-key file '%s': not a 44-character base64 key",
		 bad);
	SET_ERROR(-EINVAL, msg, "private-key", (char *)bad);
	snprintf(
		msg, sizeof(msg),
		"invalid preshared-key file '%s': not a 44-character base64 key",
		nul);
	SET_ERROR(-EINVAL, msg, "peer", PUB1, "preshared-key", (char *)nul);
	snprintf(
		msg, sizeof(msg),
		"%s: contains a private key but is readable by others (chmod 600)",
		open);
	SET_ERROR(-EINVAL, msg, "private-key", (char *)open);
	snprintf(
		msg, sizeof(msg),
		"%s: contains a preshared key but is readable by others (chmod 600)",
		open);
	SET_ERROR(-EINVAL, msg, "peer", PUB1, "preshared-key", (char *)open);
	SET_ERROR(
		-ENOENT,
		"cannot read private-key file '/nonexistent/key': No such file or directory",
		"private-key", "/nonexistent/key");
	SET_ERROR(-EISDIR,
		  "cannot read private-key file '/tmp': Is a directory",
		  "private-key", "/tmp");
	/* Too large to be a key file: not a key, whatever it holds. */
	memset(big, 'A', sizeof(big));
	big_path = temp_file(big, sizeof(big), 0600);
	snprintf(msg, sizeof(msg),
		 "invalid private-key file '%s': not a 44-character base64 key",
		 big_path);
	SET_ERROR(-EINVAL, msg, "private-key", (char *)big_path);
}
END_TEST

Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *file = tcase_create("file");
	TCase *set = tcase_create("set");

	tcase_add_checked_fixture(file, NULL, teardown);
	tcase_add_test(file, test_file_full);
	tcase_add_test(file, test_file_minimal);
	tcase_add_test(file, test_file_endpoints);
	tcase_add_test(file, test_file_endpoint_host_name);
	tcase_add_test(file, test_file_numbers);
	tcase_add_test(file, test_file_bad_allowed_ips);
	tcase_add_test(file, test_file_too_many_allowed_ips);
	tcase_add_test(file, test_file_unknown_key);
	tcase_add_test(file, test_file_wg_quick_keys);
	tcase_add_test(file, test_file_missing_public_key);
	tcase_add_test(file, test_file_duplicate_peer);
	tcase_add_test(file, test_file_key_outside_section);
	tcase_add_test(file, test_file_bad_numbers);
	tcase_add_test(file, test_file_bad_endpoints);
	tcase_add_test(file, test_file_bad_keys);
	tcase_add_test(file, test_file_syntax);
	tcase_add_test(file, test_file_permissions);
	tcase_add_test(file, test_file_too_large);
	tcase_add_test(file, test_file_long_line);
	tcase_add_test(file, test_file_nul_byte);
	tcase_add_test(file, test_file_unreadable);
	tcase_add_test(file, test_file_small_error_buffer);
	suite_add_tcase(s, file);

	tcase_add_checked_fixture(set, NULL, teardown);
	tcase_add_test(set, test_set_device);
	tcase_add_test(set, test_set_peers);
	tcase_add_test(set, test_set_empty_key_files);
	tcase_add_test(set, test_set_missing_value);
	tcase_add_test(set, test_set_unknown_word);
	tcase_add_test(set, test_set_bad_numbers);
	tcase_add_test(set, test_set_bad_keys);
	tcase_add_test(set, test_set_small_order_peer);
	suite_add_tcase(s, set);
	return s;
}
