// SPDX-License-Identifier: GPL-2.0
/*
 * `fzagent show` on a client: each resource with its state, each DNS
 * name asked with its mapped IPs; as text or JSON (json-c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "resources.h"

static void ip_text(const struct fz_cidr *c, char out[INET6_ADDRSTRLEN])
{
	if (!inet_ntop(c->family, c->addr, out, INET6_ADDRSTRLEN))
		snprintf(out, INET6_ADDRSTRLEN, "?");
}

static void addr_text(const struct fz_resaddr *a, char *out, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	if (a->type == FZ_RESADDR_DNS) {
		snprintf(out, len, "%s", a->domain);
		return;
	}
	ip_text(&a->cidr, ip);
	snprintf(out, len, "%s/%u", ip, a->cidr.cidr);
}

static json_object *name_json(const struct client_res_name *n)
{
	json_object *o = json_object_new_object(),
		    *ips = json_object_new_array();
	char ip[INET6_ADDRSTRLEN];

	for (size_t i = 0; i < CLIENT_MAPPED_PER_FAMILY; i++) {
		ip_text(&n->e->v4[i], ip);
		json_object_array_add(ips, json_object_new_string(ip));
	}
	for (size_t i = 0; i < CLIENT_MAPPED_PER_FAMILY; i++) {
		ip_text(&n->e->v6[i], ip);
		json_object_array_add(ips, json_object_new_string(ip));
	}
	json_object_object_add(o, "name", json_object_new_string(n->name));
	json_object_object_add(o, "mapped_ips", ips);
	json_object_object_add(o, "status",
			       json_object_new_string(n->active	  ? "active" :
						      n->inactive ? "inactive" :
								    "pending"));
	return o;
}

static json_object *res_json(const struct client_resource *r)
{
	json_object *o = json_object_new_object(), *names;
	char addr[FZ_DOMAIN_MAX + 8];

	addr_text(&r->addr, addr, sizeof(addr));
	json_object_object_add(o, "id", json_object_new_string(r->id.s));
	json_object_object_add(o, "name", json_object_new_string(r->name));
	json_object_object_add(
		o, "type",
		json_object_new_string(fz_resaddr_type_name(r->addr.type)));
	json_object_object_add(o, "address", json_object_new_string(addr));
	json_object_object_add(
		o, "state",
		json_object_new_string(client_res_state_name(r->state)));
	if (r->gw) {
		json_object_object_add(o, "gateway",
				       json_object_new_string(r->gw->id.s));
		json_object_object_add(
			o, "site", json_object_new_string(r->gw->site_id.s));
		json_object_object_add(
			o, "expires_at",
			json_object_new_int64(
				(int64_t)(r->expires_ns / 1000000000ULL)));
	}
	if (r->addr.type == FZ_RESADDR_DNS) {
		names = json_object_new_array();
		for (size_t i = 0; i < r->n_names; i++)
			json_object_array_add(names, name_json(&r->names[i]));
		json_object_object_add(o, "names", names);
	}
	return o;
}

static int format_json(const struct client_res *c, char *out, size_t outlen)
{
	json_object *o = json_object_new_object(), *list;
	const char *text;
	int n;

	if (!o)
		return -ENOMEM;
	list = json_object_new_array();
	for (size_t i = 0; i < c->n_res; i++)
		json_object_array_add(list, res_json(&c->res[i]));
	json_object_object_add(o, "resources", list);
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	n = snprintf(out, outlen, "%s\n", text ? text : "{}");
	json_object_put(o);
	return n < 0 || (size_t)n >= outlen ? -ENOSPC : n;
}

static int put(char *out, size_t outlen, size_t *used, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int put(char *out, size_t outlen, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out + *used, outlen - *used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= outlen - *used)
		return -ENOSPC;
	*used += (size_t)n;
	return 0;
}

static int format_name(const struct client_res_name *n, char *out,
		       size_t outlen, size_t *used)
{
	char ip[INET6_ADDRSTRLEN];
	int ret = put(out, outlen, used, "    name %s (%s):", n->name,
		      n->active	  ? "active" :
		      n->inactive ? "inactive" :
				    "pending");

	for (size_t i = 0; !ret && i < CLIENT_MAPPED_PER_FAMILY; i++) {
		ip_text(&n->e->v4[i], ip);
		ret = put(out, outlen, used, " %s", ip);
	}
	for (size_t i = 0; !ret && i < CLIENT_MAPPED_PER_FAMILY; i++) {
		ip_text(&n->e->v6[i], ip);
		ret = put(out, outlen, used, " %s", ip);
	}
	return ret ? ret : put(out, outlen, used, "\n");
}

static int format_text(const struct client_res *c, char *out, size_t outlen)
{
	char addr[FZ_DOMAIN_MAX + 8];
	size_t used = 0;
	int ret = 0;

	out[0] = '\0';
	for (size_t i = 0; !ret && i < c->n_res; i++) {
		const struct client_resource *r = &c->res[i];

		addr_text(&r->addr, addr, sizeof(addr));
		ret = put(out, outlen, &used, "resource %s (%s) %s %s: %s",
			  r->name, r->id.s, fz_resaddr_type_name(r->addr.type),
			  addr, client_res_state_name(r->state));
		if (!ret && r->gw)
			ret = put(out, outlen, &used,
				  " via gateway %s, expires at %" PRIu64,
				  r->gw->id.s,
				  (uint64_t)(r->expires_ns / 1000000000ULL));
		if (!ret)
			ret = put(out, outlen, &used, "\n");
		for (size_t k = 0; !ret && k < r->n_names; k++)
			ret = format_name(&r->names[k], out, outlen, &used);
	}
	return ret ? ret : (int)used;
}

int client_res_format(const struct client_res *c, bool json, char *out,
		      size_t outlen)
{
	if (!outlen)
		return -ENOSPC;
	return json ? format_json(c, out, outlen) : format_text(c, out, outlen);
}
