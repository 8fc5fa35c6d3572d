// SPDX-License-Identifier: GPL-2.0
/*
 * Batches of netlink requests (fzk/nl.c) against the host's own kernel:
 * the generic netlink controller ("nlctrl") answers CTRL_CMD_GETFAMILY
 * for a family it knows with a reply and no error, and for one it does
 * not know with -ENOENT, as fz.ko answers a SET_PEER it takes or refuses.
 */
#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "fzk/nl.h"
#include "../suites.h"

#define N_REQUESTS 100

struct results {
	int err[N_REQUESTS + 1];
	size_t calls;
	bool in_order;
	bool accept_enoent;
};

static int on_result(void *ctx, size_t index, int err)
{
	struct results *r = ctx;

	if (index != r->calls || index >= N_REQUESTS)
		r->in_order = false;
	else
		r->err[index] = err;
	r->calls++;
	return err == -ENOENT && r->accept_enoent ? 0 : err;
}

/* GETFAMILY for name: answered with a reply, or -ENOENT. */
static struct nl_msg *getfamily(struct fzk_nl *nl, const char *name)
{
	struct nl_msg *msg = nlmsg_alloc();

	ck_assert_ptr_nonnull(msg);
	ck_assert_ptr_nonnull(genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ,
					  fzk_nl_family(nl), 0, NLM_F_ACK,
					  CTRL_CMD_GETFAMILY, 1));
	ck_assert_int_eq(nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, name), 0);
	return msg;
}

static bool known(size_t i)
{
	return i % 10 == 3;
}

static struct fzk_nl *open_ctrl(void)
{
	struct fzk_nl *nl = NULL;
	char err[256] = "";

	ck_assert_msg(!fzk_nl_open_family(&nl, "nlctrl", err, sizeof(err)),
		      "%s", err);
	return nl;
}

/* Adds N_REQUESTS, every tenth for a family that exists. */
static int add_all(struct fzk_nl *nl, struct fzk_nl_batch *b, size_t *added)
{
	char name[32];
	int ret = 0;

	for (*added = 0; !ret && *added < N_REQUESTS; (*added)++) {
		struct nl_msg *msg;

		snprintf(name, sizeof(name), "fz-test-none-%zu", *added);
		msg = getfamily(nl, known(*added) ? "nlctrl" : name);
		ret = fzk_nl_batch_add(b, msg);
		nlmsg_free(msg);
	}
	return ret ? ret : fzk_nl_batch_flush(b);
}

START_TEST(test_batch_every_result_in_order)
{
	struct results r = { .in_order = true, .accept_enoent = true };
	struct fzk_nl *nl = open_ctrl();
	struct fzk_nl_batch *b = fzk_nl_batch_new(nl, on_result, &r);
	size_t added;

	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(add_all(nl, b, &added), 0);
	ck_assert_uint_eq(added, N_REQUESTS);
	ck_assert_uint_eq(fzk_nl_batch_sent(b), N_REQUESTS);
	ck_assert_uint_eq(r.calls, N_REQUESTS);
	ck_assert(r.in_order);
	for (size_t i = 0; i < N_REQUESTS; i++)
		ck_assert_int_eq(r.err[i], known(i) ? 0 : -ENOENT);
	fzk_nl_batch_free(b);
	fzk_nl_close(nl);
}
END_TEST

/*
 * A refused request stops the batch after its datagram: the rest of
 * that datagram was carried out and reported, nothing after it is sent.
 */
START_TEST(test_batch_stops_after_a_failure)
{
	struct results r = { .in_order = true };
	struct fzk_nl *nl = open_ctrl();
	struct fzk_nl_batch *b = fzk_nl_batch_new(nl, on_result, &r);
	size_t added;

	ck_assert_int_eq(add_all(nl, b, &added), -ENOENT);
	ck_assert_uint_eq(fzk_nl_batch_sent(b), FZK_NL_BATCH_MSGS);
	ck_assert_uint_eq(r.calls, FZK_NL_BATCH_MSGS);
	ck_assert_uint_eq(added, FZK_NL_BATCH_MSGS + 1);
	ck_assert(r.in_order);
	for (size_t i = 0; i < FZK_NL_BATCH_MSGS; i++)
		ck_assert_int_eq(r.err[i], known(i) ? 0 : -ENOENT);
	fzk_nl_batch_free(b);
	fzk_nl_close(nl);
}
END_TEST

