// SPDX-License-Identifier: GPL-2.0
/*
 * fz-clientsim: the client role's logic (client/resources.c, the DNS
 * stub, mapped IPs) on the signal wing against a real portal, with
 * fz.ko played by standard output: every route, peer, control packet
 * and refusal the role would ask of the kernel is printed as a line,
 * and what the kernel would report (a held destination, a gateway's
 * control packet) is read from standard input. For host tests of the
 * client against `fzportal serve`, without fz.ko.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <uv.h>

#include "client/dnsstub.h"
#include "client/mapped.h"
#include "client/resources.h"
#include "lib/cidr.h"
#include "lib/keys.h"
#include "lib/sockaddr.h"
#include "lib/values.h"
#include "proto/p2p.h"
#include "proto/sig.h"
#include "signal/signal.h"

static const char usage[] =
	"NAME\n"
	"    fz-clientsim - the client role without fz.ko, for tests\n"
	"\n"
	"SYNOPSIS\n"
	"    FZ_TOKEN=TOKEN fz-clientsim --portal URL [--ca-file FILE]\n"
	"                   [--dns-listen ADDR:PORT [--dns-upstream ADDR:PORT]]\n"
	"\n"
	"DESCRIPTION\n"
	"    Joins URL as a client and runs the client role's state machine\n"
	"    (agent/client/resources.c) on the portal's messages. What it\n"
	"    would ask of fz.ko is printed, one line each:\n"
	"      route add|del CIDR\n"
	"      peer set KEY new|update AIP,AIP,...   (allowed IPs, replaced)\n"
	"      peer del KEY\n"
	"      control KEY assigned NAME N           (p2p AssignedIps, N IPs)\n"
	"      drop-held IP\n"
	"      request RESOURCE connected=ID,... failed=ID,...\n"
	"      dns upsert|remove RESOURCE [PATTERN]\n"
	"      # LOG LINE                            (the role's log)\n"
	"      # state S WHY, # disconnect REASON\n"
	"    Standard input plays fz.ko's events, one a line:\n"
	"      unknown IP                     EVT_UNKNOWN_DEST for IP\n"
	"      status KEY RESOURCE NAME active|inactive   a DomainStatus\n"
	"      goodbye KEY                    a gateway's Goodbye\n"
	"      tick                           the role's timer\n"
	"      show | show-json               `fzagent show`'s text\n"
	"    With --dns-listen the DNS stub answers there (UDP and TCP) and\n"
	"    forwards other names to --dns-upstream.\n"
	"\n"
	"EXIT STATUS\n"
	"    0 at the end of standard input or on SIGTERM, 1 when signed out\n"
	"    (disconnect, or the token refused), 2 on a usage error.\n";

struct sim {
	uv_loop_t *loop;
	struct signal *sig;
	struct client_mapped *mapped;
	struct client_res *res;
	struct client_dnsstub *stub;
	struct sockaddr_storage dns_listen, dns_up;
	bool has_dns, has_up, joined;
	uint8_t key[FZ_KEY_LEN];
	uv_pipe_t in;
	uv_signal_t sigterm;
	char line[512];
	size_t line_len;
	bool done;
	int status;
};

static void ip_text(const struct fz_cidr *c, char *out, size_t len, bool prefix)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	inet_ntop(c->family, c->addr, ip, sizeof(ip));
	if (prefix)
		snprintf(out, len, "%s/%u", ip, c->cidr);
	else
		snprintf(out, len, "%s", ip);
}

/* ---- struct client_res_ops: fz.ko's part printed */

static int op_route(void *ctx, const struct fz_cidr *c, bool add)
{
	char t[FZ_CIDR_TEXT_MAX];

	(void)ctx;
	ip_text(c, t, sizeof(t), true);
	printf("route %s %s\n", add ? "add" : "del", t);
	return 0;
}

static void print_ids(const char *what, const struct proto_sig_id *ids,
		      size_t n)
{
	printf(" %s=", what);
	for (size_t i = 0; i < n; i++)
		printf("%s%s", i ? "," : "", ids[i].s);
}

