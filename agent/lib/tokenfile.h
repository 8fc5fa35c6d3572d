/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The client token a signed-in agent keeps (portal/SIGNIN.md, "Tokens of
 * signed-in clients"): where it lives, its shape, and reading, writing
 * and deleting it.
 *
 * A token is either an `fz1_` token (70 characters: "fz1_", 22 base64url
 * of id, "_", 43 base64url of secret) or a sign-in token: the 43
 * base64url characters of the sign-in nonce followed by an `fz1_` token
 * (113 characters). Base64url is unpadded and canonical (libsodium
 * refuses non-zero trailing bits), so a token has one text form only.
 *
 * The file holds the token and one newline. It must belong to the
 * current user and give group and others no access (mode 0600): a token
 * anyone else can read is refused rather than used.
 */
#ifndef FZ_TOKENFILE_H
#define FZ_TOKENFILE_H

#include <stdbool.h>
#include <stddef.h>

#define FZ_TOKEN_DEFAULT_FILE "/var/lib/fz/token"
#define FZ_TOKEN_FILE_ENV "FZ_TOKEN_FILE"
#define FZ_TOKEN_ENV "FZ_TOKEN"
#define FZ_TOKEN_NONCE_LEN 43
#define FZ_TOKEN_PLAIN_LEN 70
#define FZ_TOKEN_SIGNIN_LEN (FZ_TOKEN_NONCE_LEN + FZ_TOKEN_PLAIN_LEN)
#define FZ_TOKEN_MAX_LEN FZ_TOKEN_SIGNIN_LEN

/* The file: override if not NULL, else $FZ_TOKEN_FILE if set and not
 * empty, else FZ_TOKEN_DEFAULT_FILE. */
const char *fz_token_path(const char *override);

/* Whether s[0..len) is exactly an `fz1_` token (70 characters). */
bool fz_token_plain_valid(const char *s, size_t len);

/* Whether s[0..len) is exactly 43 base64url characters of 32 bytes. */
bool fz_token_nonce_valid(const char *s, size_t len);

/* Whether s[0..len) is a token of either form. */
bool fz_token_valid(const char *s, size_t len);

/*
 * Reads the token at path into out (NUL-terminated): 0, or -errno with
 * err naming the file and what to do. Refused: a file that is missing
 * (-ENOENT), not regular, a symbolic link, not owned by the current
 * user, open to group or others (-EPERM; the fix is chmod 600), or that
 * does not hold exactly one token. out is wiped on failure.
 */
int fz_token_read(const char *path, char out[FZ_TOKEN_MAX_LEN + 1], char *err,
		  size_t errlen);

/*
 * The token for headless use: $FZ_TOKEN if set (then removed from the
 * environment, so that children do not inherit it), else the file at
 * fz_token_path(override). Same results as fz_token_read().
 */
int fz_token_load(const char *override, char out[FZ_TOKEN_MAX_LEN + 1],
		  char *err, size_t errlen);

/*
 * Makes path's directory (and its parents, mode 0700) if missing and
 * checks that this user may create files in it: 0, or -errno with err.
 * Lets a command fail before the user does anything for nothing.
 */
int fz_token_prepare_dir(const char *path, char *err, size_t errlen);

/*
 * Writes token (checked with fz_token_valid()) to path atomically: a
 * 0600 temporary file in the same directory, written and synced, then
 * renamed over path and the directory synced. 0, or -errno with err;
 * on failure path is as it was.
 */
int fz_token_write(const char *path, const char *token, char *err,
		   size_t errlen);

/* Deletes path: 0, -ENOENT if it was not there, or -errno with err. */
int fz_token_delete(const char *path, char *err, size_t errlen);

#endif /* FZ_TOKENFILE_H */
