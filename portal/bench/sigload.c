// SPDX-License-Identifier: GPL-2.0
/*
 * sigload: load for fzportal's signalling, from one process on one libuv
 * loop with libwebsockets clients over TLS. It connects M gateways, then
 * N clients, joins them all and keeps their heartbeats going; gateways
 * ack every create_authorization at once. Then:
 *
 *   rest   T seconds of heartbeats only: the portal's RSS and CPU time
 *          (/proc/PID/stat, /proc/PID/status) per connected client;
 *   rate   S seconds of request_authorization at R per second in all,
 *          open loop (sent on schedule, whatever the answers do);
 *   flat   S seconds flat out: W requests outstanding at all times.
 *
 * Latency is from the moment a request is written to the socket to the
 * moment its authorization_created (or _creation_failed) is read. A
 * table goes to stdout, then one JSON line (also to --json FILE).
 *
 * It obeys the portal's per-socket budget (web/web.h) rather than
 * measuring its refusals: a client has at most one request out and
 * sends at most --client-rate a second; a gateway's acks and heartbeats
 * share a token bucket like the portal's, so with the budget of
 * WEB_RATE_PER_S messages a second, M gateways ack at most about
 * M x WEB_RATE_PER_S authorizations a second. An ack that waits for the
 * bucket is counted (gw_waits), so a result bound by that is visible.
 *
 *   sigload --port P --ca CERT --data FILE [--pid PID] [--clients N]
 *           [--gateways M] [--rest T] [--rate R] [--seconds S]
 *           [--window W] [--json FILE]
 *
 * FILE has one "gateway TOKEN", "client TOKEN" or "resource ID" a line;
 * tokens are reused round robin when there are fewer than N or M.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <json-c/json.h>
#include <libwebsockets.h>
#include <sodium.h>
#include <uv.h>

#include "web/web.h"

#define TICK_MS 2 /* request pacing */
#define SLOW_TICK_MS 100 /* connects, heartbeats, phases */
#define REQ_TIMEOUT_MS 10000 /* an answer later than this is lost */
#define DRAIN_MS 6000 /* after a storm, for the last answers */
#define MSG_MAX 1024 /* what we send */
#define ACK_LEN 37 /* a UUID and its NUL */

enum phase { PH_GATEWAYS, PH_CLIENTS, PH_REST, PH_RATE, PH_FLAT, PH_DONE };

struct gw_out {
	char (*acks)[ACK_LEN]; /* a ring of refs to ack */
	size_t head, n, cap;
	double tokens; /* the bucket, in messages */
	uint64_t last_ms;
};

struct conn {
	struct lws *wsi;
	const char *token;
	struct gw_out *gw; /* gateways only */
	char *rx; /* a fragmented message, until its last fragment */
	size_t rx_len;
	uint64_t req_ns; /* when the outstanding request was written */
	uint64_t last_req_ms; /* when the one before was issued */
	uint64_t next_hb_ms;
	uint32_t idx, seq, res;
	bool started, joined, dead, want_join, want_hb, want_req, busy;
};

struct stats {
	uint64_t issued, sent, ok, failed[3], errors, timeouts, skipped;
	uint64_t gw_waits;
	uint64_t lag_ms; /* sigload's own worst stall: its numbers' floor */
	double *lat; /* ms, of every authorization_created */
	size_t n_lat, cap;
	uint64_t t0_ms, t1_ms; /* the storm's start and its last answer */
	double cpu0, cpu1; /* the portal's CPU seconds over it */
};

struct opts {
	int port, clients, gateways, window;
	double rest_s, rate, seconds, client_rate, gw_rate, heartbeat_s;
	const char *ca, *data, *json;
	int pid, connect_window;
};

static struct {
	struct opts o;
	uv_loop_t *loop;
	struct lws_context *ctx;
	uv_timer_t tick, slow;
	struct conn *conns; /* gateways first, then clients */
	size_t n_conns;
	char **gw_tokens, **cl_tokens, **resources;
	size_t n_gw_tokens, n_cl_tokens, n_resources;
	enum phase phase;
	size_t next_open, opening, joined, dead, cursor, next_res;
	size_t outstanding;
	uint64_t phase_ms, connect_start_ms, connect_ms;
	long rss_base_kb, rss_joined_kb, rss_rest_kb;
	double cpu_rest0, cpu_rest1, self_cpu_rest;
	struct stats rate, flat, *cur;
	char fail_msg[160];
} L;

static uint64_t now_ms(void)
{
	return uv_hrtime() / 1000000;
}

/* ---- the portal's process, from /proc */

