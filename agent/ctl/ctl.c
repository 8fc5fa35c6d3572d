// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket protocol; see ctl.h. Everything received is bounded
 * and checked before use: a request is one packet of known maximum size,
 * its words must fill it exactly, and the agent answers before it reads
 * anything else from that client.
 */
#define _GNU_SOURCE /* accept4, struct ucred */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <sodium.h>

#include "ctl.h"
#include "conf/config.h"
#include "lib/cli.h"
#include "lib/keys.h"

/* --- Packets --- */

static const struct ctl_verb_info verbs[] = {
	{ "stop", CTL_VERB_STOP, 1, false },
	{ "set", CTL_VERB_SET, 0, false },
	{ "authorize", CTL_VERB_AUTHORIZE, 4, true },
	{ "revoke", CTL_VERB_REVOKE, 3, true },
	{ "client-show", CTL_VERB_CLIENT_SHOW, 0, true },
};

const struct ctl_verb_info *ctl_find_verb(const struct ctl_words *w)
{
	for (size_t i = 0; w->argc && i < sizeof(verbs) / sizeof(*verbs); i++)
		if (!strcmp(w->argv[0], verbs[i].name))
			return &verbs[i];
	return NULL;
}

int ctl_encode_request(char *const *argv, size_t argc, uint8_t **out,
		       size_t *len)
{
	size_t total = 0;
	uint32_t l32;
	uint8_t *buf, *p;

	if (!argc)
		return -EINVAL;
	for (size_t i = 0; i < argc; i++) {
		total += strlen(argv[i]) + 1;
		if (total > CTL_MAX_WORDS_LEN)
			return -E2BIG;
	}
	buf = malloc(4 + total);
	if (!buf)
		return -ENOMEM;
	l32 = (uint32_t)total;
	memcpy(buf, &l32, 4);
	p = buf + 4;
	for (size_t i = 0; i < argc; i++) {
		size_t n = strlen(argv[i]) + 1;

		memcpy(p, argv[i], n);
		p += n;
	}
	*out = buf;
	*len = 4 + total;
	return 0;
}

int ctl_decode_request(uint8_t *buf, size_t len, struct ctl_words *words)
{
	size_t argc = 0, i;
	uint32_t l32;
	char *p;

	memset(words, 0, sizeof(*words));
	if (len > CTL_MAX_REQUEST)
		return -EMSGSIZE;
	if (len < 5)
		return -EINVAL;
	memcpy(&l32, buf, 4);
	if (l32 != len - 4 || buf[len - 1] != '\0')
		return -EINVAL;
	for (i = 4; i < len; i++)
		argc += buf[i] == '\0';
	words->argv = calloc(argc + 1, sizeof(*words->argv));
	if (!words->argv)
		return -ENOMEM;
	p = (char *)buf + 4;
	for (i = 0; i < argc; i++) {
		words->argv[i] = p;
		p += strlen(p) + 1;
	}
	words->argc = argc;
	return 0;
}

void ctl_words_free(struct ctl_words *words)
{
	free(words->argv);
	memset(words, 0, sizeof(*words));
}

size_t ctl_encode_reply(uint8_t out[CTL_MAX_REPLY], int status, const char *msg)
{
	size_t n = msg ? strnlen(msg, CTL_MAX_MESSAGE) : 0;

	if (status < 0)
		status = -status;
	out[0] = status > 255 ? 255 : (uint8_t)status;
	if (n)
		memcpy(out + 1, msg, n);
	return 1 + n;
}

int ctl_decode_reply(const uint8_t *buf, size_t len, int *status, char *msg,
		     size_t msglen)
{
	size_t n;

	if (len < 1 || len > CTL_MAX_REPLY || !msglen)
		return -EINVAL;
	n = len - 1;
	if (memchr(buf + 1, '\0', n))
		return -EINVAL;
	if (n >= msglen)
		n = msglen - 1;
	memcpy(msg, buf + 1, n);
	msg[n] = '\0';
	*status = buf[0];
	return 0;
}

