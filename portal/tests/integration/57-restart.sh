#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A change made while no portal runs is acted on when one starts: the
# change feed's cursor is kept in the database. Bob is granted rA1, the
# portal stops, `fzportal admin` deletes the policy that allowed it, the
# portal starts again: the authorization is gone before gateway A rejoins,
# and A's init does not hold it. Peers: restart.py (on sigclient.py).
#   FZPORTAL=path/to/fzportal bash 57-restart.sh
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../../selftests/lib/ktap.sh"
FZPORTAL=${FZPORTAL:-$here/../../fzportal}
PY=/usr/bin/python3
need openssl sqlite3 "$PY"
"$PY" -c 'import websockets' 2>/dev/null ||
	{ fail "python3-websockets for $PY (apt-get install python3-websockets)"; exit 1; }

dir=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -days 2 \
	-keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
db=$dir/fz.db
export FZPORTAL_DB=$db
check "fzportal init makes the database" \
	timeout 10 "$FZPORTAL" init --account acme --db "$db"
check "the test data go in" \
	timeout 10 "$PY" "$here/cascade.py" setup "$db" "$dir/data.json"

# start LOG: a portal on a free port of 127.0.0.1; sets $pid and $port.
start() {
	port=
	"$FZPORTAL" serve --listen 127.0.0.1:0 --cert "$dir/cert.pem" \
		--key "$dir/key.pem" --heartbeat-interval 1 2>"$1" &
	pid=$!
	for _ in $(seq 50); do
		port=$(sed -n 's/.* listening .*port=\([0-9]*\).*/\1/p' "$1")
		[ -n "$port" ] && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	fail "fzportal serve started"
	sed 's/^/#   /' "$1"
	exit 1
}
stop() {
	kill -TERM "$pid"
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$pid" 2>/dev/null && fail "SIGTERM stops the server"
	pid=
}
peers() {
	timeout 90 "$PY" "$here/restart.py" "$1" "wss://127.0.0.1:$port" \
		"$dir/cert.pem" "$db" "$dir/data.json" "$dir/gwkey"
}
rA1=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["rA1"])' "$dir/data.json")
pA1=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["pA1"])' "$dir/data.json")
held() { sqlite3 "$db" "SELECT count(*) FROM authorizations WHERE resource_id = '$rA1'"; }

start "$dir/serve1.log"
run_probe peers grant
stop
check "the authorization is in the database while no portal runs" test "$(held)" = 1
check "fzportal admin deletes the policy with no portal running" \
	timeout 10 "$FZPORTAL" admin policy delete "$pA1"
start "$dir/serve2.log"
check "the new portal replays the feed from where the last one stopped" \
	grep -q ' feed_start .*after_seq=[1-9]' "$dir/serve2.log"
for _ in $(seq 50); do [ "$(held)" = 0 ] && break; sleep 0.1; done
check "it revokes the authorization before anyone joins" test "$(held)" = 0
run_probe peers rejoin
stop
ktap_done