static double proc_cpu_s(int pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut, st;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* The name may hold spaces and parentheses: fields follow the last. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2,
			 "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
			 "%lu %lu",
			 &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static long proc_rss_kb(int pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static double self_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* ---- sending */

static int write_text(struct conn *c, const char *text, size_t len)
{
	unsigned char buf[LWS_PRE + MSG_MAX];

	if (len > MSG_MAX)
		return -1;
	memcpy(buf + LWS_PRE, text, len);
	if (lws_write(c->wsi, buf + LWS_PRE, len, LWS_WRITE_TEXT) < (int)len)
		return -1;
	return 0;
}

static int send_join(struct conn *c)
{
	unsigned char key[32];
	char b64[64], msg[MSG_MAX];
	int n;

	randombytes_buf(key, sizeof(key));
	sodium_bin2base64(b64, sizeof(b64), key, sizeof(key),
			  sodium_base64_VARIANT_ORIGINAL);
	if (c->gw)
		n = snprintf(
			msg, sizeof(msg),
			"{\"topic\":\"gateway\",\"event\":\"phx_join\","
			"\"payload\":{\"public_key\":\"%s\",\"listen_port\""
			":51820,\"endpoints\":[\"127.0.0.1:51820\"],"
			"\"name\":\"load-gw-%u\",\"version\":\"0.1\"},"
			"\"ref\":\"j\"}",
			b64, c->idx);
	else
		n = snprintf(msg, sizeof(msg),
			     "{\"topic\":\"client\",\"event\":\"phx_join\","
			     "\"payload\":{\"public_key\":\"%s\",\"name\":"
			     "\"load-%u\",\"version\":\"0.1\"},\"ref\":\"j\"}",
			     b64, c->idx);
	return write_text(c, msg, (size_t)n);
}

static int send_heartbeat(struct conn *c)
{
	static const char hb[] = "{\"topic\":\"phoenix\",\"event\":"
				 "\"heartbeat\",\"payload\":{},\"ref\":\"h\"}";

	return write_text(c, hb, sizeof(hb) - 1);
}

static int send_request(struct conn *c)
{
	char msg[MSG_MAX];
	int n;

	n = snprintf(
		msg, sizeof(msg),
		"{\"topic\":\"client\",\"event\":\"request_authorization\","
		"\"payload\":{\"resource_id\":\"%s\","
		"\"connected_gateway_ids\":[],\"failed_gateway_ids\":[]},"
		"\"ref\":\"r%u\"}",
		L.resources[c->res], c->seq);
	c->req_ns = uv_hrtime();
	if (L.cur)
		L.cur->sent++;
	return write_text(c, msg, (size_t)n);
}

static int send_ack(struct conn *c)
{
	struct gw_out *g = c->gw;
	char msg[MSG_MAX];
	int n;

	n = snprintf(msg, sizeof(msg),
		     "{\"topic\":\"gateway\",\"event\":"
		     "\"authorization_created\",\"payload\":{\"ref\":\"%s\"},"
		     "\"ref\":null}",
		     g->acks[g->head]);
	g->head = (g->head + 1) % g->cap;
	g->n--;
	return write_text(c, msg, (size_t)n);
}

/* The gateway's bucket, mirroring the portal's: true if one may go. */
static bool gw_take(struct gw_out *g)
{
	uint64_t t = now_ms();

	g->tokens += (double)(t - g->last_ms) * L.o.gw_rate / 1000.0;
	g->last_ms = t;
	if (g->tokens > WEB_RATE_BURST - 5)
		g->tokens = WEB_RATE_BURST - 5;
	if (g->tokens < 1)
		return false;
	g->tokens -= 1;
	return true;
}

/* One message per WRITEABLE, most urgent first; asks again if more. */
static int writeable(struct conn *c)
{
	int ret = 0;

	if (c->want_join) {
		c->want_join = false;
		ret = send_join(c);
	} else if (c->gw && (c->gw->n || c->want_hb)) {
		if (!gw_take(c->gw)) {
			if (L.cur && c->gw->n)
				L.cur->gw_waits++;
			return 0; /* the fast tick asks again */
		}
		if (c->gw->n) {
			ret = send_ack(c);
		} else {
			c->want_hb = false;
			ret = send_heartbeat(c);
		}
	} else if (c->want_req) {
		c->want_req = false;
		ret = send_request(c);
	} else if (c->want_hb) {
		c->want_hb = false;
		ret = send_heartbeat(c);
	}
	if (!ret &&
	    (c->want_join || c->want_req || c->want_hb || (c->gw && c->gw->n)))
		lws_callback_on_writable(c->wsi);
	return ret;
}

/* ---- receiving */

static void done_request(struct conn *c)
{
	c->busy = false;
	L.outstanding--;
	if (L.cur)
		L.cur->t1_ms = now_ms();
}

static void record_latency(struct stats *s, double ms)
{
	if (s->n_lat == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 4096;
		double *l = realloc(s->lat, cap * sizeof(*l));

		if (!l)
			return;
		s->lat = l;
		s->cap = cap;
	}
	s->lat[s->n_lat++] = ms;
}

static bool ref_is(struct conn *c, json_object *ref)
{
	const char *r = json_object_get_string(ref);

	return r && r[0] == 'r' && strtoul(r + 1, NULL, 10) == c->seq;
}

static void on_answer(struct conn *c, const char *ev, json_object *m)
{
	json_object *ref = json_object_object_get(m, "ref"), *pl, *why;
	const char *reason;

	if (!c->busy || !ref_is(c, ref))
		return; /* an answer after its timeout */
	done_request(c);
	if (!L.cur)
		return;
	if (!strcmp(ev, "authorization_created")) {
		L.cur->ok++;
		record_latency(L.cur, (double)(uv_hrtime() - c->req_ns) / 1e6);
		return;
	}
	pl = json_object_object_get(m, "payload");
	why = json_object_object_get(pl, "reason");
	reason = why ? json_object_get_string(why) : "";
	L.cur->failed[!strcmp(reason, "not_found") ? 0 :
		      !strcmp(reason, "forbidden") ? 1 :
						     2]++;
}

static void on_reply(struct conn *c, json_object *m)
{
	json_object *pl = json_object_object_get(m, "payload");
	json_object *st = json_object_object_get(pl, "status");
	json_object *ref = json_object_object_get(m, "ref");
	const char *r = json_object_get_string(ref);

	if (!st || !strcmp(json_object_get_string(st), "ok"))
		return;
	if (r && !strcmp(r, "j")) {
		snprintf(L.fail_msg, sizeof(L.fail_msg), "join refused: %s",
			 json_object_to_json_string(pl));
		return;
	}
	/* A request refused before any decision (rate_limited, ...). */
	if (c->busy && ref_is(c, ref)) {
		done_request(c);
		if (L.cur)
			L.cur->errors++;
	}
}

static void queue_ack(struct conn *c, json_object *m)
{
	json_object *pl = json_object_object_get(m, "payload");
	const char *ref =
		json_object_get_string(json_object_object_get(pl, "ref"));
	struct gw_out *g = c->gw;

	if (!ref || !g)
		return;
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 256;
		char(*a)[ACK_LEN] = malloc(cap * sizeof(*a));

		if (!a)
			return;
		for (size_t i = 0; i < g->n; i++)
			memcpy(a[i], g->acks[(g->head + i) % g->cap], ACK_LEN);
		free(g->acks);
		g->acks = a;
		g->head = 0;
		g->cap = cap;
	}
	snprintf(g->acks[(g->head + g->n) % g->cap], ACK_LEN, "%s", ref);
	g->n++;
	lws_callback_on_writable(c->wsi);
}

static void on_joined(struct conn *c)
{
	if (c->joined)
		return;
	c->joined = true;
	L.joined++;
	L.opening--;
}

static void on_message(struct conn *c, const char *text, size_t len)
{
	json_tokener *tok = json_tokener_new();
	json_object *m = tok ? json_tokener_parse_ex(tok, text, (int)len) :
			       NULL;
	const char *ev;

	json_tokener_free(tok);
	ev = json_object_get_string(json_object_object_get(m, "event"));
	if (!ev)
		goto out;
	if (!strcmp(ev, "init"))
		on_joined(c);
	else if (!strcmp(ev, "create_authorization"))
		queue_ack(c, m);
	else if (!strcmp(ev, "authorization_created") ||
		 !strcmp(ev, "authorization_creation_failed"))
		on_answer(c, ev, m);
	else if (!strcmp(ev, "phx_reply"))
		on_reply(c, m);
out:
	json_object_put(m);
}

/* Fragments are put together; a whole message in one goes straight on. */
static int receive(struct conn *c, struct lws *wsi, const char *in, size_t len)
{
	bool last = lws_is_final_fragment(wsi) &&
		    !lws_remaining_packet_payload(wsi);
	char *b;

	if (last && !c->rx) {
		on_message(c, in, len);
		return 0;
	}
	if (c->rx_len + len > WEB_MSG_MAX)
		return -1;
	b = realloc(c->rx, c->rx_len + len + 1);
	if (!b)
		return -1;
	memcpy(b + c->rx_len, in, len);
	c->rx = b;
	c->rx_len += len;
	if (last) {
		on_message(c, c->rx, c->rx_len);
		free(c->rx);
		c->rx = NULL;
		c->rx_len = 0;
	}
	return 0;
}

static void gone(struct conn *c, const char *why)
{
	if (c->dead)
		return;
	if (!L.fail_msg[0])
		snprintf(L.fail_msg, sizeof(L.fail_msg), "%s %u: %s",
			 c->gw ? "gateway" : "client", c->idx, why);
	c->dead = true;
	c->wsi = NULL;
	L.dead++;
	if (!c->joined)
		L.opening--;
	if (c->busy)
		done_request(c);
}

static int append_auth(struct conn *c, struct lws *wsi, void *in, size_t len)
{
	unsigned char **p = in, *end = *p + len;
	char auth[256];
	int n = snprintf(auth, sizeof(auth), "Bearer %s", c->token);

	return lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_AUTHORIZATION,
					    (unsigned char *)auth, n, p, end);
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason,
		    void *user, void *in, size_t len)
{
	struct conn *c = user;

	if (!c)
		return 0;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
		return append_auth(c, wsi, in, len) ? -1 : 0;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		c->want_join = true;
		lws_callback_on_writable(wsi);
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		return receive(c, wsi, in, len);
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		return writeable(c);
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		gone(c, in ? (const char *)in : "connection error");
		return 0;
	case LWS_CALLBACK_CLIENT_CLOSED:
		gone(c, "closed by the portal");
		return 0;
	default:
		return 0;
	}
}

