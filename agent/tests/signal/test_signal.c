// SPDX-License-Identifier: GPL-2.0
/*
 * The signal wing without a portal: the backoff's bounds, jitter and
 * reset; the portal URLs, tokens and settings signal_new() takes or
 * refuses; a wing created and closed on a loop frees everything; and
 * dials to a closed loopback port are retried with backoff.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include "lib/portalurl.h"
#include "signal/backoff.h"
#include "signal/signal.h"
#include "../suites.h"

#define TOKEN \
	"fz1_AAAAAAAAAAAAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"

START_TEST(test_backoff_doubles_within_bounds)
{
	struct signal_backoff b;
	unsigned int ceiling = 500;

	ck_assert_int_ge(sodium_init(), 0);
	signal_backoff_init(&b, 500, 30000);
	for (int i = 0; i < 40; i++) {
		unsigned int w = signal_backoff_next(&b);

		ck_assert_uint_ge(w, 500);
		ck_assert_uint_le(w, ceiling);
		ceiling = ceiling * 2 < 30000 ? ceiling * 2 : 30000;
		ck_assert_uint_eq(b.cur_ms, ceiling);
	}
}
END_TEST

START_TEST(test_backoff_first_wait_is_min_and_reset)
{
	struct signal_backoff b;

	signal_backoff_init(&b, 500, 30000);
	ck_assert_uint_eq(signal_backoff_next(&b), 500);
	for (int i = 0; i < 10; i++)
		signal_backoff_next(&b);
	ck_assert_uint_eq(b.cur_ms, 30000);
	signal_backoff_reset(&b);
	ck_assert_uint_eq(b.cur_ms, 500);
	ck_assert_uint_eq(signal_backoff_next(&b), 500);
	ck_assert_uint_le(signal_backoff_next(&b), 1000);
}
END_TEST

/* Full jitter: at the ceiling the waits spread over [min, max]. */
START_TEST(test_backoff_jitter_spreads)
{
	struct signal_backoff b;
	unsigned int lo = 30000, hi = 0;

	signal_backoff_init(&b, 500, 30000);
	b.cur_ms = 30000;
	for (int i = 0; i < 500; i++) {
		unsigned int w = signal_backoff_next(&b);

		lo = w < lo ? w : lo;
		hi = w > hi ? w : hi;
	}
	ck_assert_uint_ge(lo, 500);
	ck_assert_uint_le(hi, 30000);
	/* 500 uniform draws: both ends within 10% (miss chance ~1e-22). */
	ck_assert_uint_lt(lo, 500 + 2950);
	ck_assert_uint_gt(hi, 30000 - 2950);
}
END_TEST

START_TEST(test_backoff_min_equals_max)
{
	struct signal_backoff b;

	signal_backoff_init(&b, 700, 700);
	for (int i = 0; i < 5; i++)
		ck_assert_uint_eq(signal_backoff_next(&b), 700);
}
END_TEST

START_TEST(test_dial_splits_urls)
{
	struct fz_portal_dial d;
	char err[256];

	ck_assert_int_eq(fz_portal_dial("https://portal.example/fz/",
					"/gateway/websocket", &d, err,
					sizeof(err)),
			 0);
	ck_assert(d.tls);
	ck_assert_str_eq(d.host, "portal.example");
	ck_assert_uint_eq(d.port, 443);
	ck_assert_str_eq(d.path, "/fz/gateway/websocket");
	ck_assert_int_eq(fz_portal_dial("http://127.0.0.1:4000",
					"/client/websocket", &d, err,
					sizeof(err)),
			 0);
	ck_assert(!d.tls);
	ck_assert_str_eq(d.host, "127.0.0.1");
	ck_assert_uint_eq(d.port, 4000);
	ck_assert_str_eq(d.path, "/client/websocket");
	ck_assert_int_eq(fz_portal_dial("https://[::1]:8443", "/x", &d, err,
					sizeof(err)),
			 0);
	ck_assert_str_eq(d.host, "::1");
	ck_assert_uint_eq(d.port, 8443);
	ck_assert_int_eq(fz_portal_dial("http://[::1]:80", "/x", &d, err,
					sizeof(err)),
			 0);
	ck_assert_int_eq(fz_portal_dial("http://localhost", "/x", &d, err,
					sizeof(err)),
			 0);
	ck_assert_uint_eq(d.port, 80);
}
END_TEST

