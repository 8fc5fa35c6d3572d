// SPDX-License-Identifier: GPL-2.0
/*
 * id_token verification with tokens made here: keys from cjose, signed
 * with cjose_jws_sign, and the forgeries by hand (alg none, HS256 keyed
 * with the RSA public key, a header that lies about the key).
 */
#define _GNU_SOURCE /* asprintf */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idp/priv.h"
#include "../suites.h"

#define ISS "https://idp.example"
#define CID "fzportal"
#define NONCE "n0nce-of-43-characters-base64url-aaaaaaaaaa"
#define NOW 1800000000LL

static char err[512];
static cjose_jwk_t *rsa, *rsa2, *ec;

static cjose_jwk_t *make_key(cjose_jwk_kty_t kty, size_t bits, const char *kid)
{
	static const uint8_t e[] = { 1, 0, 1 };
	cjose_jwk_t *k;

	k = kty == CJOSE_JWK_KTY_RSA ?
		    cjose_jwk_create_RSA_random(bits, e, sizeof(e), NULL) :
		    cjose_jwk_create_EC_random(bits == 384 ?
						       CJOSE_JWK_EC_P_384 :
						       CJOSE_JWK_EC_P_256,
					       NULL);
	ck_assert_ptr_nonnull(k);
	if (kid)
		ck_assert(cjose_jwk_set_kid(k, kid, strlen(kid), NULL));
	return k;
}

static void setup(void)
{
	ck_assert_int_ge(sodium_init(), 0);
	rsa = make_key(CJOSE_JWK_KTY_RSA, 2048, "r1");
	rsa2 = make_key(CJOSE_JWK_KTY_RSA, 2048,
			"r1"); /* another key, the same kid */
	ec = make_key(CJOSE_JWK_KTY_EC, 256, "e1");
}

static void teardown(void)
{
	cjose_jwk_release(rsa);
	cjose_jwk_release(rsa2);
	cjose_jwk_release(ec);
}

/* The public halves of keys as a parsed JWKS; extra is spliced into each
 * key object (e.g. "\"alg\":\"RS384\","). */
static void jwks_of(struct idp_jwks *k, const char *extra, cjose_jwk_t *k1,
		    cjose_jwk_t *k2)
{
	char *j1 = cjose_jwk_to_json(k1, false, NULL),
	     *j2 = k2 ? cjose_jwk_to_json(k2, false, NULL) : NULL;
	char *all;

	ck_assert_int_ge(asprintf(&all, "{\"keys\":[{%s%s%s%s%s]}", extra,
				  j1 + 1, j2 ? ",{" : "", j2 ? extra : "",
				  j2 ? j2 + 1 : ""),
			 0);
	ck_assert_msg(!idp_jwks_parse(all, strlen(all), k, err, sizeof(err)),
		      "%s: %s", all, err);
	free(all);
	free(j1);
	free(j2);
}

static char *claims_json(const char *over)
{
	char *s;

	ck_assert_int_ge(
		asprintf(
			&s,
			"{\"iss\":\"" ISS "\",\"aud\":\"" CID
			"\",\"sub\":\"alice\",\"exp\":%lld,\"iat\":%lld,"
			"\"nonce\":\"" NONCE
			"\",\"email\":\"alice@example.test\",\"email_verified\":true,"
			"\"name\":\"Alice\"%s%s}",
			NOW + 300, NOW - 10, over ? "," : "", over ? over : ""),
		0);
	return s;
}

/* A token signed by key with alg, kid as the key's unless kid is given
 * ("" for none), the claims of claims_json(over) or payload as is. */
static char *sign(cjose_jwk_t *key, const char *alg, const char *kid,
		  const char *payload)
{
	cjose_header_t *h = cjose_header_new(NULL);
	const char *ser;
	cjose_jws_t *jws;
	cjose_err cerr;
	char *out;

	ck_assert(cjose_header_set(h, CJOSE_HDR_ALG, alg, NULL));
	if (!kid)
		kid = cjose_jwk_get_kid(key, NULL);
	if (*kid)
		ck_assert(cjose_header_set(h, CJOSE_HDR_KID, kid, NULL));
	jws = cjose_jws_sign(key, h, (const uint8_t *)payload, strlen(payload),
			     &cerr);
	ck_assert_msg(jws, "sign: %s", cerr.message);
	ck_assert(cjose_jws_export(jws, &ser, NULL));
	out = strdup(ser);
	cjose_jws_release(jws);
	cjose_header_release(h);
	return out;
}

