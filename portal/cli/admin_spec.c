// SPDX-License-Identifier: GPL-2.0
/*
 * Every noun, verb and option of `fzportal admin`, with the text of its
 * --help. An option names the request member it fills; the admin wing
 * (admin/admin.h) checks the values, so nothing here validates.
 */
#include <string.h>

#include "admin.h"

#define END                                                \
	{                                                  \
		NULL, NULL, NULL, CLI_ARG_STR, false, NULL \
	}
#define NONE ((const struct cli_admin_opt[]){ END })
#define VEND                                 \
	{                                    \
		NULL, NULL, NULL, NULL, NULL \
	}

#define REF_HELP "its id or its unique name"

static const struct cli_admin_opt name_opt[] = {
	{ "--name", "NAME", "name", CLI_ARG_STR, false,
	  "The new name: 1 to 255 bytes, no control characters, no spaces "
	  "at either end; unique in the account." },
	END
};

#define NAMED_VERBS(noun, extra)                                              \
	{ "create", "NAME", "create a " noun,                                 \
	  "Creates a " noun " named NAME (unique in the account) and prints " \
	  "it.",                                                              \
	  NONE },                                                             \
		{ "list", NULL, "list the " noun "s",                         \
		  "Prints every " noun " of the account, by name.", NONE },   \
		{ "show", "ID", "show one " noun,                             \
		  "Prints the " noun " ID (" REF_HELP ").", NONE },           \
		{ "update", "ID", "rename a " noun,                           \
		  "Renames the " noun " ID (" REF_HELP ").", name_opt },      \
		{ "delete", "ID", "delete a " noun,                           \
		  "Deletes the " noun " ID (" REF_HELP "). " extra, NONE },   \
		VEND

static const struct cli_admin_verb site_verbs[] = { NAMED_VERBS(
	"site",
	"Its gateway tokens and gateways go with it; a site that "
	"resources still use is refused (delete or move them first).") };

static const struct cli_admin_verb group_verbs[] = { NAMED_VERBS(
	"group", "Its memberships and policies go with it. The builtin group "
		 "Everyone can be neither renamed nor deleted.") };

static const struct cli_admin_opt site_filter[] = {
	{ "--site", "SITE", "site_id", CLI_ARG_STR, false,
	  "Only the tokens of SITE (" REF_HELP ")." },
	END
};

static const struct cli_admin_opt gwtoken_create[] = {
	{ "--site", "SITE", "site_id", CLI_ARG_STR, true,
	  "The site whose gateways the token admits (" REF_HELP
	  "). Required." },
	{ "--name", "NAME", "name", CLI_ARG_STR, false,
	  "A name for the token (default: the site's name)." },
	END
};

#define TOKEN_VERBS(what, create_opts, list_opts, create_desc)               \
	{ "create", NULL, "create a " what, create_desc, create_opts },      \
		{ "list", NULL, "list the " what "s",                        \
		  "Prints the " what "s (never their text: only hashes are " \
		  "kept).",                                                  \
		  list_opts },                                               \
		{ "show", "ID", "show one " what,                            \
		  "Prints the " what " ID (its id).", NONE },                \
		{ "delete", "ID", "delete a " what,                          \
		  "Deletes the " what " ID; every socket it opened is "      \
		  "closed.",                                                 \
		  NONE },                                                    \
		VEND

#define SHOWN_ONCE                                                          \
	" The token's text is printed once, as TOKEN (--json: \"token\"); " \
	"only its hash is kept, so it cannot be shown again."

static const struct cli_admin_verb gwtoken_verbs[] = { TOKEN_VERBS(
	"gateway token", gwtoken_create, site_filter,
	"Creates a token with which gateways join the site SITE. It does not "
	"expire." SHOWN_ONCE) };

static const struct cli_admin_opt actor_filter[] = {
	{ "--actor", "ACTOR", "actor_id", CLI_ARG_STR, false,
	  "Only those of ACTOR (a user or service account, " REF_HELP ")." },
	END
};

static const struct cli_admin_opt clitoken_create[] = {
	{ "--actor", "ACTOR", "actor_id", CLI_ARG_STR, true,
	  "The user or service account the token signs in as (" REF_HELP
	  "). Required." },
	{ "--name", "NAME", "name", CLI_ARG_STR, false,
	  "A name for the token (default: the actor's name)." },
	{ "--expires-in", "DURATION", "expires_in", CLI_ARG_STR, false,
	  "Its lifetime: seconds, or a number followed by s, m, h, d or w "
	  "(12h, 7d), at most ten years. Default: the account's "
	  "client_token_ttl (7d unless changed)." },
	END
};