/* --- Canonical "set" words --- */

struct wordvec {
	struct ctl_words *w;
	size_t cap;
	int err;
};

static void push(struct wordvec *v, const char *s)
{
	char **argv;

	if (v->err)
		return;
	if (v->w->argc + 1 >= v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;

		argv = realloc(v->w->argv, cap * sizeof(*argv));
		if (!argv) {
			v->err = -ENOMEM;
			return;
		}
		v->w->argv = argv;
		v->cap = cap;
	}
	v->w->argv[v->w->argc] = strdup(s);
	if (!v->w->argv[v->w->argc]) {
		v->err = -ENOMEM;
		return;
	}
	v->w->argv[++v->w->argc] = NULL;
}

static void pushf(struct wordvec *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void pushf(struct wordvec *v, const char *fmt, ...)
{
	char buf[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	push(v, buf);
}

/* A key inline; the all-zero key (remove it) as "". */
static void push_secret(struct wordvec *v, const char *word,
			const uint8_t key[FZ_KEY_LEN])
{
	char b64[FZ_KEY_B64_LEN + 1] = "";

	push(v, word);
	if (!sodium_is_zero(key, FZ_KEY_LEN))
		fz_key_to_base64(b64, key);
	push(v, b64);
	sodium_memzero(b64, sizeof(b64));
}

static void push_key(struct wordvec *v, const uint8_t key[FZ_KEY_LEN])
{
	char b64[FZ_KEY_B64_LEN + 1];

	fz_key_to_base64(b64, key);
	push(v, b64);
}

static void push_endpoint(struct wordvec *v, const struct sockaddr_storage *ss)
{
	socklen_t len = ss->ss_family == AF_INET6 ?
				sizeof(struct sockaddr_in6) :
				sizeof(struct sockaddr_in);
	char host[NI_MAXHOST], port[NI_MAXSERV];

	if (getnameinfo((const struct sockaddr *)ss, len, host, sizeof(host),
			port, sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV)) {
		v->err = v->err ? v->err : -EINVAL;
		return;
	}
	push(v, "endpoint");
	if (ss->ss_family == AF_INET6)
		pushf(v, "[%s]:%s", host, port);
	else
		pushf(v, "%s:%s", host, port);
}

static void push_allowed_ips(struct wordvec *v, const struct conf_peer *p)
{
	char *list = calloc(p->n_allowed_ips + 1, INET6_ADDRSTRLEN + 5);
	char addr[INET6_ADDRSTRLEN];
	size_t off = 0;

	if (!list) {
		v->err = -ENOMEM;
		return;
	}
	for (size_t i = 0; i < p->n_allowed_ips; i++) {
		const struct fz_cidr *c = &p->allowed_ips[i];

		inet_ntop(c->family, c->addr, addr, sizeof(addr));
		off += (size_t)sprintf(list + off, "%s%s/%u", i ? "," : "",
				       addr, c->cidr);
	}
	push(v, "allowed-ips");
	push(v, list);
	free(list);
}

static void push_peer(struct wordvec *v, const struct conf_peer *p)
{
	push(v, "peer");
	push_key(v, p->public_key);
	if (p->remove)
		push(v, "remove");
	if (p->update_only)
		push(v, "update-only");
	if (p->has_preshared_key)
		push_secret(v, "preshared-key", p->preshared_key);
	if (p->has_endpoint)
		push_endpoint(v, &p->endpoint);
	if (p->has_keepalive) {
		push(v, "persistent-keepalive");
		pushf(v, "%u", p->persistent_keepalive);
	}
	if (p->replace_allowed_ips)
		push_allowed_ips(v, p);
}

int ctl_words_from_config(const struct conf *cfg, struct ctl_words *out)
{
	struct wordvec v = { .w = out };

	memset(out, 0, sizeof(*out));
	push(&v, "set");
	if (cfg->has_listen_port) {
		push(&v, "listen-port");
		pushf(&v, "%u", cfg->listen_port);
	}
	if (cfg->has_fwmark) {
		push(&v, "fwmark");
		pushf(&v, "0x%x", cfg->fwmark);
	}
	if (cfg->has_private_key)
		push_secret(&v, "private-key", cfg->private_key);
	for (size_t i = 0; i < cfg->n_peers; i++)
		push_peer(&v, &cfg->peers[i]);
	if (v.err)
		ctl_words_free_all(out);
	return v.err;
}

void ctl_words_free_all(struct ctl_words *words)
{
	for (size_t i = 0; i < words->argc; i++) {
		sodium_memzero(words->argv[i], strlen(words->argv[i]));
		free(words->argv[i]);
	}
	ctl_words_free(words);
}

/* --- The agent's side of "set" --- */

struct inline_key {
	size_t peer; /* index in cfg->peers; SIZE_MAX: the private key */
	uint8_t key[FZ_KEY_LEN];
};

/* Takes a key value off its word: "" (remove) or base64. */
static int take_key(struct inline_key *k, size_t peer, char **value)
{
	static char no_key_file[] = "/dev/null";

	k->peer = peer;
	if (!**value)
		memset(k->key, 0, FZ_KEY_LEN);
	else if (fz_key_from_base64(k->key, *value, strlen(*value)))
		return -EINVAL;
	*value = no_key_file;
	return 0;
}

/*
 * Word positions as the parser sees them: "remove" and "update-only"
 * stand alone, every other word takes a value. A word out of place is
 * left for conf_parse_set() to report.
 */
static int take_keys(int argc, char **argv, struct inline_key *keys, size_t *n)
{
	size_t peers = 0;
	int i = 0;

	*n = 0;
	while (i < argc) {
		const char *w = argv[i];

		if (!strcmp(w, "remove") || !strcmp(w, "update-only")) {
			i++;
			continue;
		}
		if (!strcmp(w, "peer"))
			peers++;
		if (i + 1 < argc && !strcmp(w, "private-key")) {
			if (take_key(&keys[(*n)++], SIZE_MAX, &argv[i + 1]))
				return -EINVAL;
		} else if (i + 1 < argc && peers &&
			   !strcmp(w, "preshared-key")) {
			if (take_key(&keys[(*n)++], peers - 1, &argv[i + 1]))
				return -EINVAL;
		}
		i += 2;
	}
	return 0;
}

static void put_keys(struct conf *cfg, const struct inline_key *keys, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (keys[i].peer == SIZE_MAX)
			memcpy(cfg->private_key, keys[i].key, FZ_KEY_LEN);
		else if (keys[i].peer < cfg->n_peers)
			memcpy(cfg->peers[keys[i].peer].preshared_key,
			       keys[i].key, FZ_KEY_LEN);
	}
}

int ctl_config_from_words(int argc, char **argv, struct conf *out, char *err,
			  size_t errlen)
{
	size_t n_keys = 0, n = argc > 0 ? (size_t)argc : 1;
	struct inline_key *keys = calloc(n, sizeof(*keys));
	char **copy = calloc(n + 1, sizeof(*copy));
	int ret = -ENOMEM;

	memset(out, 0, sizeof(*out));
	if (!keys || !copy) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	memcpy(copy, argv, (size_t)(argc > 0 ? argc : 0) * sizeof(*copy));
	ret = take_keys(argc, copy, keys, &n_keys);
	if (ret)
		snprintf(err, errlen, "invalid key in request");
	else
		ret = conf_parse_set(argc, copy, out, err, errlen);
	if (!ret)
		put_keys(out, keys, n_keys);
out:
	if (keys)
		sodium_memzero(keys, n * sizeof(*keys));
	free(keys);
	free(copy);
	return ret;
}

/* --- Sockets --- */

const char *ctl_run_dir(void)
{
	const char *dir = getenv(CTL_DIR_ENV);

	return dir && *dir ? dir : CTL_DIR;
}

/*
 * The directory must be root's (or, for a test's own directory, ours)
 * and no one else's to write in: whoever could write in it could take an
 * interface's name first, or replace an agent's socket.
 */
static int ctl_check_dir(bool create)
{
	struct stat st;

	if (create && mkdir(ctl_run_dir(), 0700) && errno != EEXIST)
		return -errno;
	if (lstat(ctl_run_dir(), &st))
		return errno == ENOENT ? -ECONNREFUSED : -errno;
	if (!S_ISDIR(st.st_mode) || (st.st_uid && st.st_uid != geteuid()) ||
	    (st.st_mode & 022))
		return -ENOTDIR;
	return 0;
}

/* DIR/IFACE@NETNS.EXT: a network namespace's inode, as lsns shows it. */
static int ctl_path(const char *ifname, const char *ext, char *out,
		    size_t outlen)
{
	struct stat ns;
	int n;

	if (!*ifname || strlen(ifname) >= IFNAMSIZ || strchr(ifname, '/'))
		return -EINVAL;
	if (stat("/proc/self/ns/net", &ns))
		return -errno;
	n = snprintf(out, outlen, "%s/%s@%llu.%s", ctl_run_dir(), ifname,
		     (unsigned long long)ns.st_ino, ext);
	return n < 0 || (size_t)n >= outlen ? -ENAMETOOLONG : 0;
}

static int ctl_address(const char *ifname, struct sockaddr_un *sun,
		       socklen_t *len)
{
	int ret;

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	ret = ctl_path(ifname, "sock", sun->sun_path, sizeof(sun->sun_path));
	*len = (socklen_t)sizeof(*sun);
	return ret;
}

/* Whether fd's file is still the one at path (not unlinked, replaced). */
static bool still_at(int fd, const char *path)
{
	struct stat held, now;

	return !fstat(fd, &held) && !stat(path, &now) &&
	       held.st_ino == now.st_ino && held.st_dev == now.st_dev;
}

/* A name's lock is tried every 20 ms: for 1 s while its holder serves
 * requests, for 10 s while it is stopping. */
#define CTL_LOCK_WAIT_US 20000
#define CTL_LOCK_TRIES 50
#define CTL_LOCK_TRIES_STOPPING 500

/*
 * Whether the holder of name's lock still serves requests: an agent that
 * is stopping has removed its socket (ctl_unlisten) but keeps the name
 * until it has undone what its role did (the system's DNS, the interface,
 * Goodbyes), and a new agent waits for that rather than failing.
 */
static bool holder_serves(const struct ctl_name *name)
{
	struct stat st;

	return !lstat(name->sock_path, &st);
}

/*
 * The lock is what keeps two agents from one interface; it goes with its
 * process, however that ends. A lock file unlinked by an agent that was
 * leaving, or by a sweep (ctl_sweep), is not the one at the path any
 * more: take the new one. A sweep holds a lock for an instant: tries
 * for a second pass it before the lock counts as another agent's, and an
 * agent that is stopping has CTL_LOCK_TRIES_STOPPING to finish, and the
 * wait is said (once) so that a quiet `up` is not taken for a hang.
 */
static int ctl_lock(const char *ifname, struct ctl_name *name)
{
	int tries, busy = 0, fd;

	for (tries = 0; tries < 8; tries++) {
		fd = open(name->lock_path,
			  O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0)
			return -errno;
		if (flock(fd, LOCK_EX | LOCK_NB)) {
			int err = errno;

			close(fd);
			if (err != EWOULDBLOCK)
				return -err;
			busy++;
			if ((busy > CTL_LOCK_TRIES && holder_serves(name)) ||
			    busy > CTL_LOCK_TRIES_STOPPING)
				return -EADDRINUSE;
			if (busy == CTL_LOCK_TRIES + 1)
				fprintf(stderr,
					FZ_AGENT_NAME
					": %s: waiting up to %d s "
					"for the agent that is "
					"stopping to let it go\n",
					ifname,
					CTL_LOCK_TRIES_STOPPING *
						CTL_LOCK_WAIT_US / 1000000);
			usleep(CTL_LOCK_WAIT_US);
			tries--;
			continue;
		}
		if (still_at(fd, name->lock_path))
			return fd;
		close(fd);
	}
	return -EAGAIN;
}

/*
 * An agent killed leaves IFACE@NETNS.lock and .sock behind, and one in a
 * namespace that is gone leaves them for good. Each agent that starts
 * removes those of other names that no process holds: a lock it can take
 * is nobody's.
 */
static void ctl_sweep(const struct ctl_name *mine)
{
	char lock[sizeof(mine->lock_path)], sock[sizeof(mine->sock_path)];
	DIR *dir = opendir(ctl_run_dir());
	struct dirent *e;
	size_t len;
	int fd;

	while (dir && (e = readdir(dir))) {
		len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".lock") ||
		    !strchr(e->d_name, '@') ||
		    snprintf(lock, sizeof(lock), "%s/%s", ctl_run_dir(),
			     e->d_name) >= (int)sizeof(lock) ||
		    !strcmp(lock, mine->lock_path))
			continue;
		fd = open(lock, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			continue;
		if (!flock(fd, LOCK_EX | LOCK_NB) && still_at(fd, lock)) {
			snprintf(sock, sizeof(sock), "%.*s.sock",
				 (int)(strlen(lock) - 5), lock);
			unlink(sock);
			unlink(lock);
		}
		close(fd);
	}
	if (dir)
		closedir(dir);
}

