// SPDX-License-Identifier: GPL-2.0
/*
 * handshake.c with the kernel replaced by a recording double: agents in
 * one process, wired back to back, shake hands both ways and install
 * matching keypairs; retries, giving up, cookies, unknown initiators and
 * taken local indices run on a clock the tests move. The real kernel is
 * exercised by the VM tests; here only the state machine is.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <blake2.h>
#include <sodium.h>

#include "lib/keys.h"
#include "wg/handshake.h"
#include "wg/noise.h"
#include "../suites.h"

#define SEC 1000000000ULL
#define MS 1000000ULL
#define MAX_SENT 64
#define MAX_KPS 16
#define MAX_LOGS 64
#define MAX_TIMERS 4

/* Offsets in messages. */
#define INIT_SENDER 4
#define INIT_MAC1 116
#define INIT_MAC2 132
#define RESP_SENDER 4

struct sent {
	uint8_t key[FZ_KEY_LEN];
	bool has_ep;
	struct sockaddr_storage ep;
	uint8_t msg[FZ_MAX_HANDSHAKE_PACKET];
	size_t len;
	unsigned int seq;
};

struct kp {
	uint8_t key[FZ_KEY_LEN];
	uint8_t slot;
	struct wg_noise_keys keys;
	int ret;
	unsigned int seq;
};

struct timer {
	struct wg_hs_peer *peer;
	bool armed;
	uint64_t deadline;
	uint64_t delay;
};

struct agent {
	const char *name;
	struct wg_hs *hs;
	uint8_t priv[FZ_KEY_LEN], pub[FZ_KEY_LEN];
	struct sockaddr_storage addr; /* where its messages come from */
	struct sent sent[MAX_SENT];
	size_t n_sent, n_delivered;
	struct kp kps[MAX_KPS];
	size_t n_kps;
	int eexist; /* fail this many SET_KEYPAIRs with -EEXIST */
	int send_ret;
	struct sockaddr_storage endpoint_set;
	size_t n_endpoint_sets;
	struct timer timers[MAX_TIMERS];
	char logs[MAX_LOGS][320];
	size_t n_logs;
	bool has_current;
	uint32_t current;
	uint32_t random[8];
	size_t n_random, random_pos;
};

static uint64_t now;
static unsigned int seq;
static struct agent a, b, c;

static uint64_t fake_monotonic(void)
{
	return now;
}

static uint64_t fake_unix(void)
{
	return 1700000000 * SEC + now;
}

static const struct wg_noise_clock fake_clock = {
	.monotonic_ns = fake_monotonic,
	.unix_ns = fake_unix,
};

/* --- The double --- */

static int op_send(void *ctx, const uint8_t key[FZ_KEY_LEN],
		   const struct sockaddr_storage *ep, const uint8_t *msg,
		   size_t len)
{
	struct agent *ag = ctx;
	struct sent *s;

	ck_assert_uint_lt(ag->n_sent, MAX_SENT);
	ck_assert_uint_le(len, FZ_MAX_HANDSHAKE_PACKET);
	s = &ag->sent[ag->n_sent++];
	memcpy(s->key, key, FZ_KEY_LEN);
	s->has_ep = ep != NULL;
	if (ep)
		s->ep = *ep;
	memcpy(s->msg, msg, len);
	s->len = len;
	s->seq = ++seq;
	return ag->send_ret;
}

static int op_set_keypair(void *ctx, const uint8_t key[FZ_KEY_LEN],
			  uint8_t slot, const struct wg_noise_keys *keys)
{
	struct agent *ag = ctx;
	struct kp *k;

	ck_assert_uint_lt(ag->n_kps, MAX_KPS);
	k = &ag->kps[ag->n_kps++];
	memcpy(k->key, key, FZ_KEY_LEN);
	k->slot = slot;
	k->keys = *keys;
	k->seq = ++seq;
	k->ret = ag->eexist-- > 0 ? -EEXIST : 0;
	return k->ret;
}

static int op_set_endpoint(void *ctx, const uint8_t key[FZ_KEY_LEN],
			   const struct sockaddr_storage *ep)
{
	struct agent *ag = ctx;

	(void)key;
	ag->endpoint_set = *ep;
	ag->n_endpoint_sets++;
	return 0;
}

static int op_current_index(void *ctx, const uint8_t key[FZ_KEY_LEN],
			    uint32_t *index)
{
	struct agent *ag = ctx;

	(void)key;
	*index = ag->current;
	return ag->has_current ? 0 : -ENOENT;
}

