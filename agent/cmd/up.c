// SPDX-License-Identifier: GPL-2.0
/*
 * fzagent up: bring an fz interface to a config file and run its agent.
 * Everything that can be checked without the kernel is checked before
 * anything is changed: a bad file changes nothing.
 */
#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "up.h"
#include "cmd.h"
#include "conf/config.h"
#include "daemon/daemon.h"
#include "fzk/link.h"
#include "lib/keys.h"

static const char up_usage[] =
	"NAME\n"
	"    fzagent up - configure an fz interface and run its agent\n"
	"\n"
	"SYNOPSIS\n"
	"    fzagent up CONFIG [-i IFACE]\n"
	"    fzagent up -h | --help\n"
	"\n"
	"DESCRIPTION\n"
	"    Reads CONFIG, a wg-quick(8)-style file ([Interface] PrivateKey,\n"
	"    ListenPort, FwMark, Address; [Peer] PublicKey, PresharedKey,\n"
	"    Endpoint, AllowedIPs, PersistentKeepalive), brings the interface\n"
	"    to it, and then stays in the foreground as its agent, like\n"
	"    `wireguard-go -f`. Any error in CONFIG is reported and nothing is\n"
	"    changed. CONFIG must have a PrivateKey and, if it holds keys, must\n"
	"    not be accessible by group or others.\n"
	"\n"
	"    If IFACE does not exist, it is created (`ip link add IFACE type\n"
	"    fz`), given the Address= addresses and brought up. If it exists\n"
	"    and is an fz interface, it is adopted without cutting the tunnel:\n"
	"    peers in CONFIG keep their session keys (while a peer has one, the\n"
	"    endpoint the kernel learned from it is kept too), peers not in\n"
	"    CONFIG are removed, and the device settings are updated; its\n"
	"    addresses and link state are left alone. If IFACE exists and is\n"
	"    not an fz interface, that is an error.\n"
	"\n"
	"    The agent runs the WireGuard handshake (Noise_IKpsk2) for fz.ko:\n"
	"    the private key and preshared keys stay in this process, which\n"
	"    installs only session keys in the kernel. It initiates a handshake\n"
	"    when the kernel asks for one, when a peer goes quiet, and at start\n"
	"    for peers with an Endpoint and PersistentKeepalive; it retries\n"
	"    every 5 seconds (plus up to 1/3 s jitter) and gives up after 90\n"
	"    seconds until asked again. It answers the peers' handshakes. With\n"
	"    fz.ko's test-only parameter test_time_divisor, these timers are\n"
	"    divided the same way.\n"
	"\n"
	"    One agent runs per interface and network namespace; it listens on\n"
	"    the unix socket /run/fzagent/IFACE@NETNS.sock (NETNS: the\n"
	"    namespace's inode, as `lsns -t net` shows it), which `fzagent set`\n"
	"    and `fzagent down` use, in a directory only root may enter, and\n"
	"    holds IFACE@NETNS.lock while it runs. FZAGENT_RUN_DIR names\n"
	"    another directory, for the agent and the commands alike. An\n"
	"    agent of an earlier fzagent, on the abstract socket\n"
	"    @fzagent/IFACE, is found too: stop it before starting this one.\n"
	"    A starting agent removes the files that killed agents left\n"
	"    there (those whose lock no process holds). An agent that is\n"
	"    stopping holds the lock until it has undone its work; one that\n"
	"    starts meanwhile waits for it (up to 10 seconds).\n"
	"\n"
	"OPTIONS\n"
	"    CONFIG\n"
	"        The configuration file. The interface is named after it, as\n"
	"        wg-quick does: /etc/fz/fz0.conf configures fz0.\n"
	"\n"
	"    -i IFACE, --interface IFACE\n"
	"        Configure IFACE instead: 1 to 15 characters of A-Z a-z 0-9\n"
	"        _ = + . -\n"
	"\n"
	"    -h, --help\n"
	"        Print this help to standard output and exit.\n"
	"\n"
	"SIGNALS\n"
	"    SIGTERM, SIGINT\n"
	"        Stop the agent, wiping the private key and every handshake\n"
	"        state. The interface, its peers and its session keys stay in\n"
	"        the kernel, so traffic keeps flowing; start the agent again\n"
	"        (it adopts the interface) before the next rekey is due.\n"
	"    SIGHUP\n"
	"        Read CONFIG again and apply it as at start. A file with an\n"
	"        error changes nothing.\n"
	"\n"
	"LOGGING\n"
	"    One line per event on standard error, as \"fzagent: IFACE: ...\",\n"
	"    naming peers by the first 8 characters of their public key:\n"
	"    handshake initiated, retrying, giving up, response sent,\n"
	"    completed (initiator or responder), cookie received, and invalid\n"
	"    handshakes (at most one line per second).\n"
	"\n"
	"EXAMPLES\n"
	"    fzagent up /etc/fz/fz0.conf\n"
	"    fzagent up ./office.conf -i fz1 &\n"
	"    kill -HUP \"$(pgrep -f 'fzagent up /etc/fz/fz0.conf')\"\n"
	"\n"
	"EXIT STATUS\n"
	"    0 when stopped by a signal or by `fzagent down`; 1 on any error,\n"
	"    including an error in CONFIG and the interface's disappearance.\n";

