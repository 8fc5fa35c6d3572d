// SPDX-License-Identifier: GPL-2.0
/*
 * fzagent gateway: `fzagent up` plus the gateway role. Both files are
 * read and checked before anything is changed.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "gateway.h"
#include "up.h"
#include "conf/config.h"
#include "daemon/daemon.h"
#include "lib/clock.h"
#include "lib/keys.h"
#include "proto/gw_auth.h"

static const char gateway_usage[] =
	"NAME\n"
	"    fzagent gateway - run an fz interface as a gateway\n"
	"\n"
	"SYNOPSIS\n"
	"    fzagent gateway CONFIG [-i IFACE] [-a AUTHORIZATIONS]\n"
	"    fzagent gateway CONFIG [-i IFACE] --portal URL [--token-file FILE]\n"
	"                    [--ca-file FILE] [--endpoint IP:PORT]...\n"
	"                    [--health ADDR:PORT]\n"
	"    fzagent gateway -h | --help\n"
	"\n"
	"DESCRIPTION\n"
	"    Does everything `fzagent up` does with CONFIG (see\n"
	"    `fzagent up --help`: interface, handshakes, control socket,\n"
	"    SIGHUP), and runs the interface as a gateway of the fz\n"
	"    zero-trust network: clients reach resources behind this host\n"
	"    through it, but only the resources they are authorized for.\n"
	"\n"
	"    At start the host is set up: IPv4 and IPv6 forwarding are turned\n"
	"    on, and traffic from the tunnel ranges 100.64.0.0/11 and\n"
	"    fd00:2021:1111::/107 leaving through any other interface is\n"
	"    masqueraded, by an nftables table of its own, \"inet\n"
	"    fz-gw-IFACE\" (a postrouting nat chain). Its forward chain\n"
	"    accepts what comes from or goes to IFACE; for a family whose\n"
	"    forwarding was off before, it drops all other forwarding, so the\n"
	"    host does not start routing between its other interfaces (where\n"
	"    forwarding was on already, nothing else changes). On exit the\n"
	"    table is deleted and forwarding is set back to what it was.\n"
	"    Nothing else on the host is touched.\n"
	"\n"
	"    The clients and what they may reach come from one of two places:\n"
	"    the file AUTHORIZATIONS (-a), or the portal (--portal; see THE\n"
	"    PORTAL below). Without either the gateway has no clients.\n"
	"\n"
	"    Each [Client] of AUTHORIZATIONS becomes a peer of IFACE that\n"
	"    fz.ko treats as a gateway client: everything it sends is denied\n"
	"    unless it matches a resource it is authorized for. Each\n"
	"    Authorize line is applied as if by `fzagent authorize`. The\n"
	"    clients stay peers across SIGHUP even though they are not in\n"
	"    CONFIG; CONFIG must not name them as [Peer]s, and `fzagent set`\n"
	"    refuses to touch them.\n"
	"\n"
	"    At start and on SIGHUP, fz.ko is brought to exactly what\n"
	"    AUTHORIZATIONS says: gateway clients it holds that the file does\n"
	"    not have are removed (their resources and DNS maps with them),\n"
	"    resources the file does not grant are removed (grants made with\n"
	"    `fzagent authorize` before a restart or reload included), and\n"
	"    DNS maps the agent did not make are cleared (a client assigns its\n"
	"    proxy IPs again when it next resolves). Each removal is logged.\n"
	"    AUTHORIZATIONS must be a file owned by root that neither group\n"
	"    nor others may write (and, holding a PresharedKey, read).\n"
	"\n"
	"    For DNS resources, a client tells the gateway which proxy IPs it\n"
	"    assigned to a name (p2p AssignedIps). The gateway resolves the\n"
	"    name's A and AAAA records with the host's resolver (/etc/hosts,\n"
	"    then /etc/resolv.conf; 10 seconds at most, answers kept 30\n"
	"    seconds), maps the proxy IPs round-robin onto the addresses of\n"
	"    the same family and answers DomainStatus Active (some address)\n"
	"    or Inactive (none). Only A and AAAA records of the name asked\n"
	"    (or of the names its CNAME chain leads to) count, and an address\n"
	"    that is loopback, link-local (169.254.0.0/16, fe80::/10),\n"
	"    multicast, unspecified, broadcast or reserved, IPv4-mapped, in\n"
	"    the tunnel or mapped ranges (100.64.0.0/10, fd00:2021:1111::/107,\n"
	"    fd00:2021:1111:8000::/107) or one of this host's is never mapped\n"
	"    (each is logged). A client may have 2 lookups in flight; more\n"
	"    AssignedIps are dropped and counted until one ends. Malformed\n"
	"    control packets are dropped and counted. On SIGTERM or SIGINT\n"
	"    each client with a session is told Goodbye, so that it fails\n"
	"    over at once.\n"
	"\n"
	"THE PORTAL\n"
	"    With --portal URL the gateway joins the portal at URL (the site's\n"
	"    gateway token authenticates it) over one WebSocket\n"
	"    (URL/gateway/websocket, TLS) and tells it its public key and\n"
	"    listen port (those of IFACE, from CONFIG) and its endpoints. The\n"
	"    portal answers with an init: the tunnel addresses of this gateway,\n"
	"    which are added to IFACE (IPv4 as a /11 and IPv6 as a /107, so the\n"
	"    tunnel ranges route into IFACE), and every authorization it holds\n"
	"    (a client, its preshared key and tunnel addresses, a resource and\n"
	"    an expiry). fz.ko is then brought to exactly that, as at start with\n"
	"    a file: clients, resources and DNS maps the portal does not list\n"
	"    are removed; nothing stale survives a reconnection. Until the first\n"
	"    init the gateway clients fz.ko already holds (an earlier agent's)\n"
	"    are kept.\n"
	"\n"
	"    After that the portal pushes single changes: a new authorization\n"
	"    (applied, then acknowledged with authorization_created), a revoked\n"
	"    one (reject_access), new filters of a resource (set again for each\n"
	"    client holding it), and disconnect, on which every client is told\n"
	"    Goodbye and removed and the agent exits with status 1. A message\n"
	"    that does not check out (a bad key, an address outside the tunnel\n"
	"    ranges, a tunnel address or id of another client, a resource\n"
	"    address its type refuses, filters fz.ko would refuse, an expiry\n"
	"    out of range) is logged and changes nothing: an init holding one\n"
	"    such authorization is refused whole, the state before it kept.\n"
	"    A client fz.ko itself refuses is logged and keeps no other client\n"
	"    out. Resource names are labels for the log: characters other than\n"
	"    A-Z a-z 0-9 . _ - show as '_', and a name ends at 63 characters.\n"
	"\n"
	"    When the portal cannot be reached, or the connection drops, the\n"
	"    agent dials again (backing off up to 30 seconds) and keeps every\n"
	"    client meanwhile: fz.ko ends each authorization at its expiry by\n"
	"    itself. A token the portal refuses ends the agent (status 1).\n"
	"    `fzagent authorize` and `fzagent revoke` are refused in this mode:\n"
	"    the portal decides.\n"
	"\n"
	"    The token is never an argument (other users can read a command\n"
	"    line). It is taken from, in this order: the environment variable\n"
	"    FZ_TOKEN (removed from the environment once read); the file\n"
	"    --token-file; the file fz-token in $CREDENTIALS_DIRECTORY (as\n"
	"    systemd's LoadCredential=fz-token:/path provides it); the file\n"
	"    $FZ_TOKEN_FILE; /var/lib/fz/token. A token file must belong to the\n"
	"    user running the agent and give group and others no access (chmod\n"
	"    600), and hold the token and one newline.\n"
	"\n"
	"AUTHORIZATIONS FILE\n"
	"    [Resource]\n"
	"    Name = gitlab                  # unique, A-Z a-z 0-9 . _ -\n"
	"    ID = 0b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c11   # unique UUID\n"
	"    Type = dns                     # dns, cidr or ip\n"
	"    Address = gitlab.company.test  # dns: name, *.x or **.x;\n"
	"                                   # cidr: 10.0.0.0/24; ip: 10.0.0.5\n"
	"    Filters = tcp/443, udp/5000-5010, icmp   # optional; none = all\n"
	"\n"
	"    [Client]\n"
	"    PublicKey = <base64>           # unique\n"
	"    PresharedKey = <base64>        # optional; the file must be 0600\n"
	"    TunnelIPs = 100.64.0.2, fd00:2021:1111::2\n"
	"    Authorize = gitlab until 2026-11-22T10:00:00Z\n"
	"    Authorize = 0b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c11 for 3600\n"
	"\n"
	"    Keys are case-insensitive, '#' starts a comment. Authorize is\n"
	"    repeatable and names a resource by Name or ID; without \"until\"\n"
	"    or \"for\" it never expires, and fz.ko enforces an expiry by\n"
	"    itself. \"for\" counts from when the file is read (at start and\n"
	"    on each SIGHUP). An expiry is a point in UTC; the agent hands it\n"
	"    to fz.ko as a deadline in CLOCK_BOOTTIME, which setting the clock\n"
	"    does not move and which counts time asleep, so the grant lasts as\n"
	"    long as it said when it was read. The latest is\n"
	"    2262-04-11T23:47:16Z (fz.ko's 64-bit nanoseconds); anything later\n"
	"    is an error. \"tcp\" or \"udp\" alone in Filters is every port.\n"
	"    Any error is reported as FILE:LINE and nothing is started.\n"
	"\n"
	"OPTIONS\n"
	"    CONFIG\n"
	"        The configuration file, as for `fzagent up`.\n"
	"\n"
	"    -i IFACE, --interface IFACE\n"
	"        Configure IFACE instead of the name CONFIG gives.\n"
	"\n"
	"    -a AUTHORIZATIONS, --authorizations AUTHORIZATIONS\n"
	"        The clients and resources, from a file. Not with --portal.\n"
	"\n"
	"    --portal URL\n"
	"        The portal, as https://HOST[:PORT][/PREFIX] (http only to a\n"
	"        loopback address, for tests). Not with -a.\n"
	"\n"
	"    --token-file FILE\n"
	"        The gateway token's file (see THE PORTAL for the order in\n"
	"        which a token is looked for). With --portal only.\n"
	"\n"
	"    --ca-file FILE\n"
	"        Trust the certificates in FILE (PEM) for the portal instead of\n"
	"        the system's store. With --portal only.\n"
	"\n"
	"    --endpoint IP:PORT\n"
	"        An address and port clients reach this gateway at, as\n"
	"        192.0.2.1:51820 or [2001:db8::1]:51820; repeatable, at most 8.\n"
	"        Without it the portal is told the addresses of the\n"
	"        interfaces the default routes leave through (IPv6 link-local\n"
	"        left out), with IFACE's listen port. With --portal only.\n"
	"\n"
	"    --health ADDR:PORT\n"
	"        Serve plain HTTP on ADDR:PORT (such as 127.0.0.1:9090):\n"
	"        GET /healthz answers 200 \"ok\" while the agent runs; GET\n"
	"        /readyz answers 200 once the gateway has joined the portal,\n"
	"        applied its init and IFACE is up, else 503; anything else\n"
	"        404. No TLS and no authentication: bind it to an address only\n"
	"        the supervisor reaches. With --portal only.\n"
	"\n"
	"    -h, --help\n"
	"        Print this help to standard output and exit.\n"
	"\n"
	"SIGNALS\n"
	"    SIGTERM, SIGINT\n"
	"        Say Goodbye to the clients, remove the nftables table,\n"
	"        restore forwarding and stop. Peers and sessions stay in the\n"
	"        kernel, as with `fzagent up`.\n"
	"    SIGHUP\n"
	"        Read CONFIG and AUTHORIZATIONS again. An error in either\n"
	"        changes nothing; else the clients, resources and maps are\n"
	"        reconciled with fz.ko as at start, then CONFIG is applied as\n"
	"        `fzagent up` does. With --portal, CONFIG is read again and\n"
	"        the portal's authorizations are applied again; a new private\n"
	"        key or listen port makes the agent join the portal again.\n"
	"\n"
	"LOGGING\n"
	"    As `fzagent up`, and one line per authorization, revocation,\n"
	"    AssignedIps, resolution and mapping (\"client KEY: NAME resolved\n"
	"    to ...\"), dropped control packet (\"dropped control packet from\n"
	"    KEY: bad JSON (3 dropped)\"; after ten of a kind only at powers\n"
	"    of two) and denied flow (\"denied flow: client KEY tcp\n"
	"    100.64.0.2:40000 -> 10.0.0.5:22: not authorized\"); and one per\n"
	"    client, resource or set of DNS maps removed from fz.ko because\n"
	"    the file does not have it (\"removed resource jenkins of client\n"
	"    KEY from fz.ko: not in the authorizations file\"). With --portal,\n"
	"    one line per connection change and per message refused\n"
	"    (\"portal: authorization ID refused: ...\"), and the reason of an\n"
	"    exit (\"exiting: the portal disconnected this gateway (...)\").\n"
	"\n"
	"EXAMPLES\n"
	"    fzagent gateway /etc/fz/fz0.conf -a /etc/fz/fz0.auth\n"
	"    FZ_TOKEN_FILE=/etc/fz/gw.token fzagent gateway /etc/fz/fz0.conf \\\n"
	"        --portal https://portal.example.com --health 127.0.0.1:9090\n"
	"    fzagent authorize fz0 \"$CLIENT_KEY\" gitlab expires +3600\n"
	"\n"
	"EXIT STATUS\n"
	"    0 when stopped by a signal or by `fzagent down`; 1 on any error,\n"
	"    including an error in either file, a token the portal refuses and\n"
	"    the portal's disconnect.\n";

static int load_auth(const char *path, struct proto_auth *auth)
{
	char err[512];

	if (!path) {
		memset(auth, 0, sizeof(*auth));
		return 0;
	}
	if (proto_auth_parse_file(path, fz_clock_real_ns(), auth, err,
				  sizeof(err))) {
		fz_cli_error("gateway", "%s", err);
		return -EINVAL;
	}
	return 0;
}

/* A key must be a [Peer] or a [Client], not both. */
static int check_overlap(const struct cmd_up_opts *o, const struct conf *cfg,
			 const struct proto_auth *auth)
{
	char b64[FZ_KEY_B64_LEN + 1];

	for (size_t i = 0; i < cfg->n_peers; i++) {
		const struct proto_auth_client *c =
			proto_auth_find_client(auth, cfg->peers[i].public_key);

		if (!c)
			continue;
		fz_key_to_base64(b64, c->public_key);
		fz_cli_error("gateway",
			     "%s:%u: peer %s is also a [Client] at %s:%u; a "
			     "client belongs in the authorizations file only",
			     o->config, cfg->peers[i].line, b64, o->auth,
			     c->line);
		return -EINVAL;
	}
	return 0;
}

