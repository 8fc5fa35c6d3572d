// SPDX-License-Identifier: GPL-2.0
/*
 * print.c: the exact text and JSON of `fzagent show` for devices built
 * in memory, since no test here can load fz.ko.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/print.h"
#include "fzk/device.h"
#include "../suites.h"

#define NS 1000000000ULL
#define NOW (1700000000ULL * NS)

static struct fzk_allowedip_view aips[2];
static struct fzk_peer_view peers[2];
static struct fzk_resource_view resources[3];
static struct fzk_device_view dev;

static void set_inet(struct sockaddr_storage *ss, const char *addr,
		     uint16_t port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	ck_assert_int_eq(inet_pton(AF_INET, addr, &sin->sin_addr), 1);
}

static void set_inet6(struct sockaddr_storage *ss, const char *addr,
		      uint16_t port)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	ck_assert_int_eq(inet_pton(AF_INET6, addr, &sin6->sin6_addr), 1);
}

/* fz0: everything set; peer 0x22 with every field, peer 0x33 bare. */
static void setup(void)
{
	memset(&dev, 0, sizeof(dev));
	memset(peers, 0, sizeof(peers));
	memset(aips, 0, sizeof(aips));
	memset(resources, 0, sizeof(resources));

	aips[0].family = AF_INET;
	aips[0].cidr = 32;
	inet_pton(AF_INET, "10.0.0.2", &aips[0].addr.ip4);
	aips[1].family = AF_INET6;
	aips[1].cidr = 128;
	inet_pton(AF_INET6, "fd00::2", &aips[1].addr.ip6);

	memset(peers[0].public_key, 0x22, FZ_KEY_LEN);
	set_inet(&peers[0].endpoint, "192.0.2.1", 51820);
	peers[0].allowedips = aips;
	peers[0].n_allowedips = 2;
	peers[0].last_handshake_ns = NOW - 65 * NS;
	peers[0].last_rx_ns = NOW - 5 * NS;
	peers[0].rx_bytes = 1260;
	peers[0].tx_bytes = 4781507;
	peers[0].persistent_keepalive = 25;
	peers[0].quiet_timeout = 9;
	peers[0].keypairs[0].slot = FZ_KEYPAIR_CURRENT;
	peers[0].keypairs[0].local_index = 0x102;
	peers[0].keypairs[0].remote_index = 0x304;
	peers[0].keypairs[0].flags = FZ_KEYPAIR_F_INITIATOR;
	peers[0].keypairs[0].created_ns = NOW - 65 * NS;
	peers[0].keypairs[0].tx_counter = 9;
	peers[0].n_keypairs = 1;
	peers[0].drops[FZ_STAT_A_DROP_DENIED] = 4;
	peers[0].drops[FZ_STAT_A_DENIED_FILTERED] = 4;
	peers[0].drops[FZ_STAT_A_DROP_REPLAY] = 1;

	memset(peers[1].public_key, 0x33, FZ_KEY_LEN);
	set_inet6(&peers[1].endpoint, "2001:db8::1", 51820);

	dev.ifindex = 7;
	strcpy(dev.ifname, "fz0");
	dev.has_public_key = true;
	memset(dev.public_key, 0x11, FZ_KEY_LEN);
	dev.listen_port = 51820;
	dev.fwmark = 0x1234;
	dev.generation = 42;
	dev.stats[FZ_STAT_A_RX_PACKETS] = 10;
	dev.stats[FZ_STAT_A_DROP_BAD_MAC1] = 2;
	dev.stats[FZ_STAT_A_DROP_REPLAY] = 3;
	dev.peers = peers;
	dev.n_peers = 2;
}

static char *render(bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	if (json)
		cmd_print_device_json(f, &dev);
	else
		cmd_print_device_text(f, &dev, NOW);
	fclose(f);
	return buf;
}

