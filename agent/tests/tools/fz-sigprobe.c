// SPDX-License-Identifier: GPL-2.0
/*
 * fz-sigprobe: the signal wing alone against a portal, for host tests.
 * It joins as a gateway or a client, prints each message from the
 * portal as one JSON line and each state change as a "# state" line,
 * and sends the messages it reads on stdin, one JSON frame a line.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <sodium.h>
#include <uv.h>

#include "lib/keys.h"
#include "proto/sig.h"
#include "signal/signal.h"

#define MAX_ENDPOINTS 16
#define LINE_MAX_BYTES (PROTO_SIG_MAX_MSG + 1)

static const char usage[] =
	"NAME\n"
	"    fz-sigprobe - join a portal as a gateway or a client, for tests\n"
	"\n"
	"SYNOPSIS\n"
	"    FZ_TOKEN=TOKEN fz-sigprobe --portal URL --role gateway|client\n"
	"                   [--ca-file FILE] [--public-key BASE64]\n"
	"                   [--listen-port N] [--endpoint IP:PORT]...\n"
	"                   [--name NAME] [--heartbeat-ms MS]\n"
	"    fz-sigprobe -h | --help\n"
	"\n"
	"DESCRIPTION\n"
	"    Runs the agent's signal wing (agent/signal/) on its own: one\n"
	"    WebSocket to URL/gateway/websocket or URL/client/websocket, the\n"
	"    token in its Authorization header, a phx_join built from the\n"
	"    options, heartbeats, and redials with backoff after a drop.\n"
	"\n"
	"    Standard output gets one line per event:\n"
	"\n"
	"    {\"topic\":...}      a message from the portal, as JSON (built\n"
	"                       again from the parsed message)\n"
	"    # state S WHY      the connection's state changed: S is\n"
	"                       connecting, joined, refused or closed\n"
	"    # sent EVENT       a line of standard input went out\n"
	"    # not sent: WHY    a line of standard input was refused\n"
	"\n"
	"    Each line of standard input is one frame to the portal, parsed\n"
	"    as the portal would parse it from this role (a client's\n"
	"    request_authorization, a gateway's authorization_created), so\n"
	"    only valid messages go out. The wing's log goes to standard\n"
	"    error.\n"
	"\n"
	"OPTIONS\n"
	"    --portal URL\n"
	"        The portal: https://HOST[:PORT][/PREFIX]; http only to a\n"
	"        loopback host.\n"
	"\n"
	"    --role gateway|client\n"
	"        Which WebSocket to open and which join to send.\n"
	"\n"
	"    --ca-file FILE\n"
	"        The CA certificates (PEM) the portal's certificate must\n"
	"        chain to; default: the system's store.\n"
	"\n"
	"    --public-key BASE64\n"
	"        The key the join names (32 bytes, base64); default: 32\n"
	"        random bytes (the portal never needs the private key).\n"
	"\n"
	"    --listen-port N, --endpoint IP:PORT\n"
	"        A gateway's WireGuard port (default 51820) and the\n"
	"        addresses clients reach it at (up to 16; default none).\n"
	"\n"
	"    --name NAME\n"
	"        The name the join gives (default fz-sigprobe).\n"
	"\n"
	"    --heartbeat-ms MS\n"
	"        The heartbeat interval (default 10000).\n"
	"\n"
	"ENVIRONMENT\n"
	"    FZ_TOKEN\n"
	"        The gateway or client token; required. It is wiped from\n"
	"        the environment once read, and never printed.\n"
	"\n"
	"EXIT STATUS\n"
	"    0 at the end of standard input or on SIGINT/SIGTERM, 1 when the\n"
	"    portal refused the token or the join, or sent disconnect; 2 on\n"
	"    a usage error.\n";

struct probe {
	uv_loop_t *loop;
	struct signal *sig;
	enum proto_sig_role role;
	struct proto_sig_msg join; /* parsed once, copied into each dial */
	uv_pipe_t in_pipe;
	uv_tty_t in_tty;
	uv_stream_t *in;
	uv_signal_t sigint, sigterm;
	char line[LINE_MAX_BYTES];
	size_t line_len;
	bool line_skip, done;
	int status;
};

struct opts {
	const char *portal, *role, *ca_file, *public_key, *name;
	const char *endpoints[MAX_ENDPOINTS];
	size_t n_endpoints;
	unsigned long listen_port, heartbeat_ms;
};

/* ---- the wing's callbacks */

static int on_join(void *ctx, struct proto_sig_msg *out)
{
	struct probe *p = ctx;

	*out = p->join;
	return 0;
}

static void on_message(void *ctx, const struct proto_sig_msg *m)
{
	struct proto_sig_error e;
	char *text;
	size_t len;

	(void)ctx;
	if (proto_sig_build(m, &text, &len, &e)) {
		printf("# unprintable %s: %s\n", proto_sig_event_name(m->kind),
		       e.message);
		return;
	}
	printf("%s\n", text);
	free(text);
}

