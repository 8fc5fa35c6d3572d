/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sending one mail (the sign-in codes) through an SMTP relay with libcurl.
 * Blocking: call it from a worker thread (uv_queue_work), never the loop.
 * Thread-safe; the caller makes sure curl_global_init() ran before threads
 * start.
 *
 * The relay is a URL: smtp://host[:port] (STARTTLS when the server offers
 * it, or always when user is set: a password never goes out in clear) or
 * smtps://host[:port] (TLS from the start). Certificates are verified,
 * against ca_file if set, else the system's store. No user or password in
 * the URL: they go in user and password, so that the URL can be logged.
 */
#ifndef FZ_PORTAL_IDP_SMTP_H
#define FZ_PORTAL_IDP_SMTP_H

#include <stdbool.h>
#include <stddef.h>

/* RFC 5321's limit on a path, which bounds an address. */
#define IDP_EMAIL_MAX 254
/* A subject longer than this is refused: ours are short. */
#define IDP_SMTP_SUBJECT_MAX 200
/* A body longer than this is refused. */
#define IDP_SMTP_TEXT_MAX (64 * 1024)
/* The whole exchange when timeout_ms is 0. */
#define IDP_SMTP_TIMEOUT_MS 30000L

struct idp_smtp_cfg {
	const char *url; /* smtp://relay:587 or smtps://relay:465 */
	const char *from; /* a bare address, checked by idp_email_valid() */
	const char *user; /* NULL or "": no AUTH */
	const char *password; /* with user */
	const char *ca_file; /* NULL: the system's CA store */
	long timeout_ms; /* the whole exchange; 0: IDP_SMTP_TIMEOUT_MS */
};

/*
 * Sends text (UTF-8, lines separated by LF or CRLF) with the subject
 * (UTF-8, one line) from c->from to the one recipient to. Returns 0 once
 * the relay accepted the message, or -errno with err set to a message fit
 * for the log (never the password):
 *   -EINVAL       bad configuration, address, subject or text (nothing sent)
 *   -ECONNREFUSED, -EHOSTUNREACH  no connection to the relay
 *   -ETIMEDOUT    the relay did not finish in time
 *   -EACCES       the relay refused the login
 *   -EPROTO       TLS failed (certificate, handshake, STARTTLS required)
 *   -EIO          the relay refused the sender, the recipient or the data
 */
int idp_smtp_send(const struct idp_smtp_cfg *c, const char *to,
		  const char *subject, const char *text, char *err,
		  size_t errlen);

/*
 * Whether addr is a plain address that is safe to put in a header and an
 * SMTP command: ASCII, at most IDP_EMAIL_MAX characters, exactly one '@'
 * between a non-empty local part (at most 64 characters, without white
 * space, controls, '"', '<', '>', '(', ')', ',', ';', ':', '\\', '[', ']')
 * and a domain of letters, digits and hyphens in dot-separated labels, with
 * at least one dot unless it is "localhost". Quoted local parts and
 * address literals are refused. Case is kept: comparing lower-cased
 * addresses is the caller's business.
 */
bool idp_email_valid(const char *addr);

#endif /* FZ_PORTAL_IDP_SMTP_H */
