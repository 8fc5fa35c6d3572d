// SPDX-License-Identifier: GPL-2.0
/*
 * resources.c against a model of fz.ko, the portal and the stub (the
 * ops record what they are asked): matching by longest prefix and mapped
 * IPs, the states of a resource, one gateway per site, allowed IPs as
 * the union of what a gateway serves, request building (connected and
 * failed gateways), the negative cache, DNS names (AssignedIps resent
 * until DomainStatus; the 16 used last kept, and routed newest first),
 * expiry, and hostile portal input changing nothing.
 * Also the system's nameservers read from a resolv.conf.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/resources.h"
#include "client/sysdns.h"
#include "proto/p2p.h"
#include "../suites.h"

#define SITE "11111111-1111-4111-8111-111111111111"
#define SITE2 "22222222-2222-4222-8222-222222222222"
#define R_NET "aaaaaaaa-0000-4000-8000-000000000001"
#define R_SUB "aaaaaaaa-0000-4000-8000-000000000002"
#define R_IP "aaaaaaaa-0000-4000-8000-000000000003"
#define R_DNS "aaaaaaaa-0000-4000-8000-000000000004"
#define R_OTHER "aaaaaaaa-0000-4000-8000-000000000005"
#define GW1 "bbbbbbbb-0000-4000-8000-000000000001"
#define GW2 "bbbbbbbb-0000-4000-8000-000000000002"
#define GW3 "bbbbbbbb-0000-4000-8000-000000000003"

/* --- The model --- */

struct model {
	uint64_t now;
	int routes_added, routes_removed;
	struct fz_cidr last_route;
	int requests;
	struct proto_sig_id req_resource;
	struct proto_sig_id req_connected[8], req_failed[8];
	size_t n_connected, n_failed;
	int request_ret;
	int set_peers, new_peers, del_peers;
	uint8_t peer_key[FZ_KEY_LEN];
	struct fz_cidr aips[FZ_MAX_ALLOWEDIPS];
	size_t n_aips;
	int controls;
	struct proto_p2p_msg last_control;
	int drops;
	struct fz_cidr last_drop;
	struct fz_cidr dropped[256]; /* the first 256 */
	int dns_upserts, dns_removes;
	int logs;
	char last_log[512];
};

static struct model M;
static struct client_res *C;
static struct client_mapped *MAP;

static int m_route(void *ctx, const struct fz_cidr *c, bool add)
{
	(void)ctx;
	if (add)
		M.routes_added++;
	else
		M.routes_removed++;
	M.last_route = *c;
	return 0;
}

static int m_request(void *ctx,
		     const struct proto_sig_request_authorization *req)
{
	(void)ctx;
	if (M.request_ret)
		return M.request_ret;
	M.requests++;
	M.req_resource = req->resource_id;
	M.n_connected = req->n_connected_gateway_ids;
	M.n_failed = req->n_failed_gateway_ids;
	for (size_t i = 0; i < M.n_connected && i < 8; i++)
		M.req_connected[i] = req->connected_gateway_ids[i];
	for (size_t i = 0; i < M.n_failed && i < 8; i++)
		M.req_failed[i] = req->failed_gateway_ids[i];
	return 0;
}

static int m_set_peer(void *ctx, const struct client_res_gateway *g,
		      const struct fz_cidr *aips, size_t n, bool is_new)
{
	(void)ctx;
	M.set_peers++;
	M.new_peers += is_new;
	memcpy(M.peer_key, g->public_key, FZ_KEY_LEN);
	memcpy(M.aips, aips, n * sizeof(*aips));
	M.n_aips = n;
	return 0;
}

static int m_del_peer(void *ctx, const uint8_t key[FZ_KEY_LEN])
{
	(void)ctx;
	M.del_peers++;
	memcpy(M.peer_key, key, FZ_KEY_LEN);
	return 0;
}

static int m_send_control(void *ctx, const uint8_t key[FZ_KEY_LEN],
			  const uint8_t *pkt, size_t len)
{
	(void)ctx;
	(void)key;
	M.controls++;
	ck_assert_int_eq(proto_p2p_decode(pkt, len, &M.last_control),
			 PROTO_P2P_OK);
	return 0;
}

static void m_drop_held(void *ctx, const struct fz_cidr *dst)
{
	(void)ctx;
	if (M.drops < 256)
		M.dropped[M.drops] = *dst;
	M.drops++;
	M.last_drop = *dst;
}

static int m_dns_upsert(void *ctx, const uint8_t id[FZ_RESOURCE_ID_LEN],
			const char *pattern)
{
	(void)ctx;
	(void)id;
	(void)pattern;
	M.dns_upserts++;
	return 0;
}

static void m_dns_remove(void *ctx, const uint8_t id[FZ_RESOURCE_ID_LEN])
{
	(void)ctx;
	(void)id;
	M.dns_removes++;
}

static uint64_t m_now(void *ctx)
{
	(void)ctx;
	return M.now;
}

static void m_log(void *ctx, const char *line)
{
	(void)ctx;
	M.logs++;
	snprintf(M.last_log, sizeof(M.last_log), "%s", line);
}

static const struct client_res_ops ops = {
	.route = m_route,
	.request = m_request,
	.set_peer = m_set_peer,
	.del_peer = m_del_peer,
	.send_control = m_send_control,
	.drop_held = m_drop_held,
	.dns_upsert = m_dns_upsert,
	.dns_remove = m_dns_remove,
	.now_ns = m_now,
	.log = m_log,
};

static void setup(void)
{
	memset(&M, 0, sizeof(M));
	M.now = 1000ULL * 1000000000ULL;
	MAP = client_mapped_new(0, NULL, NULL);
	C = client_res_new(&ops, NULL, MAP);
	ck_assert_ptr_nonnull(C);
}

static void teardown(void)
{
	client_res_clear(C);
	client_res_free(C);
	client_mapped_free(MAP);
}

/* --- Builders --- */

static struct proto_sig_site site1 = { .id = { SITE } };
static struct proto_sig_site site2 = { .id = { SITE2 } };

static struct proto_sig_resource res(const char *id, enum fz_resaddr_type t,
				     const char *addr, bool second_site)
{
	struct proto_sig_resource r = { .type = t, .address = addr };

	snprintf(r.id.s, sizeof(r.id.s), "%s", id);
	r.name = id;
	r.sites = second_site ? &site2 : &site1;
	r.n_sites = 1;
	return r;
}

static struct fz_cidr ip(const char *text)
{
	struct fz_cidr c;
	const char *why;

	ck_assert_int_eq(fz_cidr_parse(&c, text, strlen(text), &why), 0);
	return c;
}

static struct proto_sig_resource init_res[4];

