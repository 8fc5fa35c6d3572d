#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The web wing through `fzportal serve`, on loopback only: TLS, /healthz,
# /readyz, /api's placeholder and its body bound, the WebSocket bearer
# check, heartbeats, malformed frames, message size, rate, silent peers,
# 1000 idle sockets, and SIGTERM. Peers are wsclient.py on Debian's
# /usr/bin/python3 (python3-websockets 10.4). Every wait has a timeout.
#   FZPORTAL=path/to/fzportal bash 20-web.sh
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../../selftests/lib/ktap.sh"
FZPORTAL=${FZPORTAL:-$here/../../fzportal}
PY=/usr/bin/python3
need openssl curl sqlite3 ss "$PY"
if ! "$PY" -c 'import websockets' 2>/dev/null; then
	fail "python3-websockets for $PY (apt-get install python3-websockets)"
	exit 1
fi
# 1000 sockets on both ends, plus lws's own.
ulimit -n 4096 2>/dev/null || ulimit -n "$(ulimit -Hn)"

dir=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	rm -rf "$dir"
}
trap cleanup EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -days 2 \
	-keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
# A database with a gateway and a client token (sigclient.py's data).
db=$dir/fz.db
"$FZPORTAL" init --account acme --db "$db" >/dev/null 2>&1 &&
	"$PY" "$here/sigclient.py" setup "$db" "$dir/data.json" || {
	fail "a database with tokens for the test"
	exit 1
}
tok() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
	"$dir/data.json" "$1"; }
export GW_TOKEN=$(tok tGwA) CL_TOKEN=$(tok tAlice)

# start NAME ARGS...: serve on 127.0.0.1, a port of the kernel's choice;
# sets $pid and $port (read from the "listening" log line).
start() {
	local name=$1 i
	shift
	# No cap on sockets per token: the 1000 idle sockets share two
	# tokens (70-harden.sh tests the cap).
	"$FZPORTAL" serve --listen 127.0.0.1:0 --cert "$dir/cert.pem" \
		--key "$dir/key.pem" --db "$db" --client-sockets-per-token 0 \
		--client-devices-per-token 0 \
		--gateway-sockets-per-token 0 "$@" \
		2>"$dir/$name.log" &
	pid=$!
	pids+=("$pid")
	port=
	for i in $(seq 50); do
		port=$(sed -n -e 's/.* listening .*port=\([0-9]*\).*/\1/p' \
			-e 's/.*"event":"listening".*"port":"\([0-9]*\)".*/\1/p' \
			"$dir/$name.log")
		[ -n "$port" ] && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	fail "$name: fzportal serve started"
	sed 's/^/#   /' "$dir/$name.log"
	return 1
}

# stop PID: SIGTERM, then the exit status (124 if it did not exit in 5 s).
stop() {
	local i
	kill -TERM "$1"
	for i in $(seq 50); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$1" 2>/dev/null; then
		kill -KILL "$1"
		wait "$1" 2>/dev/null
		return 124
	fi
	wait "$1"
}

ws() {
	run_probe timeout 150 "$PY" "$here/wsclient.py" "wss://127.0.0.1:$port" \
		"$dir/cert.pem" "$@"
}

https() {
	curl -sS --max-time 5 --cacert "$dir/cert.pem" -o "$dir/body" \
		-w '%{http_code}' "$@"
}

# --- refusals before anything listens
check_fails "serve refuses to start without the certificate" \
	timeout 5 "$FZPORTAL" serve --listen 127.0.0.1:0 --cert "$dir/nope.pem" \
	--key "$dir/key.pem" --db "$db"
out=$(timeout 5 "$FZPORTAL" serve --listen 127.0.0.1:0 \
	--cert "$dir/cert.pem" --key "$dir/nope.pem" \
	--db "$db" 2>&1)
if [ $? -eq 1 ] && [[ $out == *"TLS key $dir/nope.pem: No such file"* ]]; then
	pass "a missing key is refused with a clear error"
else
	fail "a missing key is refused with a clear error"
	diag "$out"
fi
check_fails "a database that does not exist is refused" \
	timeout 5 "$FZPORTAL" serve --listen 127.0.0.1:0 --cert "$dir/cert.pem" \
	--key "$dir/key.pem" --db "$dir/nope.db"
check_fails "--listen without a port is refused" \
	timeout 5 "$FZPORTAL" serve --listen 127.0.0.1 --cert "$dir/cert.pem" \
	--key "$dir/key.pem" --db "$db"
check "serve --help prints the manual" \
	bash -c "'$FZPORTAL' serve --help | grep -q 'SIGNALS'"

# --- HTTP, with the environment instead of flags for the files
FZPORTAL_CERT=$dir/cert.pem FZPORTAL_KEY=$dir/key.pem \
	start main --heartbeat-interval 1 --cert "$dir/cert.pem" || exit 1
main=$pid main_port=$port
code=$(https "https://127.0.0.1:$port/healthz")
[ "$code" = 200 ] && [ "$(cat "$dir/body")" = ok ] &&
	pass "/healthz is 200 ok over TLS" || fail "/healthz is 200 ok ($code)"
