// SPDX-License-Identifier: GPL-2.0
/*
 * Frames to the portal: built by proto_sig_build() (so nothing the
 * portal's parser would refuse goes out), queued with lws's headroom,
 * written one per writable callback. The queue is bounded: a portal
 * that stops reading does not make the agent grow.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "signal_int.h"

int signal_tx_queue(struct signal *s, const struct proto_sig_msg *m)
{
	struct proto_sig_error e;
	struct signal_frame *f;
	char *text;
	size_t len;
	int ret;

	ret = proto_sig_build(m, &text, &len, &e);
	if (ret) {
		signal_log(s, "not sent: %s (%s)", e.reason, e.message);
		return ret == -ENOMEM ? -ENOMEM : -EINVAL;
	}
	if (s->out_bytes + len > SIGNAL_OUT_MAX) {
		free(text);
		return -ENOBUFS;
	}
	f = malloc(sizeof(*f) + LWS_PRE + len);
	if (!f) {
		free(text);
		return -ENOMEM;
	}
	f->next = NULL;
	f->len = len;
	memcpy(f->buf + LWS_PRE, text, len);
	free(text);
	if (s->out_tail)
		s->out_tail->next = f;
	else
		s->out_head = f;
	s->out_tail = f;
	s->out_bytes += len;
	lws_callback_on_writable(s->wsi);
	return 0;
}

int signal_tx_write(struct signal *s)
{
	struct signal_frame *f = s->out_head;
	int n;

	if (!f)
		return 0;
	n = lws_write(s->wsi, f->buf + LWS_PRE, f->len, LWS_WRITE_TEXT);
	s->out_head = f->next;
	if (!s->out_head)
		s->out_tail = NULL;
	s->out_bytes -= f->len;
	free(f);
	if (n < 0)
		return -1;
	return s->out_head != NULL;
}

void signal_tx_flush(struct signal *s)
{
	while (s->out_head) {
		struct signal_frame *f = s->out_head;

		s->out_head = f->next;
		free(f);
	}
	s->out_tail = NULL;
	s->out_bytes = 0;
}
