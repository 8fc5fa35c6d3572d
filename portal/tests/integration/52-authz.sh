#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What a client can make the portal hold: an authorization handed out
# again never outlives a fresh decision, repeated requests (naming
# gateways that do not exist, or before the gateway's ack) are answered
# from the one held, and live authorizations per client and resource are
# capped, rows on gateways gone or failed making room. And a gateway that
# holds more than its socket's queue takes at once gets them all when it
# joins again, past a push the codec refuses; and so does a client that
# sees more resources than that queue takes. Peers come from authz.py on
# sigclient.py (Debian's /usr/bin/python3).
#   FZPORTAL=path/to/fzportal bash 52-authz.sh
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
check "the test data go in" timeout 10 "$PY" "$here/authz.py" setup \
	"$db" "$dir/data.json"

# Site C's gateways share one token.
if ! portal_serve "$dir" "$dir/serve.log" --db "$db" --heartbeat-interval 1 \
	--client-sockets-per-token 0 --gateway-sockets-per-token 0; then
	fail "fzportal serve started"
	exit 1
fi
pid=$PORTAL_PID
port=$PORTAL_PORT
pass "fzportal serve listens on 127.0.0.1:$port"

run_probe timeout 300 "$PY" "$here/authz.py" run "wss://127.0.0.1:$port" \
	"$dir/cert.pem" "$db" "$dir/data.json"

check "a refusal past the cap is logged" \
	grep -q 'authorization_refused .*reason=too_many_authorizations' \
	"$dir/serve.log"
kill -TERM "$pid"
for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "SIGTERM stops the server"
pid=
ktap_done
