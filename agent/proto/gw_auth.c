// SPDX-License-Identifier: GPL-2.0
/*
 * Parser for the gateway's authorizations file; see gw_auth.h. It reads
 * like config.c: one line at a time, each error reported once with its
 * line through fail(), and everything freed on error so a caller never
 * sees half a file. A section's values may come in any order, so what
 * depends on another value (Address on Type) is checked when the section
 * ends, and Authorize lines, which may name resources defined further
 * down, when the file ends.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "gw_auth.h"
#include "lib/files.h"
#include "lib/filter.h"
#include "lib/format.h"
#include "lib/ini.h"
#include "lib/keys.h"
#include "lib/resaddr.h"

/* About 600,000 clients; see CONF_MAX_FILE. */
#define MAX_MIB 64
#define MAX_FILE (MAX_MIB * 1024 * 1024)
#define MAX_LINE 4096

enum section { SECTION_NONE, SECTION_RESOURCE, SECTION_CLIENT };

/* Values of the current section that are checked when it ends. */
struct pending {
	bool has_name, has_id, has_type, has_address, has_filters;
	bool has_key, has_tunnel_ips;
	char address[FZ_DOMAIN_MAX + 8];
	unsigned int address_line;
};

/* An Authorize line, resolved to a resource when the file ends. */
struct pending_grant {
	size_t client;
	char resource[FZ_DOMAIN_MAX + 1];
	uint64_t expires_ns;
	unsigned int line;
};

/*
 * Keys and tunnel addresses must be unique; that is checked once the file
 * is read, by sorting (a scan of the earlier clients for each new one is
 * quadratic: minutes for 100,000), and reported at these lines.
 */
struct client_lines {
	unsigned int key, tunnel_ips;
};

struct ctx {
	struct proto_auth *a;
	const char *path;
	unsigned int line;
	char *err;
	size_t errlen;
	uint64_t now_ns;
	enum section section;
	struct pending p;
	struct pending_grant *grants;
	size_t n_grants;
	/* Where each client's PublicKey and TunnelIPs were written. */
	struct client_lines *lines;
	size_t n_lines;
	/* Room in the arrays being appended to (see append()). */
	size_t cap_grants, cap_resources, cap_clients, cap_lines;
};

