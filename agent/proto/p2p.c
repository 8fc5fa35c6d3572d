// SPDX-License-Identifier: GPL-2.0
/*
 * The p2p control codec; see p2p.h. Bodies come from clients, which are
 * authenticated but not trusted: json-c parses exactly the bytes given,
 * with a depth limit, and every field is checked for its JSON type
 * before it is read.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include <json-c/json.h>

#include "p2p.h"

static const char *const drop_names[PROTO_P2P_DROP_MAX] = {
	[PROTO_P2P_OK] = "ok",
	[PROTO_P2P_DROP_TRUNCATED] = "truncated",
	[PROTO_P2P_DROP_OVERSIZED] = "oversized",
	[PROTO_P2P_DROP_BAD_HEADER] = "bad header",
	[PROTO_P2P_DROP_UNKNOWN_EVENT] = "unknown event",
	[PROTO_P2P_DROP_BAD_JSON] = "bad JSON",
	[PROTO_P2P_DROP_BAD_FIELD] = "missing or invalid field",
	[PROTO_P2P_DROP_BAD_PROXY_IP] = "bad proxy IP",
	[PROTO_P2P_DROP_UNEXPECTED] = "unexpected event",
	[PROTO_P2P_DROP_UNKNOWN_CLIENT] = "not a client",
	[PROTO_P2P_DROP_UNAUTHORIZED] = "resource not authorized",
	[PROTO_P2P_DROP_NOT_DNS] = "not a DNS resource",
	[PROTO_P2P_DROP_DOMAIN_MISMATCH] = "domain does not match the resource",
	[PROTO_P2P_DROP_TOO_MANY_LOOKUPS] = "too many lookups in flight",
};

const char *proto_p2p_drop_name(enum proto_p2p_drop reason)
{
	return reason < PROTO_P2P_DROP_MAX ? drop_names[reason] : "unknown";
}

/* --- Decoding --- */

/* One object and nothing after it but white space. */
static struct json_object *parse_body(const uint8_t *body, size_t len)
{
	struct json_tokener *tok = json_tokener_new_ex(PROTO_P2P_MAX_DEPTH);
	struct json_object *obj;
	size_t end;

	if (!tok || memchr(body, '\0', len)) {
		json_tokener_free(tok);
		return NULL;
	}
	obj = json_tokener_parse_ex(tok, (const char *)body, (int)len);
	end = json_tokener_get_parse_end(tok);
	if (json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		obj = NULL;
	}
	for (; obj && end < len; end++)
		if (!isspace(body[end])) {
			json_object_put(obj);
			obj = NULL;
		}
	json_tokener_free(tok);
	return obj;
}

static const char *get_string(struct json_object *obj, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* A name as a resolver takes it: lower case, one trailing dot dropped. */
static bool take_domain(const char *s, char out[FZ_DOMAIN_MAX + 1])
{
	size_t n = s ? strlen(s) : 0;

	if (n && s[n - 1] == '.')
		n--;
	if (!n || n > FZ_DOMAIN_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[n] = '\0';
	return fz_domain_valid(out);
}

static bool parse_ip(const char *s, struct fz_cidr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, out->addr) == 1) {
		out->family = AF_INET;
		out->cidr = 32;
	} else if (inet_pton(AF_INET6, s, out->addr) == 1) {
		out->family = AF_INET6;
		out->cidr = 128;
	} else {
		return false;
	}
	return true;
}

static bool seen_before(const struct proto_p2p_msg *m, const struct fz_cidr *ip)
{
	for (size_t i = 0; i < m->n_proxy_ips; i++)
		if (m->proxy_ips[i].family == ip->family &&
		    !memcmp(m->proxy_ips[i].addr, ip->addr, 16))
			return true;
	return false;
}

static enum proto_p2p_drop take_proxy_ips(struct json_object *obj,
					  struct proto_p2p_msg *m)
{
	struct json_object *list, *item;
	size_t n;

	if (!json_object_object_get_ex(obj, "proxy_ips", &list) ||
	    !json_object_is_type(list, json_type_array))
		return PROTO_P2P_DROP_BAD_FIELD;
	n = json_object_array_length(list);
	if (!n || n > PROTO_P2P_MAX_PROXY_IPS)
		return PROTO_P2P_DROP_BAD_PROXY_IP;
	for (size_t i = 0; i < n; i++) {
		struct fz_cidr *ip = &m->proxy_ips[m->n_proxy_ips];

		item = json_object_array_get_idx(list, i);
		if (!json_object_is_type(item, json_type_string))
			return PROTO_P2P_DROP_BAD_FIELD;
		if (!parse_ip(json_object_get_string(item), ip) ||
		    !fz_cidr_in_mapped(ip) || seen_before(m, ip))
			return PROTO_P2P_DROP_BAD_PROXY_IP;
		m->n_proxy_ips++;
	}
	return PROTO_P2P_OK;
}

static enum proto_p2p_drop take_status(struct json_object *obj,
				       struct proto_p2p_msg *m)
{
	const char *s = get_string(obj, "status");

	if (!s || (strcmp(s, "Active") && strcmp(s, "Inactive")))
		return PROTO_P2P_DROP_BAD_FIELD;
	m->active = !strcmp(s, "Active");
	return PROTO_P2P_OK;
}

