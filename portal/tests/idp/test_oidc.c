// SPDX-License-Identifier: GPL-2.0
/*
 * idp/oidc.c end to end against a scripted provider on 127.0.0.1 (a
 * thread answering by path): discovery cached, JWKS fetched again once
 * on an unknown kid and not again within 10 s, userinfo asked only when
 * the id_token has no email, the token request's form and credentials.
 */
#define _GNU_SOURCE /* asprintf */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "idp/priv.h"
#include "../suites.h"

enum { R_DISC, R_JWKS, R_TOKEN, R_ME, R_N };
static const char *const paths[R_N] = { "/.well-known/openid-configuration",
					"/jwks", "/token", "/me" };

struct prov {
	int fd, port;
	char iss[64];
	char *body[R_N]; /* answers (status 200), set by the test */
	int hits[R_N];
	char last_token_req[4096];
	char last_me_req[4096];
	pthread_t th;
	bool stop;
};

static void prov_answer(struct prov *p, int c, const char *req)
{
	const char *sp = strchr(req, ' ');
	char *out;
	int i, n;

	for (i = 0; sp && i < R_N; i++)
		if (!strncmp(sp + 1, paths[i], strlen(paths[i])) &&
		    sp[1 + strlen(paths[i])] == ' ')
			break;
	if (!sp || i == R_N || !p->body[i]) {
		n = asprintf(&out, "HTTP/1.1 404 Not Found\r\nConnection: "
				   "close\r\nContent-Length: 0\r\n\r\n");
	} else {
		p->hits[i]++;
		if (i == R_TOKEN)
			snprintf(p->last_token_req, sizeof(p->last_token_req),
				 "%s", req);
		if (i == R_ME)
			snprintf(p->last_me_req, sizeof(p->last_me_req), "%s",
				 req);
		n = asprintf(&out,
			     "HTTP/1.1 200 OK\r\nConnection: close\r\n"
			     "Content-Type: application/json\r\n"
			     "Content-Length: %zu\r\n\r\n%s",
			     strlen(p->body[i]), p->body[i]);
	}
	if (n > 0 && write(c, out, (size_t)n) < 0)
		(void)0;
	free(out);
}

static void *prov_run(void *arg)
{
	struct prov *p = arg;
	char req[4096];
	size_t n;
	ssize_t r;
	int c;

	while (!p->stop) {
		c = accept(p->fd, NULL, NULL);
		if (c < 0)
			break;
		n = 0;
		while (n < sizeof(req) - 1 &&
		       (r = read(c, req + n, sizeof(req) - 1 - n)) > 0) {
			char *end, *cl;

			n += (size_t)r;
			req[n] = '\0';
			end = strstr(req, "\r\n\r\n");
			if (!end)
				continue;
			cl = strcasestr(req, "Content-Length:");
			if (!cl || n >= (size_t)(end + 4 - req) +
						   strtoul(cl + 15, NULL, 10))
				break;
		}
		if (n)
			prov_answer(p, c, req);
		close(c);
	}
	return NULL;
}

static struct prov P;
static cjose_jwk_t *k_old, *k_new;
static char err[512];

static char *jwks_json(cjose_jwk_t *k)
{
	char *j = cjose_jwk_to_json(k, false, NULL), *s;

	ck_assert_int_ge(asprintf(&s, "{\"keys\":[%s]}", j), 0);
	free(j);
	return s;
}

static cjose_jwk_t *rsa_key(const char *kid)
{
	static const uint8_t e[] = { 1, 0, 1 };
	cjose_jwk_t *k = cjose_jwk_create_RSA_random(2048, e, 3, NULL);

	ck_assert_ptr_nonnull(k);
	ck_assert(cjose_jwk_set_kid(k, kid, strlen(kid), NULL));
	return k;
}

static void setup(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);

	ck_assert_int_ge(sodium_init(), 0);
	memset(&P, 0, sizeof(P));
	P.fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(P.fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(P.fd, 8), 0);
	ck_assert_int_eq(getsockname(P.fd, (struct sockaddr *)&a, &len), 0);
	P.port = ntohs(a.sin_port);
	snprintf(P.iss, sizeof(P.iss), "http://127.0.0.1:%d", P.port);
	ck_assert_int_ge(
		asprintf(&P.body[R_DISC],
			 "{\"issuer\":\"%s\",\"authorization_endpoint\":"
			 "\"%s/auth\",\"token_endpoint\":\"%s/token\","
			 "\"jwks_uri\":\"%s/jwks\",\"userinfo_endpoint\":"
			 "\"%s/me\"}",
			 P.iss, P.iss, P.iss, P.iss, P.iss),
		0);
	k_old = rsa_key("old");
	k_new = rsa_key("new");
	P.body[R_JWKS] = jwks_json(k_old);
	ck_assert_int_eq(pthread_create(&P.th, NULL, prov_run, &P), 0);
}

