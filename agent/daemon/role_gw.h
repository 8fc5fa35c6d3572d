/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The gateway role's adapter (role_gw.c), shared by its two modes: the
 * authorizations file (`-a`, role_gw.c's own table) and the portal
 * (`--portal`, role_gwportal.c, whose state embeds struct role_gw
 * first). The hooks below are role.h's, as the file mode runs them.
 */
#ifndef FZ_AGENT_ROLE_GW_H
#define FZ_AGENT_ROLE_GW_H

#include "role.h"
#include "proto/gw_auth.h"

struct gateway;
struct gw_host;
struct proto_resolver;

/* Where the portal mode's clients come from, for the log. */
#define GW_PORTAL_SOURCE "the portal's authorizations"

/* The role's state; d->role points at its first member. */
struct role_gw {
	struct daemon_role role;
	struct gateway *gw;
	struct proto_auth auth; /* until create() hands it to the gateway */
	const char *auth_path; /* NULL: no -a, no clients */
	struct proto_resolver *resolver;
	struct gw_host *host;
	struct proto_auth pending; /* SIGHUP: read, not yet in use */
	bool portal; /* the authorizations come from the portal */
};

static inline struct role_gw *role_gw_of(struct daemon *d)
{
	return (struct role_gw *)d->role;
}

/* ret, with fz.ko's extended message logged; -ENODEV: the link is gone. */
int role_gw_kernel_result(struct daemon *d, int ret, const char *what);
/* The authorizations, reconciled with what fz.ko holds now (gw_start). */
int role_gw_start_gateway(struct daemon *d, char *err, size_t errlen);
/* Goodbye to every client with a current session. */
void role_gw_say_goodbye(struct daemon *d);

int role_gw_create(struct daemon *d);
/* fz.ko's gateway clients that the gateway no longer has: removed. */
int role_gw_prune(struct daemon *d, char *err, size_t errlen);
/* One client's peer deleted and its handshake state forgotten, logged
 * with reason; a peer already gone is not an error. */
int role_gw_remove_client(struct daemon *d, const uint8_t key[FZ_KEY_LEN],
			  const char *reason, char *err, size_t errlen);
int role_gw_start(struct daemon *d);
void role_gw_stop(struct daemon *d);
bool role_gw_keeps_peer(struct daemon *d, const uint8_t key[FZ_KEY_LEN]);
int role_gw_check_config(struct daemon *d, const struct conf *cfg, char *err,
			 size_t errlen);
int role_gw_resync(struct daemon *d, char *err, size_t errlen);
int role_gw_check_set(struct daemon *d, const struct conf *cfg, char *msg,
		      size_t msglen);
void role_gw_event(struct daemon *d, const struct fzk_event *ev);
int role_gw_ctl(struct daemon *d, enum ctl_verb verb, int argc, char **argv,
		char *msg, size_t msglen);

#endif /* FZ_AGENT_ROLE_GW_H */
