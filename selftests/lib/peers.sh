# SPDX-License-Identifier: GPL-2.0
# Tunnel endpoints for interop tests, all with the same shape: interface
# NAME in namespace NS, inner 10.20.0.N/24 and fd00:20::N/64, UDP port PORT.
#   peer_up KIND NS NAME N PORT PRIVKEY PEERPUB PEERN [ENDPOINT]
# KIND is fz (fz.ko + fzagent), wg (in-kernel WireGuard) or wggo
# (wireguard-go). ENDPOINT (host:port) makes this side able to initiate.
FZ_RUN=${FZ_RUN:-/tmp/fzrun}
mkdir -p "$FZ_RUN"
chmod 700 "$FZ_RUN"

fz_conf() { # NS NAME N PORT PRIVKEY PEERPUB PEERN [ENDPOINT]
	local conf=$FZ_RUN/$1-$2.conf
	(
		umask 077
		cat >"$conf" <<CONF
[Interface]
PrivateKey = $5
ListenPort = $4
Address = 10.20.0.$3/24, fd00:20::$3/64

[Peer]
PublicKey = $6
AllowedIPs = 10.20.0.$7/32, fd00:20::$7/128
${8:+Endpoint = $8}
CONF
	)
	echo "$conf"
}

peer_up() {
	local kind=$1 ns=$2 name=$3 n=$4 port=$5 priv=$6 peerpub=$7 peern=$8 ep=${9:-}
	case $kind in
	fz)
		local conf
		conf=$(fz_conf "$ns" "$name" "$n" "$port" "$priv" "$peerpub" "$peern" "$ep")
		ip netns exec "$ns" "$FZAGENT" up "$conf" -i "$name" \
			>"$FZ_RUN/$ns-$name.log" 2>&1 &
		echo $! >"$FZ_RUN/$ns-$name.pid"
		wait_for 15 link_is_up "$ns" "$name" || return 1
		;;
	wg | wggo)
		if [ "$kind" = wg ]; then
			ip -n "$ns" link add "$name" type wireguard || return 1
		else
			# Its control socket lives in the shared /run: clear leftovers.
			rm -f "/var/run/wireguard/$name.sock"
			ip netns exec "$ns" wireguard-go -f "$name" \
				>"$FZ_RUN/$ns-$name.log" 2>&1 &
			echo $! >"$FZ_RUN/$ns-$name.pid"
			wait_for 15 ip -n "$ns" link show "$name" || return 1
		fi
		(umask 077; echo "$priv" >"$FZ_RUN/$ns-$name.key")
		ip netns exec "$ns" wg set "$name" listen-port "$port" \
			private-key "$FZ_RUN/$ns-$name.key" peer "$peerpub" \
			allowed-ips "10.20.0.$peern/32,fd00:20::$peern/128" \
			${ep:+endpoint "$ep"} || return 1
		ip -n "$ns" addr add "10.20.0.$n/24" dev "$name"
		ip -n "$ns" addr add "fd00:20::$n/64" dev "$name" nodad
		ip -n "$ns" link set "$name" up
		;;
	esac
}

peer_down() { # NS NAME
	local pid
	pid=$(cat "$FZ_RUN/$1-$2.pid" 2>/dev/null) && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -f "$FZ_RUN/$1-$2.pid"
	ip -n "$1" link del "$2" 2>/dev/null
	return 0
}

# peer_bytes KIND NS NAME rx|tx: the one peer's counter, as its tool says.
peer_bytes() {
	case $1 in
	fz) fz_json "$2" "$3" "d['peers'][0]['$4_bytes']" ;;
	*) ip netns exec "$2" wg show "$3" transfer |
		awk -v w="$4" '{ print (w == "rx") ? $2 : $3 }' ;;
	esac
}

iperf_mbps() { # NS ARGS...: prints received Mbit/s, or nothing
	local ns=$1
	shift
	ip netns exec "$ns" iperf3 -J "$@" 2>/dev/null |
		$PY -c 'import json,sys
e = json.load(sys.stdin)["end"]
s = e.get("sum_received") or e.get("sum")
print(round(s["bits_per_second"] / 1e6, 1))' 2>/dev/null
}