static struct timer *timer_of(struct agent *ag, struct wg_hs_peer *peer)
{
	for (int i = 0; i < MAX_TIMERS; i++)
		if (ag->timers[i].peer == peer)
			return &ag->timers[i];
	for (int i = 0; i < MAX_TIMERS; i++)
		if (!ag->timers[i].peer) {
			ag->timers[i].peer = peer;
			return &ag->timers[i];
		}
	ck_abort_msg("too many timers");
	return NULL;
}

static void op_timer_arm(void *ctx, struct wg_hs_peer *peer, uint64_t delay)
{
	struct timer *t = timer_of(ctx, peer);

	t->armed = true;
	t->delay = delay;
	t->deadline = now + delay;
}

static void op_timer_stop(void *ctx, struct wg_hs_peer *peer)
{
	timer_of(ctx, peer)->armed = false;
}

static void op_peer_gone(void *ctx, struct wg_hs_peer *peer)
{
	struct timer *t = timer_of(ctx, peer);

	memset(t, 0, sizeof(*t));
}

static uint64_t op_now(void *ctx)
{
	(void)ctx;
	return now;
}

static void op_log(void *ctx, const char *line)
{
	struct agent *ag = ctx;

	if (ag->n_logs < MAX_LOGS)
		snprintf(ag->logs[ag->n_logs++], sizeof(ag->logs[0]), "%s",
			 line);
}

static uint32_t op_random(void *ctx)
{
	struct agent *ag = ctx;

	if (ag->random_pos < ag->n_random)
		return ag->random[ag->random_pos++];
	return randombytes_random();
}

static const struct wg_hs_ops ops = {
	.send = op_send,
	.set_keypair = op_set_keypair,
	.set_endpoint = op_set_endpoint,
	.current_index = op_current_index,
	.timer_arm = op_timer_arm,
	.timer_stop = op_timer_stop,
	.peer_gone = op_peer_gone,
	.now_ns = op_now,
	.log = op_log,
	.random_u32 = op_random,
};

/* --- Helpers --- */

static void set_addr(struct agent *ag, const char *ip, uint16_t port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&ag->addr;

	memset(&ag->addr, 0, sizeof(ag->addr));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	ck_assert_int_eq(inet_pton(AF_INET, ip, &sin->sin_addr), 1);
}

static void agent_init(struct agent *ag, const char *name, const char *ip)
{
	struct wg_hs_timers timers;

	memset(ag, 0, sizeof(*ag));
	ag->name = name;
	wg_hs_default_timers(&timers, 1);
	ag->hs = wg_hs_new(&ops, ag, &timers);
	ck_assert_ptr_nonnull(ag->hs);
	fz_key_generate_private(ag->priv);
	ck_assert_int_eq(fz_key_public_from_private(ag->pub, ag->priv), 0);
	ck_assert_int_eq(wg_hs_set_private_key(ag->hs, ag->priv), 0);
	set_addr(ag, ip, 51820);
}

static struct wg_hs_peer *add_peer(struct agent *ag, const struct agent *other,
				   const uint8_t *psk)
{
	struct wg_hs_peer *peer = NULL;

	ck_assert_int_eq(wg_hs_add_peer(ag->hs, other->pub, psk, &peer), 0);
	ck_assert_ptr_nonnull(peer);
	return peer;
}

static struct wg_hs_peer *peer_of(struct agent *ag, const struct agent *other)
{
	struct wg_hs_peer *peer = wg_hs_find(ag->hs, other->pub);

	ck_assert_ptr_nonnull(peer);
	return peer;
}

static void setup(void)
{
	ck_assert_int_eq(fz_keys_init(), 0);
	now = 1000 * SEC;
	seq = 0;
	wg_noise_set_clock(&fake_clock);
	agent_init(&a, "a", "192.0.2.1");
	agent_init(&b, "b", "192.0.2.2");
	agent_init(&c, "c", "192.0.2.3");
	add_peer(&a, &b, NULL);
	add_peer(&b, &a, NULL);
}

static void teardown(void)
{
	wg_hs_free(a.hs);
	wg_hs_free(b.hs);
	wg_hs_free(c.hs);
	wg_noise_set_clock(NULL);
}

