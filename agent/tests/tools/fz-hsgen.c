// SPDX-License-Identifier: GPL-2.0
/*
 * fz-hsgen: valid WireGuard handshake initiations, computed before the
 * clock starts and then sent as fast as one CPU can, to measure how many
 * handshakes a responder (fz.ko with fzagent, or in-kernel WireGuard)
 * completes per second and what that costs it. Started processes would
 * measure process start-up instead (make bench, part handshakes).
 *
 * The initiators' keys are derived from a seed, so the responder can be
 * given their public keys beforehand (`fz-hsgen keys`). The messages are
 * the agent's own (agent/wg/noise.c, interoperable with WireGuard); a
 * responder under load answers with cookie replies, and the message is
 * sent again with mac2 as an initiator must, so what is measured is the
 * responder's capacity, not its load shedding.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <blake2.h>
#include <sodium.h>

#include "lib/cli.h"
#include "lib/clock.h"
#include "lib/files.h"
#include "lib/keys.h"
#include "lib/sockaddr.h"
#include "lib/values.h"
#include "wg/noise.h"

static const char usage[] =
	"NAME\n"
	"    fz-hsgen - WireGuard handshake initiations as fast as one CPU\n"
	"    can send them, for the benchmark\n"
	"\n"
	"SYNOPSIS\n"
	"    fz-hsgen keys N SEED\n"
	"    fz-hsgen flood --to ADDR:PORT --responder KEY --initiators N\n"
	"                   --seed SEED --messages M\n"
	"                   [--sources FIRST/COUNT] [--rate PER_SECOND]\n"
	"                   [--idle SECONDS]\n"
	"    fz-hsgen verify --responder-private FILE --initiators N\n"
	"                   --seed SEED --messages M\n"
	"\n"
	"DESCRIPTION\n"
	"    keys prints the public keys of initiators 1 to N, one per line\n"
	"    in base64, for the responder's peers.\n"
	"\n"
	"    flood computes M initiations to the responder whose public key\n"
	"    is KEY, the initiators taking turns (each next message of one\n"
	"    initiator has a newer timestamp), then sends them to ADDR:PORT\n"
	"    from COUNT consecutive IPv4 source addresses starting at FIRST\n"
	"    (default 127.0.0.1/1), which must be local (for many, e.g. `ip\n"
	"    route add local 10.80.0.0/20 dev lo`). A cookie reply is\n"
	"    answered by sending its message again with mac2; the cookie then\n"
	"    serves every later message from that source. An initiator's\n"
	"    messages go 30 ms apart at least (a responder drops what comes\n"
	"    within 20 ms of the last), so N should be at least 3% of the\n"
	"    rate to be measured; --rate caps the first sends per second\n"
	"    (default: none). It stops when every\n"
	"    message was answered, or after --idle seconds (default 3)\n"
	"    without a new response, and prints one JSON object:\n"
	"      sent, sent_with_mac2, cookie_replies, responses (completed\n"
	"      handshakes), seconds (first send to last response),\n"
	"      handshakes_per_second, generator_cpu_seconds (this process\n"
	"      while sending), busy_cpu_seconds (all CPUs, /proc/stat, over\n"
	"      the same time), precompute_seconds.\n"
	"\n"
	"    verify computes the same messages and consumes each as the\n"
	"    responder with the private key in FILE would (the agent's\n"
	"    Noise code, mac1 included); it prints how many were valid and\n"
	"    fails unless all were.\n";

#define MAC1_OFFSET (WG_NOISE_INITIATION_LEN - 2 * WG_NOISE_MAC_LEN)
#define MAC2_OFFSET (WG_NOISE_INITIATION_LEN - WG_NOISE_MAC_LEN)

enum msg_state { MSG_UNSENT, MSG_SENT, MSG_SENT_MAC2, MSG_ANSWERED };

struct source {
	struct in_addr addr;
	uint8_t cookie[WG_NOISE_COOKIE_LEN];
	bool have_cookie;
};

struct gen {
	uint32_t n_initiators, n_messages, n_sources;
	struct wg_noise_local *locals; /* the initiators */
	struct wg_noise_peer *responders; /* the responder, as each sees it */
	uint8_t (*msgs)[WG_NOISE_INITIATION_LEN];
	uint8_t *state; /* enum msg_state per message */
	uint64_t *initiator_sent_ns; /* each initiator's latest first send */
	struct source *sources;
	int fd;
	struct sockaddr_in to;
	/* counters */
	uint64_t sent, sent_mac2, cookies, responses;
	uint64_t first_send_ns, last_response_ns;
};

