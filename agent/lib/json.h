/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal streaming JSON writer: enough for `fzagent show --json`
 * without pulling in a JSON library. The writer inserts the commas;
 * callers only open and close containers and emit keys and values.
 */
#ifndef FZ_AGENT_JSON_H
#define FZ_AGENT_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE *f;
	unsigned int depth;
	bool after_key; /* the next value completes a "key": pair */
	bool has_items[JSON_MAX_DEPTH]; /* per level: a comma is due */
};

void json_init(struct json *j, FILE *f);

void json_object_begin(struct json *j);
void json_object_end(struct json *j);
void json_array_begin(struct json *j);
void json_array_end(struct json *j);

void json_key(struct json *j, const char *key);
void json_string(struct json *j, const char *s);
void json_u64(struct json *j, uint64_t v);
void json_null(struct json *j);
void json_bool(struct json *j, bool v);

void json_kv_string(struct json *j, const char *key, const char *s);
void json_kv_u64(struct json *j, const char *key, uint64_t v);
void json_kv_bool(struct json *j, const char *key, bool v);

#endif /* FZ_AGENT_JSON_H */
