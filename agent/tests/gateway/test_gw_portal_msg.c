// SPDX-License-Identifier: GPL-2.0
/*
 * gateway/portal.c and grant.c: the portal's messages acted on by a
 * gateway whose struct gw_ops is a small model of fz.ko (peers and their
 * resources, by the key's first byte and the id's last), with the
 * daemon's side (struct gw_portal_ops) recorded. After each message the
 * model must hold exactly the portal's state; a hostile message must
 * leave it and the gateway as they were.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fzk/device.h"
#include "gateway/gateway.h"
#include "gateway/portal.h"
#include "lib/keys.h"
#include "lib/values.h"
#include "../suites.h"

#define NOW (1780000000ULL * 1000000000ULL)
#define EXP 1790000000

/* --- The model of fz.ko --- */

struct model_res {
	bool on;
	size_t n_filters;
	uint64_t expires_ns;
	uint16_t port; /* the first filter's */
};

static struct {
	bool peer[256];
	uint8_t ip4[256]; /* the peer's IPv4's last byte */
	struct model_res res[256][256];
} k;

static char calls[32768];

static void record(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void record(const char *fmt, ...)
{
	size_t n = strlen(calls);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(calls + n, sizeof(calls) - n, fmt, ap);
	va_end(ap);
	strncat(calls, "\n", sizeof(calls) - strlen(calls) - 1);
}

static int t_set_client_peer(void *ctx, const struct proto_auth_client *c)
{
	(void)ctx;
	if (c->public_key[0] == 0xee) /* fz.ko refuses this one */
		return -EINVAL;
	k.peer[c->public_key[0]] = true;
	k.ip4[c->public_key[0]] = c->tunnel_ips[0].addr[3];
	record("peer %02x ip %u psk %u", c->public_key[0],
	       c->tunnel_ips[0].addr[3], c->preshared_key[0]);
	return 0;
}

static int t_set_resource(void *ctx, const uint8_t key[FZ_KEY_LEN],
			  const struct fzk_resource_spec *r)
{
	struct model_res *m = &k.res[key[0]][r->id[15]];

	(void)ctx;
	ck_assert(k.peer[key[0]]);
	*m = (struct model_res){ true, r->n_filters, r->expires_ns,
				 r->n_filters ? r->filters[0].port_start : 0 };
	record("res %02x %02x filters %zu exp %llu", key[0], r->id[15],
	       r->n_filters, (unsigned long long)(r->expires_ns / 1000000000));
	return 0;
}

static int t_del_resource(void *ctx, const uint8_t key[FZ_KEY_LEN],
			  const uint8_t id[FZ_RESOURCE_ID_LEN])
{
	struct model_res *m = &k.res[key[0]][id[15]];

	(void)ctx;
	record("delres %02x %02x", key[0], id[15]);
	if (!m->on)
		return -ENOENT;
	m->on = false;
	return 0;
}

static int t_set_dns_map(void *ctx, const uint8_t key[FZ_KEY_LEN],
			 const uint8_t id[FZ_RESOURCE_ID_LEN],
			 const struct fz_cidr *mapped,
			 const struct fz_cidr *real)
{
	(void)ctx;
	(void)key;
	(void)id;
	(void)mapped;
	(void)real;
	return 0;
}

static int t_del_dns_map(void *ctx, const uint8_t key[FZ_KEY_LEN],
			 const struct fz_cidr *mapped)
{
	(void)ctx;
	(void)key;
	(void)mapped;
	return 0;
}

static int t_del_dns_maps(void *ctx, const uint8_t key[FZ_KEY_LEN],
			  const uint8_t id[FZ_RESOURCE_ID_LEN])
{
	(void)ctx;
	(void)key;
	(void)id;
	return -ENOENT;
}

static int t_send_control(void *ctx, const uint8_t key[FZ_KEY_LEN],
			  const uint8_t *packet, size_t len)
{
	(void)ctx;
	(void)packet;
	(void)len;
	record("send %02x", key[0]);
	return 0;
}

static int t_resolve(void *ctx, const char *name, proto_resolver_cb cb,
		     void *arg)
{
	(void)ctx;
	(void)name;
	cb(arg, NULL, -EIO, false);
	return 0;
}

static void t_log(void *ctx, const char *line)
{
	(void)ctx;
	record("log %s", line);
}

static bool t_is_own_addr(void *ctx, const struct fz_cidr *ip)
{
	(void)ctx;
	(void)ip;
	return false;
}

static const struct gw_ops model_ops = {
	.set_client_peer = t_set_client_peer,
	.set_resource = t_set_resource,
	.del_resource = t_del_resource,
	.set_dns_map = t_set_dns_map,
	.del_dns_map = t_del_dns_map,
	.del_dns_maps = t_del_dns_maps,
	.send_control = t_send_control,
	.resolve = t_resolve,
	.log = t_log,
	.is_own_addr = t_is_own_addr,
};

/* --- The daemon's side --- */

static struct gateway *gw; /* the one under test, for p_prune */

static void key_of(uint8_t key[FZ_KEY_LEN], unsigned int n)
{
	memset(key, 1, FZ_KEY_LEN);
	key[0] = (uint8_t)n;
}

/* Resource n's id, as resource() names it. */
static void res_id(uint8_t id[FZ_RESOURCE_ID_LEN], unsigned int n)
{
	char text[37];

	snprintf(text, sizeof(text), "10000000-0000-4000-8000-0000000000%02x",
		 n);
	ck_assert_int_eq(fz_uuid_parse(text, id), 0);
}

/* As role_gw_prune(): peers the gateway no longer has go. */
static int p_prune(void *ctx, char *err, size_t errlen)
{
	uint8_t key[FZ_KEY_LEN];

	(void)ctx;
	(void)err;
	(void)errlen;
	for (unsigned int i = 0; i < 256; i++) {
		key_of(key, i);
		if (!k.peer[i] || gw_is_client(gw, key))
			continue;
		k.peer[i] = false;
		memset(k.res[i], 0, sizeof(k.res[i]));
		record("delpeer %02x", i);
	}
	return 0;
}

/* As role_gw_remove_client(): one peer goes, with its resources. */
static int p_remove_client(void *ctx, const uint8_t key[FZ_KEY_LEN],
			   const char *reason, char *err, size_t errlen)
{
	(void)ctx;
	if (key[0] == 0xed) { /* fz.ko refuses to delete this one */
		snprintf(err, errlen, "cannot remove client: refused");
		return -EIO;
	}
	ck_assert(k.peer[key[0]]);
	k.peer[key[0]] = false;
	memset(k.res[key[0]], 0, sizeof(k.res[key[0]]));
	record("delpeer %02x (%s)", key[0], reason);
	return 0;
}

static int p_dump(void *ctx, struct fzk_device_view *dev)
{
	(void)ctx;
	fzk_device_view_init(dev);
	dev->peers = calloc(256, sizeof(*dev->peers));
	ck_assert_ptr_nonnull(dev->peers);
	for (unsigned int i = 0; i < 256; i++) {
		struct fzk_peer_view *p = &dev->peers[dev->n_peers];
		size_t n = 0;

		if (!k.peer[i])
			continue;
		dev->n_peers++;
		key_of(p->public_key, i);
		p->flags = FZ_PEER_F_GATEWAY_CLIENT;
		p->resources = calloc(256, sizeof(*p->resources));
		ck_assert_ptr_nonnull(p->resources);
		for (unsigned int j = 0; j < 256; j++)
			if (k.res[i][j].on)
				res_id(p->resources[n++].id, j);
		p->n_resources = n;
	}
	return 0;
}

static bool addrs_fail; /* as with IPv6 disabled and IPv4 refused */

static int p_set_addresses(void *ctx, const struct fz_cidr *v4,
			   const struct fz_cidr *v6, char *err, size_t errlen)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

	(void)ctx;
	if (addrs_fail) {
		snprintf(err, errlen, "cannot add the tunnel addresses");
		return -EACCES;
	}
	record("addrs %s %s", inet_ntop(AF_INET, v4->addr, a, sizeof(a)),
	       inet_ntop(AF_INET6, v6->addr, b, sizeof(b)));
	return 0;
}

