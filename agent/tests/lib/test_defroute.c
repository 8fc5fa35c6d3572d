// SPDX-License-Identifier: GPL-2.0
/*
 * defroute.c: the default routes' interfaces from files in the kernel's
 * format (their interface "lo", whose addresses every host has), and
 * lines that are not routes.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/defroute.h"
#include "../suites.h"

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(test_defroute)
{
	char r4[64], r6[64], ip[INET6_ADDRSTRLEN];
	struct fz_cidr out[8];
	int n;

	snprintf(r4, sizeof(r4), "/tmp/fzroute4-%d", (int)getpid());
	snprintf(r6, sizeof(r6), "/tmp/fzroute6-%d", (int)getpid());
	write_text(
		r4,
		"Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\t"
		"Metric\tMask\t\tMTU\tWindow\tIRTT\n"
		"eth9\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
		"lo\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
		"garbage\n");
	/* IPv6: an unreachable default on lo (flags 0x200) does not count. */
	write_text(r6, "00000000000000000000000000000000 00 "
		       "00000000000000000000000000000000 00 "
		       "00000000000000000000000000000000 ffffffff 00000001 "
		       "00000000 00200201       lo\n");
	n = fz_default_route_addrs(r4, r6, out, 8);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(inet_ntop(AF_INET, out[0].addr, ip, sizeof(ip)),
			 "127.0.0.1");
	ck_assert_uint_eq(out[0].cidr, 32);
	/* No default route at all: none, no error. */
	write_text(r4, "Iface\tDestination\n");
	write_text(r6, "");
	ck_assert_int_eq(fz_default_route_addrs(r4, r6, out, 8), 0);
	/* Missing files: none. */
	unlink(r4);
	unlink(r6);
	ck_assert_int_eq(fz_default_route_addrs(r4, r6, out, 8), 0);
}
END_TEST

Suite *defroute_suite(void)
{
	Suite *s = suite_create("defroute");
	TCase *tc = tcase_create("defroute");

	tcase_add_test(tc, test_defroute);
	suite_add_tcase(s, tc);
	return s;
}