static const struct cli_admin_verb clitoken_verbs[] = { TOKEN_VERBS(
	"client token", clitoken_create, actor_filter,
	"Creates a token with which a client signs in as ACTOR." SHOWN_ONCE) };

static const struct cli_admin_opt apitoken_create[] = {
	{ "--actor", "ACTOR", "actor_id", CLI_ARG_STR, true,
	  "The admin the token acts as (" REF_HELP "); members are refused. "
	  "Required." },
	{ "--name", "NAME", "name", CLI_ARG_STR, false,
	  "A name for the token (default: the actor's name)." },
	{ "--expires-in", "DURATION", "expires_in", CLI_ARG_STR, false,
	  "Its lifetime (12h, 7d, 2w; at most ten years). Default: none." },
	END
};

static const struct cli_admin_verb apitoken_verbs[] = { TOKEN_VERBS(
	"API token", apitoken_create, actor_filter,
	"Creates a bearer token for the REST API (/api/v1), acting as the "
	"admin ACTOR." SHOWN_ONCE) };

static const struct cli_admin_opt gw_filter[] = {
	{ "--site", "SITE", "site_id", CLI_ARG_STR, false,
	  "Only the gateways of SITE (" REF_HELP ")." },
	END
};

static const struct cli_admin_verb gateway_verbs[] = {
	{ "list", NULL, "list the gateways, with presence",
	  "Prints every gateway that has joined: its site, tunnel addresses, "
	  "whether it is online now (its socket is up), when it was last "
	  "seen, from where, and its version.",
	  gw_filter },
	{ "show", "ID", "show one gateway",
	  "Prints the gateway ID (its id, or its name if unique).", NONE },
	{ "delete", "ID", "delete a gateway",
	  "Deletes the gateway ID: its tunnel addresses are freed and its "
	  "socket closed. It registers again if its token is still valid.",
	  NONE },
	VEND
};

static const struct cli_admin_opt client_update[] = {
	{ "--verified", NULL, "verified", CLI_ARG_TRUE, false,
	  "Mark the client verified (policies may require it)." },
	{ "--unverified", NULL, "verified", CLI_ARG_FALSE, false,
	  "Take the mark away." },
	END
};

static const struct cli_admin_verb client_verbs[] = {
	{ "list", NULL, "list the clients, with presence",
	  "Prints every client that has joined: its actor, tunnel addresses, "
	  "whether it is verified, online now, when it was last seen, from "
	  "where, and its version.",
	  actor_filter },
	{ "show", "ID", "show one client",
	  "Prints the client ID (its id, or its name if unique).", NONE },
	{ "update", "ID", "mark a client verified or not",
	  "Sets or clears the client's verified mark.", client_update },
	{ "delete", "ID", "delete a client",
	  "Deletes the client ID: its tunnel addresses are freed and what it "
	  "was granted is revoked.",
	  NONE },
	VEND
};

#define RES_OPTS(req)                                                               \
	{ "--name",    "NAME", "name",                                              \
	  CLI_ARG_STR, req,    "The resource's name, unique in the account." },     \
		{ "--type", "TYPE", "type", CLI_ARG_STR, req, "dns, ip or cidr." }, \
		{ "--address",                                                      \
		  "ADDRESS",                                                        \
		  "address",                                                        \
		  CLI_ARG_STR,                                                      \
		  req,                                                              \
		  "dns: a domain name, with a leading *. (one label) or **. "       \
		  "(any number) for wildcards; ip: one address; cidr: "             \
		  "ADDR/LEN with the host bits clear. The same rules as the "       \
		  "gateway's authorizations file." },                               \
		{ "--site",  "SITE",                                                \
		  "site_id", CLI_ARG_STR,                                           \
		  req,	     "The site whose gateways serve it (" REF_HELP ")." },  \
		{ "--filters",                                                      \
		  "FILTERS",                                                        \
		  "filters",                                                        \
		  CLI_ARG_STR,                                                      \
		  false,                                                            \
		  "What may pass: a comma-separated list of icmp, tcp, udp, "       \
		  "tcp/PORT, udp/START-END (\"tcp/443, udp/5000-5010, "             \
		  "icmp\"); \"\" or none: everything." },                           \
		{ "--description", "TEXT", "description",                           \
		  CLI_ARG_STR,	   false,  "A description shown to users." },       \
		END

