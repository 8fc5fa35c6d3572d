// SPDX-License-Identifier: GPL-2.0
/*
 * The client role (`fzagent client --portal`): the one file that knows
 * the daemon, the client wing and the signal wing. The signal wing holds
 * the portal connection; client/resources.c decides what each message,
 * held packet and control packet means; this file does it: fz.ko's
 * peers and held packets, routes and addresses, the handshake state of
 * each gateway, the DNS stub on the sentinels and the system's DNS.
 *
 * The interface is the client's own: created at start, with FZ_A_HOLD
 * on (the first packets for a resource wait while the portal is asked),
 * and deleted on exit with everything on it. While the portal is away
 * nothing is torn down: gateways keep serving until their expiries.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "daemon.h"
#include "daemon_int.h"
#include "role.h"
#include "client/dnsstub.h"
#include "client/mapped.h"
#include "client/resources.h"
#include "client/sysdns.h"
#include "conf/config.h"
#include "fzk/event.h"
#include "fzk/kernel.h"
#include "fzk/kernel_client.h"
#include "fzk/kernel_gw.h"
#include "fzk/link.h"
#include "fzk/nl.h"
#include "lib/cli.h"
#include "lib/clock.h"
#include "lib/keys.h"
#include "lib/sockaddr.h"
#include "signal/signal.h"
#include "wg/handshake.h"

#define MAX_SENTINELS 4 /* per family: CLIENT_DNS_MAX_LISTEN in all */
#define TICK_MS 1000
#define RESOLVED_UPSTREAMS "/run/systemd/resolve/resolv.conf"

struct role_client {
	struct daemon_role role; /* first: d->role points at it */
	struct daemon *d;
	struct daemon_client_opts opts;
	char *token; /* sodium_malloc'd */
	struct signal *sig;
	struct client_mapped *mapped;
	struct client_res *res;
	struct client_dnsstub *stub;
	struct client_sysdns_config sys;
	bool sys_applied;
	uv_timer_t tick;
	bool tick_ready;
	bool joined, initialized, signed_out;
	/* The system's resolvers, read before sysdns touches them. */
	struct fz_cidr sys_servers[CLIENT_DNS_MAX_UPSTREAMS];
	int n_sys_servers;
	/* The sentinels on the interface, the stub's addresses. */
	struct fz_cidr sentinels[2 * MAX_SENTINELS];
	size_t n_sentinels;
	struct fz_cidr addrs[2]; /* the init's tunnel addresses */
	bool has_addrs;
	char hostname[64];
};

static struct role_client *client_of(struct daemon *d)
{
	return (struct role_client *)d->role;
}

/* The kernel's own words, when it gave some, follow our error line. */
static int kernel_result(struct daemon *d, int ret, const char *what)
{
	const char *ext = fzk_nl_ext_msg(d->nl);

	if (ret && ret != -ENODEV)
		daemon_log(d, "%s: %s%s%s", what, strerror(-ret),
			   ext && *ext ? "; fz.ko says: " : "",
			   ext && *ext ? ext : "");
	return daemon_check(d, ret);
}

/* --- struct client_res_ops --- */

/*
 * The tunnel address as the source: the sentinels on the interface are
 * addresses too, and IPv6 would pick fd00:2021:1111:8000:100:100:111:0
 * for the mapped range (the longer common prefix), which no gateway
 * takes from this client.
 */
static int op_route(void *ctx, const struct fz_cidr *c, bool add)
{
	struct role_client *r = ctx;
	const struct fz_cidr *src = !r->has_addrs	 ? NULL :
				    c->family == AF_INET ? &r->addrs[0] :
							   &r->addrs[1];
	int ret = fzk_link_route(r->d->ifindex, c, src, add);

	if (ret == -EEXIST && add)
		return 0;
	if ((ret == -ENODEV || ret == -ESRCH || ret == -EIO) && !add)
		return 0; /* gone already */
	return ret;
}

static int op_request(void *ctx,
		      const struct proto_sig_request_authorization *req)
{
	struct role_client *r = ctx;
	struct proto_sig_msg m = { .kind = PROTO_SIG_REQUEST_AUTHORIZATION };

	if (!r->sig || !r->joined)
		return -ENOTCONN;
	m.request_authorization = *req;
	return signal_send(r->sig, &m);
}

