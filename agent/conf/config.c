// SPDX-License-Identifier: GPL-2.0
/*
 * Parsers for wg(8)-style configuration: INI files and `set` words.
 *
 * Both forms fill a struct conf through the same per-value helpers,
 * so a value means the same in either. An error is reported once, where
 * it is found, through fail(); the entry points then free everything, so
 * a caller never sees half a configuration.
 *
 * Where wg(8) silently lets a later value win (a key given twice, two
 * [Interface] sections, one peer in two [Peer] sections), this parser
 * refuses: such a file is almost always a mistake.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "config.h"
#include "lib/files.h"
#include "lib/ini.h"
#include "lib/keyindex.h"
#include "lib/keys.h"

#define MAX_KEY_FILE 1024 /* a key file is 44 characters and white space */
#define MAX_ENDPOINT 300 /* a 253-character host name, brackets, port */
#define SECRET_MODE_BITS (S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH)

enum section { SECTION_NONE, SECTION_INTERFACE, SECTION_PEER };

struct ctx {
	struct conf *cfg;
	const char *path; /* the config file; NULL for set words */
	unsigned int line; /* 0: the message is about the whole file */
	char *err;
	size_t errlen;
	enum section section;
	unsigned int interface_line; /* 0 until [Interface] is seen */
	bool peer_has_key; /* the current [Peer] has its PublicKey */
};

/* One file key or set word and what to do with its value. */
struct setting {
	const char *name;
	int (*set)(struct ctx *c, const char *name, const char *value);
	unsigned int flags;
};

#define SETTING_EMPTY_OK 1U /* an empty value is meaningful */
#define SETTING_NO_VALUE 2U /* a set word that stands alone */

static int fail(struct ctx *c, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Write "PATH:LINE: message" (or less, see config.h) and return ret. */
static int fail(struct ctx *c, int ret, const char *fmt, ...)
{
	va_list ap;
	int len = 0;

	if (!c->errlen)
		return ret;
	if (c->path && c->line)
		len = snprintf(c->err, c->errlen, "%s:%u: ", c->path, c->line);
	else if (c->path)
		len = snprintf(c->err, c->errlen, "%s: ", c->path);
	if (len < 0 || (size_t)len >= c->errlen)
		return ret;
	va_start(ap, fmt);
	vsnprintf(c->err + len, c->errlen - len, fmt, ap);
	va_end(ap);
	return ret;
}

static int out_of_memory(struct ctx *c)
{
	return fail(c, -ENOMEM, "out of memory");
}

static int given_twice(struct ctx *c, const char *name)
{
	return fail(c, -EINVAL, "%s given twice", name);
}

static int digit_value(char ch, unsigned int base)
{
	if (isdigit((unsigned char)ch))
		return ch - '0';
	if (base == 16 && isxdigit((unsigned char)ch))
		return tolower((unsigned char)ch) - 'a' + 10;
	return -1;
}

/*
 * Decimal digits only, or with hex also 0x-prefixed hexadecimal. Returns
 * -EINVAL if s is not a number, -ERANGE if it is above max, and -EDOM for
 * a leading zero when hex is allowed: wg(8) reads fwmark with strtoul()
 * base 0, where "010" is octal, and a silently different mark is worse
 * than an error.
 */
static int parse_uint(const char *s, bool hex, uint32_t max, uint32_t *out)
{
	unsigned int base = 10;
	uint64_t v = 0;
	int d;

	if (hex && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	} else if (hex && s[0] == '0' && s[1]) {
		return -EDOM;
	}
	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		d = digit_value(*s, base);
		if (d < 0)
			return -EINVAL;
		if (v <= max) /* keep scanning: "99999x" is not a number */
			v = v * base + (unsigned int)d;
	}
	if (v > max)
		return -ERANGE;
	*out = (uint32_t)v;
	return 0;
}

static int parse_number(struct ctx *c, const char *name, const char *value,
			bool hex, uint32_t max, uint32_t *out)
{
	switch (parse_uint(value, hex, max, out)) {
	case 0:
		return 0;
	case -ERANGE:
		return fail(c, -EINVAL, "%s '%s' out of range (0-%u)", name,
			    value, max);
	case -EDOM:
		return fail(
			c, -EINVAL,
			"%s '%s' has a leading zero; write decimal or 0x hex",
			name, value);
	default:
		return fail(c, -EINVAL, "%s '%s' is not a number", name, value);
	}
}

