/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The client's commands of fz.ko (uapi/linux/fz.h, "Client: packets for
 * destinations no peer routes"): holding packets for destinations no
 * peer routes yet, and refusing them when no gateway can be had.
 * Builders (fzk_msg_*) and senders (fzk_*) as in kernel.h.
 */
#ifndef FZ_AGENT_KERNEL_CLIENT_H
#define FZ_AGENT_KERNEL_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

struct fz_cidr;
struct fzk_nl;
struct nl_msg;

/* SET_DEVICE { FZ_A_HOLD }: on, EVT_UNKNOWN_DEST; off drops what is held. */
struct nl_msg *fzk_msg_set_hold(int family, uint32_t ifindex, bool on);
/* DROP_HELD { FZ_A_FLOW { FZ_FLOW_A_DADDR } }: dst's address only. */
struct nl_msg *fzk_msg_drop_held(int family, uint32_t ifindex,
				 const struct fz_cidr *dst);

int fzk_set_hold(struct fzk_nl *nl, uint32_t ifindex, bool on);
int fzk_drop_held(struct fzk_nl *nl, uint32_t ifindex,
		  const struct fz_cidr *dst);

#endif /* FZ_AGENT_KERNEL_CLIENT_H */
