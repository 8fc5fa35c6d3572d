#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the demo VM: the seeds' example. gitlab.company.test and
# jenkins.company.test are one IP behind a gateway (nginx serves both by
# name); a client authorized only for gitlab reaches it through its mapped
# IP and is refused jenkins, through the mapped IP and the real one. Each
# step is shown, then run.
set -eo pipefail
export FZ_SELFTESTS=$PWD/selftests FZAGENT=$PWD/agent/fzagent
P=$PWD/build/selftests/fz-nlprobe
. selftests/lib/ktap.sh
. selftests/lib/netns.sh
export FZ_RUN=/tmp/fzdemo
. selftests/lib/gateway.sh
step() {
	echo
	echo "\$ $*"
	"$@"
}
# A step that is meant to be refused: shows how, and goes on.
refused() {
	echo
	echo "\$ $*    # expected to be refused"
	local status=0
	"$@" || status=$?
	if [ $status -eq 0 ]; then
		echo "demo: that should have been refused" >&2
		exit 1
	fi
	echo "(refused, exit status $status)"
}
cleanup() {
	gw_tunnel_down
	gateway_down
	hosts_down client
}
trap cleanup EXIT

echo "== fz demo on Linux $(uname -r) =="
step modprobe fz
hosts_up gateway client
gateway_up
echo
echo "# namespace 'res':     nginx at 172.31.0.10, serving gitlab.company.test and"
echo "#                      jenkins.company.test by name (one IP, two resources)"
echo "# namespace 'gateway': fz.ko + fzagent gateway, dnsmasq as its resolver"
echo "# namespace 'client':  fz.ko + fzagent up, tunnel address 100.64.0.2"
GITLAB=0b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c11
JENKINS=0b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c12
gw_keys
cat >"$FZ_RUN/gw-fz0.auth" <<AUTH
[Resource]
Name = gitlab
ID = $GITLAB
Type = dns
Address = gitlab.company.test
Filters = tcp/80, tcp/443, icmp

[Resource]
Name = jenkins
ID = $JENKINS
Type = dns
Address = jenkins.company.test

[Client]
PublicKey = $CL_PUB
TunnelIPs = 100.64.0.2, fd00:2021:1111::2
Authorize = gitlab
AUTH
chmod 600 "$FZ_RUN/gw-fz0.auth"
echo
echo "# the gateway's authorizations: the client may reach gitlab, nothing else"
cat "$FZ_RUN/gw-fz0.auth"
echo
echo "\$ fzagent gateway gw-fz0.conf -i fz0 -a gw-fz0.auth &    # in 'gateway'"
GW_AGENT=gateway GW_AGENT_ARGS="-a $FZ_RUN/gw-fz0.auth" gw_tunnel_up
step ip netns exec client ping -c 2 100.64.0.1

echo
echo "# The client's DNS stub gives each DNS resource mapped IPs from"
echo "# 100.96.0.0/11 and tells the gateway (p2p AssignedIps). The client"
echo "# role arrives with its own issue; here the test probe sends them."
ip netns exec client "$P" events fz0 15 2 >"$FZ_RUN/demo-events.log" 2>/dev/null &
sleep 0.5
step ip netns exec client "$P" control-send fz0 "$GW_PUB" 0 \
	"{\"resource\":\"$GITLAB\",\"domain\":\"gitlab.company.test\",\"proxy_ips\":[\"100.96.0.1\",\"fd00:2021:1111:8000::1\"]}"
step ip netns exec client "$P" control-send fz0 "$GW_PUB" 0 \
	"{\"resource\":\"$JENKINS\",\"domain\":\"jenkins.company.test\",\"proxy_ips\":[\"100.96.0.5\",\"fd00:2021:1111:8000::5\"]}"
wait_for 10 grep -q '^control' "$FZ_RUN/demo-events.log"
echo
echo "# the gateway's answer (DomainStatus), as the client's fz.ko delivered it:"
sed 's/^control [^ ]* 1 /DomainStatus /' "$FZ_RUN/demo-events.log"

echo
echo "# gitlab, through the mapped IP the client gave it:"
step ip netns exec client curl -sS -m 5 --resolve gitlab.company.test:80:100.96.0.1 \
	http://gitlab.company.test/
echo
echo "# jenkins is on the same IP, but the client is not authorized for it:"
refused ip netns exec client curl -sS -m 5 --resolve jenkins.company.test:80:100.96.0.5 \
	http://jenkins.company.test/
refused ip netns exec client curl -sS -m 5 -H "Host: jenkins.company.test" \
	http://172.31.0.10/
refused ip netns exec client ping -c 1 -W 2 172.31.0.10

echo
echo "# conntrack holds the translation (mapped IP -> real address, masqueraded):"
step ip netns exec gateway conntrack -L -p tcp
step ip netns exec gateway "$FZAGENT" show fz0
echo
echo "# fzagent gateway's log (the denied flows are the audit trail):"
# A key is base64: it may hold "/", never "|".
sed "s|$CL_PUB|CLIENT|g" "$FZ_RUN/gw-fz0.log"
cleanup
trap - EXIT
step modprobe -r fz
echo
echo "== the client reached gitlab and was refused jenkins; fz.ko unloaded cleanly =="