static const struct cli_admin_opt res_create[] = { RES_OPTS(true) };
static const struct cli_admin_opt res_update[] = { RES_OPTS(false) };

static const struct cli_admin_verb resource_verbs[] = {
	{ "create", NULL, "create a resource",
	  "Creates a resource: an address clients may reach through the "
	  "gateways of a site, once a policy grants it to a group.",
	  res_create },
	{ "list", NULL, "list the resources", "Prints every resource, by name.",
	  NONE },
	{ "show", "ID", "show one resource",
	  "Prints the resource ID (" REF_HELP ").", NONE },
	{ "update", "ID", "change a resource",
	  "Changes what is given and keeps the rest; type and address are "
	  "checked together. Filter changes reach gateways at once.",
	  res_update },
	{ "delete", "ID", "delete a resource",
	  "Deletes the resource ID and its policies; what was granted "
	  "through them is revoked.",
	  NONE },
	VEND
};

static const struct cli_admin_opt member_opts[] = {
	{ "--group", "GROUP", "group_id", CLI_ARG_ID, true,
	  "The group (" REF_HELP "). Required." },
	{ "--actor", "ACTOR", "actor_id", CLI_ARG_STR, true,
	  "The user or service account (" REF_HELP "). Required." },
	END
};

static const struct cli_admin_opt member_list_opts[] = {
	{ "--group", "GROUP", "group_id", CLI_ARG_ID, true,
	  "The group (" REF_HELP "). Required." },
	END
};

static const struct cli_admin_verb member_verbs[] = {
	{ "add", NULL, "add an actor to a group",
	  "Makes ACTOR a member of GROUP.", member_opts },
	{ "list", NULL, "list a group's members",
	  "Prints the members of GROUP, by name.", member_list_opts },
	{ "remove", NULL, "remove an actor from a group",
	  "Takes ACTOR out of GROUP; what the group's policies granted the "
	  "actor is revoked. Nobody leaves the builtin group Everyone.",
	  member_opts },
	VEND
};

#define ACTOR_OPTS(req, email)                                                 \
	{                                                                      \
		"--name", "NAME",                                              \
		"name",	  CLI_ARG_STR,                                         \
		req,	  "The name, unique among the account's actors."       \
	},                                                                     \
		{ "--role",                                                    \
		  "ROLE",                                                      \
		  "role",                                                      \
		  CLI_ARG_STR,                                                 \
		  false,                                                       \
		  "admin or member (the default): only admins may hold API "   \
		  "tokens." },                                                 \
		email{ "--disabled", NULL,                                     \
		       "disabled",   CLI_ARG_TRUE,                             \
		       false,	     "Disable it: its tokens stop working." }, \
		{ "--enabled",	 NULL,	"disabled",                            \
		  CLI_ARG_FALSE, false, "Enable it again." },                  \
		END

#define EMAIL_OPT                                                         \
	{                                                                 \
		"--email", "EMAIL",                                       \
		"email",   CLI_ARG_STR,                                   \
		false,	   "The user's email address (\"\" to clear it)." \
	},

static const struct cli_admin_opt user_create[] = { ACTOR_OPTS(true,
							       EMAIL_OPT) };
static const struct cli_admin_opt user_update[] = { ACTOR_OPTS(false,
							       EMAIL_OPT) };
static const struct cli_admin_opt sa_create[] = { ACTOR_OPTS(true, ) };
static const struct cli_admin_opt sa_update[] = { ACTOR_OPTS(false, ) };

#define ACTOR_VERBS(what, copts, uopts)                                     \
	{ "create", NULL, "create a " what,                                 \
	  "Creates a " what "; it is a member of Everyone from the start.", \
	  copts },                                                          \
		{ "list", NULL, "list the " what "s",                       \
		  "Prints every " what ", by name.", NONE },                \
		{ "show", "ID", "show one " what,                           \
		  "Prints the " what " ID (" REF_HELP ").", NONE },         \
		{ "update", "ID", "change a " what,                         \
		  "Changes what is given and keeps the rest.", uopts },     \
		{ "delete", "ID", "delete a " what,                         \
		  "Deletes the " what " ID with its clients, tokens and "   \
		  "memberships; what they were granted is revoked.",        \
		  NONE },                                                   \
		VEND

static const struct cli_admin_verb actor_verbs[] = { ACTOR_VERBS(
	"user", user_create, user_update) };
