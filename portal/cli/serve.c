// SPDX-License-Identifier: GPL-2.0
/*
 * fzportal serve: the portal's server process. It owns the libuv loop
 * and the signals; the web wing listens on the loop. Until the store
 * lands, tokens come from a file (cli/tokfile.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "api/api.h"
#include "cli.h"
#include "tokfile.h"
#include "core/log.h"
#include "lib/cli.h"
#include "store/store.h"
#include "web/web.h"

#define HEARTBEAT_MAX_S 3600

static const char serve_usage[] =
	"NAME\n"
	"    fzportal serve - run the portal's HTTPS and WebSocket server\n"
	"\n"
	"SYNOPSIS\n"
	"    fzportal serve --listen ADDR:PORT --cert FILE --key FILE\n"
	"                   [--db PATH] [--tokens-file FILE]\n"
	"                   [--heartbeat-interval SECONDS]\n"
	"                   [--log-format text|json]\n"
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
	"\n"
	"    A WebSocket is opened only with \"Authorization: Bearer TOKEN\",\n"
	"    where TOKEN is one of the endpoint's role in the tokens file;\n"
	"    anything else is refused with HTTP 401 before the handshake.\n"
	"    Per socket: a message (fragments reassembled) is at most 16 KiB,\n"
	"    else the socket is closed with 1009; 20 messages a second with\n"
	"    bursts of 50, above which messages get a rate_limited error\n"
	"    reply, and a peer that keeps on is closed with 1008; at most\n"
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
	"        The database made by 'fzportal init'. It serves the REST\n"
	"        API /api/v1/{sites,gateway_tokens,gateways,clients,\n"
	"        resources,groups,actors,service_accounts,client_tokens,\n"
	"        api_tokens,policies,audit,account}: GET lists, POST creates,\n"
	"        GET, PATCH and DELETE /ID act on one record, POST and\n"
	"        DELETE /groups/ID/members[/ACTOR] change memberships; the\n"
	"        same operations and checks as 'fzportal admin', whose\n"
	"        --json output is the API's JSON. Requests carry\n"
	"        \"Authorization: Bearer TOKEN\" with an API token of an admin\n"
	"        (401 without, 403 for a member) and JSON bodies (415 else).\n"
	"        Without --db, /api answers 404. Environment: FZPORTAL_DB.\n"
	"\n"
	"    --tokens-file FILE\n"
	"        The tokens that may open a WebSocket, one \"ROLE TOKEN\" line\n"
	"        each (ROLE gateway or client, TOKEN at least 16 printable\n"
	"        characters; blank lines and lines starting with # are\n"
	"        skipped). FILE must be mode 0600 or 0400 and owned by root or\n"
	"        by the user running the portal. This is the pre-database\n"
	"        mode: the portal's store replaces it. Environment:\n"
	"        FZPORTAL_TOKENS_FILE.\n"
	"\n"
	"    --heartbeat-interval SECONDS\n"
	"        The interval peers are expected to send heartbeats at, 1 to\n"
	"        3600; default 10, so a peer is offline after 30 s of\n"
	"        silence. Environment: FZPORTAL_HEARTBEAT_INTERVAL.\n"
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
	"    as lws (level, msg). Tokens are never logged; \"who\" names the\n"
	"    token's line in the tokens file.\n"
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
	"        --key /etc/fzportal/key.pem --tokens-file /etc/fzportal/tokens\n"
	"    FZPORTAL_LISTEN=127.0.0.1:8443 FZPORTAL_CERT=cert.pem \\\n"
	"        FZPORTAL_KEY=key.pem fzportal serve --tokens-file tokens \\\n"
	"        --log-format json\n"
	"    curl --cacert cert.pem https://127.0.0.1:8443/healthz\n"
	"\n"
	"EXIT STATUS\n"
	"    0 when stopped by a signal; 1 on any error, including a missing\n"
	"    or unreadable certificate, key or tokens file and an address\n"
	"    that cannot be listened on.\n";

struct serve_opts {
	const char *listen, *cert, *key, *tokens, *heartbeat, *log_format;
	const char *db;
};

struct serve {
	uv_loop_t loop;
	uv_signal_t sigint, sigterm;
	struct web_server *srv;
};

static const struct {
	const char *flag, *env;
	size_t offset;
} options[] = {
	{ "--listen", "FZPORTAL_LISTEN", offsetof(struct serve_opts, listen) },
	{ "--cert", "FZPORTAL_CERT", offsetof(struct serve_opts, cert) },
	{ "--key", "FZPORTAL_KEY", offsetof(struct serve_opts, key) },
	{ "--tokens-file", "FZPORTAL_TOKENS_FILE",
	  offsetof(struct serve_opts, tokens) },
	{ "--heartbeat-interval", "FZPORTAL_HEARTBEAT_INTERVAL",
	  offsetof(struct serve_opts, heartbeat) },
	{ "--log-format", "FZPORTAL_LOG_FORMAT",
	  offsetof(struct serve_opts, log_format) },
	{ "--db", "FZPORTAL_DB", offsetof(struct serve_opts, db) },
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

static int parse_heartbeat(const char *s, unsigned int *ms)
{
	char *p;
	long v;

	if (!s) {
		*ms = WEB_HEARTBEAT_MS_DEFAULT;
		return 0;
	}
	errno = 0;
	v = strtol(s, &p, 10);
	if (errno || p == s || *p || v < 1 || v > HEARTBEAT_MAX_S)
		return -1;
	*ms = (unsigned int)v * 1000;
	return 0;
}

static int check_opts(const struct serve_opts *o, struct web_config *cfg,
		      char *addr, size_t len)
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
	if (!o->tokens && !o->db)
		return fz_cli_usage_error("serve", "no tokens: --db PATH or "
						   "--tokens-file FILE");
	if (parse_heartbeat(o->heartbeat, &cfg->heartbeat_ms))
		return fz_cli_usage_error("serve",
					  "--heartbeat-interval: '%s' is not "
					  "a number of seconds from 1 to %d",
					  o->heartbeat, HEARTBEAT_MAX_S);
	cfg->address = addr;
	cfg->cert_file = o->cert;
	cfg->key_file = o->key;
	return 0;
}

static void on_signal(uv_signal_t *h, int signum)
{
	struct serve *s = h->data;

	core_log("shutdown", "signal", signum == SIGINT ? "SIGINT" : "SIGTERM",
		 NULL);
	web_server_stop(s->srv);
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

static void log_listening(const struct web_config *cfg, int port)
{
	char p[16], hb[16];

	snprintf(p, sizeof(p), "%d", port);
	snprintf(hb, sizeof(hb), "%u", cfg->heartbeat_ms / 1000);
	core_log("listening", "address", cfg->address, "port", p,
		 "heartbeat_interval", hb, "auth", "tokens-file", NULL);
}

static int run(struct web_config *cfg)
{
	struct serve s = { 0 };
	char err[512];
	int rc = FZ_CLI_EXIT_FAILURE;

	/* A peer gone mid-write must be an error return, not a death. */
	signal(SIGPIPE, SIG_IGN);
	if (uv_loop_init(&s.loop)) {
		fz_cli_error("serve", "cannot create the event loop");
		return rc;
	}
	cfg->loop = &s.loop;
	s.srv = web_server_start(cfg, err, sizeof(err));
	if (!s.srv) {
		fz_cli_error("serve", "%s", err);
		return rc; /* the loop may hold lws's remains: exiting anyway */
	}
	if (watch_signals(&s)) {
		fz_cli_error("serve", "cannot watch SIGINT and SIGTERM");
		web_server_stop(s.srv);
	} else {
		log_listening(cfg, web_server_port(s.srv));
		rc = FZ_CLI_EXIT_OK;
	}
	uv_run(&s.loop, UV_RUN_DEFAULT);
	web_server_free(s.srv);
	if (uv_loop_close(&s.loop))
		core_log("loop_busy", "msg", "handles left open at exit", NULL);
	if (rc == FZ_CLI_EXIT_OK)
		core_log("stopped", NULL);
	return rc;
}

