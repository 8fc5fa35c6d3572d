#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The gateway on the portal, end to end: `fzportal serve` in the root
# namespace (TLS on a veth to the gateway's namespace), `fzagent gateway
# --portal` in the namespace "gateway", and fz-sigprobe as a client that
# asks for authorizations. fz.ko's state on the gateway (`fzagent show
# --json`) is checked after each step: the join and init, an
# authorization (the client becomes a gateway client holding the
# resource), a rejection (a policy deleted: the resource goes), a
# resource's new filters (kept, set again), /healthz and /readyz, and
# the portal's disconnect (the gateway token deleted: every client goes,
# the agent exits with status 1).
#
# fz-kernels: 6.12
# A userspace scenario: it runs on 6.12 only, to keep make check within
# CI's time. The kernel paths it takes (held packets, gateway clients and
# their resources, expiry, ICMP prohibited) are tested on both kernels by
# 05, 08, 09 and 11-hold.
. "$FZ_SELFTESTS/lib/ktap.sh"
. "$FZ_SELFTESTS/lib/netns.sh"
FZPORTAL=${FZPORTAL:-$FZ_SELFTESTS/../portal/fzportal}
SIGPROBE=${FZ_SIGPROBE:-$FZ_SELFTESTS/../agent/build/tools/fz-sigprobe}
FZ_RUN=${FZ_RUN:-/tmp/fzrun}
mkdir -p "$FZ_RUN" && chmod 700 "$FZ_RUN"
need ip openssl curl wg modprobe "$PY"
for b in "$FZPORTAL" "$SIGPROBE" "$FZAGENT"; do
	[ -x "$b" ] || { fail "$b is built"; exit 1; }
done
# Waits for tools widen by FZ_TIME_SCALE on the debug kernel.
scale=${FZ_TIME_SCALE:-1}
modprobe fz

D=$FZ_RUN/portal
PORTAL_IP=10.251.0.1
GW_IP=10.251.0.2
rm -rf "$D" && mkdir -m 700 "$D"
export FZPORTAL_DB=$D/fz.db
portal_pid='' gw_pid='' probe_pid=''
cleanup() {
	local p
	for p in $probe_pid $gw_pid $portal_pid; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	exec 7>&- 2>/dev/null
	ip link del vportal 2>/dev/null
	hosts_down gateway
}
trap cleanup EXIT

