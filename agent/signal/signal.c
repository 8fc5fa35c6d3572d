// SPDX-License-Identifier: GPL-2.0
/*
 * The connection's life (signal.h): checks and copies at creation, the
 * dial, the join and heartbeats once open, the backoff between dials,
 * the final states, and the close that frees everything on the loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "signal_int.h"

#define REAP_POLL_MS 10
#define BEARER "Bearer "

static const char *const state_names[] = {
	[SIGNAL_CONNECTING] = "connecting",
	[SIGNAL_JOINED] = "joined",
	[SIGNAL_REFUSED] = "refused",
	[SIGNAL_CLOSED] = "closed",
};

const char *signal_state_name(enum signal_state st)
{
	return (unsigned int)st < 4 ? state_names[st] : "?";
}

/*
 * Reasons can come from the portal (close frames, replies, disconnect):
 * one line of printable text, whatever they hold.
 */
static char *clean(char *text)
{
	for (unsigned char *c = (unsigned char *)text; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			*c = '?';
	return text;
}

void signal_log(struct signal *s, const char *fmt, ...)
{
	char line[320];
	va_list ap;

	if (s->closed || !s->ops->log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	s->ops->log(s->ctx, clean(line));
}

void signal_set_state(struct signal *s, enum signal_state st, const char *why)
{
	char text[160];

	s->state = st;
	if (s->closed || !s->ops->state)
		return;
	snprintf(text, sizeof(text), "%s", why);
	s->ops->state(s->ctx, st, clean(text));
}

/* ---- checks and creation */

static int check_config(const struct signal_config *cfg, char *err,
			size_t errlen)
{
	if (!cfg->url) {
		snprintf(err, errlen, "no portal URL given");
		return -EINVAL;
	}
	if (cfg->role != PROTO_SIG_GATEWAY && cfg->role != PROTO_SIG_CLIENT) {
		snprintf(err, errlen, "unknown role %d", (int)cfg->role);
		return -EINVAL;
	}
	if (cfg->heartbeat_ms > SIGNAL_LIMIT_MS ||
	    cfg->backoff_min_ms > SIGNAL_LIMIT_MS ||
	    cfg->backoff_max_ms > SIGNAL_LIMIT_MS) {
		snprintf(err, errlen, "heartbeat and backoff are at most %u ms",
			 SIGNAL_LIMIT_MS);
		return -EINVAL;
	}
	return 0;
}

/* The token goes into an HTTP header: printable, no spaces, bounded. */
static int check_token(const char *token, char *err, size_t errlen)
{
	size_t n = token ? strnlen(token, SIGNAL_TOKEN_MAX + 1) : 0;

	if (!n || n > SIGNAL_TOKEN_MAX) {
		snprintf(err, errlen, "the token is empty or over %d bytes",
			 SIGNAL_TOKEN_MAX);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++)
		if (token[i] < 0x21 || token[i] > 0x7e) {
			snprintf(err, errlen,
				 "the token holds a space or a control or "
				 "non-ASCII character");
			return -EINVAL;
		}
	return 0;
}

/* Before lws sees it: its own error for a missing file is vague. */
static int check_ca(const char *path, char *err, size_t errlen)
{
	int fd;

	if (!path)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "CA file %s: %s", path, strerror(errno));
		return -errno;
	}
	close(fd);
	return 0;
}

static void fill_defaults(struct signal_config *c)
{
	if (!c->heartbeat_ms)
		c->heartbeat_ms = SIGNAL_HEARTBEAT_MS;
	if (!c->backoff_min_ms)
		c->backoff_min_ms = SIGNAL_BACKOFF_MIN_MS;
	if (!c->backoff_max_ms)
		c->backoff_max_ms = SIGNAL_BACKOFF_MAX_MS;
}

static int copy_token(struct signal *s, const char *token)
{
	size_t n = strlen(token);

	s->auth_len = strlen(BEARER) + n;
	s->auth = sodium_malloc(s->auth_len + 1);
	if (!s->auth)
		return -ENOMEM;
	memcpy(s->auth, BEARER, strlen(BEARER));
	memcpy(s->auth + strlen(BEARER), token, n + 1);
	return 0;
}

/* What creation made before the loop knew of s: freed at once. */
static void free_parts(struct signal *s)
{
	sodium_free(s->auth); /* wipes it */
	free(s->url);
	free(s->ca_file);
	free(s);
}

