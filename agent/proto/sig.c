// SPDX-License-Identifier: GPL-2.0
/*
 * The signalling messages: one field table per payload (sig_field.h) and
 * the frame around it; see sig.h. The tables follow portal/PLAN.md
 * section 5; a member not in a table is ignored, so either side may add
 * one without breaking the other.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sig_field.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof(*(a)))

#define FIELD(st, k, t, fl)                                        \
	{                                                          \
		.key = #k, .type = PROTO_SIG_F_##t, .flags = (fl), \
		.off = offsetof(st, k)                             \
	}
#define FIELD_SUB(st, k, t, s)                                              \
	{                                                                   \
		.key = #k, .type = PROTO_SIG_F_##t, .off = offsetof(st, k), \
		.sub = (s)                                                  \
	}
#define FIELD_FILTERS(st, k)                                         \
	{                                                            \
		.key = #k, .type = PROTO_SIG_F_FILTERS,              \
		.off = offsetof(st, k), .n_off = offsetof(st, n_##k) \
	}
#define FIELD_ARRAY(st, k, elem)                                              \
	{                                                                     \
		.key = #k, .type = PROTO_SIG_F_ARRAY, .off = offsetof(st, k), \
		.n_off = offsetof(st, n_##k),                                 \
		.elem_size = sizeof(*((st *)0)->k), .sub = &(elem)            \
	}
#define SPEC(name, check)                                                     \
	static const struct proto_sig_spec name = { name##_fields,            \
						    ARRAY_LEN(name##_fields), \
						    (check) }

/* Array elements: a value at the start of each element. */
static const struct proto_sig_field elem_uuid = { .type = PROTO_SIG_F_UUID };
static const struct proto_sig_field elem_ip = { .type = PROTO_SIG_F_IP };
static const struct proto_sig_field elem_endpoint = {
	.type = PROTO_SIG_F_ENDPOINT
};

static const char *const resource_types[] = {
	[FZ_RESADDR_DNS] = "dns",
	[FZ_RESADDR_CIDR] = "cidr",
	[FZ_RESADDR_IP] = "ip",
	NULL,
};
static const char *const statuses[] = { "ok", "error", NULL };
static const char *const fail_reasons[] = {
	[PROTO_SIG_NOT_FOUND] = "not_found",
	[PROTO_SIG_FORBIDDEN] = "forbidden",
	[PROTO_SIG_OFFLINE] = "offline",
	NULL,
};

/* --- To the portal --- */

#define ST struct proto_sig_gateway_join
static const struct proto_sig_field gateway_join_fields[] = {
	FIELD(ST, public_key, KEY, 0),
	FIELD(ST, listen_port, PORT, 0),
	FIELD_ARRAY(ST, endpoints, elem_endpoint),
	FIELD(ST, name, STR, 0),
	FIELD(ST, version, STR, 0),
};
#undef ST
SPEC(gateway_join, NULL);

#define ST struct proto_sig_client_join
static const struct proto_sig_field client_join_fields[] = {
	FIELD(ST, public_key, KEY, 0),
	FIELD(ST, name, STR, 0),
	FIELD(ST, version, STR, 0),
};
#undef ST
SPEC(client_join, NULL);

static const struct proto_sig_spec empty = { NULL, 0, NULL };

#define ST struct proto_sig_request_authorization
static const struct proto_sig_field request_authorization_fields[] = {
	FIELD(ST, resource_id, UUID, 0),
	FIELD_ARRAY(ST, connected_gateway_ids, elem_uuid),
	FIELD_ARRAY(ST, failed_gateway_ids, elem_uuid),
};
#undef ST
SPEC(request_authorization, NULL);

static const struct proto_sig_field authorization_ack_fields[] = {
	FIELD(struct proto_sig_authorization_ack, ref, UUID, 0),
};
SPEC(authorization_ack, NULL);

/* --- From the portal: the parts --- */

/* "response" shares the reply's struct: its members are the reply's. */
static const struct proto_sig_field response_fields[] = {
	FIELD(struct proto_sig_reply, reason, STR, PROTO_SIG_F_OPTIONAL),
};
SPEC(response, NULL);

static const struct proto_sig_field reply_fields[] = {
	FIELD_SUB(struct proto_sig_reply, status, ENUM, statuses),
	{ .key = "response", .type = PROTO_SIG_F_OBJ, .sub = &response },
};
SPEC(reply, NULL);

#define ST struct proto_sig_interface
static const struct proto_sig_field gateway_interface_fields[] = {
	FIELD(ST, ipv4, IP4, 0),
	FIELD(ST, ipv6, IP6, 0),
};
SPEC(gateway_interface, NULL);