static const struct lws_protocols protocols[] = {
	{ .name = "sigload", .callback = callback, .rx_buffer_size = 4096 },
	{ 0 }
};

/* ---- connecting */

static void open_conn(struct conn *c)
{
	struct lws_client_connect_info ci = { 0 };

	ci.context = L.ctx;
	ci.address = "127.0.0.1";
	ci.port = L.o.port;
	ci.ssl_connection = LCCSCF_USE_SSL;
	ci.path = c->gw ? "/gateway/websocket" : "/client/websocket";
	ci.host = "127.0.0.1";
	ci.origin = "127.0.0.1";
	ci.ietf_version_or_minus_one = -1;
	ci.local_protocol_name = "sigload";
	ci.userdata = c;
	ci.pwsi = &c->wsi;
	c->started = true;
	L.opening++;
	if (!lws_client_connect_via_info(&ci) && !c->dead)
		gone(c, "cannot start a connection");
}

/* Handshakes and joins in flight are bounded, as a real fleet spreads. */
static void open_more(size_t upto)
{
	while (L.next_open < upto && L.opening < (size_t)L.o.connect_window)
		open_conn(&L.conns[L.next_open++]);
}

/* ---- the storms */

static struct conn *idle_client(uint64_t t)
{
	size_t n_cl = (size_t)L.o.clients, first = L.o.gateways;
	uint64_t gap = (uint64_t)(1000.0 / L.o.client_rate);

