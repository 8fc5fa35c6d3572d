// SPDX-License-Identifier: GPL-2.0
/*
 * The account's settings that clients get at join: upstream DNS servers
 * and the search domain, and the default lifetime of client tokens.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "lib/values.h"
#include "priv.h"

#define DNS_MAX 8
#define TTL_DEFAULT_S (7 * 86400)
/* A signed-in client signs in again at least this often (SIGNIN.md). */
#define TTL_MIN_S 3600
#define TTL_MAX_S (90 * 86400)

static json_object *account_json(const struct store_account *a)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_string(a->id));
	json_object_object_add(o, "slug", json_object_new_string(a->slug));
	json_object_object_add(o, "name", json_object_new_string(a->name));
	json_object_object_add(o, "upstream_dns",
			       admin_parse_stored(a->upstream_dns));
	json_object_object_add(o, "search_domain",
			       admin_opt_str(a->search_domain));
	json_object_object_add(o, "client_token_ttl",
			       json_object_new_int64(a->client_token_ttl_s ?:
							     TTL_DEFAULT_S));
	json_object_object_add(o, "self_signup",
			       json_object_new_boolean(a->self_signup));
	json_object_object_add(o, "created_at", admin_time_json(a->created_at));
	return o;
}

static int add_dns(json_object *arr, const char *ip, struct admin_error *err)
{
	unsigned char bin[16];

	if (inet_pton(AF_INET, ip, bin) != 1 &&
	    inet_pton(AF_INET6, ip, bin) != 1)
		return admin_fail(err, ADMIN_INVALID, "upstream_dns",
				  "'%s' is not an IP address", ip);
	if (json_object_array_length(arr) >= DNS_MAX)
		return admin_fail(err, ADMIN_INVALID, "upstream_dns",
				  "at most %d servers", DNS_MAX);
	json_object_array_add(arr, json_object_new_string(ip));
	return 0;
}

/* "1.1.1.1, 2606:4700::1111" or ["1.1.1.1", ...]; "" or [] for none. */
static int dns_list(json_object *v, json_object *arr, struct admin_error *err)
{
	char text[512], *save = NULL, *tok;

	if (json_object_is_type(v, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			json_object *e = json_object_array_get_idx(v, i);

			if (!json_object_is_type(e, json_type_string))
				return admin_fail(err, ADMIN_INVALID,
						  "upstream_dns",
						  "must hold strings");
			if (add_dns(arr, json_object_get_string(e), err))
				return -1;
		}
		return 0;
	}
	if (!json_object_is_type(v, json_type_string) ||
	    ADMIN_COPY(text, json_object_get_string(v), "upstream_dns", err))
		return admin_fail(err, ADMIN_INVALID, "upstream_dns",
				  "must be a list of IP addresses");
	for (tok = strtok_r(text, ", ", &save); tok;
	     tok = strtok_r(NULL, ", ", &save))
		if (add_dns(arr, tok, err))
			return -1;
	return 0;
}

static int set_dns(json_object *req, struct store_account *a,
		   struct admin_error *err)
{
	json_object *v, *arr;
	int ret;

	if (!json_object_object_get_ex(req, "upstream_dns", &v) || !v)
		return 0;
	arr = json_object_new_array();
	ret = dns_list(v, arr, err);
	if (!ret)
		ret = ADMIN_COPY(a->upstream_dns,
				 json_object_to_json_string_ext(
					 arr, JSON_C_TO_STRING_PLAIN),
				 "upstream_dns", err);
	json_object_put(arr);
	return ret;
}

static int apply(json_object *req, struct store_account *a,
		 struct admin_error *err)
{
	static const char *const keys[] = { "name",	     "upstream_dns",
					    "search_domain", "client_token_ttl",
					    "self_signup",   NULL };
	bool set, self_signup, self_set;
	const char *name, *domain;
	int64_t ttl;

	if (admin_req_keys(req, keys, err) ||
	    admin_req_name(req, "name", false, &name, err) ||
	    admin_req_str(req, "search_domain", false, &domain, err) ||
	    admin_req_duration(req, "client_token_ttl", &ttl, &set, err) ||
	    admin_req_bool(req, "self_signup", &self_signup, &self_set, err) ||
	    set_dns(req, a, err))
		return -1;
	if (set && (ttl < TTL_MIN_S || ttl > TTL_MAX_S))
		return admin_fail(err, ADMIN_INVALID, "client_token_ttl",
				  "must be from 1h to 90d");
	if (self_set)
		a->self_signup = self_signup;
	if (domain && *domain && !fz_domain_valid(domain))
		return admin_fail(err, ADMIN_INVALID, "search_domain",
				  "'%s' is not a domain name", domain);
	if (name)
		strcpy(a->name, name);
	if (domain)
		snprintf(a->search_domain, sizeof(a->search_domain), "%s",
			 domain);
	if (set)
		a->client_token_ttl_s = ttl;
	return 0;
}

static int show(struct admin_ctx *ctx, const char *id, json_object *req,
		json_object **resp, struct admin_error *err)
{
	static const char *const keys[] = { NULL };

	(void)id;
	if (admin_req_keys(req, keys, err))
		return -1;
	*resp = account_json(&ctx->account);
	return 0;
}

static int update(struct admin_ctx *ctx, const char *id, json_object *req,
		  json_object **resp, struct admin_error *err)
{
	struct store_account a = ctx->account;
	struct store_err serr = { 0 };
	json_object *before;
	int ret = -1;

	(void)id;
	before = account_json(&a);
	if (apply(req, &a, err))
		goto out;
	if (store_account_update(ctx->s, &a, &serr)) {
		admin_store_fail(err, "", &serr);
		goto out;
	}
	*resp = account_json(&a);
	ret = admin_record(ctx, "account", "update", a.id, before, *resp, err);
	if (!ret)
		ctx->account = a;
out:
	json_object_put(before);
	return ret;
}

static const struct admin_verb verbs[] = {
	{ "show", show, false },
	{ "update", update, true },
	{ NULL, NULL, false },
};

const struct admin_noun admin_noun_account = { "account", verbs };
