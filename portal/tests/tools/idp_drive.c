// SPDX-License-Identifier: GPL-2.0
/*
 * Drives the idp wing against a real provider for
 * tests/integration/75-oidc-lib.sh, which does the browser's part with
 * curl in between. Not part of fzportal.
 *
 *   idp_drive authorize ISSUER CLIENT_ID REDIRECT_URI
 *	prints url=, state=, nonce=, verifier= lines
 *   idp_drive exchange ISSUER CLIENT_ID REDIRECT_URI CODE VERIFIER NONCE
 *	the client secret from $FZ_IDP_CLIENT_SECRET; prints sub=, email=,
 *	email_verified=, name= lines
 *   idp_drive verify ISSUER CLIENT_ID NONCE ID_TOKEN
 *	checks an id_token got elsewhere against ISSUER's keys
 * Errors go to stderr as "idp_drive: MESSAGE", exit status 1.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "idp/priv.h"

static const struct idp_http_opts drive_opts = { .timeout_ms = 5000 };

static void drive_claims(const struct idp_claims *c)
{
	printf("sub=%s\nemail=%s\nemail_verified=%s\nname=%s\n", c->sub,
	       c->email, c->email_verified ? "true" : "false", c->name);
}

static int drive_authorize(char **argv)
{
	struct idp_provider_cfg p = { .issuer = argv[0], .client_id = argv[1] };
	char state[IDP_B64_LEN(32)], nonce[IDP_B64_LEN(32)], verifier[44],
		challenge[44], err[512];
	struct idp_oidc *o = idp_oidc_new(&drive_opts);
	char *url;

	idp_random_b64(state, 32);
	idp_random_b64(nonce, 32);
	idp_pkce_pair(verifier, challenge);
	url = idp_oidc_authorize_url(o, &p, argv[2], state, nonce, challenge,
				     err, sizeof(err));
	idp_oidc_free(o);
	if (!url) {
		fprintf(stderr, "idp_drive: %s\n", err);
		return 1;
	}
	printf("url=%s\nstate=%s\nnonce=%s\nverifier=%s\n", url, state, nonce,
	       verifier);
	free(url);
	return 0;
}

static int drive_exchange(char **argv)
{
	struct idp_provider_cfg p = {
		.issuer = argv[0],
		.client_id = argv[1],
		.client_secret = getenv("FZ_IDP_CLIENT_SECRET"),
	};
	struct idp_oidc *o = idp_oidc_new(&drive_opts);
	struct idp_claims c;
	char err[512];
	int ret;

	ret = idp_oidc_exchange(o, &p, argv[2], argv[3], argv[4], argv[5],
				(int64_t)time(NULL), &c, err, sizeof(err));
	idp_oidc_free(o);
	if (ret) {
		fprintf(stderr, "idp_drive: %s\n", err);
		return 1;
	}
	drive_claims(&c);
	return 0;
}

static int drive_fetch(const char *url, struct idp_http_res *res, char *err,
		       size_t errlen)
{
	int ret = idp_http_get(&drive_opts, url, NULL, res, err, errlen);

	if (!ret && res->status != 200) {
		snprintf(err, errlen, "%s: HTTP %ld", url, res->status);
		idp_http_res_free(res);
		ret = -EPROTO;
	}
	return ret;
}

static int drive_verify(char **argv)
{
	struct idp_idtoken_want w = { argv[0], argv[1], argv[2],
				      (int64_t)time(NULL) };
	char url[IDP_URL_MAX + 64], err[512];
	struct idp_http_res res;
	struct idp_discovery d;
	struct idp_jwks k;
	struct idp_claims c;
	int ret;

	ret = idp_discovery_url(argv[0], url, sizeof(url), err, sizeof(err));
	if (!ret)
		ret = drive_fetch(url, &res, err, sizeof(err));
	if (ret)
		goto out;
	ret = idp_discovery_parse(res.body, res.len, argv[0], &d, err,
				  sizeof(err));
	idp_http_res_free(&res);
	if (!ret)
		ret = drive_fetch(d.jwks_uri, &res, err, sizeof(err));
	if (ret)
		goto out;
	ret = idp_jwks_parse(res.body, res.len, &k, err, sizeof(err));
	idp_http_res_free(&res);
	if (ret)
		goto out;
	ret = idp_idtoken_verify(argv[3], &k, &w, &c, err, sizeof(err));
	idp_jwks_free(&k);
	if (!ret)
		drive_claims(&c);
out:
	if (ret)
		fprintf(stderr, "idp_drive: %s\n", err);
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (sodium_init() < 0)
		return 1;
	if (argc == 5 && !strcmp(argv[1], "authorize"))
		return drive_authorize(argv + 2);
	if (argc == 8 && !strcmp(argv[1], "exchange"))
		return drive_exchange(argv + 2);
	if (argc == 6 && !strcmp(argv[1], "verify"))
		return drive_verify(argv + 2);
	fprintf(stderr,
		"usage: idp_drive authorize|exchange|verify ARGS... (see the source)\n");
	return 2;
}
