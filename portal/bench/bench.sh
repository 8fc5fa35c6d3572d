#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The portal's benchmark: a fresh database with N clients (an actor and a
# client token each) and M gateways (a token each) in one site, R
# resources that one policy of one group lets every actor reach; a
# self-signed certificate; `fzportal serve` (this tree's -O2 build) on
# 127.0.0.1; then build/bench/sigload against it: connect and join all,
# T seconds at rest, then request storms at a set rate and flat out.
# Results go to results/portal-<UTC time>/ (results.md, raw.json).
#
#   bench.sh [-n CLIENTS] [-m GATEWAYS] [-r RESOURCES] [-t REST_S]
#            [-R RATE] [-s STORM_S] [-w WINDOW] [-g GW_RATE]
#            [-c CLIENT_RATE] [-o DIR]
#
# RATE is requests/s in all (open loop), WINDOW the requests outstanding
# flat out. GW_RATE is the messages/s a gateway allows itself (acks and
# heartbeats; default: 90% of the portal's per-socket budget), which
# bounds authorizations/s to about GATEWAYS x GW_RATE. CLIENT_RATE is
# the requests/s one client sends at most (default 1), which bounds them
# to CLIENTS x CLIENT_RATE.
#
# Loopback only; nothing here needs a VM or root (but 10,000 sockets on
# each side need `ulimit -n` above 20,000, which root can raise).
set -e
here=$(cd "$(dirname "$0")" && pwd)
portal=$(cd "$here/.." && pwd)
repo=$(cd "$portal/.." && pwd)
FZPORTAL=${FZPORTAL:-$portal/fzportal}
SIGLOAD=${SIGLOAD:-$portal/build/bench/sigload}
PY=/usr/bin/python3

clients=10000 gateways=10 resources=10 rest=30 rate=100 seconds=20
window=64 gw_rate= client_rate= out=
while getopts n:m:r:t:R:s:w:g:c:o:h opt; do
	case $opt in
	n) clients=$OPTARG ;;
	m) gateways=$OPTARG ;;
	r) resources=$OPTARG ;;
	t) rest=$OPTARG ;;
	R) rate=$OPTARG ;;
	s) seconds=$OPTARG ;;
	w) window=$OPTARG ;;
	g) gw_rate=$OPTARG ;;
	c) client_rate=$OPTARG ;;
	o) out=$OPTARG ;;
	*) sed -n '3,25s/^# \{0,1\}//p' "$0"; exit 2 ;;
	esac
done
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=${out:-$repo/results/portal-$stamp}
for f in "$FZPORTAL" "$SIGLOAD"; do
	[ -x "$f" ] || { echo "bench.sh: $f missing (make -C portal bench)" >&2; exit 1; }
done
for t in openssl sqlite3 "$PY"; do
	command -v "$t" >/dev/null || { echo "bench.sh: needs $t" >&2; exit 1; }
done
# Both processes hold a socket per peer, and lws sizes its tables by this.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" -lt $((clients + gateways + 256)) ]; then
	echo "bench.sh: ulimit -n is $(ulimit -n), too low for $clients clients" >&2
	exit 1
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/fzbench.XXXXXX")
pid=
cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
db=$dir/fz.db
data=$dir/data.txt

# ---- the database
t0=$(date +%s.%N)
# Their chatter (tokens shown once) goes to setup.log, shown on failure.
trap 'cat "$dir/setup.log" >&2' ERR
"$FZPORTAL" init --account bench --db "$db" >/dev/null 2>"$dir/setup.log"
admin() { "$FZPORTAL" admin --db "$db" --json "$@" 2>>"$dir/setup.log"; }
admin site create lab >/dev/null
: >"$data"
for i in $(seq "$gateways"); do
	admin gateway-token create --site lab --name "gw$i" |
		jq -r '"gateway " + .token' >>"$data"
done
for i in $(seq "$resources"); do
	admin resource create --name "r$i" --type ip --address "10.9.0.$i" \
		--site lab | jq -r '"resource " + .id' >>"$data"
done
admin group create bench >/dev/null
for i in $(seq "$resources"); do
	admin policy create --group bench --resource "r$i" >/dev/null
