// SPDX-License-Identifier: GPL-2.0
/*
 * The pages' parsers (web/form.c) against hostile input: forms and
 * queries, the Cookie header, HTML escaping and URL encoding.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../suites.h"
#include "web/web.h"

static int form(const char *body, const char *name, char *out, size_t len)
{
	return web_form_value(body, strlen(body), name, out, len);
}

START_TEST(test_form_basic)
{
	char v[64];

	ck_assert_int_eq(form("a=1&b=2", "b", v, sizeof(v)), 0);
	ck_assert_str_eq(v, "2");
	ck_assert_int_eq(form("email=a%40b.example&csrf=x+y%2Bz", "csrf", v,
			      sizeof(v)),
			 0);
	ck_assert_str_eq(v, "x y+z");
	ck_assert_int_eq(form("email=a%40b.example", "email", v, sizeof(v)), 0);
	ck_assert_str_eq(v, "a@b.example");
	ck_assert_int_eq(form("x=%6a%4A", "x", v, sizeof(v)), 0);
	ck_assert_str_eq(v, "jJ");
	ck_assert_int_eq(form("x=%C3%A9", "x", v, sizeof(v)), 0);
	ck_assert_str_eq(v, "\xc3\xa9");
	ck_assert_int_eq(form("a=b=c", "a", v, sizeof(v)), 0);
	ck_assert_str_eq(v, "b=c");
}
END_TEST

START_TEST(test_form_shapes)
{
	char v[64];

	/* Names are decoded too. */
	ck_assert_int_eq(form("st%61te=s1", "state", v, sizeof(v)), 0);
	ck_assert_str_eq(v, "s1");
	ck_assert_int_eq(form("my+name=1", "my name", v, sizeof(v)), 0);
	ck_assert_str_eq(v, "1");
	/* Empty values, empty pairs. */
	ck_assert_int_eq(form("a=&b=1", "a", v, sizeof(v)), 0);
	ck_assert_str_eq(v, "");
	ck_assert_int_eq(form("flag&b=1", "flag", v, sizeof(v)), 0);
	ck_assert_str_eq(v, "");
	ck_assert_int_eq(form("&&a=1&&", "a", v, sizeof(v)), 0);
	ck_assert_str_eq(v, "1");
	ck_assert_int_eq(form("", "a", v, sizeof(v)), -ENOENT);
	/* No prefix matches either way. */
	ck_assert_int_eq(form("ab=1&xa=2", "a", v, sizeof(v)), -ENOENT);
	ck_assert_str_eq(v, "");
	ck_assert_int_eq(form("a=1", "ab", v, sizeof(v)), -ENOENT);
	ck_assert_int_eq(form("A=1", "a", v, sizeof(v)), -ENOENT);
	/* The length bounds the input, not a NUL. */
	ck_assert_int_eq(web_form_value("a=12345", 3, "a", v, sizeof(v)), 0);
	ck_assert_str_eq(v, "1");
}
END_TEST

/* Each is malformed somewhere: nothing is read out of it. */
static const char *const bad_forms[] = {
	"a=%",	   "a=%4",	"a=%zz",   "a=%4g",   "a=%g4",
	"a=%00",   "%=1",	"a=1&b=%", "b=%&a=1", "a%zz=1&a=2",
	"a=1&a=2", "a=1&%61=2", "a=%%41",  "a=%+41",  "a=% 1",
};

START_TEST(test_form_malformed)
{
	char v[64] = "junk";

	ck_assert_msg(form(bad_forms[_i], "a", v, sizeof(v)) == -EINVAL, "%s",
		      bad_forms[_i]);
	ck_assert_str_eq(v, "");
}
END_TEST