static void sockaddr_of(const struct proto_sig_endpoint *ep,
			struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (ep->ip.family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(ep->port);
		memcpy(&in->sin_addr, ep->ip.addr, 4);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(ep->port);
		memcpy(&in6->sin6_addr, ep->ip.addr, 16);
	}
}

/*
 * The kernel first, then the handshake state, as config sync does: fz.ko
 * then asks for a handshake (HANDSHAKE_NEEDED) and the daemon finds the
 * peer in wg_hs.
 */
static int op_set_peer(void *ctx, const struct client_res_gateway *g,
		       const struct fz_cidr *aips, size_t n, bool is_new)
{
	struct role_client *r = ctx;
	struct sockaddr_storage ep;
	struct fzk_peer_update u = {
		.public_key = g->public_key,
		.has_keepalive = true,
		.persistent_keepalive = CLIENT_RES_KEEPALIVE,
		.quiet_timeout = (uint16_t)r->res->gateway_timeout,
		.allowed_ips = aips,
		.n_allowed_ips = n,
		.flags = FZ_PEER_F_REPLACE_ALLOWEDIPS,
	};
	struct wg_hs_peer *peer;
	int ret;

	if (is_new) {
		sockaddr_of(&g->endpoint, &ep);
		u.endpoint = &ep;
	}
	ret = kernel_result(r->d, fzk_set_peer(r->d->nl, r->d->ifindex, &u),
			    "cannot set a gateway's peer");
	if (ret || !is_new)
		return ret;
	ret = wg_hs_add_peer(r->d->hs, g->public_key, g->preshared_key, &peer);
	if (ret == -EEXIST)
		peer = wg_hs_find(r->d->hs, g->public_key), ret = 0;
	if (!ret && peer)
		wg_hs_set_psk(peer, g->preshared_key);
	return ret;
}

static int op_del_peer(void *ctx, const uint8_t key[FZ_KEY_LEN])
{
	struct role_client *r = ctx;
	int ret = fzk_del_peer(r->d->nl, r->d->ifindex, key);

	wg_hs_remove_peer(r->d->hs, key);
	return ret == -ENOENT ? 0 :
				kernel_result(r->d, ret,
					      "cannot remove a gateway's peer");
}

static int op_send_control(void *ctx, const uint8_t key[FZ_KEY_LEN],
			   const uint8_t *pkt, size_t len)
{
	struct role_client *r = ctx;

	return kernel_result(
		r->d, fzk_send_control(r->d->nl, r->d->ifindex, key, pkt, len),
		"cannot send a control packet");
}

static void op_drop_held(void *ctx, const struct fz_cidr *dst)
{
	struct role_client *r = ctx;

	kernel_result(r->d, fzk_drop_held(r->d->nl, r->d->ifindex, dst),
		      "cannot refuse held packets");
}

static int op_dns_upsert(void *ctx, const uint8_t id[FZ_RESOURCE_ID_LEN],
			 const char *pattern)
{
	struct role_client *r = ctx;
	struct client_dns_resource dr;

	if (!r->stub)
		return -ENOTCONN;
	memcpy(dr.id, id, FZ_RESOURCE_ID_LEN);
	snprintf(dr.pattern, sizeof(dr.pattern), "%s", pattern);
	return client_dnsstub_upsert_resource(r->stub, &dr);
}

static void op_dns_remove(void *ctx, const uint8_t id[FZ_RESOURCE_ID_LEN])
{
	struct role_client *r = ctx;

	if (r->stub)
		client_dnsstub_remove_resource(r->stub, id);
}

static uint64_t op_now(void *ctx)
{
	(void)ctx;
	return fz_clock_real_ns();
}

static void op_log(void *ctx, const char *line)
{
	struct role_client *r = ctx;

	daemon_log(r->d, "%s", line);
}