done
# Ten thousand actors, tokens and memberships in one transaction, in the
# shape the admin wing writes them (admin/actor.c, clitoken.c, member.c);
# `fzportal admin` would take a process and a transaction each.
"$PY" - "$db" "$clients" >>"$data" <<'EOF'
import base64, hashlib, os, sqlite3, sys, time, uuid
db, n = sys.argv[1], int(sys.argv[2])
c = sqlite3.connect(db, isolation_level=None)
acct = c.execute("SELECT id FROM accounts").fetchone()[0]
group = c.execute("SELECT id FROM groups WHERE name = 'bench'").fetchone()[0]
now = time.time_ns()
exp = now + 7 * 86400 * 10**9
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
c.execute("BEGIN")
for i in range(n):
    actor, tid, secret = str(uuid.uuid4()), uuid.uuid4(), os.urandom(32)
    h = hashlib.blake2b(b"fz-token-v1" + tid.bytes + secret,
                        digest_size=32).digest()
    c.execute("INSERT INTO actors (id, account_id, type, role, name,"
              " created_at) VALUES (?, ?, 'user', 'member', ?, ?)",
              (actor, acct, "load-%d" % i, now))
    c.execute("INSERT INTO memberships VALUES (?, ?)", (group, actor))
    c.execute("INSERT INTO tokens (id, account_id, kind, actor_id, hash,"
              " name, created_at, expires_at) VALUES"
              " (?, ?, 'client', ?, ?, ?, ?, ?)",
              (str(tid), acct, actor, h, "load-%d" % i, now, exp))
    print("client fz1_%s_%s" % (b64(tid.bytes), b64(secret)))
c.execute("COMMIT")
EOF
trap - ERR
setup_s=$(echo "$(date +%s.%N) - $t0" | bc)
echo "bench.sh: database with $clients clients, $gateways gateway tokens," \
	"$resources resources in ${setup_s}s" >&2

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -days 2 \
	-keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null

# ---- the server
"$FZPORTAL" serve --listen 127.0.0.1:0 --cert "$dir/cert.pem" \
	--key "$dir/key.pem" --db "$db" 2>"$dir/serve.log" &
pid=$!
port=
for i in $(seq 100); do
	port=$(sed -n 's/.* listening .*port=\([0-9]*\).*/\1/p' "$dir/serve.log")
	[ -n "$port" ] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
if [ -z "$port" ]; then
	echo "bench.sh: fzportal serve did not start:" >&2
	cat "$dir/serve.log" >&2
	exit 1
fi

# ---- the load
mkdir -p "$out"
set +e
"$SIGLOAD" --port "$port" --ca "$dir/cert.pem" --data "$data" --pid "$pid" \
	--clients "$clients" --gateways "$gateways" --rest "$rest" \
	--rate "$rate" --seconds "$seconds" --window "$window" \
	${gw_rate:+--gw-rate "$gw_rate"} \
	${client_rate:+--client-rate "$client_rate"} --json "$dir/load.json" | tee "$dir/table.txt"
status=${PIPESTATUS[0]}
set -e
kill -TERM "$pid"
for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && echo "bench.sh: serve ignored SIGTERM" >&2
wait "$pid" 2>/dev/null || true
pid=

# ---- the results
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$repo" status --porcelain -- portal 2>/dev/null | head -1)
warnings=$(grep -c -E 'store_failed|lws .*level=error|rate_limited' \
	"$dir/serve.log" || true)
{
	printf '{"time":"%s","commit":"%s%s","kernel":"%s","cpus":%d,' \
		"$stamp" "$commit" "${dirty:+-dirty}" "$(uname -r)" "$(nproc)"
	printf '"cpu":"%s","setup_s":%s,"serve_log_warnings":%d,"load":' \
		"$cpu" "$setup_s" "$warnings"
	cat "$dir/load.json" 2>/dev/null || echo null
	printf '}\n'
} >"$out/raw.json"
{
	echo "# fzportal benchmark, $stamp"
	echo
	echo "Commit $commit${dirty:+ (with local changes)}, kernel $(uname -r)," \
		"$(nproc) CPUs ($cpu), SQLite $(sqlite3 --version | cut -d' ' -f1)."
	echo "$clients clients, $gateways gateways in one site, $resources" \
		"resources; set up in ${setup_s}s. Load from build/bench/sigload" \
		"on the same machine, over TLS on 127.0.0.1."
	echo "Parameters: bench.sh -n $clients -m $gateways -r $resources -t $rest" \
		"-R $rate -s $seconds -w $window${gw_rate:+ -g $gw_rate}${client_rate:+ -c $client_rate}."
	echo "Server log lines with store failures, lws errors or rate limits:" \
		"$warnings."
	echo
	echo '```'
	cat "$dir/table.txt"
	echo '```'
} >"$out/results.md"
echo "bench.sh: results in $out" >&2
exit "$status"