START_TEST(test_form_nul_and_bounds)
{
	static const char with_nul[] = "a=1\0&b=2";
	char v[8] = "junk", big[4096];

	ck_assert_int_eq(web_form_value(with_nul, sizeof(with_nul) - 1, "b", v,
					sizeof(v)),
			 -EINVAL);
	ck_assert_str_eq(v, "");
	ck_assert_int_eq(web_form_value("a=\0", 3, "a", v, sizeof(v)), -EINVAL);
	/* 7 bytes and the NUL fit in 8; 8 do not. */
	ck_assert_int_eq(form("a=1234567", "a", v, sizeof(v)), 0);
	ck_assert_str_eq(v, "1234567");
	ck_assert_int_eq(form("a=12345678", "a", v, sizeof(v)), -ENOSPC);
	ck_assert_str_eq(v, "");
	ck_assert_int_eq(form("a=%41%41%41%41%41%41%41", "a", v, sizeof(v)), 0);
	ck_assert_int_eq(form("a=%41%41%41%41%41%41%41%41", "a", v, sizeof(v)),
			 -ENOSPC);
	ck_assert_int_eq(form("a=", "a", v, 1), 0);
	ck_assert_int_eq(form("a=1", "a", v, 1), -ENOSPC);
	ck_assert_int_eq(form("a=1", "a", v, 0), -EINVAL);
	ck_assert_int_eq(web_form_value(NULL, 0, "a", v, sizeof(v)), -EINVAL);
	ck_assert_int_eq(web_form_value("a=1", 3, NULL, v, sizeof(v)), -EINVAL);
	ck_assert_int_eq(web_form_value("a=1", 3, "a", NULL, 8), -EINVAL);
	/* Many pairs, the one asked for last. */
	memset(big, 0, sizeof(big));
	for (size_t i = 0; i + 8 < sizeof(big) - 16; i += 4)
		memcpy(big + i, "x=1&", 4);
	strcat(big, "q=ok");
	ck_assert_int_eq(form(big, "q", v, sizeof(v)), 0);
	ck_assert_str_eq(v, "ok");
	/* One of them twice. */
	ck_assert_int_eq(form(big, "x", v, sizeof(v)), -EINVAL);
}
END_TEST

START_TEST(test_query)
{
	char v[128];

	ck_assert_int_eq(
		web_query_value("state=S&nonce=N&redirect_uri=http%3A%2F%2F"
				"127.0.0.1%3A4242%2Fcallback",
				"redirect_uri", v, sizeof(v)),
		0);
	ck_assert_str_eq(v, "http://127.0.0.1:4242/callback");
	ck_assert_int_eq(web_query_value("", "state", v, sizeof(v)), -ENOENT);
	ck_assert_int_eq(web_query_value("state=a&state=b", "state", v,
					 sizeof(v)),
			 -EINVAL);
	ck_assert_int_eq(web_query_value(NULL, "state", v, sizeof(v)), -EINVAL);
	ck_assert_str_eq(v, "");
}
END_TEST

static int cookie(const char *c, const char *name, char *out, size_t len)
{
	return web_cookie_value(c, name, out, len);
}

START_TEST(test_cookie_basic)
{
	char v[64];

	ck_assert_int_eq(
		cookie("a=1; fz_flow=abc; b=2", "fz_flow", v, sizeof(v)), 0);
	ck_assert_str_eq(v, "abc");
	ck_assert_int_eq(cookie("a=1;fz_flow=abc", "fz_flow", v, sizeof(v)), 0);
	ck_assert_str_eq(v, "abc");
	ck_assert_int_eq(cookie("fz_flow=abc", "fz_flow", v, sizeof(v)), 0);
	ck_assert_int_eq(
		cookie(" \tfz_flow = abc \t; x=1", "fz_flow", v, sizeof(v)), 0);
	ck_assert_str_eq(v, "abc");
	ck_assert_int_eq(cookie("fz_flow=\"abc\"", "fz_flow", v, sizeof(v)), 0);
	ck_assert_str_eq(v, "abc");
	ck_assert_int_eq(cookie("fz_flow=", "fz_flow", v, sizeof(v)), 0);
	ck_assert_str_eq(v, "");
	ck_assert_int_eq(cookie("fz_flow=\"\"", "fz_flow", v, sizeof(v)), 0);
	ck_assert_str_eq(v, "");
	/* '=' is a cookie-octet; only the first one splits. */
	ck_assert_int_eq(cookie("t=a=b==", "t", v, sizeof(v)), 0);
	ck_assert_str_eq(v, "a=b==");
	/* Pairs without '=' are ignored (RFC 6265, 5.2). */
	ck_assert_int_eq(cookie("flag; a=1", "a", v, sizeof(v)), 0);
	ck_assert_str_eq(v, "1");
	ck_assert_int_eq(cookie("flag; a=1", "flag", v, sizeof(v)), -ENOENT);
}
END_TEST