static const struct client_res_ops res_ops = {
	.route = op_route,
	.request = op_request,
	.set_peer = op_set_peer,
	.del_peer = op_del_peer,
	.send_control = op_send_control,
	.drop_held = op_drop_held,
	.dns_upsert = op_dns_upsert,
	.dns_remove = op_dns_remove,
	.now_ns = op_now,
	.log = op_log,
};

/* --- The DNS stub --- */

static void stub_query(void *ctx, const char *name,
		       const uint8_t id[FZ_RESOURCE_ID_LEN],
		       const struct client_mapped_entry *e)
{
	struct role_client *r = ctx;

	client_res_name_asked(r->res, name, id, e);
}

static void stub_log(void *ctx, const char *line)
{
	struct role_client *r = ctx;

	daemon_log(r->d, "dns: %s", line);
}

static const struct client_dnsstub_ops stub_ops = {
	.resource_query = stub_query,
	.log = stub_log,
};

static void to_sockaddr(const struct fz_cidr *ip, uint16_t port,
			struct sockaddr_storage *ss)
{
	struct proto_sig_endpoint ep = { .ip = *ip, .port = port };

	sockaddr_of(&ep, ss);
}

/* Sentinel k of family: 100.100.111.(1+k), fd00:...:111:k. */
static void sentinel(int family, size_t k, struct fz_cidr *out)
{
	static const uint8_t v4[16] = CLIENT_SENTINEL_V4;
	static const uint8_t v6[16] = CLIENT_SENTINEL_V6;

	memset(out, 0, sizeof(*out));
	out->family = (uint16_t)family;
	if (family == AF_INET) {
		memcpy(out->addr, v4, 4);
		out->addr[3] = (uint8_t)(1 + k);
		out->cidr = 32;
	} else {
		memcpy(out->addr, v6, 16);
		out->addr[15] = (uint8_t)k;
		out->cidr = 128;
	}
}

/* One sentinel of each family per upstream, on the interface. */
static int add_sentinels(struct role_client *r, size_t n_up)
{
	size_t n = n_up < MAX_SENTINELS ? n_up : MAX_SENTINELS;
	int ret = 0;

	for (size_t i = 0; !ret && i < 2 * n; i++) {
		sentinel(i < n ? AF_INET : AF_INET6, i % n, &r->sentinels[i]);
		ret = fzk_link_add_address_nodad(r->d->ifindex,
						 &r->sentinels[i]);
		if (ret == -EEXIST)
			ret = 0;
		if (!ret)
			r->n_sentinels = i + 1;
	}
	if (ret)
		daemon_log(r->d, "cannot add the DNS sentinel addresses: %s",
			   strerror(-ret));
	return ret;
}

/*
 * The stub's upstreams: the init's, else the system's, never the stub
 * itself (it would ask itself). Their number, or 0 (logged why).
 */
static size_t pick_upstreams(struct role_client *r,
			     const struct proto_sig_interface *itf,
			     struct sockaddr_storage up[MAX_SENTINELS])
{
	const struct fz_cidr *servers = itf->upstream_dns;
	size_t n = itf->n_upstream_dns, n_up = 0;

	if (!n) {
		servers = r->sys_servers;
		n = r->n_sys_servers > 0 ? (size_t)r->n_sys_servers : 0;
	}
	if (!n) {
		daemon_log(r->d, "no upstream resolver: neither the portal nor "
				 "/etc/resolv.conf names one");
		return 0;
	}
	for (size_t i = 0; i < n && n_up < MAX_SENTINELS; i++)
		if (!client_sysdns_is_sentinel(&servers[i]))
			to_sockaddr(&servers[i], 53, &up[n_up++]);
	if (!n_up)
		daemon_log(r->d, "no upstream resolver but the stub itself");
	return n_up;
}

