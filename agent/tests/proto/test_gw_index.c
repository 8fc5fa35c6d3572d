// SPDX-License-Identifier: GPL-2.0
/*
 * gw_index.c: the gateway's clients found by key, portal id and tunnel
 * address, its resources by id; a repeated key, id or address refused
 * without a trace; a client dropped before its addresses change and
 * added again; another client's entries never dropped; 100,000 clients
 * added one at a time (as the portal adds them) all found, and nothing
 * found that was not added; lookups kept short under churn.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/linkhash.h>

#include "proto/gw_auth.h"
#include "../suites.h"

static void client_n(struct proto_auth_client *c, unsigned int n)
{
	memset(c, 0, sizeof(*c));
	memset(c->public_key, 0x5a, FZ_KEY_LEN);
	memcpy(c->public_key, &n, sizeof(n));
	c->has_portal_id = true;
	memset(c->portal_id, 0x11, FZ_RESOURCE_ID_LEN);
	memcpy(c->portal_id, &n, sizeof(n));
	/* 100.64.0.0/10 holds 4 million; n's bytes as the low ones. */
	c->tunnel_ips[0].family = AF_INET;
	c->tunnel_ips[0].cidr = 32;
	c->tunnel_ips[0].addr[0] = 100;
	c->tunnel_ips[0].addr[1] = (uint8_t)(64 | (n >> 16 & 0x3f));
	c->tunnel_ips[0].addr[2] = (uint8_t)(n >> 8);
	c->tunnel_ips[0].addr[3] = (uint8_t)n;
	c->tunnel_ips[1].family = AF_INET6;
	c->tunnel_ips[1].cidr = 128;
	ck_assert_int_eq(inet_pton(AF_INET6,
				   "fd00:2021:1111::", c->tunnel_ips[1].addr),
			 1);
	memcpy(&c->tunnel_ips[1].addr[12], &n, sizeof(n));
	c->n_tunnel_ips = 2;
}

static void resource_n(struct proto_auth_resource *r, unsigned int n)
{
	memset(r, 0, sizeof(*r));
	memset(r->id, 0x22, sizeof(r->id));
	memcpy(r->id, &n, sizeof(n));
}

/* Room for n clients and resources, none yet, an empty index. */
static void auth_new(struct proto_auth *a, size_t n)
{
	memset(a, 0, sizeof(*a));
	a->clients = calloc(n, sizeof(*a->clients));
	a->resources = calloc(n, sizeof(*a->resources));
	ck_assert(a->clients && a->resources);
	ck_assert_int_eq(proto_auth_index_build(a), 0);
}

static int append_client(struct proto_auth *a, unsigned int n)
{
	int ret;

	client_n(&a->clients[a->n_clients], n);
	ret = proto_auth_index_add_client(a, a->n_clients);
	if (!ret)
		a->n_clients++;
	return ret;
}

static void found(const struct proto_auth *a, size_t pos)
{
	const struct proto_auth_client *c = &a->clients[pos];
	struct proto_auth_client probe;

	ck_assert_ptr_eq(proto_auth_find_client(a, c->public_key), c);
	ck_assert_ptr_eq(proto_auth_find_client_by_portal_id(a, c->portal_id),
			 c);
	/* One address is enough to find the holder, either family. */
	probe = *c;
	probe.n_tunnel_ips = 1;
	ck_assert_ptr_eq(proto_auth_tunnel_ip_holder(a, &probe, NULL), c);
	probe.tunnel_ips[0] = c->tunnel_ips[1];
	ck_assert_ptr_eq(proto_auth_tunnel_ip_holder(a, &probe, NULL), c);
	ck_assert_ptr_null(proto_auth_tunnel_ip_holder(a, &probe, c));
}