/* --- Messages --- */

static uint64_t fake_unix_ns;

static uint64_t fake_unix(void)
{
	return fake_unix_ns;
}

static uint64_t fake_monotonic_ns;

static uint64_t fake_monotonic(void)
{
	return fake_monotonic_ns;
}

static void initiator_private(uint8_t priv[FZ_KEY_LEN], const char *seed,
			      uint32_t i)
{
	const uint8_t le[4] = { i, i >> 8, i >> 16, i >> 24 };
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, FZ_KEY_LEN);
	crypto_generichash_update(&st, (const uint8_t *)"fz-hsgen", 8);
	crypto_generichash_update(&st, (const uint8_t *)seed, strlen(seed));
	crypto_generichash_update(&st, le, sizeof(le));
	crypto_generichash_final(&st, priv, FZ_KEY_LEN);
	fz_key_clamp(priv);
}

/* Message m: initiator m % N, in its round m / N; sender index m + 1. */
static int precompute(struct gen *g, const char *seed,
		      const uint8_t responder[FZ_KEY_LEN])
{
	const struct wg_noise_clock clock = { fz_clock_boot_ns, fake_unix };
	uint8_t priv[FZ_KEY_LEN];
	uint64_t base;
	int ret = 0;

	g->locals = calloc(g->n_initiators, sizeof(*g->locals));
	g->responders = calloc(g->n_initiators, sizeof(*g->responders));
	g->msgs = calloc(g->n_messages, sizeof(*g->msgs));
	g->state = calloc(g->n_messages, 1);
	g->initiator_sent_ns = calloc(g->n_initiators, sizeof(uint64_t));
	if (!g->locals || !g->responders || !g->msgs || !g->state ||
	    !g->initiator_sent_ns)
		return -ENOMEM;
	for (uint32_t i = 0; i < g->n_initiators && !ret; i++) {
		initiator_private(priv, seed, i + 1);
		ret = wg_noise_local_init(&g->locals[i], priv);
		if (!ret)
			ret = wg_noise_peer_init(&g->locals[i],
						 &g->responders[i], responder,
						 NULL);
	}
	sodium_memzero(priv, sizeof(priv));
	/*
	 * Round r is stamped r steps after now, a step being twice the
	 * labels' granularity (noise.c rounds them down), so that each
	 * initiator's labels strictly increase, and a later run's exceed an
	 * earlier one's as long as runs are seconds apart.
	 */
	base = fz_clock_real_ns();
	wg_noise_set_clock(&clock);
	for (uint32_t m = 0; m < g->n_messages && !ret; m++) {
		uint32_t i = m % g->n_initiators;

		fake_unix_ns = base + (uint64_t)(m / g->n_initiators) * 2 *
					      WG_TAI64N_GRANULARITY_NS;
		ret = wg_noise_create_initiation(
			&g->locals[i], &g->responders[i], m + 1, g->msgs[m]);
	}
	wg_noise_set_clock(NULL);
	return ret;
}

static void gen_free(struct gen *g)
{
	for (uint32_t i = 0; g->locals && i < g->n_initiators; i++)
		wg_noise_local_wipe(&g->locals[i]);
	for (uint32_t i = 0; g->responders && i < g->n_initiators; i++)
		wg_noise_peer_wipe(&g->responders[i]);
	free(g->locals);
	free(g->responders);
	free(g->msgs);
	free(g->state);
	free(g->initiator_sent_ns);
	free(g->sources);
	if (g->fd >= 0)
		close(g->fd);
}

/* --- Sending and answers --- */

static uint32_t get_le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static struct source *source_of(struct gen *g, uint32_t m)
{
	return &g->sources[m % g->n_sources];
}

