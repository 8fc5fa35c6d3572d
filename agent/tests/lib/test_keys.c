// SPDX-License-Identifier: GPL-2.0
/*
 * keys.c: RFC 7748 vectors, and base64 that accepts exactly what wg(8)
 * prints and nothing else.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "lib/keys.h"
#include "../suites.h"

/* RFC 7748 section 6.1, Alice's key pair. */
static const char rfc_priv_hex[] =
	"77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
static const char rfc_pub_hex[] =
	"8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
static const char rfc_priv_b64[] =
	"dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=";
static const char rfc_pub_b64[] =
	"hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=";

static void from_hex(uint8_t out[FZ_KEY_LEN], const char *hex)
{
	size_t len = 0;

	ck_assert_int_eq(sodium_hex2bin(out, FZ_KEY_LEN, hex, strlen(hex), NULL,
					&len, NULL),
			 0);
	ck_assert_uint_eq(len, FZ_KEY_LEN);
}

static void setup(void)
{
	ck_assert_int_eq(fz_keys_init(), 0);
}

/* fz_key_from_base64() on a NUL-terminated string. */
static int decode(uint8_t key[FZ_KEY_LEN], const char *b64)
{
	return fz_key_from_base64(key, b64, strlen(b64));
}

START_TEST(test_rfc7748_public_key)
{
	uint8_t priv[FZ_KEY_LEN], pub[FZ_KEY_LEN], want[FZ_KEY_LEN];

	from_hex(priv, rfc_priv_hex);
	from_hex(want, rfc_pub_hex);
	ck_assert_int_eq(fz_key_public_from_private(pub, priv), 0);
	ck_assert_mem_eq(pub, want, FZ_KEY_LEN);
}
END_TEST

START_TEST(test_rfc7748_base64)
{
	uint8_t priv[FZ_KEY_LEN], pub[FZ_KEY_LEN], key[FZ_KEY_LEN];
	char b64[FZ_KEY_B64_LEN + 1];

	from_hex(priv, rfc_priv_hex);
	from_hex(pub, rfc_pub_hex);
	fz_key_to_base64(b64, priv);
	ck_assert_str_eq(b64, rfc_priv_b64);
	fz_key_to_base64(b64, pub);
	ck_assert_str_eq(b64, rfc_pub_b64);
	ck_assert_int_eq(decode(key, rfc_pub_b64), 0);
	ck_assert_mem_eq(key, pub, FZ_KEY_LEN);
}
END_TEST

START_TEST(test_base64_round_trip)
{
	uint8_t key[FZ_KEY_LEN], back[FZ_KEY_LEN];
	char b64[FZ_KEY_B64_LEN + 1];

	for (int i = 0; i < 256; i++) {
		randombytes_buf(key, sizeof(key));
		key[i % FZ_KEY_LEN] = (uint8_t)i; /* every byte value */
		fz_key_to_base64(b64, key);
		ck_assert_uint_eq(strlen(b64), FZ_KEY_B64_LEN);
		ck_assert_int_eq(b64[FZ_KEY_B64_LEN - 1], '=');
		ck_assert_int_eq(decode(back, b64), 0);
		ck_assert_mem_eq(back, key, FZ_KEY_LEN);
	}
}
END_TEST

START_TEST(test_base64_rejects_wrong_length)
{
	uint8_t key[FZ_KEY_LEN];
	char buf[64];

	/* 43 characters: the padding dropped, or one data character. */
	ck_assert_int_eq(fz_key_from_base64(key, rfc_pub_b64, 43), -EINVAL);
	snprintf(buf, sizeof(buf), "%.42s=", rfc_pub_b64);
	ck_assert_int_eq(decode(key, buf), -EINVAL);
	/* 45 characters. */
	snprintf(buf, sizeof(buf), "%s=", rfc_pub_b64);
	ck_assert_int_eq(decode(key, buf), -EINVAL);
	snprintf(buf, sizeof(buf), "%sA", rfc_pub_b64);
	ck_assert_int_eq(decode(key, buf), -EINVAL);
	/* Trailing newline is the caller's business, not the decoder's. */
	snprintf(buf, sizeof(buf), "%s\n", rfc_pub_b64);
	ck_assert_int_eq(decode(key, buf), -EINVAL);
	ck_assert_int_eq(decode(key, ""), -EINVAL);
	/* 31 bytes of data padded to 44 characters. */
	ck_assert_int_eq(decode(key,
				"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="),
			 -EINVAL);
}
END_TEST