START_TEST(test_find)
{
	struct proto_auth a;
	struct proto_auth_client other;

	auth_new(&a, 8);
	for (unsigned int i = 0; i < 5; i++)
		ck_assert_int_eq(append_client(&a, i), 0);
	resource_n(&a.resources[0], 7);
	ck_assert_int_eq(proto_auth_index_add_resource(&a, 0), 0);
	a.n_resources = 1;
	for (size_t i = 0; i < 5; i++)
		found(&a, i);
	ck_assert_ptr_eq(proto_auth_find_resource_by_id(&a, a.resources[0].id),
			 &a.resources[0]);
	client_n(&other, 5);
	ck_assert_ptr_null(proto_auth_find_client(&a, other.public_key));
	ck_assert_ptr_null(
		proto_auth_find_client_by_portal_id(&a, other.portal_id));
	ck_assert_ptr_null(proto_auth_tunnel_ip_holder(&a, &other, NULL));
	ck_assert_ptr_null(proto_auth_find_resource_by_id(&a, other.portal_id));
	/* 100.64.0.3 as IPv6 bytes (6440:3::) is not client 3's. */
	other.tunnel_ips[0] = a.clients[3].tunnel_ips[0];
	other.tunnel_ips[0].family = AF_INET6;
	other.n_tunnel_ips = 1;
	ck_assert_ptr_null(proto_auth_tunnel_ip_holder(&a, &other, NULL));
	proto_auth_free(&a);
}
END_TEST

/* A repeat of any one key, id or address: -EEXIST, nothing indexed. */
START_TEST(test_repeats)
{
	struct proto_auth a;
	struct proto_auth_client *c;

	for (int what = 0; what < 4; what++) {
		auth_new(&a, 4);
		ck_assert_int_eq(append_client(&a, 1), 0);
		c = &a.clients[1];
		client_n(c, 2);
		if (what == 0)
			memcpy(c->public_key, a.clients[0].public_key,
			       FZ_KEY_LEN);
		else if (what == 1)
			memcpy(c->portal_id, a.clients[0].portal_id,
			       FZ_RESOURCE_ID_LEN);
		else
			c->tunnel_ips[what - 2] =
				a.clients[0].tunnel_ips[what - 2];
		ck_assert_int_eq(proto_auth_index_add_client(&a, 1), -EEXIST);
		/* Client 1's own entries are all still there... */
		found(&a, 0);
		/* ...and none of the refused one's. */
		client_n(c, 2);
		ck_assert_ptr_null(proto_auth_find_client(&a, c->public_key));
		ck_assert_ptr_null(
			proto_auth_find_client_by_portal_id(&a, c->portal_id));
		ck_assert_ptr_null(proto_auth_tunnel_ip_holder(&a, c, NULL));
		proto_auth_free(&a);
	}
	/* A built index refuses a repeat too, and is then empty. */
	auth_new(&a, 4);
	client_n(&a.clients[0], 1);
	client_n(&a.clients[1], 1);
	a.n_clients = 2;
	ck_assert_int_eq(proto_auth_index_build(&a), -EEXIST);
	ck_assert_ptr_null(proto_auth_find_client(&a, a.clients[0].public_key));
	proto_auth_free(&a);
}
END_TEST

START_TEST(test_drop_and_move)
{
	struct proto_auth a;
	struct proto_auth_client old;

	auth_new(&a, 4);
	ck_assert_int_eq(append_client(&a, 1), 0);
	ck_assert_int_eq(append_client(&a, 2), 0);
	old = a.clients[0];
	proto_auth_index_drop_client(&a, 0);
	client_n(&a.clients[0], 9);
	ck_assert_int_eq(proto_auth_index_add_client(&a, 0), 0);
	found(&a, 0);
	found(&a, 1);
	ck_assert_ptr_null(proto_auth_find_client(&a, old.public_key));
	ck_assert_ptr_null(
		proto_auth_find_client_by_portal_id(&a, old.portal_id));
	ck_assert_ptr_null(proto_auth_tunnel_ip_holder(&a, &old, NULL));
	/* Dropping a client whose values another holds drops nothing of it. */
	a.clients[2] = a.clients[1];
	proto_auth_index_drop_client(&a, 2);
	found(&a, 1);
	memset(&a.clients[2], 0, sizeof(a.clients[2]));
	proto_auth_free(&a);
}
END_TEST

