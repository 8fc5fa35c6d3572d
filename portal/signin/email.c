// SPDX-License-Identifier: GPL-2.0
/*
 * Sign-in by a code sent by email (portal/SIGNIN.md, step 4). "Send me a
 * code" answers the same page, at once, whether or not the address
 * belongs to anybody: the mail goes out on the thread pool afterwards,
 * and only to an enabled user of the account. The code is bound to the
 * flow (so to this browser), kept only as a keyed hash, works once,
 * expires, and is burnt after SIGNIN_CODE_ATTEMPTS wrong tries. Sending
 * is limited per address and per source, trying per source (limit.c).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "job.h"
#include "core/log.h"
#include "admin/admin.h"
#include "core/otp.h"

struct mail_job {
	struct signin_job base;
	char to[SIGNIN_EMAIL_SIZE];
	char account[STORE_TEXT_SIZE];
	char code[CORE_OTP_DIGITS + 1];
	int ttl_min;
	int rc;
	char err[256];
};

static void mail_job_free(struct signin_job *base)
{
	sodium_memzero(base, sizeof(struct mail_job));
	free(base);
}

static void mail_run(struct signin_job *base)
{
	struct mail_job *job = (struct mail_job *)base;
	char subject[300], text[1024];

	snprintf(subject, sizeof(subject), "Your sign-in code: %s", job->code);
	snprintf(text, sizeof(text),
		 "Your code to sign in to %s is\n\n    %s\n\n"
		 "It works once, within %d minutes, in the browser that asked "
		 "for it.\nIf you did not ask for it, ignore this message.\n",
		 job->account, job->code, job->ttl_min);
	job->rc = idp_smtp_send(&job->base.si->cfg.smtp, job->to, subject, text,
				job->err, sizeof(job->err));
	sodium_memzero(subject, sizeof(subject));
	sodium_memzero(text, sizeof(text));
}

static int mail_done(struct signin_job *base, struct web_page_response *resp)
{
	struct mail_job *job = (struct mail_job *)base;

	(void)resp;
	if (job->base.cancelled || job->rc)
		core_log("signin_mail_error", "to", job->to, "why", job->err,
			 NULL);
	else
		core_log("signin_mail_sent", "to", job->to, NULL);
	return 0;
}

/* The address as typed, trimmed and lower-cased; false when not one. */
static bool normalise(const char *in, char out[SIGNIN_EMAIL_SIZE])
{
	size_t n;

	while (*in == ' ' || *in == '\t')
		in++;
	n = strlen(in);
	while (n && (in[n - 1] == ' ' || in[n - 1] == '\t'))
		n--;
	if (!n || n >= SIGNIN_EMAIL_SIZE)
		return false;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[n] = '\0';
	return idp_email_valid(out);
}

/* An enabled user of the account with this address: a code is sent. */
static void send_code(struct signin *si, struct signin_flow *f,
		      const char *account_name)
{
	struct store_actor actor;
	struct store_err err = { 0 };
	struct mail_job *job;

	if (store_actor_find_by_email(si->cfg.store, f->account_id, f->email,
				      &actor, &err) ||
	    actor.disabled_at || strcmp(actor.type, "user"))
		return;
	job = calloc(1, sizeof(*job));
	if (!job)
		return;
	core_otp_new(job->code);
	core_otp_hash(f->code_hash, job->code);
	f->code_set = true;
	f->code_expires_at = signin_now() + si->cfg.code_ttl_s * 1000000000LL;
	f->code_attempts = 0;
	job->ttl_min = (int)(si->cfg.code_ttl_s / 60);
	memcpy(job->to, f->email, sizeof(job->to));
	snprintf(job->account, sizeof(job->account), "%s", account_name);
	job->base.run = mail_run;
	job->base.done = mail_done;
	job->base.free = mail_job_free;
	if (signin_job_start(si, &job->base, NULL)) {
		core_log("signin_mail_error", "to", f->email, "why",
			 "too many mails on their way", NULL);
		mail_job_free(&job->base);
	}
}

int signin_email_send(struct signin *si, const struct web_page_request *req,
		      struct web_page_response *resp, const char *slug)
{
	char csrf[64] = "", typed[SIGNIN_EMAIL_SIZE + 1] = "",
	     email[SIGNIN_EMAIL_SIZE], source[64];
	struct store_account acct;
	struct store_err err = { 0 };
	struct signin_flow *f;
	int64_t now = signin_now();