/* Hands every message from sent but not yet delivered to to. */
static void deliver(struct agent *from, struct agent *to)
{
	while (from->n_delivered < from->n_sent) {
		struct sent *s = &from->sent[from->n_delivered++];

		/* Apart by more than the responder's flood limit, 20 ms. */
		now += 25 * MS;
		wg_hs_receive(to->hs, s->msg, s->len, &from->addr);
	}
}

static bool logged(const struct agent *ag, const char *needle)
{
	for (size_t i = 0; i < ag->n_logs; i++)
		if (strstr(ag->logs[i], needle))
			return true;
	return false;
}

static size_t count_logs(const struct agent *ag, const char *needle)
{
	size_t n = 0;

	for (size_t i = 0; i < ag->n_logs; i++)
		n += strstr(ag->logs[i], needle) != NULL;
	return n;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static struct timer *timer_for(struct agent *ag, const struct agent *other)
{
	return timer_of(ag, peer_of(ag, other));
}

/* Fires ag's retry timer for other at its deadline. */
static void fire(struct agent *ag, const struct agent *other)
{
	struct timer *t = timer_for(ag, other);

	ck_assert_msg(t->armed, "%s: timer not armed", ag->name);
	now = t->deadline;
	t->armed = false;
	wg_hs_timer_expired(ag->hs, t->peer);
}

/* ini's CURRENT keypair and resp's NEXT keypair are two ends of a pipe. */
static void check_matching(const struct kp *ini, const struct kp *resp,
			   const struct agent *ini_ag,
			   const struct agent *resp_ag)
{
	ck_assert_int_eq(ini->slot, FZ_KEYPAIR_CURRENT);
	ck_assert(ini->keys.initiator);
	ck_assert_int_eq(resp->slot, FZ_KEYPAIR_NEXT);
	ck_assert(!resp->keys.initiator);
	ck_assert_mem_eq(ini->key, resp_ag->pub, FZ_KEY_LEN);
	ck_assert_mem_eq(resp->key, ini_ag->pub, FZ_KEY_LEN);
	ck_assert_mem_eq(ini->keys.send_key, resp->keys.recv_key, FZ_KEY_LEN);
	ck_assert_mem_eq(ini->keys.recv_key, resp->keys.send_key, FZ_KEY_LEN);
	ck_assert(memcmp(ini->keys.send_key, ini->keys.recv_key, FZ_KEY_LEN));
	ck_assert_uint_eq(ini->keys.local_index, resp->keys.remote_index);
	ck_assert_uint_eq(ini->keys.remote_index, resp->keys.local_index);
	ck_assert_uint_ne(ini->keys.local_index, 0);
	ck_assert_uint_ne(resp->keys.local_index, 0);
}

/* One full handshake from ini to resp; returns with both keypairs set. */
static void shake(struct agent *ini, struct agent *resp)
{
	size_t ini_kps = ini->n_kps, resp_kps = resp->n_kps;
	size_t resp_sent = resp->n_sent;

	wg_hs_initiate(ini->hs, peer_of(ini, resp), WG_HS_REASON_QUEUED_DATA);
	deliver(ini, resp);
	ck_assert_uint_eq(resp->n_kps, resp_kps + 1);
	ck_assert_uint_eq(resp->n_sent, resp_sent + 1);
	deliver(resp, ini);
	ck_assert_uint_eq(ini->n_kps, ini_kps + 1);
	check_matching(&ini->kps[ini->n_kps - 1], &resp->kps[resp->n_kps - 1],
		       ini, resp);
}

/* --- Tests --- */

START_TEST(test_both_ways)
{
	const struct sent *init, *resp;

	wg_hs_initiate(a.hs, peer_of(&a, &b), WG_HS_REASON_QUEUED_DATA);
	ck_assert_uint_eq(a.n_sent, 1);
	init = &a.sent[0];
	ck_assert_uint_eq(init->len, WG_NOISE_INITIATION_LEN);
	ck_assert_int_eq(init->msg[0], WG_NOISE_MSG_INITIATION);
	ck_assert(!init->has_ep); /* to the peer's endpoint in the kernel */
	ck_assert_mem_eq(init->key, b.pub, FZ_KEY_LEN);
	ck_assert(timer_for(&a, &b)->armed);
	ck_assert(logged(&a, "handshake initiated (data queued)"));

	deliver(&a, &b);
	ck_assert_uint_eq(b.n_kps, 1);
	ck_assert_uint_eq(b.n_sent, 1);
	resp = &b.sent[0];
	ck_assert_uint_eq(resp->len, WG_NOISE_RESPONSE_LEN);
	/* The keypair is in the kernel before the response leaves. */
	ck_assert_uint_lt(b.kps[0].seq, resp->seq);
	/* The response goes where the initiation came from. */
	ck_assert(resp->has_ep);
	ck_assert_mem_eq(&resp->ep, &a.addr, sizeof(struct sockaddr_in));
	ck_assert_uint_eq(le32(resp->msg + RESP_SENDER),
			  b.kps[0].keys.local_index);
	ck_assert(logged(&b, "handshake response sent to 192.0.2.1:51820"));
	ck_assert(logged(&b, "handshake completed (responder)"));

	deliver(&b, &a);
	ck_assert_uint_eq(a.n_kps, 1);
	check_matching(&a.kps[0], &b.kps[0], &a, &b);
	ck_assert_uint_eq(a.kps[0].keys.local_index,
			  le32(init->msg + INIT_SENDER));
	ck_assert(!timer_for(&a, &b)->armed);
	ck_assert(!wg_hs_peer_trying(peer_of(&a, &b)));
	ck_assert(logged(&a, "handshake completed (initiator)"));
	/* The initiator learns the endpoint from the response. */
	ck_assert_uint_eq(a.n_endpoint_sets, 1);
	ck_assert_mem_eq(&a.endpoint_set, &b.addr, sizeof(struct sockaddr_in));

	/* And the other way round, later. */
	now += 2 * SEC;
	shake(&b, &a);
	ck_assert(logged(&b, "handshake completed (initiator)"));
	ck_assert(logged(&a, "handshake completed (responder)"));
}
END_TEST

START_TEST(test_psk)
{
	uint8_t psk[FZ_KEY_LEN], other[FZ_KEY_LEN];

	randombytes_buf(psk, sizeof(psk));
	randombytes_buf(other, sizeof(other));
	wg_hs_set_psk(peer_of(&a, &b), psk);
	wg_hs_set_psk(peer_of(&b, &a), psk);
	shake(&a, &b);

	/* A different preshared key: the responder cannot tell, the
	 * initiator can, and installs nothing. */
	now += 2 * SEC;
	wg_hs_set_psk(peer_of(&b, &a), other);
	wg_hs_initiate(a.hs, peer_of(&a, &b), WG_HS_REASON_QUEUED_DATA);
	deliver(&a, &b);
	deliver(&b, &a);
	ck_assert_uint_eq(a.n_kps, 1);
	ck_assert(logged(&a, "(authentication failed)"));
	ck_assert(timer_for(&a, &b)->armed);
}
END_TEST

START_TEST(test_retry_and_give_up)
{
	uint64_t start = now, last_send = now;
	uint32_t indices[32];
	size_t n;

	wg_hs_initiate(a.hs, peer_of(&a, &b), WG_HS_REASON_QUEUED_DATA);
	indices[0] = le32(a.sent[0].msg + INIT_SENDER);
	while (timer_for(&a, &b)->armed) {
		struct timer *t = timer_for(&a, &b);

		/* REKEY_TIMEOUT plus at most 333 ms of jitter. */
		ck_assert_uint_ge(t->delay, 5 * SEC);
		ck_assert_uint_le(t->delay, 5 * SEC + 333 * MS);
		n = a.n_sent;
		fire(&a, &b);
		if (a.n_sent > n) {
			ck_assert_uint_lt(n, 32);
			indices[n] = le32(a.sent[n].msg + INIT_SENDER);
			last_send = now;
		}
	}
	/* Every 5 to 5.33 s for 90 s: 17 or 18 attempts, all different. */
	n = a.n_sent;
	ck_assert_uint_ge(n, 17);
	ck_assert_uint_le(n, 18);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			ck_assert_uint_ne(indices[i], indices[j]);
	ck_assert_uint_lt(last_send - start, 90 * SEC);
	ck_assert_uint_ge(now - start, 90 * SEC);
	ck_assert_uint_eq(count_logs(&a, "retrying handshake"), n - 1);
	ck_assert(logged(&a, "giving up after 9"));
	ck_assert(!wg_hs_peer_trying(peer_of(&a, &b)));

	/* Nothing more until the kernel asks again. */
	now += 60 * SEC;
	ck_assert_uint_eq(a.n_sent, n);
	wg_hs_initiate(a.hs, peer_of(&a, &b), WG_HS_REASON_REKEY_TIME);
	ck_assert_uint_eq(a.n_sent, n + 1);
	ck_assert(logged(&a, "handshake initiated (keys too old)"));
	ck_assert(timer_for(&a, &b)->armed);
}
END_TEST

START_TEST(test_divided_timers)
{
	struct wg_hs_timers t;

	wg_hs_default_timers(&t, 10);
	ck_assert_uint_eq(t.rekey_timeout_ns, 500 * MS);
	ck_assert_uint_eq(t.rekey_attempt_ns, 9 * SEC);
	ck_assert_uint_eq(t.jitter_max_ns, 33300 * 1000ULL);
	wg_hs_default_timers(&t, 0);
	ck_assert_uint_eq(t.rekey_timeout_ns, 5 * SEC);
}
END_TEST

START_TEST(test_one_initiation_in_flight)
{
	struct wg_hs_peer *peer = peer_of(&a, &b);

	wg_hs_initiate(a.hs, peer, WG_HS_REASON_QUEUED_DATA);
	now += 1 * SEC;
	wg_hs_initiate(a.hs, peer, WG_HS_REASON_PEER_QUIET);
	now += 3 * SEC;
	wg_hs_initiate(a.hs, peer, WG_HS_REASON_QUEUED_DATA);
	ck_assert_uint_eq(a.n_sent, 1);
	/* Older than REKEY_TIMEOUT: a new one, in the same attempt. */
	now += 1 * SEC;
	wg_hs_initiate(a.hs, peer, WG_HS_REASON_QUEUED_DATA);
	ck_assert_uint_eq(a.n_sent, 2);
	ck_assert(logged(&a, "retrying handshake (attempt 2)"));
	/* The answer to the latest one completes the attempt. */
	deliver(&a, &b);
	deliver(&b, &a);
	ck_assert_uint_eq(a.n_kps, 1);
	ck_assert_uint_eq(a.kps[0].keys.local_index,
			  le32(a.sent[1].msg + INIT_SENDER));
}
END_TEST

/* A cookie reply as a responder under load makes it (kmod/cookie.c). */
static void make_cookie_reply(uint8_t out[WG_NOISE_COOKIE_REPLY_LEN],
			      const uint8_t *msg, const uint8_t *responder_pub,
			      const uint8_t cookie[16])
{
	uint8_t key[32];
	blake2s_state st;

	blake2s_init(&st, 32);
	blake2s_update(&st, (const uint8_t *)"cookie--", 8);
	blake2s_update(&st, responder_pub, 32);
	blake2s_final(&st, key, 32);
	memset(out, 0, WG_NOISE_COOKIE_REPLY_LEN);
	out[0] = WG_NOISE_MSG_COOKIE_REPLY;
	memcpy(out + 4, msg + INIT_SENDER, 4);
	randombytes_buf(out + 8, 24);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + 32, NULL, cookie, 16,
						   msg + INIT_MAC1, 16, NULL,
						   out + 8, key);
}

