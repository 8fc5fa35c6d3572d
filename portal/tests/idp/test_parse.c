// SPDX-License-Identifier: GPL-2.0
/*
 * The idp wing's parsers and builders, fed what providers and attackers
 * might send: URLs (idp_url_allowed, the authorization URL), discovery
 * documents, JWKS, token and userinfo answers, malformed and hostile
 * (deep nesting, huge strings, wrong types, missing members, duplicates).
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idp/priv.h"
#include "../suites.h"

static char err[512];

START_TEST(test_url_allowed)
{
	static const char *const good[] = {
		"https://idp.example.com",
		"https://idp.example.com:8443/realms/x?y=1",
		"http://127.0.0.1:8080/issuer",
		"http://[::1]:9000/",
		"http://localhost/",
		"HTTPS://IDP.EXAMPLE.COM/",
	};
	static const char *const bad[] = {
		"http://idp.example.com/",
		"http://127.0.0.2/",
		"http://localhost.evil.example/",
		"http://127.0.0.1.evil.example/",
		"https://user@idp.example.com/",
		"https://user:pw@idp.example.com/",
		"http://127.0.0.1@evil.example/",
		"https://:pw@idp.example.com/",
		"ftp://idp.example.com/",
		"file:///etc/passwd",
		"javascript:alert(1)",
		"idp.example.com/path",
		"",
		"https://",
		"https://exa mple.com/",
	};
	const char *why;
	char *big;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(*good); i++)
		ck_assert_msg(idp_url_allowed(good[i], &why), "%s refused: %s",
			      good[i], why);
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		why = NULL;
		ck_assert_msg(!idp_url_allowed(bad[i], &why), "%s allowed",
			      bad[i]);
		ck_assert_ptr_nonnull(why);
	}
	ck_assert(!idp_url_allowed(NULL, NULL));
	ck_assert(!idp_url_allowed("http://idp.example.com/", &why));
	ck_assert_ptr_nonnull(strstr(why, "use https"));
	ck_assert(!idp_url_allowed("https://u@idp.example.com/", &why));
	ck_assert_ptr_nonnull(strstr(why, "user name or password"));
	big = malloc(IDP_URL_MAX + 32);
	memcpy(big, "https://a.example/", 18);
	memset(big + 18, 'a', IDP_URL_MAX);
	big[IDP_URL_MAX + 18] = '\0';
	ck_assert(!idp_url_allowed(big, &why));
	free(big);
}
END_TEST

START_TEST(test_discovery_url)
{
	char url[IDP_URL_MAX + 64];

	ck_assert_int_eq(idp_discovery_url("https://idp.example", url,
					   sizeof(url), err, sizeof(err)),
			 0);
	ck_assert_str_eq(
		url, "https://idp.example/.well-known/openid-configuration");
	ck_assert_int_eq(idp_discovery_url("https://idp.example/realms/a/", url,
					   sizeof(url), err, sizeof(err)),
			 0);
	ck_assert_str_eq(
		url,
		"https://idp.example/realms/a/.well-known/openid-configuration");
	ck_assert_int_eq(idp_discovery_url("http://idp.example", url,
					   sizeof(url), err, sizeof(err)),
			 -EINVAL);
	ck_assert_int_eq(idp_discovery_url("https://idp.example/?a=b", url,
					   sizeof(url), err, sizeof(err)),
			 -EINVAL);
	ck_assert_int_eq(idp_discovery_url("https://idp.example/#f", url,
					   sizeof(url), err, sizeof(err)),
			 -EINVAL);
}
END_TEST

#define ISS "https://idp.example"
#define DISC_EP                                                                                                     \
	"\"authorization_endpoint\":\"https://idp.example/auth\",\"token_endpoint\":\"https://idp.example/token\"," \
	"\"jwks_uri\":\"https://idp.example/jwks\""

static int disc(const char *json, struct idp_discovery *d)
{
	*err = '\0';
	return idp_discovery_parse(json, strlen(json), ISS, d, err,
				   sizeof(err));
}

START_TEST(test_discovery_good)
{
	struct idp_discovery d;

	ck_assert_int_eq(
		disc("{\"issuer\":\"" ISS "\"," DISC_EP
		     ",\"userinfo_endpoint\":\"https://idp.example/me\","
		     "\"code_challenge_methods_supported\":[\"plain\",\"S256\"],\"extra\":{\"a\":[1,2]}}",
		     &d),
		0);
	ck_assert_str_eq(d.issuer, ISS);
	ck_assert_str_eq(d.authorization_endpoint, "https://idp.example/auth");
	ck_assert_str_eq(d.token_endpoint, "https://idp.example/token");
	ck_assert_str_eq(d.jwks_uri, "https://idp.example/jwks");
	ck_assert_str_eq(d.userinfo_endpoint, "https://idp.example/me");
	ck_assert(!d.auth_post);
	/* No PKCE list, no userinfo: fine. Only client_secret_post: used. */
	ck_assert_int_eq(
		disc("{\"issuer\":\"" ISS "\"," DISC_EP
		     ",\"token_endpoint_auth_methods_supported\":[\"client_secret_post\"]}",
		     &d),
		0);
	ck_assert_str_eq(d.userinfo_endpoint, "");
	ck_assert(d.auth_post);
	/* Whitespace around the object is not "something after it". */
	ck_assert_int_eq(disc(" \n{\"issuer\":\"" ISS "\"," DISC_EP "}\n ", &d),
			 0);
}
END_TEST