static const struct gateway_flag {
	const char *shrt, *lng, *what;
	size_t off;
} gateway_flags[] = {
	{ "-i", "--interface", "IFACE",
	  offsetof(struct cmd_gateway_opts, up.ifname) },
	{ "-a", "--authorizations", "AUTHORIZATIONS",
	  offsetof(struct cmd_gateway_opts, up.auth) },
	{ NULL, "--portal", "URL", offsetof(struct cmd_gateway_opts, portal) },
	{ NULL, "--token-file", "FILE",
	  offsetof(struct cmd_gateway_opts, token_file) },
	{ NULL, "--ca-file", "FILE",
	  offsetof(struct cmd_gateway_opts, ca_file) },
	{ NULL, "--health", "ADDR:PORT",
	  offsetof(struct cmd_gateway_opts, health) },
	{ NULL, "--endpoint", "IP:PORT", SIZE_MAX }, /* repeatable */
};

static const struct gateway_flag *find_flag(const char *arg)
{
	for (size_t i = 0; i < sizeof(gateway_flags) / sizeof(*gateway_flags);
	     i++)
		if ((gateway_flags[i].shrt &&
		     !strcmp(arg, gateway_flags[i].shrt)) ||
		    !strcmp(arg, gateway_flags[i].lng))
			return &gateway_flags[i];
	return NULL;
}