static int p_ack(void *ctx, const struct proto_sig_id *ref)
{
	(void)ctx;
	record("ack %s", ref->s);
	return 0;
}

static void p_goodbye(void *ctx)
{
	(void)ctx;
	record("goodbye");
}

static void p_disconnected(void *ctx, const char *reason)
{
	(void)ctx;
	record("disconnected %s", reason);
}

static uint64_t p_now(void *ctx)
{
	(void)ctx;
	return NOW;
}

static const struct gw_portal_ops daemon_side = {
	.prune = p_prune,
	.remove_client = p_remove_client,
	.dump = p_dump,
	.set_addresses = p_set_addresses,
	.ack = p_ack,
	.goodbye = p_goodbye,
	.disconnected = p_disconnected,
	.now_ns = p_now,
};

/* --- Messages --- */

/* Client n: key n,1,1..., 100.64.0.n, fd00:2021:1111::n, id ...00n. */
static void peer(struct proto_sig_peer *p, unsigned int n, uint8_t psk)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->id.s, sizeof(p->id.s),
		 "00000000-0000-4000-8000-0000000000%02x", n);
	key_of(p->public_key, n);
	memset(p->preshared_key, psk, FZ_KEY_LEN);
	ck_assert_int_eq(inet_pton(AF_INET, "100.64.0.0", p->ipv4.addr), 1);
	p->ipv4.addr[3] = (uint8_t)n;
	p->ipv4.family = AF_INET;
	p->ipv4.cidr = 32;
	ck_assert_int_eq(inet_pton(AF_INET6, "fd00:2021:1111::", p->ipv6.addr),
			 1);
	p->ipv6.addr[15] = (uint8_t)n;
	p->ipv6.family = AF_INET6;
	p->ipv6.cidr = 128;
}

