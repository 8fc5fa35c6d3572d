// SPDX-License-Identifier: GPL-2.0
/*
 * Every message out goes through the codec (proto/sig.h), so the portal
 * can only send what an agent's parser accepts; a message the codec
 * refuses is logged and dropped rather than sent malformed.
 */
#include <errno.h>
#include <stdlib.h>

#include <sodium.h>

#include "priv.h"
#include "core/log.h"
#include "lib/keys.h"

static int build_send(struct sig_peer *p, const struct proto_sig_msg *m,
		      bool quiet_e2big)
{
	struct proto_sig_error e;
	char *text;
	size_t len;
	int ret;

	if (p->gone)
		return -EPIPE;
	ret = proto_sig_build(m, &text, &len, &e);
	if (ret) {
		if (ret != -E2BIG || !quiet_e2big)
			core_log("send_failed", "event",
				 proto_sig_event_name(m->kind), "who",
				 web_conn_name(p->conn), "reason", e.reason,
				 "msg", e.message, NULL);
		return ret;
	}
	ret = web_conn_send(p->conn, text, len);
	/* create_authorization and authorization_created carry a PSK. */
	sodium_memzero(text, len);
	free(text);
	return ret;
}

int sig_send(struct sig_peer *p, const struct proto_sig_msg *m)
{
	return build_send(p, m, false);
}

int sig_send_try(struct sig_peer *p, const struct proto_sig_msg *m)
{
	return build_send(p, m, true);
}

void sig_reply(struct sig_peer *p, const char *ref, const char *error)
{
	struct proto_sig_msg m = { .kind = PROTO_SIG_REPLY, .ref = ref };

	m.topic = p->role == WEB_ROLE_GATEWAY ? "gateway" : "client";
	m.reply.status = error ? PROTO_SIG_ERROR : PROTO_SIG_OK;
	m.reply.reason = error;
	sig_send(p, &m);
}

bool sig_key_unusable(struct sig_peer *p, const char *ref,
		      const uint8_t key[FZ_KEY_LEN])
{
	if (!fz_key_is_low_order(key))
		return false;
	sig_reply(p, ref, "invalid_public_key");
	core_log("join_refused", "who", web_conn_name(p->conn), "msg",
		 "a public key of small order", NULL);
	return true;
}

void sig_init_done(struct sig_peer *p)
{
	struct proto_sig_msg m = { .kind = PROTO_SIG_INIT_DONE };

	m.topic = p->role == WEB_ROLE_GATEWAY ? "gateway" : "client";
	sig_send(p, &m);
}

void sig_disconnect(struct sig_peer *p, const char *reason)
{
	struct proto_sig_msg m = { .kind = PROTO_SIG_DISCONNECT };

	if (p->gone)
		return;
	m.topic = p->role == WEB_ROLE_GATEWAY ? "gateway" : "client";
	m.disconnect.reason = reason;
	sig_send(p, &m);
	p->gone = true;
	sig_pending_peer_gone(p->sig, p);
	sig_presence_leave(p->sig, p);
	web_conn_close(p->conn, WEB_CLOSE_NORMAL, reason);
}

int sig_send_fitting(struct sig_peer *p, struct proto_sig_msg *m, size_t *n,
		     void (*set_n)(struct proto_sig_msg *m, size_t n))
{
	size_t k = *n < PROTO_SIG_MAX_ARRAY ? *n : PROTO_SIG_MAX_ARRAY;
	int ret;

	for (;;) {
		set_n(m, k);
		ret = sig_send_try(p, m);
		if (ret != -E2BIG || !k)
			break;
		k /= 2;
	}
	if (ret == -E2BIG)
		ret = sig_send(p, m); /* logs why even an empty one failed */
	*n = k;
	return ret;
}
