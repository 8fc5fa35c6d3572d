// SPDX-License-Identifier: GPL-2.0
/*
 * The gateway role inside the agent's daemon: struct gw_ops on fz.ko,
 * the handshake state and the loop's resolver, the host setup around the
 * agent's life, and the events and control requests that are the
 * gateway's. `fzagent up` has none of it: d->gw is NULL there and every
 * entry point here is then a no-op or a polite refusal.
 *
 * The gateway's clients are part of the desired state although they are
 * not in the config file: daemon_keeps_peer() is how config sync (plan.c,
 * daemon_sync.c) leaves them and their handshake state alone.
 */
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/clock.h"
#include "lib/cli.h"
#include "conf/config.h"
#include "daemon_int.h"
#include "fzk/device.h"
#include "fzk/event.h"
#include "gateway/gateway.h"
#include "wg/handshake.h"
#include "gateway/hostsetup.h"
#include "fzk/kernel.h"
#include "fzk/kernel_gw.h"
#include "lib/keys.h"
#include "fzk/nl.h"
#include "proto/resolve.h"

/* The kernel's own words, when it gave some, follow our error line. */
static int kernel_result(struct daemon *d, int ret, const char *what)
{
	const char *ext = fznl_ext_msg(d->nl);

	if (ret && ret != -ENODEV && ext && *ext)
		daemon_log(d, "%s: fz.ko says: %s", what, ext);
	return daemon_check(d, ret);
}

/* --- struct gw_ops --- */

static int op_set_client_peer(void *ctx, const struct gw_client *c)
{
	struct fz_cidr aips[2];
	struct fz_config_peer p = {
		.allowed_ips = aips,
		.n_allowed_ips = c->n_tunnel_ips,
		.replace_allowed_ips = true,
	};
	struct daemon *d = ctx;
	struct fz_hs_peer *peer;
	int ret;

	memcpy(p.public_key, c->public_key, FZ_KEY_LEN);
	memcpy(aips, c->tunnel_ips, sizeof(aips));
	ret = fz_kernel_set_peer(d->nl, d->ifindex, &p,
				 FZ_PEER_F_GATEWAY_CLIENT, false);
	ret = kernel_result(d, ret, "SET_PEER");
	if (ret)
		return ret;
	ret = fz_hs_add_peer(d->hs, c->public_key,
			     c->has_preshared_key ? c->preshared_key : NULL,
			     &peer);
	if (!ret)
		fz_hs_set_psk(peer,
			      c->has_preshared_key ? c->preshared_key : NULL);
	return ret;
}

static int op_set_resource(void *ctx, const uint8_t key[FZ_KEY_LEN],
			   const struct fz_resource_spec *r)
{
	struct daemon *d = ctx;

	return kernel_result(d,
			     fz_kernel_set_resource(d->nl, d->ifindex, key, r),
			     "SET_RESOURCE");
}

static int op_del_resource(void *ctx, const uint8_t key[FZ_KEY_LEN],
			   const uint8_t id[FZ_RESOURCE_ID_LEN])
{
	struct daemon *d = ctx;

	return kernel_result(d,
			     fz_kernel_del_resource(d->nl, d->ifindex, key, id),
			     "DEL_RESOURCE");
}

static int op_set_dns_map(void *ctx, const uint8_t key[FZ_KEY_LEN],
			  const uint8_t id[FZ_RESOURCE_ID_LEN],
			  const struct fz_cidr *mapped,
			  const struct fz_cidr *real)
{
	struct daemon *d = ctx;

	return kernel_result(d,
			     fz_kernel_set_dns_map(d->nl, d->ifindex, key, id,
						   mapped, real),
			     "SET_DNS_MAP");
}

/* A map that is already gone is what we wanted. */
static int op_del_dns_map(void *ctx, const uint8_t key[FZ_KEY_LEN],
			  const struct fz_cidr *mapped)
{
	struct daemon *d = ctx;
	int ret = fz_kernel_del_dns_map(d->nl, d->ifindex, key, mapped, NULL);

	return ret == -ENOENT ? 0 : kernel_result(d, ret, "DEL_DNS_MAP");
}

static int op_del_dns_maps(void *ctx, const uint8_t key[FZ_KEY_LEN],
			   const uint8_t id[FZ_RESOURCE_ID_LEN])
{
	struct daemon *d = ctx;
	int ret = fz_kernel_del_dns_map(d->nl, d->ifindex, key, NULL, id);

	return ret == -ENOENT ? ret : kernel_result(d, ret, "DEL_DNS_MAP");
}

