#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Sign-in through OpenID Connect, end to end on loopback: `fzagent
# sign-in` against `fzportal serve`, a real OpenID provider (npm
# oidc-provider, a fresh RS256 key each run, PKCE required) and the
# browser's part scripted over HTTP (signin.py browse). The resulting
# token joins the client socket. Then every refusal: an unknown user, a
# wrong state, a replayed code, and a provider that lies (signin.py
# evil-idp): alg none, HS256 keyed with its public key, another key, an
# expired token, a wrong nonce, audience or issuer.
#   FZPORTAL=path/to/fzportal FZAGENT=path/to/fzagent bash 80-oidc.sh
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../../selftests/lib/ktap.sh"
. "$here/lib.sh"
FZPORTAL=${FZPORTAL:-$here/../../fzportal}
FZAGENT=${FZAGENT:-$here/../../../agent/fzagent}
PY=/usr/bin/python3
need openssl sqlite3 node "$PY"
if ! "$PY" -c 'import websockets, cryptography' 2>/dev/null; then
	fail "python3-websockets and python3-cryptography for $PY"
	exit 1
fi
if ! bash "$here/idp/install.sh" >/dev/null 2>&1; then
	fail "oidc-provider installs (npm ci in tests/integration/idp)"
	exit 1
fi

dir=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$dir"
}
trap cleanup EXIT
export FZPORTAL_DB=$dir/fz.db FZPORTAL_ACCOUNT=acme
adm() { timeout 10 "$FZPORTAL" admin "$@"; }

portal_cert "$dir"
check "fzportal init makes the database" \
	timeout 10 "$FZPORTAL" init --account acme --db "$FZPORTAL_DB"
check "alice is a user with a verified-looking email" \
	adm actor create --name alice --email alice@example.test

# The portal first: the provider must know its redirect URI, port and all.
if ! portal_serve "$dir" "$dir/serve.log" --db "$FZPORTAL_DB"; then
	fail "fzportal serve started"
	exit 1
fi
pids+=("$PORTAL_PID")
port=$PORTAL_PORT
portal=https://127.0.0.1:$port
pass "fzportal serve listens on $portal"

secret=$(openssl rand -hex 24)
node "$here/idp/idp.mjs" --port 0 --client-id fzportal \
	--client-secret "$secret" \
	--redirect-uri "$portal/auth/oidc/callback" >"$dir/idp.out" 2>"$dir/idp.err" &
