// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink transport to fz.ko: socket setup, family lookup, and
 * GET_DEVICE dumps that are retried when they race a configuration change.
 */
#include <errno.h>
#include <stdint.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

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

static int resolve_family(struct fzk_nl *nl, const char *name, char *err,
			  size_t errlen)
{
	int ret = genl_ctrl_resolve(nl->sock, name);

	if (ret >= 0) {
		nl->family = ret;
		return 0;
	}
	if (ret == -NLE_OBJ_NOTFOUND) {
		snprintf(err, errlen,
			 "cannot reach fz.ko: generic netlink family \"%s\" "
			 "not found (is the module loaded? try: modprobe fz)",
			 name);
		return -ENOENT;
	}
	snprintf(err, errlen,
		 "cannot reach fz.ko: looking up family \"%s\": %s", name,
		 nl_geterror(ret));
	return nlerr_to_errno(ret);
}

int fzk_nl_open(struct fzk_nl **out, char *err, size_t errlen)
{
	return fzk_nl_open_family(out, FZ_GENL_NAME, err, errlen);
}

int fzk_nl_open_family(struct fzk_nl **out, const char *name, char *err,
		       size_t errlen)
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
	ret = resolve_family(nl, name, err, errlen);
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
static void save_ext_msg(char *dst, size_t dstlen, const struct nlmsghdr *nlh,
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
		nla_strlcpy(dst, tb[NLMSGERR_ATTR_MSG], dstlen);
}

/*
 * An NLMSG_ERROR's text: its attributes follow the nlmsgerr and, unless
 * capped, the echoed request.
 */
static void save_error_msg(char *dst, size_t dstlen, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = NLMSG_DATA(nlh);
	size_t fixed = sizeof(*e);

	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
	    e->msg.nlmsg_len >= NLMSG_HDRLEN)
		fixed += e->msg.nlmsg_len - NLMSG_HDRLEN;
	save_ext_msg(dst, dstlen, nlh, fixed);
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

	(void)who;
	save_error_msg(st->nl->ext_msg, sizeof(st->nl->ext_msg), nlh);
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
			save_ext_msg(st->nl->ext_msg, sizeof(st->nl->ext_msg),
				     nlh, sizeof(err));
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

int fzk_nl_fd(const struct fzk_nl *nl)
{
	return nl_socket_get_fd(nl->sock);
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

/* --- Batches --- */

struct fzk_nl_batch {
	struct fzk_nl *nl;
	fzk_nl_result_fn result;
	void *ctx;
	uint8_t *buf; /* the queued requests, back to back */
	size_t len, cap;
	size_t n; /* requests queued */
	size_t last; /* offset of the last queued request */
	size_t sent;
	int err; /* the first error: nothing more is sent */
	int answers[FZK_NL_BATCH_MSGS];
	bool answered[FZK_NL_BATCH_MSGS];
	/* The kernel's text for each refused request: the one reported
	 * is the first that result() does not accept. */
	char texts[FZK_NL_BATCH_MSGS][sizeof(((struct fzk_nl *)0)->ext_msg)];
};

struct fzk_nl_batch *fzk_nl_batch_new(struct fzk_nl *nl,
				      fzk_nl_result_fn result, void *ctx)
{
	struct fzk_nl_batch *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->nl = nl;
	b->result = result;
	b->ctx = ctx;
	return b;
}

void fzk_nl_batch_free(struct fzk_nl_batch *b)
{
	if (!b)
		return;
	if (b->buf)
		explicit_bzero(b->buf, b->cap);
	free(b->buf);
	free(b);
}

size_t fzk_nl_batch_sent(const struct fzk_nl_batch *b)
{
	return b->sent;
}

/*
 * The batch numbers its requests itself, from 1 in each datagram, and
 * leaves libnl's counters alone: they expect one answer per request.
 * The port stays 0: the kernel answers the sending socket.
 */
static int batch_queue(struct fzk_nl_batch *b, const struct nlmsghdr *nlh)
{
	size_t len = NLMSG_ALIGN(nlh->nlmsg_len);
	struct nlmsghdr *copy;

	if (b->len + len > b->cap) {
		size_t cap = b->len + len > FZK_NL_BATCH_BYTES ?
				     b->len + len :
				     FZK_NL_BATCH_BYTES;
		uint8_t *buf = malloc(cap);

		if (!buf)
			return -ENOMEM;
		if (b->buf) {
			memcpy(buf, b->buf, b->len);
			explicit_bzero(b->buf, b->cap);
			free(b->buf);
		}
		b->buf = buf;
		b->cap = cap;
	}
	copy = (struct nlmsghdr *)(b->buf + b->len);
	memset(copy, 0, len);
	memcpy(copy, nlh, nlh->nlmsg_len);
	/* libnl would add NLM_F_REQUEST on sending; without it the kernel
	 * skips the message silently. */
	copy->nlmsg_flags = (copy->nlmsg_flags & ~NLM_F_ACK) | NLM_F_REQUEST;
	copy->nlmsg_seq = (uint32_t)b->n + 1;
	copy->nlmsg_pid = 0;
	b->last = b->len;
	b->len += len;
	b->answered[b->n] = false;
	b->answers[b->n] = 0;
	b->texts[b->n][0] = '\0';
	b->n++;
	return 0;
}

/* One answer: an error for some request, or the last one's ack. */
static void batch_answer(struct fzk_nl_batch *b, const struct nlmsghdr *nlh,
			 bool *done)
{
	const struct nlmsgerr *e = NLMSG_DATA(nlh);
	size_t i = nlh->nlmsg_seq - 1;

	if (nlh->nlmsg_type != NLMSG_ERROR ||
	    nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)) || i >= b->n ||
	    b->answered[i])
		return; /* not one of ours: a stale answer */
	b->answered[i] = true;
	b->answers[i] = e->error < 0 ? e->error : e->error ? -EPROTO : 0;
	if (b->answers[i])
		save_error_msg(b->texts[i], sizeof(b->texts[i]), nlh);
	if (i == b->n - 1)
		*done = true;
}

