#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The review's findings against the signalling, each as the attack or the
# load that showed it: a gateway key claimed by another site's token,
# init past one message's 16 KiB, a token expiring under an open socket,
# the 401 body of a refused handshake, sockets per token and repeated
# requests. Peers come from sigclient.py (Debian's /usr/bin/python3).
#   FZPORTAL=path/to/fzportal bash 70-harden.sh
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../../selftests/lib/ktap.sh"
. "$here/lib.sh"
FZPORTAL=${FZPORTAL:-$here/../../fzportal}
PY=/usr/bin/python3
need openssl sqlite3 curl "$PY"

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
check "the test data go in" timeout 10 "$PY" "$here/harden.py" setup \
	"$db" "$dir/data.json"

if ! portal_serve "$dir" "$dir/serve.log" --db "$db" --heartbeat-interval 1; then
	fail "fzportal serve started"
	exit 1
fi
pid=$PORTAL_PID
port=$PORTAL_PORT
pass "fzportal serve listens on 127.0.0.1:$port"

run_probe timeout 200 "$PY" "$here/harden.py" run "wss://127.0.0.1:$port" \
	"$dir/cert.pem" "$db" "$dir/data.json"

check "the refused takeover is logged" \
	grep -q 'join_failed .*another site' "$dir/serve.log"
check "a refused key of small order is logged" \
	grep -q 'join_refused .*small order' "$dir/serve.log"
kill -TERM "$pid"
for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "SIGTERM stops the server"
pid=
ktap_done
