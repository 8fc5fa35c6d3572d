// SPDX-License-Identifier: GPL-2.0
/*
 * fzagent sign-in: the agent's side of a browser sign-in (portal/
 * SIGNIN.md, steps 1 and 6). It listens on 127.0.0.1 (RFC 8252), sends
 * the user to the portal, and keeps the token the browser brings back.
 * A command runs one sign-in at a time, so a blocking loop with poll()
 * and a deadline is all it needs.
 */
#define _GNU_SOURCE /* accept4 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "cmd.h"
#include "lib/portalurl.h"
#include "signin.h"
#include "lib/clock.h"
#include "lib/tokenfile.h"

#define DEFAULT_TIMEOUT_S 600
#define MAX_TIMEOUT_S 86400
/* One slow or silent connection must not hold the listener for long. */
#define CONN_TIMEOUT_MS 5000

static const char signin_usage[] =
	"NAME\n"
	"    fzagent sign-in - sign this client in to a portal with a browser\n"
	"\n"
	"SYNOPSIS\n"
	"    fzagent sign-in --portal URL --account SLUG [--token-file FILE]\n"
	"                    [--timeout SECONDS] [--no-browser]\n"
	"    fzagent sign-in -h | --help\n"
	"\n"
	"DESCRIPTION\n"
	"    Signs this client in to the account SLUG of the fz portal at\n"
	"    URL and keeps the client token the portal gives it in FILE.\n"
	"\n"
	"    The agent listens on 127.0.0.1, on a port the system picks, and\n"
	"    prints the portal's sign-in URL: URL/SLUG/sign_in with a random\n"
	"    state, the SHA-256 of a random nonce (32 bytes each; the nonce\n"
	"    itself never leaves the agent) and the address it listens on.\n"
	"    When a graphical session runs ($DISPLAY or $WAYLAND_DISPLAY) it\n"
	"    also opens the URL with xdg-open. The user signs in there, with\n"
	"    the account's identity provider or by email; the portal then\n"
	"    sends the browser back to the agent with the state and the\n"
	"    token's second half. The agent checks the state, writes the\n"
	"    nonce and that half together as the token (so the URL alone is\n"
	"    not enough to use it) and sends the browser on to\n"
	"    URL/SLUG/signed_in. Any other request to the port, or one with\n"
	"    another state, gets a 400 page and the agent keeps waiting.\n"
	"\n"
	"    The token is never printed. FILE is written atomically, mode\n"
	"    0600, its directory made (0700) if missing; an earlier token in\n"
	"    it is replaced. Without root, name a FILE this user may write.\n"
	"    The client tokens of a portal expire (7 days unless the account\n"
	"    says otherwise): then sign in again.\n"
	"\n"
	"OPTIONS\n"
	"    --portal URL\n"
	"        The portal, as https://portal.example.com (a path prefix is\n"
	"        kept). Plain http is accepted only to a loopback host\n"
	"        (localhost, 127.0.0.0/8, [::1]), for tests. Required.\n"
	"\n"
	"    --account SLUG\n"
	"        The account's short name, as in the portal's URLs: 1 to 63\n"
	"        lower-case letters, digits and '-'. Required.\n"
	"\n"
	"    --token-file FILE\n"
	"        Where to keep the token. Default: $FZ_TOKEN_FILE if set,\n"
	"        else " FZ_TOKEN_DEFAULT_FILE ".\n"
	"\n"
	"    --timeout SECONDS\n"
	"        How long to wait for the browser, 1 to 86400 (default 600).\n"
	"\n"
	"    --no-browser\n"
	"        Do not start a browser; only print the URL (to open it on\n"
	"        this host, or on another one with an SSH tunnel to the port).\n"
	"\n"
	"    -h, --help\n"
	"        Print this help to standard output and exit.\n"
	"\n"
	"ENVIRONMENT\n"
	"    FZ_TOKEN_FILE\n"
	"        The token file when --token-file is not given.\n"
	"\n"
	"EXAMPLES\n"
	"    fzagent sign-in --portal https://portal.example.com --account acme\n"
	"    FZ_TOKEN_FILE=~/.config/fz/token fzagent sign-in \\\n"
	"        --portal https://portal.example.com --account acme --no-browser\n"
	"\n"
	"EXIT STATUS\n"
	"    0 when the token is written; 1 on any error, or when no sign-in\n"
	"    came back before the timeout (then nothing was written).\n";

