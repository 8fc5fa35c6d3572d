// SPDX-License-Identifier: GPL-2.0
/*
 * Configuration of a running agent: bringing the kernel and the
 * handshake state to a config file (at startup and on SIGHUP), and
 * `fzagent set` words. The kernel is changed first and the handshake
 * state only where the kernel agreed, so the two never disagree about
 * which peers exist.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/msg.h>
#include <sodium.h>

#include "apply.h"
#include "daemon_int.h"
#include "plan.h"
#include "role.h"
#include "conf/config.h"
#include "fzk/device.h"
#include "fzk/kernel.h"
#include "fzk/nl.h"
#include "lib/keyindex.h"
#include "lib/keys.h"
#include "wg/handshake.h"

/* --- Identity --- */

static bool same_identity(struct daemon *d, const uint8_t priv[FZ_KEY_LEN])
{
	uint8_t pub[FZ_KEY_LEN];
	const uint8_t *cur = wg_hs_public_key(d->hs);

	return cur && !fz_key_public_from_private(pub, priv) &&
	       !memcmp(pub, cur, FZ_KEY_LEN);
}

static int set_identity(struct daemon *d, const uint8_t priv[FZ_KEY_LEN],
			char *err, size_t errlen)
{
	int ret = wg_hs_set_private_key(d->hs, priv);

	if (ret == -EEXIST)
		snprintf(err, errlen,
			 "a peer has the public key of this private key");
	else if (ret)
		snprintf(err, errlen, "cannot use the private key: %s",
			 ret == -EINVAL ? "invalid key" : strerror(-ret));
	return ret;
}

/* A new identity: every peer we can reach hears from it now. */
static void rekey_all(struct daemon *d)
{
	struct wg_hs_peer *peer;
	struct fzk_device_view dev;

	if (daemon_dump(d, &dev)) {
		fzk_device_view_free(&dev);
		return;
	}
	for (size_t i = 0; i < dev.n_peers; i++) {
		peer = wg_hs_find(d->hs, dev.peers[i].public_key);
		if (peer && dev.peers[i].endpoint.ss_family != AF_UNSPEC)
			wg_hs_initiate(d->hs, peer, WG_HS_REASON_NEW_IDENTITY);
	}
	fzk_device_view_free(&dev);
}

/* --- Config files --- */

static int sync_device(struct daemon *d, const struct daemon_plan *plan,
		       const uint8_t *public_key, char *err, size_t errlen)
{
	struct fzk_device_update u = {
		.public_key = public_key,
		.has_listen_port = plan->set_listen_port,
		.listen_port = plan->listen_port,
		.has_fwmark = plan->set_fwmark && plan->fwmark,
		.fwmark = plan->fwmark,
	};
	int ret;

	if (plan->set_fwmark && !plan->fwmark)
		u.flags |= FZ_DEVICE_F_REMOVE_FWMARK;
	ret = daemon_check(d, fzk_set_device(d->nl, d->ifindex, &u));
	if (ret)
		daemon_apply_error(err, errlen, d->nl, ret,
				   "cannot set the device settings");
	return ret;
}

/* A peer as the file has it: what it leaves out is off (no keepalive). */
static struct nl_msg *peer_request(struct daemon *d,
				   const struct daemon_plan_peer *pp)
{
	struct fzk_peer_update u;
	int family = fzk_nl_family(d->nl);

	if (pp->op == DAEMON_PLAN_DELETE)
		return fzk_msg_del_peer(family, d->ifindex,
					pp->dev->public_key);
	daemon_apply_peer_update(&u, pp->cfg, 0, pp->skip_endpoint);
	u.has_keepalive = true;
	return fzk_msg_set_peer(family, d->ifindex, &u);
}

struct kernel_peers {
	const struct daemon_plan *plan;
	size_t failed; /* the first refused peer's index, if any */
	int err;
};

/* Removing a peer that is already gone is what we wanted. */
static int peer_result(void *ctx, size_t i, int err)
{
	struct kernel_peers *kp = ctx;

	if (err == -ENOENT && kp->plan->peers[i].op == DAEMON_PLAN_DELETE)
		return 0;
	if (err && !kp->err) {
		kp->err = err;
		kp->failed = i;
	}
	return err;
}

