#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A client's packets for destinations no peer routes yet (FZ_A_HOLD):
# held, announced once as EVT_UNKNOWN_DEST, sent in order once a peer
# routes them (the first TCP SYN is not lost: the kernel's counters and
# TCP's own say so), refused with ICMP administratively prohibited on
# DROP_HELD, dropped at the timeout and past every bound, counted; off,
# the old answer (ICMP unreachable). Bad requests change nothing.
. "$FZ_SELFTESTS/lib/ktap.sh"
. "$FZ_SELFTESTS/lib/netns.sh"
need ip ping modprobe nstat timeout "$PY"
P=$FZ_NLPROBE
trap 'hosts_down fa fb; kill $srv 2>/dev/null' EXIT
modprobe -r fz 2>/dev/null
modprobe fz

hosts_up fa fb
fz_dev fa fz0 10.9.0.1/24 fd00:9::1/64
fz_dev fb fz0 10.9.0.2/24 fd00:9::2/64
# B knows A; A knows nobody yet, as a client before its first request.
run_probe ip netns exec fb "$P" keyed fz0 2 1 51821 192.168.241.1 51820 10.9.0.1/32,fd00:9::1/128 0
stat() { fz_json fa fz0 "d[\"stats\"][\"$1\"]"; }

# Off (the default): no peer is ICMP unreachable at once, as before.
[ "$(fz_json fa fz0 "d[\"hold\"]")" = False ] && pass "hold is off by default" || fail "hold is on by default"
check_fails "hold off: a packet for no peer fails at once" \
	ip netns exec fa ping -c 1 -W 2 10.9.0.2
[ "$(stat drop_no_peer)" -ge 1 ] && [ "$(stat held)" = 0 ] &&
	pass "hold off: counted as drop_no_peer, nothing held" ||
	fail "hold off: drop_no_peer $(stat drop_no_peer), held $(stat held)"

check "FZ_A_HOLD 1 is taken" ip netns exec fa "$P" hold fz0 1
out=$(ip netns exec fa "$P" hold fz0 2)
[[ $out == *"Numerical result out of range"* || $out == *ERANGE* ]] &&
	pass "FZ_A_HOLD 2 is refused ($out)" || fail "FZ_A_HOLD 2: $out"
out=$(ip netns exec fa "$P" drop-held fz0 raw:0a0900)
[[ $out == *EINVAL* ]] && pass "DROP_HELD with a 3-byte address is refused" ||
	fail "DROP_HELD, 3 bytes: $out"
out=$(ip netns exec fa "$P" drop-held fz0 raw:)
[[ $out == *EINVAL* ]] && pass "DROP_HELD without an address is refused" ||
	fail "DROP_HELD, no address: $out"

# The first TCP SYN to B waits in fz.ko while "the agent" asks; B's
# listener answers once A's peer exists.
ip netns exec fb timeout 60 $PY -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.9.0.2", 8080)); s.listen(4)
c, a = s.accept(); c.sendall(b"hello\n"); c.close()' &
srv=$!
ip netns exec fa nstat -n >/dev/null
ip netns exec fa "$P" events fz0 15 1 >/tmp/hold-ev.out 2>/dev/null &
evp=$!
wait_for 5 grep -q . /proc/$evp/status
sleep 0.5
ip netns exec fa timeout 20 $PY -c '
import socket
s = socket.create_connection(("10.9.0.2", 8080), timeout=15)
print(s.recv(16).decode().strip())' >/tmp/hold-tcp.out 2>&1 &
tcp=$!
wait_for 10 grep -q unknown /tmp/hold-ev.out
# At once, as an agent would: the hold lasts 10 s, and TCG is slow.
run_probe ip netns exec fa "$P" keyed fz0 1 2 51820 192.168.241.2 51821 10.9.0.2/32,fd00:9::2/128 1
ev=$(cat /tmp/hold-ev.out)
[[ $ev == "unknown 6 10.9.0.1 "*" 10.9.0.2 8080" ]] &&
	pass "EVT_UNKNOWN_DEST names the held flow ($ev)" ||
	fail "EVT_UNKNOWN_DEST: '$ev'"
[ "$(stat held)" = 1 ] && pass "the SYN was held (held 1)" ||
	fail "held $(stat held) after one SYN"
wait $tcp
[ "$(cat /tmp/hold-tcp.out)" = hello ] && pass "the connection made before the peer existed completes" ||
	fail "TCP through the held SYN: $(cat /tmp/hold-tcp.out)"
[ "$(stat held_sent)" = 1 ] && pass "the held SYN was sent (held_sent 1)" ||
	fail "held_sent $(stat held_sent)"
retrans=$(ip netns exec fa nstat -az TcpExtTCPSynRetrans | awk '/TcpExtTCPSynRetrans/ {print $2}')
[ "${retrans:-x}" = 0 ] && pass "TCP retransmitted no SYN (TcpExtTCPSynRetrans 0)" ||
	fail "SYN retransmissions: ${retrans:-unknown}"
kill $srv 2>/dev/null
wait $srv 2>/dev/null

# Refused: the agent could not get 10.9.0.99; its sender hears at once.
ip netns exec fa ping -c 1 -W 8 10.9.0.99 >/tmp/hold-ping.out 2>&1 &
png=$!
wait_for 5 test "$(stat held)" = 2
check "DROP_HELD for the held destination" ip netns exec fa "$P" drop-held fz0 10.9.0.99
wait $png
grep -q "Packet filtered" /tmp/hold-ping.out &&
	pass "the sender got ICMP administratively prohibited" ||
	fail "ping after DROP_HELD: $(cat /tmp/hold-ping.out)"
[ "$(stat drop_hold_refused)" = 1 ] && pass "counted as drop_hold_refused" ||
	fail "drop_hold_refused $(stat drop_hold_refused)"
check "DROP_HELD with nothing held is not an error" \
	ip netns exec fa "$P" drop-held fz0 fd00:9::99

# Per destination: 16 packets held, the rest dropped and counted.
full0=$(stat drop_hold_full)
ip netns exec fa ping -6 -c 20 -i 0.01 -W 1 fd00:9::98 >/dev/null 2>&1
full=$(($(stat drop_hold_full) - full0))
[ "$full" = 4 ] && pass "one destination holds 16 packets; 4 more dropped (drop_hold_full)" ||
	fail "20 packets to one destination: drop_hold_full +$full"
# Timeout: 10 s, then dropped and counted.
wait_for 15 test "$(stat drop_hold_timeout)" -ge 16 &&
	pass "held packets are dropped after the timeout ($(stat drop_hold_timeout))" ||
	fail "drop_hold_timeout $(stat drop_hold_timeout) after 15 s"

# Destinations: 64 at once, one event each; the 65th and on are dropped.
ip netns exec fa "$P" events fz0 10 >/tmp/hold-ev2.out 2>/dev/null &
evp=$!
sleep 1
full0=$(stat drop_hold_full)
for i in $(seq 1 70); do
	ip netns exec fa ping -c 1 -W 1 10.9.0.$((100 + i)) >/dev/null 2>&1 &
done
wait_for 20 test "$(($(stat drop_hold_full) - full0))" -ge 6
wait $evp
n=$(grep -c unknown /tmp/hold-ev2.out)
full=$(($(stat drop_hold_full) - full0))
[ "$n" = 64 ] && [ "$full" = 6 ] &&
	pass "64 destinations held, one event each; 6 more dropped" ||
	fail "70 destinations: $n events, drop_hold_full +$full"
wait

# Off again: what is held is dropped; then the old answer.
ip netns exec fa ping -c 1 -W 5 10.9.0.77 >/dev/null 2>&1 &
wait_for 5 test "$(stat held)" -gt 0
t0=$(stat drop_hold_timeout)
check "FZ_A_HOLD 0 is taken" ip netns exec fa "$P" hold fz0 0
[ "$(stat drop_hold_timeout)" -gt "$t0" ] && pass "turning hold off drops what is held" ||
	fail "hold off: drop_hold_timeout $t0 -> $(stat drop_hold_timeout)"
wait
check "the data path to the peer still works" ip netns exec fa ping -c 1 -W 2 10.9.0.2

# Deleting the device with packets held leaves nothing behind.
ip netns exec fa "$P" hold fz0 1 >/dev/null
ip netns exec fa ping -c 1 -W 5 10.9.0.66 >/dev/null 2>&1 &
wait_for 5 test "$(stat held)" -gt 0
check "a device holding packets deletes cleanly" ip -n fa link del fz0
wait
ktap_done
