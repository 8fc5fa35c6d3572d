// SPDX-License-Identifier: GPL-2.0
/*
 * Which resources each client socket was told of, and the reverse index
 * (resource -> sockets), so that a change to one resource reaches
 * exactly the clients that know it, and a visibility change is a diff
 * against what the client holds rather than a new init.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>
#include <string.h>

#include "priv.h"

/* Positions are stored as values: an entry's key is seen[]'s own copy. */
static ssize_t find(const struct sig_peer *p, const char *id)
{
	struct sig_index_ent *e = sig_index_first(&p->seen_pos, id);

	return e ? (ssize_t)(uintptr_t)e->val : -1;
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
	if (!copy)
		return -ENOMEM;
	if (sig_index_add(&p->seen_pos, copy, (void *)(uintptr_t)p->n_seen))
		goto err_free;
	if (sig_index_add(&p->sig->seen, copy, p))
		goto err_pos;
	p->seen[p->n_seen++] = copy;
	return 0;

err_pos:
	sig_index_del(&p->seen_pos, copy, (void *)(uintptr_t)p->n_seen);
err_free:
	free(copy);
	return -ENOMEM;
}

void sig_seen_del(struct sig_peer *p, const char *id)
{
	ssize_t i = find(p, id);

	if (i < 0)
		return;
	sig_index_del(&p->sig->seen, p->seen[i], p);
	sig_index_del(&p->seen_pos, p->seen[i], (void *)(uintptr_t)i);
	free(p->seen[i]);
	p->seen[i] = p->seen[--p->n_seen];
	if ((size_t)i < p->n_seen)
		sig_index_first(&p->seen_pos, p->seen[i])->val =
			(void *)(uintptr_t)i;
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
	sig_index_free(&p->seen_pos);
}
