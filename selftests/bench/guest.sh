#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the benchmark VM (or, with --host, on a real machine): sets
# up every system side by side, each in its own pair of namespaces, then
# measures them interleaved (A B C A B C ...) so drifts of the machine hit
# all of them alike. Writes raw.json and results.md into OUT.
#   guest.sh OUT ROUNDS SECONDS
set -u
out=$1 rounds=${2:-5} secs=${3:-10}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export FZ_SELFTESTS=$here FZAGENT=${FZAGENT:-$here/../agent/fzagent}
. "$here/lib/ktap.sh"
. "$here/lib/netns.sh"
export FZ_RUN=/tmp/fzbench
. "$here/lib/peers.sh"
mkdir -p "$out"
modprobe fz && modprobe wireguard && modprobe tun || exit 1

systems=(veth wg wggo fz)
declare -A to=( [veth]=192.168.241.2 )

# Each system gets namespaces s-<name>-a / s-<name>-b. Tunnels use the
# peers.sh addressing (10.20.0.1 <-> .2); veth is the raw link itself.
setup() {
	local s=$1 a=s-$1-a b=s-$1-b ka kb pa pb
	hosts_up "$a" "$b" >/dev/null || return 1
	[ "$s" = veth ] && return 0
	ka=$(wg genkey) kb=$(wg genkey)
	pa=$(echo "$ka" | wg pubkey) pb=$(echo "$kb" | wg pubkey)
	# Distinct names: wireguard-go's control sockets share /run.
	peer_up "$s" "$b" "$s-b" 2 51821 "$kb" "$pa" 1 || return 1
	peer_up "$s" "$a" "$s-a" 1 51820 "$ka" "$pb" 2 "192.168.241.2:51821" || return 1
	to[$s]=10.20.0.2
	# One ping does the handshake before anything is timed.
	wait_for 20 ip netns exec "$a" ping -c 1 -W 1 10.20.0.2
}

cpu_jiffies() { awk '/^cpu / { print $2 + $3 + $4 + $6 + $7 + $8 }' /proc/stat; }

measure() { # SYSTEM ROUND: one iperf3 TCP run, prints a JSON object
	local s=$1 r=$2 c0 c1 json mbps bytes
	c0=$(cpu_jiffies)
	json=$(ip netns exec "s-$s-a" iperf3 -c "${to[$s]}" -t "$secs" -J 2>/dev/null)
	c1=$(cpu_jiffies)
	read -r mbps bytes < <(printf '%s' "$json" | $PY -c 'import json,sys
e = json.load(sys.stdin)["end"]["sum_received"]
print(e["bits_per_second"] / 1e6, e["bytes"])' 2>/dev/null || echo "0 0")
	printf '{"system":"%s","round":%d,"test":"tcp1","mbps":%s,"bytes":%s,"cpu_s":%s}\n' \
		"$s" "$r" "$mbps" "$bytes" "$(echo "($c1 - $c0) / $(getconf CLK_TCK)" | bc -l)"
}

for s in "${systems[@]}"; do
	setup "$s" || { echo "bench: cannot set up $s" >&2; exit 1; }
	ip netns exec "s-$s-b" iperf3 -s -D >/dev/null
done
sleep 1
: >"$out/raw.jsonl"
for r in $(seq "$rounds"); do
	for s in "${systems[@]}"; do
		measure "$s" "$r" | tee -a "$out/raw.jsonl"
	done
done
$PY "$here/bench/report.py" "$out/raw.jsonl" "$out" "$(uname -r)" "$(nproc)" "${FZ_BENCH_ACCEL:-tcg}"
