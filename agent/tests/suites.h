/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Check suites of fzagent; check_main.c runs them all in one runner
 * so that one summary line covers every test.
 */
#ifndef FZ_AGENT_TESTS_SUITES_H
#define FZ_AGENT_TESTS_SUITES_H

#include <check.h>

Suite *keys_suite(void);
Suite *format_suite(void);
Suite *json_suite(void);
Suite *device_suite(void);
Suite *print_suite(void);
Suite *cli_suite(void);
Suite *noise_suite(void);
Suite *config_suite(void);
Suite *handshake_suite(void);
Suite *ctl_suite(void);
Suite *kernel_suite(void);
Suite *nl_suite(void);
Suite *agent_cli_suite(void);
Suite *daemon_suite(void);
Suite *gw_auth_suite(void);
Suite *gw_index_suite(void);
Suite *p2p_suite(void);
Suite *gateway_suite(void);
Suite *keyindex_suite(void);
Suite *lwslog_suite(void);
Suite *secpool_suite(void);
Suite *clock_suite(void);
Suite *values_suite(void);
Suite *cidr_suite(void);
Suite *filter_suite(void);
Suite *resaddr_suite(void);
Suite *sig_suite(void);
Suite *gw_portal_suite(void);
Suite *gw_portal_msg_suite(void);
Suite *health_suite(void);
Suite *defroute_suite(void);
Suite *tokenfile_suite(void);
Suite *signin_suite(void);
Suite *signal_suite(void);
Suite *sockaddr_suite(void);
Suite *client_mapped_suite(void);
Suite *client_dnsmsg_suite(void);
Suite *client_dnsstub_suite(void);
Suite *client_sysdns_suite(void);
Suite *client_resources_suite(void);

#endif /* FZ_AGENT_TESTS_SUITES_H */
