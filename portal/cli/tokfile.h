/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pre-database authenticator of `fzportal serve --tokens-file`: a
 * file of "ROLE TOKEN" lines (ROLE gateway or client) stands in for the
 * store's token table until the store wing lands, then goes away. The
 * file must be 0600 or 0400 and owned by root or by the portal's user;
 * only BLAKE2b hashes of the tokens stay in memory, compared in constant
 * time.
 */
#ifndef FZ_PORTAL_CLI_TOKFILE_H
#define FZ_PORTAL_CLI_TOKFILE_H

#include <stddef.h>

#include "web/web.h"

#define CLI_TOKFILE_MAX (64 * 1024)
#define CLI_TOKEN_MIN 16 /* characters: a guessable token is refused */

struct cli_tokfile;

/* Reads and checks PATH; NULL with a sentence in err when it cannot. */
struct cli_tokfile *cli_tokfile_load(const char *path, char *err,
				     size_t errlen);
void cli_tokfile_free(struct cli_tokfile *tf);

/* A struct web_config.authenticate, with arg the cli_tokfile. */
int cli_tokfile_authenticate(void *arg, struct web_auth *auth);

#endif /* FZ_PORTAL_CLI_TOKFILE_H */
