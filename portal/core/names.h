/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rules for names people choose. An account's slug appears in URLs
 * and on command lines, so it is kept to what needs no quoting anywhere.
 */
#ifndef FZ_PORTAL_CORE_NAMES_H
#define FZ_PORTAL_CORE_NAMES_H

#include <stdbool.h>

#define CORE_SLUG_MAX 63

/*
 * 1 to 63 of a-z 0-9 '-', starting with a letter or digit (so it never
 * reads as an option). false with *why (if not NULL) saying why not.
 */
bool core_slug_valid(const char *slug, const char **why);

#endif /* FZ_PORTAL_CORE_NAMES_H */