static void init_four(void)
{
	struct proto_sig_client_init m = { .resources = init_res,
					   .n_resources = 4 };

	init_res[0] = res(R_NET, FZ_RESADDR_CIDR, "10.0.0.0/8", false);
	init_res[1] = res(R_SUB, FZ_RESADDR_CIDR, "10.1.0.0/16", false);
	init_res[2] = res(R_IP, FZ_RESADDR_IP, "10.1.2.3", false);
	init_res[3] = res(R_DNS, FZ_RESADDR_DNS, "*.company.test", false);
	ck_assert_int_eq(client_res_init(C, &m), 0);
}

static struct proto_sig_endpoint gw_ep = { .port = 51820 };

static struct proto_sig_authorization_created
created(const char *rid, const char *gid, uint8_t keybyte, const char *site)
{
	struct proto_sig_authorization_created a = { 0 };

	gw_ep.ip = ip("192.0.2.1");
	snprintf(a.resource_id.s, sizeof(a.resource_id.s), "%s", rid);
	snprintf(a.gateway_id.s, sizeof(a.gateway_id.s), "%s", gid);
	snprintf(a.site_id.s, sizeof(a.site_id.s), "%s", site);
	memset(a.gateway_public_key, keybyte, FZ_KEY_LEN);
	memset(a.preshared_key, 7, FZ_KEY_LEN);
	a.gateway_endpoints = &gw_ep;
	a.n_gateway_endpoints = 1;
	a.gateway_ipv4 = ip(keybyte == 1 ? "100.64.0.1" : "100.64.0.2");
	a.gateway_ipv6 =
		ip(keybyte == 1 ? "fd00:2021:1111::1" : "fd00:2021:1111::2");
	a.expires_at = 2000;
	return a;
}

static bool has_aip(const char *text)
{
	struct fz_cidr want = ip(text);

	for (size_t i = 0; i < M.n_aips; i++)
		if (!memcmp(&M.aips[i], &want, sizeof(want)))
			return true;
	return false;
}

static struct client_resource *find(const char *id)
{
	struct proto_sig_id sid;

	snprintf(sid.s, sizeof(sid.s), "%s", id);
	return client_res_find(C, &sid);
}

/* --- Tests --- */

START_TEST(test_init_routes)
{
	init_four();
	ck_assert_int_eq(M.routes_added, 3);
	ck_assert_int_eq(M.dns_upserts, 1);
	ck_assert_int_eq(C->n_res, 4);
	ck_assert_int_eq(find(R_NET)->state, CLIENT_RES_NOT_CONNECTED);
}
END_TEST

START_TEST(test_match_longest_prefix)
{
	struct fz_cidr a = ip("10.1.2.3"), b = ip("10.1.9.9"),
		       c = ip("10.9.9.9"), d = ip("192.168.1.1");

	init_four();
	ck_assert_str_eq(client_res_match(C, &a)->id.s, R_IP);
	ck_assert_str_eq(client_res_match(C, &b)->id.s, R_SUB);
	ck_assert_str_eq(client_res_match(C, &c)->id.s, R_NET);
	ck_assert_ptr_null(client_res_match(C, &d));
}
END_TEST

START_TEST(test_match_mapped)
{
	const struct client_mapped_entry *e;
	struct fz_cidr other = ip("100.96.0.200");

	init_four();
	ck_assert_int_eq(client_mapped_get(MAP, "gitlab.company.test",
					   find(R_DNS)->uuid, &e),
			 0);
	ck_assert_str_eq(client_res_match(C, &e->v4[2])->id.s, R_DNS);
	ck_assert_str_eq(client_res_match(C, &e->v6[0])->id.s, R_DNS);
	ck_assert_ptr_null(client_res_match(C, &other));
}
END_TEST

START_TEST(test_unknown_refused)
{
	struct fz_cidr d = ip("192.168.1.1");

	init_four();
	client_res_unknown_dest(C, &d);
	ck_assert_int_eq(M.drops, 1);
	ck_assert_int_eq(M.requests, 0);
	ck_assert_ptr_nonnull(strstr(M.last_log, "192.168.1.1"));
	/* A scan: ten lines, then one at each power of two. */
	M.logs = 0;
	for (int i = 0; i < 99; i++)
		client_res_unknown_dest(C, &d);
	ck_assert_int_eq(M.drops, 100);
	ck_assert_int_eq(M.logs, 9 + 3); /* 2..10, 16, 32, 64 */
}
END_TEST

START_TEST(test_request_once)
{
	struct fz_cidr d = ip("10.9.9.9"), d2 = ip("10.9.9.10");

	init_four();
	client_res_unknown_dest(C, &d);
	client_res_unknown_dest(C, &d2);
	ck_assert_int_eq(M.requests, 1);
	ck_assert_str_eq(M.req_resource.s, R_NET);
	ck_assert_uint_eq(M.n_connected, 0);
	ck_assert_uint_eq(M.n_failed, 0);
	ck_assert_int_eq(find(R_NET)->state, CLIENT_RES_CONNECTING);
	ck_assert_uint_eq(find(R_NET)->n_held, 2);
}
END_TEST

START_TEST(test_authorized_and_shared)
{
	struct fz_cidr d = ip("10.9.9.9"), d2 = ip("10.1.2.3");
	struct proto_sig_authorization_created a = created(R_NET, GW1, 1, SITE);

	init_four();
	client_res_unknown_dest(C, &d);
	ck_assert_int_eq(client_res_authorized(C, &a), 0);
	ck_assert_int_eq(find(R_NET)->state, CLIENT_RES_CONNECTED);
	ck_assert_int_eq(M.new_peers, 1);
	ck_assert_uint_eq(M.n_aips, 3);
	ck_assert(has_aip("100.64.0.1"));
	ck_assert(has_aip("fd00:2021:1111::1"));
	ck_assert(has_aip("10.0.0.0/8"));
	ck_assert_uint_eq(find(R_NET)->n_held, 0);
	/* Another resource of the site: the request names the gateway. */
	client_res_unknown_dest(C, &d2);
	ck_assert_int_eq(M.requests, 2);
	ck_assert_uint_eq(M.n_connected, 1);
	ck_assert_str_eq(M.req_connected[0].s, GW1);
	a = created(R_IP, GW1, 1, SITE);
	ck_assert_int_eq(client_res_authorized(C, &a), 0);
	ck_assert_int_eq(M.new_peers, 1); /* the same peer, more IPs */
	ck_assert_uint_eq(M.n_aips, 4);
	ck_assert(has_aip("10.1.2.3"));
	ck_assert(has_aip("10.0.0.0/8"));
	ck_assert_uint_eq(C->n_gws, 1);
}
END_TEST

