#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the benchmark VM (or, with --host, on a real machine): sets
# up every system side by side, each in its own namespaces, then measures
# them interleaved (A B C A B C ...) so drifts of the machine hit all of
# them alike. Then handshakes per second and scale. Writes raw.jsonl,
# raw.json and results.md into OUT.
#   guest.sh OUT ROUNDS SECONDS [PARTS]
# PARTS is a comma-separated subset of paths,handshakes,scale,profile
# (default: all of them).
set -u
out=$1 rounds=${2:-5} secs=${3:-10} parts=,${4:-paths,handshakes,scale,profile,failover},
FAILOVER_ROUNDS=${FZ_BENCH_FAILOVER_ROUNDS:-20}
part() { case $parts in *,$1,*) return 0 ;; esac; return 1; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export FZ_SELFTESTS=$here FZAGENT=${FZAGENT:-$here/../agent/fzagent}
export FZ_NLPROBE=${FZ_NLPROBE:-$here/../build/selftests/fz-nlprobe}
. "$here/lib/ktap.sh"
. "$here/lib/netns.sh"
export FZ_RUN=/tmp/fzbench
. "$here/lib/peers.sh"
. "$here/lib/gateway.sh"
. "$here/bench/systems.sh"
. "$here/bench/measure.sh"
mkdir -p "$out"
modprobe fz && modprobe wireguard && modprobe tun || exit 1
: >"$out/raw.jsonl"
record() { tee -a "$out/raw.jsonl"; }

systems=(veth wg wggo fz fzgw wgnft)
tests=(tcp1 tcp1r tcp4 tcp4r udp lat latload)
for s in "${systems[@]}"; do
	echo "bench: $(date +%T) setting up $s" >&2
	setup_"$s" || { echo "bench: $(date +%T) cannot set up $s" >&2; exit 1; }
done
sleep 1
part paths && for r in $(seq "$rounds"); do
	for s in "${systems[@]}"; do
		for t in "${tests[@]}"; do
			measure "$s" "$r" "$t" | record
		done
	done
done

if part handshakes; then
	echo "bench: $(date +%T) handshakes per second" >&2
	. "$here/bench/handshakes.sh"
	hs_bench 3 | record
	echo "bench: $(date +%T) handshake capacity" >&2
	. "$here/bench/hscapacity.sh"
	hc_bench 3 | record
fi
# The profiles come before scale: 10,000 peers would be in them.
if part profile; then
	for s in fz fzgw wg; do
		echo "bench: $(date +%T) perf profile of $s" >&2
		profile "$s"
	done
fi
if part scale; then
	echo "bench: $(date +%T) scale" >&2
	. "$here/bench/scale.sh"
	scale_bench | record
	for r in 1 2 3; do
		for s in wg fz fzgw; do
			measure "$s" "$r" tcp1_scaled | record
		done
	done
fi
if part failover; then
	echo "bench: $(date +%T) failover, $FAILOVER_ROUNDS rounds each" >&2
	FZ_FAILOVER_ROUNDS=$FAILOVER_ROUNDS FZ_LB_CLIENTS=0 \
		bash "$here/tests/13-failover.sh" >"$out/failover.log" 2>&1
	sed -n 's/^# failover \(crash\|graceful\) \([0-9]*\): \([0-9]*\)\.\([0-9]*\) s.*/{"system":"fz","test":"failover_\1","round":\2,"ms":\3\4}/p' \
		"$out/failover.log" | sed 's/"ms":0*\([0-9]\)/"ms":\1/' | record
fi
$PY "$here/bench/report.py" "$out/raw.jsonl" "$out" "$(uname -r)" "$(nproc)" "${FZ_BENCH_ACCEL:-tcg}"