START_TEST(test_discovery_bad)
{
	static const struct {
		const char *json, *msg;
	} cases[] = {
		{ "", "not valid JSON" },
		{ "[]", "not one JSON object" },
		{ "\"issuer\"", "not one JSON object" },
		{ "{\"issuer\":\"" ISS "\"," DISC_EP "} {}", "not valid JSON" },
		{ "{\"issuer\":\"" ISS "\"," DISC_EP ",}", "not valid JSON" },
		{ "{" DISC_EP "}", "has no issuer" },
		{ "{\"issuer\":\"" ISS "/\"," DISC_EP "}",
		  "names issuer https://idp.example/, not" },
		{ "{\"issuer\":\"https://IDP.example\"," DISC_EP "}",
		  "names issuer" },
		{ "{\"issuer\":42," DISC_EP "}", "\"issuer\" is not a string" },
		{ "{\"issuer\":[\"" ISS "\"]," DISC_EP "}",
		  "\"issuer\" is not a string" },
		{ "{\"issuer\":\"\"," DISC_EP "}", "empty or too long" },
		{ "{\"issuer\":\"https://idp.example\\u0000x\"," DISC_EP "}",
		  "empty or too long" },
		/* Duplicates: the last one counts, and it is checked. */
		{ "{\"issuer\":\"" ISS
		  "\",\"issuer\":\"https://evil.example\"," DISC_EP "}",
		  "names issuer" },
		{ "{\"issuer\":\"" ISS
		  "\",\"token_endpoint\":\"https://idp.example/t\",\"jwks_uri\":\"https://idp.example/j\"}",
		  "no authorization_endpoint" },
		{ "{\"issuer\":\"" ISS "\"," DISC_EP
		  ",\"token_endpoint\":\"http://evil.example/t\"}",
		  "token_endpoint is refused: http is allowed only" },
		{ "{\"issuer\":\"" ISS "\"," DISC_EP ",\"jwks_uri\":null}",
		  "no jwks_uri" },
		{ "{\"issuer\":\"" ISS "\"," DISC_EP ",\"jwks_uri\":{}}",
		  "\"jwks_uri\" is not a string" },
		{ "{\"issuer\":\"" ISS "\"," DISC_EP
		  ",\"userinfo_endpoint\":\"https://u@idp.example/me\"}",
		  "userinfo_endpoint is refused" },
		{ "{\"issuer\":\"" ISS "\"," DISC_EP
		  ",\"code_challenge_methods_supported\":[\"plain\"]}",
		  "S256" },
		{ "{\"issuer\":\"" ISS "\"," DISC_EP
		  ",\"code_challenge_methods_supported\":\"S256\"}",
		  "S256" },
		{ "{\"issuer\":\"" ISS "\"," DISC_EP
		  ",\"code_challenge_methods_supported\":[1]}",
		  "S256" },
		{ "{\"issuer\":\"" ISS "\"," DISC_EP
		  ",\"token_endpoint_auth_methods_supported\":[\"private_key_jwt\"]}",
		  "neither client_secret_basic" },
		{ "{\"issuer\":\"" ISS "\"," DISC_EP
		  ",\"token_endpoint_auth_methods_supported\":{}}",
		  "not a list" },
	};
	struct idp_discovery d;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		ck_assert_msg(disc(cases[i].json, &d) < 0, "accepted: %s",
			      cases[i].json);
		ck_assert_msg(strstr(err, cases[i].msg),
			      "%s: said '%s', not '%s'", cases[i].json, err,
			      cases[i].msg);
		ck_assert_str_eq(d.issuer, "");
	}
}
END_TEST

