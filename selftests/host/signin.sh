#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `fzagent sign-in` and `sign-out` against a portal played here: curl is
# the browser coming back to the agent's loopback listener, a small
# Python server is the portal's sign_out endpoint. Everything stays on
# 127.0.0.1; no portal and no browser are needed.
#   signin.sh [KVER...]   (kernel versions are ignored)
. "$(dirname "$0")/../lib/ktap.sh"
repo=$(cd "$(dirname "$0")/../.." && pwd)
fzagent=${FZAGENT:-$repo/agent/fzagent}
py=/usr/bin/python3
need curl stat
[ -x "$fzagent" ] || { fail "fzagent is built ($fzagent)"; exit 1; }
[ -x "$py" ] || { fail "$py is installed"; exit 1; }

tmp=$(mktemp -d /tmp/fz-signin.XXXXXX)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# A real-looking fz1_ token: 16 and 32 random bytes, base64url, unpadded.
b64url() { head -c "$1" /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '='; }
frag="fz1_$(b64url 16)_$(b64url 32)"

# start_signin NAME ARGS...: runs sign-in in the background (pid in
# $signin_pid) and waits for its URL; sets url, state, nonce and port.
start_signin() {
	local name=$1 i
	shift
	"$fzagent" sign-in --portal http://127.0.0.1:1 --account acme \
		--no-browser "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
	signin_pid=$!
	pids+=("$signin_pid")
	for i in $(seq 50); do
		url=$(grep -o 'http://[^ ]*/acme/sign_in?[^ ]*' "$tmp/$name.err")
		[ -n "$url" ] && break
		sleep 0.1
	done
	state=$(printf '%s' "$url" | sed -n 's/.*[?&]state=\([^&]*\).*/\1/p')
	nonce=$(printf '%s' "$url" | sed -n 's/.*[?&]nonce=\([^&]*\).*/\1/p')
	port=$(printf '%s' "$url" |
		sed -n 's/.*[?&]redirect_uri=http%3A%2F%2F127\.0\.0\.1%3A\([0-9]*\)%2Fcallback$/\1/p')
}

# get PATH_AND_QUERY: the status code, the Location header in $tmp/loc.
get() {
	curl -s -o /dev/null -D "$tmp/headers" -w '%{http_code}' --max-time 15 \
		"http://127.0.0.1:$port$1"
	sed -n 's/^[Ll]ocation: \(.*\)\r$/\1/p' "$tmp/headers" >"$tmp/loc"
}

# wait_exit PID SECONDS: its exit status, or 124 after SECONDS.
wait_exit() {
	local i
	for i in $(seq $(($2 * 10))); do
		kill -0 "$1" 2>/dev/null || { wait "$1"; return $?; }
		sleep 0.1
	done
	return 124
}