/* As many clients as a gateway aims for, one at a time; every one found. */
START_TEST(test_hundred_thousand)
{
	enum { N = 100000 };
	struct proto_auth a;
	struct proto_auth_client absent;

	auth_new(&a, N);
	for (unsigned int i = 0; i < N; i++)
		ck_assert_int_eq(append_client(&a, i), 0);
	for (size_t i = 0; i < N; i++)
		found(&a, i);
	client_n(&absent, N);
	ck_assert_ptr_null(proto_auth_find_client(&a, absent.public_key));
	ck_assert_ptr_null(proto_auth_tunnel_ip_holder(&a, &absent, NULL));
	proto_auth_free(&a);
}
END_TEST

/* Slots no entry ever used since the table was built. */
static int empty_slots(const struct lh_table *t)
{
	int n = 0;

	for (int i = 0; i < t->size; i++)
		n += t->table[i].k == LH_EMPTY;
	return n;
}

/* At least half of the slots without a live entry are empty. */
static void short_misses(const struct lh_table *t)
{
	ck_assert_int_ge(empty_slots(t), (t->size - t->count) / 2);
}

/*
 * Clients replaced (a removal's swap, a change of addresses) 100,000
 * times over 1,000: deleted entries leave freed slots, a miss walks over
 * them to an empty one, and without tidying none would be left (each miss
 * then a scan of the whole table). The tables keep empty slots, every
 * client is found, every replaced one is gone.
 */
START_TEST(test_churn)
{
	enum { N = 1000, ROUNDS = 100000 };
	struct proto_auth a;
	struct proto_auth_client gone;

	auth_new(&a, N);
	for (unsigned int i = 0; i < N; i++)
		ck_assert_int_eq(append_client(&a, i), 0);
	for (unsigned int i = 0; i < ROUNDS; i++) {
		size_t pos = i % N;

		proto_auth_index_drop_client(&a, pos);
		client_n(&a.clients[pos], N + i);
		ck_assert_int_eq(proto_auth_index_add_client(&a, pos), 0);
		proto_auth_index_tidy(&a);
		if (i % 997 == 0) {
			short_misses(a.index.key.t);
			short_misses(a.index.portal_id.t);
			short_misses(a.index.tunnel_ip.t);
		}
	}
	ck_assert_uint_gt(a.index.rebuilds, 0);
	/* Amortised: a rebuild per many replacements, not per one. */
	ck_assert_uint_lt(a.index.rebuilds, ROUNDS / 50);
	for (size_t i = 0; i < N; i++)
		found(&a, i);
	client_n(&gone, N + ROUNDS - N - 1);
	ck_assert_ptr_null(proto_auth_find_client(&a, gone.public_key));
	ck_assert_ptr_null(proto_auth_tunnel_ip_holder(&a, &gone, NULL));
	proto_auth_free(&a);
}
END_TEST

/* An auth no one indexed (all zero) finds nothing and does not crash. */
START_TEST(test_unindexed)
{
	struct proto_auth a;
	struct proto_auth_client c;

	memset(&a, 0, sizeof(a));
	client_n(&c, 1);
	ck_assert_ptr_null(proto_auth_find_client(&a, c.public_key));
	ck_assert_ptr_null(
		proto_auth_find_client_by_portal_id(&a, c.portal_id));
	ck_assert_ptr_null(proto_auth_tunnel_ip_holder(&a, &c, NULL));
	ck_assert_ptr_null(proto_auth_find_resource_by_id(&a, c.portal_id));
	proto_auth_free(&a);
}
END_TEST

Suite *gw_index_suite(void)
{
	Suite *s = suite_create("gw_index");
	TCase *tc = tcase_create("gw_index");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_find);
	tcase_add_test(tc, test_repeats);
	tcase_add_test(tc, test_drop_and_move);
	tcase_add_test(tc, test_hundred_thousand);
	tcase_add_test(tc, test_churn);
	tcase_add_test(tc, test_unindexed);
	suite_add_tcase(s, tc);
	return s;
}