static int copy_config(struct signal *s, const struct signal_config *cfg,
		       char *err, size_t errlen)
{
	const char *suffix = cfg->role == PROTO_SIG_GATEWAY ?
				     "/gateway/websocket" :
				     "/client/websocket";

	s->cfg = *cfg;
	fill_defaults(&s->cfg);
	if (s->cfg.backoff_min_ms > s->cfg.backoff_max_ms) {
		snprintf(err, errlen,
			 "backoff minimum %u ms over maximum %u ms",
			 s->cfg.backoff_min_ms, s->cfg.backoff_max_ms);
		return -EINVAL;
	}
	if (fz_portal_dial(cfg->url, suffix, &s->dial, err, errlen))
		return -EINVAL;
	s->url = strdup(cfg->url);
	s->ca_file = cfg->ca_file ? strdup(cfg->ca_file) : NULL;
	if (!s->url || (cfg->ca_file && !s->ca_file)) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	s->cfg.url = s->url;
	s->cfg.ca_file = s->ca_file;
	return 0;
}

static void init_timers(struct signal *s)
{
	uv_timer_t *t[] = { &s->retry, &s->heartbeat, &s->reap };

	for (size_t i = 0; i < 3; i++) {
		uv_timer_init(s->loop, t[i]);
		t[i]->data = s;
	}
	s->open_handles = 3;
}

struct signal *signal_new(uv_loop_t *loop, const struct signal_config *cfg,
			  const char *token, const struct signal_ops *ops,
			  void *ctx, char *err, size_t errlen)
{
	struct signal *s;

	/* The token's locked memory and the jitter need it; idempotent. */
	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium cannot start");
		return NULL;
	}
	if (check_config(cfg, err, errlen) || check_token(token, err, errlen) ||
	    check_ca(cfg->ca_file, err, errlen))
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->loop = loop;
	s->ops = ops;
	s->ctx = ctx;
	s->state = SIGNAL_CONNECTING;
	if (copy_config(s, cfg, err, errlen))
		goto fail;
	if (copy_token(s, token)) {
		snprintf(err, errlen, "out of locked memory for the token");
		goto fail;
	}
	signal_backoff_init(&s->backoff, s->cfg.backoff_min_ms,
			    s->cfg.backoff_max_ms);
	if (signal_conn_context(s, err, errlen)) {
		/*
		 * A context lws still tears down writes s->lws later: s
		 * stays, what it holds goes (the token wiped).
		 */
		if (s->lws) {
			sodium_free(s->auth);
			free(s->url);
			free(s->ca_file);
			s->auth = s->url = s->ca_file = NULL;
			return NULL;
		}
		goto fail;
	}
	init_timers(s);
	return s;
fail:
	free_parts(s);
	return NULL;
}

/* ---- dialling, joining, heartbeats */

static void dial(struct signal *s)
{
	s->why[0] = '\0';
	s->live = true;
	if (signal_conn_dial(s)) {
		if (!s->why[0])
			snprintf(s->why, sizeof(s->why), "cannot start a dial");
		signal_conn_over(s);
	}
}

static void retry_cb(uv_timer_t *t)
{
	struct signal *s = t->data;

	if (!s->closed && !s->final && !s->live)
		dial(s);
}

int signal_start(struct signal *s)
{
	if (s->started)
		return -EALREADY;
	s->started = true;
	signal_set_state(s, SIGNAL_CONNECTING, "dialling");
	dial(s);
	return 0;
}

static void heartbeat_cb(uv_timer_t *t)
{
	struct signal *s = t->data;
	struct proto_sig_msg m = { .kind = PROTO_SIG_HEARTBEAT };
	char ref[24];

	if (!s->established || s->kill)
		return;
	/* Two intervals without a frame: two heartbeats went unanswered. */
	if (uv_now(s->loop) - s->last_rx >= 2ull * s->cfg.heartbeat_ms) {
		signal_drop(s, LWS_CLOSE_STATUS_GOINGAWAY,
			    "the portal stopped answering heartbeats");
		return;
	}
	snprintf(ref, sizeof(ref), "hb%llu", (unsigned long long)++s->next_ref);
	m.ref = ref;
	if (signal_tx_queue(s, &m))
		signal_log(s, "a heartbeat could not be queued");
}

void signal_conn_open(struct signal *s)
{
	enum proto_sig_kind want = s->cfg.role == PROTO_SIG_GATEWAY ?
					   PROTO_SIG_GATEWAY_JOIN :
					   PROTO_SIG_CLIENT_JOIN;
	struct proto_sig_msg m = { .kind = want };

	s->established = true;
	s->last_rx = uv_now(s->loop);
	if (!s->ops->join || s->ops->join(s->ctx, &m) || m.kind != want) {
		signal_drop(s, LWS_CLOSE_STATUS_GOINGAWAY, "no join to send");
		return;
	}
	snprintf(s->join_ref, sizeof(s->join_ref), "join%llu",
		 (unsigned long long)++s->next_ref);
	m.topic = NULL;
	m.ref = s->join_ref;
	if (signal_tx_queue(s, &m)) {
		signal_drop(s, LWS_CLOSE_STATUS_GOINGAWAY,
			    "the join could not be built");
		return;
	}
	uv_timer_start(&s->heartbeat, heartbeat_cb, s->cfg.heartbeat_ms,
		       s->cfg.heartbeat_ms);
}

