// SPDX-License-Identifier: GPL-2.0
/*
 * The gateway role on the portal (`fzagent gateway --portal`): role_gw.c's
 * gateway, its authorizations from the portal's signalling instead of a
 * file. The signal wing holds the connection; gateway/portal.c acts on
 * the messages; this file joins them to the daemon: the join (the
 * agent's key, fz.ko's port, endpoints), the tunnel addresses, fz.ko's
 * peers, the acknowledgements, /healthz and /readyz, and the exit on
 * `disconnect` or a refused token.
 *
 * Until the portal's first init, the gateway clients fz.ko holds (an
 * earlier agent's) are kept as they are: the portal's init then says
 * what stays. While the portal is unreachable nothing is removed either;
 * fz.ko enforces every expiry by itself.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "daemon.h"
#include "daemon_int.h"
#include "health.h"
#include "role.h"
#include "role_gw.h"
#include "tunaddr.h"
#include "conf/config.h"
#include "fzk/device.h"
#include "fzk/link.h"
#include "gateway/gateway.h"
#include "gateway/portal.h"
#include "lib/cli.h"
#include "lib/clock.h"
#include "lib/defroute.h"
#include "lib/keyindex.h"
#include "lib/keys.h"
#include "lib/tokenfile.h"
#include "signal/signal.h"
#include "wg/handshake.h"

#define MAX_ENDPOINTS DAEMON_PORTAL_MAX_ENDPOINTS

struct role_gwportal {
	struct role_gw base; /* first: d->role points at it */
	struct daemon *d;
	struct daemon_portal_opts opts;
	char *token; /* sodium_malloc'd: a changed key dials again */
	struct signal *sig;
	struct daemon_health *health;
	/* The key and port the portal was last told (SIGHUP may change). */
	uint8_t joined_key[FZ_KEY_LEN];
	uint16_t joined_port;
	bool joined; /* signal says so */
	bool initialized; /* an init was applied */
	bool disconnected; /* the portal said so */
	/* fz.ko's gateway clients at start, kept until the first init. */
	uint8_t (*adopted)[FZ_KEY_LEN];
	struct fz_keyindex adopted_index;
	/* The init's addresses, and whether each is on the interface. */
	struct fz_cidr addrs[2];
	bool has_addr[2];
	/* What the last join told (it must live until it is sent). */
	struct proto_sig_endpoint join_eps[MAX_ENDPOINTS];
	char hostname[64];
};

static struct role_gwportal *portal_of(struct daemon *d)
{
	return (struct role_gwportal *)d->role;
}

/* --- The join --- */

/* --endpoint, else the default route's addresses with our port. */
static size_t endpoints(struct role_gwportal *r, uint16_t port)
{
	struct fz_cidr addrs[MAX_ENDPOINTS];
	int n;

	if (r->opts.n_endpoints) {
		memcpy(r->join_eps, r->opts.endpoints,
		       r->opts.n_endpoints * sizeof(*r->join_eps));
		return r->opts.n_endpoints;
	}
	n = fz_default_route_addrs(NULL, NULL, addrs, MAX_ENDPOINTS);
	for (int i = 0; i < n; i++) {
		r->join_eps[i].ip = addrs[i];
		r->join_eps[i].port = port;
	}
	if (n <= 0)
		daemon_log(r->d,
			   "portal: no default route with an address: "
			   "telling the portal no endpoint (use --endpoint)");
	return n > 0 ? (size_t)n : 0;
}

static int sig_join(void *ctx, struct proto_sig_msg *out)
{
	struct role_gwportal *r = ctx;
	struct proto_sig_gateway_join *j = &out->gateway_join;
	const uint8_t *key = wg_hs_public_key(r->d->hs);
	struct fzk_device_view dev;
	int ret = daemon_dump(r->d, &dev);

	if (!ret && (!key || !dev.listen_port))
		ret = -ENODATA;
	if (ret) {
		daemon_log(r->d,
			   "portal: cannot read the interface to join: %s",
			   strerror(-ret));
		fzk_device_view_free(&dev);
		return ret;
	}
	/* The frame's own members (topic, ref) are the signal wing's. */
	out->kind = PROTO_SIG_GATEWAY_JOIN;
	memset(j, 0, sizeof(*j));
	memcpy(j->public_key, key, FZ_KEY_LEN);
	j->listen_port = dev.listen_port;
	memcpy(r->joined_key, key, FZ_KEY_LEN);
	r->joined_port = dev.listen_port;
	fzk_device_view_free(&dev);
	j->endpoints = r->join_eps;
	j->n_endpoints = endpoints(r, j->listen_port);
	if (gethostname(r->hostname, sizeof(r->hostname) - 1))
		snprintf(r->hostname, sizeof(r->hostname), "%s", "gateway");
	j->name = r->hostname;
	j->version = FZ_AGENT_NAME " " FZ_AGENT_VERSION;
	return 0;
}

