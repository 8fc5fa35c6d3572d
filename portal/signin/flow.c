// SPDX-License-Identifier: GPL-2.0
/*
 * The flows in memory: a fixed table, so a flood of sign-in starts costs
 * a bounded amount of memory. A source (an IPv4 address, an IPv6 /64)
 * keeps at most its newest SIGNIN_FLOWS_PER_SOURCE flows; a full table
 * refuses new flows rather than end anybody's, so a flood from many
 * sources delays new sign-ins (for SIGNIN_FLOW_TTL_S at most) but never
 * breaks one under way. Lookups walk the table: it is small, and they
 * happen once per page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "priv.h"
#include "idp/idp.h"

struct signin_flows {
	struct signin_flow slot[SIGNIN_FLOWS_MAX];
};

struct signin_flows *signin_flows_new(void)
{
	return calloc(1, sizeof(struct signin_flows));
}

void signin_flows_free(struct signin_flows *t)
{
	if (!t)
		return;
	sodium_memzero(t, sizeof(*t)); /* nonces, verifiers, code hashes */
	free(t);
}

void signin_flow_end(struct signin_flow *f)
{
	sodium_memzero(f, sizeof(*f));
}

static bool live(struct signin_flow *f, int64_t now)
{
	if (!f->used)
		return false;
	if (f->expires_at > now || f->busy)
		return true;
	signin_flow_end(f);
	return false;
}

static struct signin_flow *pick_slot(struct signin_flows *t, const char *source,
				     int64_t now)
{
	struct signin_flow *free_slot = NULL, *mine = NULL;
	unsigned int n_mine = 0;

	for (size_t i = 0; i < SIGNIN_FLOWS_MAX; i++) {
		struct signin_flow *f = &t->slot[i];

		if (!live(f, now)) {
			if (!free_slot)
				free_slot = f;
			continue;
		}
		if (f->busy)
			continue;
		if (!strcmp(f->source, source)) {
			n_mine++;
			if (!mine || f->expires_at < mine->expires_at)
				mine = f;
		}
	}
	if (n_mine >= SIGNIN_FLOWS_PER_SOURCE)
		return mine;
	return free_slot;
}

struct signin_flow *signin_flow_new(struct signin_flows *t, const char *source,
				    int64_t now)
{
	struct signin_flow *f = pick_slot(t, source, now);

	if (!f)
		return NULL; /* the table is full of other sources' flows */
	signin_flow_end(f);
	f->used = true;
	idp_random_b64(f->id, 32);
	idp_random_b64(f->csrf, 32);
	snprintf(f->source, sizeof(f->source), "%s", source);
	f->expires_at = now + SIGNIN_FLOW_TTL_S * 1000000000LL;
	return f;
}

static bool same_b64(const char *a, const char *b)
{
	return strlen(a) == SIGNIN_B64_LEN && strlen(b) == SIGNIN_B64_LEN &&
	       !sodium_memcmp(a, b, SIGNIN_B64_LEN);
}

struct signin_flow *signin_flow_by_id(struct signin_flows *t, const char *id,
				      int64_t now)
{
	struct signin_flow *found = NULL;

	/* Every slot compared, so the time says nothing of where it is. */
	for (size_t i = 0; i < SIGNIN_FLOWS_MAX; i++)
		if (live(&t->slot[i], now) && same_b64(t->slot[i].id, id))
			found = &t->slot[i];
	return found;
}

struct signin_flow *signin_flow_by_oidc_state(struct signin_flows *t,
					      const char *state, int64_t now)
{
	struct signin_flow *found = NULL;

	for (size_t i = 0; i < SIGNIN_FLOWS_MAX; i++)
		if (live(&t->slot[i], now) && t->slot[i].oidc_state[0] &&
		    same_b64(t->slot[i].oidc_state, state))
			found = &t->slot[i];
	return found;
}