/* "off" is the same as 0, as in wg(8). */
static int parse_number_or_off(struct ctx *c, const char *name,
			       const char *value, bool hex, uint32_t max,
			       uint32_t *out)
{
	if (!strcasecmp(value, "off")) {
		*out = 0;
		return 0;
	}
	return parse_number(c, name, value, hex, max, out);
}

/* Public keys may be quoted in messages; secret ones never are. */
static int parse_key(struct ctx *c, uint8_t key[FZ_KEY_LEN], const char *name,
		     const char *value, bool secret)
{
	if (!fz_key_from_base64(key, value, strlen(value)))
		return 0;
	if (secret)
		return fail(c, -EINVAL,
			    "invalid %s: not a 44-character base64 key", name);
	return fail(c, -EINVAL,
		    "invalid %s '%s': not a 44-character base64 key", name,
		    value);
}

/*
 * "ADDR" or "ADDR/LEN" (lib/cidr.h), at most as long as the longest IPv6
 * address with "/128".
 */
static int parse_cidr(struct fz_cidr *out, const char *text, size_t len,
		      const char **why)
{
	if (len >= INET6_ADDRSTRLEN + sizeof("/128")) {
		memset(out, 0, sizeof(*out));
		*why = "not an IP address";
		return -EINVAL;
	}
	return fz_cidr_parse(out, text, len, why);
}

/*
 * Append a comma-separated list, white space allowed around each entry.
 * A blank value appends nothing: that is how `allowed-ips ""` clears a
 * peer's list. An empty entry inside a list ("a,,b", "a,") is a typo.
 */
static int add_cidrs(struct ctx *c, const char *name, const char *value,
		     struct fz_cidr **array, size_t *n, size_t *cap)
{
	const char *p = value, *end, *comma, *why;
	struct fz_cidr cidr, *grown;

	if (value[strspn(value, " \t")] == '\0')
		return 0;
	for (;; p = comma + 1) {
		comma = strchr(p, ',');
		end = comma ? comma : p + strlen(p);
		while (p < end && isspace((unsigned char)*p))
			p++;
		while (end > p && isspace((unsigned char)end[-1]))
			end--;
		if (p == end)
			return fail(c, -EINVAL, "invalid %s '%s': empty entry",
				    name, value);
		if (parse_cidr(&cidr, p, (size_t)(end - p), &why))
			return fail(c, -EINVAL, "invalid %s '%.*s': %s", name,
				    (int)(end - p), p, why);
		grown = fz_grow(*array, cap, *n, sizeof(cidr));
		if (!grown)
			return out_of_memory(c);
		*array = grown;
		(*array)[(*n)++] = cidr;
		if (!comma)
			return 0;
	}
}

/*
 * "HOST:PORT" or "[IPV6]:PORT". An IPv6 address must be bracketed: in
 * "fe80::1:51820" the port would be a guess. Splits buf in place.
 */
static int split_endpoint(char *buf, char **host, char **port, const char **why)
{
	char *sep;

	if (buf[0] == '[') {
		sep = strchr(buf, ']');
		*why = !sep ? "missing ']'" : "missing port";
		if (!sep || sep[1] != ':')
			return -EINVAL;
		*sep = '\0';
		*host = buf + 1;
		*port = sep + 2;
		return 0;
	}
	sep = strrchr(buf, ':');
	*why = "missing port";
	if (!sep)
		return -EINVAL;
	*sep = '\0';
	*why = "an IPv6 address needs brackets, as in [::1]:51820";
	if (strchr(buf, ':'))
		return -EINVAL;
	*why = "missing host";
	if (!*buf)
		return -EINVAL;
	*host = buf;
	*port = sep + 1;
	return 0;
}

static int parse_port(const char *text, uint16_t *port, const char **why)
{
	uint32_t v = 0;
	int ret = parse_uint(text, false, UINT16_MAX, &v);

	if (!ret && v) { /* nothing can be sent to port 0 */
		*port = htons((uint16_t)v);
		return 0;
	}
	if (!*text)
		*why = "missing port";
	else if (ret == -EINVAL)
		*why = "port is not a number";
	else
		*why = "port out of range (1-65535)";
	return -EINVAL;
}