/*
 * The config file is the truth: a peer without a PresharedKey has none,
 * one without PersistentKeepalive sends none. Only a learned endpoint
 * outranks it (see plan.h). This is the kernel's half, in batches of
 * requests (10,000 peers cost a few hundred round trips, not 10,000);
 * peer_state() is the handshake state's, once the kernel took every
 * peer. *sent counts the peers the kernel was asked about: after a
 * failure, others in its batch may have been changed too.
 */
static int kernel_peers(struct daemon *d, const struct daemon_plan *plan,
			size_t *sent, char *err, size_t errlen)
{
	struct kernel_peers kp = { .plan = plan };
	struct fzk_nl_batch *b = fzk_nl_batch_new(d->nl, peer_result, &kp);
	const struct daemon_plan_peer *pp;
	int ret = b ? 0 : -ENOMEM;
	char id[9];

	for (size_t i = 0; !ret && i < plan->n_peers; i++) {
		struct nl_msg *msg = peer_request(d, &plan->peers[i]);

		ret = msg ? fzk_nl_batch_add(b, msg) : -ENOMEM;
		nlmsg_free(msg);
	}
	if (b && !ret)
		ret = fzk_nl_batch_flush(b);
	*sent = b ? fzk_nl_batch_sent(b) : 0;
	fzk_nl_batch_free(b);
	if (!ret)
		return 0;
	if (ret != kp.err) { /* not a peer's error: the transport's */
		daemon_apply_error(err, errlen, NULL, daemon_check(d, ret),
				   "cannot configure the peers");
		return ret;
	}
	pp = &plan->peers[kp.failed];
	fz_peer_id(id, pp->cfg ? pp->cfg->public_key : pp->dev->public_key);
	daemon_apply_error(err, errlen, d->nl, daemon_check(d, kp.err),
			   "cannot %s peer %s",
			   pp->op == DAEMON_PLAN_DELETE ? "remove" : "set", id);
	return kp.err;
}

static int peer_state(struct daemon *d, const struct daemon_plan_peer *pp,
		      char *err, size_t errlen)
{
	struct wg_hs_peer *peer;
	int ret;

	if (pp->op == DAEMON_PLAN_DELETE) {
		wg_hs_remove_peer(d->hs, pp->dev->public_key);
		return 0;
	}
	ret = wg_hs_add_peer(d->hs, pp->cfg->public_key, NULL, &peer);
	if (!ret)
		wg_hs_set_psk(peer, pp->cfg->has_preshared_key ?
					    pp->cfg->preshared_key :
					    NULL);
	else
		snprintf(err, errlen, "cannot add a peer: %s", strerror(-ret));
	return ret;
}

/* --- Undoing a refused reload --- */

/* A peer as the dump showed it: allowed IPs, endpoint, keepalive. */
static int restore_peer(struct daemon *d, const struct fzk_peer_view *dp)
{
	struct fz_cidr *aips = calloc(dp->n_allowedips + 1, sizeof(*aips));
	struct fzk_peer_update u = {
		.public_key = dp->public_key,
		.has_keepalive = true,
		.persistent_keepalive = dp->persistent_keepalive,
		.allowed_ips = aips,
		.n_allowed_ips = dp->n_allowedips,
		.flags = FZ_PEER_F_REPLACE_ALLOWEDIPS |
			 (dp->flags & FZ_PEER_F_GATEWAY_CLIENT),
	};
	int ret;

	if (!aips)
		return -ENOMEM;
	for (size_t i = 0; i < dp->n_allowedips; i++) {
		const struct fzk_allowedip_view *a = &dp->allowedips[i];

		aips[i].family = a->family;
		aips[i].cidr = a->cidr;
		memcpy(aips[i].addr, &a->addr, a->family == AF_INET ? 4 : 16);
	}
	if (dp->endpoint.ss_family != AF_UNSPEC)
		u.endpoint = &dp->endpoint;
	ret = fzk_set_peer(d->nl, d->ifindex, &u);
	free(aips);
	return ret;
}

/*
 * The first done peers of the plan (those the kernel was asked about,
 * whether it refused them or not: putting back a peer that did not
 * change is harmless) back as the dump had them, then the device. A
 * removed peer comes back without its session keys, which fz.ko freed:
 * it handshakes again.
 */
