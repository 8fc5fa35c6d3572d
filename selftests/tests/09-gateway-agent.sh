#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The seeds' example, end to end through `fzagent gateway`:
# gitlab.company.test and jenkins.company.test resolve (dnsmasq, the
# gateway's resolver) to one IP where nginx serves both by name. A client
# authorized only for gitlab tells the gateway its proxy IPs (p2p
# AssignedIps), gets DomainStatus Active, reaches gitlab through its mapped
# IP and is refused jenkins, by mapped and by real IP. Then: masquerade,
# authorize/revoke/expiry at run time, a changed DNS answer picked up after
# the 30 s cache, malformed control packets, Goodbye on shutdown and the
# host put back as it was.
. "$FZ_SELFTESTS/lib/ktap.sh"
. "$FZ_SELFTESTS/lib/netns.sh"
. "$FZ_SELFTESTS/lib/gateway.sh"
need ip ping curl nginx dnsmasq dig conntrack nft wg modprobe "$PY"
P=$FZ_NLPROBE
modprobe fz
trap 'gw_tunnel_down; gateway_down; hosts_down client' EXIT

GITLAB=0b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c11
JENKINS=0b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c12

hosts_up gateway client || { fail "namespaces"; exit 1; }
gateway_up || { fail "resource namespace, nginx, listeners, dnsmasq"; exit 1; }
# Forwarding off, so the test sees the agent turn it on and back off.
ip netns exec gateway sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0
gw_keys
cat >"$FZ_RUN/gw-fz0.auth" <<AUTH
# The seeds' example: two names, one IP.
[Resource]
Name = gitlab
ID = $GITLAB
Type = dns
Address = gitlab.company.test
Filters = tcp/80, icmp

[Resource]
Name = jenkins
ID = $JENKINS
Type = dns
Address = jenkins.company.test
Filters = tcp/80

[Client]
PublicKey = $CL_PUB
TunnelIPs = 100.64.0.2, fd00:2021:1111::2
Authorize = gitlab
AUTH
chmod 600 "$FZ_RUN/gw-fz0.auth"
GW_AGENT=gateway GW_AGENT_ARGS="-a $FZ_RUN/gw-fz0.auth" gw_tunnel_up ||
	{ fail "fzagent gateway and a client"; sed 's/^/#   /' "$FZ_RUN/gw-fz0.log"; exit 1; }
pass "fzagent gateway is up with the authorizations file; the client's tunnel works"

c() { ip netns exec client "$@"; }
g() { ip netns exec gateway "$@"; }
log_has() { wait_for "${2:-5}" grep -q -- "$1" "$FZ_RUN/gw-fz0.log"; }

check "the gateway turned IPv4 and IPv6 forwarding on" \
	sh -c "[ \"\$(ip netns exec gateway sysctl -n net.ipv4.ip_forward net.ipv6.conf.all.forwarding | tr -d '\n')\" = 11 ]"
check "its nftables table masquerades the tunnel ranges" \
	sh -c "ip netns exec gateway nft list table inet fz-gw-fz0 | grep -q masquerade"
check "the client is a default-deny peer: the real IP is prohibited" \
	sh -c "ip netns exec client ping -c 1 -W 3 172.31.0.10 2>&1 | grep -q 'Packet filtered'"
check "the denied flow is in the gateway's audit log" log_has "denied flow"

c "$P" events fz0 300 >"$FZ_RUN/cl-events.log" 2>"$FZ_RUN/cl-events.err" &
wait_for 10 grep -q listening "$FZ_RUN/cl-events.err"
assigned() { # RESOURCE-ID NAME FIRST-V4-OCTET FIRST-V6
	c "$P" control-send fz0 "$GW_PUB" 0 "{\"resource\":\"$1\",\"domain\":\"$2\",\"proxy_ips\":[\"100.96.0.$3\",\"100.96.0.$(($3 + 1))\",\"100.96.0.$(($3 + 2))\",\"100.96.0.$(($3 + 3))\",\"fd00:2021:1111:8000::$3\",\"fd00:2021:1111:8000::$(($3 + 1))\"]}"
}
status_is() { # NAME STATUS [COUNT]: the client got that many DomainStatus
	wait_for 12 sh -c "[ \$(grep -c '^control $GW_PUB 1 .*\"$1\".*\"$2\"' '$FZ_RUN/cl-events.log') -ge ${3:-1} ]"
}
get() { # NAME IP [PORT]: curl NAME on IP, prints the page
	local ip=$2
	case $ip in *:*) ip="[$ip]" ;; esac
	c curl -s -m 5 --resolve "$1:${3:-80}:$ip" "http://$1:${3:-80}/"
}

