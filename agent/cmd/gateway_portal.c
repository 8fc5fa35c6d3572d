// SPDX-License-Identifier: GPL-2.0
/*
 * fzagent gateway --portal: every flag and the token are checked before
 * anything is changed, then the daemon runs the portal mode. The token
 * never comes from the command line (any user may read another's argv):
 * $FZ_TOKEN, a file, or systemd's credentials directory.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "cmd.h"
#include "gateway.h"
#include "lib/portalurl.h"
#include "conf/config.h"
#include "lib/tokenfile.h"
#include "lib/values.h"
#include "proto/sig.h"

#define CREDENTIAL_NAME "fz-token"

static int parse_port(const char *text, uint16_t *port)
{
	uint64_t v;

	if (fz_parse_decimal(text, 65535, &v) || !v)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

int cmd_gateway_parse_endpoint(const char *text, struct proto_sig_endpoint *ep)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *port;
	size_t n;
	int family = AF_INET;

	memset(ep, 0, sizeof(*ep));
	if (text[0] == '[') {
		port = strstr(text, "]:");
		family = AF_INET6;
		text++;
		n = port ? (size_t)(port - text) : 0;
		port = port ? port + 2 : NULL;
	} else {
		port = strrchr(text, ':');
		n = port ? (size_t)(port - text) : 0;
		port = port ? port + 1 : NULL;
	}
	if (!port || !n || n >= sizeof(host))
		return -EINVAL;
	memcpy(host, text, n);
	host[n] = '\0';
	if (inet_pton(family, host, ep->ip.addr) != 1)
		return -EINVAL;
	ep->ip.family = (uint16_t)family;
	ep->ip.cidr = family == AF_INET ? 32 : 128;
	return parse_port(port, &ep->port);
}

static int check_url(const char *url)
{
	char err[256];
	CURLU *u = fz_portal_url(url, "", err, sizeof(err));

	if (!u)
		return fz_cli_usage_error("gateway", "--portal %s: %s", url,
					  err);
	curl_url_cleanup(u);
	return 0;
}

/* --health ADDR:PORT: the address as lws takes it, without brackets. */
static int parse_health(const char *text, char addr[INET6_ADDRSTRLEN],
			int *port)
{
	struct proto_sig_endpoint ep;

	if (cmd_gateway_parse_endpoint(text, &ep))
		return fz_cli_usage_error(
			"gateway",
			"--health '%s': not ADDR:PORT or [ADDR6]:PORT", text);
	inet_ntop(ep.ip.family, ep.ip.addr, addr, INET6_ADDRSTRLEN);
	*port = ep.port;
	return 0;
}

static int check_ca_file(const char *path)
{
	int fd;

	if (!path)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fz_cli_error("gateway", "--ca-file %s: %s", path,
			     strerror(errno));
		return -errno;
	}
	close(fd);
	return 0;
}

/*
 * $FZ_TOKEN, else --token-file, else systemd's credential (a unit's
 * LoadCredential=fz-token:...), else $FZ_TOKEN_FILE or the default file.
 */
static int load_token(const char *token_file, char out[FZ_TOKEN_MAX_LEN + 1])
{
	const char *creds = getenv("CREDENTIALS_DIRECTORY");
	const char *env = getenv(FZ_TOKEN_ENV);
	char path[PATH_MAX], err[512];

	if (!(env && *env) && !token_file && creds && *creds &&
	    snprintf(path, sizeof(path), "%s/" CREDENTIAL_NAME, creds) <
		    (int)sizeof(path) &&
	    !access(path, F_OK))
		token_file = path;
	if (fz_token_load(token_file, out, err, sizeof(err))) {
		fz_cli_error("gateway", "%s", err);
		return -EINVAL;
	}
	return 0;
}

int cmd_gateway_portal(const struct cmd_gateway_opts *o,
		       const char ifname[IFNAMSIZ])
{
	struct proto_sig_endpoint eps[DAEMON_PORTAL_MAX_ENDPOINTS];
	struct daemon_portal_opts dopts = { .url = o->portal,
					    .ca_file = o->ca_file,
					    .endpoints = eps,
					    .n_endpoints = o->n_endpoints };
	char health[INET6_ADDRSTRLEN], token[FZ_TOKEN_MAX_LEN + 1];
	struct conf cfg;
	int status;

	if (check_url(o->portal))
		return FZ_CLI_EXIT_USAGE;
	for (size_t i = 0; i < o->n_endpoints; i++)
		if (cmd_gateway_parse_endpoint(o->endpoints[i], &eps[i]))
			return fz_cli_usage_error(
				"gateway",
				"--endpoint '%s': not IP:PORT or [IPv6]:PORT",
				o->endpoints[i]);
	if (o->health) {
		if (parse_health(o->health, health, &dopts.health_port))
			return FZ_CLI_EXIT_USAGE;
		dopts.health_addr = health;
	}
	if (check_ca_file(o->ca_file) || load_token(o->token_file, token))
		return FZ_CLI_EXIT_FAILURE;
	if (cmd_up_load_config("gateway", o->up.config, &cfg)) {
		sodium_memzero(token, sizeof(token));
		return FZ_CLI_EXIT_FAILURE;
	}
	/* Copied to locked memory and wiped at once. */
	status = daemon_gateway_portal(ifname, o->up.config, &cfg, &dopts,
				       token);
	sodium_memzero(token, sizeof(token));
	return status;
}