/*
 * fzagent before /run/fzagent listened on the abstract name @fzagent/IFACE,
 * which this one does not look at: an agent of that kind left running over
 * an upgrade would get a second agent beside it on one interface. Only a
 * root listener counts: any user may bind a free abstract name, and one
 * who did must not keep an agent from starting. Nor may one hold it up:
 * the connect does not block (a listener with a full backlog would hold
 * a blocking one for ever), and EAGAIN is nobody.
 */
pid_t ctl_old_agent(const char *ifname)
{
	static const char prefix[] = "fzagent/";
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t n = strlen(prefix) + strlen(ifname);
	struct ucred cred;
	socklen_t len = sizeof(cred);
	pid_t pid = 0;
	int fd;

	if (!*ifname || strlen(ifname) >= IFNAMSIZ)
		return 0;
	/* sun_path[0] stays NUL: an abstract name. */
	memcpy(sun.sun_path + 1, prefix, strlen(prefix));
	memcpy(sun.sun_path + 1 + strlen(prefix), ifname, strlen(ifname));
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	if (!connect(fd, (struct sockaddr *)&sun,
		     (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
				 n)) &&
	    !getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) &&
	    len == sizeof(cred) && cred.uid == 0)
		pid = cred.pid > 0 ? cred.pid : 0;
	close(fd);
	return pid;
}

