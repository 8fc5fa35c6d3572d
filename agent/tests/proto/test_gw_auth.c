// SPDX-License-Identifier: GPL-2.0
/*
 * The authorizations file (gw_auth.c): a valid file in full, every error
 * with its line, and the value parsers `fzagent authorize` shares.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/authorize.h"
#include "lib/keys.h"
#include "proto/gw_auth.h"
#include "../suites.h"

#define NOW (1700000000ULL * 1000000000ULL)
#define K1 "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="
#define K2 "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI="
#define ID1 "0b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c11"
#define ID2 "0b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c12"

static char path[64];

static void write_auth(const char *text, int mode)
{
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/fzauth-%d.auth", (int)getpid());
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	chmod(path, (mode_t)mode);
}

static int parse(const char *text, struct proto_auth *a, char *err)
{
	int ret;

	write_auth(text, 0600);
	ret = proto_auth_parse_file(path, NOW, a, err, 256);
	unlink(path);
	return ret;
}

static const char valid[] = "# a gateway\n"
			    "[Resource]\n"
			    "Name = gitlab\n"
			    "ID = " ID1 "\n"
			    "Type = dns\n"
			    "Address = GitLab.Company.test\n"
			    "Filters = tcp/80, tcp/443, udp/5000-5010, icmp\n"
			    "\n"
			    "[Resource]\n"
			    "name = net\n"
			    "type = cidr\n"
			    "address = 10.0.0.0/24\n"
			    "id = " ID2 "\n"
			    "filters =\n"
			    "[Client]\n"
			    "PublicKey = " K1 "\n"
			    "PresharedKey = " K2 "\n"
			    "TunnelIPs = 100.64.0.2, fd00:2021:1111::2\n"
			    "Authorize = gitlab until 2026-11-22T10:00:00Z\n"
			    "Authorize = " ID2 " for 60\n"
			    "[Client]\n"
			    "PublicKey = " K2 "\n"
			    "TunnelIPs = 100.64.0.3\n"
			    "Authorize = later\n"
			    "[Resource]\n"
			    "Name = later\n"
			    "ID = 11111111-2222-3333-4444-555555555555\n"
			    "Type = ip\n"
			    "Address = fd00::5\n";

START_TEST(test_valid)
{
	struct proto_auth a;
	char err[256];
	const struct proto_auth_resource *r;
	const struct proto_auth_client *c;
	uint8_t key[FZ_KEY_LEN];

	ck_assert_int_eq(fz_keys_init(), 0);
	ck_assert_int_eq(parse(valid, &a, err), 0);
	ck_assert_str_eq(err, "");
	ck_assert_uint_eq(a.n_resources, 3);
	ck_assert_uint_eq(a.n_clients, 2);
	r = &a.resources[0];
	ck_assert_str_eq(r->name, "gitlab");
	ck_assert_int_eq(r->type, PROTO_AUTH_RES_DNS);
	ck_assert_str_eq(r->domain, "gitlab.company.test");
	ck_assert_uint_eq(r->n_filters, 4);
	ck_assert_uint_eq(r->filters[2].proto, FZ_FILTER_UDP);
	ck_assert_uint_eq(r->filters[2].port_start, 5000);
	ck_assert_uint_eq(r->filters[2].port_end, 5010);
	ck_assert_uint_eq(r->filters[3].proto, FZ_FILTER_ICMP);
	ck_assert_uint_eq(r->id[0], 0x0b);
	ck_assert_uint_eq(r->id[15], 0x11);
	r = &a.resources[1];
	ck_assert_int_eq(r->type, PROTO_AUTH_RES_CIDR);
	ck_assert_uint_eq(r->cidr.cidr, 24);
	ck_assert_uint_eq(r->n_filters, 0);
	ck_assert_uint_eq(a.resources[2].cidr.family, AF_INET6);
	ck_assert_uint_eq(a.resources[2].cidr.cidr, 128);
	c = &a.clients[0];
	ck_assert(c->has_preshared_key);
	ck_assert_uint_eq(c->n_tunnel_ips, 2);
	ck_assert_uint_eq(c->n_grants, 2);
	ck_assert_uint_eq(c->grants[0].resource, 0);
	ck_assert_uint_eq(c->grants[0].expires_ns,
			  1795341600ULL * 1000000000ULL);
	ck_assert_uint_eq(c->grants[1].resource, 1);
	ck_assert_uint_eq(c->grants[1].expires_ns, NOW + 60ULL * 1000000000ULL);
	ck_assert_uint_eq(a.clients[1].grants[0].resource, 2);
	ck_assert_uint_eq(a.clients[1].grants[0].line, 24);
	ck_assert_ptr_eq(proto_auth_find_resource(&a, "net"), &a.resources[1]);
	ck_assert_ptr_eq(proto_auth_find_resource(&a, ID2), &a.resources[1]);
	ck_assert_ptr_null(proto_auth_find_resource(&a, "nope"));
	ck_assert_int_eq(fz_key_from_base64(key, K2, strlen(K2)), 0);
	ck_assert_ptr_eq(proto_auth_find_client(&a, key), &a.clients[1]);
	proto_auth_free(&a);
}
END_TEST

#define RES "[Resource]\nName = r\nID = " ID1 "\nType = cidr\n"
#define CLI "[Client]\nPublicKey = " K1 "\nTunnelIPs = 100.64.0.2\n"

/*
 * 2,000 clients, written in an order unrelated to their keys: each is
 * found by its key at its own position, and a key no client has is not.
 */
