// SPDX-License-Identifier: GPL-2.0
/*
 * idp/http.c against a one-shot HTTP server on 127.0.0.1 in a thread:
 * what goes out (Basic credentials form-encoded, the form, the bearer),
 * and what comes back refused (too big, too slow, a redirect that is not
 * followed, URLs we do not allow).
 */
#define _GNU_SOURCE /* strcasestr */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "idp/priv.h"
#include "../suites.h"

struct srv {
	int fd, port;
	const char *answer; /* NULL: never answer */
	size_t pad; /* bytes of body after answer */
	char req[8192];
	pthread_t th;
};

static void *srv_run(void *arg)
{
	struct srv *s = arg;
	size_t n = 0;
	ssize_t r;
	char *buf;
	int c;

	c = accept(s->fd, NULL, NULL);
	if (c < 0)
		return NULL;
	/* Headers, then a body of Content-Length if there is one. */
	while (n < sizeof(s->req) - 1 &&
	       (r = read(c, s->req + n, sizeof(s->req) - 1 - n)) > 0) {
		char *end, *cl;

		n += (size_t)r;
		s->req[n] = '\0';
		end = strstr(s->req, "\r\n\r\n");
		if (!end)
			continue;
		cl = strcasestr(s->req, "Content-Length:");
		if (!cl || n >= (size_t)(end + 4 - s->req) +
					   strtoul(cl + 15, NULL, 10))
			break;
	}
	if (s->answer) {
		if (write(c, s->answer, strlen(s->answer)) < 0)
			goto out;
		buf = calloc(1, s->pad + 1);
		memset(buf, 'x', s->pad);
		if (s->pad && write(c, buf, s->pad) < 0)
			(void)0;
		free(buf);
	} else {
		sleep(3);
	}
out:
	close(c);
	return NULL;
}

static void srv_start(struct srv *s, const char *answer, size_t pad)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);

	memset(s, 0, sizeof(*s));
	s->answer = answer;
	s->pad = pad;
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(s->fd, 0);
	ck_assert_int_eq(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(s->fd, 1), 0);
	ck_assert_int_eq(getsockname(s->fd, (struct sockaddr *)&a, &len), 0);
	s->port = ntohs(a.sin_port);
	ck_assert_int_eq(pthread_create(&s->th, NULL, srv_run, s), 0);
}

static void srv_stop(struct srv *s)
{
	pthread_join(s->th, NULL);
	close(s->fd);
}

static char err[512];

