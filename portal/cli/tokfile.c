// SPDX-License-Identifier: GPL-2.0
/*
 * The tokens file (see tokfile.h). Every entry is compared on every
 * attempt, match or not, so the time taken says nothing about which
 * entry, or how much of one, matched; hashing first makes the tokens'
 * lengths irrelevant to sodium_memcmp() too.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "tokfile.h"
#include "lib/files.h"

#define HASH_LEN 32

/* Fills err; returns -1, so that a refusal is one line. */
static int __attribute__((format(printf, 3, 4)))
errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

struct tok_entry {
	enum web_role role;
	unsigned int line;
	unsigned char hash[HASH_LEN];
};

struct cli_tokfile {
	struct tok_entry *entries;
	size_t n;
};

static void hash(unsigned char out[HASH_LEN], const char *token, size_t len)
{
	crypto_generichash(out, HASH_LEN, (const unsigned char *)token, len,
			   NULL, 0);
}

static int check_owner(const char *path, mode_t mode, uid_t uid, char *err,
		       size_t errlen)
{
	if (!S_ISREG(mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		return -1;
	}
	if (mode & 0077) {
		snprintf(err, errlen,
			 "%s: mode %04o: a file of tokens must not be "
			 "accessible by group or others (chmod 600)",
			 path, (unsigned int)(mode & 07777));
		return -1;
	}
	if (uid != 0 && uid != geteuid()) {
		snprintf(err, errlen,
			 "%s: owned by uid %u: must be root's or this "
			 "process's (uid %u)",
			 path, (unsigned int)uid, (unsigned int)geteuid());
		return -1;
	}
	return 0;
}

/* One line, "ROLE TOKEN", blank or "#...". Cuts the line in place. */
static int parse_line(char *line, unsigned int no, struct tok_entry *e,
		      char *err, size_t errlen)
{
	char *role, *token, *extra, *save = NULL;

	role = strtok_r(line, " \t\r", &save);
	if (!role || role[0] == '#')
		return 0;
	token = strtok_r(NULL, " \t\r", &save);
	extra = strtok_r(NULL, " \t\r", &save);
	if (!strcmp(role, "gateway"))
		e->role = WEB_ROLE_GATEWAY;
	else if (!strcmp(role, "client"))
		e->role = WEB_ROLE_CLIENT;
	else
		return errf(err, errlen,
			    "line %u: role must be gateway or client", no);
	if (!token || extra)
		return errf(err, errlen, "line %u: want \"ROLE TOKEN\"", no);
	if (strlen(token) < CLI_TOKEN_MIN)
		return errf(err, errlen,
			    "line %u: token shorter than %d characters", no,
			    CLI_TOKEN_MIN);
	e->line = no;
	hash(e->hash, token, strlen(token));
	return 1;
}

static int parse(struct cli_tokfile *tf, char *text, char *err, size_t errlen)
{
	char *line, *save = NULL;
	struct tok_entry *grown;
	unsigned int no = 0;
	size_t cap = 0;
	int rc;

	/* strtok_r would skip empty lines and so miscount; walk by hand. */
	for (line = text; line; line = save) {
		struct tok_entry e;

		save = strchr(line, '\n');
		if (save)
			*save++ = '\0';
		no++;
		rc = parse_line(line, no, &e, err, errlen);
		if (rc < 0)
			return -1;
		if (!rc)
			continue;
		grown = fz_grow(tf->entries, &cap, tf->n, sizeof(e));
		if (!grown)
			return errf(err, errlen, "out of memory");
		tf->entries = grown;
		tf->entries[tf->n++] = e;
	}
	if (!tf->n)
		return errf(err, errlen, "no tokens");
	return 0;
}

struct cli_tokfile *cli_tokfile_load(const char *path, char *err, size_t errlen)
{
	struct cli_tokfile *tf = NULL;
	char *text = NULL, why[200];
	size_t len = 0;
	mode_t mode;
	uid_t uid;
	int rc;

	rc = fz_read_file(path, CLI_TOKFILE_MAX, &text, &len, &mode, &uid);
	if (rc) {
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return NULL;
	}
	if (check_owner(path, mode, uid, err, errlen))
		goto out;
	tf = calloc(1, sizeof(*tf));
	if (!tf) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (parse(tf, text, why, sizeof(why))) {
		snprintf(err, errlen, "%s: %s", path, why);
		cli_tokfile_free(tf);
		tf = NULL;
	}
out:
	fz_wipe_free(text, len);
	return tf;
}

void cli_tokfile_free(struct cli_tokfile *tf)
{
	if (!tf)
		return;
	fz_wipe_free(tf->entries, tf->n * sizeof(*tf->entries));
	free(tf);
}

int cli_tokfile_authenticate(void *arg, struct web_auth *a)
{
	struct cli_tokfile *tf = arg;
	struct tok_entry *match = NULL;
	unsigned char h[HASH_LEN];

	hash(h, a->token, strlen(a->token));
	for (size_t i = 0; i < tf->n; i++) {
		/* No early exit: every entry costs the same. */
		if (!sodium_memcmp(h, tf->entries[i].hash, HASH_LEN))
			match = &tf->entries[i];
	}
	sodium_memzero(h, sizeof(h));
	if (!match) {
		a->why = "unknown token";
		return -1;
	}
	if (match->role != a->role) {
		a->why = "token not valid for this endpoint";
		return -1;
	}
	a->principal = match;
	snprintf(a->name, sizeof(a->name), "tokens-file:%u", match->line);
	return 0;
}