START_TEST(test_cookie_gives_mac2)
{
	static const uint8_t zero[16];
	uint8_t cookie[16], reply[WG_NOISE_COOKIE_REPLY_LEN], want[16];
	const uint8_t *retry;

	wg_hs_initiate(a.hs, peer_of(&a, &b), WG_HS_REASON_QUEUED_DATA);
	ck_assert_mem_eq(a.sent[0].msg + INIT_MAC2, zero, 16);

	randombytes_buf(cookie, sizeof(cookie));
	make_cookie_reply(reply, a.sent[0].msg, b.pub, cookie);
	now += 10 * MS;
	wg_hs_receive(a.hs, reply, sizeof(reply), &b.addr);
	ck_assert(logged(&a, "cookie received"));
	ck_assert_uint_eq(a.n_sent, 1); /* the retry carries it, later */

	fire(&a, &b);
	ck_assert_uint_eq(a.n_sent, 2);
	retry = a.sent[1].msg;
	blake2s(want, retry, cookie, 16, INIT_MAC2, 16);
	ck_assert_mem_eq(retry + INIT_MAC2, want, 16);

	/* The same reply again is refused: it answered the old message. */
	wg_hs_receive(a.hs, reply, sizeof(reply), &b.addr);
	ck_assert_uint_eq(count_logs(&a, "cookie received"), 1);
}
END_TEST

