#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Handshakes through fzagent against in-kernel WireGuard: a peer with the
# wrong key never reaches the agent; a flood from one source is answered
# with cookies and rate-limited while a legitimate peer still connects,
# and so is a flood of initiations and cookie replies from spoofed sources;
# rekeying (timers shortened by the test-only module parameter); killing
# and restarting the agent during an iperf3 run cuts nothing.
. "$FZ_SELFTESTS/lib/ktap.sh"
. "$FZ_SELFTESTS/lib/netns.sh"
. "$FZ_SELFTESTS/lib/peers.sh"
need ip iperf3 ping wg modprobe "$PY"
modprobe -r fz 2>/dev/null
modprobe fz
modprobe wireguard
trap 'peer_down ia fz0; peer_down ib peer0; hosts_down ia ib' EXIT
log=$FZ_RUN/ia-fz0.log

pair() { # ROLE [WG_SEES_KEY]: fz in ia, WireGuard in ib
	local ka kb pa pb seen
	hosts_up ia ib || return 1
	ka=$(wg genkey) kb=$(wg genkey)
	pa=$(echo "$ka" | wg pubkey) pb=$(echo "$kb" | wg pubkey)
	seen=${2:-$pa}
	if [ "$1" = initiator ]; then
		peer_up wg ib peer0 2 51821 "$kb" "$seen" 1 &&
			peer_up fz ia fz0 1 51820 "$ka" "$pb" 2 192.168.241.2:51821
	else
		peer_up wg ib peer0 2 51821 "$kb" "$seen" 1 192.168.241.1:51820 &&
			peer_up fz ia fz0 1 51820 "$ka" "$pb" 2
	fi
}

unpair() {
	peer_down ia fz0
	peer_down ib peer0
	hosts_down ia ib
}

# 1. A peer that has the wrong public key for us: mac1 fails in the kernel.
pair responder "$(wg genkey | wg pubkey)" || fail "setup (wrong key)"
check_fails "a peer with the wrong key for us gets no tunnel" \
	ip netns exec ib ping -c 2 -W 3 10.20.0.1
[ "$(fz_json ia fz0 'd["stats"]["drop_bad_mac1"]')" -ge 1 ] &&
	pass "its initiations died in the kernel (bad mac1 counted)" ||
	fail "no bad-mac1 drop counted"
grep -qE 'invalid handshake|response sent' "$log" &&
	fail "the agent saw them: $(grep -E 'invalid|response' "$log" | head -2)" ||
	pass "the agent never saw them"
# fzagent down returns once its agent has exited (after undoing its
# work) and the interface is gone; an agent started at once runs.
exited() { # PID: gone, or a zombie its parent has not reaped yet
	local state
	state=$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null)
	[ -z "$state" ] || [ "$state" = Z ]
}
agent=$(cat "$FZ_RUN/ia-fz0.pid")
check "fzagent down fz0" ip netns exec ia "$FZAGENT" down fz0
check "... its agent had exited when it returned" exited "$agent"
check_fails "... and fz0 was gone" ip -n ia link show fz0
ip netns exec ia "$FZAGENT" up "$FZ_RUN/ia-fz0.conf" -i fz0 >"$FZ_RUN/ia-fz0.log3" 2>&1 &
echo $! >"$FZ_RUN/ia-fz0.pid"
wait_for 15 grep -q 'agent running' "$FZ_RUN/ia-fz0.log3" &&
	pass "an agent started right after it runs" ||
	fail "no agent after down: $(head -3 "$FZ_RUN/ia-fz0.log3" | tr '\n' ';')"
unpair

# 2. A flood of valid-mac1 initiations from 192.168.241.9 while the real
# peer (192.168.241.2) connects.
pair responder || fail "setup (flood)"
ip -n ib addr add 192.168.241.9/24 dev vb
key=$(fz_json ia fz0 'd["public_key"]')
ip netns exec ib $PY "$FZ_SELFTESTS/lib/wgpkt.py" init "$key" 192.168.241.1 51820 \
	--bind 192.168.241.9 --count 1 --seconds 15 >"$FZ_RUN/flood.out" 2>&1 &
flood=$!
sleep 3
if ip netns exec ib ping -c 1 -w 30 10.20.0.1 >/dev/null 2>&1; then
	pass "the legitimate peer connected during the flood"
else
	fail "the legitimate peer could not connect during the flood"
	tail -5 "$log" | sed 's/^/#   /'