/* --- struct gw_portal_ops --- */

static int op_prune(void *ctx, char *err, size_t errlen)
{
	struct role_gwportal *r = ctx;

	r->initialized = true; /* the adopted clients are the init's now */
	return role_gw_prune(r->d, err, errlen);
}

static int op_remove_client(void *ctx, const uint8_t key[FZ_KEY_LEN],
			    const char *reason, char *err, size_t errlen)
{
	struct role_gwportal *r = ctx;

	return role_gw_remove_client(r->d, key, reason, err, errlen);
}

static int op_dump(void *ctx, struct fzk_device_view *dev)
{
	struct role_gwportal *r = ctx;

	fzk_device_view_free(dev);
	return daemon_dump(r->d, dev);
}

/* The whole tunnel range is routed into the interface, as a client's. */
static struct fz_cidr on_link(const struct fz_cidr *ip)
{
	struct fz_cidr c = *ip;

	c.cidr = ip->family == AF_INET ? FZ_RANGE_TUNNEL_V4_LEN :
					 FZ_RANGE_TUNNEL_V6_LEN;
	return c;
}

static int op_set_addresses(void *ctx, const struct fz_cidr *v4,
			    const struct fz_cidr *v6, char *err, size_t errlen)
{
	struct role_gwportal *r = ctx;
	struct fz_cidr want[2] = { on_link(v4), on_link(v6) };
	bool added[2];
	int ret = daemon_tunaddr_set(r->d, want, added, err, errlen);

	for (size_t i = 0; i < 2; i++) {
		r->addrs[i] = want[i];
		r->has_addr[i] = added[i];
	}
	return ret;
}

static int op_ack(void *ctx, const struct proto_sig_id *ref)
{
	struct role_gwportal *r = ctx;
	struct proto_sig_msg m = { .kind = PROTO_SIG_AUTHORIZATION_ACK };

	m.authorization_ack.ref = *ref;
	return signal_send(r->sig, &m);
}

static void op_goodbye(void *ctx)
{
	struct role_gwportal *r = ctx;

	role_gw_say_goodbye(r->d);
}

static void op_disconnected(void *ctx, const char *reason)
{
	struct role_gwportal *r = ctx;

	r->disconnected = true;
	daemon_log(r->d, "exiting: the portal disconnected this gateway (%s)",
		   reason);
	daemon_stop(r->d, FZ_CLI_EXIT_FAILURE);
}

static uint64_t op_now(void *ctx)
{
	(void)ctx;
	return fz_clock_real_ns();
}

static const struct gw_portal_ops portal_ops = {
	.prune = op_prune,
	.remove_client = op_remove_client,
	.dump = op_dump,
	.set_addresses = op_set_addresses,
	.ack = op_ack,
	.goodbye = op_goodbye,
	.disconnected = op_disconnected,
	.now_ns = op_now,
};

/* --- struct signal_ops --- */

static void sig_message(void *ctx, const struct proto_sig_msg *m)
{
	struct role_gwportal *r = ctx;

	if (r->d->stopping || r->disconnected)
		return;
	gw_portal_message(r->base.gw, &portal_ops, r, m);
}

/*
 * A token the portal refuses for good (deleted, expired) ends the
 * gateway as a disconnect does: no client it served keeps its access.
 */
static void refused(struct role_gwportal *r, const char *why)
{
	struct proto_sig_disconnect m = { .reason = why };

	daemon_log(r->d, "portal: refused this gateway for good (%s)", why);
	if (!r->base.gw) {
		daemon_stop(r->d, FZ_CLI_EXIT_FAILURE);
		return;
	}
	gw_portal_disconnect(r->base.gw, &portal_ops, r, &m);
}