static int fail(struct ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	int len;

	if (!c->errlen)
		return -EINVAL;
	len = c->line ?
		      snprintf(c->err, c->errlen, "%s:%u: ", c->path, c->line) :
		      snprintf(c->err, c->errlen, "%s: ", c->path);
	if (len < 0 || (size_t)len >= c->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(c->err + len, c->errlen - (size_t)len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/*
 * Appends one zeroed element; NULL when out of memory, the array then
 * untouched. The array grows by half again when full (*cap elements):
 * one by one, every append would copy it, quadratic in 100,000 clients.
 * Clients hold preshared keys, so the old copy is wiped rather than left
 * behind by realloc().
 */
static void *append(void *array, size_t *n, size_t *cap, size_t elem)
{
	char *p = array;
	size_t want = *cap + *cap / 2 + 4;

	if (*n == *cap) {
		p = calloc(want, elem);
		if (!p)
			return NULL;
		if (array) {
			memcpy(p, array, *n * elem);
			sodium_memzero(array, *n * elem);
			free(array);
		}
		*cap = want;
	}
	memset(p + *n * elem, 0, elem);
	(*n)++;
	return p;
}

const struct proto_auth_resource *
proto_auth_find_resource(const struct proto_auth *a, const char *name_or_id)
{
	uint8_t id[FZ_RESOURCE_ID_LEN];
	bool is_id = !fz_uuid_parse(name_or_id, id);

	for (size_t i = 0; i < a->n_resources; i++) {
		const struct proto_auth_resource *r = &a->resources[i];

		if (is_id ? !memcmp(r->id, id, sizeof(id)) :
			    !strcmp(r->name, name_or_id))
			return r;
	}
	return NULL;
}

/* --- [Resource] --- */

static struct proto_auth_resource *cur_resource(struct ctx *c)
{
	return &c->a->resources[c->a->n_resources - 1];
}

static int given_twice(struct ctx *c, const char *name)
{
	return fail(c, "%s given twice in this section", name);
}

static bool name_valid(const char *s)
{
	size_t n = strlen(s);

	return n && n <= PROTO_AUTH_NAME_MAX &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz"
			 "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789._-") == n;
}

static int res_name(struct ctx *c, const char *key, char *value)
{
	uint8_t id[FZ_RESOURCE_ID_LEN];

	if (c->p.has_name)
		return given_twice(c, key);
	if (!name_valid(value))
		return fail(c,
			    "invalid Name '%s': 1 to %d of A-Z a-z 0-9 . _ -",
			    value, PROTO_AUTH_NAME_MAX);
	if (!fz_uuid_parse(value, id) || !strcmp(value, "all"))
		return fail(c,
			    "invalid Name '%s': a Name must not be a UUID or "
			    "'all'",
			    value);
	for (size_t i = 0; i + 1 < c->a->n_resources; i++)
		if (!strcmp(c->a->resources[i].name, value))
			return fail(c,
				    "duplicate resource Name '%s' (first at "
				    "line %u)",
				    value, c->a->resources[i].line);
	strcpy(cur_resource(c)->name, value);
	c->p.has_name = true;
	return 0;
}

static int res_id(struct ctx *c, const char *key, char *value)
{
	struct proto_auth_resource *r = cur_resource(c);

	if (c->p.has_id)
		return given_twice(c, key);
	if (fz_uuid_parse(value, r->id))
		return fail(c,
			    "invalid ID '%s': not a UUID "
			    "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
			    value);
	for (size_t i = 0; i + 1 < c->a->n_resources; i++)
		if (!memcmp(c->a->resources[i].id, r->id, FZ_RESOURCE_ID_LEN))
			return fail(c,
				    "duplicate resource ID '%s' (first at "
				    "line %u)",
				    value, c->a->resources[i].line);
	c->p.has_id = true;
	return 0;
}

static int res_type(struct ctx *c, const char *key, char *value)
{
	enum fz_resaddr_type type;

	if (c->p.has_type)
		return given_twice(c, key);
	if (fz_resaddr_type_parse(value, &type))
		return fail(c, "invalid Type '%s': dns, cidr or ip", value);
	cur_resource(c)->type = (enum proto_auth_resource_type)type;
	c->p.has_type = true;
	return 0;
}

static int res_address(struct ctx *c, const char *key, char *value)
{
	if (c->p.has_address)
		return given_twice(c, key);
	if (strlen(value) >= sizeof(c->p.address))
		return fail(c, "Address too long");
	strcpy(c->p.address, value);
	c->p.address_line = c->line;
	c->p.has_address = true;
	return 0;
}

/* "ADDR" or "ADDR/LEN" (lib/cidr.h); *why says what is wrong. */
static int parse_prefix(struct fz_cidr *out, const char *text, const char **why)
{
	int ret = fz_cidr_parse(out, text, strlen(text), why);

	if (ret && out->family)
		*why = "invalid prefix length";
	return ret;
}

/* The same rule as the portal's (lib/resaddr.h). */
static int check_address(struct ctx *c, struct proto_auth_resource *r,
			 const char *text)
{
	struct fz_resaddr addr;
	const char *why;

	if (fz_resaddr_parse((enum fz_resaddr_type)r->type, text, &addr, &why))
		return fail(c, "invalid Address '%s': %s", text, why);
	memcpy(r->domain, addr.domain, sizeof(r->domain));
	r->cidr = addr.cidr;
	return 0;
}

static int end_resource(struct ctx *c)
{
	struct proto_auth_resource *r = cur_resource(c);
	const char *missing = !c->p.has_name	? "Name" :
			      !c->p.has_id	? "ID" :
			      !c->p.has_type	? "Type" :
			      !c->p.has_address ? "Address" :
						  NULL;

	if (missing) {
		c->line = r->line;
		return fail(c, "%s missing in [Resource] starting at line %u",
			    missing, r->line);
	}
	c->line = c->p.address_line;
	return check_address(c, r, c->p.address);
}

/* --- Filters: the same syntax as the portal's (lib/filter.h) --- */

static int res_filters(struct ctx *c, const char *key, char *value)
{
	struct proto_auth_resource *r = cur_resource(c);
	struct fz_filter_error err;
	int ret;

	if (c->p.has_filters)
		return given_twice(c, key);
	c->p.has_filters = true;
	/* "Filters =" leaves everything allowed, as if absent. */
	ret = fz_filter_parse(value, r->filters, &r->n_filters, &err);
	if (ret == -ENODATA)
		return fail(c, "invalid Filters: empty entry");
	if (ret == -E2BIG)
		return fail(c, "too many Filters (at most %d)", FZ_MAX_FILTERS);
	if (ret)
		return fail(c, "invalid filter '%s': %s", err.entry, err.why);
	return 0;
}

/* --- [Client] --- */

static struct proto_auth_client *cur_client(struct ctx *c)
{
	return &c->a->clients[c->a->n_clients - 1];
}

static int client_key(struct ctx *c, const char *key, char *value)
{
	struct proto_auth_client *cl = cur_client(c);
	uint8_t k[FZ_KEY_LEN];

	if (c->p.has_key)
		return given_twice(c, key);
	if (fz_key_from_base64(k, value, strlen(value)))
		return fail(c,
			    "invalid PublicKey '%s': not a 44-character "
			    "base64 key",
			    value);
	if (fz_key_is_low_order(k))
		return fail(c, "invalid PublicKey '%s': %s", value,
			    FZ_KEY_LOW_ORDER_WHY);
	memcpy(cl->public_key, k, FZ_KEY_LEN);
	c->p.has_key = true;
	c->lines[c->n_lines - 1].key = c->line;
	return 0;
}

/* Never quoted: a secret. */
static int client_psk(struct ctx *c, const char *key, char *value)
{
	struct proto_auth_client *cl = cur_client(c);

	if (cl->has_preshared_key)
		return given_twice(c, key);
	if (fz_key_from_base64(cl->preshared_key, value, strlen(value)))
		return fail(c, "invalid PresharedKey: not a 44-character "
			       "base64 key");
	cl->has_preshared_key = true;
	return 0;
}

static int add_tunnel_ip(struct ctx *c, struct proto_auth_client *cl,
			 const char *text)
{
	struct fz_cidr p;
	const char *why;

	if (parse_prefix(&p, text, &why))
		return fail(c, "invalid TunnelIPs '%s': %s", text, why);
	if (p.cidr != (p.family == AF_INET ? 32 : 128))
		return fail(c,
			    "invalid TunnelIPs '%s': one address, not a "
			    "range",
			    text);
	if (!fz_cidr_in_tunnel(&p))
		return fail(
			c,
			"invalid TunnelIPs '%s': not in " FZ_RANGE_TUNNEL_V4_TEXT
			" or " FZ_RANGE_TUNNEL_V6_TEXT,
			text);
	for (size_t i = 0; i < cl->n_tunnel_ips; i++)
		if (cl->tunnel_ips[i].family == p.family)
			return fail(c,
				    "invalid TunnelIPs: more than one %s "
				    "address",
				    p.family == AF_INET ? "IPv4" : "IPv6");
	cl->tunnel_ips[cl->n_tunnel_ips++] = p;
	return 0;
}

static int client_tunnel_ips(struct ctx *c, const char *key, char *value)
{
	struct proto_auth_client *cl = cur_client(c);
	char *entry, *rest = value;
	int ret = 0;

	if (c->p.has_tunnel_ips)
		return given_twice(c, key);
	c->p.has_tunnel_ips = true;
	c->lines[c->n_lines - 1].tunnel_ips = c->line;
	while (!ret && (entry = strsep(&rest, ","))) {
		entry = fz_ini_trim(entry);
		ret = *entry ? add_tunnel_ip(c, cl, entry) :
			       fail(c, "invalid TunnelIPs: empty entry");
	}
	return ret;
}

/* "RESOURCE", "RESOURCE until TIME" or "RESOURCE for SECONDS". */
static int client_authorize(struct ctx *c, const char *key, char *value)
{
	char *save = NULL, *res = strtok_r(value, " \t", &save);
	char *word = strtok_r(NULL, " \t", &save);
	char *arg = strtok_r(NULL, " \t", &save), plus[MAX_LINE + 2];
	struct pending_grant *g;
	int ret;

	(void)key;
	if (strtok_r(NULL, " \t", &save) || (word && !arg) ||
	    (word && strcmp(word, "until") && strcmp(word, "for")))
		return fail(c, "invalid Authorize: expected 'RESOURCE', "
			       "'RESOURCE until TIME' or 'RESOURCE for "
			       "SECONDS'");
	if (strlen(res) > FZ_DOMAIN_MAX)
		return fail(c, "invalid Authorize: resource name too long");
	g = append(c->grants, &c->n_grants, &c->cap_grants, sizeof(*g));
	if (!g)
		return fail(c, "out of memory");
	c->grants = g;
	g = &g[c->n_grants - 1];
	g->client = c->a->n_clients - 1;
	g->line = c->line;
	strcpy(g->resource, res);
	if (!word)
		return 0;
	snprintf(plus, sizeof(plus), "+%s", arg);
	ret = fz_expiry_parse(!strcmp(word, "for") ? plus : arg, c->now_ns,
			      &g->expires_ns);
	if (ret == -ERANGE)
		return fail(c,
			    "invalid Authorize: '%s' is too far in the "
			    "future (fz.ko's clock ends in 2262)",
			    arg);
	if (ret || !g->expires_ns)
		return fail(
			c,
			!strcmp(word, "for") ?
				"invalid Authorize: 'for' needs whole "
				"seconds >= 1" :
				"invalid Authorize: 'until' needs an RFC "
				"3339 UTC time such as 2026-11-22T10:00:00Z");
	return 0;
}

static int end_client(struct ctx *c)
{
	struct proto_auth_client *cl = cur_client(c);
	const char *missing = !c->p.has_key	? "PublicKey" :
			      !cl->n_tunnel_ips ? "TunnelIPs" :
						  NULL;

	if (!missing)
		return 0;
	c->line = cl->line;
	return fail(c, "%s missing in [Client] starting at line %u", missing,
		    cl->line);
}

/* --- Sections and lines --- */

struct key {
	const char *name;
	enum section section;
	int (*set)(struct ctx *c, const char *key, char *value);
};

static const struct key keys[] = {
	{ "Name", SECTION_RESOURCE, res_name },
	{ "ID", SECTION_RESOURCE, res_id },
	{ "Type", SECTION_RESOURCE, res_type },
	{ "Address", SECTION_RESOURCE, res_address },
	{ "Filters", SECTION_RESOURCE, res_filters },
	{ "PublicKey", SECTION_CLIENT, client_key },
	{ "PresharedKey", SECTION_CLIENT, client_psk },
	{ "TunnelIPs", SECTION_CLIENT, client_tunnel_ips },
	{ "Authorize", SECTION_CLIENT, client_authorize },
};

static const char *section_name(enum section s)
{
	return s == SECTION_RESOURCE ? "[Resource]" : "[Client]";
}

static int set_key(struct ctx *c, const char *name, char *value)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++) {
		if (strcasecmp(keys[i].name, name))
			continue;
		if (c->section == SECTION_NONE)
			return fail(c, "key '%s' outside a section", name);
		if (keys[i].section != c->section)
			return fail(c, "%s belongs in %s, not in %s",
				    keys[i].name, section_name(keys[i].section),
				    section_name(c->section));
		if (!*value && strcasecmp(name, "Filters"))
			return fail(c, "missing value for %s", keys[i].name);
		return keys[i].set(c, keys[i].name, value);
	}
	if (c->section == SECTION_NONE)
		return fail(c, "key '%s' outside a section", name);
	return fail(c, "unknown key '%s' in %s", name,
		    section_name(c->section));
}

