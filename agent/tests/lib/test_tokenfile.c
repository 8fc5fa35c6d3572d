// SPDX-License-Identifier: GPL-2.0
/*
 * tokenfile.c: the two token shapes and nothing else, the file's owner
 * and mode, the atomic write, and $FZ_TOKEN before the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "lib/tokenfile.h"
#include "../suites.h"

/* Real tokens: 16 and 32 bytes of base64url, canonical. */
#define PLAIN \
	"fz1_AAECAwQFBgcICQoLDA0ODw_CAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAg"
#define NONCE "q83vASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4k"

static char dir[64];
static char path[128];

static void setup(void)
{
	ck_assert_int_eq(sodium_init() < 0, 0);
	strcpy(dir, "/tmp/fzt-token.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sub/dir/token", dir);
	unsetenv(FZ_TOKEN_ENV);
	unsetenv(FZ_TOKEN_FILE_ENV);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void put(const char *p, const char *text, mode_t mode)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
}

START_TEST(test_shapes)
{
	const char *plain = PLAIN, *signin = NONCE PLAIN;

	ck_assert_uint_eq(strlen(plain), FZ_TOKEN_PLAIN_LEN);
	ck_assert_uint_eq(strlen(signin), FZ_TOKEN_SIGNIN_LEN);
	ck_assert(fz_token_plain_valid(plain, strlen(plain)));
	ck_assert(fz_token_valid(plain, strlen(plain)));
	ck_assert(fz_token_valid(signin, strlen(signin)));
	ck_assert(fz_token_nonce_valid(NONCE, strlen(NONCE)));
	ck_assert(!fz_token_plain_valid(signin, strlen(signin)));
}
END_TEST

/* Each a character or a length away from a valid token. */
START_TEST(test_shapes_refused)
{
	static const char *const bad[] = {
		"",
		"fz2_AAECAwQFBgcICQoLDA0ODw_CAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAg", /* wrong prefix */
		"fz1_AAECAwQFBgcICQoLDA0ODw-CAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAg", /* '-' for '_' */
		"fz1_AAECAwQFBgcICQoLDA0ODw_CAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICA", /* short */
		"fz1_AAECAwQFBgcICQoLDA0ODw_CAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgg", /* long */
		"fz1_AAECAwQFBgcICQoLDA0ODw_CAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIC+g", /* standard base64 */
		"fz1_AAECAwQFBgcICQoLDA0ODw_CAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICA=", /* padding */
		"fz1_AAECAwQFBgcICQoLDA0ODx_CAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAg", /* trailing bits in the id */
		"fz1_AAECAwQFBgcICQoLDA0ODw_CAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAh", /* trailing bits in the secret */
		" fz1_AAECAwQFBgcICQoLDA0ODw_CAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICA", /* leading space */
		/* nonce forms: short, long, bad character, trailing bits */
		"q83vASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4" PLAIN,
		"q83vASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4kk" PLAIN,
		"q83vASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4." PLAIN,
		"q83vASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4l" PLAIN,
		NONCE NONCE,
		PLAIN NONCE,
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!fz_token_valid(bad[i], strlen(bad[i])),
			      "accepted bad[%zu]", i);
	ck_assert(!fz_token_nonce_valid(NONCE "A", strlen(NONCE) + 1));
}
END_TEST

START_TEST(test_path)
{
	ck_assert_str_eq(fz_token_path(NULL), FZ_TOKEN_DEFAULT_FILE);
	setenv(FZ_TOKEN_FILE_ENV, "", 1);
	ck_assert_str_eq(fz_token_path(NULL), FZ_TOKEN_DEFAULT_FILE);
	setenv(FZ_TOKEN_FILE_ENV, "/x/env", 1);
	ck_assert_str_eq(fz_token_path(NULL), "/x/env");
	ck_assert_str_eq(fz_token_path("/x/opt"), "/x/opt");
}
END_TEST