static int start_stub(struct role_client *r,
		      const struct proto_sig_interface *itf)
{
	struct sockaddr_storage listen[CLIENT_DNS_MAX_LISTEN],
		up[MAX_SENTINELS];
	struct client_dnsstub_config cfg = { .listen = listen,
					     .upstreams = up };
	char err[256];

	cfg.n_upstreams = pick_upstreams(r, itf, up);
	if (!cfg.n_upstreams)
		return -EINVAL;
	if (add_sentinels(r, cfg.n_upstreams))
		return -EIO;
	for (size_t i = 0; i < r->n_sentinels; i++)
		to_sockaddr(&r->sentinels[i], 53, &listen[i]);
	cfg.n_listen = r->n_sentinels;
	r->stub = client_dnsstub_new(&r->d->loop, &cfg, r->mapped, &stub_ops, r,
				     err, sizeof(err));
	if (!r->stub) {
		daemon_log(r->d, "cannot start the DNS stub: %s", err);
		return -EIO;
	}
	daemon_log(r->d, "dns: stub on %zu sentinels, %zu upstreams",
		   r->n_sentinels, cfg.n_upstreams);
	return 0;
}

/*
 * A later init (after a reconnect) may name other upstreams: the stub
 * asks them from now on. Its sentinels stay: each answers for every
 * upstream, so their number need not follow. None usable: the old stay.
 */
static void set_upstreams(struct role_client *r,
			  const struct proto_sig_interface *itf)
{
	char list[MAX_SENTINELS * (FZ_SOCKADDR_TEXT_MAX + 2)],
		one[FZ_SOCKADDR_TEXT_MAX];
	struct sockaddr_storage up[MAX_SENTINELS];
	size_t n = pick_upstreams(r, itf, up), pos = 0;

	if (!n) {
		daemon_log(r->d,
			   "dns: the upstream resolvers stay as they were");
		return;
	}
	if (client_dnsstub_set_upstreams(r->stub, up, n) != 1)
		return;
	for (size_t i = 0; i < n; i++) {
		fz_sockaddr_format(one, &up[i]);
		pos += (size_t)snprintf(list + pos, sizeof(list) - pos, "%s%s",
					i ? ", " : "", one);
	}
	daemon_log(r->d, "dns: the stub now asks %s (%s)", list,
		   itf->n_upstream_dns ? "the portal's init" :
					 "the system's resolvers");
}

static int apply_sysdns(struct role_client *r)
{
	char err[256];
	int ret;

	r->sys.servers = r->sentinels;
	r->sys.n_servers = r->n_sentinels;
	ret = client_sysdns_apply(&r->sys, err, sizeof(err));
	if (ret) {
		daemon_log(r->d,
			   "cannot point the system's DNS at the stub: %s",
			   err);
		return ret;
	}
	r->sys_applied = r->sys.mode != CLIENT_SYSDNS_NONE;
	if (r->sys_applied)
		daemon_log(r->d, "dns: system DNS set (%s)",
			   client_sysdns_mode_name(r->sys.mode));
	return 0;
}

/* --- The init --- */

static int fixed_routes(struct role_client *r, bool add);

/* 1: changed (the routes must follow), 0: as they were, or -errno. */
static int set_addresses(struct role_client *r,
			 const struct proto_sig_interface *itf)
{
	struct fz_cidr want[2] = { itf->ipv4, itf->ipv6 };
	int ret;

	want[0].cidr = 32;
	want[1].cidr = 128;
	if (r->has_addrs && fz_cidr_equal(&r->addrs[0], &want[0]) &&
	    fz_cidr_equal(&r->addrs[1], &want[1]))
		return 0;
	/* The routes name them as their source: the old ones go first. */
	if (r->initialized)
		fixed_routes(r, false);
	for (size_t i = 0; r->has_addrs && i < 2; i++)
		fzk_link_del_address(r->d->ifindex, &r->addrs[i]);
	r->has_addrs = false;
	for (size_t i = 0; i < 2; i++) {
		ret = i ? fzk_link_add_address_nodad(r->d->ifindex, &want[i]) :
			  fzk_link_add_addresses(r->d->ifindex, &want[i], 1,
						 NULL);
		if (ret && ret != -EEXIST) {
			daemon_log(r->d, "cannot add the tunnel address: %s",
				   strerror(-ret));
			return ret;
		}
	}
	memcpy(r->addrs, want, sizeof(want));
	r->has_addrs = true;
	return 1;
}

