// SPDX-License-Identifier: GPL-2.0
/*
 * cidr.c and ini.c: the one address parser and the one INI reader that
 * the config file and the authorizations file share.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/cidr.h"
#include "lib/ini.h"
#include "../suites.h"

static int parse(const char *text, struct fz_cidr *c, const char **why)
{
	return fz_cidr_parse(c, text, strlen(text), why);
}

START_TEST(test_cidr_parse)
{
	struct fz_cidr c;
	const char *why;

	ck_assert_int_eq(parse("10.0.0.1", &c, &why), 0);
	ck_assert_uint_eq(c.family, AF_INET);
	ck_assert_uint_eq(c.cidr, 32);
	ck_assert_int_eq(parse("fd00::/64", &c, &why), 0);
	ck_assert_uint_eq(c.family, AF_INET6);
	ck_assert_uint_eq(c.cidr, 64);
	ck_assert_int_eq(parse("10.0.0.1/0", &c, &why), 0);
	ck_assert_uint_eq(c.cidr, 0);
	ck_assert_int_eq(parse("10.0.0.300", &c, &why), -EINVAL);
	ck_assert_str_eq(why, "not an IP address");
	ck_assert_int_eq(parse("10.0.0.1/", &c, &why), -EINVAL);
	ck_assert_str_eq(why, "missing prefix length");
	ck_assert_int_eq(parse("10.0.0.1/+8", &c, &why), -EINVAL);
	ck_assert_str_eq(why, "prefix length is not a number");
	ck_assert_int_eq(parse("10.0.0.1/33", &c, &why), -EINVAL);
	ck_assert_str_eq(why, "prefix length above 32");
	ck_assert_int_eq(parse("::1/99999x", &c, &why), -EINVAL);
	ck_assert_str_eq(why, "prefix length is not a number");
	ck_assert_int_eq(parse("::1/129", &c, &why), -EINVAL);
	ck_assert_str_eq(why, "prefix length above 128");
	/* The length is of the text given, not up to a NUL. */
	ck_assert_int_eq(fz_cidr_parse(&c, "10.0.0.1,x/8", 8, &why), 0);
	ck_assert_uint_eq(c.cidr, 32);
}
END_TEST

START_TEST(test_cidr_ranges)
{
	struct fz_cidr c;
	const char *why;

	ck_assert_int_eq(parse("100.64.0.2", &c, &why), 0);
	ck_assert(fz_cidr_in_tunnel(&c) && !fz_cidr_in_mapped(&c));
	ck_assert_int_eq(parse("100.95.255.255", &c, &why), 0);
	ck_assert(fz_cidr_in_tunnel(&c) && !fz_cidr_in_mapped(&c));
	ck_assert_int_eq(parse("100.96.0.1", &c, &why), 0);
	ck_assert(!fz_cidr_in_tunnel(&c) && fz_cidr_in_mapped(&c));
	ck_assert_int_eq(parse("100.128.0.1", &c, &why), 0);
	ck_assert(!fz_cidr_in_tunnel(&c) && !fz_cidr_in_mapped(&c));
	ck_assert_int_eq(parse("fd00:2021:1111::2", &c, &why), 0);
	ck_assert(fz_cidr_in_tunnel(&c) && !fz_cidr_in_mapped(&c));
	ck_assert_int_eq(parse("fd00:2021:1111:8000::2", &c, &why), 0);
	ck_assert(!fz_cidr_in_tunnel(&c) && fz_cidr_in_mapped(&c));
	ck_assert_int_eq(parse("fd00:2021:1111:8000::20:0", &c, &why), 0);
	ck_assert(!fz_cidr_in_mapped(&c));
	ck_assert_int_eq(parse("10.1.0.0/16", &c, &why), 0);
	ck_assert(fz_cidr_host_bits_clear(&c));
	ck_assert_int_eq(parse("10.1.0.1/16", &c, &why), 0);
	ck_assert(!fz_cidr_host_bits_clear(&c));
	ck_assert_int_eq(parse("fd00::/7", &c, &why), 0);
	ck_assert(!fz_cidr_host_bits_clear(&c));
}
END_TEST

struct ini_log {
	char text[512];
	unsigned int line;
};

static void add(struct ini_log *l, const char *fmt, const char *a,
		const char *b)
{
	size_t n = strlen(l->text);

	snprintf(l->text + n, sizeof(l->text) - n, fmt, l->line, a, b);
}

static int on_section(void *ctx, char *line)
{
	add(ctx, "%u S %s%s;", line, "");
	return 0;
}

static int on_key(void *ctx, char *key, char *value)
{
	add(ctx, "%u K %s=%s;", key, value);
	return 0;
}

static int on_error(void *ctx, const char *msg)
{
	add(ctx, "%u E %s%s;", msg, "");
	return -EINVAL;
}

static int read_ini(const char *text, struct ini_log *l)
{
	char buf[256];
	const struct fz_ini ini = {
		.section = on_section,
		.key = on_key,
		.error = on_error,
		.ctx = l,
		.line = &l->line,
		.max_line = 20,
	};

	memset(l, 0, sizeof(*l));
	snprintf(buf, sizeof(buf), "%s", text);
	return fz_ini_parse(&ini, buf, strlen(buf));
}

/* Equal whatever the padding and the unused bytes of an IPv4 address. */
START_TEST(test_cidr_equal)
{
	struct fz_cidr a, b;
	const char *why;

	memset(&a, 0xaa, sizeof(a));
	memset(&b, 0x55, sizeof(b));
	a.family = b.family = AF_INET;
	a.cidr = b.cidr = 24;
	memcpy(a.addr, "\x0a\x01\x02\x00", 4);
	memcpy(b.addr, "\x0a\x01\x02\x00", 4);
	ck_assert(fz_cidr_equal(&a, &b));
	b.cidr = 25;
	ck_assert(!fz_cidr_equal(&a, &b));
	ck_assert_int_eq(fz_cidr_parse(&a, "fd00::1/128", 11, &why), 0);
	ck_assert_int_eq(fz_cidr_parse(&b, "fd00::1", 7, &why), 0);
	ck_assert(fz_cidr_equal(&a, &b));
	ck_assert_int_eq(fz_cidr_parse(&b, "fd00::2", 7, &why), 0);
	ck_assert(!fz_cidr_equal(&a, &b));
	b = a;
	b.family = AF_INET;
	ck_assert(!fz_cidr_equal(&a, &b));
}
END_TEST

START_TEST(test_ini)
{
	struct ini_log l;

	ck_assert_int_eq(read_ini("# c\n [A] \n\nk = v # x\n  k2=\n", &l), 0);
	ck_assert_str_eq(l.text, "2 S [A];4 K k=v;5 K k2=;");
	ck_assert_int_eq(read_ini("[A]\nno equals\nk=v\n", &l), -EINVAL);
	ck_assert_str_eq(l.text,
			 "1 S [A];2 E expected 'Key = Value' or a [Section];");
	ck_assert_int_eq(read_ini(" = v\n", &l), -EINVAL);
	ck_assert_str_eq(l.text, "1 E missing key before '=';");
	ck_assert_int_eq(read_ini("k=v\nk=123456789012345678901\n", &l),
			 -EINVAL);
	ck_assert_str_eq(l.text, "1 K k=v;2 E line longer than 20 bytes;");
}
END_TEST

Suite *cidr_suite(void)
{
	Suite *s = suite_create("cidr");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_cidr_parse);
	tcase_add_test(tc, test_cidr_ranges);
	tcase_add_test(tc, test_cidr_equal);
	tcase_add_test(tc, test_ini);
	suite_add_tcase(s, tc);
	return s;
}