/* {"issuer":..., "x": [[[[...]]]]} nested depth deep, or a string of n. */
static char *hostile(size_t depth, size_t strlen_)
{
	size_t cap = 2 * depth + strlen_ + 512, i;
	char *s = malloc(cap), *p = s;

	p += sprintf(p, "{\"issuer\":\"" ISS "\"," DISC_EP ",\"x\":");
	for (i = 0; i < depth; i++)
		*p++ = '[';
	*p++ = '"';
	memset(p, 'a', strlen_);
	p += strlen_;
	*p++ = '"';
	for (i = 0; i < depth; i++)
		*p++ = ']';
	strcpy(p, "}");
	return s;
}

START_TEST(test_hostile_json)
{
	struct idp_discovery d;
	struct idp_jwks k;
	char *s, *tok, *at;

	s = hostile(10, 10);
	ck_assert_int_eq(disc(s, &d), 0);
	free(s);
	s = hostile(100000, 0);
	ck_assert_int_lt(disc(s, &d), 0);
	ck_assert_ptr_nonnull(strstr(err, "not valid JSON"));
	free(s);
	s = hostile(0, 300 * 1024);
	ck_assert_int_lt(disc(s, &d), 0);
	ck_assert_ptr_nonnull(strstr(err, "larger than"));
	free(s);
	s = hostile(20, 0);
	ck_assert_int_lt(idp_jwks_parse(s, strlen(s), &k, err, sizeof(err)), 0);
	ck_assert_int_lt(idp_tokenresp_parse(200, s, strlen(s), &tok, &at, err,
					     sizeof(err)),
			 0);
	free(s);
	/* A long issuer (past IDP_URL_MAX): refused, not cut. */
	s = malloc(IDP_URL_MAX + 64);
	sprintf(s, "{\"issuer\":\"https://idp.example/%0*d\"}", IDP_URL_MAX, 0);
	ck_assert_int_lt(disc(s, &d), 0);
	ck_assert_ptr_nonnull(strstr(err, "too long"));
	free(s);
	ck_assert_int_lt(disc("{\"issuer\":\"\\ud800\"}", &d), 0);
	ck_assert_int_lt(disc("{\"issuer\":\"" ISS "\"" DISC_EP "}", &d), 0);
	ck_assert_int_lt(disc("\xff\xfe{}", &d), 0);
}
END_TEST

#define RSA_N                                                                                                             \
	"\"n\":\"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCi" \
	"FV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0"   \
	"zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csF"    \
	"Cur-kEgU8awapJzKnqDKgw\",\"e\":\"AQAB\""
#define EC_XY                                                                                                         \
	"\"crv\":\"P-256\",\"x\":\"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4\",\"y\":\"4Etl6SRW2YiLUrN5vfvVHuhp7x8" \
	"PxltmWWlbbM4IFyM\""

