// SPDX-License-Identifier: GPL-2.0
/*
 * The sign-in callback as the loopback listener parses it (signin_cb.c)
 * and the portal URLs (portalurl.c): the one good request, and the many
 * a hostile page or local process could send instead.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lib/portalurl.h"
#include "cmd/signin.h"
#include "../suites.h"

#define STATE "rJTrZSyf6spMdp2K0bOaiHkku0ZsoJohohovMlWRgxI"
#define FRAG \
	"fz1_AAECAwQFBgcICQoLDA0ODw_CAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAg"
#define TAIL " HTTP/1.1\r\nHost: 127.0.0.1:4000\r\nUser-Agent: t\r\n\r\n"

static struct cmd_signin_callback cb;
static const char *why;

static void setup(void)
{
	ck_assert_int_eq(sodium_init() < 0, 0);
	why = NULL;
}

static int parse(const char *req)
{
	return cmd_signin_parse_callback(req, strlen(req), STATE, "acme", &cb,
					 &why);
}

START_TEST(test_good)
{
	ck_assert_int_eq(
		parse("GET /callback?state=" STATE "&fragment=" FRAG
		      "&account_slug=acme&actor_name=Bob%20Smith" TAIL),
		0);
	ck_assert_str_eq(cb.fragment, FRAG);
	ck_assert_str_eq(cb.actor, "Bob Smith");
	/* Any order, '+' for a space, unknown names ignored, HTTP/1.0. */
	ck_assert_int_eq(
		parse("GET /callback?x=1&actor_name=Ann+Lee&fragment=" FRAG
		      "&state=" STATE "&y HTTP/1.0\r\n\r\n"),
		0);
	ck_assert_str_eq(cb.actor, "Ann Lee");
	/* Without a name. */
	ck_assert_int_eq(
		parse("GET /callback?state=" STATE "&fragment=" FRAG TAIL), 0);
	ck_assert_str_eq(cb.actor, "");
}
END_TEST

/* Percent-encoded state and fragment decode to the same. */
START_TEST(test_encoded)
{
	ck_assert_int_eq(parse("GET /callback?state=%72JTrZSyf6spMdp2K0bOaiHkk"
			       "u0ZsoJohohovMlWRgxI&fragment=fz1%5F"
			       "AAECAwQFBgcICQoLDA0ODw_CAgICAgICAgICAgICAgIC"
			       "AgICAgICAgICAgICAgICAg" TAIL),
			 0);
	ck_assert_str_eq(cb.fragment, FRAG);
}
END_TEST

START_TEST(test_wrong_state)
{
	static const char *const states[] = {
		"rJTrZSyf6spMdp2K0bOaiHkku0ZsoJohohovMlWRgxJ", /* last char */
		"rJTrZSyf6spMdp2K0bOaiHkku0ZsoJohohovMlWRgx", /* prefix */
		"rJTrZSyf6spMdp2K0bOaiHkku0ZsoJohohovMlWRgxIA", /* longer */
		"",
		"%00",
	};
	char req[512];

	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		snprintf(req, sizeof(req),
			 "GET /callback?state=%s&fragment=" FRAG TAIL,
			 states[i]);
		ck_assert_int_eq(parse(req), i == 4 ? -EINVAL : -EACCES);
		ck_assert_str_eq(cb.fragment, "");
	}
	ck_assert_int_eq(parse("GET /callback?fragment=" FRAG TAIL), -EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "no state"));
}
END_TEST