	for (size_t k = 0; k < n_cl; k++) {
		struct conn *c = &L.conns[first + L.cursor];

		L.cursor = (L.cursor + 1) % n_cl;
		if (c->joined && !c->dead && !c->busy &&
		    t - c->last_req_ms >= gap)
			return c;
	}
	return NULL;
}

static bool issue(uint64_t t)
{
	struct conn *c = idle_client(t);

	L.cur->issued++;
	if (!c) {
		L.cur->skipped++;
		return false;
	}
	c->busy = true;
	c->want_req = true;
	c->seq++;
	c->res = (uint32_t)(L.next_res++ % L.n_resources);
	c->last_req_ms = t;
	L.outstanding++;
	lws_callback_on_writable(c->wsi);
	return true;
}

static void pace(uint64_t t)
{
	double el = (double)(t - L.cur->t0_ms) / 1000.0;

	if (el >= L.o.seconds)
		return;
	if (L.phase == PH_RATE) {
		uint64_t due = (uint64_t)(el * L.o.rate);

		while (L.cur->issued < due)
			if (!issue(t))
				break;
	} else {
		while (L.outstanding < (size_t)L.o.window)
			if (!issue(t))
				break;
	}
}

static void expire_requests(uint64_t t)
{
	uint64_t ns = uv_hrtime();

	for (size_t i = L.o.gateways; i < L.n_conns; i++) {
		struct conn *c = &L.conns[i];

		if (c->busy && !c->want_req &&
		    ns - c->req_ns > REQ_TIMEOUT_MS * 1000000ull) {
			done_request(c);
			if (L.cur)
				L.cur->timeouts++;
		}
	}
	(void)t;
}