START_TEST(test_jwks_parse_select)
{
	const char *json =
		"{\"keys\":["
		"{\"kty\":\"RSA\",\"kid\":\"r1\",\"use\":\"sig\",\"alg\":\"RS256\"," RSA_N
		"},"
		"{\"kty\":\"RSA\",\"kid\":\"enc\",\"use\":\"enc\"," RSA_N "},"
		"{\"kty\":\"oct\",\"kid\":\"h\",\"k\":\"AAAA\"},"
		"{\"kty\":\"OKP\",\"kid\":\"ed\",\"crv\":\"Ed25519\",\"x\":\"AAAA\"},"
		"{\"kid\":\"nokty\"},"
		"{\"kty\":\"EC\",\"kid\":\"e1\"," EC_XY "}]}";
	struct idp_jwks k, copy;
	cjose_jwk_t *key;

	ck_assert_int_eq(
		idp_jwks_parse(json, strlen(json), &k, err, sizeof(err)), 0);
	ck_assert_uint_eq(k.n, 2);
	ck_assert_str_eq(k.keys[0].kid, "r1");
	ck_assert_str_eq(k.keys[0].alg, "RS256");
	ck_assert_str_eq(k.keys[1].kid, "e1");
	ck_assert_str_eq(k.keys[1].alg, "");
	ck_assert_int_eq(idp_jwks_select(&k, "r1", &key, err, sizeof(err)), 0);
	ck_assert_int_eq(cjose_jwk_get_kty(key, NULL), CJOSE_JWK_KTY_RSA);
	cjose_jwk_release(key);
	ck_assert_int_eq(idp_jwks_select(&k, "e1", &key, err, sizeof(err)), 0);
	ck_assert_int_eq(cjose_jwk_get_kty(key, NULL), CJOSE_JWK_KTY_EC);
	cjose_jwk_release(key);
	ck_assert_int_eq(idp_jwks_select(&k, "enc", &key, err, sizeof(err)),
			 -ENOKEY);
	ck_assert_ptr_null(key);
	ck_assert_str_eq(err, "no key with kid enc in the provider's JWKS");
	ck_assert_int_eq(idp_jwks_select(&k, "h", &key, err, sizeof(err)),
			 -ENOKEY);
	ck_assert_int_eq(idp_jwks_select(&k, NULL, &key, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "names no key"));
	ck_assert_int_eq(idp_jwks_dup(&k, &copy), 0);
	ck_assert_uint_eq(copy.n, 2);
	ck_assert_str_eq(copy.keys[1].json, k.keys[1].json);
	ck_assert_ptr_ne(copy.keys[1].json, k.keys[1].json);
	idp_jwks_free(&k);
	ck_assert_int_eq(idp_jwks_select(&copy, "e1", &key, err, sizeof(err)),
			 0);
	cjose_jwk_release(key);
	idp_jwks_free(&copy);
}
END_TEST

START_TEST(test_jwks_bad)
{
	static const struct {
		const char *json, *msg;
	} cases[] = {
		{ "{}", "no \"keys\" list" },
		{ "{\"keys\":{}}", "no \"keys\" list" },
		{ "{\"keys\":[]}", "no RSA or EC signing key" },
		{ "{\"keys\":[{\"kty\":\"oct\",\"k\":\"AAAA\"}]}",
		  "no RSA or EC signing key" },
		{ "{\"keys\":[1]}", "not an object" },
		{ "{\"keys\":[{\"kty\":\"RSA\"," RSA_N "}]", "not valid JSON" },
		{ "[{\"kty\":\"RSA\"," RSA_N "}]", "not one JSON object" },
	};
	struct idp_jwks k;
	cjose_jwk_t *key;
	char *big, *p;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		ck_assert_msg(idp_jwks_parse(cases[i].json,
					     strlen(cases[i].json), &k, err,
					     sizeof(err)) < 0,
			      "%s", cases[i].json);
		ck_assert_msg(strstr(err, cases[i].msg), "%s: %s",
			      cases[i].json, err);
		ck_assert_uint_eq(k.n, 0);
	}
	/* Too many keys. */
	big = malloc(64 * 40 + 32);
	p = big + sprintf(big, "{\"keys\":[");
	for (i = 0; i < 33; i++)
		p += sprintf(p, "%s{\"kty\":\"EC\",\"kid\":\"%zu\"}",
			     i ? "," : "", i);
	strcpy(p, "]}");
	ck_assert_int_lt(idp_jwks_parse(big, strlen(big), &k, err, sizeof(err)),
			 0);
	ck_assert_ptr_nonnull(strstr(err, "more than 32"));
	free(big);
	/* Two keys, one kid: ambiguous. A kid too long: the key is skipped. */
	big = malloc(2048);
	sprintf(big,
		"{\"keys\":[{\"kty\":\"EC\",\"kid\":\"a\"," EC_XY
		"},{\"kty\":\"EC\",\"kid\":\"a\"," EC_XY
		"},{\"kty\":\"EC\",\"kid\":\"%0300d\"," EC_XY "}]}",
		0);
	ck_assert_int_eq(idp_jwks_parse(big, strlen(big), &k, err, sizeof(err)),
			 0);
	ck_assert_uint_eq(k.n, 2);
	ck_assert_int_eq(idp_jwks_select(&k, "a", &key, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "several keys with kid a"));
	idp_jwks_free(&k);
	free(big);
	/* A key cjose cannot import: refused when selected. */
	big = "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"x\",\"n\":\"AA\"}]}";
	ck_assert_int_eq(idp_jwks_parse(big, strlen(big), &k, err, sizeof(err)),
			 0);
	ck_assert_int_eq(idp_jwks_select(&k, "x", &key, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "does not import"));
	idp_jwks_free(&k);
}
END_TEST

