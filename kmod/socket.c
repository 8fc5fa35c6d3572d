// SPDX-License-Identifier: GPL-2.0
/*
 * The device's UDP sockets (IPv4 and IPv6, one port) in the namespace the
 * device was created in, and sending to a peer with a cached route.
 */
#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/dst_cache.h>
#include <net/ip6_route.h>
#include <net/ipv6_stubs.h>
#include <net/route.h>
#include <net/udp_tunnel.h>

#include "device.h"
#include "peer.h"
#include "socket.h"

static int fz_send4(struct fz_device *fz, struct sk_buff *skb,
		    const struct fz_peer_endpoint *ep, u8 ds,
		    struct dst_cache *cache)
{
	struct flowi4 fl = {
		.saddr = ep->src4.s_addr,
		.daddr = ep->addr.addr4.sin_addr.s_addr,
		.fl4_dport = ep->addr.addr4.sin_port,
		.flowi4_mark = fz->fwmark,
		.flowi4_proto = IPPROTO_UDP,
	};
	struct rtable *rt = NULL;
	struct sock *sk;
	int ret = 0;

	skb_mark_not_on_list(skb);
	skb->dev = fz->dev;
	skb->mark = fz->fwmark;
	rcu_read_lock_bh();
	sk = rcu_dereference_bh(fz->sock4);
	if (unlikely(!sk)) {
		ret = -ENONET;
		goto err;
	}
	fl.fl4_sport = inet_sk(sk)->inet_sport;
	if (cache)
		rt = dst_cache_get_ip4(cache, &fl.saddr);
	if (!rt) {
		rt = ip_route_output_flow(sock_net(sk), &fl, sk);
		if (IS_ERR(rt) && fl.saddr) {
			/* The address it reached us on is gone: pick another. */
			fl.saddr = 0;
			rt = ip_route_output_flow(sock_net(sk), &fl, sk);
		}
		if (IS_ERR(rt)) {
			ret = PTR_ERR(rt);
			goto err;
		}
		if (unlikely(rt->dst.dev == skb->dev)) {
			ip_rt_put(rt);
			ret = -ELOOP;
			goto err;
		}
		if (cache)
			dst_cache_set_ip4(cache, &rt->dst, fl.saddr);
	}
	skb->ignore_df = 1;
	udp_tunnel_xmit_skb(rt, sk, skb, fl.saddr, fl.daddr, ds,
			    ip4_dst_hoplimit(&rt->dst), 0, fl.fl4_sport,
			    fl.fl4_dport, false, false);
	goto out;
err:
	kfree_skb(skb);
out:
	rcu_read_unlock_bh();
	return ret;
}

static int fz_send6(struct fz_device *fz, struct sk_buff *skb,
		    const struct fz_peer_endpoint *ep, u8 ds,
		    struct dst_cache *cache)
{
	struct flowi6 fl = {
		.saddr = ep->src6,
		.daddr = ep->addr.addr6.sin6_addr,
		.fl6_dport = ep->addr.addr6.sin6_port,
		.flowi6_mark = fz->fwmark,
		.flowi6_oif = ep->addr.addr6.sin6_scope_id,
		.flowi6_proto = IPPROTO_UDP,
	};
	struct dst_entry *dst = NULL;
	struct sock *sk;
	int ret = 0;

	skb_mark_not_on_list(skb);
	skb->dev = fz->dev;
	skb->mark = fz->fwmark;
	rcu_read_lock_bh();
	sk = rcu_dereference_bh(fz->sock6);
	if (unlikely(!sk)) {
		ret = -ENONET;
		goto err;
	}
	fl.fl6_sport = inet_sk(sk)->inet_sport;
	if (cache)
		dst = dst_cache_get_ip6(cache, &fl.saddr);
	if (!dst) {
		if (!ipv6_addr_any(&fl.saddr) &&
		    !ipv6_chk_addr(sock_net(sk), &fl.saddr, NULL, 0))
			fl.saddr = in6addr_any;
		dst = ipv6_stub->ipv6_dst_lookup_flow(sock_net(sk), sk, &fl,
						      NULL);
		if (IS_ERR(dst)) {
			ret = PTR_ERR(dst);
			goto err;
		}
		if (unlikely(dst->dev == skb->dev)) {
			dst_release(dst);
			ret = -ELOOP;
			goto err;
		}
		if (cache)
			dst_cache_set_ip6(cache, dst, &fl.saddr);
	}
	skb->ignore_df = 1;
	udp_tunnel6_xmit_skb(dst, sk, skb, skb->dev, &fl.saddr, &fl.daddr, ds,
			     ip6_dst_hoplimit(dst), 0, fl.fl6_sport,
			     fl.fl6_dport, false);
	goto out;
err:
	kfree_skb(skb);
out:
	rcu_read_unlock_bh();
	return ret;
}

static int fz_send(struct fz_device *fz, struct sk_buff *skb,
		   const struct fz_peer_endpoint *ep, u8 ds,
		   struct dst_cache *cache)
{
	if (ep->addr.addr.sa_family == AF_INET)
		return fz_send4(fz, skb, ep, ds, cache);
	if (ep->addr.addr.sa_family == AF_INET6)
		return fz_send6(fz, skb, ep, ds, cache);
	kfree_skb(skb);
	return -EDESTADDRREQ;
}

