// SPDX-License-Identifier: GPL-2.0
/*
 * rtnetlink for fz links; see link.h. Each call opens its own short-lived
 * socket: links change rarely, and a fresh socket has no stale replies.
 */
#include <errno.h>
#include <string.h>

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include <netlink/addr.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>
#include <netlink/socket.h>

#include <linux/fz.h>

#include "link.h"
#include "lib/cidr.h"

bool fzk_ifname_valid(const char *name)
{
	size_t len = strlen(name);

	if (!len || len >= IFNAMSIZ || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return false;
	for (; *name; name++) {
		char c = *name;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || strchr("_=+.-", c)))
			return false;
	}
	return true;
}

int fzk_ifname_from_config_path(const char *path, char out[IFNAMSIZ])
{
	const char *base = strrchr(path, '/');
	size_t len;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (len >= 5 && !strcmp(base + len - 5, ".conf"))
		len -= 5;
	if (len >= IFNAMSIZ)
		return -EINVAL;
	memcpy(out, base, len);
	out[len] = '\0';
	return fzk_ifname_valid(out) ? 0 : -EINVAL;
}

/*
 * libnl's own error codes, as the errno a caller can act on. libnl folds
 * some errnos together (EADDRINUSE becomes NLE_EXIST), so messages stay
 * general; fz.ko's own errors come over generic netlink, unfolded.
 */
static int nlerr(int err)
{
	switch (err < 0 ? -err : err) {
	case 0:
		return 0;
	case NLE_EXIST:
		return -EEXIST;
	case NLE_OBJ_NOTFOUND:
	case NLE_NODEV:
		return -ENODEV;
	case NLE_PERM:
		return -EPERM;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_INVAL:
		return -EINVAL;
	default:
		return -EIO;
	}
}

static int route_socket(struct nl_sock **out)
{
	struct nl_sock *sock = nl_socket_alloc();
	int ret;

	if (!sock)
		return -ENOMEM;
	ret = nl_connect(sock, NETLINK_ROUTE);
	if (ret) {
		nl_socket_free(sock);
		return nlerr(ret);
	}
	*out = sock;
	return 0;
}

int fzk_link_get(const char *name, struct fzk_link_info *info)
{
	struct rtnl_link *link = NULL;
	struct nl_sock *sock;
	const char *kind;
	int ret;

	memset(info, 0, sizeof(*info));
	ret = route_socket(&sock);
	if (ret)
		return ret;
	ret = nlerr(rtnl_link_get_kernel(sock, 0, name, &link));
	if (!ret) {
		kind = rtnl_link_get_type(link);
		info->ifindex = (uint32_t)rtnl_link_get_ifindex(link);
		info->is_fz = kind && !strcmp(kind, FZ_LINK_KIND);
		info->up = rtnl_link_get_flags(link) & IFF_UP;
		rtnl_link_put(link);
	}
	nl_socket_free(sock);
	return ret;
}

int fzk_link_create(const char *name, uint32_t *ifindex)
{
	struct fzk_link_info info;
	struct rtnl_link *link;
	struct nl_sock *sock;
	int ret;

	ret = route_socket(&sock);
	if (ret)
		return ret;
	link = rtnl_link_alloc();
	if (!link) {
		ret = -ENOMEM;
		goto out;
	}
	rtnl_link_set_name(link, name);
	ret = nlerr(rtnl_link_set_type(link, FZ_LINK_KIND));
	if (!ret)
		ret = nlerr(
			rtnl_link_add(sock, link, NLM_F_CREATE | NLM_F_EXCL));
	rtnl_link_put(link);
	if (!ret)
		ret = fzk_link_get(name, &info);
	if (!ret)
		*ifindex = info.ifindex;
out:
	nl_socket_free(sock);
	return ret;
}

/* A link that exists only as an index, enough to change or delete it. */
static struct rtnl_link *link_by_index(uint32_t ifindex)
{
	struct rtnl_link *link = rtnl_link_alloc();

	if (link)
		rtnl_link_set_ifindex(link, (int)ifindex);
	return link;
}

int fzk_link_delete(uint32_t ifindex)
{
	struct rtnl_link *link;
	struct nl_sock *sock;
	int ret;

	ret = route_socket(&sock);
	if (ret)
		return ret;
	link = link_by_index(ifindex);
	ret = link ? nlerr(rtnl_link_delete(sock, link)) : -ENOMEM;
	if (link)
		rtnl_link_put(link);
	nl_socket_free(sock);
	return ret;
}

int fzk_link_set_up(uint32_t ifindex)
{
	struct rtnl_link *link, *change;
	struct nl_sock *sock;
	int ret;

	ret = route_socket(&sock);
	if (ret)
		return ret;
	link = link_by_index(ifindex);
	change = rtnl_link_alloc();
	ret = -ENOMEM;
	if (link && change) {
		rtnl_link_set_flags(change, IFF_UP);
		ret = nlerr(rtnl_link_change(sock, link, change, 0));
	}
	if (change)
		rtnl_link_put(change);
	if (link)
		rtnl_link_put(link);
	nl_socket_free(sock);
	return ret;
}

