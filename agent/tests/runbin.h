/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running the built fzagent binary ($FZAGENT) from Check tests: a fresh
 * directory per test and shell lines whose output is captured.
 */
#ifndef FZ_AGENT_TESTS_RUNBIN_H
#define FZ_AGENT_TESTS_RUNBIN_H

struct run {
	int status; /* exit status, or -1 if killed */
	char *out;
	char *err;
};

/* The current test's directory, exported to shell lines as $T. */
extern char fzt_tmpdir[64];

/* Fails the test unless $FZAGENT names an executable. */
void fzt_tmpdir_make(const char *prefix);
void fzt_tmpdir_remove(void);
char *fzt_slurp(const char *path);
void fzt_run(struct run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void fzt_run_free(struct run *r);

#endif /* FZ_AGENT_TESTS_RUNBIN_H */
