/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which gateway of a resource's site serves a request. The client tells
 * which gateways failed it (not chosen while another is online) and
 * which it is already connected to (preferred: no new tunnel to set up);
 * otherwise the choice is uniformly random, which is the load balancing
 * between a site's gateways (seeds, "Load balancing"). Ids compare as
 * text, case-insensitively (UUIDs in either case).
 *
 * When every online gateway failed the client, the one that joined last
 * is chosen: a gateway that came back since (a restart, a single-gateway
 * site) is likelier to work than one whose socket the portal has not yet
 * seen die, and "offline" would cut the client off for as long as it
 * remembers its failures.
 */
#ifndef FZ_POLICY_CHOOSE_H
#define FZ_POLICY_CHOOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct policy_choose_req {
	const char *const *online; /* the site's online gateways */
	const int64_t *joined; /* when each joined; NULL: all equal */
	size_t n_online; /* < 2^31 */
	const char *const *failed; /* from the client's request */
	size_t n_failed;
	const char *const *connected; /* from the client's request */
	size_t n_connected;
};

/*
 * The index in r->online of the chosen gateway, or -ENOENT when none is
 * left ("offline"). Draws with randombytes_uniform(): sodium_init() must
 * have run.
 */
int policy_choose(const struct policy_choose_req *r);

/*
 * Whether policy_choose(r) may return i: r->online[i] is in the pool it
 * draws from. An authorization the client holds on such a gateway
 * serves the request as well as a new one would (sig/reuse.c).
 */
bool policy_choose_eligible(const struct policy_choose_req *r, size_t i);

#endif /* FZ_POLICY_CHOOSE_H */