static void teardown(void)
{
	int i;

	/* Wake accept() with one last connection. */
	P.stop = true;
	shutdown(P.fd, SHUT_RDWR);
	pthread_join(P.th, NULL);
	close(P.fd);
	for (i = 0; i < R_N; i++)
		free(P.body[i]);
	cjose_jwk_release(k_old);
	cjose_jwk_release(k_new);
}

#define NONCE "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"

/* The token endpoint's answer: an id_token by key, email or not. */
static void token_answer(cjose_jwk_t *key, bool email)
{
	cjose_header_t *h = cjose_header_new(NULL);
	char *claims;
	const char *ser;
	cjose_jws_t *jws;
	long long now = (long long)time(NULL);

	ck_assert_int_ge(
		asprintf(&claims,
			 "{\"iss\":\"%s\",\"aud\":\"cid\",\"sub\":\"u1\","
			 "\"exp\":%lld,\"iat\":%lld,\"nonce\":\"" NONCE "\"%s}",
			 P.iss, now + 300, now,
			 email ? ",\"email\":\"u1@example.test\"" : ""),
		0);
	cjose_header_set(h, CJOSE_HDR_ALG, "RS256", NULL);
	cjose_header_set(h, CJOSE_HDR_KID, cjose_jwk_get_kid(key, NULL), NULL);
	jws = cjose_jws_sign(key, h, (const uint8_t *)claims, strlen(claims),
			     NULL);
	ck_assert_ptr_nonnull(jws);
	cjose_jws_export(jws, &ser, NULL);
	free(P.body[R_TOKEN]);
	ck_assert_int_ge(asprintf(&P.body[R_TOKEN],
				  "{\"access_token\":\"AT1\",\"token_type\":"
				  "\"Bearer\",\"id_token\":\"%s\"}",
				  ser),
			 0);
	cjose_jws_release(jws);
	cjose_header_release(h);
	free(claims);
}

static int exchange(struct idp_oidc *o, struct idp_claims *c)
{
	struct idp_provider_cfg p = { P.iss, "cid", "sec ret", NULL };

	*err = '\0';
	return idp_oidc_exchange(o, &p, "http://127.0.0.1:1/cb", "CODE",
				 "VERIFIER", NONCE, (int64_t)time(NULL), c, err,
				 sizeof(err));
}

START_TEST(test_exchange_and_cache)
{
	struct idp_oidc *o = idp_oidc_new(NULL);
	struct idp_provider_cfg p = { P.iss, "cid", "sec ret", "openid" };
	struct idp_claims c;
	char *url;

	url = idp_oidc_authorize_url(o, &p, "http://127.0.0.1:1/cb", "S", "N",
				     "C", err, sizeof(err));
	ck_assert_msg(url, "%s", err);
	ck_assert_ptr_nonnull(strstr(url, "/auth?response_type=code&"));
	ck_assert_ptr_nonnull(strstr(url, "&scope=openid&state=S&nonce=N&"));
	free(url);

	token_answer(k_old, true);
	ck_assert_msg(exchange(o, &c) == 0, "%s", err);
	ck_assert_str_eq(c.sub, "u1");
	ck_assert_str_eq(c.email, "u1@example.test");
	ck_assert_int_eq(P.hits[R_DISC], 1);
	ck_assert_int_eq(P.hits[R_JWKS], 1);
	ck_assert_int_eq(P.hits[R_ME], 0);
	/* The form, and client_secret_basic with the secret form-encoded. */
	ck_assert_ptr_nonnull(strstr(
		P.last_token_req, "\r\n\r\ngrant_type=authorization_code&"
				  "code=CODE&redirect_uri=http%3A%2F%2F127.0."
				  "0.1%3A1%2Fcb&code_verifier=VERIFIER"));
	ck_assert_ptr_nonnull(strstr(
		P.last_token_req, "Authorization: Basic Y2lkOnNlYyUyMHJldA=="));

	/* The provider rotates to "new" within 10 s of our fetch: not
	 * fetched again (a flood of bad kids must not make us hammer it). */
	free(P.body[R_JWKS]);
	P.body[R_JWKS] = jwks_json(k_new);
	token_answer(k_new, true);
	ck_assert_int_eq(exchange(o, &c), -ENOKEY);
	ck_assert_ptr_nonnull(strstr(err, "fetched again too recently"));
	ck_assert_int_eq(P.hits[R_JWKS], 1);
	ck_assert_int_eq(P.hits[R_DISC], 1);
	idp_oidc_free(o);

	/* A fresh cache fetches its own. */
	o = idp_oidc_new(NULL);
	free(P.body[R_JWKS]);
	P.body[R_JWKS] = jwks_json(k_old);
	token_answer(k_old, true);
	ck_assert_msg(exchange(o, &c) == 0, "%s", err);
	ck_assert_int_eq(P.hits[R_JWKS], 2);
	idp_oidc_free(o);
}
END_TEST