static const struct proto_sig_field client_interface_fields[] = {
	FIELD(ST, ipv4, IP4, 0),
	FIELD(ST, ipv6, IP6, 0),
	FIELD_ARRAY(ST, upstream_dns, elem_ip),
	FIELD(ST, search_domain, STR, PROTO_SIG_F_OPTIONAL),
};
#undef ST
SPEC(client_interface, NULL);

#define ST struct proto_sig_site
static const struct proto_sig_field site_fields[] = {
	FIELD(ST, id, UUID, 0),
	FIELD(ST, name, STR, 0),
};
#undef ST
SPEC(site, NULL);
static const struct proto_sig_field elem_site = { .type = PROTO_SIG_F_OBJ,
						  .sub = &site };

/* The address as the gateway's file and the portal's admin take it. */
static int check_resource(const void *obj, const char **why)
{
	const struct proto_sig_resource *r = obj;
	struct fz_resaddr addr;

	if (!r->address) {
		*why = "address missing";
		return -EINVAL;
	}
	return fz_resaddr_parse(r->type, r->address, &addr, why);
}

#define ST struct proto_sig_resource
static const struct proto_sig_field gateway_resource_fields[] = {
	FIELD(ST, id, UUID, 0),
	FIELD(ST, name, STR, 0),
	FIELD_SUB(ST, type, ENUM, resource_types),
	FIELD(ST, address, STR, 0),
	FIELD_FILTERS(ST, filters),
};
SPEC(gateway_resource, check_resource);

static const struct proto_sig_field client_resource_fields[] = {
	FIELD(ST, id, UUID, 0),
	FIELD(ST, name, STR, 0),
	FIELD_SUB(ST, type, ENUM, resource_types),
	FIELD(ST, address, STR, 0),
	FIELD(ST, address_description, STR, PROTO_SIG_F_OPTIONAL),
	FIELD_ARRAY(ST, sites, elem_site),
	FIELD_FILTERS(ST, filters),
};
#undef ST
SPEC(client_resource, check_resource);
static const struct proto_sig_field elem_client_resource = {
	.type = PROTO_SIG_F_OBJ,
	.sub = &client_resource
};

#define ST struct proto_sig_peer
static const struct proto_sig_field peer_fields[] = {
	FIELD(ST, id, UUID, 0),		  FIELD(ST, public_key, KEY, 0),
	FIELD(ST, preshared_key, KEY, 0), FIELD(ST, ipv4, IP4, 0),
	FIELD(ST, ipv6, IP6, 0),
};
#undef ST
SPEC(peer, NULL);

#define ST struct proto_sig_authorization
static const struct proto_sig_field create_authorization_fields[] = {
	FIELD(ST, ref, UUID, 0),
	FIELD_SUB(ST, client, OBJ, &peer),
	FIELD_SUB(ST, resource, OBJ, &gateway_resource),
	FIELD(ST, expires_at, TIME, 0),
};
SPEC(create_authorization, NULL);

/* In init: no ref, the authorization is not being created. */
static const struct proto_sig_field held_authorization_fields[] = {
	FIELD_SUB(ST, client, OBJ, &peer),
	FIELD_SUB(ST, resource, OBJ, &gateway_resource),
	FIELD(ST, expires_at, TIME, 0),
};
#undef ST
SPEC(held_authorization, NULL);
static const struct proto_sig_field elem_held_authorization = {
	.type = PROTO_SIG_F_OBJ,
	.sub = &held_authorization
};

/* --- From the portal: the messages --- */

#define ST struct proto_sig_gateway_init
static const struct proto_sig_field gateway_init_fields[] = {
	FIELD_SUB(ST, interface, OBJ, &gateway_interface),
	FIELD_ARRAY(ST, authorizations, elem_held_authorization),
};
#undef ST
SPEC(gateway_init, NULL);

#define ST struct proto_sig_reject_access
static const struct proto_sig_field reject_access_fields[] = {
	FIELD(ST, client_id, UUID, 0),
	FIELD(ST, resource_id, UUID, 0),
};
#undef ST
SPEC(reject_access, NULL);

#define ST struct proto_sig_resource_updated
static const struct proto_sig_field resource_updated_fields[] = {
	FIELD(ST, id, UUID, 0),
	FIELD_FILTERS(ST, filters),
};
#undef ST
SPEC(resource_updated, NULL);

static const struct proto_sig_field disconnect_fields[] = {
	FIELD(struct proto_sig_disconnect, reason, STR, 0),
};
SPEC(disconnect, NULL);