static void finish(struct probe *p, int status);

static void on_state(void *ctx, enum signal_state st, const char *why)
{
	struct probe *p = ctx;

	printf("# state %s %s\n", signal_state_name(st), why);
	if (st == SIGNAL_REFUSED || st == SIGNAL_CLOSED)
		finish(p, 1);
}

static void on_log(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "fz-sigprobe: %s\n", line);
}

static const struct signal_ops ops = {
	.join = on_join,
	.message = on_message,
	.state = on_state,
	.log = on_log,
};

/* ---- the end: every handle closed, the loop runs out */

static void finish(struct probe *p, int status)
{
	if (p->done)
		return;
	p->done = true;
	p->status = status;
	signal_close(p->sig);
	uv_read_stop(p->in);
	uv_close((uv_handle_t *)p->in, NULL);
	uv_close((uv_handle_t *)&p->sigint, NULL);
	uv_close((uv_handle_t *)&p->sigterm, NULL);
}

static void on_signal(uv_signal_t *h, int signum)
{
	(void)signum;
	finish(h->data, 0);
}

/* ---- standard input: one frame a line */

static void send_line(struct probe *p, const char *line, size_t len)
{
	struct proto_sig_msg m;
	struct proto_sig_error e;
	int ret;

	if (!len)
		return;
	if (proto_sig_parse(PROTO_SIG_TO_PORTAL, p->role, line, len, &m, &e)) {
		printf("# not sent: %s (%s)\n", e.reason, e.message);
		return;
	}
	ret = signal_send(p->sig, &m);
	if (ret)
		printf("# not sent: %s\n", strerror(-ret));
	else
		printf("# sent %s\n", proto_sig_event_name(m.kind));
	proto_sig_free(&m);
}

static void take_input(struct probe *p, const char *buf, size_t n)
{
	for (size_t i = 0; i < n && !p->done; i++) {
		if (buf[i] == '\n') {
			if (p->line_skip)
				printf("# not sent: a line over %d bytes\n",
				       PROTO_SIG_MAX_MSG);
			else
				send_line(p, p->line, p->line_len);
			p->line_len = 0;
			p->line_skip = false;
		} else if (p->line_len < sizeof(p->line)) {
			p->line[p->line_len++] = buf[i];
		} else {
			p->line_skip = true;
		}
	}
}

static void alloc_cb(uv_handle_t *h, size_t want, uv_buf_t *buf)
{
	static char space[4096];

	(void)h;
	(void)want;
	*buf = uv_buf_init(space, sizeof(space));
}

static void read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct probe *p = s->data;

	if (n > 0)
		take_input(p, buf->base, (size_t)n);
	else if (n < 0)
		finish(p, 0); /* EOF, or standard input is gone */
}

static int open_input(struct probe *p)
{
	int ret;

	if (uv_guess_handle(0) == UV_TTY) {
		ret = uv_tty_init(p->loop, &p->in_tty, 0, 1);
		p->in = (uv_stream_t *)&p->in_tty;
	} else {
		ret = uv_pipe_init(p->loop, &p->in_pipe, 0);
		if (!ret)
			ret = uv_pipe_open(&p->in_pipe, 0);
		p->in = (uv_stream_t *)&p->in_pipe;
	}
	if (ret)
		return ret;
	p->in->data = p;
	return uv_read_start(p->in, alloc_cb, read_cb);
}

/* ---- options and the join */

static int join_text(const struct opts *o, enum proto_sig_role role,
		     char **text)
{
	uint8_t key[FZ_KEY_LEN];
	char b64[FZ_KEY_B64_LEN + 1];
	json_object *f = json_object_new_object();
	json_object *pl = json_object_new_object(), *eps;

	randombytes_buf(key, sizeof(key));
	fz_key_to_base64(b64, key);
	json_object_object_add(pl, "public_key",
			       json_object_new_string(o->public_key ?: b64));
	json_object_object_add(pl, "name", json_object_new_string(o->name));
	json_object_object_add(pl, "version", json_object_new_string("0.0.0"));
	if (role == PROTO_SIG_GATEWAY) {
		json_object_object_add(pl, "listen_port",
				       json_object_new_int64(o->listen_port));
		eps = json_object_new_array();
		for (size_t i = 0; i < o->n_endpoints; i++)
			json_object_array_add(
				eps, json_object_new_string(o->endpoints[i]));
		json_object_object_add(pl, "endpoints", eps);
	}
	json_object_object_add(
		f, "topic",
		json_object_new_string(role == PROTO_SIG_GATEWAY ? "gateway" :
								   "client"));
	json_object_object_add(f, "event", json_object_new_string("phx_join"));
	json_object_object_add(f, "payload", pl);
	json_object_object_add(f, "ref", json_object_new_string("0"));
	*text = strdup(
		json_object_to_json_string_ext(f, JSON_C_TO_STRING_PLAIN));
	json_object_put(f);
	return *text ? 0 : -ENOMEM;
}