/* 0 sent, -EAGAIN try later, else a negative errno. */
static int send_message(struct gen *g, uint32_t m)
{
	struct source *src = source_of(g, m);
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
	} control = { 0 };
	struct iovec iov = { g->msgs[m], WG_NOISE_INITIATION_LEN };
	struct msghdr mh = {
		.msg_name = &g->to,
		.msg_namelen = sizeof(g->to),
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	struct in_pktinfo pi = { .ipi_spec_dst = src->addr };

	cm->cmsg_level = IPPROTO_IP;
	cm->cmsg_type = IP_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	if (src->have_cookie)
		blake2s(g->msgs[m] + MAC2_OFFSET, g->msgs[m], src->cookie,
			WG_NOISE_MAC_LEN, MAC2_OFFSET, sizeof(src->cookie));
	if (sendmsg(g->fd, &mh, 0) < 0)
		return errno == EAGAIN || errno == ENOBUFS ? -EAGAIN : -errno;
	if (!g->first_send_ns)
		g->first_send_ns = fz_clock_boot_ns();
	g->sent++;
	if (src->have_cookie)
		g->sent_mac2++;
	return 0;
}

/* The message a response or cookie reply names, if it is ours. */
static bool our_message(const struct gen *g, uint32_t index, uint32_t *m)
{
	if (index == 0 || index > g->n_messages)
		return false;
	*m = index - 1;
	return g->state[*m] != MSG_UNSENT;
}

/* A cookie reply's AAD is the mac1 of the message it answers. */
static void take_cookie(struct gen *g, const uint8_t *reply)
{
	const uint8_t *nonce = reply + 8, *sealed = reply + 32;
	struct source *src;
	uint32_t m;

	if (!our_message(g, get_le32(reply + 4), &m) || g->state[m] != MSG_SENT)
		return;
	src = source_of(g, m);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
		    src->cookie, NULL, NULL, sealed,
		    WG_NOISE_COOKIE_LEN + WG_NOISE_AEAD_TAG_LEN,
		    g->msgs[m] + MAC1_OFFSET, WG_NOISE_MAC_LEN, nonce,
		    g->responders[m % g->n_initiators].cookie_key))
		return;
	src->have_cookie = true;
	g->cookies++;
	if (send_message(g, m) == 0)
		g->state[m] = MSG_SENT_MAC2;
}

static void take_answer(struct gen *g, const uint8_t *buf, ssize_t len)
{
	uint32_t m;

	if (len == WG_NOISE_COOKIE_REPLY_LEN &&
	    get_le32(buf) == WG_NOISE_MSG_COOKIE_REPLY) {
		take_cookie(g, buf);
		return;
	}
	if (len != WG_NOISE_RESPONSE_LEN ||
	    get_le32(buf) != WG_NOISE_MSG_RESPONSE ||
	    !our_message(g, get_le32(buf + 8), &m) ||
	    g->state[m] == MSG_ANSWERED)
		return;
	g->state[m] = MSG_ANSWERED;
	g->responses++;
	g->last_response_ns = fz_clock_boot_ns();
}

/* Reads every answer waiting; the number read. */
static unsigned int drain(struct gen *g)
{
	uint8_t buf[256];
	unsigned int n = 0;
	ssize_t len;

	while ((len = recv(g->fd, buf, sizeof(buf), MSG_DONTWAIT)) >= 0) {
		take_answer(g, buf, len);
		n++;
	}
	return n;
}

/* --- The run --- */

/* CPU time all CPUs spent busy so far (/proc/stat), in seconds. */
static double busy_cpu_seconds(void)
{
	unsigned long long v[8] = { 0 };
	double busy = 0;
	FILE *f = fopen("/proc/stat", "r");

	if (!f)
		return 0;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
		   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 8)
		busy = (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]);
	fclose(f);
	return busy / (double)sysconf(_SC_CLK_TCK);
}