struct signin_opts {
	const char *portal, *account, *token_file, *timeout;
	bool no_browser;
	long timeout_s;
};

struct signin {
	const struct signin_opts *o;
	const char *path; /* the token file */
	char state[FZ_TOKEN_NONCE_LEN + 1], nonce[FZ_TOKEN_NONCE_LEN + 1];
	char nonce_hash[FZ_TOKEN_NONCE_LEN + 1]; /* what the URL carries */
	char *done_url; /* URL/SLUG/signed_in, curl_free() */
	int lfd;
	uint64_t deadline_ns;
};

static int parse_args(int argc, char *argv[], struct signin_opts *o)
{
	memset(o, 0, sizeof(*o));
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char **value = NULL;

		if (!strcmp(arg, "--portal"))
			value = &o->portal;
		else if (!strcmp(arg, "--account"))
			value = &o->account;
		else if (!strcmp(arg, "--token-file"))
			value = &o->token_file;
		else if (!strcmp(arg, "--timeout"))
			value = &o->timeout;
		else if (!strcmp(arg, "--no-browser"))
			o->no_browser = true;
		else
			return fz_cli_usage_error("sign-in", "%s '%s'",
						  arg[0] == '-' ?
							  "unknown option" :
							  "unexpected argument",
						  arg);
		if (value && ++i == argc)
			return fz_cli_usage_error("sign-in", "%s needs a value",
						  arg);
		if (value)
			*value = argv[i];
	}
	return 0;
}

static bool slug_valid(const char *s)
{
	size_t n = strlen(s);

	return n && n <= 63 && s[0] != '-' &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

static int check_args(struct signin_opts *o)
{
	char *end;

	if (!o->portal)
		return fz_cli_usage_error("sign-in",
					  "--portal URL is required");
	if (!o->account)
		return fz_cli_usage_error("sign-in",
					  "--account SLUG is required");
	if (!slug_valid(o->account))
		return fz_cli_usage_error(
			"sign-in",
			"'%s' is not an account slug (1 to 63 lower-case "
			"letters, digits and '-', not first)",
			o->account);
	o->timeout_s = DEFAULT_TIMEOUT_S;
	if (o->timeout) {
		errno = 0;
		o->timeout_s = strtol(o->timeout, &end, 10);
		if (errno || end == o->timeout || *end || o->timeout_s < 1 ||
		    o->timeout_s > MAX_TIMEOUT_S)
			return fz_cli_usage_error(
				"sign-in",
				"--timeout '%s' is not 1 to %d seconds",
				o->timeout, MAX_TIMEOUT_S);
	}
	return 0;
}

/* 127.0.0.1 on a port of the system's choice; the port in *port. */
static int listen_loopback(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 8) ||
	    getsockname(fd, (struct sockaddr *)&a, &alen)) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

