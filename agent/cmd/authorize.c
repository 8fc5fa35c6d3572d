// SPDX-License-Identifier: GPL-2.0
/*
 * fzagent authorize | revoke: change a running gateway's authorizations
 * through its control socket. The agent looks the client and resource up
 * in its authorizations file and goes through gw_authorize() or
 * gw_revoke(), the code path every authorization takes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "authorize.h"
#include "cmd.h"
#include "ctl/ctl.h"
#include "fzk/link.h"
#include "lib/clock.h"
#include "lib/keys.h"
#include "lib/values.h"
#include "proto/gw_auth.h"

static const char authorize_usage[] =
	"NAME\n"
	"    fzagent authorize - authorize a gateway client for a resource\n"
	"\n"
	"SYNOPSIS\n"
	"    fzagent authorize IFACE CLIENT-PUBKEY RESOURCE [expires TIME]\n"
	"    fzagent authorize -h | --help\n"
	"\n"
	"DESCRIPTION\n"
	"    Asks the gateway agent of IFACE (`fzagent gateway`) to let the\n"
	"    client with public key CLIENT-PUBKEY reach RESOURCE until TIME,\n"
	"    replacing an earlier authorization of the same pair (so it also\n"
	"    changes an expiry). The client must be a [Client] and RESOURCE a\n"
	"    [Resource] of the agent's authorizations file. fz.ko enforces the\n"
	"    expiry by itself, in CLOCK_BOOTTIME (time asleep counts; setting\n"
	"    the clock afterwards does not move the expiry). The\n"
	"    grant lasts until the agent restarts or reloads: then the\n"
	"    authorizations file alone counts. Nothing is changed if anything\n"
	"    is wrong.\n"
	"\n"
	"OPTIONS\n"
	"    IFACE\n"
	"        The gateway's fz interface.\n"
	"\n"
	"    CLIENT-PUBKEY\n"
	"        The client's public key, base64.\n"
	"\n"
	"    RESOURCE\n"
	"        The resource's Name or ID.\n"
	"\n"
	"    expires TIME\n"
	"        RFC 3339 UTC, as 2026-11-22T10:00:00Z; +SECONDS from now; or\n"
	"        never (the default). A time in the past, or after\n"
	"        2262-04-11T23:47:16Z (the end of fz.ko's clock), is refused.\n"
	"\n"
	"    -h, --help\n"
	"        Print this help to standard output and exit.\n"
	"\n"
	"EXAMPLES\n"
	"    fzagent authorize fz0 \"$KEY\" gitlab\n"
	"    fzagent authorize fz0 \"$KEY\" gitlab expires +3600\n"
	"    fzagent authorize fz0 \"$KEY\" db expires 2026-11-22T10:00:00Z\n"
	"\n"
	"EXIT STATUS\n"
	"    0 when the agent applied it; 1 on any error.\n";

static const char revoke_usage[] =
	"NAME\n"
	"    fzagent revoke - revoke a gateway client's authorization\n"
	"\n"
	"SYNOPSIS\n"
	"    fzagent revoke IFACE CLIENT-PUBKEY RESOURCE|all\n"
	"    fzagent revoke -h | --help\n"
	"\n"
	"DESCRIPTION\n"
	"    Asks the gateway agent of IFACE to revoke the client's\n"
	"    authorization for RESOURCE, or for every resource with \"all\".\n"
	"    fz.ko drops the resource and its DNS maps at once; the client\n"
	"    stays a peer, which is denied everything it is not authorized\n"
	"    for. It is an error if neither the agent nor fz.ko had the\n"
	"    client authorized for RESOURCE. \"all\" also removes every\n"
	"    resource of the file that fz.ko holds for the client, and a UUID\n"
	"    the file does not have is removed from fz.ko all the same.\n"
	"\n"
	"OPTIONS\n"
	"    IFACE\n"
	"        The gateway's fz interface.\n"
	"\n"
	"    CLIENT-PUBKEY\n"
	"        The client's public key, base64.\n"
	"\n"
	"    RESOURCE\n"
	"        The resource's Name or ID (any UUID), or all.\n"
	"\n"
	"    -h, --help\n"
	"        Print this help to standard output and exit.\n"
	"\n"
	"EXAMPLES\n"
	"    fzagent revoke fz0 \"$KEY\" gitlab\n"
	"    fzagent revoke fz0 \"$KEY\" all\n"
	"\n"
	"EXIT STATUS\n"
	"    0 when the agent revoked it; 1 on any error.\n";

/* IFACE, KEY and RESOURCE, common to both commands. */
static int parse_common(char **argv, struct cmd_authorize_args *out, char *err,
			size_t errlen)
{
	uint8_t key[FZ_KEY_LEN];
	size_t n = strlen(argv[3]);

	out->ifname = argv[1];
	out->client = argv[2];
	out->resource = argv[3];
	if (!fzk_ifname_valid(argv[1]))
		snprintf(err, errlen, "'%s' is not a valid interface name",
			 argv[1]);
	else if (fz_key_from_base64(key, argv[2], strlen(argv[2])))
		snprintf(err, errlen,
			 "'%s' is not a public key (44 characters of base64)",
			 argv[2]);
	else if (!n || n > PROTO_AUTH_NAME_MAX ||
		 strspn(argv[3],
			"abcdefghijklmnopqrstuvwxyz"
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != n)
		snprintf(err, errlen, "'%s' is not a resource Name or ID",
			 argv[3]);
	else
		return 0;
	return -EINVAL;
}

int cmd_authorize_parse_args(int argc, char **argv, uint64_t now_ns,
			     struct cmd_authorize_args *out, char *err,
			     size_t errlen)
{
	int ret;

	memset(out, 0, sizeof(*out));
	if (argc != 4 && argc != 6) {
		snprintf(err, errlen,
			 argc < 4  ? "missing arguments" :
			 argc == 5 ? "expires needs TIME" :
				     "too many arguments");
		return -EINVAL;
	}
	if (parse_common(argv, out, err, errlen))
		return -EINVAL;
	if (argc == 4)
		return 0;
	if (strcmp(argv[4], "expires")) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[4]);
		return -EINVAL;
	}
	ret = fz_expiry_parse(argv[5], now_ns, &out->expires_ns);
	if (ret == -ERANGE) {
		snprintf(err, errlen,
			 "TIME '%s' is too far in the future (fz.ko's clock "
			 "ends at 2262-04-11T23:47:16Z)",
			 argv[5]);
		return -EINVAL;
	}
	if (ret) {
		snprintf(err, errlen,
			 "invalid TIME '%s': RFC 3339 UTC "
			 "(2026-11-22T10:00:00Z), +SECONDS or never",
			 argv[5]);
		return -EINVAL;
	}
	if (out->expires_ns && out->expires_ns <= now_ns) {
		snprintf(err, errlen, "TIME '%s' is in the past", argv[5]);
		return -EINVAL;
	}
	return 0;
}

