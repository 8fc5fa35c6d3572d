# SPDX-License-Identifier: GPL-2.0
# Test topology helpers: two hosts (namespaces "$1" and "$2") joined by a
# veth, with IPv4 and IPv6 outer addresses, nothing else.
#   hosts_up A B: A is 192.168.241.1 / fd00:241::1, B is .2 / ::2
PY=/usr/bin/python3

hosts_up() {
	local a=$1 b=$2
	ip netns add "$a" && ip netns add "$b" || return 1
	ip link add va netns "$a" type veth peer name vb netns "$b" || return 1
	ip -n "$a" addr add 192.168.241.1/24 dev va
	ip -n "$b" addr add 192.168.241.2/24 dev vb
	ip -n "$a" addr add fd00:241::1/64 dev va nodad
	ip -n "$b" addr add fd00:241::2/64 dev vb nodad
	ip -n "$a" link set va up
	ip -n "$b" link set vb up
	ip -n "$a" link set lo up
	ip -n "$b" link set lo up
}

# A process left in a namespace (an iperf3 -s -D, say) keeps it, and the
# devices in it, alive after `ip netns del`: end them first.
hosts_down() {
	local ns pids
	for ns in "$1" "$2"; do
		# Under set -e (the demo) a process that ended meanwhile must
		# not end the caller: every step here may fail.
		pids=$(ip netns pids "$ns" 2>/dev/null) || :
		[ -z "$pids" ] || { kill $pids 2>/dev/null || :; sleep 0.2; }
		pids=$(ip netns pids "$ns" 2>/dev/null) || :
		[ -z "$pids" ] || kill -9 $pids 2>/dev/null || :
		ip netns del "$ns" 2>/dev/null || :
	done
	return 0
}

# fz_dev NS NAME ADDR4/LEN ADDR6/LEN: an fz device, addressed and up.
fz_dev() {
	ip -n "$1" link add "$2" type fz &&
		ip -n "$1" addr add "$3" dev "$2" &&
		ip -n "$1" addr add "$4" dev "$2" nodad &&
		ip -n "$1" link set "$2" up
}

# fz_json NS IFACE EXPR: a value from `fzagent show --json`, e.g.
# 'd["stats"]["drop_replay"]' or 'd["peers"][0]["rx_bytes"]'.
fz_json() {
	ip netns exec "$1" "$FZAGENT" show --json "$2" |
		$PY -c "import json,sys; d=json.load(sys.stdin); print($3)"
}

# wait_for SECONDS CMD...: polls CMD every 0.2 s until it succeeds, for
# SECONDS times FZ_TIME_SCALE (guest-run.sh: 4 on the debug kernel).
# link_is_up NS DEV: DEV exists in NS and is up (`ip link show DEV up`
# prints nothing, but succeeds, for a link that is down).
link_is_up() {
	ip -n "$1" link show "$2" up 2>/dev/null | grep -q .
}

wait_for() {
	local end=$(($(date +%s) + $1 * ${FZ_TIME_SCALE:-1}))
	shift
	while [ "$(date +%s)" -lt "$end" ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

# objects_gone: fz.ko's live object counters (debugfs) are all zero.
objects_gone() {
	local f
	for f in peers keypairs allowedips dnsmaps devices; do
		[ "$(cat /sys/kernel/debug/fz/live_$f 2>/dev/null)" = 0 ] || return 1
	done
}

live_objects() {
	local f
	for f in peers keypairs allowedips dnsmaps devices; do
		printf '%s=%s ' "$f" "$(cat /sys/kernel/debug/fz/live_$f 2>/dev/null)"
	done
}