START_TEST(test_other_site)
{
	struct proto_sig_resource r =
		res(R_OTHER, FZ_RESADDR_CIDR, "172.16.0.0/12", true);
	struct proto_sig_authorization_created a = created(R_NET, GW1, 1, SITE);
	struct fz_cidr d = ip("172.16.0.1");

	init_four();
	ck_assert_int_eq(client_res_upsert(C, &r), 0);
	ck_assert_int_eq(client_res_authorized(C, &a), 0);
	client_res_unknown_dest(C, &d);
	ck_assert_uint_eq(M.n_connected, 0); /* GW1 serves another site */
	a = created(R_OTHER, GW2, 2, SITE2);
	ck_assert_int_eq(client_res_authorized(C, &a), 0);
	ck_assert_uint_eq(C->n_gws, 2);
	ck_assert_int_eq(M.new_peers, 2);
}
END_TEST

START_TEST(test_remove_shrinks_then_deletes)
{
	struct proto_sig_authorization_created a = created(R_NET, GW1, 1, SITE);
	struct proto_sig_id id;

	init_four();
	client_res_authorized(C, &a);
	a = created(R_SUB, GW1, 1, SITE);
	client_res_authorized(C, &a);
	ck_assert_uint_eq(M.n_aips, 4);
	snprintf(id.s, sizeof(id.s), "%s", R_NET);
	ck_assert_int_eq(client_res_delete(C, &id), 0);
	ck_assert_uint_eq(M.n_aips, 3);
	ck_assert(!has_aip("10.0.0.0/8"));
	ck_assert_int_eq(M.routes_removed, 1);
	ck_assert_int_eq(M.del_peers, 0);
	snprintf(id.s, sizeof(id.s), "%s", R_SUB);
	ck_assert_int_eq(client_res_delete(C, &id), 0);
	ck_assert_int_eq(M.del_peers, 1);
	ck_assert_uint_eq(C->n_gws, 0);
}
END_TEST

START_TEST(test_refused_negative_cache)
{
	struct proto_sig_authorization_creation_failed f = {
		.resource_id = { R_NET },
		.reason = PROTO_SIG_FORBIDDEN,
	};
	struct fz_cidr d = ip("10.9.9.9");

	init_four();
	client_res_unknown_dest(C, &d);
	ck_assert_int_eq(client_res_refused(C, &f), 0);
	ck_assert_int_eq(M.drops, 1);
	ck_assert_mem_eq(M.last_drop.addr, d.addr, 4);
	ck_assert_int_eq(find(R_NET)->state, CLIENT_RES_NOT_CONNECTED);
	ck_assert_ptr_nonnull(strstr(M.last_log, "forbidden"));
	/* Within 5 s: refused at once, the portal not asked. */
	M.now += 4ULL * 1000000000ULL;
	client_res_unknown_dest(C, &d);
	ck_assert_int_eq(M.requests, 1);
	ck_assert_int_eq(M.drops, 2);
	M.now += 2ULL * 1000000000ULL;
	client_res_unknown_dest(C, &d);
	ck_assert_int_eq(M.requests, 2);
}
END_TEST

START_TEST(test_request_fails_drops)
{
	struct fz_cidr d = ip("10.9.9.9");

	init_four();
	M.request_ret = -ENOTCONN;
	client_res_unknown_dest(C, &d);
	ck_assert_int_eq(M.drops, 1);
	ck_assert_int_eq(find(R_NET)->state, CLIENT_RES_NOT_CONNECTED);
}
END_TEST

START_TEST(test_request_times_out)
{
	struct fz_cidr d = ip("10.9.9.9");

	init_four();
	client_res_unknown_dest(C, &d);
	M.now += 11ULL * 1000000000ULL;
	client_res_tick(C);
	ck_assert_int_eq(find(R_NET)->state, CLIENT_RES_NOT_CONNECTED);
	ck_assert_int_eq(M.drops, 1);
}
END_TEST

static void prohibited_from(uint8_t keybyte, const char *dst)
{
	uint8_t key[FZ_KEY_LEN];
	struct fz_cidr d = ip(dst);

	memset(key, keybyte, sizeof(key));
	client_res_prohibited(C, key, &d);
}

START_TEST(test_prohibited_asks_again)
{
	struct proto_sig_authorization_created a = created(R_NET, GW1, 1, SITE);
	struct proto_sig_authorization_creation_failed f = {
		.resource_id = { R_NET },
		.reason = PROTO_SIG_FORBIDDEN,
	};

	init_four();
	ck_assert_int_eq(client_res_authorized(C, &a), 0);
	/* Another gateway's, or for a resource not connected: ignored. */
	prohibited_from(2, "10.9.9.9");
	prohibited_from(1, "10.1.2.3");
	prohibited_from(1, "192.0.2.1");
	ck_assert_int_eq(M.requests, 0);
	/* The gateway serving it: the portal is asked, naming it. */
	prohibited_from(1, "10.9.9.9");
	ck_assert_int_eq(M.requests, 1);
	ck_assert_str_eq(M.req_resource.s, R_NET);
	ck_assert_uint_eq(M.n_connected, 1);
	ck_assert_str_eq(M.req_connected[0].s, GW1);
	ck_assert_int_eq(find(R_NET)->state, CLIENT_RES_CONNECTED);
	ck_assert_ptr_nonnull(strstr(M.last_log, "asking the portal again"));
	/* Once in 5 s, however many errors come. */
	for (int i = 0; i < 100; i++)
		prohibited_from(1, "10.9.9.9");
	ck_assert_int_eq(M.requests, 1);
	M.now += 5ULL * 1000000000ULL;
	prohibited_from(1, "10.9.9.9");
	ck_assert_int_eq(M.requests, 2);
	/* Authorized again: still connected, same peer. */
	ck_assert_int_eq(client_res_authorized(C, &a), 0);
	ck_assert_int_eq(find(R_NET)->state, CLIENT_RES_CONNECTED);
	ck_assert(has_aip("10.0.0.0/8"));
	/* Refused: the access it had goes. */
	M.now += 5ULL * 1000000000ULL;
	prohibited_from(1, "10.9.9.9");
	ck_assert_int_eq(M.requests, 3);
	ck_assert_int_eq(client_res_refused(C, &f), 0);
	ck_assert_int_eq(find(R_NET)->state, CLIENT_RES_NOT_CONNECTED);
	ck_assert_ptr_null(find(R_NET)->gw);
	ck_assert_int_eq(M.del_peers, 1);
}
END_TEST