static int end_section(struct ctx *c)
{
	unsigned int line = c->line;
	int ret = 0;

	if (c->section == SECTION_RESOURCE)
		ret = end_resource(c);
	else if (c->section == SECTION_CLIENT)
		ret = end_client(c);
	c->line = line;
	memset(&c->p, 0, sizeof(c->p));
	return ret;
}

static int begin_section(struct ctx *c, char *line)
{
	size_t len = strlen(line);
	struct proto_auth *a = c->a;
	void *p = NULL;
	int ret;

	if (line[len - 1] != ']')
		return fail(c, "malformed section header");
	line[len - 1] = '\0';
	line = fz_ini_trim(line + 1);
	ret = end_section(c);
	if (ret)
		return ret;
	if (!strcasecmp(line, "Resource")) {
		p = append(a->resources, &a->n_resources, &c->cap_resources,
			   sizeof(*a->resources));
		if (p)
			a->resources = p;
		c->section = SECTION_RESOURCE;
	} else if (!strcasecmp(line, "Client")) {
		p = append(a->clients, &a->n_clients, &c->cap_clients,
			   sizeof(*a->clients));
		if (p)
			a->clients = p;
		if (p && !(p = append(c->lines, &c->n_lines, &c->cap_lines,
				      sizeof(*c->lines))))
			a->n_clients--; /* the element stays zeroed */
		if (p)
			c->lines = p;
		c->section = SECTION_CLIENT;
	} else {
		return fail(c,
			    "unknown section '[%s]' ([Resource] or [Client])",
			    line);
	}
	if (!p)
		return fail(c, "out of memory");
	if (c->section == SECTION_RESOURCE)
		cur_resource(c)->line = c->line;
	else
		cur_client(c)->line = c->line;
	return 0;
}