/* Letters, digits, '-', '_', '.': garbage fails here, not in a DNS query. */
static bool is_host_name(const char *s)
{
	if (strlen(s) > 253)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-_.", *s))
			return false;
	return true;
}

/* A temporary failure is -EAGAIN so that a caller may retry later. */
static int gai_errno(int gai)
{
	switch (gai) {
	case EAI_AGAIN:
		return -EAGAIN;
	case EAI_MEMORY:
		return -ENOMEM;
	default:
		return -EINVAL;
	}
}

static int lookup(struct sockaddr_storage *ss, const char *host, int family,
		  int flags, const char **why)
{
	struct addrinfo hints = { .ai_family = family,
				  .ai_socktype = SOCK_DGRAM,
				  .ai_protocol = IPPROTO_UDP,
				  .ai_flags = flags };
	struct addrinfo *res, *ai;
	int ret = getaddrinfo(host, NULL, &hints, &res);

	if (ret) {
		*why = gai_strerror(ret);
		return gai_errno(ret);
	}
	for (ai = res; ai; ai = ai->ai_next)
		if ((ai->ai_family == AF_INET || ai->ai_family == AF_INET6) &&
		    ai->ai_addrlen <= sizeof(*ss))
			break;
	if (ai)
		memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(res);
	*why = "no IPv4 or IPv6 address";
	return ai ? 0 : -EINVAL;
}

/*
 * Numeric addresses never touch the resolver. A dotted string that is
 * not a valid IPv4 address ("1.2.3.256") is refused here, since
 * getaddrinfo() would otherwise send it to DNS as a name.
 */
static int resolve_host(struct sockaddr_storage *ss, const char *host,
			bool bracketed, const char **why)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	if (bracketed) {
		if (!lookup(ss, host, AF_INET6, AI_NUMERICHOST, why))
			return 0;
		*why = "not an IPv6 address";
		return -EINVAL;
	}
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		return 0;
	}
	*why = "not an IPv4 address";
	if (strspn(host, "0123456789.") == strlen(host))
		return -EINVAL;
	*why = "not an IP address or host name";
	if (!is_host_name(host))
		return -EINVAL;
	return lookup(ss, host, AF_UNSPEC, 0, why);
}

static int parse_endpoint(struct sockaddr_storage *ss, const char *value,
			  const char **why)
{
	char buf[MAX_ENDPOINT], *host, *port_text;
	uint16_t port;
	int ret;

	memset(ss, 0, sizeof(*ss));
	*why = "too long";
	if (strlen(value) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, value);
	ret = split_endpoint(buf, &host, &port_text, why);
	if (!ret)
		ret = parse_port(port_text, &port, why);
	if (!ret)
		ret = resolve_host(ss, host, buf[0] == '[', why);
	if (ret)
		return ret;
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = port;
	else
		((struct sockaddr_in6 *)ss)->sin6_port = port;
	return 0;
}

/*
 * Secrets at rest must be private to their owner. Only regular files are
 * checked: a pipe or /dev/stdin on a terminal is not where a key is kept,
 * and a tty's group-writable mode would refuse `private-key /dev/stdin`.
 */
static int check_secret_mode(struct ctx *c, const char *path, mode_t mode,
			     const char *what)
{
	const char *how = mode & (S_IRGRP | S_IROTH) ? "readable" : "writable";

	if (!S_ISREG(mode) || !(mode & SECRET_MODE_BITS))
		return 0;
	if (c->path)
		return fail(c, -EINVAL,
			    "contains a %s but is %s by others (chmod 600)",
			    what, how);
	return fail(c, -EINVAL,
		    "%s: contains a %s but is %s by others (chmod 600)", path,
		    what, how);
}

/*
 * A key file as wg(8) reads it: the base64 key and white space. An empty
 * file, such as /dev/null, is the all-zero key, which removes the key.
 */
static int decode_key_file(uint8_t key[FZ_KEY_LEN], char *buf, size_t len)
{
	char *text;

	if (memchr(buf, '\0', len))
		return -EINVAL;
	text = fz_ini_trim(buf);
	if (*text)
		return fz_key_from_base64(key, text, strlen(text));
	memset(key, 0, FZ_KEY_LEN);
	return 0;
}

