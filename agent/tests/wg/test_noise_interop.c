// SPDX-License-Identifier: GPL-2.0
/*
 * noise.c against a real WireGuard: wireguard-go, in a network namespace
 * of its own that noise_interop.sh sets up. This test process joins that
 * namespace (setns) and talks UDP to wireguard-go over the namespace's
 * loopback, so no packet leaves it. A handshake both ways, then transport
 * data both ways, proves the keys are WireGuard's, byte for byte.
 *
 * wireguard-go, wg(8), ip(8) and root (for the namespace and the tun
 * device) are required: without them the tests fail; they never skip.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sodium.h>

#include "lib/keys.h"
#include "wg/noise.h"
#include "../noise_interop.h"

#define WG_PORT 51820 /* wireguard-go, inside the namespace */
#define FZ_PORT 51821 /* this test, inside the namespace */
#define WAIT_MS 5000 /* for any one message from wireguard-go */
#define WG_ADDR "10.99.0.1" /* wireguard-go's tun address */
#define FZ_ADDR "10.99.0.2" /* our tunnel address, its peer's allowed-ip */
#define MAX_PACKET 2048

/* The namespace and the helper script that holds it. */
struct wg_ns {
	pid_t pid; /* noise_interop.sh, in a session of its own */
	int ctl; /* its stdin: closing it makes it tear everything down */
	char name[40];
	char ifname[16];
};

static struct wg_ns ns = { .pid = -1, .ctl = -1 };

/* One side of the tunnel: our identity and wireguard-go as our peer. */
struct side {
	struct wg_noise_local local;
	struct wg_noise_peer wg; /* wireguard-go */
	uint8_t wg_private[WG_NOISE_KEY_LEN];
	uint8_t psk[WG_NOISE_KEY_LEN];
	bool use_psk;
};

/*
 * At the end of a passed test: "pass" keeps wireguard-go's log quiet, end
 * of file makes the helper remove the namespace, and we wait (bounded)
 * until it has. A failed assertion ends this process without coming
 * here; its end closes the pipe all the same, and the helper, seeing no
 * "pass", cleans up and shows the log on stderr.
 */
static void wg_ns_stop(void)
{
	static const char pass[] = "pass\n";
	bool done = false;
	int status = 0;

	ck_assert_int_eq(write(ns.ctl, pass, sizeof(pass) - 1),
			 (ssize_t)sizeof(pass) - 1);
	close(ns.ctl);
	for (int i = 0; i < 500 && !done; i++) {
		done = waitpid(ns.pid, &status, WNOHANG) == ns.pid;
		if (!done)
			usleep(10000);
	}
	ck_assert_msg(done, "noise_interop.sh did not finish within 5 s");
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "noise_interop.sh failed to clean up");
	ns.pid = -1;
}

static void require_tool(const char *name)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", name);
	ck_assert_msg(system(cmd) == 0,
		      "%s is not installed: the noise interop test needs "
		      "wireguard-go, wg and ip",
		      name);
}

/* $FZAGENT is agent/fzagent; the helper is agent/tests/noise_interop.sh. */
static void helper_path(char *buf, size_t len)
{
	const char *bin = getenv("FZAGENT");
	char dir[512];

	ck_assert_msg(bin, "$FZAGENT must name the built fzagent binary "
			   "(make check sets it)");
	snprintf(dir, sizeof(dir), "%s", bin);
	snprintf(buf, len, "%s/tests/noise_interop.sh", dirname(dir));
	ck_assert_msg(access(buf, R_OK) == 0, "%s not found", buf);
}

static void set_key_env(const char *var, const uint8_t key[WG_NOISE_KEY_LEN])
{
	char b64[FZ_KEY_B64_LEN + 1];

	fz_key_to_base64(b64, key);
	ck_assert_int_eq(setenv(var, b64, 1), 0);
}

