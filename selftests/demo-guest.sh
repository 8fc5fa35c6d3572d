#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the demo VM: the seeds' policy and DNS sequences through the
# real path. fzportal (SQLite, TLS) holds the policy: a service account in
# group eng may reach gitlab.company.test, and jenkins.company.test (same
# IP, behind the same gateway) only from an address it does not have.
# `fzagent gateway --portal` serves the site; `fzagent client --portal`
# resolves through its own DNS stub, gets mapped IPs, asks the portal on
# the first packet, and reaches gitlab; jenkins is refused; deleting the
# policy cuts the flow. Each step is shown, then run.
set -eo pipefail
export FZ_SELFTESTS=$PWD/selftests FZAGENT=$PWD/agent/fzagent
FZPORTAL=$PWD/portal/fzportal
. selftests/lib/ktap.sh
. selftests/lib/netns.sh
export FZ_RUN=/tmp/fzdemo
. selftests/lib/gateway.sh
D=$FZ_RUN/portal
export FZPORTAL_DB=$D/fz.db
PORTAL=10.251.0.1:8443
# The command as a user would type it.
shown() {
	local c="$*"
	c=${c//$FZPORTAL/fzportal}
	c=${c//$FZAGENT/fzagent}
	c=${c//$D\//}
	case $c in
	"adm "*) c="fzportal admin ${c#adm }" ;;
	"on_client "*) c="${c#on_client }    # in 'client', resolving through its stub" ;;
	esac
	echo "\$ $c"
}
step() {
	echo
	shown "$@"
	"$@"
}
# started WHAT LOG PATTERN: waits for PATTERN in LOG, else says why and ends.
started() {
	wait_for 60 grep -q "$3" "$2" && return
	echo "demo: $1 did not start; its log:" >&2
	cat "$2" >&2
	exit 1
}
# A step that is meant to be refused: shows how, and goes on.
refused() {
	echo
	shown "$@"
	echo "  (expected to be refused)"
	local status=0
	"$@" || status=$?
	if [ $status -eq 0 ]; then
		echo "demo: that should have been refused" >&2
		exit 1
	fi
	echo "(refused, exit status $status)"
}
say() {
	echo
	printf '# %s\n' "$@"
}
# On the client, resolving as its applications do: through the stub.
# (in_ns execs: a subshell keeps the demo's own shell.)
on_client() { (in_ns client "$D/stub-resolv.conf" "$@"); }
adm() { "$FZPORTAL" admin "$@"; }
jget() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || :
		wait "$p" 2>/dev/null || :
	done
	portal_net_down
	gateway_down
}
trap cleanup EXIT

echo "== fz demo on Linux $(uname -r) =="
step modprobe fz
gateway_up
portal_net_up
rm -rf "$D" && mkdir -m 700 "$D"
echo "192.0.2.77 plain.example.test" >"$D/up-hosts"
dnsmasq --conf-file=/dev/null --no-resolv --no-hosts --addn-hosts="$D/up-hosts" \
	--bind-interfaces --listen-address=10.251.0.1 --port=53 --user=root \
	--group=root --pid-file="$D/up-dnsmasq.pid" -k </dev/null >/dev/null 2>&1 &
pids+=($!)
echo "nameserver 10.251.0.1" >"$D/cl-resolv.conf"
printf 'nameserver 100.100.111.1\noptions timeout:2 attempts:1\n' >"$D/stub-resolv.conf"
say "namespace 'res':     nginx at 172.31.0.10 serving gitlab.company.test and" \
	"                     jenkins.company.test by name (one IP, two resources)" \
	"namespace 'gateway': 10.251.0.2, fz.ko + fzagent gateway, dnsmasq as its resolver" \
	"namespace 'client':  10.251.0.3, fz.ko + fzagent client; its system resolver" \
	"                     (10.251.0.1) knows plain.example.test only" \
	"root namespace:      fzportal at https://$PORTAL"

say "The portal: its policy, in SQLite. gitlab is allowed to group eng; jenkins" \
	"only from 192.0.2.0/24, which the client is not in."
step "$FZPORTAL" init --account acme --db "$FZPORTAL_DB"
step adm site create hq
step adm resource create --name gitlab --type dns --address gitlab.company.test \
	--site hq --filters tcp/80
step adm resource create --name jenkins --type dns --address jenkins.company.test \
	--site hq --filters tcp/80
step adm service-account create --name ci
step adm group create eng
step adm member add --group eng --actor ci
echo
echo "\$ fzportal admin --json policy create --group eng --resource gitlab"
pol=$(adm --json policy create --group eng --resource gitlab)
echo "$pol"
pol=$(jget "$pol" id)
step adm policy create --group eng --resource jenkins --condition \
	'{"property":"remote_ip","operator":"is_in_cidr","values":["192.0.2.0/24"]}'
