// SPDX-License-Identifier: GPL-2.0
/*
 * fz-dnsstub: the client's DNS stub (client/dnsstub.h) alone on a loop,
 * for the host tests (selftests/host/client-dns.sh). Not installed.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "client/dnsstub.h"
#include "client/sysdns.h"
#include "lib/sockaddr.h"
#include "lib/values.h"

static const char usage[] =
	"NAME\n"
	"    fz-dnsstub - run the fz client's DNS stub alone (a test tool)\n"
	"\n"
	"SYNOPSIS\n"
	"    fz-dnsstub --listen ADDR:PORT... [--upstream ADDR[:PORT]]...\n"
	"               [--resource UUID=PATTERN]... [--ttl SECONDS]\n"
	"               [--try-ms MS] [--idle-ms MS] [--max-names N]\n"
	"               [--wildcard-names N]\n"
	"               [--dns-control none|resolv-conf]\n"
	"               [--resolv-conf PATH] [--state-file PATH]\n"
	"               [--nameserver IP]...\n"
	"    fz-dnsstub -h | --help\n"
	"\n"
	"DESCRIPTION\n"
	"    Listens on UDP and TCP at each --listen address (IPv6 as\n"
	"    [ADDR]:PORT) and answers as fzagent's client role does: A and\n"
	"    AAAA queries for a name that a --resource PATTERN matches\n"
	"    (\"host.x\", \"*.x\" for one more label, \"**.x\" for one or more)\n"
	"    get the name's 4 mapped IPv4 addresses (100.96.0.0/11) or 4\n"
	"    mapped IPv6 addresses (fd00:2021:1111:8000::/107), the same for\n"
	"    as long as the process runs; other types for such a name get\n"
	"    NOERROR with no records. Everything else is forwarded unchanged\n"
	"    to the --upstream resolvers (port 53 unless given), round robin,\n"
	"    --try-ms (2000) per try, each try from a fresh random port.\n"
	"\n"
	"    Only this host's programs are answered: a query that comes in\n"
	"    on any device but loopback (another host's, even to an address\n"
	"    of ours) gets nothing; over UDP it is counted (not_local) and\n"
	"    logged (the first ten, then at powers of two).\n"
	"\n"
	"    Bounds: 512 forwarded queries at once, 32 of them from one\n"
	"    asker's address and port (more get SERVFAIL); --max-names (65536)\n"
	"    names with mapped IPs in all, of which one wildcard resource makes\n"
	"    at most --wildcard-names (256) and all wildcards together three\n"
	"    quarters; a name past a bound is answered NOERROR with no records,\n"
	"    while a name that got addresses keeps them. The \"resource\" line\n"
	"    for a name is printed at most once a second.\n"
	"\n"
	"    Standard output, one line each:\n"
	"        ready LISTEN...                 once listening\n"
	"        resource NAME UUID A,A,A,A AAAA,AAAA,AAAA,AAAA\n"
	"                                        each resource name asked\n"
	"        log TEXT                        the stub's log\n"
	"        stats KEY=VALUE...              on SIGUSR1, `stats`, and exit\n"
	"\n"
	"    Commands on standard input (when it is a pipe or terminal):\n"
	"        resource UUID=PATTERN           add or replace a resource\n"
	"        remove UUID                     remove one\n"
	"        stats                           print the counters\n"
	"\n"
	"    With --dns-control resolv-conf, PATH (--resolv-conf, default\n"
	"    /etc/resolv.conf) is replaced by nameserver lines (--nameserver,\n"
	"    default the --listen addresses) once listening; the original is\n"
	"    saved to --state-file (default /var/lib/fz/resolv.conf.orig) and\n"
	"    put back on SIGTERM or SIGINT. A start that finds a state file\n"
	"    restores it first.\n"
	"\n"
	"EXIT STATUS\n"
	"    0 after SIGTERM or SIGINT, 1 on any error.\n";

#define MAX_RES 256

struct tool {
	uv_loop_t *loop;
	struct client_mapped *mapped;
	struct client_dnsstub *stub;
	struct client_sysdns_config sys;
	bool sys_applied;
	uv_signal_t sigterm, sigint, sigusr1;
	uv_pipe_t in;
	bool in_open;
	char line[512];
	size_t linelen;
};

static void print_addrs(const struct fz_cidr *a, size_t n)
{
	char ip[INET6_ADDRSTRLEN];

	for (size_t i = 0; i < n; i++) {
		inet_ntop(a[i].family, a[i].addr, ip, sizeof(ip));
		printf("%s%s", i ? "," : "", ip);
	}
}

static void on_resource(void *ctx, const char *name,
			const uint8_t id[FZ_RESOURCE_ID_LEN],
			const struct client_mapped_entry *e)
{
	char uuid[37];

	(void)ctx;
	fz_uuid_format(uuid, id);
	printf("resource %s %s ", name, uuid);
	print_addrs(e->v4, CLIENT_MAPPED_PER_FAMILY);
	printf(" ");
	print_addrs(e->v6, CLIENT_MAPPED_PER_FAMILY);
	printf("\n");
}

static void on_log(void *ctx, const char *line)
{
	(void)ctx;
	printf("log %s\n", line);
}

static const struct client_dnsstub_ops ops = {
	.resource_query = on_resource,
	.log = on_log,
};

static void print_stats(struct tool *t)
{
	struct client_dnsstub_stats st;

	client_dnsstub_stats(t->stub, &st);
	printf("stats udp=%" PRIu64 " tcp=%" PRIu64 " local=%" PRIu64
	       " forwarded=%" PRIu64 " answers=%" PRIu64 " timeouts=%" PRIu64
	       " servfail=%" PRIu64 " short=%" PRIu64 " oversized=%" PRIu64
	       " response=%" PRIu64 " formerr=%" PRIu64 " qdcount=%" PRIu64
	       " notimp=%" PRIu64 " pending_full=%" PRIu64 " stray=%" PRIu64
	       " tcp_accepted=%" PRIu64 " tcp_refused=%" PRIu64
	       " tcp_bad_length=%" PRIu64 " tcp_idle=%" PRIu64
	       " tcp_pipeline_full=%" PRIu64 " send_failed=%" PRIu64
	       " pool_exhausted=%" PRIu64 " source_full=%" PRIu64
	       " resource_full=%" PRIu64 " resource_limited=%" PRIu64
	       " pending=%u pending_max=%u tcp_conns=%u tcp_conns_max=%u"
	       " names=%zu not_local=%" PRIu64 "\n",
	       st.udp_queries, st.tcp_queries, st.local_answers, st.forwarded,
	       st.upstream_answers, st.upstream_timeouts, st.servfail,
	       st.refused[CLIENT_DNS_SHORT], st.refused[CLIENT_DNS_OVERSIZED],
	       st.refused[CLIENT_DNS_RESPONSE],
	       st.refused[CLIENT_DNS_MALFORMED], st.refused[CLIENT_DNS_QDCOUNT],
	       st.refused[CLIENT_DNS_OPCODE], st.pending_full,
	       st.upstream_stray, st.tcp_accepted, st.tcp_refused,
	       st.tcp_bad_length, st.tcp_idle_closed, st.tcp_pipeline_full,
	       st.send_failed, st.pool_exhausted, st.source_full,
	       st.resource_full, st.resource_query_limited, st.pending,
	       st.pending_max, st.tcp_conns, st.tcp_conns_max,
	       client_mapped_count(t->mapped), st.not_local);
}

/* "UUID=PATTERN" into r: 0 or -EINVAL. */
static int parse_resource(const char *text, struct client_dns_resource *r)
{
	const char *eq = strchr(text, '=');
	char uuid[37];

	memset(r, 0, sizeof(*r));
	if (!eq || eq - text != 36 || strlen(eq + 1) > FZ_DOMAIN_MAX)
		return -EINVAL;
	memcpy(uuid, text, 36);
	uuid[36] = '\0';
	if (fz_uuid_parse(uuid, r->id))
		return -EINVAL;
	strcpy(r->pattern, eq + 1);
	return 0;
}

