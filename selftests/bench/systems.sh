# SPDX-License-Identifier: GPL-2.0
# The benchmark's systems, each set up in namespaces of its own. For each,
# cl[S] is the namespace the client side runs in, sv[S] the server's (an
# iperf3 -s runs there) and to[S] the address the client talks to.
declare -A cl sv to

# A pair s-S-a / s-S-b joined by a veth; tunnels use the peers.sh plan
# (10.20.0.1 <-> .2). veth is the raw link itself: the limit.
setup_pair() {
	local s=$1 a=s-$1-a b=s-$1-b ka kb pa pb
	hosts_up "$a" "$b" >/dev/null || return 1
	cl[$s]=$a sv[$s]=$b to[$s]=192.168.241.2
	if [ "$s" != veth ]; then
		ka=$(wg genkey) kb=$(wg genkey)
		pa=$(echo "$ka" | wg pubkey) pb=$(echo "$kb" | wg pubkey)
		# Distinct names: wireguard-go's control sockets share /run.
		peer_up "$s" "$b" "$s-b" 2 51821 "$kb" "$pa" 1 || return 1
		peer_up "$s" "$a" "$s-a" 1 51820 "$ka" "$pb" 2 \
			"192.168.241.2:51821" || return 1
		to[$s]=10.20.0.2
		# One ping does the handshake before anything is timed.
		wait_for 20 ip netns exec "$a" ping -c 1 -W 1 10.20.0.2 || return 1
	fi
	iperf_servers "$b"
}

iperf_servers() { # NS: TCP on 5201, UDP on 5202
	ip netns exec "$1" iperf3 -s -D -p 5201 >/dev/null &&
		ip netns exec "$1" iperf3 -s -D -p 5202 >/dev/null
}

setup_veth() { setup_pair veth; }
setup_wg() { setup_pair wg; }
setup_wggo() { setup_pair wggo; }
setup_fz() { setup_pair fz; }

# fz with the gateway path active: `fzagent gateway` with a default-deny
# client authorized for one DNS resource (tcp 5201-5202 as iperf3 controls its UDP test over TCP, udp 5202, icmp),
# reached through its mapped IP (conntrack DNAT) and masqueraded out to
# the resource namespace, where iperf3 -s runs.
BENCH_RES=0b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c99
setup_fzgw() {
	hosts_up gateway client >/dev/null || return 1
	res_up && gw_dns_up || return 1
	gw_dns_set iperf.company.test 172.31.0.10 fd00:31::10 || return 1
	gw_keys
	cat >"$FZ_RUN/gw-fz0.auth" <<AUTH
[Resource]
Name = iperf
ID = $BENCH_RES
Type = dns
Address = iperf.company.test
Filters = tcp/5201-5202, udp/5202, icmp

[Client]
PublicKey = $CL_PUB
TunnelIPs = 100.64.0.2, fd00:2021:1111::2
Authorize = iperf
AUTH
	chmod 600 "$FZ_RUN/gw-fz0.auth"
	GW_AGENT=gateway GW_AGENT_ARGS="-a $FZ_RUN/gw-fz0.auth" gw_tunnel_up ||
		return 1
	ip netns exec client "$FZ_NLPROBE" events fz0 20 1 \
		>"$FZ_RUN/bench-status.log" 2>/dev/null &
	sleep 0.5
	ip netns exec client "$FZ_NLPROBE" control-send fz0 "$GW_PUB" 0 \
		"{\"resource\":\"$BENCH_RES\",\"domain\":\"iperf.company.test\",\"proxy_ips\":[\"100.96.0.1\",\"fd00:2021:1111:8000::1\"]}" >/dev/null
	wait_for 15 grep -q Active "$FZ_RUN/bench-status.log" || return 1
	cl[fzgw]=client sv[fzgw]=res to[fzgw]=100.96.0.1
	iperf_servers res
	wait_for 10 ip netns exec client ping -c 1 -W 1 100.96.0.1
}