static void undo(struct daemon *d, const struct fzk_device_view *dev,
		 const struct daemon_plan *plan, size_t done)
{
	struct fzk_device_update u = {
		.public_key = dev->has_public_key ? dev->public_key : NULL,
		.has_listen_port = plan->set_listen_port,
		.listen_port = dev->listen_port,
		.has_fwmark = plan->set_fwmark && dev->fwmark,
		.fwmark = dev->fwmark,
	};
	size_t failed = 0, readded = 0;

	for (size_t i = done; i-- > 0;) {
		const struct daemon_plan_peer *pp = &plan->peers[i];
		int ret;

		if (pp->op == DAEMON_PLAN_ADD)
			ret = fzk_del_peer(d->nl, d->ifindex,
					   pp->cfg->public_key);
		else
			ret = restore_peer(d, pp->dev);
		failed += ret && ret != -ENOENT;
		readded += pp->op == DAEMON_PLAN_DELETE;
	}
	if (plan->set_fwmark && !dev->fwmark)
		u.flags |= FZ_DEVICE_F_REMOVE_FWMARK;
	if (fzk_set_device(d->nl, d->ifindex, &u))
		failed++;
	daemon_log(d,
		   "put back what was changed before the error: %zu peers "
		   "(%zu removed ones without their sessions) and the device "
		   "settings%s",
		   done, readded, failed ? "; some could not be put back" : "");
}

/*
 * Handshake state of peers the kernel lost on its own goes too. Without
 * memory for the index nothing is dropped: stale state is harmless, a
 * lost peer's is not.
 */
static void drop_unconfigured(struct daemon *d, const struct conf *cfg)
{
	struct fz_keyindex in_cfg;
	size_t i = 0;

	if (fz_keyindex_of(&in_cfg, cfg->peers, cfg->n_peers, public_key))
		return;
	while (i < wg_hs_n_peers(d->hs)) {
		struct wg_hs_peer *peer = wg_hs_peer_at(d->hs, i);

		if (fz_keyindex_find(&in_cfg, wg_hs_peer_key(peer)) >= 0 ||
		    daemon_keeps_peer(d, wg_hs_peer_key(peer)))
			i++;
		else
			wg_hs_remove_peer(d->hs, wg_hs_peer_key(peer));
	}
	fz_keyindex_free(&in_cfg);
}

/* Indices of the kernel's keypairs must not be handed out again. */
static void reserve_indices(struct daemon *d, const struct fzk_device_view *dev)
{
	uint32_t *v =
		calloc(dev->n_peers * FZK_DEVICE_MAX_KEYPAIRS + 1, sizeof(*v));
	size_t n = 0;

	if (!v)
		return;
	for (size_t i = 0; i < dev->n_peers; i++)
		for (size_t k = 0; k < dev->peers[i].n_keypairs; k++)
			v[n++] = dev->peers[i].keypairs[k].local_index;
	wg_hs_reserve_indices(d->hs, v, n);
	free(v);
}

/* Peers that keep a NAT mapping open start at once, as in WireGuard. */
static void start_keepalive_peers(struct daemon *d,
				  const struct daemon_plan *plan)
{
	for (size_t i = 0; i < plan->n_peers; i++) {
		const struct daemon_plan_peer *pp = &plan->peers[i];
		struct wg_hs_peer *peer;

		if (pp->op == DAEMON_PLAN_DELETE || pp->has_current ||
		    !pp->cfg->has_endpoint || !pp->cfg->persistent_keepalive)
			continue;
		peer = wg_hs_find(d->hs, pp->cfg->public_key);
		if (peer)
			wg_hs_initiate(d->hs, peer, WG_HS_REASON_KEEPALIVE);
	}
}

static void log_sync(struct daemon *d, const struct daemon_plan *plan,
		     bool startup, bool created)
{
	if (created)
		daemon_log(d, "created the interface with %zu peers",
			   plan->n_add);
	else if (startup)
		daemon_log(d,
			   "adopted existing %s with %zu peers and %zu live "
			   "keypairs (%zu added, %zu removed)",
			   d->ifname, plan->n_keep, plan->n_keypairs,
			   plan->n_add, plan->n_delete);
	else
		daemon_log(d, "reloaded %s: %zu peers (%zu added, %zu removed)",
			   d->config_path, plan->n_add + plan->n_keep,
			   plan->n_add, plan->n_delete);
}

