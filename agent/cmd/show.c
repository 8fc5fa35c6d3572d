// SPDX-License-Identifier: GPL-2.0
/*
 * fzagent show: the configuration and state of fz interfaces, printed
 * like `wg show`, or as one JSON object per interface.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/socket.h>

#include "cmd.h"
#include "print.h"
#include "ctl/ctl.h"
#include "fzk/device.h"
#include "fzk/nl.h"
#include "lib/clock.h"

static const char show_usage[] =
	"NAME\n"
	"    fzagent show - show the configuration and state of fz interfaces\n"
	"\n"
	"SYNOPSIS\n"
	"    fzagent show [--json] [INTERFACE]\n"
	"    fzagent show -h | --help\n"
	"\n"
	"DESCRIPTION\n"
	"    Reads the configuration and counters of an fz interface from\n"
	"    fz.ko over generic netlink and prints them in the style of\n"
	"    `wg show`: the interface (public key, listen port, fwmark and\n"
	"    the non-zero drop counters), then one block per peer (endpoint,\n"
	"    allowed IPs, latest handshake, transfer, persistent keepalive,\n"
	"    the drops it was to blame for, and a gateway client's\n"
	"    resources).\n"
	"    On a client (`fzagent client`), its agent adds each resource\n"
	"    with its state (not connected, connecting, connected via which\n"
	"    gateway and until when) and each DNS name asked with its\n"
	"    mapped IPs (as \"client\" in JSON); this needs root.\n"
	"    Lines with nothing to say, such as a peer that never completed a\n"
	"    handshake, are left out.\n"
	"\n"
	"    Without INTERFACE, every link of kind \"fz\" in the current\n"
	"    network namespace is shown; when there is none, nothing is\n"
	"    printed. Reading the state needs CAP_NET_ADMIN.\n"
	"\n"
	"OPTIONS\n"
	"    INTERFACE\n"
	"        The fz interface to show, e.g. fz0. It is an error if it does\n"
	"        not exist or is not an fz interface.\n"
	"\n"
	"    --json\n"
	"        Print one JSON object per interface, one per line, with all\n"
	"        counters and times (nanoseconds since the epoch, 0 = never).\n"
	"        A peer's \"drops\" object lists only its non-zero counters,\n"
	"        named as in the interface's \"stats\".\n"
	"\n"
	"    -h, --help\n"
	"        Print this help to standard output and exit.\n"
	"\n"
	"EXAMPLES\n"
	"    fzagent show\n"
	"    fzagent show fz0\n"
	"    fzagent show --json fz0 | jq '.peers[].endpoint'\n"
	"\n"
	"EXIT STATUS\n"
	"    0 on success, 1 on error (including an INTERFACE that is not an\n"
	"    fz interface).\n";

struct show_opts {
	const char *ifname; /* NULL: every fz link */
	bool json;
};

/* Names of the links to show, read from rtnetlink. */
struct link_list {
	char (*names)[IFNAMSIZ];
	size_t n;
};

static int parse_args(int argc, char *argv[], struct show_opts *o)
{
	bool options_done = false;

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (!options_done && !strcmp(arg, "--")) {
			options_done = true;
		} else if (!options_done && !strcmp(arg, "--json")) {
			o->json = true;
		} else if (!options_done && arg[0] == '-' && arg[1]) {
			return fz_cli_usage_error("show", "unknown option '%s'",
						  arg);
		} else if (o->ifname) {
			return fz_cli_usage_error(
				"show", "unexpected argument '%s'", arg);
		} else {
			o->ifname = arg;
		}
	}
	return 0;
}

static bool is_fz_link(struct rtnl_link *link)
{
	const char *kind = rtnl_link_get_type(link);

	return kind && !strcmp(kind, FZ_LINK_KIND);
}

static int link_list_add(struct link_list *l, const char *name)
{
	char(*names)[IFNAMSIZ] = realloc(l->names, (l->n + 1) * IFNAMSIZ);

	if (!names)
		return -ENOMEM;
	l->names = names;
	snprintf(l->names[l->n++], IFNAMSIZ, "%s", name);
	return 0;
}

static int collect_fz_links(struct nl_cache *cache, const char *only,
			    struct link_list *out)
{
	struct nl_object *obj;

	for (obj = nl_cache_get_first(cache); obj;
	     obj = nl_cache_get_next(obj)) {
		struct rtnl_link *link = (struct rtnl_link *)obj;
		const char *name = rtnl_link_get_name(link);

		if (!name || !is_fz_link(link) || (only && strcmp(only, name)))
			continue;
		if (link_list_add(out, name))
			return -ENOMEM;
	}
	return 0;
}

/*
 * The fz links of this network namespace, in ifindex order, or only the
 * one called `only` if it exists and is an fz link. rtnetlink answers
 * even when fz.ko is not loaded, so listing nothing needs no module.
 */
static int list_fz_links(const char *only, struct link_list *out)
{
	struct nl_cache *cache = NULL;
	struct nl_sock *sock;
	int ret;

	memset(out, 0, sizeof(*out));
	sock = nl_socket_alloc();
	if (!sock) {
		ret = -NLE_NOMEM;
		goto out;
	}
	ret = nl_connect(sock, NETLINK_ROUTE);
	if (!ret)
		ret = rtnl_link_alloc_cache(sock, AF_UNSPEC, &cache);
	if (!ret)
		ret = collect_fz_links(cache, only, out) ? -NLE_NOMEM : 0;
out:
	if (ret)
		fz_cli_error("show", "cannot list network interfaces: %s",
			     nl_geterror(ret));
	if (cache)
		nl_cache_free(cache);
	if (sock)
		nl_socket_free(sock);
	return ret ? -EIO : 0;
}

