// SPDX-License-Identifier: GPL-2.0
/*
 * The signed-in client's token file (tokenfile.h).
 */
#define _GNU_SOURCE /* mkostemp */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "tokenfile.h"

#define VARIANT sodium_base64_VARIANT_URLSAFE_NO_PADDING
#define PREFIX "fz1_"
#define PREFIX_LEN 4
#define ID_B64_LEN 22
#define SECRET_B64_LEN 43

const char *fz_token_path(const char *override)
{
	const char *env;

	if (override)
		return override;
	env = getenv(FZ_TOKEN_FILE_ENV);
	return env && *env ? env : FZ_TOKEN_DEFAULT_FILE;
}

/* Exactly b64_len canonical base64url characters of exactly len bytes. */
static bool b64_exact(const char *b64, size_t b64_len, size_t len)
{
	uint8_t buf[32];
	const char *end = NULL;
	size_t got = 0;
	bool ok;

	if (len > sizeof(buf))
		return false;
	/* libsodium 1.0.18 decodes bytes >= 0x80 as letters: alphabet first. */
	if (strspn(b64, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			"0123456789-_") < b64_len)
		return false;
	ok = !sodium_base642bin(buf, len, b64, b64_len, NULL, &got, &end,
				VARIANT) &&
	     got == len && end == b64 + b64_len;
	sodium_memzero(buf, sizeof(buf));
	return ok;
}

bool fz_token_plain_valid(const char *s, size_t len)
{
	const char *id = s + PREFIX_LEN, *secret = id + ID_B64_LEN + 1;

	return len == FZ_TOKEN_PLAIN_LEN && !memcmp(s, PREFIX, PREFIX_LEN) &&
	       id[ID_B64_LEN] == '_' && b64_exact(id, ID_B64_LEN, 16) &&
	       b64_exact(secret, SECRET_B64_LEN, 32);
}

bool fz_token_nonce_valid(const char *s, size_t len)
{
	return len == FZ_TOKEN_NONCE_LEN && b64_exact(s, len, 32);
}

bool fz_token_valid(const char *s, size_t len)
{
	if (len == FZ_TOKEN_PLAIN_LEN)
		return fz_token_plain_valid(s, len);
	return len == FZ_TOKEN_SIGNIN_LEN &&
	       fz_token_nonce_valid(s, FZ_TOKEN_NONCE_LEN) &&
	       fz_token_plain_valid(s + FZ_TOKEN_NONCE_LEN, FZ_TOKEN_PLAIN_LEN);
}

/* The token is the text, with at most one trailing newline. */
static int take_token(char *buf, size_t len, char out[FZ_TOKEN_MAX_LEN + 1])
{
	if (len && buf[len - 1] == '\n')
		len--;
	if (!fz_token_valid(buf, len))
		return -EINVAL;
	memcpy(out, buf, len);
	out[len] = '\0';
	return 0;
}

/* Who may read it is checked on the open file, not on its name. */
static int check_owner_mode(const char *path, const struct stat *st, char *err,
			    size_t errlen)
{
	if (!S_ISREG(st->st_mode)) {
		snprintf(err, errlen, "%s is not a regular file", path);
		return -EINVAL;
	}
	if (st->st_uid != geteuid()) {
		snprintf(err, errlen,
			 "%s belongs to uid %u, not to this user (uid %u): "
			 "refusing to use a token another user controls",
			 path, (unsigned)st->st_uid, (unsigned)geteuid());
		return -EPERM;
	}
	if (st->st_mode & 077) {
		snprintf(err, errlen,
			 "%s is open to group or others (mode %04o): run "
			 "'chmod 600 %s', and sign in again if others may "
			 "have read it",
			 path, (unsigned)(st->st_mode & 07777), path);
		return -EPERM;
	}
	return 0;
}

int fz_token_read(const char *path, char out[FZ_TOKEN_MAX_LEN + 1], char *err,
		  size_t errlen)
{
	char buf[FZ_TOKEN_MAX_LEN + 3];
	struct stat st;
	ssize_t n;
	int fd, ret;

	sodium_memzero(out, FZ_TOKEN_MAX_LEN + 1);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot open %s: %s%s", path,
			 strerror(-ret),
			 ret == -ENOENT ? " (not signed in?)" : "");
		return ret;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		snprintf(err, errlen, "cannot stat %s: %s", path,
			 strerror(errno));
		goto out;
	}
	ret = check_owner_mode(path, &st, err, errlen);
	if (ret)
		goto out;
	do
		n = read(fd, buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot read %s: %s", path,
			 strerror(errno));
		goto out;
	}
	ret = take_token(buf, (size_t)n, out);
	if (ret)
		snprintf(err, errlen,
			 "%s does not hold a token (an fz1_ token, or the "
			 "113 characters 'fzagent sign-in' writes)",
			 path);