static int ini_section(void *ctx, char *line)
{
	return begin_section(ctx, line);
}

static int ini_key(void *ctx, char *key, char *value)
{
	return set_key(ctx, key, value);
}

static int ini_error(void *ctx, const char *msg)
{
	return fail(ctx, "%s", msg);
}

/* The lines themselves are never quoted: they may hold preshared keys. */
static int parse_lines(struct ctx *c, char *buf, size_t len)
{
	const struct fz_ini ini = {
		.section = ini_section,
		.key = ini_key,
		.error = ini_error,
		.ctx = c,
		.line = &c->line,
		.max_line = MAX_LINE,
	};
	int ret = fz_ini_parse(&ini, buf, len);

	return ret ? ret : end_section(c);
}

/* --- Authorize lines, now that every resource is known --- */

static int add_grant(struct ctx *c, const struct pending_grant *pg)
{
	struct proto_auth_client *cl = &c->a->clients[pg->client];
	const struct proto_auth_resource *r;
	struct proto_auth_grant *g;
	size_t cap;

	c->line = pg->line;
	r = proto_auth_find_resource(c->a, pg->resource);
	if (!r)
		return fail(c, "Authorize: no [Resource] with Name or ID '%s'",
			    pg->resource);
	for (size_t i = 0; i < cl->n_grants; i++)
		if (cl->grants[i].resource == (size_t)(r - c->a->resources))
			return fail(c,
				    "Authorize: resource '%s' already "
				    "authorized at line %u",
				    r->name, cl->grants[i].line);
	if (cl->n_grants == FZ_MAX_RESOURCES)
		return fail(c,
			    "too many Authorize lines for one client (at "
			    "most %d)",
			    FZ_MAX_RESOURCES);
	/* A client has few grants: room for exactly those it has. */
	cap = cl->n_grants;
	g = append(cl->grants, &cl->n_grants, &cap, sizeof(*g));
	if (!g)
		return fail(c, "out of memory");
	cl->grants = g;
	g[cl->n_grants - 1] = (struct proto_auth_grant){
		.resource = (size_t)(r - c->a->resources),
		.expires_ns = pg->expires_ns,
		.line = pg->line,
	};
	return 0;
}