static void command(struct tool *t, char *line)
{
	struct client_dns_resource r;
	uint8_t id[FZ_RESOURCE_ID_LEN];
	int ret = -EINVAL;

	if (!strncmp(line, "resource ", 9) && !parse_resource(line + 9, &r))
		ret = client_dnsstub_upsert_resource(t->stub, &r);
	else if (!strncmp(line, "remove ", 7) && !fz_uuid_parse(line + 7, id))
		ret = client_dnsstub_remove_resource(t->stub, id);
	else if (!strcmp(line, "stats"))
		ret = 0, print_stats(t);
	printf("%s %s\n", ret ? "error" : "done", line);
}

static void in_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct tool *t = h->data;

	(void)suggested;
	*buf = uv_buf_init(t->line + t->linelen,
			   (unsigned int)(sizeof(t->line) - 1 - t->linelen));
}

static void in_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf)
{
	struct tool *t = st->data;
	char *nl;

	(void)buf;
	if (nread < 0) {
		uv_close((uv_handle_t *)st, NULL);
		t->in_open = false;
		return;
	}
	t->linelen += (size_t)nread;
	t->line[t->linelen] = '\0';
	while ((nl = strchr(t->line, '\n'))) {
		*nl = '\0';
		command(t, t->line);
		t->linelen -= (size_t)(nl + 1 - t->line);
		memmove(t->line, nl + 1, t->linelen + 1);
	}
	if (t->linelen == sizeof(t->line) - 1)
		t->linelen = 0; /* a line too long: dropped */
}

