// SPDX-License-Identifier: GPL-2.0
/*
 * The field walkers; see sig_field.h. Every JSON value is checked for
 * its type before it is read and every number for its range, so any
 * input ends in a value or a reason, never in undefined behaviour.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/files.h"
#include "lib/keys.h"
#include "lib/values.h"
#include "sig_field.h"

int proto_sig_fail(struct proto_sig_walk *w, int ret, const char *reason,
		   const char *why)
{
	struct proto_sig_error *e = w->err;

	e->reason = reason;
	if (w->path_len)
		snprintf(e->message, sizeof(e->message), "%s: %s", w->path,
			 why);
	else
		snprintf(e->message, sizeof(e->message), "%s", why);
	return ret;
}

/* Appends ".key" or "[i]" to the path; returns the length to go back to. */
static size_t push(struct proto_sig_walk *w, const char *key, size_t i)
{
	size_t old = w->path_len, room = sizeof(w->path) - old;
	int n = key ? snprintf(w->path + old, room, "%s%s", old ? "." : "",
			       key) :
		      snprintf(w->path + old, room, "[%zu]", i);

	w->path_len = n < 0		? old :
		      (size_t)n >= room ? old + room - 1 :
					  old + (size_t)n;
	return old;
}

static void pop(struct proto_sig_walk *w, size_t old)
{
	w->path_len = old;
	w->path[old] = '\0';
}

/* --- Bounds, over the whole tree, unknown members included --- */

static int check_string(struct proto_sig_walk *w, json_object *o)
{
	size_t len = (size_t)json_object_get_string_len(o);

	if (len > PROTO_SIG_MAX_STRING)
		return proto_sig_fail(w, -E2BIG, "out_of_bounds",
				      "string longer than 1024 bytes");
	/* Everything after the first NUL would be invisible to C. */
	if (strlen(json_object_get_string(o)) != len)
		return proto_sig_fail(w, -EINVAL, "invalid_value",
				      "string contains a NUL");
	return 0;
}

static int check_members(struct proto_sig_walk *w, json_object *o)
{
	json_object_object_foreach(o, key, val)
	{
		size_t old;
		int ret;

		if (strlen(key) > PROTO_SIG_MAX_STRING)
			return proto_sig_fail(w, -E2BIG, "out_of_bounds",
					      "member name longer than 1024 "
					      "bytes");
		old = push(w, key, 0);
		ret = proto_sig_check_bounds(w, val);
		pop(w, old);
		if (ret)
			return ret;
	}
	return 0;
}

static int check_elements(struct proto_sig_walk *w, json_object *o)
{
	size_t n = json_object_array_length(o);

	if (n > PROTO_SIG_MAX_ARRAY)
		return proto_sig_fail(w, -E2BIG, "out_of_bounds",
				      "array of more than 64 elements");
	for (size_t i = 0; i < n; i++) {
		size_t old = push(w, NULL, i);
		int ret = proto_sig_check_bounds(
			w, json_object_array_get_idx(o, i));

		pop(w, old);
		if (ret)
			return ret;
	}
	return 0;
}

int proto_sig_check_bounds(struct proto_sig_walk *w, json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_string:
		return check_string(w, o);
	case json_type_object:
		return check_members(w, o);
	case json_type_array:
		return check_elements(w, o);
	default:
		return 0;
	}
}

/* --- Parsing one value --- */

static int wrong_type(struct proto_sig_walk *w, const char *want)
{
	char why[48];

	snprintf(why, sizeof(why), "not %s", want);
	return proto_sig_fail(w, -EINVAL, "wrong_type", why);
}

static int invalid(struct proto_sig_walk *w, const char *why)
{
	return proto_sig_fail(w, -EINVAL, "invalid_value", why);
}

/* One address, no prefix length; family 0: either. */
static int parse_ip(const char *s, size_t len, int family, struct fz_cidr *ip)
{
	const char *why;

	if (memchr(s, '/', len) || fz_cidr_parse(ip, s, len, &why))
		return -EINVAL;
	return family && ip->family != family ? -EINVAL : 0;
}

