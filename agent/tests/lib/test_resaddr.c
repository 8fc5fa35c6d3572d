// SPDX-License-Identifier: GPL-2.0
/*
 * resaddr.c: the resource addresses the gateway's file and the portal
 * both accept, type by type, and the ones both refuse.
 */
#include <string.h>
#include <sys/socket.h>

#include "lib/resaddr.h"
#include "../suites.h"

static struct fz_resaddr a;
static const char *why;

static int parse(enum fz_resaddr_type type, const char *text)
{
	why = NULL;
	return fz_resaddr_parse(type, text, &a, &why);
}

START_TEST(test_types)
{
	enum fz_resaddr_type t;

	ck_assert_int_eq(fz_resaddr_type_parse("dns", &t), 0);
	ck_assert_int_eq(t, FZ_RESADDR_DNS);
	ck_assert_int_eq(fz_resaddr_type_parse("CIDR", &t), 0);
	ck_assert_int_eq(t, FZ_RESADDR_CIDR);
	ck_assert_int_eq(fz_resaddr_type_parse("Ip", &t), 0);
	ck_assert_int_eq(t, FZ_RESADDR_IP);
	ck_assert_int_ne(fz_resaddr_type_parse("web", &t), 0);
	ck_assert_int_ne(fz_resaddr_type_parse("", &t), 0);
	ck_assert_int_ne(fz_resaddr_type_parse("dns ", &t), 0);
	ck_assert_str_eq(fz_resaddr_type_name(FZ_RESADDR_CIDR), "cidr");
	ck_assert_str_eq(fz_resaddr_type_name((enum fz_resaddr_type)7), "?");
}
END_TEST

START_TEST(test_dns)
{
	char longest[FZ_DOMAIN_MAX + 2];

	ck_assert_int_eq(parse(FZ_RESADDR_DNS, "GitLab.Company.test"), 0);
	ck_assert_str_eq(a.domain, "gitlab.company.test");
	ck_assert_int_eq(parse(FZ_RESADDR_DNS, "*.example.com"), 0);
	ck_assert_str_eq(a.domain, "*.example.com");
	ck_assert_int_eq(parse(FZ_RESADDR_DNS, "**.Example.com"), 0);
	ck_assert_str_eq(a.domain, "**.example.com");
	ck_assert_int_eq(parse(FZ_RESADDR_DNS, "localhost"), 0);
	static const char *const bad[] = {
		"",    "a..b",	  "*.*.b",	  "***.b",
		"*",   "*.",	  "a.*.b",	  "foo bar.com",
		"x/y", "-a.com.", "10.0.0.0/8",	  ".a.com",
		"**",  "a.com*",  "*example.com", "é.com",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		ck_assert_msg(parse(FZ_RESADDR_DNS, bad[i]) != 0, "%s", bad[i]);
		ck_assert_ptr_nonnull(strstr(why, "not a domain name"));
	}
	/* 253 bytes pass; a wildcard prefix may not push past them. */
	memset(longest, 'a', sizeof(longest));
	for (size_t i = 63; i < FZ_DOMAIN_MAX; i += 64)
		longest[i] = '.';
	longest[FZ_DOMAIN_MAX] = '\0';
	ck_assert_int_eq(parse(FZ_RESADDR_DNS, longest), 0);
	memcpy(longest, "*.", 2);
	ck_assert_int_eq(parse(FZ_RESADDR_DNS, longest), 0);
	longest[FZ_DOMAIN_MAX] = 'a';
	longest[FZ_DOMAIN_MAX + 1] = '\0';
	ck_assert_int_ne(parse(FZ_RESADDR_DNS, longest), 0);
}
END_TEST

START_TEST(test_cidr)
{
	ck_assert_int_eq(parse(FZ_RESADDR_CIDR, "10.0.0.0/24"), 0);
	ck_assert_uint_eq(a.cidr.family, AF_INET);
	ck_assert_uint_eq(a.cidr.cidr, 24);
	ck_assert_int_eq(parse(FZ_RESADDR_CIDR, "fd00::/64"), 0);
	ck_assert_uint_eq(a.cidr.family, AF_INET6);
	ck_assert_int_eq(parse(FZ_RESADDR_CIDR, "10.0.0.1"), 0);
	ck_assert_uint_eq(a.cidr.cidr, 32);
	ck_assert_int_eq(parse(FZ_RESADDR_CIDR, "0.0.0.0/0"), 0);
	ck_assert_int_ne(parse(FZ_RESADDR_CIDR, "10.0.0.1/24"), 0);
	ck_assert_str_eq(why, "host bits are set");
	ck_assert_int_ne(parse(FZ_RESADDR_CIDR, "10.0.0.0/33"), 0);
	ck_assert_str_eq(why, "invalid prefix length");
	ck_assert_int_ne(parse(FZ_RESADDR_CIDR, "fd00::/129"), 0);
	ck_assert_int_ne(parse(FZ_RESADDR_CIDR, "10.0.0.0/"), 0);
	ck_assert_int_ne(parse(FZ_RESADDR_CIDR, "10.0.0.0/x"), 0);
	ck_assert_int_ne(parse(FZ_RESADDR_CIDR, "example.com"), 0);
	ck_assert_str_eq(why, "not an IP address");
	ck_assert_int_ne(parse(FZ_RESADDR_CIDR, ""), 0);
	ck_assert_int_ne(parse(FZ_RESADDR_CIDR, "10.0.0.256/32"), 0);
}
END_TEST

START_TEST(test_ip)
{
	ck_assert_int_eq(parse(FZ_RESADDR_IP, "10.0.0.1"), 0);
	ck_assert_uint_eq(a.cidr.cidr, 32);
	ck_assert_int_eq(parse(FZ_RESADDR_IP, "10.0.0.1/32"), 0);
	ck_assert_int_eq(parse(FZ_RESADDR_IP, "fd00::1"), 0);
	ck_assert_uint_eq(a.cidr.cidr, 128);
	ck_assert_int_eq(parse(FZ_RESADDR_IP, "fd00::1/128"), 0);
	ck_assert_int_ne(parse(FZ_RESADDR_IP, "10.0.0.0/24"), 0);
	ck_assert_ptr_nonnull(strstr(why, "Type ip is one address"));
	ck_assert_int_ne(parse(FZ_RESADDR_IP, "fd00::/64"), 0);
	ck_assert_int_ne(parse(FZ_RESADDR_IP, "host.test"), 0);
	ck_assert_int_ne(parse(FZ_RESADDR_IP, " 10.0.0.1"), 0);
	ck_assert_int_ne(parse((enum fz_resaddr_type)9, "10.0.0.1"), 0);
	ck_assert_str_eq(why, "unknown resource type");
}
END_TEST

Suite *resaddr_suite(void)
{
	Suite *s = suite_create("resaddr");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_types);
	tcase_add_test(tc, test_dns);
	tcase_add_test(tc, test_cidr);
	tcase_add_test(tc, test_ip);
	suite_add_tcase(s, tc);
	return s;
}