int ctl_listen(const char *ifname, struct ctl_name *name)
{
	struct sockaddr_un sun;
	socklen_t len;
	int fd, ret;

	name->lock_fd = -1;
	ret = ctl_address(ifname, &sun, &len);
	if (!ret)
		ret = ctl_path(ifname, "lock", name->lock_path,
			       sizeof(name->lock_path));
	if (!ret)
		ret = ctl_check_dir(true);
	if (ret)
		return ret == -ECONNREFUSED ? -ENOENT : ret;
	snprintf(name->sock_path, sizeof(name->sock_path), "%s", sun.sun_path);
	ret = ctl_lock(ifname, name);
	if (ret < 0)
		return ret;
	name->lock_fd = ret;
	if (ctl_old_agent(ifname)) {
		ctl_release(name);
		return -EALREADY;
	}
	ctl_sweep(name);
	/* Ours now: what is at the path is a dead agent's. */
	if (unlink(name->sock_path) && errno != ENOENT)
		goto err_unlock;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto err_unlock;
	if (bind(fd, (struct sockaddr *)&sun, len) ||
	    chmod(name->sock_path, 0600) || listen(fd, 16)) {
		ret = -errno;
		close(fd);
		unlink(name->sock_path);
		ctl_release(name);
		return ret;
	}
	return fd;
err_unlock:
	ret = -errno;
	ctl_release(name);
	return ret;
}

