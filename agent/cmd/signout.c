// SPDX-License-Identifier: GPL-2.0
/*
 * fzagent sign-out: the portal revokes the token (portal/SIGNIN.md, step
 * 7) and the file goes. The file goes even when the portal cannot be
 * told: a user who signs out does not want the token left on the host.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <sodium.h>

#include "cmd.h"
#include "lib/portalurl.h"
#include "lib/tokenfile.h"

#define SIGNOUT_TIMEOUT_MS 10000L
#define CA_FILE_ENV "FZ_CA_FILE"

static const char signout_usage[] =
	"NAME\n"
	"    fzagent sign-out - revoke this client's token and delete it\n"
	"\n"
	"SYNOPSIS\n"
	"    fzagent sign-out --portal URL [--token-file FILE] [--ca-file FILE]\n"
	"    fzagent sign-out -h | --help\n"
	"\n"
	"DESCRIPTION\n"
	"    Reads the token `fzagent sign-in` wrote, asks the portal at URL\n"
	"    to revoke it (POST URL/api/v1/sign_out with the token as bearer;\n"
	"    a client connected with it is disconnected) and deletes the\n"
	"    token file. The file is deleted even when the portal cannot be\n"
	"    reached or refuses: then the token stays valid on the portal\n"
	"    until it expires or an administrator revokes it (`fzportal admin\n"
	"    session revoke`), and the command says so and fails.\n"
	"\n"
	"    The request gives up after 10 seconds. TLS certificates are\n"
	"    verified against the system's CAs, or the one of --ca-file.\n"
	"    Redirects are not followed. A token file this user does not own,\n"
	"    or that group or others may access, is refused and left in place\n"
	"    (run `chmod 600 FILE`).\n"
	"\n"
	"OPTIONS\n"
	"    --portal URL\n"
	"        The portal, as for `fzagent sign-in`: https, or http to a\n"
	"        loopback host only (for tests). Required.\n"
	"\n"
	"    --token-file FILE\n"
	"        The token file. Default: $FZ_TOKEN_FILE if set, else\n"
	"        " FZ_TOKEN_DEFAULT_FILE ".\n"
	"\n"
	"    --ca-file FILE\n"
	"        PEM certificates to verify the portal with, for a private CA.\n"
	"        Default: $FZ_CA_FILE if set, else the system's.\n"
	"\n"
	"    -h, --help\n"
	"        Print this help to standard output and exit.\n"
	"\n"
	"MESSAGES\n"
	"    signed out (token revoked on the portal)\n"
	"        The portal revoked the token and the file is gone.\n"
	"    signed out (the portal no longer accepted the token)\n"
	"        The token had expired or been revoked already (401); the\n"
	"        file is gone.\n"
	"    token deleted here; the portal could not be told: WHY\n"
	"        The file is gone but the token may still be valid.\n"
	"\n"
	"EXAMPLES\n"
	"    fzagent sign-out --portal https://portal.example.com\n"
	"    fzagent sign-out --portal https://portal.example.com \\\n"
	"        --ca-file /etc/fz/portal-ca.pem --token-file ~/.config/fz/token\n"
	"\n"
	"EXIT STATUS\n"
	"    0 when the portal revoked the token (or no longer knew it) and\n"
	"    the file is deleted; 1 otherwise.\n";

struct signout_opts {
	const char *portal, *token_file, *ca_file;
};

static int parse_args(int argc, char *argv[], struct signout_opts *o)
{
	memset(o, 0, sizeof(*o));
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char **value = NULL;

		if (!strcmp(arg, "--portal"))
			value = &o->portal;
		else if (!strcmp(arg, "--token-file"))
			value = &o->token_file;
		else if (!strcmp(arg, "--ca-file"))
			value = &o->ca_file;
		else
			return fz_cli_usage_error("sign-out", "%s '%s'",
						  arg[0] == '-' ?
							  "unknown option" :
							  "unexpected argument",
						  arg);
		if (++i == argc)
			return fz_cli_usage_error("sign-out",
						  "%s needs a value", arg);
		*value = argv[i];
	}
	if (!o->portal)
		return fz_cli_usage_error("sign-out",
					  "--portal URL is required");
	if (!o->ca_file) {
		o->ca_file = getenv(CA_FILE_ENV);
		if (o->ca_file && !*o->ca_file)
			o->ca_file = NULL;
	}
	return 0;
}

/* The body is not needed, only the status. */
static size_t discard(char *ptr, size_t size, size_t n, void *user)
{
	(void)ptr;
	(void)user;
	return size * n;
}

