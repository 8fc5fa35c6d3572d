// SPDX-License-Identifier: GPL-2.0
/*
 * The gateway role without fz.ko: its logic against a recording double
 * of struct gw_ops and a synchronous resolver; the netlink messages of
 * the gateway's commands, parsed back; the round-robin mapping, the
 * resolution cache on a test clock, resolution from a hosts file, and the
 * host setup's nft script and sysctl handling.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "fzk/device.h"
#include "fzk/event.h"
#include "fzk/kernel_gw.h"
#include "gateway/gateway.h"
#include "gateway/hostsetup.h"
#include "lib/clock.h"
#include "lib/keys.h"
#include "proto/resolve.h"
#include "../runbin.h"
#include "../suites.h"

#define FAMILY 0x1d
#define NOW (1700000000ULL * 1000000000ULL)
#define ID "0b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c11"

static struct fz_cidr ip(const char *text)
{
	struct fz_cidr c = { 0 };

	if (inet_pton(AF_INET, text, c.addr) == 1) {
		c.family = AF_INET;
		c.cidr = 32;
	} else {
		ck_assert_int_eq(inet_pton(AF_INET6, text, c.addr), 1);
		c.family = AF_INET6;
		c.cidr = 128;
	}
	return c;
}

static const char *ntop(const struct fz_cidr *c)
{
	static char buf[4][INET6_ADDRSTRLEN];
	static int i;

	i = (i + 1) % 4;
	return inet_ntop(c->family, c->addr, buf[i], sizeof(buf[i]));
}

/* --- Round robin and cache --- */

START_TEST(test_round_robin)
{
	struct proto_resolve_result r = { 0 };
	struct fz_cidr proxy[8], real[8];
	bool has[8];

	for (int i = 0; i < 4; i++) {
		char text[64];

		snprintf(text, sizeof(text), "100.96.0.%d", i + 1);
		proxy[i] = ip(text);
		snprintf(text, sizeof(text), "fd00:2021:1111:8000::%d", i + 1);
		proxy[4 + i] = ip(text);
	}
	r.v4[0] = ip("192.0.2.1");
	r.v4[1] = ip("192.0.2.2");
	r.v4[2] = ip("192.0.2.3");
	r.n4 = 3;
	gw_map_round_robin(proxy, 8, &r, real, has);
	ck_assert(has[0] && has[3] && !has[4] && !has[7]);
	ck_assert_str_eq(ntop(&real[0]), "192.0.2.1");
	ck_assert_str_eq(ntop(&real[1]), "192.0.2.2");
	ck_assert_str_eq(ntop(&real[2]), "192.0.2.3");
	ck_assert_str_eq(ntop(&real[3]), "192.0.2.1");
	r.v6[0] = ip("2001:db8::1");
	r.n6 = 1;
	/* Interleaved families count separately. */
	proxy[1] = ip("fd00:2021:1111:8000::9");
	gw_map_round_robin(proxy, 4, &r, real, has);
	ck_assert_str_eq(ntop(&real[0]), "192.0.2.1");
	ck_assert_str_eq(ntop(&real[1]), "2001:db8::1");
	ck_assert_str_eq(ntop(&real[2]), "192.0.2.2");
	ck_assert_str_eq(ntop(&real[3]), "192.0.2.3");
}
END_TEST

START_TEST(test_cache)
{
	struct proto_resolve_cache *c =
		proto_resolve_cache_new(PROTO_RESOLVE_CACHE_NS);
	struct proto_resolve_result r = { .n4 = 1 }, r2 = { .n4 = 2 };
	uint64_t t = 1000;

	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_null(proto_resolve_cache_get(c, "a.b", t));
	ck_assert_int_eq(proto_resolve_cache_put(c, "a.b", &r, t), 0);
	ck_assert_uint_eq(proto_resolve_cache_get(c, "a.b", t)->n4, 1);
	ck_assert_uint_eq(proto_resolve_cache_get(
				  c, "a.b", t + PROTO_RESOLVE_CACHE_NS - 1)
				  ->n4,
			  1);
	ck_assert_ptr_null(
		proto_resolve_cache_get(c, "a.b", t + PROTO_RESOLVE_CACHE_NS));
	ck_assert_ptr_null(proto_resolve_cache_get(c, "c.d", t));
	/* A new answer replaces the old one and starts its 30 s again. */
	ck_assert_int_eq(proto_resolve_cache_put(c, "a.b", &r2,
						 t + PROTO_RESOLVE_CACHE_NS),
			 0);
	ck_assert_uint_eq(proto_resolve_cache_get(
				  c, "a.b", t + 2 * PROTO_RESOLVE_CACHE_NS - 1)
				  ->n4,
			  2);
	proto_resolve_cache_free(c);
}
END_TEST

START_TEST(test_resolve_hosts)
{
	char hosts[64], conf[64];
	struct proto_resolve_config cfg = { .hosts = hosts,
					    .resolv_conf = conf,
					    .timeout_ms = 400 };
	struct proto_resolve_result r;
	FILE *f;

	snprintf(hosts, sizeof(hosts), "/tmp/fzhosts-%d", (int)getpid());
	snprintf(conf, sizeof(conf), "/tmp/fzresolv-%d", (int)getpid());
	f = fopen(hosts, "w");
	ck_assert_ptr_nonnull(f);
	fputs("# test\n192.0.2.10 app.test.example app\n"
	      "192.0.2.11 app.test.example\n2001:db8::10 app.test.example\n"
	      "192.0.2.99 other.test.example\n",
	      f);
	fclose(f);
	/* No name server answers: only the hosts file can. */
	f = fopen(conf, "w");
	ck_assert_ptr_nonnull(f);
	fputs("nameserver 127.0.0.1\n", f);
	fclose(f);
	cfg.port = 9; /* discard: nothing listens */
	ck_assert_int_eq(proto_resolve_blocking(&cfg, "app.test.example", &r),
			 0);
	ck_assert_uint_eq(r.n4, 2);
	ck_assert_uint_eq(r.n6, 1);
	ck_assert_str_eq(ntop(&r.v4[0]), "192.0.2.10");
	ck_assert_str_eq(ntop(&r.v4[1]), "192.0.2.11");
	ck_assert_str_eq(ntop(&r.v6[0]), "2001:db8::10");
	ck_assert_int_eq(proto_resolve_blocking(&cfg, "APP.test.example", &r),
			 0);
	ck_assert_uint_eq(r.n4, 2);
	ck_assert_int_eq(
		proto_resolve_blocking(&cfg, "missing.test.example", &r), 0);
	ck_assert_uint_eq(r.n4 + r.n6, 0);
	unlink(hosts);
	unlink(conf);
}
END_TEST

/* --- Host setup --- */

