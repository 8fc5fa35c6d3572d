#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The seeds' example, end to end through `fzagent gateway`:
# gitlab.company.test and jenkins.company.test resolve (dnsmasq, the
# gateway's resolver) to one IP where nginx serves both by name. A client
# authorized only for gitlab tells the gateway its proxy IPs (p2p
# AssignedIps), gets DomainStatus Active, reaches gitlab through its mapped
# IP and is refused jenkins, by mapped and by real IP. Then: masquerade,
# forwarding only to and from the tunnel, `fzagent set` kept off the
# client, authorize/revoke/expiry at run time, a changed DNS answer picked
# up after the 30 s cache, malformed control packets, Goodbye on shutdown
# and the host put back as it was. Last, restarts and reloads: fz.ko
# holds exactly the authorizations file afterwards (run-time grants and
# state the agent did not create are gone, a removed client too), DNS
# answers pointing at link-local or loopback addresses are not mapped,
# and a reload the kernel refuses keeps the old private key.
. "$FZ_SELFTESTS/lib/ktap.sh"
. "$FZ_SELFTESTS/lib/netns.sh"
. "$FZ_SELFTESTS/lib/gateway.sh"
need ip ping curl nginx dnsmasq dig conntrack nft wg modprobe "$PY"
P=$FZ_NLPROBE
modprobe fz
clock_back=0
trap '[ "$clock_back" = 1 ] && date -s "@$(($(date +%s) + 3600))" >/dev/null; gw_tunnel_down; gateway_down; hosts_down client; hosts_down fwa fwb' EXIT

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

# ---- Forwarding: only to and from the tunnel ----
# Two more hosts routed through the gateway: forwarding was off before the
# agent, so it must stay off between them (finding 17).
ip netns add fwa && ip netns add fwb
ip link add vfa netns gateway type veth peer name eth0 netns fwa
ip link add vfb netns gateway type veth peer name eth0 netns fwb
g ip addr add 10.99.1.1/24 dev vfa
g ip addr add 10.99.2.1/24 dev vfb
ip -n fwa addr add 10.99.1.2/24 dev eth0
ip -n fwb addr add 10.99.2.2/24 dev eth0
for l in "gateway vfa" "gateway vfb" "fwa eth0" "fwb eth0" "fwa lo" "fwb lo"; do
	set -- $l
	ip -n "$1" link set "$2" up
done
ip -n fwa route add default via 10.99.1.1
ip -n fwb route add default via 10.99.2.1
check "the gateway reaches both other hosts itself" \
	sh -c "ip netns exec gateway ping -c 1 -W 2 10.99.1.2 && ip netns exec gateway ping -c 1 -W 2 10.99.2.2"
check_fails "... but does not forward between them: forwarding was off before the agent" \
	ip netns exec fwa ping -c 1 -W 2 10.99.2.2
check "... its forward chain drops what is not the tunnel's" \
	sh -c "ip netns exec gateway nft list chain inet fz-gw-fz0 forward | grep -q 'counter packets [1-9].* drop'"

check "the client is a default-deny peer: the real IP is prohibited" \
	sh -c "ip netns exec client ping -c 1 -W 3 172.31.0.10 2>&1 | grep -q 'Packet filtered'"
check "the denied flow is in the gateway's audit log" log_has "denied flow"

c "$P" events fz0 $((300 * ${FZ_TIME_SCALE:-1})) >"$FZ_RUN/cl-events.log" 2>"$FZ_RUN/cl-events.err" &
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
# Ten seconds: the AssignedIps round trip and curl take several under TCG
# (forty on the debug kernel, FZ_TIME_SCALE).
expiry=$((10 * ${FZ_TIME_SCALE:-1}))
t_auth=$(date +%s)
check "fzagent authorize with an expiry $expiry s away" \
	g "$FZAGENT" authorize fz0 "$CL_PUB" jenkins expires +$expiry
assigned "$JENKINS" jenkins.company.test 5
status_is jenkins.company.test Active 2
check "... works now" \
	sh -c "[ \"\$($(declare -f c get); get jenkins.company.test 100.96.0.5)\" = jenkins ]"
# fz.ko keeps the deadline in CLOCK_BOOTTIME: setting the wall clock back
# an hour must not lengthen the grant (finding 15).
date -s "@$(($(date +%s) - 3600))" >/dev/null && clock_back=1
check "... the wall clock set back an hour" test "$(date +%s)" -lt "$t_auth"
left=$((t_auth - 3600 + expiry + 3 - $(date +%s)))
[ $left -gt 0 ] && sleep $left
get jenkins.company.test 100.96.0.5 >/dev/null
check "... and is refused once expired, clock or not, with no agent involved" test $? = 7
date -s "@$(($(date +%s) + 3600))" >/dev/null && clock_back=0
check_fails "authorize refuses an unknown resource" \
	g "$FZAGENT" authorize fz0 "$CL_PUB" nosuch
