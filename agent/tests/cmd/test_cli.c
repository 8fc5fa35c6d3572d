// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end tests of the fzagent binary named by $FZAGENT (set by
 * `make check`): dispatch, help, errors, and key interoperability with
 * wg(8). A test that needs a missing tool fails; it does not skip.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/keys.h"
#include "../runbin.h"
#include "../suites.h"

#define WG "/usr/bin/wg"

static void setup(void)
{
	fzt_tmpdir_make("fzagent-check");
}

static void teardown(void)
{
	fzt_tmpdir_remove();
}

static void check_key_line(const char *line)
{
	uint8_t key[FZ_KEY_LEN];

	ck_assert_uint_eq(strlen(line), FZ_KEY_B64_LEN + 1);
	ck_assert_int_eq(line[FZ_KEY_B64_LEN], '\n');
	ck_assert_int_eq(fz_key_from_base64(key, line, FZ_KEY_B64_LEN), 0);
}

START_TEST(test_version)
{
	struct run r;

	fzt_run(&r, "\"$FZAGENT\" --version");
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out, "fzagent 0.1.0\n");
	ck_assert_str_eq(r.err, "");
	fzt_run_free(&r);
}
END_TEST

START_TEST(test_help_lists_commands)
{
	static const char *const names[] = { "show", "genkey", "pubkey",
					     "help" };
	struct run a, b;

	fzt_run(&a, "\"$FZAGENT\" --help");
	fzt_run(&b, "\"$FZAGENT\" help");
	ck_assert_int_eq(a.status, 0);
	ck_assert_int_eq(b.status, 0);
	ck_assert_str_eq(a.out, b.out);
	ck_assert_str_eq(a.err, "");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char row[32];

		snprintf(row, sizeof(row), "\n  %s ", names[i]);
		ck_assert_msg(strstr(a.out, row), "help does not list %s",
			      names[i]);
	}
	fzt_run_free(&a);
	fzt_run_free(&b);
}
END_TEST

START_TEST(test_subcommand_help)
{
	static const char *const sections[] = { "NAME", "SYNOPSIS",
						"DESCRIPTION", "OPTIONS",
						"EXAMPLES" };
	static const char *const cmds[] = { "show", "genkey", "pubkey" };
	struct run r, alias;

	for (size_t c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++) {
		fzt_run(&r, "\"$FZAGENT\" %s --help", cmds[c]);
		fzt_run(&alias, "\"$FZAGENT\" help %s", cmds[c]);
		ck_assert_int_eq(r.status, 0);
		ck_assert_str_eq(r.err, "");
		ck_assert_str_eq(r.out, alias.out);
		for (size_t s = 0; s < sizeof(sections) / sizeof(sections[0]);
		     s++)
			ck_assert_msg(strstr(r.out, sections[s]),
				      "%s --help lacks %s", cmds[c],
				      sections[s]);
		fzt_run_free(&r);
		fzt_run_free(&alias);
		fzt_run(&r, "\"$FZAGENT\" %s -h", cmds[c]);
		ck_assert_int_eq(r.status, 0);
		fzt_run_free(&r);
	}
}
END_TEST

START_TEST(test_unknown_command)
{
	struct run r;

	fzt_run(&r, "\"$FZAGENT\" frobnicate");
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.out, "");
	ck_assert_ptr_nonnull(strstr(r.err, "fzagent: frobnicate: "));
	ck_assert_ptr_nonnull(strstr(r.err, "fzagent --help"));
	fzt_run_free(&r);

	fzt_run(&r, "\"$FZAGENT\" help frobnicate");
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "frobnicate"));
	fzt_run_free(&r);

	fzt_run(&r, "\"$FZAGENT\" --frobnicate");
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(
		strstr(r.err, "fzagent: --frobnicate: unknown option"));
	fzt_run_free(&r);

	fzt_run(&r, "\"$FZAGENT\"");
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "Usage:"));
	fzt_run_free(&r);
}
END_TEST

