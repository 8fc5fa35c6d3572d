#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The client role end to end, the seeds' example through the real path:
# `fzportal serve` (SQLite, TLS) in the root namespace; `fzagent gateway
# --portal` in the namespace "gateway", resolving through its dnsmasq
# (gitlab.company.test and jenkins.company.test, one IP) with nginx behind
# it in "res" (selftests/lib/gateway.sh); `fzagent client --portal` in the
# namespace "client" with a service account's client token and
# --dns-control none. The client's own resolver (its resolv.conf at
# start, so the stub's upstream) is a dnsmasq in the root namespace that
# knows plain.example.test only.
#
#   root:    brfz 10.251.0.1/24: fzportal, dnsmasq (upstream)
#   gateway: eth0 10.251.0.2, fz0; vres -> res (nginx 172.31.0.10)
#   client:  eth0 10.251.0.3, fz0 (made by the agent)
#
# Checks: the join and init (routes, sentinels, hold on); dig through the
# stub gives 4 mapped A for gitlab; curl http://gitlab.company.test/ with
# the stub as the resolver works at the first try, and fz.ko's counters
# say the SYN was held and sent (held 1, held_sent >= 1, no hold
# timeout); `fzagent show` lists gitlab connected and the name's mapped
# IPs; jenkins (its one policy's condition never holds) is refused at
# once through its mapped IP (ICMP prohibited, the portal's reason
# logged) and by its real IP (no route into the tunnel); a name no
# resource has resolves through the upstream; deleting gitlab's policy
# cuts the flow within a second; SIGTERM removes fz0.
#
# fz-kernels: 6.12
# A userspace scenario: it runs on 6.12 only, to keep make check within
# CI's time. The kernel paths it takes (held packets, gateway clients and
# their resources, expiry, ICMP prohibited) are tested on both kernels by
# 05, 08, 09 and 11-hold.
. "$FZ_SELFTESTS/lib/ktap.sh"
. "$FZ_SELFTESTS/lib/netns.sh"
. "$FZ_SELFTESTS/lib/gateway.sh"
FZPORTAL=${FZPORTAL:-$FZ_SELFTESTS/../portal/fzportal}
need ip openssl curl dig dnsmasq nginx wg modprobe "$PY"
for b in "$FZPORTAL" "$FZAGENT"; do
	[ -x "$b" ] || { fail "$b is built"; exit 1; }
done
# Time bounds widen by FZ_TIME_SCALE on the debug kernel; make check
# measures them as written on the kernels users run.
scale=${FZ_TIME_SCALE:-1}
modprobe fz

D=$FZ_RUN/client
rm -rf "$D" && mkdir -m 700 "$D"
export FZPORTAL_DB=$D/fz.db
portal_pid='' gw_pid='' cl_pid='' up_pid='' up2_pid='' probe_pid=''
cleanup() {
	local p
	[ -n "$cl_pid" ] && kill -CONT "$cl_pid" 2>/dev/null # frozen in the window case
	for p in $probe_pid $cl_pid $gw_pid $portal_pid $up_pid $up2_pid; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	portal_net_down
	gateway_down
}
trap cleanup EXIT

