#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# browser.py, the real-browser driver of the page tests, against two
# small pages served over HTTPS on loopback: a form that POSTs to a
# handler answering 303 to a result page. Drives goto, fill, submit,
# wait_url, expect_text, text, headers, screenshot and eval; a failed
# expectation, a refused connection, a timeout and a SIGTERM each give a
# clear message and a non-zero exit and leave no Chromium behind; no
# socket of the browser leaves loopback; an alert does not block it.
# Chromium missing is a failure, not a skip. Seven browser runs, each
# 1.5 to 2.5 s on a two-core machine: 14 to 26 s at a load of 5 to 7,
# up to 32 s at 10.
#   bash 05-browser.sh
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../../selftests/lib/ktap.sh"
PY=/usr/bin/python3
need openssl ss ps "$PY"
# FZ_CHROMIUM, as for browser.py, names another binary.
if [ -n "${FZ_CHROMIUM:-}" ]; then
	command -v "$FZ_CHROMIUM" >/dev/null
else
	[ -x /usr/lib/chromium/chromium ] || command -v chromium >/dev/null
fi || {
	fail "chromium is missing (apt-get install chromium; .ci/install-deps.sh)"
	exit 1
}
if ! "$PY" -c 'import websockets' 2>/dev/null; then
	fail "python3-websockets for $PY (apt-get install python3-websockets)"
	exit 1
fi
B=$here/browser.py
ms() { echo $(($(date +%s%N) / 1000000)); }
secs() { local t=$(($(ms) - $1)); printf '%d.%03d' $((t / 1000)) $((t % 1000)); }
started=$(ms)

