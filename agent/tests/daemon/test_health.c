// SPDX-License-Identifier: GPL-2.0
/*
 * health.c: /healthz, /readyz (both answers) and a 404, over real
 * loopback HTTP to the lws server on a libuv loop, the way the daemon
 * runs it. The client is a plain socket in a thread; the loop runs in
 * the test's thread until the client is done.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <uv.h>

#include "daemon/health.h"
#include "../suites.h"

static bool ready;

static bool is_ready(void *ctx)
{
	(void)ctx;
	return ready;
}

struct client {
	int port;
	const char *request;
	char answer[2048];
	uv_async_t done;
};

static void *client_main(void *arg)
{
	struct client *c = arg;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	size_t n = 0;
	ssize_t got;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_port = htons((uint16_t)c->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && !connect(fd, (struct sockaddr *)&sa, sizeof(sa)) &&
	    write(fd, c->request, strlen(c->request)) ==
		    (ssize_t)strlen(c->request))
		while (n < sizeof(c->answer) - 1 &&
		       (got = read(fd, c->answer + n,
				   sizeof(c->answer) - 1 - n)) > 0)
			n += (size_t)got;
	c->answer[n] = '\0';
	if (fd >= 0)
		close(fd);
	uv_async_send(&c->done);
	return NULL;
}

static void on_done(uv_async_t *a)
{
	uv_stop(a->loop);
}

/* One request, its whole answer (the server closes: Connection: close). */
static void ask(uv_loop_t *loop, int port, const char *request, char *out,
		size_t len)
{
	struct client c = { .port = port, .request = request };
	pthread_t t;

	ck_assert_int_eq(uv_async_init(loop, &c.done, on_done), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, client_main, &c), 0);
	uv_run(loop, UV_RUN_DEFAULT);
	pthread_join(t, NULL);
	uv_close((uv_handle_t *)&c.done, NULL);
	uv_run(loop, UV_RUN_NOWAIT);
	snprintf(out, len, "%s", c.answer);
}

#define GET(path) \
	"GET " path " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"

START_TEST(test_health)
{
	struct daemon_health *h;
	uv_loop_t loop;
	char err[256], a[2048];
	int port;

	ck_assert_int_eq(uv_loop_init(&loop), 0);
	h = daemon_health_start(&loop, "127.0.0.1", 0, is_ready, NULL, err,
				sizeof(err));
	ck_assert_msg(h, "%s", err);
	port = daemon_health_port(h);
	ck_assert_int_gt(port, 0);

	ask(&loop, port, GET("/healthz"), a, sizeof(a));
	ck_assert_msg(!strncmp(a, "HTTP/1.1 200", 12), "%s", a);
	ck_assert_msg(strstr(a, "\r\n\r\nok\n"), "%s", a);
	ck_assert_ptr_nonnull(strstr(a, "text/plain"));
	ready = false;
	ask(&loop, port, GET("/readyz"), a, sizeof(a));
	ck_assert_msg(!strncmp(a, "HTTP/1.1 503", 12), "%s", a);
	ck_assert_ptr_nonnull(strstr(a, "not ready\n"));
	ready = true;
	ask(&loop, port, GET("/readyz"), a, sizeof(a));
	ck_assert_msg(!strncmp(a, "HTTP/1.1 200", 12), "%s", a);
	ck_assert_ptr_nonnull(strstr(a, "\r\n\r\nready\n"));
	ask(&loop, port, GET("/metrics"), a, sizeof(a));
	ck_assert_msg(!strncmp(a, "HTTP/1.1 404", 12), "%s", a);
	ask(&loop, port, GET("/healthz/../readyz"), a, sizeof(a));
	ck_assert_msg(!strncmp(a, "HTTP/1.1 ", 9), "%s", a);
	ck_assert_msg(strncmp(a, "HTTP/1.1 5", 10), "%s", a);
	/* Garbage: refused or dropped, and the server goes on. */
	ask(&loop, port, "\x01\x02 nonsense\r\n\r\n", a, sizeof(a));
	ask(&loop, port, GET("/healthz"), a, sizeof(a));
	ck_assert_msg(!strncmp(a, "HTTP/1.1 200", 12), "%s", a);

	daemon_health_stop(h);
	uv_run(&loop, UV_RUN_DEFAULT);
	daemon_health_free(h);
	ck_assert_int_eq(uv_loop_close(&loop), 0);
}
END_TEST

START_TEST(test_health_bind_fails)
{
	struct daemon_health *h;
	uv_loop_t loop;
	char err[256];

	ck_assert_int_eq(uv_loop_init(&loop), 0);
	/* An address this host does not have. */
	h = daemon_health_start(&loop, "192.0.2.77", 9, is_ready, NULL, err,
				sizeof(err));
	ck_assert_ptr_null(h);
	ck_assert_ptr_nonnull(
		strstr(err, "cannot listen on 192.0.2.77 port 9"));
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
}
END_TEST

Suite *health_suite(void)
{
	Suite *s = suite_create("health");
	TCase *tc = tcase_create("health");

	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_health);
	tcase_add_test(tc, test_health_bind_fails);
	suite_add_tcase(s, tc);
	return s;
}
