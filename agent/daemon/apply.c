// SPDX-License-Identifier: GPL-2.0
/*
 * `set` words to the kernel; see apply.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "apply.h"
#include "conf/config.h"
#include "fzk/kernel.h"
#include "fzk/nl.h"
#include "lib/keys.h"

void daemon_apply_error(char *err, size_t errlen, struct fzk_nl *nl, int ret,
			const char *fmt, ...)
{
	const char *ext = nl ? fzk_nl_ext_msg(nl) : "";
	va_list ap;
	int n;

	if (!errlen)
		return;
	va_start(ap, fmt);
	n = vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= errlen)
		return;
	snprintf(err + n, errlen - (size_t)n, ": %s%s%s%s", strerror(-ret),
		 *ext ? " (" : "", ext, *ext ? ")" : "");
}

int daemon_apply_device(struct fzk_nl *nl, uint32_t ifindex,
			const struct conf *cfg, const uint8_t *public_key,
			char *err, size_t errlen)
{
	struct fzk_device_update u = {
		.public_key = public_key,
		.has_listen_port = cfg->has_listen_port,
		.listen_port = cfg->listen_port,
		.has_fwmark = cfg->has_fwmark,
		.fwmark = cfg->fwmark,
	};
	int ret;

	if (fzk_device_update_empty(&u))
		return 0;
	ret = fzk_set_device(nl, ifindex, &u);
	if (ret)
		daemon_apply_error(err, errlen, nl, ret,
				   "cannot set the device settings");
	return ret;
}

void daemon_apply_peer_update(struct fzk_peer_update *u,
			      const struct conf_peer *p, uint32_t flags,
			      bool skip_endpoint)
{
	if (p->replace_allowed_ips)
		flags |= FZ_PEER_F_REPLACE_ALLOWEDIPS;
	if (p->update_only)
		flags |= FZ_PEER_F_UPDATE_ONLY;
	*u = (struct fzk_peer_update){
		.public_key = p->public_key,
		.endpoint = p->has_endpoint && !skip_endpoint ? &p->endpoint :
								NULL,
		.has_keepalive = p->has_keepalive,
		.persistent_keepalive = p->persistent_keepalive,
		.allowed_ips = p->allowed_ips,
		.n_allowed_ips = p->n_allowed_ips,
		.flags = flags,
	};
}

/* Removing a peer that is not there is not an error, as in wg(8). */
static int apply_peer(struct fzk_nl *nl, uint32_t ifindex,
		      const struct conf_peer *p, bool *skipped)
{
	struct fzk_peer_update u;
	int ret;

	*skipped = false;
	if (p->remove) {
		ret = fzk_del_peer(nl, ifindex, p->public_key);
		*skipped = ret == -ENOENT;
		return ret == -ENOENT ? 0 : ret;
	}
	daemon_apply_peer_update(&u, p, 0, false);
	ret = fzk_set_peer(nl, ifindex, &u);
	if (ret == -ENOENT && p->update_only) {
		*skipped = true;
		return 0;
	}
	return ret;
}

int daemon_apply_peers(struct fzk_nl *nl, uint32_t ifindex,
		       const struct conf *cfg, daemon_apply_done_fn done,
		       void *ctx, char *err, size_t errlen)
{
	char id[9];
	bool skipped;
	int ret = 0;

	for (size_t i = 0; !ret && i < cfg->n_peers; i++) {
		const struct conf_peer *p = &cfg->peers[i];

		ret = apply_peer(nl, ifindex, p, &skipped);
		if (ret) {
			fz_peer_id(id, p->public_key);
			daemon_apply_error(err, errlen, nl, ret,
					   "cannot %s peer %s",
					   p->remove ? "remove" : "set", id);
		} else if (done) {
			done(ctx, p, skipped);
		}
	}
	return ret;
}

int daemon_apply_config(struct fzk_nl *nl, uint32_t ifindex,
			const struct conf *cfg, const uint8_t *public_key,
			daemon_apply_done_fn done, void *ctx, char *err,
			size_t errlen)
{
	int ret =
		daemon_apply_device(nl, ifindex, cfg, public_key, err, errlen);

	return ret ? ret :
		     daemon_apply_peers(nl, ifindex, cfg, done, ctx, err,
					errlen);
}