static void tick_cb(uv_timer_t *t)
{
	static uint64_t last;
	uint64_t now = now_ms();

	(void)t;
	if (L.cur && last && now - last > L.cur->lag_ms + TICK_MS)
		L.cur->lag_ms = now - last - TICK_MS;
	last = now;
	if (L.phase != PH_RATE && L.phase != PH_FLAT)
		return;
	pace(now);
	/* Gateways whose bucket was empty: their acks may go now. */
	for (int i = 0; i < L.o.gateways; i++)
		if (L.conns[i].gw->n && L.conns[i].wsi)
			lws_callback_on_writable(L.conns[i].wsi);
}

static void heartbeats(uint64_t t)
{
	uint64_t iv = (uint64_t)(L.o.heartbeat_s * 1000);

	for (size_t i = 0; i < L.n_conns; i++) {
		struct conn *c = &L.conns[i];

		if (!c->joined || c->dead || t < c->next_hb_ms)
			continue;
		/* Spread over the interval, not all in one tick. */
		c->next_hb_ms =
			t + iv - (c->next_hb_ms ? 0 : i * iv / L.n_conns);
		c->want_hb = true;
		lws_callback_on_writable(c->wsi);
	}
}

/* ---- phases */

static void start_storm(enum phase ph, struct stats *s)
{
	L.phase = ph;
	L.cur = s;
	s->t0_ms = now_ms();
	s->t1_ms = s->t0_ms;
	s->cpu0 = L.o.pid ? proc_cpu_s(L.o.pid) : 0;
}

/* A storm is over once its time is up and its answers are in. */
static bool storm_over(uint64_t t)
{
	struct stats *s = L.cur;
	uint64_t end = s->t0_ms + (uint64_t)(L.o.seconds * 1000);

	if (t < end || (L.outstanding && t < end + DRAIN_MS))
		return false;
	s->cpu1 = L.o.pid ? proc_cpu_s(L.o.pid) : 0;
	L.cur = NULL;
	return true;
}

static void connected(uint64_t t)
{
	L.connect_ms = t - L.connect_start_ms;
	L.rss_joined_kb = L.o.pid ? proc_rss_kb(L.o.pid) : -1;
	L.cpu_rest0 = L.o.pid ? proc_cpu_s(L.o.pid) : 0;
	L.self_cpu_rest = self_cpu_s();
	L.phase = PH_REST;
	L.phase_ms = t;
	fprintf(stderr,
		"sigload: %zu of %zu joined in %.1f s; at rest %.0f s\n",
		L.joined, L.n_conns, (double)L.connect_ms / 1000, L.o.rest_s);
}

static void rested(uint64_t t)
{
	L.cpu_rest1 = L.o.pid ? proc_cpu_s(L.o.pid) : 0;
	L.rss_rest_kb = L.o.pid ? proc_rss_kb(L.o.pid) : -1;
	L.self_cpu_rest = self_cpu_s() - L.self_cpu_rest;
	L.phase_ms = t;
	fprintf(stderr, "sigload: %.0f requests/s for %.0f s\n", L.o.rate,
		L.o.seconds);
	if (L.o.rate > 0)
		start_storm(PH_RATE, &L.rate);
	else
		start_storm(PH_FLAT, &L.flat);
}

static void advance(uint64_t t)
{
	switch (L.phase) {
	case PH_GATEWAYS:
		open_more((size_t)L.o.gateways);
		if (L.joined + L.dead == (size_t)L.o.gateways)
			L.phase = PH_CLIENTS;
		break;
	case PH_CLIENTS:
		open_more(L.n_conns);
		if (L.joined + L.dead == L.n_conns)
			connected(t);
		break;
	case PH_REST:
		if (t - L.phase_ms >= (uint64_t)(L.o.rest_s * 1000))
			rested(t);
		break;
	case PH_RATE:
		if (storm_over(t)) {
			fprintf(stderr,
				"sigload: flat out, %d outstanding, "
				"for %.0f s\n",
				L.o.window, L.o.seconds);
			start_storm(PH_FLAT, &L.flat);
		}
		break;
	case PH_FLAT:
		if (storm_over(t))
			L.phase = PH_DONE;
		break;
	case PH_DONE:
		break;
	}
}

static void slow_cb(uv_timer_t *timer)
{
	uint64_t t = now_ms();

	advance(t);
	heartbeats(t);
	expire_requests(t);
	if (L.phase == PH_DONE || (L.dead == L.n_conns && L.n_conns))
		uv_stop(timer->loop);
}

/* ---- results */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(const struct stats *s, double p)
{
	size_t i;

	if (!s->n_lat)
		return 0;
	i = (size_t)(p / 100.0 * (double)s->n_lat);
	return s->lat[i < s->n_lat ? i : s->n_lat - 1];
}

static double auth_per_s(const struct stats *s)
{
	double el = (double)(s->t1_ms - s->t0_ms) / 1000.0;

	return el > 0 ? (double)s->ok / el : 0;
}