	web_form_value(req->body, req->body_len, "csrf", csrf, sizeof(csrf));
	f = signin_flow_of(si, req, resp, slug, csrf);
	if (!f)
		return 0;
	if (!si->cfg.smtp.url)
		return signin_page_error(
			resp, 404, "No email sign-in",
			"This portal sends no codes by email.");
	if (web_form_value(req->body, req->body_len, "email", typed,
			   sizeof(typed)) ||
	    !normalise(typed, email))
		return signin_page_error(resp, 400, "Not an email address",
					 "That is not an email address. Go "
					 "back and check it.");
	memcpy(f->email, email, sizeof(f->email));
	f->code_set = false; /* an earlier code stops working */
	signin_source_of(si, req, source, sizeof(source));
	if (!signin_limit_take(si->limits, SIGNIN_LIMIT_SEND_SOURCE, source,
			       now) ||
	    !signin_limit_take(si->limits, SIGNIN_LIMIT_SEND_ADDR, email, now))
		return signin_page_code(resp, slug, f,
					"Too many codes were asked for. Wait a "
					"few minutes, then ask again.",
					si->cfg.code_ttl_s);
	if (store_account_get(si->cfg.store, f->account_id, &acct, &err))
		return signin_page_error(
			resp, 503, "Unavailable",
			"The portal cannot read its database.");
	send_code(si, f, acct.name);
	return signin_page_code(resp, slug, f, NULL, si->cfg.code_ttl_s);
}

static int wrong_code(struct signin *si, struct web_page_response *resp,
		      const char *slug, struct signin_flow *f)
{
	char notice[128];
	int left = SIGNIN_CODE_ATTEMPTS - f->code_attempts;

	if (left <= 0) {
		f->code_set = false;
		return signin_page_error(resp, 403, "Too many attempts",
					 "Too many wrong codes: this one no "
					 "longer works. Ask for a new code.");
	}
	snprintf(notice, sizeof(notice), "That code is wrong. %d %s left.",
		 left, left == 1 ? "try" : "tries");
	return signin_page_code(resp, slug, f, notice, si->cfg.code_ttl_s);
}

int signin_email_verify(struct signin *si, const struct web_page_request *req,
			struct web_page_response *resp, const char *slug)
{
	char csrf[64] = "", code[32] = "", source[64];
	struct store_identity identity;
	struct idp_claims claims;
	struct admin_error aerr = { 0 };
	struct store_actor actor;
	struct signin_flow *f;
	int64_t now = signin_now();
	bool right;

	web_form_value(req->body, req->body_len, "csrf", csrf, sizeof(csrf));
	f = signin_flow_of(si, req, resp, slug, csrf);
	if (!f)
		return 0;
	if (!f->email[0])
		return signin_page_error(resp, 400, "No code asked for",
					 "Ask for a code first.");
	signin_source_of(si, req, source, sizeof(source));
	if (!signin_limit_take(si->limits, SIGNIN_LIMIT_VERIFY_SOURCE, source,
			       now))
		return signin_page_error(resp, 429, "Too many attempts",
					 "Too many codes were tried from your "
					 "address. Wait a few minutes.");
	if (f->code_set && f->code_attempts >= SIGNIN_CODE_ATTEMPTS)
		return wrong_code(si, resp, slug, f);
	if (signin_limit_spent(si->limits, SIGNIN_LIMIT_FAIL_ADDR, f->email,
			       now)) {
		f->code_set = false;
		core_log("signin_refused", "account", f->account_slug, "via",
			 "email", "why", "too many wrong codes for the address",
			 NULL);
		return signin_page_error(resp, 429, "Too many attempts",
					 "Too many wrong codes were tried for "
					 "this address today.");
	}
	if (f->code_set && now >= f->code_expires_at) {
		f->code_set = false;
		return signin_page_error(resp, 410, "Code expired",
					 "This code has expired. Ask for a new "
					 "one.");
	}
	web_form_value(req->body, req->body_len, "code", code, sizeof(code));
	/* Checked even without a code, so both cases take the same time. */
	right = core_otp_verify(f->code_hash, code) && f->code_set;
	sodium_memzero(code, sizeof(code));
	if (!right) {
		f->code_attempts++;
		signin_limit_take(si->limits, SIGNIN_LIMIT_FAIL_ADDR, f->email,
				  now);
		return wrong_code(si, resp, slug, f);
	}
	f->code_set = false; /* once */
	claims = (struct idp_claims){ .email_verified = true };
	memcpy(claims.email, f->email, sizeof(f->email));
	if (signin_match(si, f->account_id, NULL, &claims, false, false, &actor,
			 &identity, &aerr)) {
		core_log("signin_refused", "account", f->account_slug, "via",
			 "email", "why", aerr.message, NULL);
		return signin_page_error(resp, 403, "Unknown user",
					 "This user no longer exists or is "
					 "disabled.");
	}
	return signin_finish(si, f, &actor, "", "email", resp);
}
