// SPDX-License-Identifier: GPL-2.0
/*
 * fzagent client: the client role on the portal. Every flag, the key
 * file and the token are checked before anything is changed; the token
 * never comes from the command line (any user may read another's argv).
 */
#define _GNU_SOURCE /* mkostemp */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cmd.h"
#include "client/resources.h"
#include "client/sysdns.h"
#include "conf/config.h"
#include "daemon/daemon.h"
#include "fzk/link.h"
#include "lib/files.h"
#include "lib/keys.h"
#include "lib/portalurl.h"
#include "lib/tokenfile.h"
#include "lib/values.h"

#define DEFAULT_IFACE "fz0"
#define DEFAULT_KEY_FILE "/var/lib/fz/client.key"

static const char client_usage[] =
	"NAME\n"
	"    fzagent client - run this host as a client of the fz portal\n"
	"\n"
	"SYNOPSIS\n"
	"    fzagent client --portal URL [-i IFACE] [--key-file FILE]\n"
	"                   [--listen-port PORT] [--token-file FILE]\n"
	"                   [--ca-file FILE] [--gateway-timeout SECONDS]\n"
	"                   [--dns-control resolv-conf|systemd-resolved|none]\n"
	"    fzagent client -h | --help\n"
	"\n"
	"DESCRIPTION\n"
	"    Joins the portal at URL as a client (one WebSocket,\n"
	"    URL/client/websocket, TLS; plain http only to a loopback\n"
	"    address) and gives this host the resources the portal lists for\n"
	"    its user, each through a gateway of the resource's site, asked\n"
	"    for when the first packet needs it. The agent runs in the\n"
	"    foreground until stopped.\n"
	"\n"
	"    The interface IFACE (default fz0) is created at start with the\n"
	"    private key of FILE (--key-file, default " DEFAULT_KEY_FILE ";\n"
	"    made, mode 0600, on first start) and listen port PORT (default:\n"
	"    one the kernel picks). The portal's init gives it its tunnel\n"
	"    addresses (an IPv4 /32 and an IPv6 /128) and the resources; routes\n"
	"    through IFACE are added for each CIDR and IP resource and for the\n"
	"    mapped ranges 100.96.0.0/11 and fd00:2021:1111:8000::/107. On exit\n"
	"    (SIGTERM, SIGINT) IFACE is deleted with its routes and addresses\n"
	"    and the system's DNS is put back; exit status 0.\n"
	"\n"
	"    Packets for a resource that has no gateway yet are held by fz.ko\n"
	"    (at most 16 per destination, 10 seconds) while the portal is\n"
	"    asked (request_authorization). When it answers, the gateway\n"
	"    becomes a peer of IFACE (its preshared key, its first endpoint,\n"
	"    keepalive 25 s) whose allowed IPs are its tunnel addresses and the\n"
	"    addresses of every resource it serves, and the held packets go\n"
	"    through it; resources of one site share the gateway that serves\n"
	"    it. When the portal refuses (no policy, no gateway online), the\n"
	"    reason is logged, the held packets are answered with ICMP\n"
	"    administratively prohibited, and for 5 seconds the resource's\n"
	"    packets are refused without asking again. Packets for addresses\n"
	"    of no resource are refused the same way. An authorization ends at\n"
	"    its expiry. A gateway serving nothing is removed.\n"
	"\n"
	"FAILOVER\n"
	"    A gateway that stops cleanly says Goodbye. --gateway-timeout\n"
	"    SECONDS (default 10, the seeds' promise) bounds how long a dead\n"
	"    gateway's resources take to move: one that has sent nothing\n"
	"    authenticated back for SECONDS less 1 while this client sent it\n"
	"    data, or answered no handshake that long, is taken as dead (the\n"
	"    second left is for asking the portal and the new handshake;\n"
	"    `fzagent show` lists it as the gateway's quiet timeout). Either way\n"
	"    the client removes it and at once asks the portal again for each\n"
	"    resource it served, naming it as failed (for 5 seconds after a\n"
	"    Goodbye, 60 after a timeout), so the portal picks another gateway\n"
	"    of the site when it has one. Packets meanwhile are held as for a\n"
	"    first packet. With the portal unreachable there is no one to\n"
	"    ask: the log says so, and the next packet asks again.\n"
	"\n"
	"DNS\n"
	"    A DNS stub listens (UDP and TCP, port 53) on the sentinels\n"
	"    100.100.111.1.. and fd00:2021:1111:8000:100:100:111:0.., one of\n"
	"    each family per upstream resolver (at most 4), added to IFACE.\n"
	"    A and AAAA questions for a name of a DNS resource (exact, \"*.x\"\n"
	"    one label, \"**.x\" any number) are answered with 4 IPv4 and 4\n"
	"    IPv6 mapped addresses, stable while the agent runs; the gateway\n"
	"    is told them (p2p AssignedIps, sent again every 2 seconds until\n"
	"    its DomainStatus, and on each new question for the name) and\n"
	"    maps them onto the name's real addresses; packets for them wait\n"
	"    until it has. Everything else goes to the upstream resolvers:\n"
	"    those of the portal's init, else the \"nameserver\" lines\n"
	"    /etc/resolv.conf had at start (with systemd-resolved, those of\n"
	"    /run/systemd/resolve/resolv.conf: resolved itself will ask the\n"
	"    stub).\n"
	"\n"
	"    A DNS resource keeps the 16 names used last, as its gateway\n"
	"    does: a new name takes the place of the one least lately asked\n"
	"    (a question, a held packet) or confirmed by the gateway. That\n"
	"    name's held packets are refused and its addresses no longer\n"
	"    routed until it is asked again (it keeps them). A gateway takes\n"
	"    at most 64 allowed IPs (8 per name): past that, the names used\n"
	"    least lately wait for their next packet, which routes them in\n"
	"    place of others.\n"
	"\n"
	"    The stub answers this host's programs only. A query that comes\n"
	"    in on any device but loopback gets nothing: a host of the LAN\n"
	"    that routes the sentinels through this one (Linux takes packets\n"
	"    for its addresses on every interface), or a container in a\n"
	"    network namespace of its own. Such UDP queries are logged, the\n"
	"    first ten, then at powers of two.\n"
	"\n"
	"    --dns-control says how the system is pointed at the stub:\n"
	"      resolv-conf       /etc/resolv.conf is replaced by nameserver\n"
	"                        lines for the sentinels; the original is saved\n"
	"                        to /var/lib/fz/resolv.conf.orig first and put\n"
	"                        back byte for byte on exit, or at the next\n"
	"                        start after a crash.\n"
	"      systemd-resolved  IFACE gets the sentinels as DNS servers and\n"
	"                        the routing domain \"~.\" (resolvectl);\n"
	"                        reverted on exit.\n"
	"      none              (the default) nothing is changed; ask the\n"
	"                        sentinels yourself.\n"
	"    Even with none, a resolv.conf a crashed run of resolv-conf left\n"
	"    is restored at start.\n"
	"\n"
	"THE PORTAL\n"
	"    The token is the one `fzagent sign-in` stores, or a service\n"
	"    account's; it is never an argument. It is taken from the\n"
	"    environment variable FZ_TOKEN (removed from the environment once\n"
	"    read), else the file --token-file, else $FZ_TOKEN_FILE, else\n"
	"    /var/lib/fz/token (mode 0600, owned by the user running the\n"
	"    agent). The join tells the portal IFACE's public key.\n"
	"\n"
	"    While the portal cannot be reached the agent dials again\n"
	"    (backing off up to 30 seconds) and keeps every gateway until its\n"
	"    expiry. After a reconnection the portal's init is the truth:\n"
	"    resources it no longer lists go with their routes and gateways;\n"
	"    the others keep theirs. Resources, authorizations and deletions\n"
	"    the portal pushes are applied as they come; a message that does\n"
	"    not check out (a bad address, an unknown or repeated id, a\n"
	"    gateway address outside the tunnel ranges) is logged and changes\n"
	"    nothing. When the portal disconnects the client (its token was\n"
	"    deleted or expired) or refuses its token, everything is torn\n"
	"    down, \"signed out: sign in again\" is logged, and the exit\n"
	"    status is 1.\n"
	"\n"
	"    `fzagent show IFACE` lists each resource with its state (not\n"
	"    connected, connecting, connected via which gateway and until\n"
	"    when) and each DNS name asked with its mapped IPs; with --json\n"
	"    the same as JSON.\n"
	"\n"
	"OPTIONS\n"
	"    --portal URL         the portal, https://HOST[:PORT][/PREFIX]\n"
	"    -i, --interface IFACE  the interface (default " DEFAULT_IFACE ")\n"
	"    --key-file FILE      the private key, base64 as `fzagent genkey`\n"
	"                         writes it (default " DEFAULT_KEY_FILE ")\n"
	"    --listen-port PORT   the UDP port (default: the kernel picks)\n"
	"    --token-file FILE    where the token is, if not $FZ_TOKEN\n"
	"    --ca-file FILE       CA certificates for the portal's TLS\n"
	"                         (default: the system's)\n"
	"    --dns-control MODE   resolv-conf, systemd-resolved or none\n"
	"                         (default none)\n"
	"    --gateway-timeout SECONDS\n"
	"                         a dead gateway's resources move within this\n"
	"                         (2..3600, default 10)\n"
	"\n"
	"EXIT STATUS\n"
	"    0 when stopped by SIGTERM or SIGINT; 1 on errors (usage errors\n"
	"    included) and when signed out.\n"
	"\n"
	"SEE ALSO\n"
	"    fzagent sign-in --help, fzagent show --help\n";