dir=$(mktemp -d /tmp/fz-browser-test-XXXXXX)
srv=
cleanup() {
	[ -n "$srv" ] && kill "$srv" 2>/dev/null && wait "$srv" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -days 2 \
	-keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null

cat >"$dir/server.py" <<'PY'
import http.server, ssl, sys, urllib.parse
d = sys.argv[1]
FORM = b"""<!doctype html><html><head><title>Sign in</title>
<script src="/app.js"></script></head><body>
<h1>Sign in</h1><form id="f" method="post" action="/login">
<input id="user" name="user"> <input id="pw" name="pw" type="password">
<button id="go" type="submit">Go</button></form></body></html>"""
# A form that submits itself, as an OIDC form_post response does.
AUTO = b"""<!doctype html><html><body><form id="f" method="post"
action="/login"><input name="user" value="carol"></form>
<script>document.getElementById("f").submit()</script></body></html>"""
RESULT = """<!doctype html><html><head><title>Signed in</title>
<script>console.log("inline ran")</script></head>
<body style="background: linear-gradient(#36c, #fc3)">
<h1 id="hello">Hello, %s</h1><a id="again" href="/form">Again</a>%s
</body></html>"""
class H(http.server.BaseHTTPRequestHandler):
    def send(self, code, body, ctype="text/html", extra=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        if u.path == "/form":
            self.send(200, FORM, extra=[("X-Test", "form")])
        elif u.path == "/auto":
            self.send(200, AUTO)
        elif u.path == "/app.js":
            self.send(200, b'console.log("app.js ran")', "text/javascript")
        elif u.path == "/result":
            user = urllib.parse.parse_qs(u.query).get("user", ["?"])[0]
            para = "".join("<p>Line %d of the result page.</p>" % i
                           for i in range(40))
            self.send(200, (RESULT % (user, para)).encode(), extra=[
                ("Content-Security-Policy", "default-src 'none'"),
                ("Set-Cookie", "sid=s3cr3t; Path=/; Secure; HttpOnly; "
                 "SameSite=Lax")])
        else:
            self.send(404, b"no")
    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(n).decode()
        with open(d + "/posts", "a") as f:
            f.write(body + "\n")
        user = urllib.parse.parse_qs(body).get("user", ["?"])[0]
        self.send_response(303)
        self.send_header("Location", "/result?user=" +
                         urllib.parse.quote(user))
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
c.load_cert_chain(d + "/cert.pem", d + "/key.pem")
s.socket = c.wrap_socket(s.socket, server_side=True)
open(d + "/port.tmp", "w").write(str(s.server_address[1]))
__import__("os").rename(d + "/port.tmp", d + "/port")
s.serve_forever()
PY
"$PY" "$dir/server.py" "$dir" 2>"$dir/server.err" &
srv=$!
for _ in $(seq 100); do [ -s "$dir/port" ] && break; sleep 0.05; done
port=$(cat "$dir/port" 2>/dev/null)
check "the test server listens" test -n "$port"
base=https://127.0.0.1:$port

# gone PROFILE: no process of the browser left (its profile directory
# is in the arguments of every Chromium process, and of the crash
# handler that leaves the process group), and the directory removed.
gone() {
	[ -n "$1" ] || { echo "no profile directory named"; return 1; }
	! ps -eo pid=,args= | grep -F -- "$1" | grep -v grep &&
		[ ! -e "$1" ]
}
profile_of() { sed -n 's/^# browser profile //p' "$1"; }
# shows FILE when no line matches ERE: a failed check says what came.
has_line() { grep -Eq "$1" "$2" || { cat "$2"; false; }; }

# The main run, in the background: ss sampled meanwhile, every socket
# of the browser's process group must stay on loopback.
t0=$(ms)
"$PY" "$B" --log "$dir/log" "[
	[\"goto\", \"$base/form\"],
	[\"expect_text\", \"Sign in\"],
	[\"fill\", \"#user\", \"alice\"],
	[\"fill\", \"#pw\", \"pa ss\"],
	[\"submit\", \"#f\"],
	[\"wait_url\", \"/result\\\\?user=alice$\", 5],
	[\"expect_text\", \"Hello, alice\"],
	[\"text\", \"#hello\"],
	[\"headers\"],
	[\"screenshot\", \"$dir/shots/result.png\"],
	[\"eval\", \"document.cookie\"],
	[\"expect_eval\", \"document.title === 'Signed in'\"],
	[\"click\", \"#again\"],
	[\"expect_no_text\", \"Hello\"],
	[\"fill\", \"#user\", \"bob\"],
	[\"submit\", \"#go\"],
	[\"expect_text\", \"Hello, bob\"],
	[\"eval\", \"alert('an alert'); 42\"],
	[\"goto\", \"$base/auto\"],
	[\"expect_text\", \"Hello, carol\"],
	[\"sleep\", 0.5]
]" >"$dir/out" 2>"$dir/err" &
run=$!
pgid=
: >"$dir/ss"
while kill -0 $run 2>/dev/null; do
	[ -z "$pgid" ] && pgid=$(sed -n 's/^# browser pid //p' "$dir/out" 2>/dev/null)
	if [ -n "$pgid" ]; then
		for p in $(ps -o pid= -g "$pgid"); do
			ss -tunapH 2>/dev/null | grep -F "pid=$p," >>"$dir/ss"
		done
	fi
	sleep 0.2
done
wait $run
status=$?
diag "the main run (21 steps, three sign-ins) took $(secs "$t0") s"
check "the run exits 0" test $status -eq 0
[ $status -eq 0 ] || sed 's/^/#   /' "$dir/out" "$dir/err" | grep -v '^#   ok' | head -20
check "every step printed ok (21)" test "$(grep -c '^ok [0-9]' "$dir/out")" -eq 21
check "goto waits through a form that submits itself" \
	grep -qx "ok 19 goto: $base/result?user=carol (200)" "$dir/out"
check "the final URL is carol's result page" \
	grep -qx "final-url $base/result?user=carol" "$dir/out"
check "the browser's own stderr is in the log directory" \
	test -f "$dir/log/chromium.log"
check "the final URL is in the log too" \
	grep -qx "$base/result?user=carol" "$dir/log/final-url.txt"
check "the form was POSTed with what was typed" \
	grep -qx 'user=alice&pw=pa+ss' "$dir/posts"
check "click followed the link and waited for its page" \
	grep -qx "ok 13 click: $base/form (200)" "$dir/out"
check "the clicked button posted too" grep -q '^user=bob&' "$dir/posts"
check "wait_url saw the URL after the 303" \
	grep -qx "ok 6 wait_url: $base/result?user=alice" "$dir/out"
check "text prints the element's text" grep -qx 'ok 8 text: Hello, alice' "$dir/out"
hdr=$(sed -n 's/^ok 9 headers: //p' "$dir/out")
check "headers: the document's status and URL" "$PY" -c '
import json, sys; h = json.loads(sys.argv[1])
assert h["status"] == 200 and h["url"].endswith("/result?user=alice"), h' "$hdr"
check "headers: its CSP and its Set-Cookie" "$PY" -c '
import json, sys; h = json.loads(sys.argv[1])["headers"]
assert h["content-security-policy"] == "default-src '"'none'"'", h
assert "HttpOnly" in h["set-cookie"], h' "$hdr"
png=$dir/shots/result.png
check "the screenshot is a PNG" \
	test "$(head -c 8 "$png" | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a
check "of the full page, taller than the window (768)" "$PY" -c '
import struct, sys; d = open(sys.argv[1], "rb").read(24)
assert struct.unpack(">II", d[16:24])[1] > 768' "$png"
check "of more than 1 KB ($(stat -c %s "$png" 2>/dev/null) bytes)" \
	test "$(stat -c %s "$png")" -gt 1024
check "the HttpOnly cookie is not visible to the page" \
	grep -qx 'ok 11 eval: ""' "$dir/out"
check "requests.txt lists the form, its script, the POST, the result" \
	bash -c "grep -qx '$base/form' '$dir/log/requests.txt' &&
		grep -qx '$base/app.js' '$dir/log/requests.txt' &&
		grep -qx '$base/login' '$dir/log/requests.txt' &&
		grep -qx '$base/result?user=alice' '$dir/log/requests.txt'"
check "requests.jsonl: the POST, then the GET the 303 led to, with its Referer" \
	"$PY" -c '
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
i = next(i for i, x in enumerate(r) if x["method"] == "POST")
assert r[i]["url"].endswith("/login") and r[i]["type"] == "Document", r[i]
n = r[i + 1]
assert n["method"] == "GET" and n["redirected_by"] == 303, n
assert n["url"].endswith("/result?user=alice"), n
assert n["referer"].endswith("/form"), n' "$dir/log/requests.jsonl"
check "every request went to the test server" \
	bash -c "! grep -v '^$base/' '$dir/log/requests.txt'"
check "console.txt has app.js's message" \
	grep -q 'console.log: app.js ran' "$dir/log/console.txt"
check "and the CSP's refusal of the inline script" \
	grep -q "inline script violates .*Content Security Policy" "$dir/log/console.txt"
check "an alert does not block the page: accepted, logged" \
	bash -c "grep -qx 'ok 18 eval: 42' '$dir/out' &&
		grep -qx 'dialog.alert: an alert' '$dir/log/console.txt'"
check "no inline script ran under the CSP" \
	bash -c "! grep -q 'inline ran' '$dir/log/console.txt'"
check "the browser's sockets were sampled ($(wc -l <"$dir/ss") lines)" \
	test -s "$dir/ss"
# Local and peer addresses: loopback, or the peer of a listening socket.
check "none of them left loopback" bash -c "! awk '{ print \$5; print \$6 }' '$dir/ss' |
	grep -Ev '^(127\\.[0-9.]+|\\[::1\\]|\\[::ffff:127\\.[0-9.]+\\]):[0-9]+$' |
	grep -Evx '(0\\.0\\.0\\.0|\\[::\\]|\\*):\\*'"
check "no Chromium is left after the run" gone "$(profile_of "$dir/out")"

# --resolve maps a name to loopback; every other name resolves nowhere.
# The run ends with a fill of an element that is not there.
out=$("$PY" "$B" --resolve portal.test=127.0.0.1 "[
	[\"goto\", \"https://portal.test:$port/form\"],
	[\"expect_text\", \"Sign in\"],
	[\"fill\", \"#nope\", \"x\", 0.5]]" 2>&1)
check "--resolve: a name mapped to 127.0.0.1 loads" \
	grep -qx "ok 2 expect_text: Sign in" <<<"$out"
check "a missing element is named" \
	grep -Fqx "not ok 3 fill #nope x 0.5: expected an element matching '#nope', found none (at https://portal.test:$port/form)" <<<"$out"
check "the final URL is there" \
	grep -qx "final-url https://portal.test:$port/form" <<<"$out"

# A failed expectation: exit 1, the step, what was expected, what was
# found and where, and no Chromium left.
"$PY" "$B" "[[\"goto\", \"$base/form\"],
	[\"expect_text\", \"Welcome back\", 0.5]]" \
	>"$dir/fail.out" 2>&1
status=$?
check "a failed expect_text exits 1" test $status -eq 1
check "and says which step, what it expected, what it found, where" \
	has_line "^not ok 2 expect_text Welcome back 0.5: expected the page to contain 'Welcome back', its text is 'Sign in.*' \\(at $base/form\\)$" \
	"$dir/fail.out"
check "it still prints the final URL" grep -qx "final-url $base/form" "$dir/fail.out"
check "no Chromium is left after the failed run" gone "$(profile_of "$dir/fail.out")"

"$PY" "$B" "[[\"goto\", \"$base/form\"],[\"wait_url\", \"/nowhere\", 0.5]]" \
	>"$dir/wait.out" 2>&1
check "a wait_url that times out says what URL it saw" has_line \
	"^not ok 2 wait_url /nowhere 0.5: expected the URL to match '/nowhere', it is $base/form \\(at $base/form\\)$" \
	"$dir/wait.out"

# A refused connection (the port of a closed socket).
dead=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
out=$("$PY" "$B" "[[\"goto\", \"https://127.0.0.1:$dead/\"]]" 2>&1)
status=$?
check "a refused goto exits 1" test $status -eq 1
check "with the network error" \
	grep -q "^not ok 1 goto .*: expected .* to load, got net::ERR_CONNECTION_REFUSED" <<<"$out"

# The whole-run timeout, then SIGTERM: the browser goes either way.
"$PY" "$B" --timeout 1 '[["sleep", 30]]' \
	>"$dir/to.out" 2>&1
status=$?
check "--timeout stops a hung run with 124" test $status -eq 124
check "and says where it struck" has_line \
	'^not ok browser.py: timeout after 1 s in (start-up|step 1 \(sleep 30\))$' "$dir/to.out"
check "no Chromium is left after the timeout" gone "$(profile_of "$dir/to.out")"

"$PY" "$B" "[[\"goto\", \"$base/form\"], [\"sleep\", 30]]" >"$dir/term.out" 2>&1 &
run=$!
for _ in $(seq 100); do grep -q '^ok 1' "$dir/term.out" && break; sleep 0.1; done
kill -TERM $run
wait $run
status=$?
check "SIGTERM ends the run with 143" test $status -eq 143
check "no Chromium is left after SIGTERM" gone "$(profile_of "$dir/term.out")"

out=$(FZ_CHROMIUM=/nonexistent/chromium "$PY" "$B" '[["sleep", 0]]' 2>&1)
status=$?
check "no browser binary is an error (exit 3), not a skip" test $status -eq 3
check "that says chromium is missing" \
	grep -q '^not ok browser.py: RuntimeError: chromium is not installed' <<<"$out"
check_fails "a script with an unknown step is refused" \
	"$PY" "$B" '[["frobnicate", "x"]]'
check_fails "a step with too few arguments is refused" "$PY" "$B" '[["fill", "#a"]]'

diag "05-browser took $(secs "$started") s"
ktap_done