/* The slist's copies of the header hold the token: wiped before freed. */
static void wipe_headers(struct curl_slist *h)
{
	for (struct curl_slist *p = h; p; p = p->next)
		sodium_memzero(p->data, strlen(p->data));
	curl_slist_free_all(h);
}

/*
 * POST url with the token: the HTTP status, or -1 with why set.
 */
static long post_sign_out(const char *url, const char *token,
			  const char *ca_file, char *why, size_t whylen)
{
	char errbuf[CURL_ERROR_SIZE] = "", auth[32 + FZ_TOKEN_MAX_LEN];
	struct curl_slist *h = NULL;
	long status = -1;
	CURLcode rc;
	CURL *c;

	c = curl_easy_init();
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	h = curl_slist_append(NULL, auth);
	sodium_memzero(auth, sizeof(auth));
	if (!c || !h) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, SIGNOUT_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, ca_file);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	else
		snprintf(why, whylen, "%s",
			 errbuf[0] ? errbuf : curl_easy_strerror(rc));
out:
	wipe_headers(h);
	curl_easy_cleanup(c);
	return status;
}

/* url/api/v1/sign_out, checked as a portal URL; curl_free(). */
static char *sign_out_url(const char *portal, char *err, size_t errlen)
{
	CURLU *u = fz_portal_url(portal, "/api/v1/sign_out", err, errlen);
	char *text;

	if (!u)
		return NULL;
	text = fz_portal_url_text(u);
	if (!text)
		snprintf(err, errlen, "out of memory");
	curl_url_cleanup(u);
	return text;
}

/* The portal's part: 0 when the token no longer works there. */
static int portal_outcome(long status, const char *why, char *msg,
			  size_t msglen)
{
	if (status >= 200 && status < 300)
		snprintf(msg, msglen, "token revoked on the portal");
	else if (status == 401)
		snprintf(msg, msglen,
			 "the portal no longer accepted the token");
	else if (status > 0)
		snprintf(msg, msglen, "it answered HTTP %ld", status);
	else
		snprintf(msg, msglen, "%s", why);
	return (status >= 200 && status < 300) || status == 401 ? 0 : -1;
}

static int sign_out(const struct signout_opts *o, const char *url)
{
	char token[FZ_TOKEN_MAX_LEN + 1], err[512], msg[CURL_ERROR_SIZE + 64];
	char why[CURL_ERROR_SIZE] = "";
	const char *path = fz_token_path(o->token_file);
	long status;
	int told, del;

	if (fz_token_read(path, token, err, sizeof(err))) {
		fz_cli_error("sign-out", "%s", err);
		return FZ_CLI_EXIT_FAILURE;
	}
	status = post_sign_out(url, token, o->ca_file, why, sizeof(why));
	sodium_memzero(token, sizeof(token));
	told = portal_outcome(status, why, msg, sizeof(msg));
	del = fz_token_delete(path, err, sizeof(err));
	if (del && del != -ENOENT) {
		fz_cli_error("sign-out", "%s; the portal: %s", err, msg);
		return FZ_CLI_EXIT_FAILURE;
	}
	if (told) {
		fz_cli_error("sign-out",
			     "token deleted here (%s); the portal could not "
			     "be told: %s",
			     path, msg);
		return FZ_CLI_EXIT_FAILURE;
	}
	printf("signed out (%s)\n", msg);
	return fflush(stdout) == EOF ? FZ_CLI_EXIT_FAILURE : FZ_CLI_EXIT_OK;
}

int cmd_signout_main(int argc, char *argv[])
{
	struct signout_opts o;
	char err[512];
	char *url;
	int ret;

	if (fz_cli_wants_help(argc, argv))
		return fz_cli_print_usage(signout_usage);
	ret = parse_args(argc, argv, &o);
	if (ret)
		return ret;
	if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
		fz_cli_error("sign-out", "cannot initialise libcurl");
		return FZ_CLI_EXIT_FAILURE;
	}
	url = sign_out_url(o.portal, err, sizeof(err));
	if (!url) {
		fz_cli_usage_error("sign-out", "%s", err);
		ret = FZ_CLI_EXIT_FAILURE;
	} else {
		ret = sign_out(&o, url);
		curl_free(url);
	}
	curl_global_cleanup();
	return ret;
}