static char *b64(const void *p, size_t n)
{
	char *s = malloc(sodium_base64_ENCODED_LEN(
		n, sodium_base64_VARIANT_URLSAFE_NO_PADDING));

	sodium_bin2base64(s,
			  sodium_base64_ENCODED_LEN(
				  n, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
			  p, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return s;
}

/* header.payload.sig by hand; sig NULL: empty. */
static char *forge(const char *header, const char *payload, const void *sig,
		   size_t siglen)
{
	char *h = b64(header, strlen(header)),
	     *p = b64(payload, strlen(payload)),
	     *s = sig ? b64(sig, siglen) : "";
	char *out;

	ck_assert_int_ge(asprintf(&out, "%s.%s.%s", h, p, s), 0);
	free(h);
	free(p);
	if (sig)
		free(s);
	return out;
}

static int verify(const char *token, const struct idp_jwks *k,
		  struct idp_claims *c)
{
	struct idp_idtoken_want w = { ISS, CID, NONCE, NOW };

	*err = '\0';
	return idp_idtoken_verify(token, k, &w, c, err, sizeof(err));
}

/* verify(sign(key, alg, claims with over)) with the JWKS of jwk_key. */
static int check_claims(const char *over, const char *expect_err)
{
	struct idp_claims c;
	struct idp_jwks k;
	char *cl = claims_json(over), *t = sign(rsa, "RS256", NULL, cl);
	int r;

	jwks_of(&k, "", rsa, NULL);
	r = verify(t, &k, &c);
	if (expect_err)
		ck_assert_msg(r < 0 && strstr(err, expect_err),
			      "%s: %d '%s', not '%s'", over, r, err,
			      expect_err);
	else
		ck_assert_msg(r == 0, "%s: %s", over, err);
	idp_jwks_free(&k);
	free(t);
	free(cl);
	return r;
}

START_TEST(test_good_tokens)
{
	static const char *const algs[] = { "RS256", "RS384", "RS512",
					    "PS256" };
	struct idp_claims c;
	struct idp_jwks k;
	char *cl = claims_json(NULL), *t;
	size_t i;

	jwks_of(&k, "", rsa, ec);
	for (i = 0; i < sizeof(algs) / sizeof(*algs); i++) {
		t = sign(rsa, algs[i], NULL, cl);
		ck_assert_msg(verify(t, &k, &c) == 0, "%s: %s", algs[i], err);
		free(t);
	}
	ck_assert_str_eq(c.sub, "alice");
	ck_assert_str_eq(c.email, "alice@example.test");
	ck_assert(c.email_verified);
	ck_assert_str_eq(c.name, "Alice");
	ck_assert_int_eq(c.exp, NOW + 300);
	ck_assert_int_eq(c.iat, NOW - 10);
	t = sign(ec, "ES256", NULL, cl);
	ck_assert_msg(verify(t, &k, &c) == 0, "ES256: %s", err);
	free(t);
	idp_jwks_free(&k);

	/* No kid in the token, one key in the set: that key. */
	jwks_of(&k, "", rsa, NULL);
	t = sign(rsa, "RS256", "", cl);
	ck_assert_msg(verify(t, &k, &c) == 0, "%s", err);
	free(t);
	idp_jwks_free(&k);
	free(cl);
}
END_TEST

START_TEST(test_es384)
{
	cjose_jwk_t *ec384 = make_key(CJOSE_JWK_KTY_EC, 384, "e3");
	struct idp_claims c;
	struct idp_jwks k;
	char *cl = claims_json(NULL), *t;

	jwks_of(&k, "", ec384, ec);
	t = sign(ec384, "ES384", NULL, cl);
	ck_assert_msg(verify(t, &k, &c) == 0, "%s", err);
	free(t);
	/* ES256 claimed over a P-384 key: the alg does not fit the key. */
	t = forge("{\"alg\":\"ES256\",\"kid\":\"e3\"}", cl, "xxxx", 4);
	ck_assert_int_eq(verify(t, &k, &c), -EPERM);
	ck_assert_str_eq(err,
			 "id_token alg ES256 does not fit the provider's key");
	free(t);
	idp_jwks_free(&k);
	cjose_jwk_release(ec384);
	free(cl);
}
END_TEST

START_TEST(test_alg_none)
{
	struct idp_claims c;
	struct idp_jwks k;
	char *cl = claims_json(NULL), *t;

	jwks_of(&k, "", rsa, NULL);
	t = forge("{\"alg\":\"none\",\"kid\":\"r1\"}", cl, NULL, 0);
	ck_assert_int_eq(verify(t, &k, &c), -EPERM);
	ck_assert_str_eq(err, "id_token alg none refused");
	ck_assert_str_eq(c.sub, "");
	free(t);
	t = forge("{\"alg\":\"none\"}", cl, NULL, 0);
	ck_assert_int_eq(verify(t, &k, &c), -EPERM);
	ck_assert_str_eq(err, "id_token alg none refused");
	free(t);
	/* Other spellings are not "none" to us, but not accepted either. */
	t = forge("{\"alg\":\"None\"}", cl, NULL, 0);
	ck_assert_int_eq(verify(t, &k, &c), -EPERM);
	ck_assert_ptr_nonnull(strstr(err, "not one we accept"));
	free(t);
	t = forge("{\"kid\":\"r1\"}", cl, NULL, 0);
	ck_assert_int_eq(verify(t, &k, &c), -EINVAL);
	ck_assert_str_eq(err, "the id_token header has no alg");
	free(t);
	idp_jwks_free(&k);
	free(cl);
}
END_TEST

/* The classic confusion: HMAC with the RSA public key as the secret. */
START_TEST(test_hs256_public_key)
{
	static const char *const hs[] = { "HS256", "HS384", "HS512" };
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	char *pub = cjose_jwk_to_json(rsa, false, NULL),
	     *cl = claims_json(NULL), *t, *hdr, *dot;
	struct idp_claims c;
	struct idp_jwks k;
	size_t i;

	jwks_of(&k, "", rsa, NULL);
	for (i = 0; i < 3; i++) {
		ck_assert_int_ge(asprintf(&hdr,
					  "{\"alg\":\"%s\",\"kid\":\"r1\"}",
					  hs[i]),
				 0);
		t = forge(hdr, cl, NULL, 0);
		dot = strrchr(t, '.');
		crypto_auth_hmacsha256_init(&st, (const unsigned char *)pub,
					    strlen(pub));
		crypto_auth_hmacsha256_update(&st, (const unsigned char *)t,
					      (size_t)(dot - t));
		crypto_auth_hmacsha256_final(&st, mac);
		*dot = '\0';
		free(hdr);
		hdr = b64(mac, sizeof(mac));
		ck_assert_int_ge(asprintf(&dot, "%s.%s", t, hdr), 0);
		ck_assert_int_eq(verify(dot, &k, &c), -EPERM);
		ck_assert_msg(strstr(err,
				     "refused: only asymmetric signatures"),
			      "%s", err);
		free(dot);
		free(hdr);
		free(t);
	}
	/* Even with a JWKS that holds the symmetric key: no HS*. */
	idp_jwks_free(&k);
	free(pub);
	free(cl);
}
END_TEST

START_TEST(test_wrong_keys)
{
	struct idp_claims c;
	struct idp_jwks k;
	char *cl = claims_json(NULL), *t, *tampered, *p;

	jwks_of(&k, "", rsa, ec);
	/* Signed by another key that says it is r1. */
	t = sign(rsa2, "RS256", NULL, cl);
	ck_assert_int_eq(verify(t, &k, &c), -EPERM);
	ck_assert_str_eq(err, "id_token signature does not verify");
	free(t);
	/* A kid the set does not have: the caller fetches the keys again. */
	t = sign(rsa2, "RS256", "r9", cl);
	ck_assert_int_eq(verify(t, &k, &c), -ENOKEY);
	ck_assert_str_eq(err, "no key with kid r9 in the provider's JWKS");
	free(t);
	/* RS256 over the EC key's kid, ES256 over the RSA key's. */
	t = sign(rsa, "RS256", "e1", cl);
	ck_assert_int_eq(verify(t, &k, &c), -EPERM);
	ck_assert_str_eq(err,
			 "id_token alg RS256 does not fit the provider's key");
	free(t);
	t = sign(ec, "ES256", "r1", cl);
	ck_assert_int_eq(verify(t, &k, &c), -EPERM);
	ck_assert_str_eq(err,
			 "id_token alg ES256 does not fit the provider's key");
	free(t);
	/* No kid, two keys: which one? */
	t = sign(rsa, "RS256", "", cl);
	ck_assert_int_eq(verify(t, &k, &c), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "names no key"));
	free(t);
	/* The payload changed after signing. */
	t = sign(rsa, "RS256", NULL, cl);
	p = strchr(t, '.') + 1;
	free(cl);
	cl = claims_json("\"admin\":true");
	tampered = b64(cl, strlen(cl));
	ck_assert_int_ge(asprintf(&p, "%.*s%s%s", (int)(p - t), t, tampered,
				  strchr(p, '.')),
			 0);
	ck_assert_int_eq(verify(p, &k, &c), -EPERM);
	ck_assert_str_eq(err, "id_token signature does not verify");
	free(p);
	free(tampered);
	free(t);
	idp_jwks_free(&k);
	/* The key's own alg (RS384) is not the token's. */
	jwks_of(&k, "\"alg\":\"RS384\",", rsa, NULL);
	t = sign(rsa, "RS256", NULL, cl);
	ck_assert_int_eq(verify(t, &k, &c), -EPERM);
	ck_assert_str_eq(err,
			 "id_token alg RS256 does not fit the provider's key");
	free(t);
	idp_jwks_free(&k);
	free(cl);
}
END_TEST

START_TEST(test_short_rsa)
{
	cjose_jwk_t *weak = make_key(CJOSE_JWK_KTY_RSA, 1024, "w");
	struct idp_claims c;
	struct idp_jwks k;
	char *cl = claims_json(NULL), *t;

	jwks_of(&k, "", weak, NULL);
	t = sign(weak, "RS256", NULL, cl);
	ck_assert_int_eq(verify(t, &k, &c), -EPERM);
	ck_assert_ptr_nonnull(strstr(err, "shorter than 2048 bits"));
	free(t);
	idp_jwks_free(&k);
	cjose_jwk_release(weak);
	free(cl);
}
END_TEST

START_TEST(test_claims)
{
	char over[512];

	check_claims(NULL, NULL);
	/* Later duplicates replace earlier ones, and are what is checked. */
	check_claims("\"iss\":\"https://evil.example\"", "another issuer");
	check_claims("\"iss\":\"" ISS "/\"", "another issuer");
	check_claims("\"iss\":1", "another issuer");
	check_claims("\"aud\":\"other\"", "not for this client (aud)");
	check_claims("\"aud\":[\"other\"]", "not for this client (aud)");
	check_claims("\"aud\":[]", "not for this client (aud)");
	check_claims("\"aud\":{\"" CID "\":1}", "not for this client (aud)");
	check_claims("\"aud\":[\"" CID "\",3]", "not for this client (aud)");
	check_claims("\"aud\":[\"" CID "\"]", NULL);
	check_claims("\"aud\":[\"" CID "\",\"other\"]", "another party (azp)");
	check_claims("\"aud\":[\"" CID "\",\"other\"],\"azp\":\"other\"",
		     "another party (azp)");
	check_claims("\"aud\":[\"" CID "\",\"other\"],\"azp\":\"" CID "\"",
		     NULL);
	check_claims("\"azp\":\"other\"", "another party (azp)");
	snprintf(over, sizeof(over), "\"exp\":%lld", NOW - 61);
	check_claims(over, "id_token expired");
	snprintf(over, sizeof(over), "\"exp\":%lld",
		 NOW - 59); /* within the leeway */
	check_claims(over, NULL);
	snprintf(over, sizeof(over), "\"exp\":%lld.5", NOW + 10);
	check_claims(over, NULL);
	check_claims("\"exp\":\"soon\"", "exp is not a time");
	check_claims("\"exp\":1e300", "exp is not a time");
	snprintf(over, sizeof(over), "\"iat\":%lld", NOW + 61);
	check_claims(over, "issued in the future");
	check_claims("\"iat\":null", "iat is not a time");
	check_claims("\"nonce\":\"other\"", "nonce mismatch");
	check_claims("\"nonce\":\"" NONCE "x\"", "nonce mismatch");
	check_claims("\"nonce\":7", "nonce mismatch");
	check_claims("\"sub\":\"\"", "empty or too long");
	check_claims("\"sub\":5", "not a string");
	snprintf(over, sizeof(over), "\"sub\":\"%0256d\"", 0);
	check_claims(over, "empty or too long");
	snprintf(over, sizeof(over), "\"sub\":\"%0255d\"", 0);
	check_claims(over, NULL);
	check_claims("\"email\":[\"a@b\"]", "not a string");
	check_claims("\"email_verified\":\"true\"", NULL);
}
END_TEST

START_TEST(test_missing_claims)
{
	static const char *const payloads[][2] = {
		{ "{\"aud\":\"" CID
		  "\",\"sub\":\"a\",\"exp\":1900000000,\"iat\":1,\"nonce\":\"" NONCE
		  "\"}",
		  "another issuer" },
		{ "{\"iss\":\"" ISS
		  "\",\"sub\":\"a\",\"exp\":1900000000,\"iat\":1,\"nonce\":\"" NONCE
		  "\"}",
		  "(aud)" },
		{ "{\"iss\":\"" ISS "\",\"aud\":\"" CID
		  "\",\"sub\":\"a\",\"iat\":1,\"nonce\":\"" NONCE "\"}",
		  "no exp" },
		{ "{\"iss\":\"" ISS "\",\"aud\":\"" CID
		  "\",\"sub\":\"a\",\"exp\":1900000000,\"nonce\":\"" NONCE
		  "\"}",
		  "no iat" },
		{ "{\"iss\":\"" ISS "\",\"aud\":\"" CID
		  "\",\"sub\":\"a\",\"exp\":1900000000,\"iat\":1}",
		  "nonce mismatch" },
		{ "{\"iss\":\"" ISS "\",\"aud\":\"" CID
		  "\",\"exp\":1900000000,\"iat\":1,\"nonce\":\"" NONCE "\"}",
		  "no sub" },
		{ "[1,2]", "not one JSON object" },
		{ "not json", "not valid JSON" },
		{ " ", "not valid JSON (it ends too early)" },
	};
	struct idp_claims c;
	struct idp_jwks k;
	size_t i;
	char *t;

	jwks_of(&k, "", rsa, NULL);
	for (i = 0; i < sizeof(payloads) / sizeof(*payloads); i++) {
		t = sign(rsa, "RS256", NULL, payloads[i][0]);
		ck_assert_msg(verify(t, &k, &c) < 0 &&
				      strstr(err, payloads[i][1]),
			      "%s: '%s'", payloads[i][0], err);
		free(t);
	}
	idp_jwks_free(&k);
}
END_TEST

START_TEST(test_malformed_tokens)
{
	static const char *const bad[] = {
		"",
		"abc",
		"a.b",
		"a.b.c",
		"....",
		"eyJ.e30.",
		"e30.e30.",
		"e30.e30.e30",
		"!!.e30.x",
		"eyJhbGciOiJSUzI1NiJ9 .e30.x",
		"eyJhbGciOiJSUzI1NiJ9.e30.x.y",
		"eyJhbGciOiJSUzI1NiJ9==.e30.x", /* padding */
		"W3siYWxnIjoiUlMyNTYifV0.e30.x", /* [{"alg":"RS256"}] */
	};
	struct idp_claims c;
	struct idp_jwks k;
	char *big, *t;
	size_t i;

	jwks_of(&k, "", rsa, NULL);
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		ck_assert_msg(verify(bad[i], &k, &c) < 0, "'%s' accepted",
			      bad[i]);
	big = malloc(IDP_TOKEN_MAX + 2);
	memset(big, 'a', IDP_TOKEN_MAX + 1);
	big[IDP_TOKEN_MAX + 1] = '\0';
	ck_assert_int_eq(verify(big, &k, &c), -EINVAL);
	ck_assert_str_eq(err, "the id_token is not a compact JWS");
	free(big);
	/* Deeply nested or critical headers. */
	t = forge(
		"{\"alg\":\"RS256\",\"x\":[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]}",
		"{}", "x", 1);
	ck_assert_int_eq(verify(t, &k, &c), -EINVAL);
	free(t);
	t = forge(
		"{\"alg\":\"RS256\",\"kid\":\"r1\",\"crit\":[\"exp\"],\"exp\":1}",
		"{}", "x", 1);
	ck_assert_int_eq(verify(t, &k, &c), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "crit"));
	free(t);
	t = forge("{\"alg\":\"RS256\",\"kid\":7}", "{}", "x", 1);
	ck_assert_int_eq(verify(t, &k, &c), -EINVAL);
	free(t);
	idp_jwks_free(&k);
}
END_TEST

Suite *portal_idp_idtoken_suite(void)
{
	Suite *s = suite_create("portal_idp_idtoken");
	TCase *tc = tcase_create("idtoken");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_good_tokens);
	tcase_add_test(tc, test_es384);
	tcase_add_test(tc, test_alg_none);
	tcase_add_test(tc, test_hs256_public_key);
	tcase_add_test(tc, test_wrong_keys);
	tcase_add_test(tc, test_short_rsa);
	tcase_add_test(tc, test_claims);
	tcase_add_test(tc, test_missing_claims);
	tcase_add_test(tc, test_malformed_tokens);
	suite_add_tcase(s, tc);
	return s;
}
