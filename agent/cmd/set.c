// SPDX-License-Identifier: GPL-2.0
/*
 * fzagent set: change an interface with the words of `wg set`, through
 * its agent when one runs, else directly in the kernel for everything
 * that needs no static key.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "conf/config.h"
#include "ctl/ctl.h"
#include "daemon/apply.h"
#include "fzk/device.h"
#include "fzk/link.h"
#include "fzk/nl.h"
#include "lib/keys.h"

static const char set_usage[] =
	"NAME\n"
	"    fzagent set - change the configuration of an fz interface\n"
	"\n"
	"SYNOPSIS\n"
	"    fzagent set IFACE [listen-port PORT] [fwmark MARK|off]\n"
	"                [private-key FILE]\n"
	"                [peer KEY [remove] [update-only] [preshared-key FILE]\n"
	"                          [endpoint HOST:PORT]\n"
	"                          [persistent-keepalive SECONDS|off]\n"
	"                          [allowed-ips IP[/CIDR][,...]]]...\n"
	"    fzagent set -h | --help\n"
	"\n"
	"DESCRIPTION\n"
	"    Changes IFACE with the words of `wg set`. All words are checked\n"
	"    first, key files read and host names resolved here; with any\n"
	"    error nothing is changed. Changes then apply in order and stop\n"
	"    at the first the kernel refuses, as with wg(8).\n"
	"\n"
	"    When IFACE's agent runs (`fzagent up`), the words go to it over\n"
	"    its control socket and it applies them: a new private key becomes\n"
	"    its identity (and the interface's public key, and every peer with\n"
	"    an endpoint gets a new handshake), preshared keys go to its\n"
	"    handshake state, everything else to the kernel; a removed peer's\n"
	"    handshake state is wiped.\n"
	"\n"
	"    When no agent runs, everything that needs no secret is applied to\n"
	"    the kernel directly; private-key and preshared-key are refused,\n"
	"    since static keys never enter the kernel.\n"
	"\n"
	"    A gateway's clients (`fzagent gateway`) are not set's: their\n"
	"    agent refuses any word for them (change the authorizations file\n"
	"    and send SIGHUP, or use `fzagent authorize` and `fzagent\n"
	"    revoke`), and without an agent only \"remove\" may touch a peer\n"
	"    that fz.ko holds as a gateway client.\n"
	"\n"
	"OPTIONS\n"
	"    IFACE\n"
	"        The fz interface, e.g. fz0.\n"
	"    listen-port PORT\n"
	"        The UDP port to listen on; 0 picks one.\n"
	"    fwmark MARK|off\n"
	"        The mark of outgoing packets, decimal or 0x hexadecimal.\n"
	"    private-key FILE\n"
	"        A file holding the base64 private key (not readable by\n"
	"        others); needs a running agent, which cannot do without\n"
	"        one: /dev/null (no key) is refused.\n"
	"    peer KEY\n"
	"        The peer (base64 public key) the following words are for; it\n"
	"        is added if new.\n"
	"    remove\n"
	"        Remove the peer. Removing a missing peer is not an error.\n"
	"    update-only\n"
	"        Change the peer only if it exists.\n"
	"    preshared-key FILE\n"
	"        A file with the base64 preshared key, or /dev/null for none;\n"
	"        needs a running agent.\n"
	"    endpoint HOST:PORT\n"
	"        Where to send to, e.g. 192.0.2.1:51820 or [2001:db8::1]:51820.\n"
	"    persistent-keepalive SECONDS|off\n"
	"        Send a keepalive this often, to keep NAT mappings open.\n"
	"    allowed-ips IP[/CIDR][,...]\n"
	"        Replace the peer's allowed IPs; \"\" removes them all.\n"
	"    -h, --help\n"
	"        Print this help to standard output and exit.\n"
	"\n"
	"EXAMPLES\n"
	"    fzagent set fz0 listen-port 51820\n"
	"    fzagent set fz0 peer hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo= \\\n"
	"        endpoint 192.0.2.1:51820 allowed-ips 10.0.0.2/32,fd00::2\n"
	"    fzagent set fz0 private-key /etc/fz/fz0.key\n"
	"    fzagent set fz0 peer hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo= "
	"remove\n"
	"\n"
	"EXIT STATUS\n"
	"    0 on success; 1 on any error, with the agent's or the kernel's\n"
	"    message.\n";

static int via_agent(int fd, const char *ifname, const struct conf *cfg)
{
	char msg[CTL_MAX_MESSAGE + 1];
	struct ctl_words words;
	int ret;

	ret = ctl_words_from_config(cfg, &words);
	if (ret)
		ret = ctl_client_result("set", ifname, ret, 0, "");
	else
		ret = ctl_client_call("set", ifname, fd, &words, msg,
				      sizeof(msg));
	ctl_words_free_all(&words);
	if (ret)
		return FZ_CLI_EXIT_FAILURE;
	if (*msg)
		puts(msg);
	return FZ_CLI_EXIT_OK;
}

static bool needs_agent(const struct conf *cfg)
{
	if (cfg->has_private_key)
		return true;
	for (size_t i = 0; i < cfg->n_peers; i++)
		if (cfg->peers[i].has_preshared_key)
			return true;
	return false;
}

/*
 * Without its agent, a gateway client's peer is still default deny in
 * fz.ko; new allowed IPs would let it send from addresses that are not
 * its own. Removing it is all `set` may do to it here.
 */