START_TEST(test_write_read)
{
	char tok[FZ_TOKEN_MAX_LEN + 1], err[512], dpath[128];
	struct stat st;

	ck_assert_int_eq(fz_token_write(path, NONCE PLAIN, err, sizeof(err)),
			 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_uint_eq(st.st_size, FZ_TOKEN_SIGNIN_LEN + 1);
	snprintf(dpath, sizeof(dpath), "%s/sub", dir);
	ck_assert_int_eq(stat(dpath, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0700);
	ck_assert_int_eq(fz_token_read(path, tok, err, sizeof(err)), 0);
	ck_assert_str_eq(tok, NONCE PLAIN);
	/* A second write replaces the first, and leaves no temporary file. */
	ck_assert_int_eq(fz_token_write(path, PLAIN, err, sizeof(err)), 0);
	ck_assert_int_eq(fz_token_read(path, tok, err, sizeof(err)), 0);
	ck_assert_str_eq(tok, PLAIN);
	snprintf(dpath, sizeof(dpath), "ls -A %s/sub/dir | grep -qv '^token$'",
		 dir);
	ck_assert_int_ne(system(dpath), 0);
}
END_TEST

/* A refused write leaves the old token as it was. */
START_TEST(test_write_refused)
{
	char tok[FZ_TOKEN_MAX_LEN + 1], err[512] = "";

	ck_assert_int_eq(fz_token_write(path, PLAIN, err, sizeof(err)), 0);
	ck_assert_int_eq(fz_token_write(path, "fz1_short", err, sizeof(err)),
			 -EINVAL);
	ck_assert_int_eq(fz_token_read(path, tok, err, sizeof(err)), 0);
	ck_assert_str_eq(tok, PLAIN);
	/* A directory in the way of the parent. */
	snprintf(tok, sizeof(tok), "%s/sub/dir/token/x", dir);
	ck_assert_int_lt(fz_token_write(tok, PLAIN, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "token/x"));
}
END_TEST

START_TEST(test_read_mode_refused)
{
	char tok[FZ_TOKEN_MAX_LEN + 1], err[512];
	const mode_t modes[] = { 0640, 0604, 0660, 0620, 0602 };

	ck_assert_int_eq(fz_token_write(path, PLAIN, err, sizeof(err)), 0);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		ck_assert_int_eq(chmod(path, modes[i]), 0);
		ck_assert_int_eq(fz_token_read(path, tok, err, sizeof(err)),
				 -EPERM);
		ck_assert_ptr_nonnull(strstr(err, "chmod 600"));
		ck_assert_ptr_nonnull(strstr(err, path));
		ck_assert_str_eq(tok, "");
	}
	ck_assert_int_eq(chmod(path, 0400), 0);
	ck_assert_int_eq(fz_token_read(path, tok, err, sizeof(err)), 0);
}
END_TEST

START_TEST(test_read_owner_refused)
{
	char tok[FZ_TOKEN_MAX_LEN + 1], err[512];

	if (geteuid() != 0)
		return; /* only root can give a file away */
	ck_assert_int_eq(fz_token_write(path, PLAIN, err, sizeof(err)), 0);
	ck_assert_int_eq(chown(path, 65534, 65534), 0);
	ck_assert_int_eq(fz_token_read(path, tok, err, sizeof(err)), -EPERM);
	ck_assert_ptr_nonnull(strstr(err, "not to this user"));
}
END_TEST

START_TEST(test_read_bad_files)
{
	char tok[FZ_TOKEN_MAX_LEN + 1], err[512], p[160], link[160];

	snprintf(p, sizeof(p), "%s/t", dir);
	ck_assert_int_eq(fz_token_read(p, tok, err, sizeof(err)), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "not signed in"));
	put(p, PLAIN "\n\n", 0600);
	ck_assert_int_eq(fz_token_read(p, tok, err, sizeof(err)), -EINVAL);
	put(p, " " PLAIN, 0600);
	ck_assert_int_eq(fz_token_read(p, tok, err, sizeof(err)), -EINVAL);
	put(p, PLAIN PLAIN PLAIN, 0600);
	ck_assert_int_eq(fz_token_read(p, tok, err, sizeof(err)), -EINVAL);
	put(p, PLAIN, 0600); /* no newline is fine */
	ck_assert_int_eq(fz_token_read(p, tok, err, sizeof(err)), 0);
	/* A symbolic link is not followed. */
	snprintf(link, sizeof(link), "%s/link", dir);
	ck_assert_int_eq(symlink(p, link), 0);
	ck_assert_int_eq(fz_token_read(link, tok, err, sizeof(err)), -ELOOP);
	/* A directory is not a token. */
	ck_assert_int_eq(fz_token_read(dir, tok, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
}
END_TEST

START_TEST(test_env_first)
{
	char tok[FZ_TOKEN_MAX_LEN + 1], err[512];

	ck_assert_int_eq(fz_token_write(path, PLAIN, err, sizeof(err)), 0);
	setenv(FZ_TOKEN_ENV, NONCE PLAIN, 1);
	ck_assert_int_eq(fz_token_load(path, tok, err, sizeof(err)), 0);
	ck_assert_str_eq(tok, NONCE PLAIN);
	ck_assert_ptr_null(getenv(FZ_TOKEN_ENV));
	/* Gone from the environment: the file is next. */
	ck_assert_int_eq(fz_token_load(path, tok, err, sizeof(err)), 0);
	ck_assert_str_eq(tok, PLAIN);
	setenv(FZ_TOKEN_ENV, "nonsense", 1);
	ck_assert_int_eq(fz_token_load(path, tok, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, FZ_TOKEN_ENV));
	ck_assert_ptr_null(getenv(FZ_TOKEN_ENV));
	setenv(FZ_TOKEN_FILE_ENV, path, 1);
	ck_assert_int_eq(fz_token_load(NULL, tok, err, sizeof(err)), 0);
	ck_assert_str_eq(tok, PLAIN);
}
END_TEST

START_TEST(test_delete)
{
	char err[512];

	ck_assert_int_eq(fz_token_write(path, PLAIN, err, sizeof(err)), 0);
	ck_assert_int_eq(fz_token_delete(path, err, sizeof(err)), 0);
	ck_assert_int_eq(access(path, F_OK), -1);
	ck_assert_int_eq(fz_token_delete(path, err, sizeof(err)), -ENOENT);
}
END_TEST

START_TEST(test_prepare_dir)
{
	char err[512] = "";

	ck_assert_int_eq(fz_token_prepare_dir(path, err, sizeof(err)), 0);
	ck_assert_int_eq(access(path, F_OK), -1);
	ck_assert_int_eq(fz_token_prepare_dir("/proc/fz/token", err,
					      sizeof(err)) < 0,
			 1);
	ck_assert_ptr_nonnull(strstr(err, "--token-file"));
	ck_assert_int_eq(fz_token_prepare_dir("dir/", err, sizeof(err)),
			 -EINVAL);
}
END_TEST

Suite *tokenfile_suite(void)
{
	Suite *s = suite_create("tokenfile");
	TCase *tc = tcase_create("tokenfile");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_shapes);
	tcase_add_test(tc, test_shapes_refused);
	tcase_add_test(tc, test_path);
	tcase_add_test(tc, test_write_read);
	tcase_add_test(tc, test_write_refused);
	tcase_add_test(tc, test_read_mode_refused);
	tcase_add_test(tc, test_read_owner_refused);
	tcase_add_test(tc, test_read_bad_files);
	tcase_add_test(tc, test_env_first);
	tcase_add_test(tc, test_delete);
	tcase_add_test(tc, test_prepare_dir);
	suite_add_tcase(s, tc);
	return s;
}
