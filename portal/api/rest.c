// SPDX-License-Identifier: GPL-2.0
/*
 * The REST mapping: who asks (a bearer token of an admin), which noun
 * and verb the method and path name, the request from the body or the
 * query, and the admin wing's answer as the HTTP response. Every rule
 * about values is the admin wing's, shared with the CLI.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "admin/admin.h"
#include "api.h"
#include "lib/clock.h"
#include "store/auth.h"

#define PREFIX "/api/v1/"
#define BODY_DEPTH 16
#define SEG_MAX 4

static const struct {
	const char *path, *noun;
} collections[] = {
	{ "sites", "site" },
	{ "gateway_tokens", "gateway_token" },
	{ "gateways", "gateway" },
	{ "clients", "client" },
	{ "resources", "resource" },
	{ "groups", "group" },
	{ "actors", "actor" },
	{ "service_accounts", "service_account" },
	{ "client_tokens", "client_token" },
	{ "api_tokens", "api_token" },
	{ "policies", "policy" },
	{ "audit", "audit" },
	{ "account", "account" },
	{ "providers", "provider" },
	{ "sessions", "session" },
};

/* What a request is for, once the path is read. */
struct route {
	const char *noun, *verb;
	char *id;
	char *member; /* DELETE .../members/ACTOR */
	int created; /* 201 on success */
};