static int check_no_client(struct fzk_nl *nl, const char *ifname,
			   const struct conf *cfg)
{
	struct fzk_device_view dev;
	struct fzk_nl_msgs msgs;
	char b64[FZ_KEY_B64_LEN + 1];
	int ret;

	fzk_device_view_init(&dev);
	ret = fzk_nl_dump_device(nl, ifname, &msgs);
	if (!ret) {
		for (size_t i = 0; !ret && i < msgs.n; i++)
			ret = fzk_device_view_parse_msg(&dev, msgs.msgs[i]);
		fzk_nl_msgs_free(&msgs);
	}
	for (size_t i = 0; !ret && i < cfg->n_peers; i++) {
		const struct conf_peer *p = &cfg->peers[i];

		for (size_t k = 0; !ret && !p->remove && k < dev.n_peers; k++)
			if (!memcmp(dev.peers[k].public_key, p->public_key,
				    FZ_KEY_LEN) &&
			    (dev.peers[k].flags & FZ_PEER_F_GATEWAY_CLIENT))
				ret = -EPERM;
		if (ret == -EPERM) {
			fz_key_to_base64(b64, p->public_key);
			fz_cli_error("set",
				     "%s: peer %s is a gateway client; only "
				     "'remove' may change it while its gateway "
				     "agent is not running",
				     ifname, b64);
		}
	}
	if (ret && ret != -EPERM)
		fz_cli_error("set", "%s: cannot read the interface: %s", ifname,
			     strerror(-ret));
	fzk_device_view_free(&dev);
	return ret;
}

static int direct(const char *ifname, const struct conf *cfg)
{
	unsigned int ifindex = if_nametoindex(ifname);
	struct fzk_nl *nl;
	char err[512];
	int ret;

	if (needs_agent(cfg)) {
		fz_cli_error("set",
			     "%s: no agent runs for it: private-key and "
			     "preshared-key need one, since static keys never "
			     "enter the kernel (start it with 'fzagent up')",
			     ifname);
		return FZ_CLI_EXIT_FAILURE;
	}
	if (!ifindex) {
		fz_cli_error("set", "%s: no such interface", ifname);
		return FZ_CLI_EXIT_FAILURE;
	}
	if (fzk_nl_open(&nl, err, sizeof(err))) {
		fz_cli_error(NULL, "%s", err);
		return FZ_CLI_EXIT_FAILURE;
	}
	if (check_no_client(nl, ifname, cfg)) {
		fzk_nl_close(nl);
		return FZ_CLI_EXIT_FAILURE;
	}
	ret = daemon_apply_config(nl, ifindex, cfg, NULL, NULL, NULL, err,
				  sizeof(err));
	fzk_nl_close(nl);
	if (ret) {
		fz_cli_error("set", "%s: %s", ifname, err);
		return FZ_CLI_EXIT_FAILURE;
	}
	return FZ_CLI_EXIT_OK;
}

int cmd_set_main(int argc, char *argv[])
{
	struct conf cfg;
	char err[512];
	int fd, ret;

	if (fz_cli_wants_help(argc, argv))
		return fz_cli_print_usage(set_usage);
	if (argc < 2)
		return fz_cli_usage_error("set", "missing IFACE");
	if (!fzk_ifname_valid(argv[1]))
		return fz_cli_usage_error("set",
					  "'%s' is not a valid interface "
					  "name",
					  argv[1]);
	if (conf_parse_set(argc - 2, argv + 2, &cfg, err, sizeof(err))) {
		fz_cli_error("set", "%s", err);
		return FZ_CLI_EXIT_FAILURE;
	}
	fd = ctl_client_connect("set", argv[1], NULL, "nothing was sent");
	if (fd >= 0) {
		ret = via_agent(fd, argv[1], &cfg);
		close(fd);
	} else if (fd == -ECONNREFUSED) {
		ret = direct(argv[1], &cfg);
	} else {
		ret = FZ_CLI_EXIT_FAILURE;
	}
	conf_free(&cfg);
	return ret;
}
