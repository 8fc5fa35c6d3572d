// SPDX-License-Identifier: GPL-2.0
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runbin.h"

char fzt_tmpdir[64];

void fzt_tmpdir_make(const char *prefix)
{
	const char *bin = getenv("FZAGENT");

	ck_assert_msg(bin && access(bin, X_OK) == 0,
		      "$FZAGENT must name the built fzagent binary "
		      "(make check sets it)");
	snprintf(fzt_tmpdir, sizeof(fzt_tmpdir), "/tmp/%s.XXXXXX", prefix);
	ck_assert_ptr_nonnull(mkdtemp(fzt_tmpdir));
}

void fzt_tmpdir_remove(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fzt_tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

char *fzt_slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	int c;

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(mem);
	while ((c = fgetc(f)) != EOF)
		fputc(c, mem);
	fclose(f);
	fclose(mem);
	return buf;
}

/* A shell line with "$FZAGENT" and "$T" (the test's directory). */
void fzt_run(struct run *r, const char *fmt, ...)
{
	char line[2048], cmd[2600], out[128], err[128];
	va_list ap;
	int status;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	snprintf(out, sizeof(out), "%s/stdout", fzt_tmpdir);
	snprintf(err, sizeof(err), "%s/stderr", fzt_tmpdir);
	snprintf(cmd, sizeof(cmd), "T='%s'; export T; ( %s ) >'%s' 2>'%s'",
		 fzt_tmpdir, line, out, err);
	status = system(cmd);
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	r->out = fzt_slurp(out);
	r->err = fzt_slurp(err);
}

void fzt_run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}