/* A file too large to be a key file is refused as not a key. */
static int read_key_file(struct ctx *c, uint8_t key[FZ_KEY_LEN],
			 const char *name, const char *path, const char *what)
{
	char *buf = NULL;
	size_t len = 0;
	mode_t mode = 0;
	int ret;

	ret = fz_read_file(path, MAX_KEY_FILE, &buf, &len, &mode, NULL);
	if (ret && ret != -EFBIG)
		return fail(c, ret, "cannot read %s file '%s': %s", name, path,
			    strerror(-ret));
	if (ret || decode_key_file(key, buf, len))
		ret = fail(
			c, -EINVAL,
			"invalid %s file '%s': not a 44-character base64 key",
			name, path);
	else if (!sodium_is_zero(key, FZ_KEY_LEN)) /* no key, no secret */
		ret = check_secret_mode(c, path, mode, what);
	fz_wipe_free(buf, len + 1);
	return ret;
}

static struct conf_peer *cur_peer(struct ctx *c)
{
	return &c->cfg->peers[c->cfg->n_peers - 1];
}

/* Append a zeroed peer; it becomes the one the following values are for. */
static int new_peer(struct ctx *c)
{
	struct conf *cfg = c->cfg;
	struct conf_peer *peers;

	peers = fz_grow(cfg->peers, &cfg->peers_cap, cfg->n_peers,
			sizeof(*peers));
	if (!peers)
		return out_of_memory(c);
	cfg->peers = peers;
	cfg->n_peers++;
	cur_peer(c)->line = c->line;
	return 0;
}

/*
 * Checks the peers before the current one, which is the new one: for the
 * set form's few peers. A file's are checked at its end, all at once.
 */
static int check_duplicate_peer(struct ctx *c, const uint8_t key[FZ_KEY_LEN],
				const char *b64)
{
	const struct conf *cfg = c->cfg;

	for (size_t i = 0; i + 1 < cfg->n_peers; i++) {
		if (memcmp(cfg->peers[i].public_key, key, FZ_KEY_LEN))
			continue;
		if (c->path)
			return fail(c, -EINVAL,
				    "duplicate peer '%s' (first at line %u)",
				    b64, cfg->peers[i].line);
		return fail(c, -EINVAL, "duplicate peer '%s'", b64);
	}
	return 0;
}

static int set_peer_key(struct ctx *c, const char *name, const char *value)
{
	uint8_t key[FZ_KEY_LEN];
	int ret;

	ret = parse_key(c, key, name, value, false);
	/* `set` may still remove such a peer: checked once its words end. */
	if (!ret && c->path && fz_key_is_low_order(key))
		ret = fail(c, -EINVAL, "invalid %s '%s': %s", name, value,
			   FZ_KEY_LOW_ORDER_WHY);
	if (!ret && !c->path)
		ret = check_duplicate_peer(c, key, value);
	if (!ret) {
		memcpy(cur_peer(c)->public_key, key, FZ_KEY_LEN);
		cur_peer(c)->key_line = c->line;
	}
	return ret;
}

/*
 * A key given to two peers of a file: found once it is read, by sorting
 * (a scan of the earlier peers for each new one is quadratic: 100 million
 * comparisons for 10,000 peers), and told at the PublicKey line that
 * repeats an earlier peer's key, the earliest such line.
 */
static int check_duplicate_peers(struct ctx *c)
{
	const struct conf *cfg = c->cfg;
	size_t group = 0, first = 0, dup = SIZE_MAX;
	char b64[FZ_KEY_B64_LEN + 1];
	struct fz_keyindex ki;

	if (fz_keyindex_of(&ki, cfg->peers, cfg->n_peers, public_key))
		return out_of_memory(c);
	for (size_t i = 1; i <= ki.n; i++) {
		size_t lo = SIZE_MAX;

		if (i < ki.n &&
		    !memcmp(ki.v[i].key, ki.v[group].key, FZ_KEY_LEN))
			continue;
		/* ki.v[group, i) share a key; the first peer in the file is
		 * the one the others repeat. */
		for (size_t k = group; i - group > 1 && k < i; k++)
			if (ki.v[k].pos < lo)
				lo = ki.v[k].pos;
		for (size_t k = group; i - group > 1 && k < i; k++) {
			size_t pos = ki.v[k].pos;

			if (pos != lo && (dup == SIZE_MAX ||
					  cfg->peers[pos].key_line <
						  cfg->peers[dup].key_line)) {
				dup = pos;
				first = lo;
			}
		}
		group = i;
	}
	fz_keyindex_free(&ki);
	if (dup == SIZE_MAX)
		return 0;
	c->line = cfg->peers[dup].key_line;
	fz_key_to_base64(b64, cfg->peers[dup].public_key);
	return fail(c, -EINVAL, "duplicate peer '%s' (first at line %u)", b64,
		    cfg->peers[first].line);
}