struct client_opts {
	const char *portal, *ifname, *key_file, *listen_port, *token_file,
		*ca_file, *dns_control, *gateway_timeout;
};

static const struct client_flag {
	const char *shrt, *lng;
	size_t off;
} client_flags[] = {
	{ NULL, "--portal", offsetof(struct client_opts, portal) },
	{ "-i", "--interface", offsetof(struct client_opts, ifname) },
	{ NULL, "--key-file", offsetof(struct client_opts, key_file) },
	{ NULL, "--listen-port", offsetof(struct client_opts, listen_port) },
	{ NULL, "--token-file", offsetof(struct client_opts, token_file) },
	{ NULL, "--ca-file", offsetof(struct client_opts, ca_file) },
	{ NULL, "--dns-control", offsetof(struct client_opts, dns_control) },
	{ NULL, "--gateway-timeout",
	  offsetof(struct client_opts, gateway_timeout) },
};

static int parse_flags(int argc, char *argv[], struct client_opts *o)
{
	for (int i = 1; i < argc; i++) {
		const struct client_flag *f = NULL;
		const char **slot;

		for (size_t k = 0;
		     k < sizeof(client_flags) / sizeof(*client_flags); k++)
			if ((client_flags[k].shrt &&
			     !strcmp(argv[i], client_flags[k].shrt)) ||
			    !strcmp(argv[i], client_flags[k].lng))
				f = &client_flags[k];
		if (!f)
			return fz_cli_usage_error("client", "unknown word '%s'",
						  argv[i]);
		if (i + 1 == argc)
			return fz_cli_usage_error("client", "%s needs a value",
						  f->lng);
		slot = (const char **)((char *)o + f->off);
		if (*slot)
			return fz_cli_usage_error("client", "%s given twice",
						  f->lng);
		*slot = argv[++i];
	}
	if (!o->portal)
		return fz_cli_usage_error("client", "--portal URL is required");
	return 0;
}