int fz_socket_send_to_peer(struct fz_peer *peer, struct sk_buff *skb, u8 ds)
{
	struct fz_peer_endpoint ep;

	fz_peer_get_endpoint(peer, &ep);
	return fz_send(peer->fz, skb, &ep, ds, &peer->dst_cache);
}

int fz_socket_send_to_endpoint(struct fz_device *fz,
			       const struct fz_peer_endpoint *ep,
			       struct sk_buff *skb)
{
	return fz_send(fz, skb, ep, 0, NULL);
}

int fz_socket_send_buffer(struct fz_device *fz,
			  const struct fz_peer_endpoint *ep, const void *data,
			  size_t len)
{
	const unsigned int room = ALIGN(sizeof(struct ipv6hdr) +
					sizeof(struct udphdr) + NET_SKB_PAD, 4);
	struct sk_buff *skb = alloc_skb(room + len, GFP_ATOMIC);

	if (unlikely(!skb))
		return -ENOMEM;
	skb_reserve(skb, room);
	skb_put_data(skb, data, len);
	return fz_send(fz, skb, ep, 0, NULL);
}

int fz_socket_endpoint_from_skb(struct fz_peer_endpoint *ep,
				const struct sk_buff *skb)
{
	memset(ep, 0, sizeof(*ep));
	if (skb->protocol == htons(ETH_P_IP)) {
		ep->addr.addr4.sin_family = AF_INET;
		ep->addr.addr4.sin_port = udp_hdr(skb)->source;
		ep->addr.addr4.sin_addr.s_addr = ip_hdr(skb)->saddr;
		ep->src4.s_addr = ip_hdr(skb)->daddr;
		ep->src_ifindex = skb->skb_iif;
		return 0;
	}
	if (skb->protocol == htons(ETH_P_IPV6)) {
		ep->addr.addr6.sin6_family = AF_INET6;
		ep->addr.addr6.sin6_port = udp_hdr(skb)->source;
		ep->addr.addr6.sin6_addr = ipv6_hdr(skb)->saddr;
		ep->addr.addr6.sin6_scope_id =
			ipv6_iface_scope_id(&ipv6_hdr(skb)->saddr,
					    skb->skb_iif);
		ep->src6 = ipv6_hdr(skb)->daddr;
		ep->src_ifindex = skb->skb_iif;
		return 0;
	}
	return -EINVAL;
}

static int fz_sock_create(struct net *net, struct fz_device *fz, int family,
			  u16 port, struct sock **out)
{
	struct udp_tunnel_sock_cfg tunnel = {
		.sk_user_data = fz,
		.encap_type = 1,
		.encap_rcv = fz_receive,
	};
	struct udp_port_cfg cfg = {
		.family = family,
		.local_udp_port = htons(port),
		.use_udp_checksums = true,
		.ipv6_v6only = true,
	};
	struct socket *sock;
	int ret;

	ret = udp_sock_create(net, &cfg, &sock);
	if (ret)
		return ret;
	setup_udp_tunnel_sock(net, sock, &tunnel);
	*out = sock->sk;
	return 0;
}

static void fz_sock_swap(struct fz_device *fz, struct sock *s4, struct sock *s6)
{
	struct sock *old4, *old6;

	old4 = rcu_replace_pointer(fz->sock4, s4, lockdep_is_held(&fz->lock));
	old6 = rcu_replace_pointer(fz->sock6, s6, lockdep_is_held(&fz->lock));
	if (!old4 && !old6)
		return;
	/* Senders and receivers inside a read section finish first. */
	synchronize_net();
	if (old4)
		udp_tunnel_sock_release(old4->sk_socket);
	if (old6)
		udp_tunnel_sock_release(old6->sk_socket);
}

int fz_socket_open(struct fz_device *fz, u16 port)
{
	struct net *net = fz->creating_net;
	struct sock *s4 = NULL, *s6 = NULL;
	int ret, tries = 0;

	if (!net)
		return -ENONET;
	if (port && port == fz->listen_port && rcu_access_pointer(fz->sock4))
		return 0;
	/* New sockets first: on failure the old ones keep working. */
retry:
	ret = fz_sock_create(net, fz, AF_INET, port, &s4);
	if (ret)
		return ret;
	ret = fz_sock_create(net, fz, AF_INET6, ntohs(inet_sk(s4)->inet_sport),
			     &s6);
	if (ret == -EADDRINUSE && !port && ++tries < 100) {
		/* The random port was free for IPv4 only: try another. */
		udp_tunnel_sock_release(s4->sk_socket);
		goto retry;
	}
	if (ret == -EAFNOSUPPORT) {
		s6 = NULL;
	} else if (ret) {
		udp_tunnel_sock_release(s4->sk_socket);
		return ret;
	}
	fz->listen_port = ntohs(inet_sk(s4)->inet_sport);
	fz_sock_swap(fz, s4, s6);
	return 0;
}

void fz_socket_close(struct fz_device *fz)
{
	fz_sock_swap(fz, NULL, NULL);
}
