// SPDX-License-Identifier: GPL-2.0
/*
 * core/token.c: mint, text form, parse, hash, verify. Expiry is not the
 * token's business: it lives in the store's row and the caller compares
 * expires_at with now after core_token_verify() said yes.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/token.h"
#include "signin_token.h"
#include "lib/values.h"
#include "../suites.h"

static void mint(struct core_token *t, char text[CORE_TOKEN_TEXT_LEN + 1])
{
	ck_assert_int_ge(sodium_init(), 0);
	core_token_mint(t);
	core_token_format(text, t);
}

START_TEST(test_mint_parse_verify)
{
	char text[CORE_TOKEN_TEXT_LEN + 1], id[37];
	struct core_token t, back;
	uint8_t hash[CORE_TOKEN_HASH_LEN], idb[16];

	mint(&t, text);
	ck_assert_uint_eq(strlen(text), CORE_TOKEN_TEXT_LEN);
	ck_assert(!strncmp(text, "fz1_", 4));
	ck_assert_int_eq(core_token_parse(&back, text, NULL), 0);
	ck_assert_mem_eq(&back, &t, sizeof(t));
	core_token_id_text(id, &t);
	ck_assert_int_eq(fz_uuid_parse(id, idb), 0);
	ck_assert_int_eq(id[14], '4'); /* a version 4 UUID */
	core_token_hash(hash, t.id, t.secret, sizeof(t.secret));
	ck_assert(core_token_verify(hash, back.id, back.secret,
				    sizeof(back.secret)));
	core_token_wipe(&back);
	ck_assert(!memcmp(&back, (uint8_t[sizeof(back)]){ 0 }, sizeof(back)));
}
END_TEST

START_TEST(test_wrong_secret_and_unknown_id)
{
	char text[CORE_TOKEN_TEXT_LEN + 1];
	uint8_t hash[CORE_TOKEN_HASH_LEN];
	struct core_token t, other;

	mint(&t, text);
	core_token_mint(&other);
	core_token_hash(hash, t.id, t.secret, sizeof(t.secret));
	ck_assert(!core_token_verify(hash, t.id, other.secret,
				     sizeof(other.secret)));
	ck_assert(
		!core_token_verify(hash, other.id, t.secret, sizeof(t.secret)));
	ck_assert(
		!core_token_verify(hash, t.id, t.secret, sizeof(t.secret) - 1));
	/* An unknown id: no stored hash, always no. */
	ck_assert(!core_token_verify(NULL, t.id, t.secret, sizeof(t.secret)));
	/* Two tokens never share a hash; the domain string is in it. */
	core_token_hash(hash, other.id, other.secret, sizeof(other.secret));
	ck_assert(!core_token_verify(hash, t.id, t.secret, sizeof(t.secret)));
}
END_TEST

static void refused(const char *text, const char *why_part)
{
	struct core_token t;
	const char *why = NULL;

	memset(&t, 0xaa, sizeof(t));
	ck_assert_msg(core_token_parse(&t, text, &why) != 0, "accepted %s",
		      text);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strstr(why, why_part), "%s: %s", text, why);
	ck_assert(!memcmp(&t, (uint8_t[sizeof(t)]){ 0 }, sizeof(t)));
}

START_TEST(test_malformed)
{
	char text[CORE_TOKEN_TEXT_LEN + 1], bad[CORE_TOKEN_TEXT_LEN + 8];
	struct core_token t;

	mint(&t, text);
	refused("", "prefix");
	refused("fz2_", "prefix");
	refused(text + 1, "prefix");
	refused("FZ1_x", "prefix");
	refused("fz1_", "length");
	snprintf(bad, sizeof(bad), "%s=", text); /* padding, too long */
	refused(bad, "length");
	snprintf(bad, sizeof(bad), "%.*s", CORE_TOKEN_TEXT_LEN - 1, text);
	refused(bad, "length");
	strcpy(bad, text);
	bad[26] = '.'; /* the separator */
	refused(bad, "layout");
	strcpy(bad, text);
	bad[10] = '+'; /* standard base64, not base64url */
	refused(bad, "base64");
	strcpy(bad, text);
	bad[40] = ' ';
	refused(bad, "base64");
	/* Bytes past ASCII, which libsodium 1.0.18 decodes as letters. */
	strcpy(bad, text);
	bad[10] = (char)0xc1;
	refused(bad, "base64");
	strcpy(bad, text);
	bad[50] = (char)0xff;
	refused(bad, "base64");
	strcpy(bad, text);
	bad[CORE_TOKEN_TEXT_LEN - 1] = 'B'; /* non-zero trailing bits */
	if (strcmp(bad, text))
		refused(bad, "base64");
	strcpy(bad, text);
	bad[25] = 'B'; /* the id's last character: 2 spare bits */
	bad[25] = text[25] == 'B' ? 'C' : 'B';
	refused(bad, "base64");
}
END_TEST

