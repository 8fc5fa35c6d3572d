// SPDX-License-Identifier: GPL-2.0
/*
 * idp/email.c and idp/mailmsg.c: which addresses may go into a header,
 * and the mail's text (headers, encodings, CRLF, refusals). Sending is
 * tested against a real MTA in tests/integration/76-smtp.sh.
 */
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "idp/mailmsg.h"
#include "idp/smtp.h"
#include "../suites.h"

#define FROM "portal@example.com"
#define TO "alice@example.org"
/* Thu, 03 Dec 2026 16:05:26 +0000 */
#define NOW 1796313926

START_TEST(test_email_valid)
{
	static const char *const good[] = {
		"a@example.com",      "Alice.Smith+tag@Mail.Example.COM",
		"o'brien@example.ie", "x_y-z=1!#$%&*/?^`{|}~@a-b.example",
		"root@localhost",     "ROOT@LocalHost",
		"a@1.2.3.4",
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
		ck_assert_msg(idp_email_valid(good[i]), "refused %s", good[i]);
}
END_TEST

static char *long_address(size_t local, size_t domain)
{
	char *s = malloc(local + domain + 6);

	memset(s, 'a', local);
	s[local] = '@';
	memset(s + local + 1, 'b', domain);
	/* Dots inside the domain, every 50 characters. */
	for (size_t i = local + 1 + 50; i < local + 1 + domain; i += 50)
		s[i] = '.';
	strcpy(s + local + 1 + domain, ".com");
	return s;
}

START_TEST(test_email_hostile)
{
	static const char *const bad[] = {
		"",
		"a",
		"@example.com",
		"a@",
		"a@@example.com",
		"a@b@example.com",
		"a@example",
		"a@localhost.",
		"a@example.com.",
		"a@.example.com",
		"a@exa..mple.com",
		"a@-example.com",
		"a@example-.com",
		"a@exa_mple.com",
		"a b@example.com",
		" a@example.com",
		"a@example.com ",
		"a\t@example.com",
		"a@example.com\r\nBcc: eve@evil.example",
		"a@example.com\nBcc: eve@evil.example",
		"a@example.com\r",
		"\"a b\"@example.com",
		"a\"@example.com",
		"<a@example.com>",
		"Alice <a@example.com>",
		"a@example.com, eve@evil.example",
		"a@example.com;eve@evil.example",
		"a:b@example.com",
		"a(comment)@example.com",
		"a\\b@example.com",
		"a@[127.0.0.1]",
		"a\x7f@example.com",
		"a\x01@example.com",
		"j\xc3\xb6rg@example.com",
		"a@b\xc3\xbc"
		"cher.example",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		ck_assert_msg(!idp_email_valid(bad[i]), "accepted %s", bad[i]);
	ck_assert(!idp_email_valid(NULL));
}
END_TEST

START_TEST(test_email_lengths)
{
	char *s = long_address(64, 254 - 64 - 1 - 4);

	ck_assert_uint_eq(strlen(s), 254);
	ck_assert(idp_email_valid(s));
	free(s);
	s = long_address(64, 254 - 64 - 4); /* 255 */
	ck_assert(!idp_email_valid(s));
	free(s);
	s = long_address(65, 20); /* local part past 64 */
	ck_assert(!idp_email_valid(s));
	free(s);
	s = long_address(10, 70); /* labels of 49 */
	ck_assert(idp_email_valid(s));
	free(s);
	ck_assert(!idp_email_valid(
		"a@"
		"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
		".com"));
}
END_TEST

static char *build(const char *subject, const char *text, size_t *len,
		   char *err, size_t errlen)
{
	ck_assert_int_ge(sodium_init(), 0);
	return idp_mailmsg_build(FROM, TO, subject, text, NOW, len, err,
				 errlen);
}

/* The header block (up to the blank line) and the body. */
static void split(const char *msg, char **head, const char **body)
{
	const char *blank = strstr(msg, "\r\n\r\n");

	ck_assert_ptr_nonnull(blank);
	*head = strndup(msg, blank - msg + 2);
	*body = blank + 4;
}

static bool only_crlf(const char *s)
{
	for (const char *p = s; *p; p++) {
		if (*p == '\n' && (p == s || p[-1] != '\r'))
			return false;
		if (*p == '\r' && p[1] != '\n')
			return false;
	}
	return true;
}

START_TEST(test_message_ascii)
{
	char err[256] = "", *msg, *head;
	const char *body;
	size_t len;

	msg = build("Your sign-in code", "Your code is 012345.\n\n.\nBye\n",
		    &len, err, sizeof(err));
	ck_assert_msg(msg != NULL, "%s", err);
	ck_assert_uint_eq(strlen(msg), len);
	ck_assert(only_crlf(msg));
	split(msg, &head, &body);
	ck_assert_ptr_nonnull(
		strstr(head, "Date: Thu, 03 Dec 2026 16:05:26 +0000\r\n"));
	ck_assert_ptr_nonnull(strstr(head, "\r\nFrom: " FROM "\r\n"));
	ck_assert_ptr_nonnull(strstr(head, "\r\nTo: " TO "\r\n"));
	ck_assert_ptr_nonnull(
		strstr(head, "\r\nSubject: Your sign-in code\r\n"));
	ck_assert_ptr_nonnull(strstr(head, "\r\nMIME-Version: 1.0\r\n"));
	ck_assert_ptr_nonnull(strstr(
		head, "\r\nContent-Type: text/plain; charset=utf-8\r\n"));
	ck_assert_ptr_nonnull(
		strstr(head, "\r\nContent-Transfer-Encoding: 7bit\r\n"));
	ck_assert_ptr_nonnull(strstr(head, "\r\nMessage-ID: <"));
	ck_assert_ptr_nonnull(strstr(head, "@example.com>\r\n"));
	/* The lone dot stays: dot-stuffing is curl's, on the wire. */
	ck_assert_str_eq(body, "Your code is 012345.\r\n\r\n.\r\nBye\r\n");
	free(head);
	free(msg);
}
END_TEST

START_TEST(test_message_ids_differ)
{
	char err[256], *a, *b;
	size_t len;

	a = build("s", "t", &len, err, sizeof(err));
	b = build("s", "t", &len, err, sizeof(err));
	ck_assert(strcmp(strstr(a, "Message-ID:"), strstr(b, "Message-ID:")));
	free(a);
	free(b);
}
END_TEST

/* Non-ASCII: an encoded-word subject, a base64 body that decodes back. */
START_TEST(test_message_utf8)
{
	static const char subject[] =
		"Votre code de connexion — pour Société Générale, équipe été";
	static const char text[] = "Bonjour Zoë,\nvotre code : 012345\n";
	char err[256], *msg, *head, *b64;
	unsigned char raw[256];
	const char *body;
	size_t len, got;

	msg = build(subject, text, &len, err, sizeof(err));
	ck_assert_msg(msg != NULL, "%s", err);
	ck_assert(only_crlf(msg));
	split(msg, &head, &body);
	ck_assert_ptr_nonnull(strstr(head, "\r\nSubject: =?utf-8?B?"));
	/* Folded into several words, each line short. */
	ck_assert_ptr_nonnull(strstr(head, "?=\r\n =?utf-8?B?"));
	for (const char *l = head; *l; l = strstr(l, "\r\n") + 2)
		ck_assert_uint_le(strcspn(l, "\r"), 76);
	ck_assert_ptr_nonnull(
		strstr(head, "Content-Transfer-Encoding: base64\r\n"));
	b64 = strdup(body);
	ck_assert_int_eq(sodium_base642bin(raw, sizeof(raw), b64, strlen(b64),
					   "\r\n", &got, NULL,
					   sodium_base64_VARIANT_ORIGINAL),
			 0);
	ck_assert_uint_eq(got,
			  strlen("Bonjour Zoë,\r\nvotre code : 012345\r\n"));
	ck_assert(!memcmp(raw, "Bonjour Zoë,\r\nvotre code : 012345\r\n", got));
	free(b64);
	free(head);
	free(msg);
}
END_TEST

/* A line past 998 octets goes as base64, in lines of 76. */
START_TEST(test_message_long_line)
{
	char err[256], *msg, text[2000];
	size_t len;

	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	msg = build("long", text, &len, err, sizeof(err));
	ck_assert_ptr_nonnull(msg);
	ck_assert_ptr_nonnull(
		strstr(msg, "Content-Transfer-Encoding: base64\r\n"));
	for (const char *l = msg; *l; l = strstr(l, "\r\n") + 2)
		ck_assert_uint_le(strcspn(l, "\r"), 76);
	free(msg);
}
END_TEST

START_TEST(test_message_refusals)
{
	static const struct {
		const char *from, *to, *subject, *text;
	} bad[] = {
		{ FROM, TO, "code\r\nBcc: eve@evil.example", "t" },
		{ FROM, TO, "code\nBcc: eve@evil.example", "t" },
		{ FROM, TO, "code\rX", "t" },
		{ FROM, TO, "a\tb", "t" },
		{ FROM, TO, "", "t" },
		{ FROM, TO, NULL, "t" },
		{ FROM, TO, "bad \xc3\x28 utf-8", "t" },
		{ FROM, TO, "overlong \xc0\xaf", "t" },
		{ FROM, TO, "surrogate \xed\xa0\x80", "t" },
		{ FROM, TO, "s", "bare\rcr" },
		{ FROM, TO, "s", "nul-free but \x1b escape" },
		{ FROM, TO, "s", "bad \xff utf-8" },
		{ FROM, TO, "s", NULL },
		{ FROM, TO "\r\nBcc: eve@evil.example", "s", "t" },
		{ FROM, "eve@evil.example, " TO, "s", "t" },
		{ "Portal <" FROM ">", TO, "s", "t" },
		{ FROM "\r\nX: y", TO, "s", "t" },
	};
	char err[256], *msg, subject[IDP_SMTP_SUBJECT_MAX + 2];
	size_t len;

	ck_assert_int_ge(sodium_init(), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		err[0] = '\0';
		msg = idp_mailmsg_build(bad[i].from, bad[i].to, bad[i].subject,
					bad[i].text, NOW, &len, err,
					sizeof(err));
		ck_assert_msg(msg == NULL, "accepted case %zu", i);
		ck_assert_msg(err[0], "no message for case %zu", i);
	}
	memset(subject, 's', sizeof(subject) - 1);
	subject[sizeof(subject) - 1] = '\0';
	ck_assert_ptr_null(build(subject, "t", &len, err, sizeof(err)));
	subject[IDP_SMTP_SUBJECT_MAX] = '\0';
	msg = build(subject, "t", &len, err, sizeof(err));
	ck_assert_ptr_nonnull(msg);
	free(msg);
}
END_TEST

/* Bad configuration is refused before anything is sent. */
START_TEST(test_send_refuses_config)
{
	static const char *const urls[] = {
		NULL,
		"",
		"http://127.0.0.1:25",
		"smtp://user:pw@127.0.0.1:25",
		"smtp://user@127.0.0.1:25",
		"smtp://",
		"127.0.0.1:25",
	};
	struct idp_smtp_cfg c = { .from = FROM, .timeout_ms = 1000 };
	char err[256];

	for (size_t i = 0; i < sizeof(urls) / sizeof(*urls); i++) {
		c.url = urls[i];
		err[0] = '\0';
		ck_assert_int_eq(idp_smtp_send(&c, TO, "s", "t", err,
					       sizeof(err)),
				 -EINVAL);
		ck_assert(err[0]);
	}
	c.url = "smtp://127.0.0.1:1";
	ck_assert_int_eq(idp_smtp_send(&c, TO "\r\nX: y", "s", "t", err,
				       sizeof(err)),
			 -EINVAL);
	ck_assert_int_eq(idp_smtp_send(&c, TO, "s\r\nX: y", "t", err,
				       sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "subject"));
}
END_TEST

Suite *portal_smtp_suite(void)
{
	Suite *s = suite_create("portal_smtp");
	TCase *tc = tcase_create("smtp");

	tcase_add_test(tc, test_email_valid);
	tcase_add_test(tc, test_email_hostile);
	tcase_add_test(tc, test_email_lengths);
	tcase_add_test(tc, test_message_ascii);
	tcase_add_test(tc, test_message_ids_differ);
	tcase_add_test(tc, test_message_utf8);
	tcase_add_test(tc, test_message_long_line);
	tcase_add_test(tc, test_message_refusals);
	tcase_add_test(tc, test_send_refuses_config);
	suite_add_tcase(s, tc);
	return s;
}
