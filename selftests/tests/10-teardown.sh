#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Teardown under fire, and what a namespace's root may cost the host:
# - packets waiting for keys: they do not pin their namespace, and one
#   device holds at most 8,192 of them whatever its number of peers;
# - a peer removed and re-added 200 times in a tight loop with its keepalive armed
#   and traffic flowing both ways;
# - a gateway holding 1,000 clients deleted with traffic flowing;
# - links deleted while requests stream in, many rounds;
# - a first gateway client racing a move to another namespace;
# - peers and DNS maps charged to the requester's memory cgroup.
# After each part, fz.ko's live-object counters must return to zero.
. "$FZ_SELFTESTS/lib/ktap.sh"
. "$FZ_SELFTESTS/lib/netns.sh"
need ip iperf3 ping modprobe mount "$PY"
P=$FZ_NLPROBE
cg=/sys/fs/cgroup/fz-memtest
cleanup() {
	pkill -f "iperf3" 2>/dev/null
	hosts_down fa fb
	hosts_down nA nB
	hosts_down fs fm
	rmdir "$cg" 2>/dev/null
}
trap cleanup EXIT
modprobe -r fz 2>/dev/null
# Keepalives every 0.1 s: timers fire all through the churn. On the
# debug kernel every 0.5 s, and keys live 90 s, not 18: its steps take
# longer than 18 s there, and the keys lapsed before the ping through
# 1,000 clients.
scale=${FZ_TIME_SCALE:-1}
divisor=$((10 / scale > 1 ? 10 / scale : 1))
modprobe fz test_time_divisor=$divisor

objects_zero() { # DESC: the live-object counters drain to zero
	if wait_for 120 objects_gone; then
		pass "$1: every peer, keypair, allowed IP and map freed"
	else
		fail "$1: objects left: $(live_objects)"
		# What pins them: a namespace that cannot go, a device
		# waiting for its references, a process left behind.
		diag "namespaces: $(ip netns list | tr '\n' ' ')"
		dmesg | grep -E 'unregister_netdevice|waiting for' | tail -5 |
			while read -r line; do diag "$line"; done
		diag "iperf3 left: $(pgrep -c iperf3)"
	fi
}

# --- Packets waiting for keys do not keep their namespace alive ---
# (A socket pins its namespace; a packet still holding its socket in a
# peer's queue would keep the namespace, and so the device, forever.)
hosts_up fa fb
fz_dev fa fz0 10.9.0.1/24 fd00:9::1/64
run_probe ip netns exec fa "$P" keyed fz0 1 2 51820 192.168.241.2 51821 10.9.0.2/32 -
ip netns exec fa ping -c 5 -i 0.1 -W 1 10.9.0.2 >/dev/null 2>&1
[ "$(fz_json fa fz0 'd["stats"]["drop_no_key"]')" = 0 ] &&
	pass "pings to a peer without keys wait for a handshake" ||
	fail "pings to a peer without keys were dropped"
hosts_down fa fb
objects_zero "a namespace deleted while its tunnel held packets waiting for keys"

# --- However many peers wait for keys, one device stages 8,192 packets ---
# (Waiting packets have let go of their sockets, so no socket or cgroup
# pays for them: the device caps them, not only each peer at 1,024.)
hosts_up fa fb
fz_dev fa fz0 10.9.0.1/24 fd00:9::1/64
out=$(ip netns exec fa "$P" scale fz0 20 2>&1)
grep -q "^peers 20 " <<<"$out" && ! grep -q '^error' <<<"$out" &&
	pass "fz0 holds 20 peers without keys" ||
	fail "adding 20 peers without keys: $out"
ip -n fa route add 10.128.0.0/24 dev fz0
ip netns exec fa "$PY" -c "import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(1100):
    for n in range(1, 21): s.sendto(b'x' * 64, ('10.128.0.%d' % n, 9))"
dropped=$(fz_json fa fz0 'd["stats"]["drop_no_key"]')
# 22,000 sent: at most 8,192 (plus a batch or two of overshoot) may wait.
check "20 peers without keys hold at most 8,192 packets between them ($dropped of 22,000 dropped)" \
	test "$dropped" -ge $((22000 - 8192 - 64))
hosts_down fa fb
objects_zero "a device holding 8,192 packets waiting for keys, deleted"

# --- A peer removed and re-added under traffic, keepalive armed ---
hosts_up fa fb
# iperf3's control connection runs through the tunnel. Once the tunnel is
# gone, a killed iperf3 leaves an orphaned TCP socket retransmitting into
# nothing, and it holds its namespace (and so the device in it) until it
# gives up: minutes at the default of 8 retries.
for ns in fa fb; do
	ip netns exec $ns sysctl -qw net.ipv4.tcp_orphan_retries=1
done
fz_dev fa fz0 10.9.0.1/24 fd00:9::1/64
fz_dev fb fz0 10.9.0.2/24 fd00:9::2/64
run_probe ip netns exec fb "$P" keyed fz0 2 1 51821 192.168.241.1 51820 10.9.0.1/32,fd00:9::1/128 0
run_probe ip netns exec fa "$P" keyed fz0 1 2 51820 192.168.241.2 51821 10.9.0.2/32,fd00:9::2/128 1
check "the keyed tunnel carries a ping" ip netns exec fa ping -c 3 -i 0.2 -W 5 10.9.0.2
ip netns exec fa iperf3 -s -D -p 5201 >/dev/null
ip netns exec fb iperf3 -s -D -p 5201 >/dev/null
wait_for 5 ip netns exec fa bash -c 'echo > /dev/tcp/10.9.0.1/5201'
ip netns exec fa iperf3 -c 10.9.0.2 -u -b 10M -l 1200 -t 120 >/dev/null 2>&1 &
ip netns exec fb iperf3 -c 10.9.0.1 -u -b 10M -l 1200 -t 120 >/dev/null 2>&1 &
sleep 1
run_probe ip netns exec fa "$P" churn fz0 1 2 51820 192.168.241.2 51821 10.9.0.2/32,fd00:9::2/128 200
# Every round restarted A's nonces under the same keys, which B's replay
# window has seen; new keys on both sides start the tunnel over.
ip netns exec fb "$P" rekey fz0 2 1 1 >/dev/null
ip netns exec fa "$P" rekey fz0 1 2 1 >/dev/null
check "after the churn, the re-added peer on new keys carries a ping" \
	ip netns exec fa ping -c 3 -i 0.2 -W 2 10.9.0.2