static int op_send_control(void *ctx, const uint8_t key[FZ_KEY_LEN],
			   const uint8_t *packet, size_t len)
{
	struct daemon *d = ctx;

	return kernel_result(
		d, fz_kernel_send_control(d->nl, d->ifindex, key, packet, len),
		"SEND_CONTROL");
}

static int op_resolve(void *ctx, const char *name, resolver_cb cb, void *arg)
{
	struct daemon *d = ctx;

	return resolver_lookup(d->resolver, name, cb, arg);
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

int daemon_gw_create(struct daemon *d, struct gw_auth *auth,
		     const char *auth_path)
{
	const struct resolve_config rc = { .timeout_ms = RESOLVE_TIMEOUT_MS };

	d->auth_path = auth_path;
	d->gw = gateway_new(&daemon_gw_ops, d, auth);
	d->resolver = resolver_new(&d->loop, &rc, fz_clock_boot_ns);
	d->host = calloc(1, sizeof(*d->host));
	if (!d->gw || !d->resolver || !d->host) {
		gw_auth_free(auth);
		cli_error(d->cmd, "out of memory");
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
int daemon_gw_prune(struct daemon *d, char *err, size_t errlen)
{
	char b64[KEY_B64_LEN + 1];
	struct fz_device dev;
	int ret;

	if (!d->gw)
		return 0;
	ret = daemon_dump(d, &dev);
	if (ret)
		snprintf(err, errlen, "cannot read the interface: %s",
			 strerror(-ret));
	for (size_t i = 0; !ret && i < dev.n_peers; i++) {
		const struct fz_peer *p = &dev.peers[i];

		if (!(p->flags & FZ_PEER_F_GATEWAY_CLIENT) ||
		    gateway_is_client(d->gw, p->public_key))
			continue;
		key_to_base64(b64, p->public_key);
		ret = fz_kernel_del_peer(d->nl, d->ifindex, p->public_key);
		if (ret == -ENOENT)
			ret = 0;
		ret = kernel_result(d, ret, "DEL_PEER");
		if (ret) {
			snprintf(err, errlen, "cannot remove client %s: %s",
				 b64, strerror(-ret));
			break;
		}
		fz_hs_remove_peer(d->hs, p->public_key);
		daemon_log(d,
			   "removed client %s from fz.ko, with its resources "
			   "and DNS maps: not in the authorizations file",
			   b64);
	}
	fz_device_free(&dev);
	return ret;
}

/* The authorizations, reconciled with what fz.ko holds now. */
static int start_gateway(struct daemon *d, char *err, size_t errlen)
{
	struct fz_device dev;
	int ret = daemon_dump(d, &dev);

	if (ret)
		snprintf(err, errlen, "cannot read the interface: %s",
			 strerror(-ret));
	else
		ret = gateway_start(d->gw, &dev, err, errlen);
	fz_device_free(&dev);
	return ret;
}

int daemon_gw_start(struct daemon *d)
{
	char err[512];
	int ret;

	ret = hostsetup_apply(d->host, d->ifname, err, sizeof(err));
	if (ret) {
		cli_error(d->cmd, "%s: %s", d->ifname, err);
		return ret;
	}
	daemon_log(d,
		   "forwarding on; masquerading the tunnel ranges in nftables "
		   "table inet %s",
		   d->host->table);
	ret = start_gateway(d, err, sizeof(err));
	if (ret)
		cli_error(d->cmd, "%s: %s", d->ifname, err);
	return ret;
}

int daemon_gw_read_auth(struct daemon *d, struct gw_auth *auth, char *err,
			size_t errlen)
{
	memset(auth, 0, sizeof(*auth));
	if (!d->gw || !d->auth_path)
		return 0;
	return gw_auth_parse_file(d->auth_path, fz_clock_real_ns(), auth, err,
				  errlen);
}

int daemon_gw_reload(struct daemon *d, struct gw_auth *auth, char *err,
		     size_t errlen)
{
	int ret;

	if (!d->gw || !d->auth_path)
		return 0;
	ret = gateway_replace_auth(d->gw, auth);
	if (ret) {
		snprintf(err, errlen, "out of memory");
		return ret;
	}
	return daemon_gw_prune(d, err, errlen);
}

int daemon_gw_resync(struct daemon *d, char *err, size_t errlen)
{
	return d->gw ? start_gateway(d, err, errlen) : 0;
}

/* Clients with a current session hear that we go, so they fail over. */
static void say_goodbye(struct daemon *d)
{
	struct fz_device dev;
	size_t n = 0;

	fz_device_init(&dev);
	if (d->ifindex && !daemon_dump(d, &dev)) {
		for (size_t i = 0; i < dev.n_peers; i++) {
			const struct fz_peer *p = &dev.peers[i];

			if (gateway_is_client(d->gw, p->public_key) &&
			    fz_peer_keypair(p, FZ_KEYPAIR_CURRENT) &&
			    !gateway_send_goodbye(d->gw, p->public_key))
				n++;
		}
		daemon_log(d, "said goodbye to %zu clients", n);
	}
	fz_device_free(&dev);
}

void daemon_gw_stop(struct daemon *d)
{
	char err[512];

	if (d->gw && d->nl)
		say_goodbye(d);
	gateway_free(d->gw);
	d->gw = NULL;
	resolver_free(d->resolver);
	d->resolver = NULL;
	if (d->host && hostsetup_undo(d->host, err, sizeof(err)))
		daemon_log(d, "%s", err);
	else if (d->host && d->host->table[0])
		daemon_log(d,
			   "removed nftables table inet %s; forwarding "
			   "restored",
			   d->host->table);
	free(d->host);
	d->host = NULL;
}

/* --- Config, events, requests --- */

bool daemon_keeps_peer(void *ctx, const uint8_t *key)
{
	struct daemon *d = ctx;

	return d->gw && gateway_is_client(d->gw, key);
}

int daemon_gw_check_config(struct daemon *d, const struct fz_config *cfg,
			   const struct gw_auth *auth, char *err, size_t errlen)
{
	char b64[KEY_B64_LEN + 1];

	for (size_t i = 0; d->gw && i < cfg->n_peers; i++) {
		if (auth && d->auth_path ?
			    !gw_auth_find_client(auth,
						 cfg->peers[i].public_key) :
			    !gateway_is_client(d->gw, cfg->peers[i].public_key))
			continue;
		key_to_base64(b64, cfg->peers[i].public_key);
		snprintf(err, errlen,
			 "%s:%u: peer %s is a [Client] of the authorizations "
			 "file",
			 d->config_path, cfg->peers[i].line, b64);
		return -EINVAL;
	}
	return 0;
}

/*
 * A client's peer belongs to the gateway: `fzagent set` could widen its
 * allowed IPs, or remove it and add it back as a peer without default
 * deny, and the gateway's state would no longer be the kernel's.
 */
int daemon_gw_check_set(struct daemon *d, const struct fz_config *cfg,
			char *msg, size_t msglen)
{
	char b64[KEY_B64_LEN + 1];

	for (size_t i = 0; d->gw && i < cfg->n_peers; i++) {
		if (!gateway_is_client(d->gw, cfg->peers[i].public_key))
			continue;
		key_to_base64(b64, cfg->peers[i].public_key);
		snprintf(msg, msglen,
			 "peer %s is a client of this gateway: change it in "
			 "the authorizations file (and send SIGHUP) or with "
			 "'fzagent authorize' and 'fzagent revoke', not with "
			 "'fzagent set'",
			 b64);
		return -EPERM;
	}
	return 0;
}

void daemon_gw_event(struct daemon *d, const struct fz_event *ev)
{
	if (!d->gw)
		return; /* `fzagent up` has no clients to talk to */
	if (ev->cmd == FZ_CMD_EVT_CONTROL)
		gateway_on_control(d->gw, ev->peer_key, ev->packet,
				   ev->packet_len);
	else
		gateway_on_denied_flow(d->gw, ev);
}

int daemon_gw_ctl(struct daemon *d, int argc, char **argv, char *msg,
		  size_t msglen)
{
	if (!d->gw) {
		snprintf(msg, msglen,
			 "the agent of %s is not a gateway (it runs "
			 "'fzagent up')",
			 d->ifname);
		return -EINVAL;
	}
	if (!strcmp(argv[0], "authorize"))
		return gateway_ctl_authorize(d->gw, argc - 1, argv + 1, msg,
					     msglen);
	return gateway_ctl_revoke(d->gw, argc - 1, argv + 1, msg, msglen);
}
