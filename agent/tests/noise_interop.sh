#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# noise_interop.sh NETNS IFNAME LISTEN_PORT PEER_PUBLIC_KEY [ENDPOINT]
#
# The wireguard-go side of the noise interop test (test_noise_interop.c).
# Creates network namespace NETNS with only lo up, runs wireguard-go in it
# as IFNAME (address 10.99.0.1/24) listening on LISTEN_PORT, with one peer:
# PEER_PUBLIC_KEY, allowed-ips 10.99.0.2/32, and ENDPOINT if given. The
# private key and an optional preshared key come base64 in $FZT_PRIVATE_KEY
# and $FZT_PRESHARED_KEY, so that no key shows in a process listing.
#
# Prints "ready" once configured, then holds the namespace until its
# standard input reaches end of file, which happens however the test
# process ends, or 60 s pass; then removes everything it made. Unless the
# test wrote "pass" first, wireguard-go's log goes to stderr. Run it in a
# session of its own so that a test runner killing the test's process
# group does not take it down before it has cleaned up.
set -u

netns=$1 ifname=$2 port=$3 peer=$4 endpoint=${5:-}
log=$(mktemp /tmp/fz-noise-wg.XXXXXX) || exit 1
verdict=
sock=/var/run/wireguard/$ifname.sock
wg_pid=

die() {
	echo "noise_interop: $*" >&2
	exit 1
}

# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	if [ -n "$wg_pid" ]; then
		kill "$wg_pid" 2>/dev/null
		for _ in $(seq 40); do
			kill -0 "$wg_pid" 2>/dev/null || break
			sleep 0.05
		done
		kill -KILL "$wg_pid" 2>/dev/null
		wait "$wg_pid" 2>/dev/null
	fi
	rm -f "$sock"
	ip netns del "$netns" 2>/dev/null
	if [ "$verdict" != pass ] && [ -s "$log" ]; then
		echo "--- wireguard-go log ($ifname) ---" >&2
		cat "$log" >&2
		echo "--- end of wireguard-go log ---" >&2
	fi
	rm -f "$log"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

for tool in wireguard-go wg ip timeout; do
	command -v "$tool" >/dev/null || die "$tool is not installed"
done
[ -n "${FZT_PRIVATE_KEY:-}" ] || die "FZT_PRIVATE_KEY is not set"

timeout 5 ip netns add "$netns" || die "cannot create netns $netns"
timeout 5 ip -n "$netns" link set lo up || die "cannot bring up lo"

# -f: stay in the foreground, so that $wg_pid is wireguard-go itself
# (ip netns exec execs it in place).
WG_PROCESS_FOREGROUND=1 LOG_LEVEL=verbose \
	ip netns exec "$netns" wireguard-go -f "$ifname" >"$log" 2>&1 </dev/null &
wg_pid=$!
for _ in $(seq 100); do
	[ -S "$sock" ] && break
	kill -0 "$wg_pid" 2>/dev/null || die "wireguard-go exited at start"
	sleep 0.05
done
[ -S "$sock" ] || die "wireguard-go made no control socket within 5 s"

# Keys reach wg through pipes (process substitution), never a file. A
# substitution lives only for the command that holds it, hence two calls.
ep=()
[ -n "$endpoint" ] && ep=(endpoint "$endpoint")
timeout 5 ip netns exec "$netns" wg set "$ifname" \
	private-key <(printf '%s\n' "$FZT_PRIVATE_KEY") listen-port "$port" \
	peer "$peer" allowed-ips 10.99.0.2/32 "${ep[@]}" ||
	die "wg set failed"
if [ -n "${FZT_PRESHARED_KEY:-}" ]; then
	timeout 5 ip netns exec "$netns" wg set "$ifname" peer "$peer" \
		preshared-key <(printf '%s\n' "$FZT_PRESHARED_KEY") ||
		die "wg set preshared-key failed"
fi
timeout 5 ip -n "$netns" addr add 10.99.0.1/24 dev "$ifname" ||
	die "cannot address $ifname"
timeout 5 ip -n "$netns" link set "$ifname" up || die "cannot bring up $ifname"

echo ready
read -r -t 60 verdict
exit 0
