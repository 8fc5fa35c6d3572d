// SPDX-License-Identifier: GPL-2.0
/*
 * fzportal's top level: the overview, --version and unknown commands,
 * run as the built binary ($FZPORTAL) the way a user runs it.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "../suites.h"

/* Runs "$FZPORTAL ARGS 2>&1" and returns its exit status and output. */
static int run(const char *args, char *out, size_t len)
{
	const char *bin = getenv("FZPORTAL");
	char cmd[512];
	size_t n;
	FILE *p;
	int status;

	ck_assert_msg(bin && *bin, "FZPORTAL names the built fzportal");
	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", bin, args);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	n = fread(out, 1, len - 1, p);
	out[n] = '\0';
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

START_TEST(test_help_lists_commands)
{
	char out[4096];

	ck_assert_int_eq(run("--help", out, sizeof(out)), 0);
	ck_assert_ptr_nonnull(strstr(out, "Usage: fzportal <command>"));
	ck_assert_ptr_nonnull(strstr(out, "  help "));
}
END_TEST

START_TEST(test_version)
{
	char out[256];

	ck_assert_int_eq(run("--version", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "fzportal 0.1.0\n");
}
END_TEST

START_TEST(test_unknown_command_fails)
{
	char out[1024];

	ck_assert_int_eq(run("frobnicate", out, sizeof(out)), 1);
	ck_assert_ptr_nonnull(
		strstr(out, "fzportal: frobnicate: unknown command"));
	ck_assert_int_eq(run("--frob", out, sizeof(out)), 1);
	ck_assert_ptr_nonnull(strstr(out, "fzportal: --frob: unknown option"));
}
END_TEST

START_TEST(test_no_arguments_is_usage)
{
	char out[4096];

	ck_assert_int_eq(run("", out, sizeof(out)), 1);
	ck_assert_ptr_nonnull(strstr(out, "Usage: fzportal"));
}
END_TEST

Suite *portal_cli_suite(void)
{
	Suite *s = suite_create("portal_cli");
	TCase *tc = tcase_create("main");

	tcase_add_test(tc, test_help_lists_commands);
	tcase_add_test(tc, test_version);
	tcase_add_test(tc, test_unknown_command_fails);
	tcase_add_test(tc, test_no_arguments_is_usage);
	suite_add_tcase(s, tc);
	return s;
}
