// SPDX-License-Identifier: GPL-2.0
/*
 * Which resources each client socket was told of, and the reverse index
 * (resource -> sockets), so that a change to one resource reaches
 * exactly the clients that know it, and a visibility change is a diff
 * against what the client holds rather than a new init.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/types.h>
#include <string.h>
#include <strings.h>

#include "priv.h"

static ssize_t find(const struct sig_peer *p, const char *id)
{
	for (size_t i = 0; i < p->n_seen; i++)
		if (!strcasecmp(p->seen[i], id))
			return (ssize_t)i;
	return -1;
}

bool sig_seen_has(const struct sig_peer *p, const char *id)
{
	return find(p, id) >= 0;
}

int sig_seen_add(struct sig_peer *p, const char *id)
{
	char *copy;

	if (find(p, id) >= 0)
		return 0;
	if (p->n_seen == p->cap_seen) {
		size_t cap = p->cap_seen ? p->cap_seen * 2 : 8;
		char **a = realloc(p->seen, cap * sizeof(*a));

		if (!a)
			return -ENOMEM;
		p->seen = a;
		p->cap_seen = cap;
	}
	copy = strdup(id);
	if (!copy || sig_index_add(&p->sig->seen, copy, p)) {
		free(copy);
		return -ENOMEM;
	}
	p->seen[p->n_seen++] = copy;
	return 0;
}

void sig_seen_del(struct sig_peer *p, const char *id)
{
	ssize_t i = find(p, id);

	if (i < 0)
		return;
	sig_index_del(&p->sig->seen, p->seen[i], p);
	free(p->seen[i]);
	p->seen[i] = p->seen[--p->n_seen];
}

void sig_client_forget(struct sig_peer *p)
{
	for (size_t i = 0; i < p->n_seen; i++) {
		sig_index_del(&p->sig->seen, p->seen[i], p);
		free(p->seen[i]);
	}
	free(p->seen);
	p->seen = NULL;
	p->n_seen = p->cap_seen = 0;
}
