/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A policy's conditions: a JSON array of at most POLICY_CONDS_MAX objects
 * {"property": P, "operator": O, "values": [STRING, ...]}, all of which
 * must hold. Checked in full when a policy is written, so that what the
 * store holds always parses; an unknown property or operator is refused
 * there rather than ignored at request time. Properties and operators:
 *   remote_ip             is_in_cidr | is_not_in_cidr      CIDRs or addresses
 *   provider_id           is_in | is_not_in                provider ids
 *   client_verified       is                               ["true"]
 *   current_utc_datetime  is_in_day_of_week_time_ranges    window.h syntax
 * Values: 1..POLICY_VALUES_MAX strings of 1..POLICY_VALUE_LEN_MAX bytes.
 * A CIDR must have its host bits clear ("10.1.0.0/16", not "10.1.2.3/16");
 * a provider id is [A-Za-z0-9._:@-]. No other keys are allowed. "region"
 * (Firezone's GeoIP condition) is unknown here: there is no GeoIP data.
 */
#ifndef FZ_POLICY_COND_H
#define FZ_POLICY_COND_H

#include <stddef.h>

#include <json-c/json.h>

#include "lib/cidr.h"
#include "window.h"

#define POLICY_CONDS_MAX 16
#define POLICY_VALUES_MAX 32
#define POLICY_VALUE_LEN_MAX 128
/* Longer text cannot be a valid list: refused before parsing. */
#define POLICY_CONDS_TEXT_MAX (128 * 1024)

enum policy_prop {
	POLICY_PROP_REMOTE_IP,
	POLICY_PROP_PROVIDER_ID,
	POLICY_PROP_CLIENT_VERIFIED,
	POLICY_PROP_DATETIME,
	POLICY_PROP_MAX
};

enum policy_op {
	POLICY_OP_IS_IN_CIDR,
	POLICY_OP_IS_NOT_IN_CIDR,
	POLICY_OP_IS_IN,
	POLICY_OP_IS_NOT_IN,
	POLICY_OP_IS,
	POLICY_OP_IN_TIME_RANGES,
	POLICY_OP_MAX
};

struct policy_cond {
	enum policy_prop prop;
	enum policy_op op;
	unsigned int n;
	char **values; /* n strings, as written */
	struct fz_cidr *cidrs; /* remote_ip: values parsed */
	struct policy_window *windows; /* current_utc_datetime: values parsed */
};

struct policy_conds {
	unsigned int n;
	struct policy_cond *c;
};

/*
 * What was refused: field names the JSON path ("conditions[1].values[0]")
 * and message says what is wrong with it ("host bits set past /16").
 */
struct policy_error {
	char field[48];
	char message[224];
};

/*
 * Parse and check the len bytes of text (a JSON array, nothing after it)
 * or an already parsed json-c array. 0 with *out filled (free it with
 * policy_conds_free()); -EINVAL with *err set and *out empty; -ENOMEM.
 */
int policy_conds_parse(struct policy_conds *out, const char *text, size_t len,
		       struct policy_error *err);
int policy_conds_from_json(struct policy_conds *out, struct json_object *arr,
			   struct policy_error *err);

/* The list as JSON: a new json-c array, or a malloc'ed compact text. */
struct json_object *policy_conds_to_json(const struct policy_conds *c);
char *policy_conds_format(const struct policy_conds *c);

void policy_conds_free(struct policy_conds *c);

const char *policy_prop_name(enum policy_prop p);
const char *policy_op_name(enum policy_op o);

#endif /* FZ_POLICY_COND_H */