/* What the web wing's callbacks share: the tokens file, the store. */
struct serve_arg {
	struct cli_tokfile *tf;
	struct store *store;
};

static int serve_authenticate(void *arg, struct web_auth *auth)
{
	struct serve_arg *a = arg;

	if (!a->tf) {
		auth->why = "no socket tokens configured";
		return -1;
	}
	return cli_tokfile_authenticate(a->tf, auth);
}

static void serve_rest(void *arg, const struct web_request *req,
		       struct web_response *resp)
{
	api_rest(((struct serve_arg *)arg)->store, req, resp);
}

/* The REST API needs the database; sockets still use the tokens file. */
static int open_db(const char *db, struct serve_arg *a, struct web_config *cfg)
{
	struct store_err err = { 0 };
	char url[4096];

	if (access(db, R_OK)) {
		fz_cli_error("serve", "--db %s: %s (run 'fzportal init')", db,
			     strerror(errno));
		return -1;
	}
	snprintf(url, sizeof(url), "sqlite:%s", db);
	a->store = store_open(url, &err);
	if (!a->store) {
		fz_cli_error("serve", "--db: %s", err.msg);
		return -1;
	}
	cfg->rest = serve_rest;
	return 0;
}

int cli_serve_main(int argc, char *argv[])
{
	struct web_config cfg = { 0 };
	struct serve_arg arg = { 0 };
	struct serve_opts o;
	char addr[INET6_ADDRSTRLEN], err[512];
	int rc;

	if (fz_cli_wants_help(argc, argv))
		return fz_cli_print_usage(serve_usage);
	if (parse_args(argc, argv, &o) ||
	    check_opts(&o, &cfg, addr, sizeof(addr)))
		return FZ_CLI_EXIT_USAGE;
	if (o.tokens) {
		arg.tf = cli_tokfile_load(o.tokens, err, sizeof(err));
		if (!arg.tf) {
			fz_cli_error("serve", "--tokens-file: %s", err);
			return FZ_CLI_EXIT_FAILURE;
		}
	}
	rc = o.db && open_db(o.db, &arg, &cfg) ? FZ_CLI_EXIT_FAILURE : 0;
	cfg.arg = &arg;
	cfg.authenticate = serve_authenticate;
	if (!rc)
		rc = run(&cfg);
	store_close(arg.store);
	cli_tokfile_free(arg.tf);
	return rc;
}
