/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What resources.c, gateways.c and names.c share inside the client
 * wing; nothing outside it includes this.
 */
#ifndef FZ_CLIENT_RESOURCES_INT_H
#define FZ_CLIENT_RESOURCES_INT_H

#include "resources.h"

#define NS_PER_MS 1000000ULL

/* resources.c */
void client_res_say(struct client_res *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
uint64_t client_res_now(struct client_res *c);
bool client_res_same_id(const struct proto_sig_id *a,
			const struct proto_sig_id *b);
struct client_resource *
client_res_find_uuid(struct client_res *c,
		     const uint8_t id[FZ_RESOURCE_ID_LEN]);
/* Back to NOT_CONNECTED; its gateway keeps what else it serves. */
void client_res_disconnect(struct client_res *c, struct client_resource *r);
/* The resources marked moving ask the portal again, one per site first. */
void client_res_move(struct client_res *c);

/* gateways.c */
void client_gw_free(struct client_res_gateway *g);
struct client_res_gateway *client_gw_by_key(const struct client_res *c,
					    const uint8_t key[FZ_KEY_LEN]);
void client_gw_remove(struct client_res *c, struct client_res_gateway *g);
/* fz.ko brought to what g serves now; a gateway serving nothing goes. */
int client_gw_sync(struct client_res *c, struct client_res_gateway *g);
void client_gw_forget_failed(struct client_res *c, uint64_t t);
int client_gw_check_created(const struct proto_sig_authorization_created *a,
			    const char **why);
/* The gateway of a, made or updated; NULL with why. */
struct client_res_gateway *
client_gw_get(struct client_res *c,
	      const struct proto_sig_authorization_created *a,
	      const char **why);
void client_gw_goodbye(struct client_res *c, struct client_res_gateway *g);

/* names.c */
struct client_res_name *client_name_add(struct client_res *c,
					struct client_resource *r,
					const struct client_mapped_entry *e);
void client_name_send(struct client_res *c, struct client_resource *r,
		      struct client_res_name *n);
void client_names_resend(struct client_res *c, struct client_resource *r,
			 uint64_t t);

#endif /* FZ_CLIENT_RESOURCES_INT_H */