START_TEST(test_unknown_initiator)
{
	add_peer(&c, &b, NULL); /* c knows b; b does not know c */
	wg_hs_initiate(c.hs, peer_of(&c, &b), WG_HS_REASON_QUEUED_DATA);
	deliver(&c, &b);
	ck_assert_uint_eq(b.n_kps, 0);
	ck_assert_uint_eq(b.n_sent, 0);
	ck_assert(logged(&b, "invalid handshake from 192.0.2.3:51820 "
			     "(unknown peer)"));

	/* Floods are logged once a second, with a count. */
	now += 100 * MS;
	c.n_delivered = 0;
	deliver(&c, &b);
	ck_assert_uint_eq(count_logs(&b, "invalid handshake"), 1);
	now += 1 * SEC;
	c.n_delivered = 0;
	deliver(&c, &b);
	ck_assert_uint_eq(count_logs(&b, "invalid handshake"), 2);
	ck_assert(logged(&b, "1 more not logged"));
	ck_assert_uint_eq(b.n_sent, 0);
}
END_TEST

START_TEST(test_garbage_and_strays)
{
	uint8_t junk[WG_NOISE_RESPONSE_LEN] = { WG_NOISE_MSG_RESPONSE };

	/* A response nobody waits for, and a message of no known type. */
	wg_hs_receive(a.hs, junk, sizeof(junk), &b.addr);
	ck_assert(logged(&a, "(unknown receiver index)"));
	now += 2 * SEC;
	junk[0] = 9;
	wg_hs_receive(a.hs, junk, sizeof(junk), &b.addr);
	ck_assert(logged(&a, "(malformed)"));
	now += 2 * SEC;
	wg_hs_receive(a.hs, junk, 2, NULL);
	ck_assert_uint_eq(count_logs(&a, "invalid handshake"), 3);
	ck_assert_uint_eq(a.n_kps, 0);
	ck_assert_uint_eq(a.n_sent, 0);
}
END_TEST

