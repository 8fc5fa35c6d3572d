// SPDX-License-Identifier: GPL-2.0
/*
 * core/token.c: mint, text form, parse, hash, verify. Expiry is not the
 * token's business: it lives in the store's row and the caller compares
 * expires_at with now after core_token_verify() said yes.
 */
#include <sodium.h>
#include <string.h>

#include "core/token.h"
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

Suite *portal_token_suite(void)
{
	Suite *s = suite_create("portal_token");
	TCase *tc = tcase_create("token");

	tcase_add_test(tc, test_mint_parse_verify);
	tcase_add_test(tc, test_wrong_secret_and_unknown_id);
	tcase_add_test(tc, test_malformed);
	suite_add_tcase(s, tc);
	return s;
}
