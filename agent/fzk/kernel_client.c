// SPDX-License-Identifier: GPL-2.0
/*
 * Client requests to fz.ko; see kernel_client.h. The attributes have the
 * types and lengths of kmod/netlink_client.c's policies.
 */
#include <errno.h>
#include <sys/socket.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include <linux/fz.h>

#include "kernel_client.h"
#include "kernel.h"
#include "nl.h"
#include "lib/cidr.h"

struct nl_msg *fzk_msg_set_hold(int family, uint32_t ifindex, bool on)
{
	struct nl_msg *msg = fzk_msg_start(family, FZ_CMD_SET_DEVICE, ifindex);

	if (msg && nla_put_u8(msg, FZ_A_HOLD, on ? 1 : 0) < 0) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

struct nl_msg *fzk_msg_drop_held(int family, uint32_t ifindex,
				 const struct fz_cidr *dst)
{
	struct nl_msg *msg;
	struct nlattr *nest;
	int len = dst->family == AF_INET ? 4 : 16;

	if (dst->family != AF_INET && dst->family != AF_INET6)
		return NULL;
	msg = fzk_msg_start(family, FZ_CMD_DROP_HELD, ifindex);
	if (!msg)
		return NULL;
	nest = nla_nest_start(msg, FZ_A_FLOW);
	if (!nest || nla_put(msg, FZ_FLOW_A_DADDR, len, dst->addr) < 0) {
		nlmsg_free(msg);
		return NULL;
	}
	nla_nest_end(msg, nest);
	return msg;
}

int fzk_set_hold(struct fzk_nl *nl, uint32_t ifindex, bool on)
{
	return fzk_request(nl, fzk_msg_set_hold(fzk_nl_family(nl), ifindex, on),
			   false);
}

int fzk_drop_held(struct fzk_nl *nl, uint32_t ifindex,
		  const struct fz_cidr *dst)
{
	return fzk_request(
		nl, fzk_msg_drop_held(fzk_nl_family(nl), ifindex, dst), false);
}