/* Resource n: an ip resource 10.0.0.n with one tcp filter on port. */
static void resource(struct proto_sig_resource *r, unsigned int n,
		     const char *addr, uint16_t port)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->id.s, sizeof(r->id.s),
		 "10000000-0000-4000-8000-0000000000%02x", n);
	r->name = "res";
	r->type = FZ_RESADDR_IP;
	r->address = addr;
	r->filters[0] = (struct fz_filter){ FZ_FILTER_TCP, port, port };
	r->n_filters = 1;
}

static void authz(struct proto_sig_authorization *z, unsigned int client,
		  unsigned int res, const char *addr, int64_t exp)
{
	memset(z, 0, sizeof(*z));
	snprintf(z->ref.s, sizeof(z->ref.s),
		 "20000000-0000-4000-8000-0000000%02x%03x", client, res);
	peer(&z->client, client, 0xaa);
	resource(&z->resource, res, addr, 443);
	z->expires_at = exp;
}

/* An init alone: what fits one message; pushes and init_done follow. */
static int init_only(struct proto_sig_authorization *z, size_t n)
{
	struct proto_sig_msg m = { .kind = PROTO_SIG_GATEWAY_INIT };
	const char *why;

	ck_assert_int_eq(fz_cidr_parse(&m.gateway_init.interface.ipv4,
				       "100.64.0.1", 10, &why),
			 0);
	ck_assert_int_eq(fz_cidr_parse(&m.gateway_init.interface.ipv6,
				       "fd00:2021:1111::1", 17, &why),
			 0);
	m.gateway_init.authorizations = z;
	m.gateway_init.n_authorizations = n;
	calls[0] = '\0';
	return gw_portal_message(gw, &daemon_side, NULL, &m);
}

static int init_done(void)
{
	struct proto_sig_msg m = { .kind = PROTO_SIG_INIT_DONE };

	return gw_portal_message(gw, &daemon_side, NULL, &m);
}

/* An init whole in one message, then its init_done: init's result. */
static int init(struct proto_sig_authorization *z, size_t n)
{
	int ret = init_only(z, n);

	init_done();
	return ret;
}

static int create(const struct proto_sig_authorization *z)
{
	struct proto_sig_msg m = { .kind = PROTO_SIG_CREATE_AUTHORIZATION };

	m.create_authorization = *z;
	calls[0] = '\0';
	return gw_portal_message(gw, &daemon_side, NULL, &m);
}

static int reject(unsigned int client, unsigned int res)
{
	struct proto_sig_msg m = { .kind = PROTO_SIG_REJECT_ACCESS };

	snprintf(m.reject_access.client_id.s, 37,
		 "00000000-0000-4000-8000-0000000000%02x", client);
	snprintf(m.reject_access.resource_id.s, 37,
		 "10000000-0000-4000-8000-0000000000%02x", res);
	calls[0] = '\0';
	return gw_portal_message(gw, &daemon_side, NULL, &m);
}

static int update(unsigned int res, uint16_t port, size_t n)
{
	struct proto_sig_msg m = { .kind = PROTO_SIG_RESOURCE_UPDATED };

	snprintf(m.resource_updated.id.s, 37,
		 "10000000-0000-4000-8000-0000000000%02x", res);
	for (size_t i = 0; i < n && i < FZ_MAX_FILTERS; i++)
		m.resource_updated.filters[i] =
			(struct fz_filter){ FZ_FILTER_UDP, port, port };
	m.resource_updated.n_filters = n;
	calls[0] = '\0';
	return gw_portal_message(gw, &daemon_side, NULL, &m);
}

static void has(const char *what)
{
	ck_assert_msg(strstr(calls, what), "no '%s' in:\n%s", what, calls);
}

static void lacks(const char *what)
{
	ck_assert_msg(!strstr(calls, what), "'%s' in:\n%s", what, calls);
}

static size_t count_of_delpeer(void)
{
	size_t n = 0;

	for (const char *p = calls; (p = strstr(p, "delpeer ")); p++)
		n++;
	return n;
}

/* The model holds exactly these (client, resource) pairs. */
static void holds(const unsigned int (*pairs)[2], size_t n)
{
	size_t on = 0;

	for (unsigned int i = 0; i < 256; i++)
		for (unsigned int j = 0; j < 256; j++)
			on += k.res[i][j].on;
	ck_assert_uint_eq(on, n);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(k.res[pairs[i][0]][pairs[i][1]].on,
			      "client %u lacks resource %u", pairs[i][0],
			      pairs[i][1]);
}

static void setup(void)
{
	struct proto_auth none = { 0 };

	memset(&k, 0, sizeof(k));
	addrs_fail = false;
	ck_assert_int_eq(fz_keys_init(), 0);
	gw = gw_new(&model_ops, NULL, &none);
	ck_assert_ptr_nonnull(gw);
	gw_set_source(gw, "the portal's authorizations");
}

static void teardown(void)
{
	gw_free(gw);
	gw = NULL;
}

/* --- Tests --- */

