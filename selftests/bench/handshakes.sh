# SPDX-License-Identifier: GPL-2.0
# Handshakes per second: HS_N in-kernel WireGuard initiators, HS_N / 5 per
# source address (fz's per-source limit is 20/s with a burst of 5, so
# each source stays inside its burst), all started at once against a
# responder that is either fz (fz.ko + fzagent) or in-kernel WireGuard,
# both holding the same HS_N peers. Time from the start until the
# responder has completed every handshake.
HS_N=${HS_N:-100}
HS_SRC=$((HS_N / 5))

hs_setup() {
	local i j n rk
	ip netns add hs-r || return 1
	ip -n hs-r link set lo up
	for i in $(seq "$HS_SRC"); do
		ip netns add "hs-i$i" || return 1
		ip link add "v$i" netns hs-r type veth peer name vr netns "hs-i$i"
		ip -n hs-r addr add "10.77.$i.1/24" dev "v$i"
		ip -n hs-r link set "v$i" up
		ip -n "hs-i$i" addr add "10.77.$i.2/24" dev vr
		ip -n "hs-i$i" link set vr up
	done
	rk=$(wg genkey)
	HS_RPUB=$(echo "$rk" | wg pubkey)
	(umask 077; echo "$rk" >"$FZ_RUN/hs-r.key")
	# The same responder key on both: fz on 52000, WireGuard on 52001.
	printf '[Interface]\nPrivateKey = %s\nListenPort = 52000\n' "$rk" \
		>"$FZ_RUN/hs-fz.conf"
	ip -n hs-r link add hswg type wireguard
	ip netns exec hs-r wg set hswg listen-port 52001 private-key "$FZ_RUN/hs-r.key"
	ip -n hs-r link set hswg up
	n=0
	for i in $(seq "$HS_SRC"); do
		for j in 1 2 3 4 5; do
			n=$((n + 1))
			(umask 077; wg genkey >"$FZ_RUN/hs-$n.key")
			ip -n "hs-i$i" link add "wgi$j" type wireguard
			ip netns exec "hs-i$i" wg set "wgi$j" private-key "$FZ_RUN/hs-$n.key"
			printf '\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.78.%d.%d/32\n' \
				"$(wg pubkey <"$FZ_RUN/hs-$n.key")" "$i" "$j" >>"$FZ_RUN/hs-fz.conf"
			ip netns exec hs-r wg set hswg peer "$(wg pubkey <"$FZ_RUN/hs-$n.key")" \
				allowed-ips "10.78.$i.$j/32"
		done
	done
	chmod 600 "$FZ_RUN/hs-fz.conf"
	ip netns exec hs-r "$FZAGENT" up "$FZ_RUN/hs-fz.conf" -i hsfz \
		>"$FZ_RUN/hs-fz.log" 2>&1 &
	echo $! >"$FZ_RUN/hs-fz.pid"
	wait_for 60 link_is_up hs-r hsfz
}

# Points every initiator at PORT, devices down (which clears their keys).
# One shell per source: process start-up is what costs under emulation.
hs_aim() {
	local i
	for i in $(seq "$HS_SRC"); do
		ip netns exec "hs-i$i" sh -c '
			for j in 1 2 3 4 5; do
				ip link set "wgi$j" down
				wg set "wgi$j" peer "$1" endpoint "$2:$3" \
					persistent-keepalive 1 allowed-ips 10.79.0.0/32
			done' sh "$HS_RPUB" "10.77.$i.1" "$1"
	done
}

# The responder's latest handshake of each peer, ns since the epoch, one
# per line: exact times from fz.ko (through fzagent) and from WireGuard's
# netlink (wg show rounds to seconds).
hs_times() { # SYSTEM
	if [ "$1" = fz ]; then
		ip netns exec hs-r "$FZAGENT" show hsfz --json | $PY -c 'import json, sys
for p in json.load(sys.stdin)["peers"]:
    print(p["latest_handshake_ns"])'
	else
		ip netns exec hs-r $PY "$FZ_SELFTESTS/bench/wg_handshakes.py" hswg
	fi
}

hs_done() { # SYSTEM T0_NS: every peer has handshaked since T0_NS
	hs_times "$1" >"$FZ_RUN/hs-times" &&
		[ "$(wc -l <"$FZ_RUN/hs-times")" -eq "$HS_N" ] &&
		awk -v t0="$2" '$1 < t0 { bad = 1 } END { exit bad }' "$FZ_RUN/hs-times"
}

hs_round() { # SYSTEM ROUND [PROFILE-NAME]
	local s=$1 r=$2 port=52000 i t0 t1 pids
	[ "$s" = wg ] && port=52001
	hs_aim "$port"
	sleep 1
	if [ -n "${3:-}" ]; then perf_start || return 1; fi
	printf 'link set wgi%d up\n' 1 2 3 4 5 >"$FZ_RUN/hs-up.batch"
	t0=$(date +%s%N)
	pids=()
	for i in $(seq "$HS_SRC"); do
		ip -n "hs-i$i" -batch "$FZ_RUN/hs-up.batch" &
		pids+=($!)
	done
	# Not a bare wait: the responder's fzagent is a child of this shell.
	wait "${pids[@]}"
	wait_for 60 hs_done "$s" "$t0"
	local ok=$?
	if [ -n "${3:-}" ]; then perf_stop "$3"; fi
	[ $ok = 0 ] || {
		echo "bench: $s completed only $(awk -v t0="$t0" '$1 >= t0' \
			"$FZ_RUN/hs-times" | wc -l) of $HS_N handshakes" >&2
		return 1
	}
	# Done when the last one was: the poll's own delay is not counted.
	t1=$(sort -n "$FZ_RUN/hs-times" | tail -1)
	printf '{"system":"%s","round":%d,"test":"handshakes","n":%d,"seconds":%s,"per_s":%s}\n' \
		"$s" "$r" "$HS_N" "$(echo "($t1 - $t0) / 1000000000" | bc -l)" \
		"$(echo "$HS_N * 1000000000 / ($t1 - $t0)" | bc -l)"
}

hs_bench() { # ROUNDS
	hs_setup || { echo "bench: handshake setup failed" >&2; return 1; }
	for r in $(seq "$1"); do
		hs_round fz "$r"
		hs_round wg "$r"
	done
	# One more round of each under perf: where a responder's time goes.
	if part profile; then
		hs_round fz 0 handshakes-fz >/dev/null
		hs_round wg 0 handshakes-wg >/dev/null
	fi
	kill "$(cat "$FZ_RUN/hs-fz.pid")" 2>/dev/null
	cp "$FZ_RUN/hs-fz.log" "$out/handshakes-fzagent.log"
	for i in $(seq "$HS_SRC"); do ip netns del "hs-i$i"; done
	ip netns del hs-r
}