static void reply(struct web_response *resp, int status, json_object *body)
{
	const char *s = json_object_to_json_string_ext(
		body, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

	resp->status = status;
	resp->body = strdup(s);
	resp->body_len = resp->body ? strlen(s) : 0;
}

static void fail(struct web_response *resp, int status, const char *code,
		 const char *field, const char *message)
{
	json_object *e = json_object_new_object(),
		    *o = json_object_new_object();

	json_object_object_add(e, "code", json_object_new_string(code));
	json_object_object_add(e, "field",
			       field && *field ? json_object_new_string(field) :
						 NULL);
	json_object_object_add(e, "message", json_object_new_string(message));
	json_object_object_add(o, "error", e);
	reply(resp, status, o);
	json_object_put(o);
}

static int status_of(enum admin_code code)
{
	switch (code) {
	case ADMIN_INVALID:
		return 400;
	case ADMIN_NOT_FOUND:
		return 404;
	case ADMIN_CONFLICT:
		return 409;
	case ADMIN_FORBIDDEN:
		return 403;
	default:
		return 500;
	}
}

/* "sites/ID/members/X" into at most SEG_MAX segments of buf. */
static int split(char *buf, char **seg)
{
	int n = 0;

	for (char *p = buf; p && *p && n <= SEG_MAX;) {
		char *slash = strchr(p, '/');

		if (slash)
			*slash = '\0';
		if (!*p)
			return -1;
		seg[n++] = p;
		p = slash ? slash + 1 : NULL;
	}
	return n > 0 && n <= SEG_MAX ? n : -1;
}

static const char *noun_of(const char *path)
{
	for (size_t i = 0; i < sizeof(collections) / sizeof(collections[0]);
	     i++)
		if (!strcmp(collections[i].path, path))
			return collections[i].noun;
	return NULL;
}

static const char *member_verb(const char *m, int n)
{
	if (n == 3)
		return !strcmp(m, "GET")  ? "list" :
		       !strcmp(m, "POST") ? "add" :
					    NULL;
	return !strcmp(m, "DELETE") ? "remove" : NULL;
}

/* The verb of method m on a collection (id NULL) or one record. */
static const char *verb_of(const char *noun, const char *m, bool id)
{
	/* DELETE /sessions/ID, or DELETE /sessions?actor_id=X: every one. */
	if (!strcmp(noun, "session"))
		return !strcmp(m, "DELETE")	? "revoke" :
		       !id && !strcmp(m, "GET") ? "list" :
						  NULL;
	if (!strcmp(noun, "account"))
		return id		   ? NULL :
		       !strcmp(m, "GET")   ? "show" :
		       !strcmp(m, "PATCH") ? "update" :
					     NULL;
	if (!id)
		return !strcmp(m, "GET")  ? "list" :
		       !strcmp(m, "POST") ? "create" :
					    NULL;
	return !strcmp(m, "GET")    ? "show" :
	       !strcmp(m, "PATCH")  ? "update" :
	       !strcmp(m, "DELETE") ? "delete" :
				      NULL;
}

/* 0, or 404 (no such path) or 405 (no such method on it). */
static int route(const char *method, char *path, struct route *r)
{
	char *seg[SEG_MAX + 1];
	int n;

	if (strncmp(path, PREFIX, strlen(PREFIX)))
		return 404;
	n = split(path + strlen(PREFIX), seg);
	if (n < 0 || !(r->noun = noun_of(seg[0])))
		return 404;
	r->id = n > 1 ? seg[1] : NULL;
	if (n >= 3) {
		if (strcmp(seg[0], "groups") || strcmp(seg[2], "members"))
			return 404;
		r->noun = "member";
		r->member = n == 4 ? seg[3] : NULL;
		r->verb = member_verb(method, n);
	} else {
		r->verb = verb_of(r->noun, method, n == 2);
	}
	if (!r->verb || !admin_verb_exists(r->noun, r->verb))
		return 405;
	r->created = !strcmp(r->verb, "create") || !strcmp(r->verb, "add");
	return 0;
}

static bool is_json(const char *ctype)
{
	size_t n = strlen("application/json");

	return ctype && !strncasecmp(ctype, "application/json", n) &&
	       (!ctype[n] || ctype[n] == ';' || ctype[n] == ' ');
}

/* The body (POST, PATCH) or the query (others) as the request. */
static int request_of(const struct web_request *req, json_object **out,
		      struct web_response *resp)
{
	bool body = !strcmp(req->method, "POST") ||
		    !strcmp(req->method, "PATCH");
	struct json_tokener *tok;

	if (!body || !req->body_len) {
		*out = json_object_new_object();
		return 0;
	}
	if (!is_json(req->content_type)) {
		fail(resp, 415, "unsupported_media_type", "",
		     "the body must be application/json");
		return -1;
	}
	tok = json_tokener_new_ex(BODY_DEPTH);
	*out = tok ? json_tokener_parse_ex(tok, req->body, (int)req->body_len) :
		     NULL;
	if (*out && (size_t)tok->char_offset != req->body_len) {
		json_object_put(*out);
		*out = NULL;
	}
	json_tokener_free(tok);
	if (*out && json_object_is_type(*out, json_type_object))
		return 0;
	json_object_put(*out);
	*out = NULL;
	fail(resp, 400, "invalid", "", "the body is not a JSON object");
	return -1;
}

/* "a=1&b=2": each pair a string member of req (values are decoded). */
static void add_query(const char *query, json_object *req)
{
	char *copy = strdup(query), *save = NULL, *kv;

	for (kv = copy ? strtok_r(copy, "&", &save) : NULL; kv;
	     kv = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(kv, '=');

		if (!eq || eq == kv)
			continue;
		*eq = '\0';
		json_object_object_add(req, kv, json_object_new_string(eq + 1));
	}
	free(copy);
}

/* The caller: an admin's API token, or a 401/403 already in resp. */
static int caller(struct store *s, const struct web_request *req,
		  struct store_token *tok, struct store_actor *who,
		  struct web_response *resp)
{
	const char *a = req->authorization, *why = NULL;
	int ret;

	if (!a || strncasecmp(a, "Bearer ", 7)) {
		fail(resp, 401, "unauthorized", "",
		     "an API token is required (Authorization: Bearer ...)");
		return -1;
	}
	memset(who, 0, sizeof(*who));
	ret = store_authenticate(s, a + 7, "api", (int64_t)fz_clock_real_ns(),
				 tok, who, &why);
	if (ret == -EIO) {
		fail(resp, 500, "internal", "", why ? why : "store failed");
		return -1;
	}
	if (ret) {
		fail(resp, 401, "unauthorized", "", "invalid API token");
		return -1;
	}
	if (strcmp(who->role, "admin")) {
		fail(resp, 403, "forbidden", "", "the API is for admins only");
		return -1;
	}
	return 0;
}

static void call(struct store *s, const struct store_token *tok,
		 const struct store_actor *who, struct route *r,
		 json_object *body, struct web_response *resp)
{
	struct admin_error err = { 0 };
	json_object *out = NULL;
	struct admin_ctx ctx;

	if (r->member)
		json_object_object_add(body, "actor_id",
				       json_object_new_string(r->member));
	if (admin_ctx_init(&ctx, s, tok->account_id, "api", who->name, &err) ||
	    admin_call(&ctx, r->noun, r->verb, r->id, body, &out, &err)) {
		fail(resp, status_of(err.code), admin_code_name(err.code),
		     err.field, err.message);
		return;
	}
	reply(resp, r->created ? 201 : 200, out);
	admin_wipe_token(out);
	json_object_put(out);
}

/*
 * POST /api/v1/sign_out: the bearer is a client token (either text form,
 * core/token.h), deleted on the spot; 204. Any refusal is the same 401.
 */
static void sign_out(struct store *s, const struct web_request *req,
		     struct web_response *resp)
{
	const char *a = req->authorization;
	struct admin_error err = { 0 };
	int ret;

	if (strcmp(req->method, "POST")) {
		fail(resp, 405, "method_not_allowed", "",
		     "method not allowed here");
		return;
	}
	ret = a && !strncasecmp(a, "Bearer ", 7) ?
		      admin_signout(s, a + 7, &err) :
		      -EACCES;
	if (ret == -EIO) {
		fail(resp, 500, "internal", "", err.message);
		return;
	}
	if (ret) {
		fail(resp, 401, "unauthorized", "", "invalid token");
		return;
	}
	resp->status = 204;
	resp->body = strdup("");
	resp->body_len = 0;
}

void api_rest(void *arg, const struct web_request *req,
	      struct web_response *resp)
{
	struct store_token tok;
	struct store_actor who;
	struct route r = { 0 };
	json_object *body = NULL;
	char *path = strdup(req->path);
	int status;

	if (!path) {
		fail(resp, 500, "internal", "", "out of memory");
		return;
	}
	if (!strcmp(path, PREFIX "sign_out")) {
		sign_out(arg, req, resp);
		goto out;
	}
	if (caller(arg, req, &tok, &who, resp))
		goto out;
	status = route(req->method, path, &r);
	if (status) {
		fail(resp, status,
		     status == 404 ? "not_found" : "method_not_allowed", "",
		     status == 404 ? "no such API endpoint" :
				     "method not allowed here");
		goto out;
	}
	if (request_of(req, &body, resp))
		goto out;
	if (strcmp(req->method, "POST") && strcmp(req->method, "PATCH"))
		add_query(req->query, body);
	call(arg, &tok, &who, &r, body, resp);
out:
	admin_wipe_request(body);
	json_object_put(body);
	free(path);
}
