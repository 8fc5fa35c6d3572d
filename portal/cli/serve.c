// SPDX-License-Identifier: GPL-2.0
/*
 * fzportal serve: the portal's server process. It owns the libuv loop
 * and the signals; the web wing listens on the loop, the signalling
 * wing (sig/) answers its sockets from the store given by --db.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>
#include <uv.h>

#include "api/api.h"
#include "cli.h"
#include "core/log.h"
#include "lib/cli.h"
#include "lib/files.h"
#include "sig/sig.h"
#include "signin/signin.h"
#include "store/store.h"
#include "web/web.h"

#define HEARTBEAT_MAX_S 3600
#define ACK_TIMEOUT_MAX_S 60

static const char serve_usage[] =
	"NAME\n"
	"    fzportal serve - run the portal's HTTPS and WebSocket server\n"
	"\n"
	"SYNOPSIS\n"
	"    fzportal serve --listen ADDR:PORT --cert FILE --key FILE\n"
	"                   --db PATH [--heartbeat-interval SECONDS]\n"
	"                   [--ack-timeout SECONDS] [--log-format text|json]\n"
	"                   [--gateway-rate N] [--gateway-burst N]\n"
	"                   [--client-rate N] [--client-burst N]\n"
	"                   [--client-sockets-per-token N]\n"
	"                   [--gateway-sockets-per-token N]\n"
	"                   [--audit-retention-days N]\n"
	"                   [--changes-retention-days N]\n"
	"                   [--external-url URL] [--provider-ca-file FILE]\n"
	"                   [--smtp-url URL --smtp-from ADDRESS]\n"
	"                   [--smtp-user NAME] [--smtp-password-file FILE]\n"
	"                   [--email-code-ttl SECONDS]\n"
	"                   [--trusted-proxy CIDR[,CIDR...]]\n"
	"    fzportal serve -h | --help\n"
	"\n"
	"DESCRIPTION\n"
	"    Listens on one TLS socket (HTTP/1.1; plain HTTP is refused) and\n"
	"    serves, in one thread on one event loop:\n"
	"\n"
	"    /healthz             200 \"ok\" while the process runs\n"
	"    /readyz              200 while serving, 503 while shutting down\n"
	"    /api/v1/...          the REST API (with --db; see below)\n"
	"    /gateway/websocket   the signalling WebSockets of gateways and\n"
	"    /client/websocket    clients, Phoenix channel frames\n"
	"                         ({topic, event, payload, ref}) over TLS\n"
	"    /SLUG/sign_in        the sign-in pages a client's 'fzagent\n"
	"                         sign-in' opens: the account's identity\n"
	"                         providers (OpenID Connect) and codes by\n"
	"                         email; see portal/SIGNIN.md\n"
	"\n"
	"    A WebSocket is opened only with \"Authorization: Bearer TOKEN\",\n"
	"    where TOKEN is a gateway token on /gateway/websocket or a client\n"
	"    token on /client/websocket, unexpired, of an enabled actor;\n"
	"    anything else is refused with HTTP 401 before the handshake.\n"
	"    Per socket: a message (fragments reassembled) is at most 16 KiB,\n"
	"    else the socket is closed with 1009; a budget of messages a\n"
	"    second with bursts (clients 20 and 50, gateways 1000 and 2000,\n"
	"    see --gateway-rate), above which messages get a rate_limited\n"
	"    error reply, and a peer that keeps on is closed with 1008; at most\n"
	"    256 KiB waiting to be sent to a peer that reads too slowly,\n"
	"    else it is closed with 1013. A frame that is not a Phoenix frame\n"
	"    gets an invalid_message error reply and the socket stays open.\n"
	"    Peers send {\"topic\":\"phoenix\",\"event\":\"heartbeat\",...}\n"
	"    every interval and get a phx_reply with the same ref; a socket\n"
	"    silent for 3 intervals is closed.\n"
	"\n"
	"OPTIONS\n"
	"    --listen ADDR:PORT\n"
	"        The address and port to listen on: 192.0.2.1:443,\n"
	"        [2001:db8::1]:443, 0.0.0.0:443 or [::]:443 for every address.\n"
	"        Port 0 lets the kernel choose; the \"listening\" log line\n"
	"        names it. Environment: FZPORTAL_LISTEN.\n"
	"\n"
	"    --cert FILE, --key FILE\n"
	"        The TLS certificate chain and its private key, PEM. The\n"
	"        server does not start without both. Environment:\n"
	"        FZPORTAL_CERT, FZPORTAL_KEY.\n"
	"\n"
	"    --db PATH\n"
	"        The database made by 'fzportal init': tokens, devices,\n"
	"        policies, authorizations. Changes written to it by\n"
	"        'fzportal admin' (or any process) are acted on within\n"
	"        100 ms: revocations, updates, disconnects. Environment:\n"
	"        FZPORTAL_DB.\n"
	"\n"
	"        It also serves the REST API /api/v1/{sites,gateway_tokens,\n"
	"        gateways,clients,resources,groups,actors,service_accounts,\n"
	"        client_tokens,api_tokens,policies,audit,account}: GET lists,\n"
	"        POST creates, GET, PATCH and DELETE /ID act on one record,\n"
	"        POST and DELETE /groups/ID/members[/ACTOR] change\n"
	"        memberships; the same operations and checks as 'fzportal\n"
	"        admin', whose --json output is the API's JSON. Requests carry\n"
	"        \"Authorization: Bearer TOKEN\" with an API token of an admin\n"
	"        (401 without, 403 for a member) and JSON bodies (415 else).\n"
	"\n"
	"    --heartbeat-interval SECONDS\n"
	"        The interval peers are expected to send heartbeats at, 1 to\n"
	"        3600; default 10, so a peer is offline after 30 s of\n"
	"        silence. Environment: FZPORTAL_HEARTBEAT_INTERVAL.\n"
	"\n"
	"    --ack-timeout SECONDS\n"
	"        How long a gateway has to answer create_authorization with\n"
	"        authorization_created, 1 to 60; default 5. Past it the\n"
	"        client gets authorization_creation_failed (offline).\n"
	"        Environment: FZPORTAL_ACK_TIMEOUT.\n"
	"\n"
	"    --gateway-rate N, --gateway-burst N\n"
	"    --client-rate N, --client-burst N\n"
	"        The message budget of one socket of that role: N a second\n"
	"        sustained, N at once; 1 to 1000000. Clients: 20 and 50.\n"
	"        Gateways: 1000 and 2000, because a gateway acks every\n"
	"        authorization it is sent, and 10,000 clients over 10\n"
	"        gateways asking at once send each about 1,000 in a second.\n"
	"        Environment: FZPORTAL_GATEWAY_RATE, FZPORTAL_GATEWAY_BURST,\n"
	"        FZPORTAL_CLIENT_RATE, FZPORTAL_CLIENT_BURST.\n"
	"\n"
	"    --client-sockets-per-token N, --gateway-sockets-per-token N\n"
	"        How many sockets one token may hold open; one more is closed\n"
	"        with 1008 (\"too many sockets for this token\") right after\n"
	"        its handshake. Defaults 4 (a user's devices) and 16 (a\n"
	"        site's gateways share their token); 0 lifts the cap.\n"
	"        Environment: FZPORTAL_CLIENT_SOCKETS_PER_TOKEN,\n"
	"        FZPORTAL_GATEWAY_SOCKETS_PER_TOKEN.\n"
	"\n"
	"    --client-devices-per-token N\n"
	"        How many clients (public keys, each holding one of the\n"
	"        account's tunnel addresses) one token may have; default\n"
	"        16, 0 lifts the cap. A join with a new key at the cap\n"
	"        evicts the token's longest unseen client among those\n"
	"        offline for 10 minutes or more (logged as client_evicted,\n"
	"        audited as client.evict, its authorizations revoked); with\n"
	"        none such it is refused with too_many_devices and the\n"
	"        client retries later.\n"
	"        Environment: FZPORTAL_CLIENT_DEVICES_PER_TOKEN.\n"
	"\n"
	"    --audit-retention-days N, --changes-retention-days N\n"
	"        Audit rows older than N days (default 90) and change-feed\n"
	"        rows older than N days (default 7; the newest 10,000 and\n"
	"        any not yet handled stay) are deleted every 10 s; 0 keeps\n"
	"        them. Environment: FZPORTAL_AUDIT_RETENTION_DAYS,\n"
	"        FZPORTAL_CHANGES_RETENTION_DAYS.\n"
	"\n"
	"    --external-url URL\n"
	"        How browsers and identity providers reach this portal,\n"
	"        https://HOST[:PORT]; an OpenID provider must know\n"
	"        URL/auth/oidc/callback as the redirect URI of the portal's\n"
	"        client. Default: https://ADDR:PORT of --listen.\n"
	"        Environment: FZPORTAL_EXTERNAL_URL.\n"
	"\n"
	"    --provider-ca-file FILE\n"
	"        CA certificates (PEM) to check identity providers and the\n"
	"        mail server with, instead of the system's. Environment:\n"
	"        FZPORTAL_PROVIDER_CA_FILE.\n"
	"\n"
	"    --smtp-url smtp://HOST[:PORT] | smtps://HOST[:PORT]\n"
	"    --smtp-from ADDRESS\n"
	"        Turn on sign-in by a code sent by email, through this mail\n"
	"        server (STARTTLS when it offers it), from ADDRESS. Without\n"
	"        them the pages offer only the identity providers.\n"
	"        Environment: FZPORTAL_SMTP_URL, FZPORTAL_SMTP_FROM.\n"
	"\n"
	"    --smtp-user NAME, --smtp-password-file FILE\n"
	"        Log in to the mail server; the password is the first line\n"
	"        of FILE, which must not be readable by group or others.\n"
	"        Environment: FZPORTAL_SMTP_USER,\n"
	"        FZPORTAL_SMTP_PASSWORD_FILE.\n"
	"\n"
	"    --email-code-ttl SECONDS\n"
	"        How long an emailed code works, 10 to 3600; default 600.\n"
	"        A code works once, in the browser that asked for it, and\n"
	"        is burnt after 5 wrong tries. Environment:\n"
	"        FZPORTAL_EMAIL_CODE_TTL.\n"
	"\n"
	"    --trusted-proxy CIDR[,CIDR...]\n"
	"        Reverse proxies in front of the portal (up to 16 prefixes).\n"
	"        The sign-in pages' rate limits count a request by its\n"
	"        peer's address (an IPv6 address by its /64); a request from\n"
	"        one of these counts by the last address of its\n"
	"        X-Forwarded-For that is not a trusted proxy. Without it,\n"
	"        everybody behind a proxy shares one budget. Environment:\n"
	"        FZPORTAL_TRUSTED_PROXY.\n"
	"\n"
	"    --log-format text|json\n"
	"        One line per event on standard error, as\n"
	"        \"fzportal: EVENT key=value...\" (text, the default) or as one\n"
	"        JSON object per line with \"ts\" and \"event\". Environment:\n"
	"        FZPORTAL_LOG_FORMAT.\n"
	"\n"
	"    -h, --help\n"
	"        Print this help to standard output and exit.\n"
	"\n"
	"    Flags win over the environment. Each option also takes the form\n"
	"    --option=VALUE.\n"
	"\n"
	"LOGGING\n"
	"    Events: listening (address, port), conn_open (role, remote, who),\n"
	"    conn_refused (remote, path, reason), conn_close (role, remote,\n"
	"    who, code, reason, by portal|peer), conn_timeout,\n"
	"    conn_rate_limited, shutdown (signal), stopped; lws's own errors\n"
	"    as lws (level, msg); gateway_join, client_join, gateway_leave,\n"
	"    client_leave, authorization_granted, authorization_denied\n"
	"    (reason, detail), authorization_created, authorization_revoked\n"
	"    (reason), change (entity, op, id); signin_ready, signin_start,\n"
	"    signin_ok, signin_refused (why), signin_provider_error,\n"
	"    signin_mail_sent, signin_mail_error. Tokens are never logged;\n"
	"    \"who\" names the token by the start of its id.\n"
	"\n"
	"SIGNALS\n"
	"    SIGTERM, SIGINT\n"
	"        Stop: /readyz turns 503, every WebSocket is closed with 1001\n"
	"        (\"server shutting down\"), and the process exits 0 once they\n"
	"        are closed, after 2 seconds at most. A second signal during\n"
	"        that time ends the process at once.\n"
	"\n"
	"EXAMPLES\n"
	"    fzportal serve --listen 0.0.0.0:443 --cert /etc/fzportal/cert.pem \\\n"
	"        --key /etc/fzportal/key.pem --db /var/lib/fzportal/fz.db\n"
	"    FZPORTAL_LISTEN=127.0.0.1:8443 FZPORTAL_CERT=cert.pem \\\n"
	"        FZPORTAL_KEY=key.pem fzportal serve --db fz.db \\\n"
	"        --log-format json\n"
	"    curl --cacert cert.pem https://127.0.0.1:8443/healthz\n"
	"\n"
	"EXIT STATUS\n"
	"    0 when stopped by a signal; 1 on any error, including a missing\n"
	"    or unreadable certificate, key or database and an address\n"
	"    that cannot be listened on.\n";

struct serve_opts {
	const char *listen, *cert, *key, *heartbeat, *log_format;
	const char *db, *ack_timeout;
	const char *rate[2], *burst[2]; /* by enum web_role */
	const char *client_cap, *gateway_cap, *client_devices, *audit_days,
		*changes_days;
	const char *external_url, *smtp_url, *smtp_from, *smtp_user;
	const char *smtp_password_file, *code_ttl, *provider_ca;
	const char *trusted_proxy;
};

