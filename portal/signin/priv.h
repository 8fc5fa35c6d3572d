/* SPDX-License-Identifier: GPL-2.0 */
/* The sign-in wing's insides; see signin.h. */
#ifndef FZ_PORTAL_SIGNIN_PRIV_H
#define FZ_PORTAL_SIGNIN_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "signin.h"
#include "lib/cidr.h"

#define SIGNIN_B64_LEN 43 /* 32 random bytes, base64url, no padding */
#define SIGNIN_B64_SIZE (SIGNIN_B64_LEN + 1)
#define SIGNIN_REDIRECT_SIZE 64 /* "http://[::1]:65535/callback" */
#define SIGNIN_EMAIL_SIZE 255
#define SIGNIN_FLOW_TTL_S 600 /* a flow, start to token */
#define SIGNIN_CODE_ATTEMPTS 5 /* wrong codes before it is burnt */
#define SIGNIN_FLOWS_MAX 4096 /* flows in memory, all sources */
#define SIGNIN_FLOWS_PER_SOURCE 16 /* a source's newest flows kept */
#define SIGNIN_JOBS_MAX 64 /* provider and mail calls in flight */

/* One person's way through the pages, from the client's link on. */
struct signin_flow {
	bool used;
	char id[SIGNIN_B64_SIZE]; /* the fz_flow cookie */
	char csrf[SIGNIN_B64_SIZE]; /* in every form and link */
	char source[64]; /* the remote address, without port */
	char network[64]; /* its /24 or /48: who crowds the table out */
	char account_id[STORE_ID_SIZE];
	char account_slug[64];
	/* From the client (fzagent sign-in). */
	char client_state[SIGNIN_B64_SIZE];
	char client_nonce_hash[SIGNIN_B64_SIZE]; /* SHA-256 of its nonce */
	char redirect_uri[SIGNIN_REDIRECT_SIZE];
	int64_t expires_at; /* ns */
	bool busy; /* a job works for it: no second one */
	/* OpenID Connect, once a provider is chosen. */
	char provider_id[STORE_ID_SIZE];
	char oidc_state[SIGNIN_B64_SIZE];
	char oidc_nonce[SIGNIN_B64_SIZE];
	char pkce_verifier[SIGNIN_B64_SIZE];
	/* Email, once an address is given. */
	char email[SIGNIN_EMAIL_SIZE];
	bool code_set; /* a code was made (sent only to a known address) */
	uint8_t code_hash[32];
	int64_t code_expires_at;
	int code_attempts;
};

struct signin_flows; /* the table: flow.c */

struct signin_flows *signin_flows_new(void);
void signin_flows_free(struct signin_flows *t);
/*
 * A new flow for source: in a free slot, or in place of the source's
 * oldest when it holds SIGNIN_FLOWS_PER_SOURCE; when the table is full,
 * in place of the oldest flow of the network (IPv4 /24, IPv6 /48) that
 * holds the most, if that is more than one. NULL when it cannot.
 */
struct signin_flow *signin_flow_new(struct signin_flows *t, const char *source,
				    int64_t now);
/* By cookie (constant-time compare), or NULL; expired flows are gone. */
struct signin_flow *signin_flow_by_id(struct signin_flows *t, const char *id,
				      int64_t now);
struct signin_flow *signin_flow_by_oidc_state(struct signin_flows *t,
					      const char *state, int64_t now);
void signin_flow_end(struct signin_flow *f);

/* Rate limits: limit.c. */
struct signin_limits;
struct signin_limits *signin_limits_new(void);
void signin_limits_free(struct signin_limits *l);
/* Whether one more event of kind for key fits its window (and count it). */
enum signin_limit_kind {
	SIGNIN_LIMIT_SEND_ADDR, /* codes sent to one address */
	SIGNIN_LIMIT_SEND_SOURCE, /* codes asked for from one source */
	SIGNIN_LIMIT_VERIFY_SOURCE, /* codes tried from one source */
	SIGNIN_LIMIT_START_SOURCE, /* flows started from one source */
	SIGNIN_LIMIT_FAIL_ADDR, /* wrong codes for one address, a day */
	SIGNIN_LIMIT_KINDS,
};
bool signin_limit_take(struct signin_limits *l, enum signin_limit_kind kind,
		       const char *key, int64_t now);