static void stop(struct tool *t)
{
	char err[256];

	if (t->sys_applied && client_sysdns_revert(&t->sys, err, sizeof(err)))
		fprintf(stderr, "fz-dnsstub: %s\n", err);
	t->sys_applied = false;
	print_stats(t);
	client_dnsstub_close(t->stub);
	uv_close((uv_handle_t *)&t->sigterm, NULL);
	uv_close((uv_handle_t *)&t->sigint, NULL);
	uv_close((uv_handle_t *)&t->sigusr1, NULL);
	if (t->in_open)
		uv_close((uv_handle_t *)&t->in, NULL);
	t->in_open = false;
}

static void on_signal(uv_signal_t *h, int signum)
{
	struct tool *t = h->data;

	if (signum == SIGUSR1)
		print_stats(t);
	else
		stop(t);
}

static void watch(struct tool *t, uv_signal_t *h, int signum)
{
	uv_signal_init(t->loop, h);
	h->data = t;
	uv_signal_start(h, on_signal, signum);
}

static void open_stdin(struct tool *t)
{
	uv_handle_type type = uv_guess_handle(0);

	if (type != UV_NAMED_PIPE && type != UV_TTY)
		return;
	if (uv_pipe_init(t->loop, &t->in, 0))
		return;
	t->in.data = t;
	if (uv_pipe_open(&t->in, 0) ||
	    uv_read_start((uv_stream_t *)&t->in, in_alloc, in_read)) {
		uv_close((uv_handle_t *)&t->in, NULL);
		return;
	}
	t->in_open = true;
}

static int fail(const char *fmt, const char *arg)
{
	fprintf(stderr, "fz-dnsstub: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	return 1;
}

struct args {
	struct sockaddr_storage listen[CLIENT_DNS_MAX_LISTEN];
	struct sockaddr_storage up[CLIENT_DNS_MAX_UPSTREAMS];
	struct client_dns_resource res[MAX_RES];
	struct fz_cidr ns[CLIENT_SYSDNS_MAX_SERVERS];
	size_t n_listen, n_up, n_res, n_ns;
	struct client_dnsstub_config cfg;
	size_t max_names, wildcard_names;
};

static int number(const char *text, uint64_t max, uint64_t *out)
{
	return fz_parse_decimal(text, max, out) ? -EINVAL : 0;
}

static int parse_args(int argc, char **argv, struct args *a,
		      struct client_sysdns_config *sys)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "upstream", required_argument, NULL, 'u' },
		{ "resource", required_argument, NULL, 'r' },
		{ "ttl", required_argument, NULL, 't' },
		{ "try-ms", required_argument, NULL, 'T' },
		{ "idle-ms", required_argument, NULL, 'I' },
		{ "max-names", required_argument, NULL, 'm' },
		{ "wildcard-names", required_argument, NULL, 'w' },
		{ "dns-control", required_argument, NULL, 'd' },
		{ "resolv-conf", required_argument, NULL, 'R' },
		{ "state-file", required_argument, NULL, 'S' },
		{ "nameserver", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *why;
	uint64_t v;
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			if (a->n_listen == CLIENT_DNS_MAX_LISTEN ||
			    fz_sockaddr_parse(optarg, 0,
					      &a->listen[a->n_listen++], &why))
				return fail("bad or too many --listen: %s",
					    optarg);
			break;
		case 'u':
			if (a->n_up == CLIENT_DNS_MAX_UPSTREAMS ||
			    fz_sockaddr_parse(optarg, 53, &a->up[a->n_up++],
					      &why))
				return fail("bad or too many --upstream: %s",
					    optarg);
			break;
		case 'r':
			if (a->n_res == MAX_RES ||
			    parse_resource(optarg, &a->res[a->n_res++]))
				return fail("bad --resource (UUID=PATTERN): %s",
					    optarg);
			break;
		case 't':
			if (number(optarg, 86400, &v) || !v)
				return fail("bad --ttl: %s", optarg);
			a->cfg.ttl = (uint32_t)v;
			break;
		case 'T':
		case 'I':
			if (number(optarg, 600000, &v) || !v)
				return fail("bad milliseconds: %s", optarg);
			*(c == 'T' ? &a->cfg.try_ms : &a->cfg.tcp_idle_ms) =
				(unsigned int)v;
			break;
		case 'm':
			if (number(optarg, 1u << 20, &v) || !v)
				return fail("bad --max-names: %s", optarg);
			a->max_names = (size_t)v;
			break;
		case 'w':
			if (number(optarg, 1u << 20, &v) || !v)
				return fail("bad --wildcard-names: %s", optarg);
			a->wildcard_names = (size_t)v;
			break;
		case 'd':
			if (client_sysdns_mode_parse(optarg, &sys->mode) ||
			    sys->mode == CLIENT_SYSDNS_RESOLVED)
				return fail("bad --dns-control: %s", optarg);
			break;
		case 'R':
			sys->resolv_conf = optarg;
			break;
		case 'S':
			sys->state_file = optarg;
			break;
		case 'n':
			if (a->n_ns == CLIENT_SYSDNS_MAX_SERVERS ||
			    fz_cidr_parse(&a->ns[a->n_ns++], optarg,
					  strlen(optarg), &why))
				return fail("bad --nameserver: %s", optarg);
			break;
		case 'h':
			fputs(usage, stdout);
			exit(0);
		default:
			return 1;
		}
	}
	if (optind < argc)
		return fail("unexpected argument: %s", argv[optind]);
	if (!a->n_listen)
		return fail("%s", "--listen is required (see --help)");
	return 0;
}