static int op_request(void *ctx,
		      const struct proto_sig_request_authorization *req)
{
	struct sim *s = ctx;
	struct proto_sig_msg m = { .kind = PROTO_SIG_REQUEST_AUTHORIZATION };

	if (!s->joined)
		return -ENOTCONN;
	printf("request %s", req->resource_id.s);
	print_ids("connected", req->connected_gateway_ids,
		  req->n_connected_gateway_ids);
	print_ids("failed", req->failed_gateway_ids, req->n_failed_gateway_ids);
	printf("\n");
	m.request_authorization = *req;
	return signal_send(s->sig, &m);
}

static int op_set_peer(void *ctx, const struct client_res_gateway *g,
		       const struct fz_cidr *aips, size_t n, bool is_new)
{
	char b64[FZ_KEY_B64_LEN + 1], t[FZ_CIDR_TEXT_MAX];

	(void)ctx;
	fz_key_to_base64(b64, g->public_key);
	printf("peer set %s %s ", b64, is_new ? "new" : "update");
	for (size_t i = 0; i < n; i++) {
		ip_text(&aips[i], t, sizeof(t), true);
		printf("%s%s", i ? "," : "", t);
	}
	printf("\n");
	return 0;
}

static int op_del_peer(void *ctx, const uint8_t key[FZ_KEY_LEN])
{
	char b64[FZ_KEY_B64_LEN + 1];

	(void)ctx;
	fz_key_to_base64(b64, key);
	printf("peer del %s\n", b64);
	return 0;
}

static int op_send_control(void *ctx, const uint8_t key[FZ_KEY_LEN],
			   const uint8_t *pkt, size_t len)
{
	char b64[FZ_KEY_B64_LEN + 1];
	struct proto_p2p_msg m;

	(void)ctx;
	fz_key_to_base64(b64, key);
	if (proto_p2p_decode(pkt, len, &m) != PROTO_P2P_OK)
		printf("control %s malformed\n", b64);
	else
		printf("control %s assigned %s %zu\n", b64, m.domain,
		       m.n_proxy_ips);
	return 0;
}

static void op_drop_held(void *ctx, const struct fz_cidr *dst)
{
	char t[FZ_CIDR_TEXT_MAX];

	(void)ctx;
	ip_text(dst, t, sizeof(t), false);
	printf("drop-held %s\n", t);
}

static int op_dns_upsert(void *ctx, const uint8_t id[FZ_RESOURCE_ID_LEN],
			 const char *pattern)
{
	struct sim *s = ctx;
	struct client_dns_resource r;
	char uuid[37];

	fz_uuid_format(uuid, id);
	printf("dns upsert %s %s\n", uuid, pattern);
	if (!s->stub)
		return 0;
	memcpy(r.id, id, FZ_RESOURCE_ID_LEN);
	snprintf(r.pattern, sizeof(r.pattern), "%s", pattern);
	return client_dnsstub_upsert_resource(s->stub, &r);
}

static void op_dns_remove(void *ctx, const uint8_t id[FZ_RESOURCE_ID_LEN])
{
	struct sim *s = ctx;
	char uuid[37];

	fz_uuid_format(uuid, id);
	printf("dns remove %s\n", uuid);
	if (s->stub)
		client_dnsstub_remove_resource(s->stub, id);
}