START_TEST(test_malformed)
{
	static const char *const reqs[] = {
		"POST /callback?state=" STATE "&fragment=" FRAG TAIL,
		"get /callback?state=" STATE "&fragment=" FRAG TAIL,
		"GET /callback/?state=" STATE "&fragment=" FRAG TAIL,
		"GET /x/../callback?state=" STATE "&fragment=" FRAG TAIL,
		"GET /%63allback?state=" STATE "&fragment=" FRAG TAIL,
		"GET http://127.0.0.1/callback?state=" STATE
		"&fragment=" FRAG TAIL,
		"GET /callback?state=" STATE "&fragment=" FRAG
		" HTTP/2.0\r\n\r\n",
		"GET /callback?state=" STATE "&fragment=" FRAG "\r\n\r\n",
		"GET /callback?state=" STATE "&fragment=" FRAG
		" HTTP/1.1 x\r\n\r\n",
		"GET /callback?state=" STATE "&fragment=" FRAG "#x" TAIL,
		"GET /favicon.ico" TAIL,
		"GET /callback" TAIL,
		"\r\n\r\n",
		/* the fragment: missing, short, not fz1_, the whole token */
		"GET /callback?state=" STATE TAIL,
		"GET /callback?state=" STATE "&fragment=" TAIL,
		"GET /callback?state=" STATE "&fragment=fz1_abc" TAIL,
		"GET /callback?state=" STATE "&fragment=" STATE FRAG TAIL,
		"GET /callback?state=" STATE "&fragment" TAIL,
		/* given twice, another account, a decoded NUL */
		"GET /callback?state=" STATE "&state=" STATE
		"&fragment=" FRAG TAIL,
		"GET /callback?state=" STATE "&fragment=" FRAG
		"&fragment=" FRAG TAIL,
		"GET /callback?state=" STATE "&fragment=" FRAG
		"&account_slug=evil" TAIL,
		"GET /callback?state=" STATE "&fragment=" FRAG
		"&actor_name=a%00b" TAIL,
		"GET /callback?state=" STATE "%00&fragment=" FRAG TAIL,
	};

	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		int ret = parse(reqs[i]);

		ck_assert_msg(ret == -EINVAL || ret == -EACCES,
			      "reqs[%zu] gave %d", i, ret);
		ck_assert_ptr_nonnull(why);
		ck_assert_str_eq(cb.fragment, "");
	}
}
END_TEST

/* A NUL byte inside the request line is not a shorter line. */
START_TEST(test_nul_in_request)
{
	char req[] = "GET /callback?state=" STATE "&fragment=" FRAG TAIL;

	req[5] = '\0';
	ck_assert_int_eq(cmd_signin_parse_callback(req, sizeof(req) - 1, STATE,
						   "acme", &cb, &why),
			 -EINVAL);
}
END_TEST

START_TEST(test_incomplete_and_oversize)
{
	char *big = malloc(CMD_SIGNIN_REQUEST_MAX + 100);
	const char *req = "GET /callback?state=" STATE "&fragment=" FRAG TAIL;

	for (size_t n = 0; n < strlen(req); n++)
		ck_assert_int_eq(cmd_signin_parse_callback(req, n, STATE,
							   "acme", &cb, &why),
				 -EAGAIN);
	ck_assert_ptr_nonnull(big);
	memset(big, 'a', CMD_SIGNIN_REQUEST_MAX + 100);
	ck_assert_int_eq(cmd_signin_parse_callback(big, CMD_SIGNIN_REQUEST_MAX,
						   STATE, "acme", &cb, &why),
			 -EMSGSIZE);
	/* A header that ends past the limit is too large too. */
	memcpy(big + CMD_SIGNIN_REQUEST_MAX - 2, "\r\n\r\n", 4);
	ck_assert_int_eq(cmd_signin_parse_callback(big,
						   CMD_SIGNIN_REQUEST_MAX + 2,
						   STATE, "acme", &cb, &why),
			 -EMSGSIZE);
	free(big);
}
END_TEST

/* Thousands of parameters, long names and values: refused or ignored. */
START_TEST(test_hostile_query)
{
	size_t cap = CMD_SIGNIN_REQUEST_MAX, n;
	char *req = malloc(cap);
	int ret;

	ck_assert_ptr_nonnull(req);
	n = (size_t)snprintf(req, cap,
			     "GET /callback?state=" STATE "&fragment=" FRAG
			     "&actor_name=");
	while (n < cap - 200)
		req[n++] = 'x';
	strcpy(req + n, TAIL);
	ck_assert_int_eq(cmd_signin_parse_callback(req, strlen(req), STATE,
						   "acme", &cb, &why),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "too long"));
	n = (size_t)snprintf(req, cap,
			     "GET /callback?state=" STATE "&fragment=" FRAG);
	while (n < cap - 200)
		n += (size_t)snprintf(req + n, cap - n, "&%%%%&=&&==");
	strcpy(req + n, TAIL);
	ret = cmd_signin_parse_callback(req, strlen(req), STATE, "acme", &cb,
					&why);
	ck_assert_int_eq(ret, 0);
	/* Control characters of the name are not printed as they are. */
	ck_assert_int_eq(parse("GET /callback?state=" STATE "&fragment=" FRAG
			       "&actor_name=%1b%5b2J%0d%7f%C3%A9" TAIL),
			 0);
	ck_assert_str_eq(cb.actor, "?[2J??\xc3\xa9");
	free(req);
}
END_TEST

