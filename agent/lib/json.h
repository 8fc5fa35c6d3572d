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

#define FZ_JSON_MAX_DEPTH 16

struct fz_json {
	FILE *f;
	unsigned int depth;
	bool after_key; /* the next value completes a "key": pair */
	bool has_items[FZ_JSON_MAX_DEPTH]; /* per level: a comma is due */
};

void fz_json_init(struct fz_json *j, FILE *f);

void fz_json_object_begin(struct fz_json *j);
void fz_json_object_end(struct fz_json *j);
void fz_json_array_begin(struct fz_json *j);
void fz_json_array_end(struct fz_json *j);

void fz_json_key(struct fz_json *j, const char *key);
void fz_json_string(struct fz_json *j, const char *s);
void fz_json_u64(struct fz_json *j, uint64_t v);
void fz_json_null(struct fz_json *j);
void fz_json_bool(struct fz_json *j, bool v);

void fz_json_kv_string(struct fz_json *j, const char *key, const char *s);
void fz_json_kv_u64(struct fz_json *j, const char *key, uint64_t v);
void fz_json_kv_bool(struct fz_json *j, const char *key, bool v);

#endif /* FZ_AGENT_JSON_H */