static int add_endpoint(struct cmd_gateway_opts *o, const char *value)
{
	if (o->n_endpoints == DAEMON_PORTAL_MAX_ENDPOINTS)
		return fz_cli_usage_error("gateway",
					  "more than %d --endpoint flags",
					  DAEMON_PORTAL_MAX_ENDPOINTS);
	o->endpoints[o->n_endpoints++] = value;
	return 0;
}

/* Flags of the portal mode without --portal, and -a with it. */
static int check_modes(const struct cmd_gateway_opts *o)
{
	const char *stray = o->token_file  ? "--token-file" :
			    o->ca_file	   ? "--ca-file" :
			    o->health	   ? "--health" :
			    o->n_endpoints ? "--endpoint" :
					     NULL;

	if (o->portal && o->up.auth)
		return fz_cli_usage_error(
			"gateway",
			"-a and --portal exclude each other: the "
			"authorizations come from a file or from the portal");
	if (!o->portal && stray)
		return fz_cli_usage_error("gateway", "%s needs --portal",
					  stray);
	if (!o->up.config)
		return fz_cli_usage_error("gateway", "missing CONFIG");
	return 0;
}

static int set_flag(struct cmd_gateway_opts *o, const struct gateway_flag *f,
		    const char *arg, const char *value)
{
	const char **slot = (const char **)((char *)o + f->off);

	if (f->off == SIZE_MAX)
		return add_endpoint(o, value);
	if (*slot)
		return fz_cli_usage_error("gateway", "%s given twice", arg);
	*slot = value;
	return 0;
}

