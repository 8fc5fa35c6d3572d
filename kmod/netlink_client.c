// SPDX-License-Identifier: GPL-2.0
/* DROP_HELD: a client's agent gives up on a destination (hold.c). */
#include <net/genetlink.h>

#include "device.h"
#include "hold.h"
#include "netlink_int.h"

static const struct nla_policy fz_held_flow_policy[FZ_FLOW_A_MAX + 1] = {
	[FZ_FLOW_A_DADDR] = { .type = NLA_BINARY, .len = 16 },
};

const struct nla_policy fz_drop_held_policy[FZ_A_MAX + 1] = {
	FZ_DEVICE_SELECTOR_POLICY,
	[FZ_A_FLOW] = NLA_POLICY_NESTED(fz_held_flow_policy),
};

struct fz_held_dest {
	u16 family;
	u8 addr[16];
};

static int fz_drop_held(struct fz_device *fz, void *arg,
			struct genl_info *info)
{
	struct fz_held_dest *dest = arg;

	fz_hold_refuse(fz, dest->family, dest->addr);
	return 0;
}

int fz_drop_held_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[FZ_FLOW_A_MAX + 1];
	struct fz_held_dest dest = {};
	int ret, len;

	ret = fz_request_valid(info, false);
	if (ret)
		return ret;
	if (!info->attrs[FZ_A_FLOW]) {
		NL_SET_ERR_MSG_MOD(info->extack, "missing FZ_A_FLOW");
		return -EINVAL;
	}
	ret = nla_parse_nested(tb, FZ_FLOW_A_MAX, info->attrs[FZ_A_FLOW],
			       fz_held_flow_policy, info->extack);
	if (ret)
		return ret;
	len = tb[FZ_FLOW_A_DADDR] ? nla_len(tb[FZ_FLOW_A_DADDR]) : 0;
	if (len != 4 && len != 16) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[FZ_A_FLOW],
				    "a destination address of 4 or 16 bytes");
		return -EINVAL;
	}
	dest.family = len == 4 ? AF_INET : AF_INET6;
	memcpy(dest.addr, nla_data(tb[FZ_FLOW_A_DADDR]), len);
	return fz_with_device(info, 0, fz_drop_held, &dest);
}