/*
 * The kernel carries out a whole datagram before sendmsg() returns, so
 * every answer is queued by now: errors, then the last request's. Should
 * the socket have overflowed (-ENOBUFS), what is left is read without
 * waiting, and the requests whose answer is missing are unknown.
 */
static int batch_receive(struct fzk_nl_batch *b)
{
	int fd = fzk_nl_fd(b->nl);
	union {
		struct nlmsghdr nlh;
		uint8_t bytes[8192];
	} rx;
	bool done = false;
	int ret = 0;

	while (!done) {
		struct iovec iov = { .iov_base = rx.bytes,
				     .iov_len = sizeof(rx) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t len = recvmsg(fd, &mh, ret ? MSG_DONTWAIT : 0);
		const struct nlmsghdr *nlh = &rx.nlh;

		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0 && ret)
			break;
		if (len < 0) {
			ret = -errno;
			if (ret == -ENOBUFS)
				continue;
			return ret;
		}
		if (mh.msg_flags & MSG_TRUNC)
			ret = -EPROTO;
		for (int left = (int)len; NLMSG_OK(nlh, left);
		     nlh = NLMSG_NEXT(nlh, left))
			batch_answer(b, nlh, &done);
	}
	return ret;
}

/*
 * Every request sent hears its fate: its error, 0 when the kernel did
 * not complain, or -EIO when answers were lost and its own may be one.
 */
static int batch_send(struct fzk_nl_batch *b)
{
	struct nlmsghdr *last = (struct nlmsghdr *)(b->buf + b->last);
	int ret;

	last->nlmsg_flags |= NLM_F_ACK;
	ret = nl_sendto(b->nl->sock, b->buf, b->len);
	if (ret < 0)
		return nlerr_to_errno(ret);
	ret = batch_receive(b);
	if (ret && !b->err)
		b->err = ret;
	for (size_t i = 0; i < b->n; i++) {
		int err = b->answered[i] ? b->answers[i] : ret ? -EIO : 0;

		err = b->result ? b->result(b->ctx, b->sent + i, err) : err;
		if (err && !b->err) {
			b->err = err;
			memcpy(b->nl->ext_msg, b->texts[i],
			       sizeof(b->nl->ext_msg));
		}
	}
	b->sent += b->n;
	return ret;
}

int fzk_nl_batch_flush(struct fzk_nl_batch *b)
{
	int ret = 0;

	if (b->n && !b->err) {
		ret = batch_send(b);
		if (ret && !b->err)
			b->err = ret; /* the datagram was not sent */
	}
	if (b->buf)
		explicit_bzero(b->buf, b->len);
	b->len = 0;
	b->n = 0;
	return b->err;
}

int fzk_nl_batch_add(struct fzk_nl_batch *b, struct nl_msg *msg)
{
	const struct nlmsghdr *nlh = nlmsg_hdr(msg);

	if (b->err)
		return b->err;
	if (b->n == FZK_NL_BATCH_MSGS ||
	    (b->n && b->len + NLMSG_ALIGN(nlh->nlmsg_len) > FZK_NL_BATCH_BYTES))
		fzk_nl_batch_flush(b);
	if (b->err)
		return b->err;
	if (b->n == 0 && b->sent == 0)
		b->nl->ext_msg[0] = '\0';
	return batch_queue(b, nlh);
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