START_TEST(test_many_clients)
{
	enum { N = 2000 };
	size_t cap = (size_t)N * 120, len = 0;
	char *text = malloc(cap), b64[FZ_KEY_B64_LEN + 1];
	uint8_t key[FZ_KEY_LEN];
	struct proto_auth a;
	char err[256];

	ck_assert_ptr_nonnull(text);
	for (unsigned int i = 0; i < N; i++) {
		memset(key, 0, sizeof(key));
		key[0] = (uint8_t)(i * 7919 % 251);
		key[1] = (uint8_t)(i >> 8);
		key[2] = (uint8_t)i;
		key[3] = 0x5a; /* never a point of small order */
		fz_key_to_base64(b64, key);
		len += (size_t)snprintf(text + len, cap - len,
					"[Client]\nPublicKey = %s\n"
					"TunnelIPs = 100.64.%u.%u\n",
					b64, i / 200 + 1, i % 200 + 1);
	}
	ck_assert_int_eq(parse(text, &a, err), 0);
	ck_assert_uint_eq(a.n_clients, N);
	for (unsigned int i = 0; i < N; i++) {
		memset(key, 0, sizeof(key));
		key[0] = (uint8_t)(i * 7919 % 251);
		key[1] = (uint8_t)(i >> 8);
		key[2] = (uint8_t)i;
		key[3] = 0x5a; /* never a point of small order */
		ck_assert_ptr_eq(proto_auth_find_client(&a, key),
				 &a.clients[i]);
	}
	key[3] = 1;
	ck_assert_ptr_null(proto_auth_find_client(&a, key));
	proto_auth_free(&a);
	ck_assert_ptr_null(proto_auth_find_client(&a, key));
	free(text);
}
END_TEST

/* 64 MiB is the bound (about 600,000 clients): one byte more is refused. */
START_TEST(test_file_too_large)
{
	size_t size = (size_t)64 * 1024 * 1024 + 1;
	char *text = malloc(size + 1);
	struct proto_auth a;
	char err[256];

	ck_assert_ptr_nonnull(text);
	for (size_t i = 0; i < size; i++)
		text[i] = i % 64 == 63 ? '\n' : '#';
	text[size] = '\0';
	ck_assert_int_ne(parse(text, &a, err), 0);
	ck_assert_msg(strstr(err, ": larger than 64 MiB"), "%s", err);
	free(text);
}
END_TEST