/* A new private key must be a key, and not one of a peer's. */
static int check_identity(struct daemon *d, const struct conf *cfg,
			  uint8_t pub[FZ_KEY_LEN], char *err, size_t errlen)
{
	if (fz_key_public_from_private(pub, cfg->private_key)) {
		snprintf(err, errlen,
			 "cannot use the private key: invalid key");
		return -EINVAL;
	}
	for (size_t i = 0; i < cfg->n_peers; i++)
		if (!memcmp(cfg->peers[i].public_key, pub, FZ_KEY_LEN))
			goto taken;
	if (wg_hs_find(d->hs, pub))
		goto taken;
	return 0;
taken:
	snprintf(err, errlen, "a peer has the public key of this private key");
	return -EEXIST;
}

/*
 * All or nothing: the kernel takes the device settings and the new public
 * key in one request, which fails before changing anything (a listen
 * port in use, say); then every peer; only when the kernel took it all
 * does the handshake state take the new private key and the peers. What
 * the kernel refuses part way is undone from the dump. Were the private
 * key taken first, a refused request would leave the agent answering
 * with a key the kernel's mac1 checks do not match, and every handshake
 * would fail.
 */
static int apply_plan(struct daemon *d, const struct conf *cfg,
		      const struct daemon_plan *plan,
		      const struct fzk_device_view *dev, bool *new_identity,
		      char *err, size_t errlen)
{
	const uint8_t *cur = wg_hs_public_key(d->hs);
	uint8_t pub[FZ_KEY_LEN];
	size_t sent = 0;
	int ret = 0;

	*new_identity = !same_identity(d, cfg->private_key);
	if (*new_identity)
		ret = check_identity(d, cfg, pub, err, errlen);
	if (!ret)
		ret = sync_device(d, plan, *new_identity ? pub : cur, err,
				  errlen);
	if (ret)
		return ret; /* nothing changed */
	ret = kernel_peers(d, plan, &sent, err, errlen);
	if (!ret && *new_identity)
		ret = set_identity(d, cfg->private_key, err, errlen);
	if (ret) {
		if (!d->stopping)
			undo(d, dev, plan, sent);
		return ret;
	}
	for (size_t i = 0; !ret && i < plan->n_peers; i++)
		ret = peer_state(d, &plan->peers[i], err, errlen);
	if (!ret)
		drop_unconfigured(d, cfg);
	return ret;
}

int daemon_sync(struct daemon *d, const struct conf *cfg, bool startup,
		bool created)
{
	char err[512] = "";
	struct fzk_device_view dev;
	struct daemon_plan plan = { 0 };
	bool new_identity = false;
	int ret;

	ret = daemon_dump(d, &dev);
	if (ret)
		daemon_apply_error(err, sizeof(err), d->nl, ret,
				   "cannot read the interface");
	if (!ret) {
		ret = daemon_plan_adopt_keeping(&dev, cfg, daemon_keeps_peer, d,
						&plan);
		if (ret)
			snprintf(err, sizeof(err), "out of memory");
	}
	if (!ret)
		ret = apply_plan(d, cfg, &plan, &dev, &new_identity, err,
				 sizeof(err));
	if (!ret) {
		reserve_indices(d, &dev);
		log_sync(d, &plan, startup, created);
		if (startup)
			start_keepalive_peers(d, &plan);
		else if (new_identity)
			rekey_all(d);
	} else if (startup) {
		fprintf(stderr, "fzagent: %s: %s: %s\n", d->cmd, d->ifname,
			err);
	} else {
		daemon_log(d, "%s", err);
	}
	daemon_plan_free(&plan);
	fzk_device_view_free(&dev);
	return ret;
}

/*
 * Both files are read and checked before anything changes; a bad line in
 * either changes nothing. The gateway's clients go first, so that a
 * client that became a [Peer] is a plain peer again when config sync
 * adds it, and the authorizations come last, onto the synced peers.
 */
