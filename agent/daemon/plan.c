// SPDX-License-Identifier: GPL-2.0
/*
 * Adoption planning; see plan.h. Peers are matched by public key
 * through sorted indices: a gateway's config and device can both hold
 * 10,000 peers.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "conf/config.h"
#include "fzk/device.h"
#include "lib/keyindex.h"

static void plan_peer(struct daemon_plan *plan, const struct conf_peer *cp,
		      const struct fzk_peer_view *dp)
{
	struct daemon_plan_peer *pp = &plan->peers[plan->n_peers++];

	pp->cfg = cp;
	pp->dev = dp;
	if (!dp) {
		pp->op = DAEMON_PLAN_ADD;
		plan->n_add++;
		return;
	}
	pp->op = DAEMON_PLAN_KEEP;
	pp->has_current = fzk_peer_keypair(dp, FZ_KEYPAIR_CURRENT) != NULL;
	pp->skip_endpoint = pp->has_current &&
			    dp->endpoint.ss_family != AF_UNSPEC;
	plan->n_keep++;
	plan->n_keypairs += dp->n_keypairs;
}

/*
 * Port 0 means "any": a bound port is kept rather than moved, which would
 * cut every session. A missing FwMark clears one, as `wg setconf` does.
 */
static void plan_device(struct daemon_plan *plan,
			const struct fzk_device_view *dev,
			const struct conf *cfg)
{
	if (cfg->has_listen_port && cfg->listen_port &&
	    cfg->listen_port != dev->listen_port) {
		plan->set_listen_port = true;
		plan->listen_port = cfg->listen_port;
	}
	if (cfg->has_fwmark ? cfg->fwmark != dev->fwmark : dev->fwmark != 0) {
		plan->set_fwmark = true;
		plan->fwmark = cfg->has_fwmark ? cfg->fwmark : 0;
	}
}

int daemon_plan_adopt(const struct fzk_device_view *dev, const struct conf *cfg,
		      struct daemon_plan *out)
{
	return daemon_plan_adopt_keeping(dev, cfg, NULL, NULL, out);
}

int daemon_plan_adopt_keeping(const struct fzk_device_view *dev,
			      const struct conf *cfg,
			      bool (*keep)(void *ctx, const uint8_t *key),
			      void *keep_ctx, struct daemon_plan *out)
{
	struct fz_keyindex in_cfg, in_dev;

	memset(out, 0, sizeof(*out));
	out->peers =
		calloc(dev->n_peers + cfg->n_peers + 1, sizeof(*out->peers));
	if (!out->peers)
		return -ENOMEM;
	if (fz_keyindex_of(&in_cfg, cfg->peers, cfg->n_peers, public_key))
		goto nomem;
	if (fz_keyindex_of(&in_dev, dev->peers, dev->n_peers, public_key)) {
		fz_keyindex_free(&in_cfg);
		goto nomem;
	}
	for (size_t i = 0; i < dev->n_peers; i++) {
		struct daemon_plan_peer *pp;

		if (fz_keyindex_find(&in_cfg, dev->peers[i].public_key) >= 0 ||
		    (keep && keep(keep_ctx, dev->peers[i].public_key)))
			continue;
		pp = &out->peers[out->n_peers++];
		pp->op = DAEMON_PLAN_DELETE;
		pp->dev = &dev->peers[i];
		out->n_delete++;
	}
	for (size_t i = 0; i < cfg->n_peers; i++) {
		ssize_t d = fz_keyindex_find(&in_dev, cfg->peers[i].public_key);

		plan_peer(out, &cfg->peers[i], d < 0 ? NULL : &dev->peers[d]);
	}
	fz_keyindex_free(&in_cfg);
	fz_keyindex_free(&in_dev);
	plan_device(out, dev, cfg);
	return 0;
nomem:
	daemon_plan_free(out);
	return -ENOMEM;
}

void daemon_plan_free(struct daemon_plan *plan)
{
	free(plan->peers);
	memset(plan, 0, sizeof(*plan));
}