START_TEST(test_usage_errors)
{
	static const struct {
		const char *args;
		const char *why;
	} cases[] = {
		{ "genkey extra", "genkey takes no arguments" },
		{ "pubkey extra", "pubkey takes no arguments" },
		{ "show --bogus", "unknown long option" },
		{ "show -x", "unknown short option" },
		{ "show a b", "one interface at most" },
	};
	struct run r;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fzt_run(&r, "\"$FZAGENT\" %s </dev/null", cases[i].args);
		ck_assert_msg(r.status == 1, "'%s' (%s) exited %d",
			      cases[i].args, cases[i].why, r.status);
		ck_assert_msg(!strncmp(r.err, "fzagent: ", 9),
			      "'%s' printed '%s'", cases[i].args, r.err);
		ck_assert_str_eq(r.out, "");
		fzt_run_free(&r);
	}
}
END_TEST

START_TEST(test_genkey_pubkey_pipeline)
{
	struct run priv, pub, pipe;
	uint8_t key[FZ_KEY_LEN];

	fzt_run(&priv, "\"$FZAGENT\" genkey");
	ck_assert_int_eq(priv.status, 0);
	check_key_line(priv.out);
	ck_assert_int_eq(fz_key_from_base64(key, priv.out, FZ_KEY_B64_LEN), 0);
	ck_assert_int_eq(key[0] & 7, 0);
	ck_assert_int_eq(key[31] & 0xc0, 0x40);

	fzt_run(&pub, "printf '%%s' '%s' | \"$FZAGENT\" pubkey", priv.out);
	ck_assert_int_eq(pub.status, 0);
	check_key_line(pub.out);
	ck_assert_str_ne(pub.out, priv.out);

	fzt_run(&pipe, "\"$FZAGENT\" genkey | \"$FZAGENT\" pubkey");
	ck_assert_int_eq(pipe.status, 0);
	check_key_line(pipe.out);
	ck_assert_str_eq(pipe.err, "");
	fzt_run_free(&priv);
	fzt_run_free(&pub);
	fzt_run_free(&pipe);
}
END_TEST

static void require_wg(void)
{
	ck_assert_msg(access(WG, X_OK) == 0,
		      WG " is missing: install wireguard-tools; this test "
			 "compares fzagent with wg and must not be skipped");
}

START_TEST(test_pubkey_matches_wg)
{
	struct run priv, ours, theirs;

	require_wg();
	fzt_run(&priv, "\"$FZAGENT\" genkey");
	ck_assert_int_eq(priv.status, 0);
	fzt_run(&ours, "printf '%%s' '%s' | \"$FZAGENT\" pubkey", priv.out);
	fzt_run(&theirs, "printf '%%s' '%s' | " WG " pubkey", priv.out);
	ck_assert_int_eq(ours.status, 0);
	ck_assert_int_eq(theirs.status, 0);
	ck_assert_str_eq(ours.out, theirs.out);
	fzt_run_free(&priv);
	fzt_run_free(&ours);
	fzt_run_free(&theirs);

	/* And the other way round: a key from wg genkey. */
	fzt_run(&priv, WG " genkey");
	ck_assert_int_eq(priv.status, 0);
	fzt_run(&ours, "printf '%%s' '%s' | \"$FZAGENT\" pubkey", priv.out);
	fzt_run(&theirs, "printf '%%s' '%s' | " WG " pubkey", priv.out);
	ck_assert_int_eq(ours.status, 0);
	ck_assert_str_eq(ours.out, theirs.out);
	fzt_run_free(&priv);
	fzt_run_free(&ours);
	fzt_run_free(&theirs);
}
END_TEST

/* The RFC 7748 private key is not clamped; both tools clamp it alike. */
START_TEST(test_unclamped_key_matches_wg)
{
	static const char priv[] =
		"dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=";
	static const char pub[] =
		"hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=\n";
	struct run ours, theirs;

	require_wg();
	fzt_run(&ours, "echo %s | \"$FZAGENT\" pubkey", priv);
	fzt_run(&theirs, "echo %s | " WG " pubkey", priv);
	ck_assert_str_eq(ours.out, pub);
	ck_assert_str_eq(theirs.out, pub);
	fzt_run_free(&ours);
	fzt_run_free(&theirs);
}
END_TEST