adm() { timeout $((30 * scale)) "$FZPORTAL" admin "$@"; } # TCG on a busy host is slow
jget() { "$PY" -c 'import json,sys; o=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"; }
g() { ip netns exec gateway "$@"; }
gw_log_has() { wait_for "${2:-10}" grep -q -- "$1" "$D/gw.log"; }
# show EXPR: a value of the gateway's `fzagent show --json fz0` (d).
show() { fz_json gateway fz0 "$1"; }
# The client's resources on the gateway, as sorted ids; res_is LIST.
client_res() {
	show "sorted(r['id'] for p in d['peers'] if p['public_key'] == '$CL_PUB' for r in p['resources'])"
}
res_is() { [ "$(client_res)" = "$1" ]; }

# ---- The portal, reachable from the gateway's namespace ----
ip netns add gateway || { fail "namespace"; exit 1; }
ip link add vportal type veth peer name eth0 netns gateway
ip addr add "$PORTAL_IP/30" dev vportal
ip link set vportal up
g ip addr add "$GW_IP/30" dev eth0
g ip link set eth0 up
g ip link set lo up
g ip route add default via "$PORTAL_IP"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-subj "/CN=$PORTAL_IP" -addext "subjectAltName=IP:$PORTAL_IP" -days 2 \
	-keyout "$D/key.pem" -out "$D/cert.pem" 2>/dev/null
check "fzportal init" timeout $((30 * scale)) "$FZPORTAL" init --account acme --db "$FZPORTAL_DB"
adm site create hq >/dev/null
adm resource create --name web --type ip --address 172.31.0.10 --site hq \
	--filters tcp/80 >/dev/null
adm resource create --name net --type cidr --address 10.99.0.0/24 --site hq \
	--filters tcp/443 >/dev/null
adm service-account create --name ci >/dev/null
adm group create eng >/dev/null
adm member add --group eng --actor ci >/dev/null
pol_web=$(jget "$(adm --json policy create --group eng --resource web)" 'o["id"]')
adm policy create --group eng --resource net >/dev/null
out=$(adm --json gateway-token create --site hq)
gt_id=$(jget "$out" 'o["id"]')
(umask 077 && jget "$out" 'o["token"]' >"$D/gw.token")
ct=$(jget "$(adm --json client-token create --actor ci)" 'o["token"]')
WEB=$(jget "$(adm --json resource show web)" 'o["id"]')
NET=$(jget "$(adm --json resource show net)" 'o["id"]')
check "the portal's data: two resources, a policy for each, two tokens" \
	test -n "$WEB" -a -n "$NET" -a -n "$pol_web" -a -s "$D/gw.token" -a -n "$ct"

"$FZPORTAL" serve --listen "$PORTAL_IP:0" --cert "$D/cert.pem" \
	--key "$D/key.pem" --db "$FZPORTAL_DB" \
	2>"$D/portal.log" &
portal_pid=$!
port=
for _ in $(seq 50); do
	port=$(sed -n 's/.* listening .*port=\([0-9]*\).*/\1/p' "$D/portal.log")
	[ -n "$port" ] && break
	sleep 0.1
done
[ -n "$port" ] || { fail "fzportal serve listens"; sed 's/^/#   /' "$D/portal.log"; exit 1; }
pass "fzportal serve listens on $PORTAL_IP:$port"
URL=https://$PORTAL_IP:$port

# ---- The gateway joins ----
GW_KEY=$(wg genkey)
GW_PUB=$(echo "$GW_KEY" | wg pubkey)
(umask 077 && printf '[Interface]\nPrivateKey = %s\nListenPort = 51820\n' \
	"$GW_KEY" >"$D/gw.conf")
check_fails "-a and --portal together are refused" \
	g "$FZAGENT" gateway "$D/gw.conf" -i fz0 -a /dev/null --portal "$URL"
g env -u FZ_TOKEN "$FZAGENT" gateway "$D/gw.conf" -i fz0 --portal "$URL" \
	--ca-file "$D/cert.pem" --token-file "$D/gw.token" \
	--endpoint "$GW_IP:51820" --health 127.0.0.1:9090 >"$D/gw.log" 2>&1 &
gw_pid=$!
check "the gateway joins the portal and applies its init" \
	gw_log_has "portal: init: 0 clients" 30
check "/healthz answers 200 ok" \
	sh -c "ip netns exec gateway curl -sf -m $((2 * scale)) http://127.0.0.1:9090/healthz | grep -qx ok"
check "/readyz answers 200 once joined and initialized" \
	wait_for 10 ip netns exec gateway curl -sf -m $((2 * scale)) http://127.0.0.1:9090/readyz
check "anything else is 404" \
	sh -c "[ \"\$(ip netns exec gateway curl -s -o /dev/null -w '%{http_code}' -m $((2 * scale)) http://127.0.0.1:9090/metrics)\" = 404 ]"
check "the portal has the gateway online, with its key and endpoint" "$PY" -c '
import json, sys
gws = json.loads(sys.argv[1])
assert any(g["public_key"] == sys.argv[2] and "'"$GW_IP"':51820" in json.dumps(g)
           for g in gws), gws
' "$(adm --json gateway list)" "$GW_PUB"
check "the token is not in the gateway's log or argv" \
	sh -c "! grep -qF \"\$(cut -c5-30 '$D/gw.token')\" '$D/gw.log' && ! grep -qF \"\$(cut -c5-30 '$D/gw.token')\" /proc/$gw_pid/cmdline"
check "the init's tunnel addresses are on fz0" \
	sh -c "ip -n gateway -4 addr show fz0 | grep -q 'inet 100\\.' &&
		ip -n gateway -6 addr show fz0 | grep -q 'inet6 fd00:2021:1111:'"

# ---- A client asks for web ----
mkfifo "$D/probe.in"
FZ_TOKEN=$ct "$SIGPROBE" --portal "$URL" --role client --ca-file "$D/cert.pem" \
	<"$D/probe.in" >"$D/probe.out" 2>"$D/probe.err" &
probe_pid=$!
exec 7>"$D/probe.in"
check "the client joins and gets its init" \
	wait_for 30 grep -q '"event": *"init"' "$D/probe.out"
CL_PUB=$(jget "$(adm --json client list)" '[c["public_key"] for c in o][0]')
ask() { # RESOURCE-ID REF
	printf '{"topic":"client","event":"request_authorization","payload":{"resource_id":"%s","connected_gateway_ids":[],"failed_gateway_ids":[]},"ref":"%s"}\n' "$1" "$2" >&7
}
ask "$WEB" 10
check "the client is authorized for web (authorization_created)" \
	wait_for 10 grep -q '"event": *"authorization_created".*'"$WEB" "$D/probe.out"
check "the gateway logged the authorization" gw_log_has "authorized client $CL_PUB for resource web"
check "fz.ko on the gateway: the client is a gateway client" \
	test "$(show "[p['gateway_client'] for p in d['peers'] if p['public_key'] == '$CL_PUB']")" = "[True]"
check "... with exactly web" test "$(client_res)" = "['$WEB']"
check "... and its tunnel address as allowed IP" \
	sh -c "ip netns exec gateway '$FZAGENT' show --json fz0 | grep -q '100\\.'"
check "... expiring (the policy's token expiry), not never" \
	test "$(show "[r['expires_ns'] > 0 for p in d['peers'] for r in p['resources']]")" = "[True]"

ask "$NET" 11
check "the client is authorized for net too" \
	wait_for 10 grep -q '"event": *"authorization_created".*'"$NET" "$D/probe.out"
check "fz.ko holds web and net for the client" \
	wait_for 5 res_is "$("$PY" -c 'import sys; print(sorted(sys.argv[1:]))' "$WEB" "$NET")"

# ---- Rejection: web's policy goes ----
adm policy delete "$pol_web" >/dev/null
check "reject_access: web is gone from fz.ko, net stays" \
	wait_for 10 res_is "['$NET']"
check "the gateway logged the revocation" gw_log_has "revoked resource web from client $CL_PUB"

# ---- Resource update: net's filters change ----
adm resource update net --filters udp/53 >/dev/null
check "resource_updated: net's new filters are set for its one client" \
	gw_log_has "resource net: new filters set for 1 clients"
check "... and net stays in fz.ko" test "$(client_res)" = "['$NET']"

# ---- The portal goes away and comes back: nothing removed meanwhile ----
kill -STOP "$portal_pid"
sleep 3
check "portal unresponsive: the client keeps net" test "$(client_res)" = "['$NET']"
kill -CONT "$portal_pid"

# ---- Disconnect: the gateway's token is deleted ----
adm gateway-token delete "$gt_id" >/dev/null
if wait_for 15 sh -c "! kill -0 $gw_pid 2>/dev/null"; then
	wait "$gw_pid"
	status=$?
	gw_pid=
	check "disconnect: the agent exits with status 1" test "$status" = 1
else
	fail "disconnect: the agent exits"
fi
check "... saying why" grep -q "exiting: the portal disconnected this gateway" "$D/gw.log"
# The agent may delete its device on the way out; then nothing is left.
left=$(show "sum(1 for p in d['peers'] if p['gateway_client'])" 2>/dev/null ||
	{ ip -n gateway link show fz0 >/dev/null 2>&1 || echo gone; })
[ "$left" = 0 ] || [ "$left" = gone ] &&
	pass "... and fz.ko has no gateway client left ($left)" ||
	fail "... and fz.ko has no gateway client left (${left:-device kept, show failed})"
check "the gateway token never reached the log" \
	sh -c "! grep -q fz1_ '$D/gw.log'"
sed 's/^/#   gw: /' "$D/gw.log" | tail -40
ktap_done