START_TEST(test_get_ok)
{
	struct idp_http_opts o = { .timeout_ms = 5000 };
	struct idp_http_res res;
	struct srv s;
	char url[64];

	srv_start(
		&s,
		"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
		0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/jwks", s.port);
	ck_assert_int_eq(idp_http_get(&o, url, "tok", &res, err, sizeof(err)),
			 0);
	srv_stop(&s);
	ck_assert_int_eq(res.status, 200);
	ck_assert_str_eq(res.body, "{}");
	ck_assert_uint_eq(res.len, 2);
	ck_assert_ptr_nonnull(strstr(s.req, "GET /jwks HTTP/1.1\r\n"));
	ck_assert_ptr_nonnull(
		strstr(s.req, "\r\nAuthorization: Bearer tok\r\n"));
	ck_assert_ptr_nonnull(
		strstr(s.req, "\r\nAccept: application/json\r\n"));
	idp_http_res_free(&res);
}
END_TEST

START_TEST(test_post_basic)
{
	struct idp_http_res res;
	char url[64], *form = NULL, expect[128], cred[64];
	struct srv s;

	srv_start(
		&s,
		"HTTP/1.1 400 Bad Request\r\nContent-Length: 25\r\n\r\n{\"error\":\"invalid_grant\"}",
		0);
	snprintf(url, sizeof(url), "http://localhost:%d/token", s.port);
	ck_assert_int_eq(idp_form_add(&form, "code", "c/d"), 0);
	ck_assert_int_eq(idp_http_post_form(NULL, url, form, "my id:x",
					    "s%e:c ret", &res, err,
					    sizeof(err)),
			 0);
	srv_stop(&s);
	ck_assert_int_eq(res.status, 400);
	ck_assert_str_eq(res.body, "{\"error\":\"invalid_grant\"}");
	/* RFC 6749 2.3.1: both form-encoded, then joined by ':'. */
	sodium_bin2base64(cred, sizeof(cred),
			  (const unsigned char *)"my%20id%3Ax:s%25e%3Ac%20ret",
			  27, sodium_base64_VARIANT_ORIGINAL);
	snprintf(expect, sizeof(expect), "\r\nAuthorization: Basic %s\r\n",
		 cred);
	ck_assert_msg(strstr(s.req, expect), "%s", s.req);
	ck_assert_ptr_nonnull(strstr(s.req, "POST /token HTTP/1.1\r\n"));
	ck_assert_ptr_nonnull(strstr(
		s.req,
		"\r\nContent-Type: application/x-www-form-urlencoded\r\n"));
	ck_assert_ptr_nonnull(strstr(s.req, "\r\n\r\ncode=c%2Fd"));
	idp_http_res_free(&res);
	idp_free_secret(form);
}
END_TEST

START_TEST(test_no_redirects)
{
	struct idp_http_res res;
	struct srv s;
	char url[64];

	srv_start(
		&s,
		"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:9/x\r\nContent-Length: 0\r\n\r\n",
		0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", s.port);
	ck_assert_int_eq(idp_http_get(NULL, url, NULL, &res, err, sizeof(err)),
			 0);
	srv_stop(&s);
	ck_assert_int_eq(res.status, 302);
	ck_assert_str_eq(res.body, "");
	idp_http_res_free(&res);
}
END_TEST

START_TEST(test_too_big)
{
	struct idp_http_opts o = { .max_body = 1000 };
	struct idp_http_res res;
	struct srv s;
	char url[64];

	/* Said in advance. */
	srv_start(&s, "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n", 5000);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", s.port);
	ck_assert_int_eq(idp_http_get(&o, url, NULL, &res, err, sizeof(err)),
			 -EMSGSIZE);
	srv_stop(&s);
	ck_assert_ptr_nonnull(strstr(err, "larger than 1000 bytes"));
	ck_assert_ptr_null(res.body);
	/* Found out while reading. */
	srv_start(&s, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", 5000);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", s.port);
	ck_assert_int_eq(idp_http_get(&o, url, NULL, &res, err, sizeof(err)),
			 -EMSGSIZE);
	srv_stop(&s);
	ck_assert_ptr_nonnull(strstr(err, "larger than 1000 bytes"));
}
END_TEST

START_TEST(test_timeout)
{
	struct idp_http_opts o = { .timeout_ms = 300 };
	struct idp_http_res res;
	struct srv s;
	char url[64];

	srv_start(&s, NULL, 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", s.port);
	ck_assert_int_eq(idp_http_get(&o, url, NULL, &res, err, sizeof(err)),
			 -ETIMEDOUT);
	ck_assert_msg(strstr(err, url), "%s", err);
	srv_stop(&s);
}
END_TEST

START_TEST(test_refused_urls)
{
	struct idp_http_res res;

	ck_assert_int_eq(idp_http_get(NULL, "http://idp.example/", NULL, &res,
				      err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(
		err,
		"http://idp.example/: http is allowed only to 127.0.0.1, ::1 or localhost; use https");
	ck_assert_int_eq(idp_http_post_form(NULL, "gopher://127.0.0.1/", "a=b",
					    NULL, NULL, &res, err, sizeof(err)),
			 -EINVAL);
	ck_assert_int_eq(idp_http_get(NULL, "https://u:p@idp.example/", NULL,
				      &res, err, sizeof(err)),
			 -EINVAL);
	/* Nothing listens on port 9 (discard) here: a clear message. */
	ck_assert_int_eq(idp_http_get(NULL, "http://127.0.0.1:9/", NULL, &res,
				      err, sizeof(err)),
			 -EIO);
	ck_assert_msg(strstr(err, "http://127.0.0.1:9/: "), "%s", err);
}
END_TEST

Suite *portal_idp_http_suite(void)
{
	Suite *s = suite_create("portal_idp_http");
	TCase *tc = tcase_create("http");

	tcase_add_test(tc, test_get_ok);
	tcase_add_test(tc, test_post_basic);
	tcase_add_test(tc, test_no_redirects);
	tcase_add_test(tc, test_too_big);
	tcase_add_test(tc, test_timeout);
	tcase_add_test(tc, test_refused_urls);
	suite_add_tcase(s, tc);
	return s;
}
