// SPDX-License-Identifier: GPL-2.0
/*
 * Test runner: every suite in one SRunner. Check forks per test, so a
 * crash or a sanitizer report fails that test rather than the run.
 */
#include <stdlib.h>

#include "suites.h"

int main(void)
{
	SRunner *sr = srunner_create(portal_cli_suite());
	int failed;

	srunner_add_suite(sr, portal_policy_cond_suite());
	srunner_add_suite(sr, portal_policy_window_suite());
	srunner_add_suite(sr, portal_policy_eval_suite());
	srunner_add_suite(sr, portal_policy_choose_suite());
	srunner_add_suite(sr, portal_token_suite());
	srunner_add_suite(sr, portal_core_suite());
	srunner_add_suite(sr, portal_store_suite());
	srunner_add_suite(sr, portal_migrate_suite());
	srunner_add_suite(sr, portal_auth_suite());
	srunner_add_suite(sr, portal_core_log_suite());
	srunner_add_suite(sr, portal_web_suite());
	srunner_add_suite(sr, portal_web_form_suite());
	srunner_add_suite(sr, portal_admin_suite());
	srunner_add_suite(sr, portal_sig_suite());
	srunner_add_suite(sr, portal_otp_suite());
	srunner_add_suite(sr, portal_smtp_suite());
	srunner_add_suite(sr, portal_idp_parse_suite());
	srunner_add_suite(sr, portal_idp_idtoken_suite());
	srunner_add_suite(sr, portal_idp_http_suite());
	srunner_add_suite(sr, portal_idp_oidc_suite());
	srunner_add_suite(sr, portal_store_signin_suite());
	srunner_add_suite(sr, portal_admin_signin_suite());
	srunner_add_suite(sr, portal_signin_flow_suite());

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
