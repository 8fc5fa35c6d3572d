/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small wrapper around libnl-genl for talking to fz.ko.
 *
 * Functions return 0 or a negative errno and print nothing. Errors the
 * kernel reports keep their errno; the kernel's extended ack message, when
 * it sent one, is available from fznl_ext_msg() until the next request.
 */
#ifndef FZ_AGENT_NL_H
#define FZ_AGENT_NL_H

#include <stddef.h>

struct nl_msg;
struct nlmsghdr;
struct fznl;

/* Whole dumps are retried this often when the kernel flags a race. */
#define FZNL_DUMP_ATTEMPTS 10

/* The messages of one dump, copied out of libnl's receive buffers. */
struct fznl_msgs {
	struct nlmsghdr **msgs;
	size_t n;
	size_t cap;
};

/* On failure err holds one line for the user ("cannot reach fz.ko: ..."). */
int fznl_open(struct fznl **out, char *err, size_t errlen);
void fznl_close(struct fznl *nl);
const char *fznl_ext_msg(const struct fznl *nl);

int fznl_dump_device(struct fznl *nl, const char *ifname,
		     struct fznl_msgs *out);
void fznl_msgs_free(struct fznl_msgs *m);

/* The generic netlink family id of fz.ko, for building requests. */
int fznl_family(const struct fznl *nl);

/*
 * Sends one request (its header from genlmsg_put(), NLM_F_ACK set) and
 * waits for the kernel's answer. msg is not freed.
 */
int fznl_request(struct fznl *nl, struct nl_msg *msg);

#endif /* FZ_AGENT_NL_H */
