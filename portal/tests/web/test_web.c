// SPDX-License-Identifier: GPL-2.0
/*
 * The web wing's pure parts: the Phoenix frame classifier and replies,
 * and the token bucket, with time given as numbers.
 */
#include <check.h>
#include <string.h>

#include "../suites.h"
#include "web/frame.h"
#include "web/rate.h"
#include "web/web.h"

static struct web_frame parse(const char *text)
{
	struct web_frame f;

	web_frame_parse(text, strlen(text), &f);
	return f;
}

START_TEST(test_heartbeat)
{
	struct web_frame f =
		parse("{\"topic\":\"phoenix\",\"event\":"
		      "\"heartbeat\",\"payload\":{},\"ref\":\"9\"}");
	char buf[WEB_FRAME_REPLY_MAX];

	ck_assert_int_eq(f.kind, WEB_FRAME_HEARTBEAT);
	ck_assert_str_eq(f.ref, "\"9\"");
	ck_assert_uint_gt(web_frame_reply_ok(buf, sizeof(buf), &f), 0);
	ck_assert_str_eq(buf, "{\"topic\":\"phoenix\",\"event\":\"phx_reply\","
			      "\"payload\":{\"status\":\"ok\",\"response\":{}},"
			      "\"ref\":\"9\"}");
}
END_TEST

START_TEST(test_message_kinds)
{
	ck_assert_int_eq(parse("{\"topic\":\"client\",\"event\":\"phx_join\","
			       "\"payload\":{\"a\":[1]},\"ref\":3}")
				 .kind,
			 WEB_FRAME_MESSAGE);
	ck_assert_int_eq(parse("{\"topic\":\"x\",\"event\":\"y\","
			       "\"payload\":{}}")
				 .kind,
			 WEB_FRAME_MESSAGE);
	ck_assert_int_eq(parse("{\"topic\":\"x\",\"event\":\"y\","
			       "\"payload\":{},\"ref\":null}")
				 .kind,
			 WEB_FRAME_MESSAGE);
}
END_TEST

/* Each is not a frame; the ref is kept when it could be read. */
static const struct {
	const char *text, *ref;
} invalid[] = {
	{ "", "null" },
	{ "not json", "null" },
	{ "[1,2]", "null" },
	{ "{\"topic\":\"x\",\"event\":\"y\",\"ref\":\"r\"}", "\"r\"" },
	{ "{\"topic\":\"x\",\"event\":\"y\",\"payload\":[],\"ref\":\"r\"}",
	  "\"r\"" },
	{ "{\"topic\":1,\"event\":\"y\",\"payload\":{},\"ref\":\"r\"}",
	  "\"r\"" },
	{ "{\"topic\":\"x\",\"event\":\"y\",\"payload\":{},\"ref\":[1]}",
	  "null" },
	{ "{\"topic\":\"x\",\"event\":\"y\",\"payload\":{}} {}", "null" },
	{ "{\"topic\":\"x\",\"event\":\"y\",\"payload\":{}", "null" },
	{ "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{}}}}}}}}}",
	  "null" },
};

START_TEST(test_invalid)
{
	struct web_frame f = parse(invalid[_i].text);
	char buf[WEB_FRAME_REPLY_MAX], want[256];

	ck_assert_msg(f.kind == WEB_FRAME_INVALID, "%s", invalid[_i].text);
	ck_assert_str_eq(f.ref, invalid[_i].ref);
	ck_assert_uint_gt(web_frame_reply_error(buf, sizeof(buf), &f,
						"invalid_message"),
			  0);
	snprintf(want, sizeof(want),
		 "{\"event\":\"phx_reply\",\"ref\":%s,\"payload\":{\"status\":"
		 "\"error\",\"response\":{\"reason\":\"invalid_message\"}}}",
		 invalid[_i].ref);
	ck_assert_str_eq(buf, want);
}
END_TEST

START_TEST(test_long_ref_and_topic)
{
	char text[512], big[200];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snprintf(
		text, sizeof(text),
		"{\"topic\":\"t\",\"event\":\"e\",\"payload\":{},\"ref\":\"%s\"}",
		big);
	ck_assert_int_eq(parse(text).kind, WEB_FRAME_INVALID);
	snprintf(text, sizeof(text),
		 "{\"topic\":\"%s\",\"event\":\"e\",\"payload\":{},\"ref\":1}",
		 big);
	ck_assert_int_eq(parse(text).kind, WEB_FRAME_INVALID);
}
END_TEST

/* A topic is JSON-escaped into the reply, never spliced raw. */
START_TEST(test_reply_escapes_topic)
{
	struct web_frame f =
		parse("{\"topic\":\"a\\\"b\",\"event\":\"e\",\"payload\":{},"
		      "\"ref\":\"1\"}");
	char buf[WEB_FRAME_REPLY_MAX];

	ck_assert_int_eq(f.kind, WEB_FRAME_MESSAGE);
	web_frame_reply_error(buf, sizeof(buf), &f, "rate_limited");
	ck_assert_str_eq(buf, "{\"topic\":\"a\\\"b\",\"event\":\"phx_reply\","
			      "\"ref\":\"1\",\"payload\":{\"status\":\"error\","
			      "\"response\":{\"reason\":\"rate_limited\"}}}");
}
END_TEST