static double storm_cpu_pct(const struct stats *s)
{
	double el = (double)(s->t1_ms - s->t0_ms) / 1000.0;

	return el > 0 ? 100.0 * (s->cpu1 - s->cpu0) / el : 0;
}

static void print_storm(const char *name, struct stats *s)
{
	qsort(s->lat, s->n_lat, sizeof(*s->lat), cmp_double);
	printf("| %-5s | %7" PRIu64 " | %7" PRIu64 " | %5" PRIu64 " | %5" PRIu64
	       " | %8.1f | %7.2f | %7.2f | %7.2f | %7.2f | %5.0f%% |\n",
	       name, s->sent, s->ok,
	       s->failed[0] + s->failed[1] + s->failed[2] + s->errors,
	       s->timeouts, auth_per_s(s), pct(s, 50), pct(s, 90), pct(s, 99),
	       s->n_lat ? s->lat[s->n_lat - 1] : 0, storm_cpu_pct(s));
}

static void add_i(json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_int64((int64_t)v));
}

static void add_d(json_object *o, const char *k, double v)
{
	json_object_object_add(o, k, json_object_new_double(v));
}

static void json_storm(json_object *o, const char *name, const struct stats *s,
		       double target)
{
	json_object *j = json_object_new_object();

	add_d(j, "target", target);
	add_d(j, "seconds", (double)(s->t1_ms - s->t0_ms) / 1000);
	add_i(j, "sent", s->sent);
	add_i(j, "ok", s->ok);
	add_i(j, "not_found", s->failed[0]);
	add_i(j, "forbidden", s->failed[1]);
	add_i(j, "offline", s->failed[2]);
	add_i(j, "errors", s->errors);
	add_i(j, "timeouts", s->timeouts);
	add_i(j, "skipped", s->skipped);
	add_i(j, "gw_waits", s->gw_waits);
	add_i(j, "sigload_max_lag_ms", s->lag_ms);
	add_d(j, "auth_per_s", auth_per_s(s));
	add_d(j, "p50_ms", pct(s, 50));
	add_d(j, "p90_ms", pct(s, 90));
	add_d(j, "p99_ms", pct(s, 99));
	add_d(j, "max_ms", s->n_lat ? s->lat[s->n_lat - 1] : 0);
	add_d(j, "portal_cpu_pct", storm_cpu_pct(s));
	add_d(j, "portal_cpu_us_per_auth",
	      s->ok ? (s->cpu1 - s->cpu0) / (double)s->ok * 1e6 : 0);
	json_object_object_add(o, name, j);
}

static size_t clients_joined(void)
{
	size_t n = 0;

	for (size_t i = L.o.gateways; i < L.n_conns; i++)
		n += L.conns[i].joined && !L.conns[i].dead;
	return n;
}

/* Per client at rest: what the portal holds and spends for each. */
static void rest_numbers(double *rss_b, double *cpu_pct, double *cpu_us)
{
	size_t n = clients_joined();
	double cpu = L.cpu_rest1 - L.cpu_rest0;

	*rss_b =
		n ? (double)(L.rss_rest_kb - L.rss_base_kb) * 1024 / (double)n :
		    0;
	*cpu_pct = L.o.rest_s > 0 ? 100 * cpu / L.o.rest_s : 0;
	*cpu_us = n && L.o.rest_s > 0 ? cpu / L.o.rest_s / (double)n * 1e6 : 0;
}

static void print_table(void)
{
	double rss_b, cpu_pct, cpu_us;

	rest_numbers(&rss_b, &cpu_pct, &cpu_us);
	printf("\nfzportal (pid %d): %zu clients and %d gateways joined of "
	       "%d + %d in %.1f s (%zu failed)\n",
	       L.o.pid, clients_joined(), L.o.gateways, L.o.clients,
	       L.o.gateways, (double)L.connect_ms / 1000, L.dead);
	printf("at rest %.0f s, heartbeats every %.0f s: RSS %ld -> %ld kB, "
	       "%.0f bytes per client; CPU %.2f%% of a core, %.2f us/s per "
	       "client (sigload itself %.2f s)\n\n",
	       L.o.rest_s, L.o.heartbeat_s, L.rss_base_kb, L.rss_rest_kb, rss_b,
	       cpu_pct, cpu_us, L.self_cpu_rest);
	printf("| storm | sent    | granted | fail  | lost  | auth/s   "
	       "| p50 ms  | p90 ms  | p99 ms  | max ms  | CPU   |\n");
	printf("|-------|---------|---------|-------|-------|----------"
	       "|---------|---------|---------|---------|-------|\n");
	if (L.o.rate > 0)
		print_storm("rate", &L.rate);
	print_storm("flat", &L.flat);
	printf("\nsigload's own worst stall (its timer late): %" PRIu64
	       " ms in rate, %" PRIu64 " ms flat out; a latency near it may "
	       "be the machine's, not the portal's\n",
	       L.rate.lag_ms, L.flat.lag_ms);
	if (L.fail_msg[0])
		printf("\nfirst trouble: %s\n", L.fail_msg);
}

