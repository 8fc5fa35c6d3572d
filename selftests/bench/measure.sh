# SPDX-License-Identifier: GPL-2.0
# One measurement of one system, printed as one JSON object per line:
#   tcp1 tcp1r tcp4 tcp4r  iperf3 TCP, 1 or 4 streams, client->server or
#                          reversed (-R); Mbit/s received, bytes, CPU s
#   udp                    iperf3 UDP, unlimited rate, 1252-byte payloads
#                          (1280-byte IPv4 packets, the tunnel MTU):
#                          Mbit/s received, loss %, CPU s
#   lat latload            ping round trips (ms): median and p99, idle and
#                          under a single-stream TCP load
# CPU is the whole guest's, from /proc/stat: steadier than throughput
# under emulation.
cpu_jiffies() { awk '/^cpu / { print $2 + $3 + $4 + $6 + $7 + $8 }' /proc/stat; }

cpu_seconds() { echo "($2 - $1) / $(getconf CLK_TCK)" | bc -l; }

# A UDP flood can leave an iperf3 server waiting for a test end that was
# lost: UDP gets a server of its own (port 5202), and no run may hang.
iperf_json() { # SYSTEM ARGS...
	local s=$1 port=5201
	shift
	[ "${1:-}" = -u ] && port=5202
	timeout $((secs + 20)) ip netns exec "${cl[$s]}" iperf3 -c "${to[$s]}" \
		-p $port --connect-timeout 3000 -t "$secs" -J "$@" 2>/dev/null
}

measure_iperf() { # SYSTEM ROUND TEST ARGS...
	local s=$1 r=$2 t=$3 c0 c1 json
	shift 3
	c0=$(cpu_jiffies)
	json=$(iperf_json "$s" "$@")
	c1=$(cpu_jiffies)
	printf '%s' "$json" | $PY -c 'import json, sys
s, r, t, cpu = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
out = {"system": s, "round": r, "test": t, "cpu_s": cpu}
try:
    e = json.load(sys.stdin)["end"]
    if t == "udp":
        u = e["sum"]
        rx = e.get("sum_received", {})
        lost = u.get("lost_percent", 0.0)
        sent = u.get("bytes", 0)
        got = rx.get("bytes", sent * (1 - lost / 100))
        out.update(mbps=got * 8 / 1e6 / u["seconds"], bytes=got, loss=lost)
    else:
        e = e["sum_received"]
        out.update(mbps=e["bits_per_second"] / 1e6, bytes=e["bytes"])
except Exception as ex:
    out.update(mbps=0, bytes=0, error=str(ex))
print(json.dumps(out))' "$s" "$r" "$t" "$(cpu_seconds "$c0" "$c1")"
}

ping_stats() { # SYSTEM ROUND TEST COUNT: median and p99 of the RTTs
	ip netns exec "${cl[$1]}" ping -c "$4" -i 0.02 -W 2 "${to[$1]}" 2>/dev/null |
		$PY -c 'import json, re, sys
rtts = sorted(float(m) for m in re.findall(r"time=([0-9.]+) ms", sys.stdin.read()))
out = {"system": sys.argv[1], "round": int(sys.argv[2]), "test": sys.argv[3],
       "samples": len(rtts)}
if rtts:
    out.update(median_ms=rtts[len(rtts) // 2],
               p99_ms=rtts[min(len(rtts) - 1, int(len(rtts) * 0.99))])
print(json.dumps(out))' "$1" "$2" "$3"
}

measure() { # SYSTEM ROUND TEST
	local s=$1 r=$2 t=$3 load
	case $t in
	tcp1 | tcp1_scaled) measure_iperf "$s" "$r" "$t" ;;
	tcp1r) measure_iperf "$s" "$r" "$t" -R ;;
	tcp4) measure_iperf "$s" "$r" "$t" -P 4 ;;
	tcp4r) measure_iperf "$s" "$r" "$t" -P 4 -R ;;
	udp) measure_iperf "$s" "$r" "$t" -u -b 0 -l 1252 ;;
	lat) ping_stats "$s" "$r" "$t" 100 ;;
	latload)
		iperf_json "$s" >/dev/null &
		load=$!
		sleep 1
		ping_stats "$s" "$r" "$t" 100
		wait "$load"
		;;
	esac
}

# perf_start / perf_stop NAME: a system-wide flat profile (by symbol) of
# what runs in between, written to $out/profile-NAME.txt. perf starts with
# its events off and they are switched on through its control FIFO only
# once it is ready: under TCG, perf takes seconds to start. Starting and
# stopping perf patches kernel text (static keys), which must not happen
# under load in the emulator (see vm-guest-init.sh); switching events on
# and off does not. Without a PMU (TCG) perf samples cpu-clock.
perf_start() {
	command -v perf >/dev/null || { echo "bench: perf is not installed" >&2; return 1; }
	rm -f "$FZ_RUN/perf.ctl" "$FZ_RUN/perf.ack" "$FZ_RUN/perf.data"
	mkfifo "$FZ_RUN/perf.ctl" "$FZ_RUN/perf.ack"
	exec {perf_ctl}<>"$FZ_RUN/perf.ctl" {perf_ack}<>"$FZ_RUN/perf.ack"
	perf record -a -F 999 -D -1 -o "$FZ_RUN/perf.data" \
		--control "fifo:$FZ_RUN/perf.ctl,$FZ_RUN/perf.ack" -- sleep 3600 \
		>"$FZ_RUN/perf-record.log" 2>&1 &
	perf_pid=$!
	echo enable >&"$perf_ctl"
	read -r -t 120 -u "$perf_ack" _ || {
		echo "bench: perf did not start" >&2
		cat "$FZ_RUN/perf-record.log" >&2
		return 1
	}
}

perf_stop() { # NAME [SORT-KEYS]
	echo disable >&"$perf_ctl"
	read -r -t 60 -u "$perf_ack" _
	kill -INT "$perf_pid"
	wait "$perf_pid"
	exec {perf_ctl}>&- {perf_ack}>&-
	perf report -i "$FZ_RUN/perf.data" --stdio --no-children \
		--sort "${2:-comm,dso,symbol}" --percent-limit 0.3 2>/dev/null |
		grep -v '^$' | head -80 >"$out/profile-$1.txt"
}

# A profile of SYSTEM moving one TCP stream, by symbol alone: kworkers
# are shared between workqueues, so their names say little.
profile() { # SYSTEM
	perf_start || return 1
	iperf_json "$1" >/dev/null
	perf_stop "$1" dso,symbol
}