void daemon_reload(struct daemon *d)
{
	const struct daemon_role_ops *role = d->role ? d->role->ops : NULL;
	const char *path = role ? role->reload_path(d) : NULL;
	struct conf cfg;
	char err[512] = "";
	int ret = 0;

	if (!d->config_path) {
		daemon_log(d, "SIGHUP: nothing to reload (no config file)");
		return;
	}
	daemon_log(d, "SIGHUP: reloading %s%s%s", d->config_path,
		   path ? " and " : "", path ? path : "");
	if (conf_parse_file(d->config_path, &cfg, err, sizeof(err))) {
		daemon_log(d, "reload failed, nothing changed: %s", err);
		return;
	}
	if (role)
		ret = role->reload_read(d, err, sizeof(err));
	if (!ret && role)
		ret = role->check_config(d, &cfg, err, sizeof(err));
	if (!ret && (!cfg.has_private_key ||
		     sodium_is_zero(cfg.private_key, FZ_KEY_LEN))) {
		snprintf(err, sizeof(err), "%s has no PrivateKey",
			 d->config_path);
		ret = -EINVAL;
	}
	if (ret) {
		daemon_log(d, "reload failed, nothing changed: %s", err);
	} else if ((role && role->reload(d, err, sizeof(err))) ||
		   daemon_sync(d, &cfg, false, false) ||
		   (role && role->resync(d, err, sizeof(err)))) {
		if (*err)
			daemon_log(d, "%s", err);
		daemon_log(d, "reload failed part way; fix the file and "
			      "send SIGHUP again");
	}
	if (role)
		role->reload_end(d);
	conf_free(&cfg);
}

bool daemon_keeps_peer(void *ctx, const uint8_t *key)
{
	struct daemon *d = ctx;

	return d->role && d->role->ops->keeps_peer(d, key);
}

/* --- `fzagent set` --- */

struct set_ctx {
	struct daemon *d;
	bool new_identity;
};

/* The kernel took the peer: now the handshake state follows. */
static void set_peer_done(void *ctx, const struct conf_peer *p, bool skipped)
{
	struct set_ctx *sc = ctx;
	struct daemon *d = sc->d;
	struct wg_hs_peer *peer;
	bool is_new;
	int ret;

	if (p->remove) {
		wg_hs_remove_peer(d->hs, p->public_key);
		return;
	}
	if (skipped)
		return;
	is_new = !wg_hs_find(d->hs, p->public_key);
	ret = wg_hs_add_peer(d->hs, p->public_key,
			     p->has_preshared_key ? p->preshared_key : NULL,
			     &peer);
	if (ret) {
		daemon_log(d, "cannot add a peer: %s", strerror(-ret));
		return;
	}
	if (!is_new && p->has_preshared_key)
		wg_hs_set_psk(peer, p->preshared_key);
	if (is_new && !sc->new_identity && p->has_endpoint &&
	    p->persistent_keepalive)
		wg_hs_initiate(d->hs, peer, WG_HS_REASON_KEEPALIVE);
}

/* The private key must be a usable key and not one of a peer's. */
static int check_private_key(struct daemon *d, const struct conf *cfg,
			     uint8_t pub[FZ_KEY_LEN], char *msg, size_t msglen)
{
	if (sodium_is_zero(cfg->private_key, FZ_KEY_LEN)) {
		snprintf(msg, msglen,
			 "a running agent cannot do without a private key; "
			 "use 'fzagent down' to stop it");
		return -EINVAL;
	}
	if (fz_key_public_from_private(pub, cfg->private_key)) {
		snprintf(msg, msglen, "invalid private key");
		return -EINVAL;
	}
	for (size_t i = 0; i < cfg->n_peers; i++)
		if (!cfg->peers[i].remove &&
		    !memcmp(cfg->peers[i].public_key, pub, FZ_KEY_LEN))
			goto taken;
	if (wg_hs_find(d->hs, pub))
		goto taken;
	return 0;
taken:
	snprintf(msg, msglen, "a peer has the public key of this private key");
	return -EEXIST;
}

int daemon_apply_set(struct daemon *d, const struct conf *cfg, char *msg,
		     size_t msglen)
{
	struct set_ctx sc = { .d = d };
	uint8_t pub[FZ_KEY_LEN];
	int ret;

	ret = d->role ? d->role->ops->check_set(d, cfg, msg, msglen) : 0;
	if (!ret && cfg->has_private_key) {
		ret = check_private_key(d, cfg, pub, msg, msglen);
		sc.new_identity = !ret && !same_identity(d, cfg->private_key);
	}
	if (!ret)
		ret = daemon_check(
			d, daemon_apply_device(d->nl, d->ifindex, cfg,
					       sc.new_identity ? pub : NULL,
					       msg, msglen));
	if (!ret && sc.new_identity)
		ret = set_identity(d, cfg->private_key, msg, msglen);
	if (!ret)
		ret = daemon_check(d, daemon_apply_peers(d->nl, d->ifindex, cfg,
							 set_peer_done, &sc,
							 msg, msglen));
	if (!ret && sc.new_identity) {
		daemon_log(d, "new private key: handshaking with every peer");
		rekey_all(d);
	}
	return ret;
}
