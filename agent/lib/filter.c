// SPDX-License-Identifier: GPL-2.0
/*
 * Filters as text and as JSON; see filter.h. The text parser works on
 * (pointer, length) pieces of the caller's string rather than on a
 * copy, so a list of any length is read without allocating.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "filter.h"
#include "values.h"

#define PORTS_WHY "ports must be PORT or START-END, 1-65535, START <= END"
#define PROTO_WHY "unknown protocol (tcp, udp or icmp)"

static const struct {
	const char *name;
	uint8_t proto;
} protos[] = {
	{ "icmp", FZ_FILTER_ICMP },
	{ "tcp", FZ_FILTER_TCP },
	{ "udp", FZ_FILTER_UDP },
};

static const char *proto_name(uint8_t proto)
{
	for (size_t i = 0; i < sizeof(protos) / sizeof(*protos); i++)
		if (protos[i].proto == proto)
			return protos[i].name;
	return NULL;
}

/* The protocol named by the len bytes at s (any case when nocase). */
static int proto_lookup(const char *s, size_t len, bool nocase, uint8_t *out)
{
	for (size_t i = 0; i < sizeof(protos) / sizeof(*protos); i++) {
		const char *name = protos[i].name;

		if (strlen(name) != len)
			continue;
		if (nocase ? strncasecmp(s, name, len) : strncmp(s, name, len))
			continue;
		*out = protos[i].proto;
		return 0;
	}
	return -EINVAL;
}

/* "PORT" or "START-END" in the len bytes at s. */
static int parse_ports(const char *s, size_t len, struct fz_filter *f)
{
	uint64_t lo, hi;
	char buf[16], *dash;

	if (len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	dash = strchr(buf, '-');
	if (dash)
		*dash++ = '\0';
	if (fz_parse_decimal(buf, UINT16_MAX, &lo) || !lo)
		return -EINVAL;
	hi = lo;
	if (dash && (fz_parse_decimal(dash, UINT16_MAX, &hi) || hi < lo))
		return -EINVAL;
	f->port_start = (uint16_t)lo;
	f->port_end = (uint16_t)hi;
	return 0;
}

/* One trimmed, non-empty entry of len bytes at s. */
static int parse_entry(const char *s, size_t len, struct fz_filter *f,
		       const char **why)
{
	const char *slash = memchr(s, '/', len);
	size_t plen = slash ? (size_t)(slash - s) : len;

	*why = PROTO_WHY;
	if (proto_lookup(s, plen, true, &f->proto))
		return -EINVAL;
	*why = "icmp has no ports";
	if (slash && f->proto == FZ_FILTER_ICMP)
		return -EINVAL;
	f->port_start = f->proto == FZ_FILTER_ICMP ? 0 : 1;
	f->port_end = f->proto == FZ_FILTER_ICMP ? 0 : UINT16_MAX;
	*why = PORTS_WHY;
	return slash ? parse_ports(slash + 1, len - plen - 1, f) : 0;
}

static int refuse(struct fz_filter_error *err, int ret, const char *why,
		  const char *s, size_t len)
{
	err->why = why;
	snprintf(err->entry, sizeof(err->entry), "%.*s",
		 (int)(len < sizeof(err->entry) ? len : sizeof(err->entry)), s);
	return ret;
}

static bool blank(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return !*s;
}

int fz_filter_parse(const char *text, struct fz_filter out[FZ_MAX_FILTERS],
		    size_t *n, struct fz_filter_error *err)
{
	const char *s = text, *end;
	const char *why;

	*n = 0;
	if (blank(text))
		return 0;
	for (;; s = end + 1) {
		const char *comma = strchr(s, ',');
		size_t len;

		end = comma ? comma : s + strlen(s);
		while (s < end && isspace((unsigned char)*s))
			s++;
		len = (size_t)(end - s);
		while (len && isspace((unsigned char)s[len - 1]))
			len--;
		if (!len)
			return refuse(err, -ENODATA, "empty entry", s, 0);
		if (*n == FZ_MAX_FILTERS)
			return refuse(err, -E2BIG, "too many filters", s, len);
		if (parse_entry(s, len, &out[*n], &why))
			return refuse(err, -EINVAL, why, s, len);
		(*n)++;
		if (!comma)
			return 0;
	}
}

static int format_one(char *buf, size_t size, const struct fz_filter *f)
{
	const char *name = proto_name(f->proto);

	if (!name)
		name = "?";
	if (f->proto == FZ_FILTER_ICMP ||
	    (f->port_start == 1 && f->port_end == UINT16_MAX))
		return snprintf(buf, size, "%s", name);
	if (f->port_start == f->port_end)
		return snprintf(buf, size, "%s/%u", name, f->port_start);
	return snprintf(buf, size, "%s/%u-%u", name, f->port_start,
			f->port_end);
}

int fz_filter_format(char *buf, size_t size, const struct fz_filter *f,
		     size_t n)
{
	size_t len = 0;

	if (!size)
		return -ENOSPC;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int w;

		if (i) {
			w = snprintf(buf + len, size - len, ", ");
			if (w < 0 || (size_t)w >= size - len)
				return -ENOSPC;
			len += (size_t)w;
		}
		w = format_one(buf + len, size - len, &f[i]);
		if (w < 0 || (size_t)w >= size - len)
			return -ENOSPC;
		len += (size_t)w;
	}
	return (int)len;
}

