/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `fzagent sign-in`'s loopback listener (portal/SIGNIN.md, steps 1 and
 * 6): the one request that counts and the answers to the browser. The
 * request is parsed here, apart from the sockets, so that the tests can
 * feed it anything.
 */
#ifndef FZ_AGENT_CMD_SIGNIN_H
#define FZ_AGENT_CMD_SIGNIN_H

#include <stddef.h>

#include "lib/tokenfile.h"

/* A request's header may be this long, request line included. */
#define CMD_SIGNIN_REQUEST_MAX 8192
#define CMD_SIGNIN_ACTOR_MAX 256

struct cmd_signin_callback {
	char fragment[FZ_TOKEN_PLAIN_LEN + 1];
	/* The actor's name as the portal gave it, control characters as '?'. */
	char actor[CMD_SIGNIN_ACTOR_MAX + 1];
};

/*
 * One request as read so far, buf[0..len):
 *   0          `GET /callback?state=S&fragment=F[&account_slug=SLUG]
 *              [&actor_name=NAME] HTTP/1.x` with S equal to state, F an
 *              fz1_ token and SLUG (if given) equal to slug; out is filled
 *   -EAGAIN    the header has not ended yet (read more)
 *   -EMSGSIZE  CMD_SIGNIN_REQUEST_MAX bytes and the header has not ended
 *   -EACCES    a callback whose state is not ours
 *   -EINVAL    anything else; *why says what, fit for the 400 page
 * Parameters of other names are ignored; one given twice is refused.
 * out is wiped unless 0 is returned.
 */
int cmd_signin_parse_callback(const char *buf, size_t len, const char *state,
			      const char *slug, struct cmd_signin_callback *out,
			      const char **why);

/*
 * The whole HTTP/1.1 answer into buf: status 303 with location, or 400
 * with text as a plain text page. Returns its length, or -ENOSPC.
 */
int cmd_signin_answer(char *buf, size_t buflen, int status,
		      const char *location, const char *text);

#endif /* FZ_AGENT_CMD_SIGNIN_H */