START_TEST(test_rate_burst_then_rate)
{
	struct web_rate r;
	int ok = 0;

	web_rate_init(&r, WEB_RATE_PER_S, WEB_RATE_BURST, 1000);
	for (int i = 0; i < WEB_RATE_BURST; i++)
		ok += web_rate_take(&r, 1000) == WEB_RATE_OK;
	ck_assert_int_eq(ok, WEB_RATE_BURST);
	ck_assert_int_eq(web_rate_take(&r, 1000), WEB_RATE_REFUSE);
	/* 50 ms later one message (20/s) has been earned back. */
	ck_assert_int_eq(web_rate_take(&r, 1050), WEB_RATE_OK);
	ck_assert_int_eq(web_rate_take(&r, 1050), WEB_RATE_REFUSE);
	/* A long pause refills to the burst, not beyond. */
	ok = 0;
	for (int i = 0; i < 2 * WEB_RATE_BURST; i++)
		ok += web_rate_take(&r, 1000000) == WEB_RATE_OK;
	ck_assert_int_eq(ok, WEB_RATE_BURST);
}
END_TEST

START_TEST(test_rate_close_after_run)
{
	struct web_rate r;
	enum web_rate_verdict v = WEB_RATE_OK;
	int refused = 0;

	web_rate_init(&r, WEB_RATE_PER_S, WEB_RATE_BURST, 0);
	for (int i = 0; i < WEB_RATE_BURST; i++)
		web_rate_take(&r, 0);
	while ((v = web_rate_take(&r, 0)) == WEB_RATE_REFUSE)
		refused++;
	ck_assert_int_eq(v, WEB_RATE_CLOSE);
	ck_assert_uint_eq(refused, WEB_RATE_CLOSE_RUN(&r) - 1);
}
END_TEST

/* 25 a second is over for good: closed within about 20 s. */
START_TEST(test_rate_close_when_persistently_over)
{
	enum web_rate_verdict v = WEB_RATE_OK;
	struct web_rate r;
	uint64_t t;

	web_rate_init(&r, WEB_RATE_PER_S, WEB_RATE_BURST, 0);
	for (t = 0; t < 60000 && v != WEB_RATE_CLOSE; t += 40)
		v = web_rate_take(&r, t);
	ck_assert_int_eq(v, WEB_RATE_CLOSE);
	ck_assert_uint_gt(t, 15000);
	ck_assert_uint_lt(t, 30000);
}
END_TEST

/* Going over once and calming down is forgiven. */
START_TEST(test_rate_forgiven)
{
	struct web_rate r;

	web_rate_init(&r, WEB_RATE_PER_S, WEB_RATE_BURST, 0);
	for (unsigned int i = 0;
	     i < WEB_RATE_BURST + WEB_RATE_CLOSE_RUN(&r) - 1; i++)
		web_rate_take(&r, 0);
	ck_assert_int_eq(web_rate_take(&r, 2500), WEB_RATE_OK); /* full */
	for (int i = 0; i < WEB_RATE_BURST - 1; i++)
		web_rate_take(&r, 2500);
	ck_assert_int_eq(web_rate_take(&r, 2500), WEB_RATE_REFUSE);
}
END_TEST

/*
 * A gateway acks every authorization: 200 acks in 2 s (a wave of new
 * clients) are all within its budget, where a client's would refuse.
 */
START_TEST(test_rate_gateway_budget)
{
	struct web_rate gw, cl;
	int ok_gw = 0, ok_cl = 0;

	web_rate_init(&gw, WEB_GW_RATE_PER_S, WEB_GW_RATE_BURST, 0);
	web_rate_init(&cl, WEB_RATE_PER_S, WEB_RATE_BURST, 0);
	for (uint64_t t = 0; t < 2000; t += 10) {
		ok_gw += web_rate_take(&gw, t) == WEB_RATE_OK;
		ok_cl += web_rate_take(&cl, t) == WEB_RATE_OK;
	}
	ck_assert_int_eq(ok_gw, 200);
	ck_assert_int_lt(ok_cl, 100);
	/* A second's worth at once on top of the burst: over. */
	for (int i = 0; i < WEB_GW_RATE_BURST; i++)
		web_rate_take(&gw, 2000);
	ck_assert_int_ne(web_rate_take(&gw, 2000), WEB_RATE_OK);
}
END_TEST

START_TEST(test_rate_clock_back)
{
	struct web_rate r;

	web_rate_init(&r, WEB_RATE_PER_S, WEB_RATE_BURST, 5000);
	for (int i = 0; i < WEB_RATE_BURST; i++)
		web_rate_take(&r, 5000);
	ck_assert_int_eq(web_rate_take(&r, 10), WEB_RATE_REFUSE);
}
END_TEST

Suite *portal_web_suite(void)
{
	Suite *s = suite_create("portal_web");
	TCase *tc = tcase_create("frame");

	tcase_add_test(tc, test_heartbeat);
	tcase_add_test(tc, test_message_kinds);
	tcase_add_loop_test(tc, test_invalid, 0,
			    sizeof(invalid) / sizeof(invalid[0]));
	tcase_add_test(tc, test_long_ref_and_topic);
	tcase_add_test(tc, test_reply_escapes_topic);
	suite_add_tcase(s, tc);
	tc = tcase_create("rate");
	tcase_add_test(tc, test_rate_burst_then_rate);
	tcase_add_test(tc, test_rate_close_after_run);
	tcase_add_test(tc, test_rate_close_when_persistently_over);
	tcase_add_test(tc, test_rate_forgiven);
	tcase_add_test(tc, test_rate_clock_back);
	tcase_add_test(tc, test_rate_gateway_budget);
	suite_add_tcase(s, tc);
	return s;
}