/* Values shared by the file and set forms. */

static int set_listen_port(struct ctx *c, const char *name, const char *value)
{
	uint32_t port;
	int ret;

	if (c->cfg->has_listen_port)
		return given_twice(c, name);
	ret = parse_number(c, name, value, false, UINT16_MAX, &port);
	if (ret)
		return ret;
	c->cfg->listen_port = (uint16_t)port;
	c->cfg->has_listen_port = true;
	return 0;
}

static int set_fwmark(struct ctx *c, const char *name, const char *value)
{
	uint32_t mark;
	int ret;

	if (c->cfg->has_fwmark)
		return given_twice(c, name);
	ret = parse_number_or_off(c, name, value, true, UINT32_MAX, &mark);
	if (ret)
		return ret;
	c->cfg->fwmark = mark;
	c->cfg->has_fwmark = true;
	return 0;
}

static int set_endpoint(struct ctx *c, const char *name, const char *value)
{
	struct conf_peer *peer = cur_peer(c);
	const char *why;
	int ret;

	if (peer->has_endpoint)
		return given_twice(c, name);
	ret = parse_endpoint(&peer->endpoint, value, &why);
	if (ret)
		return fail(c, ret, "invalid %s '%s': %s", name, value, why);
	peer->has_endpoint = true;
	return 0;
}

static int set_keepalive(struct ctx *c, const char *name, const char *value)
{
	struct conf_peer *peer = cur_peer(c);
	uint32_t seconds;
	int ret;

	if (peer->has_keepalive)
		return given_twice(c, name);
	ret = parse_number_or_off(c, name, value, false, UINT16_MAX, &seconds);
	if (ret)
		return ret;
	peer->persistent_keepalive = (uint16_t)seconds;
	peer->has_keepalive = true;
	return 0;
}

/* The kernel refuses more per peer; say so with a line number instead. */
static int add_allowed_ips(struct ctx *c, const char *name, const char *value)
{
	struct conf_peer *peer = cur_peer(c);
	int ret;

	ret = add_cidrs(c, name, value, &peer->allowed_ips,
			&peer->n_allowed_ips, &peer->allowed_ips_cap);
	if (ret)
		return ret;
	if (peer->n_allowed_ips > FZ_MAX_ALLOWEDIPS)
		return fail(c, -EINVAL, "too many %s for one peer (at most %d)",
			    name, FZ_MAX_ALLOWEDIPS);
	peer->replace_allowed_ips = true;
	return 0;
}

/* File keys. */

static int file_private_key(struct ctx *c, const char *name, const char *value)
{
	struct conf *cfg = c->cfg;
	int ret;

	if (cfg->has_private_key)
		return given_twice(c, name);
	ret = parse_key(c, cfg->private_key, name, value, true);
	if (!ret)
		cfg->has_private_key = true;
	return ret;
}

static int file_addresses(struct ctx *c, const char *name, const char *value)
{
	struct conf *cfg = c->cfg;

	return add_cidrs(c, name, value, &cfg->addresses, &cfg->n_addresses,
			 &cfg->addresses_cap);
}

static int file_public_key(struct ctx *c, const char *name, const char *value)
{
	int ret;

	if (c->peer_has_key)
		return given_twice(c, name);
	ret = set_peer_key(c, name, value);
	if (!ret)
		c->peer_has_key = true;
	return ret;
}

static int file_preshared_key(struct ctx *c, const char *name,
			      const char *value)
{
	struct conf_peer *peer = cur_peer(c);
	int ret;

	if (peer->has_preshared_key)
		return given_twice(c, name);
	ret = parse_key(c, peer->preshared_key, name, value, true);
	if (!ret)
		peer->has_preshared_key = true;
	return ret;
}

/* Set words. */