/*
 * The file at the path when we look is the holder's: one it unlinks and
 * a new agent creates is another's, which we do not wait for.
 */
int ctl_wait_released(const char *ifname, unsigned int timeout_ms)
{
	char path[sizeof(((struct ctl_name *)0)->lock_path)];
	unsigned int waited = 0;
	int fd, ret;

	ret = ctl_path(ifname, "lock", path, sizeof(path));
	/* A directory another user could write in holds no name we trust. */
	if (!ret)
		ret = ctl_check_dir(false);
	if (ret)
		return ret == -ECONNREFUSED ? 0 : ret;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	for (;;) {
		if (!flock(fd, LOCK_SH | LOCK_NB)) {
			ret = 0;
			break;
		}
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			ret = -errno;
			break;
		}
		if (waited >= timeout_ms) {
			ret = -ETIMEDOUT;
			break;
		}
		usleep(CTL_LOCK_WAIT_US);
		waited += CTL_LOCK_WAIT_US / 1000;
	}
	close(fd);
	return ret;
}

void ctl_unlisten(struct ctl_name *name)
{
	if (name->lock_fd >= 0)
		unlink(name->sock_path);
}

void ctl_release(struct ctl_name *name)
{
	if (name->lock_fd < 0)
		return;
	unlink(name->sock_path);
	unlink(name->lock_path);
	close(name->lock_fd);
	name->lock_fd = -1;
}