static void report_dump_error(struct fzk_nl *nl, const char *name, int err)
{
	const char *ext = fzk_nl_ext_msg(nl);

	switch (err) {
	case -ENODEV:
		fz_cli_error("show", "%s: no such fz device", name);
		break;
	case -EPROTONOSUPPORT:
		fz_cli_error("show",
			     "%s: fz.ko does not speak netlink version %d; "
			     "update fzagent or the module",
			     name, FZ_GENL_VERSION);
		break;
	case -EAGAIN:
		fz_cli_error("show",
			     "%s: the configuration kept changing while it was "
			     "read; try again",
			     name);
		break;
	default:
		fz_cli_error("show", "%s: cannot read the device: %s%s%s%s",
			     name, strerror(-err), *ext ? " (" : "", ext,
			     *ext ? ")" : "");
	}
}

static int parse_dump(const struct fzk_nl_msgs *msgs,
		      struct fzk_device_view *dev)
{
	int ret = msgs->n ? 0 : -ENODATA;

	for (size_t i = 0; i < msgs->n && !ret; i++)
		ret = fzk_device_view_parse_msg(dev, msgs->msgs[i]);
	return ret;
}

/*
 * A client's agent knows its resources and DNS names: asked over the
 * control socket ("client-show"); NULL when no agent runs for name or
 * it is no client's. The answer is the agent's text or JSON; free() it.
 */
static char *client_state(const char *name, bool json)
{
	char *words[] = { "client-show", "json" };
	struct ctl_words w = { .argv = words, .argc = json ? 2 : 1 };
	char msg[CTL_MAX_MESSAGE + 1];
	int fd = ctl_connect(name), status = -1, ret;

	if (fd < 0)
		return NULL;
	ret = ctl_call(fd, &w, &status, msg, sizeof(msg));
	close(fd);
	if (ret || status || !msg[0])
		return NULL;
	return strdup(msg);
}

/* The device's JSON object with the client's state as its "client". */
static void print_json(const struct fzk_device_view *dev, const char *client)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = client ? open_memstream(&buf, &len) : NULL;

	if (!f) {
		cmd_print_device_json(stdout, dev);
		return;
	}
	cmd_print_device_json(f, dev);
	fclose(f);
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '}'))
		if (buf[--len] == '}')
			break;
	printf("%.*s,\"client\":%.*s}\n", (int)len, buf,
	       (int)strcspn(client, "\n"), client);
	free(buf);
}

/*
 * Returns 0; -EBADMSG when the reply was unusable (already reported); or
 * the dump's negative errno, which the caller reports since -ENODEV (the
 * device vanished after it was listed) is not always an error.
 */
static int show_device(struct fzk_nl *nl, const char *name,
		       const struct show_opts *o, bool first)
{
	struct fzk_nl_msgs msgs;
	struct fzk_device_view dev;
	char *client = NULL;
	int ret;

	ret = fzk_nl_dump_device(nl, name, &msgs);
	if (ret)
		return ret;
	fzk_device_view_init(&dev);
	ret = parse_dump(&msgs, &dev);
	fzk_nl_msgs_free(&msgs);
	if (ret) {
		fz_cli_error("show", "%s: %s", name,
			     ret == -ENOMEM ? "out of memory" :
					      "malformed reply from fz.ko");
		goto out;
	}
	if (!dev.ifname[0])
		snprintf(dev.ifname, sizeof(dev.ifname), "%s", name);
	client = client_state(name, o->json);
	if (o->json) {
		print_json(&dev, client);
	} else {
		/* A blank line between interfaces, as wg show does. */
		if (!first)
			putchar('\n');
		cmd_print_device_text(stdout, &dev, fz_clock_real_ns());
		if (client)
			printf("\nclient:\n%s", client);
	}
	free(client);
out:
	fzk_device_view_free(&dev);
	return ret ? -EBADMSG : 0;
}

/*
 * Show every listed device. One failing device does not hide the
 * others; the exit status still says that something failed. A device
 * deleted between listing and reading is only an error if named.
 */
static int show_links(const struct link_list *links, const struct show_opts *o)
{
	struct fzk_nl *nl = NULL;
	bool first = true, failed = false;
	char err[256];
	int ret;

	if (!links->n)
		return FZ_CLI_EXIT_OK;
	if (fzk_nl_open(&nl, err, sizeof(err))) {
		fz_cli_error(NULL, "%s", err);
		return FZ_CLI_EXIT_FAILURE;
	}
	for (size_t i = 0; i < links->n; i++) {
		ret = show_device(nl, links->names[i], o, first);
		if (!ret)
			first = false;
		else if (ret == -ENODEV && !o->ifname)
			continue;
		else if (ret != -EBADMSG)
			report_dump_error(nl, links->names[i], ret);
		failed |= ret != 0;
	}
	fzk_nl_close(nl);
	return failed ? FZ_CLI_EXIT_FAILURE : FZ_CLI_EXIT_OK;
}

int cmd_show_main(int argc, char *argv[])
{
	struct show_opts opts = { 0 };
	struct link_list links;
	int ret;

	if (fz_cli_wants_help(argc, argv))
		return fz_cli_print_usage(show_usage);
	ret = parse_args(argc, argv, &opts);
	if (ret)
		return ret;
	if (list_fz_links(opts.ifname, &links))
		return FZ_CLI_EXIT_FAILURE;
	if (opts.ifname && !links.n) {
		fz_cli_error("show", "%s: no such fz device", opts.ifname);
		ret = FZ_CLI_EXIT_FAILURE;
	} else {
		ret = show_links(&links, &opts);
	}
	free(links.names);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fz_cli_error("show", "cannot write to standard output");
		ret = FZ_CLI_EXIT_FAILURE;
	}
	return ret;
}