static uint64_t op_now(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void op_log(void *ctx, const char *line)
{
	(void)ctx;
	printf("# %s\n", line);
}

static const struct client_res_ops res_ops = {
	.route = op_route,
	.request = op_request,
	.set_peer = op_set_peer,
	.del_peer = op_del_peer,
	.send_control = op_send_control,
	.drop_held = op_drop_held,
	.dns_upsert = op_dns_upsert,
	.dns_remove = op_dns_remove,
	.now_ns = op_now,
	.log = op_log,
};

/* ---- the DNS stub */

static void stub_query(void *ctx, const char *name,
		       const uint8_t id[FZ_RESOURCE_ID_LEN],
		       const struct client_mapped_entry *e)
{
	struct sim *s = ctx;

	client_res_name_asked(s->res, name, id, e);
}

static const struct client_dnsstub_ops stub_ops = {
	.resource_query = stub_query,
	.log = op_log,
};

static void start_stub(struct sim *s)
{
	struct client_dnsstub_config cfg = {
		.listen = &s->dns_listen,
		.n_listen = 1,
		.upstreams = &s->dns_up,
		.n_upstreams = s->has_up,
	};
	char err[256];

	if (!s->has_dns || s->stub)
		return;
	s->stub = client_dnsstub_new(s->loop, &cfg, s->mapped, &stub_ops, s,
				     err, sizeof(err));
	if (!s->stub)
		printf("# cannot start the DNS stub: %s\n", err);
}

/* ---- struct signal_ops */

static void finish(struct sim *s, int status);

static int sig_join(void *ctx, struct proto_sig_msg *out)
{
	struct sim *s = ctx;

	out->kind = PROTO_SIG_CLIENT_JOIN;
	memset(&out->client_join, 0, sizeof(out->client_join));
	memcpy(out->client_join.public_key, s->key, FZ_KEY_LEN);
	out->client_join.name = "fz-clientsim";
	out->client_join.version = "0.0.0";
	return 0;
}

static void sig_message(void *ctx, const struct proto_sig_msg *m)
{
	struct sim *s = ctx;

	switch (m->kind) {
	case PROTO_SIG_CLIENT_INIT:
		start_stub(s);
		client_res_init(s->res, &m->client_init);
		break;
	case PROTO_SIG_AUTHORIZATION_CREATED:
		client_res_authorized(s->res, &m->authorization_created);
		break;
	case PROTO_SIG_AUTHORIZATION_CREATION_FAILED:
		client_res_refused(s->res, &m->authorization_creation_failed);
		break;
	case PROTO_SIG_RESOURCE_CREATED_OR_UPDATED:
		client_res_upsert(s->res, &m->resource_created_or_updated);
		break;
	case PROTO_SIG_RESOURCE_DELETED:
		client_res_delete(s->res, &m->resource_deleted.id);
		break;
	case PROTO_SIG_DISCONNECT:
		printf("# disconnect %s\n",
		       m->disconnect.reason ? m->disconnect.reason : "");
		finish(s, 1);
		break;
	default:
		printf("# %s\n", proto_sig_event_name(m->kind));
	}
}

static void sig_state(void *ctx, enum signal_state st, const char *why)
{
	struct sim *s = ctx;

	s->joined = st == SIGNAL_JOINED;
	printf("# state %s %s\n", signal_state_name(st), why ? why : "");
	if (st == SIGNAL_REFUSED)
		finish(s, 1);
}

static void sig_log(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "fz-clientsim: %s\n", line);
}

static const struct signal_ops sig_ops = {
	.join = sig_join,
	.message = sig_message,
	.state = sig_state,
	.log = sig_log,
};

/* ---- standard input: fz.ko's events */

static int parse_ip(const char *text, struct fz_cidr *out)
{
	const char *why;

	if (!text || fz_cidr_parse(out, text, strlen(text), &why))
		return -EINVAL;
	return 0;
}

static void control(struct sim *s, const char *b64, const uint8_t *pkt, int len)
{
	uint8_t key[FZ_KEY_LEN];

	if (!b64 || fz_key_from_base64(key, b64, strlen(b64)) || len < 0) {
		printf("# bad command\n");
		return;
	}
	client_res_control(s->res, key, pkt, (size_t)len);
}

static void show(struct sim *s, bool json)
{
	static char out[65536];

	if (client_res_format(s->res, json, out, sizeof(out)) >= 0)
		fputs(out, stdout);
	printf("# end of show\n");
}

static void command(struct sim *s, char *line)
{
	char *save = NULL, *w = strtok_r(line, " ", &save);
	char *a = strtok_r(NULL, " ", &save), *b = strtok_r(NULL, " ", &save);
	char *c = strtok_r(NULL, " ", &save), *d = strtok_r(NULL, " ", &save);
	uint8_t pkt[FZ_MAX_CONTROL_PAYLOAD], id[FZ_RESOURCE_ID_LEN];
	struct fz_cidr ip;

	if (!w)
		return;
	if (!strcmp(w, "unknown") && !parse_ip(a, &ip)) {
		client_res_unknown_dest(s->res, &ip);
	} else if (!strcmp(w, "goodbye")) {
		control(s, a, pkt, proto_p2p_encode_goodbye(pkt, sizeof(pkt)));
	} else if (!strcmp(w, "status") && b && c && d &&
		   !fz_uuid_parse(b, id)) {
		control(s, a, pkt,
			proto_p2p_encode_domain_status(pkt, sizeof(pkt), id, c,
						       !strcmp(d, "active")));
	} else if (!strcmp(w, "tick")) {
		client_res_tick(s->res);
	} else if (!strcmp(w, "show") || !strcmp(w, "show-json")) {
		show(s, !strcmp(w, "show-json"));
	} else {
		printf("# bad command\n");
	}
}

