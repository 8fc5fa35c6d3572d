/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The field tables behind sig.c: a payload is an object whose members a
 * table of struct proto_sig_field describes (name, type, where in the C
 * struct), as a netlink policy describes attributes. One walker parses
 * JSON into the struct, one builds JSON from it, one frees what parsing
 * allocated, so the three cannot disagree about a message.
 */
#ifndef FZ_AGENT_PROTO_SIG_FIELD_H
#define FZ_AGENT_PROTO_SIG_FIELD_H

#include <stddef.h>

#include <json-c/json.h>

#include "sig.h"

enum proto_sig_ftype {
	PROTO_SIG_F_STR, /* const char * */
	PROTO_SIG_F_KEY, /* uint8_t[FZ_KEY_LEN], base64 of 32 bytes */
	PROTO_SIG_F_UUID, /* struct proto_sig_id */
	PROTO_SIG_F_IP4, /* struct fz_cidr, one IPv4 address */
	PROTO_SIG_F_IP6, /* struct fz_cidr, one IPv6 address */
	PROTO_SIG_F_IP, /* struct fz_cidr, one address of either family */
	PROTO_SIG_F_ENDPOINT, /* struct proto_sig_endpoint */
	PROTO_SIG_F_PORT, /* uint16_t, 1..65535 */
	PROTO_SIG_F_TIME, /* int64_t unix seconds, 0..PROTO_SIG_MAX_TIME */
	PROTO_SIG_F_ENUM, /* an enum; sub: NULL-terminated names */
	PROTO_SIG_F_FILTERS, /* struct fz_filter[FZ_MAX_FILTERS] + count */
	PROTO_SIG_F_OBJ, /* a struct; sub: its struct proto_sig_spec */
	PROTO_SIG_F_ARRAY, /* pointer + count; sub: the element's field */
};

/* May be absent (or null): then left zero, and not built when zero. */
#define PROTO_SIG_F_OPTIONAL 1u

struct proto_sig_field {
	const char *key; /* NULL for an array's element */
	enum proto_sig_ftype type;
	unsigned int flags;
	size_t off; /* of the value in the struct */
	size_t n_off; /* ARRAY, FILTERS: of the size_t count */
	size_t elem_size; /* ARRAY */
	const void *sub;
};

struct proto_sig_spec {
	const struct proto_sig_field *fields;
	size_t n_fields;
	/* What one member cannot check alone (an address by its type). */
	int (*check)(const void *obj, const char **why);
};

/* A walk's state: where it is, for messages, and how it failed. */
struct proto_sig_walk {
	struct proto_sig_error *err;
	char path[96];
	size_t path_len;
};

int proto_sig_fail(struct proto_sig_walk *w, int ret, const char *reason,
		   const char *why);

/* Every string, key and array of the tree within the bounds of sig.h. */
int proto_sig_check_bounds(struct proto_sig_walk *w, json_object *o);

int proto_sig_spec_parse(struct proto_sig_walk *w,
			 const struct proto_sig_spec *spec, json_object *obj,
			 void *dst);
int proto_sig_spec_build(struct proto_sig_walk *w,
			 const struct proto_sig_spec *spec, const void *src,
			 json_object **out);
void proto_sig_spec_free(const struct proto_sig_spec *spec, void *obj);

#endif /* FZ_AGENT_PROTO_SIG_FIELD_H */