static const struct cli_admin_verb sa_verbs[] = { ACTOR_VERBS(
	"service account", sa_create, sa_update) };

#define COND_HELP                                                            \
	"A condition, as JSON, all of which must hold; repeat for more: "    \
	"{\"property\":\"remote_ip\",\"operator\":\"is_in_cidr\"|"           \
	"\"is_not_in_cidr\",\"values\":[CIDR...]}, "                         \
	"{\"property\":\"provider_id\",\"operator\":\"is_in\"|\"is_not_in\"" \
	",\"values\":[ID...]}, {\"property\":\"client_verified\","           \
	"\"operator\":\"is\",\"values\":[\"true\"]}, "                       \
	"{\"property\":\"current_utc_datetime\",\"operator\":"               \
	"\"is_in_day_of_week_time_ranges\",\"values\":"                      \
	"[\"M/09:00-17:00/Europe/Berlin\"]}. Unknown ones are refused."

static const struct cli_admin_opt policy_create[] = {
	{ "--group", "GROUP", "group_id", CLI_ARG_STR, true,
	  "The group granted access (" REF_HELP "). Required." },
	{ "--resource", "RESOURCE", "resource_id", CLI_ARG_STR, true,
	  "The resource (" REF_HELP "). Required." },
	{ "--condition", "JSON", "conditions", CLI_ARG_JSON, false, COND_HELP },
	{ "--description", "TEXT", "description", CLI_ARG_STR, false,
	  "A description." },
	{ "--disabled", NULL, "enabled", CLI_ARG_FALSE, false,
	  "Create it disabled." },
	END
};

static const struct cli_admin_opt policy_update[] = {
	{ "--condition", "JSON", "conditions", CLI_ARG_JSON, false,
	  "Replace the conditions with these. " COND_HELP },
	{ "--clear-conditions", NULL, "conditions", CLI_ARG_EMPTY, false,
	  "Remove every condition." },
	{ "--description", "TEXT", "description", CLI_ARG_STR, false,
	  "A description." },
	END
};

static const struct cli_admin_verb policy_verbs[] = {
	{ "create", NULL, "grant a group a resource",
	  "Creates a policy: members of GROUP may reach RESOURCE while every "
	  "condition holds. One policy per group and resource.",
	  policy_create },
	{ "list", NULL, "list the policies",
	  "Prints every policy, oldest first.", NONE },
	{ "show", "ID", "show one policy", "Prints the policy ID (its id).",
	  NONE },
	{ "update", "ID", "change a policy's conditions or description",
	  "Changes what is given; grants that no longer hold are revoked.",
	  policy_update },
	{ "enable", "ID", "enable a policy", "Enables the policy ID.", NONE },
	{ "disable", "ID", "disable a policy",
	  "Disables the policy ID; what it granted is revoked.", NONE },
	{ "delete", "ID", "delete a policy",
	  "Deletes the policy ID; what it granted is revoked.", NONE },
	VEND
};

static const struct cli_admin_opt audit_opts[] = {
	{ "--since", "WHEN", "since", CLI_ARG_STR, false,
	  "Only entries from WHEN on: a duration ago (30m, 1h, 7d) or an "
	  "RFC 3339 time (2026-01-31T12:00:00Z)." },
	{ "--limit", "N", "limit", CLI_ARG_STR, false,
	  "At most N entries (default 100)." },
	END
};

static const struct cli_admin_verb audit_verbs[] = {
	{ "list", NULL, "show the audit log",
	  "Prints the audit log, newest first: every admin change (source "
	  "cli or api, who, what, and the record before and after) and every "
	  "authorization decision.",
	  audit_opts },
	VEND
};

static const struct cli_admin_opt account_update[] = {
	{ "--name", "NAME", "name", CLI_ARG_STR, false,
	  "The account's display name." },
	{ "--upstream-dns", "LIST", "upstream_dns", CLI_ARG_STR, false,
	  "The DNS servers clients forward to, comma-separated IP addresses "
	  "(at most 8; \"\" for the clients' own)." },
	{ "--search-domain", "DOMAIN", "search_domain", CLI_ARG_STR, false,
	  "The search domain clients use (\"\" for none)." },
	{ "--client-token-ttl", "DURATION", "client_token_ttl", CLI_ARG_STR,
	  false,
	  "The lifetime of new client tokens, signed-in ones included: from "
	  "1h to 90d (12h, 7d, 2w)." },
	{ "--self-signup", "on|off", "self_signup", CLI_ARG_ONOFF, false,
	  "on: signing in through a provider with an identity no user has "
	  "yet creates a member user for it (and its identity); off (the "
	  "default): such a sign-in is refused." },
	END
};