#define ST struct proto_sig_client_init
static const struct proto_sig_field client_init_fields[] = {
	FIELD_SUB(ST, interface, OBJ, &client_interface),
	FIELD_ARRAY(ST, resources, elem_client_resource),
};
#undef ST
SPEC(client_init, NULL);

#define ST struct proto_sig_authorization_created
static const struct proto_sig_field authorization_created_fields[] = {
	FIELD(ST, resource_id, UUID, 0),
	FIELD(ST, gateway_id, UUID, 0),
	FIELD(ST, gateway_public_key, KEY, 0),
	FIELD_ARRAY(ST, gateway_endpoints, elem_endpoint),
	FIELD(ST, gateway_ipv4, IP4, 0),
	FIELD(ST, gateway_ipv6, IP6, 0),
	FIELD(ST, site_id, UUID, 0),
	FIELD(ST, preshared_key, KEY, 0),
	FIELD(ST, expires_at, TIME, 0),
};
#undef ST
SPEC(authorization_created, NULL);

#define ST struct proto_sig_authorization_creation_failed
static const struct proto_sig_field authorization_creation_failed_fields[] = {
	FIELD(ST, resource_id, UUID, 0),
	FIELD_SUB(ST, reason, ENUM, fail_reasons),
};
#undef ST
SPEC(authorization_creation_failed, NULL);

static const struct proto_sig_field resource_deleted_fields[] = {
	FIELD(struct proto_sig_resource_deleted, id, UUID, 0),
};
SPEC(resource_deleted, NULL);

/* --- The kinds --- */

#define GW (1u << PROTO_SIG_GATEWAY)
#define CL (1u << PROTO_SIG_CLIENT)

static const struct kind {
	const char *event;
	const char *topic; /* built with it when the message names none */
	bool fixed_topic; /* and refused with any other */
	enum proto_sig_dir dir;
	unsigned int roles;
	const struct proto_sig_spec *spec;
} kinds[PROTO_SIG_KIND_COUNT] = {
	[PROTO_SIG_GATEWAY_JOIN] = { "phx_join", "gateway", true,
				     PROTO_SIG_TO_PORTAL, GW, &gateway_join },
	[PROTO_SIG_CLIENT_JOIN] = { "phx_join", "client", true,
				    PROTO_SIG_TO_PORTAL, CL, &client_join },
	[PROTO_SIG_HEARTBEAT] = { "heartbeat", "phoenix", true,
				  PROTO_SIG_TO_PORTAL, GW | CL, &empty },
	[PROTO_SIG_REQUEST_AUTHORIZATION] = { "request_authorization", "client",
					      false, PROTO_SIG_TO_PORTAL, CL,
					      &request_authorization },
	[PROTO_SIG_AUTHORIZATION_ACK] = { "authorization_created", "gateway",
					  false, PROTO_SIG_TO_PORTAL, GW,
					  &authorization_ack },
	[PROTO_SIG_REPLY] = { "phx_reply", "phoenix", false,
			      PROTO_SIG_FROM_PORTAL, GW | CL, &reply },
	[PROTO_SIG_GATEWAY_INIT] = { "init", "gateway", false,
				     PROTO_SIG_FROM_PORTAL, GW, &gateway_init },
	[PROTO_SIG_CREATE_AUTHORIZATION] = { "create_authorization", "gateway",
					     false, PROTO_SIG_FROM_PORTAL, GW,
					     &create_authorization },
	[PROTO_SIG_REJECT_ACCESS] = { "reject_access", "gateway", false,
				      PROTO_SIG_FROM_PORTAL, GW,
				      &reject_access },
	[PROTO_SIG_RESOURCE_UPDATED] = { "resource_updated", "gateway", false,
					 PROTO_SIG_FROM_PORTAL, GW,
					 &resource_updated },
	[PROTO_SIG_DISCONNECT] = { "disconnect", "gateway", false,
				   PROTO_SIG_FROM_PORTAL, GW | CL,
				   &disconnect },
	[PROTO_SIG_CLIENT_INIT] = { "init", "client", false,
				    PROTO_SIG_FROM_PORTAL, CL, &client_init },
	[PROTO_SIG_AUTHORIZATION_CREATED] = { "authorization_created", "client",
					      false, PROTO_SIG_FROM_PORTAL, CL,
					      &authorization_created },
	[PROTO_SIG_AUTHORIZATION_CREATION_FAILED] = { "authorization_creation_failed",
						      "client", false,
						      PROTO_SIG_FROM_PORTAL, CL,
						      &authorization_creation_failed },
	[PROTO_SIG_RESOURCE_CREATED_OR_UPDATED] = { "resource_created_or_updated",
						    "client", false,
						    PROTO_SIG_FROM_PORTAL, CL,
						    &client_resource },
	[PROTO_SIG_RESOURCE_DELETED] = { "resource_deleted", "client", false,
					 PROTO_SIG_FROM_PORTAL, CL,
					 &resource_deleted },
	[PROTO_SIG_INIT_DONE] = { "init_done", "gateway", false,
				  PROTO_SIG_FROM_PORTAL, GW | CL, &empty },
};

