// SPDX-License-Identifier: GPL-2.0
/*
 * One store transaction per turn of the loop for the signalling's
 * writes. A request costs an authorization row and an audit row, a join
 * an upsert: on their own each is a commit (locks, WAL frames for every
 * page of the table and its six indexes). Under load many arrive in one
 * turn, and in one transaction they share the commit and most pages, so
 * the cost per request falls as the load rises instead of the other way.
 *
 * The transaction is opened by the first write of a turn and committed
 * before the loop can block (prepare) and after its I/O callbacks
 * (check), so it never spans a wait: nothing a client or gateway is told
 * in this turn leaves before its rows are committed (web_conn_send only
 * queues, the socket is written in a later turn). Anything else that
 * wants a transaction of its own (the REST API's admin writes) calls
 * sig_batch_flush() first.
 */
#include "priv.h"
#include "core/log.h"

void sig_batch_open(struct sig *s)
{
	struct store_err err = { 0 };

	if (s->in_batch || s->stopped)
		return;
	/* Busy or failed: the writes go one by one, as without a batch. */
	if (store_begin(s->store, &err)) {
		core_log("store_failed", "op", "begin", "msg", err.msg, NULL);
		return;
	}
	s->in_batch = true;
}

void sig_batch_flush(struct sig *s)
{
	struct store_err err = { 0 };

	if (!s || !s->in_batch)
		return;
	s->in_batch = false;
	if (!store_commit(s->store, &err))
		return;
	/*
	 * What was sent in this turn stands (it is queued); the rows of it
	 * are lost, as a single failed insert would have been. Gateways
	 * still enforce each authorization's expiry themselves.
	 */
	core_log("store_failed", "op", "commit", "msg", err.msg, NULL);
	store_rollback(s->store);
}

static void prepare_cb(uv_prepare_t *h)
{
	sig_batch_flush(h->data);
}

static void check_cb(uv_check_t *h)
{
	sig_batch_flush(h->data);
}

void sig_batch_start(struct sig *s)
{
	uv_prepare_init(s->loop, &s->batch_prepare);
	uv_check_init(s->loop, &s->batch_check);
	s->batch_prepare.data = s;
	s->batch_check.data = s;
	uv_prepare_start(&s->batch_prepare, prepare_cb);
	uv_check_start(&s->batch_check, check_cb);
}

static void closed(uv_handle_t *h)
{
	(void)h;
}

void sig_batch_stop(struct sig *s)
{
	sig_batch_flush(s);
	uv_close((uv_handle_t *)&s->batch_prepare, closed);
	uv_close((uv_handle_t *)&s->batch_check, closed);
}