START_TEST(test_replayed_initiation)
{
	wg_hs_initiate(a.hs, peer_of(&a, &b), WG_HS_REASON_QUEUED_DATA);
	deliver(&a, &b);
	ck_assert_uint_eq(b.n_kps, 1);
	now += 1 * SEC;
	a.n_delivered = 0; /* the network delivers it again */
	deliver(&a, &b);
	ck_assert_uint_eq(b.n_kps, 1);
	ck_assert(logged(&b, "(replayed initiation)"));
}
END_TEST

START_TEST(test_responder_index_taken)
{
	b.eexist = 1;
	wg_hs_initiate(a.hs, peer_of(&a, &b), WG_HS_REASON_QUEUED_DATA);
	deliver(&a, &b);
	ck_assert_uint_eq(b.n_kps, 2);
	ck_assert_int_eq(b.kps[0].ret, -EEXIST);
	ck_assert_int_eq(b.kps[1].ret, 0);
	ck_assert_uint_ne(b.kps[0].keys.local_index, b.kps[1].keys.local_index);
	ck_assert(logged(&b, "in use; retrying"));
	/* The response names the index that was installed. */
	ck_assert_uint_eq(b.n_sent, 1);
	ck_assert_uint_eq(le32(b.sent[0].msg + RESP_SENDER),
			  b.kps[1].keys.local_index);
	deliver(&b, &a);
	ck_assert_uint_eq(a.n_kps, 1);
	check_matching(&a.kps[0], &b.kps[1], &a, &b);
}
END_TEST

START_TEST(test_initiator_index_taken)
{
	a.eexist = 1;
	wg_hs_initiate(a.hs, peer_of(&a, &b), WG_HS_REASON_QUEUED_DATA);
	deliver(&a, &b);
	deliver(&b, &a);
	ck_assert_uint_eq(a.n_kps, 1);
	ck_assert_int_eq(a.kps[0].ret, -EEXIST);
	ck_assert(logged(&a, "in use; handshaking again"));
	ck_assert(wg_hs_peer_trying(peer_of(&a, &b)));
	/* The retry uses a new index and succeeds. */
	fire(&a, &b);
	ck_assert_uint_eq(a.n_sent, 2);
	ck_assert_uint_ne(le32(a.sent[1].msg + INIT_SENDER),
			  le32(a.sent[0].msg + INIT_SENDER));
	deliver(&a, &b);
	deliver(&b, &a);
	ck_assert_uint_eq(a.n_kps, 2);
	ck_assert_int_eq(a.kps[1].ret, 0);
	check_matching(&a.kps[1], &b.kps[1], &a, &b);
	ck_assert(!wg_hs_peer_trying(peer_of(&a, &b)));
}
END_TEST