/* The mapped ranges go through the interface; held until a gateway. */
static int fixed_routes(struct role_client *r, bool add)
{
	struct fz_cidr v4 = { .family = AF_INET,
			      .cidr = 11,
			      .addr = { 100, 96 } };
	struct fz_cidr v6 = { .family = AF_INET6,
			      .cidr = 107,
			      .addr = { 0xfd, 0x00, 0x20, 0x21, 0x11, 0x11,
					0x80, 0x00 } };
	int ret = op_route(r, &v4, add);

	if (!ret || !add)
		ret = op_route(r, &v6, add);
	if (ret && add)
		daemon_log(r->d, "cannot route the mapped ranges: %s",
			   strerror(-ret));
	return ret;
}

static void fatal(struct role_client *r, const char *why)
{
	daemon_log(r->d, "exiting: %s", why);
	daemon_stop(r->d, FZ_CLI_EXIT_FAILURE);
}

static void on_init(struct role_client *r,
		    const struct proto_sig_client_init *m)
{
	const struct proto_sig_interface *itf = &m->interface;
	int changed;

	if (itf->ipv4.family != AF_INET || itf->ipv6.family != AF_INET6 ||
	    !fz_cidr_in_tunnel(&itf->ipv4) || !fz_cidr_in_tunnel(&itf->ipv6)) {
		daemon_log(r->d,
			   "portal: init refused, nothing changed: its "
			   "tunnel addresses are not in the tunnel ranges");
		return;
	}
	changed = set_addresses(r, itf);
	if (changed < 0) {
		fatal(r, "cannot set the tunnel addresses");
		return;
	}
	if (r->initialized && changed) {
		daemon_log(r->d,
			   "portal: new tunnel addresses; routes set again");
		fixed_routes(r, true);
		client_res_reroute(r->res);
	}
	if (!r->initialized) {
		if (fixed_routes(r, true) || start_stub(r, itf) ||
		    apply_sysdns(r)) {
			fatal(r, "cannot set up the client's DNS and routes");
			return;
		}
	} else {
		set_upstreams(r, itf);
	}
	client_res_init(r->res, m);
	r->initialized = true;
}

/* --- struct signal_ops --- */

static int sig_join(void *ctx, struct proto_sig_msg *out)
{
	struct role_client *r = ctx;
	struct proto_sig_client_join *j = &out->client_join;
	const uint8_t *key = wg_hs_public_key(r->d->hs);

	if (!key)
		return -ENODATA;
	out->kind = PROTO_SIG_CLIENT_JOIN;
	memset(j, 0, sizeof(*j));
	memcpy(j->public_key, key, FZ_KEY_LEN);
	if (gethostname(r->hostname, sizeof(r->hostname) - 1))
		snprintf(r->hostname, sizeof(r->hostname), "%s", "client");
	j->name = r->hostname;
	j->version = FZ_AGENT_NAME " " FZ_AGENT_VERSION;
	return 0;
}

static void signed_out(struct role_client *r, const char *why)
{
	r->signed_out = true;
	daemon_log(r->d, "signed out: sign in again (%s)", why);
	daemon_stop(r->d, FZ_CLI_EXIT_FAILURE);
}

static void sig_message(void *ctx, const struct proto_sig_msg *m)
{
	struct role_client *r = ctx;

	if (r->d->stopping)
		return;
	switch (m->kind) {
	case PROTO_SIG_CLIENT_INIT:
		on_init(r, &m->client_init);
		break;
	case PROTO_SIG_INIT_DONE:
		client_res_init_done(r->res);
		break;
	case PROTO_SIG_AUTHORIZATION_CREATED:
		client_res_authorized(r->res, &m->authorization_created);
		break;
	case PROTO_SIG_AUTHORIZATION_CREATION_FAILED:
		client_res_refused(r->res, &m->authorization_creation_failed);
		break;
	case PROTO_SIG_RESOURCE_CREATED_OR_UPDATED:
		client_res_upsert(r->res, &m->resource_created_or_updated);
		break;
	case PROTO_SIG_RESOURCE_DELETED:
		client_res_delete(r->res, &m->resource_deleted.id);
		break;
	case PROTO_SIG_DISCONNECT:
		signed_out(r, m->disconnect.reason ? m->disconnect.reason :
						     "the portal disconnected "
						     "this client");
		break;
	case PROTO_SIG_REPLY:
		if (m->reply.status == PROTO_SIG_ERROR)
			daemon_log(r->d, "portal: a request was refused: %s",
				   m->reply.reason ? m->reply.reason :
						     "no reason given");
		break;
	default:
		daemon_log(r->d, "portal: unexpected %s; ignored",
			   proto_sig_event_name(m->kind));
	}
}