static void alloc_cb(uv_handle_t *h, size_t want, uv_buf_t *buf)
{
	static char space[4096];

	(void)h;
	(void)want;
	*buf = uv_buf_init(space, sizeof(space));
}

static void read_cb(uv_stream_t *st, ssize_t n, const uv_buf_t *buf)
{
	struct sim *s = st->data;

	if (n < 0) {
		finish(s, 0);
		return;
	}
	for (ssize_t i = 0; i < n && !s->done; i++) {
		if (buf->base[i] != '\n') {
			if (s->line_len < sizeof(s->line) - 1)
				s->line[s->line_len++] = buf->base[i];
			continue;
		}
		s->line[s->line_len] = '\0';
		s->line_len = 0;
		command(s, s->line);
	}
}

/* ---- life */

static void finish(struct sim *s, int status)
{
	if (s->done)
		return;
	s->done = true;
	s->status = status;
	signal_close(s->sig);
	if (s->stub)
		client_dnsstub_close(s->stub);
	s->stub = NULL;
	uv_read_stop((uv_stream_t *)&s->in);
	uv_close((uv_handle_t *)&s->in, NULL);
	uv_close((uv_handle_t *)&s->sigterm, NULL);
}

static void on_sigterm(uv_signal_t *h, int signum)
{
	(void)signum;
	finish(h->data, 0);
}

static int parse_opts(int argc, char **argv, struct sim *s, const char **url,
		      const char **ca)
{
	static const struct option longopts[] = {
		{ "portal", required_argument, NULL, 'p' },
		{ "ca-file", required_argument, NULL, 'c' },
		{ "dns-listen", required_argument, NULL, 'l' },
		{ "dns-upstream", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *why;
	int o;

	while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (o == 'p')
			*url = optarg;
		else if (o == 'c')
			*ca = optarg;
		else if (o == 'l' &&
			 !fz_sockaddr_parse(optarg, 0, &s->dns_listen, &why))
			s->has_dns = true;
		else if (o == 'u' &&
			 !fz_sockaddr_parse(optarg, 53, &s->dns_up, &why))
			s->has_up = true;
		else if (o == 'h') {
			fputs(usage, stdout);
			exit(0);
		} else
			return -EINVAL;
	}
	return optind == argc && *url ? 0 : -EINVAL;
}

int main(int argc, char **argv)
{
	struct sim s = { .loop = uv_default_loop() };
	const char *url = NULL, *ca = NULL;
	char *env = getenv("FZ_TOKEN");
	struct signal_config cfg = { .role = PROTO_SIG_CLIENT };
	char err[256], *token;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (parse_opts(argc, argv, &s, &url, &ca) || sodium_init() < 0 ||
	    !env || !*env) {
		fprintf(stderr, "usage: FZ_TOKEN=TOKEN fz-clientsim --portal "
				"URL [OPTION...]; see --help\n");
		return 2;
	}
	token = sodium_malloc(strlen(env) + 1);
	if (!token)
		return 2;
	strcpy(token, env);
	sodium_memzero(env, strlen(env));
	unsetenv("FZ_TOKEN");
	randombytes_buf(s.key, sizeof(s.key));
	cfg.url = url;
	cfg.ca_file = ca;
	s.mapped = client_mapped_new(0, op_log, &s);
	s.res = s.mapped ? client_res_new(&res_ops, &s, s.mapped) : NULL;
	s.sig = s.res ? signal_new(s.loop, &cfg, token, &sig_ops, &s, err,
				   sizeof(err)) :
			NULL;
	sodium_free(token);
	if (!s.sig) {
		fprintf(stderr, "fz-clientsim: cannot start\n");
		return 2;
	}
	uv_pipe_init(s.loop, &s.in, 0);
	uv_pipe_open(&s.in, 0);
	s.in.data = &s;
	uv_read_start((uv_stream_t *)&s.in, alloc_cb, read_cb);
	uv_signal_init(s.loop, &s.sigterm);
	s.sigterm.data = &s;
	uv_signal_start(&s.sigterm, on_sigterm, SIGTERM);
	if (signal_start(s.sig))
		finish(&s, 2);
	uv_run(s.loop, UV_RUN_DEFAULT);
	uv_loop_close(s.loop);
	client_res_free(s.res);
	client_mapped_free(s.mapped);
	return s.status;
}
