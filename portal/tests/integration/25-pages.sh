#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The web wing's pages through tests/tools/pagesrv (the wing alone with a
# page callback, built with ASan and UBSan), over TLS on loopback with
# curl: the security headers on every answer, cookies, redirects, forms,
# HEAD, 405, 413, the static stylesheet, deferred answers (200 ms later,
# never, after the client left, after the socket timed out), the cap on
# deferred answers (503), and a clean stop with an answer still pending.
#   FZTOOLS=path/to/build/tools bash 25-pages.sh
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../../selftests/lib/ktap.sh"
PAGESRV=${FZTOOLS:-$here/../../build/tools}/pagesrv
need openssl curl
if [ ! -x "$PAGESRV" ]; then
	fail "$PAGESRV is built (make -C portal tools)"
	exit 1
fi

dir=$(mktemp -d)
pid=
bg=()
cleanup() {
	local p
	for p in "${bg[@]}"; do kill "$p" 2>/dev/null; done
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -days 2 \
	-keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null

# At most 3 answers deferred at once; a socket waits 4 s for its answer.
"$PAGESRV" --cert "$dir/cert.pem" --key "$dir/key.pem" --pending-max 3 \
	--page-timeout 4 >"$dir/out" 2>"$dir/err" &
pid=$!
port=
for i in $(seq 100); do
	port=$(sed -n 's/^listening port=\([0-9]*\)$/\1/p' "$dir/out")
	[ -n "$port" ] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
if [ -z "$port" ]; then
	fail "pagesrv started"
	sed 's/^/#   /' "$dir/err"
	exit 1
fi
pass "pagesrv listens on 127.0.0.1:$port"
U=https://127.0.0.1:$port

# get ARGS...: curl with the headers into $dir/h, the body into $dir/b;
# prints the status.
get() {
	curl -sS --max-time 10 --cacert "$dir/cert.pem" -D "$dir/h" \
		-o "$dir/b" -w '%{http_code}' "$@" 2>"$dir/curl.err"
}
# hdr NAME: the values of header NAME in $dir/h, one a line, CR dropped.
hdr() {
	tr -d '\r' <"$dir/h" | sed -n "s/^$1: //Ip"
}
expect() {
	local what=$1 want=$2 code
	shift 2
	code=$(get "$@")
	if [ "$code" = "$want" ]; then
		pass "$what: $want"
	else
		fail "$what: $want (got $code)"
		sed 's/^/#   /' "$dir/curl.err" "$dir/b" | head -5
	fi
}
csp_default="default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
# secure WHAT [CSP]: every security header once, with its exact value.
secure() {
	local what=$1 csp=${2:-$csp_default} bad= name want got
	while IFS='|' read -r name want; do
		got=$(hdr "$name")
		[ "$got" = "$want" ] || bad+=" $name=[$got]"
	done <<EOF
content-security-policy|$csp
x-frame-options|DENY
x-content-type-options|nosniff
referrer-policy|no-referrer
cache-control|no-store
strict-transport-security|max-age=31536000
EOF
	if [ -z "$bad" ]; then
		pass "$what: the six security headers, once each, exact"
	else
		fail "$what: the security headers:$bad"
	fi
}

# --- immediate pages
expect "GET /page" 200 "$U/page?name=%3Cscript%3Ealert(%271%27)%3C%2Fscript%3E"
secure "GET /page"
check "the page is text/html; charset=utf-8" \
	test "$(hdr content-type)" = "text/html; charset=utf-8"
check "the query's value is HTML-escaped in the page" \
	grep -qF 'hello &lt;script&gt;alert(&#39;1&#39;)&lt;/script&gt;</p>' "$dir/b"
expect "GET /page with & and = encoded in a value" 200 "$U/page?&x=1&&name=a%26b%3Dc+d&y"
check "the value arrives whole (a&b=c d)" grep -qF 'hello a&amp;b=c d</p>' "$dir/b"
expect "HEAD /page" 200 -I "$U/page?name=x"
secure "HEAD /page"
# curl -I writes the headers where the body would go: only they came.
check "HEAD: a Content-Length and no body" \
	test "$(hdr content-length)" -gt 0 -a "$(cat "$dir/b")" = "$(cat "$dir/h")"
expect "GET /page twice with the same name" 200 "$U/page?name=a&name=b"
check "a name given twice is not guessed at" grep -qF 'hello nobody' "$dir/b"

expect "GET /redirect" 303 "$U/redirect"
secure "GET /redirect"
check "Location is /page?name=back" test "$(hdr location)" = "/page?name=back"
check "two Set-Cookie headers, exact" test "$(hdr set-cookie)" = \
	"fz_flow=abc123; HttpOnly; Secure; SameSite=Lax; Path=/
fz_seen=1; Secure; Path=/"

expect "GET /csp" 200 "$U/csp"
secure "GET /csp (a CSP of its own)" \
	"default-src 'none'; form-action 'self' https://idp.example"
expect "a Location with CR LF in it" 500 "$U/bad"
secure "the 500"
check "no header injected" test -z "$(hdr evil)$(hdr set-cookie)"

expect "GET /static/fz.css" 200 "$U/static/fz.css"
secure "GET /static/fz.css"
check "the stylesheet is text/css, its text exact" test \
	"$(hdr content-type)|$(cat "$dir/b")" = \
	"text/css; charset=utf-8|body { font-family: sans-serif; }"
expect "POST /static/fz.css" 405 -d x "$U/static/fz.css"
expect "an unknown page (the callback's 404)" 404 "$U/nope"
secure "the page's 404"

# --- methods and bodies
expect "PUT /page" 405 -X PUT "$U/page"
secure "the 405"
check "405 names the methods allowed" test "$(hdr allow)" = "GET, HEAD, POST"
expect "DELETE /page" 405 -X DELETE "$U/page"
expect "PUT /page with a body" 405 -X PUT -H 'Expect:' -d 'a=1' "$U/page"
expect "OPTIONS /page" 405 -X OPTIONS "$U/page"

expect "POST /form" 200 -b 'other="x y"; fz_flow=f1; z=1' \
	--data-raw 'csrf=t%2Bk+n&email=a%40b.example' "$U/form"
check "form values and the cookie, decoded" test "$(cat "$dir/b")" = \
	"email=a@b.example
csrf=t+k n
flow=f1"
expect "POST /form as text/plain (the callback's 415)" 415 \
	-H 'Content-Type: text/plain' --data-raw 'email=a' "$U/form"
expect "POST /form, a bad escape and a NUL" 200 \
	-b 'fz_flow=a; fz_flow=b' --data-raw 'email=%zz&csrf=%00' "$U/form"
check "bad escapes and a cookie twice are refused (EINVAL)" \
	test "$(cat "$dir/b")" = "email=ERR(-22)
csrf=ERR(-22)
flow=ERR(-22)"
expect "POST /form, a value over its buffer" 200 \
	--data-raw "email=$(head -c 100 /dev/zero | tr '\0' a)" "$U/form"
check "a value over its buffer is refused (ENOSPC)" \
	grep -qx 'email=ERR(-28)' "$dir/b"
head -c 16384 /dev/zero | tr '\0' x >"$dir/16k"
expect "a 16 KiB form" 200 -H 'Expect:' --data-binary @"$dir/16k" "$U/form"
echo x >>"$dir/16k"
expect "a 16 KiB + 2 byte form" 413 -H 'Expect:' --data-binary @"$dir/16k" \
	"$U/form"
secure "the 413"

# --- the other paths as they were
expect "/healthz" 200 "$U/healthz"
check "/healthz says ok" test "$(cat "$dir/b")" = ok
expect "/api/... without a REST callback" 404 "$U/api/v1/sites"
check "the API's 404 is JSON" grep -q '"not_found"' "$dir/b"
expect "/client/websocket without the upgrade" 426 "$U/client/websocket"

# --- deferred answers
expect "GET /instant (deferred, finished within the callback)" 200 \
	"$U/instant"
check "its body" test "$(cat "$dir/b")" = "instant answer"
expect "GET /slow (answered 200 ms later)" 200 "$U/slow"
secure "GET /slow"
check "the deferred body" test "$(cat "$dir/b")" = "slow answer"
t=$(curl -sS --max-time 10 --cacert "$dir/cert.pem" -o /dev/null \
	-w '%{time_total}' "$U/slow")
check "it took 200 ms or more ($t s)" awk "BEGIN { exit !($t >= 0.2) }"
args=()
for p in page slow healthz slow redirect page; do
	args+=(-o /dev/null "$U/$p")
done
out=$(curl -sS --max-time 10 --cacert "$dir/cert.pem" \
	-w '%{http_code}/%{num_connects} ' "${args[@]}" 2>&1)
check "one connection: page, slow, healthz, slow, redirect, page ($out)" \
	test "$out" = "200/1 200/0 200/0 200/0 303/0 200/0 "
curl -sS --max-time 0.05 --cacert "$dir/cert.pem" "$U/slow" >/dev/null 2>&1
sleep 0.4
expect "the client left before /slow was answered: still serving" 200 \
	"$U/healthz"

t0=$(date +%s%N)
code=$(get "$U/forever")
t=$((($(date +%s%N) - t0) / 1000000))
check "a page never answered: the socket is closed after 4 s ($code, ${t} ms)" \
	test "$code" = 000 -a "$t" -ge 3500 -a "$t" -lt 9000
expect "/stats" 200 "$U/stats"
check "its answer still counts as pending" grep -qx 'pending=1' "$dir/b"
expect "/release finishes it, the socket long gone" 200 "$U/release"
check "one released" grep -qx 'released 1' "$dir/b"
expect "/stats" 200 "$U/stats"
check "nothing pending any more" grep -qx 'pending=0' "$dir/b"

# --- the cap: 3 waiting, the 4th deferred answer is 503 at once
for i in 1 2 3; do
	curl -sS --max-time 10 --cacert "$dir/cert.pem" -o "$dir/f$i" \
		-w '%{http_code}' "$U/forever" >"$dir/c$i" 2>&1 &
	bg+=($!)
done
for i in $(seq 50); do
	get "$U/stats" >/dev/null
	grep -qx 'pending=3' "$dir/b" && break
	sleep 0.1
done
check "three answers pending" grep -qx 'pending=3' "$dir/b"
expect "a 4th /forever" 503 "$U/forever"
secure "the 503"
expect "a /slow as well" 503 "$U/slow"
expect "pages that answer at once still do" 200 "$U/page"
expect "/release" 200 "$U/release"
check "three released" grep -qx 'released 3' "$dir/b"
wait "${bg[@]}"
bg=()
check "the three waiting clients got their answers" test \
	"$(cat "$dir/c1" "$dir/c2" "$dir/c3")|$(cat "$dir/f1" "$dir/f2" "$dir/f3")" = \
	"200200200|released
released
released"
expect "deferred answers are taken again" 200 "$U/slow"

# --- a stop with an answer pending, then the sanitizers' verdict
curl -sS --max-time 10 --cacert "$dir/cert.pem" "$U/forever" >/dev/null 2>&1 &
bg+=($!)
for i in $(seq 50); do
	get "$U/stats" >/dev/null
	grep -qx 'pending=1' "$dir/b" && break
	sleep 0.1
done
kill -TERM "$pid"
status=124
for i in $(seq 100); do
	if ! kill -0 "$pid" 2>/dev/null; then
		wait "$pid"
		status=$?
		break
	fi
	sleep 0.1
done
pid=
check "SIGTERM with an answer pending: exit 0 ($status)" test "$status" = 0
check "the pending answer was freed after the server (stopped)" \
	grep -q 'pagesrv: stopped' "$dir/err"
if grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error' "$dir/err"; then
	fail "no sanitizer report"
	grep -E -A20 'AddressSanitizer|LeakSanitizer|runtime error' "$dir/err" |
		head -40 | sed 's/^/#   /'
else
	pass "no sanitizer report"
fi
ktap_done
