// SPDX-License-Identifier: GPL-2.0
/*
 * lib/lwslog.c: lws's process-wide log taken in one place. A second
 * context's set-up (daemon/health.c after signal/) must not take the
 * lines from the first's sink, and every line comes cleaned.
 */
#include <string.h>

#include <libwebsockets.h>

#include "lib/lwslog.h"
#include "../suites.h"

static char got[2][256];

static void sink(void *ctx, const char *line)
{
	snprintf(got[*(int *)ctx], sizeof(got[0]), "%s", line);
}

START_TEST(test_lwslog_one_place)
{
	int a = 0, b = 1;

	memset(got, 0, sizeof(got));
	fz_lws_log_init();
	fz_lws_log_take(sink, &a);
	fz_lws_log_init(); /* as health.c does, later */
	lwsl_err("from the network: \x1b[2J%s\n", "x");
	ck_assert_str_eq(got[0], "from the network: ?[2Jx");
	fz_lws_log_take(sink, &b);
	lwsl_err("second\r\n");
	ck_assert_str_eq(got[1], "second");
	fz_lws_log_put(&b);
	lwsl_err("first again");
	ck_assert_str_eq(got[0], "first again");
	fz_lws_log_put(&a);
	fz_lws_log_put(&a); /* twice: harmless */
}
END_TEST

Suite *lwslog_suite(void)
{
	Suite *s = suite_create("lwslog");
	TCase *tc = tcase_create("lwslog");

	tcase_add_test(tc, test_lwslog_one_place);
	suite_add_tcase(s, tc);
	return s;
}
