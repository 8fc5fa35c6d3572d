#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The client role's logic (agent/client/resources.c, the DNS stub) against
# a real `fzportal serve` on 127.0.0.1 with TLS, without fz.ko:
# fz-clientsim (agent/tests/tools/) prints what it would ask of the kernel
# and takes the kernel's events on standard input; fz-sigprobe plays the
# gateway and acknowledges each create_authorization. Checked: the init
# (routes, the stub's names), dig through the stub (mapped IPs), a held
# destination asked for once and the gateway installed with its tunnel
# addresses, AssignedIps, the mapped IPs allowed only after DomainStatus,
# a second resource of the site sharing the gateway (connected_gateway_ids)
# with allowed IPs added, a refused resource (a policy whose condition
# fails: ICMP prohibited, the 5 s negative cache), an address of no
# resource, `fzagent show`'s text and JSON, a policy deleted (the
# resource, its route and allowed IPs go), a Goodbye (the peer goes, the
# next request names the gateway as failed), and the client token
# deleted (disconnect: exit 1). Everything stays on loopback.
#   client-portal.sh [KVER...]   (kernel versions are ignored)
. "$(dirname "$0")/../lib/ktap.sh"
repo=$(cd "$(dirname "$0")/../.." && pwd)
. "$repo/portal/tests/integration/lib.sh"
FZPORTAL=${FZPORTAL:-$repo/portal/fzportal}
probe=$repo/agent/build/tools/fz-sigprobe
sim=$repo/agent/build/tools/fz-clientsim
py=/usr/bin/python3
need openssl mkfifo dig
[ -x "$py" ] || { fail "$py is installed"; exit 1; }

tmp=$(mktemp -d /tmp/fz-client-portal.XXXXXX)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	[ -n "${PORTAL_PID:-}" ] && kill "$PORTAL_PID" 2>/dev/null
	wait 2>/dev/null
	[ -n "${FZ_KEEP:-}" ] && echo "# kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT

if make -C "$repo/portal" -j1 >"$tmp/build.log" 2>&1 &&
	make -C "$repo/agent" -j1 tools >>"$tmp/build.log" 2>&1; then
	pass "fzportal, fz-sigprobe and fz-clientsim are built"
else
	fail "fzportal, fz-sigprobe and fz-clientsim are built"
	tail -20 "$tmp/build.log" | sed 's/^/#   /'
	exit 1
fi

