/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The text of one plain-text mail as RFC 5322 wants it: Date, From, To,
 * Subject, Message-ID, MIME-Version, Content-Type (text/plain; UTF-8),
 * Content-Transfer-Encoding, then the body, every line ending in CRLF.
 * A subject that is not plain ASCII is sent as RFC 2047 encoded words; a
 * body that is not plain ASCII, or has a line too long for SMTP, as
 * base64. Dot-stuffing is the SMTP client's job (libcurl does it).
 */
#ifndef FZ_PORTAL_IDP_MAILMSG_H
#define FZ_PORTAL_IDP_MAILMSG_H

#include <stddef.h>
#include <time.h>

/*
 * The message, malloc'd and NUL-terminated, its length in *len; or NULL
 * with err set when an address, the subject (empty, too long, a control
 * character such as CR or LF, not UTF-8) or the text (too long, a NUL-free
 * but bare CR, a control character, not UTF-8) is refused, or on ENOMEM.
 * now is the Date; the Message-ID is random, at from's domain.
 */
char *idp_mailmsg_build(const char *from, const char *to, const char *subject,
			const char *text, time_t now, size_t *len, char *err,
			size_t errlen);

#endif /* FZ_PORTAL_IDP_MAILMSG_H */