static int set_private_key_file(struct ctx *c, const char *name,
				const char *path)
{
	struct conf *cfg = c->cfg;
	int ret;

	if (cfg->has_private_key)
		return given_twice(c, name);
	ret = read_key_file(c, cfg->private_key, name, path, "private key");
	if (!ret)
		cfg->has_private_key = true;
	return ret;
}

static int set_peer(struct ctx *c, const char *name, const char *value)
{
	int ret = new_peer(c);

	(void)name; /* "peer"; messages say "peer key" */
	return ret ? ret : set_peer_key(c, "peer key", value);
}

static int set_remove(struct ctx *c, const char *name, const char *value)
{
	(void)name;
	(void)value;
	cur_peer(c)->remove = true;
	return 0;
}

static int set_update_only(struct ctx *c, const char *name, const char *value)
{
	(void)name;
	(void)value;
	cur_peer(c)->update_only = true;
	return 0;
}

static int set_preshared_key_file(struct ctx *c, const char *name,
				  const char *path)
{
	struct conf_peer *peer = cur_peer(c);
	int ret;

	if (peer->has_preshared_key)
		return given_twice(c, name);
	ret = read_key_file(c, peer->preshared_key, name, path,
			    "preshared key");
	if (!ret)
		peer->has_preshared_key = true;
	return ret;
}

static const struct setting interface_keys[] = {
	{ "PrivateKey", file_private_key, 0 },
	{ "ListenPort", set_listen_port, 0 },
	{ "FwMark", set_fwmark, 0 },
	{ "Address", file_addresses, 0 },
	{ NULL, NULL, 0 },
};

static const struct setting peer_keys[] = {
	{ "PublicKey", file_public_key, 0 },
	{ "PresharedKey", file_preshared_key, 0 },
	{ "Endpoint", set_endpoint, 0 },
	{ "AllowedIPs", add_allowed_ips, SETTING_EMPTY_OK },
	{ "PersistentKeepalive", set_keepalive, 0 },
	{ NULL, NULL, 0 },
};

/* Accepted by wg-quick(8), meaningless to fzagent: refused, not ignored. */
static const char *const wg_quick_keys[] = {
	"DNS",	  "MTU",     "Table",	 "PreUp",
	"PostUp", "PreDown", "PostDown", "SaveConfig",
};

static const struct setting device_words[] = {
	{ "listen-port", set_listen_port, 0 },
	{ "fwmark", set_fwmark, 0 },
	{ "private-key", set_private_key_file, 0 },
	{ NULL, NULL, 0 },
};

static const struct setting peer_word = { "peer", set_peer, 0 };

static const struct setting peer_words[] = {
	{ "remove", set_remove, SETTING_NO_VALUE },
	{ "update-only", set_update_only, SETTING_NO_VALUE },
	{ "preshared-key", set_preshared_key_file, 0 },
	{ "endpoint", set_endpoint, 0 },
	{ "persistent-keepalive", set_keepalive, 0 },
	{ "allowed-ips", add_allowed_ips, SETTING_EMPTY_OK },
	{ NULL, NULL, 0 },
};

/* File keys are case-insensitive, as in wg(8); set words are not. */
static const struct setting *find_setting(const struct setting *table,
					  const char *name, bool nocase)
{
	for (; table->name; table++)
		if (nocase ? !strcasecmp(table->name, name) :
			     !strcmp(table->name, name))
			return table;
	return NULL;
}

static bool is_wg_quick_key(const char *key)
{
	for (size_t i = 0; i < sizeof(wg_quick_keys) / sizeof(*wg_quick_keys);
	     i++)
		if (!strcasecmp(wg_quick_keys[i], key))
			return true;
	return false;
}

static int unknown_key(struct ctx *c, const char *key)
{
	bool in_peer = c->section == SECTION_PEER;
	const char *here = in_peer ? "[Peer]" : "[Interface]";
	const char *there = in_peer ? "[Interface]" : "[Peer]";

	if (!in_peer && is_wg_quick_key(key))
		return fail(
			c, -EINVAL,
			"%s is a wg-quick setting; fzagent does not support it",
			key);
	if (find_setting(in_peer ? interface_keys : peer_keys, key, true))
		return fail(c, -EINVAL, "%s belongs in %s, not in %s", key,
			    there, here);
	return fail(c, -EINVAL, "unknown key '%s' in %s", key, here);
}

