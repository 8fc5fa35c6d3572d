#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The signalling through `fzportal serve --db`, on loopback only: joins
# and init, the seeds' policy evaluation (allowed, denied, PSKs), gateway
# choice and load balancing, revocation from the change feed, token
# kills, and hostile messages. Peers are sigclient.py on Debian's
# /usr/bin/python3 (python3-websockets 10.4); data go into the database
# with Python's sqlite3, as the admin wing writes them.
#   FZPORTAL=path/to/fzportal bash 50-signal.sh
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../../selftests/lib/ktap.sh"
. "$here/lib.sh"
FZPORTAL=${FZPORTAL:-$here/../../fzportal}
PY=/usr/bin/python3
need openssl sqlite3 "$PY"
if ! "$PY" -c 'import websockets' 2>/dev/null; then
	fail "python3-websockets for $PY (apt-get install python3-websockets)"
	exit 1
fi
ulimit -n 4096 2>/dev/null || ulimit -n "$(ulimit -Hn)"

dir=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

portal_cert "$dir"
db=$dir/fz.db
check "fzportal init makes the database" \
	timeout 10 "$FZPORTAL" init --account acme --db "$db"
check "the test data go in" timeout 10 "$PY" "$here/sigclient.py" setup \
	"$db" "$dir/data.json"

check_fails "serve refuses to start without --db" \
	timeout 5 "$FZPORTAL" serve --listen 127.0.0.1:0 --cert "$dir/cert.pem" \
	--key "$dir/key.pem"
check_fails "serve refuses a database that does not exist" \
	timeout 5 "$FZPORTAL" serve --listen 127.0.0.1:0 --cert "$dir/cert.pem" \
	--key "$dir/key.pem" --db "$dir/none.db"

if ! portal_serve "$dir" "$dir/serve.log" --db "$db" --heartbeat-interval 1 \
	--client-sockets-per-token 0 --client-devices-per-token 0; then
	fail "fzportal serve started"
	exit 1
fi
pid=$PORTAL_PID
port=$PORTAL_PORT
pass "fzportal serve --db listens on 127.0.0.1:$port"
check "online_since is cleared at start" \
	test "$(sqlite3 "$db" 'SELECT count(*) FROM gateways WHERE online_since IS NOT NULL')" = 0

run_probe timeout 300 "$PY" "$here/sigclient.py" run "wss://127.0.0.1:$port" \
	"$dir/cert.pem" "$db" "$dir/data.json"

for ev in gateway_join client_join authorization_granted \
	authorization_denied authorization_revoked; do
	check "the log has $ev lines" grep -q " $ev " "$dir/serve.log"
done
if grep -q 'fz1_' "$dir/serve.log"; then
	fail "no token appears in the log"
else
	pass "no token appears in the log"
fi
kill -TERM "$pid"
for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
	fail "SIGTERM stops the server"
else
	wait "$pid"
	check "SIGTERM: exit status 0" test $? -eq 0
	pid=
fi
check "the gateways are offline in the store after stop" \
	test "$(sqlite3 "$db" 'SELECT count(*) FROM gateways WHERE online_since IS NOT NULL')" = 0
ktap_done