START_TEST(test_prohibited_refusals)
{
	struct proto_sig_authorization_created a = created(R_NET, GW1, 1, SITE);
	struct proto_sig_authorization_created b = created(R_IP, GW2, 2, SITE);
	struct proto_sig_authorization_creation_failed f = {
		.resource_id = { R_NET },
		.reason = PROTO_SIG_FORBIDDEN,
	};

	init_four();
	ck_assert_int_eq(client_res_authorized(C, &a), 0);
	ck_assert_int_eq(client_res_authorized(C, &b), 0);
	/* Two gateways in the site: asking again names only the one in use. */
	prohibited_from(1, "10.9.9.9");
	ck_assert_int_eq(M.requests, 1);
	ck_assert_uint_eq(M.n_connected, 1);
	ck_assert_str_eq(M.req_connected[0].s, GW1);
	/* Granted through another gateway (ours unseen by the portal): the
	 * working one stays, the other is not installed. */
	b = created(R_NET, GW3, 3, SITE);
	ck_assert_int_eq(client_res_authorized(C, &b), 0);
	ck_assert_str_eq(find(R_NET)->gw->id.s, GW1);
	ck_assert_int_eq(M.new_peers, 2);
	ck_assert_int_eq(M.del_peers, 0);
	ck_assert_uint_eq(C->n_gws, 2);
	ck_assert_msg(strstr(M.last_log, "staying with gateway"), "%s",
		      M.last_log);
	M.now += 6ULL * 1000000000ULL;
	prohibited_from(1, "10.9.9.9");
	ck_assert_int_eq(M.requests, 2);
	/* "No gateway online": what works stays. */
	f.reason = PROTO_SIG_OFFLINE;
	ck_assert_int_eq(client_res_refused(C, &f), 0);
	ck_assert_int_eq(find(R_NET)->state, CLIENT_RES_CONNECTED);
	ck_assert_ptr_nonnull(find(R_NET)->gw);
	/* A refusal nobody waits for (a late answer): ignored. */
	f.reason = PROTO_SIG_FORBIDDEN;
	ck_assert_int_eq(client_res_refused(C, &f), 0);
	ck_assert_int_eq(find(R_NET)->state, CLIENT_RES_CONNECTED);
	/* Unanswered: given up after 10 s, still connected. */
	M.now += 6ULL * 1000000000ULL;
	prohibited_from(1, "10.9.9.9");
	ck_assert_int_eq(M.requests, 3);
	M.now += 11ULL * 1000000000ULL;
	client_res_tick(C);
	ck_assert(!find(R_NET)->reask_pending);
	ck_assert_int_eq(client_res_refused(C, &f), 0);
	ck_assert_int_eq(find(R_NET)->state, CLIENT_RES_CONNECTED);
}
END_TEST

START_TEST(test_prohibited_portal_down)
{
	struct proto_sig_authorization_created a = created(R_NET, GW1, 1, SITE);

	init_four();
	ck_assert_int_eq(client_res_authorized(C, &a), 0);
	M.request_ret = -ENOTCONN;
	prohibited_from(1, "10.9.9.9");
	/* Nothing torn down: the gateway's expiry decides. */
	ck_assert_int_eq(find(R_NET)->state, CLIENT_RES_CONNECTED);
	ck_assert(has_aip("10.0.0.0/8"));
	ck_assert_ptr_nonnull(
		strstr(M.last_log, "cannot ask the portal again"));
}
END_TEST

static void control_from(uint8_t keybyte, const uint8_t *pkt, size_t len)
{
	uint8_t key[FZ_KEY_LEN];

	memset(key, keybyte, sizeof(key));
	client_res_control(C, key, pkt, len);
}

/* The one failed gateway is named for secs seconds from now, no longer. */
static void named_failed_for(uint64_t secs)
{
	M.now += (secs - 1) * 1000000000ULL;
	client_res_tick(C);
	ck_assert_uint_eq(C->n_failed, 1);
	M.now += 2ULL * 1000000000ULL;
	client_res_tick(C);
	ck_assert_uint_eq(C->n_failed, 0);
}

/* The four resources; two of site 1 connected via GW1 (key 1). */
static void two_via_gw1(void)
{
	struct proto_sig_authorization_created a = created(R_NET, GW1, 1, SITE);

	init_four();
	ck_assert_int_eq(client_res_authorized(C, &a), 0);
	a = created(R_IP, GW1, 1, SITE);
	ck_assert_int_eq(client_res_authorized(C, &a), 0);
}

START_TEST(test_goodbye_failed_ids)
{
	struct proto_sig_authorization_created a = created(R_NET, GW1, 1, SITE);
	uint8_t pkt[PROTO_P2P_HEADER_LEN];
	struct fz_cidr d = ip("10.9.9.9");

	init_four();
	client_res_authorized(C, &a);
	proto_p2p_encode_goodbye(pkt, sizeof(pkt));
	control_from(1, pkt, sizeof(pkt));
	ck_assert_int_eq(M.del_peers, 1);
	ck_assert_uint_eq(C->n_gws, 0);
	/* Asked again at once, naming it as failed; packets wait. */
	ck_assert_int_eq(find(R_NET)->state, CLIENT_RES_CONNECTING);
	ck_assert_int_eq(M.requests, 1);
	ck_assert_str_eq(M.req_resource.s, R_NET);
	ck_assert_uint_eq(M.n_failed, 1);
	ck_assert_str_eq(M.req_failed[0].s, GW1);
	ck_assert_uint_eq(M.n_connected, 0);
	client_res_unknown_dest(C, &d);
	ck_assert_int_eq(M.requests, 1);
	ck_assert_uint_eq(find(R_NET)->n_held, 1);
	ck_assert_int_eq(M.drops, 0);
	/* The portal names it again and it says Goodbye again at once: it
	 * only loses the resource, which asks when a packet comes. */
	client_res_authorized(C, &a);
	control_from(1, pkt, sizeof(pkt));
	ck_assert_int_eq(M.requests, 1);
	ck_assert_int_eq(find(R_NET)->state, CLIENT_RES_NOT_CONNECTED);
	ck_assert_ptr_nonnull(strstr(M.last_log, "removed"));
	client_res_unknown_dest(C, &d);
	ck_assert_int_eq(M.requests, 2);
	/* Forgotten after 5 s: a gateway that restarts is chosen again. */
	named_failed_for(5);
}
END_TEST

/*
 * A dead gateway (fz.ko's PEER_QUIET): its resources move, one of the
 * site asking first and the others following to the gateway it gets;
 * a resource of another gateway stays; an unknown key is not ours.
 */
