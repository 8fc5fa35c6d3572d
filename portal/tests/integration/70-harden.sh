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

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -days 2 \
	-keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
db=$dir/fz.db
check "fzportal init makes the database" \
	timeout 10 "$FZPORTAL" init --account acme --db "$db"
check "the test data go in" timeout 10 "$PY" "$here/harden.py" setup \
	"$db" "$dir/data.json"

"$FZPORTAL" serve --listen 127.0.0.1:0 --cert "$dir/cert.pem" \
	--key "$dir/key.pem" --db "$db" --heartbeat-interval 1 \
	2>"$dir/serve.log" &
pid=$!
port=
for i in $(seq 50); do
	port=$(sed -n 's/.* listening .*port=\([0-9]*\).*/\1/p' "$dir/serve.log")
	[ -n "$port" ] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
if [ -z "$port" ]; then
	fail "fzportal serve started"
	sed 's/^/#   /' "$dir/serve.log"
	exit 1
fi
pass "fzportal serve listens on 127.0.0.1:$port"

run_probe timeout 200 "$PY" "$here/harden.py" run "wss://127.0.0.1:$port" \
	"$dir/cert.pem" "$db" "$dir/data.json"

check "the refused takeover is logged" \
	grep -q 'join_failed .*another site' "$dir/serve.log"
kill -TERM "$pid"
for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "SIGTERM stops the server"
pid=
ktap_done
