// SPDX-License-Identifier: GPL-2.0
/*
 * The audit rows of the signalling: every decision (allow with the
 * policy, deny with the reason) and every revocation, one row each,
 * with the client and gateway in the detail.
 */
#include <stdio.h>
#include <string.h>

#include "priv.h"
#include "core/log.h"

void sig_audit(struct sig *s, const struct store_authz *a, const char *action,
	       const char *decision, const char *reason)
{
	struct store_audit au = { 0 };
	struct store_err err = { 0 };

	snprintf(au.account_id, sizeof(au.account_id), "%s", a->account_id);
	strcpy(au.source, "signal");
	snprintf(au.who, sizeof(au.who), "client:%s", a->client_id);
	snprintf(au.action, sizeof(au.action), "%s", action);
	strcpy(au.object_type, "resource");
	snprintf(au.object_id, sizeof(au.object_id), "%s", a->resource_id);
	snprintf(au.decision, sizeof(au.decision), "%s", decision ?: "");
	snprintf(au.policy_id, sizeof(au.policy_id), "%s", a->policy_id);
	snprintf(au.reason, sizeof(au.reason), "%s", reason ?: "");
	snprintf(au.detail, sizeof(au.detail),
		 "{\"authorization_id\":\"%s\",\"client_id\":\"%s\","
		 "\"gateway_id\":\"%s\"}",
		 a->id, a->client_id, a->gateway_id);
	if (store_audit_append(s->store, &au, &err))
		core_log("audit_failed", "action", action, "msg", err.msg,
			 NULL);
}