static int resolve_grants(struct ctx *c)
{
	int ret = 0;

	for (size_t i = 0; i < c->n_grants && !ret; i++)
		ret = add_grant(c, &c->grants[i]);
	return ret;
}

/*
 * The file says who may reach what: whoever can write it can grant
 * anything. A regular file must belong to root (or to the user the agent
 * runs as) and be writable by no one else, preshared keys or not; one
 * holding a preshared key must be readable by no one else either. (A
 * pipe, as from <(...), has no such owner to check.)
 */
static int check_file_private(struct ctx *c, unsigned int mode,
			      unsigned int uid)
{
	c->line = 0;
	if (!S_ISREG(mode))
		return 0;
	if (uid != 0 && uid != (unsigned int)geteuid())
		return fail(c,
			    "owned by uid %u, not by root: whoever owns it "
			    "can authorize anything (chown root)",
			    uid);
	if (mode & (S_IWGRP | S_IWOTH))
		return fail(c,
			    "writable by %s: whoever can write it can "
			    "authorize anything (chmod go-w)",
			    mode & S_IWOTH ? "others" : "its group");
	for (size_t i = 0; i < c->a->n_clients; i++)
		if (c->a->clients[i].has_preshared_key &&
		    (mode & (S_IRWXG | S_IRWXO)))
			return fail(c, "contains a preshared key but is "
				       "accessible by others (chmod 600)");
	return 0;
}