static const struct cli_admin_verb account_verbs[] = {
	{ "show", NULL, "show the account's settings",
	  "Prints the account: slug, name, upstream DNS, search domain, "
	  "the client token lifetime (seconds) and whether sign-in creates "
	  "users (self_signup).",
	  NONE },
	{ "update", NULL, "change the account's settings",
	  "Changes what is given; clients get it when they next join.",
	  account_update },
	VEND
};

#define PROVIDER_OPTS(req)                                                          \
	{ "--issuer",                                                               \
	  "URL",                                                                    \
	  "issuer",                                                                 \
	  CLI_ARG_STR,                                                              \
	  req,                                                                      \
	  "The provider's issuer, exactly as its id_tokens' iss: https, or "        \
	  "http to 127.0.0.1, [::1] or localhost only." },                          \
		{ "--client-id", "ID",                                              \
		  "client_id",	 CLI_ARG_STR,                                       \
		  req,		 "The client id the provider gave the portal." },   \
		{ "--client-secret-file",                                           \
		  "FILE|-",                                                         \
		  "client_secret",                                                  \
		  CLI_ARG_FILE,                                                     \
		  req,                                                              \
		  "Read the client secret from FILE (- for standard input; "        \
		  "one trailing newline is dropped). Never on the command "         \
		  "line, where other users see it; it is never printed "            \
		  "back." },                                                        \
		{ "--scopes",                                                       \
		  "SCOPES",                                                         \
		  "scopes",                                                         \
		  CLI_ARG_STR,                                                      \
		  false,                                                            \
		  "The scopes asked for, space-separated, openid among them "       \
		  "(default \"openid email profile\")." },                          \
		{ "--link-by-email",                                                \
		  NULL,                                                             \
		  "link_by_email",                                                  \
		  CLI_ARG_TRUE,                                                     \
		  false,                                                            \
		  "A first sign-in whose verified email is that of exactly "        \
		  "one enabled user signs in as that user (an identity is "         \
		  "made for it)." },                                                \
		{ "--no-link-by-email",                                             \
		  NULL,                                                             \
		  "link_by_email",                                                  \
		  CLI_ARG_FALSE,                                                    \
		  false,                                                            \
		  "Only known identities sign in (the default)." },                 \
		{ "--disabled", NULL,  "disabled",                                  \
		  CLI_ARG_TRUE, false, "Disable it: nobody signs in through it." }, \
	{                                                                           \
		"--enabled", NULL, "disabled", CLI_ARG_FALSE, false,                \
			"Enable it again."                                          \
	}

static const struct cli_admin_opt provider_add[] = { PROVIDER_OPTS(true), END };
static const struct cli_admin_opt provider_update[] = {
	{ "--name", "NAME", "name", CLI_ARG_STR, false,
	  "The new name, unique in the account." },
	PROVIDER_OPTS(false),
	END
};

static const struct cli_admin_verb provider_verbs[] = {
	{ "add", "NAME", "add an OpenID Connect provider",
	  "Adds a provider named NAME (unique in the account; users see it on "
	  "the sign-in page). Register the portal with the provider first, "
	  "with the redirect URI EXTERNAL_URL/auth/oidc/callback.",
	  provider_add },
	{ "list", NULL, "list the providers",
	  "Prints every provider, by name; the client secret only as "
	  "\"(set)\".",
	  NONE },
	{ "show", "ID", "show one provider",
	  "Prints the provider ID (" REF_HELP "); the client secret only as "
	  "\"(set)\".",
	  NONE },
	{ "update", "ID", "change a provider",
	  "Changes what is given and keeps the rest.", provider_update },
	{ "remove", "ID", "remove a provider",
	  "Removes the provider ID with the identities made through it; "
	  "the sessions signed in with them are revoked (their sockets "
	  "close).",
	  NONE },
	VEND
};

static const struct cli_admin_opt session_list[] = {
	{ "--actor", "ACTOR", "actor_id", CLI_ARG_STR, true,
	  "The user or service account (" REF_HELP "). Required." },
	END
};

static const struct cli_admin_opt session_revoke[] = {
	{ "--actor", "ACTOR", "actor_id", CLI_ARG_STR, false,
	  "Revoke every session of ACTOR (" REF_HELP ") instead of one." },
	END
};

