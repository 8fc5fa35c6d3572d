#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Sign-in by a code sent by email, end to end on loopback: `fzagent
# sign-in`, `fzportal serve --smtp-url`, a real MTA (Debian's exim4, run
# by mta.sh from a directory of the test's own) and a real browser
# (headless Chromium over the DevTools protocol, browser.py), which takes
# a screenshot of every page into the artefact directory
# ($FZ_ARTEFACTS, else portal/tests/integration/artefacts/). Then the
# refusals over HTTP (signin.py email): an unknown address gets the same
# page and no mail, a wrong code, too many attempts, a reused code, an
# expired code, too many codes for one address.
#   FZPORTAL=path/to/fzportal FZAGENT=path/to/fzagent bash 85-email.sh
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../../selftests/lib/ktap.sh"
. "$here/lib.sh"
FZPORTAL=${FZPORTAL:-$here/../../fzportal}
FZAGENT=${FZAGENT:-$here/../../../agent/fzagent}
PY=/usr/bin/python3
art=${FZ_ARTEFACTS:-$here/artefacts}/85-email
need openssl sqlite3 "$PY" /usr/sbin/exim4 chromium

dir=$(mktemp -d)
chmod 711 "$dir"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	bash "$here/mta.sh" stop "$dir/mta" >/dev/null 2>&1
	rm -rf "$dir"
}
trap cleanup EXIT
mkdir -p "$art"
rm -f "$art"/*.png
export FZPORTAL_DB=$dir/fz.db FZPORTAL_ACCOUNT=acme
adm() { timeout 10 "$FZPORTAL" admin "$@"; }

portal_cert "$dir"
check "fzportal init makes the database" \
	timeout 10 "$FZPORTAL" init --account acme --db "$FZPORTAL_DB"
check "alice is a user" adm actor create --name alice --email Alice@Example.test
check "bob is a disabled user" adm actor create --name bob --email bob@example.test --disabled

mkdir "$dir/mta"
mport=$(bash "$here/mta.sh" start "$dir/mta" 2>"$dir/mta.err")
if [ -z "$mport" ]; then
	fail "exim4 listens on loopback"
	sed 's/^/#   /' "$dir/mta.err"
	exit 1
fi
pass "exim4 listens on 127.0.0.1:$mport"

# serve STEM [OPTIONS]: a portal on this database; sets $port.
serve() {
	local stem=$1
	shift
	portal_serve "$dir" "$dir/$stem.log" --db "$FZPORTAL_DB" \
		--smtp-url "smtp://127.0.0.1:$mport" --smtp-from fz@example.test \
		"$@" || return 1
	pids+=("$PORTAL_PID")
	port=$PORTAL_PORT
}
if ! serve serve; then
	fail "fzportal serve --smtp-url starts"
	exit 1
fi
portal=https://127.0.0.1:$port
pass "fzportal serve --smtp-url listens on $portal"

# code_of RCPT N FILE: the code of RCPT's Nth mail into FILE (background).
code_of() {
	bash "$here/mta.sh" wait-mail "$dir/mta" "$1" 30 "$2" >"$3.mail" 2>&1 &&
		sed -n 's/^ *\([0-9]\{6\}\) *$/\1/p' "$3.mail" | head -1 >"$3.tmp" &&
		mv "$3.tmp" "$3"
}

# --- the whole sequence in a real browser
FZ_TOKEN_FILE=$dir/alice.token timeout 120 "$FZAGENT" sign-in \
	--portal "$portal" --account acme --no-browser --timeout 110 \
	>"$dir/agent.out" 2>&1 &
agent=$!
pids+=($agent)
url=
for i in $(seq 100); do
	url=$(grep -o 'https://[^ ]*/sign_in?[^ ]*' "$dir/agent.out" | head -1)
	[ -n "$url" ] && break
	sleep 0.1
done
check "fzagent sign-in prints a sign-in URL" test -n "$url"
code_of alice@example.test 1 "$dir/code1" &
cat >"$dir/steps.json" <<EOF
[["goto", "$url"],
 ["expect_text", "Send me a sign-in code"],
 ["screenshot", "$art/1-choose.png"],
 ["headers"],
 ["fill", "#email", "alice@example.test"],
 ["submit", "form"],
 ["expect_text", "Check your email"],
 ["screenshot", "$art/2-code.png"],
 ["fill", "#code", "000000x"],
 ["submit", "form"],
 ["expect_text", "That code is wrong"],
 ["screenshot", "$art/3-wrong-code.png"],
 ["fill_from", "#code", "$dir/code1", 30],
 ["submit", "form"],
 ["wait_url", "/acme/signed_in\$", 20],
 ["expect_text", "You are signed in"],
 ["screenshot", "$art/4-signed-in.png"],
 ["goto", "$portal/auth/oidc/callback?code=x&state=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"],
 ["expect_text", "does not belong to a sign-in of this browser"],
 ["screenshot", "$art/5-wrong-state.png"],
 ["goto", "$portal/auth/oidc/callback?error=access_denied&error_description=The+user+cancelled"],
 ["expect_text", "The identity provider did not sign you in (access_denied)"],
 ["screenshot", "$art/6-provider-error.png"]]
EOF
timeout 170 "$PY" "$here/browser.py" --log "$dir/browser" --timeout 140 \
	"$dir/steps.json" >"$dir/browser.out" 2>&1
rc=$?
if [ $rc = 0 ]; then
	pass "Chromium signs alice in by an emailed code, through every page"
else
	fail "Chromium signs alice in by an emailed code, through every page"
	sed 's/^/#   /' "$dir/browser.out" | tail -20
