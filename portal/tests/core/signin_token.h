/* SPDX-License-Identifier: GPL-2.0 */
/* Signed-in tokens for the tests of core/token and store/auth. */
#ifndef FZ_PORTAL_TESTS_SIGNIN_TOKEN_H
#define FZ_PORTAL_TESTS_SIGNIN_TOKEN_H

#include "core/token.h"

/*
 * A signed-in token as the portal mints it from the agent's nonce (43
 * characters of base64url), whose SHA-256 the sign-in URL carries; the
 * nonce is kept in t so that core_token_format_signin() gives the whole
 * text. 0, or -EINVAL.
 */
int test_mint_with_nonce(struct core_token *t, const char *nonce);

#endif /* FZ_PORTAL_TESTS_SIGNIN_TOKEN_H */
