// SPDX-License-Identifier: GPL-2.0
/*
 * fzagent gateway: `fzagent up` plus the gateway role. Both files are
 * read and checked before anything is changed.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
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
	"        The clients and resources. Without it the gateway has no\n"
	"        clients.\n"
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
	"        `fzagent up` does.\n"
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
	"    KEY from fz.ko: not in the authorizations file\").\n"
	"\n"
	"EXAMPLES\n"
	"    fzagent gateway /etc/fz/fz0.conf -a /etc/fz/fz0.auth\n"
	"    fzagent authorize fz0 \"$CLIENT_KEY\" gitlab expires +3600\n"
	"\n"
	"EXIT STATUS\n"
	"    0 when stopped by a signal or by `fzagent down`; 1 on any error,\n"
	"    including an error in either file.\n";

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

int cmd_gateway_main(int argc, char *argv[])
{
	struct cmd_up_opts opts;
	char ifname[IFNAMSIZ];
	struct conf cfg;
	struct proto_auth auth;
	int ret;

	if (fz_cli_wants_help(argc, argv))
		return fz_cli_print_usage(gateway_usage);
	ret = cmd_up_parse_args("gateway", argc, argv, true, &opts);
	if (!ret)
		ret = cmd_up_choose_ifname("gateway", &opts, ifname);
	if (ret)
		return ret;
	if (load_auth(opts.auth, &auth))
		return FZ_CLI_EXIT_FAILURE;
	if (cmd_up_load_config("gateway", opts.config, &cfg)) {
		proto_auth_free(&auth);
		return FZ_CLI_EXIT_FAILURE;
	}
	if (check_overlap(&opts, &cfg, &auth)) {
		conf_free(&cfg);
		proto_auth_free(&auth);
		return FZ_CLI_EXIT_FAILURE;
	}
	return daemon_gateway(ifname, opts.config, &cfg, &auth, opts.auth);
}