static double own_cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static int open_socket(struct gen *g)
{
	const int one = 1, buf = 8 << 20;
	struct sockaddr_in any = { .sin_family = AF_INET };

	g->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (g->fd < 0)
		return -errno;
	/* As root the buffers may exceed net.core.[rw]mem_max. */
	if (setsockopt(g->fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)))
		setsockopt(g->fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	if (setsockopt(g->fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf)))
		setsockopt(g->fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	setsockopt(g->fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
	if (bind(g->fd, (struct sockaddr *)&any, sizeof(any)))
		return -errno;
	return 0;
}

/*
 * A responder drops an initiator's initiation that comes within 1/50 s
 * of its previous one (WireGuard's flood check), so an initiator's next
 * message waits that long after its last, with a margin for the path.
 */
#define INITIATOR_SPACING_NS \
	(1000000000ULL / WG_NOISE_INITIATIONS_PER_SECOND * 3 / 2)

static bool may_send(const struct gen *g, uint32_t m, uint64_t start,
		     double rate, uint64_t now)
{
	uint64_t last = g->initiator_sent_ns[m % g->n_initiators];

	if (last && now - last < INITIATOR_SPACING_NS)
		return false;
	return rate <= 0 || (double)m <= (double)(now - start) / 1e9 * rate;
}

/* First sends in order (paced by rate, if any), answers as they come. */
static void run(struct gen *g, double rate, double idle_s)
{
	uint64_t start = fz_clock_boot_ns(), last_progress = start, now;
	uint32_t next = 0;

	for (;;) {
		struct pollfd p = { .fd = g->fd, .events = POLLIN };
		bool blocked = false, waiting = false;

		for (int burst = 0; burst < 64 && next < g->n_messages;
		     burst++) {
			now = fz_clock_boot_ns();
			if (!may_send(g, next, start, rate, now)) {
				waiting = true;
				break;
			}
			if (send_message(g, next)) {
				blocked = true;
				break;
			}
			g->initiator_sent_ns[next % g->n_initiators] = now;
			g->state[next++] = MSG_SENT;
		}
		if (drain(g))
			last_progress = fz_clock_boot_ns();
		if (g->responses == g->n_messages)
			return;
		now = fz_clock_boot_ns();
		if (next == g->n_messages &&
		    (double)(now - last_progress) / 1e9 > idle_s)
			return;
		if (next == g->n_messages || blocked || waiting) {
			p.events |= blocked ? POLLOUT : 0;
			poll(&p, 1, waiting && !blocked ? 1 : 100);
		}
	}
}

/* --- Commands --- */

/* A count of at least min (strtoul would take "-1" and " 5"). */
static int parse_u32(const char *s, uint32_t *out, uint32_t min)
{
	uint64_t v;

	if (fz_parse_decimal(s, UINT32_MAX, &v) || v < min)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* A non-negative number of seconds or a rate; atof would take "x" as 0. */
static int parse_seconds(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno || end == s || *end || !(*out >= 0) ? -EINVAL : 0;
}

static int cmd_keys(int argc, char *argv[])
{
	uint8_t priv[FZ_KEY_LEN], pub[FZ_KEY_LEN];
	char b64[FZ_KEY_B64_LEN + 1];
	uint32_t n;

	if (argc != 4 || parse_u32(argv[2], &n, 1)) {
		fprintf(stderr, "usage: fz-hsgen keys N SEED\n");
		return 2;
	}
	for (uint32_t i = 1; i <= n; i++) {
		initiator_private(priv, argv[3], i);
		if (fz_key_public_from_private(pub, priv))
			return 1;
		fz_key_to_base64(b64, pub);
		printf("%s\n", b64);
	}
	sodium_memzero(priv, sizeof(priv));
	return 0;
}

struct flood_args {
	const char *to, *responder, *responder_private, *seed, *sources;
	uint32_t n_initiators, n_messages;
	double rate, idle_s;
};

static int parse_flood(int argc, char *argv[], struct flood_args *a)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "responder", required_argument, NULL, 'r' },
		{ "responder-private", required_argument, NULL, 'p' },
		{ "initiators", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "messages", required_argument, NULL, 'm' },
		{ "sources", required_argument, NULL, 'S' },
		{ "rate", required_argument, NULL, 'R' },
		{ "idle", required_argument, NULL, 'i' },
		{ 0 },
	};
	int c;

	*a = (struct flood_args){ .sources = "127.0.0.1/1", .idle_s = 3 };
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			a->to = optarg;
			break;
		case 'r':
			a->responder = optarg;
			break;
		case 'p':
			a->responder_private = optarg;
			break;
		case 's':
			a->seed = optarg;
			break;
		case 'S':
			a->sources = optarg;
			break;
		case 'R':
			if (parse_seconds(optarg, &a->rate))
				return -EINVAL;
			break;
		case 'i':
			if (parse_seconds(optarg, &a->idle_s))
				return -EINVAL;
			break;
		case 'n':
			if (parse_u32(optarg, &a->n_initiators, 1))
				return -EINVAL;
			break;
		case 'm':
			if (parse_u32(optarg, &a->n_messages, 1))
				return -EINVAL;
			break;
		default:
			return -EINVAL;
		}
	}
	if (optind != argc || !a->seed || !a->n_initiators || !a->n_messages)
		return -EINVAL;
	return 0;
}

