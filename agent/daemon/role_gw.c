// SPDX-License-Identifier: GPL-2.0
/*
 * The gateway role inside the agent's daemon (role.h): struct gw_ops on
 * fz.ko, the handshake state and the loop's resolver, the host setup
 * around the agent's life, and the events and control requests that are
 * the gateway's. `fzagent up` has none of it: it runs with no role.
 *
 * The gateway's clients are part of the desired state although they are
 * not in the config file: keeps_peer() is how config sync (plan.c,
 * daemon_sync.c) leaves them and their handshake state alone.
 */
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon_int.h"
#include "role.h"
#include "role_gw.h"
#include "conf/config.h"
#include "fzk/device.h"
#include "fzk/event.h"
#include "fzk/kernel.h"
#include "fzk/kernel_gw.h"
#include "fzk/nl.h"
#include "gateway/gateway.h"
#include "gateway/hostsetup.h"
#include "lib/cli.h"
#include "lib/clock.h"
#include "lib/keys.h"
#include "proto/resolve.h"
#include "wg/handshake.h"

/* The kernel's own words, when it gave some, follow our error line. */
int role_gw_kernel_result(struct daemon *d, int ret, const char *what)
{
	const char *ext = fzk_nl_ext_msg(d->nl);

	if (ret && ret != -ENODEV && ext && *ext)
		daemon_log(d, "%s: fz.ko says: %s", what, ext);
	return daemon_check(d, ret);
}

/* --- struct gw_ops --- */

static int op_set_client_peer(void *ctx, const struct proto_auth_client *c)
{
	const struct fzk_peer_update u = {
		.public_key = c->public_key,
		.allowed_ips = c->tunnel_ips,
		.n_allowed_ips = c->n_tunnel_ips,
		.flags = FZ_PEER_F_REPLACE_ALLOWEDIPS |
			 FZ_PEER_F_GATEWAY_CLIENT,
	};
	struct daemon *d = ctx;
	struct wg_hs_peer *peer;
	int ret;

	ret = fzk_set_peer(d->nl, d->ifindex, &u);
	ret = role_gw_kernel_result(d, ret, "SET_PEER");
	if (ret)
		return ret;
	ret = wg_hs_add_peer(d->hs, c->public_key,
			     c->has_preshared_key ? c->preshared_key : NULL,
			     &peer);
	if (!ret)
		wg_hs_set_psk(peer,
			      c->has_preshared_key ? c->preshared_key : NULL);
	return ret;
}

static int op_set_resource(void *ctx, const uint8_t key[FZ_KEY_LEN],
			   const struct fzk_resource_spec *r)
{
	struct daemon *d = ctx;

	return role_gw_kernel_result(
		d, fzk_set_resource(d->nl, d->ifindex, key, r), "SET_RESOURCE");
}

static int op_del_resource(void *ctx, const uint8_t key[FZ_KEY_LEN],
			   const uint8_t id[FZ_RESOURCE_ID_LEN])
{
	struct daemon *d = ctx;

	return role_gw_kernel_result(
		d, fzk_del_resource(d->nl, d->ifindex, key, id),
		"DEL_RESOURCE");
}

static int op_set_dns_map(void *ctx, const uint8_t key[FZ_KEY_LEN],
			  const uint8_t id[FZ_RESOURCE_ID_LEN],
			  const struct fz_cidr *mapped,
			  const struct fz_cidr *real)
{
	struct daemon *d = ctx;

	return role_gw_kernel_result(
		d, fzk_set_dns_map(d->nl, d->ifindex, key, id, mapped, real),
		"SET_DNS_MAP");
}

/* A map that is already gone is what we wanted. */
static int op_del_dns_map(void *ctx, const uint8_t key[FZ_KEY_LEN],
			  const struct fz_cidr *mapped)
{
	struct daemon *d = ctx;
	int ret = fzk_del_dns_map(d->nl, d->ifindex, key, mapped, NULL);

	return ret == -ENOENT ? 0 :
				role_gw_kernel_result(d, ret, "DEL_DNS_MAP");
}

static int op_del_dns_maps(void *ctx, const uint8_t key[FZ_KEY_LEN],
			   const uint8_t id[FZ_RESOURCE_ID_LEN])
{
	struct daemon *d = ctx;
	int ret = fzk_del_dns_map(d->nl, d->ifindex, key, NULL, id);

	return ret == -ENOENT ? ret :
				role_gw_kernel_result(d, ret, "DEL_DNS_MAP");
}