START_TEST(test_base64_rejects_bad_characters)
{
	static const char bad[] = { '!', '-', '_', ' ', '\n', '.', '\0', '=' };
	uint8_t key[FZ_KEY_LEN];
	char buf[FZ_KEY_B64_LEN + 1];

	for (size_t i = 0; i < sizeof(bad); i++) {
		for (size_t pos = 0; pos < FZ_KEY_B64_LEN - 1; pos += 7) {
			memcpy(buf, rfc_pub_b64, sizeof(buf));
			buf[pos] = bad[i];
			ck_assert_int_eq(fz_key_from_base64(key, buf,
							    FZ_KEY_B64_LEN),
					 -EINVAL);
		}
	}
	/* No padding: 44 data characters. */
	memcpy(buf, rfc_pub_b64, sizeof(buf));
	buf[FZ_KEY_B64_LEN - 1] = 'A';
	ck_assert_int_eq(decode(key, buf), -EINVAL);
}
END_TEST

/*
 * 43 characters carry 258 bits for 256: the last data character must
 * have its two low bits clear, or two spellings would mean one key.
 */
START_TEST(test_base64_rejects_non_canonical)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint8_t key[FZ_KEY_LEN];
	char buf[FZ_KEY_B64_LEN + 1];

	for (int v = 0; v < 64; v++) {
		memcpy(buf, rfc_pub_b64, sizeof(buf));
		buf[FZ_KEY_B64_LEN - 2] = alphabet[v];
		ck_assert_int_eq(decode(key, buf), (v & 3) ? -EINVAL : 0);
	}
	/* 'o' is the canonical last character of the vector; 'p' is not. */
	memcpy(buf, rfc_pub_b64, sizeof(buf));
	ck_assert_int_eq(buf[FZ_KEY_B64_LEN - 2], 'o');
	buf[FZ_KEY_B64_LEN - 2] = 'p';
	ck_assert_int_eq(decode(key, buf), -EINVAL);
}
END_TEST

START_TEST(test_failed_decode_leaves_no_bytes)
{
	uint8_t key[FZ_KEY_LEN], zero[FZ_KEY_LEN] = { 0 };
	char buf[FZ_KEY_B64_LEN + 1];

	memcpy(buf, rfc_pub_b64, sizeof(buf));
	buf[FZ_KEY_B64_LEN - 2] = 'p';
	memset(key, 0xaa, sizeof(key));
	ck_assert_int_eq(decode(key, buf), -EINVAL);
	ck_assert_mem_eq(key, zero, FZ_KEY_LEN);
}
END_TEST

START_TEST(test_generate_is_clamped_and_random)
{
	uint8_t a[FZ_KEY_LEN], b[FZ_KEY_LEN], c[FZ_KEY_LEN];

	fz_key_generate_private(a);
	fz_key_generate_private(b);
	ck_assert_mem_ne(a, b, FZ_KEY_LEN);
	ck_assert_int_eq(a[0] & 7, 0);
	ck_assert_int_eq(a[31] & 128, 0);
	ck_assert_int_eq(a[31] & 64, 64);
	memcpy(c, a, sizeof(c));
	fz_key_clamp(c);
	ck_assert_mem_eq(a, c, FZ_KEY_LEN);
}
END_TEST

START_TEST(test_clamp)
{
	uint8_t k[FZ_KEY_LEN];

	memset(k, 0xff, sizeof(k));
	fz_key_clamp(k);
	ck_assert_uint_eq(k[0], 0xf8);
	ck_assert_uint_eq(k[31], 0x7f);
	memset(k, 0, sizeof(k));
	fz_key_clamp(k);
	ck_assert_uint_eq(k[0], 0);
	ck_assert_uint_eq(k[31], 0x40);
}
END_TEST

Suite *keys_suite(void)
{
	Suite *s = suite_create("keys");
	TCase *tc = tcase_create("keys");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_rfc7748_public_key);
	tcase_add_test(tc, test_rfc7748_base64);
	tcase_add_test(tc, test_base64_round_trip);
	tcase_add_test(tc, test_base64_rejects_wrong_length);
	tcase_add_test(tc, test_base64_rejects_bad_characters);
	tcase_add_test(tc, test_base64_rejects_non_canonical);
	tcase_add_test(tc, test_failed_decode_leaves_no_bytes);
	tcase_add_test(tc, test_generate_is_clamped_and_random);
	tcase_add_test(tc, test_clamp);
	suite_add_tcase(s, tc);
	return s;
}