int cmd_revoke_parse_args(int argc, char **argv, struct cmd_authorize_args *out,
			  char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (argc != 4) {
		snprintf(err, errlen,
			 argc < 4 ? "missing arguments" : "too many arguments");
		return -EINVAL;
	}
	return parse_common(argv, out, err, errlen);
}

/* One request to the agent; its answer is the command's result. */
static int call_agent(const char *cmd, const char *ifname, char **words,
		      size_t n)
{
	struct ctl_words w = { .argv = words, .argc = n };
	char msg[CTL_MAX_MESSAGE + 1];
	int fd, ret;

	fd = ctl_client_connect(cmd, ifname,
				"no agent runs for it (start it with "
				"'fzagent gateway')",
				"nothing was sent");
	if (fd < 0)
		return FZ_CLI_EXIT_FAILURE;
	ret = ctl_client_call(cmd, ifname, fd, &w, msg, sizeof(msg));
	close(fd);
	return ret ? FZ_CLI_EXIT_FAILURE : FZ_CLI_EXIT_OK;
}

int cmd_authorize_main(int argc, char *argv[])
{
	static char word[] = "authorize";
	struct cmd_authorize_args a;
	char err[256], expires[24];
	char *words[5];

	if (fz_cli_wants_help(argc, argv))
		return fz_cli_print_usage(authorize_usage);
	if (cmd_authorize_parse_args(argc, argv, fz_clock_real_ns(), &a, err,
				     sizeof(err)))
		return fz_cli_usage_error("authorize", "%s", err);
	snprintf(expires, sizeof(expires), "%" PRIu64, a.expires_ns);
	words[0] = word;
	words[1] = (char *)a.client;
	words[2] = (char *)a.resource;
	words[3] = expires;
	words[4] = NULL;
	return call_agent("authorize", a.ifname, words, 4);
}

int cmd_revoke_main(int argc, char *argv[])
{
	static char word[] = "revoke";
	struct cmd_authorize_args a;
	char err[256];
	char *words[4];

	if (fz_cli_wants_help(argc, argv))
		return fz_cli_print_usage(revoke_usage);
	if (cmd_revoke_parse_args(argc, argv, &a, err, sizeof(err)))
		return fz_cli_usage_error("revoke", "%s", err);
	words[0] = word;
	words[1] = (char *)a.client;
	words[2] = (char *)a.resource;
	words[3] = NULL;
	return call_agent("revoke", a.ifname, words, 3);
}