static void print_json(void)
{
	json_object *o = json_object_new_object(),
		    *r = json_object_new_object();
	double rss_b, cpu_pct, cpu_us;
	const char *text;
	FILE *f;

	/* Three decimals are plenty; json-c's default prints seventeen. */
	json_c_set_serialization_double_format("%.3f", JSON_C_OPTION_GLOBAL);
	rest_numbers(&rss_b, &cpu_pct, &cpu_us);
	add_i(o, "clients", (uint64_t)L.o.clients);
	add_i(o, "gateways", (uint64_t)L.o.gateways);
	add_i(o, "clients_joined", clients_joined());
	add_i(o, "failed_conns", L.dead);
	add_d(o, "connect_s", (double)L.connect_ms / 1000);
	add_d(o, "gw_rate", L.o.gw_rate);
	add_d(r, "seconds", L.o.rest_s);
	add_d(r, "heartbeat_s", L.o.heartbeat_s);
	add_i(r, "rss_base_kb", (uint64_t)L.rss_base_kb);
	add_i(r, "rss_joined_kb", (uint64_t)L.rss_joined_kb);
	add_i(r, "rss_kb", (uint64_t)L.rss_rest_kb);
	add_d(r, "rss_per_client_b", rss_b);
	add_d(r, "cpu_pct", cpu_pct);
	add_d(r, "cpu_us_per_client_s", cpu_us);
	add_d(r, "sigload_cpu_s", L.self_cpu_rest);
	json_object_object_add(o, "rest", r);
	if (L.o.rate > 0)
		json_storm(o, "rate", &L.rate, L.o.rate);
	add_i(o, "window", (uint64_t)L.o.window);
	json_storm(o, "flat", &L.flat, 0);
	if (L.fail_msg[0])
		json_object_object_add(o, "trouble",
				       json_object_new_string(L.fail_msg));
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	printf("%s\n", text);
	f = L.o.json ? fopen(L.o.json, "a") : NULL;
	if (f) {
		fprintf(f, "%s\n", text);
		fclose(f);
	}
	json_object_put(o);
}

/* ---- setting up */

static int add_line(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv || !(nv[*n] = strdup(s)))
		return -1;
	*v = nv;
	(*n)++;
	return 0;
}

static int read_data(const char *path)
{
	char line[512], word[16], val[400];
	FILE *f = fopen(path, "r");
	int ret = 0;

	if (!f)
		return -1;
	while (!ret && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%15s %399s", word, val) != 2)
			continue;
		if (!strcmp(word, "gateway"))
			ret = add_line(&L.gw_tokens, &L.n_gw_tokens, val);
		else if (!strcmp(word, "client"))
			ret = add_line(&L.cl_tokens, &L.n_cl_tokens, val);
		else if (!strcmp(word, "resource"))
			ret = add_line(&L.resources, &L.n_resources, val);
	}
	fclose(f);
	if (!L.n_gw_tokens || !L.n_cl_tokens || !L.n_resources)
		return -1;
	return ret;
}

static int make_conns(void)
{
	size_t m = (size_t)L.o.gateways;

	L.n_conns = m + (size_t)L.o.clients;
	L.conns = calloc(L.n_conns, sizeof(*L.conns));
	if (!L.conns)
		return -1;
	for (size_t i = 0; i < L.n_conns; i++) {
		struct conn *c = &L.conns[i];

		c->idx = (uint32_t)(i < m ? i : i - m);
		if (i < m) {
			c->token = L.gw_tokens[i % L.n_gw_tokens];
			c->gw = calloc(1, sizeof(*c->gw));
			if (!c->gw)
				return -1;
			c->gw->last_ms = now_ms();
		} else {
			c->token = L.cl_tokens[(i - m) % L.n_cl_tokens];
		}
	}
	return 0;
}

/* As many descriptors as allowed: lws sizes its table from this. */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int make_context(void)
{
	struct lws_context_creation_info info = { 0 };
	void *loops[1] = { L.loop };

	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.foreign_loops = loops;
	info.client_ssl_ca_filepath = L.o.ca;
	info.options = LWS_SERVER_OPTION_LIBUV |
		       LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.timeout_secs = 30;
	lws_set_log_level(LLL_ERR, NULL);
	L.ctx = lws_create_context(&info);
	return L.ctx ? 0 : -1;
}