/* For sorting: equal keys together, in file order. */
struct key_seen {
	const uint8_t *key;
	size_t client;
};

static int key_seen_cmp(const void *x, const void *y)
{
	const struct key_seen *a = x, *b = y;
	int d = memcmp(a->key, b->key, FZ_KEY_LEN);

	return d ? d : (a->client > b->client) - (a->client < b->client);
}

/* The same for tunnel addresses. */
struct ip_seen {
	const struct fz_cidr *ip;
	size_t client;
};

static int ip_seen_cmp(const void *x, const void *y)
{
	const struct ip_seen *a = x, *b = y;
	int d = (int)a->ip->family - (int)b->ip->family;

	if (!d)
		d = memcmp(a->ip->addr, b->ip->addr, sizeof(a->ip->addr));
	return d ? d : (a->client > b->client) - (a->client < b->client);
}

/*
 * In sorted (n entries of size, equal ones adjacent and in file order),
 * the entry repeating an earlier one whose line comes first; -1 if none.
 * *first: the entry it repeats. Both are positions in sorted.
 */
static ssize_t first_repeat(const void *sorted, size_t n, size_t size,
			    bool (*same)(const void *, const void *),
			    unsigned int (*line)(const struct ctx *,
						 const void *),
			    const struct ctx *c, size_t *first)
{
	const char *v = sorted;
	ssize_t best = -1;
	size_t group = 0;

	for (size_t i = 1; i < n; i++) {
		if (!same(v + group * size, v + i * size)) {
			group = i;
			continue;
		}
		if (best < 0 ||
		    line(c, v + i * size) < line(c, v + (size_t)best * size)) {
			best = (ssize_t)i;
			*first = group;
		}
	}
	return best;
}

static bool same_key(const void *x, const void *y)
{
	return !memcmp(((const struct key_seen *)x)->key,
		       ((const struct key_seen *)y)->key, FZ_KEY_LEN);
}

static unsigned int key_line(const struct ctx *c, const void *x)
{
	return c->lines[((const struct key_seen *)x)->client].key;
}

static bool same_ip(const void *x, const void *y)
{
	const struct fz_cidr *a = ((const struct ip_seen *)x)->ip;
	const struct fz_cidr *b = ((const struct ip_seen *)y)->ip;

	return a->family == b->family &&
	       !memcmp(a->addr, b->addr, sizeof(a->addr));
}

static unsigned int ip_line(const struct ctx *c, const void *x)
{
	return c->lines[((const struct ip_seen *)x)->client].tunnel_ips;
}

static int check_unique_keys(struct ctx *c)
{
	const struct proto_auth *a = c->a;
	struct key_seen *v = calloc(a->n_clients + 1, sizeof(*v));
	char b64[FZ_KEY_B64_LEN + 1];
	size_t first = 0, dup, orig;
	ssize_t pos;

	if (!v) {
		c->line = 0;
		return fail(c, "out of memory");
	}
	for (size_t i = 0; i < a->n_clients; i++)
		v[i] = (struct key_seen){ a->clients[i].public_key, i };
	qsort(v, a->n_clients, sizeof(*v), key_seen_cmp);
	pos = first_repeat(v, a->n_clients, sizeof(*v), same_key, key_line, c,
			   &first);
	dup = pos < 0 ? 0 : v[pos].client;
	orig = pos < 0 ? 0 : v[first].client;
	free(v);
	if (pos < 0)
		return 0;
	c->line = c->lines[dup].key;
	fz_key_to_base64(b64, a->clients[dup].public_key);
	return fail(c, "duplicate client '%s' (first at line %u)", b64,
		    a->clients[orig].line);
}