static void nop_state(void *ctx, enum signal_state st, const char *why)
{
	(void)ctx;
	(void)st;
	(void)why;
}

static const struct signal_ops nops = { .state = nop_state };

/* signal_new() on cfg with url; freed again through the loop. */
static struct signal *try_new(const char *url, const char *token, char *err,
			      size_t errlen)
{
	struct signal_config cfg = { .url = url, .role = PROTO_SIG_CLIENT };

	return signal_new(uv_default_loop(), &cfg, token, &nops, NULL, err,
			  errlen);
}

static void close_and_drain(struct signal *s)
{
	signal_close(s);
	ck_assert_int_eq(uv_run(uv_default_loop(), UV_RUN_DEFAULT), 0);
}

START_TEST(test_urls_taken)
{
	static const char *const ok[] = {
		"https://portal.example", "https://portal.example:8443/fz",
		"http://127.0.0.1:4000",  "http://127.9.9.9",
		"http://[::1]:1",	  "http://localhost:4000",
		"https://[2001:db8::1]",
	};
	char err[256];

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct signal *s = try_new(ok[i], TOKEN, err, sizeof(err));

		ck_assert_msg(s, "%s: %s", ok[i], err);
		ck_assert_int_eq(signal_state(s), SIGNAL_CONNECTING);
		close_and_drain(s);
	}
}
END_TEST

START_TEST(test_urls_refused)
{
	static const struct {
		const char *url, *why;
	} bad[] = {
		{ "http://portal.example", "must be https" },
		{ "http://10.0.0.1:4000", "must be https" },
		{ "http://[::2]", "must be https" },
		{ "ws://127.0.0.1", "URL" }, /* libcurl may not know ws */
		{ "wss://portal.example", "URL" },
		{ "ftp://portal.example", "must be https" },
		{ "https://u:p@portal.example", "user or password" },
		{ "https://portal.example/?a=b", "query or fragment" },
		{ "https://portal.example/#x", "query or fragment" },
		{ "not a url", "is not a URL" },
		{ "", "is not a URL" },
	};
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		ck_assert_ptr_null(
			try_new(bad[i].url, TOKEN, err, sizeof(err)));
		ck_assert_msg(strstr(err, bad[i].why), "%s: '%s'", bad[i].url,
			      err);
	}
	ck_assert_ptr_null(try_new(NULL, TOKEN, err, sizeof(err)));
}
END_TEST

START_TEST(test_tokens_refused)
{
	char err[256], big[SIGNAL_TOKEN_MAX + 2];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_ptr_null(try_new("https://p.example", "", err, sizeof(err)));
	ck_assert_ptr_null(
		try_new("https://p.example", NULL, err, sizeof(err)));
	ck_assert_ptr_null(try_new("https://p.example", big, err, sizeof(err)));
	ck_assert_ptr_null(
		try_new("https://p.example", "fz1_a b", err, sizeof(err)));
	ck_assert_ptr_null(try_new("https://p.example", "fz1_a\r\nX: y", err,
				   sizeof(err)));
	ck_assert(strstr(err, "control"));
	big[SIGNAL_TOKEN_MAX] = '\0'; /* the longest taken */
	close_and_drain(try_new("https://p.example", big, err, sizeof(err)));
}
END_TEST