static int parse_port_text(const char *s, uint16_t *port)
{
	uint64_t v;

	if (fz_parse_decimal(s, UINT16_MAX, &v) || !v)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

/* "1.2.3.4:5" or "[fd00::1]:5". */
static int parse_endpoint(const char *s, struct proto_sig_endpoint *ep)
{
	const char *colon;

	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':' ||
		    parse_ip(s + 1, (size_t)(close - s - 1), AF_INET6, &ep->ip))
			return -EINVAL;
		return parse_port_text(close + 2, &ep->port);
	}
	colon = strchr(s, ':');
	if (!colon || parse_ip(s, (size_t)(colon - s), AF_INET, &ep->ip))
		return -EINVAL;
	return parse_port_text(colon + 1, &ep->port);
}

static int parse_int(struct proto_sig_walk *w, json_object *v, int64_t min,
		     int64_t max, int64_t *out)
{
	if (!json_object_is_type(v, json_type_int))
		return wrong_type(w, "an integer");
	*out = json_object_get_int64(v);
	if (*out < min || *out > max)
		return proto_sig_fail(w, -ERANGE, "out_of_bounds",
				      "integer out of range");
	return 0;
}

static int parse_enum(struct proto_sig_walk *w, const char *s,
		      const char *const *names, int *out)
{
	for (int i = 0; names[i]; i++)
		if (!strcmp(s, names[i])) {
			*out = i;
			return 0;
		}
	return invalid(w, "not one of the known values");
}

static int parse_filters(struct proto_sig_walk *w,
			 const struct proto_sig_field *f, json_object *v,
			 void *base)
{
	const char *why;

	if (fz_filter_from_json(v, (struct fz_filter *)((char *)base + f->off),
				(size_t *)((char *)base + f->n_off), &why))
		return invalid(w, why);
	return 0;
}

static int parse_value(struct proto_sig_walk *w,
		       const struct proto_sig_field *f, json_object *v,
		       void *base);

static int parse_array(struct proto_sig_walk *w,
		       const struct proto_sig_field *f, json_object *v,
		       void *base)
{
	size_t n, *count = (size_t *)((char *)base + f->n_off);
	char **arr = (char **)((char *)base + f->off);

	if (!json_object_is_type(v, json_type_array))
		return wrong_type(w, "an array");
	n = json_object_array_length(v);
	if (n > PROTO_SIG_MAX_ARRAY) /* checked before; kept local too */
		return proto_sig_fail(w, -E2BIG, "out_of_bounds",
				      "array of more than 64 elements");
	if (!n)
		return 0;
	*arr = calloc(n, f->elem_size);
	if (!*arr)
		return proto_sig_fail(w, -ENOMEM, "no_memory", "out of memory");
	/* Counted at once, so that a failure half way frees them all. */
	*count = n;
	for (size_t i = 0; i < n; i++) {
		size_t old = push(w, NULL, i);
		int ret = parse_value(w, f->sub,
				      json_object_array_get_idx(v, i),
				      *arr + i * f->elem_size);

		pop(w, old);
		if (ret)
			return ret;
	}
	return 0;
}

static int parse_string_value(struct proto_sig_walk *w,
			      const struct proto_sig_field *f, const char *s,
			      size_t len, void *p)
{
	uint8_t id[FZ_RESOURCE_ID_LEN];

	switch (f->type) {
	case PROTO_SIG_F_STR:
		*(const char **)p = s;
		return 0;
	case PROTO_SIG_F_KEY:
		return fz_key_from_base64(p, s, len) ?
			       invalid(w, "not a base64 key of 32 bytes") :
			       0;
	case PROTO_SIG_F_UUID:
		if (fz_uuid_parse(s, id))
			return invalid(w, "not a UUID");
		fz_uuid_format(((struct proto_sig_id *)p)->s, id);
		return 0;
	case PROTO_SIG_F_IP4:
	case PROTO_SIG_F_IP6:
	case PROTO_SIG_F_IP:
		return parse_ip(s, len,
				f->type == PROTO_SIG_F_IP4 ? AF_INET :
				f->type == PROTO_SIG_F_IP6 ? AF_INET6 :
							     0,
				p) ?
			       invalid(w, "not an IP address of that family") :
			       0;
	case PROTO_SIG_F_ENDPOINT:
		return parse_endpoint(s, p) ?
			       invalid(w, "not IP:PORT or [IPv6]:PORT") :
			       0;
	default:
		return parse_enum(w, s, f->sub, p);
	}
}