fi
wait $flood
cookies=$(fz_json ia fz0 'd["stats"]["cookies_sent"]')
limited=$(fz_json ia fz0 'd["stats"]["drop_ratelimited"]')
diag "flood: $(cat "$FZ_RUN/flood.out"); cookies sent $cookies, rate-limited $limited"
[ "$cookies" -gt 0 ] && pass "the flood was answered with cookies ($cookies)" || fail "no cookies under the flood"
[ "$limited" -gt 0 ] && pass "the flooding source was rate-limited ($limited dropped)" || fail "no rate limiting"
unpair

# 2b. A flood from spoofed sources: initiations with a valid mac1 and
# cookie replies naming handshakes nobody sent, each from a new address,
# while the real peer connects. The cookie replies die in the kernel.
pair responder || fail "setup (spoofed flood)"
ip netns exec ia sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.va.rp_filter=0
key=$(fz_json ia fz0 'd["public_key"]')
bad_mac1=$(fz_json ia fz0 'd["stats"]["drop_bad_mac1"]')
ip netns exec ib $PY "$FZ_SELFTESTS/lib/wgpkt.py" spoof "$key" 192.168.241.1 51820 15 \
	>"$FZ_RUN/spoof.out" 2>&1 &
flood=$!
sleep 3
if ip netns exec ib ping -c 1 -w 30 10.20.0.1 >/dev/null 2>&1; then
	pass "the legitimate peer connected during a spoofed-source flood"
else
	fail "the legitimate peer could not connect during a spoofed-source flood"
	tail -5 "$log" | sed 's/^/#   /'
fi
wait $flood
read -r _ inits _ replies <"$FZ_RUN/spoof.out"
dropped=$(($(fz_json ia fz0 'd["stats"]["drop_bad_mac1"]') - bad_mac1))
diag "spoofed flood: $(cat "$FZ_RUN/spoof.out"); cookie replies dropped in the kernel: $dropped"
[ "${replies:-0}" -gt 100 ] && [ "$dropped" -eq "$replies" ] &&
	pass "all $replies spoofed cookie replies died in the kernel" ||
	fail "$dropped of ${replies:-?} spoofed cookie replies died in the kernel"
check "the agent is still running" kill -0 "$(cat "$FZ_RUN/ia-fz0.pid")"
unpair

# 3. Rekeying, and the agent killed and restarted in the middle of a
# transfer. Timers 5x faster: rekey after 24 s, keys rejected after 36 s.
# The debug kernel (FZ_TIME_SCALE 4), on one vCPU, takes minutes to start
# an agent beside a full-rate iperf3 and moves a few Mbit/s in bursts with
# idle seconds between: it keeps the real timers (120 s, 180 s), runs
# iperf3 for 600 s (fz rekeys only when it sends) at 500 kbit/s (at
# 2 Mbit/s the vCPU was saturated and the restarted agent took 143 s to
# adopt its device, so its second rekey fell after iperf3's end), and
# goes through the same kill, adoption and two handshakes after it for its
# memory and locking checks; whether the rekey came before the old keys
# lapsed and whether the flow never stalled are measured by make check,
# not there.
scale=${FZ_TIME_SCALE:-1}
divisor=$((5 / scale > 1 ? 5 / scale : 1))
rekey_s=$((120 / divisor)) reject_s=$((180 / divisor)) iperf_s=$((80 * 5 / divisor))
rate=()
[ "$scale" -gt 1 ] && rate=(-b 500K) iperf_s=600
modprobe -r fz
modprobe fz test_time_divisor=$divisor
pair initiator || fail "setup (rekey)"
check "first handshake" ip netns exec ia ping -c 2 -W 5 10.20.0.2
ip netns exec ib iperf3 -s -D -p 5201 >/dev/null
wait_for 10 ip netns exec ia bash -c 'echo > /dev/tcp/10.20.0.2/5201'
t_iperf=$(date +%s%N)
ip netns exec ia iperf3 -c 10.20.0.2 -t $iperf_s "${rate[@]}" -i 1 -J >"$FZ_RUN/iperf.json" 2>&1 &
iperf=$!
# The agent dies just after a handshake: its absence, and its slow start
# on a loaded one-vCPU guest (over 10 s seen), then fall inside the 24 s
# before the next rekey (120 s at real timers; killed later, the keys
# could lapse while nobody is there to rekey, which is not what this
# checks). The agent's log says when: polling the kernel through fz_json
# can take seconds under load.
completed() { # LOG: handshakes the agent logged as completed
	grep -c 'handshake completed' "$1"
}
more_than() { [ "$(completed "$1")" -gt "$2" ]; }
sleep 3
wait_for $((rekey_s + 11)) more_than "$log" "$(completed "$log")" ||
	fail "no handshake in the $((rekey_s + 11)) s before the agent's kill"
