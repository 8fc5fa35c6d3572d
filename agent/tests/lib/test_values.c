// SPDX-License-Identifier: GPL-2.0
/*
 * values.c: UUIDs and expiries in their text forms (moved here from the
 * authorizations file's tests with the code).
 */
#include <stdint.h>

#include "lib/values.h"
#include "../suites.h"

#define NOW (1700000000ULL * 1000000000ULL)
#define ID1 "0b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c11"

START_TEST(test_values)
{
	uint8_t id[FZ_RESOURCE_ID_LEN];
	char text[37];
	uint64_t t;

	ck_assert_int_eq(fz_uuid_parse(ID1, id), 0);
	fz_uuid_format(text, id);
	ck_assert_str_eq(text, ID1);
	ck_assert_int_eq(
		fz_uuid_parse("0B8D7C4E-2F6A-4D1E-9C3B-5A7E8F9D0C11", id), 0);
	ck_assert_int_ne(
		fz_uuid_parse("0b8d7c4e2f6a-4d1e-9c3b-5a7e8f9d0c11-", id), 0);
	ck_assert_int_eq(fz_expiry_parse("never", NOW, &t), 0);
	ck_assert_uint_eq(t, 0);
	ck_assert_int_eq(fz_expiry_parse("+10", NOW, &t), 0);
	ck_assert_uint_eq(t, NOW + 10000000000ULL);
	ck_assert_int_eq(fz_expiry_parse("1970-01-01T00:00:01.5Z", NOW, &t), 0);
	ck_assert_uint_eq(t, 1500000000ULL);
	ck_assert_int_eq(fz_expiry_parse("2026-11-22T10:00:00+00:00", NOW, &t),
			 0);
	ck_assert_int_ne(fz_expiry_parse("2026-11-22T10:00:00+01:00", NOW, &t),
			 0);
	ck_assert_int_ne(fz_expiry_parse("2026-13-22T10:00:00Z", NOW, &t), 0);
	ck_assert_int_ne(fz_expiry_parse("2026-11-22 10:00:00Z", NOW, &t), 0);
	ck_assert_int_ne(fz_expiry_parse("+", NOW, &t), 0);
	ck_assert_int_ne(fz_expiry_parse("+-1", NOW, &t), 0);
	ck_assert_int_ne(fz_expiry_parse("tomorrow", NOW, &t), 0);
}
END_TEST

Suite *values_suite(void)
{
	Suite *s = suite_create("values");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_values);
	suite_add_tcase(s, tc);
	return s;
}
