// SPDX-License-Identifier: GPL-2.0
/*
 * Building JSON from the field tables of sig.c (sig_field.h). A value
 * the parser would refuse is refused here too, so a message built by
 * one side always parses on the other.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <sodium.h>

#include "lib/keys.h"
#include "lib/values.h"
#include "sig_field.h"

static int invalid(struct proto_sig_walk *w, const char *why)
{
	return proto_sig_fail(w, -EINVAL, "invalid_value", why);
}

/* Takes a new string object; NULL means json-c ran out of memory. */
static int string_out(struct proto_sig_walk *w, const char *s,
		      json_object **out)
{
	*out = json_object_new_string(s);
	return *out ? 0 :
		      proto_sig_fail(w, -ENOMEM, "no_memory", "out of memory");
}

static int ip_text(const struct fz_cidr *ip, int family, char *text)
{
	if ((family && ip->family != family) ||
	    (ip->family != AF_INET && ip->family != AF_INET6))
		return -EINVAL;
	inet_ntop(ip->family, ip->addr, text, INET6_ADDRSTRLEN);
	return 0;
}

static int build_ip(struct proto_sig_walk *w, const struct fz_cidr *ip,
		    int family, json_object **out)
{
	char text[INET6_ADDRSTRLEN];

	if (ip_text(ip, family, text))
		return invalid(w, "not an IP address of that family");
	return string_out(w, text, out);
}

static int build_endpoint(struct proto_sig_walk *w,
			  const struct proto_sig_endpoint *ep,
			  json_object **out)
{
	char ip[INET6_ADDRSTRLEN], text[INET6_ADDRSTRLEN + 16];

	if (!ep->port || ip_text(&ep->ip, 0, ip))
		return invalid(w, "not IP:PORT or [IPv6]:PORT");
	snprintf(text, sizeof(text),
		 ep->ip.family == AF_INET ? "%s:%u" : "[%s]:%u", ip, ep->port);
	return string_out(w, text, out);
}

static int build_uuid(struct proto_sig_walk *w, const struct proto_sig_id *id,
		      json_object **out)
{
	uint8_t bin[FZ_RESOURCE_ID_LEN];
	char text[37];

	if (!memchr(id->s, '\0', sizeof(id->s)) || fz_uuid_parse(id->s, bin))
		return invalid(w, "not a UUID");
	fz_uuid_format(text, bin);
	return string_out(w, text, out);
}

static int build_key(struct proto_sig_walk *w, const uint8_t *key,
		     json_object **out)
{
	char b64[FZ_KEY_B64_LEN + 1];
	int ret;

	fz_key_to_base64(b64, key);
	ret = string_out(w, b64, out);
	sodium_memzero(b64, sizeof(b64)); /* it may be a preshared key */
	return ret;
}

static int build_int(struct proto_sig_walk *w, int64_t v, int64_t min,
		     int64_t max, json_object **out)
{
	if (v < min || v > max)
		return proto_sig_fail(w, -ERANGE, "out_of_bounds",
				      "integer out of range");
	*out = json_object_new_int64(v);
	return *out ? 0 :
		      proto_sig_fail(w, -ENOMEM, "no_memory", "out of memory");
}

static int build_enum(struct proto_sig_walk *w, int v, const char *const *names,
		      json_object **out)
{
	for (int i = 0; names[i]; i++)
		if (i == v)
			return string_out(w, names[i], out);
	return invalid(w, "not one of the known values");
}

static int build_str(struct proto_sig_walk *w, const char *s, json_object **out)
{
	if (!s)
		return proto_sig_fail(w, -EINVAL, "missing_field", "missing");
	if (strlen(s) > PROTO_SIG_MAX_STRING)
		return proto_sig_fail(w, -E2BIG, "out_of_bounds",
				      "string longer than 1024 bytes");
	return string_out(w, s, out);
}

/* Built, then read back: the filter parser is the one judge of them. */
static int build_filters(struct proto_sig_walk *w,
			 const struct proto_sig_field *f, const void *base,
			 json_object **out)
{
	size_t n = *(const size_t *)((const char *)base + f->n_off), n_back;
	struct fz_filter back[FZ_MAX_FILTERS];
	const char *why = "too many filters";

	if (n > FZ_MAX_FILTERS)
		return invalid(w, why);
	*out = fz_filter_to_json(
		(const struct fz_filter *)((const char *)base + f->off), n);
	if (!*out)
		return proto_sig_fail(w, -ENOMEM, "no_memory", "out of memory");
	if (!fz_filter_from_json(*out, back, &n_back, &why))
		return 0;
	json_object_put(*out);
	*out = NULL;
	return invalid(w, why);
}

