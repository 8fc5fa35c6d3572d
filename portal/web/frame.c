// SPDX-License-Identifier: GPL-2.0
/*
 * Phoenix frames, minimally (see frame.h). json-c parses with a depth
 * limit; the caller has already bounded the length (WEB_MSG_MAX).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "frame.h"

#define TO_JSON (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* Copies obj as JSON text into out; false if it does not fit. */
static bool field_json(struct json_object *obj, char *out)
{
	const char *s = json_object_to_json_string_ext(obj, TO_JSON);
	size_t n = strlen(s);

	if (n >= WEB_FRAME_FIELD_MAX)
		return false;
	memcpy(out, s, n + 1);
	return true;
}

static struct json_object *parse(const char *text, size_t len)
{
	struct json_tokener *tok = json_tokener_new_ex(WEB_FRAME_DEPTH);
	struct json_object *obj;

	if (!tok)
		return NULL;
	obj = json_tokener_parse_ex(tok, text, (int)len);
	/* Half a document, or one followed by more, is not a frame. */
	if (obj && (json_tokener_get_error(tok) != json_tokener_success ||
		    json_tokener_get_parse_end(tok) != len)) {
		json_object_put(obj);
		obj = NULL;
	}
	json_tokener_free(tok);
	return obj;
}

/* A ref the reply can echo; json-c represents null as NULL. */
static bool take_ref(struct json_object *obj, struct web_frame *f)
{
	struct json_object *ref;

	if (!json_object_object_get_ex(obj, "ref", &ref) || !ref)
		return true;
	if (!json_object_is_type(ref, json_type_string) &&
	    !json_object_is_type(ref, json_type_int))
		return false;
	return field_json(ref, f->ref);
}

static bool is_string(struct json_object *obj, const char *key,
		      struct json_object **val)
{
	return json_object_object_get_ex(obj, key, val) &&
	       json_object_is_type(*val, json_type_string);
}

static enum web_frame_kind classify(struct json_object *obj,
				    struct web_frame *f)
{
	struct json_object *topic, *event, *payload;

	if (!take_ref(obj, f))
		return WEB_FRAME_INVALID;
	if (!is_string(obj, "topic", &topic) ||
	    !is_string(obj, "event", &event) ||
	    !json_object_object_get_ex(obj, "payload", &payload) ||
	    !json_object_is_type(payload, json_type_object))
		return WEB_FRAME_INVALID;
	if (!field_json(topic, f->topic))
		return WEB_FRAME_INVALID;
	if (!strcmp(json_object_get_string(topic), "phoenix") &&
	    !strcmp(json_object_get_string(event), "heartbeat"))
		return WEB_FRAME_HEARTBEAT;
	return WEB_FRAME_MESSAGE;
}

void web_frame_parse(const char *text, size_t len, struct web_frame *f)
{
	struct json_object *obj;

	strcpy(f->topic, "null");
	strcpy(f->ref, "null");
	f->kind = WEB_FRAME_INVALID;
	obj = parse(text, len);
	if (!obj)
		return;
	if (json_object_is_type(obj, json_type_object))
		f->kind = classify(obj, f);
	if (f->kind == WEB_FRAME_INVALID)
		strcpy(f->topic,
		       "null"); /* a topic from a non-frame is noise */
	json_object_put(obj);
}

static size_t fits(int n, size_t len)
{
	return n > 0 && (size_t)n < len ? (size_t)n : 0;
}

size_t web_frame_reply_ok(char *buf, size_t len, const struct web_frame *f)
{
	return fits(snprintf(buf, len,
			     "{\"topic\":%s,\"event\":\"phx_reply\","
			     "\"payload\":{\"status\":\"ok\",\"response\":{}},"
			     "\"ref\":%s}",
			     f->topic, f->ref),
		    len);
}

/* Phoenix puts the topic first; an error about no frame has none. */
size_t web_frame_reply_error(char *buf, size_t len, const struct web_frame *f,
			     const char *reason)
{
	char topic[WEB_FRAME_FIELD_MAX + 16] = "";

	if (strcmp(f->topic, "null"))
		snprintf(topic, sizeof(topic), "\"topic\":%s,", f->topic);
	return fits(snprintf(buf, len,
			     "{%s\"event\":\"phx_reply\",\"ref\":%s,"
			     "\"payload\":{\"status\":\"error\","
			     "\"response\":{\"reason\":\"%s\"}}}",
			     topic, f->ref, reason),
		    len);
}
