// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cond.h"

/* Array > object > values array, and one level of slack. */
#define MAX_DEPTH 4
#define FIELD_LEN sizeof(((struct policy_error *)0)->field)

static const char *const prop_names[POLICY_PROP_MAX] = {
	[POLICY_PROP_REMOTE_IP] = "remote_ip",
	[POLICY_PROP_PROVIDER_ID] = "provider_id",
	[POLICY_PROP_CLIENT_VERIFIED] = "client_verified",
	[POLICY_PROP_DATETIME] = "current_utc_datetime",
};

static const char *const op_names[POLICY_OP_MAX] = {
	[POLICY_OP_IS_IN_CIDR] = "is_in_cidr",
	[POLICY_OP_IS_NOT_IN_CIDR] = "is_not_in_cidr",
	[POLICY_OP_IS_IN] = "is_in",
	[POLICY_OP_IS_NOT_IN] = "is_not_in",
	[POLICY_OP_IS] = "is",
	[POLICY_OP_IN_TIME_RANGES] = "is_in_day_of_week_time_ranges",
};

/* The operators each property takes: a second of -1 means none. */
static const int prop_ops[POLICY_PROP_MAX][2] = {
	[POLICY_PROP_REMOTE_IP] = { POLICY_OP_IS_IN_CIDR,
				    POLICY_OP_IS_NOT_IN_CIDR },
	[POLICY_PROP_PROVIDER_ID] = { POLICY_OP_IS_IN, POLICY_OP_IS_NOT_IN },
	[POLICY_PROP_CLIENT_VERIFIED] = { POLICY_OP_IS, -1 },
	[POLICY_PROP_DATETIME] = { POLICY_OP_IN_TIME_RANGES, -1 },
};

const char *policy_prop_name(enum policy_prop p)
{
	return (unsigned int)p < POLICY_PROP_MAX ? prop_names[p] : "unknown";
}

const char *policy_op_name(enum policy_op o)
{
	return (unsigned int)o < POLICY_OP_MAX ? op_names[o] : "unknown";
}

/* --- Errors --- */

__attribute__((format(printf, 3, 4))) static int
refuse(struct policy_error *err, const char *field, const char *fmt, ...)
{
	va_list ap;

	snprintf(err->field, sizeof(err->field), "%s", field);
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* "conditions[i]" + suffix, e.g. ".values[2]". */
__attribute__((format(printf, 3, 4))) static const char *
field(char *buf, unsigned int i, const char *fmt, ...)
{
	char sub[24];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sub, sizeof(sub), fmt, ap);
	va_end(ap);
	snprintf(buf, FIELD_LEN, "conditions[%u]%s", i, sub);
	return buf;
}

/* --- One value, by property --- */

static int check_cidr(struct policy_cond *c, unsigned int j, const char *v,
		      char *why, size_t wl)
{
	struct fz_cidr *p = &c->cidrs[j];
	const char *msg;

	if (fz_cidr_parse(p, v, strlen(v), &msg)) {
		snprintf(why, wl, "\"%s\": %s", v, msg);
		return -EINVAL;
	}
	if (!fz_cidr_host_bits_clear(p)) {
		snprintf(why, wl, "\"%s\": host bits set past /%u", v, p->cidr);
		return -EINVAL;
	}
	return 0;
}

static int check_provider(struct policy_cond *c, unsigned int j, const char *v,
			  char *why, size_t wl)
{
	(void)c;
	(void)j;
	for (const char *p = v; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._:@-", *p)) {
			snprintf(why, wl,
				 "\"%s\": a provider id is [A-Za-z0-9._:@-]",
				 v);
			return -EINVAL;
		}
	return 0;
}

static int check_verified(struct policy_cond *c, unsigned int j, const char *v,
			  char *why, size_t wl)
{
	if (c->n != 1 || j || strcmp(v, "true")) {
		snprintf(why, wl, "client_verified takes exactly [\"true\"]");
		return -EINVAL;
	}
	return 0;
}

static int check_window(struct policy_cond *c, unsigned int j, const char *v,
			char *why, size_t wl)
{
	return policy_window_parse(&c->windows[j], v, why, wl);
}

typedef int (*check_fn)(struct policy_cond *c, unsigned int j, const char *v,
			char *why, size_t wl);

static const check_fn prop_check[POLICY_PROP_MAX] = {
	[POLICY_PROP_REMOTE_IP] = check_cidr,
	[POLICY_PROP_PROVIDER_ID] = check_provider,
	[POLICY_PROP_CLIENT_VERIFIED] = check_verified,
	[POLICY_PROP_DATETIME] = check_window,
};

/* --- One condition --- */