START_TEST(test_answers)
{
	char buf[512];
	int n;

	n = cmd_signin_answer(buf, sizeof(buf), 303,
			      "https://p.example/acme/signed_in", NULL);
	ck_assert_int_gt(n, 0);
	ck_assert(!strncmp(buf, "HTTP/1.1 303 See Other\r\n", 24));
	ck_assert_ptr_nonnull(strstr(
		buf, "\r\nLocation: https://p.example/acme/signed_in\r\n"));
	ck_assert_ptr_nonnull(strstr(buf, "Content-Length: 0\r\n\r\n"));
	n = cmd_signin_answer(buf, sizeof(buf), 400, NULL, "no");
	ck_assert(!strncmp(buf, "HTTP/1.1 400 Bad Request\r\n", 26));
	ck_assert_str_eq(buf + n - 24, "Content-Length: 3\r\n\r\nno\n");
	ck_assert_int_eq(cmd_signin_answer(buf, 16, 400, NULL, "no"), -ENOSPC);
}
END_TEST

static void check_url(const char *base, const char *want)
{
	char err[256] = "", *text;
	CURLU *u = fz_portal_url(base, "/acme/sign_in", err, sizeof(err));

	if (!want) {
		ck_assert_msg(!u, "accepted %s", base);
		ck_assert_ptr_nonnull(strstr(err, base));
		return;
	}
	ck_assert_msg(u != NULL, "refused %s: %s", base, err);
	text = fz_portal_url_text(u);
	ck_assert_str_eq(text, want);
	curl_free(text);
	curl_url_cleanup(u);
}

START_TEST(test_portal_urls)
{
	check_url("https://p.example", "https://p.example/acme/sign_in");
	check_url("https://p.example/", "https://p.example/acme/sign_in");
	check_url("https://p.example:8443/fz/",
		  "https://p.example:8443/fz/acme/sign_in");
	check_url("http://127.0.0.1:4000",
		  "http://127.0.0.1:4000/acme/sign_in");
	check_url("http://localhost:1", "http://localhost:1/acme/sign_in");
	check_url("http://[::1]:1", "http://[::1]:1/acme/sign_in");
	check_url("http://127.9.9.9", "http://127.9.9.9/acme/sign_in");
	check_url("http://p.example", NULL);
	check_url("http://128.0.0.1", NULL);
	check_url("http://[::2]", NULL);
	check_url("http://127.0.0.1.p.example", NULL);
	check_url("ftp://127.0.0.1", NULL);
	check_url("p.example", NULL);
	check_url("https://u:pw@p.example", NULL);
	check_url("https://u@p.example", NULL);
	check_url("https://p.example/?x=1", NULL);
	check_url("https://p.example/#x", NULL);
	check_url("", NULL);
}
END_TEST

START_TEST(test_portal_query)
{
	static const char *const names[] = { "state", "redirect_uri" };
	const char *values[] = { "a-b_c", "http://127.0.0.1:5/callback" };
	char err[64];
	CURLU *u = fz_portal_url("https://p.example", "/acme/sign_in", err,
				 sizeof(err));
	char *text = fz_portal_url_query(u, names, values, 2);

	ck_assert_str_eq(text, "https://p.example/acme/sign_in?state=a-b_c&"
			       "redirect_uri=http%3A%2F%2F127.0.0.1%3A5%2F"
			       "callback");
	free(text);
	curl_url_cleanup(u);
}
END_TEST

Suite *signin_suite(void)
{
	Suite *s = suite_create("signin");
	TCase *tc = tcase_create("signin");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_good);
	tcase_add_test(tc, test_encoded);
	tcase_add_test(tc, test_wrong_state);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_nul_in_request);
	tcase_add_test(tc, test_incomplete_and_oversize);
	tcase_add_test(tc, test_hostile_query);
	tcase_add_test(tc, test_answers);
	tcase_add_test(tc, test_portal_urls);
	tcase_add_test(tc, test_portal_query);
	suite_add_tcase(s, tc);
	return s;
}