/* --- The key file --- */

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A new key beside path, fsync'd, renamed into place: all or nothing. */
static int create_key(const char *path, uint8_t key[FZ_KEY_LEN])
{
	char tmp[PATH_MAX], dir[PATH_MAX], b64[FZ_KEY_B64_LEN + 2];
	int fd, ret = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	snprintf(dir, sizeof(dir), "%s", path);
	if (mkdir(dirname(dir), 0700) && errno != EEXIST)
		return -errno;
	fz_key_generate_private(key);
	fz_key_to_base64(b64, key);
	strcat(b64, "\n");
	fd = mkostemp(tmp, O_CLOEXEC); /* 0600 */
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	ret = write_all(fd, b64, strlen(b64));
	if (!ret && fsync(fd))
		ret = -errno;
	close(fd);
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(tmp);
out:
	sodium_memzero(b64, sizeof(b64));
	return ret;
}

static int load_key(const char *path, uint8_t key[FZ_KEY_LEN])
{
	char *buf = NULL;
	size_t len;
	mode_t mode;
	int ret = fz_read_file(path, 4096, &buf, &len, &mode, NULL);

	if (ret == -ENOENT) {
		ret = create_key(path, key);
		if (ret)
			fz_cli_error("client",
				     "cannot create the key file %s: %s", path,
				     strerror(-ret));
		return ret;
	}
	if (ret) {
		fz_cli_error("client", "cannot read the key file %s: %s", path,
			     strerror(-ret));
		return ret;
	}
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r' ||
		       buf[len - 1] == ' '))
		len--;
	if (mode & 077)
		ret = -EPERM;
	else if (fz_key_from_base64(key, buf, len))
		ret = -EINVAL;
	fz_wipe_free(buf, len);
	if (ret == -EPERM)
		fz_cli_error("client",
			     "%s: group or others may access it (chmod 600)",
			     path);
	else if (ret)
		fz_cli_error("client", "%s: not a base64 private key", path);
	return ret;
}

