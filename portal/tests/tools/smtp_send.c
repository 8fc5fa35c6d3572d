// SPDX-License-Identifier: GPL-2.0
/*
 * smtp_send: one mail through idp_smtp_send(), for the integration tests
 * (tests/integration/76-smtp.sh). Not part of fzportal.
 *
 *   smtp_send --url URL --from ADDR --to ADDR --subject S --text T
 *             [--ca-file F] [--user U] [--timeout-ms N]
 *
 * The password, if any, comes from $SMTP_PASSWORD (not argv, which ps
 * shows). Every "{code}" in the text becomes a fresh one-time code
 * (core_otp_new()), which is then printed on stdout, so that a test can
 * look for it in the mailbox. Exit 0 when the relay took the mail, 1
 * with the error on stderr when not, 2 on bad usage.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <sodium.h>

#include "core/otp.h"
#include "idp/smtp.h"

#define PLACEHOLDER "{code}"

static void usage(void)
{
	fputs("usage: smtp_send --url URL --from ADDR --to ADDR --subject S "
	      "--text T [--ca-file F] [--user U] [--timeout-ms N]\n",
	      stderr);
	exit(2);
}

/* text with every PLACEHOLDER replaced by code; malloc'd. */
static char *fill(const char *text, const char *code)
{
	size_t n = strlen(text) * (CORE_OTP_DIGITS + 1) + 1;
	char *out = malloc(n), *o = out;
	const char *p;

	if (!out)
		return NULL;
	while ((p = strstr(text, PLACEHOLDER))) {
		memcpy(o, text, p - text);
		o += p - text;
		memcpy(o, code, CORE_OTP_DIGITS);
		o += CORE_OTP_DIGITS;
		text = p + strlen(PLACEHOLDER);
	}
	strcpy(o, text);
	return out;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "url", required_argument, NULL, 'u' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "subject", required_argument, NULL, 's' },
		{ "text", required_argument, NULL, 'x' },
		{ "ca-file", required_argument, NULL, 'c' },
		{ "user", required_argument, NULL, 'U' },
		{ "timeout-ms", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	struct idp_smtp_cfg cfg = { .password = getenv("SMTP_PASSWORD") };
	const char *to = NULL, *subject = NULL, *text = NULL;
	char code[CORE_OTP_DIGITS + 1], err[512], *body;
	int c, ret;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			cfg.url = optarg;
			break;
		case 'f':
			cfg.from = optarg;
			break;
		case 't':
			to = optarg;
			break;
		case 's':
			subject = optarg;
			break;
		case 'x':
			text = optarg;
			break;
		case 'c':
			cfg.ca_file = optarg;
			break;
		case 'U':
			cfg.user = optarg;
			break;
		case 'T':
			cfg.timeout_ms = atol(optarg);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || !cfg.url || !cfg.from || !to || !subject || !text)
		usage();
	if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT)) {
		fputs("smtp_send: libsodium or libcurl failed to start\n",
		      stderr);
		return 1;
	}
	core_otp_new(code);
	body = fill(text, code);
	if (!body)
		return 1;
	ret = idp_smtp_send(&cfg, to, subject, body, err, sizeof(err));
	if (ret)
		fprintf(stderr, "smtp_send: %s (%s)\n", err, strerror(-ret));
	else if (strstr(text, PLACEHOLDER))
		printf("%s\n", code);
	sodium_memzero(code, sizeof(code));
	free(body);
	curl_global_cleanup();
	return ret ? 1 : 0;
}
