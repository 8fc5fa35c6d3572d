#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The REST API through `fzportal serve --db` on loopback: every
# collection and verb with curl, the auth codes (401 without or with a
# bad token, 403 for a member's), 404, 405, 409, 413, 415, changes and
# audit rows of API writes, and the CLI's --json equal to the API's JSON
# for the same objects. Every wait has a timeout; the server is killed on
# exit.
#   FZPORTAL=path/to/fzportal bash 40-rest.sh
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../../selftests/lib/ktap.sh"
. "$here/lib.sh"
FZPORTAL=${FZPORTAL:-$here/../../fzportal}
PY=/usr/bin/python3
need openssl curl sqlite3 timeout

dir=$(mktemp -d /tmp/fzportal-rest-XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
export FZPORTAL_DB=$dir/fz.db
unset FZPORTAL_ACCOUNT
q() { sqlite3 "$FZPORTAL_DB" "$@"; }
adm() { timeout 10 "$FZPORTAL" admin "$@"; }
jget() { "$PY" -c 'import json,sys; o=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"; }
same_json() { "$PY" -c 'import json,sys; sys.exit(json.loads(sys.argv[1]) != json.loads(sys.argv[2]))' "$1" "$2"; }

portal_cert "$dir"
T=$("$FZPORTAL" init --account acme --db "$FZPORTAL_DB" --admin alice 2>/dev/null)
check "init gave an API token" test -n "$T"

if ! portal_serve "$dir" "$dir/serve.log" --db "$FZPORTAL_DB"; then
	fail "fzportal serve --db started"
	exit 1
fi
pid=$PORTAL_PID
port=$PORTAL_PORT
pass "fzportal serve --db listens on 127.0.0.1:$port"
U=https://127.0.0.1:$port/api/v1

# api [-t TOKEN] METHOD PATH [JSON]: sets $code and $body.
api() {
	local tok=$T
	if [ "$1" = -t ]; then tok=$2; shift 2; fi
	local m=$1 p=$2 data=$3 args=()
	[ -n "$tok" ] && args+=(-H "Authorization: Bearer $tok")
	[ -n "$data" ] && args+=(-H 'Content-Type: application/json' --data-binary "$data")
	code=$(curl -sS --max-time 5 --cacert "$dir/cert.pem" -o "$dir/body" \
		-w '%{http_code}' -X "$m" "${args[@]}" "$U$p")
	body=$(cat "$dir/body")
}
# expect DESC CODE METHOD PATH [JSON]
expect() {
	local desc=$1 want=$2
	shift 2
	api "$@"
	if [ "$code" = "$want" ]; then
		pass "$desc ($want)"
	else
		fail "$desc: got $code, want $want"
		diag "$body"
	fi
}
error_code() { jget "$body" 'o["error"]["code"]'; }

# --- authentication
expect "no token" 401 -t '' GET /sites
check "401 says unauthorized" test "$(error_code)" = unauthorized
expect "a malformed token" 401 -t nope GET /sites
expect "a well-formed unknown token" 401 \
	-t fz1_AAAAAAAAAAAAAAAAAAAAAA_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA GET /sites
adm actor create --name mallory --role admin >/dev/null
M=$(jget "$(adm --json api-token create --actor mallory 2>/dev/null)" 'o["token"]')
expect "an admin's second token works" 200 -t "$M" GET /sites
adm actor update mallory --role member >/dev/null
expect "a member's token is forbidden" 403 -t "$M" GET /sites
check "403 says forbidden" test "$(error_code)" = forbidden

# --- every collection
before=$(q "SELECT count(*) FROM changes")
expect "POST /sites" 201 POST /sites '{"name":"hq"}'
site=$(jget "$body" 'o["id"]')
check "the API's write left a changes row and an audit row from api" test \
	"$(q "SELECT count(*) FROM changes")-$(q "SELECT source || who FROM audit ORDER BY id DESC LIMIT 1")" = \
	"$((before + 1))-apialice"
expect "POST /sites again" 409 POST /sites '{"name":"hq"}'
check "409 says conflict" test "$(error_code)" = conflict
expect "GET /sites" 200 GET /sites
expect "GET /sites/hq by name" 200 GET /sites/hq
expect "PATCH /sites/ID" 200 PATCH "/sites/$site" '{"name":"hq"}'
expect "GET /sites/missing" 404 GET /sites/missing
expect "an unknown member is refused" 400 POST /sites '{"name":"x","colour":"red"}'
check "400 names the field" test "$(jget "$body" 'o["error"]["field"]')" = colour
expect "a body that is not JSON" 400 POST /sites '{"name":'
expect "a body that is a JSON array" 400 POST /sites '[]'
code=$(curl -sS --max-time 5 --cacert "$dir/cert.pem" -o /dev/null -w '%{http_code}' \
	-H "Authorization: Bearer $T" -H 'Content-Type: text/plain' -d 'name=x' "$U/sites")
[ "$code" = 415 ] && pass "a non-JSON content type is 415" || fail "415 ($code)"
head -c 70000 /dev/zero | tr '\0' ' ' >"$dir/big"
code=$(curl -sS --max-time 5 --cacert "$dir/cert.pem" -o /dev/null -w '%{http_code}' \
	-H 'Expect:' -H "Authorization: Bearer $T" -H 'Content-Type: application/json' \
	--data-binary @"$dir/big" "$U/sites")
[ "$code" = 413 ] && pass "a body over 64 KiB is 413" || fail "413 ($code)"
expect "an unknown collection" 404 GET /frobs
expect "a method a collection lacks" 405 DELETE /sites
# No Content-Length means no body: answered at once, not awaited.
expect "a PUT without a body is answered" 405 PUT /sites
expect "a PATCH without a body is answered (an empty update)" 200 PATCH /sites/hq

expect "POST /resources" 201 POST /resources \
	'{"name":"wiki","type":"dns","address":"wiki.corp.example","site_id":"hq","filters":[{"protocol":"tcp","port_range_start":443}]}'
res=$(jget "$body" 'o["id"]')
expect "a bad address" 400 POST /resources \
	'{"name":"bad","type":"dns","address":"a..b","site_id":"hq"}'
check "the error names the address" test "$(jget "$body" 'o["error"]["field"]')" = address
expect "PATCH /resources/wiki filters as text" 200 PATCH /resources/wiki '{"filters":"tcp/443, icmp"}'
expect "GET /resources" 200 GET /resources
expect "POST /groups" 201 POST /groups '{"name":"eng"}'
expect "POST /actors" 201 POST /actors '{"name":"bob","email":"bob@example.com"}'
expect "PATCH /actors/bob" 200 PATCH /actors/bob '{"role":"admin"}'
expect "POST /service_accounts" 201 POST /service_accounts '{"name":"ci"}'
expect "GET /service_accounts/ci" 200 GET /service_accounts/ci
expect "POST /groups/eng/members" 201 POST /groups/eng/members '{"actor_id":"bob"}'
expect "GET /groups/eng/members" 200 GET /groups/eng/members
expect "DELETE /groups/Everyone/members/bob" 403 DELETE /groups/Everyone/members/bob
expect "DELETE /groups/eng/members/bob" 200 DELETE /groups/eng/members/bob
expect "POST /policies" 201 POST /policies \
	'{"group_id":"eng","resource_id":"wiki","conditions":[{"property":"client_verified","operator":"is","values":["true"]}]}'
pol=$(jget "$body" 'o["id"]')
expect "an unknown condition" 400 POST /policies \
	'{"group_id":"Everyone","resource_id":"wiki","conditions":[{"property":"region","operator":"is_in","values":["EU"]}]}'
expect "PATCH /policies/ID enabled false" 200 PATCH "/policies/$pol" '{"enabled":false}'
check "it is disabled" test "$(jget "$body" 'o["enabled"]')" = False
expect "GET /policies" 200 GET /policies
expect "POST /gateway_tokens" 201 POST /gateway_tokens '{"site_id":"hq"}'
gt=$(jget "$body" 'o["id"]')
check "the created token's text is in the response" \
	grep -Eqx 'fz1_[A-Za-z0-9_-]{22}_[A-Za-z0-9_-]{43}' <<<"$(jget "$body" 'o["token"]')"
expect "GET /gateway_tokens/ID" 200 GET "/gateway_tokens/$gt"
check "and not afterwards" bash -c "! grep -q fz1_ '$dir/body'"
expect "POST /client_tokens" 201 POST /client_tokens '{"actor_id":"ci","expires_in":"1d"}'
ct=$(jget "$body" 'o["id"]')
expect "POST /api_tokens for a member" 400 POST /api_tokens '{"actor_id":"ci"}'
expect "POST /api_tokens for an admin" 201 POST /api_tokens '{"actor_id":"bob"}'
expect "GET /api_tokens?actor_id=bob" 200 GET '/api_tokens?actor_id=bob'
check "the query filtered" test "$(jget "$body" 'len(o)')" = 1
expect "GET /client_tokens" 200 GET /client_tokens
expect "GET /gateways" 200 GET /gateways
expect "GET /clients" 200 GET /clients
expect "GET /gateways/missing" 404 GET /gateways/missing
expect "PATCH /account" 200 PATCH /account '{"upstream_dns":["1.1.1.1"],"client_token_ttl":"3d"}'
expect "GET /account" 200 GET /account
check "the account was updated" test "$(jget "$body" 'o["client_token_ttl"]')" = 259200
expect "GET /audit?limit=3" 200 GET '/audit?limit=3'
check "the audit list has 3 rows" test "$(jget "$body" 'len(o)')" = 3
expect "GET /audit?limit=x" 400 GET '/audit?limit=x'

# --- CLI --json equals the API's JSON
for pair in "site hq:/sites/hq" "resource wiki:/resources/wiki" \
	"group eng:/groups/eng" "actor bob:/actors/bob" \
	"service-account ci:/service_accounts/ci" "policy $pol:/policies/$pol" \
	"gateway-token $gt:/gateway_tokens/$gt" "client-token $ct:/client_tokens/$ct" \
	"account:/account"; do
	cli=${pair%%:*} path=${pair#*:}
	api GET "$path"
	if out=$(adm --json ${cli%% *} show ${cli#* } 2>&1) && [ "$cli" != account ] ||
		out=$(adm --json account show 2>&1); then
		same_json "$out" "$body" && pass "CLI --json equals GET $path" ||
			fail "CLI --json differs from GET $path"
	else
		fail "admin $cli show"
	fi
done
for coll in sites resources policies actors; do
	api GET "/$coll"
	noun=${coll%s}
	[ $coll = policies ] && noun=policy
	same_json "$(adm --json $noun list)" "$body" &&
		pass "CLI list --json equals GET /$coll" ||
		fail "CLI list --json differs from GET /$coll"
done

# --- deletes
expect "DELETE /policies/ID" 200 DELETE "/policies/$pol"
expect "DELETE /gateway_tokens/ID" 200 DELETE "/gateway_tokens/$gt"
expect "DELETE /client_tokens/ID" 200 DELETE "/client_tokens/$ct"
expect "DELETE /sites/hq while a resource uses it" 409 DELETE /sites/hq
expect "DELETE /resources/wiki" 200 DELETE /resources/wiki
expect "DELETE /sites/hq" 200 DELETE /sites/hq
expect "DELETE /groups/eng" 200 DELETE /groups/eng
expect "DELETE /groups/Everyone" 403 DELETE /groups/Everyone
expect "DELETE /service_accounts/ci" 200 DELETE /service_accounts/ci
expect "DELETE /actors/bob" 200 DELETE /actors/bob
check "one changes row per audit row" test \
	"$(q "SELECT count(*) FROM changes")" = "$(q "SELECT count(*) FROM audit")"

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