static const char usage[] =
	"usage: sigload --port PORT --ca CERT --data FILE [--pid PID]\n"
	"               [--clients N] [--gateways M] [--rest SECONDS]\n"
	"               [--rate PER_S] [--seconds SECONDS] [--window W]\n"
	"               [--client-rate PER_S] [--gw-rate PER_S]\n"
	"               [--heartbeat SECONDS] [--connect-window K]\n"
	"               [--json FILE]\n";

static const struct option longopts[] = {
	{ "port", required_argument, NULL, 'p' },
	{ "ca", required_argument, NULL, 'c' },
	{ "data", required_argument, NULL, 'd' },
	{ "pid", required_argument, NULL, 'P' },
	{ "clients", required_argument, NULL, 'n' },
	{ "gateways", required_argument, NULL, 'm' },
	{ "rest", required_argument, NULL, 'T' },
	{ "rate", required_argument, NULL, 'r' },
	{ "seconds", required_argument, NULL, 's' },
	{ "window", required_argument, NULL, 'w' },
	{ "client-rate", required_argument, NULL, 'C' },
	{ "gw-rate", required_argument, NULL, 'G' },
	{ "heartbeat", required_argument, NULL, 'H' },
	{ "connect-window", required_argument, NULL, 'K' },
	{ "json", required_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

static void defaults(struct opts *o)
{
	*o = (struct opts){
		.clients = 10000,
		.gateways = 10,
		.window = 64,
		.rest_s = 30,
		.rate = 100,
		.seconds = 20,
		.client_rate = 1,
		/* Under the portal's budget, heartbeats included. */
		.gw_rate = WEB_RATE_PER_S * 0.9,
		.heartbeat_s = WEB_HEARTBEAT_MS_DEFAULT / 1000.0,
		.connect_window = 64,
	};
}

static int parse_opt(struct opts *o, int ch, const char *v)
{
	switch (ch) {
	case 'p':
		o->port = atoi(v);
		break;
	case 'c':
		o->ca = v;
		break;
	case 'd':
		o->data = v;
		break;
	case 'P':
		o->pid = atoi(v);
		break;
	case 'n':
		o->clients = atoi(v);
		break;
	case 'm':
		o->gateways = atoi(v);
		break;
	case 'T':
		o->rest_s = atof(v);
		break;
	case 'r':
		o->rate = atof(v);
		break;
	case 's':
		o->seconds = atof(v);
		break;
	case 'w':
		o->window = atoi(v);
		break;
	case 'C':
		o->client_rate = atof(v);
		break;
	case 'G':
		o->gw_rate = atof(v);
		break;
	case 'H':
		o->heartbeat_s = atof(v);
		break;
	case 'K':
		o->connect_window = atoi(v);
		break;
	case 'j':
		o->json = v;
		break;
	default:
		return -1;
	}
	return 0;
}

static int parse_args(int argc, char **argv)
{
	int ch;

	defaults(&L.o);
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		if (parse_opt(&L.o, ch, optarg))
			return -1;
	if (optind != argc || L.o.port <= 0 || !L.o.ca || !L.o.data ||
	    L.o.clients < 1 || L.o.gateways < 1 || L.o.window < 1 ||
	    L.o.client_rate <= 0 || L.o.gw_rate <= 0 || L.o.heartbeat_s <= 0 ||
	    L.o.connect_window < 1 || L.o.seconds <= 0 || L.o.rest_s < 0)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	if (parse_args(argc, argv)) {
		fputs(usage, stderr);
		return 2;
	}
	if (sodium_init() < 0 || read_data(L.o.data) || make_conns()) {
		fprintf(stderr,
			"sigload: cannot read %s (gateway, client and "
			"resource lines)\n",
			L.o.data);
		return 1;
	}
	raise_nofile();
	L.loop = uv_default_loop();
	if (make_context()) {
		fprintf(stderr, "sigload: cannot make the lws context\n");
		return 1;
	}
	L.rss_base_kb = L.o.pid ? proc_rss_kb(L.o.pid) : -1;
	L.connect_start_ms = now_ms();
	uv_timer_init(L.loop, &L.tick);
	uv_timer_init(L.loop, &L.slow);
	uv_timer_start(&L.tick, tick_cb, TICK_MS, TICK_MS);
	uv_timer_start(&L.slow, slow_cb, 0, SLOW_TICK_MS);
	uv_run(L.loop, UV_RUN_DEFAULT);
	print_table();
	print_json();
	/*
	 * No goodbye to each socket: the kernel closes ten thousand of them
	 * at exit faster than ten thousand close handshakes would go.
	 */
	return L.phase == PH_DONE ? 0 : 1;
}