START_TEST(test_quiet_moves_one_per_site)
{
	struct proto_sig_authorization_created a = created(R_NET, GW1, 1, SITE);
	uint8_t unknown[FZ_KEY_LEN];
	struct fz_cidr d = ip("10.1.2.3");

	two_via_gw1();
	a = created(R_DNS, GW3, 3, SITE);
	a.gateway_ipv4 = ip("100.64.0.3");
	a.gateway_ipv6 = ip("fd00:2021:1111::3");
	client_res_authorized(C, &a);
	ck_assert_uint_eq(C->n_gws, 2);
	memset(unknown, 9, sizeof(unknown));
	ck_assert(!client_res_gateway_quiet(C, unknown));
	ck_assert_int_eq(M.requests, 0);

	memset(unknown, 1, sizeof(unknown));
	ck_assert(client_res_gateway_quiet(C, unknown));
	ck_assert_int_eq(M.del_peers, 1);
	ck_assert_uint_eq(C->n_gws, 1);
	ck_assert_int_eq(find(R_DNS)->state, CLIENT_RES_CONNECTED);
	/* One request: the first resource; the other follows, held. */
	ck_assert_int_eq(M.requests, 1);
	ck_assert_str_eq(M.req_resource.s, R_NET);
	ck_assert_uint_eq(M.n_failed, 1);
	ck_assert_str_eq(M.req_failed[0].s, GW1);
	ck_assert_uint_eq(M.n_connected, 1); /* GW3, of the same site */
	ck_assert_str_eq(M.req_connected[0].s, GW3);
	ck_assert_int_eq(find(R_IP)->state, CLIENT_RES_CONNECTING);
	client_res_unknown_dest(C, &d);
	ck_assert_int_eq(M.requests, 1);
	ck_assert_uint_eq(find(R_IP)->n_held, 1);

	/* The portal names GW2: the follower asks, naming GW2. */
	a = created(R_NET, GW2, 2, SITE);
	ck_assert_int_eq(client_res_authorized(C, &a), 0);
	ck_assert_int_eq(M.requests, 2);
	ck_assert_str_eq(M.req_resource.s, R_IP);
	ck_assert_uint_eq(M.n_failed, 1);
	ck_assert_uint_eq(M.n_connected, 2);
	a = created(R_IP, GW2, 2, SITE);
	ck_assert_int_eq(client_res_authorized(C, &a), 0);
	ck_assert_int_eq(find(R_IP)->state, CLIENT_RES_CONNECTED);
	ck_assert(has_aip("10.1.2.3"));
	ck_assert(has_aip("10.0.0.0/8"));
	/* Named as failed for 60 s, not 5. */
	named_failed_for(60);
}
END_TEST

/* The first asker refused, or the portal away: followers ask alone. */
START_TEST(test_quiet_followers_released)
{
	struct proto_sig_authorization_creation_failed f = { 0 };
	uint8_t key[FZ_KEY_LEN];

	two_via_gw1();
	memset(key, 1, sizeof(key));
	ck_assert(client_res_gateway_quiet(C, key));
	ck_assert_int_eq(M.requests, 1);
	snprintf(f.resource_id.s, sizeof(f.resource_id.s), "%s", R_NET);
	f.reason = PROTO_SIG_OFFLINE;
	ck_assert_int_eq(client_res_refused(C, &f), 0);
	ck_assert_int_eq(M.requests, 2);
	ck_assert_str_eq(M.req_resource.s, R_IP);
	ck_assert(!find(R_IP)->follows);

	/* The portal away: nobody follows anybody, each says so. */
	teardown();
	setup();
	two_via_gw1();
	M.request_ret = -ENOTCONN;
	ck_assert(client_res_gateway_quiet(C, key));
	ck_assert_int_eq(find(R_NET)->state, CLIENT_RES_NOT_CONNECTED);
	ck_assert_int_eq(find(R_IP)->state, CLIENT_RES_NOT_CONNECTED);
	ck_assert_ptr_nonnull(strstr(M.last_log, "cannot ask the portal"));
}
END_TEST

START_TEST(test_dns_assigned_ips)
{
	struct proto_sig_authorization_created a = created(R_DNS, GW1, 1, SITE);
	const struct client_mapped_entry *e;
	uint8_t pkt[FZ_MAX_CONTROL_PAYLOAD];
	int n;

	init_four();
	ck_assert_int_eq(client_mapped_get(MAP, "gitlab.company.test",
					   find(R_DNS)->uuid, &e),
			 0);
	client_res_name_asked(C, e->name, e->resource_id, e);
	ck_assert_int_eq(M.controls, 0); /* no gateway yet */
	client_res_unknown_dest(C, &e->v4[0]);
	ck_assert_int_eq(M.requests, 1);
	ck_assert_str_eq(M.req_resource.s, R_DNS);
	ck_assert_int_eq(client_res_authorized(C, &a), 0);
	/* Until DomainStatus only the tunnel addresses: packets wait. */
	ck_assert_uint_eq(M.n_aips, 2);
	ck_assert_int_eq(M.controls, 1);
	ck_assert_int_eq(M.last_control.event, PROTO_P2P_ASSIGNED_IPS);
	ck_assert_str_eq(M.last_control.domain, "gitlab.company.test");
	ck_assert_uint_eq(M.last_control.n_proxy_ips, 8);
	M.now += 1ULL * 1000000000ULL;
	client_res_tick(C);
	ck_assert_int_eq(M.controls, 1);
	M.now += 1ULL * 1000000000ULL;
	client_res_tick(C);
	ck_assert_int_eq(M.controls, 2); /* resent after 2 s */
	n = proto_p2p_encode_domain_status(pkt, sizeof(pkt), find(R_DNS)->uuid,
					   "gitlab.company.test", true);
	control_from(1, pkt, (size_t)n);
	ck_assert_uint_eq(M.n_aips, 10);
	ck_assert(has_aip("100.96.0.1"));
	ck_assert(has_aip("fd00:2021:1111:8000::4"));
	M.now += 5ULL * 1000000000ULL;
	client_res_tick(C);
	ck_assert_int_eq(M.controls, 2); /* no more resends */
	/* A new question for the name: sent again. */
	client_res_name_asked(C, e->name, e->resource_id, e);
	ck_assert_int_eq(M.controls, 3);
}
END_TEST

START_TEST(test_dns_inactive_drops)
{
	struct proto_sig_authorization_created a = created(R_DNS, GW1, 1, SITE);
	const struct client_mapped_entry *e;
	uint8_t pkt[FZ_MAX_CONTROL_PAYLOAD];
	int n;

	init_four();
	client_mapped_get(MAP, "x.company.test", find(R_DNS)->uuid, &e);
	client_res_unknown_dest(C, &e->v4[0]);
	client_res_authorized(C, &a);
	ck_assert_int_eq(M.controls, 1); /* the held address's name */
	n = proto_p2p_encode_domain_status(pkt, sizeof(pkt), find(R_DNS)->uuid,
					   "x.company.test", false);
	control_from(1, pkt, (size_t)n);
	ck_assert_int_eq(M.drops, 8);
	ck_assert_uint_eq(M.n_aips, 2);
}
END_TEST