START_TEST(test_cookie_hostile)
{
	char v[8] = "junk";

	/* Others' cookies are not ours to judge. */
	ck_assert_int_eq(
		cookie("ga=\"x, y\\z\"; a=ok; b=\x01", "a", v, sizeof(v)), 0);
	ck_assert_str_eq(v, "ok");
	/* Ours must be cookie-octets. */
	ck_assert_int_eq(cookie("a=x y", "a", v, sizeof(v)), -EINVAL);
	ck_assert_str_eq(v, "");
	ck_assert_int_eq(cookie("a=x,y", "a", v, sizeof(v)), -EINVAL);
	ck_assert_int_eq(cookie("a=x\\y", "a", v, sizeof(v)), -EINVAL);
	ck_assert_int_eq(cookie("a=x\"y", "a", v, sizeof(v)), -EINVAL);
	ck_assert_int_eq(cookie("a=\"xy", "a", v, sizeof(v)), -EINVAL);
	ck_assert_int_eq(cookie("a=\x7f", "a", v, sizeof(v)), -EINVAL);
	ck_assert_int_eq(cookie("a=\x1f", "a", v, sizeof(v)), -EINVAL);
	ck_assert_int_eq(cookie("a=\xc3\xa9", "a", v, sizeof(v)), -EINVAL);
	/* Twice: which one would be ours? */
	ck_assert_int_eq(cookie("a=1; a=2", "a", v, sizeof(v)), -EINVAL);
	ck_assert_int_eq(cookie("a=1; b=2; a=1", "a", v, sizeof(v)), -EINVAL);
	/* Names exactly. */
	ck_assert_int_eq(cookie("ab=1; xa=2; A=3", "a", v, sizeof(v)), -ENOENT);
	ck_assert_int_eq(cookie("b=a=1", "a", v, sizeof(v)), -ENOENT);
	ck_assert_int_eq(cookie("", "a", v, sizeof(v)), -ENOENT);
	ck_assert_int_eq(cookie(";;; ;", "a", v, sizeof(v)), -ENOENT);
	ck_assert_int_eq(cookie(NULL, "a", v, sizeof(v)), -ENOENT);
	ck_assert_int_eq(cookie("=1", "", v, sizeof(v)), -EINVAL);
	/* Bounds: 7 and the NUL fit in 8. */
	ck_assert_int_eq(cookie("a=1234567", "a", v, sizeof(v)), 0);
	ck_assert_int_eq(cookie("a=12345678", "a", v, sizeof(v)), -ENOSPC);
	ck_assert_str_eq(v, "");
	ck_assert_int_eq(cookie("a=\"1234567\"", "a", v, sizeof(v)), 0);
	ck_assert_str_eq(v, "1234567");
}
END_TEST