static int tokresp(long status, const char *json, char **tok)
{
	char *at = NULL;
	int r;

	*err = '\0';
	r = idp_tokenresp_parse(status, json, strlen(json), tok, &at, err,
				sizeof(err));
	idp_free_secret(at);
	return r;
}

START_TEST(test_tokenresp)
{
	char *tok, *at;
	const char *j =
		"{\"access_token\":\"at\",\"token_type\":\"Bearer\",\"id_token\":\"a.b.c\",\"expires_in\":60}";

	ck_assert_int_eq(idp_tokenresp_parse(200, j, strlen(j), &tok, &at, err,
					     sizeof(err)),
			 0);
	ck_assert_str_eq(tok, "a.b.c");
	ck_assert_str_eq(at, "at");
	idp_free_secret(tok);
	idp_free_secret(at);

	ck_assert_int_eq(
		tokresp(400,
			"{\"error\":\"invalid_grant\",\"error_description\":\"grant request is invalid\"}",
			&tok),
		-EACCES);
	ck_assert_str_eq(
		err,
		"the provider refused the code: invalid_grant (grant request is invalid)");
	ck_assert_ptr_null(tok);
	ck_assert_int_eq(tokresp(401, "{\"error\":\"invalid_client\"}", &tok),
			 -EACCES);
	ck_assert_str_eq(err, "the provider refused the code: invalid_client");
	/* An error on a 200 counts; control characters do not reach logs. */
	ck_assert_int_eq(
		tokresp(200,
			"{\"error\":\"x\\ny\",\"error_description\":\"a\\u001b[31mb\",\"id_token\":\"a\"}",
			&tok),
		-EACCES);
	ck_assert_str_eq(err, "the provider refused the code: x?y (a?[31mb)");
	ck_assert_int_eq(tokresp(502, "<html>bad gateway</html>", &tok),
			 -EPROTO);
	ck_assert_str_eq(err, "the token endpoint answered HTTP 502");
	ck_assert_int_eq(tokresp(500, "{}", &tok), -EPROTO);
	ck_assert_str_eq(
		err,
		"the token endpoint answered HTTP 500 without an id_token");
	ck_assert_int_eq(tokresp(200, "{\"access_token\":\"at\"}", &tok),
			 -EPROTO);
	ck_assert_ptr_nonnull(strstr(err, "no id_token"));
	ck_assert_int_eq(tokresp(200, "{\"id_token\":7}", &tok), -EPROTO);
	ck_assert_int_eq(tokresp(200, "{\"id_token\":\"\"}", &tok), -EPROTO);
	ck_assert_int_eq(tokresp(200, "{\"id_token\":\"a\"", &tok), -EINVAL);
	ck_assert_int_eq(tokresp(200, "{\"error\":{\"a\":1}}", &tok), -EPROTO);
}
END_TEST

START_TEST(test_userinfo)
{
	struct idp_claims c = { .sub = "alice" };
	const char *j =
		"{\"sub\":\"alice\",\"email\":\"a@example.test\",\"email_verified\":true,\"name\":\"A\"}";

	ck_assert_int_eq(idp_userinfo_parse(j, strlen(j), &c, err, sizeof(err)),
			 0);
	ck_assert_str_eq(c.email, "a@example.test");
	ck_assert(c.email_verified);
	ck_assert_str_eq(c.name, "A");
	memset(&c, 0, sizeof(c));
	strcpy(c.sub, "bob");
	ck_assert_int_eq(idp_userinfo_parse(j, strlen(j), &c, err, sizeof(err)),
			 -EPERM);
	ck_assert_str_eq(err, "the userinfo answer is about another subject");
	ck_assert_str_eq(c.email, "");
	j = "{\"sub\":\"bob\",\"email\":\"b@example.test\",\"email_verified\":\"true\"}";
	ck_assert_int_eq(idp_userinfo_parse(j, strlen(j), &c, err, sizeof(err)),
			 0);
	ck_assert(!c.email_verified); /* a string is not a boolean */
	j = "{\"sub\":\"bob\",\"email\":5}";
	ck_assert_int_lt(idp_userinfo_parse(j, strlen(j), &c, err, sizeof(err)),
			 0);
}
END_TEST