static int op_send_control(void *ctx, const uint8_t key[FZ_KEY_LEN],
			   const uint8_t *packet, size_t len)
{
	struct daemon *d = ctx;

	return role_gw_kernel_result(
		d, fzk_send_control(d->nl, d->ifindex, key, packet, len),
		"SEND_CONTROL");
}

static int op_resolve(void *ctx, const char *name, proto_resolver_cb cb,
		      void *arg)
{
	struct daemon *d = ctx;

	return proto_resolver_lookup(role_gw_of(d)->resolver, name, cb, arg);
}

static void op_log(void *ctx, const char *line)
{
	daemon_log(ctx, "%s", line);
}

/* Asked once per resolution, so addresses added later count too. */
static bool op_is_own_addr(void *ctx, const struct fz_cidr *ip)
{
	struct ifaddrs *list, *ifa;
	bool own = false;

	(void)ctx;
	if (getifaddrs(&list))
		return false;
	for (ifa = list; ifa && !own; ifa = ifa->ifa_next) {
		const struct sockaddr *sa = ifa->ifa_addr;

		if (!sa || sa->sa_family != ip->family)
			continue;
		if (sa->sa_family == AF_INET)
			own = !memcmp(
				&((const struct sockaddr_in *)sa)->sin_addr,
				ip->addr, 4);
		else
			own = !memcmp(
				&((const struct sockaddr_in6 *)sa)->sin6_addr,
				ip->addr, 16);
	}
	freeifaddrs(list);
	return own;
}

static const struct gw_ops daemon_gw_ops = {
	.set_client_peer = op_set_client_peer,
	.set_resource = op_set_resource,
	.del_resource = op_del_resource,
	.set_dns_map = op_set_dns_map,
	.del_dns_map = op_del_dns_map,
	.del_dns_maps = op_del_dns_maps,
	.send_control = op_send_control,
	.resolve = op_resolve,
	.log = op_log,
	.is_own_addr = op_is_own_addr,
};

/* --- Life cycle --- */

