// SPDX-License-Identifier: GPL-2.0
/*
 * DELETE AT MERGE: a stand-in for the signal wing (branch r-gwportal),
 * so that fzagent links without it. Every call fails: `fzagent gateway
 * --portal` reports that the portal connection is not built in.
 */
#include <errno.h>
#include <stdio.h>

#include "signal.h"

struct signal *signal_new(uv_loop_t *loop, const struct signal_config *cfg,
			  const char *token, const struct signal_ops *ops,
			  void *ctx, char *err, size_t errlen)
{
	(void)loop;
	(void)cfg;
	(void)token;
	(void)ops;
	(void)ctx;
	snprintf(err, errlen,
		 "this fzagent was built without the portal connection "
		 "(agent/signal/signal_stub.c)");
	return NULL;
}

int signal_start(struct signal *s)
{
	(void)s;
	return -ENOSYS;
}

int signal_send(struct signal *s, const struct proto_sig_msg *m)
{
	(void)s;
	(void)m;
	return -ENOTCONN;
}

enum signal_state signal_state(const struct signal *s)
{
	(void)s;
	return SIGNAL_CLOSED;
}

void signal_close(struct signal *s)
{
	(void)s;
}