code=$(https "https://127.0.0.1:$port/readyz")
[ "$code" = 200 ] && pass "/readyz is 200 while serving" ||
	fail "/readyz is 200 while serving ($code)"
code=$(https "https://127.0.0.1:$port/api/v1/sites")
[ "$code" = 401 ] && grep -q '"error"' "$dir/body" &&
	pass "/api/... without a token answers 401 with a JSON error" ||
	fail "/api/... without a token answers 401 with a JSON error ($code)"
code=$(https "https://127.0.0.1:$port/elsewhere")
[ "$code" = 404 ] && pass "an unknown path is 404" ||
	fail "an unknown path is 404 ($code)"
head -c 65536 /dev/zero | tr '\0' x >"$dir/64k"
code=$(https -H 'Expect:' --data-binary @"$dir/64k" \
	"https://127.0.0.1:$port/api/v1/sites")
[ "$code" = 401 ] && pass "a 64 KiB body reaches the API (401: no token)" ||
	fail "a 64 KiB body reaches the API ($code)"
echo x >>"$dir/64k"
code=$(https -H 'Expect:' --data-binary @"$dir/64k" \
	"https://127.0.0.1:$port/api/v1/sites")
[ "$code" = 413 ] && pass "a 64 KiB + 2 byte body is 413" ||
	fail "a 64 KiB + 2 byte body is 413 ($code)"
check_fails "plain HTTP on the TLS port is refused" \
	curl -sS --max-time 5 "http://127.0.0.1:$port/healthz"
# lws 4.1 binds an IPv4 address to every address unless told not to.
bound=$(ss -Hltn "sport = :$port" | awk '{print $4}' | sort -u | tr '\n' ' ')
[ "$bound" = "127.0.0.1:$port " ] &&
	pass "--listen 127.0.0.1:PORT binds that address only" ||
	fail "--listen 127.0.0.1:$port binds: $bound"

# --- WebSockets
ws auth
ws heartbeat
ws malformed
ws toobig
ws flood
ws silent 1
grep -q 'conn_refused remote=127.0.0.1:[0-9]* path=/gateway/websocket reason="not an fz token (no fz1_ prefix)"' \
	"$dir/main.log" && pass "refusals are logged with reason and address" ||
	fail "refusals are logged with reason and address"
grep -q 'conn_close role=gateway .* code=1009 reason="message too big" by=portal' \
	"$dir/main.log" && pass "closes are logged with code and reason" ||
	fail "closes are logged with code and reason"
if grep -q "$GW_TOKEN\|$CL_TOKEN" "$dir/main.log"; then
	fail "no token appears in the log"
else
	pass "no token appears in the log"
fi

# --- SIGTERM: sockets closed with 1001, exit 0, logged
exec 3< <(timeout 20 "$PY" "$here/wsclient.py" "wss://127.0.0.1:$port" \
	"$dir/cert.pem" hold 2>&1)
read -r -t 10 line <&3
[ "$line" = READY ] || diag "hold: $line"
stop "$main"
status=$?
run_probe cat <&3
exec 3<&-
[ $status -eq 0 ] && pass "SIGTERM: exit status 0" ||
	fail "SIGTERM: exit status 0 (got $status)"
grep -q 'shutdown signal=SIGTERM' "$dir/main.log" &&
	grep -q 'stopped' "$dir/main.log" &&
	pass "SIGTERM: shutdown and stop are logged" ||
	fail "SIGTERM: shutdown and stop are logged"

# --- 1000 idle sockets (default heartbeat, so the sweep leaves them),
# JSON logs, memory measured from /proc
start idle --log-format json || exit 1
idle=$pid
grep -q '^{"ts":"[^"]*","event":"listening"' "$dir/idle.log" &&
	pass "--log-format json writes JSON lines" ||
	fail "--log-format json writes JSON lines"
rss0=$(awk '/^VmRSS/ {print $2}' "/proc/$idle/status")
coproc IDLE { timeout 150 "$PY" "$here/wsclient.py" \
	"wss://127.0.0.1:$port" "$dir/cert.pem" idle 1000 2>&1; }
out=
while read -r -t 120 line <&"${IDLE[0]}"; do
	[ "$line" = READY ] && break
	out+=$line$'\n'
done
rss1=$(awk '/^VmRSS/ {print $2}' "/proc/$idle/status")
fds=$(ls "/proc/$idle/fd" | wc -l)
diag "fzportal RSS: $rss0 kB at start, $rss1 kB with 1000 idle sockets" \
	"($(( (rss1 - rss0) * 1024 / 1000 )) bytes each), $fds fds"
echo >&"${IDLE[1]}"
out+=$(cat <&"${IDLE[0]}")
printf '%s\n' "$out" >"$dir/idle.out"
run_probe cat "$dir/idle.out"
stop "$idle"
[ $? -eq 0 ] && pass "the idle server stops cleanly" ||
	fail "the idle server stops cleanly"
ktap_done