static int change_address(struct nl_sock *sock, uint32_t ifindex,
			  const struct fz_cidr *c, bool add, unsigned int flags)
{
	struct rtnl_addr *addr = rtnl_addr_alloc();
	struct nl_addr *local;
	int ret;

	if (!addr)
		return -ENOMEM;
	local = nl_addr_build(c->family, c->addr,
			      c->family == AF_INET ? 4 : 16);
	if (!local) {
		rtnl_addr_put(addr);
		return -ENOMEM;
	}
	nl_addr_set_prefixlen(local, c->cidr);
	rtnl_addr_set_ifindex(addr, (int)ifindex);
	if (flags)
		rtnl_addr_set_flags(addr, flags);
	ret = nlerr(rtnl_addr_set_local(addr, local));
	if (!ret)
		ret = nlerr(add ? rtnl_addr_add(sock, addr, 0) :
				  rtnl_addr_delete(sock, addr, 0));
	nl_addr_put(local);
	rtnl_addr_put(addr);
	return ret;
}

int fzk_link_add_addresses(uint32_t ifindex, const struct fz_cidr *addrs,
			   size_t n, size_t *failed)
{
	struct nl_sock *sock;
	int ret;

	ret = route_socket(&sock);
	if (ret)
		return ret;
	for (size_t i = 0; !ret && i < n; i++) {
		ret = change_address(sock, ifindex, &addrs[i], true, 0);
		if (ret && failed)
			*failed = i;
	}
	nl_socket_free(sock);
	return ret;
}

int fzk_link_del_address(uint32_t ifindex, const struct fz_cidr *addr)
{
	struct nl_sock *sock;
	int ret;

	ret = route_socket(&sock);
	if (ret)
		return ret;
	ret = change_address(sock, ifindex, addr, false, 0);
	nl_socket_free(sock);
	return ret;
}

struct addr_walk {
	uint32_t ifindex;
	struct fz_cidr *out;
	size_t max, n;
};

static void addr_one(struct nl_object *obj, void *arg)
{
	struct rtnl_addr *a = (struct rtnl_addr *)obj;
	struct nl_addr *local = rtnl_addr_get_local(a);
	struct addr_walk *w = arg;
	struct fz_cidr *c;
	int family = local ? nl_addr_get_family(local) : AF_UNSPEC;
	unsigned int len = local ? nl_addr_get_len(local) : 0;

	if ((uint32_t)rtnl_addr_get_ifindex(a) != w->ifindex ||
	    !((family == AF_INET && len == 4) ||
	      (family == AF_INET6 && len == 16)) ||
	    w->n == w->max)
		return;
	c = &w->out[w->n++];
	memset(c, 0, sizeof(*c));
	c->family = (uint8_t)family;
	c->cidr = (uint8_t)nl_addr_get_prefixlen(local);
	memcpy(c->addr, nl_addr_get_binary_addr(local), len);
}

int fzk_link_addresses(uint32_t ifindex, struct fz_cidr *out, size_t max,
		       size_t *n)
{
	struct addr_walk w = { ifindex, out, max, 0 };
	struct nl_cache *cache;
	struct nl_sock *sock;
	int ret;

	*n = 0;
	ret = route_socket(&sock);
	if (ret)
		return ret;
	ret = nlerr(rtnl_addr_alloc_cache(sock, &cache));
	if (!ret) {
		nl_cache_foreach(cache, addr_one, &w);
		nl_cache_free(cache);
		*n = w.n;
	}
	nl_socket_free(sock);
	return ret;
}

int fzk_link_add_address_nodad(uint32_t ifindex, const struct fz_cidr *addr)
{
	struct nl_sock *sock;
	int ret;

	ret = route_socket(&sock);
	if (ret)
		return ret;
	ret = change_address(sock, ifindex, addr, true,
			     addr->family == AF_INET6 ? IFA_F_NODAD : 0);
	nl_socket_free(sock);
	return ret;
}

/* --- Routes --- */

int fzk_link_route(uint32_t ifindex, const struct fz_cidr *dst,
		   const struct fz_cidr *src, bool add)
{
	struct rtnl_route *route = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *prefix = NULL, *from = NULL;
	struct nl_sock *sock = NULL;
	int ret = -ENOMEM;

	if (!route || !nh)
		goto out;
	prefix = nl_addr_build(dst->family, dst->addr,
			       dst->family == AF_INET ? 4 : 16);
	if (!prefix)
		goto out;
	nl_addr_set_prefixlen(prefix, dst->cidr);
	rtnl_route_set_family(route, (uint8_t)dst->family);
	rtnl_route_set_table(route, RT_TABLE_MAIN);
	rtnl_route_set_scope(route, RT_SCOPE_LINK);
	rtnl_route_set_protocol(route, RTPROT_STATIC);
	rtnl_route_set_type(route, RTN_UNICAST);
	ret = nlerr(rtnl_route_set_dst(route, prefix));
	if (!ret && src && src->family == dst->family) {
		from = nl_addr_build(src->family, src->addr,
				     src->family == AF_INET ? 4 : 16);
		ret = from ? nlerr(rtnl_route_set_pref_src(route, from)) :
			     -ENOMEM;
	}
	if (ret)
		goto out;
	rtnl_route_nh_set_ifindex(nh, (int)ifindex);
	rtnl_route_add_nexthop(route, nh);
	nh = NULL; /* the route's now */
	ret = route_socket(&sock);
	if (!ret)
		ret = nlerr(add ? rtnl_route_add(sock, route, NLM_F_EXCL) :
				  rtnl_route_delete(sock, route, 0));
out:
	if (sock)
		nl_socket_free(sock);
	if (prefix)
		nl_addr_put(prefix);
	if (from)
		nl_addr_put(from);
	if (nh)
		rtnl_route_nh_free(nh);
	if (route)
		rtnl_route_put(route);
	return ret;
}