# --- sign-in: the good path, with refusals first ---
start_signin one --token-file "$tmp/state/token" --timeout 60
if [ ${#state} -eq 43 ] && [ ${#nonce} -eq 43 ] && [ -n "$port" ]; then
	pass "sign-in prints URL/acme/sign_in with a 43-character state and nonce and a loopback redirect_uri"
else
	fail "sign-in prints its URL (got '$url')"
	sed 's/^/#   /' "$tmp/one.err"
	exit 1
fi
code=$(get "/callback?state=$(b64url 32)&fragment=$frag")
[ "$code" = 400 ] && pass "a callback with a wrong state gets 400" ||
	fail "a callback with a wrong state gets 400 (got $code)"
code=$(get "/favicon.ico")
[ "$code" = 400 ] && pass "any other request gets 400" ||
	fail "any other request gets 400 (got $code)"
code=$(get "/callback?state=$state&fragment=fz1_short")
[ "$code" = 400 ] && pass "a callback without a valid fz1_ fragment gets 400" ||
	fail "a callback without a valid fz1_ fragment gets 400 (got $code)"
# A header that never ends: the agent drops it after 5 s and goes on.
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /callback?state=%s' "$state" >&3
sleep 0.3
kill -0 "$signin_pid" 2>/dev/null && [ ! -e "$tmp/state/token" ] &&
	pass "after the refusals sign-in still waits, and wrote nothing" ||
	fail "after the refusals sign-in still waits, and wrote nothing"
start=$(date +%s)
code=$(get "/callback?state=$state&fragment=$frag&account_slug=acme&actor_name=Bob+Smith")
loc=$(cat "$tmp/loc")
waited=$(($(date +%s) - start))
exec 3>&-
[ "$code" = 303 ] && [ "$loc" = "http://127.0.0.1:1/acme/signed_in" ] &&
	pass "the right callback gets 303 to URL/acme/signed_in (after a stalled connection, ${waited} s)" ||
	fail "the right callback gets 303 to URL/acme/signed_in (got $code, '$loc')"
wait_exit "$signin_pid" 10
status=$?
[ $status -eq 0 ] && pass "sign-in exits 0" || fail "sign-in exits 0 (got $status)"
grep -qx 'signed in to acme as Bob Smith (token in '"$tmp"'/state/token)' "$tmp/one.out" &&
	pass "sign-in says 'signed in to acme as Bob Smith (token in FILE)'" ||
	{ fail "sign-in says whom it signed in"; sed 's/^/#   /' "$tmp/one.out"; }
# The URL carries the SHA-256 of the nonce; the file, the nonce itself.
held=$(cat "$tmp/state/token" 2>/dev/null)
held_nonce=${held:0:43}
[ "${held:43}" = "$frag" ] && [ ${#held} -eq 113 ] &&
	[ "$(/usr/bin/python3 -c 'import base64,hashlib,sys
n = base64.urlsafe_b64decode(sys.argv[1] + "=")
print(base64.urlsafe_b64encode(hashlib.sha256(n).digest()).rstrip(b"=").decode())' "$held_nonce")" = "$nonce" ] &&
	pass "the token file holds nonce + fragment (113 characters), the URL only the nonce's SHA-256" ||
	fail "the token file holds nonce + fragment, the URL only the nonce's SHA-256"
[ "$(stat -c %a "$tmp/state/token" 2>/dev/null)" = 600 ] &&
	[ "$(stat -c %a "$tmp/state")" = 700 ] &&
	pass "the token file is 0600, its new directory 0700" ||
	fail "the token file is 0600, its new directory 0700"
! grep -qF -e "$frag" "$tmp/one.out" "$tmp/one.err" &&
	! grep -qF -e "$held_nonce" "$tmp/one.out" "$tmp/one.err" &&
	pass "neither the fragment nor the token is printed" ||
	fail "neither the fragment nor the token is printed"

token=$held

# --- sign-in: timeout, refusals ---
start_signin two --token-file "$tmp/two/token" --timeout 2
wait_exit "$signin_pid" 10
status=$?
[ $status -eq 1 ] && grep -q 'sign-in timed out' "$tmp/two.err" &&
	[ ! -e "$tmp/two/token" ] &&
	pass "sign-in with no callback times out: exit 1, 'sign-in timed out', nothing written" ||
	{ fail "sign-in times out (exit $status)"; sed 's/^/#   /' "$tmp/two.err"; }
check_fails "sign-in refuses plain http to a host that is not loopback" \
	"$fzagent" sign-in --portal http://portal.example --account acme \
	--no-browser --token-file "$tmp/x" --timeout 1
check_fails "sign-in refuses a bad account slug" \
	"$fzagent" sign-in --portal https://portal.example --account Acme \
	--no-browser --token-file "$tmp/x" --timeout 1
check_fails "sign-in refuses a token file it cannot write" \
	"$fzagent" sign-in --portal https://portal.example --account acme \
	--no-browser --token-file /proc/fz/token --timeout 1

# --- sign-out against a portal played by Python ---
cat >"$tmp/portal.py" <<'EOF'
import http.server, os, sys

class Portal(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        with open(sys.argv[1] + ".tmp", "w") as f:
            f.write("%s %s\n" % (self.path, self.headers.get("Authorization", "")))
        os.replace(sys.argv[1] + ".tmp", sys.argv[1])
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass

server = http.server.HTTPServer(("127.0.0.1", 0), Portal)
if len(sys.argv) > 3:  # CERT KEY: https
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[3], sys.argv[4])
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.replace(sys.argv[2] + ".tmp", sys.argv[2])
server.serve_forever()
EOF
"$py" "$tmp/portal.py" "$tmp/request" "$tmp/portal.port" &
portal_pid=$!
pids+=("$portal_pid")
for i in $(seq 50); do [ -s "$tmp/portal.port" ] && break; sleep 0.1; done
pport=$(cat "$tmp/portal.port")
chmod 644 "$tmp/state/token"
out=$("$fzagent" sign-out --portal "http://127.0.0.1:$pport" \
	--token-file "$tmp/state/token" 2>&1)
status=$?
[ $status -eq 1 ] && [[ $out == *"chmod 600"* ]] && [ -e "$tmp/state/token" ] &&
	[ ! -e "$tmp/request" ] &&
	pass "sign-out refuses a token file open to others (says chmod 600), sends nothing, keeps it" ||
	{ fail "sign-out refuses a token file open to others"; printf '%s\n' "$out" | sed 's/^/#   /'; }
chmod 600 "$tmp/state/token"
out=$(FZ_TOKEN_FILE=$tmp/state/token "$fzagent" sign-out \
	--portal "http://127.0.0.1:$pport/" 2>&1)
status=$?
[ $status -eq 0 ] && [ "$out" = "signed out (token revoked on the portal)" ] &&
	pass "sign-out (token file from \$FZ_TOKEN_FILE) exits 0: 'signed out (token revoked on the portal)'" ||
	{ fail "sign-out exits 0 (got $status)"; printf '%s\n' "$out" | sed 's/^/#   /'; }
[ "$(cat "$tmp/request" 2>/dev/null)" = "/api/v1/sign_out Bearer $token" ] &&
	pass "the portal got POST /api/v1/sign_out with Authorization: Bearer <the token>" ||
	{ fail "the portal got the token as bearer"; sed 's/^/#   /' "$tmp/request"; }
[ ! -e "$tmp/state/token" ] && pass "sign-out deleted the token file" ||
	fail "sign-out deleted the token file"
[[ $out != *"$frag"* ]] && pass "sign-out does not print the token" ||
	fail "sign-out does not print the token"

kill "$portal_pid"
wait "$portal_pid" 2>/dev/null
(umask 077 && printf '%s\n' "$token" >"$tmp/state/token")
out=$("$fzagent" sign-out --portal "http://127.0.0.1:$pport" \
	--token-file "$tmp/state/token" 2>&1)
status=$?
[ $status -eq 1 ] && [[ $out == *"token deleted here"*"the portal could not be told"* ]] &&
	[ ! -e "$tmp/state/token" ] &&
	pass "sign-out with the portal down: file deleted, exit 1, 'the portal could not be told'" ||
	{ fail "sign-out with the portal down (exit $status)"; printf '%s\n' "$out" | sed 's/^/#   /'; }
out=$("$fzagent" sign-out --portal "http://127.0.0.1:$pport" \
	--token-file "$tmp/state/token" 2>&1)
[ $? -eq 1 ] && [[ $out == *"not signed in"* ]] &&
	pass "sign-out without a token file says so and fails" ||
	fail "sign-out without a token file says so and fails"

# --- sign-out over TLS: the certificate is checked ---
if openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -days 1 \
	-keyout "$tmp/key.pem" -out "$tmp/cert.pem" >/dev/null 2>&1; then
	rm -f "$tmp/portal.port" "$tmp/request"
	"$py" "$tmp/portal.py" "$tmp/request" "$tmp/portal.port" \
		"$tmp/cert.pem" "$tmp/key.pem" &
	pids+=($!)
	for i in $(seq 50); do [ -s "$tmp/portal.port" ] && break; sleep 0.1; done
	pport=$(cat "$tmp/portal.port")
	(umask 077 && printf '%s\n' "$token" >"$tmp/state/token")
	out=$("$fzagent" sign-out --portal "https://127.0.0.1:$pport" \
		--token-file "$tmp/state/token" 2>&1)
	status=$?
	[ $status -eq 1 ] && [[ $out == *"could not be told"* ]] &&
		[ ! -e "$tmp/request" ] && [ ! -e "$tmp/state/token" ] &&
		pass "sign-out to a portal whose certificate no CA vouches for: nothing sent, file deleted, exit 1" ||
		{ fail "sign-out verifies the portal's certificate (exit $status)"; printf '%s\n' "$out" | sed 's/^/#   /'; }
	(umask 077 && printf '%s\n' "$token" >"$tmp/state/token")
	out=$(FZ_CA_FILE=$tmp/cert.pem "$fzagent" sign-out \
		--portal "https://127.0.0.1:$pport" --token-file "$tmp/state/token" 2>&1)
	status=$?
	[ $status -eq 0 ] && [ "$(cat "$tmp/request" 2>/dev/null)" = "/api/v1/sign_out Bearer $token" ] &&
		pass "sign-out over https with \$FZ_CA_FILE: the portal got the token, exit 0" ||
		{ fail "sign-out over https with \$FZ_CA_FILE (exit $status)"; printf '%s\n' "$out" | sed 's/^/#   /'; }
else
	fail "openssl makes a test certificate"
fi
ktap_done
