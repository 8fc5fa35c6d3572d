# SPDX-License-Identifier: GPL-2.0
# Scale: the time and kernel memory (Slab in /proc/meminfo) to configure
# 10,000 peers on fz and on in-kernel WireGuard, and 100,000 DNS-resource
# mappings (10,000 gateway clients with 10 mapped IPs each) on the
# gateway; then `fzagent up` and `fzagent gateway` from files of 10,000
# peers and clients. The probe's peers stay, so tcp1_scaled measures
# throughput with them.
SCALE_PEERS=${SCALE_PEERS:-10000}
SCALE_MAPS=${SCALE_MAPS:-10}

slab_kb() { awk '/^Slab:/ { print $2 }' /proc/meminfo; }

scale_json() { # SYSTEM WHAT COUNT SECONDS SLAB_KB
	printf '{"system":"%s","round":1,"test":"scale_%s","count":%d,"seconds":%s,"slab_kb":%d}\n' "$@"
}

peers_conf() { # COUNT KEYBASE: [Peer] sections with distinct keys and IPs
	$PY - "$1" "$2" <<'PYEOF'
import base64, struct, sys
for n in range(1, int(sys.argv[1]) + 1):
    key = base64.b64encode(struct.pack("<I", int(sys.argv[2]) + n) +
                           b"\x5a" * 28).decode()
    print("[Peer]\nPublicKey = %s\nAllowedIPs = 10.%d.%d.%d/32\n"
          % (key, 128 + (n >> 16), (n >> 8) & 255, n & 255))
PYEOF
}

scale_wg() {
	local s0 t0 t1
	peers_conf "$SCALE_PEERS" 300000 >"$FZ_RUN/scale-wg.conf"
	sync
	s0=$(slab_kb) t0=$(date +%s%N)
	ip netns exec "${sv[wg]}" wg addconf wg-b "$FZ_RUN/scale-wg.conf"
	t1=$(date +%s%N)
	scale_json wg peers "$SCALE_PEERS" "$(echo "($t1 - $t0) / 1000000000" | bc -l)" $(($(slab_kb) - s0))
}

scale_fz() { # SYSTEM NS IFACE [MAPS]: slab growth of each step
	local s=$1 what count secs slab prev
	ip netns exec "$2" "$FZ_NLPROBE" scale "$3" "$SCALE_PEERS" ${4:-} \
		>"$FZ_RUN/scale-$s.out" 2>&1
	while read -r what count _ secs _ slab; do
		case $what in
		slab) prev=$count ;;
		peers | maps)
			scale_json "$s" "$what" "$count" "$secs" $((slab - prev))
			prev=$slab
			;;
		esac
	done <"$FZ_RUN/scale-$s.out"
}

# The operator's path: `fzagent up` with a config file of SCALE_PEERS
# peers, on a new interface, until the agent says it runs (the file
# parsed, every peer in fz.ko and in the handshake state; the
# static-static DHs wait for each peer's first handshake). wg's
# counterpart is `wg addconf` above. Then once more under perf, for
# profile-fzagent-up.txt: where the time goes.
fzagent_up_until_running() { # IFACE [gateway ARGS...]: the agent's pid once it runs
	local pid iface=$1 cmd=${2:-up}
	shift $(($# < 2 ? $# : 2))
	: >"$FZ_RUN/scale-fzagent.log" # not the last run's "agent running"
	ip netns exec "${sv[fz]}" "$FZAGENT" "$cmd" "$FZ_RUN/scale-fzagent.conf" -i "$iface" "$@" \
		>"$FZ_RUN/scale-fzagent.log" 2>&1 &
	pid=$!
	while ! grep -q "agent running" "$FZ_RUN/scale-fzagent.log"; do
		kill -0 "$pid" 2>/dev/null || { cat "$FZ_RUN/scale-fzagent.log" >&2; return 1; }
		sleep 0.05
	done
	echo "$pid"
}

fzagent_down() { # PID IFACE (started in a subshell: not ours to wait for)
	kill "$1"
	while kill -0 "$1" 2>/dev/null; do sleep 0.05; done
	ip -n "${sv[fz]}" link del "$2"
}

scale_fzagent() {
	local s0 t0 t1 pid
	{
		printf '[Interface]\nPrivateKey = %s\nListenPort = 53000\n\n' "$(wg genkey)"
		peers_conf "$SCALE_PEERS" 400000
	} >"$FZ_RUN/scale-fzagent.conf"
	chmod 600 "$FZ_RUN/scale-fzagent.conf"
	sync
	s0=$(slab_kb) t0=$(date +%s%N)
	pid=$(fzagent_up_until_running fzs) || return 1
	t1=$(date +%s%N)
	scale_json fzagent peers "$SCALE_PEERS" "$(echo "($t1 - $t0) / 1000000000" | bc -l)" $(($(slab_kb) - s0))
	fzagent_down "$pid" fzs
	perf_start || return 0
	pid=$(fzagent_up_until_running fzs)
	perf_stop fzagent-up comm,dso,symbol
	[ -z "$pid" ] || fzagent_down "$pid" fzs
}

# [Client]s with distinct keys and tunnel addresses, each authorized for
# one CIDR resource, as an operator's authorizations file.
clients_conf() { # COUNT
	$PY - "$1" <<'PYEOF'
import base64, struct, sys
print("[Resource]\nName = net\nID = 0b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c11\n"
      "Type = cidr\nAddress = 10.200.0.0/16\nFilters = tcp/80\n")
for n in range(1, int(sys.argv[1]) + 1):
    key = base64.b64encode(struct.pack("<I", 500000 + n) +
                           b"\x6b" * 28).decode()
    print("[Client]\nPublicKey = %s\nTunnelIPs = 100.%d.%d.%d\n"
          "Authorize = net\n" % (key, 64 + (n >> 16), (n >> 8) & 255, n & 255))
PYEOF
}

# The gateway's path: `fzagent gateway -a FILE` until it runs (every
# client a gateway peer of fz.ko holding its resource), then under perf.
scale_fzagent_gateway() {
	local s0 t0 t1 pid
	printf '[Interface]\nPrivateKey = %s\nListenPort = 53001\n' "$(wg genkey)" \
		>"$FZ_RUN/scale-fzagent.conf"
	clients_conf "$SCALE_PEERS" >"$FZ_RUN/scale-clients.auth"
	chmod 600 "$FZ_RUN/scale-fzagent.conf" "$FZ_RUN/scale-clients.auth"
	sync
	s0=$(slab_kb) t0=$(date +%s%N)
	pid=$(fzagent_up_until_running fzg gateway -a "$FZ_RUN/scale-clients.auth") || return 1
	t1=$(date +%s%N)
	scale_json fzagentgw clients "$SCALE_PEERS" "$(echo "($t1 - $t0) / 1000000000" | bc -l)" $(($(slab_kb) - s0))
	fzagent_down "$pid" fzg
	perf_start || return 0
	pid=$(fzagent_up_until_running fzg gateway -a "$FZ_RUN/scale-clients.auth")
	perf_stop fzagent-gateway comm,dso,symbol
	[ -z "$pid" ] || fzagent_down "$pid" fzg
}

scale_bench() {
	scale_wg
	scale_fzagent
	scale_fzagent_gateway
	scale_fz fz "${sv[fz]}" fz-b
	scale_fz fzgw gateway fz0 "$SCALE_MAPS"
}
