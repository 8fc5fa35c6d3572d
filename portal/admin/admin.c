// SPDX-License-Identifier: GPL-2.0
/*
 * admin_call(): finds the verb and runs it, a write inside one store
 * transaction that is rolled back on any error, so a refused request
 * changes nothing, its changes and audit rows included.
 */
#include <string.h>

#include <sodium.h>

#include "priv.h"

static const struct admin_noun *const nouns[] = {
	&admin_noun_account,	  &admin_noun_site,
	&admin_noun_group,	  &admin_noun_gateway_token,
	&admin_noun_gateway,	  &admin_noun_client,
	&admin_noun_resource,	  &admin_noun_member,
	&admin_noun_actor,	  &admin_noun_service_account,
	&admin_noun_client_token, &admin_noun_api_token,
	&admin_noun_policy,	  &admin_noun_audit,
	&admin_noun_provider,	  &admin_noun_session,
};

static const struct admin_verb *find_verb(const char *noun, const char *verb)
{
	for (size_t i = 0; i < sizeof(nouns) / sizeof(nouns[0]); i++) {
		if (strcmp(nouns[i]->name, noun))
			continue;
		for (const struct admin_verb *v = nouns[i]->verbs; v->name; v++)
			if (!strcmp(v->name, verb))
				return v;
	}
	return NULL;
}

bool admin_verb_exists(const char *noun, const char *verb)
{
	return find_verb(noun, verb) != NULL;
}

const char *admin_code_name(enum admin_code code)
{
	static const char *const names[] = {
		[ADMIN_OK] = "ok",
		[ADMIN_INVALID] = "invalid",
		[ADMIN_NOT_FOUND] = "not_found",
		[ADMIN_CONFLICT] = "conflict",
		[ADMIN_FORBIDDEN] = "forbidden",
		[ADMIN_INTERNAL] = "internal",
	};

	if ((unsigned int)code >= sizeof(names) / sizeof(names[0]))
		return "internal";
	return names[code];
}

struct only_account {
	struct store_account *a;
	int n;
};

static int count_account(void *arg, const void *rec)
{
	struct only_account *o = arg;

	if (!o->n++)
		*o->a = *(const struct store_account *)rec;
	return 0;
}

static int sole_account(struct admin_ctx *ctx, struct admin_error *err)
{
	struct only_account o = { &ctx->account, 0 };
	struct store_err serr = { 0 };

	if (store_account_list(ctx->s, count_account, &o, &serr))
		return admin_store_fail(err, "", &serr);
	if (o.n == 1)
		return 0;
	return admin_fail(err, ADMIN_INVALID, "account",
			  o.n ? "the database holds %d accounts: name one" :
				"the database holds no account (run "
				"'fzportal init')",
			  o.n);
}

int admin_ctx_init(struct admin_ctx *ctx, struct store *s, const char *account,
		   const char *source, const char *who, struct admin_error *err)
{
	struct store_err serr = { 0 };
	int ret;

	memset(err, 0, sizeof(*err));
	memset(ctx, 0, sizeof(*ctx));
	ctx->s = s;
	ctx->source = source;
	ctx->who = who;
	if (!account)
		return sole_account(ctx, err) ? err->code : 0;
	ret = store_account_get_by_slug(s, account, &ctx->account, &serr);
	if (ret == STORE_NOT_FOUND)
		ret = store_account_get(s, account, &ctx->account, &serr);
	if (ret) {
		admin_store_fail(err, "account", &serr);
		return err->code;
	}
	return 0;
}

static int run_write(struct admin_ctx *ctx, const struct admin_verb *v,
		     const char *id, json_object *req, json_object **resp,
		     struct admin_error *err)
{
	struct store_err serr = { 0 };

	if (store_begin(ctx->s, &serr))
		return admin_store_fail(err, "", &serr);
	if (v->fn(ctx, id, req, resp, err))
		goto rollback;
	if (store_commit(ctx->s, &serr)) {
		admin_store_fail(err, "", &serr);
		goto rollback;
	}
	return 0;
rollback:
	store_rollback(ctx->s);
	return -1;
}

int admin_call(struct admin_ctx *ctx, const char *noun, const char *verb,
	       const char *id, json_object *req, json_object **resp,
	       struct admin_error *err)
{
	const struct admin_verb *v = find_verb(noun, verb);
	json_object *empty = NULL;
	int ret;

	memset(err, 0, sizeof(*err));
	*resp = NULL;
	if (!v) {
		admin_fail(err, ADMIN_NOT_FOUND, "", "no verb '%s %s'", noun,
			   verb);
		return err->code;
	}
	if (!req)
		req = empty = json_object_new_object();
	if (!json_object_is_type(req, json_type_object)) {
		admin_fail(err, ADMIN_INVALID, "",
			   "the request must be a "
			   "JSON object");
		return err->code;
	}
	if (v->writes)
		ret = run_write(ctx, v, id, req, resp, err);
	else
		ret = v->fn(ctx, id, req, resp, err);
	json_object_put(empty);
	if (ret) {
		json_object_put(*resp);
		*resp = NULL;
		return err->code ? err->code : ADMIN_INTERNAL;
	}
	return 0;
}

static void wipe_member(json_object *o, const char *key)
{
	json_object *t;

	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &t) ||
	    !json_object_is_type(t, json_type_string))
		return;
	/* json-c owns the buffer; its length stays, its bytes go. */
	sodium_memzero((char *)json_object_get_string(t),
		       (size_t)json_object_get_string_len(t));
}

void admin_wipe_token(json_object *resp)
{
	wipe_member(resp, "token");
}

void admin_wipe_request(json_object *req)
{
	wipe_member(req, "client_secret");
}