static bool is_string_type(enum proto_sig_ftype t)
{
	return t <= PROTO_SIG_F_ENDPOINT || t == PROTO_SIG_F_ENUM;
}

static int parse_value(struct proto_sig_walk *w,
		       const struct proto_sig_field *f, json_object *v,
		       void *base)
{
	void *p = (char *)base + f->off;
	int64_t i;
	int ret;

	if (is_string_type(f->type)) {
		if (!json_object_is_type(v, json_type_string))
			return wrong_type(w, "a string");
		return parse_string_value(w, f, json_object_get_string(v),
					  (size_t)json_object_get_string_len(v),
					  p);
	}
	switch (f->type) {
	case PROTO_SIG_F_PORT:
		ret = parse_int(w, v, 1, UINT16_MAX, &i);
		if (!ret)
			*(uint16_t *)p = (uint16_t)i;
		return ret;
	case PROTO_SIG_F_TIME:
		return parse_int(w, v, 0, PROTO_SIG_MAX_TIME, p);
	case PROTO_SIG_F_FILTERS:
		return parse_filters(w, f, v, base);
	case PROTO_SIG_F_OBJ:
		return proto_sig_spec_parse(w, f->sub, v, p);
	default:
		return parse_array(w, f, v, base);
	}
}

static int parse_member(struct proto_sig_walk *w,
			const struct proto_sig_field *f, json_object *obj,
			void *dst)
{
	json_object *v = NULL;
	bool has = json_object_object_get_ex(obj, f->key, &v);
	size_t old;
	int ret;

	if (!has || !v) {
		if (f->flags & PROTO_SIG_F_OPTIONAL)
			return 0;
		old = push(w, f->key, 0);
		ret = proto_sig_fail(
			w, -EINVAL, has ? "wrong_type" : "missing_field",
			has ? "null where a value is required" : "missing");
		pop(w, old);
		return ret;
	}
	old = push(w, f->key, 0);
	ret = parse_value(w, f, v, dst);
	pop(w, old);
	return ret;
}

int proto_sig_spec_parse(struct proto_sig_walk *w,
			 const struct proto_sig_spec *spec, json_object *obj,
			 void *dst)
{
	const char *why;

	if (!json_object_is_type(obj, json_type_object))
		return wrong_type(w, "an object");
	for (size_t i = 0; i < spec->n_fields; i++) {
		int ret = parse_member(w, &spec->fields[i], obj, dst);

		if (ret)
			return ret;
	}
	if (spec->check && spec->check(dst, &why))
		return invalid(w, why);
	return 0;
}

/* --- Freeing what parsing allocated --- */

static void free_value(const struct proto_sig_field *f, void *base)
{
	size_t *count = (size_t *)((char *)base + f->n_off);
	char **arr = (char **)((char *)base + f->off);
	const struct proto_sig_field *elem = f->sub;

	if (f->type == PROTO_SIG_F_OBJ) {
		proto_sig_spec_free(f->sub, (char *)base + f->off);
		return;
	}
	if (f->type != PROTO_SIG_F_ARRAY)
		return;
	for (size_t i = 0; *arr && i < *count; i++)
		free_value(elem, *arr + i * f->elem_size);
	/* Peers carry preshared keys. */
	fz_wipe_free(*arr, *count * f->elem_size);
	*arr = NULL;
	*count = 0;
}

void proto_sig_spec_free(const struct proto_sig_spec *spec, void *obj)
{
	for (size_t i = 0; i < spec->n_fields; i++)
		free_value(&spec->fields[i], obj);
}