static void sig_state(void *ctx, enum signal_state st, const char *why)
{
	struct role_client *r = ctx;
	bool was = r->joined;

	r->joined = st == SIGNAL_JOINED;
	if (st == SIGNAL_JOINED)
		daemon_log(r->d, "portal: joined; waiting for its init");
	else if (st == SIGNAL_CONNECTING && was)
		daemon_log(r->d,
			   "portal: connection lost (%s); keeping every "
			   "gateway until its expiry; reconnecting",
			   why ? why : "no reason given");
	else if (st == SIGNAL_REFUSED && !r->d->stopping)
		signed_out(r, why ? why : "the portal refused the token");
}

static void sig_log(void *ctx, const char *line)
{
	struct role_client *r = ctx;

	daemon_log(r->d, "portal: %s", line);
}

static const struct signal_ops sig_ops = {
	.join = sig_join,
	.message = sig_message,
	.state = sig_state,
	.log = sig_log,
};

/* --- Life cycle --- */

/*
 * PEER_QUIET needs a session: a gateway that dies before answering our
 * handshake (the portal still lists it until its heartbeats stop) would
 * hold its resources for the 90 s of retries. One that has answered no
 * handshake for the gateway timeout is dead as well.
 */
static void check_handshakes(struct role_client *r)
{
	uint8_t dead[CLIENT_RES_MAX_GATEWAYS][FZ_KEY_LEN];
	uint64_t now = fz_clock_boot_ns(),
		 limit = r->res->gateway_timeout * 1000000000ULL;
	size_t n = 0;

	for (size_t i = 0; i < r->res->n_gws; i++) {
		const struct client_res_gateway *g = r->res->gws[i];
		struct wg_hs_peer *p = wg_hs_find(r->d->hs, g->public_key);

		if (g->installed && p && p->attempt_start_ns &&
		    now - p->attempt_start_ns >= limit)
			memcpy(dead[n++], g->public_key, FZ_KEY_LEN);
	}
	for (size_t i = 0; i < n; i++)
		client_res_gateway_dead(r->res, dead[i],
					"answered no handshake");
}

static void on_tick(uv_timer_t *t)
{
	struct role_client *r = t->data;

	if (r->d->stopping)
		return;
	check_handshakes(r);
	client_res_tick(r->res);
}

static void map_log(void *ctx, const char *line)
{
	struct role_client *r = ctx;

	daemon_log(r->d, "dns: %s", line);
}

static int cl_create(struct daemon *d)
{
	struct role_client *r = client_of(d);
	const struct signal_config cfg = {
		.url = r->opts.url,
		.role = PROTO_SIG_CLIENT,
		.ca_file = r->opts.ca_file,
	};
	char err[256];

	r->d = d;
	r->mapped = client_mapped_new(0, map_log, r);
	r->res = r->mapped ? client_res_new(&res_ops, r, r->mapped) : NULL;
	if (!r->res || uv_timer_init(&d->loop, &r->tick)) {
		fz_cli_error(d->cmd, "out of memory");
		return -ENOMEM;
	}
	r->res->gateway_timeout = r->opts.gateway_timeout - CLIENT_RES_MOVE_S;
	r->tick.data = r;
	r->tick_ready = true;
	r->sig = signal_new(&d->loop, &cfg, r->token, &sig_ops, r, err,
			    sizeof(err));
	if (!r->sig) {
		fz_cli_error(d->cmd, "%s: %s", r->opts.url, err);
		return -EINVAL;
	}
	return 0;
}

/* An earlier client's gateways go: the portal's init says what is ours. */
static int cl_prune(struct daemon *d, char *err, size_t errlen)
{
	(void)d;
	(void)err;
	(void)errlen;
	return 0;
}