START_TEST(test_expiry)
{
	struct proto_sig_authorization_created a = created(R_NET, GW1, 1, SITE);

	init_four();
	client_res_authorized(C, &a);
	M.now = 1999ULL * 1000000000ULL;
	client_res_tick(C);
	ck_assert_int_eq(find(R_NET)->state, CLIENT_RES_CONNECTED);
	M.now = 2000ULL * 1000000000ULL;
	client_res_tick(C);
	ck_assert_int_eq(find(R_NET)->state, CLIENT_RES_NOT_CONNECTED);
	ck_assert_int_eq(M.del_peers, 1);
}
END_TEST

START_TEST(test_reinit_reconciles)
{
	struct proto_sig_authorization_created a = created(R_SUB, GW1, 1, SITE);
	struct proto_sig_client_init m = { .resources = init_res,
					   .n_resources = 2 };

	init_four();
	client_res_authorized(C, &a);
	/* Reconnected: R_SUB (connected) and R_NET stay, two go. */
	init_res[0] = res(R_NET, FZ_RESADDR_CIDR, "10.0.0.0/8", false);
	init_res[1] = res(R_SUB, FZ_RESADDR_CIDR, "10.1.0.0/16", false);
	ck_assert_int_eq(client_res_init(C, &m), 0);
	/* Nothing goes before init_done: the rest may come as pushes. */
	ck_assert_uint_eq(C->n_res, 4);
	ck_assert_int_eq(M.routes_removed, 0);
	client_res_init_done(C);
	ck_assert_uint_eq(C->n_res, 2);
	ck_assert_int_eq(find(R_SUB)->state, CLIENT_RES_CONNECTED);
	ck_assert_int_eq(M.del_peers, 0);
	ck_assert_int_eq(M.routes_removed, 1);
	ck_assert_int_eq(M.dns_removes, 1);
}
END_TEST

START_TEST(test_reroute)
{
	init_four();
	M.routes_added = M.routes_removed = 0;
	client_res_reroute(C);
	ck_assert_int_eq(M.routes_removed, 3);
	ck_assert_int_eq(M.routes_added, 3);
}
END_TEST

START_TEST(test_address_change)
{
	struct proto_sig_authorization_created a = created(R_NET, GW1, 1, SITE);
	struct proto_sig_resource r =
		res(R_NET, FZ_RESADDR_CIDR, "10.0.0.0/9", false);

	init_four();
	client_res_authorized(C, &a);
	ck_assert_int_eq(client_res_upsert(C, &r), 0);
	ck_assert_int_eq(find(R_NET)->state, CLIENT_RES_NOT_CONNECTED);
	ck_assert_int_eq(M.del_peers, 1);
	ck_assert_uint_eq(find(R_NET)->addr.cidr.cidr, 9);
}
END_TEST

/* --- A DNS resource's names: the ones used last are kept --- */

/* Name i under *.company.test, asked through the stub: its entry. */
static const struct client_mapped_entry *ask_name(int i)
{
	const struct client_mapped_entry *e;
	char name[64];

	snprintf(name, sizeof(name), "n%d.company.test", i);
	ck_assert_int_eq(client_mapped_get_wildcard(MAP, name,
						    find(R_DNS)->uuid, &e),
			 0);
	client_res_name_asked(C, e->name, e->resource_id, e);
	return e;
}

static void status_of(const struct client_mapped_entry *e, bool active)
{
	uint8_t pkt[FZ_MAX_CONTROL_PAYLOAD];
	int n = proto_p2p_encode_domain_status(
		pkt, sizeof(pkt), find(R_DNS)->uuid, e->name, active);

	ck_assert_int_gt(n, 0);
	control_from(1, pkt, (size_t)n);
}

static bool kept(const struct client_mapped_entry *e)
{
	const struct client_resource *r = find(R_DNS);

	for (size_t i = 0; i < r->n_names; i++)
		if (!strcmp(r->names[i].name, e->name))
			return true;
	return false;
}

/* All of e's addresses allowed to the gateway, or none of them. */
static bool routed(const struct client_mapped_entry *e)
{
	size_t n = 0;

	for (size_t i = 0; i < M.n_aips; i++)
		for (size_t k = 0; k < CLIENT_MAPPED_PER_FAMILY; k++)
			n += fz_cidr_equal(&M.aips[i], &e->v4[k]) +
			     fz_cidr_equal(&M.aips[i], &e->v6[k]);
	ck_assert(n == 0 || n == 2 * CLIENT_MAPPED_PER_FAMILY);
	return n;
}

static bool all_dropped(const struct client_mapped_entry *e)
{
	size_t n = 0;

	for (int i = 0; i < M.drops && i < 256; i++)
		for (size_t k = 0; k < CLIENT_MAPPED_PER_FAMILY; k++)
			n += fz_cidr_equal(&M.dropped[i], &e->v4[k]) +
			     fz_cidr_equal(&M.dropped[i], &e->v6[k]);
	return n == 2 * CLIENT_MAPPED_PER_FAMILY;
}

/* R_DNS via GW1, names 0..15 asked and confirmed in order. */
static void sixteen_names(const struct client_mapped_entry *e[])
{
	struct proto_sig_authorization_created a = created(R_DNS, GW1, 1, SITE);

	init_four();
	ck_assert_int_eq(client_res_authorized(C, &a), 0);
	for (int i = 0; i < CLIENT_RES_MAX_NAMES; i++) {
		e[i] = ask_name(i);
		status_of(e[i], true);
	}
	ck_assert_uint_eq(find(R_DNS)->n_names, CLIENT_RES_MAX_NAMES);
}

START_TEST(test_dns_names_forget_oldest)
{
	const struct client_mapped_entry *e[CLIENT_RES_MAX_NAMES + 2];
	int controls, drops;
	size_t count;

	sixteen_names(e);
	count = client_mapped_count(MAP);
	controls = M.controls;
	drops = M.drops;
	/* The 17th name is served: name 0 makes room for it. */
	e[16] = ask_name(16);
	ck_assert_int_eq(M.controls, controls + 1);
	ck_assert_int_eq(M.last_control.event, PROTO_P2P_ASSIGNED_IPS);
	ck_assert_str_eq(M.last_control.domain, "n16.company.test");
	ck_assert_uint_eq(find(R_DNS)->n_names, CLIENT_RES_MAX_NAMES);
	ck_assert(!kept(e[0]));
	ck_assert(kept(e[1]) && kept(e[16]));
	ck_assert_int_eq(M.drops, drops + 2 * CLIENT_MAPPED_PER_FAMILY);
	ck_assert(all_dropped(e[0]));
	status_of(e[16], true);
	ck_assert(routed(e[16]));
	ck_assert(!routed(e[0]));
	/* Name 1 asked again is the newest: 17 makes name 2 go, not it. */
	ask_name(1);
	e[17] = ask_name(17);
	ck_assert(kept(e[1]) && !kept(e[2]) && kept(e[17]));
	/* Name 0's packets bring it back, with the same mapped IPs (its
	 * wildcard made no new name); name 3 goes. */
	client_res_unknown_dest(C, &e[0]->v4[1]);
	ck_assert(kept(e[0]) && !kept(e[3]));
	ck_assert_str_eq(M.last_control.domain, "n0.company.test");
	ck_assert_uint_eq(client_mapped_count(MAP), count + 2);
	status_of(e[0], true);
	ck_assert(routed(e[0]));
	/* A hundred more names: still sixteen, a hundred more forgotten. */
	for (int i = 100; i < 200; i++)
		ask_name(i);
	ck_assert_uint_eq(find(R_DNS)->n_names, CLIENT_RES_MAX_NAMES);
	ck_assert_uint_eq(C->n_forgotten, 3 + 100);
}
END_TEST