/* The --listen addresses as nameservers when none were given. */
static void default_nameservers(struct args *a)
{
	for (size_t i = 0; !a->n_ns && i < a->n_listen; i++) {
		const struct sockaddr_storage *ss = &a->listen[i];
		struct fz_cidr *c = &a->ns[i];

		if (i == CLIENT_SYSDNS_MAX_SERVERS)
			break;
		memset(c, 0, sizeof(*c));
		c->family = ss->ss_family;
		if (ss->ss_family == AF_INET)
			memcpy(c->addr,
			       &((const struct sockaddr_in *)ss)->sin_addr, 4);
		else
			memcpy(c->addr,
			       &((const struct sockaddr_in6 *)ss)->sin6_addr,
			       16);
		c->cidr = ss->ss_family == AF_INET ? 32 : 128;
	}
	if (!a->n_ns)
		a->n_ns = a->n_listen < CLIENT_SYSDNS_MAX_SERVERS ?
				  a->n_listen :
				  CLIENT_SYSDNS_MAX_SERVERS;
}

int main(int argc, char **argv)
{
	static struct args a;
	static struct tool t;
	char err[512], text[FZ_SOCKADDR_TEXT_MAX];
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (parse_args(argc, argv, &a, &t.sys))
		return 1;
	default_nameservers(&a);
	t.sys.servers = a.ns;
	t.sys.n_servers = a.n_ns;
	/* A state file a killed run left is put back before anything else,
	 * even if listening fails below. */
	ret = client_sysdns_recover(&t.sys, err, sizeof(err));
	if (ret < 0)
		return fail("%s", err);
	if (ret > 0)
		printf("log restored %s, left by a run that did not stop\n",
		       t.sys.resolv_conf ? t.sys.resolv_conf :
					   CLIENT_SYSDNS_RESOLV_CONF_PATH);
	t.loop = uv_default_loop();
	t.mapped = client_mapped_new(a.max_names, on_log, NULL);
	if (!t.mapped)
		return fail("%s", "out of memory");
	client_mapped_set_wildcard_cap(t.mapped, a.wildcard_names);
	a.cfg.listen = a.listen;
	a.cfg.n_listen = a.n_listen;
	a.cfg.upstreams = a.up;
	a.cfg.n_upstreams = a.n_up;
	t.stub = client_dnsstub_new(t.loop, &a.cfg, t.mapped, &ops, &t, err,
				    sizeof(err));
	if (!t.stub) {
		uv_run(t.loop, UV_RUN_DEFAULT);
		client_mapped_free(t.mapped);
		return fail("%s", err);
	}
	if (client_dnsstub_set_resources(t.stub, a.res, a.n_res)) {
		fail("%s", "a --resource pattern is not a domain name");
		ret = 1;
		goto out;
	}
	ret = client_sysdns_apply(&t.sys, err, sizeof(err));
	if (ret) {
		fail("%s", err);
		ret = 1;
		goto out;
	}
	t.sys_applied = t.sys.mode != CLIENT_SYSDNS_NONE;
	watch(&t, &t.sigterm, SIGTERM);
	watch(&t, &t.sigint, SIGINT);
	watch(&t, &t.sigusr1, SIGUSR1);
	open_stdin(&t);
	printf("ready");
	for (size_t i = 0; i < a.n_listen; i++) {
		fz_sockaddr_format(text, &a.listen[i]);
		printf(" %s", text);
	}
	printf("\n");
	uv_run(t.loop, UV_RUN_DEFAULT);
	ret = 0;
	goto done;
out:
	client_dnsstub_close(t.stub);
	uv_run(t.loop, UV_RUN_DEFAULT);
done:
	uv_loop_close(t.loop);
	client_mapped_free(t.mapped);
	return ret;
}
