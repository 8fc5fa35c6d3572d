// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink transport to fz.ko: socket setup, family lookup, and
 * GET_DEVICE dumps that are retried when they race a configuration change.
 */
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>

#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include <linux/fz.h>

#include "nl.h"

struct fzk_nl {
	struct nl_sock *sock;
	int family;
	char ext_msg[256]; /* the kernel's extended ack text, or "" */
};

/* State of one dump attempt, shared by the receive callbacks. */
struct dump_state {
	struct fzk_nl *nl;
	struct fzk_nl_msgs *msgs;
	int err; /* first negative errno seen */
	bool interrupted;
	bool answered; /* the NLMSG_ERROR (ack or error) has arrived */
};

/* libnl has its own error space; map the codes a caller may act on. */
static int nlerr_to_errno(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_PERM:
		return -EPERM;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_INTR:
		return -EINTR;
	case NLE_SEQ_MISMATCH:
	case NLE_MSG_TRUNC:
	case NLE_MSG_OVERFLOW:
		return -EPROTO;
	default:
		return -EIO;
	}
}

/* Best effort: kernels without these options still work, just terser. */
static void enable_ext_ack(struct nl_sock *sock)
{
	int one = 1, fd = nl_socket_get_fd(sock);

	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
}

static int resolve_family(struct fzk_nl *nl, char *err, size_t errlen)
{
	int ret = genl_ctrl_resolve(nl->sock, FZ_GENL_NAME);

	if (ret >= 0) {
		nl->family = ret;
		return 0;
	}
	if (ret == -NLE_OBJ_NOTFOUND) {
		snprintf(err, errlen,
			 "cannot reach fz.ko: generic netlink family \"%s\" "
			 "not found (is the module loaded? try: modprobe fz)",
			 FZ_GENL_NAME);
		return -ENOENT;
	}
	snprintf(err, errlen,
		 "cannot reach fz.ko: looking up family \"%s\": %s",
		 FZ_GENL_NAME, nl_geterror(ret));
	return nlerr_to_errno(ret);
}

int fzk_nl_open(struct fzk_nl **out, char *err, size_t errlen)
{
	struct fzk_nl *nl;
	int ret;

	nl = calloc(1, sizeof(*nl));
	if (nl)
		nl->sock = nl_socket_alloc();
	if (!nl || !nl->sock) {
		snprintf(err, errlen, "cannot allocate a netlink socket");
		ret = -ENOMEM;
		goto err;
	}
	ret = genl_connect(nl->sock);
	if (ret < 0) {
		snprintf(err, errlen,
			 "cannot open a generic netlink socket: %s",
			 nl_geterror(ret));
		ret = nlerr_to_errno(ret);
		goto err;
	}
	/* Peek first so that no dump message is ever truncated. */
	nl_socket_enable_msg_peek(nl->sock);
	enable_ext_ack(nl->sock);
	ret = resolve_family(nl, err, errlen);
	if (ret)
		goto err;
	*out = nl;
	return 0;
err:
	fzk_nl_close(nl);
	return ret;
}

void fzk_nl_close(struct fzk_nl *nl)
{
	if (!nl)
		return;
	if (nl->sock)
		nl_socket_free(nl->sock);
	free(nl);
}

const char *fzk_nl_ext_msg(const struct fzk_nl *nl)
{
	return nl->ext_msg;
}

void fzk_nl_msgs_free(struct fzk_nl_msgs *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->msgs[i]);
	free(m->msgs);
	memset(m, 0, sizeof(*m));
}

/* libnl reuses its receive buffer, so keep a copy of every message. */
static int msgs_push(struct fzk_nl_msgs *m, const struct nlmsghdr *nlh)
{
	struct nlmsghdr *copy;

	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 8;
		struct nlmsghdr **v = realloc(m->msgs, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		m->msgs = v;
		m->cap = cap;
	}
	copy = malloc(nlh->nlmsg_len);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, nlh, nlh->nlmsg_len);
	m->msgs[m->n++] = copy;
	return 0;
}

