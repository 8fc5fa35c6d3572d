// SPDX-License-Identifier: GPL-2.0
/* Name rules (names.h). */
#include <string.h>

#include "names.h"

static bool slug_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

bool core_slug_valid(const char *slug, const char **why)
{
	const char *ignored;
	size_t len = strlen(slug);

	if (!why)
		why = &ignored;
	if (!len || len > CORE_SLUG_MAX) {
		*why = "must be 1 to 63 characters";
		return false;
	}
	if (slug[0] == '-') {
		*why = "must start with a letter or digit";
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		if (!slug_char(slug[i])) {
			*why = "may hold only lower-case letters, digits and "
			       "'-'";
			return false;
		}
	}
	return true;
}
