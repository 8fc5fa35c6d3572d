/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small wrapper around libnl-genl for talking to fz.ko.
 *
 * Functions return 0 or a negative errno and print nothing. Errors the
 * kernel reports keep their errno; the kernel's extended ack message, when
 * it sent one, is available from fzk_nl_ext_msg() until the next request.
 */
#ifndef FZ_AGENT_NL_H
#define FZ_AGENT_NL_H

#include <stddef.h>

struct nl_msg;
struct nl_sock;
struct nlmsghdr;
struct fzk_nl;

/* Whole dumps are retried this often when the kernel flags a race. */
#define FZK_NL_DUMP_ATTEMPTS 10

/* The messages of one dump, copied out of libnl's receive buffers. */
struct fzk_nl_msgs {
	struct nlmsghdr **msgs;
	size_t n;
	size_t cap;
};

/* On failure err holds one line for the user ("cannot reach fz.ko: ..."). */
int fzk_nl_open(struct fzk_nl **out, char *err, size_t errlen);
void fzk_nl_close(struct fzk_nl *nl);
const char *fzk_nl_ext_msg(const struct fzk_nl *nl);

int fzk_nl_dump_device(struct fzk_nl *nl, const char *ifname,
		       struct fzk_nl_msgs *out);
void fzk_nl_msgs_free(struct fzk_nl_msgs *m);

/* The generic netlink family id of fz.ko, for building requests. */
int fzk_nl_family(const struct fzk_nl *nl);

/*
 * Sends one request (its header from genlmsg_put(), NLM_F_ACK set) and
 * waits for the kernel's answer. msg is not freed.
 */
int fzk_nl_request(struct fzk_nl *nl, struct nl_msg *msg);

/*
 * The event socket: non-blocking, subscribed to FZ_MCGRP_EVENTS, its
 * receive buffer forced up to rcvbuf bytes where the caller may; *family
 * is fz.ko's family id. Returns 0; -ENOMEM (no socket, err untouched); or
 * -EIO with one line for the user in err. Free with nl_socket_free().
 */
int fzk_nl_open_events(struct nl_sock **out, int *family, int rcvbuf, char *err,
		       size_t errlen);

#endif /* FZ_AGENT_NL_H */