# --- the portal's data ---
export FZPORTAL_DB=$tmp/fz.db
adm() { timeout 10 "$FZPORTAL" admin --json "$@" 2>>"$tmp/admin.err"; }
jget() { "$py" -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
"$FZPORTAL" init --account acme --db "$FZPORTAL_DB" >/dev/null 2>&1
adm site create hq >/dev/null
gw_token=$(adm gateway-token create --site hq | jget token)
adm service-account create --name ci >/dev/null
cl_json=$(adm client-token create --actor ci)
cl_token=$(jget token <<<"$cl_json")
cl_token_id=$(jget id <<<"$cl_json")
gitlab=$(adm resource create --name gitlab --type dns \
	--address gitlab.company.test --site hq --filters tcp/80 | jget id)
net=$(adm resource create --name net --type cidr --address 10.99.0.0/24 \
	--site hq | jget id)
jenkins=$(adm resource create --name jenkins --type dns \
	--address jenkins.company.test --site hq | jget id)
adm policy create --group Everyone --resource gitlab >/dev/null
pol_net=$(adm policy create --group Everyone --resource net | jget id)
# Visible, never granted: the client's address is not in the range.
adm policy create --group Everyone --resource jenkins --condition \
	'{"property":"remote_ip","operator":"is_in_cidr","values":["192.0.2.0/24"]}' >/dev/null
if [[ $gw_token == fz1_* && $cl_token == fz1_* && ${#gitlab} -eq 36 &&
	${#net} -eq 36 && ${#jenkins} -eq 36 && ${#pol_net} -eq 36 ]]; then
	pass "fzportal admin made three resources, their policies and two tokens"
else
	fail "fzportal admin made the test data"
	sed 's/^/#   /' "$tmp/admin.err"
	exit 1
fi
portal_cert "$tmp"
portal_serve "$tmp" "$tmp/serve.log" --db "$FZPORTAL_DB" ||
	{ fail "fzportal serve starts"; exit 1; }
url=https://127.0.0.1:$PORTAL_PORT

# start NAME CMD...: CMD in the background, standard input the FIFO
# $tmp/NAME.in held open by a sleep, output in $tmp/NAME.out and .err.
start() {
	local name=$1
	shift
	mkfifo "$tmp/$name.in"
	"$@" <"$tmp/$name.in" >"$tmp/$name.out" 2>"$tmp/$name.err" &
	printf -v "${name}_pid" %s $!
	pids+=($!)
	sleep 600 >"$tmp/$name.in" &
	pids+=($!)
}
# wait_for NAME SECONDS COUNT PATTERN: NAME.out has COUNT matching lines.
wait_for() {
	local i
	for i in $(seq $(($2 * 10))); do
		[ "$(grep -cE -- "$4" "$tmp/$1.out" 2>/dev/null)" -ge "$3" ] && return 0
		sleep 0.1
	done
	return 1
}
lines() { grep -E -- "$1" "$tmp/cs.out"; }
# expect DESC COUNT PATTERN: cs.out gets COUNT lines matching PATTERN.
expect() {
	if wait_for cs 10 "$2" "$3"; then
		pass "$1"
	else
		fail "$1"
		tail -20 "$tmp/cs.out" | sed 's/^/#   /'
	fi
}
cmd() { echo "$*" >"$tmp/cs.in"; }
# ack N: the gateway acknowledges the Nth create_authorization.
ack() {
	local ref
	wait_for gw 10 "$1" '"event":"create_authorization"' || return 1
	ref=$(grep '"event":"create_authorization"' "$tmp/gw.out" | sed -n "${1}p" |
		"$py" -c 'import json,sys; print(json.load(sys.stdin)["payload"]["ref"])')
	printf '{"topic":"gateway","event":"authorization_created","payload":{"ref":"%s"},"ref":null}\n' \
		"$ref" >"$tmp/gw.in"
}

gw_key=$("$repo/agent/fzagent" genkey | "$repo/agent/fzagent" pubkey)
# The key in the patterns below: base64 has '+', a regex operator.
gk=$(printf '%s' "$gw_key" | sed 's/[+.]/\\&/g')
start gw env FZ_TOKEN="$gw_token" "$probe" --portal "$url" --role gateway \
	--ca-file "$tmp/cert.pem" --public-key "$gw_key" --endpoint 127.0.0.1:51820
wait_for gw 10 1 '^# state joined' || fail "the gateway probe joins"
dns_port=$((20000 + RANDOM % 20000))
start cs env FZ_TOKEN="$cl_token" "$sim" --portal "$url" \
	--ca-file "$tmp/cert.pem" --dns-listen "127.0.0.1:$dns_port"

# --- init ---
expect "the client joins and applies the init (3 resources)" 1 '^# portal: init: 3 resources'
expect "... a route for the CIDR resource" 1 '^route add 10\.99\.0\.0/24$'
expect "... the DNS resources go to the stub" 2 '^dns upsert '
a=$(dig +short +time=2 +tries=1 -p "$dns_port" @127.0.0.1 gitlab.company.test A)
if [ "$(printf '%s\n' "$a" | grep -c '^100\.\(9[6-9]\|1[01][0-9]\|12[0-7]\)\.')" = 4 ]; then
	pass "dig through the stub: gitlab.company.test has 4 mapped A"
else
	fail "dig through the stub: gitlab.company.test: '$a'"
fi
first=$(printf '%s\n' "$a" | head -1)

# --- gitlab: held, asked for, installed, AssignedIps, DomainStatus ---
cmd unknown "$first"
expect "a held mapped IP asks the portal for gitlab" 1 "^request $gitlab connected= failed=$"
ack 1 || fail "the gateway gets create_authorization"
expect "authorization_created installs the gateway with its tunnel addresses only" \
	1 "^peer set $gk new 100\.[0-9.]+/32,fd00:2021:1111:[0-9a-f:]+/128$"
expect "... and tells it the name's mapped IPs (AssignedIps, 8)" \
	1 "^control $gk assigned gitlab.company.test 8$"
sleep 2.2
cmd tick
expect "... again after 2 s without DomainStatus" 2 "^control $gk assigned gitlab.company.test 8$"
cmd status "$gw_key" "$gitlab" gitlab.company.test active
expect "DomainStatus Active: the 8 mapped IPs become allowed IPs" \
	1 "^peer set $gk update .*$first/32.*"
gw_id=$(lines '^# resource gitlab: via gateway ' | head -1 | awk '{print $6}')
[ ${#gw_id} -eq 36 ] && pass "the gateway's id is logged ($gw_id)" ||
	fail "the gateway's id is logged: '$gw_id'"

# --- net: same site, same gateway ---
cmd unknown 10.99.0.5
expect "a second resource of the site names the gateway it has" \
	1 "^request $net connected=$gw_id failed=$"
ack 2 || fail "the gateway gets the second create_authorization"
expect "... the same peer gets the CIDR added to its allowed IPs" \
	1 "^peer set $gk update .*10\.99\.0\.0/24.*"
if ! lines "^peer set $gk new" | sed -n 2p | grep -q .; then
	pass "... and no second peer"
else
	fail "... and no second peer"
fi

# --- jenkins: visible, refused ---
j=$(dig +short +time=2 +tries=1 -p "$dns_port" @127.0.0.1 jenkins.company.test A | head -1)
cmd unknown "$j"
expect "jenkins is asked for" 1 "^request $jenkins "
expect "... refused by the portal (forbidden), logged" 1 '^# resource jenkins: the portal refused access: forbidden'
expect "... its held packets refused (DROP_HELD)" 1 "^drop-held $j$"
cmd unknown "$j"
expect "... asked again at once: refused from the negative cache" 2 "^drop-held $j$"
[ "$(lines "^request $jenkins " | wc -l)" = 1 ] &&
	pass "... without asking the portal again" ||
	fail "... without asking the portal again"
cmd unknown 192.0.2.1
expect "an address of no resource is refused at once" 1 '^drop-held 192\.0\.2\.1$'

# --- show ---
cmd show
expect "show: gitlab connected via the gateway" 1 "^resource gitlab \($gitlab\) dns gitlab.company.test: connected via gateway $gw_id"
expect "show: the name with its mapped IPs, active" 1 "^    name gitlab.company.test \(active\): $first "
expect "show: jenkins not connected" 1 "^resource jenkins .*: not connected$"
cmd show-json
if wait_for cs 10 1 '^\{"resources"' && "$py" -c '
import json, sys
d = json.loads(sys.argv[1])
r = {x["name"]: x for x in d["resources"]}
assert r["net"]["state"] == "connected" and r["net"]["gateway"] == sys.argv[2], r
assert r["gitlab"]["names"][0]["status"] == "active", r
' "$(lines '^\{"resources"' | tail -1)" "$gw_id"; then
	pass "show-json: the same as JSON"
else
	fail "show-json: the same as JSON"
fi

# --- net's policy goes ---
adm policy delete "$pol_net" >/dev/null
expect "a deleted policy: resource_deleted removes net" 1 '^# resource net \(.*\): removed'
expect "... its route" 1 '^route del 10\.99\.0\.0/24$'
if wait_for cs 5 1 "^peer set $gk update" &&
	lines "^peer set $gk update" | tail -1 | grep -qv '10\.99\.0\.0'; then
	pass "... and its allowed IPs; the gateway stays for gitlab"
else
	fail "... and its allowed IPs; the gateway stays for gitlab"
fi

# --- Goodbye ---
cmd goodbye "$gw_key"
expect "Goodbye: the gateway's peer goes" 1 "^peer del $gk$"
cmd unknown "$first"
expect "... the next packet asks again, naming it as failed" 1 "^request $gitlab connected= failed=$gw_id$"

# --- the token goes: signed out ---
adm client-token delete "$cl_token_id" >/dev/null
expect "the client token deleted: disconnect" 1 '^# disconnect'
status=124
for _ in $(seq 50); do
	kill -0 "$cs_pid" 2>/dev/null || { wait "$cs_pid"; status=$?; break; }
	sleep 0.1
done
[ "$status" = 1 ] && pass "... fz-clientsim exits 1" || fail "... fz-clientsim exits $status"
if ! grep -qF "${cl_token:4:24}" "$tmp/cs.out" "$tmp/cs.err"; then
	pass "the client token shows nowhere in the output"
else
	fail "the client token shows in the output"
fi
ktap_done
