// SPDX-License-Identifier: GPL-2.0
/*
 * The wing's entry points: its state, and the web wing's callbacks. A
 * socket is authenticated by store_authenticate() before the handshake;
 * each message is parsed by the codec for the socket's role and handed
 * to its handler; anything the codec refuses gets an error reply with
 * the codec's reason, and the socket stays.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "priv.h"
#include "core/log.h"
#include "store/auth.h"

void sig_set_ack_timeout(struct sig *s, unsigned int ms)
{
	s->ack_timeout_ms = ms ? ms : SIG_ACK_TIMEOUT_MS;
}

struct sig *sig_new(uv_loop_t *loop, struct store *store, char *err,
		    size_t errlen)
{
	struct sig *s = calloc(1, sizeof(*s));
	struct store_err serr = { 0 };
	size_t len = sizeof(s->secret);

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->loop = loop;
	s->store = store;
	s->ack_timeout_ms = SIG_ACK_TIMEOUT_MS;
	s->limits = (struct sig_limits){
		.client_sockets = SIG_CLIENT_SOCKETS_DEFAULT,
		.gateway_sockets = SIG_GATEWAY_SOCKETS_DEFAULT,
		.client_devices = SIG_CLIENT_DEVICES_DEFAULT,
		.audit_s = SIG_AUDIT_DAYS_DEFAULT * 86400LL,
		.changes_s = SIG_CHANGES_DAYS_DEFAULT * 86400LL,
	};
	if (store_meta_get(store, "psk_key", s->secret, &len, &serr) ||
	    len != sizeof(s->secret)) {
		snprintf(err, errlen, "no portal secret in the database (%s)",
			 serr.msg[0] ? serr.msg : "wrong length");
		goto fail;
	}
	if (store_presence_reset(store, &serr)) {
		snprintf(err, errlen, "cannot reset presence: %s", serr.msg);
		goto fail;
	}
	if (sig_feed_start(s, err, errlen))
		goto fail;
	sig_expiry_start(s);
	sig_batch_start(s);
	return s;

fail:
	sodium_memzero(s->secret, sizeof(s->secret));
	free(s);
	return NULL;
}

void sig_set_limits(struct sig *s, const struct sig_limits *l)
{
	s->limits = *l;
}

/* One token cannot hold the portal's sockets (sig_limits). */
static bool over_cap(struct sig *s, struct web_conn *conn,
		     const struct sig_principal *pr)
{
	unsigned int cap = web_conn_role(conn) == WEB_ROLE_GATEWAY ?
				   s->limits.gateway_sockets :
				   s->limits.client_sockets;

	if (!cap || sig_index_count(&s->tokens, pr->tok.id) < cap)
		return false;
	core_log("conn_over_cap", "who", web_conn_name(conn), NULL);
	web_conn_close(conn, WEB_CLOSE_POLICY,
		       "too many sockets for this token");
	return true;
}

static void closed(uv_handle_t *h)
{
	(void)h;
}

void sig_stop(struct sig *s)
{
	if (!s || s->stopped)
		return;
	sig_batch_stop(s);
	s->stopped = true;
	uv_close((uv_handle_t *)&s->feed_timer, closed);
	sig_expiry_stop(s);
}

void sig_free(struct sig *s)
{
	if (!s)
		return;
	while (s->pending) {
		struct sig_pending *pd = s->pending;

		s->pending = pd->next;
		free(pd->ref);
		sodium_memzero(pd->psk, sizeof(pd->psk));
		free(pd);
	}
	sig_index_free(&s->gateways);
	sig_index_free(&s->sites);
	sig_index_free(&s->clients);
	sig_index_free(&s->actors);
	sig_index_free(&s->tokens);
	sig_index_free(&s->seen);
	sig_index_free(&s->pending_ids);
	sodium_memzero(s->secret, sizeof(s->secret));
	free(s);
}

int sig_web_authenticate(struct sig *s, struct web_auth *auth)
{
	const char *kind = auth->role == WEB_ROLE_GATEWAY ? "gateway" :
							    "client";
	struct sig_principal *p = calloc(1, sizeof(*p));
	int ret;

	if (!p) {
		auth->why = "out of memory";
		return -1;
	}
	ret = store_authenticate(s->store, auth->token, kind, sig_now_ns(),
				 &p->tok, &p->actor, &auth->why);
	if (ret) {
		free(p);
		return ret;
	}
	if (auth->role == WEB_ROLE_GATEWAY)
		snprintf(auth->name, sizeof(auth->name), "token:%.8s site:%.8s",
			 p->tok.id, p->tok.site_id);
	else
		snprintf(auth->name, sizeof(auth->name),
			 "token:%.8s actor:%.40s", p->tok.id, p->actor.name);
	auth->principal = p;
	return 0;
}