/* systemd-resolved's stub (127.0.0.53) will ask us: its upstreams. */
static const char *upstreams_path(const struct role_client *r)
{
	if (r->opts.resolv_conf)
		return r->opts.resolv_conf;
	return r->sys.mode == CLIENT_SYSDNS_RESOLVED ? RESOLVED_UPSTREAMS :
						       NULL;
}

static int cl_start(struct daemon *d)
{
	struct role_client *r = client_of(d);
	struct client_sysdns_config recover;
	char err[256];
	int ret;

	r->sys.mode = (enum client_sysdns_mode)r->opts.dns_control;
	r->sys.resolv_conf = r->opts.resolv_conf;
	r->sys.state_file = r->opts.state_file;
	r->sys.ifname = d->ifname;
	/*
	 * A run that died left its resolv.conf: the original back first,
	 * whatever this run's mode (an earlier run's was resolv-conf).
	 */
	recover = r->sys;
	recover.mode = CLIENT_SYSDNS_RESOLV_CONF;
	ret = client_sysdns_recover(&recover, err, sizeof(err));
	if (ret < 0) {
		fz_cli_error(d->cmd, "%s", err);
		return ret;
	}
	if (ret > 0)
		daemon_log(d, "dns: restored the resolv.conf a previous run "
			      "left");
	r->n_sys_servers = client_sysdns_read_servers(
		upstreams_path(r), r->sys_servers, CLIENT_DNS_MAX_UPSTREAMS);
	ret = kernel_result(d, fzk_set_hold(d->nl, d->ifindex, true),
			    "cannot hold packets for unknown destinations");
	if (ret) {
		fz_cli_error(d->cmd, "fz.ko refused FZ_A_HOLD: %s",
			     strerror(-ret));
		return ret;
	}
	uv_timer_start(&r->tick, on_tick, TICK_MS, TICK_MS);
	ret = signal_start(r->sig);
	if (ret) {
		fz_cli_error(d->cmd, "cannot reach the portal: %s",
			     strerror(-ret));
		return ret;
	}
	daemon_log(d, "portal: connecting to %s", r->opts.url);
	return 0;
}

/* Everything goes: the link with its routes and addresses, the DNS. */
static void cl_stop(struct daemon *d)
{
	struct role_client *r = client_of(d);
	char err[256];

	if (r->sig)
		signal_close(r->sig);
	r->sig = NULL;
	if (r->tick_ready)
		uv_close((uv_handle_t *)&r->tick, NULL);
	r->tick_ready = false;
	if (r->sys_applied && client_sysdns_revert(&r->sys, err, sizeof(err)))
		daemon_log(d, "cannot restore the system's DNS: %s", err);
	else if (r->sys_applied)
		daemon_log(d, "dns: system DNS restored");
	r->sys_applied = false;
	if (r->stub)
		client_dnsstub_close(r->stub);
	r->stub = NULL;
	if (d->ifindex && d->nl) {
		client_res_clear(r->res);
		if (!fzk_link_delete(d->ifindex))
			daemon_log(d, "removed the interface, its routes and "
				      "addresses");
	}
}

static bool cl_keeps_peer(struct daemon *d, const uint8_t key[FZ_KEY_LEN])
{
	struct role_client *r = client_of(d);

	return r->res && client_res_is_gateway(r->res, key);
}

static const char *cl_reload_path(struct daemon *d)
{
	(void)d;
	return NULL;
}

static int cl_nothing(struct daemon *d, char *err, size_t errlen)
{
	(void)d;
	(void)err;
	(void)errlen;
	return 0;
}

static int cl_check_config(struct daemon *d, const struct conf *cfg, char *err,
			   size_t errlen)
{
	(void)d;
	(void)cfg;
	(void)err;
	(void)errlen;
	return 0;
}

static void cl_reload_end(struct daemon *d)
{
	(void)d;
}