static int check_unique_tunnel_ips(struct ctx *c)
{
	const struct proto_auth *a = c->a;
	struct ip_seen *v = calloc(2 * a->n_clients + 1, sizeof(*v));
	char text[INET6_ADDRSTRLEN];
	size_t n = 0, first = 0, dup, orig;
	const struct fz_cidr *ip;
	ssize_t pos;

	if (!v) {
		c->line = 0;
		return fail(c, "out of memory");
	}
	for (size_t i = 0; i < a->n_clients; i++)
		for (size_t k = 0; k < a->clients[i].n_tunnel_ips; k++)
			v[n++] = (struct ip_seen){ &a->clients[i].tunnel_ips[k],
						   i };
	qsort(v, n, sizeof(*v), ip_seen_cmp);
	pos = first_repeat(v, n, sizeof(*v), same_ip, ip_line, c, &first);
	dup = pos < 0 ? 0 : v[pos].client;
	orig = pos < 0 ? 0 : v[first].client;
	ip = pos < 0 ? NULL : v[pos].ip;
	free(v);
	if (!ip)
		return 0;
	c->line = c->lines[dup].tunnel_ips;
	inet_ntop(ip->family, ip->addr, text, sizeof(text));
	return fail(c, "TunnelIPs '%s' belongs to the client at line %u", text,
		    a->clients[orig].line);
}

/*
 * Both checks, and the error written first in the file is the one told,
 * as a scan while reading would have found it.
 */
static int check_unique(struct ctx *c)
{
	char *err = c->err, ip_err[1024];
	size_t errlen = c->errlen;
	unsigned int key_at;
	int ret = check_unique_keys(c);

	key_at = c->line;
	c->err = ip_err;
	c->errlen = errlen ? sizeof(ip_err) : 0;
	if (!check_unique_tunnel_ips(c) || (ret && key_at && key_at < c->line))
		goto out;
	ret = -EINVAL;
	if (errlen)
		snprintf(err, errlen, "%s", ip_err);
out:
	c->err = err;
	c->errlen = errlen;
	return ret;
}

static int index_clients(struct ctx *c)
{
	int ret = proto_auth_index_build(c->a);

	if (!ret)
		return 0;
	c->line = 0;
	/* check_unique() refused every repeated key and address before. */
	fail(c, "%s", strerror(-ret));
	return ret;
}

int proto_auth_parse_file(const char *path, uint64_t now_ns,
			  struct proto_auth *out, char *err, size_t errlen)
{
	struct ctx c = { .a = out,
			 .path = path,
			 .err = err,
			 .errlen = errlen,
			 .now_ns = now_ns };
	mode_t mode = 0;
	uid_t uid = 0;
	char *buf = NULL;
	size_t len = 0;
	int ret;

	memset(out, 0, sizeof(*out));
	if (errlen)
		err[0] = '\0';
	ret = fz_read_file(path, MAX_FILE, &buf, &len, &mode, &uid);
	if (ret == -EFBIG)
		ret = fail(&c, "larger than %d MiB", MAX_MIB);
	else if (ret)
		fail(&c, "cannot read: %s", strerror(-ret));
	if (!ret)
		ret = parse_lines(&c, buf, len);
	if (!ret)
		ret = check_unique(&c);
	if (!ret)
		ret = resolve_grants(&c);
	if (!ret)
		ret = check_file_private(&c, mode, uid);
	if (!ret)
		ret = index_clients(&c);
	if (buf) {
		sodium_memzero(buf, len);
		free(buf);
	}
	free(c.grants);
	free(c.lines);
	if (ret)
		proto_auth_free(out);
	return ret;
}

void proto_auth_free(struct proto_auth *a)
{
	for (size_t i = 0; i < a->n_clients; i++)
		free(a->clients[i].grants);
	if (a->clients)
		sodium_memzero(a->clients, a->n_clients * sizeof(*a->clients));
	free(a->clients);
	free(a->resources);
	proto_auth_index_free(&a->index);
	memset(a, 0, sizeof(*a));
}