void sig_web_release(struct sig *s, void *principal)
{
	(void)s;
	free(principal);
}

void sig_web_open(struct sig *s, struct web_conn *conn)
{
	struct sig_peer *p;

	if (over_cap(s, conn, web_conn_principal(conn)))
		return;
	p = calloc(1, sizeof(*p));
	if (!p) {
		web_conn_close(conn, WEB_CLOSE_OVERLOAD, "out of memory");
		return;
	}
	p->sig = s;
	p->conn = conn;
	p->p = web_conn_principal(conn);
	p->role = web_conn_role(conn);
	sig_remote_ip(web_conn_remote(conn), p->remote_ip, sizeof(p->remote_ip),
		      &p->remote);
	if (sig_presence_open(s, p)) {
		free(p);
		web_conn_close(conn, WEB_CLOSE_OVERLOAD, "out of memory");
		return;
	}
	web_conn_set_data(conn, p);
	sig_expiry_watch(s, p);
}

/* The request's ref even when the codec refused the frame. */
static void reply_invalid(struct sig_peer *p, const char *text, size_t len,
			  const char *reason)
{
	json_object *root =
		len <= PROTO_SIG_MAX_MSG ? json_tokener_parse(text) : NULL;
	json_object *ref = NULL;

	json_object_object_get_ex(root, "ref", &ref);
	sig_reply(p,
		  json_object_is_type(ref, json_type_string) ?
			  json_object_get_string(ref) :
			  NULL,
		  reason);
	json_object_put(root);
}

static void dispatch(struct sig_peer *p, const struct proto_sig_msg *m)
{
	switch (m->kind) {
	case PROTO_SIG_GATEWAY_JOIN:
		sig_batch_open(p->sig);
		sig_gateway_join(p, m);
		return;
	case PROTO_SIG_CLIENT_JOIN:
		sig_batch_open(p->sig);
		sig_client_join(p, m);
		return;
	default:
		break;
	}
	if (!p->joined) {
		sig_reply(p, m->ref, "not_joined");
		return;
	}
	if (m->kind == PROTO_SIG_REQUEST_AUTHORIZATION) {
		sig_batch_open(p->sig);
		sig_authorize(p, m);
	} else if (m->kind == PROTO_SIG_AUTHORIZATION_ACK) {
		sig_pending_ack(p, m->authorization_ack.ref.s);
	} else {
		sig_reply(p, m->ref, "unexpected_event");
	}
}

void sig_web_message(struct sig *s, struct web_conn *conn, const char *text,
		     size_t len)
{
	struct sig_peer *p = web_conn_data(conn);
	struct proto_sig_error e;
	struct proto_sig_msg m;
	enum proto_sig_role role;

	(void)s;
	if (!p || p->gone)
		return;
	role = p->role == WEB_ROLE_GATEWAY ? PROTO_SIG_GATEWAY :
					     PROTO_SIG_CLIENT;
	if (proto_sig_parse(PROTO_SIG_TO_PORTAL, role, text, len, &m, &e)) {
		core_log("message_refused", "who", web_conn_name(conn),
			 "reason", e.reason, "msg", e.message, NULL);
		reply_invalid(p, text, len, e.reason);
		return;
	}
	dispatch(p, &m);
	proto_sig_free(&m);
}

void sig_web_close(struct sig *s, struct web_conn *conn, int code,
		   const char *reason)
{
	struct sig_peer *p = web_conn_data(conn);

	(void)code;
	(void)reason;
	if (!p)
		return;
	if (p->joined)
		core_log(p->role == WEB_ROLE_GATEWAY ? "gateway_leave" :
						       "client_leave",
			 "id", p->id, NULL);
	p->gone = true;
	/* Not p->joined: sig_disconnect() has cleared it by now. */
	if (p->role == WEB_ROLE_CLIENT)
		sig_audit_unaudited(p);
	sig_pending_peer_gone(s, p);
	sig_presence_leave(s, p);
	sig_gateway_gone(p);
	sig_client_gone(p);
	web_conn_set_data(conn, NULL);
	free(p);
}

void sig_web_drained(struct sig *s, struct web_conn *conn)
{
	struct sig_peer *p = web_conn_data(conn);

	if (!p || p->gone)
		return;
	/* A row found orphaned on the way is revoked: a write. */
	sig_batch_open(s);
	if (p->role == WEB_ROLE_GATEWAY)
		sig_gateway_drained(p);
	else
		sig_client_drained(p);
}
