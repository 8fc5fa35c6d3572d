/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The identity-provider wing: an OpenID Connect relying party (discovery,
 * JWKS, the code exchange, id_token checks) and, in smtp.h, the mail that
 * carries sign-in codes. Everything here blocks (HTTP to a provider), so
 * callers run it on worker threads; it is thread-safe and touches no store.
 */
#ifndef FZ_PORTAL_IDP_IDP_H
#define FZ_PORTAL_IDP_IDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct idp_http_opts {
	long timeout_ms; /* whole request; 0: 10 s */
	size_t max_body; /* bigger answers are refused; 0: 256 KiB */
	const char *ca_file; /* NULL: the system's trust store */
};

/* https, or http only to a loopback host; no userinfo. *why (if not NULL)
 * says what is wrong when false. */
bool idp_url_allowed(const char *url, const char **why);

struct idp_provider_cfg {
	const char *issuer, *client_id, *client_secret, *scopes;
};

struct idp_claims {
	char sub[256];
	char email[320];
	bool email_verified;
	char name[256];
	int64_t exp, iat;
};

/* Per-process cache of discovery documents and JWKS, by issuer. */
struct idp_oidc;
struct idp_oidc *idp_oidc_new(const struct idp_http_opts *opts);
void idp_oidc_free(struct idp_oidc *o);

/* malloc'd authorization URL (discovery fetched or cached); NULL with err
 * set. Blocking. */
char *idp_oidc_authorize_url(struct idp_oidc *o,
			     const struct idp_provider_cfg *p,
			     const char *redirect_uri, const char *state,
			     const char *nonce, const char *code_challenge,
			     char *err, size_t errlen);

/* code -> verified claims. Blocking. 0, or -errno with err a message fit
 * for the error page and the log. */
int idp_oidc_exchange(struct idp_oidc *o, const struct idp_provider_cfg *p,
		      const char *redirect_uri, const char *code,
		      const char *code_verifier, const char *nonce,
		      int64_t now_s, struct idp_claims *out, char *err,
		      size_t errlen);

/* A PKCE pair: 32 random bytes as the verifier (43 base64url characters),
 * the challenge its S256. */
void idp_pkce_pair(char verifier[44], char challenge[44]);
/* nbytes random bytes as base64url without padding into out, which holds
 * at least IDP_B64_LEN(nbytes) bytes. */
#define IDP_B64_LEN(n) (((n)*4 + 2) / 3 + 1)
void idp_random_b64(char *out, size_t nbytes);

#endif /* FZ_PORTAL_IDP_IDP_H */
