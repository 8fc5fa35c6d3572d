#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The idp wing against a real OpenID Connect provider (npm oidc-provider,
# idp/idp.mjs, a fresh RS256 key each start): build/tools/idp_drive makes
# the authorization URL and exchanges the code, curl plays the browser in
# between (one cookie jar, no automatic redirects). Then the refusals:
# a replayed code, a wrong nonce, a wrong PKCE verifier, a wrong client
# secret, an expired id_token (ttl.IdToken negative), and a token signed
# by a second provider with another key (same kid) in the first one's name.
#   IDP_DRIVE=path/to/idp_drive bash 75-oidc-lib.sh
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../../selftests/lib/ktap.sh"
IDP_DRIVE=${IDP_DRIVE:-$here/../../build/tools/idp_drive}
PY=/usr/bin/python3
need node npm curl "$PY"

dir=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	rm -rf "$dir"
}
trap cleanup EXIT

if ! "$here/idp/install.sh" >"$dir/npm.log" 2>&1; then
	fail "npm ci for the test provider"
	sed 's/^/#   /' "$dir/npm.log" | tail -20
	exit 1
fi

client=fzportal
export FZ_IDP_CLIENT_SECRET=s3cret-$RANDOM
redirect=http://127.0.0.1:9/auth/oidc/callback

# start NAME ARGS...: a provider; its issuer in ${NAME}_iss, base URL in
# ${NAME}_base.
start() {
	local name=$1 line i
	shift
	node "$here/idp/idp.mjs" --client-id "$client" \
		--client-secret "$FZ_IDP_CLIENT_SECRET" --redirect-uri "$redirect" \
		"$@" >"$dir/$name.out" 2>"$dir/$name.err" &
	pids+=($!)
	for i in $(seq 100); do
		line=$(head -1 "$dir/$name.out")
		[ -n "$line" ] && break
		sleep 0.1
	done
	if [ -z "$line" ]; then
		fail "provider $name started"
		sed 's/^/#   /' "$dir/$name.err" | tail -20
		exit 1
	fi
	printf -v "${name}_iss" '%s' "$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["issuer"])' "$line")"
	printf -v "${name}_base" '%s' "http://127.0.0.1:$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["port"])' "$line")"
}

# authorize ISSUER: url, state, nonce and verifier from idp_drive.
authorize() {
	local out
	out=$("$IDP_DRIVE" authorize "$1" "$client" "$redirect") || return 1
	url=$(sed -n 's/^url=//p' <<<"$out")
	state=$(sed -n 's/^state=//p' <<<"$out")
	nonce=$(sed -n 's/^nonce=//p' <<<"$out")
	verifier=$(sed -n 's/^verifier=//p' <<<"$out")
}

# hop BASE URL [FORM]: one request (a POST with FORM), on BASE whatever
# host URL names; prints where it redirects to.
hop() {
	local u="$1/${2#http://*/}"
	curl -sS -o /dev/null -w '%{redirect_url}' -b "$jar" -c "$jar" \
		${3:+--data "$3"} "$u"
}

# browse BASE LOGIN: the browser's five steps from $url; sets code.
browse() {
	local u
	code= got_state=
	jar=$(mktemp "$dir/jar-XXXXXX")
	u=$(hop "$1" "$url") && u=$(hop "$1" "$u" "prompt=login&login=$2&password=x") &&
		u=$(hop "$1" "$u") && u=$(hop "$1" "$u" "prompt=consent") &&
		u=$(hop "$1" "$u") || return 1
	case $u in "$redirect?"*) ;; *) echo "ended at $u"; return 1 ;; esac
	code=$(sed -n 's/.*[?&]code=\([^&]*\).*/\1/p' <<<"$u")
	got_state=$(sed -n 's/.*[?&]state=\([^&]*\).*/\1/p' <<<"$u")
}

exchange() {
	"$IDP_DRIVE" exchange "$1" "$client" "$redirect" "$2" "$3" "$4" \
		>"$dir/claims" 2>"$dir/err"
}

