// SPDX-License-Identifier: GPL-2.0
/* Resource addresses by type; see resaddr.h. */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "resaddr.h"

static const char *const names[] = {
	[FZ_RESADDR_DNS] = "dns",
	[FZ_RESADDR_CIDR] = "cidr",
	[FZ_RESADDR_IP] = "ip",
};

int fz_resaddr_type_parse(const char *text, enum fz_resaddr_type *out)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (!strcasecmp(text, names[i])) {
			*out = (enum fz_resaddr_type)i;
			return 0;
		}
	return -EINVAL;
}

const char *fz_resaddr_type_name(enum fz_resaddr_type type)
{
	return (unsigned int)type < sizeof(names) / sizeof(*names) ?
		       names[type] :
		       "?";
}

static int parse_dns(const char *text, struct fz_resaddr *out, const char **why)
{
	const char *name = text;
	size_t n = strlen(text);

	if (!strncmp(name, "**.", 3))
		name += 3;
	else if (!strncmp(name, "*.", 2))
		name += 2;
	*why = "not a domain name (a leading '*.' or '**.' is allowed)";
	if (!fz_domain_valid(name) || n > FZ_DOMAIN_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		out->domain[i] = (char)tolower((unsigned char)text[i]);
	out->domain[n] = '\0';
	return 0;
}

static int parse_ip(enum fz_resaddr_type type, const char *text,
		    struct fz_resaddr *out, const char **why)
{
	struct fz_cidr *p = &out->cidr;

	if (fz_cidr_parse(p, text, strlen(text), why)) {
		/* A family means the address was fine, its length not. */
		if (p->family)
			*why = "invalid prefix length";
		return -EINVAL;
	}
	*why = "Type ip is one address; use Type cidr for a range";
	if (type == FZ_RESADDR_IP && strchr(text, '/') &&
	    p->cidr != (p->family == AF_INET ? 32 : 128))
		return -EINVAL;
	*why = "host bits are set";
	return fz_cidr_host_bits_clear(p) ? 0 : -EINVAL;
}

int fz_resaddr_parse(enum fz_resaddr_type type, const char *text,
		     struct fz_resaddr *out, const char **why)
{
	memset(out, 0, sizeof(*out));
	out->type = type;
	switch (type) {
	case FZ_RESADDR_DNS:
		return parse_dns(text, out, why);
	case FZ_RESADDR_CIDR:
	case FZ_RESADDR_IP:
		return parse_ip(type, text, out, why);
	}
	*why = "unknown resource type";
	return -EINVAL;
}
