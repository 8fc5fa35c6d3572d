// SPDX-License-Identifier: GPL-2.0
/*
 * The flows in memory: a fixed table, so a flood of sign-in starts costs
 * a bounded amount of memory. A source (an IPv4 address, an IPv6 /64)
 * keeps at most its newest SIGNIN_FLOWS_PER_SOURCE flows. A full table
 * (some 256 sources at their cap fill it) makes room in the network, an
 * IPv4 /24 or IPv6 /48, that holds the most flows, taking its oldest: a
 * flood has to come from thousands of networks, one flow each, before a
 * person's sign-in under way can be ended by it; until then a table of
 * single flows refuses new ones (for SIGNIN_FLOW_TTL_S at most) rather
 * than end anybody's. Lookups walk the table: it is small, and they
 * happen once per page.
 */
#include <arpa/inet.h>
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

/* An IPv4 source's /24, an IPv6 source's (a /64) /48; else itself. */
static void network_of(const char *source, char *out, size_t len)
{
	char addr[INET6_ADDRSTRLEN];
	struct in6_addr a6;
	struct in_addr a4;
	const char *slash = strchr(source, '/');
	size_t n = slash ? (size_t)(slash - source) : strlen(source);

	snprintf(out, len, "%s", source);
	if (n >= sizeof(addr))
		return;
	memcpy(addr, source, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, &a4) == 1) {
		a4.s_addr &= htonl(0xffffff00);
		inet_ntop(AF_INET, &a4, addr, sizeof(addr));
		snprintf(out, len, "%s/24", addr);
	} else if (inet_pton(AF_INET6, addr, &a6) == 1) {
		memset(a6.s6_addr + 6, 0, 10);
		inet_ntop(AF_INET6, &a6, addr, sizeof(addr));
		snprintf(out, len, "%s/48", addr);
	}
}

static int by_network_then_age(const void *a, const void *b)
{
	const struct signin_flow *x = *(struct signin_flow *const *)a;
	const struct signin_flow *y = *(struct signin_flow *const *)b;
	int c = strcmp(x->network, y->network);

	if (c)
		return c;
	return (x->expires_at > y->expires_at) -
	       (x->expires_at < y->expires_at);
}

/* The oldest flow of the network holding the most, if more than one. */
static struct signin_flow *crowd_out(struct signin_flows *t, int64_t now)
{
	struct signin_flow **h = malloc(SIGNIN_FLOWS_MAX * sizeof(*h));
	size_t n = 0, best = 0, best_n = 1, i, j;
	struct signin_flow *victim = NULL;

	if (!h)
		return NULL;
	for (i = 0; i < SIGNIN_FLOWS_MAX; i++)
		if (live(&t->slot[i], now) && !t->slot[i].busy)
			h[n++] = &t->slot[i];
	qsort(h, n, sizeof(*h), by_network_then_age);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && !strcmp(h[j]->network, h[i]->network);
		     j++)
			;
		if (j - i > best_n) {
			best_n = j - i;
			best = i;
		}
	}
	if (best_n > 1)
		victim = h[best];
	free(h);
	return victim;
}

struct signin_flow *signin_flow_new(struct signin_flows *t, const char *source,
				    int64_t now)
{
	struct signin_flow *f = pick_slot(t, source, now);

	if (!f)
		f = crowd_out(t, now);
	if (!f)
		return NULL; /* the table is full of single flows */
	signin_flow_end(f);
	f->used = true;
	idp_random_b64(f->id, 32);
	idp_random_b64(f->csrf, 32);
	snprintf(f->source, sizeof(f->source), "%s", source);
	network_of(source, f->network, sizeof(f->network));
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
