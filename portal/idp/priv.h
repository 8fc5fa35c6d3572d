/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the idp wing's files share and nobody above uses: HTTP, the JSON
 * parsers of each provider document, the id_token check. The unit tests
 * and the test driver call these directly.
 */
#ifndef FZ_PORTAL_IDP_PRIV_H
#define FZ_PORTAL_IDP_PRIV_H

#include <cjose/cjose.h>
#include <json-c/json.h>

#include "idp.h"

#define IDP_URL_MAX 2048
#define IDP_KID_MAX 256 /* 255 characters and the NUL */
#define IDP_JWKS_MAX_KEYS 32
#define IDP_JSON_DEPTH 16
#define IDP_JSON_MAX (256 * 1024)
#define IDP_TOKEN_MAX (16 * 1024) /* an id_token's compact text */
#define IDP_LEEWAY_S 60

/* http.c */
void idp_curl_init(void); /* curl_global_init, once per process */
/* 127.0.0.1, ::1 (bracketed or not) or localhost: this host. */
bool idp_host_loopback(const char *host);
struct idp_http_res {
	long status;
	char *body; /* NUL-terminated, malloc'd */
	size_t len;
};
/* GET (bearer may be NULL). 0 with res filled (any HTTP status), or -errno
 * with err set. */
int idp_http_get(const struct idp_http_opts *o, const char *url,
		 const char *bearer, struct idp_http_res *res, char *err,
		 size_t errlen);
/* POST application/x-www-form-urlencoded; HTTP Basic with user and pass
 * form-encoded (RFC 6749 2.3.1) when user is not NULL. */
int idp_http_post_form(const struct idp_http_opts *o, const char *url,
		       const char *form, const char *user, const char *pass,
		       struct idp_http_res *res, char *err, size_t errlen);
void idp_http_res_free(struct idp_http_res *res); /* wipes the body */
/* Appends "&name=value" (no '&' first) to *form, value form-encoded;
 * -ENOMEM leaves *form freed and NULL. */
int idp_form_add(char **form, const char *name, const char *value);
/* Frees a string that may have held a secret. */
void idp_free_secret(char *s);

/* pkce.c */
void idp_pkce_challenge(const char *verifier, char challenge[44]);

/* json.c: bounded parse of one JSON object, nothing after it. */
json_object *idp_json_object(const char *text, size_t len, const char *what,
			     char *err, size_t errlen);
/* The member as a string of 1..max-1 bytes, copied to out: 0, -ENOENT when
 * absent, -EINVAL (err set) when of another type or too long. */
int idp_json_str(json_object *obj, const char *name, char *out, size_t max,
		 const char *what, char *err, size_t errlen);
/* Printable ASCII only, cut at max-1: for provider text put into messages. */
void idp_sanitize(char *out, size_t max, const char *in);

/* discovery.c */
struct idp_discovery {
	char issuer[IDP_URL_MAX];
	char authorization_endpoint[IDP_URL_MAX];
	char token_endpoint[IDP_URL_MAX];
	char jwks_uri[IDP_URL_MAX];
	char userinfo_endpoint[IDP_URL_MAX]; /* "" when absent */
	bool auth_post; /* client_secret_post, not client_secret_basic */
};
int idp_discovery_url(const char *issuer, char *out, size_t outlen, char *err,
		      size_t errlen);
int idp_discovery_parse(const char *json, size_t len, const char *issuer,
			struct idp_discovery *d, char *err, size_t errlen);

/* jwks.c */
struct idp_jwk {
	char kid[IDP_KID_MAX]; /* "" when the key has none */
	char alg[16]; /* "" when the key does not say */
	char *json; /* the key's own JSON text, for cjose_jwk_import */
};
struct idp_jwks {
	struct idp_jwk *keys;
	size_t n;
};
int idp_jwks_parse(const char *json, size_t len, struct idp_jwks *out,
		   char *err, size_t errlen);
int idp_jwks_dup(const struct idp_jwks *in, struct idp_jwks *out);
void idp_jwks_free(struct idp_jwks *k);
/* The key for kid (NULL: the token has none), imported; -ENOKEY when
 * there is no such key. */
int idp_jwks_select(const struct idp_jwks *k, const char *kid,
		    cjose_jwk_t **out, char *err, size_t errlen);

/* idtoken.c */
struct idp_idtoken_want {
	const char *issuer, *client_id, *nonce;
	int64_t now_s;
};
/* 0 with the claims, -ENOKEY (the kid is not in jwks: refresh them once),
 * or another -errno with err set. */
int idp_idtoken_verify(const char *token, const struct idp_jwks *jwks,
		       const struct idp_idtoken_want *w, struct idp_claims *out,
		       char *err, size_t errlen);

/* authurl.c: malloc'd URL, or NULL with err set. */
struct idp_authurl {
	const char *endpoint, *client_id, *redirect_uri, *scope, *state, *nonce,
		*code_challenge;
};
char *idp_authurl_build(const struct idp_authurl *a, char *err, size_t errlen);

/* tokenresp.c: the token endpoint's answer. *id_token and *access_token
 * (may be NULL) malloc'd; free with idp_free_secret. */
int idp_tokenresp_parse(long status, const char *body, size_t len,
			char **id_token, char **access_token, char *err,
			size_t errlen);

/* userinfo.c: email, email_verified and name of the userinfo answer into
 * out, whose sub must match. */
int idp_userinfo_parse(const char *body, size_t len, struct idp_claims *out,
		       char *err, size_t errlen);

#endif /* FZ_PORTAL_IDP_PRIV_H */