static int build_value(struct proto_sig_walk *w,
		       const struct proto_sig_field *f, const void *base,
		       json_object **out);

static int build_array(struct proto_sig_walk *w,
		       const struct proto_sig_field *f, const void *base,
		       json_object **out)
{
	size_t n = *(const size_t *)((const char *)base + f->n_off);
	const char *arr = *(char *const *)((const char *)base + f->off);

	if (n > PROTO_SIG_MAX_ARRAY)
		return proto_sig_fail(w, -E2BIG, "out_of_bounds",
				      "array of more than 64 elements");
	if (n && !arr)
		return invalid(w, "elements counted but missing");
	*out = json_object_new_array_ext((int)n);
	if (!*out)
		return proto_sig_fail(w, -ENOMEM, "no_memory", "out of memory");
	for (size_t i = 0; i < n; i++) {
		json_object *v = NULL;
		int ret = build_value(w, f->sub, arr + i * f->elem_size, &v);

		if (!ret && json_object_array_add(*out, v))
			ret = proto_sig_fail(w, -ENOMEM, "no_memory",
					     "out of memory");
		if (ret) {
			json_object_put(v);
			json_object_put(*out);
			*out = NULL;
			return ret;
		}
	}
	return 0;
}

static int build_value(struct proto_sig_walk *w,
		       const struct proto_sig_field *f, const void *base,
		       json_object **out)
{
	const void *p = (const char *)base + f->off;

	switch (f->type) {
	case PROTO_SIG_F_STR:
		return build_str(w, *(const char *const *)p, out);
	case PROTO_SIG_F_KEY:
		return build_key(w, p, out);
	case PROTO_SIG_F_UUID:
		return build_uuid(w, p, out);
	case PROTO_SIG_F_IP4:
		return build_ip(w, p, AF_INET, out);
	case PROTO_SIG_F_IP6:
		return build_ip(w, p, AF_INET6, out);
	case PROTO_SIG_F_IP:
		return build_ip(w, p, 0, out);
	case PROTO_SIG_F_ENDPOINT:
		return build_endpoint(w, p, out);
	case PROTO_SIG_F_PORT:
		return build_int(w, *(const uint16_t *)p, 1, UINT16_MAX, out);
	case PROTO_SIG_F_TIME:
		return build_int(w, *(const int64_t *)p, 0, PROTO_SIG_MAX_TIME,
				 out);
	case PROTO_SIG_F_ENUM:
		return build_enum(w, *(const int *)p, f->sub, out);
	case PROTO_SIG_F_FILTERS:
		return build_filters(w, f, base, out);
	case PROTO_SIG_F_OBJ:
		return proto_sig_spec_build(w, f->sub, p, out);
	case PROTO_SIG_F_ARRAY:
		return build_array(w, f, base, out);
	}
	return invalid(w, "unknown field type");
}

/* An optional member is left out when it is zero (a NULL string). */
static bool absent(const struct proto_sig_field *f, const void *base)
{
	return (f->flags & PROTO_SIG_F_OPTIONAL) &&
	       f->type == PROTO_SIG_F_STR &&
	       !*(const char *const *)((const char *)base + f->off);
}

static int build_member(struct proto_sig_walk *w,
			const struct proto_sig_field *f, const void *src,
			json_object *obj)
{
	json_object *v = NULL;
	size_t old = w->path_len;
	int ret;

	if (absent(f, src))
		return 0;
	snprintf(w->path + old, sizeof(w->path) - old, "%s%s", old ? "." : "",
		 f->key);
	w->path_len = strlen(w->path);
	ret = build_value(w, f, src, &v);
	if (!ret && json_object_object_add(obj, f->key, v))
		ret = proto_sig_fail(w, -ENOMEM, "no_memory", "out of memory");
	if (ret)
		json_object_put(v);
	w->path_len = old;
	w->path[old] = '\0';
	return ret;
}

int proto_sig_spec_build(struct proto_sig_walk *w,
			 const struct proto_sig_spec *spec, const void *src,
			 json_object **out)
{
	const char *why;
	int ret = 0;

	if (spec->check && spec->check(src, &why))
		return invalid(w, why);
	*out = json_object_new_object();
	if (!*out)
		return proto_sig_fail(w, -ENOMEM, "no_memory", "out of memory");
	for (size_t i = 0; i < spec->n_fields && !ret; i++)
		ret = build_member(w, &spec->fields[i], src, *out);
	if (ret) {
		json_object_put(*out);
		*out = NULL;
	}
	return ret;
}