START_TEST(test_index_avoids_used)
{
	uint32_t reserved = 0x1111, fresh = 0x3333, pending;

	/* The kernel holds 0x1111; 0 is never used. */
	ck_assert_int_eq(wg_hs_reserve_indices(a.hs, &reserved, 1), 0);
	a.random[0] = 0;
	a.random[1] = reserved;
	a.random[2] = 0x2222;
	a.n_random = 3;
	wg_hs_initiate(a.hs, peer_of(&a, &b), WG_HS_REASON_QUEUED_DATA);
	pending = le32(a.sent[0].msg + INIT_SENDER);
	ck_assert_uint_eq(pending, 0x2222);

	/* A second peer's initiation must not reuse the pending one. */
	add_peer(&a, &c, NULL);
	a.random[3] = pending;
	a.random[4] = reserved;
	a.random[5] = fresh;
	a.n_random = 6;
	wg_hs_initiate(a.hs, peer_of(&a, &c), WG_HS_REASON_QUEUED_DATA);
	ck_assert_uint_eq(le32(a.sent[1].msg + INIT_SENDER), fresh);
}
END_TEST

/*
 * Both sides initiate at once: each answers the other, which wipes its
 * own initiation, so both responses are refused. The side whose answer
 * the kernel then confirmed stops retrying; the other tries again.
 */
START_TEST(test_simultaneous_initiations)
{
	wg_hs_initiate(a.hs, peer_of(&a, &b), WG_HS_REASON_QUEUED_DATA);
	wg_hs_initiate(b.hs, peer_of(&b, &a), WG_HS_REASON_QUEUED_DATA);
	deliver(&a, &b);
	deliver(&b, &a);
	ck_assert_uint_eq(a.n_kps, 1);
	ck_assert_uint_eq(b.n_kps, 1);
	deliver(&a, &b);
	deliver(&b, &a);
	ck_assert_uint_eq(a.n_kps, 1);
	ck_assert_uint_eq(b.n_kps, 1);

	/* b's answer was confirmed by a's data; a's was not. */
	b.has_current = true;
	b.current = b.kps[0].keys.local_index;
	fire(&b, &a);
	ck_assert_uint_eq(b.n_sent, 2); /* no new initiation */
	ck_assert(!wg_hs_peer_trying(peer_of(&b, &a)));
	fire(&a, &b);
	ck_assert_uint_eq(a.n_sent, 3);
	deliver(&a, &b);
	deliver(&b, &a);
	ck_assert_uint_eq(a.n_kps, 2);
	check_matching(&a.kps[1], &b.kps[1], &a, &b);
}
END_TEST

START_TEST(test_no_endpoint)
{
	a.send_ret = -EDESTADDRREQ;
	wg_hs_initiate(a.hs, peer_of(&a, &b), WG_HS_REASON_QUEUED_DATA);
	ck_assert(logged(&a, "no endpoint known"));
	ck_assert(!timer_for(&a, &b)->armed);
	ck_assert(!wg_hs_peer_trying(peer_of(&a, &b)));
	now += 6 * SEC;
	wg_hs_initiate(a.hs, peer_of(&a, &b), WG_HS_REASON_QUEUED_DATA);
	ck_assert_uint_eq(count_logs(&a, "no endpoint known"), 1);
	/* Once the kernel has one, handshakes go out again. */
	a.send_ret = 0;
	now += 6 * SEC;
	wg_hs_initiate(a.hs, peer_of(&a, &b), WG_HS_REASON_QUEUED_DATA);
	ck_assert(timer_for(&a, &b)->armed);
}
END_TEST

START_TEST(test_new_identity)
{
	uint8_t priv[FZ_KEY_LEN];

	/* Our own key as a peer's: refused, nothing changes. */
	ck_assert_int_eq(wg_hs_add_peer(a.hs, a.pub, NULL, NULL), -EINVAL);
	ck_assert_int_eq(wg_hs_set_private_key(a.hs, b.priv), -EEXIST);
	ck_assert_mem_eq(wg_hs_public_key(a.hs), a.pub, FZ_KEY_LEN);

	/* A handshake in flight is dropped; b learns the new key. */
	wg_hs_initiate(a.hs, peer_of(&a, &b), WG_HS_REASON_QUEUED_DATA);
	fz_key_generate_private(priv);
	ck_assert_int_eq(wg_hs_set_private_key(a.hs, priv), 0);
	deliver(&a, &b);
	wg_hs_remove_peer(b.hs, a.pub);
	memcpy(a.priv, priv, FZ_KEY_LEN);
	ck_assert_int_eq(fz_key_public_from_private(a.pub, a.priv), 0);
	ck_assert_mem_eq(wg_hs_public_key(a.hs), a.pub, FZ_KEY_LEN);
	add_peer(&b, &a, NULL);
	now += 1 * SEC;
	shake(&a, &b);
	now += 1 * SEC;
	shake(&b, &a);
}
END_TEST