static int parse_sources(struct gen *g, const char *spec)
{
	char addr[INET_ADDRSTRLEN];
	const char *slash = strchr(spec, '/');
	struct in_addr first;

	if (!slash || (size_t)(slash - spec) >= sizeof(addr) ||
	    parse_u32(slash + 1, &g->n_sources, 1) || g->n_sources > 65536)
		return -EINVAL;
	memcpy(addr, spec, (size_t)(slash - spec));
	addr[slash - spec] = '\0';
	if (inet_pton(AF_INET, addr, &first) != 1)
		return -EINVAL;
	g->sources = calloc(g->n_sources, sizeof(*g->sources));
	if (!g->sources)
		return -ENOMEM;
	for (uint32_t k = 0; k < g->n_sources; k++)
		g->sources[k].addr.s_addr = htonl(ntohl(first.s_addr) + k);
	return 0;
}

static void print_result(const struct gen *g, double precompute_s, double own_s,
			 double busy_s)
{
	uint64_t lost_first = 0, lost_mac2 = 0;

	for (uint32_t m = 0; m < g->n_messages; m++) {
		lost_first += g->state[m] == MSG_SENT;
		lost_mac2 += g->state[m] == MSG_SENT_MAC2;
	}
	double secs =
		g->last_response_ns > g->first_send_ns ?
			(double)(g->last_response_ns - g->first_send_ns) / 1e9 :
			0;

	printf("{\"messages\":%" PRIu32 ",\"initiators\":%" PRIu32
	       ",\"sources\":%" PRIu32 ",\"sent\":%" PRIu64
	       ",\"sent_with_mac2\":%" PRIu64 ",\"cookie_replies\":%" PRIu64
	       ",\"responses\":%" PRIu64 ",\"unanswered\":%" PRIu64
	       ",\"unanswered_with_mac2\":%" PRIu64 ",\"seconds\":%.4f"
	       ",\"handshakes_per_second\":%.1f"
	       ",\"generator_cpu_seconds\":%.3f,\"busy_cpu_seconds\":%.3f"
	       ",\"precompute_seconds\":%.3f}\n",
	       g->n_messages, g->n_initiators, g->n_sources, g->sent,
	       g->sent_mac2, g->cookies, g->responses, lost_first, lost_mac2,
	       secs, secs > 0 ? (double)g->responses / secs : 0, own_s, busy_s,
	       precompute_s);
}

static int cmd_flood(struct gen *g, const struct flood_args *a)
{
	uint8_t responder[FZ_KEY_LEN];
	struct sockaddr_storage to;
	double t0, own0, busy0;
	const char *why;
	int ret;

	if (!a->to || !a->responder ||
	    fz_key_from_base64(responder, a->responder, strlen(a->responder)) ||
	    fz_sockaddr_parse(a->to, 0, &to, &why) || to.ss_family != AF_INET ||
	    parse_sources(g, a->sources)) {
		fprintf(stderr, "fz-hsgen: flood: bad arguments (--help)\n");
		return 2;
	}
	memcpy(&g->to, &to, sizeof(g->to));
	t0 = (double)fz_clock_boot_ns() / 1e9;
	ret = precompute(g, a->seed, responder);
	if (!ret)
		ret = open_socket(g);
	if (ret) {
		fprintf(stderr, "fz-hsgen: %s\n", strerror(-ret));
		return 1;
	}
	t0 = (double)fz_clock_boot_ns() / 1e9 - t0;
	/* The benchmark starts its legitimate peer once this is said. */
	fprintf(stderr,
		"fz-hsgen: %" PRIu32 " initiations made in %.1f s; sending\n",
		g->n_messages, t0);
	own0 = own_cpu_seconds();
	busy0 = busy_cpu_seconds();
	run(g, a->rate, a->idle_s);
	print_result(g, t0, own_cpu_seconds() - own0,
		     busy_cpu_seconds() - busy0);
	return g->responses ? 0 : 1;
}

