// SPDX-License-Identifier: GPL-2.0
/*
 * Test runner: every suite in one SRunner. Check forks per test, so a
 * crash or a sanitizer report fails that test rather than the run.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "suites.h"
#include "ctl/ctl.h"

/* What a test left in the agents' directory, by name. */
static void say_left(const char *dir)
{
	struct dirent *e;
	DIR *d;

	perror(dir);
	d = opendir(dir);
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			fprintf(stderr, "  left behind: %s\n", e->d_name);
	if (d)
		closedir(d);
}

int main(void)
{
	char ctl_dir[] = "/tmp/fzagent-units.XXXXXX";
	SRunner *sr = srunner_create(keys_suite());
	int failed;

	/* Agents the tests start put their sockets here, not in /run. */
	if (!mkdtemp(ctl_dir)) {
		perror("mkdtemp");
		return EXIT_FAILURE;
	}
	setenv(CTL_DIR_ENV, ctl_dir, 1);
	srunner_add_suite(sr, format_suite());
	srunner_add_suite(sr, clock_suite());
	srunner_add_suite(sr, values_suite());
	srunner_add_suite(sr, cidr_suite());
	srunner_add_suite(sr, filter_suite());
	srunner_add_suite(sr, resaddr_suite());
	srunner_add_suite(sr, defroute_suite());
	srunner_add_suite(sr, json_suite());
	srunner_add_suite(sr, device_suite());
	srunner_add_suite(sr, print_suite());
	srunner_add_suite(sr, tokenfile_suite());
	srunner_add_suite(sr, cli_suite());
	srunner_add_suite(sr, signin_suite());
	srunner_add_suite(sr, signal_suite());
	srunner_add_suite(sr, noise_suite());
	srunner_add_suite(sr, config_suite());
	srunner_add_suite(sr, handshake_suite());
	srunner_add_suite(sr, ctl_suite());
	srunner_add_suite(sr, kernel_suite());
	srunner_add_suite(sr, nl_suite());
	srunner_add_suite(sr, agent_cli_suite());
	srunner_add_suite(sr, daemon_suite());
	srunner_add_suite(sr, health_suite());
	srunner_add_suite(sr, gw_auth_suite());
	srunner_add_suite(sr, gw_index_suite());
	srunner_add_suite(sr, p2p_suite());
	srunner_add_suite(sr, sig_suite());
	srunner_add_suite(sr, gw_portal_suite());
	srunner_add_suite(sr, gateway_suite());
	srunner_add_suite(sr, gw_portal_msg_suite());
	srunner_add_suite(sr, keyindex_suite());
	srunner_add_suite(sr, lwslog_suite());
	srunner_add_suite(sr, secpool_suite());
	srunner_add_suite(sr, sockaddr_suite());
	srunner_add_suite(sr, client_mapped_suite());
	srunner_add_suite(sr, client_dnsmsg_suite());
	srunner_add_suite(sr, client_dnsstub_suite());
	srunner_add_suite(sr, client_sysdns_suite());
	srunner_add_suite(sr, client_resources_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (rmdir(ctl_dir))
		say_left(ctl_dir); /* a test left a socket behind */
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
