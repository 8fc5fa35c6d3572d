// SPDX-License-Identifier: GPL-2.0
/*
 * Gateway requests to fz.ko; see kernel_gw.h. As in kernel.c, every
 * attribute has exactly the type and length the kernel's strict policy
 * asks for, and lists the kernel would refuse as too long are not built.
 */
#include <errno.h>
#include <stdbool.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include "kernel_gw.h"
#include "kernel.h"
#include "nl.h"
#include "lib/clock.h"

static struct nl_msg *fail(struct nl_msg *msg)
{
	nlmsg_free(msg);
	return NULL;
}

/* The request's header and the client peer it is about. */
static struct nl_msg *start(int family, uint8_t cmd, uint32_t ifindex,
			    const uint8_t key[FZ_KEY_LEN])
{
	struct nl_msg *msg = fzk_msg_start(family, cmd, ifindex);

	if (msg && fzk_msg_put_peer_key(msg, key))
		return fail(msg);
	return msg;
}

static int put_addrs(struct nl_msg *msg, const struct fzk_resource_spec *r)
{
	struct nlattr *list;

	if (!r->n_addrs)
		return 0;
	list = nla_nest_start(msg, FZ_RES_A_ADDRS);
	if (!list)
		return -ENOMEM;
	for (size_t i = 0; i < r->n_addrs; i++)
		if (fzk_msg_put_prefix(msg, 0, &r->addrs[i]))
			return -ENOMEM;
	nla_nest_end(msg, list);
	return 0;
}

static bool has_ports(uint8_t proto)
{
	return proto == FZ_FILTER_TCP || proto == FZ_FILTER_UDP;
}

static int put_filter(struct nl_msg *msg, const struct fz_filter *f)
{
	struct nlattr *nest = nla_nest_start(msg, 0);

	if (!nest || nla_put_u8(msg, FZ_FILTER_A_PROTO, f->proto) < 0 ||
	    (has_ports(f->proto) &&
	     (nla_put_u16(msg, FZ_FILTER_A_PORT_START, f->port_start) < 0 ||
	      nla_put_u16(msg, FZ_FILTER_A_PORT_END, f->port_end) < 0)))
		return -ENOMEM;
	nla_nest_end(msg, nest);
	return 0;
}

static int put_filters(struct nl_msg *msg, const struct fzk_resource_spec *r)
{
	struct nlattr *list;

	if (!r->n_filters)
		return 0;
	list = nla_nest_start(msg, FZ_RES_A_FILTERS);
	if (!list)
		return -ENOMEM;
	for (size_t i = 0; i < r->n_filters; i++)
		if (put_filter(msg, &r->filters[i]))
			return -ENOMEM;
	nla_nest_end(msg, list);
	return 0;
}

static int put_resource(struct nl_msg *msg, const struct fzk_resource_spec *r)
{
	struct nlattr *nest = nla_nest_start(msg, FZ_A_RESOURCE);

	if (!nest || nla_put(msg, FZ_RES_A_ID, FZ_RESOURCE_ID_LEN, r->id) < 0 ||
	    put_addrs(msg, r) || put_filters(msg, r) ||
	    (r->expires_ns &&
	     nla_put_u64(msg, FZ_RES_A_EXPIRES,
			 fz_clock_real_to_boot(r->expires_ns)) < 0) ||
	    (r->flags && nla_put_u32(msg, FZ_RES_A_FLAGS, r->flags) < 0))
		return -ENOMEM;
	nla_nest_end(msg, nest);
	return 0;
}

struct nl_msg *fzk_msg_set_resource(int family, uint32_t ifindex,
				    const uint8_t key[FZ_KEY_LEN],
				    const struct fzk_resource_spec *r)
{
	struct nl_msg *msg;

	if (r->n_addrs > FZ_MAX_RESOURCE_ADDRS || r->n_filters > FZ_MAX_FILTERS)
		return NULL;
	msg = start(family, FZ_CMD_SET_RESOURCE, ifindex, key);
	if (msg && put_resource(msg, r))
		return fail(msg);
	return msg;
}

struct nl_msg *fzk_msg_del_resource(int family, uint32_t ifindex,
				    const uint8_t key[FZ_KEY_LEN],
				    const uint8_t id[FZ_RESOURCE_ID_LEN])
{
	struct nl_msg *msg = start(family, FZ_CMD_DEL_RESOURCE, ifindex, key);
	struct nlattr *nest;

	if (!msg)
		return NULL;
	nest = nla_nest_start(msg, FZ_A_RESOURCE);
	if (!nest || nla_put(msg, FZ_RES_A_ID, FZ_RESOURCE_ID_LEN, id) < 0)
		return fail(msg);
	nla_nest_end(msg, nest);
	return msg;
}