static json_object *one_to_json(const struct fz_filter *f)
{
	json_object *o = json_object_new_object();
	const char *name = proto_name(f->proto);

	if (!o ||
	    json_object_object_add(o, "protocol",
				   json_object_new_string(name ? name : "?")))
		goto fail;
	if (f->proto == FZ_FILTER_ICMP)
		return o;
	if (json_object_object_add(o, "port_range_start",
				   json_object_new_int(f->port_start)) ||
	    json_object_object_add(o, "port_range_end",
				   json_object_new_int(f->port_end)))
		goto fail;
	return o;
fail:
	json_object_put(o);
	return NULL;
}

json_object *fz_filter_to_json(const struct fz_filter *f, size_t n)
{
	json_object *arr = json_object_new_array_ext((int)n);

	if (!arr)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		json_object *o = one_to_json(&f[i]);

		if (!o || json_object_array_add(arr, o)) {
			json_object_put(o);
			json_object_put(arr);
			return NULL;
		}
	}
	return arr;
}

/* A port member: absent (*has false) or an integer 1..65535. */
static int json_port(json_object *o, const char *key, bool *has, uint16_t *out)
{
	json_object *v;
	int64_t p;

	/* null is as good as absent, as everywhere in the portal's JSON. */
	*has = json_object_object_get_ex(o, key, &v) && v;
	if (!*has)
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return -EINVAL;
	p = json_object_get_int64(v);
	if (p < 1 || p > UINT16_MAX)
		return -EINVAL;
	*out = (uint16_t)p;
	return 0;
}

static int one_from_json(json_object *o, struct fz_filter *f, const char **why)
{
	json_object *proto;
	bool has_start, has_end;
	const char *name;

	*why = "a filter is an object with a \"protocol\"";
	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "protocol", &proto) ||
	    !json_object_is_type(proto, json_type_string))
		return -EINVAL;
	name = json_object_get_string(proto);
	*why = PROTO_WHY;
	if (proto_lookup(name, strlen(name), false, &f->proto))
		return -EINVAL;
	f->port_start = 1;
	f->port_end = UINT16_MAX;
	*why = PORTS_WHY;
	if (json_port(o, "port_range_start", &has_start, &f->port_start) ||
	    json_port(o, "port_range_end", &has_end, &f->port_end))
		return -EINVAL;
	if (f->proto == FZ_FILTER_ICMP) {
		*why = "icmp has no ports";
		f->port_start = f->port_end = 0;
		return has_start || has_end ? -EINVAL : 0;
	}
	if (has_end && !has_start)
		return -EINVAL;
	if (has_start && !has_end)
		f->port_end = f->port_start;
	return f->port_end < f->port_start ? -EINVAL : 0;
}

int fz_filter_from_json(json_object *arr, struct fz_filter out[FZ_MAX_FILTERS],
			size_t *n, const char **why)
{
	size_t len;

	*n = 0;
	*why = "filters must be an array";
	if (!json_object_is_type(arr, json_type_array))
		return -EINVAL;
	len = json_object_array_length(arr);
	*why = "too many filters";
	if (len > FZ_MAX_FILTERS)
		return -EINVAL;
	for (size_t i = 0; i < len; i++)
		if (one_from_json(json_object_array_get_idx(arr, i), &out[i],
				  why))
			return -EINVAL;
	*n = len;
	return 0;
}