fi
wait "$agent"
check "fzagent sign-in exits 0" test $? = 0
check "the token (nonce + fragment) is in a root-only file" sh -c \
	"[ \$(stat -c %a '$dir/alice.token') = 600 ] && [ \$(tr -d '\n' <'$dir/alice.token' | wc -c) = 113 ]"
check "the token joins the client socket" timeout 20 "$PY" "$here/signin.py" \
	join "wss://127.0.0.1:$port" "$dir/cert.pem" "$dir/alice.token"
for png in 1-choose 2-code 3-wrong-code 4-signed-in 5-wrong-state 6-provider-error; do
	check "screenshot $png.png is a PNG" sh -c \
		"head -c 8 '$art/$png.png' | od -An -c | grep -q 'P   N   G'"
done
hdrs=$(grep -A40 '^ok [0-9]* headers' "$dir/browser.out" | head -40)
for h in "content-security-policy.*default-src 'none'" "frame-ancestors 'none'" \
	'x-frame-options.*DENY' 'x-content-type-options.*nosniff' \
	'referrer-policy.*no-referrer' 'strict-transport-security'; do
	check "the pages send ${h%%.*}" sh -c "printf '%s' \"\$1\" | grep -qi -- \"\$2\"" _ "$hdrs" "$h"
done
if grep -v '^https://127\.0\.0\.1:\|^http://127\.0\.0\.1:' "$dir/browser/requests.txt" | grep -q .; then
	fail "the browser made no request off loopback"
	grep -v '^https\?://127\.0\.0\.1:' "$dir/browser/requests.txt" | sed 's/^/#   /' | head
else
	pass "the browser made no request off loopback"
fi
mail=$(cat "$dir/code1.mail" 2>/dev/null)
check "the mail is to alice, from the portal, with the code in its subject" sh -c \
	"printf '%s' \"\$1\" | grep -qi '^To: alice@example.test' &&
	 printf '%s' \"\$1\" | grep -qi '^From: .*fz@example.test' &&
	 printf '%s' \"\$1\" | grep -q '^Subject: Your sign-in code: $(cat "$dir/code1")'" _ "$mail"

# --- the refusals, over HTTP
link() {
	local s n
	s=$("$PY" -c 'import base64,os;print(base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode())')
	n=$("$PY" -c 'import base64,os;print(base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode())')
	echo "$portal/acme/sign_in?state=$s&nonce=$n&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcallback"
}
flow() { timeout 90 "$PY" "$here/signin.py" email "$dir/cert.pem" "$(link)" "$@"; }

out=$(flow nobody@example.test code:123456)
check "an unknown address gets the same page" sh -c \
	"printf '%s' \"\$1\" | grep -q '^send -> 200 Check your email'" _ "$out"
check "  and a code for it is only ever wrong" sh -c \
	"printf '%s' \"\$1\" | grep -q '^code -> 200 Check your email | That code is wrong. 4 tries left.'" _ "$out"
out=$(flow bob@example.test)
sleep 2
check "no mail goes to an unknown or a disabled address" sh -c \
	"[ \$(bash '$here/mta.sh' count '$dir/mta' nobody@example.test) = 0 ] &&
	 [ \$(bash '$here/mta.sh' count '$dir/mta' bob@example.test) = 0 ]"

code_of alice@example.test 2 "$dir/code2" &
out=$(flow alice@example.test code:000001 code:000002 code:000003 code:000004 \
	code:000005 "code-from:$dir/code2")
check "five wrong codes burn the code" sh -c \
	"printf '%s' \"\$1\" | grep -q '^code -> 403 Too many attempts'" _ "$out"
check "  and the right one no longer works after that" sh -c \
	"printf '%s' \"\$1\" | tail -1 | grep -q '^code-from -> 403 Too many attempts'" _ "$out"

code_of alice@example.test 3 "$dir/code3" &
out=$(flow alice@example.test "code-from:$dir/code3" "code-from:$dir/code3")
check "the right code signs in (303 to the client's loopback address)" sh -c \
	"printf '%s' \"\$1\" | grep -q '^code-from -> 303 .*http://127.0.0.1:9/callback?state='" _ "$out"
check "  and used again it is refused" sh -c \
	"printf '%s' \"\$1\" | tail -1 | grep -q '^code-from -> 400 Sign-in expired'" _ "$out"

if serve short --email-code-ttl 10; then
	pass "a second portal with codes of 10 s starts"
else
	fail "a second portal with codes of 10 s starts"
fi
short=https://127.0.0.1:$port
code_of alice@example.test 4 "$dir/code4" &
out=$(timeout 90 "$PY" "$here/signin.py" email "$dir/cert.pem" \
	"$(link | sed "s|^$portal|$short|")" alice@example.test sleep:11 \
	"code-from:$dir/code4")
check "an expired code is refused" sh -c \
	"printf '%s' \"\$1\" | tail -1 | grep -q '^code-from -> 410 Code expired'" _ "$out"

before=$(bash "$here/mta.sh" count "$dir/mta" alice@example.test)
out=$(flow alice@example.test resend resend resend)
sleep 2
after=$(bash "$here/mta.sh" count "$dir/mta" alice@example.test)
check "a fourth code for one address in 10 minutes is refused" sh -c \
	"printf '%s' \"\$1\" | tail -1 | grep -q 'Too many codes were asked for'" _ "$out"
check "  and not sent ($before -> $after mails)" test "$after" -le $((before + 1))
if grep -qE 'fz1_|code=[0-9]{6}' "$dir/serve.log"; then
	fail "no token or code appears in the portal's log"
else
	pass "no token or code appears in the portal's log"
fi
check "the log says a mail was sent" grep -q 'signin_mail_sent' "$dir/serve.log"
ktap_done