START_TEST(test_settings_refused)
{
	struct signal_config cfg = { .url = "https://p.example",
				     .role = PROTO_SIG_GATEWAY };
	uv_loop_t *loop = uv_default_loop();
	char err[256];

	cfg.ca_file = "/nonexistent/ca.pem";
	ck_assert_ptr_null(
		signal_new(loop, &cfg, TOKEN, &nops, NULL, err, sizeof(err)));
	ck_assert(strstr(err, "/nonexistent/ca.pem"));
	cfg.ca_file = NULL;
	cfg.backoff_min_ms = 5000;
	cfg.backoff_max_ms = 1000;
	ck_assert_ptr_null(
		signal_new(loop, &cfg, TOKEN, &nops, NULL, err, sizeof(err)));
	ck_assert(strstr(err, "backoff"));
	cfg.backoff_min_ms = 0;
	cfg.backoff_max_ms = SIGNAL_LIMIT_MS + 1;
	ck_assert_ptr_null(
		signal_new(loop, &cfg, TOKEN, &nops, NULL, err, sizeof(err)));
	cfg.backoff_max_ms = 0;
	cfg.role = (enum proto_sig_role)7;
	ck_assert_ptr_null(
		signal_new(loop, &cfg, TOKEN, &nops, NULL, err, sizeof(err)));
}
END_TEST

/* ---- dials to a port nobody listens on */

struct watch {
	int states, dials;
	enum signal_state last;
	struct signal *s;
};

static void watch_state(void *ctx, enum signal_state st, const char *why)
{
	struct watch *w = ctx;

	(void)why;
	w->states++;
	w->last = st;
}

static void watch_log(void *ctx, const char *line)
{
	struct watch *w = ctx;

	if (strstr(line, "redialling in") && ++w->dials == 4)
		signal_close(w->s);
}

static int watch_join(void *ctx, struct proto_sig_msg *out)
{
	(void)ctx;
	(void)out;
	return -1; /* never reached: nothing answers */
}

static const struct signal_ops watch_ops = {
	.join = watch_join,
	.state = watch_state,
	.log = watch_log,
};

/* A loopback port that was just free. */
static int closed_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, len), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return ntohs(a.sin_port);
}

START_TEST(test_redials_with_backoff)
{
	struct signal_config cfg = { .role = PROTO_SIG_GATEWAY,
				     .backoff_min_ms = 10,
				     .backoff_max_ms = 40 };
	struct proto_sig_msg m = { .kind = PROTO_SIG_AUTHORIZATION_ACK };
	struct watch w = { 0 };
	uint64_t t0 = uv_now(uv_default_loop());
	char url[64], err[256];

	snprintf(url, sizeof(url), "http://127.0.0.1:%d", closed_port());
	cfg.url = url;
	w.s = signal_new(uv_default_loop(), &cfg, TOKEN, &watch_ops, &w, err,
			 sizeof(err));
	ck_assert_msg(w.s, "%s", err);
	ck_assert_int_eq(signal_start(w.s), 0);
	ck_assert_int_eq(signal_start(w.s), -EALREADY);
	ck_assert_int_eq(signal_send(w.s, &m), -ENOTCONN);
	ck_assert_int_eq(uv_run(uv_default_loop(), UV_RUN_DEFAULT), 0);
	/* Four failed dials, one state report, and no callback after close. */
	ck_assert_int_eq(w.dials, 4);
	ck_assert_int_eq(w.states, 1);
	ck_assert_int_eq(w.last, SIGNAL_CONNECTING);
	/* Waits of 10, <= 20, <= 40, <= 40 ms: well under 5 s in all. */
	ck_assert_uint_lt(uv_now(uv_default_loop()) - t0, 5000);
}
END_TEST

Suite *signal_suite(void)
{
	Suite *s = suite_create("signal");
	TCase *tc = tcase_create("signal");

	tcase_add_test(tc, test_backoff_doubles_within_bounds);
	tcase_add_test(tc, test_backoff_first_wait_is_min_and_reset);
	tcase_add_test(tc, test_backoff_jitter_spreads);
	tcase_add_test(tc, test_backoff_min_equals_max);
	tcase_add_test(tc, test_dial_splits_urls);
	tcase_add_test(tc, test_urls_taken);
	tcase_add_test(tc, test_urls_refused);
	tcase_add_test(tc, test_tokens_refused);
	tcase_add_test(tc, test_settings_refused);
	tcase_add_test(tc, test_redials_with_backoff);
	suite_add_tcase(s, tc);
	return s;
}
