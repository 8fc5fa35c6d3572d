/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Check suites of fzportal; check_main.c runs them all in one runner
 * so that one summary line covers every test.
 */
#ifndef FZ_PORTAL_TESTS_SUITES_H
#define FZ_PORTAL_TESTS_SUITES_H

#include <check.h>

Suite *portal_cli_suite(void);
Suite *portal_policy_cond_suite(void);
Suite *portal_policy_window_suite(void);
Suite *portal_policy_eval_suite(void);
Suite *portal_policy_choose_suite(void);
Suite *portal_token_suite(void);
Suite *portal_core_suite(void);
Suite *portal_store_suite(void);
Suite *portal_migrate_suite(void);
Suite *portal_auth_suite(void);
Suite *portal_core_log_suite(void);
Suite *portal_web_suite(void);
Suite *portal_web_form_suite(void);
Suite *portal_admin_suite(void);
Suite *portal_sig_suite(void);
Suite *portal_otp_suite(void);
Suite *portal_smtp_suite(void);
Suite *portal_idp_parse_suite(void);
Suite *portal_idp_idtoken_suite(void);
Suite *portal_idp_http_suite(void);
Suite *portal_idp_oidc_suite(void);
Suite *portal_store_signin_suite(void);
Suite *portal_admin_signin_suite(void);
Suite *portal_signin_flow_suite(void);

#endif /* FZ_PORTAL_TESTS_SUITES_H */
