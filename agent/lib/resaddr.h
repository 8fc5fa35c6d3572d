/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A resource's address, checked against its type: the one rule the
 * gateway's authorizations file and the portal share, so both accept
 * exactly the same addresses.
 *   dns   a domain name, lower-cased; a leading "*." (one label) or
 *         "**." (one or more) is allowed (values.h)
 *   cidr  "ADDR/LEN" or "ADDR", host bits clear
 *   ip    one address ("ADDR", or "ADDR/32", "ADDR/128")
 */
#ifndef FZ_RESADDR_H
#define FZ_RESADDR_H

#include "cidr.h"
#include "values.h"

enum fz_resaddr_type { FZ_RESADDR_DNS, FZ_RESADDR_CIDR, FZ_RESADDR_IP };

struct fz_resaddr {
	enum fz_resaddr_type type;
	char domain[FZ_DOMAIN_MAX + 1]; /* dns, lower case */
	struct fz_cidr cidr; /* cidr and ip (a full-length prefix) */
};

/* "dns", "cidr", "ip" in any case: 0 or -EINVAL. */
int fz_resaddr_type_parse(const char *text, enum fz_resaddr_type *out);
/* "dns", "cidr", "ip". */
const char *fz_resaddr_type_name(enum fz_resaddr_type type);

/*
 * text as an address of that type into *out. Returns 0, or -EINVAL with
 * *why saying what is wrong, for a message "invalid address 'X': why".
 */
int fz_resaddr_parse(enum fz_resaddr_type type, const char *text,
		     struct fz_resaddr *out, const char **why);

#endif /* FZ_RESADDR_H */