static bool is_host(const struct fz_cidr *c)
{
	return (c->family == AF_INET && c->cidr == 32) ||
	       (c->family == AF_INET6 && c->cidr == 128);
}

struct nl_msg *fzk_msg_set_dns_map(int family, uint32_t ifindex,
				   const uint8_t key[FZ_KEY_LEN],
				   const uint8_t id[FZ_RESOURCE_ID_LEN],
				   const struct fz_cidr *mapped,
				   const struct fz_cidr *real)
{
	struct nl_msg *msg;
	struct nlattr *nest;

	if (!is_host(mapped) || !is_host(real) ||
	    mapped->family != real->family)
		return NULL;
	msg = start(family, FZ_CMD_SET_DNS_MAP, ifindex, key);
	if (!msg)
		return NULL;
	nest = nla_nest_start(msg, FZ_A_DNS_MAP);
	if (!nest ||
	    nla_put(msg, FZ_MAP_A_RESOURCE_ID, FZ_RESOURCE_ID_LEN, id) < 0 ||
	    fzk_msg_put_prefix(msg, FZ_MAP_A_MAPPED, mapped) ||
	    fzk_msg_put_prefix(msg, FZ_MAP_A_REAL, real))
		return fail(msg);
	nla_nest_end(msg, nest);
	return msg;
}

struct nl_msg *fzk_msg_del_dns_map(int family, uint32_t ifindex,
				   const uint8_t key[FZ_KEY_LEN],
				   const struct fz_cidr *mapped,
				   const uint8_t *id)
{
	struct nl_msg *msg;
	struct nlattr *nest;

	if (!mapped == !id || (mapped && !is_host(mapped)))
		return NULL;
	msg = start(family, FZ_CMD_DEL_DNS_MAP, ifindex, key);
	if (!msg)
		return NULL;
	nest = nla_nest_start(msg, FZ_A_DNS_MAP);
	if (!nest ||
	    (mapped && fzk_msg_put_prefix(msg, FZ_MAP_A_MAPPED, mapped)) ||
	    (id &&
	     nla_put(msg, FZ_MAP_A_RESOURCE_ID, FZ_RESOURCE_ID_LEN, id) < 0))
		return fail(msg);
	nla_nest_end(msg, nest);
	return msg;
}

struct nl_msg *fzk_msg_send_control(int family, uint32_t ifindex,
				    const uint8_t key[FZ_KEY_LEN],
				    const uint8_t *packet, size_t len)
{
	struct nl_msg *msg;

	if (len < 8 || len > FZ_MAX_CONTROL_PAYLOAD)
		return NULL;
	msg = start(family, FZ_CMD_SEND_CONTROL, ifindex, key);
	if (msg && nla_put(msg, FZ_A_PACKET, (int)len, packet) < 0)
		return fail(msg);
	return msg;
}

/* --- Sending --- */

int fzk_set_resource(struct fzk_nl *nl, uint32_t ifindex,
		     const uint8_t key[FZ_KEY_LEN],
		     const struct fzk_resource_spec *r)
{
	return fzk_request(
		nl, fzk_msg_set_resource(fzk_nl_family(nl), ifindex, key, r),
		false);
}

int fzk_del_resource(struct fzk_nl *nl, uint32_t ifindex,
		     const uint8_t key[FZ_KEY_LEN],
		     const uint8_t id[FZ_RESOURCE_ID_LEN])
{
	return fzk_request(
		nl, fzk_msg_del_resource(fzk_nl_family(nl), ifindex, key, id),
		false);
}

int fzk_set_dns_map(struct fzk_nl *nl, uint32_t ifindex,
		    const uint8_t key[FZ_KEY_LEN],
		    const uint8_t id[FZ_RESOURCE_ID_LEN],
		    const struct fz_cidr *mapped, const struct fz_cidr *real)
{
	return fzk_request(nl,
			   fzk_msg_set_dns_map(fzk_nl_family(nl), ifindex, key,
					       id, mapped, real),
			   false);
}

int fzk_del_dns_map(struct fzk_nl *nl, uint32_t ifindex,
		    const uint8_t key[FZ_KEY_LEN], const struct fz_cidr *mapped,
		    const uint8_t *id)
{
	return fzk_request(nl,
			   fzk_msg_del_dns_map(fzk_nl_family(nl), ifindex, key,
					       mapped, id),
			   false);
}

int fzk_send_control(struct fzk_nl *nl, uint32_t ifindex,
		     const uint8_t key[FZ_KEY_LEN], const uint8_t *packet,
		     size_t len)
{
	return fzk_request(nl,
			   fzk_msg_send_control(fzk_nl_family(nl), ifindex, key,
						packet, len),
			   false);
}