agent=$(cat "$FZ_RUN/ia-fz0.pid")
kill -9 "$agent"
wait "$agent" 2>/dev/null
t_kill=$(date +%s%N)
ip netns exec ia "$FZAGENT" up "$FZ_RUN/ia-fz0.conf" -i fz0 >"$FZ_RUN/ia-fz0.log2" 2>&1 &
echo $! >"$FZ_RUN/ia-fz0.pid"
wait_for 30 grep -q 'adopted existing' "$FZ_RUN/ia-fz0.log2" &&
	t_adopted=$(date +%s%N) &&
	pass "the restarted agent adopted the running device" ||
	fail "no adoption: $(head -3 "$FZ_RUN/ia-fz0.log2" | tr '\n' ';')"
wait_for 40 more_than "$FZ_RUN/ia-fz0.log2" 0 &&
	pass "the restarted agent completed the next rekey" ||
	fail "no rekey after the restart: $(tail -5 "$FZ_RUN/ia-fz0.log2" | tr '\n' ';')"
first=$(grep -m1 'handshake initiated' "$FZ_RUN/ia-fz0.log2")
if [ "$scale" -gt 1 ]; then
	diag "not measured on the debug kernel: whether the rekey came before the old keys lapsed (its first: '$first')"
else
	case $first in
	*'keys too old'*) pass "it rekeyed before the old keys lapsed" ;;
	*) fail "its first handshake was not a rekey: $first" ;;
	esac
fi
wait_for 40 more_than "$FZ_RUN/ia-fz0.log2" 1 && pass "and the one after" || fail "no second rekey"
wait $iperf
since() { echo "$(((${1} - t_iperf) / 1000000)) ms"; }
diag "from iperf3's start: agent killed $(since "$t_kill"), the new one adopted the device by $(since "${t_adopted:-$t_kill}"), the last handshake $(since "$(fz_json ia fz0 'd["peers"][0]["latest_handshake_ns"]')") (rekey after $rekey_s s, reject after $reject_s s)"
diag "fz stats: $(fz_json ia fz0 '" ".join("%s=%s" % (k, v) for k, v in d["stats"].items() if v)')"
diag "agent after the restart: $(grep -vE '^$' "$FZ_RUN/ia-fz0.log2" | head -12 | tr '\n' ';')"
gaps=$($PY -c 'import json,sys
d = json.load(open(sys.argv[1]))
iv = [i["sum"]["bits_per_second"] for i in d["intervals"]]
print(sum(1 for b in iv if b == 0), len(iv), round(d["end"]["sum_received"]["bits_per_second"] / 1e6, 1),
      ",".join(str(n + 1) for n, b in enumerate(iv) if b == 0) or "-")
print("per second (Mbit/s, retransmits):", " ".join("%d:%.0f/%d" % (n + 1, i["sum"]["bits_per_second"] / 1e6,
      i["sum"].get("retransmits", 0)) for n, i in enumerate(d["intervals"])), file=sys.stderr)' \
	"$FZ_RUN/iperf.json" 2>"$FZ_RUN/iperf.diag")
diag "$(cat "$FZ_RUN/iperf.diag")"
read -r zero total mbps stalled <<<"$gaps"
# One stalled second is TCP's: under TCG a lost tail segment waits for
# its retransmission timeout, which can pass a second. Two are not:
# keys that lapsed would stop the flow until a new handshake.
stalls="at most one stalled second" least=$((iperf_s - 1))
if [ "$scale" -gt 1 ]; then
	diag "not measured on the debug kernel: stalled seconds ($zero of ${total:-?})"
	# iperf3 itself reported 598 of 600 intervals there once.
	zero=0 stalls="stalls not measured" least=$((iperf_s - 5))
fi
[ -n "$total" ] && [ "$total" -ge $least ] && [ "$zero" -le 1 ] &&
	pass "iperf3 ran $iperf_s s through the restart and rekeys, $stalls ($mbps Mbit/s; stalled: $stalled)" ||
	fail "iperf3 through the restart: ${gaps:-no result} ($(tail -c 300 "$FZ_RUN/iperf.json"))"
unpair
wait_for 20 objects_gone && pass "every object created was destroyed" || fail "left behind: $(live_objects)"
modprobe -r fz
ktap_done
