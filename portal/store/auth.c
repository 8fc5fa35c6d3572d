// SPDX-License-Identifier: GPL-2.0
/*
 * Bearer token checks (auth.h), for both text forms (core/token.h).
 */
#include <errno.h>
#include <string.h>

#include "auth.h"
#include "core/token.h"

static int lookup(struct store *s, const struct core_token *t,
		  struct store_token *tok, const char **why)
{
	static struct store_err err;
	char id[37];
	int ret;

	core_token_id_text(id, t);
	ret = store_token_get(s, id, tok, &err);
	if (ret == STORE_NOT_FOUND) {
		/* Same cost as a wrong secret: an id's existence stays secret. */
		core_token_verify_of(NULL, t);
		*why = "no such token";
		return -EACCES;
	}
	if (ret) {
		*why = err.msg;
		return -EIO;
	}
	/* A signed-in row's hash covers nonce || secret: each text form
	 * matches only rows made for it. */
	if (!core_token_verify_of(tok->hash, t)) {
		*why = "wrong secret";
		return -EACCES;
	}
	return 0;
}

static int check_actor(struct store *s, const struct store_token *tok,
		       struct store_actor *actor, const char **why)
{
	static struct store_err err;
	struct store_actor a;
	int ret;

	if (!tok->actor_id[0])
		return 0;
	ret = store_get(s, STORE_ACTOR, tok->actor_id, &a, &err);
	if (ret == STORE_NOT_FOUND) {
		*why = "its actor was deleted";
		return -EACCES;
	}
	if (ret) {
		*why = err.msg;
		return -EIO;
	}
	if (a.disabled_at) {
		*why = "its actor is disabled";
		return -EACCES;
	}
	if (actor)
		*actor = a;
	return 0;
}

int store_authenticate(struct store *s, const char *text, const char *kind,
		       int64_t now, struct store_token *tok,
		       struct store_actor *actor, const char **why)
{
	struct core_token t;
	int ret;

	if (core_token_parse(&t, text, why))
		return -EACCES;
	ret = lookup(s, &t, tok, why);
	core_token_wipe(&t);
	if (ret)
		goto fail;
	ret = -EACCES;
	if (strcmp(tok->kind, kind)) {
		*why = "a token of another kind";
		goto fail;
	}
	if (tok->expires_at && tok->expires_at <= now) {
		*why = "expired";
		goto fail;
	}
	ret = check_actor(s, tok, actor, why);
	if (ret)
		goto fail;
	return 0;
fail:
	memset(tok, 0, sizeof(*tok));
	return ret;
}
