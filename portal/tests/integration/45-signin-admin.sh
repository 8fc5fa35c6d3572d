#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The administration of sign-in (SIGNIN.md) through the CLI and REST:
# providers (the client secret read from a file or stdin, never printed
# back: not by list, show, --json, the audit log nor REST), the account's
# self_signup and token lifetime bounds, sessions (list, revoke), and
# POST /api/v1/sign_out with a signed-in client token closing that
# client's socket (signout.py). The database and the secret file stay
# mode 0600. Every wait has a timeout; the server is killed on exit.
#   FZPORTAL=path/to/fzportal bash 45-signin-admin.sh
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../../selftests/lib/ktap.sh"
. "$here/lib.sh"
FZPORTAL=${FZPORTAL:-$here/../../fzportal}
PY=/usr/bin/python3
need openssl curl sqlite3 timeout "$PY"

dir=$(mktemp -d /tmp/fzportal-signin-XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
export FZPORTAL_DB=$dir/fz.db
unset FZPORTAL_ACCOUNT
SECRET=Zq9-never-printed-4711
adm() { timeout 10 "$FZPORTAL" admin "$@"; }
mode() { stat -c %a "$1"; }
jget() { "$PY" -c 'import json,sys; o=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"; }

T=$("$FZPORTAL" init --account acme --db "$FZPORTAL_DB" --admin alice 2>/dev/null)
check "init gave an API token" test -n "$T"
check "the database is mode 0600" test "$(mode "$FZPORTAL_DB")" = 600

umask 077
printf '%s\n' "$SECRET" >"$dir/secret"
check "the secret file is mode 0600" test "$(mode "$dir/secret")" = 600

# --- providers through the CLI
out=$(adm provider add google --issuer https://accounts.example \
	--client-id portal-1 --client-secret-file "$dir/secret" 2>&1)
check "provider add with --client-secret-file" grep -q '(set)' <<<"$out"
check "provider add does not print the secret" bash -c '! grep -q "$1" <<<"$2"' _ "$SECRET" "$out"
check "the stored secret is the file's, without its newline" \
	test "$(sqlite3 "$FZPORTAL_DB" "SELECT client_secret FROM providers WHERE name = 'google'")" = "$SECRET"
out=$(printf 'from-stdin' | adm provider add local --issuer http://127.0.0.1:9/ \
	--client-id c2 --client-secret-file - --link-by-email --scopes "openid email" 2>&1)
check "provider add reads the secret from stdin (-)" grep -q '(set)' <<<"$out"
check "and http to loopback is an issuer" \
	test "$(sqlite3 "$FZPORTAL_DB" "SELECT client_secret FROM providers WHERE name = 'local'")" = from-stdin
check_fails "no --client-secret (argv) option exists" \
	adm provider add x --issuer https://x.example --client-id c --client-secret "$SECRET"
check_fails "an http issuer elsewhere is refused" \
	adm provider add x --issuer http://x.example --client-id c --client-secret-file "$dir/secret"
check_fails "scopes without openid are refused" \
	adm provider add x --issuer https://x.example --client-id c --client-secret-file "$dir/secret" --scopes email
check_fails "a missing secret file is refused" \
	adm provider add x --issuer https://x.example --client-id c --client-secret-file "$dir/none"
check "a refused add added nothing" \
	test "$(sqlite3 "$FZPORTAL_DB" "SELECT count(*) FROM providers")" = 2
list=$(adm provider list)
check "provider list names both" bash -c 'grep -q google <<<"$1" && grep -q local <<<"$1"' _ "$list"
for cmd in "provider list" "--json provider list" "provider show google" \
	"--json provider show local" "--json audit list"; do
	out=$(adm $cmd 2>&1)
	check "'$cmd' has no secret" bash -c '! grep -q -e "$1" -e from-stdin <<<"$2"' _ "$SECRET" "$out"
done
check "the changes feed has no secret" \
	test "$(sqlite3 "$FZPORTAL_DB" "SELECT count(*) FROM changes WHERE data LIKE '%$SECRET%' OR data LIKE '%from-stdin%'")" = 0
check "provider update" adm provider update local --disabled --no-link-by-email
check "the provider is disabled" \
	test "$(sqlite3 "$FZPORTAL_DB" "SELECT disabled_at IS NOT NULL FROM providers WHERE name = 'local'")" = 1
check "provider --help names its verbs" bash -c \
	'"$1" admin provider --help | grep -q "provider remove ID"' _ "$FZPORTAL"
check "provider add --help names --client-secret-file" bash -c \
	'"$1" admin provider add --help | grep -q -- "--client-secret-file FILE|-"' _ "$FZPORTAL"
check "provider remove" adm provider remove local
check "the secret file is still mode 0600" test "$(mode "$dir/secret")" = 600
check "the database is still mode 0600" test "$(mode "$FZPORTAL_DB")" = 600
for f in "$FZPORTAL_DB"-wal "$FZPORTAL_DB"-shm; do
	[ -e "$f" ] && check "$(basename "$f") is mode 0600" test "$(mode "$f")" = 600
done

# --- the account's sign-in settings
check "account update --self-signup on" adm account update --self-signup on
check "self_signup is on" \
	test "$(sqlite3 "$FZPORTAL_DB" "SELECT self_signup FROM accounts")" = 1
check_fails "--self-signup takes on or off only" adm account update --self-signup yes
check_fails "a client token lifetime under 1h is refused" \
	adm account update --client-token-ttl 30m
check_fails "a client token lifetime over 90d is refused" \
	adm account update --client-token-ttl 91d
check "account update --self-signup off --client-token-ttl 12h" \
	adm account update --self-signup off --client-token-ttl 12h

# --- sessions through the CLI
adm actor create --name carol --email carol@example.org >/dev/null
adm client-token create --actor carol --name laptop >/dev/null 2>&1
out=$(adm session list --actor carol)
check "session list shows carol's client token" grep -q laptop <<<"$out"
check_fails "session list needs --actor" adm session list
check_fails "session revoke needs an id or --actor" adm session revoke
sid=$(sqlite3 "$FZPORTAL_DB" "SELECT id FROM tokens WHERE name = 'laptop'")
check "session revoke ID" adm session revoke "$sid"
check "the token is gone" \
	test "$(sqlite3 "$FZPORTAL_DB" "SELECT count(*) FROM tokens WHERE id = '$sid'")" = 0
check "its delete is in the change feed" \
	test "$(sqlite3 "$FZPORTAL_DB" "SELECT count(*) FROM changes WHERE entity = 'token' AND op = 'delete' AND object_id = '$sid'")" = 1

# --- the server: REST and sign_out
portal_cert "$dir"
if ! portal_serve "$dir" "$dir/serve.log" --db "$FZPORTAL_DB" --heartbeat-interval 1; then
	fail "fzportal serve --db started"
	exit 1
fi
pid=$PORTAL_PID
port=$PORTAL_PORT
pass "fzportal serve --db listens on 127.0.0.1:$port"
U=https://127.0.0.1:$port/api/v1

# api METHOD PATH [JSON]: sets $code and $body.
api() {
	local m=$1 p=$2 data=$3 args=(-H "Authorization: Bearer $T")
	[ -n "$data" ] && args+=(-H 'Content-Type: application/json' --data-binary "$data")
	code=$(curl -sS --max-time 5 --cacert "$dir/cert.pem" -o "$dir/body" \
		-w '%{http_code}' -X "$m" "${args[@]}" "$U$p")
	body=$(cat "$dir/body")
}
api POST /providers '{"name":"okta","issuer":"https://okta.example","client_id":"c3","client_secret":"rest-secret-99"}'
check "POST /providers: 201" test "$code" = 201
check "the answer has no secret" bash -c '! grep -q rest-secret <<<"$1"' _ "$body"
pid_okta=$(jget "$body" 'o["id"]')
api GET /providers
check "GET /providers: 200, no secret" bash -c \
	'test "$1" = 200 && ! grep -q -e rest-secret -e "$3" <<<"$2" && grep -q "(set)" <<<"$2"' \
	_ "$code" "$body" "$SECRET"
api PATCH "/providers/$pid_okta" '{"scopes":"openid"}'
check "PATCH /providers/ID: 200" test "$code" = 200
api PATCH "/providers/$pid_okta" '{"issuer":"http://okta.example"}'
check "PATCH with an http issuer: 400" test "$code" = 400
api GET "/providers/$pid_okta"
check "GET /providers/ID: scopes changed" test "$(jget "$body" 'o["scopes"]')" = openid
api GET "/sessions?actor_id=carol"
check "GET /sessions?actor_id=: 200, a list" bash -c 'test "$1" = 200 && test "${2:0:1}" = "["' _ "$code" "$body"
api GET /sessions
check "GET /sessions without actor_id: 400" test "$code" = 400
adm client-token create --actor carol --name phone >/dev/null 2>&1
sid=$(sqlite3 "$FZPORTAL_DB" "SELECT id FROM tokens WHERE name = 'phone'")
api DELETE "/sessions/$sid"
check "DELETE /sessions/ID: 200" test "$code" = 200
check "the token is gone" \
	test "$(sqlite3 "$FZPORTAL_DB" "SELECT count(*) FROM tokens WHERE id = '$sid'")" = 0
api DELETE "/sessions/$sid"
check "DELETE it again: 404" test "$code" = 404
api DELETE "/providers/$pid_okta"
check "DELETE /providers/ID: 200" test "$code" = 200
code=$(curl -sS --max-time 5 --cacert "$dir/cert.pem" -o /dev/null -w '%{http_code}' \
	-X POST -d "" -H "Authorization: Bearer $T" "$U/sign_out")
check "sign_out with an API token: 401" test "$code" = 401
code=$(curl -sS --max-time 5 --cacert "$dir/cert.pem" -o /dev/null -w '%{http_code}' \
	-H "Authorization: Bearer $T" "$U/sign_out")
check "GET sign_out: 405" test "$code" = 405
check "the API token still works after that" bash -c \
	'curl -sSf --max-time 5 --cacert "$1" -H "Authorization: Bearer $2" "$3/providers" >/dev/null' \
	_ "$dir/cert.pem" "$T" "$U"

run_probe timeout 60 "$PY" "$here/signout.py" "wss://127.0.0.1:$port" \
	"$dir/cert.pem" "$FZPORTAL_DB" "$FZPORTAL" carol
if grep -q 'fz1_' "$dir/serve.log"; then
	fail "no token appears in the log"
else
	pass "no token appears in the log"
fi
kill -TERM "$pid"
for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
	fail "serve stops on SIGTERM"
else
	wait "$pid" && pass "serve stops on SIGTERM with status 0" ||
		fail "serve exit status"
fi
pid=
ktap_done