START_TEST(test_nft_ruleset)
{
	char table[GW_HOST_TABLE_MAX], buf[GW_HOST_RULESET_MAX];

	gw_host_table_name(table, "fz0");
	ck_assert_str_eq(table, "fz-gw-fz0");
	gw_host_table_name(table, "a+b=");
	ck_assert_str_eq(table, "fz-gwx-612b623d");
	ck_assert_int_gt(gw_host_ruleset(buf, sizeof(buf), "fz-gw-fz0", "fz0",
					 true, true),
			 0);
	ck_assert_str_eq(
		buf,
		"add table inet fz-gw-fz0\n"
		"delete table inet fz-gw-fz0\n"
		"table inet fz-gw-fz0 {\n"
		"\tchain forward {\n"
		"\t\ttype filter hook forward priority filter; policy "
		"accept;\n"
		"\t\tiifname \"fz0\" accept\n"
		"\t\toifname \"fz0\" accept\n"
		"\t\tcounter drop\n"
		"\t}\n"
		"\tchain postrouting {\n"
		"\t\ttype nat hook postrouting priority srcnat; policy "
		"accept;\n"
		"\t\tip saddr 100.64.0.0/11 oifname != \"fz0\" masquerade\n"
		"\t\tip6 saddr fd00:2021:1111::/107 oifname != \"fz0\" "
		"masquerade\n"
		"\t}\n"
		"}\n");
	/* Forwarding was on before for IPv6 only: IPv4's is dropped. */
	ck_assert_int_gt(gw_host_ruleset(buf, sizeof(buf), "fz-gw-fz0", "fz0",
					 true, false),
			 0);
	ck_assert_ptr_nonnull(strstr(buf, "\t\toifname \"fz0\" accept\n"
					  "\t\tmeta nfproto ipv4 counter "
					  "drop\n\t}\n"));
	ck_assert_int_gt(gw_host_ruleset(buf, sizeof(buf), "fz-gw-fz0", "fz0",
					 false, true),
			 0);
	ck_assert_ptr_nonnull(strstr(buf, "meta nfproto ipv6 counter drop"));
	/* On before for both: nothing else is dropped. */
	ck_assert_int_gt(gw_host_ruleset(buf, sizeof(buf), "fz-gw-fz0", "fz0",
					 false, false),
			 0);
	ck_assert_ptr_null(strstr(buf, "drop"));
	ck_assert_ptr_nonnull(strstr(buf, "oifname \"fz0\" accept\n\t}"));
	ck_assert_int_eq(gw_host_ruleset(buf, 20, "fz-gw-fz0", "fz0", true,
					 true),
			 -ENOSPC);
}
END_TEST

START_TEST(test_sysctl)
{
	struct gw_host_sysctl s;
	char path[64], *text;
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/fzsysctl-%d", (int)getpid());
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("0\n", f);
	fclose(f);
	ck_assert_int_eq(gw_host_sysctl_enable(&s, path), 0);
	ck_assert_str_eq(s.old, "0");
	f = fopen(path, "r");
	text = calloc(1, 16);
	ck_assert_ptr_nonnull(fgets(text, 16, f));
	fclose(f);
	ck_assert_str_eq(text, "1");
	ck_assert_int_eq(gw_host_sysctl_restore(&s), 0);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(fgets(text, 16, f));
	fclose(f);
	ck_assert_str_eq(text, "0");
	/* Already on: nothing to restore later. */
	ck_assert_int_eq(gw_host_sysctl_enable(&s, path), 0);
	ck_assert_int_eq(gw_host_sysctl_enable(&s, path), 0);
	ck_assert_str_eq(s.old, "");
	ck_assert_int_eq(gw_host_sysctl_enable(&s, "/nonexistent/x"), -ENOENT);
	free(text);
	unlink(path);
}
END_TEST

/* --- Messages --- */

static struct nlattr **parse_top(struct nl_msg *msg, uint8_t cmd,
				 struct nlattr **tb)
{
	struct nlmsghdr *nlh;
	struct nlattr *pb[FZ_PEER_A_MAX + 1];

	ck_assert_ptr_nonnull(msg);
	nlh = nlmsg_hdr(msg);
	ck_assert(nlh->nlmsg_flags & NLM_F_ACK);
	ck_assert_uint_eq(((struct genlmsghdr *)nlmsg_data(nlh))->cmd, cmd);
	ck_assert_int_eq(genlmsg_parse(nlh, 0, tb, FZ_A_MAX, NULL), 0);
	ck_assert_uint_eq(nla_get_u32(tb[FZ_A_IFINDEX]), 7);
	ck_assert_int_eq(
		nla_parse_nested(pb, FZ_PEER_A_MAX, tb[FZ_A_PEER], NULL), 0);
	ck_assert_int_eq(nla_len(pb[FZ_PEER_A_PUBLIC_KEY]), FZ_KEY_LEN);
	ck_assert_uint_eq(((uint8_t *)nla_data(pb[FZ_PEER_A_PUBLIC_KEY]))[0],
			  0x42);
	return tb;
}

static void check_prefix(struct nlattr *nest, uint16_t family, int len,
			 uint8_t cidr)
{
	struct nlattr *t[FZ_AIP_A_MAX + 1];

	ck_assert(nest->nla_type & NLA_F_NESTED);
	ck_assert_int_eq(nla_parse_nested(t, FZ_AIP_A_MAX, nest, NULL), 0);
	ck_assert_uint_eq(nla_get_u16(t[FZ_AIP_A_FAMILY]), family);
	ck_assert_int_eq(nla_len(t[FZ_AIP_A_ADDR]), len);
	ck_assert_uint_eq(nla_get_u8(t[FZ_AIP_A_CIDR]), cidr);
}

START_TEST(test_msg_set_resource)
{
	uint8_t key[FZ_KEY_LEN];
	struct fz_cidr addrs[2] = { ip("10.0.0.0"), ip("fd00::") };
	struct fz_filter filters[2] = { { FZ_FILTER_TCP, 80, 90 },
					{ FZ_FILTER_ICMP, 0, 0 } };
	struct fzk_resource_spec r = { .addrs = addrs,
				       .n_addrs = 2,
				       .filters = filters,
				       .n_filters = 2,
				       .expires_ns = fz_clock_real_ns() +
						     3600 * FZ_NSEC_PER_SEC,
				       .flags = 0 };
	uint64_t boot_in_an_hour = fz_clock_boot_ns() + 3600 * FZ_NSEC_PER_SEC;
	struct nlattr *tb[FZ_A_MAX + 1], *rb[FZ_RES_A_MAX + 1],
		*fb[FZ_FILTER_A_MAX + 1], *pos;
	struct nl_msg *msg;
	int rem, n = 0;

	memset(key, 0x42, sizeof(key));
	memset(r.id, 0xab, sizeof(r.id));
	addrs[0].cidr = 24;
	addrs[1].cidr = 64;
	msg = fzk_msg_set_resource(FAMILY, 7, key, &r);
	parse_top(msg, FZ_CMD_SET_RESOURCE, tb);
	ck_assert_int_eq(
		nla_parse_nested(rb, FZ_RES_A_MAX, tb[FZ_A_RESOURCE], NULL), 0);
	ck_assert_int_eq(nla_len(rb[FZ_RES_A_ID]), FZ_RESOURCE_ID_LEN);
	/* The real-time deadline goes to fz.ko in boot time. */
	ck_assert_uint_gt(nla_get_u64(rb[FZ_RES_A_EXPIRES]),
			  boot_in_an_hour - FZ_NSEC_PER_SEC);
	ck_assert_uint_lt(nla_get_u64(rb[FZ_RES_A_EXPIRES]),
			  boot_in_an_hour + FZ_NSEC_PER_SEC);
	ck_assert_ptr_null(rb[FZ_RES_A_FLAGS]);
	nla_for_each_nested(pos, rb[FZ_RES_A_ADDRS], rem)
		check_prefix(pos, n ? AF_INET6 : AF_INET, n ? 16 : 4,
			     n ? 64 : 24),
			n++;
	ck_assert_int_eq(n, 2);
	n = 0;
	nla_for_each_nested(pos, rb[FZ_RES_A_FILTERS], rem) {
		ck_assert_int_eq(
			nla_parse_nested(fb, FZ_FILTER_A_MAX, pos, NULL), 0);
		ck_assert_uint_eq(nla_get_u8(fb[FZ_FILTER_A_PROTO]),
				  filters[n].proto);
		if (n == 0) {
			ck_assert_uint_eq(
				nla_get_u16(fb[FZ_FILTER_A_PORT_START]), 80);
			ck_assert_uint_eq(nla_get_u16(fb[FZ_FILTER_A_PORT_END]),
					  90);
		} else {
			ck_assert_ptr_null(fb[FZ_FILTER_A_PORT_START]);
		}
		n++;
	}
	ck_assert_int_eq(n, 2);
	nlmsg_free(msg);

	/* A DNS resource before AssignedIps: no addresses, no filters. */
	r.n_addrs = 0;
	r.n_filters = 0;
	r.expires_ns = 0;
	r.flags = FZ_RES_F_DNS;
	msg = fzk_msg_set_resource(FAMILY, 7, key, &r);
	parse_top(msg, FZ_CMD_SET_RESOURCE, tb);
	ck_assert_int_eq(
		nla_parse_nested(rb, FZ_RES_A_MAX, tb[FZ_A_RESOURCE], NULL), 0);
	ck_assert_ptr_null(rb[FZ_RES_A_ADDRS]);
	ck_assert_ptr_null(rb[FZ_RES_A_FILTERS]);
	ck_assert_ptr_null(rb[FZ_RES_A_EXPIRES]);
	ck_assert_uint_eq(nla_get_u32(rb[FZ_RES_A_FLAGS]), FZ_RES_F_DNS);
	nlmsg_free(msg);
	r.n_addrs = FZ_MAX_RESOURCE_ADDRS + 1;
	ck_assert_ptr_null(fzk_msg_set_resource(FAMILY, 7, key, &r));
}
END_TEST