START_TEST(test_errors)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "Name = x\n", ":1: key 'Name' outside a section" },
		{ "[Peer]\n", ":1: unknown section '[Peer]'" },
		{ "[Resource\n", ":1: malformed section header" },
		{ "[Resource]\nfoo\n", ":2: expected 'Key = Value'" },
		{ "[Resource]\nColour = red\n", ":2: unknown key 'Colour'" },
		{ "[Resource]\nPublicKey = " K1 "\n",
		  ":2: PublicKey belongs in [Client], not in [Resource]" },
		{ RES "Address = 10.0.0.0/24\nName = s\n",
		  ":6: Name given twice" },
		{ "[Resource]\nName = a b\n", ":2: invalid Name 'a b'" },
		{ "[Resource]\nName = all\n", ":2: invalid Name 'all'" },
		{ "[Resource]\nName = " ID1 "\n", "must not be a UUID" },
		{ "[Resource]\nID = 1234\n", ":2: invalid ID '1234'" },
		{ "[Resource]\nID = 0b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c1g\n",
		  ":2: invalid ID" },
		{ "[Resource]\nType = web\n", ":2: invalid Type 'web'" },
		{ RES "Address = 10.0.0.1/24\n",
		  ":5: invalid Address '10.0.0.1/24': host bits are set" },
		{ RES "Address = 10.0.0.0/33\n", ":5: invalid Address" },
		{ RES "Address = example.com\n", ":5: invalid Address" },
		{ "[Resource]\nName = r\nID = " ID1 "\nType = ip\n"
		  "Address = 10.0.0.0/24\n",
		  ":5: invalid Address '10.0.0.0/24': Type ip is one address" },
		{ "[Resource]\nName = r\nID = " ID1 "\nType = dns\n"
		  "Address = a..b\n",
		  ":5: invalid Address 'a..b'" },
		{ "[Resource]\nName = r\nID = " ID1 "\nType = dns\n"
		  "Address = *.*.b\n",
		  ":5: invalid Address" },
		{ RES "Address = 10.0.0.0/8\nFilters = tcp/0\n",
		  ":6: invalid filter 'tcp/0'" },
		{ RES "Address = 10.0.0.0/8\nFilters = tcp/65536\n",
		  ":6: invalid filter" },
		{ RES "Address = 10.0.0.0/8\nFilters = udp/90-80\n",
		  ":6: invalid filter 'udp/90-80'" },
		{ RES "Address = 10.0.0.0/8\nFilters = icmp/1\n",
		  "icmp has no ports" },
		{ RES "Address = 10.0.0.0/8\nFilters = sctp/1\n",
		  "unknown protocol" },
		{ RES "Address = 10.0.0.0/8\nFilters = tcp/1,,tcp/2\n",
		  ":6: invalid Filters: empty entry" },
		{ RES "Address = 10.0.0.0/8\nFilters = tcp/1,tcp/2,tcp/3,tcp/4,"
		      "tcp/5,tcp/6,tcp/7,tcp/8,tcp/9,tcp/10,tcp/11,tcp/12,tcp/"
		      "13,tcp/14,tcp/15,tcp/16,tcp/17\n",
		  ":6: too many Filters" },
		{ "[Resource]\nName = r\nID = " ID1 "\nType = cidr\n[Client]\n",
		  ":1: Address missing in [Resource] starting at line 1" },
		{ "[Resource]\nName = r\n", ":1: ID missing" },
		{ RES "Address = 10.0.0.0/8\n[Resource]\nName = r\n",
		  ":7: duplicate resource Name 'r' (first at line 1)" },
		{ RES "Address = 10.0.0.0/8\n[Resource]\nID = " ID1 "\n",
		  ":7: duplicate resource ID" },
		{ "[Client]\nPublicKey = abc\n",
		  ":2: invalid PublicKey 'abc'" },
		/* 1: a point of small order, refused before any DH. */
		{ "[Client]\nPublicKey = "
		  "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
		  ":2: invalid PublicKey 'AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=': "
		  "a point of small order" },
		{ "[Client]\nPresharedKey = secret\n",
		  ":2: invalid PresharedKey: not" },
		{ "[Client]\nTunnelIPs = 10.0.0.1\n",
		  ":2: invalid TunnelIPs '10.0.0.1': not in 100.64.0.0/11" },
		{ "[Client]\nTunnelIPs = 100.64.0.1/24\n", "not a range" },
		{ "[Client]\nTunnelIPs = 100.64.0.1, 100.64.0.2\n",
		  "more than one IPv4" },
		{ "[Client]\nTunnelIPs = fd00:2021:1111:8000::1\n",
		  "not in 100.64.0.0/11" },
		{ "[Client]\nPublicKey = " K1 "\n", ":1: TunnelIPs missing" },
		{ "[Client]\nTunnelIPs = 100.64.0.2\n",
		  ":1: PublicKey missing" },
		{ CLI CLI, ":5: duplicate client" },
		{ CLI "[Client]\nPublicKey = " K2 "\nTunnelIPs = 100.64.0.2\n",
		  ":6: TunnelIPs '100.64.0.2' belongs to the client at line 1" },
		/* Checked after reading, told in file order. */
		{ CLI "[Client]\nPublicKey = " K2
		      "\nTunnelIPs = 100.64.0.2\n" CLI,
		  ":6: TunnelIPs '100.64.0.2' belongs to the client at line 1" },
		{ CLI "[Client]\nPublicKey = " K1 "\nTunnelIPs = 100.64.0.3\n"
		      "[Client]\nPublicKey = " K2 "\nTunnelIPs = 100.64.0.2\n",
		  ":5: duplicate client '" K1 "' (first at line 1)" },
		{ CLI "Authorize = nope\n",
		  ":4: Authorize: no [Resource] with Name or ID 'nope'" },
		{ CLI "Authorize = r until\n",
		  ":4: invalid Authorize: expected" },
		{ CLI "Authorize = r when 5\n", ":4: invalid Authorize" },
		{ CLI "Authorize = r for 0\n", "'for' needs whole seconds" },
		{ CLI "Authorize = r until 2026-02-30T00:00:00Z\n",
		  "'until' needs an RFC 3339" },
		{ RES "Address = 10.0.0.0/8\n" CLI
		      "Authorize = r\nAuthorize = " ID1 "\n",
		  ":10: Authorize: resource 'r' already authorized at line 9" },
		{ "[Client]\nTunnelIPs = \n",
		  ":2: missing value for TunnelIPs" },
	};
	struct proto_auth a;
	char err[256];

	ck_assert_int_eq(fz_keys_init(), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		ck_assert_msg(parse(cases[i].text, &a, err) == -EINVAL,
			      "case %zu parsed", i);
		ck_assert_msg(strstr(err, cases[i].want),
			      "case %zu: got '%s', want '%s'", i, err,
			      cases[i].want);
		ck_assert_ptr_eq(strstr(err, path), err);
		ck_assert_uint_eq(a.n_clients + a.n_resources, 0);
	}
}
END_TEST