static int parse_args(int argc, char *argv[], struct cmd_gateway_opts *o)
{
	bool options_done = false;
	int ret = 0;

	memset(o, 0, sizeof(*o));
	for (int i = 1; i < argc && !ret; i++) {
		const char *arg = argv[i];
		const struct gateway_flag *f = options_done ? NULL :
							      find_flag(arg);

		if (!options_done && !strcmp(arg, "--")) {
			options_done = true;
		} else if (f) {
			if (++i == argc)
				return fz_cli_usage_error(
					"gateway", "%s needs %s", arg, f->what);
			ret = set_flag(o, f, arg, argv[i]);
		} else if (!options_done && arg[0] == '-' && arg[1]) {
			return fz_cli_usage_error("gateway",
						  "unknown option '%s'", arg);
		} else if (o->up.config) {
			return fz_cli_usage_error(
				"gateway", "unexpected argument '%s'", arg);
		} else {
			o->up.config = arg;
		}
	}
	return ret ? ret : check_modes(o);
}

int cmd_gateway_main(int argc, char *argv[])
{
	struct cmd_gateway_opts opts;
	char ifname[IFNAMSIZ];
	struct conf cfg;
	struct proto_auth auth;
	int ret;

	if (fz_cli_wants_help(argc, argv))
		return fz_cli_print_usage(gateway_usage);
	ret = parse_args(argc, argv, &opts);
	if (!ret)
		ret = cmd_up_choose_ifname("gateway", &opts.up, ifname);
	if (ret)
		return ret;
	if (opts.portal)
		return cmd_gateway_portal(&opts, ifname);
	if (load_auth(opts.up.auth, &auth))
		return FZ_CLI_EXIT_FAILURE;
	if (cmd_up_load_config("gateway", opts.up.config, &cfg)) {
		proto_auth_free(&auth);
		return FZ_CLI_EXIT_FAILURE;
	}
	if (check_overlap(&opts.up, &cfg, &auth)) {
		conf_free(&cfg);
		proto_auth_free(&auth);
		return FZ_CLI_EXIT_FAILURE;
	}
	return daemon_gateway(ifname, opts.up.config, &cfg, &auth,
			      opts.up.auth);
}