/* The gateways' peers are the portal's: `fzagent set` keeps off them. */
static int cl_check_set(struct daemon *d, const struct conf *cfg, char *msg,
			size_t msglen)
{
	struct role_client *r = client_of(d);
	char b64[FZ_KEY_B64_LEN + 1];

	for (size_t i = 0; i < cfg->n_peers; i++) {
		if (!client_res_is_gateway(r->res, cfg->peers[i].public_key))
			continue;
		fz_key_to_base64(b64, cfg->peers[i].public_key);
		snprintf(msg, msglen,
			 "peer %s is a gateway the portal gave this client: "
			 "'fzagent set' does not touch it",
			 b64);
		return -EPERM;
	}
	return 0;
}

static void cl_event(struct daemon *d, const struct fzk_event *ev)
{
	struct role_client *r = client_of(d);
	struct fz_cidr dst = { .family = ev->flow.family };

	if (ev->cmd == FZ_CMD_EVT_CONTROL) {
		client_res_control(r->res, ev->peer_key, ev->packet,
				   ev->packet_len);
		return;
	}
	if (dst.family != AF_INET && dst.family != AF_INET6)
		return;
	dst.cidr = dst.family == AF_INET ? 32 : 128;
	memcpy(dst.addr, ev->flow.daddr, dst.family == AF_INET ? 4 : 16);
	if (ev->cmd == FZ_CMD_EVT_UNKNOWN_DEST)
		client_res_unknown_dest(r->res, &dst);
	else if (ev->cmd == FZ_CMD_EVT_DENIED_FLOW &&
		 ev->reason == FZ_REASON_PEER_PROHIBITED)
		client_res_prohibited(r->res, ev->peer_key, &dst);
}

static bool cl_peer_quiet(struct daemon *d, const uint8_t key[FZ_KEY_LEN])
{
	return client_res_gateway_quiet(client_of(d)->res, key);
}

static int cl_ctl(struct daemon *d, enum ctl_verb verb, int argc, char **argv,
		  char *msg, size_t msglen)
{
	struct role_client *r = client_of(d);
	bool json = argc > 1 && !strcmp(argv[1], "json");
	int ret;

	if (verb != CTL_VERB_CLIENT_SHOW) {
		snprintf(msg, msglen,
			 "this is a client: its gateways and "
			 "resources come from the portal");
		return -EPERM;
	}
	ret = client_res_format(r->res, json, msg, msglen);
	if (ret == -ENOSPC) {
		snprintf(msg, msglen, "too much to show in one answer");
		return -ENOSPC;
	}
	return ret < 0 ? ret : 0;
}

static const struct daemon_role_ops role_client_ops = {
	.name = "client",
	.create = cl_create,
	.prune = cl_prune,
	.start = cl_start,
	.stop = cl_stop,
	.keeps_peer = cl_keeps_peer,
	.reload_path = cl_reload_path,
	.reload_read = cl_nothing,
	.check_config = cl_check_config,
	.reload = cl_nothing,
	.resync = cl_nothing,
	.reload_end = cl_reload_end,
	.check_set = cl_check_set,
	.event = cl_event,
	.peer_quiet = cl_peer_quiet,
	.ctl = cl_ctl,
	.removes_link = true,
};

static void cl_free(struct role_client *r)
{
	client_res_free(r->res);
	client_mapped_free(r->mapped);
	if (r->token)
		sodium_free(r->token); /* wipes it */
	free(r);
}

int daemon_client(const char *ifname, struct conf *cfg,
		  const struct daemon_client_opts *opts, char *token)
{
	struct role_client *r = calloc(1, sizeof(*r));
	size_t len = strlen(token);
	int status;

	if (r)
		r->token = sodium_malloc(len + 1);
	if (!r || !r->token) {
		sodium_memzero(token, len);
		if (r)
			cl_free(r);
		conf_free(cfg);
		fz_cli_error("client", "out of memory");
		return FZ_CLI_EXIT_FAILURE;
	}
	memcpy(r->token, token, len + 1);
	sodium_memzero(token, len);
	r->role.ops = &role_client_ops;
	r->opts = *opts;
	if (!r->opts.gateway_timeout)
		r->opts.gateway_timeout = CLIENT_RES_GATEWAY_TIMEOUT;
	status = daemon_run("client", ifname, NULL, cfg, &r->role);
	cl_free(r);
	return status;
}