(umask 077 && jget "$(adm --json gateway-token create --site hq)" token >"$D/gw.token")
(umask 077 && jget "$(adm --json client-token create --actor ci)" token >"$D/cl.token")
say "a gateway token for site hq and a client token for ci, saved mode 600" \
	"(tokens never go on a command line)"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-subj "/CN=10.251.0.1" -addext "subjectAltName=IP:10.251.0.1" -days 2 \
	-keyout "$D/key.pem" -out "$D/cert.pem" 2>/dev/null
echo
echo "\$ fzportal serve --listen $PORTAL --cert cert.pem --key key.pem &"
"$FZPORTAL" serve --listen "$PORTAL" --cert "$D/cert.pem" --key "$D/key.pem" \
	--db "$FZPORTAL_DB" 2>"$D/portal.log" &
pids+=($!)
started fzportal "$D/portal.log" listening

say "The gateway joins the portal (its key and listen port in gw.conf)."
(umask 077 && printf '[Interface]\nPrivateKey = %s\nListenPort = 51820\n' \
	"$(wg genkey)" >"$D/gw.conf")
echo
echo "\$ fzagent gateway gw.conf -i fz0 --portal https://$PORTAL --token-file gw.token --endpoint 10.251.0.2:51820 &    # in 'gateway'"
in_ns gateway "$FZ_RUN/gw-resolv.conf" "$FZAGENT" gateway "$D/gw.conf" -i fz0 \
	--portal "https://$PORTAL" --ca-file "$D/cert.pem" --token-file "$D/gw.token" \
	--endpoint 10.251.0.2:51820 >"$D/gw.log" 2>&1 &
pids+=($!)
started "fzagent gateway" "$D/gw.log" "portal: init_done"

say "The client signs in with its token, makes fz0, routes the mapped ranges" \
	"and puts its DNS stub on 100.100.111.1 (its upstream: the system's resolver)."
echo
echo "\$ FZ_TOKEN=... fzagent client --portal https://$PORTAL -i fz0 --dns-control none &    # in 'client'"
FZ_TOKEN=$(cat "$D/cl.token") in_ns client "$D/cl-resolv.conf" "$FZAGENT" client \
	--portal "https://$PORTAL" --ca-file "$D/cert.pem" --key-file "$D/client.key" \
	--dns-control none -i fz0 >"$D/cl.log" 2>&1 &
pids+=($!)
started "fzagent client" "$D/cl.log" "portal: init complete"
step ip netns exec client ip route show dev fz0

say "DNS: a resource's name gets mapped IPs from the stub (4 IPv4, 4 IPv6)," \
	"any other name goes to the upstream, unchanged."
step ip netns exec client dig +short @100.100.111.1 gitlab.company.test A
mapped=$(ip netns exec client dig +short @100.100.111.1 gitlab.company.test A | head -1)
step ip netns exec client dig +short @100.100.111.1 gitlab.company.test AAAA
step on_client dig +short plain.example.test

say "The first packet to a mapped IP is held in fz.ko while the client asks the" \
	"portal; the portal picks the site's gateway, both sides set up the tunnel" \
	"and the translation, and the held SYN goes out: the first try works."
step on_client curl -sS -m 15 http://gitlab.company.test/
echo
step ip netns exec client "$FZAGENT" show fz0

say "jenkins: visible, but its policy's condition does not hold: refused at once," \
	"through its mapped IP and by its real IP (not routed into the tunnel)."
refused on_client curl -sS -m 8 http://jenkins.company.test/
refused ip netns exec client curl -sS -m 3 -H "Host: jenkins.company.test" http://172.31.0.10/

say "The gateway: the client, its resource, the DNS translation (conntrack)."
step ip netns exec gateway "$FZAGENT" show fz0
step ip netns exec gateway conntrack -L -p tcp

say "The policy goes: the portal revokes it, the gateway cuts the flow."
step adm policy delete "$pol"
wait_for 10 grep -q "resource gitlab .*removed" "$D/cl.log" || true
refused ip netns exec client curl -sS -m 3 -H "Host: gitlab.company.test" "http://$mapped/"

say "The logs say what happened (keys shortened, tokens never logged):"
echo "--- fzagent client"
cat "$D/cl.log"
echo "--- fzagent gateway"
cat "$D/gw.log"
echo "--- fzportal"
cat "$D/portal.log"
cleanup
trap - EXIT
pids=()
step modprobe -r fz
echo
echo "== the client reached gitlab and was refused jenkins; fz.ko unloaded cleanly =="