START_TEST(test_init_reconciles)
{
	struct proto_sig_authorization z[3];
	static const unsigned int first[][2] = { { 2, 1 }, { 2, 2 }, { 3, 1 } };

	authz(&z[0], 2, 1, "10.0.0.1", EXP);
	authz(&z[1], 2, 2, "10.0.0.2", EXP);
	authz(&z[2], 3, 1, "10.0.0.1", EXP);
	ck_assert_int_eq(init(z, 3), 0);
	has("addrs 100.64.0.1 fd00:2021:1111::1\n");
	has("log portal: init: 2 clients, 2 resources, 3 authorizations");
	has("peer 02 ip 2 psk 170\n");
	has("res 02 01 filters 1 exp 1790000000\n");
	holds(first, 3);
	lacks("ack 2");
}
END_TEST

START_TEST(test_init_reconciles_exactly)
{
	struct proto_sig_authorization z[3];
	static const unsigned int second[][2] = { { 3, 4 } };

	authz(&z[0], 2, 1, "10.0.0.1", EXP);
	authz(&z[1], 2, 2, "10.0.0.2", EXP);
	authz(&z[2], 3, 1, "10.0.0.1", EXP);
	ck_assert_int_eq(init(z, 3), 0);
	authz(&z[0], 3, 4, "10.0.0.4", EXP);
	/* A reconnection's init: client 2 and resource 2 are gone from
	 * the portal, client 3 holds another resource now. */
	ck_assert_int_eq(init(z, 1), 0);
	has("delpeer 02\n");
	has("delres 03 01\n");
	has("res 03 04 filters 1");
	has("is no longer in the portal's authorizations");
	holds(second, 1);
	ck_assert(!k.peer[2] && k.peer[3]);

	/* An init of nothing: nothing is left. */
	ck_assert_int_eq(init(z, 0), 0);
	holds(NULL, 0);
	ck_assert(!k.peer[3]);
}
END_TEST

/*
 * An init holds what fits one message, the rest follows as pushes: a
 * reconnection's init without client 3, then 3's push, then init_done,
 * must not cost client 3 its peer (its session) or its resource.
 */
START_TEST(test_init_then_pushes)
{
	struct proto_sig_authorization z[2];
	static const unsigned int both[][2] = { { 2, 1 }, { 3, 1 } };
	static const unsigned int only2[][2] = { { 2, 1 } };

	authz(&z[0], 2, 1, "10.0.0.1", EXP);
	authz(&z[1], 3, 1, "10.0.0.1", EXP);
	ck_assert_int_eq(init(z, 2), 0);
	holds(both, 2);

	ck_assert_int_eq(init_only(z, 1), 0);
	ck_assert_int_eq(create(&z[1]), 0);
	ck_assert_int_eq(init_done(), 0);
	lacks("delpeer");
	lacks("delres");
	has("log portal: init_done: 2 clients stay");
	holds(both, 2);
	ck_assert(gw_is_client(gw, z[1].client.public_key));

	/* Until init_done nothing goes; then what it did not name does. */
	ck_assert_int_eq(init_only(z, 1), 0);
	lacks("delpeer");
	holds(both, 2);
	ck_assert_int_eq(init_done(), 0);
	has("delpeer 03\n");
	holds(only2, 1);
	ck_assert(!k.peer[3]);
	ck_assert(!gw_is_client(gw, z[1].client.public_key));

	/* The tunnel addresses failing costs no client its access. */
	addrs_fail = true;
	ck_assert_int_eq(init(z, 2), 0);
	has("log portal: init: cannot add the tunnel addresses\n");
	holds(both, 2);
	authz(&z[1], 3, 1, "10.0.0.1", EXP);
	ck_assert_int_eq(init(z, 1), 0);

	/* init_done alone (or twice) removes nothing. */
	calls[0] = '\0';
	ck_assert_int_eq(init_done(), -EINVAL);
	has("init_done without an init in force; nothing removed");
	lacks("delpeer");
	holds(only2, 1);
}
END_TEST

/* One client fz.ko refuses does not keep the others out. */
START_TEST(test_init_one_refused)
{
	struct proto_sig_authorization z[3];
	static const unsigned int on[][2] = { { 2, 1 }, { 3, 1 } };

	authz(&z[0], 2, 1, "10.0.0.1", EXP);
	authz(&z[1], 0xee, 1, "10.0.0.1", EXP);
	authz(&z[2], 3, 1, "10.0.0.1", EXP);
	ck_assert_int_eq(init(z, 3), -EINVAL);
	has("log portal: init: authorization "
	    "20000000-0000-4000-8000-0000000ee001: cannot add client 7gEBAQEB");
	has("peer 03 ip 3");
	/* init_done: a client holding nothing is no client. */
	has("log gateway: 2 clients (0 failed), 1 resources");
	holds(on, 2);
}
END_TEST