START_TEST(test_remove_peer)
{
	wg_hs_initiate(a.hs, peer_of(&a, &b), WG_HS_REASON_QUEUED_DATA);
	ck_assert_uint_eq(wg_hs_n_peers(a.hs), 1);
	wg_hs_remove_peer(a.hs, b.pub);
	ck_assert_uint_eq(wg_hs_n_peers(a.hs), 0);
	ck_assert_ptr_null(wg_hs_find(a.hs, b.pub));
	/* Its answer now matches nothing. */
	deliver(&a, &b);
	deliver(&b, &a);
	ck_assert_uint_eq(a.n_kps, 0);
	ck_assert(logged(&a, "(unknown receiver index)"));
}
END_TEST

/* The peer table grows, finds and forgets peers by key in any order. */
START_TEST(test_many_peers)
{
	enum { N = 1000 };
	static uint8_t keys[N][FZ_KEY_LEN];
	struct wg_hs_peer *peer;

	for (size_t i = 0; i < N; i++) {
		randombytes_buf(keys[i], FZ_KEY_LEN);
		ck_assert_int_eq(wg_hs_add_peer(a.hs, keys[i], NULL, &peer), 0);
		ck_assert_mem_eq(wg_hs_peer_key(peer), keys[i], FZ_KEY_LEN);
	}
	ck_assert_uint_eq(wg_hs_n_peers(a.hs), N + 1);
	/* Adding a known key again returns the same peer, adds none. */
	peer = wg_hs_find(a.hs, keys[7]);
	ck_assert_int_eq(wg_hs_add_peer(a.hs, keys[7], NULL, NULL), 0);
	ck_assert_uint_eq(wg_hs_n_peers(a.hs), N + 1);
	ck_assert_ptr_eq(wg_hs_find(a.hs, keys[7]), peer);
	/* Every third, from the middle out, so slots move around. */
	for (size_t k = 0; k < N; k++) {
		size_t i = (N / 2 + k * 7) % N;

		if (i % 3 == 0)
			wg_hs_remove_peer(a.hs, keys[i]);
	}
	for (size_t i = 0; i < N; i++) {
		peer = wg_hs_find(a.hs, keys[i]);
		if (i % 3 == 0) {
			ck_assert_ptr_null(peer);
			continue;
		}
		ck_assert_ptr_nonnull(peer);
		ck_assert_mem_eq(wg_hs_peer_key(peer), keys[i], FZ_KEY_LEN);
	}
	ck_assert_uint_eq(wg_hs_n_peers(a.hs), N + 1 - (N + 2) / 3);
	for (size_t i = 0; i < wg_hs_n_peers(a.hs); i++) {
		peer = wg_hs_peer_at(a.hs, i);
		ck_assert_ptr_eq(wg_hs_find(a.hs, wg_hs_peer_key(peer)), peer);
	}
	/* b, added before all of them, still handshakes. */
	shake(&a, &b);
}
END_TEST

Suite *handshake_suite(void)
{
	Suite *s = suite_create("handshake");
	TCase *tc = tcase_create("handshake");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_both_ways);
	tcase_add_test(tc, test_psk);
	tcase_add_test(tc, test_retry_and_give_up);
	tcase_add_test(tc, test_divided_timers);
	tcase_add_test(tc, test_one_initiation_in_flight);
	tcase_add_test(tc, test_cookie_gives_mac2);
	tcase_add_test(tc, test_unknown_initiator);
	tcase_add_test(tc, test_garbage_and_strays);
	tcase_add_test(tc, test_replayed_initiation);
	tcase_add_test(tc, test_responder_index_taken);
	tcase_add_test(tc, test_initiator_index_taken);
	tcase_add_test(tc, test_index_avoids_used);
	tcase_add_test(tc, test_simultaneous_initiations);
	tcase_add_test(tc, test_no_endpoint);
	tcase_add_test(tc, test_new_identity);
	tcase_add_test(tc, test_remove_peer);
	tcase_add_test(tc, test_many_peers);
	suite_add_tcase(s, tc);
	return s;
}