check_fails "authorize refuses an unknown client" \
	g "$FZAGENT" authorize fz0 "$GW_PUB" gitlab
check_fails "authorize refuses a time in the past" \
	g "$FZAGENT" authorize fz0 "$CL_PUB" gitlab expires 2020-01-01T00:00:00Z
check "... and gitlab still works after the refusals" \
	sh -c "[ \"\$($(declare -f c get); get gitlab.company.test 100.96.0.1)\" = gitlab ]"

# ---- `fzagent set` cannot touch a client (finding 13) ----
set_out=$(g "$FZAGENT" set fz0 peer "$CL_PUB" allowed-ips 100.64.0.2/32,fd00:2021:1111::2/128,10.77.0.0/24 2>&1)
set_status=$?
check "fzagent set refuses to widen a client's allowed IPs, with a clear error" \
	sh -c '[ "$1" != 0 ] && printf "%s" "$2" | grep -q "is a client of this gateway"' sh "$set_status" "$set_out"
check_fails "... and to remove it behind the gateway's back" \
	g "$FZAGENT" set fz0 peer "$CL_PUB" remove
check_fails "... and its allowed IPs are unchanged" \
	sh -c "ip netns exec gateway $(printf '%q' "$FZAGENT") show fz0 | grep -q 10.77.0.0"
check "... and gitlab still works" \
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
if wait_for 10 grep -q "^control $GW_PUB 2\$" "$FZ_RUN/cl-events.log"; then
	pass "on shutdown the client is told Goodbye"
else
	fail "on shutdown the client is told Goodbye"
	grep -E 'goodbye|handshake|stopping' "$FZ_RUN/gw-fz0.log" | tail -5 | sed 's/^/#   gateway: /'
	tail -3 "$FZ_RUN/cl-events.log" | sed 's/^/#   client events: /'
	tail -3 "$FZ_RUN/cl-events.err" | sed 's/^/#   client events (stderr): /'
	diag "client's view of the gateway: $(fz_json client fz0 '[(p["latest_handshake_ns"], p.get("rx_bytes")) for p in d["peers"]]' 2>&1)"
fi
wait_for 10 sh -c "! kill -0 $(cat "$FZ_RUN/gw-fz0.pid") 2>/dev/null"
check_fails "the nftables table is gone" g nft list table inet fz-gw-fz0
check "forwarding is back off, as it was" \
	sh -c "[ \"\$(ip netns exec gateway sysctl -n net.ipv4.ip_forward net.ipv6.conf.all.forwarding | tr -d '\n')\" = 00 ]"
kill %1 2>/dev/null

# ---- Restarts and reloads: fz.ko holds exactly the file (finding 12) ----
META=0b8d7c4e-2f6a-4d1e-9c3b-5a7e8f9d0c13
PLANTED=ffffffffffffffffffffffffffffff01
cat >>"$FZ_RUN/gw-fz0.auth" <<AUTH

[Resource]
Name = meta
ID = $META
Type = dns
Address = meta.company.test
AUTH
sed -i "s/^Authorize = gitlab\$/Authorize = gitlab\nAuthorize = meta/" "$FZ_RUN/gw-fz0.auth"
gw_dns_set meta.company.test 169.254.169.254 127.0.0.1 fe80::1
agent_up() { # starts the gateway agent; waits until it applied the file
	local n
	n=$(grep -c "gateway: 1 clients" "$FZ_RUN/gw-fz0.log")
	gw_agent_up gateway -a "$FZ_RUN/gw-fz0.auth" &&
		wait_for 15 sh -c "[ \$(grep -c 'gateway: 1 clients' '$FZ_RUN/gw-fz0.log') -gt $n ]"
}
agent_down() {
	local pid
	pid=$(cat "$FZ_RUN/gw-fz0.pid")
	kill -TERM "$pid" && wait_for 10 sh -c "! kill -0 $pid 2>/dev/null"
}
check "the gateway agent starts again on the same interface" agent_up
c "$P" events fz0 $((300 * ${FZ_TIME_SCALE:-1})) >"$FZ_RUN/cl-events2.log" 2>"$FZ_RUN/cl-events2.err" &
wait_for 10 grep -q listening "$FZ_RUN/cl-events2.err"
status2() { # NAME STATUS COUNT
	wait_for 12 sh -c "[ \$(grep -c '^control $GW_PUB 1 .*\"$1\".*\"$2\"' '$FZ_RUN/cl-events2.log') -ge $3 ]"
}
# Finding 9: the name resolves only to link-local, loopback addresses.
assigned "$META" meta.company.test 9
check "a DNS resource resolving to link-local and loopback only is Inactive" \
	status2 meta.company.test Inactive 1