static void sig_state(void *ctx, enum signal_state st, const char *why)
{
	struct role_gwportal *r = ctx;
	bool was = r->joined;

	r->joined = st == SIGNAL_JOINED;
	if (st == SIGNAL_JOINED)
		daemon_log(r->d, "portal: joined; waiting for its init");
	else if (st == SIGNAL_CONNECTING && was)
		daemon_log(r->d,
			   "portal: connection lost (%s); keeping every client "
			   "(fz.ko enforces their expiries); reconnecting",
			   why ? why : "no reason given");
	else if (st == SIGNAL_REFUSED && !r->d->stopping && !r->disconnected)
		refused(r, why ? why : "no reason given");
}

static void sig_log(void *ctx, const char *line)
{
	struct role_gwportal *r = ctx;

	daemon_log(r->d, "portal: %s", line);
}

static const struct signal_ops sig_ops = {
	.join = sig_join,
	.message = sig_message,
	.state = sig_state,
	.log = sig_log,
};

static int open_signal(struct role_gwportal *r)
{
	const struct signal_config cfg = {
		.url = r->opts.url,
		.role = PROTO_SIG_GATEWAY,
		.ca_file = r->opts.ca_file,
	};
	char err[256];

	r->sig = signal_new(&r->d->loop, &cfg, r->token, &sig_ops, r, err,
			    sizeof(err));
	if (!r->sig) {
		fz_cli_error(r->d->cmd, "%s: %s", r->opts.url, err);
		return -EINVAL;
	}
	return 0;
}

/* --- /readyz --- */

static bool is_ready(void *ctx)
{
	struct role_gwportal *r = ctx;
	struct fzk_link_info info;

	return r->joined && r->initialized && !r->d->stopping &&
	       !fzk_link_get(r->d->ifname, &info) && info.up &&
	       info.ifindex == r->d->ifindex;
}

/* --- Life cycle --- */

static int gwp_create(struct daemon *d)
{
	struct role_gwportal *r = portal_of(d);
	int ret;

	r->d = d;
	ret = role_gw_create(d);
	return ret ? ret : open_signal(r);
}

/*
 * At start fz.ko's gateway clients are an earlier agent's: kept, with
 * their sessions, until the portal's init says which stay.
 */
static int gwp_prune(struct daemon *d, char *err, size_t errlen)
{
	struct role_gwportal *r = portal_of(d);
	struct fzk_device_view dev;
	size_t n = 0;
	int ret;

	if (r->initialized)
		return role_gw_prune(d, err, errlen);
	ret = daemon_dump(d, &dev);
	if (!ret) {
		r->adopted = calloc(dev.n_peers + 1, sizeof(*r->adopted));
		ret = r->adopted ? 0 : -ENOMEM;
	}
	for (size_t i = 0; !ret && i < dev.n_peers; i++)
		if (dev.peers[i].flags & FZ_PEER_F_GATEWAY_CLIENT)
			memcpy(r->adopted[n++], dev.peers[i].public_key,
			       FZ_KEY_LEN);
	if (!ret)
		ret = fz_keyindex_build(&r->adopted_index, r->adopted, n,
					FZ_KEY_LEN, 0);
	fzk_device_view_free(&dev);
	if (ret) {
		snprintf(err, errlen, "cannot read the interface: %s",
			 strerror(-ret));
		return ret;
	}
	if (n)
		daemon_log(d,
			   "keeping the %zu gateway clients fz.ko holds until "
			   "the portal's init",
			   n);
	return 0;
}

static int gwp_start(struct daemon *d)
{
	struct role_gwportal *r = portal_of(d);
	char err[256];
	int ret = role_gw_start(d);

	if (!ret && r->opts.health_addr) {
		r->health = daemon_health_start(&d->loop, r->opts.health_addr,
						r->opts.health_port, is_ready,
						r, err, sizeof(err));
		if (!r->health) {
			fz_cli_error(d->cmd, "%s", err);
			ret = -EINVAL;
		}
	}
	if (!ret) {
		ret = signal_start(r->sig);
		if (ret)
			fz_cli_error(d->cmd, "cannot reach the portal: %s",
				     strerror(-ret));
		else
			daemon_log(d, "portal: connecting to %s", r->opts.url);
	}
	return ret;
}