/*
 * With NETLINK_EXT_ACK the kernel appends NLMSGERR_ATTR_* attributes after
 * the fixed part of an error (nlmsgerr plus, unless capped, the echoed
 * request) or of a dump's NLMSG_DONE (an int).
 */
static void save_ext_msg(struct fzk_nl *nl, const struct nlmsghdr *nlh,
			 size_t fixed_len)
{
	static const struct nla_policy policy[NLMSGERR_ATTR_MAX + 1] = {
		[NLMSGERR_ATTR_MSG] = { .type = NLA_STRING },
	};
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(fixed_len);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || off >= nlh->nlmsg_len)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)nlh + off),
		      (int)(nlh->nlmsg_len - off), policy) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		nla_strlcpy(nl->ext_msg, tb[NLMSGERR_ATTR_MSG],
			    sizeof(nl->ext_msg));
}

static void set_err(struct dump_state *st, int err)
{
	if (!st->err)
		st->err = err;
}

/*
 * A failed request gets one NLMSG_ERROR and nothing after it. libnl 3.7
 * passes only the nlmsgerr, which sits right after its header in the
 * receive buffer, so step back to the header to find the ext ack.
 */
static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct dump_state *st = arg;
	const struct nlmsghdr *nlh =
		(const void *)((const char *)e - NLMSG_HDRLEN);
	size_t fixed = sizeof(*e);

	(void)who;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
	    e->msg.nlmsg_len >= NLMSG_HDRLEN)
		fixed += e->msg.nlmsg_len - NLMSG_HDRLEN;
	save_ext_msg(st->nl, nlh, fixed);
	set_err(st, e->error < 0 ? e->error : -EPROTO);
	st->answered = true;
	return NL_STOP;
}

/* Keep reading after a problem so the socket is clean for the next dump. */
static int on_valid(struct nl_msg *msg, void *arg)
{
	struct dump_state *st = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		st->interrupted = true;
	if (nlh->nlmsg_type != st->nl->family)
		set_err(st, -EPROTO);
	else if (!st->err && msgs_push(st->msgs, nlh))
		set_err(st, -ENOMEM);
	return NL_OK;
}

/* An error in the middle of a dump arrives as an int in NLMSG_DONE. */
static int on_finish(struct nl_msg *msg, void *arg)
{
	struct dump_state *st = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	int err;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		st->interrupted = true;
	if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(err))) {
		memcpy(&err, nlmsg_data(nlh), sizeof(err));
		if (err < 0) {
			save_ext_msg(st->nl, nlh, sizeof(err));
			set_err(st, err);
		}
	}
	return NL_STOP;
}

static int on_dump_intr(struct nl_msg *msg, void *arg)
{
	struct dump_state *st = arg;

	(void)msg;
	st->interrupted = true;
	return NL_OK;
}

static struct nl_cb *dump_callbacks(struct dump_state *st)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

	if (!cb)
		return NULL;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, st);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, st);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_dump_intr, st);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, st);
	return cb;
}

static int build_get_device(struct fzk_nl *nl, const char *ifname,
			    struct nl_msg **out)
{
	struct nl_msg *msg;

	if (strlen(ifname) >= IFNAMSIZ)
		return -EINVAL;
	msg = nlmsg_alloc();
	if (!msg)
		return -ENOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
			 NLM_F_DUMP, FZ_CMD_GET_DEVICE, FZ_GENL_VERSION) ||
	    nla_put_string(msg, FZ_A_IFNAME, ifname) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	*out = msg;
	return 0;
}

static int dump_once(struct fzk_nl *nl, const char *ifname,
		     struct fzk_nl_msgs *msgs, bool *interrupted)
{
	struct dump_state st = { .nl = nl, .msgs = msgs };
	struct nl_msg *req = NULL;
	struct nl_cb *cb = NULL;
	int ret;