struct serve {
	uv_loop_t loop;
	uv_signal_t sigint, sigterm;
	struct web_server *srv;
	struct serve_arg *arg;
};

/* What the web wing's callbacks share (web_config.arg). */
struct serve_arg {
	struct store *store;
	struct sig *sig;
	const char *db;
	unsigned int ack_ms;
	struct sig_limits limits;
	struct signin_config signin_cfg;
	struct signin *signin;
	char smtp_password[256];
	char external_url[300];
};

static const struct {
	const char *flag, *env;
	size_t offset;
} options[] = {
	{ "--listen", "FZPORTAL_LISTEN", offsetof(struct serve_opts, listen) },
	{ "--cert", "FZPORTAL_CERT", offsetof(struct serve_opts, cert) },
	{ "--key", "FZPORTAL_KEY", offsetof(struct serve_opts, key) },
	{ "--heartbeat-interval", "FZPORTAL_HEARTBEAT_INTERVAL",
	  offsetof(struct serve_opts, heartbeat) },
	{ "--log-format", "FZPORTAL_LOG_FORMAT",
	  offsetof(struct serve_opts, log_format) },
	{ "--db", "FZPORTAL_DB", offsetof(struct serve_opts, db) },
	{ "--ack-timeout", "FZPORTAL_ACK_TIMEOUT",
	  offsetof(struct serve_opts, ack_timeout) },
	{ "--gateway-rate", "FZPORTAL_GATEWAY_RATE",
	  offsetof(struct serve_opts, rate[WEB_ROLE_GATEWAY]) },
	{ "--gateway-burst", "FZPORTAL_GATEWAY_BURST",
	  offsetof(struct serve_opts, burst[WEB_ROLE_GATEWAY]) },
	{ "--client-rate", "FZPORTAL_CLIENT_RATE",
	  offsetof(struct serve_opts, rate[WEB_ROLE_CLIENT]) },
	{ "--client-burst", "FZPORTAL_CLIENT_BURST",
	  offsetof(struct serve_opts, burst[WEB_ROLE_CLIENT]) },
	{ "--client-sockets-per-token", "FZPORTAL_CLIENT_SOCKETS_PER_TOKEN",
	  offsetof(struct serve_opts, client_cap) },
	{ "--gateway-sockets-per-token", "FZPORTAL_GATEWAY_SOCKETS_PER_TOKEN",
	  offsetof(struct serve_opts, gateway_cap) },
	{ "--client-devices-per-token", "FZPORTAL_CLIENT_DEVICES_PER_TOKEN",
	  offsetof(struct serve_opts, client_devices) },
	{ "--audit-retention-days", "FZPORTAL_AUDIT_RETENTION_DAYS",
	  offsetof(struct serve_opts, audit_days) },
	{ "--changes-retention-days", "FZPORTAL_CHANGES_RETENTION_DAYS",
	  offsetof(struct serve_opts, changes_days) },
	{ "--external-url", "FZPORTAL_EXTERNAL_URL",
	  offsetof(struct serve_opts, external_url) },
	{ "--smtp-url", "FZPORTAL_SMTP_URL",
	  offsetof(struct serve_opts, smtp_url) },
	{ "--smtp-from", "FZPORTAL_SMTP_FROM",
	  offsetof(struct serve_opts, smtp_from) },
	{ "--smtp-user", "FZPORTAL_SMTP_USER",
	  offsetof(struct serve_opts, smtp_user) },
	{ "--smtp-password-file", "FZPORTAL_SMTP_PASSWORD_FILE",
	  offsetof(struct serve_opts, smtp_password_file) },
	{ "--email-code-ttl", "FZPORTAL_EMAIL_CODE_TTL",
	  offsetof(struct serve_opts, code_ttl) },
	{ "--provider-ca-file", "FZPORTAL_PROVIDER_CA_FILE",
	  offsetof(struct serve_opts, provider_ca) },
	{ "--trusted-proxy", "FZPORTAL_TRUSTED_PROXY",
	  offsetof(struct serve_opts, trusted_proxy) },
};

