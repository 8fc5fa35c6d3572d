// SPDX-License-Identifier: GPL-2.0
/*
 * One-time codes: making, hashing, reading what was typed, checking. See
 * otp.h for why a keyed fast hash is enough.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "otp.h"

#define CODE_SPACE 1000000U /* 10^CORE_OTP_DIGITS */

static uint8_t otp_key[crypto_generichash_KEYBYTES];
static pthread_once_t otp_key_once = PTHREAD_ONCE_INIT;

static void make_key(void)
{
	randombytes_buf(otp_key, sizeof(otp_key));
}

void core_otp_new(char code[CORE_OTP_DIGITS + 1])
{
	uint32_t n = randombytes_uniform(CODE_SPACE);

	snprintf(code, CORE_OTP_DIGITS + 1, "%0*u", CORE_OTP_DIGITS,
		 (unsigned int)n);
	sodium_memzero(&n, sizeof(n));
}

void core_otp_hash(uint8_t hash[CORE_OTP_HASH_LEN],
		   const char code[CORE_OTP_DIGITS + 1])
{
	pthread_once(&otp_key_once, make_key);
	crypto_generichash(hash, CORE_OTP_HASH_LEN, (const uint8_t *)code,
			   CORE_OTP_DIGITS, otp_key, sizeof(otp_key));
}

/*
 * The length of the separator at s, 0 if there is none: white space and
 * dashes, ASCII or what a phone or a copy from a mail may put in.
 */
static size_t separator_at(const unsigned char *s)
{
	if (*s == ' ' || *s == '\t' || *s == '-')
		return 1;
	if (s[0] == 0xc2 && s[1] == 0xa0) /* no-break space */
		return 2;
	/* U+2000..U+200A spaces, U+2010..U+2015 dashes, U+202F */
	if (s[0] == 0xe2 && s[1] == 0x80 &&
	    ((s[2] >= 0x80 && s[2] <= 0x8a) || (s[2] >= 0x90 && s[2] <= 0x95) ||
	     s[2] == 0xaf))
		return 3;
	if (s[0] == 0xe2 && s[1] == 0x88 && s[2] == 0x92) /* minus sign */
		return 3;
	if (s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80) /* ideographic */
		return 3;
	return 0;
}

static const char *normalise(char code[CORE_OTP_DIGITS + 1], const char *input)
{
	size_t got = 0, n;

	if (!input ||
	    strnlen(input, CORE_OTP_INPUT_MAX + 1) > CORE_OTP_INPUT_MAX)
		return "the code is missing or too long";
	for (const char *p = input; *p;) {
		n = separator_at((const unsigned char *)p);
		if (n) {
			p += n;
			continue;
		}
		if (*p < '0' || *p > '9')
			return "the code has a character that is not a digit";
		if (got == CORE_OTP_DIGITS)
			return "the code has too many digits";
		code[got++] = *p++;
	}
	if (got != CORE_OTP_DIGITS)
		return "the code has too few digits";
	code[got] = '\0';
	return NULL;
}

int core_otp_normalise(char code[CORE_OTP_DIGITS + 1], const char *input,
		       const char **why)
{
	const char *msg = normalise(code, input);

	if (!msg)
		return 0;
	sodium_memzero(code, CORE_OTP_DIGITS + 1);
	if (why)
		*why = msg;
	return -EINVAL;
}

bool core_otp_verify(const uint8_t hash[CORE_OTP_HASH_LEN], const char *input)
{
	char code[CORE_OTP_DIGITS + 1];
	uint8_t got[CORE_OTP_HASH_LEN];
	bool ok;

	if (core_otp_normalise(code, input, NULL))
		return false;
	core_otp_hash(got, code);
	ok = !sodium_memcmp(got, hash, sizeof(got));
	sodium_memzero(code, sizeof(code));
	sodium_memzero(got, sizeof(got));
	return ok;
}