START_TEST(test_secret_mode)
{
	struct proto_auth a;
	char err[256];

	ck_assert_int_eq(fz_keys_init(), 0);
	write_auth("[Client]\nPublicKey = " K1 "\nPresharedKey = " K2
		   "\nTunnelIPs = 100.64.0.2\n",
		   0644);
	ck_assert_int_eq(proto_auth_parse_file(path, NOW, &a, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "chmod 600"));
	ck_assert_ptr_null(strstr(err, K2));
	unlink(path);
	ck_assert_int_ne(proto_auth_parse_file("/nonexistent/x", NOW, &a, err,
					       sizeof(err)),
			 0);
	ck_assert_ptr_nonnull(strstr(err, "cannot read"));
}
END_TEST

/* Finding 15: no expiry may wrap around 64 bits into the past. */
START_TEST(test_expiry_range)
{
	struct proto_auth a;
	char err[256];
	uint64_t t = 7;

	/* 2^64 ns is 18446744073.7 s: this one used to wrap to the past. */
	ck_assert_int_eq(fz_expiry_parse("+18446744073", NOW, &t), -ERANGE);
	ck_assert_uint_eq(t, 7);
	ck_assert_int_eq(fz_expiry_parse("+429496729500", NOW, &t), -ERANGE);
	ck_assert_int_eq(fz_expiry_parse("+99999999999999999999999999", NOW,
					 &t),
			 -ERANGE);
	ck_assert_int_eq(fz_expiry_parse("9999-12-31T23:59:59Z", NOW, &t),
			 -ERANGE);
	ck_assert_int_eq(fz_expiry_parse("2600-01-01T00:00:00Z", NOW, &t),
			 -ERANGE);
	ck_assert_int_eq(fz_expiry_parse("2262-04-11T23:47:17Z", NOW, &t),
			 -ERANGE);
	ck_assert_int_eq(fz_expiry_parse("2262-04-11T23:47:16Z", NOW, &t), 0);
	ck_assert_uint_eq(t, 9223372036000000000ULL);
	ck_assert_uint_le(t, FZ_EXPIRY_MAX_NS);
	/* The most "+SECONDS" may be, from NOW, and one more. */
	ck_assert_int_eq(fz_expiry_parse("+7523372036", NOW, &t), 0);
	ck_assert_uint_le(t, FZ_EXPIRY_MAX_NS);
	ck_assert_uint_gt(t, NOW);
	ck_assert_int_eq(fz_expiry_parse("+7523372037", NOW, &t), -ERANGE);
	ck_assert_int_eq(fz_expiry_parse("+0", NOW, &t), -EINVAL);
	ck_assert_int_eq(fz_expiry_parse("+12x", NOW, &t), -EINVAL);
	/* In the file: a clear error with its line. */
	ck_assert_int_eq(parse("[Resource]\nName = r\nID = " ID1
			       "\nType = ip\nAddress = 10.0.0.1\n"
			       "[Client]\nPublicKey = " K1
			       "\nTunnelIPs = 100.64.0.2\n"
			       "Authorize = r for 18446744073\n",
			       &a, err),
			 -EINVAL);
	ck_assert_msg(strstr(err, ":9: invalid Authorize: '18446744073' is "
				  "too far in the future"),
		      "%s", err);
	ck_assert_int_eq(parse("[Resource]\nName = r\nID = " ID1
			       "\nType = ip\nAddress = 10.0.0.1\n"
			       "[Client]\nPublicKey = " K1
			       "\nTunnelIPs = 100.64.0.2\n"
			       "Authorize = r until 9999-01-01T00:00:00Z\n",
			       &a, err),
			 -EINVAL);
	ck_assert_msg(strstr(err, "too far in the future"), "%s", err);
}
END_TEST