#define N_OPTIONS (sizeof(options) / sizeof(options[0]))

static const char **slot(struct serve_opts *o, size_t i)
{
	return (const char **)((char *)o + options[i].offset);
}

/* "--flag VALUE" or "--flag=VALUE"; returns argv entries used, or 0. */
static int match_option(struct serve_opts *o, int argc, char *argv[], int i)
{
	for (size_t k = 0; k < N_OPTIONS; k++) {
		size_t n = strlen(options[k].flag);

		if (strncmp(argv[i], options[k].flag, n))
			continue;
		if (argv[i][n] == '=') {
			*slot(o, k) = argv[i] + n + 1;
			return 1;
		}
		if (argv[i][n])
			continue;
		if (i + 1 == argc)
			return -1;
		*slot(o, k) = argv[i + 1];
		return 2;
	}
	return 0;
}

static int parse_args(int argc, char *argv[], struct serve_opts *o)
{
	memset(o, 0, sizeof(*o));
	for (int i = 1; i < argc;) {
		int used = match_option(o, argc, argv, i);

		if (used < 0)
			return fz_cli_usage_error("serve", "%s needs a value",
						  argv[i]);
		if (!used)
			return fz_cli_usage_error(
				"serve", "unexpected argument '%s'", argv[i]);
		i += used;
	}
	/* The environment fills what the flags left open. */
	for (size_t k = 0; k < N_OPTIONS; k++)
		if (!*slot(o, k))
			*slot(o, k) = getenv(options[k].env);
	return 0;
}

