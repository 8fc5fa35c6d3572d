#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The sign-in pages' budgets and whom they count: 60 flows per source in
# 10 minutes, a source being an IPv4 address or an IPv6 /64, and, behind
# a --trusted-proxy, the address X-Forwarded-For names (never a client's
# own X-Forwarded-For otherwise). Refused sign-in links change nothing.
#   FZPORTAL=path/to/fzportal bash 82-signin-limits.sh
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../../selftests/lib/ktap.sh"
. "$here/lib.sh"
FZPORTAL=${FZPORTAL:-$here/../../fzportal}
PY=/usr/bin/python3
need openssl curl "$PY"

dir=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$dir"
}
trap cleanup EXIT
portal_cert "$dir"
check "fzportal init makes the database" \
	timeout 10 "$FZPORTAL" init --account acme --db "$dir/fz.db"

b64() { "$PY" -c 'import base64,os;print(base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode())'; }
link="/acme/sign_in?state=$(b64)&nonce=$(b64)&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcallback"
# starts N [XFF]: the statuses of N sign-in starts, one a line.
starts() {
	local n=$1 xff=${2:-}
	for _ in $(seq "$n"); do
		curl -s -o /dev/null -w '%{http_code}\n' --cacert "$dir/cert.pem" \
			${xff:+-H "X-Forwarded-For: $xff"} "$base$link"
	done
}
# uniform N CODE [XFF]: N starts all answered CODE.
uniform() {
	local got
	got=$(starts "$1" "${3:-}" | sort | uniq -c | awk '{print $2 "x" $1}' | tr '\n' ' ')
	[ "$got" = "$2x$1 " ] || { echo "got: $got"; return 1; }
}

if ! portal_serve "$dir" "$dir/proxied.log" --db "$dir/fz.db" \
	--trusted-proxy "127.0.0.1/32, ::1"; then
	fail "serve --trusted-proxy starts"
	exit 1
fi
pids+=("$PORTAL_PID")
base=https://127.0.0.1:$PORTAL_PORT
pass "serve --trusted-proxy 127.0.0.1/32,::1 listens"
good=$link
link="/acme/sign_in?state=short&nonce=$(b64)&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcallback"
check "a state that is not 43 base64url characters is refused" uniform 1 400
link="/acme/sign_in?state=$(b64)&nonce=$(b64)&redirect_uri=http%3A%2F%2Fevil.example%3A9%2Fcallback"
check "a redirect_uri off loopback is refused" uniform 1 400
link="/acme/sign_in?state=$(b64)&nonce=$(b64)&redirect_uri=http%3A%2F%2F%5B%3A%3A1%5D%3A9%2Fcallback"
check "a redirect_uri on [::1] is refused (fzagent listens on 127.0.0.1)" uniform 1 400
link="/acme/sign_in?state=$(b64)&nonce=$(b64)&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcallback%3Fx%3D1"
check "a redirect_uri with more than /callback is refused" uniform 1 400
link="/nobody/sign_in?state=$(b64)&nonce=$(b64)&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcallback"
check "an account that does not exist: 404" uniform 1 404
link=$good
check "60 starts for 192.0.2.7 behind the proxy are answered" uniform 60 200 192.0.2.7
check "the 61st is refused (429)" uniform 1 429 192.0.2.7
check "192.0.2.8 behind the same proxy has a budget of its own" uniform 1 200 192.0.2.8
check "a client's own X-Forwarded-For before the proxy's entry does not count" \
	uniform 1 429 "198.51.100.1, 192.0.2.7"
check "60 starts for 2001:db8::1 are answered" uniform 60 200 2001:db8::1
check "2001:db8::2 is in the same /64: refused" uniform 1 429 2001:db8::2
check "2001:db8:0:1::1 is another /64: answered" uniform 1 200 2001:db8:0:1::1
check "the portal still answers /healthz" \
	sh -c "curl -sf --cacert '$dir/cert.pem' '$base/healthz' >/dev/null"

# Without --trusted-proxy, X-Forwarded-For is the client's to write: ignored.
kill -TERM "$PORTAL_PID"
wait "$PORTAL_PID" 2>/dev/null
if ! portal_serve "$dir" "$dir/direct.log" --db "$dir/fz.db"; then
	fail "serve without --trusted-proxy starts"
	exit 1
fi
pids+=("$PORTAL_PID")
base=https://127.0.0.1:$PORTAL_PORT
check "60 starts with ever new X-Forwarded-For values are answered" sh -c '
	for i in $(seq 60); do echo 203.0.113.$i; done >"$1/xffs"' _ "$dir"
ok=0
while read -r x; do
	[ "$(starts 1 "$x")" = 200 ] && ok=$((ok + 1))
done <"$dir/xffs"
check "  ($ok of 60)" test "$ok" = 60
check "but they all were 127.0.0.1: the 61st is refused" uniform 1 429 203.0.113.99
check_fails "serve refuses a bad --trusted-proxy" timeout 5 "$FZPORTAL" serve \
	--listen 127.0.0.1:0 --cert "$dir/cert.pem" --key "$dir/key.pem" \
	--db "$dir/fz.db" --trusted-proxy 10.0.0.0/33
ktap_done
