#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Sign-in codes by mail, the sending side: idp_smtp_send() (through
# build/tools/smtp_send) against a real MTA on loopback (mta.sh: Debian's
# exim4 with its own configuration, spool and mailbox under the test's
# directory). The mailbox must hold the message with the right headers
# and the code; header injection through the recipient or the subject is
# refused before anything is sent; a refusing, closed, silent or
# untrusted server gives a clear error within the timeout.
#   FZTOOLS=path/to/build/tools bash 76-smtp.sh
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../../selftests/lib/ktap.sh"
FZTOOLS=${FZTOOLS:-$here/../../build/tools}
PY=/usr/bin/python3
SEND=$FZTOOLS/smtp_send
MTA=$here/mta.sh
need openssl "$PY" runuser
[ -x "$SEND" ] || { fail "no $SEND (make -C portal tools)"; exit 1; }
[ -x /usr/sbin/exim4 ] || {
	fail "no exim4 (apt-get install exim4-daemon-light, .ci/install-deps.sh)"
	exit 1
}

dir=$(mktemp -d /tmp/fzportal-smtp-XXXXXX)
# exim runs as Debian-exim and must pass through it (not list it).
chmod 711 "$dir"
pids=()
cleanup() {
	local p
	"$MTA" stop "$dir/mta" 2>/dev/null
	"$MTA" stop "$dir/mtatls" 2>/dev/null
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
		{ wait "$p"; } 2>/dev/null
	done
	rm -rf "$dir"
}
trap cleanup EXIT

FROM=portal@example.com
port=$("$MTA" start "$dir/mta" 2>"$dir/mta.err")
check "mta.sh starts exim on 127.0.0.1 and prints its port ($port)" \
	test -n "$port" -a -s "$dir/mta/mta.pid"
[ -n "$port" ] || { sed 's/^/# /' "$dir/mta.err"; ktap_done; exit 1; }
URL=smtp://127.0.0.1:$port

send() { "$SEND" --url "$URL" --from "$FROM" --timeout-ms 5000 "$@"; }

# 1. A mail with a code; a lone "." line and a "From " line in the text
# (curl dot-stuffs, exim escapes; neither may cut the message short).
text=$'Hello,\n\nyour sign-in code is {code}.\n.\nFrom the portal, with care.\n'
code=$(send --to Alice@Example.ORG --subject "Your sign-in code" \
	--text "$text" 2>"$dir/err")
status=$?
check "smtp_send exits 0" test $status -eq 0
check "it printed the code it sent, 6 digits ($code)" \
	grep -Eqx '[0-9]{6}' <<<"$code"
"$MTA" wait-mail "$dir/mta" alice@example.org 10 >"$dir/m1" 2>"$dir/err"
check "the message is in the mailbox within 10 s" test -s "$dir/m1"
hdr() { sed -n '/^$/q;p' "$dir/m1" | grep -E "$1"; }
check "Envelope-to is the recipient as given" hdr '^Envelope-to: Alice@Example.ORG$'
check "Date: in RFC 5322 form, today, UTC" \
	hdr "^Date: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), $(date -u '+%d %b %Y') [0-9]{2}:[0-9]{2}:[0-9]{2} \+0000$"
check "From: $FROM" hdr "^From: $FROM$"
check "To: the recipient" hdr '^To: Alice@Example.ORG$'
check "Subject: as sent" hdr '^Subject: Your sign-in code$'
check "Message-ID: random, at the sender's domain" \
	hdr '^Message-ID: <[0-9a-f]{32}@example\.com>$'
check "MIME-Version: 1.0" hdr '^MIME-Version: 1\.0$'
check "Content-Type: text/plain; charset=utf-8" \
	hdr '^Content-Type: text/plain; charset=utf-8$'
check "the return path is the sender" hdr "^Return-path: <$FROM>$"
body=$(sed '1,/^$/d' "$dir/m1")
check "the body holds the code" grep -qx "your sign-in code is $code." <<<"$body"
check "a lone dot line came through, and what follows it" \
	bash -c 'grep -qx "\\." <<<"$1" && grep -q "the portal, with care" <<<"$1"' _ "$body"
check "the text has no {code} left" bash -c '! grep -qF "{code}" "$1"' _ "$dir/m1"
check "the mailbox lines are not CRLF (exim stored the message, not raw bytes)" \
	bash -c '! grep -q $'"'\r'"' "$1"' _ "$dir/m1"

# 2. A non-ASCII subject and text: encoded word and base64, decoded back.
subject='Votre code — équipe été'
send --to bob@example.org --subject "$subject" --text $'Zoë, code {code}\n' \
	>"$dir/code2" 2>"$dir/err"
"$MTA" wait-mail "$dir/mta" bob@example.org 10 >"$dir/m2" 2>/dev/null
decoded=$("$PY" - "$dir/m2" <<'PY'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print(m["subject"])
print(m.get_content().strip())
PY
)
check "a UTF-8 subject decodes back" test "$(sed -n 1p <<<"$decoded")" = "$subject"
check "a UTF-8 text decodes back, with its code" \
	test "$(sed -n 2p <<<"$decoded")" = "Zoë, code $(cat "$dir/code2")"