/* Kept though the directory is root's: a test may use another one. */
static bool peer_is_root(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	return !getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) &&
	       len == sizeof(cred) && cred.uid == 0;
}

int ctl_accept(int listen_fd)
{
	int fd;

	fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	if (!peer_is_root(fd)) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

static void set_timeouts(int fd)
{
	struct timeval tv = { .tv_sec = CTL_TIMEOUT_MS / 1000,
			      .tv_usec = (CTL_TIMEOUT_MS % 1000) * 1000 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

int ctl_connect(const char *ifname)
{
	struct sockaddr_un sun;
	socklen_t len;
	int fd, ret;

	ret = ctl_address(ifname, &sun, &len);
	if (!ret)
		ret = ctl_check_dir(false);
	if (ret)
		return ret;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, len)) {
		ret = errno == ENOENT ? -ECONNREFUSED : -errno;
		close(fd);
		return ret;
	}
	if (!peer_is_root(fd)) {
		close(fd);
		return -EPERM;
	}
	set_timeouts(fd);
	return fd;
}

static int recv_reply(int fd, int *status, char *msg, size_t msglen)
{
	uint8_t buf[CTL_MAX_REPLY + 1];
	ssize_t n;

	do
		n = recv(fd, buf, sizeof(buf), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN ? -ETIMEDOUT : -errno;
	if (n == 0)
		return -ECONNRESET;
	return ctl_decode_reply(buf, (size_t)n, status, msg, msglen) ? -EPROTO :
								       0;
}

int ctl_call(int fd, const struct ctl_words *words, int *status, char *msg,
	     size_t msglen)
{
	uint8_t *req;
	size_t len;
	ssize_t n;
	int ret;

	ret = ctl_encode_request(words->argv, words->argc, &req, &len);
	if (ret)
		return ret;
	do
		n = send(fd, req, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	ret = n < 0 ? -errno : (size_t)n != len ? -EIO : 0;
	sodium_memzero(req, len);
	free(req);
	if (ret)
		return ret == -EAGAIN ? -ETIMEDOUT : ret;
	return recv_reply(fd, status, msg, msglen);
}