START_TEST(test_init_hostile)
{
	struct proto_sig_authorization z[2];
	static const unsigned int before[][2] = { { 2, 1 } };

	authz(&z[0], 2, 1, "10.0.0.1", EXP);
	ck_assert_int_eq(init(z, 1), 0);
	/* Client 3 claims client 2's tunnel address. */
	authz(&z[1], 3, 1, "10.0.0.1", EXP);
	z[1].client.ipv4.addr[3] = 2;
	ck_assert_int_eq(init(z, 2), -EINVAL);
	has("log portal: init refused: authorizations[1]: client ");
	has("nothing changed\n");
	lacks("addrs");
	lacks("peer ");
	lacks("delpeer");
	holds(before, 1);
	ck_assert(gw_is_client(gw, z[0].client.public_key));
	ck_assert(!gw_is_client(gw, z[1].client.public_key));
	/* A zero key, a bad address: the same. */
	authz(&z[1], 3, 3, "10.0.0.300", EXP);
	ck_assert_int_eq(init(z, 2), -EINVAL);
	has("invalid address");
	holds(before, 1);
}
END_TEST

START_TEST(test_create_authorization)
{
	struct proto_sig_authorization z;
	static const unsigned int after[][2] = { { 2, 1 }, { 5, 1 }, { 5, 2 } };

	authz(&z, 2, 1, "10.0.0.1", EXP);
	ck_assert_int_eq(init(&z, 1), 0);
	/* A new client, a known resource. */
	authz(&z, 5, 1, "10.0.0.1", EXP);
	ck_assert_int_eq(create(&z), 0);
	has("peer 05 ip 5 psk 170\nres 05 01 filters 1 exp 1790000000\n");
	has("ack 20000000-0000-4000-8000-000000005001\n");
	/* The same client, a new resource, then a later expiry. */
	authz(&z, 5, 2, "10.0.0.2", EXP);
	ck_assert_int_eq(create(&z), 0);
	lacks("peer 05");
	has("res 05 02 filters 1 exp 1790000000\n");
	z.expires_at = EXP + 100;
	ck_assert_int_eq(create(&z), 0);
	has("res 05 02 filters 1 exp 1790000100\n");
	has("ack ");
	holds(after, 3);
	/* A new preshared key: the peer is set again. */
	memset(z.client.preshared_key, 0xbb, FZ_KEY_LEN);
	ck_assert_int_eq(create(&z), 0);
	has("peer 05 ip 5 psk 187\n");

	/* A resync (SIGHUP) keeps what the portal granted. */
	calls[0] = '\0';
	{
		struct fzk_device_view dev;
		char err[256];

		p_dump(NULL, &dev);
		ck_assert_int_eq(gw_start(gw, &dev, err, sizeof(err)), 0);
		fzk_device_view_free(&dev);
	}
	lacks("delres");
	holds(after, 3);
}
END_TEST

START_TEST(test_create_authorization_hostile)
{
	struct proto_sig_authorization z;
	static const unsigned int before[][2] = { { 2, 1 } };

	authz(&z, 2, 1, "10.0.0.1", EXP);
	ck_assert_int_eq(init(&z, 1), 0);

	/* Client 6 with client 2's tunnel address: its flows. */
	authz(&z, 6, 1, "10.0.0.1", EXP);
	z.client.ipv6.addr[15] = 2;
	ck_assert_int_eq(create(&z), -EINVAL);
	has("log portal: authorization 20000000-0000-4000-8000-000000006001 "
	    "refused: client ");
	has("its tunnel address or id is client");
	lacks("ack 2");
	lacks("peer 06");
	ck_assert(!gw_is_client(gw, z.client.public_key));

	/* Client 6 with client 2's portal id. */
	authz(&z, 6, 1, "10.0.0.1", EXP);
	strcpy(z.client.id.s, "00000000-0000-4000-8000-000000000002");
	ck_assert_int_eq(create(&z), -EINVAL);
	lacks("ack 2");

	/* Expired, out of range, a zero key, a bad UUID, bad filters. */
	authz(&z, 6, 1, "10.0.0.1", 1000);
	ck_assert_int_eq(create(&z), -ETIME);
	has("already expired; not acknowledged");
	z.expires_at = -1;
	ck_assert_int_eq(create(&z), -EINVAL);
	authz(&z, 6, 1, "10.0.0.1", EXP);
	memset(z.client.public_key, 0, FZ_KEY_LEN);
	ck_assert_int_eq(create(&z), -EINVAL);
	authz(&z, 6, 1, "10.0.0.1", EXP);
	strcpy(z.resource.id.s, "../../etc/passwd");
	ck_assert_int_eq(create(&z), -EINVAL);
	authz(&z, 6, 1, "10.0.0.1", EXP);
	z.resource.filters[0].port_end = 1;
	ck_assert_int_eq(create(&z), -EINVAL);
	has("invalid port range 443-1");
	lacks("ack 2");
	holds(before, 1);
	ck_assert_uint_eq(gw_authorizations(gw)->n_clients, 1);
	ck_assert_uint_eq(gw_authorizations(gw)->n_resources, 1);
}
END_TEST