/* Finding 15: whoever may write the file may authorize anything. */
START_TEST(test_file_mode)
{
	static const char text[] = "[Client]\nPublicKey = " K1
				   "\nTunnelIPs = 100.64.0.2\n";
	struct proto_auth a;
	char err[256];

	ck_assert_int_eq(fz_keys_init(), 0);
	write_auth(text, 0666);
	ck_assert_int_eq(proto_auth_parse_file(path, NOW, &a, err, sizeof(err)),
			 -EINVAL);
	ck_assert_msg(strstr(err, "writable by others") &&
			      strstr(err, "chmod go-w"),
		      "%s", err);
	chmod(path, 0620);
	ck_assert_int_eq(proto_auth_parse_file(path, NOW, &a, err, sizeof(err)),
			 -EINVAL);
	ck_assert_msg(strstr(err, "writable by its group"), "%s", err);
	/* Readable by all is fine without a preshared key. */
	chmod(path, 0644);
	ck_assert_int_eq(proto_auth_parse_file(path, NOW, &a, err, sizeof(err)),
			 0);
	proto_auth_free(&a);
	if (geteuid() == 0) {
		ck_assert_int_eq(chown(path, 65534, 65534), 0);
		ck_assert_int_eq(proto_auth_parse_file(path, NOW, &a, err,
						       sizeof(err)),
				 -EINVAL);
		ck_assert_msg(strstr(err, "owned by uid 65534, not by root"),
			      "%s", err);
	}
	unlink(path);

	ck_assert(fz_domain_matches("a.b", "A.B"));
	ck_assert(!fz_domain_matches("a.b", "x.a.b"));
	ck_assert(fz_domain_matches("*.b.c", "a.b.c"));
	ck_assert(!fz_domain_matches("*.b.c", "x.a.b.c"));
	ck_assert(!fz_domain_matches("*.b.c", "b.c"));
	ck_assert(!fz_domain_matches("*.b.c", "ab.c"));
	ck_assert(fz_domain_matches("**.b.c", "x.a.b.c"));
	ck_assert(fz_domain_matches("**.b.c", "a.b.c"));
	ck_assert(!fz_domain_matches("**.b.c", "b.c"));
	ck_assert(!fz_domain_matches("**.b.c", "xb.c"));
	ck_assert(fz_domain_valid("a-b.c_d"));
	ck_assert(!fz_domain_valid("a b"));
	ck_assert(!fz_domain_valid(".a"));
	ck_assert(!fz_domain_valid("a."));
}
END_TEST

