// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer over the bearer token parser (core/token.c), both text
 * forms: arbitrary bytes as the Authorization header hands them over.
 * Whatever is accepted must be the one canonical text of what it parsed
 * to (formatting it back gives the input, byte for byte), and its form
 * must be the one its length says.
 *
 *   make fuzz FUZZ_SECONDS=60
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The two files it needs, not the portal's whole build. */
#include "../core/ids.c"
#include "../core/token.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[CORE_TOKEN_SIGNIN_TEXT_LEN + 2], back[sizeof(text)];
	struct core_token t;

	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (core_token_parse(&t, text, NULL))
		return 0;
	if (t.has_nonce != (strlen(text) == CORE_TOKEN_SIGNIN_TEXT_LEN))
		abort();
	if (t.has_nonce)
		core_token_format_signin(back, &t);
	else
		core_token_format(back, &t);
	if (strcmp(back, text))
		abort();
	return 0;
}