/* A nonce as the agent makes one: 32 random bytes, base64url. */
static void nonce_text(char out[CORE_TOKEN_NONCE_TEXT_LEN + 1])
{
	uint8_t n[CORE_TOKEN_NONCE_LEN];

	randombytes_buf(n, sizeof(n));
	sodium_bin2base64(out, CORE_TOKEN_NONCE_TEXT_LEN + 1, n, sizeof(n),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

START_TEST(test_signin_form)
{
	char nonce[CORE_TOKEN_NONCE_TEXT_LEN + 1];
	char full[CORE_TOKEN_SIGNIN_TEXT_LEN + 1],
		frag[CORE_TOKEN_TEXT_LEN + 1];
	uint8_t hash[CORE_TOKEN_HASH_LEN], plain[CORE_TOKEN_HASH_LEN];
	struct core_token t, back;

	ck_assert_int_ge(sodium_init(), 0);
	nonce_text(nonce);
	ck_assert_int_eq(test_mint_with_nonce(&t, nonce), 0);
	ck_assert(t.has_nonce);
	core_token_format_signin(full, &t);
	core_token_format(frag, &t);
	ck_assert_uint_eq(strlen(full), CORE_TOKEN_SIGNIN_TEXT_LEN);
	ck_assert_uint_eq(strlen(frag), CORE_TOKEN_TEXT_LEN);
	/* The text is the nonce, then the fragment. */
	ck_assert(!strncmp(full, nonce, CORE_TOKEN_NONCE_TEXT_LEN));
	ck_assert_str_eq(full + CORE_TOKEN_NONCE_TEXT_LEN, frag);
	ck_assert_int_eq(core_token_parse(&back, full, NULL), 0);
	ck_assert(back.has_nonce);
	ck_assert_mem_eq(&back, &t, sizeof(t));
	core_token_hash_of(hash, &t);
	ck_assert(core_token_verify_of(hash, &back));
	/* The fragment alone parses as a plain token that never matches. */
	ck_assert_int_eq(core_token_parse(&back, frag, NULL), 0);
	ck_assert(!back.has_nonce);
	ck_assert(!core_token_verify_of(hash, &back));
	/* And the signed-in hash is not the plain one. */
	core_token_hash(plain, t.id, t.secret, sizeof(t.secret));
	ck_assert(memcmp(plain, hash, sizeof(hash)));
	ck_assert(core_token_verify_of(plain, &back));
	/* Another nonce in front: no. */
	nonce_text(full);
	full[CORE_TOKEN_NONCE_TEXT_LEN] = '\0';
	strcat(full, frag);
	ck_assert_int_eq(core_token_parse(&back, full, NULL), 0);
	ck_assert(!core_token_verify_of(hash, &back));
	ck_assert(!core_token_verify_of(NULL, &back));
}
END_TEST

START_TEST(test_signin_bad_nonce)
{
	char nonce[CORE_TOKEN_NONCE_TEXT_LEN + 2];
	struct core_token t;

	ck_assert_int_ge(sodium_init(), 0);
	nonce_text(nonce);
	memset(&t, 0xaa, sizeof(t));
	ck_assert_int_eq(core_token_mint_signin(&t, ""), -EINVAL);
	ck_assert(!memcmp(&t, (uint8_t[sizeof(t)]){ 0 }, sizeof(t)));
	nonce[42] = '\0'; /* 42 characters */
	ck_assert_int_eq(core_token_mint_signin(&t, nonce), -EINVAL);
	nonce_text(nonce);
	strcat(nonce, "A"); /* 44 */
	ck_assert_int_eq(core_token_mint_signin(&t, nonce), -EINVAL);
	nonce_text(nonce);
	nonce[5] = '+';
	ck_assert_int_eq(core_token_mint_signin(&t, nonce), -EINVAL);
	nonce_text(nonce);
	nonce[5] = '=';
	ck_assert_int_eq(core_token_mint_signin(&t, nonce), -EINVAL);
	nonce_text(nonce);
	nonce[42] = nonce[42] == 'B' ? 'C' : 'B'; /* 2 spare bits set */
	ck_assert_int_eq(core_token_mint_signin(&t, nonce), -EINVAL);
}
END_TEST

START_TEST(test_signin_malformed)
{
	char nonce[CORE_TOKEN_NONCE_TEXT_LEN + 1];
	char full[CORE_TOKEN_SIGNIN_TEXT_LEN + 1],
		bad[CORE_TOKEN_SIGNIN_TEXT_LEN + 8];
	const int n = CORE_TOKEN_NONCE_TEXT_LEN;
	struct core_token t;

	ck_assert_int_ge(sodium_init(), 0);
	nonce_text(nonce);
	ck_assert_int_eq(test_mint_with_nonce(&t, nonce), 0);
	core_token_format_signin(full, &t);
	/* One character short or long: neither form. */
	snprintf(bad, sizeof(bad), "%.*s", CORE_TOKEN_SIGNIN_TEXT_LEN - 1,
		 full);
	refused(bad, "prefix");
	snprintf(bad, sizeof(bad), "%s=", full);
	refused(bad, "prefix");
	snprintf(bad, sizeof(bad), "A%s", full);
	refused(bad, "prefix");
	/* The nonce: standard base64, padding, white space, spare bits. */
	strcpy(bad, full);
	bad[3] = '+';
	refused(bad, "nonce");
	strcpy(bad, full);
	bad[3] = '/';
	refused(bad, "nonce");
	strcpy(bad, full);
	bad[n - 1] = '=';
	refused(bad, "nonce");
	strcpy(bad, full);
	bad[0] = ' ';
	refused(bad, "nonce");
	strcpy(bad, full);
	bad[7] = (char)0xff;
	refused(bad, "nonce");
	strcpy(bad, full);
	bad[n - 1] = full[n - 1] == 'B' ? 'C' : 'B';
	refused(bad, "nonce");
	/* The fz1_ part: prefix, separator, base64, spare bits. */
	strcpy(bad, full);
	bad[n] = 'F';
	refused(bad, "prefix");
	strcpy(bad, full);
	bad[n + 26] = '.';
	refused(bad, "layout");
	strcpy(bad, full);
	bad[n + 10] = '+';
	refused(bad, "base64");
	strcpy(bad, full);
	bad[CORE_TOKEN_SIGNIN_TEXT_LEN - 1] =
		full[CORE_TOKEN_SIGNIN_TEXT_LEN - 1] == 'B' ? 'C' : 'B';
	refused(bad, "base64");
	/* Two nonces, or a nonce after the token: wrong lengths. */
	snprintf(bad, sizeof(bad), "%s%s", nonce, nonce);
	refused(bad, "prefix");
	snprintf(bad, sizeof(bad), "%s%s", full + n, nonce);
	refused(bad, "");
}
END_TEST

Suite *portal_token_suite(void)
{
	Suite *s = suite_create("portal_token");
	TCase *tc = tcase_create("token");

	tcase_add_test(tc, test_mint_parse_verify);
	tcase_add_test(tc, test_wrong_secret_and_unknown_id);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_signin_form);
	tcase_add_test(tc, test_signin_bad_nonce);
	tcase_add_test(tc, test_signin_malformed);
	suite_add_tcase(s, tc);
	return s;
}