/* 32 random bytes as 43 characters of unpadded base64url. */
static void random_b64(char out[FZ_TOKEN_NONCE_LEN + 1])
{
	uint8_t raw[32];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, FZ_TOKEN_NONCE_LEN + 1, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

/*
 * The nonce, and its SHA-256 for the URL: the portal binds the token to
 * the hash, and only this agent knows what hashes to it, so neither the
 * sign-in URL nor the way back (browser history, a shared profile, a
 * process list) holds enough to use the token.
 */
static void make_nonce(struct signin *s)
{
	uint8_t raw[32], hash[crypto_hash_sha256_BYTES];

	randombytes_buf(raw, sizeof(raw));
	crypto_hash_sha256(hash, raw, sizeof(raw));
	sodium_bin2base64(s->nonce, sizeof(s->nonce), raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_bin2base64(s->nonce_hash, sizeof(s->nonce_hash), hash,
			  sizeof(hash),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

/* URL/SLUG/sign_in?state&nonce&redirect_uri: malloc'd, or NULL with err. */
static char *signin_url(const struct signin *s, int port, char *err,
			size_t errlen)
{
	static const char *const names[] = { "state", "nonce", "redirect_uri" };
	const char *values[3];
	char suffix[80], redirect[64];
	char *text;
	CURLU *u;

	snprintf(suffix, sizeof(suffix), "/%s/sign_in", s->o->account);
	snprintf(redirect, sizeof(redirect), "http://127.0.0.1:%d/callback",
		 port);
	u = fz_portal_url(s->o->portal, suffix, err, errlen);
	if (!u)
		return NULL;
	values[0] = s->state;
	values[1] = s->nonce_hash;
	values[2] = redirect;
	text = fz_portal_url_query(u, names, values, 3);
	if (!text)
		snprintf(err, errlen, "out of memory");
	curl_url_cleanup(u);
	return text;
}

static char *signed_in_url(const struct signin_opts *o, char *err,
			   size_t errlen)
{
	char suffix[80];
	char *text;
	CURLU *u;

	snprintf(suffix, sizeof(suffix), "/%s/signed_in", o->account);
	u = fz_portal_url(o->portal, suffix, err, errlen);
	if (!u)
		return NULL;
	text = fz_portal_url_text(u);
	if (!text)
		snprintf(err, errlen, "out of memory");
	curl_url_cleanup(u);
	return text;
}

/*
 * xdg-open in a grandchild, so that nothing waits for the browser and no
 * zombie is left; its output would only clutter the terminal.
 */
static void open_browser(const char *url)
{
	pid_t pid;
	int null;

	if (!getenv("DISPLAY") && !getenv("WAYLAND_DISPLAY"))
		return;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return;
	if (!pid) {
		if (fork())
			_exit(0);
		null = open("/dev/null", O_RDWR);

		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		setsid();
		execlp("xdg-open", "xdg-open", url, (char *)NULL);
		_exit(127);
	}
	waitpid(pid, NULL, 0);
}

static int ms_until(uint64_t deadline_ns)
{
	uint64_t now = fz_clock_boot_ns();

	return now >= deadline_ns ? 0 :
				    (int)((deadline_ns - now) / 1000000 + 1);
}

static void send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

static void answer(int fd, int status, const char *location, const char *text)
{
	char buf[1024];
	int n = cmd_signin_answer(buf, sizeof(buf), status, location, text);

	if (n > 0)
		send_all(fd, buf, (size_t)n);
}

/*
 * Read one request, within CONN_TIMEOUT_MS and the overall deadline.
 * Returns what cmd_signin_parse_callback() returned, -ETIMEDOUT or
 * -ECONNRESET.
 */
static int read_request(struct signin *s, int fd,
			struct cmd_signin_callback *cb, const char **why)
{
	uint64_t conn_deadline =
		fz_clock_boot_ns() + CONN_TIMEOUT_MS * 1000000ULL;
	char buf[CMD_SIGNIN_REQUEST_MAX];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t len = 0;
	int ret;

	while ((ret = cmd_signin_parse_callback(buf, len, s->state,
						s->o->account, cb, why)) ==
	       -EAGAIN) {
		ssize_t n;
		int wait = ms_until(conn_deadline < s->deadline_ns ?
					    conn_deadline :
					    s->deadline_ns);

		if (!wait || poll(&p, 1, wait) <= 0) {
			ret = -ETIMEDOUT;
			break;
		}
		n = recv(fd, buf + len, sizeof(buf) - len, 0);
		if (n <= 0 && !(n < 0 && errno == EINTR)) {
			ret = -ECONNRESET;
			break;
		}
		if (n > 0)
			len += (size_t)n;
	}
	sodium_memzero(buf, sizeof(buf));
	return ret;
}

/* The token is nonce + fragment: the fragment alone is useless. */
static int keep_token(struct signin *s, const struct cmd_signin_callback *cb)
{
	char token[FZ_TOKEN_MAX_LEN + 1], err[512];
	int ret;

	memcpy(token, s->nonce, FZ_TOKEN_NONCE_LEN);
	memcpy(token + FZ_TOKEN_NONCE_LEN, cb->fragment,
	       FZ_TOKEN_PLAIN_LEN + 1);
	ret = fz_token_write(s->path, token, err, sizeof(err));
	sodium_memzero(token, sizeof(token));
	if (ret)
		fz_cli_error("sign-in", "%s", err);
	return ret;
}

/* One connection: 1 when signed in, 0 to keep waiting, -errno to stop. */
static int handle_conn(struct signin *s, int fd)
{
	struct cmd_signin_callback cb;
	const char *why = "";
	int ret;

	ret = read_request(s, fd, &cb, &why);
	if (ret == -ETIMEDOUT || ret == -ECONNRESET)
		return 0;
	if (ret) {
		answer(fd, 400, NULL, why);
		return 0;
	}
	ret = keep_token(s, &cb);
	if (ret) {
		answer(fd, 400, NULL,
		       "The agent could not save the token: see its terminal.");
	} else {
		answer(fd, 303, s->done_url, NULL);
		printf("signed in to %s%s%s (token in %s)\n", s->o->account,
		       cb.actor[0] ? " as " : "", cb.actor, s->path);
		fflush(stdout);
	}
	sodium_memzero(&cb, sizeof(cb));
	return ret ? -EIO : 1; /* keep_token() said why */
}

static int serve(struct signin *s)
{
	struct pollfd p = { .fd = s->lfd, .events = POLLIN };

	for (;;) {
		int wait = ms_until(s->deadline_ns), fd, ret;

		if (!wait)
			return -ETIMEDOUT;
		ret = poll(&p, 1, wait);
		if (ret < 0 && errno != EINTR)
			return -errno;
		if (ret <= 0)
			continue;
		fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		ret = handle_conn(s, fd);
		shutdown(fd, SHUT_WR);
		close(fd);
		if (ret)
			return ret < 0 ? ret : 0;
	}
}

static int run(struct signin *s)
{
	char err[512];
	char *url;
	int port = 0, ret;

	ret = fz_token_prepare_dir(s->path, err, sizeof(err));
	if (!ret) {
		s->done_url = signed_in_url(s->o, err, sizeof(err));
		ret = s->done_url ? 0 : -EINVAL;
	}
	if (ret) {
		fz_cli_error("sign-in", "%s", err);
		return FZ_CLI_EXIT_FAILURE;
	}
	s->lfd = listen_loopback(&port);
	if (s->lfd < 0) {
		fz_cli_error("sign-in", "cannot listen on 127.0.0.1: %s",
			     strerror(-s->lfd));
		return FZ_CLI_EXIT_FAILURE;
	}
	url = signin_url(s, port, err, sizeof(err));
	if (!url) {
		fz_cli_error("sign-in", "%s", err);
		return FZ_CLI_EXIT_FAILURE;
	}
	fprintf(stderr,
		"Open this URL in a browser to sign in to %s:\n\n    %s\n\n"
		"Waiting up to %ld seconds for the browser to come back to "
		"127.0.0.1:%d...\n",
		s->o->account, url, s->o->timeout_s, port);
	fflush(stderr);
	if (!s->o->no_browser)
		open_browser(url);
	sodium_memzero(url, strlen(url));
	free(url);
	s->deadline_ns =
		fz_clock_boot_ns() + (uint64_t)s->o->timeout_s * 1000000000ULL;
	ret = serve(s);
	if (ret == -ETIMEDOUT)
		fz_cli_error("sign-in",
			     "sign-in timed out: no sign-in came back within "
			     "%ld seconds; nothing was written",
			     s->o->timeout_s);
	else if (ret && ret != -EIO)
		fz_cli_error("sign-in", "%s", strerror(-ret));
	return ret ? FZ_CLI_EXIT_FAILURE : FZ_CLI_EXIT_OK;
}

int cmd_signin_main(int argc, char *argv[])
{
	struct signin_opts o;
	struct signin s = { .o = &o, .lfd = -1 };
	int ret;

	if (fz_cli_wants_help(argc, argv))
		return fz_cli_print_usage(signin_usage);
	ret = parse_args(argc, argv, &o);
	if (!ret)
		ret = check_args(&o);
	if (ret)
		return ret;
	s.path = fz_token_path(o.token_file);
	random_b64(s.state);
	make_nonce(&s);
	ret = run(&s);
	if (s.lfd >= 0)
		close(s.lfd);
	curl_free(s.done_url);
	sodium_memzero(s.state, sizeof(s.state));
	sodium_memzero(s.nonce, sizeof(s.nonce));
	return ret;
}