# drive ARGS...: idp_drive ARGS, its messages in $dir/err.
drive() {
	"$IDP_DRIVE" "$@" >"$dir/claims" 2>"$dir/err"
}

# refused DESC MESSAGE CMD...: CMD fails and says MESSAGE.
refused() {
	local desc=$1 msg=$2
	shift 2
	if "$@"; then
		fail "$desc (it succeeded)"
	elif grep -qF -- "$msg" "$dir/err"; then
		pass "$desc: $(cat "$dir/err")"
	else
		fail "$desc (said: $(cat "$dir/err"))"
	fi
}

start A
start X --id-token-ttl -120
pass "two providers up: $A_iss, $X_iss"

authorize "$A_iss"
check "the authorization URL is made from A's discovery" test -n "$url"
check "it asks for code, S256 and our redirect_uri" \
	grep -q "^$A_base/auth?response_type=code&.*redirect_uri=http%3a%2f%2f127.0.0.1%3a9%2fauth%2foidc%2fcallback&.*code_challenge_method=S256$" <<<"$url"
browse "$A_base" alice >"$dir/browse" 2>&1
check "the browser steps end at the redirect_uri with a code and our state" \
	test -n "$code" -a "$got_state" = "$state"
check "the code is exchanged and the id_token verifies" \
	exchange "$A_iss" "$code" "$verifier" "$nonce"
check "sub is alice" grep -qx 'sub=alice' "$dir/claims"
check "email is alice@example.test, verified" \
	bash -c 'grep -qx email=alice@example.test "$1" && grep -qx email_verified=true "$1"' _ "$dir/claims"
check "name is User alice" grep -qx 'name=User alice' "$dir/claims"
refused "the same code again is refused" \
	"the provider refused the code: invalid_grant" \
	exchange "$A_iss" "$code" "$verifier" "$nonce"

authorize "$A_iss" && browse "$A_base" bob
refused "a wrong nonce is refused" "nonce mismatch" \
	exchange "$A_iss" "$code" "$verifier" "$("$IDP_DRIVE" authorize "$A_iss" "$client" "$redirect" | sed -n 's/^nonce=//p')"

authorize "$A_iss" && browse "$A_base" bob
# The last character changed (it was an A once in 64 runs, and the
# "wrong" verifier was then the right one).
wrong=${verifier%?}A
[ "$wrong" != "$verifier" ] || wrong=${verifier%?}B
refused "a wrong PKCE verifier is refused" \
	"the provider refused the code: invalid_grant" \
	exchange "$A_iss" "$code" "$wrong" "$nonce"

authorize "$A_iss" && browse "$A_base" bob
refused "a wrong client secret is refused" \
	"the provider refused the code: invalid_client" \
	env FZ_IDP_CLIENT_SECRET=wrong bash -c '"$@" >/dev/null 2>"$0"' \
	"$dir/err" "$IDP_DRIVE" exchange "$A_iss" "$client" "$redirect" "$code" "$verifier" "$nonce"

authorize "$X_iss" && browse "$X_base" carol
refused "an expired id_token is refused" "id_token expired" \
	exchange "$X_iss" "$code" "$verifier" "$nonce"

# B claims to be A, with its own key under A's kid: its tokens carry A's
# issuer but only B's key verifies them.
kid=$(curl -s "$A_base/jwks" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["keys"][0]["kid"])')
start B --issuer "$A_iss" --kid "$kid"
authorize "$A_iss" && browse "$B_base" mallory
check "B issues an id_token for A's issuer and A's kid" bash -c '
	curl -sf -u "$1:$2" -d grant_type=authorization_code --data-urlencode "code=$3" \
		--data-urlencode "redirect_uri=$4" -d "code_verifier=$5" "$6/token" >"$7"' _ \
	"$client" "$FZ_IDP_CLIENT_SECRET" "$code" "$redirect" "$verifier" "$B_base" "$dir/b.json"
token=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["id_token"])' "$dir/b.json" 2>/dev/null)
refused "B's id_token does not verify with A's keys" \
	"id_token signature does not verify" \
	drive verify "$A_iss" "$client" "$nonce" "$token"
ktap_done