void signal_drop(struct signal *s, enum lws_close_status status,
		 const char *why)
{
	/* Before the handshake ends, lws's own error path is under way. */
	if (!s->wsi || !s->established)
		return;
	if (!s->why[0])
		snprintf(s->why, sizeof(s->why), "%s", why);
	if (s->kill)
		return;
	/*
	 * lws sends a close frame with this reason on its way out when the
	 * callback we are in returns -1 (conn.c does so), or, from outside
	 * its callbacks, on a synchronous kill. Its timeouts and an error
	 * from WRITEABLE would drop the socket bare instead.
	 */
	s->kill = true;
	lws_close_reason(s->wsi, status, (unsigned char *)why, strlen(why));
	if (!s->in_callback)
		lws_set_timeout(s->wsi, PENDING_TIMEOUT_USER_OK,
				LWS_TO_KILL_SYNC);
}

void signal_finish(struct signal *s, enum signal_state st, const char *why)
{
	if (s->final || s->closed)
		return;
	s->final = true;
	uv_timer_stop(&s->retry);
	signal_log(s, "%s: %s; not redialling", signal_state_name(st), why);
	signal_set_state(s, st, why);
	signal_drop(s, LWS_CLOSE_STATUS_NORMAL, why);
}

void signal_conn_over(struct signal *s)
{
	uint64_t now = uv_now(s->loop);
	unsigned int wait;

	if (!s->live)
		return;
	s->live = s->established = s->kill = false;
	s->wsi = NULL;
	uv_timer_stop(&s->heartbeat);
	signal_tx_flush(s);
	signal_rx_reset(s);
	if (s->joined_at && now - s->joined_at >= SIGNAL_STABLE_MS)
		signal_backoff_reset(&s->backoff);
	s->joined_at = 0;
	if (s->closed || s->final)
		return;
	wait = signal_backoff_next(&s->backoff);
	signal_log(s, "portal %s: %s; redialling in %u ms", s->url,
		   s->why[0] ? s->why : "connection closed", wait);
	if (s->state != SIGNAL_CONNECTING)
		signal_set_state(s, SIGNAL_CONNECTING,
				 s->why[0] ? s->why : "connection closed");
	uv_timer_start(&s->retry, retry_cb, wait, 0);
}

/* ---- the caller's side */

int signal_send(struct signal *s, const struct proto_sig_msg *m)
{
	enum proto_sig_kind own = s->cfg.role == PROTO_SIG_GATEWAY ?
					  PROTO_SIG_AUTHORIZATION_ACK :
					  PROTO_SIG_REQUEST_AUTHORIZATION;

	if (s->closed || s->state != SIGNAL_JOINED || !s->established ||
	    s->kill)
		return -ENOTCONN;
	if (m->kind != own)
		return -EINVAL;
	return signal_tx_queue(s, m);
}

enum signal_state signal_state(const struct signal *s)
{
	return s->state;
}

/* ---- the end */

static void handle_closed(uv_handle_t *h)
{
	struct signal *s = h->data;

	if (--s->open_handles)
		return;
	signal_tx_flush(s);
	signal_rx_reset(s);
	free_parts(s);
}

static void count_closing(uv_handle_t *h, void *arg)
{
	if (uv_is_closing(h))
		++*(int *)arg;
}

/*
 * lws 4.1 tears a context down in steps on a foreign loop: the first
 * lws_context_destroy() closes its sockets and handles; once their close
 * callbacks have run (no handle of the loop is still closing), a second
 * call frees the context and writes NULL to s->lws. Called too early, it
 * would free what a close callback still uses. The timers go last.
 */
static void reap_cb(uv_timer_t *t)
{
	struct signal *s = t->data;
	int closing = 0;

	if (s->lws && !s->destroying) {
		s->destroying = true;
		lws_context_destroy(s->lws);
	} else if (s->lws) {
		uv_walk(s->loop, count_closing, &closing);
		if (!closing)
			lws_context_destroy(s->lws);
	}
	if (s->lws) {
		uv_timer_start(&s->reap, reap_cb, REAP_POLL_MS, 0);
		return;
	}
	signal_conn_gone(s);
	uv_close((uv_handle_t *)&s->retry, handle_closed);
	uv_close((uv_handle_t *)&s->heartbeat, handle_closed);
	uv_close((uv_handle_t *)&s->reap, handle_closed);
}

void signal_close(struct signal *s)
{
	if (!s || s->closed)
		return;
	s->closed = true;
	uv_timer_stop(&s->retry);
	uv_timer_stop(&s->heartbeat);
	/* Not from inside an lws callback: the context cannot die there. */
	uv_timer_start(&s->reap, reap_cb, 0, 0);
}