START_TEST(test_refresh_after_guard)
{
	struct idp_oidc *o = idp_oidc_new(NULL);
	struct idp_claims c;

	token_answer(k_old, true);
	ck_assert_msg(exchange(o, &c) == 0, "%s", err);
	ck_assert_int_eq(P.hits[R_JWKS], 1);
	free(P.body[R_JWKS]);
	P.body[R_JWKS] = jwks_json(k_new);
	token_answer(k_new, true);
	sleep(11);
	ck_assert_msg(exchange(o, &c) == 0, "%s", err);
	ck_assert_int_eq(P.hits[R_JWKS], 2);
	ck_assert_int_eq(P.hits[R_DISC], 1);
	idp_oidc_free(o);
}
END_TEST

START_TEST(test_userinfo_when_no_email)
{
	struct idp_oidc *o = idp_oidc_new(NULL);
	struct idp_claims c;

	ck_assert_int_ge(
		asprintf(&P.body[R_ME],
			 "{\"sub\":\"u1\",\"email\":\"me@example.test\","
			 "\"email_verified\":true}"),
		0);
	token_answer(k_old, false);
	ck_assert_msg(exchange(o, &c) == 0, "%s", err);
	ck_assert_str_eq(c.email, "me@example.test");
	ck_assert(c.email_verified);
	ck_assert_int_eq(P.hits[R_ME], 1);
	ck_assert_ptr_nonnull(
		strstr(P.last_me_req, "Authorization: Bearer AT1"));
	/* Another subject's userinfo: refused, no claims out. */
	free(P.body[R_ME]);
	ck_assert_int_ge(asprintf(&P.body[R_ME], "{\"sub\":\"u2\",\"email\":"
						 "\"x@example.test\"}"),
			 0);
	ck_assert_int_eq(exchange(o, &c), -EPERM);
	ck_assert_str_eq(err, "the userinfo answer is about another subject");
	ck_assert_str_eq(c.sub, "");
	idp_oidc_free(o);
}
END_TEST

START_TEST(test_provider_errors)
{
	struct idp_oidc *o = idp_oidc_new(NULL);
	struct idp_provider_cfg p = { "http://evil.example", "cid", "s", NULL };
	struct idp_claims c;
	char *url;

	/* The discovery document names another issuer. */
	free(P.body[R_DISC]);
	ck_assert_int_ge(asprintf(&P.body[R_DISC],
				  "{\"issuer\":\"https://other.example\"}"),
			 0);
	ck_assert_int_eq(exchange(o, &c), -EINVAL);
	ck_assert_ptr_nonnull(
		strstr(err, "names issuer https://other.example"));
	url = idp_oidc_authorize_url(o, &p, "x", "S", "N", "C", err,
				     sizeof(err));
	ck_assert_ptr_null(url);
	ck_assert_ptr_nonnull(strstr(err, "use https"));
	/* No discovery document at all: not asked again for 30 s. */
	free(P.body[R_DISC]);
	P.body[R_DISC] = NULL;
	ck_assert_int_eq(exchange(o, &c), -EAGAIN);
	ck_assert_ptr_nonnull(
		strstr(err, "names issuer https://other.example"));
	ck_assert_ptr_nonnull(strstr(err, "not asked again for 30 s"));
	idp_oidc_free(o);
	o = idp_oidc_new(NULL);
	ck_assert_int_eq(exchange(o, &c), -EPROTO);
	ck_assert_ptr_nonnull(strstr(err, "answered HTTP 404"));
	idp_oidc_free(o);
}
END_TEST

Suite *portal_idp_oidc_suite(void)
{
	Suite *s = suite_create("portal_idp_oidc");
	TCase *tc = tcase_create("oidc");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_exchange_and_cache);
	tcase_add_test(tc, test_refresh_after_guard);
	tcase_add_test(tc, test_userinfo_when_no_email);
	tcase_add_test(tc, test_provider_errors);
	suite_add_tcase(s, tc);
	return s;
}