START_TEST(test_msg_other)
{
	uint8_t key[FZ_KEY_LEN], id[FZ_RESOURCE_ID_LEN], pkt[9] = { 2 };
	struct fz_cidr mapped = ip("100.96.0.1"), real = ip("192.0.2.1"),
		       real6 = ip("2001:db8::1");
	struct nlattr *tb[FZ_A_MAX + 1], *mb[FZ_MAP_A_MAX + 1],
		*rb[FZ_RES_A_MAX + 1];
	struct nl_msg *msg;

	memset(key, 0x42, sizeof(key));
	memset(id, 0xcd, sizeof(id));
	msg = fzk_msg_del_resource(FAMILY, 7, key, id);
	parse_top(msg, FZ_CMD_DEL_RESOURCE, tb);
	ck_assert_int_eq(
		nla_parse_nested(rb, FZ_RES_A_MAX, tb[FZ_A_RESOURCE], NULL), 0);
	ck_assert_mem_eq(nla_data(rb[FZ_RES_A_ID]), id, sizeof(id));
	nlmsg_free(msg);

	msg = fzk_msg_set_dns_map(FAMILY, 7, key, id, &mapped, &real);
	parse_top(msg, FZ_CMD_SET_DNS_MAP, tb);
	ck_assert_int_eq(
		nla_parse_nested(mb, FZ_MAP_A_MAX, tb[FZ_A_DNS_MAP], NULL), 0);
	ck_assert_mem_eq(nla_data(mb[FZ_MAP_A_RESOURCE_ID]), id, sizeof(id));
	check_prefix(mb[FZ_MAP_A_MAPPED], AF_INET, 4, 32);
	check_prefix(mb[FZ_MAP_A_REAL], AF_INET, 4, 32);
	nlmsg_free(msg);
	ck_assert_ptr_null(
		fzk_msg_set_dns_map(FAMILY, 7, key, id, &mapped, &real6));

	msg = fzk_msg_del_dns_map(FAMILY, 7, key, &mapped, NULL);
	parse_top(msg, FZ_CMD_DEL_DNS_MAP, tb);
	ck_assert_int_eq(
		nla_parse_nested(mb, FZ_MAP_A_MAX, tb[FZ_A_DNS_MAP], NULL), 0);
	check_prefix(mb[FZ_MAP_A_MAPPED], AF_INET, 4, 32);
	ck_assert_ptr_null(mb[FZ_MAP_A_RESOURCE_ID]);
	nlmsg_free(msg);
	msg = fzk_msg_del_dns_map(FAMILY, 7, key, NULL, id);
	parse_top(msg, FZ_CMD_DEL_DNS_MAP, tb);
	ck_assert_int_eq(
		nla_parse_nested(mb, FZ_MAP_A_MAX, tb[FZ_A_DNS_MAP], NULL), 0);
	ck_assert_ptr_null(mb[FZ_MAP_A_MAPPED]);
	ck_assert_ptr_nonnull(mb[FZ_MAP_A_RESOURCE_ID]);
	nlmsg_free(msg);
	ck_assert_ptr_null(fzk_msg_del_dns_map(FAMILY, 7, key, NULL, NULL));
	ck_assert_ptr_null(fzk_msg_del_dns_map(FAMILY, 7, key, &mapped, id));

	msg = fzk_msg_send_control(FAMILY, 7, key, pkt, sizeof(pkt));
	parse_top(msg, FZ_CMD_SEND_CONTROL, tb);
	ck_assert_int_eq(nla_len(tb[FZ_A_PACKET]), sizeof(pkt));
	nlmsg_free(msg);
	ck_assert_ptr_null(fzk_msg_send_control(FAMILY, 7, key, pkt, 7));
	ck_assert_ptr_null(fzk_msg_send_control(FAMILY, 7, key, pkt,
						FZ_MAX_CONTROL_PAYLOAD + 1));
}
END_TEST

/* --- The gateway against a recording double --- */

static char calls[8192];
static struct proto_resolve_result answer;
static bool answer_fails;

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
	record("peer %s", ntop(&c->tunnel_ips[0]));
	return 0;
}

/* What the double's "kernel" holds, by the IDs' last byte. */
static bool installed[256];

static int t_set_resource(void *ctx, const uint8_t key[FZ_KEY_LEN],
			  const struct fzk_resource_spec *r)
{
	char list[256] = "";

	installed[r->id[15]] = true;
	(void)ctx;
	(void)key;
	for (size_t i = 0; i < r->n_addrs; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
			 " %s/%u", ntop(&r->addrs[i]), r->addrs[i].cidr);
	record("res %02x flags %u filters %zu exp %llu addrs%s", r->id[15],
	       r->flags, r->n_filters, (unsigned long long)r->expires_ns, list);
	return 0;
}

static int t_del_resource(void *ctx, const uint8_t key[FZ_KEY_LEN],
			  const uint8_t id[FZ_RESOURCE_ID_LEN])
{
	(void)ctx;
	(void)key;
	record("delres %02x", id[15]);
	if (!installed[id[15]])
		return -ENOENT;
	installed[id[15]] = false;
	return 0;
}

static int t_set_dns_map(void *ctx, const uint8_t key[FZ_KEY_LEN],
			 const uint8_t id[FZ_RESOURCE_ID_LEN],
			 const struct fz_cidr *mapped,
			 const struct fz_cidr *real)
{
	(void)ctx;
	(void)key;
	record("map %02x %s -> %s", id[15], ntop(mapped), ntop(real));
	return 0;
}

static int t_del_dns_map(void *ctx, const uint8_t key[FZ_KEY_LEN],
			 const struct fz_cidr *mapped)
{
	(void)ctx;
	(void)key;
	record("unmap %s", ntop(mapped));
	return 0;
}

static int t_del_dns_maps(void *ctx, const uint8_t key[FZ_KEY_LEN],
			  const uint8_t id[FZ_RESOURCE_ID_LEN])
{
	(void)ctx;
	(void)key;
	record("unmapall %02x", id[15]);
	return 0;
}

static int t_send_control(void *ctx, const uint8_t key[FZ_KEY_LEN],
			  const uint8_t *packet, size_t len)
{
	(void)ctx;
	(void)key;
	record("send %u %.*s", packet[0], (int)(len - 8), packet + 8);
	return 0;
}

/* answer_later: lookups wait in held[] until the test finishes them. */
static bool answer_later;
static struct {
	proto_resolver_cb cb;
	void *arg;
} held[64];
static size_t n_held;

static int t_resolve(void *ctx, const char *name, proto_resolver_cb cb,
		     void *arg)
{
	(void)ctx;
	record("resolve %s", name);
	if (answer_later) {
		ck_assert_uint_lt(n_held, 64);
		held[n_held].cb = cb;
		held[n_held++].arg = arg;
		return 0;
	}
	cb(arg, answer_fails ? NULL : &answer, answer_fails ? -EIO : 0, false);
	return 0;
}

static void t_log(void *ctx, const char *line)
{
	(void)ctx;
	record("log %s", line);
}

static bool t_is_own_addr(void *ctx, const struct fz_cidr *c)
{
	(void)ctx;
	return !strcmp(ntop(c), "192.0.2.99") ||
	       !strcmp(ntop(c), "2001:db8::99");
}