out:
	sodium_memzero(buf, sizeof(buf));
	if (ret)
		sodium_memzero(out, FZ_TOKEN_MAX_LEN + 1);
	close(fd);
	return ret;
}

int fz_token_load(const char *override, char out[FZ_TOKEN_MAX_LEN + 1],
		  char *err, size_t errlen)
{
	char *env = getenv(FZ_TOKEN_ENV);
	size_t len;
	int ret = 0;

	if (!env)
		return fz_token_read(fz_token_path(override), out, err, errlen);
	len = strlen(env);
	sodium_memzero(out, FZ_TOKEN_MAX_LEN + 1);
	if (fz_token_valid(env, len))
		memcpy(out, env, len);
	else {
		snprintf(err, errlen,
			 "$" FZ_TOKEN_ENV " does not hold a token (an fz1_ "
			 "token, or the 113 characters 'fzagent sign-in' "
			 "writes)");
		ret = -EINVAL;
	}
	/* The environment's copy is wiped before it goes away. */
	sodium_memzero(env, len);
	unsetenv(FZ_TOKEN_ENV);
	return ret;
}

/* path's directory, in dir. */
static int dir_of(const char *path, char dir[PATH_MAX], char *err,
		  size_t errlen)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (!*path || (slash && !slash[1])) {
		snprintf(err, errlen, "'%s' is not a file name", path);
		return -EINVAL;
	}
	if (!slash) {
		strcpy(dir, ".");
		return 0;
	}
	n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= PATH_MAX) {
		snprintf(err, errlen, "'%s' is too long", path);
		return -ENAMETOOLONG;
	}
	memcpy(dir, path, n);
	dir[n] = '\0';
	return 0;
}

/* mkdir -p with mode 0700 for what it makes; existing ones stay as they are. */
static int make_dirs(char *dir)
{
	for (char *p = dir + 1;; p++) {
		char c = *p;

		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) && errno != EEXIST) {
			*p = c;
			return -errno;
		}
		*p = c;
		if (!c)
			return 0;
	}
}

int fz_token_prepare_dir(const char *path, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	int ret;

	ret = dir_of(path, dir, err, errlen);
	if (ret)
		return ret;
	ret = make_dirs(dir);
	if (!ret && access(dir, W_OK | X_OK))
		ret = -errno;
	if (ret)
		snprintf(err, errlen,
			 "cannot write the token file %s: %s: %s (as non-root, "
			 "set --token-file or $" FZ_TOKEN_FILE_ENV ")",
			 path, dir, strerror(-ret));
	return ret;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The token and its newline into fd, then to disk. */
static int write_token(int fd, const char *token, size_t len)
{
	char buf[FZ_TOKEN_MAX_LEN + 1];
	int ret;

	memcpy(buf, token, len);
	buf[len] = '\n';
	ret = write_all(fd, buf, len + 1);
	sodium_memzero(buf, sizeof(buf));
	if (!ret && fchmod(fd, 0600))
		ret = -errno;
	if (!ret && fsync(fd))
		ret = -errno;
	return ret;
}

/* The rename is durable once the directory is synced. */
static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return;
	fsync(fd);
	close(fd);
}

int fz_token_write(const char *path, const char *token, char *err,
		   size_t errlen)
{
	char dir[PATH_MAX], tmp[PATH_MAX];
	size_t len = strlen(token);
	int fd, ret;

	if (!fz_token_valid(token, len)) {
		snprintf(err, errlen, "refusing to write a malformed token");
		return -EINVAL;
	}
	ret = fz_token_prepare_dir(path, err, errlen);
	if (ret)
		return ret;
	ret = dir_of(path, dir, err, errlen);
	if (ret)
		return ret;
	if (snprintf(tmp, sizeof(tmp), "%s/.token.XXXXXX", dir) >=
	    (int)sizeof(tmp)) {
		snprintf(err, errlen, "'%s' is too long", path);
		return -ENAMETOOLONG;
	}
	fd = mkostemp(tmp, O_CLOEXEC); /* mode 0600 */
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot create a file in %s: %s", dir,
			 strerror(errno));
		return ret;
	}
	ret = write_token(fd, token, len);
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		snprintf(err, errlen, "cannot write %s: %s", path,
			 strerror(-ret));
		unlink(tmp);
		return ret;
	}
	sync_dir(dir);
	return 0;
}

int fz_token_delete(const char *path, char *err, size_t errlen)
{
	int ret;

	if (!unlink(path))
		return 0;
	ret = -errno;
	if (ret != -ENOENT)
		snprintf(err, errlen, "cannot delete %s: %s", path,
			 strerror(errno));
	return ret;
}