static int lookup(const char *const *names, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

/* obj[key] as a string, or a refusal naming conditions[i].key. */
static int get_string(struct json_object *obj, const char *key, unsigned int i,
		      const char **out, struct policy_error *err)
{
	struct json_object *v;
	char f[FIELD_LEN];

	if (!json_object_object_get_ex(obj, key, &v))
		return refuse(err, field(f, i, ".%s", key), "missing");
	if (!json_object_is_type(v, json_type_string))
		return refuse(err, field(f, i, ".%s", key), "not a string");
	*out = json_object_get_string(v);
	return 0;
}

static int parse_prop_op(struct policy_cond *c, struct json_object *obj,
			 unsigned int i, struct policy_error *err)
{
	const char *prop, *op;
	char f[FIELD_LEN];
	int p, o;

	if (get_string(obj, "property", i, &prop, err) ||
	    get_string(obj, "operator", i, &op, err))
		return -EINVAL;
	p = lookup(prop_names, POLICY_PROP_MAX, prop);
	if (p < 0)
		return refuse(
			err, field(f, i, ".property"),
			"unknown property \"%.64s\" (remote_ip, provider_id, client_verified or current_utc_datetime)",
			prop);
	o = lookup(op_names, POLICY_OP_MAX, op);
	if (o < 0 || (o != prop_ops[p][0] && o != prop_ops[p][1]))
		return refuse(err, field(f, i, ".operator"),
			      "\"%.40s\" does not apply to %s (use %s%s%s)", op,
			      prop_names[p], op_names[prop_ops[p][0]],
			      prop_ops[p][1] < 0 ? "" : " or ",
			      prop_ops[p][1] < 0 ? "" :
						   op_names[prop_ops[p][1]]);
	c->prop = (enum policy_prop)p;
	c->op = (enum policy_op)o;
	return 0;
}

static int check_keys(struct json_object *obj, unsigned int i,
		      struct policy_error *err)
{
	char f[FIELD_LEN];

	json_object_object_foreach(obj, key, val)
	{
		(void)val;
		if (strcmp(key, "property") && strcmp(key, "operator") &&
		    strcmp(key, "values"))
			return refuse(
				err, field(f, i, ".%.16s", key),
				"unknown key (property, operator, values)");
	}
	return 0;
}

static int alloc_values(struct policy_cond *c, size_t n)
{
	c->n = (unsigned int)n;
	c->values = calloc(n, sizeof(*c->values));
	if (c->prop == POLICY_PROP_REMOTE_IP)
		c->cidrs = calloc(n, sizeof(*c->cidrs));
	if (c->prop == POLICY_PROP_DATETIME)
		c->windows = calloc(n, sizeof(*c->windows));
	if (!c->values || (c->prop == POLICY_PROP_REMOTE_IP && !c->cidrs) ||
	    (c->prop == POLICY_PROP_DATETIME && !c->windows))
		return -ENOMEM;
	return 0;
}

static int parse_value(struct policy_cond *c, struct json_object *v,
		       unsigned int i, unsigned int j, struct policy_error *err)
{
	char f[FIELD_LEN], why[200];
	const char *s;
	size_t len;

	field(f, i, ".values[%u]", j);
	if (!json_object_is_type(v, json_type_string))
		return refuse(err, f, "not a string");
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (!len || len > POLICY_VALUE_LEN_MAX || strlen(s) != len)
		return refuse(err, f,
			      "empty, longer than %d bytes or with a NUL",
			      POLICY_VALUE_LEN_MAX);
	if (prop_check[c->prop](c, j, s, why, sizeof(why)))
		return refuse(err, f, "%s", why);
	c->values[j] = strdup(s);
	return c->values[j] ? 0 : -ENOMEM;
}

static int parse_values(struct policy_cond *c, struct json_object *obj,
			unsigned int i, struct policy_error *err)
{
	struct json_object *arr;
	char f[FIELD_LEN];
	size_t n;
	int ret;

	field(f, i, ".values");
	if (!json_object_object_get_ex(obj, "values", &arr))
		return refuse(err, f, "missing");
	if (!json_object_is_type(arr, json_type_array))
		return refuse(err, f, "not an array");
	n = json_object_array_length(arr);
	if (!n)
		return refuse(err, f, "empty: a condition needs a value");
	if (n > POLICY_VALUES_MAX)
		return refuse(err, f, "more than %d values", POLICY_VALUES_MAX);
	ret = alloc_values(c, n);
	for (unsigned int j = 0; !ret && j < n; j++)
		ret = parse_value(c, json_object_array_get_idx(arr, j), i, j,
				  err);
	return ret;
}

static int parse_cond(struct policy_cond *c, struct json_object *obj,
		      unsigned int i, struct policy_error *err)
{
	char f[FIELD_LEN];

	if (!json_object_is_type(obj, json_type_object))
		return refuse(err, field(f, i, "%s", ""), "not an object");
	if (check_keys(obj, i, err) || parse_prop_op(c, obj, i, err))
		return -EINVAL;
	return parse_values(c, obj, i, err);
}

/* --- The list --- */

static void cond_free(struct policy_cond *c)
{
	for (unsigned int j = 0; c->values && j < c->n; j++)
		free(c->values[j]);
	free(c->values);
	free(c->cidrs);
	free(c->windows);
}

void policy_conds_free(struct policy_conds *c)
{
	for (unsigned int i = 0; c->c && i < c->n; i++)
		cond_free(&c->c[i]);
	free(c->c);
	c->c = NULL;
	c->n = 0;
}

int policy_conds_from_json(struct policy_conds *out, struct json_object *arr,
			   struct policy_error *err)
{
	size_t n;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (!json_object_is_type(arr, json_type_array))
		return refuse(err, "conditions", "not a JSON array");
	n = json_object_array_length(arr);
	if (n > POLICY_CONDS_MAX)
		return refuse(err, "conditions", "more than %d conditions",
			      POLICY_CONDS_MAX);
	out->c = calloc(n ? n : 1, sizeof(*out->c));
	if (!out->c)
		return -ENOMEM;
	out->n = (unsigned int)n;
	for (unsigned int i = 0; !ret && i < n; i++)
		ret = parse_cond(&out->c[i], json_object_array_get_idx(arr, i),
				 i, err);
	if (ret)
		policy_conds_free(out);
	return ret;
}

int policy_conds_parse(struct policy_conds *out, const char *text, size_t len,
		       struct policy_error *err)
{
	struct json_tokener *tok;
	struct json_object *arr;
	int ret;

	memset(out, 0, sizeof(*out));
	if (len > POLICY_CONDS_TEXT_MAX)
		return refuse(err, "conditions", "longer than %d bytes",
			      POLICY_CONDS_TEXT_MAX);
	if (memchr(text, '\0', len))
		return refuse(err, "conditions", "not valid JSON: a NUL byte");
	tok = json_tokener_new_ex(MAX_DEPTH);
	if (!tok)
		return -ENOMEM;
	arr = json_tokener_parse_ex(tok, text, (int)len);
	if (json_tokener_get_error(tok) == json_tokener_continue) {
		ret = refuse(err, "conditions", "not valid JSON: truncated");
	} else if (json_tokener_get_error(tok) != json_tokener_success) {
		ret = refuse(
			err, "conditions", "not valid JSON: %s",
			json_tokener_error_desc(json_tokener_get_error(tok)));
	} else if (strspn(text + json_tokener_get_parse_end(tok), " \t\r\n") !=
		   len - json_tokener_get_parse_end(tok)) {
		ret = refuse(err, "conditions",
			     "not valid JSON: text after the array");
	} else {
		ret = policy_conds_from_json(out, arr, err);
	}
	json_object_put(arr);
	json_tokener_free(tok);
	return ret;
}

/* --- Writing --- */

static struct json_object *cond_to_json(const struct policy_cond *c)
{
	struct json_object *o = json_object_new_object();
	struct json_object *vals = json_object_new_array();

	if (!o || !vals) {
		json_object_put(o);
		json_object_put(vals);
		return NULL;
	}
	json_object_object_add(o, "property",
			       json_object_new_string(prop_names[c->prop]));
	json_object_object_add(o, "operator",
			       json_object_new_string(op_names[c->op]));
	for (unsigned int j = 0; j < c->n; j++)
		json_object_array_add(vals,
				      json_object_new_string(c->values[j]));
	json_object_object_add(o, "values", vals);
	return o;
}

struct json_object *policy_conds_to_json(const struct policy_conds *c)
{
	struct json_object *arr = json_object_new_array();

	for (unsigned int i = 0; arr && i < c->n; i++) {
		struct json_object *o = cond_to_json(&c->c[i]);

		if (!o) {
			json_object_put(arr);
			return NULL;
		}
		json_object_array_add(arr, o);
	}
	return arr;
}

char *policy_conds_format(const struct policy_conds *c)
{
	struct json_object *arr = policy_conds_to_json(c);
	char *text;

	if (!arr)
		return NULL;
	/* Zone names have slashes: "Europe/Berlin", not "Europe\/Berlin". */
	text = strdup(json_object_to_json_string_ext(
		arr, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(arr);
	return text;
}