int role_gw_create(struct daemon *d)
{
	const struct proto_resolve_config rc = {
		.timeout_ms = PROTO_RESOLVE_TIMEOUT_MS
	};
	struct role_gw *r = role_gw_of(d);

	r->gw = gw_new(&daemon_gw_ops, d, &r->auth);
	if (r->gw && r->portal)
		gw_set_source(r->gw, GW_PORTAL_SOURCE);
	r->resolver = proto_resolver_new(&d->loop, &rc, fz_clock_boot_ns);
	r->host = calloc(1, sizeof(*r->host));
	if (!r->gw || !r->resolver || !r->host) {
		proto_auth_free(&r->auth);
		fz_cli_error(d->cmd, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

/*
 * fz.ko's gateway clients that the authorizations file does not have
 * go, with their resources and maps: an earlier agent's, or a client
 * since removed from the file. A [Peer] of the config file among them
 * goes too (fz.ko cannot clear default deny) and config sync adds it
 * back as a plain peer.
 */
int role_gw_remove_client(struct daemon *d, const uint8_t key[FZ_KEY_LEN],
			  const char *reason, char *err, size_t errlen)
{
	char b64[FZ_KEY_B64_LEN + 1];
	int ret = fzk_del_peer(d->nl, d->ifindex, key);

	fz_key_to_base64(b64, key);
	if (ret == -ENOENT)
		ret = 0;
	ret = role_gw_kernel_result(d, ret, "DEL_PEER");
	if (ret) {
		snprintf(err, errlen, "cannot remove client %s: %s", b64,
			 strerror(-ret));
		return ret;
	}
	wg_hs_remove_peer(d->hs, key);
	daemon_log(d,
		   "removed client %s from fz.ko, with its resources and DNS "
		   "maps: %s",
		   b64, reason);
	return 0;
}

int role_gw_prune(struct daemon *d, char *err, size_t errlen)
{
	struct gateway *gw = role_gw_of(d)->gw;
	const char *reason = role_gw_of(d)->portal ?
				     "not in " GW_PORTAL_SOURCE :
				     "not in the authorizations file";
	struct fzk_device_view dev;
	int ret;

	ret = daemon_dump(d, &dev);
	if (ret)
		snprintf(err, errlen, "cannot read the interface: %s",
			 strerror(-ret));
	for (size_t i = 0; !ret && i < dev.n_peers; i++) {
		const struct fzk_peer_view *p = &dev.peers[i];

		if (!(p->flags & FZ_PEER_F_GATEWAY_CLIENT) ||
		    gw_is_client(gw, p->public_key))
			continue;
		ret = role_gw_remove_client(d, p->public_key, reason, err,
					    errlen);
	}
	fzk_device_view_free(&dev);
	return ret;
}

/* The authorizations, reconciled with what fz.ko holds now. */
int role_gw_start_gateway(struct daemon *d, char *err, size_t errlen)
{
	struct fzk_device_view dev;
	int ret = daemon_dump(d, &dev);

	if (ret)
		snprintf(err, errlen, "cannot read the interface: %s",
			 strerror(-ret));
	else
		ret = gw_start(role_gw_of(d)->gw, &dev, err, errlen);
	fzk_device_view_free(&dev);
	return ret;
}

int role_gw_start(struct daemon *d)
{
	struct gw_host *host = role_gw_of(d)->host;
	char err[512];
	int ret;

	ret = gw_host_apply(host, d->ifname, err, sizeof(err));
	if (ret) {
		fz_cli_error(d->cmd, "%s: %s", d->ifname, err);
		return ret;
	}
	daemon_log(d,
		   "forwarding on; masquerading the tunnel ranges in nftables "
		   "table inet %s",
		   host->table);
	ret = role_gw_start_gateway(d, err, sizeof(err));
	if (ret)
		fz_cli_error(d->cmd, "%s: %s", d->ifname, err);
	return ret;
}

static const char *role_gw_reload_path(struct daemon *d)
{
	return role_gw_of(d)->auth_path;
}

static int role_gw_reload_read(struct daemon *d, char *err, size_t errlen)
{
	struct role_gw *r = role_gw_of(d);

	memset(&r->pending, 0, sizeof(r->pending));
	if (!r->auth_path)
		return 0;
	return proto_auth_parse_file(r->auth_path, fz_clock_real_ns(),
				     &r->pending, err, errlen);
}

static int role_gw_reload(struct daemon *d, char *err, size_t errlen)
{
	struct role_gw *r = role_gw_of(d);
	int ret;

	if (!r->auth_path)
		return 0;
	ret = gw_replace_auth(r->gw, &r->pending);
	if (ret) {
		snprintf(err, errlen, "out of memory");
		return ret;
	}
	return role_gw_prune(d, err, errlen);
}

int role_gw_resync(struct daemon *d, char *err, size_t errlen)
{
	return role_gw_start_gateway(d, err, errlen);
}

static void role_gw_reload_end(struct daemon *d)
{
	proto_auth_free(&role_gw_of(d)->pending);
}

/* Clients with a current session hear that we go, so they fail over. */
void role_gw_say_goodbye(struct daemon *d)
{
	struct fzk_device_view dev;
	size_t n = 0;

	fzk_device_view_init(&dev);
	if (d->ifindex && !daemon_dump(d, &dev)) {
		for (size_t i = 0; i < dev.n_peers; i++) {
			const struct fzk_peer_view *p = &dev.peers[i];

			if (gw_is_client(role_gw_of(d)->gw, p->public_key) &&
			    fzk_peer_keypair(p, FZ_KEYPAIR_CURRENT) &&
			    !gw_send_goodbye(role_gw_of(d)->gw, p->public_key))
				n++;
		}
		daemon_log(d, "said goodbye to %zu clients", n);
	}
	fzk_device_view_free(&dev);
}

void role_gw_stop(struct daemon *d)
{
	struct role_gw *r = role_gw_of(d);
	char err[512];

	if (r->gw && d->nl)
		role_gw_say_goodbye(d);
	gw_free(r->gw);
	r->gw = NULL;
	proto_resolver_free(r->resolver);
	r->resolver = NULL;
	if (r->host && gw_host_undo(r->host, err, sizeof(err)))
		daemon_log(d, "%s", err);
	else if (r->host && r->host->table[0])
		daemon_log(d,
			   "removed nftables table inet %s; forwarding "
			   "restored",
			   r->host->table);
	free(r->host);
	r->host = NULL;
}

/* --- Config, events, requests --- */

bool role_gw_keeps_peer(struct daemon *d, const uint8_t key[FZ_KEY_LEN])
{
	struct role_gw *r = role_gw_of(d);

	return r->gw && gw_is_client(r->gw, key);
}

int role_gw_check_config(struct daemon *d, const struct conf *cfg, char *err,
			 size_t errlen)
{
	struct role_gw *r = role_gw_of(d);
	char b64[FZ_KEY_B64_LEN + 1];

	for (size_t i = 0; r->gw && i < cfg->n_peers; i++) {
		if (r->auth_path ?
			    !proto_auth_find_client(&r->pending,
						    cfg->peers[i].public_key) :
			    !gw_is_client(r->gw, cfg->peers[i].public_key))
			continue;
		fz_key_to_base64(b64, cfg->peers[i].public_key);
		snprintf(err, errlen, "%s:%u: peer %s is a %s", d->config_path,
			 cfg->peers[i].line, b64,
			 r->portal ? "client of the portal" :
				     "[Client] of the authorizations file");
		return -EINVAL;
	}
	return 0;
}

/*
 * A client's peer belongs to the gateway: `fzagent set` could widen its
 * allowed IPs, or remove it and add it back as a peer without default
 * deny, and the gateway's state would no longer be the kernel's.
 */
int role_gw_check_set(struct daemon *d, const struct conf *cfg, char *msg,
		      size_t msglen)
{
	struct role_gw *r = role_gw_of(d);
	char b64[FZ_KEY_B64_LEN + 1];

	for (size_t i = 0; r->gw && i < cfg->n_peers; i++) {
		if (!gw_is_client(r->gw, cfg->peers[i].public_key))
			continue;
		fz_key_to_base64(b64, cfg->peers[i].public_key);
		if (r->portal)
			snprintf(msg, msglen,
				 "peer %s is a client of this gateway: the "
				 "portal manages it, not 'fzagent set'",
				 b64);
		else
			snprintf(msg, msglen,
				 "peer %s is a client of this gateway: change "
				 "it in the authorizations file (and send "
				 "SIGHUP) or with 'fzagent authorize' and "
				 "'fzagent revoke', not with 'fzagent set'",
				 b64);
		return -EPERM;
	}
	return 0;
}

void role_gw_event(struct daemon *d, const struct fzk_event *ev)
{
	struct role_gw *r = role_gw_of(d);

	if (!r->gw)
		return;
	if (ev->cmd == FZ_CMD_EVT_CONTROL)
		gw_on_control(r->gw, ev->peer_key, ev->packet, ev->packet_len);
	else if (ev->cmd == FZ_CMD_EVT_DENIED_FLOW)
		gw_on_denied_flow(r->gw, ev);
}

int role_gw_ctl(struct daemon *d, enum ctl_verb verb, int argc, char **argv,
		char *msg, size_t msglen)
{
	struct role_gw *r = role_gw_of(d);

	if (verb == CTL_VERB_CLIENT_SHOW) {
		snprintf(msg, msglen,
			 "the agent of %s is a gateway, not a client",
			 d->ifname);
		return -EINVAL;
	}
	if (verb == CTL_VERB_AUTHORIZE)
		return gw_ctl_authorize(r->gw, argc - 1, argv + 1, msg, msglen);
	return gw_ctl_revoke(r->gw, argc - 1, argv + 1, msg, msglen);
}

static const struct daemon_role_ops role_gw_ops = {
	.name = "gateway",
	.create = role_gw_create,
	.prune = role_gw_prune,
	.start = role_gw_start,
	.stop = role_gw_stop,
	.keeps_peer = role_gw_keeps_peer,
	.reload_path = role_gw_reload_path,
	.reload_read = role_gw_reload_read,
	.check_config = role_gw_check_config,
	.reload = role_gw_reload,
	.resync = role_gw_resync,
	.reload_end = role_gw_reload_end,
	.check_set = role_gw_check_set,
	.event = role_gw_event,
	.ctl = role_gw_ctl,
};

int daemon_gateway(const char *ifname, const char *config_path,
		   struct conf *cfg, struct proto_auth *auth,
		   const char *auth_path)
{
	struct role_gw *r = calloc(1, sizeof(*r));
	int status;

	if (!r) {
		conf_free(cfg);
		proto_auth_free(auth);
		fz_cli_error("gateway", "out of memory");
		return FZ_CLI_EXIT_FAILURE;
	}
	r->role.ops = &role_gw_ops;
	r->auth = *auth;
	memset(auth, 0, sizeof(*auth));
	r->auth_path = auth_path;
	status = daemon_run("gateway", ifname, config_path, cfg, &r->role);
	proto_auth_free(&r->auth);
	free(r);
	return status;
}