static void gwp_stop(struct daemon *d)
{
	struct role_gwportal *r = portal_of(d);

	if (r->sig)
		signal_close(r->sig);
	r->sig = NULL;
	daemon_health_stop(r->health);
	role_gw_stop(d);
}

static bool gwp_keeps_peer(struct daemon *d, const uint8_t key[FZ_KEY_LEN])
{
	struct role_gwportal *r = portal_of(d);

	return role_gw_keeps_peer(d, key) ||
	       (!r->initialized &&
		fz_keyindex_find(&r->adopted_index, key) >= 0);
}

static const char *gwp_reload_path(struct daemon *d)
{
	(void)d;
	return NULL;
}

static int gwp_nothing(struct daemon *d, char *err, size_t errlen)
{
	(void)d;
	(void)err;
	(void)errlen;
	return 0;
}

static void gwp_reload_end(struct daemon *d)
{
	(void)d;
}

/* A new key or port in CONFIG: the portal must hear it, so dial again. */
static int gwp_resync(struct daemon *d, char *err, size_t errlen)
{
	struct role_gwportal *r = portal_of(d);
	struct fzk_device_view dev;
	bool changed;
	int ret = daemon_dump(d, &dev);

	/* As the init did: one client fz.ko refuses keeps no other out. */
	if (!ret)
		ret = gw_start_each(r->base.gw, &dev, err, errlen);
	else
		snprintf(err, errlen, "cannot read the interface: %s",
			 strerror(-ret));
	fzk_device_view_free(&dev);
	if (ret || !r->joined || daemon_dump(d, &dev))
		return ret;
	changed = !wg_hs_public_key(d->hs) ||
		  memcmp(wg_hs_public_key(d->hs), r->joined_key, FZ_KEY_LEN) ||
		  dev.listen_port != r->joined_port;
	fzk_device_view_free(&dev);
	if (!changed)
		return 0;
	daemon_log(d, "portal: the key or port changed; joining again");
	signal_close(r->sig);
	r->joined = false;
	ret = open_signal(r);
	if (!ret)
		ret = signal_start(r->sig);
	if (ret)
		snprintf(err, errlen, "cannot reconnect to the portal");
	return ret;
}

static int gwp_ctl(struct daemon *d, enum ctl_verb verb, int argc, char **argv,
		   char *msg, size_t msglen)
{
	(void)d;
	(void)verb;
	(void)argc;
	(void)argv;
	snprintf(msg, msglen,
		 "this gateway's authorizations come from the portal: change "
		 "them there");
	return -EPERM;
}

static const struct daemon_role_ops role_gwportal_ops = {
	.name = "gateway",
	.create = gwp_create,
	.prune = gwp_prune,
	.start = gwp_start,
	.stop = gwp_stop,
	.keeps_peer = gwp_keeps_peer,
	.reload_path = gwp_reload_path,
	.reload_read = gwp_nothing,
	.check_config = role_gw_check_config,
	.reload = gwp_nothing,
	.resync = gwp_resync,
	.reload_end = gwp_reload_end,
	.check_set = role_gw_check_set,
	.event = role_gw_event,
	.ctl = gwp_ctl,
};

static void gwp_free(struct role_gwportal *r)
{
	proto_auth_free(&r->base.auth);
	daemon_health_free(r->health);
	fz_keyindex_free(&r->adopted_index);
	free(r->adopted);
	if (r->token)
		sodium_free(r->token); /* wipes it */
	free(r);
}

int daemon_gateway_portal(const char *ifname, const char *config_path,
			  struct conf *cfg,
			  const struct daemon_portal_opts *opts, char *token)
{
	struct role_gwportal *r = calloc(1, sizeof(*r));
	size_t len = strlen(token);
	int status;

	if (r && opts->n_endpoints <= MAX_ENDPOINTS)
		r->token = sodium_malloc(len + 1);
	if (!r || !r->token) {
		sodium_memzero(token, len);
		if (r)
			gwp_free(r);
		conf_free(cfg);
		fz_cli_error("gateway", "out of memory");
		return FZ_CLI_EXIT_FAILURE;
	}
	memcpy(r->token, token, len + 1);
	sodium_memzero(token, len);
	r->base.role.ops = &role_gwportal_ops;
	r->base.portal = true;
	r->opts = *opts;
	status = daemon_run("gateway", ifname, config_path, cfg, &r->base.role);
	gwp_free(r);
	return status;
}