/* A resource's filters or address change through a create_authorization. */
START_TEST(test_create_changes_resource)
{
	struct proto_sig_authorization z[2];
	static const unsigned int moved[][2] = { { 7, 1 } };

	authz(&z[0], 2, 1, "10.0.0.1", EXP);
	authz(&z[1], 3, 1, "10.0.0.1", EXP);
	ck_assert_int_eq(init(z, 2), 0);
	/* New filters: every holder gets them. */
	authz(&z[0], 7, 1, "10.0.0.1", EXP);
	z[0].resource.filters[0].port_start = 22;
	z[0].resource.filters[0].port_end = 22;
	ck_assert_int_eq(create(&z[0]), 0);
	has("res 02 01 filters 1");
	has("res 03 01 filters 1");
	has("new filters set for 2 clients");
	ck_assert_uint_eq(k.res[2][1].port, 22);
	ck_assert_uint_eq(k.res[3][1].port, 22);
	/* A new address: the others lose it (the portal revokes theirs). */
	authz(&z[0], 7, 1, "10.0.0.99", EXP);
	ck_assert_int_eq(create(&z[0]), 0);
	has("delres 02 01\n");
	has("delres 03 01\n");
	holds(moved, 1);
	/* ...and a resync does not bring them back. */
	calls[0] = '\0';
	{
		struct fzk_device_view dev;
		char err[256];

		p_dump(NULL, &dev);
		ck_assert_int_eq(gw_start(gw, &dev, err, sizeof(err)), 0);
		fzk_device_view_free(&dev);
	}
	holds(moved, 1);
}
END_TEST

START_TEST(test_reject_access)
{
	struct proto_sig_authorization z[2];
	static const unsigned int after[][2] = { { 2, 2 } };

	authz(&z[0], 2, 1, "10.0.0.1", EXP);
	authz(&z[1], 2, 2, "10.0.0.2", EXP);
	ck_assert_int_eq(init(z, 2), 0);
	ck_assert_int_eq(reject(2, 1), 0);
	has("delres 02 01\n");
	has("log revoked resource res from client ");
	holds(after, 1);
	/* Rejected twice: fz.ko no longer has it. */
	ck_assert_int_eq(reject(2, 1), -ENOENT);
	has("log portal: reject_access");
	/* A client the gateway does not know, a resource it does not. */
	ck_assert_int_eq(reject(9, 2), -ENOENT);
	has("is not a client of this gateway; nothing to revoke");
	ck_assert_int_eq(reject(2, 0x42), -ENOENT);
	has("delres 02 42\n");
	holds(after, 1);
	/* A resync does not bring the rejected one back. */
	calls[0] = '\0';
	{
		struct fzk_device_view dev;
		char err[256];

		p_dump(NULL, &dev);
		ck_assert_int_eq(gw_start(gw, &dev, err, sizeof(err)), 0);
		fzk_device_view_free(&dev);
	}
	holds(after, 1);
	/* Not UUIDs. */
	{
		struct proto_sig_msg m = { .kind = PROTO_SIG_REJECT_ACCESS };

		strcpy(m.reject_access.client_id.s, "x");
		strcpy(m.reject_access.resource_id.s, "y");
		calls[0] = '\0';
		ck_assert_int_eq(gw_portal_message(gw, &daemon_side, NULL, &m),
				 -EINVAL);
		has("not a UUID; ignored");
	}
	/* Its last resource: the client goes (peer and preshared key), and
	 * its tunnel address and id may be another client's. */
	lacks("delpeer");
	ck_assert_int_eq(reject(2, 2), 0);
	has("delres 02 02\n");
	has("delpeer 02 (no resource left)\n");
	holds(NULL, 0);
	ck_assert_uint_eq(gw_authorizations(gw)->n_clients, 0);
	authz(&z[0], 4, 1, "10.0.0.1", EXP);
	z[0].client.ipv4.addr[3] = 2;
	z[0].client.ipv6.addr[15] = 2;
	strcpy(z[0].client.id.s, "00000000-0000-4000-8000-000000000002");
	ck_assert_int_eq(create(&z[0]), 0);
	has("peer 04 ip 2");
}
END_TEST

START_TEST(test_resource_updated)
{
	struct proto_sig_authorization z[3];

	authz(&z[0], 2, 1, "10.0.0.1", EXP);
	authz(&z[1], 3, 1, "10.0.0.1", EXP);
	authz(&z[2], 3, 2, "10.0.0.2", EXP);
	ck_assert_int_eq(init(z, 3), 0);
	ck_assert_int_eq(update(1, 53, 2), 0);
	has("res 02 01 filters 2");
	has("res 03 01 filters 2");
	lacks("res 03 02");
	ck_assert_uint_eq(k.res[2][1].port, 53);
	ck_assert_uint_eq(k.res[3][2].port, 443);
	/* The same filters again: nothing to do. */
	ck_assert_int_eq(update(1, 53, 2), 0);
	lacks("res ");
	/* Unknown, too many, invalid: logged, nothing changed. */
	ck_assert_int_eq(update(0x33, 53, 1), -ENOENT);
	has("is not held here; nothing to update");
	ck_assert_int_eq(update(1, 0, 1), -EINVAL);
	has("invalid port range 0-0");
	ck_assert_int_eq(update(1, 80, FZ_MAX_FILTERS + 1), -EINVAL);
	lacks("res ");
	ck_assert_uint_eq(k.res[2][1].port, 53);
	/* No filters: everything allowed. */
	ck_assert_int_eq(update(1, 0, 0), 0);
	has("res 02 01 filters 0");
}
END_TEST