const char *proto_sig_event_name(enum proto_sig_kind kind)
{
	return (unsigned int)kind < PROTO_SIG_KIND_COUNT ? kinds[kind].event :
							   NULL;
}

static int find_kind(enum proto_sig_dir dir, enum proto_sig_role role,
		     const char *event)
{
	for (int k = 0; k < PROTO_SIG_KIND_COUNT; k++)
		if (kinds[k].dir == dir && (kinds[k].roles & (1u << role)) &&
		    !strcmp(kinds[k].event, event))
			return k;
	return -1;
}

static void *payload_of(const struct proto_sig_msg *m)
{
	return (char *)m + offsetof(struct proto_sig_msg, gateway_join);
}

/* --- Parsing a frame --- */

static bool only_space(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!isspace((unsigned char)s[i]))
			return false;
	return true;
}

static int tokenize(struct proto_sig_walk *w, const char *buf, size_t len,
		    json_object **root)
{
	/* json-c refuses at its depth, not past it: 8 levels need 9. */
	struct json_tokener *tok = json_tokener_new_ex(PROTO_SIG_MAX_DEPTH + 1);
	enum json_tokener_error jerr;
	int ret = 0;

	if (!tok)
		return proto_sig_fail(w, -ENOMEM, "no_memory", "out of memory");
	*root = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	if (jerr == json_tokener_error_depth)
		ret = proto_sig_fail(w, -EINVAL, "too_deep",
				     "nested deeper than 8");
	else if (jerr != json_tokener_success)
		ret = proto_sig_fail(w, -EINVAL, "invalid_json",
				     jerr == json_tokener_continue ?
					     "truncated JSON" :
					     json_tokener_error_desc(jerr));
	else if (!only_space(buf + json_tokener_get_parse_end(tok),
			     len - json_tokener_get_parse_end(tok)))
		ret = proto_sig_fail(w, -EINVAL, "invalid_json",
				     "text after the JSON value");
	json_tokener_free(tok);
	if (ret) {
		json_object_put(*root);
		*root = NULL;
	}
	return ret;
}

/* A member of the frame: a string (or, optional, absent or null). */
static int frame_string(struct proto_sig_walk *w, json_object *root,
			const char *key, bool optional, const char **out)
{
	json_object *v = NULL;

	*out = NULL;
	if (!json_object_object_get_ex(root, key, &v) || !v) {
		if (optional)
			return 0;
		w->path_len =
			(size_t)snprintf(w->path, sizeof(w->path), "%s", key);
		return proto_sig_fail(w, -EINVAL, "missing_field", "missing");
	}
	if (json_object_is_type(v, json_type_string)) {
		*out = json_object_get_string(v);
		return 0;
	}
	w->path_len = (size_t)snprintf(w->path, sizeof(w->path), "%s", key);
	return proto_sig_fail(w, -EINVAL, "wrong_type", "not a string");
}

static int read_kind(struct proto_sig_walk *w, enum proto_sig_dir dir,
		     enum proto_sig_role role, json_object *root,
		     struct proto_sig_msg *out)
{
	const char *event;
	int ret, k;

	if (!json_object_is_type(root, json_type_object))
		return proto_sig_fail(w, -EINVAL, "not_an_object",
				      "a frame is a JSON object");
	ret = frame_string(w, root, "event", false, &event);
	if (!ret)
		ret = frame_string(w, root, "topic", false, &out->topic);
	if (!ret)
		ret = frame_string(w, root, "ref", true, &out->ref);
	if (ret)
		return ret;
	k = find_kind(dir, role, event);
	if (k < 0)
		return proto_sig_fail(w, -EINVAL, "unknown_event",
				      "unknown event for this role");
	if (kinds[k].fixed_topic && strcmp(out->topic, kinds[k].topic))
		return proto_sig_fail(w, -EINVAL, "wrong_topic",
				      "wrong topic for this event");
	out->kind = (enum proto_sig_kind)k;
	return 0;
}

static int read_payload(struct proto_sig_walk *w, json_object *root,
			struct proto_sig_msg *out)
{
	json_object *payload = NULL;