/* The responder's view: each initiator a peer, found by its key. */
struct verifier {
	struct wg_noise_local local;
	struct wg_noise_peer *peers;
	uint32_t n;
};

static struct wg_noise_peer *
verifier_lookup(void *ctx, const uint8_t key[WG_NOISE_KEY_LEN])
{
	struct verifier *v = ctx;

	for (uint32_t i = 0; i < v->n; i++)
		if (!memcmp(v->peers[i].remote_static, key, WG_NOISE_KEY_LEN))
			return &v->peers[i];
	return NULL;
}

static int responder_from_file(struct wg_noise_local *local, const char *path)
{
	uint8_t priv[FZ_KEY_LEN];
	char *text = NULL;
	size_t len, used;
	mode_t mode;
	int ret;

	ret = fz_read_file(path, 4096, &text, &len, &mode, NULL);
	if (ret)
		return ret;
	used = strcspn(text, " \t\r\n");
	ret = fz_key_from_base64(priv, text, used);
	fz_wipe_free(text, len);
	if (!ret)
		ret = wg_noise_local_init(local, priv);
	sodium_memzero(priv, sizeof(priv));
	return ret;
}

static int verifier_add_peers(struct verifier *v, const struct gen *g)
{
	int ret = 0;

	v->n = g->n_initiators;
	v->peers = calloc(v->n, sizeof(*v->peers));
	if (!v->peers)
		return -ENOMEM;
	for (uint32_t i = 0; i < v->n && !ret; i++)
		ret = wg_noise_peer_init(&v->local, &v->peers[i],
					 g->locals[i].public_key, NULL);
	return ret;
}

/* The responder's flood check wants 1/50 s between one peer's messages. */
static int cmd_verify(struct gen *g, const struct flood_args *a)
{
	const struct wg_noise_clock clock = { fake_monotonic,
					      fz_clock_real_ns };
	struct verifier v = { 0 };
	struct wg_noise_peer *who;
	uint32_t valid = 0;
	int ret;

	if (!a->responder_private) {
		fprintf(stderr, "fz-hsgen: verify: --responder-private FILE\n");
		return 2;
	}
	ret = responder_from_file(&v.local, a->responder_private);
	if (!ret)
		ret = precompute(g, a->seed, v.local.public_key);
	if (!ret)
		ret = verifier_add_peers(&v, g);
	if (ret) {
		fprintf(stderr, "fz-hsgen: verify: %s\n", strerror(-ret));
		return 1;
	}
	wg_noise_set_clock(&clock);
	for (uint32_t m = 0; m < g->n_messages; m++) {
		fake_monotonic_ns += 1000000000ULL;
		if (wg_noise_mac1_valid(&v.local, g->msgs[m],
					WG_NOISE_INITIATION_LEN) &&
		    !wg_noise_consume_initiation(&v.local, g->msgs[m],
						 WG_NOISE_INITIATION_LEN,
						 verifier_lookup, &v, &who) &&
		    who == &v.peers[m % g->n_initiators])
			valid++;
	}
	wg_noise_set_clock(NULL);
	wg_noise_local_wipe(&v.local);
	free(v.peers);
	printf("%" PRIu32 " of %" PRIu32 " initiations valid\n", valid,
	       g->n_messages);
	return valid == g->n_messages ? 0 : 1;
}

int main(int argc, char *argv[])
{
	struct flood_args a;
	struct gen g = { .fd = -1 };
	bool flood;
	int ret;

	if (fz_cli_wants_help(argc, argv))
		return fz_cli_print_usage(usage);
	if (argc < 2) {
		fprintf(stderr, "usage: fz-hsgen keys|flood|verify ... "
				"(fz-hsgen --help)\n");
		return 2;
	}
	if (fz_keys_init())
		return 1;
	if (!strcmp(argv[1], "keys"))
		return cmd_keys(argc, argv);
	flood = !strcmp(argv[1], "flood");
	if ((!flood && strcmp(argv[1], "verify")) ||
	    parse_flood(argc, argv, &a)) {
		fprintf(stderr, "fz-hsgen: bad arguments (fz-hsgen --help)\n");
		return 2;
	}
	g.n_initiators = a.n_initiators;
	g.n_messages = a.n_messages;
	ret = flood ? cmd_flood(&g, &a) : cmd_verify(&g, &a);
	gen_free(&g);
	return ret;
}