START_TEST(test_disconnect)
{
	struct proto_sig_authorization z[2];
	struct proto_sig_msg m = { .kind = PROTO_SIG_DISCONNECT };

	authz(&z[0], 2, 1, "10.0.0.1", EXP);
	authz(&z[1], 3, 1, "10.0.0.1", EXP);
	ck_assert_int_eq(init(z, 2), 0);
	m.disconnect.reason = "token_deleted\n\x1b[2J";
	calls[0] = '\0';
	ck_assert_int_eq(gw_portal_message(gw, &daemon_side, NULL, &m), 0);
	has("log portal: disconnected this gateway (reason: "
	    "token_deleted??[2J); removing every client\ngoodbye\n");
	has("delpeer 02\n");
	has("delpeer 03\n");
	has("disconnected token_deleted??[2J\n");
	ck_assert(strstr(calls, "goodbye") < strstr(calls, "delpeer"));
	holds(NULL, 0);
	ck_assert_uint_eq(gw_authorizations(gw)->n_clients, 0);
}
END_TEST

START_TEST(test_other_messages)
{
	struct proto_sig_msg m = { .kind = PROTO_SIG_REPLY };

	m.reply.status = PROTO_SIG_ERROR;
	m.reply.reason = "rate_limited";
	m.ref = "7";
	calls[0] = '\0';
	ck_assert_int_eq(gw_portal_message(gw, &daemon_side, NULL, &m), 0);
	has("log portal: request 7 refused: rate_limited\n");
	m.reply.status = PROTO_SIG_OK;
	calls[0] = '\0';
	ck_assert_int_eq(gw_portal_message(gw, &daemon_side, NULL, &m), 0);
	ck_assert_str_eq(calls, "");
	m.kind = PROTO_SIG_CLIENT_INIT; /* not a gateway's */
	ck_assert_int_eq(gw_portal_message(gw, &daemon_side, NULL, &m),
			 -EINVAL);
	has("unexpected init message; ignored");
}
END_TEST

/* Many clients joining one at a time: the arrays grow and move. */
START_TEST(test_many_grants)
{
	struct proto_sig_authorization z;
	char addr[32];

	for (unsigned int i = 2; i < 200; i++) {
		snprintf(addr, sizeof(addr), "10.0.%u.%u", i % 7, i);
		authz(&z, i, i % 7, addr, EXP);
		/* Each resource keeps one address: i % 7 picks it. */
		snprintf(addr, sizeof(addr), "10.0.0.%u", i % 7 + 1);
		z.resource.address = addr;
		ck_assert_int_eq(create(&z), 0);
	}
	ck_assert_uint_eq(gw_authorizations(gw)->n_clients, 198);
	ck_assert_uint_eq(gw_authorizations(gw)->n_resources, 7);
	for (unsigned int i = 2; i < 200; i++)
		ck_assert(k.res[i][i % 7].on);
	ck_assert_int_eq(reject(100, 100 % 7), 0);
	ck_assert(!k.res[100][100 % 7].on);
	ck_assert_int_eq(update(3, 8080, 1), 0);
	has("new filters set for 29 clients");
}
END_TEST

/*
 * Clients rejected one by one, from the middle, the ends and at random:
 * each goes alone (its peer deleted, no prune of all), the last client
 * takes its place, and every other is still found by key, portal id and
 * tunnel address and keeps its resources. A client fz.ko cannot delete
 * stays whole.
 */
