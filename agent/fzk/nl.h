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
/* The same for another family (the tests use the kernel's "nlctrl"). */
int fzk_nl_open_family(struct fzk_nl **out, const char *name, char *err,
		       size_t errlen);
void fzk_nl_close(struct fzk_nl *nl);
const char *fzk_nl_ext_msg(const struct fzk_nl *nl);

int fzk_nl_dump_device(struct fzk_nl *nl, const char *ifname,
		       struct fzk_nl_msgs *out);
void fzk_nl_msgs_free(struct fzk_nl_msgs *m);

/* The request socket's descriptor (the tests shrink its buffer). */
int fzk_nl_fd(const struct fzk_nl *nl);

/* The generic netlink family id of fz.ko, for building requests. */
int fzk_nl_family(const struct fzk_nl *nl);

/*
 * Sends one request (its header from genlmsg_put(), NLM_F_ACK set) and
 * waits for the kernel's answer. msg is not freed.
 */
int fzk_nl_request(struct fzk_nl *nl, struct nl_msg *msg);

/*
 * Many requests in few round trips: requests are packed into datagrams of
 * up to FZK_NL_BATCH_MSGS; only the last of each asks for an ack, and
 * the kernel answers the others only when they fail (it goes on with the
 * next request of a datagram after a failure). result() hears of every
 * request sent, in order, with 0 or its negative errno; what it returns
 * counts as that request's error (0 accepts the failure: -ENOENT from a
 * removal, say). After the first error nothing more is sent, but the
 * rest of its datagram was carried out, and result() hears of it too.
 */
#define FZK_NL_BATCH_MSGS 32
#define FZK_NL_BATCH_BYTES 16384

typedef int (*fzk_nl_result_fn)(void *ctx, size_t index, int err);

struct fzk_nl_batch;

struct fzk_nl_batch *fzk_nl_batch_new(struct fzk_nl *nl,
				      fzk_nl_result_fn result, void *ctx);

/*
 * Queues a copy of msg (a request as for fzk_nl_request(), not freed
 * here), sending the queue first when msg would not fit. Returns the
 * batch's first error so far, in which case msg was not queued.
 */
int fzk_nl_batch_add(struct fzk_nl_batch *b, struct nl_msg *msg);

/* Sends what is queued, waits for its answers; the first error or 0. */
int fzk_nl_batch_flush(struct fzk_nl_batch *b);

/* Requests sent so far (each heard of by result(), or lost with -EIO). */
size_t fzk_nl_batch_sent(const struct fzk_nl_batch *b);

/* Frees the batch; what is still queued is never sent. */
void fzk_nl_batch_free(struct fzk_nl_batch *b);

/*
 * The event socket: non-blocking, subscribed to FZ_MCGRP_EVENTS, its
 * receive buffer forced up to rcvbuf bytes where the caller may; *family
 * is fz.ko's family id. Returns 0; -ENOMEM (no socket, err untouched); or
 * -EIO with one line for the user in err. Free with nl_socket_free().
 */
int fzk_nl_open_events(struct nl_sock **out, int *family, int rcvbuf, char *err,
		       size_t errlen);

#endif /* FZ_AGENT_NL_H */