/* Whether kind's window for key is used up (nothing counted). */
bool signin_limit_spent(struct signin_limits *l, enum signin_limit_kind kind,
			const char *key, int64_t now);

struct signin {
	struct signin_config cfg;
	struct fz_cidr proxy[SIGNIN_PROXIES_MAX];
	size_t n_proxies;
	char oidc_redirect_uri[300]; /* external_url + /auth/oidc/callback */
	struct signin_flows *flows;
	struct signin_limits *limits;
	struct idp_oidc *oidc;
	unsigned int jobs; /* in flight */
	bool closing;
};

/* Pages: page.c. Each fills resp (status, HTML body) or returns -ENOMEM. */
struct signin_provider_link {
	const char *id, *name;
};
int signin_page_chooser(struct web_page_response *resp, const char *account,
			const char *slug, const struct signin_flow *f,
			const struct signin_provider_link *links, size_t n,
			bool email);
int signin_page_code(struct web_page_response *resp, const char *slug,
		     const struct signin_flow *f, const char *notice,
		     int64_t ttl_s);
int signin_page_signed_in(struct web_page_response *resp);
int signin_page_error(struct web_page_response *resp, int status,
		      const char *title, const char *message);
int signin_page_css(struct web_page_response *resp);
/* 303 to location (copied). */
int signin_redirect(struct web_page_response *resp, const char *location);

/* Routes: oidc.c, email.c. */
int signin_oidc_start(struct signin *si, const struct web_page_request *req,
		      struct web_page_response *resp, const char *slug,
		      const char *provider_id);
int signin_oidc_callback(struct signin *si, const struct web_page_request *req,
			 struct web_page_response *resp);
int signin_email_send(struct signin *si, const struct web_page_request *req,
		      struct web_page_response *resp, const char *slug);
int signin_email_verify(struct signin *si, const struct web_page_request *req,
			struct web_page_response *resp, const char *slug);

/* signin.c: shared by the routes. */
int64_t signin_now(void);
/*
 * admin_signin_match() between the hooks: it may write (an identity, a
 * self-signed-up user). A page that writes nothing calls no hook, so a
 * flood of page views cannot cut the signalling's batches short.
 */
struct admin_error;
int signin_match(struct signin *si, const char *account_id,
		 const char *provider_id, const struct idp_claims *claims,
		 bool link_by_email, bool self_signup,
		 struct store_actor *actor, struct store_identity *identity,
		 struct admin_error *err);
/* cfg.before_write (before true) or cfg.after_write, when set. */
void signin_hook(struct signin *si, bool before);
/*
 * Who a request counts as: its peer's address ("192.0.2.1", an IPv6 as
 * its /64, "2001:db8::/64"), or, from a trusted proxy, the last address
 * of X-Forwarded-For that is not a trusted proxy's.
 */
void signin_source_of(const struct signin *si,
		      const struct web_page_request *req, char *out,
		      size_t len);
/* The request's flow: cookie, account slug and (for forms) csrf checked.
 * NULL with resp filled by the error page. */
struct signin_flow *signin_flow_of(struct signin *si,
				   const struct web_page_request *req,
				   struct web_page_response *resp,
				   const char *slug, const char *csrf);
/* The flow is done: mint the client's token and send the browser back
 * to the client's loopback address. identity_id "" for email. */
int signin_finish(struct signin *si, struct signin_flow *f,
		  const struct store_actor *actor, const char *identity_id,
		  const char *how, struct web_page_response *resp);

#endif /* FZ_PORTAL_SIGNIN_PRIV_H */