START_TEST(test_reject_many)
{
	struct proto_sig_authorization z;
	const struct proto_auth *a;
	bool gone[256] = { false };
	unsigned int order[] = { 100, 2, 199, 57, 150, 3, 198, 120, 0xed };
	char addr[32];

	for (unsigned int i = 2; i < 200; i++) {
		authz(&z, i, 1, "10.0.0.1", EXP);
		ck_assert_int_eq(create(&z), 0);
	}
	authz(&z, 0xed, 1, "10.0.0.1", EXP);
	ck_assert_int_eq(create(&z), 0);
	for (size_t n = 0; n < sizeof(order) / sizeof(*order); n++) {
		unsigned int c = order[n];

		ck_assert_int_eq(reject(c, 1), 0);
		snprintf(addr, sizeof(addr), "delpeer %02x (no resource left)",
			 c);
		if (c == 0xed) {
			has("cannot remove a client with nothing left");
			lacks("delpeer");
		} else {
			has(addr);
			gone[c] = true;
		}
		lacks("delpeer ed");
		ck_assert_uint_eq(count_of_delpeer(), c == 0xed ? 0 : 1);
		a = gw_authorizations(gw);
		for (unsigned int i = 2; i < 256; i++) {
			struct proto_auth_client probe;
			const struct proto_auth_client *cl;
			uint8_t key[FZ_KEY_LEN];

			if (i >= 200 && i != 0xed)
				continue;
			key_of(key, i);
			cl = proto_auth_find_client(a, key);
			ck_assert_msg(!cl == gone[i], "client %u", i);
			ck_assert(k.peer[i] == !gone[i]);
			if (!cl)
				continue;
			ck_assert(!memcmp(cl->public_key, key, FZ_KEY_LEN));
			probe = *cl;
			ck_assert_ptr_eq(proto_auth_tunnel_ip_holder(a, &probe,
								     NULL),
					 cl);
			ck_assert_ptr_eq(proto_auth_find_client_by_portal_id(
						 a, cl->portal_id),
					 cl);
			ck_assert(k.res[i][1].on || i == 0xed);
		}
	}
	ck_assert_uint_eq(gw_authorizations(gw)->n_clients, 199 - 8);
	/* A gone client may come back: its address and id were freed. */
	authz(&z, 198, 2, "10.0.0.2", EXP);
	ck_assert_int_eq(create(&z), 0);
	ck_assert(k.peer[198] && k.res[198][2].on);
	/* The moved clients still take messages. */
	authz(&z, 197, 2, "10.0.0.2", EXP);
	ck_assert_int_eq(create(&z), 0);
	ck_assert(k.res[197][2].on);
	ck_assert_int_eq(reject(197, 1), 0);
	lacks("delpeer");
	ck_assert_int_eq(reject(197, 2), 0);
	has("delpeer c5 (no resource left)");
}
END_TEST

/*
 * A client whose tunnel addresses and id change keeps its key, frees the
 * old ones for another client and holds the new ones against the rest:
 * the gateway's index (proto/gw_index.h) follows each change.
 */
START_TEST(test_client_moves)
{
	const struct proto_auth *a;
	struct proto_sig_authorization z;

	authz(&z, 2, 1, "10.0.0.1", EXP);
	ck_assert_int_eq(init(&z, 1), 0);
	authz(&z, 3, 1, "10.0.0.1", EXP);
	ck_assert_int_eq(create(&z), 0);
	/* Client 3 moves to .9 and ::9, and takes a new portal id. */
	z.client.ipv4.addr[3] = 9;
	z.client.ipv6.addr[15] = 9;
	strcpy(z.client.id.s, "00000000-0000-4000-8000-000000000099");
	ck_assert_int_eq(create(&z), 0);
	has("peer 03 ip 9 psk 170\n");
	a = gw_authorizations(gw);
	ck_assert_ptr_nonnull(proto_auth_find_client(a, z.client.public_key));
	/* Client 4 may now have 3's old address and old id... */
	authz(&z, 4, 1, "10.0.0.1", EXP);
	z.client.ipv4.addr[3] = 3;
	z.client.ipv6.addr[15] = 3;
	strcpy(z.client.id.s, "00000000-0000-4000-8000-000000000003");
	ck_assert_int_eq(create(&z), 0);
	has("peer 04 ip 3 psk 170\n");
	/* ...but not its new address, nor 2's, in either family. */
	authz(&z, 5, 1, "10.0.0.1", EXP);
	z.client.ipv4.addr[3] = 9;
	ck_assert_int_eq(create(&z), -EINVAL);
	has("its tunnel address or id is client");
	authz(&z, 5, 1, "10.0.0.1", EXP);
	z.client.ipv6.addr[15] = 2;
	ck_assert_int_eq(create(&z), -EINVAL);
	/* Nor 3's new id. */
	authz(&z, 5, 1, "10.0.0.1", EXP);
	strcpy(z.client.id.s, "00000000-0000-4000-8000-000000000099");
	ck_assert_int_eq(create(&z), -EINVAL);
	lacks("peer 05");
	ck_assert_uint_eq(gw_authorizations(gw)->n_clients, 3);
	/* 3, moved back to its first address, is refused it: 4 holds it. */
	authz(&z, 3, 1, "10.0.0.1", EXP);
	ck_assert_int_eq(create(&z), -EINVAL);
	ck_assert_uint_eq(k.ip4[3], 9);
}
END_TEST

Suite *gw_portal_msg_suite(void)
{
	Suite *s = suite_create("gw_portal_msg");
	TCase *tc = tcase_create("gw_portal_msg");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_init_reconciles);
	tcase_add_test(tc, test_init_reconciles_exactly);
	tcase_add_test(tc, test_init_then_pushes);
	tcase_add_test(tc, test_init_one_refused);
	tcase_add_test(tc, test_init_hostile);
	tcase_add_test(tc, test_create_authorization);
	tcase_add_test(tc, test_create_authorization_hostile);
	tcase_add_test(tc, test_create_changes_resource);
	tcase_add_test(tc, test_reject_access);
	tcase_add_test(tc, test_resource_updated);
	tcase_add_test(tc, test_disconnect);
	tcase_add_test(tc, test_other_messages);
	tcase_add_test(tc, test_many_grants);
	tcase_add_test(tc, test_client_moves);
	tcase_add_test(tc, test_reject_many);
	suite_add_tcase(s, tc);
	return s;
}