# ---- The seeds' example ----
assigned "$GITLAB" gitlab.company.test 1
t_resolved=$(date +%s)
check "AssignedIps for gitlab: the gateway answers DomainStatus Active" \
	status_is gitlab.company.test Active
check "... after resolving the name through the host's resolver (dnsmasq saw the query)" \
	grep -q "gitlab.company.test" "$FZ_RUN/gw-dnsmasq.log"
check "gitlab through its mapped IP: curl gets gitlab's page" \
	sh -c "[ \"\$($(declare -f c get); get gitlab.company.test 100.96.0.1)\" = gitlab ]"
check "... through every mapped IPv4 (round-robin onto the one address)" \
	sh -c "[ \"\$($(declare -f c get); get gitlab.company.test 100.96.0.4)\" = gitlab ]"
check "... and through a mapped IPv6" \
	sh -c "[ \"\$($(declare -f c get); get gitlab.company.test fd00:2021:1111:8000::2)\" = gitlab ]"
check "conntrack shows the translated flow" \
	sh -c "ip netns exec gateway conntrack -L -p tcp --orig-dst 100.96.0.1 2>/dev/null | grep -q 'src=172.31.0.10'"
masqueraded() {
	grep -q '^172.31.0.1 ' "$FZ_RUN/res-nginx/access.log" &&
		! grep -q '^100.64' "$FZ_RUN/res-nginx/access.log"
}
if wait_for 3 masqueraded; then
	pass "masquerade: the resource saw the gateway's address, not the client's"
else
	fail "masquerade: the resource saw the gateway's address, not the client's"
	sed 's/^/#   access.log: /' "$FZ_RUN/res-nginx/access.log"
	g conntrack -L 2>&1 | sed 's/^/#   conntrack: /'
	g nft list ruleset 2>&1 | sed 's/^/#   nft: /'
fi
assigned "$JENKINS" jenkins.company.test 5
check "AssignedIps for jenkins (not authorized) is dropped and logged" \
	log_has "resource not authorized"
get jenkins.company.test 100.96.0.5 >/dev/null
check "jenkins through a mapped IP is refused at once (ICMP prohibited)" test $? = 7
c curl -s -m 5 -H 'Host: jenkins.company.test' http://172.31.0.10/ >/dev/null
check "jenkins through the real IP (gitlab's IP too) is refused at once" test $? = 7
check "gitlab's filter holds: tcp 8443 on its mapped IP is refused" \
	sh -c "$(declare -f c get); get gitlab.company.test 100.96.0.1 8443; test \$? = 7"

# ---- The DNS answer changes; picked up once the 30 s cache is over ----
gw_dns_set gitlab.company.test 172.31.0.11 fd00:31::11
assigned "$GITLAB" gitlab.company.test 1
check "AssignedIps again within 30 s: answered from the cache" \
	status_is gitlab.company.test Active 2

# ---- Authorize, revoke and expiry at run time ----
check "fzagent authorize: jenkins for the client" \
	g "$FZAGENT" authorize fz0 "$CL_PUB" jenkins
assigned "$JENKINS" jenkins.company.test 5
check "... AssignedIps for jenkins now answered Active" \
	status_is jenkins.company.test Active
check "... and jenkins is reached through its mapped IP (same real IP, by name)" \
	sh -c "[ \"\$($(declare -f c get); get jenkins.company.test 100.96.0.5)\" = jenkins ]"