static int apply(struct ctx *c, const struct setting *s, const char *value)
{
	if (!value || (!*value && !(s->flags & SETTING_EMPTY_OK)))
		return fail(c, -EINVAL, "missing value for %s", s->name);
	return s->set(c, s->name, value);
}

static int set_key(struct ctx *c, const char *key, const char *value)
{
	const struct setting *s;

	switch (c->section) {
	case SECTION_INTERFACE:
		s = find_setting(interface_keys, key, true);
		break;
	case SECTION_PEER:
		s = find_setting(peer_keys, key, true);
		break;
	default:
		return fail(
			c, -EINVAL,
			"key '%s' outside a section ([Interface] or [Peer])",
			key);
	}
	return s ? apply(c, s, value) : unknown_key(c, key);
}

/* A [Peer] is complete when the next section starts or the file ends. */
static int end_section(struct ctx *c)
{
	if (c->section != SECTION_PEER || c->peer_has_key)
		return 0;
	c->line = cur_peer(c)->line;
	return fail(c, -EINVAL,
		    "PublicKey missing in [Peer] starting at line %u", c->line);
}

static int begin_section(struct ctx *c, enum section section)
{
	int ret = end_section(c);

	if (ret)
		return ret;
	if (section == SECTION_INTERFACE && c->interface_line)
		return fail(c, -EINVAL,
			    "duplicate [Interface] section (first at line %u)",
			    c->interface_line);
	if (section == SECTION_INTERFACE)
		c->interface_line = c->line;
	if (section == SECTION_PEER) {
		ret = new_peer(c);
		if (ret)
			return ret;
		cur_peer(c)->replace_allowed_ips = true; /* as wg setconf */
		c->peer_has_key = false;
	}
	c->section = section;
	return 0;
}

static int parse_section(struct ctx *c, char *line)
{
	size_t len = strlen(line);
	char *name;

	if (line[len - 1] != ']')
		return fail(c, -EINVAL, "malformed section header '%s'", line);
	line[len - 1] = '\0';
	name = fz_ini_trim(line + 1);
	if (!strcasecmp(name, "Interface"))
		return begin_section(c, SECTION_INTERFACE);
	if (!strcasecmp(name, "Peer"))
		return begin_section(c, SECTION_PEER);
	return fail(c, -EINVAL, "unknown section '[%s]'", name);
}

static int ini_section(void *ctx, char *line)
{
	return parse_section(ctx, line);
}

static int ini_key(void *ctx, char *key, char *value)
{
	return set_key(ctx, key, value);
}

static int ini_error(void *ctx, const char *msg)
{
	return fail(ctx, -EINVAL, "%s", msg);
}

static int parse_lines(struct ctx *c, char *buf, size_t len)
{
	const struct fz_ini ini = {
		.section = ini_section,
		.key = ini_key,
		.error = ini_error,
		.ctx = c,
		.line = &c->line,
		.max_line = CONF_MAX_LINE,
	};

	return fz_ini_parse(&ini, buf, len);
}

static int read_config(struct ctx *c, char **buf, size_t *len, mode_t *mode)
{
	int ret = fz_read_file(c->path, CONF_MAX_FILE, buf, len, mode, NULL);

	if (ret == -EFBIG)
		return fail(c, -EINVAL, "larger than %d MiB", CONF_MAX_MIB);
	if (ret)
		return fail(c, ret, "cannot read: %s", strerror(-ret));
	return 0;
}

static int check_file_secrets(struct ctx *c, mode_t mode)
{
	const struct conf *cfg = c->cfg;
	const char *what = cfg->has_private_key ? "private key" : NULL;

	for (size_t i = 0; !what && i < cfg->n_peers; i++)
		if (cfg->peers[i].has_preshared_key)
			what = "preshared key";
	c->line = 0;
	return what ? check_secret_mode(c, c->path, mode, what) : 0;
}

static void begin(struct ctx *c)
{
	memset(c->cfg, 0, sizeof(*c->cfg));
	if (c->errlen)
		c->err[0] = '\0';
}

static int finish(struct ctx *c, int ret)
{
	if (ret)
		conf_free(c->cfg);
	return ret;
}

