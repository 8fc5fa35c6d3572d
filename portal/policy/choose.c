// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <strings.h>

#include <sodium.h>

#include "choose.h"

static bool listed(const char *id, const char *const *ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(id, ids[i]))
			return true;
	return false;
}

/* Candidate: online and not failed; with prefer, also connected. */
static bool candidate(const struct policy_choose_req *r, size_t i, bool prefer)
{
	if (listed(r->online[i], r->failed, r->n_failed))
		return false;
	return !prefer || listed(r->online[i], r->connected, r->n_connected);
}

static size_t count(const struct policy_choose_req *r, bool prefer)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n_online; i++)
		n += candidate(r, i, prefer);
	return n;
}

/* The k-th candidate, counting from 0; no array, so nothing to allocate. */
static int nth(const struct policy_choose_req *r, bool prefer, size_t k)
{
	for (size_t i = 0; i < r->n_online; i++)
		if (candidate(r, i, prefer) && !k--)
			return (int)i;
	return -ENOENT;
}

/* Every online gateway failed the client: the newest joiner. */
static int newest(const struct policy_choose_req *r)
{
	size_t best = 0;

	if (!r->n_online)
		return -ENOENT;
	for (size_t i = 1; i < r->n_online && r->joined; i++)
		if (r->joined[i] > r->joined[best])
			best = i;
	return (int)best;
}

/*
 * Which online gateways the choice draws from: the connected ones that
 * did not fail, else any that did not, else the newest joiner alone.
 */
enum pool { POOL_CONNECTED, POOL_ANY, POOL_NEWEST };

static enum pool pool(const struct policy_choose_req *r)
{
	if (count(r, true))
		return POOL_CONNECTED;
	return count(r, false) ? POOL_ANY : POOL_NEWEST;
}

bool policy_choose_eligible(const struct policy_choose_req *r, size_t i)
{
	enum pool p = pool(r);

	if (i >= r->n_online)
		return false;
	if (p == POOL_NEWEST)
		return newest(r) == (int)i;
	return candidate(r, i, p == POOL_CONNECTED);
}

int policy_choose(const struct policy_choose_req *r)
{
	enum pool p = pool(r);
	bool prefer = p == POOL_CONNECTED;

	if (p == POOL_NEWEST)
		return newest(r);
	return nth(r, prefer, randombytes_uniform((uint32_t)count(r, prefer)));
}