check "... and the agent says it did not map them" \
	log_has "169.254.169.254, which is link-local: not mapped"
check_fails "... and the mapped IP leads nowhere" \
	sh -c "$(declare -f c get); get meta.company.test 100.96.0.9"
check "a run-time grant: jenkins" g "$FZAGENT" authorize fz0 "$CL_PUB" jenkins
assigned "$JENKINS" jenkins.company.test 5
status2 jenkins.company.test Active 1
check "... reached" \
	sh -c "[ \"\$($(declare -f c get); get jenkins.company.test 100.96.0.5)\" = jenkins ]"
check "state the agent did not create: a resource set by hand in fz.ko" \
	g "$P" resource fz0 "$CL_PUB" "$PLANTED" addr 172.31.0.11/32
check "... reached" \
	sh -c "[ \"\$($(declare -f c get); get other.company.test 172.31.0.11)\" = other ]"
agent_down
check "the agent starts again" agent_up
get jenkins.company.test 100.96.0.5 >/dev/null
check "after the restart the run-time grant is gone: jenkins refused at once" test $? = 7
get other.company.test 172.31.0.11 >/dev/null
check "... and so is the resource set by hand" test $? = 7
check "... and the log says so" \
	sh -c "grep -q 'removed resource jenkins of client' '$FZ_RUN/gw-fz0.log' && grep -q 'removed resource ffffffff-ffff-ffff-ffff-ffffffffff01 of client' '$FZ_RUN/gw-fz0.log'"
check "... gitlab's old DNS maps were cleared" \
	log_has "cleared the DNS maps of resource gitlab"
assigned "$GITLAB" gitlab.company.test 1
status2 gitlab.company.test Active 1
check "... and gitlab works once the client assigns its proxy IPs again" \
	sh -c "[ \"\$($(declare -f c get); get gitlab.company.test 100.96.0.1)\" = gitlab ]"

# ---- A reload the kernel refuses keeps the old identity (finding 14) ----
cp "$FZ_RUN/gw-fz0.conf" "$FZ_RUN/gw-fz0.conf.good"
g $PY -c '
import socket, sys, time
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); a.bind(("0.0.0.0", 51999))
b = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
b.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1); b.bind(("::", 51999))
print("bound", flush=True); time.sleep(120)' >"$FZ_RUN/busy.out" 2>&1 &
busy=$!
check "another program holds UDP port 51999 on the gateway" \
	wait_for 10 grep -q bound "$FZ_RUN/busy.out"
NEW_KEY=$(wg genkey)
(umask 077; sed -e "s|^PrivateKey = .*|PrivateKey = $NEW_KEY|" -e 's/^ListenPort = .*/ListenPort = 51999/' \
	"$FZ_RUN/gw-fz0.conf.good" >"$FZ_RUN/gw-fz0.conf")
kill -HUP "$(cat "$FZ_RUN/gw-fz0.pid")"
check "a reload with a new key and a listen port in use fails" \
	log_has "cannot set the device settings" 10
check "... fz.ko keeps the old public key" \
	sh -c "ip netns exec gateway $(printf '%q' "$FZAGENT") show fz0 | grep -q '$GW_PUB'"
# The client starts over: a fresh handshake needs the gateway's old key.
c "$FZAGENT" set fz0 peer "$GW_PUB" remove
c "$FZAGENT" set fz0 peer "$GW_PUB" endpoint 192.168.241.1:51820 persistent-keepalive 25 \
	allowed-ips 100.64.0.0/11,100.96.0.0/11,172.31.0.0/24,fd00:2021:1111::/107,fd00:2021:1111:8000::/107,fd00:31::/64,::/128
check "... and the agent still answers handshakes with it" \
	wait_for 20 ip netns exec client ping -c 1 -W 1 100.64.0.1
kill "$busy" 2>/dev/null
cp "$FZ_RUN/gw-fz0.conf.good" "$FZ_RUN/gw-fz0.conf"

# ---- A client removed from the file goes on SIGHUP ----
sed -i '/^\[Client\]/,$d' "$FZ_RUN/gw-fz0.auth"
kill -HUP "$(cat "$FZ_RUN/gw-fz0.pid")"
check "SIGHUP with the client removed from the file: the agent says so" \
	log_has "is no longer in the authorizations file" 10
check "... and removed it from fz.ko" \
	log_has "removed client $CL_PUB from fz.ko"
check_fails "... it is no longer a peer" \
	sh -c "ip netns exec gateway $(printf '%q' "$FZAGENT") show fz0 | grep -q '$CL_PUB'"
check_fails "... and reaches nothing" \
	sh -c "$(declare -f c get); get gitlab.company.test 100.96.0.1 | grep -q gitlab"
kill %2 2>/dev/null
ktap_done