START_TEST(test_dns_names_routed_newest_first)
{
	const struct client_mapped_entry *e[CLIENT_RES_MAX_NAMES];
	/* The tunnel's two addresses, then 8 per name, whole. */
	int fit = (FZ_MAX_ALLOWEDIPS - 2) / (2 * CLIENT_MAPPED_PER_FAMILY);

	sixteen_names(e);
	ck_assert_uint_eq(M.n_aips, 2 + fit * 2 * CLIENT_MAPPED_PER_FAMILY);
	for (int i = 0; i < CLIENT_RES_MAX_NAMES; i++)
		ck_assert_msg(routed(e[i]) == (i >= CLIENT_RES_MAX_NAMES - fit),
			      "name %d", i);
	/* A packet for name 0: held, so routed now, the least used not;
	 * and the gateway hears of name 0 again, so that it too keeps it
	 * (once a resend interval after the last time it heard of it). */
	M.controls = 0;
	M.now += CLIENT_RES_RESEND_MS * 1000000ULL;
	client_res_unknown_dest(C, &e[0]->v6[3]);
	ck_assert(routed(e[0]));
	ck_assert(!routed(e[CLIENT_RES_MAX_NAMES - fit]));
	ck_assert(routed(e[CLIENT_RES_MAX_NAMES - fit + 1]));
	ck_assert_int_eq(M.controls, 1);
	ck_assert_str_eq(M.last_control.domain, e[0]->name);
	/* Its next packet within the interval tells the gateway nothing. */
	client_res_unknown_dest(C, &e[0]->v6[2]);
	ck_assert_int_eq(M.controls, 1);
}
END_TEST

START_TEST(test_dns_names_gateway_order)
{
	const struct client_mapped_entry *e[CLIENT_RES_MAX_NAMES + 1];
	struct proto_sig_authorization_created a = created(R_DNS, GW1, 1, SITE);

	init_four();
	ck_assert_int_eq(client_res_authorized(C, &a), 0);
	for (int i = 0; i < CLIENT_RES_MAX_NAMES; i++)
		e[i] = ask_name(i);
	/* The gateway resolved name 0 last: it forgets name 1 first, and so
	 * do we. */
	for (int i = 1; i < CLIENT_RES_MAX_NAMES; i++)
		status_of(e[i], true);
	status_of(e[0], true);
	e[16] = ask_name(16);
	ck_assert(kept(e[0]) && !kept(e[1]) && kept(e[16]));
}
END_TEST

START_TEST(test_dns_names_held_forgotten)
{
	const struct client_mapped_entry *e0, *e[CLIENT_RES_MAX_NAMES];
	struct proto_sig_authorization_created a = created(R_DNS, GW1, 1, SITE);

	init_four();
	ck_assert_int_eq(client_mapped_get_wildcard(MAP, "held.company.test",
						    find(R_DNS)->uuid, &e0),
			 0);
	/* Its packets wait for the portal's answer... */
	client_res_unknown_dest(C, &e0->v4[0]);
	ck_assert_int_eq(find(R_DNS)->state, CLIENT_RES_CONNECTING);
	ck_assert_uint_eq(find(R_DNS)->n_held, 1);
	/* ... while sixteen newer names are asked: it goes, and so do its
	 * packets. */
	for (int i = 0; i < CLIENT_RES_MAX_NAMES; i++)
		e[i] = ask_name(i);
	ck_assert(!kept(e0) && kept(e[0]) && kept(e[15]));
	ck_assert(all_dropped(e0));
	ck_assert_uint_eq(find(R_DNS)->n_held, 0);
	/* The answer asks the gateway for the sixteen, not for it. */
	M.controls = 0;
	ck_assert_int_eq(client_res_authorized(C, &a), 0);
	ck_assert_int_eq(M.controls, CLIENT_RES_MAX_NAMES);
	ck_assert(!kept(e0));
	ck_assert_str_ne(M.last_control.domain, "held.company.test");
}
END_TEST

/* --- Hostile input: a log line, nothing changed --- */

START_TEST(test_hostile_init)
{
	struct proto_sig_client_init m = { .resources = init_res,
					   .n_resources = 2 };

	init_four();
	M.routes_added = 0;
	init_res[0] = res(R_NET, FZ_RESADDR_CIDR, "10.0.0.0/8", false);
	init_res[1] = res(R_SUB, FZ_RESADDR_CIDR, "not an address", false);
	ck_assert_int_eq(client_res_init(C, &m), -EINVAL);
	ck_assert_uint_eq(C->n_res, 4);
	ck_assert_ptr_nonnull(strstr(M.last_log, "refused"));
	init_res[1] = res(R_NET, FZ_RESADDR_IP, "10.0.0.1", false);
	ck_assert_int_eq(client_res_init(C, &m), -EINVAL);
	ck_assert_ptr_nonnull(strstr(M.last_log, "twice"));
	init_res[1] = res("not-a-uuid", FZ_RESADDR_IP, "10.0.0.1", false);
	ck_assert_int_eq(client_res_init(C, &m), -EINVAL);
	init_res[1] = res(R_SUB, FZ_RESADDR_DNS, "bad..name", false);
	ck_assert_int_eq(client_res_init(C, &m), -EINVAL);
	ck_assert_uint_eq(C->n_res, 4);
	ck_assert_int_eq(M.routes_removed, 0);
	ck_assert_int_eq(M.routes_added, 0);
}
END_TEST