	w->path_len = (size_t)snprintf(w->path, sizeof(w->path), "payload");
	if (!json_object_object_get_ex(root, "payload", &payload))
		return proto_sig_fail(w, -EINVAL, "missing_field", "missing");
	return proto_sig_spec_parse(w, kinds[out->kind].spec, payload,
				    payload_of(out));
}

int proto_sig_parse(enum proto_sig_dir dir, enum proto_sig_role role,
		    const char *buf, size_t len, struct proto_sig_msg *out,
		    struct proto_sig_error *err)
{
	struct proto_sig_walk w = { .err = err };
	json_object *root = NULL;
	int ret;

	memset(out, 0, sizeof(*out));
	err->reason = NULL;
	err->message[0] = '\0';
	/* Refused before json-c sees a byte: size bounds the work. */
	if (len > PROTO_SIG_MAX_MSG)
		return proto_sig_fail(&w, -E2BIG, "too_large",
				      "message larger than 16 KiB");
	ret = tokenize(&w, buf, len, &root);
	if (ret)
		return ret;
	ret = proto_sig_check_bounds(&w, root);
	if (ret)
		goto out_put;
	w.path_len = 0;
	w.path[0] = '\0';
	ret = read_kind(&w, dir, role, root, out);
	if (ret)
		goto out_put;
	ret = read_payload(&w, root, out);
	if (ret)
		goto out_free;
	out->root = root;
	return 0;

out_free:
	proto_sig_spec_free(kinds[out->kind].spec, payload_of(out));
out_put:
	json_object_put(root);
	memset(out, 0, sizeof(*out));
	return ret;
}

void proto_sig_free(struct proto_sig_msg *m)
{
	if ((unsigned int)m->kind < PROTO_SIG_KIND_COUNT)
		proto_sig_spec_free(kinds[m->kind].spec, payload_of(m));
	json_object_put(m->root);
	memset(m, 0, sizeof(*m));
}

/* --- Building a frame --- */

static int add_string(json_object *root, const char *key, const char *s)
{
	json_object *v = s ? json_object_new_string(s) : NULL;

	if ((s && !v) || json_object_object_add(root, key, v)) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

static int build_frame(struct proto_sig_walk *w, const struct proto_sig_msg *m,
		       json_object *root)
{
	const struct kind *k = &kinds[m->kind];
	json_object *payload = NULL;
	int ret;

	if (add_string(root, "topic", m->topic ? m->topic : k->topic) ||
	    add_string(root, "event", k->event))
		return proto_sig_fail(w, -ENOMEM, "no_memory", "out of memory");
	w->path_len = (size_t)snprintf(w->path, sizeof(w->path), "payload");
	ret = proto_sig_spec_build(w, k->spec, payload_of(m), &payload);
	if (ret)
		return ret;
	if (json_object_object_add(root, "payload", payload)) {
		json_object_put(payload);
		return proto_sig_fail(w, -ENOMEM, "no_memory", "out of memory");
	}
	if (add_string(root, "ref", m->ref))
		return proto_sig_fail(w, -ENOMEM, "no_memory", "out of memory");
	w->path_len = 0;
	w->path[0] = '\0';
	/* The topic, ref and strings of the payload, as a parser sees them. */
	return proto_sig_check_bounds(w, root);
}

static int text_out(struct proto_sig_walk *w, json_object *root, char **out,
		    size_t *len)
{
	size_t n;
	const char *text = json_object_to_json_string_length(
		root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
		&n);

	if (!text)
		return proto_sig_fail(w, -ENOMEM, "no_memory", "out of memory");
	if (n > PROTO_SIG_MAX_MSG)
		return proto_sig_fail(w, -E2BIG, "too_large",
				      "message larger than 16 KiB");
	*out = strdup(text);
	if (!*out)
		return proto_sig_fail(w, -ENOMEM, "no_memory", "out of memory");
	*len = n;
	return 0;
}

int proto_sig_build(const struct proto_sig_msg *m, char **out, size_t *len,
		    struct proto_sig_error *err)
{
	struct proto_sig_walk w = { .err = err };
	json_object *root;
	int ret;

	*out = NULL;
	*len = 0;
	err->reason = NULL;
	err->message[0] = '\0';
	if ((unsigned int)m->kind >= PROTO_SIG_KIND_COUNT)
		return proto_sig_fail(&w, -EINVAL, "unknown_event",
				      "unknown message kind");
	root = json_object_new_object();
	if (!root)
		return proto_sig_fail(&w, -ENOMEM, "no_memory",
				      "out of memory");
	ret = build_frame(&w, m, root);
	if (!ret)
		ret = text_out(&w, root, out, len);
	json_object_put(root);
	return ret;
}