check "fzagent revoke: jenkins" g "$FZAGENT" revoke fz0 "$CL_PUB" jenkins
get jenkins.company.test 100.96.0.5 >/dev/null
check "... refused again right away" test $? = 7
# Ten seconds: the AssignedIps round trip and curl take several under TCG.
t_auth=$(date +%s)
check "fzagent authorize with an expiry 10 s away" \
	g "$FZAGENT" authorize fz0 "$CL_PUB" jenkins expires +10
assigned "$JENKINS" jenkins.company.test 5
status_is jenkins.company.test Active 2
check "... works now" \
	sh -c "[ \"\$($(declare -f c get); get jenkins.company.test 100.96.0.5)\" = jenkins ]"
left=$((t_auth + 13 - $(date +%s)))
[ $left -gt 0 ] && sleep $left
get jenkins.company.test 100.96.0.5 >/dev/null
check "... and is refused once expired, with no agent involved" test $? = 7
check_fails "authorize refuses an unknown resource" \
	g "$FZAGENT" authorize fz0 "$CL_PUB" nosuch
check_fails "authorize refuses an unknown client" \
	g "$FZAGENT" authorize fz0 "$GW_PUB" gitlab
check_fails "authorize refuses a time in the past" \
	g "$FZAGENT" authorize fz0 "$CL_PUB" gitlab expires 2020-01-01T00:00:00Z
check "... and gitlab still works after the refusals" \
	sh -c "[ \"\$($(declare -f c get); get gitlab.company.test 100.96.0.1)\" = gitlab ]"

# ---- Malformed control packets ----
c "$P" control-send fz0 "$GW_PUB" 0 '{"resource": "x", "domain": ' >/dev/null
c "$P" control-send fz0 "$GW_PUB" 7 '{}' >/dev/null
c "$P" control-send fz0 "$GW_PUB" 0 "{\"resource\":\"$GITLAB\",\"domain\":\"gitlab.company.test\",\"proxy_ips\":[\"10.0.0.1\"]}" >/dev/null
c "$P" control-send fz0 "$GW_PUB" 0 "{\"resource\":5,\"domain\":[],\"proxy_ips\":\"x\"}" >/dev/null
c "$P" control-send-raw fz0 "$GW_PUB" 0001000000000000 >/dev/null
check "bad JSON is dropped and counted" log_has "bad JSON"
check "an unknown event type is dropped and counted" log_has "unknown event"
check "a proxy IP outside the mapped ranges is dropped and counted" log_has "bad proxy IP"
check "wrong field types are dropped and counted" log_has "missing or invalid field"
check "a header with nonzero reserved bytes is dropped and counted" log_has "bad header"
check "... and the agent is still serving" \
	sh -c "[ \"\$($(declare -f c get); get gitlab.company.test 100.96.0.1)\" = gitlab ]"

# ---- The changed DNS answer, once the cache is over ----
while [ $(($(date +%s) - t_resolved)) -le 31 ]; do sleep 1; done
assigned "$GITLAB" gitlab.company.test 1
check "AssignedIps after 30 s resolves again: dnsmasq saw a second query" \
	wait_for 10 sh -c "[ \$(grep -c 'query.*gitlab.company.test' '$FZ_RUN/gw-dnsmasq.log') -ge 4 ]"
check "... and new flows go to the new address" \
	wait_for 10 sh -c "$(declare -f c get); get gitlab.company.test 100.96.0.3 >/dev/null; ip netns exec gateway conntrack -L -p tcp --orig-dst 100.96.0.3 2>/dev/null | grep -q 'src=172.31.0.11'"

# ---- Shutdown ----
kill -TERM "$(cat "$FZ_RUN/gw-fz0.pid")"
check "on shutdown the client is told Goodbye" \
	wait_for 10 grep -q "^control $GW_PUB 2\$" "$FZ_RUN/cl-events.log"
wait_for 10 sh -c "! kill -0 $(cat "$FZ_RUN/gw-fz0.pid") 2>/dev/null"
check_fails "the nftables table is gone" g nft list table inet fz-gw-fz0
check "forwarding is back off, as it was" \
	sh -c "[ \"\$(ip netns exec gateway sysctl -n net.ipv4.ip_forward net.ipv6.conf.all.forwarding | tr -d '\n')\" = 00 ]"
kill %1 2>/dev/null
ktap_done