START_TEST(test_hostile_messages)
{
	struct proto_sig_authorization_created a =
		created(R_OTHER, GW1, 1, SITE);
	struct proto_sig_authorization_creation_failed f = {
		.resource_id = { R_OTHER },
	};
	struct proto_sig_resource r =
		res(R_OTHER, FZ_RESADDR_IP, "300.1.1.1", false);
	struct proto_sig_id id = { R_OTHER };
	uint8_t junk[12] = { 1, 0, 0, 0, 0, 0, 0, 0, '{', '}' };

	init_four();
	ck_assert_int_eq(client_res_authorized(C, &a), -EINVAL);
	a = created(R_NET, GW1, 1, SITE);
	a.gateway_ipv4 = ip("10.0.0.1"); /* not a tunnel address */
	ck_assert_int_eq(client_res_authorized(C, &a), -EINVAL);
	a = created(R_NET, GW1, 1, SITE);
	a.n_gateway_endpoints = 0;
	ck_assert_int_eq(client_res_authorized(C, &a), -EINVAL);
	a = created(R_NET, GW1, 1, SITE);
	a.expires_at = -5;
	ck_assert_int_eq(client_res_authorized(C, &a), -EINVAL);
	ck_assert_int_eq(M.set_peers, 0);
	ck_assert_int_eq(client_res_refused(C, &f), -EINVAL);
	ck_assert_int_eq(client_res_upsert(C, &r), -EINVAL);
	ck_assert_int_eq(client_res_delete(C, &id), -EINVAL);
	ck_assert_uint_eq(C->n_res, 4);
	/* Control packets: from no gateway, or malformed. */
	control_from(9, junk, sizeof(junk));
	a = created(R_NET, GW1, 1, SITE);
	client_res_authorized(C, &a);
	control_from(1, junk, 3);
	control_from(1, junk, sizeof(junk));
	ck_assert_int_eq(find(R_NET)->state, CLIENT_RES_CONNECTED);
	/* Two gateway ids with one key: the second refused. */
	a = created(R_SUB, GW2, 1, SITE);
	ck_assert_int_eq(client_res_authorized(C, &a), -EINVAL);
	ck_assert_uint_eq(C->n_gws, 1);
}
END_TEST

START_TEST(test_hostile_oversized)
{
	struct proto_sig_client_init m = { .n_resources = CLIENT_RES_MAX + 1 };
	struct proto_sig_resource r;
	char id[37];

	init_four();
	m.resources = init_res; /* never read: the count is refused first */
	ck_assert_int_eq(client_res_init(C, &m), -EINVAL);
	ck_assert_uint_eq(C->n_res, 4);
	for (unsigned int i = 0; C->n_res < CLIENT_RES_MAX; i++) {
		snprintf(id, sizeof(id), "cccccccc-0000-4000-8000-%012x",
			 i & 0xffffu);
		r = res(id, FZ_RESADDR_DNS, "a.test", false);
		ck_assert_int_eq(client_res_upsert(C, &r), 0);
	}
	r = res("dddddddd-0000-4000-8000-000000000000", FZ_RESADDR_DNS,
		"a.test", false);
	ck_assert_int_eq(client_res_upsert(C, &r), -ENOSPC);
	ck_assert_uint_eq(C->n_res, CLIENT_RES_MAX);
}
END_TEST

START_TEST(test_format)
{
	struct proto_sig_authorization_created a = created(R_NET, GW1, 1, SITE);
	const struct client_mapped_entry *e;
	char out[8192];

	init_four();
	client_res_authorized(C, &a);
	client_mapped_get(MAP, "gitlab.company.test", find(R_DNS)->uuid, &e);
	client_res_name_asked(C, e->name, e->resource_id, e);
	ck_assert_int_gt(client_res_format(C, false, out, sizeof(out)), 0);
	ck_assert_ptr_nonnull(strstr(out, "connected via gateway " GW1));
	ck_assert_ptr_nonnull(strstr(out, "not connected"));
	ck_assert_ptr_nonnull(strstr(out, "name gitlab.company.test (pending):"
					  " 100.96.0.1"));
	ck_assert_int_gt(client_res_format(C, true, out, sizeof(out)), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"gateway\":\"" GW1 "\""));
	ck_assert_ptr_nonnull(strstr(out, "\"mapped_ips\":[\"100.96.0.1\""));
	ck_assert_int_eq(client_res_format(C, false, out, 20), -ENOSPC);
}
END_TEST

START_TEST(test_read_servers)
{
	char path[] = "/tmp/fz-resolv-XXXXXX";
	struct fz_cidr s[4];
	int fd = mkstemp(path);
	const char text[] = "# comment\nsearch x\nnameserver 192.0.2.53\n"
			    "nameserver 100.100.111.1\n"
			    "nameserver fe80::1%eth0\nnameserver 2001:db8::53\n"
			    "nameserver\nnameserver bogus\n";

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, sizeof(text) - 1),
			 (int)sizeof(text) - 1);
	close(fd);
	ck_assert_int_eq(client_sysdns_read_servers(path, s, 4), 2);
	ck_assert_uint_eq(s[0].family, AF_INET);
	ck_assert_uint_eq(s[1].family, AF_INET6);
	ck_assert_int_eq(client_sysdns_read_servers(path, s, 1), 1);
	unlink(path);
	ck_assert_int_eq(client_sysdns_read_servers(path, s, 4), -ENOENT);
}
END_TEST

Suite *client_resources_suite(void)
{
	Suite *s = suite_create("client_resources");
	TCase *tc = tcase_create("client_resources");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_init_routes);
	tcase_add_test(tc, test_match_longest_prefix);
	tcase_add_test(tc, test_match_mapped);
	tcase_add_test(tc, test_unknown_refused);
	tcase_add_test(tc, test_request_once);
	tcase_add_test(tc, test_authorized_and_shared);
	tcase_add_test(tc, test_other_site);
	tcase_add_test(tc, test_remove_shrinks_then_deletes);
	tcase_add_test(tc, test_refused_negative_cache);
	tcase_add_test(tc, test_request_fails_drops);
	tcase_add_test(tc, test_request_times_out);
	tcase_add_test(tc, test_prohibited_asks_again);
	tcase_add_test(tc, test_prohibited_portal_down);
	tcase_add_test(tc, test_prohibited_refusals);
	tcase_add_test(tc, test_goodbye_failed_ids);
	tcase_add_test(tc, test_quiet_moves_one_per_site);
	tcase_add_test(tc, test_quiet_followers_released);
	tcase_add_test(tc, test_dns_assigned_ips);
	tcase_add_test(tc, test_dns_inactive_drops);
	tcase_add_test(tc, test_dns_names_forget_oldest);
	tcase_add_test(tc, test_dns_names_routed_newest_first);
	tcase_add_test(tc, test_dns_names_gateway_order);
	tcase_add_test(tc, test_dns_names_held_forgotten);
	tcase_add_test(tc, test_expiry);
	tcase_add_test(tc, test_reinit_reconciles);
	tcase_add_test(tc, test_reroute);
	tcase_add_test(tc, test_address_change);
	tcase_add_test(tc, test_hostile_init);
	tcase_add_test(tc, test_hostile_messages);
	tcase_add_test(tc, test_hostile_oversized);
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_read_servers);
	suite_add_tcase(s, tc);
	return s;
}