/*
 * Room for as many peers as the file has sections at most, at once: an
 * array doubled (and wiped) for each power of two of 10,000 peers cost
 * a fifth of parsing them.
 */
static int reserve_peers(struct ctx *c, const char *buf)
{
	struct conf *cfg = c->cfg;
	size_t sections;

	/* Lines that start a section; an undercount only costs growth. */
	sections = buf[0] == '[';
	for (const char *p = buf; (p = strstr(p, "\n[")); p++)
		sections++;
	if (!sections)
		return 0;
	cfg->peers = calloc(sections, sizeof(*cfg->peers));
	if (!cfg->peers)
		return out_of_memory(c);
	cfg->peers_cap = sections;
	return 0;
}

int conf_parse_file(const char *path, struct conf *out, char *err,
		    size_t errlen)
{
	struct ctx c = { .cfg = out,
			 .path = path,
			 .err = err,
			 .errlen = errlen };
	char *buf = NULL;
	size_t len = 0;
	mode_t mode = 0;
	int ret;

	begin(&c);
	ret = read_config(&c, &buf, &len, &mode);
	if (!ret)
		ret = reserve_peers(&c, buf);
	if (!ret)
		ret = parse_lines(&c, buf, len);
	if (!ret)
		ret = end_section(&c);
	if (!ret)
		ret = check_duplicate_peers(&c);
	if (!ret)
		ret = check_file_secrets(&c, mode);
	fz_wipe_free(buf, len + 1);
	out->replace_peers = !ret;
	return finish(&c, ret);
}

/*
 * Device words are only allowed before the first peer and peer words
 * only after one, as in wg(8); "peer" itself is allowed anywhere.
 */
static int find_word(struct ctx *c, const char *word, const struct setting **s)
{
	bool in_peer = c->cfg->n_peers > 0;

	*s = find_setting(in_peer ? peer_words : device_words, word, false);
	if (!strcmp(word, "peer"))
		*s = &peer_word;
	if (*s)
		return 0;
	if (in_peer && find_setting(device_words, word, false))
		return fail(c, -EINVAL, "'%s' must come before the first peer",
			    word);
	if (!in_peer && find_setting(peer_words, word, false))
		return fail(c, -EINVAL, "'%s' needs a 'peer KEY' before it",
			    word);
	return fail(c, -EINVAL, "unknown word '%s'", word);
}

/* One word and its value, if it takes one. Returns the words used. */
static int set_word(struct ctx *c, int argc, char **argv)
{
	const struct setting *s;
	int ret;

	ret = find_word(c, argv[0], &s);
	if (ret)
		return ret;
	if (s->flags & SETTING_NO_VALUE) {
		ret = s->set(c, s->name, NULL);
		return ret ? ret : 1;
	}
	ret = apply(c, s, argc > 1 ? argv[1] : NULL);
	return ret ? ret : 2;
}

/* A peer of small order may be removed, not added or changed. */
static int check_set_peer_key(struct ctx *c, const struct conf_peer *p)
{
	char b64[FZ_KEY_B64_LEN + 1];

	if (p->remove || !fz_key_is_low_order(p->public_key))
		return 0;
	fz_key_to_base64(b64, p->public_key);
	return fail(c, -EINVAL, "invalid peer key '%s': %s", b64,
		    FZ_KEY_LOW_ORDER_WHY);
}

int conf_parse_set(int argc, char **argv, struct conf *out, char *err,
		   size_t errlen)
{
	struct ctx c = { .cfg = out, .err = err, .errlen = errlen };
	int i = 0, ret = 0;

	begin(&c);
	while (i < argc) {
		ret = set_word(&c, argc - i, argv + i);
		if (ret < 0)
			break;
		i += ret;
		ret = 0;
	}
	for (size_t p = 0; !ret && p < out->n_peers; p++)
		ret = check_set_peer_key(&c, &out->peers[p]);
	return finish(&c, ret);
}

/* Keys are wiped, not just freed: freed memory is reused unscrubbed. */
void conf_free(struct conf *cfg)
{
	for (size_t i = 0; i < cfg->n_peers; i++)
		free(cfg->peers[i].allowed_ips);
	fz_wipe_free(cfg->peers, cfg->n_peers * sizeof(*cfg->peers));
	free(cfg->addresses);
	sodium_memzero(cfg, sizeof(*cfg));
}