/* Reads the helper's "ready" line, or fails after a bounded wait. */
static void wait_ready(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char buf[16] = { 0 };
	size_t got = 0;

	while (got < 6) {
		ssize_t n;

		ck_assert_msg(poll(&pfd, 1, 15000) == 1,
			      "noise_interop.sh not ready within 15 s");
		n = read(fd, buf + got, sizeof(buf) - 1 - got);
		ck_assert_msg(n > 0, "noise_interop.sh failed (see stderr)");
		got += (size_t)n;
	}
	ck_assert_str_eq(buf, "ready\n");
}

/* wireguard-go with one peer, us; it dials us first if endpoint is set. */
static void wg_ns_start(const struct side *s, const char *endpoint)
{
	char script[600], port[8], peer[FZ_KEY_B64_LEN + 1];
	int ctl[2], out[2];

	ck_assert_msg(geteuid() == 0, "the noise interop test needs root "
				      "(network namespace, tun device)");
	require_tool("wireguard-go");
	require_tool("wg");
	require_tool("ip");
	helper_path(script, sizeof(script));

	snprintf(ns.name, sizeof(ns.name), "fz-noise-%d", (int)getpid());
	snprintf(ns.ifname, sizeof(ns.ifname), "fzt%d", (int)getpid());
	snprintf(port, sizeof(port), "%d", WG_PORT);
	fz_key_to_base64(peer, s->local.public_key);
	set_key_env("FZT_PRIVATE_KEY", s->wg_private);
	if (s->use_psk)
		set_key_env("FZT_PRESHARED_KEY", s->psk);
	else
		unsetenv("FZT_PRESHARED_KEY");

	ck_assert_int_eq(pipe2(ctl, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
	ns.pid = fork();
	ck_assert_int_ge(ns.pid, 0);
	if (ns.pid == 0) {
		setsid();
		dup2(ctl[0], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		/* A NULL endpoint ends the list early: no endpoint. */
		execl("/bin/bash", "bash", script, ns.name, ns.ifname, port,
		      peer, endpoint, (char *)NULL);
		_exit(127);
	}
	close(ctl[0]);
	close(out[1]);
	ns.ctl = ctl[1];
	wait_ready(out[0]);
	close(out[0]);
}

static void enter_ns(void)
{
	char path[80];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", ns.name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
	ck_assert_msg(setns(fd, CLONE_NEWNET) == 0, "setns: %s",
		      strerror(errno));
	close(fd);
}

/* --- UDP on the namespace's loopback --- */

static struct sockaddr_in loopback(uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(port) };

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sin;
}

static int udp_bound(uint16_t port)
{
	struct sockaddr_in sin = loopback(port);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_msg(bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0,
		      "bind 127.0.0.1:%u: %s", port, strerror(errno));
	return fd;
}

static void send_to(int fd, const void *buf, size_t len,
		    const struct sockaddr_in *to)
{
	ck_assert_int_eq(sendto(fd, buf, len, 0, (const struct sockaddr *)to,
				sizeof(*to)),
			 (ssize_t)len);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get_le64(const uint8_t *p)
{
	return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static void put_le64(uint8_t *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32(p + 4, (uint32_t)(v >> 32));
}

/*
 * The next message of this type and, if non-zero, length from
 * wireguard-go; anything else (a retransmission, a keepalive the caller
 * does not want) is skipped. Fails after WAIT_MS.
 */
static size_t recv_type(int fd, uint8_t *buf, uint32_t type, size_t len,
			struct sockaddr_in *from)
{
	uint64_t deadline = now_ms() + WAIT_MS;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		socklen_t from_len = sizeof(*from);
		uint64_t now = now_ms();
		ssize_t n;

		ck_assert_msg(now < deadline &&
				      poll(&pfd, 1, (int)(deadline - now)) == 1,
			      "no type %u message from wireguard-go in %d ms",
			      type, WAIT_MS);
		n = recvfrom(fd, buf, MAX_PACKET, 0, (struct sockaddr *)from,
			     &from_len);
		ck_assert_int_ge(n, 0);
		if (n >= 4 && get_le32(buf) == type &&
		    (!len || (size_t)n == len))
			return (size_t)n;
	}
}

/* --- Transport data (type 4), as the kernel will do it --- */

static void transport_nonce(uint8_t nonce[12], uint64_t counter)
{
	memset(nonce, 0, 4);
	put_le64(nonce + 4, counter);
}

/* Plaintext padded with zeros to a multiple of 16, as WireGuard pads. */
static size_t transport_seal(uint8_t *out, const struct wg_noise_keys *k,
			     uint64_t counter, const uint8_t *pkt, size_t len)
{
	uint8_t plain[MAX_PACKET] = { 0 }, nonce[12];
	size_t padded = (len + 15) & ~(size_t)15;

	memcpy(plain, pkt, len);
	put_le32(out, WG_NOISE_MSG_TRANSPORT);
	put_le32(out + 4, k->remote_index);
	put_le64(out + 8, counter);
	transport_nonce(nonce, counter);
	crypto_aead_chacha20poly1305_ietf_encrypt(
		out + WG_NOISE_TRANSPORT_HEADER_LEN, NULL, plain, padded, NULL,
		0, NULL, nonce, k->send_key);
	return WG_NOISE_TRANSPORT_HEADER_LEN + padded + WG_NOISE_AEAD_TAG_LEN;
}

static size_t transport_open(uint8_t *plain, const struct wg_noise_keys *k,
			     const uint8_t *msg, size_t len)
{
	unsigned long long plain_len = 0;
	uint8_t nonce[12];

	ck_assert_uint_ge(len, WG_NOISE_TRANSPORT_HEADER_LEN +
				       WG_NOISE_AEAD_TAG_LEN);
	ck_assert_uint_eq(get_le32(msg + 4), k->local_index);
	transport_nonce(nonce, get_le64(msg + 8));
	ck_assert_msg(crypto_aead_chacha20poly1305_ietf_decrypt(
			      plain, &plain_len, NULL,
			      msg + WG_NOISE_TRANSPORT_HEADER_LEN,
			      len - WG_NOISE_TRANSPORT_HEADER_LEN, NULL, 0,
			      nonce, k->recv_key) == 0,
		      "transport data from wireguard-go does not decrypt with "
		      "our receive key");
	return (size_t)plain_len;
}

/* The next non-keepalive packet wireguard-go tunnels to us, decrypted. */
static size_t recv_tunneled(int fd, uint8_t *plain,
			    const struct wg_noise_keys *k)
{
	uint8_t msg[MAX_PACKET];
	struct sockaddr_in from;

	for (int i = 0; i < 16; i++) {
		size_t len =
			recv_type(fd, msg, WG_NOISE_MSG_TRANSPORT, 0, &from);
		size_t n = transport_open(plain, k, msg, len);

		if (n)
			return n;
	}
	ck_abort_msg("wireguard-go sent only keepalives");
	return 0;
}

/* --- IPv4 packets inside the tunnel --- */

static uint16_t checksum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put_addr(uint8_t *p, const char *ip)
{
	struct in_addr a;

	ck_assert_int_eq(inet_pton(AF_INET, ip, &a), 1);
	memcpy(p, &a, 4);
}

static const char ping_data[] = "fz noise interop";
#define PING_ID 0x465a
#define PING_SEQ 1

/* An ICMP echo request from FZ_ADDR to WG_ADDR, the IPv4 header first. */
static size_t build_ping(uint8_t *pkt)
{
	size_t icmp_len = 8 + sizeof(ping_data);
	size_t len = 20 + icmp_len;
	uint8_t *icmp = pkt + 20;

	memset(pkt, 0, len);
	pkt[0] = 0x45; /* version 4, 5 words of header */
	put_be16(pkt + 2, (uint16_t)len);
	pkt[8] = 64; /* TTL */
	pkt[9] = IPPROTO_ICMP;
	put_addr(pkt + 12, FZ_ADDR);
	put_addr(pkt + 16, WG_ADDR);
	put_be16(pkt + 10, checksum(pkt, 20));
	icmp[0] = 8; /* echo request */
	put_be16(icmp + 4, PING_ID);
	put_be16(icmp + 6, PING_SEQ);
	memcpy(icmp + 8, ping_data, sizeof(ping_data));
	put_be16(icmp + 2, checksum(icmp, icmp_len));
	return len;
}

/* Checks an IPv4 header from WG_ADDR to FZ_ADDR; returns its payload. */
static const uint8_t *check_ipv4(const uint8_t *pkt, size_t len, uint8_t proto,
				 size_t *payload_len)
{
	uint8_t wg[4], fz[4];
	size_t total;

	put_addr(wg, WG_ADDR);
	put_addr(fz, FZ_ADDR);
	ck_assert_uint_ge(len, 20);
	ck_assert_uint_eq(pkt[0], 0x45);
	total = get_be16(pkt + 2);
	ck_assert_uint_le(total, len); /* the rest is WireGuard's padding */
	ck_assert_uint_eq(pkt[9], proto);
	ck_assert_mem_eq(pkt + 12, wg, 4);
	ck_assert_mem_eq(pkt + 16, fz, 4);
	ck_assert_uint_eq(checksum(pkt, 20), 0);
	*payload_len = total - 20;
	return pkt + 20;
}

/*
 * Tunnels a ping to wireguard-go's address: wireguard-go decrypts it with
 * its receive key and writes it to its tun, the namespace's kernel
 * answers, and wireguard-go encrypts the reply with its send key. Both
 * directions of the session keys are thus checked.
 */
static void ping_through(int fd, const struct wg_noise_keys *k,
			 uint64_t counter)
{
	uint8_t pkt[MAX_PACKET], msg[MAX_PACKET], plain[MAX_PACKET];
	struct sockaddr_in wg = loopback(WG_PORT);
	const uint8_t *icmp;
	size_t len, icmp_len;

	len = build_ping(pkt);
	len = transport_seal(msg, k, counter, pkt, len);
	ck_assert_uint_eq((len - 32) % 16, 0);
	send_to(fd, msg, len, &wg);

	len = recv_tunneled(fd, plain, k);
	icmp = check_ipv4(plain, len, IPPROTO_ICMP, &icmp_len);
	ck_assert_uint_eq(icmp_len, 8 + sizeof(ping_data));
	ck_assert_uint_eq(icmp[0], 0); /* echo reply */
	ck_assert_uint_eq(get_be16(icmp + 4), PING_ID);
	ck_assert_uint_eq(get_be16(icmp + 6), PING_SEQ);
	ck_assert_mem_eq(icmp + 8, ping_data, sizeof(ping_data));
}

/* --- The two directions --- */

static void side_init(struct side *s, bool use_psk)
{
	uint8_t priv[WG_NOISE_KEY_LEN], wg_public[WG_NOISE_KEY_LEN];

	ck_assert_int_eq(fz_keys_init(), 0);
	memset(s, 0, sizeof(*s));
	fz_key_generate_private(priv);
	ck_assert_int_eq(wg_noise_local_init(&s->local, priv), 0);
	fz_key_generate_private(s->wg_private);
	ck_assert_int_eq(fz_key_public_from_private(wg_public, s->wg_private),
			 0);
	s->use_psk = use_psk;
	if (use_psk)
		randombytes_buf(s->psk, sizeof(s->psk));
	ck_assert_int_eq(wg_noise_peer_init(&s->local, &s->wg, wg_public,
					    use_psk ? s->psk : NULL),
			 0);
}

static void finish(struct side *s)
{
	wg_ns_stop();
	wg_noise_peer_wipe(&s->wg);
	wg_noise_local_wipe(&s->local);
}

/* We initiate; wireguard-go responds. _i: 1 with a preshared key. */
START_TEST(test_interop_fz_initiates)
{
	uint8_t init[WG_NOISE_INITIATION_LEN], buf[MAX_PACKET];
	struct sockaddr_in wg = loopback(WG_PORT), from;
	struct wg_noise_keys keys;
	struct side s;
	size_t len;
	int fd;

	side_init(&s, _i);
	wg_ns_start(&s, NULL);
	enter_ns();
	fd = udp_bound(FZ_PORT);

	ck_assert_int_eq(wg_noise_create_initiation(&s.local, &s.wg, 0xf2000001,
						    init),
			 0);
	send_to(fd, init, sizeof(init), &wg);
	len = recv_type(fd, buf, WG_NOISE_MSG_RESPONSE, WG_NOISE_RESPONSE_LEN,
			&from);
	ck_assert(wg_noise_mac1_valid(&s.local, buf, len));
	ck_assert_uint_eq(get_le32(buf + 8), 0xf2000001);
	ck_assert_int_eq(wg_noise_consume_response(&s.local, &s.wg, buf, len),
			 0);
	ck_assert_int_eq(wg_noise_derive_keys(&s.wg, &keys), 0);
	ck_assert(keys.initiator);
	ck_assert_uint_eq(keys.local_index, 0xf2000001);
	ck_assert_uint_eq(keys.remote_index, get_le32(buf + 4));

	ping_through(fd, &keys, 0);
	close(fd);
	finish(&s);
}
END_TEST

static struct wg_noise_peer *lookup_wg(void *ctx,
				       const uint8_t key[WG_NOISE_KEY_LEN])
{
	struct side *s = ctx;

	return memcmp(key, s->wg.remote_static, WG_NOISE_KEY_LEN) ? NULL :
								    &s->wg;
}

/*
 * wireguard-go initiates, because a packet for our address is waiting in
 * its tun; we respond, and the waiting packet is its first transport data.
 */
static void poke(void)
{
	static const char data[] = "fz noise poke";
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(inet_pton(AF_INET, FZ_ADDR, &to.sin_addr), 1);
	send_to(fd, data, sizeof(data), &to);
	close(fd);
}

static void check_poke(const uint8_t *plain, size_t len)
{
	static const char data[] = "fz noise poke";
	const uint8_t *udp;
	size_t udp_len;

	udp = check_ipv4(plain, len, IPPROTO_UDP, &udp_len);
	ck_assert_uint_eq(udp_len, 8 + sizeof(data));
	ck_assert_uint_eq(get_be16(udp + 2), 9);
	ck_assert_mem_eq(udp + 8, data, sizeof(data));
}

START_TEST(test_interop_wg_initiates)
{
	uint8_t buf[MAX_PACKET], resp[WG_NOISE_RESPONSE_LEN];
	uint8_t plain[MAX_PACKET];
	struct wg_noise_peer *peer;
	struct wg_noise_keys keys;
	struct sockaddr_in from;
	struct side s;
	char endpoint[32];
	size_t len;
	int fd;

	side_init(&s, _i);
	snprintf(endpoint, sizeof(endpoint), "127.0.0.1:%d", FZ_PORT);
	wg_ns_start(&s, endpoint);
	enter_ns();
	fd = udp_bound(FZ_PORT);

	poke();
	len = recv_type(fd, buf, WG_NOISE_MSG_INITIATION,
			WG_NOISE_INITIATION_LEN, &from);
	ck_assert(wg_noise_mac1_valid(&s.local, buf, len));
	ck_assert_int_eq(wg_noise_consume_initiation(&s.local, buf, len,
						     lookup_wg, &s, &peer),
			 0);
	ck_assert_ptr_eq(peer, &s.wg);
	ck_assert_int_eq(
		wg_noise_create_response(&s.local, peer, 0xf2000002, resp), 0);
	send_to(fd, resp, sizeof(resp), &from);
	ck_assert_int_eq(wg_noise_derive_keys(peer, &keys), 0);
	ck_assert(!keys.initiator);
	ck_assert_uint_eq(keys.local_index, 0xf2000002);
	ck_assert_uint_eq(keys.remote_index, get_le32(buf + 4));

	len = recv_tunneled(fd, plain, &keys);
	check_poke(plain, len);
	/* And back: our send key as responder. */
	ping_through(fd, &keys, 0);
	close(fd);
	finish(&s);
}
END_TEST

TCase *noise_interop_tcase(void)
{
	TCase *tc = tcase_create("wireguard-go interop");

	/* Each test starts wireguard-go; every wait inside is bounded. */
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_interop_fz_initiates, 0, 2);
	tcase_add_loop_test(tc, test_interop_wg_initiates, 0, 2);
	return tc;
}