START_TEST(test_authurl)
{
	struct idp_authurl a = {
		.endpoint = "https://idp.example/auth?prompt=login",
		.client_id = "my client",
		.redirect_uri = "https://portal.example/auth/oidc/callback",
		.scope = "openid email",
		.state = "S-_1",
		.nonce = "N&x=1",
		.code_challenge = "C",
	};
	char *url;

	url = idp_authurl_build(&a, err, sizeof(err));
	ck_assert_ptr_nonnull(url);
	ck_assert_str_eq(
		url,
		"https://idp.example/auth?prompt=login&response_type=code&client_id=my+client"
		"&redirect_uri=https%3a%2f%2fportal.example%2fauth%2foidc%2fcallback"
		"&scope=openid+email&state=S-_1&nonce=N%26x%3d1&code_challenge=C"
		"&code_challenge_method=S256");
	free(url);
	a.endpoint = "http://127.0.0.1:5000/auth";
	a.scope = NULL;
	url = idp_authurl_build(&a, err, sizeof(err));
	ck_assert_ptr_nonnull(strstr(url, "&scope=openid+email+profile&"));
	free(url);
	a.endpoint = "https://idp.example/auth#frag";
	ck_assert_ptr_null(idp_authurl_build(&a, err, sizeof(err)));
	ck_assert_str_eq(err, "the authorization endpoint has a fragment");
	a.endpoint = "http://idp.example/auth";
	ck_assert_ptr_null(idp_authurl_build(&a, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "refused"));
	a.endpoint = "https://idp.example/auth";
	a.nonce = "";
	ck_assert_ptr_null(idp_authurl_build(&a, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "missing"));
}
END_TEST

START_TEST(test_pkce_random)
{
	char v[44], c[44], c2[44], r1[IDP_B64_LEN(32)], r2[IDP_B64_LEN(32)],
		small[IDP_B64_LEN(3)];

	ck_assert_int_ge(sodium_init(), 0);
	/* RFC 7636 appendix B. */
	idp_pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", c);
	ck_assert_str_eq(c, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
	idp_pkce_pair(v, c);
	ck_assert_uint_eq(strlen(v), 43);
	ck_assert_uint_eq(strlen(c), 43);
	ck_assert_uint_eq(
		strspn(v,
		       "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
		43);
	idp_pkce_challenge(v, c2);
	ck_assert_str_eq(c, c2);
	idp_random_b64(r1, 32);
	idp_random_b64(r2, 32);
	ck_assert_uint_eq(strlen(r1), 43);
	ck_assert_str_ne(r1, r2);
	idp_random_b64(small, 3);
	ck_assert_uint_eq(strlen(small), 4);
}
END_TEST

START_TEST(test_form_add)
{
	char *form = NULL;

	ck_assert_int_eq(idp_form_add(&form, "a", "x y&z=1"), 0);
	ck_assert_int_eq(idp_form_add(&form, "b", "é/+"), 0);
	ck_assert_str_eq(form, "a=x%20y%26z%3D1&b=%C3%A9%2F%2B");
	idp_free_secret(form);
}
END_TEST

Suite *portal_idp_parse_suite(void)
{
	Suite *s = suite_create("portal_idp_parse");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_url_allowed);
	tcase_add_test(tc, test_discovery_url);
	tcase_add_test(tc, test_discovery_good);
	tcase_add_test(tc, test_discovery_bad);
	tcase_add_test(tc, test_hostile_json);
	tcase_add_test(tc, test_jwks_parse_select);
	tcase_add_test(tc, test_jwks_bad);
	tcase_add_test(tc, test_tokenresp);
	tcase_add_test(tc, test_userinfo);
	tcase_add_test(tc, test_authurl);
	tcase_add_test(tc, test_pkce_random);
	tcase_add_test(tc, test_form_add);
	suite_add_tcase(s, tc);
	return s;
}
