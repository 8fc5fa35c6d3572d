// SPDX-License-Identifier: GPL-2.0
/*
 * Composing the mail (see mailmsg.h). Everything put in a header was
 * checked first: the addresses by idp_email_valid(), the subject for
 * controls, so nothing the caller passes can add a header or a part.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "mailmsg.h"
#include "smtp.h"

/* RFC 5322: a line is at most 998 characters before its CRLF. */
#define LINE_MAX_OCTETS 998
/*
 * RFC 2047: a line with encoded words is at most 76 characters; the first
 * follows "Subject: " (9), and "=?utf-8?B?" + 52 base64 characters + "?="
 * is 64.
 */
#define WORD_RAW 39
/* RFC 2045: base64 lines of 76 characters, from 57 bytes each. */
#define B64_RAW 57

static const char *const days[] = { "Sun", "Mon", "Tue", "Wed",
				    "Thu", "Fri", "Sat" };
static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
				      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* Length of the UTF-8 sequence at s, or 0 if it is not a valid one. */
static size_t utf8_seq(const unsigned char *s)
{
	uint32_t cp;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and past U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/*
 * Checks s: valid UTF-8, no control characters except those in allowed.
 * Sets *ascii when every byte is below 0x80.
 */
static bool text_ok(const char *s, const char *allowed, bool *ascii)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	*ascii = true;
	while (*p) {
		if ((*p < ' ' || *p == 0x7f) && !strchr(allowed, *p))
			return false;
		n = utf8_seq(p);
		if (!n)
			return false;
		if (n > 1)
			*ascii = false;
		p += n;
	}
	return true;
}

static void put_date(FILE *f, time_t now)
{
	struct tm tm;

	gmtime_r(&now, &tm);
	/* Names by hand: strftime's %a and %b follow the locale. */
	fprintf(f, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
		days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
		tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void put_message_id(FILE *f, const char *from)
{
	uint8_t rnd[16];
	char hex[2 * sizeof(rnd) + 1];

	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
	fprintf(f, "Message-ID: <%s%s>\r\n", hex, strchr(from, '@'));
}

static void put_b64(FILE *f, const char *raw, size_t len)
{
	char b64[sodium_base64_ENCODED_LEN(B64_RAW,
					   sodium_base64_VARIANT_ORIGINAL)];

	sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)raw, len,
			  sodium_base64_VARIANT_ORIGINAL);
	fputs(b64, f);
}

/* RFC 2047 encoded words, folded, never splitting a character. */
static void put_subject_words(FILE *f, const char *s)
{
	size_t left = strlen(s), n;

	while (left) {
		n = left < WORD_RAW ? left : WORD_RAW;
		while (n < left && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
		fputs("=?utf-8?B?", f);
		put_b64(f, s, n);
		fputs(left > n ? "?=\r\n " : "?=", f);
		s += n;
		left -= n;
	}
}

static void put_subject(FILE *f, const char *subject, bool ascii)
{
	fputs("Subject: ", f);
	if (ascii)
		fputs(subject, f);
	else
		put_subject_words(f, subject);
	fputs("\r\n", f);
}

/*
 * The text with CRLF line endings (LF alone becomes CRLF; the text was
 * checked to have no bare CR) and a final CRLF. *longest is the longest
 * line. malloc'd, NULL on ENOMEM.
 */
static char *crlf_body(const char *text, size_t *len, size_t *longest)
{
	char *out = NULL;
	size_t line = 0;
	FILE *f = open_memstream(&out, len);

	if (!f)
		return NULL;
	*longest = 0;
	for (const char *p = text; *p; p++) {
		if (*p == '\r')
			continue;
		if (*p == '\n') {
			fputs("\r\n", f);
			line = 0;
			continue;
		}
		fputc(*p, f);
		if (++line > *longest)
			*longest = line;
	}
	if (line || !*text)
		fputs("\r\n", f);
	if (fclose(f)) {
		free(out);
		return NULL;
	}
	return out;
}

static int put_body(FILE *f, const char *text, bool ascii)
{
	size_t len, longest;
	char *body = crlf_body(text, &len, &longest);

	if (!body)
		return -1;
	if (ascii && longest <= LINE_MAX_OCTETS) {
		fputs("Content-Transfer-Encoding: 7bit\r\n\r\n", f);
		fwrite(body, 1, len, f);
	} else {
		fputs("Content-Transfer-Encoding: base64\r\n\r\n", f);
		for (size_t off = 0; off < len; off += B64_RAW) {
			put_b64(f, body + off,
				len - off < B64_RAW ? len - off : B64_RAW);
			fputs("\r\n", f);
		}
	}
	/* The text is a sign-in code's, in clear. */
	sodium_memzero(body, len);
	free(body);
	return 0;
}

/* A CR that does not start a CRLF pair. */
static bool has_bare_cr(const char *s)
{
	for (const char *p = strchr(s, '\r'); p; p = strchr(p + 1, '\r'))
		if (p[1] != '\n')
			return true;
	return false;
}

static const char *check_input(const char *from, const char *to,
			       const char *subject, const char *text,
			       bool *subject_ascii, bool *text_ascii)
{
	if (!idp_email_valid(from))
		return "the sender address is not a plain address";
	if (!idp_email_valid(to))
		return "the recipient address is not a plain address";
	if (!subject || !*subject)
		return "the subject is empty";
	if (strnlen(subject, IDP_SMTP_SUBJECT_MAX + 1) > IDP_SMTP_SUBJECT_MAX)
		return "the subject is too long";
	if (!text_ok(subject, "", subject_ascii))
		return "the subject has a line break, a control character or invalid UTF-8";
	if (!text || strnlen(text, IDP_SMTP_TEXT_MAX + 1) > IDP_SMTP_TEXT_MAX)
		return "the text is missing or too long";
	if (has_bare_cr(text) || !text_ok(text, "\t\r\n", text_ascii))
		return "the text has a bare CR, a control character or invalid UTF-8";
	return NULL;
}

char *idp_mailmsg_build(const char *from, const char *to, const char *subject,
			const char *text, time_t now, size_t *len, char *err,
			size_t errlen)
{
	bool subject_ascii, text_ascii;
	const char *why;
	char *out = NULL;
	FILE *f;
	int bad;

	why = check_input(from, to, subject, text, &subject_ascii, &text_ascii);
	if (why) {
		snprintf(err, errlen, "%s", why);
		return NULL;
	}
	f = open_memstream(&out, len);
	if (!f)
		goto nomem;
	put_date(f, now);
	fprintf(f, "From: %s\r\nTo: %s\r\n", from, to);
	put_subject(f, subject, subject_ascii);
	put_message_id(f, from);
	fputs("MIME-Version: 1.0\r\n"
	      "Content-Type: text/plain; charset=utf-8\r\n"
	      "Auto-Submitted: auto-generated\r\n",
	      f);
	bad = put_body(f, text, text_ascii);
	if (fclose(f) || bad) {
		if (out)
			sodium_memzero(out, *len);
		free(out);
		goto nomem;
	}
	return out;
nomem:
	snprintf(err, errlen, "out of memory composing the mail");
	return NULL;
}