static const struct cli_admin_verb session_verbs[] = {
	{ "list", NULL, "list an actor's sessions",
	  "Prints the client tokens of ACTOR: how each was made (\"sign-in "
	  "via PROVIDER\", \"sign-in via email\", or an admin's name), the "
	  "provider, when it was made, expires and was last used.",
	  session_list },
	{ "revoke", "[ID]", "sign a session out",
	  "Revokes the session ID (its id), or with --actor every session of "
	  "an actor: the tokens are deleted and the clients' sockets close "
	  "at once.",
	  session_revoke },
	VEND
};

const struct cli_admin_noun cli_admin_nouns[] = {
	{ "account", "account", "the account's settings",
	  "The account's name and what clients get at join.", "",
	  account_verbs },
	{ "site", "site", "sites, where gateways and resources live",
	  "A site is a place gateways run in; every resource belongs to one, "
	  "and is reached through an online gateway of its site.",
	  "", site_verbs },
	{ "gateway-token", "gateway_token", "tokens gateways join with",
	  "Gateways authenticate with a token of their site.",
	  "id,name,site_id,created_at,last_used_at", gwtoken_verbs },
	{ "gateway", "gateway", "gateways, with presence",
	  "Gateways register themselves when they join with a gateway token.",
	  "id,name,site_id,ipv4,online,last_seen_at,remote_addr,version",
	  gateway_verbs },
	{ "client", "client", "clients, with presence",
	  "Clients register themselves when they join with a client token.",
	  "id,name,actor_id,ipv4,verified,online,last_seen_at,remote_addr",
	  client_verbs },
	{ "resource", "resource", "resources clients may reach",
	  "A resource is a DNS name (wildcards allowed), an address or a "
	  "network, behind the gateways of one site, with optional port "
	  "filters.",
	  "id,name,type,address,site_id,filters", resource_verbs },
	{ "group", "group", "groups of actors",
	  "Policies grant resources to groups. Every actor is in the builtin "
	  "group Everyone.",
	  "", group_verbs },
	{ "member", "member", "group memberships",
	  "Which actors are in which group.", "", member_verbs },
	{ "actor", "actor", "users",
	  "Users: people who sign in with client tokens; admins also "
	  "administer the account.",
	  "id,name,email,role,disabled_at", actor_verbs },
	{ "service-account", "service_account", "service accounts",
	  "Service accounts: machines that sign in with client tokens.",
	  "id,name,role,disabled_at", sa_verbs },
	{ "client-token", "client_token", "tokens clients sign in with",
	  "A client signs in with a token of a user or service account; "
	  "client tokens always expire.",
	  "id,name,actor_id,expires_at,last_used_at", clitoken_verbs },
	{ "api-token", "api_token", "tokens of the REST API",
	  "The REST API takes bearer tokens of admin actors.",
	  "id,name,actor_id,expires_at,last_used_at", apitoken_verbs },
	{ "policy", "policy", "who may reach what",
	  "A policy lets the members of a group reach a resource while every "
	  "one of its conditions holds; without one, access is denied.",
	  "id,group_id,resource_id,enabled,conditions", policy_verbs },
	{ "audit", "audit", "the audit log",
	  "Every admin change and every authorization decision.",
	  "at,source,who,action,object_id,decision,reason", audit_verbs },
	{ "provider", "provider", "OpenID Connect providers to sign in with",
	  "Users sign in (fzagent sign-in) through the account's providers, "
	  "or with a code sent to their email. An identity at a provider is "
	  "tied to one user the first time it signs in.",
	  "id,name,issuer,client_id,scopes,link_by_email,disabled_at",
	  provider_verbs },
	{ "session", "session", "signed-in clients",
	  "A session is a client token: made by signing in, or by an admin "
	  "(client-token create). Revoking one signs its client out.",
	  "id,provider,name,created_at,expires_at,last_used_at",
	  session_verbs },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};

const struct cli_admin_noun *cli_admin_noun_find(const char *name)
{
	for (const struct cli_admin_noun *n = cli_admin_nouns; n->name; n++)
		if (!strcmp(n->name, name) || !strcmp(n->admin, name))
			return n;
	return NULL;
}

const struct cli_admin_verb *cli_admin_verb_find(const struct cli_admin_noun *n,
						 const char *name)
{
	for (const struct cli_admin_verb *v = n->verbs; v->name; v++)
		if (!strcmp(v->name, name))
			return v;
	return NULL;
}