static int make_join(struct probe *p, const struct opts *o)
{
	struct proto_sig_error e;
	char *text;
	int ret;

	if (join_text(o, p->role, &text))
		return -ENOMEM;
	ret = proto_sig_parse(PROTO_SIG_TO_PORTAL, p->role, text, strlen(text),
			      &p->join, &e);
	free(text);
	if (ret)
		fprintf(stderr, "fz-sigprobe: the join is not valid: %s\n",
			e.message);
	return ret;
}

static bool number(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return *s && !*end && !errno && *out <= max;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "portal", required_argument, NULL, 'p' },
		{ "role", required_argument, NULL, 'r' },
		{ "ca-file", required_argument, NULL, 'c' },
		{ "public-key", required_argument, NULL, 'k' },
		{ "listen-port", required_argument, NULL, 'l' },
		{ "endpoint", required_argument, NULL, 'e' },
		{ "name", required_argument, NULL, 'n' },
		{ "heartbeat-ms", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->portal = optarg;
			break;
		case 'r':
			o->role = optarg;
			break;
		case 'c':
			o->ca_file = optarg;
			break;
		case 'k':
			o->public_key = optarg;
			break;
		case 'n':
			o->name = optarg;
			break;
		case 'l':
			if (!number(optarg, 65535, &o->listen_port) ||
			    !o->listen_port)
				goto bad;
			break;
		case 'H':
			if (!number(optarg, SIGNAL_LIMIT_MS, &o->heartbeat_ms))
				goto bad;
			break;
		case 'e':
			if (o->n_endpoints == MAX_ENDPOINTS)
				goto bad;
			o->endpoints[o->n_endpoints++] = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			exit(0);
		default:
			goto bad;
		}
	}
	if (optind == argc && o->portal && o->role &&
	    (!strcmp(o->role, "gateway") || !strcmp(o->role, "client")))
		return 0;
bad:
	fprintf(stderr, "usage: FZ_TOKEN=TOKEN fz-sigprobe --portal URL "
			"--role gateway|client [OPTION...]; see --help\n");
	return -EINVAL;
}

/* The token leaves the environment as soon as it is read. */
static char *take_token(void)
{
	char *env = getenv("FZ_TOKEN"), *copy;

	if (!env || !*env)
		return NULL;
	copy = sodium_malloc(strlen(env) + 1);
	if (copy)
		strcpy(copy, env);
	sodium_memzero(env, strlen(env));
	unsetenv("FZ_TOKEN");
	return copy;
}

static int start(struct probe *p, const struct opts *o, const char *token)
{
	struct signal_config cfg = {
		.url = o->portal,
		.role = p->role,
		.ca_file = o->ca_file,
		.heartbeat_ms = (unsigned int)o->heartbeat_ms,
	};
	char err[256];

	p->sig = signal_new(p->loop, &cfg, token, &ops, p, err, sizeof(err));
	if (!p->sig) {
		fprintf(stderr, "fz-sigprobe: %s\n", err);
		return -EINVAL;
	}
	uv_signal_init(p->loop, &p->sigint);
	uv_signal_init(p->loop, &p->sigterm);
	p->sigint.data = p->sigterm.data = p;
	uv_signal_start(&p->sigint, on_signal, SIGINT);
	uv_signal_start(&p->sigterm, on_signal, SIGTERM);
	if (open_input(p)) {
		fprintf(stderr, "fz-sigprobe: cannot read standard input\n");
		finish(p, 2);
		return 0;
	}
	return signal_start(p->sig);
}

int main(int argc, char **argv)
{
	struct opts o = { .name = "fz-sigprobe", .listen_port = 51820 };
	struct probe p = { .loop = uv_default_loop() };
	char *token;
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (parse_opts(argc, argv, &o) || sodium_init() < 0)
		return 2;
	p.role = strcmp(o.role, "gateway") ? PROTO_SIG_CLIENT :
					     PROTO_SIG_GATEWAY;
	if (make_join(&p, &o))
		return 2;
	token = take_token();
	if (!token) {
		fprintf(stderr, "fz-sigprobe: no token in $FZ_TOKEN\n");
		proto_sig_free(&p.join);
		return 2;
	}
	ret = start(&p, &o, token);
	sodium_free(token);
	if (!ret)
		uv_run(p.loop, UV_RUN_DEFAULT);
	uv_loop_close(p.loop);
	proto_sig_free(&p.join);
	return ret ? 2 : p.status;
}
