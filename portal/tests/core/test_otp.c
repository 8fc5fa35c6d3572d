// SPDX-License-Identifier: GPL-2.0
/*
 * core/otp.c: codes are six digits, leading zeros kept, every digit used
 * in every place; what users type normalises (spaces, dashes) or is
 * refused; verify says yes to the code only.
 */
#include <errno.h>
#include <sodium.h>
#include <string.h>

#include "core/otp.h"
#include "../suites.h"

#define DRAWS 20000

static bool all_digits(const char *s)
{
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

START_TEST(test_new_shape_and_spread)
{
	unsigned int count[CORE_OTP_DIGITS][10] = { { 0 } };
	bool leading_zero = false;
	char code[CORE_OTP_DIGITS + 1];

	ck_assert_int_ge(sodium_init(), 0);
	for (int i = 0; i < DRAWS; i++) {
		core_otp_new(code);
		ck_assert_uint_eq(strlen(code), CORE_OTP_DIGITS);
		ck_assert(all_digits(code));
		leading_zero |= code[0] == '0';
		for (int d = 0; d < CORE_OTP_DIGITS; d++)
			count[d][code[d] - '0']++;
	}
	/* 2,000 expected per cell; 1,700..2,300 is over 7 sigma wide. */
	for (int d = 0; d < CORE_OTP_DIGITS; d++)
		for (int v = 0; v < 10; v++) {
			ck_assert_uint_gt(count[d][v], 1700);
			ck_assert_uint_lt(count[d][v], 2300);
		}
	ck_assert(leading_zero);
}
END_TEST

START_TEST(test_normalise)
{
	static const char *const good[] = {
		"012345",	"012 345",	" 012-345 ", "0-1-2-3-4-5",
		"\t012345\t",	"012\u00a0345", /* no-break space */
		"012\u2013345", /* en dash */
		"012\u202f345", /* narrow no-break space */
		"012\u2212345", /* minus */
		"012\u3000345", /* ideographic space */
	};
	char code[CORE_OTP_DIGITS + 1];

	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
		ck_assert_msg(!core_otp_normalise(code, good[i], NULL),
			      "refused '%s'", good[i]);
		ck_assert_str_eq(code, "012345");
	}
}
END_TEST

START_TEST(test_normalise_refuses)
{
	static const char *const bad[] = {
		"",
		"12345",
		"1234567",
		"012_345",
		"012.345",
		"O12345",
		"012345\n",
		"01234a",
		"+012345",
		"０12345",
		"012\xe2\x80"
		"345",
		"01\xc2"
		"2345",
		"1 2 3 4 5 6 7",
		"000000000000000000000000000000000000000000000000000000000000000000",
	};
	char code[CORE_OTP_DIGITS + 1];
	const char *why;

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		memset(code, 'x', sizeof(code));
		why = NULL;
		ck_assert_msg(core_otp_normalise(code, bad[i], &why) == -EINVAL,
			      "accepted '%s'", bad[i]);
		ck_assert_ptr_nonnull(why);
		ck_assert(
			!memcmp(code, (char[sizeof(code)]){ 0 }, sizeof(code)));
	}
	ck_assert_int_eq(core_otp_normalise(code, NULL, NULL), -EINVAL);
}
END_TEST

START_TEST(test_verify)
{
	uint8_t hash[CORE_OTP_HASH_LEN], again[CORE_OTP_HASH_LEN];
	char code[CORE_OTP_DIGITS + 1], typed[16], other[CORE_OTP_DIGITS + 1];

	ck_assert_int_ge(sodium_init(), 0);
	core_otp_new(code);
	core_otp_hash(hash, code);
	core_otp_hash(again, code);
	ck_assert_mem_eq(hash, again, sizeof(hash));
	ck_assert(core_otp_verify(hash, code));
	snprintf(typed, sizeof(typed), "%.3s - %.3s", code, code + 3);
	ck_assert(core_otp_verify(hash, typed));

	/* Every other code in the last digit, and garbage, say no. */
	for (char c = '0'; c <= '9'; c++) {
		memcpy(other, code, sizeof(other));
		if (other[5] == c)
			continue;
		other[5] = c;
		ck_assert(!core_otp_verify(hash, other));
	}
	ck_assert(!core_otp_verify(hash, ""));
	ck_assert(!core_otp_verify(hash, NULL));
	ck_assert(!core_otp_verify(hash, "abcdef"));
}
END_TEST

/* The hash is keyed: not the plain BLAKE2b of the code. */
START_TEST(test_hash_is_keyed)
{
	uint8_t keyed[CORE_OTP_HASH_LEN], plain[CORE_OTP_HASH_LEN];

	ck_assert_int_ge(sodium_init(), 0);
	core_otp_hash(keyed, "123456");
	crypto_generichash(plain, sizeof(plain), (const uint8_t *)"123456", 6,
			   NULL, 0);
	ck_assert(memcmp(keyed, plain, sizeof(plain)));
}
END_TEST

Suite *portal_otp_suite(void)
{
	Suite *s = suite_create("portal_otp");
	TCase *tc = tcase_create("otp");

	tcase_add_test(tc, test_new_shape_and_spread);
	tcase_add_test(tc, test_normalise);
	tcase_add_test(tc, test_normalise_refuses);
	tcase_add_test(tc, test_verify);
	tcase_add_test(tc, test_hash_is_keyed);
	suite_add_tcase(s, tc);
	return s;
}