static enum proto_p2p_drop decode_body(const uint8_t *body, size_t len,
				       struct proto_p2p_msg *m)
{
	struct json_object *obj = parse_body(body, len);
	const char *id;
	enum proto_p2p_drop ret;

	if (!obj)
		return PROTO_P2P_DROP_BAD_JSON;
	id = get_string(obj, "resource");
	if (!id || fz_uuid_parse(id, m->resource) ||
	    !take_domain(get_string(obj, "domain"), m->domain))
		ret = PROTO_P2P_DROP_BAD_FIELD;
	else if (m->event == PROTO_P2P_ASSIGNED_IPS)
		ret = take_proxy_ips(obj, m);
	else
		ret = take_status(obj, m);
	json_object_put(obj);
	return ret;
}

enum proto_p2p_drop proto_p2p_decode(const uint8_t *packet, size_t len,
				     struct proto_p2p_msg *out)
{
	memset(out, 0, sizeof(*out));
	if (len < PROTO_P2P_HEADER_LEN)
		return PROTO_P2P_DROP_TRUNCATED;
	if (len > FZ_MAX_CONTROL_PAYLOAD)
		return PROTO_P2P_DROP_OVERSIZED;
	for (size_t i = 1; i < PROTO_P2P_HEADER_LEN; i++)
		if (packet[i])
			return PROTO_P2P_DROP_BAD_HEADER;
	switch (packet[0]) {
	case PROTO_P2P_GOODBYE:
		out->event = PROTO_P2P_GOODBYE;
		return PROTO_P2P_OK;
	case PROTO_P2P_ASSIGNED_IPS:
	case PROTO_P2P_DOMAIN_STATUS:
		out->event = packet[0];
		return decode_body(packet + PROTO_P2P_HEADER_LEN,
				   len - PROTO_P2P_HEADER_LEN, out);
	default:
		return PROTO_P2P_DROP_UNKNOWN_EVENT;
	}
}

/* --- Encoding --- */

static int finish(uint8_t *buf, size_t cap, enum proto_p2p_event event,
		  struct json_object *obj)
{
	const char *text;
	size_t n;
	int ret = -ENOMEM;

	text = obj ? json_object_to_json_string_ext(
			     obj, JSON_C_TO_STRING_PLAIN |
					  JSON_C_TO_STRING_NOSLASHESCAPE) :
		     NULL;
	n = text ? strlen(text) : 0;
	if (text && (PROTO_P2P_HEADER_LEN + n > cap ||
		     PROTO_P2P_HEADER_LEN + n > FZ_MAX_CONTROL_PAYLOAD))
		ret = -EINVAL;
	else if (text) {
		memset(buf, 0, PROTO_P2P_HEADER_LEN);
		buf[0] = (uint8_t)event;
		memcpy(buf + PROTO_P2P_HEADER_LEN, text, n);
		ret = (int)(PROTO_P2P_HEADER_LEN + n);
	}
	json_object_put(obj);
	return ret;
}

/* {"resource": id, "domain": domain}, the fields both events share. */
static struct json_object *new_body(const uint8_t id[FZ_RESOURCE_ID_LEN],
				    const char *domain)
{
	struct json_object *obj = json_object_new_object();
	char uuid[37];

	fz_uuid_format(uuid, id);
	if (obj && (json_object_object_add(obj, "resource",
					   json_object_new_string(uuid)) ||
		    json_object_object_add(obj, "domain",
					   json_object_new_string(domain)))) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

int proto_p2p_encode_domain_status(uint8_t *buf, size_t cap,
				   const uint8_t id[FZ_RESOURCE_ID_LEN],
				   const char *domain, bool active)
{
	struct json_object *obj = new_body(id, domain);

	if (obj &&
	    json_object_object_add(
		    obj, "status",
		    json_object_new_string(active ? "Active" : "Inactive"))) {
		json_object_put(obj);
		obj = NULL;
	}
	return finish(buf, cap, PROTO_P2P_DOMAIN_STATUS, obj);
}

int proto_p2p_encode_assigned_ips(uint8_t *buf, size_t cap,
				  const uint8_t id[FZ_RESOURCE_ID_LEN],
				  const char *domain, const struct fz_cidr *ips,
				  size_t n)
{
	struct json_object *obj = new_body(id, domain);
	struct json_object *list = json_object_new_array();
	char text[INET6_ADDRSTRLEN];

	for (size_t i = 0; list && i < n; i++) {
		inet_ntop(ips[i].family, ips[i].addr, text, sizeof(text));
		if (json_object_array_add(list, json_object_new_string(text))) {
			json_object_put(list);
			list = NULL;
		}
	}
	if (obj && (!list || json_object_object_add(obj, "proxy_ips", list))) {
		json_object_put(obj);
		obj = NULL;
	} else if (!obj) {
		json_object_put(list);
	}
	return finish(buf, cap, PROTO_P2P_ASSIGNED_IPS, obj);
}

int proto_p2p_encode_goodbye(uint8_t *buf, size_t cap)
{
	if (cap < PROTO_P2P_HEADER_LEN)
		return -EINVAL;
	memset(buf, 0, PROTO_P2P_HEADER_LEN);
	buf[0] = PROTO_P2P_GOODBYE;
	return PROTO_P2P_HEADER_LEN;
}