START_TEST(test_html_escape)
{
	static const char in[] = "<a href=\"x\">'&'</a>";
	static const char want[] = "&lt;a href=&quot;x&quot;&gt;&#39;&amp;"
				   "&#39;&lt;/a&gt;";
	char buf[sizeof(want)], *s = web_html_escape(in);

	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, want);
	free(s);
	ck_assert_int_eq(web_html_escape_buf(in, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, want);
	ck_assert_int_eq(web_html_escape_buf(in, buf, sizeof(buf) - 1),
			 -ENOSPC);
	ck_assert_str_eq(buf, "");
	/* An entity is never cut in half. */
	ck_assert_int_eq(web_html_escape_buf("a&", buf, 6), -ENOSPC);
	ck_assert_int_eq(web_html_escape_buf("a&", buf, 7), 0);
	ck_assert_str_eq(buf, "a&amp;");
	s = web_html_escape("");
	ck_assert_str_eq(s, "");
	free(s);
	s = web_html_escape("plain \xc3\xa9 text");
	ck_assert_str_eq(s, "plain \xc3\xa9 text");
	free(s);
	ck_assert_ptr_null(web_html_escape(NULL));
}
END_TEST

START_TEST(test_url_encode)
{
	static const char in[] = "a b&c=d/\xc3\xa9-._~\0z";
	char buf[64];

	ck_assert_int_eq(web_url_encode(in, sizeof(in) - 1, buf, sizeof(buf)),
			 0);
	ck_assert_str_eq(buf, "a%20b%26c%3Dd%2F%C3%A9-._~%00z");
	ck_assert_int_eq(web_url_encode("", 0, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(web_url_encode("ab", 2, buf, 3), 0);
	ck_assert_int_eq(web_url_encode("abc", 3, buf, 3), -ENOSPC);
	ck_assert_int_eq(web_url_encode("a ", 2, buf, 4), -ENOSPC);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(web_url_encode("a ", 2, buf, 5), 0);
	ck_assert_str_eq(buf, "a%20");
	/* What it encodes, the form parser reads back. */
	ck_assert_int_eq(web_url_encode("x&y=z+ %", 8, buf, sizeof(buf)), 0);
	{
		char q[80], v[16];

		strcpy(q, "v=");
		strcat(q, buf);
		ck_assert_int_eq(web_query_value(q, "v", v, sizeof(v)), 0);
		ck_assert_str_eq(v, "x&y=z+ %");
	}
}
END_TEST

START_TEST(test_media_type)
{
	static const char form[] = "application/x-www-form-urlencoded";

	ck_assert(web_media_type_is(form, form));
	ck_assert(web_media_type_is("Application/X-WWW-Form-URLEncoded", form));
	ck_assert(web_media_type_is(" application/x-www-form-urlencoded ; "
				    "charset=utf-8",
				    form));
	ck_assert(
		!web_media_type_is("application/x-www-form-urlencodedx", form));
	ck_assert(!web_media_type_is("text/plain", form));
	ck_assert(!web_media_type_is("multipart/form-data; boundary=x", form));
	ck_assert(!web_media_type_is("", form));
	ck_assert(!web_media_type_is(NULL, form));
	ck_assert(!web_media_type_is(form, ""));
}
END_TEST

Suite *portal_web_form_suite(void)
{
	Suite *s = suite_create("portal_web_form");
	TCase *tc = tcase_create("form");

	tcase_add_test(tc, test_form_basic);
	tcase_add_test(tc, test_form_shapes);
	tcase_add_loop_test(tc, test_form_malformed, 0,
			    sizeof(bad_forms) / sizeof(bad_forms[0]));
	tcase_add_test(tc, test_form_nul_and_bounds);
	tcase_add_test(tc, test_query);
	tcase_add_test(tc, test_media_type);
	suite_add_tcase(s, tc);
	tc = tcase_create("cookie");
	tcase_add_test(tc, test_cookie_basic);
	tcase_add_test(tc, test_cookie_hostile);
	suite_add_tcase(s, tc);
	tc = tcase_create("escape");
	tcase_add_test(tc, test_html_escape);
	tcase_add_test(tc, test_url_encode);
	suite_add_tcase(s, tc);
	return s;
}
