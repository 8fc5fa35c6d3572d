/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The text forms of the values that the authorizations file, the command
 * line and (later) the portal share: UUIDs, domain names, expiries and
 * plain decimal numbers. Pure functions; time comes in as an argument.
 */
#ifndef FZ_VALUES_H
#define FZ_VALUES_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/fz.h>

#define FZ_DOMAIN_MAX 253

/* Decimal digits only, no sign, at most max: 0 or -EINVAL. */
int fz_parse_decimal(const char *s, uint64_t max, uint64_t *out);

/* UUIDs, as the portal names resources: 0 or -EINVAL. */
int fz_uuid_parse(const char *text, uint8_t id[FZ_RESOURCE_ID_LEN]);
void fz_uuid_format(char out[37], const uint8_t id[FZ_RESOURCE_ID_LEN]);
/*
 * An expiry: "never" (0), "+SECONDS" (from now_ns, SECONDS >= 1), or
 * RFC 3339 UTC "YYYY-MM-DDTHH:MM:SSZ" (a fraction of a second and
 * "+00:00" for Z allowed). *out: nanoseconds since the epoch. A time in
 * the past is valid (the kernel then denies at once); callers that want
 * to refuse it compare with now themselves. -EINVAL: malformed; -ERANGE:
 * after FZ_EXPIRY_MAX_NS.
 */
int fz_expiry_parse(const char *text, uint64_t now_ns, uint64_t *out);
/*
 * The latest expiry: fz.ko keeps deadlines as signed 64-bit counts of
 * nanoseconds (2262-04-11T23:47:16Z as real time). Anything later is
 * -ERANGE from fz_expiry_parse(), never a wrapped-around time.
 */
#define FZ_EXPIRY_MAX_NS ((uint64_t)INT64_MAX)
/* "*.x" (one label) and "**.x" (one or more) match; case-insensitive. */
bool fz_domain_matches(const char *pattern, const char *name);
/* A host name of [A-Za-z0-9_-] labels (no wildcards), <= 253 bytes. */
bool fz_domain_valid(const char *name);

#endif /* FZ_VALUES_H */