# The anchor a user would assemble by hand today: in-kernel WireGuard on a
# gateway, with fz's gateway policy written in nftables. The client
# (100.64.0.2, WireGuard's allowed-ips its source check) reaches the
# resource 172.31.9.10 through the mapped IP 100.96.0.1 (DNAT from a
# per-client map), for tcp 5201-5202, udp 5202 and ping only (sets of
# client . resource . port, one per protocol), masqueraded out of the
# resource link; anything else from the tunnel is refused with ICMP
# admin-prohibited, and the gateway itself answers only pings.
setup_wgnft() {
	local g=s-wgnft-g c=s-wgnft-c r=s-wgnft-r kg kc pg pc
	hosts_up "$g" "$c" >/dev/null && ip netns add "$r" || return 1
	ip link add vr netns "$g" type veth peer name vg netns "$r" || return 1
	ip -n "$g" addr add 172.31.9.1/24 dev vr
	ip -n "$r" addr add 172.31.9.10/24 dev vg
	ip -n "$g" link set vr up
	ip -n "$r" link set vg up
	ip -n "$r" link set lo up
	ip -n "$r" route add default via 172.31.9.1 || return 1
	ip netns exec "$g" sysctl -qw net.ipv4.ip_forward=1 || return 1
	kg=$(wg genkey) kc=$(wg genkey)
	pg=$(echo "$kg" | wg pubkey) pc=$(echo "$kc" | wg pubkey)
	(umask 077; echo "$kg" >"$FZ_RUN/wgnft-g.key"; echo "$kc" >"$FZ_RUN/wgnft-c.key")
	ip -n "$g" link add wg-g type wireguard &&
		ip netns exec "$g" wg set wg-g listen-port 51820 \
			private-key "$FZ_RUN/wgnft-g.key" peer "$pc" \
			allowed-ips 100.64.0.2/32 || return 1
	ip -n "$c" link add wg-c type wireguard &&
		ip netns exec "$c" wg set wg-c listen-port 51821 \
			private-key "$FZ_RUN/wgnft-c.key" peer "$pg" \
			endpoint 192.168.241.1:51820 \
			allowed-ips 100.64.0.0/11,100.96.0.0/11 || return 1
	ip -n "$g" addr add 100.64.0.1/11 dev wg-g
	ip -n "$c" addr add 100.64.0.2/11 dev wg-c
	ip -n "$g" link set wg-g up
	ip -n "$c" link set wg-c up
	ip -n "$c" route add 100.96.0.0/11 dev wg-c || return 1
	cat >"$FZ_RUN/wgnft.nft" <<'NFT'
table inet wgnft {
	map mapped4 {
		type ipv4_addr . ipv4_addr : ipv4_addr
		elements = { 100.64.0.2 . 100.96.0.1 : 172.31.9.10 }
	}
	set tcp4 {
		type ipv4_addr . ipv4_addr . inet_service
		flags interval
		elements = { 100.64.0.2 . 172.31.9.10 . 5201-5202 }
	}
	set udp4 {
		type ipv4_addr . ipv4_addr . inet_service
		flags interval
		elements = { 100.64.0.2 . 172.31.9.10 . 5202 }
	}
	set ping4 {
		type ipv4_addr . ipv4_addr
		elements = { 100.64.0.2 . 172.31.9.10 }
	}
	chain nat_pre {
		type nat hook prerouting priority dstnat; policy accept;
		iifname "wg-g" dnat ip to ip saddr . ip daddr map @mapped4
	}
	chain forward_policy {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		iifname "wg-g" ip saddr . ip daddr . tcp dport @tcp4 accept
		iifname "wg-g" ip saddr . ip daddr . udp dport @udp4 accept
		iifname "wg-g" icmp type echo-request ip saddr . ip daddr @ping4 accept
		iifname "wg-g" reject with icmpx admin-prohibited
	}
	chain input_policy {
		type filter hook input priority filter; policy accept;
		iifname "wg-g" ct state established,related accept
		iifname "wg-g" icmp type echo-request accept
		iifname "wg-g" drop
	}
	chain nat_post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "vr" masquerade
	}
}
NFT
	ip netns exec "$g" nft -f "$FZ_RUN/wgnft.nft" || return 1
	cl[wgnft]=$c sv[wgnft]=$r to[wgnft]=100.96.0.1
	iperf_servers "$r"
	ip netns exec "$r" iperf3 -s -D -p 5203 >/dev/null || return 1
	wait_for 20 ip netns exec "$c" ping -c 1 -W 1 100.96.0.1 || return 1
	ip netns exec "$c" timeout 5 bash -c 'echo >/dev/tcp/100.96.0.1/5201' ||
		return 1
	# Default deny holds: a port outside the filters, where the resource
	# does listen, is refused.
	! ip netns exec "$c" timeout 5 bash -c 'echo >/dev/tcp/100.96.0.1/5203' 2>/dev/null
}