pids+=($!)
issuer=
for i in $(seq 100); do
	issuer=$("$PY" -c 'import json,sys
for l in open(sys.argv[1]):
    try: print(json.loads(l)["issuer"]); break
    except Exception: pass' "$dir/idp.out" 2>/dev/null)
	[ -n "$issuer" ] && break
	sleep 0.1
done
if [ -z "$issuer" ]; then
	fail "oidc-provider started"
	sed 's/^/#   /' "$dir/idp.err" | tail -20
	exit 1
fi
pass "oidc-provider listens at $issuer"

printf '%s\n' "$secret" >"$dir/secret"
chmod 600 "$dir/secret"
check "provider add (secret from a file)" adm provider add Test \
	--issuer "$issuer" --client-id fzportal \
	--client-secret-file "$dir/secret" --link-by-email
if adm provider list | grep -q "$secret"; then
	fail "provider list does not show the client secret"
else
	pass "provider list does not show the client secret"
fi

# sign_in STEM LOGIN EXPECT [BROWSE-OPTIONS]: fzagent sign-in, the
# browser's part, its end.
sign_in() {
	local stem=$1 login=$2 expect=$3 url agent
	shift 3
	rm -f "$dir/$stem.token"
	FZ_TOKEN_FILE=$dir/$stem.token timeout 60 "$FZAGENT" sign-in \
		--portal "$portal" --account acme --no-browser --timeout 50 \
		>"$dir/$stem.agent" 2>&1 &
	agent=$!
	pids+=($agent)
	url=
	for i in $(seq 100); do
		url=$(grep -o 'https://[^ ]*/sign_in?[^ ]*' "$dir/$stem.agent" | head -1)
		[ -n "$url" ] && break
		sleep 0.1
	done
	if [ -z "$url" ]; then
		fail "$stem: fzagent sign-in prints a sign-in URL"
		sed 's/^/#   /' "$dir/$stem.agent"
		return 1
	fi
	"$PY" "$here/signin.py" browse "$dir/cert.pem" "$url" "$login" \
		--expect-page "$expect" "$@" >"$dir/$stem.browse" 2>&1
	local rc=$?
	if [ "$expect" = "Signed in" ]; then
		wait "$agent"
		echo "exit=$?" >>"$dir/$stem.agent"
	else
		kill "$agent" 2>/dev/null
		wait "$agent" 2>/dev/null
	fi
	return $rc
}

show() { sed 's/^/#   /' "$dir/$1.browse" "$dir/$1.agent" | tail -30; }

if sign_in alice alice "Signed in"; then
	pass "alice signs in through the provider (linked by her email)"
else
	fail "alice signs in through the provider (linked by her email)"
	show alice
fi
check "fzagent sign-in exits 0 and says who" \
	grep -q 'exit=0' "$dir/alice.agent"
check "the token file is root-only" \
	test "$(stat -c %a "$dir/alice.token" 2>/dev/null)" = 600
check "the token is nonce + fragment (113 characters)" \
	test "$(tr -d '\n' <"$dir/alice.token" | wc -c)" = 113
check "one identity for alice at the provider" test "$(sqlite3 "$FZPORTAL_DB" \
	"SELECT count(*) FROM identities i JOIN actors a ON a.id = i.actor_id
	 WHERE a.name = 'alice'")" = 1
check "a client token of alice that expires in 7 days" test "$(sqlite3 "$FZPORTAL_DB" \
	"SELECT count(*) FROM tokens t JOIN actors a ON a.id = t.actor_id
	 WHERE a.name = 'alice' AND t.kind = 'client' AND t.identity_id IS NOT NULL
	 AND abs(t.expires_at - t.created_at - 604800000000000) < 10000000000")" = 1
check "the token joins the client socket" timeout 20 "$PY" "$here/signin.py" \
	join "wss://127.0.0.1:$port" "$dir/cert.pem" "$dir/alice.token"
if sign_in alice2 alice "Signed in" --provider Test --replay; then
	pass "a second sign-in finds alice by (provider, subject); its code replayed is refused"
else
	fail "a second sign-in finds alice by (provider, subject)"
	show alice2
fi
check "still one identity for alice" test "$(sqlite3 "$FZPORTAL_DB" \
	"SELECT count(*) FROM identities")" = 1
check_fails "a provider with identities keeps its issuer (another's subjects must not inherit them)" \
	adm provider update Test --issuer https://other.example.com

if sign_in mallory mallory "Unknown user"; then
	pass "an unknown user is refused (no self-registration)"
else
	fail "an unknown user is refused (no self-registration)"
	show mallory
fi
check "no actor was made for mallory" test "$(sqlite3 "$FZPORTAL_DB" \
	"SELECT count(*) FROM actors WHERE name LIKE '%mallory%'")" = 0

# A state that no flow of this browser has: refused, whatever the code.
status=$(curl -s -o "$dir/wrong.html" -w '%{http_code}' --cacert "$dir/cert.pem" \
	"$portal/auth/oidc/callback?code=abc&state=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
check "a callback with a wrong state is refused (400, Wrong state)" \
	sh -c "[ $status = 400 ] && grep -q 'Wrong state' '$dir/wrong.html'"

# A provider that lies: each of its tokens must be refused.
"$PY" "$here/signin.py" evil-idp "$dir/evil.port" 2>"$dir/evil.err" &
pids+=($!)
for i in $(seq 50); do [ -s "$dir/evil.port" ] && break; sleep 0.1; done
check "provider add (a lying one)" adm provider add Evil \
	--issuer "http://127.0.0.1:$(cat "$dir/evil.port")" --client-id evil \
	--client-secret-file "$dir/secret" --link-by-email
if sign_in evil-good good "Signed in" --provider Evil; then
	pass "its honest token signs alice in (the lies below are the only difference)"
else
	fail "its honest token signs alice in (the lies below are the only difference)"
	show evil-good
fi
for mode in none hs256 otherkey expired wrongnonce wrongaud wrongiss; do
	if sign_in "evil-$mode" "$mode" "Sign-in refused" --provider Evil; then
		pass "an id_token with $mode is refused: $(sed -n 's/^error: //p' "$dir/evil-$mode.browse")"
	else
		fail "an id_token with $mode is refused"
		show "evil-$mode"
	fi
	check "  and no token was made for it" test ! -s "$dir/evil-$mode.token"
done
check "the refusals are logged with their reason" \
	grep -q 'signin_refused' "$dir/serve.log"
if grep -qE 'fz1_|code=[A-Za-z0-9_-]{20}' "$dir/serve.log"; then
	fail "no token or code appears in the portal's log"
else
	pass "no token or code appears in the portal's log"
fi
kill -TERM "${pids[0]}"
for i in $(seq 50); do kill -0 "${pids[0]}" 2>/dev/null || break; sleep 0.1; done
check "SIGTERM stops the portal" sh -c "! kill -0 ${pids[0]} 2>/dev/null"
ktap_done