START_TEST(test_cli_args)
{
	char a0[] = "authorize", ifn[] = "fz0", key[] = K1, res[] = "gitlab",
	     ex[] = "expires", plus[] = "+60", past[] = "2001-01-01T00:00:00Z",
	     bad[] = "x y", all[] = "all", never[] = "never";
	char *ok[] = { a0, ifn, key, res, ex, plus };
	char *old[] = { a0, ifn, key, res, ex, past };
	char *badres[] = { a0, ifn, key, bad };
	char *nokey[] = { a0, ifn, res, res };
	char *rv[] = { a0, ifn, key, all };
	char *nev[] = { a0, ifn, key, res, ex, never };
	struct cmd_authorize_args a;
	char err[256];

	ck_assert_int_eq(fz_keys_init(), 0);
	ck_assert_int_eq(cmd_authorize_parse_args(6, ok, NOW, &a, err, 256), 0);
	ck_assert_uint_eq(a.expires_ns, NOW + 60000000000ULL);
	ck_assert_str_eq(a.resource, "gitlab");
	ck_assert_int_eq(cmd_authorize_parse_args(4, ok, NOW, &a, err, 256), 0);
	ck_assert_uint_eq(a.expires_ns, 0);
	ck_assert_int_eq(cmd_authorize_parse_args(6, nev, NOW, &a, err, 256),
			 0);
	ck_assert_int_eq(cmd_authorize_parse_args(6, old, NOW, &a, err, 256),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "in the past"));
	ck_assert_int_eq(cmd_authorize_parse_args(5, ok, NOW, &a, err, 256),
			 -EINVAL);
	ck_assert_str_eq(err, "expires needs TIME");
	ck_assert_int_eq(cmd_authorize_parse_args(3, ok, NOW, &a, err, 256),
			 -EINVAL);
	ck_assert_int_eq(cmd_authorize_parse_args(4, badres, NOW, &a, err, 256),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "not a resource Name or ID"));
	ck_assert_int_eq(cmd_authorize_parse_args(4, nokey, NOW, &a, err, 256),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "is not a public key"));
	ck_assert_int_eq(cmd_revoke_parse_args(4, rv, &a, err, 256), 0);
	ck_assert_str_eq(a.resource, "all");
	ck_assert_int_eq(cmd_revoke_parse_args(5, ok, &a, err, 256), -EINVAL);
}
END_TEST

Suite *gw_auth_suite(void)
{
	Suite *s = suite_create("gw_auth");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_valid);
	tcase_add_test(tc, test_many_clients);
	tcase_add_test(tc, test_file_too_large);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_secret_mode);
	tcase_add_test(tc, test_expiry_range);
	tcase_add_test(tc, test_file_mode);
	tcase_add_test(tc, test_cli_args);
	suite_add_tcase(s, tc);
	return s;
}