/* "ADDR:PORT" or "[V6]:PORT" into addr (brackets gone) and port. */
static int parse_listen(const char *s, char *addr, size_t len, int *port)
{
	const char *colon = strrchr(s, ':'), *a = s, *end;
	unsigned char bin[16];
	char *p;
	long v;

	if (!colon)
		return -1;
	end = colon;
	if (*s == '[') {
		a = s + 1;
		if (end == a || end[-1] != ']')
			return -1;
		end--;
	}
	if ((size_t)(end - a) >= len)
		return -1;
	memcpy(addr, a, (size_t)(end - a));
	addr[end - a] = '\0';
	if (inet_pton(*s == '[' ? AF_INET6 : AF_INET, addr, bin) != 1)
		return -1;
	errno = 0;
	v = strtol(colon + 1, &p, 10);
	if (errno || p == colon + 1 || *p || v < 0 || v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

/* A whole number from 1 to max; absent: *out left as it is (0 or a default). */
static int parse_count(const char *s, long max, unsigned int *out)
{
	char *p;
	long v;

	if (!s)
		return 0;
	errno = 0;
	v = strtol(s, &p, 10);
	if (errno || p == s || *p || v < 1 || v > max)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

static int parse_heartbeat(const char *s, unsigned int *ms)
{
	unsigned int v = WEB_HEARTBEAT_MS_DEFAULT / 1000;

	if (parse_count(s, HEARTBEAT_MAX_S, &v))
		return -1;
	*ms = v * 1000;
	return 0;
}

/* The per-role budgets; 0 left where unset, the web wing's defaults. */
static int check_rates(const struct serve_opts *o, struct web_config *cfg)
{
	static const char *const flag[2][2] = {
		[WEB_ROLE_GATEWAY] = { "--gateway-rate", "--gateway-burst" },
		[WEB_ROLE_CLIENT] = { "--client-rate", "--client-burst" },
	};

	for (int r = WEB_ROLE_GATEWAY; r <= WEB_ROLE_CLIENT; r++) {
		if (parse_count(o->rate[r], WEB_RATE_MAX, &cfg->rate_per_s[r]))
			return fz_cli_usage_error("serve",
						  "%s: '%s' is not a number "
						  "from 1 to %d",
						  flag[r][0], o->rate[r],
						  WEB_RATE_MAX);
		if (parse_count(o->burst[r], WEB_RATE_MAX, &cfg->rate_burst[r]))
			return fz_cli_usage_error("serve",
						  "%s: '%s' is not a number "
						  "from 1 to %d",
						  flag[r][1], o->burst[r],
						  WEB_RATE_MAX);
	}
	return 0;
}

/* A count from 0 to max, or def when unset: 0 or -1. */
static int parse_limit(const char *s, long max, long def, long *out)
{
	char *p;

	if (!s) {
		*out = def;
		return 0;
	}
	errno = 0;
	*out = strtol(s, &p, 10);
	return errno || p == s || *p || *out < 0 || *out > max ? -1 : 0;
}

static int check_limits(const struct serve_opts *o, struct sig_limits *l)
{
	const struct {
		const char *flag, *value;
		long max, def;
	} f[] = {
		{ "--client-sockets-per-token", o->client_cap, 100000,
		  SIG_CLIENT_SOCKETS_DEFAULT },
		{ "--gateway-sockets-per-token", o->gateway_cap, 100000,
		  SIG_GATEWAY_SOCKETS_DEFAULT },
		{ "--client-devices-per-token", o->client_devices, 100000,
		  SIG_CLIENT_DEVICES_DEFAULT },
		{ "--audit-retention-days", o->audit_days, 36600,
		  SIG_AUDIT_DAYS_DEFAULT },
		{ "--changes-retention-days", o->changes_days, 36600,
		  SIG_CHANGES_DAYS_DEFAULT },
	};
	long v[5];

	for (size_t i = 0; i < 5; i++)
		if (parse_limit(f[i].value, f[i].max, f[i].def, &v[i]))
			return fz_cli_usage_error("serve",
						  "%s: '%s' is not a number "
						  "from 0 to %ld",
						  f[i].flag, f[i].value,
						  f[i].max);
	l->client_sockets = (unsigned int)v[0];
	l->gateway_sockets = (unsigned int)v[1];
	l->client_devices = (unsigned int)v[2];
	l->audit_s = v[3] * 86400LL;
	l->changes_s = v[4] * 86400LL;
	return 0;
}

static int check_opts(const struct serve_opts *o, struct web_config *cfg,
		      struct serve_arg *arg, char *addr, size_t len)
{
	int fmt = core_log_parse_format(o->log_format ? o->log_format : "text");

	if (fmt < 0)
		return fz_cli_usage_error("serve",
					  "--log-format: '%s' is not "
					  "text or json",
					  o->log_format);
	core_log_init(FZ_PORTAL_NAME, (enum core_log_format)fmt);
	if (!o->listen)
		return fz_cli_usage_error("serve", "no address to listen on: "
						   "--listen ADDR:PORT or "
						   "FZPORTAL_LISTEN");
	if (parse_listen(o->listen, addr, len, &cfg->port))
		return fz_cli_usage_error("serve",
					  "--listen: '%s' is not ADDR:PORT "
					  "(192.0.2.1:443, [2001:db8::1]:443)",
					  o->listen);
	if (!o->db)
		return fz_cli_usage_error("serve", "no database: --db PATH or "
						   "FZPORTAL_DB");
	if (parse_heartbeat(o->heartbeat, &cfg->heartbeat_ms))
		return fz_cli_usage_error("serve",
					  "--heartbeat-interval: '%s' is not "
					  "a number of seconds from 1 to %d",
					  o->heartbeat, HEARTBEAT_MAX_S);
	if (check_rates(o, cfg))
		return -1;
	if (parse_count(o->ack_timeout, ACK_TIMEOUT_MAX_S, &arg->ack_ms))
		return fz_cli_usage_error("serve",
					  "--ack-timeout: '%s' is not a "
					  "number of seconds from 1 to %d",
					  o->ack_timeout, ACK_TIMEOUT_MAX_S);
	arg->ack_ms *= 1000;
	arg->db = o->db;
	cfg->address = addr;
	cfg->cert_file = o->cert;
	cfg->key_file = o->key;
	return 0;
}

/* The first line of a root-only file: a password never sits in argv. */
static int read_secret(const char *path, char *out, size_t len)
{
	char *buf = NULL;
	size_t n = 0;
	mode_t mode;
	int ret;

	ret = fz_read_file(path, 4096, &buf, &n, &mode, NULL);
	if (ret)
		return fz_cli_usage_error("serve",
					  "--smtp-password-file %s: %s", path,
					  strerror(-ret));
	if (mode & 077)
		ret = fz_cli_usage_error("serve",
					 "--smtp-password-file %s: readable "
					 "by others (chmod 600 it)",
					 path);
	else
		snprintf(out, len, "%.*s", (int)strcspn(buf, "\r\n"), buf);
	sodium_memzero(buf, n);
	free(buf);
	return ret;
}

static int check_signin(const struct serve_opts *o, struct serve_arg *a)
{
	struct signin_config *c = &a->signin_cfg;
	unsigned int ttl = SIGNIN_CODE_TTL_DEFAULT_S;
	const char *why = "";

	if (o->external_url && strncmp(o->external_url, "https://", 8))
		return fz_cli_usage_error("serve",
					  "--external-url: '%s' is not an "
					  "https:// URL",
					  o->external_url);
	c->external_url = o->external_url;
	if (o->trusted_proxy && signin_check_proxies(o->trusted_proxy, &why))
		return fz_cli_usage_error("serve", "--trusted-proxy: '%s': %s",
					  o->trusted_proxy, why);
	c->trusted_proxies = o->trusted_proxy;
	c->http.timeout_ms = 10000;
	c->http.ca_file = o->provider_ca;
	if (parse_count(o->code_ttl, 3600, &ttl) || ttl < 10)
		return fz_cli_usage_error("serve",
					  "--email-code-ttl: '%s' is not a "
					  "number of seconds from 10 to 3600",
					  o->code_ttl);
	c->code_ttl_s = ttl;
	if (!o->smtp_url)
		return 0;
	if (strncmp(o->smtp_url, "smtp://", 7) &&
	    strncmp(o->smtp_url, "smtps://", 8))
		return fz_cli_usage_error("serve",
					  "--smtp-url: '%s' is not smtp:// or "
					  "smtps://",
					  o->smtp_url);
	if (!o->smtp_from || !idp_email_valid(o->smtp_from))
		return fz_cli_usage_error("serve",
					  "--smtp-url needs --smtp-from "
					  "ADDRESS, the sender of the codes");
	if (o->smtp_password_file &&
	    read_secret(o->smtp_password_file, a->smtp_password,
			sizeof(a->smtp_password)))
		return -1;
	c->smtp.url = o->smtp_url;
	c->smtp.from = o->smtp_from;
	c->smtp.user = o->smtp_user;
	c->smtp.password = o->smtp_password_file ? a->smtp_password : NULL;
	c->smtp.ca_file = o->provider_ca;
	c->smtp.timeout_ms = 10000;
	return 0;
}

static void on_signal(uv_signal_t *h, int signum)
{
	struct serve *s = h->data;

	core_log("shutdown", "signal", signum == SIGINT ? "SIGINT" : "SIGTERM",
		 NULL);
	web_server_stop(s->srv);
	sig_stop(s->arg->sig);
	signin_stop(s->arg->signin);
	/* Closed: a second signal takes its default action, ending us. */
	uv_close((uv_handle_t *)&s->sigint, NULL);
	uv_close((uv_handle_t *)&s->sigterm, NULL);
}

static int watch_signals(struct serve *s)
{
	s->sigint.data = s;
	s->sigterm.data = s;
	if (uv_signal_init(&s->loop, &s->sigint) ||
	    uv_signal_init(&s->loop, &s->sigterm) ||
	    uv_signal_start(&s->sigint, on_signal, SIGINT) ||
	    uv_signal_start(&s->sigterm, on_signal, SIGTERM))
		return -1;
	return 0;
}

/* Says where tokens are checked (the store of --db) and the budgets. */
static void log_listening(const struct web_config *cfg,
			  const struct serve_arg *arg, int port)
{
	char p[16], hb[16], gw[32], cl[32];

	snprintf(p, sizeof(p), "%d", port);
	snprintf(hb, sizeof(hb), "%u", cfg->heartbeat_ms / 1000);
	snprintf(gw, sizeof(gw), "%u/s,%u", cfg->rate_per_s[WEB_ROLE_GATEWAY],
		 cfg->rate_burst[WEB_ROLE_GATEWAY]);
	snprintf(cl, sizeof(cl), "%u/s,%u", cfg->rate_per_s[WEB_ROLE_CLIENT],
		 cfg->rate_burst[WEB_ROLE_CLIENT]);
	core_log("listening", "address", cfg->address, "port", p,
		 "heartbeat_interval", hb, "auth", "store_tokens", "db",
		 arg->db, "gateway_rate", gw, "client_rate", cl, NULL);
}

/* Without --external-url, providers send browsers back to --listen. */
static void external_url(const struct web_config *cfg, struct serve_arg *a,
			 int port)
{
	bool v6 = strchr(cfg->address, ':') != NULL;

	if (!a->signin_cfg.external_url) {
		snprintf(a->external_url, sizeof(a->external_url),
			 "https://%s%s%s:%d", v6 ? "[" : "", cfg->address,
			 v6 ? "]" : "", port);
		signin_set_external_url(a->signin, a->external_url);
	}
	core_log("signin_ready", "external_url",
		 a->signin_cfg.external_url ? a->signin_cfg.external_url :
					      a->external_url,
		 "email_codes", a->signin_cfg.smtp.url ? "on" : "off", NULL);
}

static int on_page(void *arg, const struct web_page_request *req,
		   struct web_page_response *resp)
{
	return signin_page(((struct serve_arg *)arg)->signin, req, resp);
}

static void signin_before_write(void *arg)
{
	sig_batch_flush(((struct serve_arg *)arg)->sig);
}

static void signin_after_write(void *arg)
{
	sig_feed_poke(((struct serve_arg *)arg)->sig);
}

static int run(struct web_config *cfg, struct serve_arg *arg)
{
	struct serve s = { .arg = arg };
	struct store_err serr = { 0 };
	char err[512];
	int rc = FZ_CLI_EXIT_FAILURE;

	/* A peer gone mid-write must be an error return, not a death. */
	signal(SIGPIPE, SIG_IGN);
	/*
	 * libuv's pool runs the sign-in's provider and mail calls, each up to
	 * 10 s: its default 4 threads would let a slow provider hold every
	 * account's sign-in. Read by libuv when the pool starts.
	 */
	setenv("UV_THREADPOOL_SIZE", "16", 0);
	if (uv_loop_init(&s.loop)) {
		fz_cli_error("serve", "cannot create the event loop");
		return rc;
	}
	cfg->loop = &s.loop;
	web_config_defaults(cfg);
	/* The disk's waits on a thread of the store's, never on the loop. */
	if (store_checkpoint_in_background(arg->store, 1000, &serr))
		core_log("store_failed", "op", "background checkpoints", "msg",
			 serr.msg, NULL);
	arg->sig = sig_new(&s.loop, arg->store, err, sizeof(err));
	if (!arg->sig) {
		fz_cli_error("serve", "%s", err);
		return rc;
	}
	sig_set_ack_timeout(arg->sig, arg->ack_ms);
	sig_set_limits(arg->sig, &arg->limits);
	arg->signin_cfg.loop = &s.loop;
	arg->signin_cfg.store = arg->store;
	arg->signin = signin_new(&arg->signin_cfg);
	if (!arg->signin) {
		fz_cli_error("serve", "cannot start the sign-in pages");
		return rc;
	}
	cfg->page = on_page;
	s.srv = web_server_start(cfg, err, sizeof(err));
	if (!s.srv) {
		fz_cli_error("serve", "%s", err);
		return rc; /* the loop may hold lws's remains: exiting anyway */
	}
	if (watch_signals(&s)) {
		fz_cli_error("serve", "cannot watch SIGINT and SIGTERM");
		web_server_stop(s.srv);
		sig_stop(arg->sig);
	} else {
		log_listening(cfg, arg, web_server_port(s.srv));
		external_url(cfg, arg, web_server_port(s.srv));
		rc = FZ_CLI_EXIT_OK;
	}
	uv_run(&s.loop, UV_RUN_DEFAULT);
	web_server_free(s.srv);
	signin_free(arg->signin);
	arg->signin = NULL;
	sodium_memzero(arg->smtp_password, sizeof(arg->smtp_password));
	sig_free(arg->sig);
	arg->sig = NULL;
	if (uv_loop_close(&s.loop))
		core_log("loop_busy", "msg", "handles left open at exit", NULL);
	if (rc == FZ_CLI_EXIT_OK)
		core_log("stopped", NULL);
	return rc;
}

/* The web wing's callbacks, passed through to the signalling wing. */
static int on_auth(void *arg, struct web_auth *auth)
{
	return sig_web_authenticate(((struct serve_arg *)arg)->sig, auth);
}

static void on_release(void *arg, void *principal)
{
	sig_web_release(((struct serve_arg *)arg)->sig, principal);
}

static void on_open(void *arg, struct web_conn *conn)
{
	sig_web_open(((struct serve_arg *)arg)->sig, conn);
}

static void on_message(void *arg, struct web_conn *conn, const char *text,
		       size_t len)
{
	sig_web_message(((struct serve_arg *)arg)->sig, conn, text, len);
}

static void on_close(void *arg, struct web_conn *conn, int code,
		     const char *reason)
{
	sig_web_close(((struct serve_arg *)arg)->sig, conn, code, reason);
}

static void on_drained(void *arg, struct web_conn *conn)
{
	sig_web_drained(((struct serve_arg *)arg)->sig, conn);
}

/* A write through the API is acted on now, not at the next feed tick. */
static void on_rest(void *arg, const struct web_request *req,
		    struct web_response *resp)
{
	struct serve_arg *a = arg;

	/* Admin writes take a transaction of their own. */
	sig_batch_flush(a->sig);
	api_rest(a->store, req, resp);
	if (strcmp(req->method, "GET") && resp->status < 300)
		sig_feed_poke(a->sig);
}

static void hooks(struct web_config *cfg)
{
	cfg->rest = on_rest;
	cfg->authenticate = on_auth;
	cfg->release = on_release;
	cfg->on_open = on_open;
	cfg->on_message = on_message;
	cfg->on_close = on_close;
	cfg->on_drained = on_drained;
}

/* The store of --db, at this binary's schema (init and migrate make it). */
static int open_db(const char *db, struct serve_arg *a)
{
	struct store_err err = { 0 };
	int version = 0, latest = 0;
	char url[4096];

	if (access(db, R_OK | W_OK)) {
		fz_cli_error("serve", "--db %s: %s (run 'fzportal init')", db,
			     strerror(errno));
		return -1;
	}
	snprintf(url, sizeof(url), "sqlite:%s", db);
	a->store = store_open(url, &err);
	if (!a->store ||
	    store_schema_version(a->store, &version, &latest, &err)) {
		fz_cli_error("serve", "--db: %s", err.msg);
		return -1;
	}
	if (version != latest) {
		fz_cli_error("serve",
			     "--db: schema version %d, this binary needs %d "
			     "(run 'fzportal migrate')",
			     version, latest);
		return -1;
	}
	return 0;
}

int cli_serve_main(int argc, char *argv[])
{
	struct web_config cfg = { 0 };
	struct serve_arg arg = { 0 };
	struct serve_opts o;
	char addr[INET6_ADDRSTRLEN];
	int rc = FZ_CLI_EXIT_FAILURE;

	if (fz_cli_wants_help(argc, argv))
		return fz_cli_print_usage(serve_usage);
	if (parse_args(argc, argv, &o) ||
	    check_opts(&o, &cfg, &arg, addr, sizeof(addr)) ||
	    check_limits(&o, &arg.limits) || check_signin(&o, &arg))
		return FZ_CLI_EXIT_USAGE;
	arg.signin_cfg.before_write = signin_before_write;
	arg.signin_cfg.after_write = signin_after_write;
	arg.signin_cfg.hook_arg = &arg;
	if (!open_db(o.db, &arg)) {
		cfg.arg = &arg;
		hooks(&cfg);
		rc = run(&cfg, &arg);
	}
	store_close(arg.store);
	return rc;
}