static bool is_option(const char *arg, const char *shrt, const char *lng)
{
	return !strcmp(arg, shrt) || !strcmp(arg, lng);
}

int cmd_up_parse_args(const char *cmd, int argc, char *argv[], bool with_auth,
		      struct cmd_up_opts *o)
{
	bool options_done = false;

	memset(o, 0, sizeof(*o));
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char **value = NULL;

		if (!options_done && !strcmp(arg, "--")) {
			options_done = true;
			continue;
		}
		if (!options_done && is_option(arg, "-i", "--interface"))
			value = &o->ifname;
		else if (!options_done && with_auth &&
			 is_option(arg, "-a", "--authorizations"))
			value = &o->auth;
		if (value) {
			if (++i == argc)
				return fz_cli_usage_error(
					cmd, "%s needs %s", arg,
					value == &o->ifname ? "IFACE" :
							      "AUTHORIZATIONS");
			*value = argv[i];
		} else if (!options_done && arg[0] == '-' && arg[1]) {
			return fz_cli_usage_error(cmd, "unknown option '%s'",
						  arg);
		} else if (o->config) {
			return fz_cli_usage_error(
				cmd, "unexpected argument '%s'", arg);
		} else {
			o->config = arg;
		}
	}
	if (!o->config)
		return fz_cli_usage_error(cmd, "missing CONFIG");
	return 0;
}

int cmd_up_choose_ifname(const char *cmd, const struct cmd_up_opts *o,
			 char out[IFNAMSIZ])
{
	if (o->ifname) {
		if (!fzk_ifname_valid(o->ifname))
			return fz_cli_usage_error(
				cmd,
				"'%s' is not a valid interface "
				"name",
				o->ifname);
		strcpy(out, o->ifname);
		return 0;
	}
	if (fzk_ifname_from_config_path(o->config, out))
		return fz_cli_usage_error(
			cmd,
			"%s: the file name does not make a valid "
			"interface name; name one with -i IFACE",
			o->config);
	return 0;
}

/* What fz.ko would refuse half way through is refused here, up front. */
static int check_config(const char *cmd, const char *path,
			const struct conf *cfg)
{
	uint8_t pub[FZ_KEY_LEN];
	char b64[FZ_KEY_B64_LEN + 1];

	if (!cfg->has_private_key ||
	    sodium_is_zero(cfg->private_key, FZ_KEY_LEN) ||
	    fz_key_public_from_private(pub, cfg->private_key)) {
		fz_cli_error(
			cmd,
			"%s: [Interface] needs a PrivateKey: the agent runs "
			"the handshakes",
			path);
		return -EINVAL;
	}
	for (size_t i = 0; i < cfg->n_peers; i++) {
		if (memcmp(cfg->peers[i].public_key, pub, FZ_KEY_LEN))
			continue;
		fz_key_to_base64(b64, pub);
		fz_cli_error(cmd,
			     "%s:%u: peer '%s' is this interface's own key",
			     path, cfg->peers[i].line, b64);
		return -EINVAL;
	}
	return 0;
}

int cmd_up_load_config(const char *cmd, const char *path, struct conf *cfg)
{
	char err[512];

	if (conf_parse_file(path, cfg, err, sizeof(err))) {
		fz_cli_error(cmd, "%s", err);
		return -EINVAL;
	}
	if (check_config(cmd, path, cfg)) {
		conf_free(cfg);
		return -EINVAL;
	}
	return 0;
}

int cmd_up_main(int argc, char *argv[])
{
	struct cmd_up_opts opts;
	char ifname[IFNAMSIZ];
	struct conf cfg;
	int ret;

	if (fz_cli_wants_help(argc, argv))
		return fz_cli_print_usage(up_usage);
	ret = cmd_up_parse_args("up", argc, argv, false, &opts);
	if (!ret)
		ret = cmd_up_choose_ifname("up", &opts, ifname);
	if (ret)
		return ret;
	if (cmd_up_load_config("up", opts.config, &cfg))
		return FZ_CLI_EXIT_FAILURE;
	return daemon_up(ifname, opts.config, &cfg);
}