/* --- Main --- */

static int check_flags(const struct client_opts *o, struct conf *cfg,
		       struct daemon_client_opts *d)
{
	enum client_sysdns_mode mode = CLIENT_SYSDNS_NONE;
	char err[256];
	uint64_t port, timeout = CLIENT_RES_GATEWAY_TIMEOUT;
	CURLU *u = fz_portal_url(o->portal, "", err, sizeof(err));

	if (!u)
		return fz_cli_usage_error("client", "--portal %s: %s",
					  o->portal, err);
	curl_url_cleanup(u);
	if (!fzk_ifname_valid(o->ifname))
		return fz_cli_usage_error("client",
					  "'%s' is not a valid interface name",
					  o->ifname);
	if (o->listen_port && fz_parse_decimal(o->listen_port, 65535, &port))
		return fz_cli_usage_error("client",
					  "--listen-port '%s': not 0..65535",
					  o->listen_port);
	if (o->gateway_timeout &&
	    (fz_parse_decimal(o->gateway_timeout, FZ_QUIET_TIMEOUT_MAX,
			      &timeout) ||
	     timeout < 2))
		return fz_cli_usage_error(
			"client", "--gateway-timeout '%s': not 2..%u seconds",
			o->gateway_timeout, FZ_QUIET_TIMEOUT_MAX);
	if (o->dns_control && client_sysdns_mode_parse(o->dns_control, &mode))
		return fz_cli_usage_error(
			"client",
			"--dns-control '%s': not resolv-conf, "
			"systemd-resolved or none",
			o->dns_control);
	if (o->ca_file && access(o->ca_file, R_OK)) {
		fz_cli_error("client", "--ca-file %s: %s", o->ca_file,
			     strerror(errno));
		return FZ_CLI_EXIT_FAILURE;
	}
	cfg->has_listen_port = true;
	cfg->listen_port = o->listen_port ? (uint16_t)port : 0;
	cfg->replace_peers = true;
	d->url = o->portal;
	d->ca_file = o->ca_file;
	d->dns_control = (int)mode;
	d->gateway_timeout = (unsigned int)timeout;
	return 0;
}

int cmd_client_main(int argc, char *argv[])
{
	struct client_opts o = { 0 };
	struct daemon_client_opts dopts = { 0 };
	char token[FZ_TOKEN_MAX_LEN + 1], err[512];
	struct conf cfg = { 0 };
	int ret;

	if (fz_cli_wants_help(argc, argv))
		return fz_cli_print_usage(client_usage);
	ret = parse_flags(argc, argv, &o);
	if (ret)
		return ret;
	if (!o.ifname)
		o.ifname = DEFAULT_IFACE;
	if (!o.key_file)
		o.key_file = DEFAULT_KEY_FILE;
	ret = check_flags(&o, &cfg, &dopts);
	if (ret)
		return ret;
	if (fz_token_load(o.token_file, token, err, sizeof(err))) {
		fz_cli_error("client", "%s", err);
		return FZ_CLI_EXIT_FAILURE;
	}
	if (load_key(o.key_file, cfg.private_key)) {
		sodium_memzero(token, sizeof(token));
		return FZ_CLI_EXIT_FAILURE;
	}
	cfg.has_private_key = true;
	/* Copied to locked memory and wiped at once; cfg is freed there. */
	ret = daemon_client(o.ifname, &cfg, &dopts, token);
	sodium_memzero(token, sizeof(token));
	return ret;
}
