# SPDX-License-Identifier: GPL-2.0
# Handshake capacity: fz-hsgen (agent/tests/tools/fz-hsgen.c) sends
# HC_MESSAGES precomputed initiations from HC_INITIATORS initiators as fast
# as one CPU can, from HC_SOURCES addresses (fz.ko and WireGuard allow 20
# per second and source), to a responder holding those initiators as
# peers: fz (fz.ko checking mac1 and cookies, fzagent running Noise) or
# in-kernel WireGuard, the same key on both. Reported per round: the
# handshakes the responder completed per second, and the CPU seconds the
# guest spent meanwhile less the generator's own (the responder's, plus
# the path's). A legitimate peer, in-kernel WireGuard in a namespace of
# its own, starts its handshake in the middle of each flood: the time it
# takes says whether the responder stays fair under overload.
HC_INITIATORS=${HC_INITIATORS:-2000}
HC_MESSAGES=${HC_MESSAGES:-6000}
HC_SOURCES=${HC_SOURCES:-4096}
HC_GEN=${HC_GEN:-$FZ_SELFTESTS/../agent/build/bench/fz-hsgen}

hc_setup() {
	local k n
	ip netns add hc-r && ip netns add hc-g && ip netns add hc-l || return 1
	for n in hc-r hc-g hc-l; do ip -n $n link set lo up; done
	ip link add hcr netns hc-r type veth peer name hcg netns hc-g
	ip link add hcrl netns hc-r type veth peer name hcl netns hc-l
	ip -n hc-r addr add 10.81.0.1/24 dev hcr
	ip -n hc-g addr add 10.81.0.2/24 dev hcg
	ip -n hc-r addr add 10.82.0.1/24 dev hcrl
	ip -n hc-l addr add 10.82.0.2/24 dev hcl
	ip -n hc-r link set hcr up
	ip -n hc-r link set hcrl up
	ip -n hc-g link set hcg up
	ip -n hc-l link set hcl up
	# The generator's sources: local addresses of its namespace.
	ip -n hc-g route add local 10.80.0.0/16 dev lo
	ip -n hc-r route add 10.80.0.0/16 via 10.81.0.2
	k=$(wg genkey)
	HC_RPUB=$(echo "$k" | wg pubkey)
	(umask 077; echo "$k" >"$FZ_RUN/hc-r.key")
	HC_LKEY=$(wg genkey)
	{
		printf '[Interface]\nPrivateKey = %s\nListenPort = 52100\n' "$k"
		printf '\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.83.0.2/32\n' \
			"$(echo "$HC_LKEY" | wg pubkey)"
		"$HC_GEN" keys "$HC_INITIATORS" bench | sed 's/^/\n[Peer]\nPublicKey = /'
	} >"$FZ_RUN/hc-fz.conf"
	chmod 600 "$FZ_RUN/hc-fz.conf"
	# WireGuard: the same peers from the same file, less [Interface].
	sed '1,/^$/d' "$FZ_RUN/hc-fz.conf" >"$FZ_RUN/hc-wg.conf"
	ip -n hc-r link add hcwg type wireguard
	ip netns exec hc-r wg set hcwg listen-port 52101 private-key "$FZ_RUN/hc-r.key"
	ip netns exec hc-r wg addconf hcwg "$FZ_RUN/hc-wg.conf"
	ip -n hc-r addr add 10.83.1.1/24 dev hcwg
	ip -n hc-r link set hcwg up
	ip netns exec hc-r "$FZAGENT" up "$FZ_RUN/hc-fz.conf" -i hcfz \
		>"$FZ_RUN/hc-fz.log" 2>&1 &
	echo $! >"$FZ_RUN/hc-fz.pid"
	wait_for 120 link_is_up hc-r hcfz || return 1
	ip -n hc-r addr add 10.83.0.1/24 dev hcfz
	# The legitimate peer: WireGuard in hc-l, aimed at each in turn.
	ip -n hc-l link add hcl0 type wireguard
	(umask 077; echo "$HC_LKEY" >"$FZ_RUN/hc-l.key")
	ip netns exec hc-l wg set hcl0 private-key "$FZ_RUN/hc-l.key"
	ip -n hc-l addr add 10.83.0.2/24 dev hcl0
}

hc_legit_ms() { # PORT: the legitimate peer's handshake, ms (0: none in 30 s)
	local t0 t1
	# A fresh peer: no handshake yet, no session left from the last round.
	ip netns exec hc-l wg set hcl0 peer "$HC_RPUB" remove
	ip netns exec hc-l wg set hcl0 peer "$HC_RPUB" endpoint "10.82.0.1:$1" \
		allowed-ips 10.83.0.0/24
	ip -n hc-l link set hcl0 up
	t0=$(date +%s%N)
	ip netns exec hc-l ping -c 1 -W 1 10.83.0.1 >/dev/null 2>&1 &
	if wait_for 30 hc_legit_done; then
		t1=$(date +%s%N)
		echo $(((t1 - t0) / 1000000))
	else
		echo 0
	fi
}

hc_legit_done() {
	[ "$(ip netns exec hc-l wg show hcl0 latest-handshakes | awk '{ print $2 }')" != 0 ]
}

hc_round() { # SYSTEM ROUND
	local s=$1 r=$2 port=52100 out legit
	[ "$s" = wg ] && port=52101
	ip netns exec hc-g "$HC_GEN" flood --to "10.81.0.1:$port" \
		--responder "$HC_RPUB" --initiators "$HC_INITIATORS" \
		--seed bench --messages "$HC_MESSAGES" \
		--sources "10.80.0.1/$HC_SOURCES" --idle 5 \
		>"$FZ_RUN/hc.out" 2>"$FZ_RUN/hc.err" &
	local gen=$!
	# The legitimate peer once the flood is under way.
	wait_for 300 grep -q sending "$FZ_RUN/hc.err"
	sleep 0.5
	legit=$(hc_legit_ms "$port")
	wait "$gen"
	out=$(cat "$FZ_RUN/hc.out")
	[ -n "$out" ] || { echo "bench: fz-hsgen against $s failed" >&2; return 1; }
	$PY - "$s" "$r" "$legit" "$out" <<'PY'
import json, sys
s, r, legit, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4])
cpu = out["busy_cpu_seconds"] - out["generator_cpu_seconds"]
row = {"system": s, "round": r, "test": "hs_capacity",
       "messages": out["messages"], "responses": out["responses"],
       "cookie_replies": out["cookie_replies"],
       "per_s": out["handshakes_per_second"], "legit_ms": legit}
if out["responses"]:
    row["responder_cpu_ms_per_hs"] = 1000 * cpu / out["responses"]
print(json.dumps(row))
PY
}

hc_bench() { # ROUNDS
	hc_setup || { echo "bench: handshake capacity setup failed" >&2; return 1; }
	for r in $(seq "$1"); do
		hc_round fz "$r"
		hc_round wg "$r"
	done
	kill "$(cat "$FZ_RUN/hc-fz.pid")" 2>/dev/null
	cp "$FZ_RUN/hc-fz.log" "$out/hscapacity-fzagent.log"
	ip netns del hc-g
	ip netns del hc-l
	ip netns del hc-r
}