# --- A gateway holding 1,000 clients deleted under traffic ---
out=$(ip netns exec fa "$P" scale fz0 1000 0 2>&1)
grep -q "^peers 1000 " <<<"$out" && ! grep -q '^error' <<<"$out" &&
	pass "fz0 holds 1,000 gateway clients besides the tunnel's peer" ||
	fail "adding 1,000 gateway clients: $out"
# (Keys live 180 / divisor s, and no agent renews them.)
ip netns exec fb "$P" rekey fz0 2 1 2 >/dev/null
ip netns exec fa "$P" rekey fz0 1 2 2 >/dev/null
check "traffic flows through fz0 with its 1,000 clients" \
	ip netns exec fb ping -c 3 -i 0.2 -W 2 10.9.0.1
check "ip link del of a gateway with 1,000 clients under traffic" \
	ip -n fa link del fz0
pkill -f "iperf3" 2>/dev/null
hosts_down fa fb
objects_zero "peer churn and gateway deletion under traffic"

# --- Links deleted while requests stream in ---
ip netns add fs
streams_ok=0
for round in $(seq 10); do
	ip -n fs link add fzs type fz
	ip netns exec fs "$P" stream fzs 30 >/tmp/stream.out 2>&1 &
	sleep "0.$((RANDOM % 9 + 1))"
	ip -n fs link del fzs
	wait $!
	# How a stream ends depends on where the deletion caught it; what
	# counts is that it ended, the kernel stayed clean, nothing is left.
	grep -qE "^stream: [0-9]+ clients, then " /tmp/stream.out &&
		streams_ok=$((streams_ok + 1))
	diag "round $round: $(cat /tmp/stream.out)"
done
[ $streams_ok -eq 10 ] &&
	pass "10 links deleted under a stream of SET_PEER/SET_RESOURCE/SET_DNS_MAP: every stream was refused and ended" ||
	fail "only $streams_ok of 10 streams ended with a refusal"
hosts_down fs fm
objects_zero "links deleted under requests"

# --- A first gateway client racing a move to another namespace ---
for round in $(seq 8); do
	ip netns add nA && ip netns add nB
	ip -n nA link add fzm type fz
	ip netns exec nA "$P" stream fzm 1 >/dev/null 2>&1 &
	sleep "0.0$((RANDOM % 9))"
	ip -n nA link set fzm netns nB 2>/dev/null
	wait
	# Where it ended, it may not move again once it has a gateway client:
	# its NAT hooks are there. (A stream cut short between SET_PEER and
	# the client's SET_PEER may leave a plain peer: that one may move.)
	for ns in nA nB; do
		if ip -n $ns link show fzm >/dev/null 2>&1 &&
			[ "$(ip netns exec $ns "$FZAGENT" show --json fzm |
				$PY -c 'import json,sys; print(any(p.get("gateway_client") for p in json.load(sys.stdin)["peers"]))')" = True ] &&
			ip -n $ns link set fzm netns $([ $ns = nA ] && echo nB || echo nA) 2>/dev/null; then
			fail "round $round: a device with gateway clients moved out of $ns"
		fi
	done
	# The namespace the device left dies first: nothing may point into it.
	ip netns del nA
	sleep 0.2
	ip netns del nB
done
pass "8 rounds of a first gateway client racing a namespace move"
objects_zero "namespace moves under requests"

# --- What a namespace's root pins is charged to its memory cgroup ---
# (At a limit, charged allocations fail with ENOMEM; driving a cgroup to
# its limit here would also OOM the processes in it, so this measures
# the charge instead.)
grep -q cgroup2 /proc/mounts || mount -t cgroup2 none /sys/fs/cgroup
echo +memory >/sys/fs/cgroup/cgroup.subtree_control
mkdir -p "$cg"
ip netns add fm
ip -n fm link add fz1 type fz
in_cgroup() {
	bash -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" "$@"
}
before=$(cat "$cg/memory.current")
out=$(in_cgroup ip netns exec fm "$P" scale fz1 5000 20 2>&1)
after=$(cat "$cg/memory.current")
grown=$(((after - before) / 1024))
diag "5,000 gateway clients with 20 DNS maps each: the cgroup grew by $grown KiB ($(tail -1 <<<"$out"))"
grep -q "^maps 100000 " <<<"$out" && [ "$grown" -gt 10000 ] &&
	pass "5,000 peers and 100,000 DNS maps are charged to the requester's cgroup ($grown KiB)" ||
	fail "the cgroup grew by only $grown KiB for 5,000 peers and 100,000 maps: $out"
check "the host still makes links and answers netlink" \
	bash -c 'ip link add fzhost type fz && "$0" empty fzhost && ip link del fzhost' "$P"
ip netns del fm
objects_zero "devices filled in a cgroup"
ktap_done
