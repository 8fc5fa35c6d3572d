#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What deletes and membership changes made with `fzportal admin` do to
# the signalling (the change rows' cascade lists), the gateways' message
# budget under a wave of acks, and the ack timeout. Peers are cascade.py
# (on sigclient.py) on Debian's /usr/bin/python3.
#   FZPORTAL=path/to/fzportal bash 55-cascade.sh
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
check "the test data go in" timeout 10 "$PY" "$here/cascade.py" setup \
	"$db" "$dir/data.json"

check_fails "serve refuses --ack-timeout 0" \
	timeout 5 "$FZPORTAL" serve --listen 127.0.0.1:0 --cert "$dir/cert.pem" \
	--key "$dir/key.pem" --db "$db" --ack-timeout 0
check_fails "serve refuses --gateway-rate x" \
	timeout 5 "$FZPORTAL" serve --listen 127.0.0.1:0 --cert "$dir/cert.pem" \
	--key "$dir/key.pem" --db "$db" --gateway-rate x

# Many peers share one token here: the per-token socket and device caps
# are lifted.
if ! portal_serve "$dir" "$dir/serve.log" --db "$db" --heartbeat-interval 1 \
	--ack-timeout 2 --client-sockets-per-token 0 --client-devices-per-token 0 \
	--gateway-sockets-per-token 0; then
	fail "fzportal serve started"
	exit 1
fi
pid=$PORTAL_PID
port=$PORTAL_PORT
pass "fzportal serve --db listens on 127.0.0.1:$port"
check "the listening line says tokens come from the store" \
	grep -q ' listening .*auth=store_tokens .*gateway_rate=1000/s,2000' "$dir/serve.log"

export FZPORTAL FZPORTAL_DB=$db ACK_TIMEOUT=2
run_probe timeout 300 \
	"$PY" "$here/cascade.py" run "wss://127.0.0.1:$port" "$dir/cert.pem" \
	"$db" "$dir/data.json"
if grep -q 'conn_close role=gateway.* code=1008' "$dir/serve.log"; then
	fail "no gateway socket was closed for its rate"
else
	pass "no gateway socket was closed for its rate"
fi
kill -TERM "$pid"
for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "SIGTERM stops the server" || pass "SIGTERM stops the server"
pid=
ktap_done