static const struct gw_ops test_ops = {
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

#define K1 "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="
#define ID_PREFIX "0b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c"

static const uint8_t *dev_key(void)
{
	static uint8_t key[FZ_KEY_LEN];

	ck_assert_int_eq(fz_key_from_base64(key, K1, strlen(K1)), 0);
	return key;
}
static const char auth_file[] =
	"[Resource]\nName = app\nID = " ID "\nType = dns\n"
	"Address = *.app.test\nFilters = tcp/443\n"
	"[Resource]\nName = net\nID = 0b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c12\n"
	"Type = cidr\nAddress = 10.0.0.0/24\n"
	"[Client]\nPublicKey = " K1 "\nTunnelIPs = 100.64.0.2\n"
	"Authorize = app\n";

static void read_auth(const char *text, struct proto_auth *auth)
{
	char path[64], err[256];
	FILE *f;

	ck_assert_int_eq(fz_keys_init(), 0);
	snprintf(path, sizeof(path), "/tmp/fzgw-%d.auth", (int)getpid());
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(
		proto_auth_parse_file(path, NOW, auth, err, sizeof(err)), 0);
	unlink(path);
}

static struct gateway *new_gateway(void)
{
	struct proto_auth auth;
	struct gateway *gw;

	read_auth(auth_file, &auth);
	memset(installed, 0, sizeof(installed));
	gw = gw_new(&test_ops, NULL, &auth);
	ck_assert_ptr_nonnull(gw);
	calls[0] = '\0';
	return gw;
}

static void control(struct gateway *gw, uint8_t event, const char *body)
{
	uint8_t buf[FZ_MAX_CONTROL_PAYLOAD] = { event };
	uint8_t key[FZ_KEY_LEN];

	ck_assert_int_eq(fz_key_from_base64(key, K1, strlen(K1)), 0);
	memcpy(buf + 8, body, strlen(body));
	calls[0] = '\0';
	gw_on_control(gw, key, buf, 8 + strlen(body));
}

#define ASSIGNED(domain, ips)                           \
	"{\"resource\":\"" ID "\",\"domain\":\"" domain \
	"\",\"proxy_ips\":" ips "}"

START_TEST(test_gateway_start)
{
	struct gateway *gw = new_gateway();
	char err[256];

	ck_assert_int_eq(gw_start(gw, NULL, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(calls, "peer 100.64.0.2\n"
					    "res 11 flags 1 filters 1 exp 0 "
					    "addrs\n"));
	gw_free(gw);
}
END_TEST

START_TEST(test_gateway_assigned_ips)
{
	struct gateway *gw = new_gateway();
	char err[256];

	ck_assert_int_eq(gw_start(gw, NULL, err, sizeof(err)), 0);
	memset(&answer, 0, sizeof(answer));
	answer.v4[0] = ip("192.0.2.1");
	answer.v4[1] = ip("192.0.2.2");
	answer.n4 = 2;
	control(gw, 0,
		ASSIGNED("a.app.test",
			 "[\"100.96.0.1\",\"100.96.0.2\","
			 "\"100.96.0.3\",\"fd00:2021:1111:8000::1\"]"));
	ck_assert_msg(strstr(calls, "resolve a.app.test\n"
				    "map 11 100.96.0.1 -> 192.0.2.1\n"
				    "map 11 100.96.0.2 -> 192.0.2.2\n"
				    "map 11 100.96.0.3 -> 192.0.2.1\n"
				    "res 11 flags 1 filters 1 exp 0 addrs "
				    "100.96.0.1/32 100.96.0.2/32 100.96.0.3/32 "
				    "fd00:2021:1111:8000::1/128\n"),
		      "%s", calls);
	ck_assert_ptr_nonnull(strstr(calls, "send 1 {\"resource\":\"" ID
					    "\",\"domain\":\"a.app.test\","
					    "\"status\":\"Active\"}"));
	/* Fewer proxy IPs: the ones dropped lose their maps. */
	control(gw, 0, ASSIGNED("a.app.test", "[\"100.96.0.2\"]"));
	ck_assert_msg(strstr(calls, "unmap 100.96.0.1\nunmap 100.96.0.3\n"
				    "unmap fd00:2021:1111:8000::1\n"
				    "map 11 100.96.0.2 -> 192.0.2.1\n"),
		      "%s", calls);
	/* A failed resolution answers Inactive and changes nothing. */
	answer_fails = true;
	control(gw, 0, ASSIGNED("b.app.test", "[\"100.96.0.9\"]"));
	ck_assert_ptr_null(strstr(calls, "map "));
	ck_assert_ptr_nonnull(strstr(calls, "\"status\":\"Inactive\""));
	answer_fails = false;
	gw_free(gw);
}
END_TEST

static size_t count_of(const char *text, const char *what)
{
	size_t n = 0;

	for (const char *p = text; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

/*
 * One name more than GW_MAX_DOMAINS: the oldest name's maps go, the
 * others stay; a name used again becomes the newest. The names' array
 * grows as they come (an authorization without names has none).
 */
START_TEST(test_gateway_domains_full)
{
	struct gateway *gw = new_gateway();
	char err[256], body[256], ip4[32];

	ck_assert_int_eq(gw_start(gw, NULL, err, sizeof(err)), 0);
	memset(&answer, 0, sizeof(answer));
	answer.v4[0] = ip("192.0.2.1");
	answer.n4 = 1;
	for (int i = 1; i <= GW_MAX_DOMAINS; i++) {
		snprintf(ip4, sizeof(ip4), "[\"100.96.0.%d\"]", i);
		snprintf(body, sizeof(body),
			 "{\"resource\":\"" ID "\",\"domain\":\"n%d.app.test\","
			 "\"proxy_ips\":%s}",
			 i, ip4);
		control(gw, 0, body);
		ck_assert_msg(!strstr(calls, "unmap "), "%d: %s", i, calls);
	}
	/* n1 used again: now the newest, so n2 is the oldest. */
	control(gw, 0, ASSIGNED("n1.app.test", "[\"100.96.0.1\"]"));
	ck_assert_msg(!strstr(calls, "unmap "), "%s", calls);
	control(gw, 0, ASSIGNED("n99.app.test", "[\"100.96.0.99\"]"));
	ck_assert_msg(strstr(calls, "unmap 100.96.0.2\n"), "%s", calls);
	ck_assert_uint_eq(count_of(calls, "unmap "), 1);
	ck_assert_msg(strstr(calls, "map 11 100.96.0.99 -> 192.0.2.1\n"), "%s",
		      calls);
	/* The resource's addresses: 16 names, n2's gone, n99's there. */
	ck_assert_msg(!strstr(calls, "100.96.0.2/32"), "%s", calls);
	ck_assert_msg(strstr(calls, "100.96.0.1/32"), "%s", calls);
	ck_assert_msg(strstr(calls, "100.96.0.99/32"), "%s", calls);
	gw_free(gw);
}
END_TEST

/* A dump's client K1 holding resources with these last ID bytes. */
static void dump_with(struct fzk_device_view *dev, const uint8_t *last,
		      size_t n)
{
	struct fzk_peer_view *p;

	fzk_device_view_init(dev);
	dev->peers = calloc(1, sizeof(*dev->peers));
	ck_assert_ptr_nonnull(dev->peers);
	dev->n_peers = 1;
	p = &dev->peers[0];
	ck_assert_int_eq(fz_key_from_base64(p->public_key, K1, strlen(K1)), 0);
	p->flags = FZ_PEER_F_GATEWAY_CLIENT;
	p->resources = calloc(n, sizeof(*p->resources));
	ck_assert_ptr_nonnull(p->resources);
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(fz_uuid_parse(ID, p->resources[i].id), 0);
		p->resources[i].id[15] = last[i];
		installed[last[i]] = true;
	}
	p->n_resources = n;
}

/* Finding 12: the kernel is brought to exactly the file's state. */
START_TEST(test_gateway_reconcile)
{
	static const uint8_t held[] = { 0x11, 0x12, 0x99 };
	struct gateway *gw = new_gateway();
	const struct proto_auth *a = gw_authorizations(gw);
	char err[256], k[] = K1,
		       unknown[] = "0b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c77";
	char *w_unknown[] = { k, unknown };
	struct fzk_device_view dev;
	struct proto_auth auth;

	/* An earlier agent left app (granted: its maps go), net (a
	 * run-time grant) and a resource the file never had. */
	dump_with(&dev, held, 3);
	ck_assert_int_eq(gw_start(gw, &dev, err, sizeof(err)), 0);
	fzk_device_view_free(&dev);
	ck_assert_msg(strstr(calls, "peer 100.64.0.2\n"), "%s", calls);
	ck_assert_msg(strstr(calls, "delres 12\n"), "%s", calls);
	ck_assert_msg(strstr(calls, "delres 99\n"), "%s", calls);
	ck_assert_msg(strstr(calls, "unmapall 11\n") &&
			      strstr(calls, "unmapall 11\n") <
				      strstr(calls, "res 11 flags 1"),
		      "%s", calls);
	ck_assert_ptr_nonnull(strstr(calls, "log removed resource net of "
					    "client " K1 " from fz.ko"));
	ck_assert_ptr_nonnull(strstr(calls, "log removed resource " ID_PREFIX
					    "99 of client"));
	ck_assert_ptr_nonnull(strstr(calls, "cleared the DNS maps of resource "
					    "app of client " K1));

	/* A run-time grant does not outlive a reload of the same file,
	 * and app keeps its maps (its definition did not change). */
	ck_assert_int_eq(gw_authorize(gw, &a->clients[0], &a->resources[1], 0,
				      err, sizeof(err)),
			 0);
	memset(&answer, 0, sizeof(answer));
	answer.v4[0] = ip("192.0.2.1");
	answer.n4 = 1;
	control(gw, 0, ASSIGNED("a.app.test", "[\"100.96.0.1\"]"));
	read_auth(auth_file, &auth);
	ck_assert_int_eq(gw_replace_auth(gw, &auth), 0);
	calls[0] = '\0';
	dump_with(&dev, held, 2);
	ck_assert_int_eq(gw_start(gw, &dev, err, sizeof(err)), 0);
	fzk_device_view_free(&dev);
	ck_assert_msg(strstr(calls, "delres 12\n"), "%s", calls);
	ck_assert_ptr_nonnull(strstr(calls, "resource net is not authorized "
					    "in the authorizations file"));
	ck_assert_msg(!strstr(calls, "unmapall"), "%s", calls);
	ck_assert_msg(strstr(calls, "res 11 flags 1 filters 1 exp 0 addrs "
				    "100.96.0.1/32\n"),
		      "%s", calls);

	/* revoke reaches what fz.ko has and the file does not. */
	calls[0] = '\0';
	installed[0x77] = true;
	ck_assert_int_eq(gw_ctl_revoke(gw, 2, w_unknown, err, sizeof(err)), 0);
	ck_assert_msg(strstr(calls, "delres 77\n"), "%s", calls);

	/* The client leaves the file: no longer a client of the gateway. */
	read_auth("[Resource]\nName = net\nID = " ID "\nType = cidr\n"
		  "Address = 10.0.0.0/24\n",
		  &auth);
	calls[0] = '\0';
	ck_assert_int_eq(gw_replace_auth(gw, &auth), 0);
	ck_assert_ptr_nonnull(strstr(calls, "client " K1 " is no longer in "
					    "the authorizations file"));
	ck_assert(!gw_is_client(gw, dev_key()));
	ck_assert_int_eq(gw_start(gw, NULL, err, sizeof(err)), 0);
	gw_free(gw);
}
END_TEST

/* Finding 18: one client cannot hold every resolver worker. */
START_TEST(test_lookups_per_client)
{
	struct gateway *gw = new_gateway();
	char err[256], body[256], all[16384] = "";

	ck_assert_int_eq(gw_start(gw, NULL, err, sizeof(err)), 0);
	memset(&answer, 0, sizeof(answer));
	answer.v4[0] = ip("192.0.2.1");
	answer.n4 = 1;
	answer_later = true;
	n_held = 0;
	for (int i = 0; i < 10; i++) {
		snprintf(body, sizeof(body),
			 ASSIGNED("n%d.app.test", "[\"100.96.0.%d\"]"), i,
			 i + 1);
		control(gw, 0, body);
		strncat(all, calls, sizeof(all) - strlen(all) - 1);
	}
	ck_assert_uint_eq(n_held, GW_MAX_LOOKUPS_PER_CLIENT);
	ck_assert_uint_eq(count_of(all, "resolve n"),
			  GW_MAX_LOOKUPS_PER_CLIENT);
	ck_assert_uint_eq(gw_drops(gw, PROTO_P2P_DROP_TOO_MANY_LOOKUPS),
			  10 - GW_MAX_LOOKUPS_PER_CLIENT);
	ck_assert_ptr_nonnull(strstr(all, "too many lookups in flight"));
	/* One finishes: there is room for one more. */
	calls[0] = '\0';
	held[0].cb(held[0].arg, &answer, 0, false);
	ck_assert_ptr_nonnull(strstr(calls, "map 11 100.96.0.1 -> 192.0.2.1"));
	control(gw, 0, ASSIGNED("late.app.test", "[\"100.96.0.20\"]"));
	ck_assert_ptr_nonnull(strstr(calls, "resolve late.app.test"));
	control(gw, 0, ASSIGNED("later.app.test", "[\"100.96.0.21\"]"));
	ck_assert_ptr_null(strstr(calls, "resolve later.app.test"));
	/* The rest are forgotten with the gateway: no callback runs late. */
	answer_later = false;
	gw_free(gw);
	for (size_t i = 1; i < n_held; i++)
		held[i].cb(held[i].arg, NULL, -ECANCELED, false);
	n_held = 0;
}
END_TEST

/* Finding 9: answers that must never be a translation target. */
START_TEST(test_map_target_filter)
{
	static const char *const refused[] = {
		"0.0.0.0",
		"0.1.2.3",
		"127.0.0.1",
		"127.255.0.9",
		"169.254.169.254",
		"169.254.0.1",
		"224.0.0.251",
		"239.1.2.3",
		"255.255.255.255",
		"240.0.0.1",
		"100.64.0.1",
		"100.96.0.1",
		"100.127.255.254",
		"::",
		"::1",
		"fe80::1",
		"febf::1",
		"ff02::1",
		"ff0e::1",
		"::ffff:127.0.0.1",
		"fd00:2021:1111::2",
		"fd00:2021:1111:8000::1",
		"64:ff9b::a9fe:a9fe",
		"64:ff9b:1::7f00:1",
		"fd00:ec2::254",
	};
	static const char *const allowed[] = {
		"192.0.2.1",	 "10.0.0.1",
		"172.31.0.10",	 "100.63.255.255",
		"100.128.0.1",	 "8.8.8.8",
		"2001:db8::1",	 "fd00:31::10",
		"fec0::1",	 "fd00:2021:1111:4000::1",
		"fe7f::1",	 "64:ff9c::1",
		"fd00:ec2::253",
	};
	struct gateway *gw;
	char err[256];

	for (size_t i = 0; i < sizeof(refused) / sizeof(*refused); i++) {
		struct fz_cidr c = ip(refused[i]);

		ck_assert_msg(gw_map_target_refused(&c), "%s", refused[i]);
	}
	for (size_t i = 0; i < sizeof(allowed) / sizeof(*allowed); i++) {
		struct fz_cidr c = ip(allowed[i]);

		ck_assert_msg(!gw_map_target_refused(&c), "%s", allowed[i]);
	}

	/* Only the good answer is mapped; the rest are logged. */
	gw = new_gateway();
	ck_assert_int_eq(gw_start(gw, NULL, err, sizeof(err)), 0);
	memset(&answer, 0, sizeof(answer));
	answer.v4[0] = ip("127.0.0.1");
	answer.v4[1] = ip("169.254.169.254");
	answer.v4[2] = ip("192.0.2.99"); /* the gateway's own */
	answer.v4[3] = ip("192.0.2.1");
	answer.n4 = 4;
	answer.v6[0] = ip("fe80::1");
	answer.v6[1] = ip("2001:db8::99");
	answer.n6 = 2;
	control(gw, 0,
		ASSIGNED("a.app.test", "[\"100.96.0.1\",\"100.96.0.2\","
				       "\"fd00:2021:1111:8000::1\"]"));
	ck_assert_msg(strstr(calls, "map 11 100.96.0.1 -> 192.0.2.1\n"
				    "map 11 100.96.0.2 -> 192.0.2.1\n"),
		      "%s", calls);
	ck_assert_msg(!strstr(calls, "-> 127.") && !strstr(calls, "-> 169.") &&
			      !strstr(calls, "-> 192.0.2.99") &&
			      !strstr(calls, "-> fe80") &&
			      !strstr(calls, "-> 2001"),
		      "%s", calls);
	ck_assert_ptr_nonnull(strstr(calls, "resolved to 169.254.169.254, "
					    "which is link-local: not mapped"));
	ck_assert_ptr_nonnull(strstr(calls, "resolved to 192.0.2.99, which "
					    "is an address of this gateway"));
	/* Nothing left: no map at all, and Inactive. */
	answer.n4 = 2;
	answer.n6 = 1;
	control(gw, 0, ASSIGNED("b.app.test", "[\"100.96.0.9\"]"));
	ck_assert_msg(!strstr(calls, "map 11"), "%s", calls);
	ck_assert_ptr_nonnull(strstr(calls, "\"status\":\"Inactive\""));
	gw_free(gw);
}
END_TEST

/* Finding 9: only records of the name asked, after CNAMEs, count. */
START_TEST(test_resolve_collect)
{
	static const char *const rrs[] = {
		"www.app.test. 60 IN CNAME edge.app.test.",
		"edge.app.test. 60 IN CNAME lb.cdn.test.",
		"lb.cdn.test. 60 IN A 192.0.2.1",
		"metadata.evil.test. 60 IN A 169.254.169.254",
		"lb.cdn.test. 60 IN AAAA 2001:db8::1",
		"www.app.test. 60 IN A 192.0.2.2",
		"other.app.test. 60 IN A 192.0.2.3",
		"loop.test. 60 IN CNAME loop2.test.",
		"loop2.test. 60 IN CNAME loop.test.",
		"loop2.test. 60 IN A 192.0.2.4",
	};
	struct proto_resolve_result r;
	ldns_rdf *q;
	ldns_pkt *pkt = ldns_pkt_new();

	ck_assert_ptr_nonnull(pkt);
	for (size_t i = 0; i < sizeof(rrs) / sizeof(*rrs); i++) {
		ldns_rr *rr = NULL;

		ck_assert_int_eq(ldns_rr_new_frm_str(&rr, rrs[i], 0, NULL,
						     NULL),
				 LDNS_STATUS_OK);
		ck_assert(ldns_pkt_push_rr(pkt, LDNS_SECTION_ANSWER, rr));
	}
	memset(&r, 0, sizeof(r));
	q = ldns_dname_new_frm_str("www.app.test");
	proto_resolve_collect(pkt, q, LDNS_RR_TYPE_A, &r);
	proto_resolve_collect(pkt, q, LDNS_RR_TYPE_AAAA, &r);
	ck_assert_uint_eq(r.n4, 2);
	ck_assert_str_eq(ntop(&r.v4[0]), "192.0.2.1");
	ck_assert_str_eq(ntop(&r.v4[1]), "192.0.2.2");
	ck_assert_uint_eq(r.n6, 1);
	ldns_rdf_deep_free(q);
	/* A CNAME loop ends; the names in it still count. */
	memset(&r, 0, sizeof(r));
	q = ldns_dname_new_frm_str("LOOP.test.");
	proto_resolve_collect(pkt, q, LDNS_RR_TYPE_A, &r);
	ck_assert_uint_eq(r.n4, 1);
	ck_assert_str_eq(ntop(&r.v4[0]), "192.0.2.4");
	ldns_rdf_deep_free(q);
	ldns_pkt_free(pkt);
}
END_TEST

/*
 * A lookup that ends after the portal re-addressed the resource maps
 * nothing: the client holds the resource again, under its new address,
 * which no longer covers the name asked.
 */
START_TEST(test_answer_after_readdress)
{
	struct gateway *gw = new_gateway();
	struct proto_auth auth;
	char err[256], file[sizeof(auth_file)];
	char *at;

	ck_assert_int_eq(gw_start(gw, NULL, err, sizeof(err)), 0);
	memset(&answer, 0, sizeof(answer));
	answer.v4[0] = ip("192.0.2.1");
	answer.n4 = 1;
	answer_later = true;
	n_held = 0;
	control(gw, 0, ASSIGNED("a.app.test", "[\"100.96.0.1\"]"));
	ck_assert_uint_eq(n_held, 1);
	/* app now covers *.api.test (same length, so the rest stays). */
	memcpy(file, auth_file, sizeof(file));
	at = strstr(file, "*.app.test");
	ck_assert_ptr_nonnull(at);
	memcpy(at, "*.api.test", strlen("*.api.test"));
	read_auth(file, &auth);
	ck_assert_str_eq(auth.resources[0].domain, "*.api.test");
	ck_assert_int_eq(gw_grant(gw, &auth.clients[0], &auth.resources[0], 0,
				  err, sizeof(err)),
			 0);
	proto_auth_free(&auth);
	calls[0] = '\0';
	held[0].cb(held[0].arg, &answer, 0, false);
	n_held = 0;
	answer_later = false;
	ck_assert_msg(!strstr(calls, "map 11"), "%s", calls);
	ck_assert_msg(!strstr(calls, "send "), "%s", calls);
	ck_assert_msg(gw_drops(gw, PROTO_P2P_DROP_DOMAIN_MISMATCH) == 1, "%s",
		      calls);
	gw_free(gw);
}
END_TEST

START_TEST(test_gateway_drops)
{
	struct gateway *gw = new_gateway();
	uint8_t other[FZ_KEY_LEN] = { 9 }, pkt[8] = { 2 };
	char err[256];

	ck_assert_int_eq(gw_start(gw, NULL, err, sizeof(err)), 0);
	control(gw, 0, "{");
	ck_assert_ptr_nonnull(strstr(calls,
				     "log dropped control packet from " K1
				     ": bad JSON (1 dropped)"));
	control(gw, 0, "nope");
	ck_assert_ptr_nonnull(strstr(calls, "bad JSON (2 dropped)"));
	control(gw, 0, ASSIGNED("app.test", "[\"100.96.0.1\"]"));
	ck_assert_ptr_nonnull(strstr(calls, "domain does not match"));
	control(gw, 0, ASSIGNED("a.b.app.test", "[\"100.96.0.1\"]"));
	ck_assert_uint_eq(gw_drops(gw, PROTO_P2P_DROP_DOMAIN_MISMATCH), 2);
	control(gw, 0,
		"{\"resource\":\"0b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c99\","
		"\"domain\":\"a.app.test\",\"proxy_ips\":[\"100.96.0.1\"]}");
	ck_assert_uint_eq(gw_drops(gw, PROTO_P2P_DROP_UNAUTHORIZED), 1);
	control(gw, 1,
		"{\"resource\":\"" ID "\",\"domain\":\"a.app.test\","
		"\"status\":\"Active\"}");
	ck_assert_uint_eq(gw_drops(gw, PROTO_P2P_DROP_UNEXPECTED), 1);
	control(gw, 7, "");
	ck_assert_uint_eq(gw_drops(gw, PROTO_P2P_DROP_UNKNOWN_EVENT), 1);
	gw_on_control(gw, other, pkt, sizeof(pkt));
	ck_assert_uint_eq(gw_drops(gw, PROTO_P2P_DROP_UNKNOWN_CLIENT), 1);
	control(gw, 2, "");
	ck_assert_ptr_nonnull(strstr(calls, "said goodbye"));
	ck_assert_ptr_null(strstr(calls, "send "));
	gw_free(gw);
}
END_TEST

START_TEST(test_gateway_authorize_revoke)
{
	struct gateway *gw = new_gateway();
	const struct proto_auth *a = gw_authorizations(gw);
	char err[256] = "", k[] = K1, net[] = "net", all[] = "all", exp[] = "5",
	     nope[] = "nope", bad[] = "x", huge[] = "9223372036854775808",
	     wrap[] = "99999999999999999999";
	char *w_auth[] = { k, net, exp }, *w_bad[] = { k, nope, exp },
	     *w_huge[] = { k, net, huge }, *w_wrap[] = { k, net, wrap },
	     *w_rev[] = { k, net }, *w_all[] = { k, all },
	     *w_key[] = { bad, net };

	ck_assert_int_eq(gw_start(gw, NULL, err, sizeof(err)), 0);
	calls[0] = '\0';
	ck_assert_int_eq(gw_ctl_authorize(gw, 3, w_auth, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(calls, "res 12 flags 0 filters 0 exp 5 "
					    "addrs 10.0.0.0/24\n"));
	ck_assert_ptr_null(strstr(calls, "peer ")); /* already a peer */
	ck_assert_int_eq(gw_ctl_authorize(gw, 3, w_bad, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(
		strstr(err, "no resource with Name or ID 'nope'"));
	/* An expiry fz.ko's clock cannot hold is refused, not wrapped. */
	calls[0] = '\0';
	ck_assert_int_eq(gw_ctl_authorize(gw, 3, w_huge, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "malformed expiry"));
	ck_assert_int_eq(gw_ctl_authorize(gw, 3, w_wrap, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_null(strstr(calls, "res "));
	ck_assert_int_eq(gw_ctl_revoke(gw, 2, w_key, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "is not a public key"));
	calls[0] = '\0';
	ck_assert_int_eq(gw_ctl_revoke(gw, 2, w_rev, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(calls, "delres 12\n"));
	ck_assert_int_eq(gw_ctl_revoke(gw, 2, w_rev, err, sizeof(err)),
			 -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "not authorized for net"));
	calls[0] = '\0';
	ck_assert_int_eq(gw_ctl_revoke(gw, 2, w_all, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(calls, "delres 11\n"));
	/* Re-authorizing goes through the same path. */
	ck_assert_int_eq(gw_authorize(gw, &a->clients[0], &a->resources[0], 0,
				      err, sizeof(err)),
			 0);
	gw_free(gw);
}
END_TEST

START_TEST(test_gateway_denied_flow)
{
	struct gateway *gw = new_gateway();
	struct fzk_event ev = { .cmd = FZ_CMD_EVT_DENIED_FLOW,
				.reason = FZ_REASON_FILTERED };

	ck_assert_int_eq(fz_key_from_base64(ev.peer_key, K1, strlen(K1)), 0);
	ev.flow.family = AF_INET;
	ev.flow.proto = 6;
	inet_pton(AF_INET, "100.64.0.2", ev.flow.saddr);
	inet_pton(AF_INET, "10.0.0.5", ev.flow.daddr);
	ev.flow.has_ports = true;
	ev.flow.sport = 40000;
	ev.flow.dport = 22;
	gw_on_denied_flow(gw, &ev);
	ck_assert_str_eq(calls, "log denied flow: client " K1
				" tcp 100.64.0.2:40000 -> 10.0.0.5:22: "
				"filtered\n");
	gw_free(gw);
}
END_TEST

/* --- Events --- */

static int parse_event(struct nl_msg *msg, struct fzk_event *ev)
{
	return fzk_event_parse(nlmsg_hdr(msg), FAMILY, ev);
}

static struct nl_msg *event(uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct nlattr *nest;
	uint8_t key[FZ_KEY_LEN];

	memset(key, 0x42, sizeof(key));
	ck_assert_ptr_nonnull(genlmsg_put(msg, 0, 0, FAMILY, 0, 0, cmd, 1));
	ck_assert_int_ge(nla_put_u32(msg, FZ_A_IFINDEX, 7), 0);
	nest = nla_nest_start(msg, FZ_A_PEER);
	ck_assert_int_ge(nla_put(msg, FZ_PEER_A_PUBLIC_KEY, FZ_KEY_LEN, key),
			 0);
	nla_nest_end(msg, nest);
	return msg;
}

static void put_flow(struct nl_msg *msg, int alen, int dlen, bool ports)
{
	uint8_t a[16] = { 100, 64, 0, 2 }, b[16] = { 10, 0, 0, 5 };
	struct nlattr *nest = nla_nest_start(msg, FZ_A_FLOW);

	ck_assert_int_ge(nla_put_u8(msg, FZ_FLOW_A_PROTO, 17), 0);
	ck_assert_int_ge(nla_put(msg, FZ_FLOW_A_SADDR, alen, a), 0);
	ck_assert_int_ge(nla_put(msg, FZ_FLOW_A_DADDR, dlen, b), 0);
	if (ports) {
		ck_assert_int_ge(nla_put_u16(msg, FZ_FLOW_A_SPORT, 5353), 0);
		ck_assert_int_ge(nla_put_u16(msg, FZ_FLOW_A_DPORT, 53), 0);
	}
	nla_nest_end(msg, nest);
}

START_TEST(test_events)
{
	uint8_t big[FZ_MAX_CONTROL_PAYLOAD + 1] = { 0 };
	struct fzk_event ev;
	struct nl_msg *msg;

	msg = event(FZ_CMD_EVT_CONTROL);
	ck_assert_int_ge(nla_put(msg, FZ_A_PACKET, 3, "abc"), 0);
	ck_assert_int_eq(parse_event(msg, &ev), 0); /* the codec judges */
	ck_assert_uint_eq(ev.packet_len, 3);
	ck_assert_uint_eq(ev.peer_key[0], 0x42);
	nlmsg_free(msg);
	msg = event(FZ_CMD_EVT_CONTROL);
	ck_assert_int_eq(parse_event(msg, &ev), -EINVAL); /* no packet */
	nlmsg_free(msg);
	msg = event(FZ_CMD_EVT_CONTROL);
	ck_assert_int_ge(nla_put(msg, FZ_A_PACKET, sizeof(big), big), 0);
	ck_assert_int_eq(parse_event(msg, &ev), -EINVAL);
	nlmsg_free(msg);

	msg = event(FZ_CMD_EVT_DENIED_FLOW);
	ck_assert_int_ge(nla_put_u32(msg, FZ_A_REASON, FZ_REASON_EXPIRED), 0);
	put_flow(msg, 4, 4, true);
	ck_assert_int_eq(parse_event(msg, &ev), 0);
	ck_assert_uint_eq(ev.reason, FZ_REASON_EXPIRED);
	ck_assert_uint_eq(ev.flow.family, AF_INET);
	ck_assert_uint_eq(ev.flow.proto, 17);
	ck_assert(ev.flow.has_ports);
	ck_assert_uint_eq(ev.flow.dport, 53);
	ck_assert_uint_eq(ev.flow.daddr[0], 10);
	nlmsg_free(msg);
	msg = event(FZ_CMD_EVT_DENIED_FLOW);
	put_flow(msg, 16, 16, false);
	ck_assert_int_eq(parse_event(msg, &ev), 0);
	ck_assert_uint_eq(ev.flow.family, AF_INET6);
	ck_assert(!ev.flow.has_ports);
	nlmsg_free(msg);
	msg = event(FZ_CMD_EVT_DENIED_FLOW);
	put_flow(msg, 4, 16, true);
	ck_assert_int_eq(parse_event(msg, &ev), -EINVAL);
	nlmsg_free(msg);
	msg = event(FZ_CMD_EVT_DENIED_FLOW);
	put_flow(msg, 5, 5, true);
	ck_assert_int_eq(parse_event(msg, &ev), -EINVAL);
	nlmsg_free(msg);
	msg = event(FZ_CMD_EVT_DENIED_FLOW);
	ck_assert_int_eq(parse_event(msg, &ev), -EINVAL); /* no flow */
	nlmsg_free(msg);
}
END_TEST

/* Finding 8: after lost events, which peers get a handshake. */
START_TEST(test_resync_need)
{
	const uint64_t now = NOW, after = FZK_EVENT_REKEY_AFTER_NS;
	struct fzk_peer_view p;

	memset(&p, 0, sizeof(p));
	/* No endpoint: nothing can be sent. */
	p.persistent_keepalive = 25;
	ck_assert_int_eq(fzk_event_resync_need(&p, now, after),
			 FZK_RESYNC_NONE);
	p.endpoint.ss_family = AF_INET;
	/* No session, keepalive: WireGuard keeps it up. */
	ck_assert_int_eq(fzk_event_resync_need(&p, now, after),
			 FZK_RESYNC_KEEPALIVE);
	/* No session, no keepalive: idle, left alone. */
	p.persistent_keepalive = 0;
	ck_assert_int_eq(fzk_event_resync_need(&p, now, after),
			 FZK_RESYNC_NONE);
	/* Our session, young: nothing; old: its rekey may be lost. */
	p.keypairs[0].slot = FZ_KEYPAIR_CURRENT;
	p.keypairs[0].flags = FZ_KEYPAIR_F_INITIATOR;
	p.keypairs[0].created_ns = now - after + 1;
	p.n_keypairs = 1;
	ck_assert_int_eq(fzk_event_resync_need(&p, now, after),
			 FZK_RESYNC_NONE);
	p.keypairs[0].created_ns = now - after;
	ck_assert_int_eq(fzk_event_resync_need(&p, now, after),
			 FZK_RESYNC_REKEY);
	/* The peer's session: the peer rekeys it. */
	p.keypairs[0].flags = 0;
	ck_assert_int_eq(fzk_event_resync_need(&p, now, after),
			 FZK_RESYNC_NONE);
	/* A clock set back does not make every session old. */
	p.keypairs[0].flags = FZ_KEYPAIR_F_INITIATOR;
	p.keypairs[0].created_ns = now + 10;
	ck_assert_int_eq(fzk_event_resync_need(&p, now, after),
			 FZK_RESYNC_NONE);
}
END_TEST

/* --- The resolver on a loop --- */

static int lookups_done;

static void on_lookup(void *arg, const struct proto_resolve_result *r, int err,
		      bool cached)
{
	bool *want_cached = arg;

	ck_assert_int_eq(err, 0);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->n4, 1);
	ck_assert_int_eq(cached, *want_cached);
	lookups_done++;
}

static uint64_t fake_now(void)
{
	return 5;
}

START_TEST(test_resolver_loop)
{
	char hosts[64];
	struct proto_resolve_config cfg = { .hosts = hosts,
					    .resolv_conf = "/nonexistent" };
	bool no = false, yes = true;
	struct proto_resolver *r;
	uv_loop_t loop;
	FILE *f;

	snprintf(hosts, sizeof(hosts), "/tmp/fzhosts2-%d", (int)getpid());
	f = fopen(hosts, "w");
	ck_assert_ptr_nonnull(f);
	fputs("192.0.2.7 loop.test.example\n", f);
	fclose(f);
	ck_assert_int_eq(uv_loop_init(&loop), 0);
	r = proto_resolver_new(&loop, &cfg, fake_now);
	ck_assert_ptr_nonnull(r);
	/* Two at once share one lookup; the next one is cached. */
	ck_assert_int_eq(proto_resolver_lookup(r, "loop.test.example",
					       on_lookup, &no),
			 0);
	ck_assert_int_eq(proto_resolver_lookup(r, "loop.test.example",
					       on_lookup, &no),
			 0);
	uv_run(&loop, UV_RUN_DEFAULT);
	ck_assert_int_eq(lookups_done, 2);
	ck_assert_int_eq(proto_resolver_lookup(r, "loop.test.example",
					       on_lookup, &yes),
			 0);
	ck_assert_int_eq(lookups_done, 3);
	proto_resolver_free(r);
	uv_run(&loop, UV_RUN_DEFAULT);
	ck_assert_int_eq(uv_loop_close(&loop), 0);
	unlink(hosts);
}
END_TEST

/* --- The commands, as far as they go without fz.ko --- */

START_TEST(test_cli)
{
	static const char *const cmds[] = { "gateway", "authorize", "revoke" };
	static const struct {
		const char *args, *want;
	} cases[] = {
		{ "gateway", "fzagent: gateway: missing CONFIG\n" },
		{ "gateway a.conf -a", "fzagent: gateway: -a needs "
				       "AUTHORIZATIONS" },
		{ "up a.conf -a x", "fzagent: up: unknown option '-a'" },
		{ "gateway $T/nope.conf -a $T/nope.auth",
		  "fzagent: gateway: $T/nope.auth: cannot read" },
		{ "authorize fz0", "fzagent: authorize: missing arguments" },
		{ "authorize fz0 " K1 " app expires", "expires needs TIME" },
		{ "authorize fz0 " K1 " app expires soon",
		  "invalid TIME 'soon'" },
		{ "authorize fzx$$ " K1 " app", "no agent runs for it" },
		{ "revoke fz0 " K1, "fzagent: revoke: missing arguments" },
		{ "revoke fzx$$ " K1 " all", "no agent runs for it" },
	};
	struct run r;

	fzt_tmpdir_make("fzagent-gw");
	for (size_t i = 0; i < 3; i++) {
		fzt_run(&r, "\"$FZAGENT\" %s --help", cmds[i]);
		ck_assert_int_eq(r.status, 0);
		ck_assert_ptr_nonnull(strstr(r.out, "SYNOPSIS"));
		ck_assert_ptr_nonnull(strstr(r.out, "EXIT STATUS"));
		fzt_run_free(&r);
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char want[256];
		const char *t = strstr(cases[i].want, "$T");

		if (t)
			snprintf(want, sizeof(want), "%.*s%s%s",
				 (int)(t - cases[i].want), cases[i].want,
				 fzt_tmpdir, t + 2);
		else
			snprintf(want, sizeof(want), "%s", cases[i].want);
		fzt_run(&r, "\"$FZAGENT\" %s", cases[i].args);
		ck_assert_int_eq(r.status, 1);
		ck_assert_msg(strstr(r.err, want), "%s: got '%s'",
			      cases[i].args, r.err);
		fzt_run_free(&r);
	}
	fzt_tmpdir_remove();
}
END_TEST

Suite *gateway_suite(void)
{
	Suite *s = suite_create("gateway");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_round_robin);
	tcase_add_test(tc, test_cache);
	tcase_add_test(tc, test_resolve_hosts);
	tcase_add_test(tc, test_nft_ruleset);
	tcase_add_test(tc, test_sysctl);
	tcase_add_test(tc, test_msg_set_resource);
	tcase_add_test(tc, test_msg_other);
	tcase_add_test(tc, test_gateway_start);
	tcase_add_test(tc, test_gateway_assigned_ips);
	tcase_add_test(tc, test_gateway_domains_full);
	tcase_add_test(tc, test_answer_after_readdress);
	tcase_add_test(tc, test_gateway_drops);
	tcase_add_test(tc, test_map_target_filter);
	tcase_add_test(tc, test_lookups_per_client);
	tcase_add_test(tc, test_gateway_reconcile);
	tcase_add_test(tc, test_resolve_collect);
	tcase_add_test(tc, test_gateway_authorize_revoke);
	tcase_add_test(tc, test_gateway_denied_flow);
	tcase_add_test(tc, test_events);
	tcase_add_test(tc, test_resync_need);
	tcase_add_test(tc, test_resolver_loop);
	tcase_add_test(tc, test_cli);
	suite_add_tcase(s, tc);
	return s;
}