/* The batch leaves libnl's sequence numbers as single requests need. */
START_TEST(test_single_requests_after_a_batch)
{
	struct results r = { .in_order = true, .accept_enoent = true };
	struct fzk_nl *nl = open_ctrl();
	struct fzk_nl_batch *b = fzk_nl_batch_new(nl, on_result, &r);
	struct nl_msg *msg;
	size_t added;

	ck_assert_int_eq(add_all(nl, b, &added), 0);
	fzk_nl_batch_free(b);
	for (int i = 0; i < 3; i++) {
		msg = getfamily(nl, "nlctrl");
		ck_assert_int_eq(fzk_nl_request(nl, msg), 0);
		nlmsg_free(msg);
		msg = getfamily(nl, "fz-test-none");
		ck_assert_int_eq(fzk_nl_request(nl, msg), -ENOENT);
		nlmsg_free(msg);
	}
	fzk_nl_close(nl);
}
END_TEST

/* A request bigger than a batch's buffer goes in a datagram of its own. */
START_TEST(test_batch_big_request)
{
	struct results r = { .in_order = true, .accept_enoent = true };
	struct fzk_nl *nl = open_ctrl();
	struct fzk_nl_batch *b = fzk_nl_batch_new(nl, on_result, &r);
	static char pad[FZK_NL_BATCH_BYTES];
	struct nl_msg *big = nlmsg_alloc_size(2 * FZK_NL_BATCH_BYTES);
	struct nl_msg *msg;

	ck_assert_ptr_nonnull(big);
	ck_assert_ptr_nonnull(genlmsg_put(big, NL_AUTO_PORT, NL_AUTO_SEQ,
					  fzk_nl_family(nl), 0, NLM_F_ACK,
					  CTRL_CMD_GETFAMILY, 1));
	ck_assert_int_eq(nla_put_string(big, CTRL_ATTR_FAMILY_NAME, "nlctrl"),
			 0);
	/* The controller's policy leaves attributes it does not know. */
	ck_assert_int_eq(nla_put(big, CTRL_ATTR_MAX + 1, sizeof(pad), pad), 0);
	msg = getfamily(nl, "fz-test-none");
	ck_assert_int_eq(fzk_nl_batch_add(b, msg), 0);
	ck_assert_int_eq(fzk_nl_batch_add(b, big), 0);
	ck_assert_int_eq(fzk_nl_batch_add(b, msg), 0);
	ck_assert_int_eq(fzk_nl_batch_flush(b), 0);
	ck_assert_uint_eq(r.calls, 3);
	ck_assert_int_eq(r.err[0], -ENOENT);
	ck_assert_int_eq(r.err[1], 0);
	ck_assert_int_eq(r.err[2], -ENOENT);
	nlmsg_free(msg);
	nlmsg_free(big);
	fzk_nl_batch_free(b);
	fzk_nl_close(nl);
}
END_TEST

/*
 * Answers lost to a full receive buffer: those read keep their errors,
 * the others are unknown (-EIO), the batch fails with -ENOBUFS, and the
 * socket is left clean for the next request.
 */
START_TEST(test_batch_lost_answers)
{
	struct results r = { .in_order = true, .accept_enoent = true };
	struct fzk_nl *nl = open_ctrl();
	struct fzk_nl_batch *b = fzk_nl_batch_new(nl, on_result, &r);
	struct nl_msg *msg = getfamily(nl, "fz-test-none");
	int tiny = 1, lost = 0;

	ck_assert_int_eq(setsockopt(fzk_nl_fd(nl), SOL_SOCKET, SO_RCVBUF, &tiny,
				    sizeof(tiny)),
			 0);
	for (int i = 0; i < FZK_NL_BATCH_MSGS; i++)
		ck_assert_int_eq(fzk_nl_batch_add(b, msg), 0);
	ck_assert_int_eq(fzk_nl_batch_flush(b), -ENOBUFS);
	ck_assert_uint_eq(r.calls, FZK_NL_BATCH_MSGS);
	ck_assert_int_eq(r.err[0], -ENOENT);
	for (int i = 0; i < FZK_NL_BATCH_MSGS; i++) {
		ck_assert(r.err[i] == -ENOENT || r.err[i] == -EIO);
		lost += r.err[i] == -EIO;
	}
	ck_assert_int_gt(lost, 0);
	ck_assert_int_eq(fzk_nl_batch_add(b, msg), -ENOBUFS);
	ck_assert_int_eq(fzk_nl_request(nl, msg), -ENOENT);
	nlmsg_free(msg);
	fzk_nl_batch_free(b);
	fzk_nl_close(nl);
}
END_TEST

Suite *nl_suite(void)
{
	Suite *s = suite_create("fzk_nl");
	TCase *tc = tcase_create("batch");

	tcase_add_test(tc, test_batch_every_result_in_order);
	tcase_add_test(tc, test_batch_stops_after_a_failure);
	tcase_add_test(tc, test_single_requests_after_a_batch);
	tcase_add_test(tc, test_batch_big_request);
	tcase_add_test(tc, test_batch_lost_answers);
	suite_add_tcase(s, tc);
	return s;
}