static void check_render(bool json, const char *want)
{
	char *got = render(json);

	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(test_text_full)
{
	check_render(
		false,
		"interface: fz0\n"
		"  public key: ERERERERERERERERERERERERERERERERERERERERERE=\n"
		"  listen port: 51820\n"
		"  fwmark: 0x1234\n"
		"  drops: bad mac1 2, replay 3\n"
		"\n"
		"peer: IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=\n"
		"  endpoint: 192.0.2.1:51820\n"
		"  allowed ips: 10.0.0.2/32, fd00::2/128\n"
		"  latest handshake: 1 minute, 5 seconds ago\n"
		"  transfer: 1.23 KiB received, 4.56 MiB sent\n"
		"  persistent keepalive: every 25 seconds\n"
		"  quiet timeout: 9 seconds\n"
		"  drops: replay 1, denied 4\n"
		"\n"
		"peer: MzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzM=\n"
		"  endpoint: [2001:db8::1]:51820\n"
		"  allowed ips: (none)\n");
}
END_TEST

/* Nothing configured: only the lines wg show would print. */
START_TEST(test_text_bare_device)
{
	memset(&dev, 0, sizeof(dev));
	dev.ifindex = 9;
	strcpy(dev.ifname, "fz1");
	check_render(false, "interface: fz1\n"
			    "  public key: (none)\n");
}
END_TEST

START_TEST(test_text_only_rx)
{
	peers[0].tx_bytes = 0;
	dev.n_peers = 1;
	dev.stats[FZ_STAT_A_DROP_BAD_MAC1] = 0;
	dev.stats[FZ_STAT_A_DROP_REPLAY] = 0;
	dev.stats[FZ_STAT_A_DROP_CONTROL] = 1;
	check_render(
		false,
		"interface: fz0\n"
		"  public key: ERERERERERERERERERERERERERERERERERERERERERE=\n"
		"  listen port: 51820\n"
		"  fwmark: 0x1234\n"
		"  drops: bad control 1\n"
		"\n"
		"peer: IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=\n"
		"  endpoint: 192.0.2.1:51820\n"
		"  allowed ips: 10.0.0.2/32, fd00::2/128\n"
		"  latest handshake: 1 minute, 5 seconds ago\n"
		"  transfer: 1.23 KiB received, 0 B sent\n"
		"  persistent keepalive: every 25 seconds\n"
		"  quiet timeout: 9 seconds\n"
		"  drops: replay 1, denied 4\n");
}
END_TEST

START_TEST(test_json_full)
{
	check_render(
		true,
		"{\"interface\":\"fz0\",\"ifindex\":7,"
		"\"public_key\":\"ERERERERERERERERERERERERERERERERERERERERERE=\","
		"\"listen_port\":51820,\"fwmark\":4660,\"generation\":42,\"hold\":false,"
		"\"stats\":{\"rx_packets\":10,\"rx_bytes\":0,\"tx_packets\":0,"
		"\"tx_bytes\":0,\"drop_bad_mac1\":2,\"drop_ratelimited\":0,"
		"\"drop_bad_auth\":0,\"drop_replay\":3,\"drop_no_key\":0,"
		"\"drop_bad_source\":0,\"drop_no_peer\":0,"
		"\"drop_malformed\":0,\"drop_denied\":0,\"drop_control\":0,"
		"\"cookies_sent\":0,\"denied_not_authorized\":0,"
		"\"denied_filtered\":0,\"denied_expired\":0,"
		"\"denied_client_to_client\":0,\"denied_return\":0,"
		"\"denied_no_mapping\":0,"
		"\"drop_control_ratelimited\":0,\"held\":0,\"held_sent\":0,"
		"\"drop_hold_full\":0,\"drop_hold_timeout\":0,"
		"\"drop_hold_refused\":0,\"peer_prohibited\":0},"
		"\"peers\":["
		"{\"public_key\":\"IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=\","
		"\"endpoint\":\"192.0.2.1:51820\","
		"\"allowed_ips\":[\"10.0.0.2/32\",\"fd00::2/128\"],"
		"\"persistent_keepalive\":25,\"quiet_timeout\":9,"
		"\"rx_bytes\":1260,"
		"\"tx_bytes\":4781507,"
		"\"latest_handshake_ns\":1699999935000000000,"
		"\"last_rx_ns\":1699999995000000000,"
		"\"drops\":{\"drop_replay\":1,\"drop_denied\":4,"
		"\"denied_filtered\":4},"
		"\"keypairs\":[{\"slot\":\"current\",\"local_index\":258,"
		"\"remote_index\":772,\"initiator\":1,"
		"\"created_ns\":1699999935000000000,\"tx_counter\":9}],"
		"\"gateway_client\":false,\"resources\":[]},"
		"{\"public_key\":\"MzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzM=\","
		"\"endpoint\":\"[2001:db8::1]:51820\",\"allowed_ips\":[],"
		"\"persistent_keepalive\":0,\"quiet_timeout\":0,\"rx_bytes\":0,"
		"\"tx_bytes\":0,"
		"\"latest_handshake_ns\":0,\"last_rx_ns\":0,\"drops\":{},"
		"\"keypairs\":[],\"gateway_client\":false,\"resources\":[]}]}\n");
}
END_TEST

static const uint8_t uuid_a[16] = { 0x0b, 0x8d, 0x7c, 0x4e, 0x2f, 0x6a,
				    0x4d, 0x1e, 0x9c, 0x3b, 0x5a, 0x7e,
				    0x8f, 0x9d, 0x0c, 0x11 };

/* Peer 0x33 as a gateway client: a DNS resource, one forever, one over. */
static void make_gateway_client(void)
{
	memcpy(resources[0].id, uuid_a, sizeof(uuid_a));
	resources[0].flags = FZ_RES_F_DNS;
	resources[0].expires_ns = NOW + 59 * 60 * NS;
	memset(resources[1].id, 0xab, sizeof(resources[1].id));
	memset(resources[2].id, 0x01, sizeof(resources[2].id));
	resources[2].expires_ns = NOW - 3 * NS;
	peers[1].flags = FZ_PEER_F_GATEWAY_CLIENT;
	peers[1].resources = resources;
	peers[1].n_resources = 3;
	dev.peers = &peers[1];
	dev.n_peers = 1;
	memset(dev.stats, 0, sizeof(dev.stats));
}

START_TEST(test_text_gateway_client)
{
	make_gateway_client();
	check_render(
		false,
		"interface: fz0\n"
		"  public key: ERERERERERERERERERERERERERERERERERERERERERE=\n"
		"  listen port: 51820\n"
		"  fwmark: 0x1234\n"
		"\n"
		"peer: MzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzM=\n"
		"  endpoint: [2001:db8::1]:51820\n"
		"  allowed ips: (none)\n"
		"  gateway client: 3 resources\n"
		"    resource 0b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c11 (dns), "
		"expires in 59 minutes\n"
		"    resource abababab-abab-abab-abab-abababababab, no expiry\n"
		"    resource 01010101-0101-0101-0101-010101010101, "
		"expired 3 seconds ago\n");
}
END_TEST

/* Default deny with nothing authorized is worth a line of its own. */
START_TEST(test_text_gateway_client_counts)
{
	char *got;

	make_gateway_client();
	peers[1].n_resources = 0;
	got = render(false);
	ck_assert_ptr_nonnull(strstr(got, "  allowed ips: (none)\n"
					  "  gateway client: 0 resources\n"));
	ck_assert_ptr_null(strstr(got, "    resource "));
	free(got);

	peers[1].n_resources = 1;
	got = render(false);
	ck_assert_ptr_nonnull(strstr(got, "  gateway client: 1 resource\n"
					  "    resource 0b8d7c4e-"));
	free(got);

	/* Not a client: no line, whatever the arrays hold. */
	peers[1].flags = 0;
	got = render(false);
	ck_assert_ptr_null(strstr(got, "gateway client"));
	free(got);
}
END_TEST

START_TEST(test_json_gateway_client)
{
	char *got;

	make_gateway_client();
	got = render(true);
	ck_assert_ptr_nonnull(strstr(
		got,
		"\"keypairs\":[],\"gateway_client\":true,\"resources\":["
		"{\"id\":\"0b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c11\","
		"\"dns\":true,\"expires_ns\":1700003540000000000},"
		"{\"id\":\"abababab-abab-abab-abab-abababababab\","
		"\"dns\":false,\"expires_ns\":0},"
		"{\"id\":\"01010101-0101-0101-0101-010101010101\","
		"\"dns\":false,\"expires_ns\":1699999997000000000}]}]}\n"));
	free(got);

	peers[1].n_resources = 0;
	got = render(true);
	ck_assert_ptr_nonnull(
		strstr(got, "\"gateway_client\":true,\"resources\":[]}]}\n"));
	free(got);
}
END_TEST

START_TEST(test_json_bare_device)
{
	char *got;

	memset(&dev, 0, sizeof(dev));
	dev.ifindex = 9;
	strcpy(dev.ifname, "fz\"1");
	got = render(true);
	ck_assert_ptr_nonnull(strstr(got, "{\"interface\":\"fz\\\"1\","));
	ck_assert_ptr_nonnull(strstr(got, "\"public_key\":null,"));
	ck_assert_ptr_nonnull(strstr(got, "\"peers\":[]}\n"));
	free(got);
}
END_TEST

Suite *print_suite(void)
{
	Suite *s = suite_create("print");
	TCase *tc = tcase_create("print");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_text_full);
	tcase_add_test(tc, test_text_bare_device);
	tcase_add_test(tc, test_text_only_rx);
	tcase_add_test(tc, test_json_full);
	tcase_add_test(tc, test_json_bare_device);
	tcase_add_test(tc, test_text_gateway_client);
	tcase_add_test(tc, test_text_gateway_client_counts);
	tcase_add_test(tc, test_json_gateway_client);
	suite_add_tcase(s, tc);
	return s;
}