START_TEST(test_pubkey_rejects_bad_input)
{
	static const char *const inputs[] = {
		"printf garbage",
		"printf ''",
		/* Two newlines, CRLF, leading space, 43 and 45 characters. */
		"printf 'hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=\\n\\n'",
		"printf 'hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=\\r\\n'",
		"printf ' hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo='",
		"printf 'hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo'",
		"printf 'hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=='",
		/* Non-canonical last character. */
		"printf 'hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmp='",
	};
	struct run r;

	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		fzt_run(&r, "%s | \"$FZAGENT\" pubkey", inputs[i]);
		ck_assert_msg(r.status == 1, "input %zu: exit %d", i, r.status);
		ck_assert_str_eq(r.out, "");
		ck_assert_str_eq(r.err, "fzagent: pubkey: invalid private key "
					"on standard input\n");
		fzt_run_free(&r);
	}
	/* No newline at all is fine. */
	fzt_run(&r, "printf 'dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=' | "
		    "\"$FZAGENT\" pubkey");
	ck_assert_int_eq(r.status, 0);
	fzt_run_free(&r);
}
END_TEST

START_TEST(test_genkey_warns_on_world_readable_file)
{
	struct run r;

	fzt_run(&r, "umask 022; \"$FZAGENT\" genkey > \"$T/open.key\"");
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.err, "world accessible"));
	fzt_run_free(&r);

	fzt_run(&r, "umask 077; \"$FZAGENT\" genkey > \"$T/private.key\"");
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.err, "");
	fzt_run_free(&r);

	/* A pipe is not a file: no warning. */
	fzt_run(&r, "umask 022; \"$FZAGENT\" genkey | cat > /dev/null");
	ck_assert_str_eq(r.err, "");
	fzt_run_free(&r);
}
END_TEST

START_TEST(test_show_missing_device)
{
	static const char *const names[] = { "nosuchfz0", "lo" };
	char want[96];
	struct run r;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		fzt_run(&r, "\"$FZAGENT\" show %s", names[i]);
		snprintf(want, sizeof(want),
			 "fzagent: show: %s: no such fz device\n", names[i]);
		ck_assert_int_eq(r.status, 1);
		ck_assert_str_eq(r.out, "");
		ck_assert_str_eq(r.err, want);
		fzt_run_free(&r);
	}
}
END_TEST

/*
 * Where no fz interface exists, show prints nothing and succeeds; where
 * some exist (a test VM), it must at least print them in the right shape.
 */
START_TEST(test_show_all)
{
	struct run r;

	fzt_run(&r, "\"$FZAGENT\" show");
	ck_assert_int_eq(r.status, 0);
	ck_assert(!*r.out || !strncmp(r.out, "interface: ", 11));
	fzt_run_free(&r);

	fzt_run(&r, "\"$FZAGENT\" show --json");
	ck_assert_int_eq(r.status, 0);
	ck_assert(!*r.out || r.out[0] == '{');
	fzt_run_free(&r);
}
END_TEST

Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("cli");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_version);
	tcase_add_test(tc, test_help_lists_commands);
	tcase_add_test(tc, test_subcommand_help);
	tcase_add_test(tc, test_unknown_command);
	tcase_add_test(tc, test_usage_errors);
	tcase_add_test(tc, test_genkey_pubkey_pipeline);
	tcase_add_test(tc, test_pubkey_matches_wg);
	tcase_add_test(tc, test_unclamped_key_matches_wg);
	tcase_add_test(tc, test_pubkey_rejects_bad_input);
	tcase_add_test(tc, test_genkey_warns_on_world_readable_file);
	tcase_add_test(tc, test_show_missing_device);
	tcase_add_test(tc, test_show_all);
	suite_add_tcase(s, tc);
	return s;
}