	nl->ext_msg[0] = '\0';
	ret = build_get_device(nl, ifname, &req);
	if (ret)
		goto out;
	cb = dump_callbacks(&st);
	if (!cb) {
		ret = -ENOMEM;
		goto out;
	}
	ret = nl_send_auto(nl->sock, req);
	if (ret >= 0)
		ret = nl_recvmsgs(nl->sock, cb);
	if (ret == -NLE_DUMP_INTR)
		st.interrupted = true;
	if (st.err)
		ret = st.err;
	else if (ret < 0 && ret != -NLE_DUMP_INTR)
		ret = nlerr_to_errno(ret);
	else
		ret = 0;
	*interrupted = st.interrupted;
out:
	if (cb)
		nl_cb_put(cb);
	nlmsg_free(req);
	return ret;
}

/*
 * A dump flagged NLM_F_DUMP_INTR raced a configuration change, so its
 * messages may describe two different configurations. Throw it away and
 * ask again; give up with -EAGAIN if the device never holds still.
 */
int fzk_nl_dump_device(struct fzk_nl *nl, const char *ifname,
		       struct fzk_nl_msgs *out)
{
	bool interrupted = false;
	int ret = -EAGAIN;

	memset(out, 0, sizeof(*out));
	for (int i = 0; i < FZK_NL_DUMP_ATTEMPTS; i++) {
		ret = dump_once(nl, ifname, out, &interrupted);
		if (ret || !interrupted)
			break;
		fzk_nl_msgs_free(out);
		ret = -EAGAIN;
	}
	if (ret)
		fzk_nl_msgs_free(out);
	return ret;
}

int fzk_nl_family(const struct fzk_nl *nl)
{
	return nl->family;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct dump_state *st = arg;

	(void)msg;
	st->answered = true;
	return NL_STOP;
}

/*
 * A do-request ends with exactly one NLMSG_ERROR: an ack or an error.
 * Replies before it come in datagrams of their own, after each of which
 * libnl returns, so read until the answer: an ack left in the socket
 * would be taken for the next request's.
 */
int fzk_nl_request(struct fzk_nl *nl, struct nl_msg *msg)
{
	struct dump_state st = { .nl = nl };
	struct nl_cb *cb;
	int ret;

	nl->ext_msg[0] = '\0';
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return -ENOMEM;
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &st);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &st);
	ret = nl_send_auto(nl->sock, msg);
	while (ret >= 0 && !st.answered)
		ret = nl_recvmsgs(nl->sock, cb);
	nl_cb_put(cb);
	if (st.err)
		return st.err;
	return ret < 0 ? nlerr_to_errno(ret) : 0;
}

/* Root may force a receive buffer above the system's default maximum. */
static void grow_rcvbuf(struct nl_sock *sk, int size)
{
	int fd = nl_socket_get_fd(sk);

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		nl_socket_set_buffer_size(sk, size, 0);
}

int fzk_nl_open_events(struct nl_sock **out, int *family, int rcvbuf, char *err,
		       size_t errlen)
{
	struct nl_sock *sk = nl_socket_alloc();
	int grp, ret;

	*out = NULL;
	if (!sk)
		return -ENOMEM;
	nl_socket_disable_seq_check(sk);
	ret = genl_connect(sk);
	if (!ret) {
		*family = genl_ctrl_resolve(sk, FZ_GENL_NAME);
		ret = *family < 0 ? *family : 0;
	}
	grp = ret ? ret :
		    genl_ctrl_resolve_grp(sk, FZ_GENL_NAME, FZ_MCGRP_EVENTS);
	ret = grp < 0 ? grp : nl_socket_add_membership(sk, grp);
	if (!ret)
		ret = nl_socket_set_nonblocking(sk);
	if (ret) {
		snprintf(err, errlen, "cannot subscribe to fz.ko's events: %s",
			 nl_geterror(ret));
		nl_socket_free(sk);
		return -EIO;
	}
	grow_rcvbuf(sk, rcvbuf);
	*out = sk;
	return 0;
}