adm() { timeout $((30 * scale)) "$FZPORTAL" admin "$@"; } # TCG on a busy host is slow
jget() { "$PY" -c 'import json,sys; o=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"; }
cl_log_has() { wait_for "${2:-10}" grep -q -- "$1" "$D/cl.log"; }
gw_log_has() { wait_for "${2:-10}" grep -q -- "$1" "$D/gw.log"; }
cstat() { fz_json client fz0 "d['stats']['$1']"; }
# gw_holds ID / gw_lacks ID: the gateway's fz.ko has (not) resource ID;
# both fail when the gateway cannot be read.
gw_holds() {
	local o
	o=$(ip netns exec gateway "$FZAGENT" show --json fz0) && [ -n "$1" ] &&
		printf '%s' "$o" | grep -q -- "$1"
}
gw_lacks() {
	local o
	o=$(ip netns exec gateway "$FZAGENT" show --json fz0) && [ -n "$1" ] &&
		! printf '%s' "$o" | grep -q -- "$1"
}
# Through the stub, as an application on the client would resolve.
via_stub() { (in_ns client "$D/stub-resolv.conf" "$@"); }

# probe_start IP WORD LOG: from the client, GET http://IP/ (Host:
# WORD.company.test) every 100 ms, one line per try in LOG: "NS ok|fail",
# ok when the body has WORD. probe_stop ends it.
probe_start() {
	ip netns exec client "$PY" -c '
import socket, sys, time
ip, word, out = sys.argv[1:4]
f = open(out, "a", buffering=1)
req = b"GET / HTTP/1.0\r\nHost: %s.company.test\r\n\r\n" % word.encode()
while True:
    t = time.time_ns()
    try:
        s = socket.create_connection((ip, 80), timeout=0.5)
        s.settimeout(0.5)
        s.sendall(req)
        ok = word.encode() in s.recv(4096)
        s.close()
    except OSError:
        ok = False
    f.write("%d %s\n" % (t, "ok" if ok else "fail"))
    time.sleep(0.1)
' "$@" &
	probe_pid=$!
}
probe_stop() {
	kill "$probe_pid" 2>/dev/null && wait "$probe_pid" 2>/dev/null
	probe_pid=
}
# first_fail_after LOG NS: the time of the first failure at or after NS,
# when nothing worked after it; else nothing.
first_fail_after() {
	local cut
	cut=$(awk -v t0="$2" '$1 >= t0 && $2 == "fail" { print $1; exit }' "$1")
	[ -n "$cut" ] && ! awk -v c="$cut" '$1 > c && $2 == "ok" { bad = 1 } END { exit !bad }' "$1" &&
		echo "$cut"
}

# ---- The network ----
gateway_up || { fail "resource namespace, nginx, dnsmasq"; exit 1; }
portal_net_up || { fail "the client's namespace and the bridge to the portal"; exit 1; }
check "the client reaches the gateway's address, not the resource's" \
	sh -c "ip netns exec client ping -c 1 -W 2 10.251.0.2 >/dev/null &&
		! ip netns exec client ping -c 1 -W 1 172.31.0.10 >/dev/null 2>&1"

# The client's upstream resolver, outside the tunnel.
echo "192.0.2.77 plain.example.test" >"$D/up-hosts"
dnsmasq --conf-file=/dev/null --no-resolv --no-hosts \
	--addn-hosts="$D/up-hosts" --bind-interfaces --listen-address=10.251.0.1 \
	--port=53 --user=root --group=root --pid-file="$D/up-dnsmasq.pid" \
	--log-queries --log-facility="$D/up-dnsmasq.log" -k \
	</dev/null >"$D/up-dnsmasq.out" 2>&1 &
up_pid=$!
echo "nameserver 10.251.0.1" >"$D/cl-resolv.conf"
printf 'nameserver 100.100.111.1\noptions timeout:2 attempts:1\n' >"$D/stub-resolv.conf"
check "the upstream resolver answers from the client" \
	wait_for 10 sh -c "[ \"\$(ip netns exec client dig +short +time=1 +tries=1 @10.251.0.1 plain.example.test)\" = 192.0.2.77 ]"

# ---- The portal ----
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-subj "/CN=10.251.0.1" -addext "subjectAltName=IP:10.251.0.1" -days 2 \
	-keyout "$D/key.pem" -out "$D/cert.pem" 2>/dev/null
check "fzportal init" timeout $((30 * scale)) "$FZPORTAL" init --account acme --db "$FZPORTAL_DB"
adm site create hq >/dev/null
adm resource create --name gitlab --type dns --address gitlab.company.test \
	--site hq --filters tcp/80 >/dev/null
adm resource create --name jenkins --type dns --address jenkins.company.test \
	--site hq --filters tcp/80 >/dev/null
# A wildcard, a CIDR with a port filter and an IPv6 address, on the other
# web server's addresses (172.31.0.11 and fd00:31::11).
adm resource create --name ci-wild --type dns --address '*.ci.company.test' \
	--site hq --filters tcp/80 >/dev/null
res_other=$(jget "$(adm --json resource create --name other-net --type cidr \
	--address 172.31.0.11/32 --site hq --filters tcp/8443)" 'o["id"]')
adm resource create --name other-v6 --type ip --address fd00:31::11 \
	--site hq --filters tcp/80 >/dev/null
adm service-account create --name ci >/dev/null
adm group create eng >/dev/null
adm member add --group eng --actor ci >/dev/null
for r in ci-wild other-net; do
	adm policy create --group eng --resource "$r" >/dev/null
done
pol_v6=$(jget "$(adm --json policy create --group eng --resource other-v6)" 'o["id"]')
pol_gitlab=$(jget "$(adm --json policy create --group eng --resource gitlab)" 'o["id"]')
# Visible to the client, never granted: the client's address is not in it.
adm policy create --group eng --resource jenkins \
	--condition '{"property":"remote_ip","operator":"is_in_cidr","values":["192.0.2.0/24"]}' >/dev/null
(umask 077 && jget "$(adm --json gateway-token create --site hq)" 'o["token"]' >"$D/gw.token")
(umask 077 && jget "$(adm --json client-token create --actor ci)" 'o["token"]' >"$D/cl.token")
GITLAB=$(jget "$(adm --json resource show gitlab)" 'o["id"]')
OTHER_V6=$(jget "$(adm --json resource show other-v6)" 'o["id"]')
check "the portal's data: 5 resources, their policies, two tokens" \
	test -n "$GITLAB" -a -n "$OTHER_V6" -a -n "$res_other" -a -n "$pol_gitlab" -a -n "$pol_v6" \
	-a -s "$D/gw.token" -a -s "$D/cl.token"

"$FZPORTAL" serve --listen "10.251.0.1:0" --cert "$D/cert.pem" \
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
pass "fzportal serve listens on 10.251.0.1:$port"
URL=https://10.251.0.1:$port

# ---- The gateway ----
GW_KEY=$(wg genkey)
(umask 077 && printf '[Interface]\nPrivateKey = %s\nListenPort = 51820\n' \
	"$GW_KEY" >"$D/gw.conf")
in_ns gateway "$FZ_RUN/gw-resolv.conf" env -u FZ_TOKEN "$FZAGENT" gateway \
	"$D/gw.conf" -i fz0 --portal "$URL" --ca-file "$D/cert.pem" \
	--token-file "$D/gw.token" --endpoint 10.251.0.2:51820 \
	>"$D/gw.log" 2>&1 &
gw_pid=$!
check "the gateway joins and applies its init" gw_log_has "portal: init: 0 clients" 30

# ---- The client ----
check_fails "the client refuses a bad --dns-control" \
	ip netns exec client "$FZAGENT" client --portal "$URL" --dns-control bind
FZ_TOKEN=$(cat "$D/cl.token") in_ns client "$D/cl-resolv.conf" \
	"$FZAGENT" client --portal "$URL" --ca-file "$D/cert.pem" \
	--key-file "$D/client.key" --dns-control none -i fz0 \
	>"$D/cl.log" 2>&1 &
cl_pid=$!
check "the client joins and applies its init (5 resources)" \
	cl_log_has "portal: init: 5 resources" 30
check "... its key file was made, mode 600" \
	sh -c "[ \"\$(stat -c %a '$D/client.key')\" = 600 ]"
check "the token is not in the client's log or argv" \
	sh -c "! grep -qF \"\$(cut -c5-30 '$D/cl.token')\" '$D/cl.log' && ! grep -qF \"\$(cut -c5-30 '$D/cl.token')\" /proc/$cl_pid/cmdline"
check "fz0 holds packets for unknown destinations" \
	test "$(fz_json client fz0 "d['hold']")" = True
check "fz0 has the init's tunnel addresses and the sentinels" \
	sh -c "ip -n client -4 addr show fz0 | grep -q 'inet 100\\.6' &&
		ip -n client -4 addr show fz0 | grep -q 'inet 100\\.100\\.111\\.1/32' &&
		ip -n client -6 addr show fz0 | grep -q 'fd00:2021:1111:8000:100:100:111:0/128'"
check "the mapped ranges are routed into fz0" \
	sh -c "ip -n client route show 100.96.0.0/11 | grep -q 'dev fz0' &&
		ip -n client -6 route show fd00:2021:1111:8000::/107 | grep -q 'dev fz0'"
check "the DNS stub logged its upstream (the system's)" \
	cl_log_has "dns: stub on 2 sentinels, 1 upstreams"

# ---- DNS through the stub ----
a=$(ip netns exec client dig +short +time=2 +tries=1 @100.100.111.1 gitlab.company.test A)
check "dig @100.100.111.1 gitlab.company.test gives 4 mapped A" "$PY" -c '
import ipaddress, sys
a = sys.argv[1].split()
assert len(a) == 4, a
assert all(ipaddress.ip_address(x) in ipaddress.ip_network("100.96.0.0/11") for x in a), a
' "$a"
check "... stable: asked again, the same 4" \
	test "$(ip netns exec client dig +short +time=2 +tries=1 @100.100.111.1 gitlab.company.test A)" = "$a"
check "... and 4 mapped AAAA over TCP" \
	test "$(ip netns exec client dig +tcp +short +time=2 +tries=1 @100.100.111.1 gitlab.company.test AAAA | grep -c '^fd00:2021:1111:8000:')" = 4
check "a name no resource has resolves through the upstream" \
	test "$(via_stub dig +short +time=2 +tries=1 plain.example.test)" = 192.0.2.77
check "... the upstream saw it" grep -q "plain.example.test" "$D/up-dnsmasq.log"
check "nothing was held yet" test "$(cstat held)" = 0

# ---- The first connection: held, asked for, sent ----
out=$(via_stub curl -4 -s -m $((15 * scale)) http://gitlab.company.test/)
if [ "$out" = gitlab ]; then
	pass "curl http://gitlab.company.test/ through the stub works at the first try"
else
	fail "curl http://gitlab.company.test/ through the stub: '$out'"
fi
check "the client asked the portal and got a gateway" \
	cl_log_has "resource gitlab: via gateway"
# TCG is slow: a SYN retransmitted while the first waits is held too.
held=$(cstat held)
check "fz.ko held the SYN (held $held)" test "$held" -ge 1
check "... and sent every packet it held (held_sent $(cstat held_sent))" \
	test "$(cstat held_sent)" = "$held"
check "... none timed out (drop_hold_timeout 0)" test "$(cstat drop_hold_timeout)" = 0
check "... none was refused (drop_hold_refused 0)" test "$(cstat drop_hold_refused)" = 0
check "the gateway confirmed the name (DomainStatus)" \
	sh -c "ip netns exec client '$FZAGENT' show fz0 | grep -q 'name gitlab.company.test (active)'"
check "fzagent show: gitlab connected via a gateway, with an expiry" \
	sh -c "ip netns exec client '$FZAGENT' show fz0 | grep -q 'resource gitlab .*: connected via gateway .*expires at [1-9]'"
check "fzagent show --json: the client's resources and names" "$PY" -c '
import json, sys
d = json.loads(sys.argv[1])
r = {x["name"]: x for x in d["client"]["resources"]}
assert r["gitlab"]["state"] == "connected", r
assert len(r["gitlab"]["names"][0]["mapped_ips"]) == 8, r
assert r["jenkins"]["state"] == "not connected", r
' "$(ip netns exec client "$FZAGENT" show --json fz0)"
check "the gateway holds gitlab for the client" \
	gw_holds "$GITLAB"
check "again, through every mapped IPv4 it gave" \
	sh -c "for ip in $(echo $a); do [ \"\$(ip netns exec client curl -s -m $((5 * scale)) -H 'Host: gitlab.company.test' http://\$ip/)\" = gitlab ] || exit 1; done"

# ---- jenkins: visible, refused ----
j=$(ip netns exec client dig +short +time=2 +tries=1 @100.100.111.1 jenkins.company.test A | head -1)
check "jenkins has mapped IPs too (its resource is visible)" test -n "$j"
t0=$(date +%s%N)
check_fails "jenkins through its mapped IP is refused" \
	ip netns exec client curl -4 -s -m $((8 * scale)) -H 'Host: jenkins.company.test' "http://$j/"
t1=$(date +%s%N)
check "... at once (ICMP prohibited, under $((5 * scale)) s), not by timeout" \
	test $(((t1 - t0) / 1000000)) -lt $((5000 * scale))
check "... with the portal's reason in the log" \
	cl_log_has "resource jenkins: the portal refused access: forbidden"
check "... and fz.ko counted the refusal" test "$(cstat drop_hold_refused)" -ge 1
check_fails "jenkins by its real IP is not reachable (no route into the tunnel)" \
	ip netns exec client curl -s -m $((3 * scale)) -H 'Host: jenkins.company.test' http://172.31.0.10/

# ---- A wildcard resource ----
gw_dns_set build.ci.company.test 172.31.0.11
w=$(ip netns exec client dig +short +time=2 +tries=1 @100.100.111.1 build.ci.company.test A)
check "a wildcard resource (*.ci.company.test): build.ci.company.test gets 4 mapped A of its own" "$PY" -c '
import ipaddress, sys
w, a = sys.argv[1].split(), sys.argv[2].split()
assert len(w) == 4, w
assert all(ipaddress.ip_address(x) in ipaddress.ip_network("100.96.0.0/11") for x in w), w
assert not set(w) & set(a), (w, a)
' "$w" "$a"
deeper=$(ip netns exec client dig +time=2 +tries=1 @100.100.111.1 x.build.ci.company.test A)
check "... a name two labels deeper is not the wildcard's (forwarded: an answer, no mapped IP)" \
	"$PY" -c '
import re, sys
out = sys.argv[1]
assert ";; Got answer:" in out, out  # from upstream, whatever its status
assert not re.search(r"\sIN\s+A\s+100\.", out), out
' "$deeper"
out=$(via_stub curl -4 -s -m $((15 * scale)) -H 'Host: other.company.test' http://build.ci.company.test/)
check "... curl http://build.ci.company.test/ reaches its server at the first try ('$out')" \
	test "$out" = other

# ---- A CIDR resource with a port filter; ICMP prohibited asks again ----
check "a CIDR resource (172.31.0.11/32, tcp/8443) is routed into fz0" \
	sh -c "ip -n client route show 172.31.0.11 | grep -q 'dev fz0'"
out=$(ip netns exec client curl -s -m $((15 * scale)) -H 'Host: other.company.test' http://172.31.0.11:8443/)
check "... curl to its port 8443 works at the first try ('$out')" test "$out" = other
t0=$(date +%s%N)
check_fails "... its port 80 is refused" \
	ip netns exec client curl -s -m $((8 * scale)) -H 'Host: other.company.test' http://172.31.0.11/
t1=$(date +%s%N)
check "... by the gateway, at once (ICMP prohibited, under $((5 * scale)) s)" \
	test $(((t1 - t0) / 1000000)) -lt $((5000 * scale))
check "... the gateway counted it (denied_filtered)" \
	test "$(fz_json gateway fz0 "d['stats']['denied_filtered']")" -ge 1
prohibited_seen() { [ "$(cstat peer_prohibited)" -ge 1 ]; }
check "... the client counted the gateway's ICMP prohibited (peer_prohibited)" \
	wait_for 5 prohibited_seen
check "... and asked the portal again" \
	cl_log_has "resource other-net: gateway .* refused a packet (ICMP prohibited); asking the portal again"
# The portal decides again; a live authorization on the same gateway is
# reused (the gateway holds it already), so only the client is told again.
granted_twice() {
	[ "$(grep -c 'resource other-net: via gateway' "$D/cl.log")" -ge 2 ] &&
		[ "$(grep -E 'authorization_(granted|reused) ' "$D/portal.log" |
			grep -c "resource=$res_other")" -ge 2 ]
}
check "... which the portal granted again (client told twice, portal decided twice)" \
	wait_for 10 granted_twice
out=$(ip netns exec client curl -s -m $((15 * scale)) -H 'Host: other.company.test' http://172.31.0.11:8443/)
check "... port 8443 still works ('$out')" test "$out" = other

# ---- An IPv6 resource ----
out=$(ip netns exec client curl -s -m $((15 * scale)) -H 'Host: other.company.test' 'http://[fd00:31::11]/')
check "an IPv6 resource (fd00:31::11, tcp/80): curl works at the first try ('$out')" \
	test "$out" = other

# ---- The policy goes: the flow is cut within a second ----
# A prober fetches gitlab every 100 ms; the cut is its first failure.
probe_start "$(echo "$a" | head -1)" gitlab "$D/probe.log"
wait_for 20 grep -q ok "$D/probe.log"
t_start=$(date +%s%N)
adm policy delete "$pol_gitlab" >/dev/null
t0=$(date +%s%N)
wait_for 10 sh -c "tail -3 '$D/probe.log' | grep -c fail | grep -qx 3"
probe_stop
cut=$(first_fail_after "$D/probe.log" "$t0")
if [ -n "$cut" ] && grep -q ok "$D/probe.log"; then
	ms=$(((cut - t0) / 1000000))
	msg="deleting gitlab's policy cut the flow ${ms} ms after the command returned ($(((cut - t_start) / 1000000)) ms after it started; a fetch every 100 ms)"
	[ "$ms" -le $((1000 * scale)) ] && pass "$msg" || fail "$msg: over $scale s"
else
	fail "deleting gitlab's policy cut the flow for good (no failure after the command, or a fetch worked after one)"
fi
check "... the gateway holds nothing of gitlab for the client" \
	wait_for 10 gw_lacks "$GITLAB"
check_fails "... gitlab's mapped IP no longer answers" \
	ip netns exec client curl -s -m $((3 * scale)) -H 'Host: gitlab.company.test' "http://$(echo "$a" | head -1)/"
check "... the client dropped the resource (resource_deleted)" \
	cl_log_has "resource gitlab .*removed"

# ---- A time window that ends while the portal is stopped ----
# A policy for gitlab whose window (UTC, every day) ends at the first
# minute boundary at least 65 s away: the authorization ends then. The
# portal is stopped, and the client's agent frozen (SIGSTOP) just before
# the end, so only the gateway's kernel can cut the flow then.
end=$((($(date +%s) + 65 * scale + 59) / 60 * 60))
[ "$(date -u -d "@$end" +%H:%M)" = 23:59 ] && end=$((end + 60)) # 23:59 means 24:00
window="MTWRFSU/$(date -u -d "@$((end - 3600))" +%H:%M)-$(date -u -d "@$end" +%H:%M)/UTC"
pol_win=$(jget "$(adm --json policy create --group eng --resource gitlab \
	--condition "{\"property\":\"current_utc_datetime\",\"operator\":\"is_in_day_of_week_time_ranges\",\"values\":[\"$window\"]}")" 'o["id"]')
check "a policy for gitlab with the time window $window" test -n "$pol_win"
gitlab_listed() { ip netns exec client "$FZAGENT" show fz0 | grep -q 'resource gitlab '; }
check "... the client learns gitlab again" wait_for 10 gitlab_listed
out=$(via_stub curl -4 -s -m $((15 * scale)) http://gitlab.company.test/)
check "... curl http://gitlab.company.test/ works ('$out')" test "$out" = gitlab
check "... the gateway was told the window's end ($(date -u -d "@$end" +%FT%TZ))" \
	gw_log_has "for resource gitlab until $(date -u -d "@$end" +%FT%TZ)"
expired0=$(fz_json gateway fz0 "d['stats']['denied_expired']")
kill -TERM "$portal_pid" && wait "$portal_pid"
portal_pid=
left=$((end - $(date +%s)))
[ "$left" -ge $((12 * scale)) ] || fail "the steps before the window's end left only $left s of it (a slow host): the cut below cannot be measured"
rm -f "$D/probe-win.log"
probe_start "$(echo "$a" | head -1)" gitlab "$D/probe-win.log"
# Frozen only for the last seconds: a longer freeze could outlive the
# session's keys, which the agent renews.
until [ "$(date +%s)" -ge $((end - 5)) ]; do sleep 0.2; done
kill -STOP "$cl_pid"
until [ "$(date +%s)" -ge $((end + 3 * scale)) ]; do sleep 0.2; done
probe_stop
kill -CONT "$cl_pid"
cut=$(first_fail_after "$D/probe-win.log" "$((end - 1))000000000")
ok_before=$(awk -v e="${end}000000000" '$1 < e && $2 == "ok"' "$D/probe-win.log" | wc -l)
if [ -n "$cut" ] && [ "$ok_before" -gt 0 ]; then
	ms=$(((cut - end * 1000000000) / 1000000))
	msg="with the portal stopped and the client frozen, gitlab worked until the window's end and was cut ${ms} ms from it"
	[ "$ms" -ge -1000 ] && [ "$ms" -le $((1000 * scale)) ] && pass "$msg" || fail "$msg: not within $scale s"
else
	fail "the window's end cut gitlab for good with the portal stopped ($ok_before fetches worked before it; cut '${cut}')"
fi
check "... by the gateway (denied_expired rose from $expired0)" \
	test "$(fz_json gateway fz0 "d['stats']['denied_expired']")" -gt "$expired0"

# ---- The portal restarts ----
# Meanwhile the account names its own upstream resolver (10.251.0.5, with
# its own answer for plain.example.test): the client's next init carries it.
ip addr add 10.251.0.5/24 dev brfz
echo "192.0.2.78 plain.example.test" >"$D/up2-hosts"
dnsmasq --conf-file=/dev/null --no-resolv --no-hosts \
	--addn-hosts="$D/up2-hosts" --bind-interfaces --listen-address=10.251.0.5 \
	--port=53 --user=root --group=root --pid-file="$D/up2-dnsmasq.pid" -k \
	</dev/null >"$D/up2-dnsmasq.out" 2>&1 &
up2_pid=$!
check "fzportal admin account update --upstream-dns 10.251.0.5 (the portal stopped)" \
	adm account update --upstream-dns 10.251.0.5
"$FZPORTAL" serve --listen "10.251.0.1:$port" --cert "$D/cert.pem" \
	--key "$D/key.pem" --db "$FZPORTAL_DB" 2>"$D/portal2.log" &
portal_pid=$!
rejoined() { [ "$(grep -c "portal: init_done" "$D/gw.log")" -ge 2 ]; }
check "the portal restarts: the gateway rejoins and reconciles (init_done)" \
	wait_for 60 rejoined
check "... the client rejoins" \
	wait_for 60 sh -c "[ \$(grep -c 'portal: joined https' '$D/cl.log') -ge 2 ]"
check "... the client dropped gitlab's expired authorization" \
	cl_log_has "resource gitlab: its authorization expired"
check "... the gateway holds nothing of gitlab (the expired grant is gone)" \
	wait_for 10 gw_lacks "$GITLAB"
adm policy delete "$pol_win" >/dev/null
pol_gitlab=$(jget "$(adm --json policy create --group eng --resource gitlab)" 'o["id"]')
check "... the client's stub now forwards to the init's upstream (10.251.0.5)" \
	cl_log_has "dns: the stub now asks 10.251.0.5:53 (the portal's init)"
check "... and a name that is no resource gets that upstream's answer" \
	wait_for 10 sh -c "[ \"\$(ip netns exec client dig +short +time=2 +tries=1 @100.100.111.1 plain.example.test)\" = 192.0.2.78 ]"
gitlab_works() { [ "$(via_stub curl -4 -s -m $((10 * scale)) http://gitlab.company.test/)" = gitlab ]; }
check "... a new policy: gitlab works again through the restarted portal" \
	wait_for 30 gitlab_works

# ---- The gateway restarts ----
kill -TERM "$gw_pid"
wait "$gw_pid"
status=$?
gw_pid=
check "the gateway stops on SIGTERM (status 0)" test "$status" = 0
check "... saying goodbye to the client" grep -q "said goodbye to 1 clients" "$D/gw.log"
check "... which drops it" cl_log_has "gateway .* said goodbye"
# Revoked while the gateway is away: its fz0 (which outlives the agent)
# still has it, and the portal's init on its return does not.
check "the gateway held other-v6 for the client before it stopped" \
	gw_holds "$OTHER_V6"
adm policy delete "$pol_v6" >/dev/null
in_ns gateway "$FZ_RUN/gw-resolv.conf" env -u FZ_TOKEN "$FZAGENT" gateway \
	"$D/gw.conf" -i fz0 --portal "$URL" --ca-file "$D/cert.pem" \
	--token-file "$D/gw.token" --endpoint 10.251.0.2:51820 \
	>"$D/gw2.log" 2>&1 &
gw_pid=$!
check "... starts again and joins" \
	wait_for 30 grep -q "portal: init_done" "$D/gw2.log"
reconciled() { gw_lacks "$OTHER_V6" && gw_holds "$GITLAB"; }
check "... and reconciles: other-v6, revoked meanwhile, is gone; gitlab, still granted, stays" \
	wait_for 10 reconciled
check "gitlab works again through the restarted gateway" wait_for 30 gitlab_works
check "... which holds it for the client" \
	gw_holds "$GITLAB"

# ---- SIGTERM: everything goes ----
kill -TERM "$cl_pid"
wait "$cl_pid"
status=$?
cl_pid=
check "SIGTERM: the client exits 0" test "$status" = 0
check "... and fz0 is gone with its routes" \
	sh -c "! ip -n client link show fz0 2>/dev/null && ! ip -n client route | grep -q 100.96.0.0"
check "the client token never reached the log" sh -c "! grep -q fz1_ '$D/cl.log'"
if [ "$FZ_FAILS" -gt 0 ]; then
	sed 's/^/#   client: /' "$D/cl.log" | tail -40
	sed 's/^/#   gateway: /' "$D/gw.log" | tail -30
	sed 's/^/#   gateway (restarted): /' "$D/gw2.log" 2>/dev/null | tail -20
	sed 's/^/#   portal: /' "$D/portal.log" | tail -30
	sed 's/^/#   portal (restarted): /' "$D/portal2.log" 2>/dev/null | tail -20
fi
ktap_done
