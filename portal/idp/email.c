// SPDX-License-Identifier: GPL-2.0
/*
 * idp_email_valid(): the gate before an address reaches a header, an SMTP
 * command or the store. Deliberately narrower than RFC 5322: what it lets
 * through needs no quoting anywhere, and a refused exotic address (quoted
 * local part, address literal, non-ASCII) costs a user far less than a
 * header injection would.
 */
#include <string.h>
#include <strings.h>

#include "smtp.h"

#define LOCAL_MAX 64
#define LABEL_MAX 63

/* Characters that end or split an address in a header or SMTP command. */
static bool local_char_ok(unsigned char ch)
{
	if (ch <= ' ' || ch >= 0x7f)
		return false;
	return !strchr("\"<>(),;:\\[]@", ch);
}

static bool local_ok(const char *s, size_t len)
{
	if (len == 0 || len > LOCAL_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!local_char_ok((unsigned char)s[i]))
			return false;
	return true;
}

static bool label_char_ok(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '-';
}

/* One DNS label: 1..63 letters, digits and inner hyphens. */
static bool label_ok(const char *s, size_t len)
{
	if (len == 0 || len > LABEL_MAX || s[0] == '-' || s[len - 1] == '-')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!label_char_ok(s[i]))
			return false;
	return true;
}

static bool domain_ok(const char *s)
{
	const char *dot = strchr(s, '.');

	if (!dot)
		return !strcasecmp(s, "localhost");
	for (;;) {
		dot = strchr(s, '.');
		if (!label_ok(s, dot ? (size_t)(dot - s) : strlen(s)))
			return false;
		if (!dot)
			return true;
		s = dot + 1;
	}
}

bool idp_email_valid(const char *addr)
{
	const char *at;
	size_t len;

	if (!addr)
		return false;
	len = strnlen(addr, IDP_EMAIL_MAX + 1);
	if (len == 0 || len > IDP_EMAIL_MAX)
		return false;
	at = strchr(addr, '@');
	if (!at || strchr(at + 1, '@'))
		return false;
	return local_ok(addr, (size_t)(at - addr)) && domain_ok(at + 1);
}