# 3. Header injection: refused before any connection, nothing delivered.
before_a=$("$MTA" count "$dir/mta" alice@example.org)
check_fails "a recipient with CRLF and a Bcc: header is refused" \
	send --to $'alice@example.org\r\nBcc: eve@evil.example' --subject s --text t
msg=$(send --to $'alice@example.org\r\nBcc: eve@evil.example' --subject s --text t 2>&1)
check "the error names the recipient address" grep -q "recipient address" <<<"$msg"
check_fails "a recipient with LF only is refused" \
	send --to $'alice@example.org\nBcc: eve@evil.example' --subject s --text t
check_fails "two recipients in one are refused" \
	send --to 'alice@example.org, eve@evil.example' --subject s --text t
check_fails "a subject with CRLF and a Bcc: header is refused" \
	send --to alice@example.org --subject $'hi\r\nBcc: eve@evil.example' --text t
msg=$(send --to alice@example.org --subject $'hi\r\nBcc: eve@evil.example' --text t 2>&1)
check "the error names the subject" grep -q "subject" <<<"$msg"
check_fails "a sender with CRLF is refused" \
	"$SEND" --url "$URL" --from $'portal@example.com\r\nX: y' \
	--to alice@example.org --subject s --text t
sleep 0.5
check "nothing more reached alice" \
	test "$("$MTA" count "$dir/mta" alice@example.org)" = "$before_a"
check "nothing reached eve" test "$("$MTA" count "$dir/mta" eve@evil.example)" = 0
check "exim never saw eve" bash -c '! grep -q "eve@evil" "$1"/mta/log/mainlog' _ "$dir"

# 4. Refusals by the server and the network, each clearly said and quick.
msg=$(send --to refused@example.org --subject s --text t 2>&1)
status=$?
check "a recipient the server refuses fails (exit $status)" test $status -eq 1
check "its error says RCPT and 550 ($msg)" grep -q "RCPT failed: 550" <<<"$msg"
closed=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start=$(date +%s%N)
msg=$("$SEND" --url "smtp://127.0.0.1:$closed" --from "$FROM" --to a@example.org \
	--subject s --text t --timeout-ms 3000 2>&1)
status=$?
check "a closed port fails (exit $status)" test $status -eq 1
check "its error says it could not connect ($msg)" grep -qi "connect" <<<"$msg"
# A server that takes the connection and never greets.
"$PY" -c '
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
print(s.getsockname()[1], flush=True)
held = []
while True:
    held.append(s.accept()[0])
' >"$dir/silent.port" &
pids+=($!)
for _ in $(seq 50); do [ -s "$dir/silent.port" ] && break; sleep 0.1; done
silent=$(cat "$dir/silent.port")
start=$(date +%s%N)
msg=$("$SEND" --url "smtp://127.0.0.1:$silent" --from "$FROM" --to a@example.org \
	--subject s --text t --timeout-ms 1500 2>&1)
status=$?
ms=$((($(date +%s%N) - start) / 1000000))
check "a silent server fails (exit $status)" test $status -eq 1
check "within the timeout (1.5 s; took $ms ms)" test $ms -lt 5000 -a $ms -ge 1400
check "its error says it timed out ($msg)" grep -qi "timed out\|timeout" <<<"$msg"

# 5. STARTTLS: taken when offered, the certificate verified.
tport=$("$MTA" start "$dir/mtatls" tls 2>"$dir/mta.err")
check "mta.sh starts a second exim offering STARTTLS ($tport)" test -n "$tport"
TURL=smtp://127.0.0.1:$tport
code=$("$SEND" --url "$TURL" --from "$FROM" --to carol@example.org \
	--ca-file "$dir/mtatls/tls/cert.pem" --subject "Code" \
	--text 'Code {code}' 2>"$dir/err")
check "with its certificate as CA file the mail goes" test -n "$code"
"$MTA" wait-mail "$dir/mtatls" carol@example.org 10 >"$dir/m3" 2>/dev/null
check "and arrives over TLS (esmtps)" grep -q "with esmtps" "$dir/m3"
check "with its code" grep -qx "Code $code" "$dir/m3"
msg=$("$SEND" --url "$TURL" --from "$FROM" --to carol@example.org \
	--subject s --text t 2>&1)
status=$?
check "against the system's CAs its self-signed certificate is refused" \
	test $status -eq 1
check "the error says certificate ($msg)" grep -qi "certificate" <<<"$msg"
msg=$(SMTP_PASSWORD=secret-pw send --to carol@example.org --user u \
	--subject s --text t 2>&1)
status=$?
check "a password is not sent to a server without STARTTLS (exit $status)" \
	test $status -eq 1
check "the error says TLS is required ($msg)" grep -q "TLS is required" <<<"$msg"
check "the password is in no error" bash -c '! grep -q secret-pw <<<"$1"' _ "$msg"

# 6. stop: the daemon is gone, the port closed.
pid=$(cat "$dir/mta/mta.pid")
"$MTA" stop "$dir/mta"
check "mta.sh stop ends exim" bash -c '! kill -0 "$1" 2>/dev/null ||
	[ "$(cut -d" " -f3 "/proc/$1/stat")" = Z ]' _ "$pid"
check "its port is closed" bash -c '! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null' _ "$port"
ktap_done
