#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: fz against its anchors (plain veth, in-kernel WireGuard,
# wireguard-go) and fz with the gateway path on, interleaved in one VM
# boot: TCP 1 and 4 streams both ways, UDP, latency, CPU per GB,
# handshakes per second, scale. Results under results/<time>/.
#   bench.sh [-k KVER] [-r ROUNDS] [-s SECONDS] [-p PARTS] [-o DIR] [--host]
# PARTS: comma-separated subset of paths,handshakes,scale,profile,failover
# (all; failover: 13-failover.sh's crash and graceful rounds, 20 each).
# DIR: where results go (results/<time>).
# --host runs on this machine directly (it must be able to load modules
# and have fz.ko installed, e.g. by make dkms-install).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
kver=$("$here/lib/kernels.sh" | tail -1) rounds=5 secs=10 results= host=0 parts=paths,handshakes,scale,profile,failover
while [ $# -gt 0 ]; do
	case $1 in
	-k) kver=$2; shift 2 ;;
	-r) rounds=$2; shift 2 ;;
	-s) secs=$2; shift 2 ;;
	-p) parts=$2; shift 2 ;;
	-o) results=$2; shift 2 ;;
	--host) host=1; shift ;;
	-h | --help) sed -n '3,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench: unknown option $1" >&2; exit 2 ;;
	esac
done
stamp=$(date -u +%Y%m%dT%H%M%SZ)
results=${results:-$repo/results/$stamp}
mkdir -p "$results"
make -s -C "$repo/agent" all bench-tools
make -s -C "$repo" probes
if [ $host = 1 ]; then
	FZ_BENCH_ACCEL=none bash "$here/bench/guest.sh" "$results" "$rounds" "$secs"
	exit
fi
"$here/lib/build-kmod.sh" "$kver" "$repo/build/kmod/$kver" >/dev/null
out=$repo/build/bench-out
rm -rf "$out"
mkdir -p "$out"
echo "bench: booting $kver under QEMU/TCG; $rounds rounds of ${secs}s per system"
"$here/lib/vm.sh" -t 5400 "$kver" "$repo/build/kmod/$kver/fz.ko" "$out" \
	"bash selftests/bench/guest.sh /tmp/out/results $rounds $secs $parts 2>&1 | tee /tmp/out/bench.log"
cp "$out"/results/* "$results/"
cat "$results/results.md"
echo "bench: results in ${results#"$repo"/}"
