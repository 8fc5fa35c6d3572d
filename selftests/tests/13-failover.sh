#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# High availability end to end (the seeds' fourth sequence): a site with
# two gateways, both reaching the same nginx, a portal, and clients.
#
#   root:    brfz 10.251.0.1/24: fzportal on port 8443 (fixed: it restarts)
#   gw1:     eth0 10.251.0.2, fz0; v1 172.31.0.1 -.
#   gw2:     eth0 10.251.0.4, fz0; v2 172.31.0.2 -+- hares: br0 172.31.0.10 (nginx)
#   hacl:    eth0 10.251.0.3, fz0 (made by the agent): the client
#   halb1..halbN: eth0 10.251.0.(100+i): the load balancing clients
# (Names of their own: `make bench` runs this beside its systems.)
#
# The resource is the CIDR 172.31.0.0/24 (tcp/80 and ICMP). A probe on the
# client GETs http://172.31.0.10/ every 100 ms (0.5 s timeout) and logs
# each try. Checks:
# - crash, 5 rounds: the client's gateway loses its link and its agent is
#   SIGKILLed (its fz.ko state stays, as on a frozen host); the first
#   success through the other gateway comes at most 10 s plus one request
#   interval after the cut (fz.ko's quiet timeout of 10 s, then the portal
#   asked with the dead gateway in failed_gateway_ids); the dead gateway
#   is restarted and rejoins, and the client stays where it is;
# - graceful, 5 rounds: SIGTERM; the gateway says Goodbye and the client
#   moves in under 1 s;
# - the portal stops: traffic keeps flowing; a gateway crash then is not
#   recovered and the client says it cannot ask; when the portal is back,
#   recovery follows;
# - load balancing: N new clients (default 20) asking for the resource
#   land on both gateways, neither with fewer than N/5.
# The failover times are printed as "# failover crash|graceful ROUND: S s".
#
# fz-kernels: 6.1 6.12
# A userspace scenario (the agents and the portal), run on both kernels:
# the failover bounds depend on fz.ko's quiet timer and its held packets.
# On 6.12 it runs among the scenarios (one vCPU, beside the 6.1 lane).
. "$FZ_SELFTESTS/lib/ktap.sh"
. "$FZ_SELFTESTS/lib/netns.sh"
FZPORTAL=${FZPORTAL:-$FZ_SELFTESTS/../portal/fzportal}
FZ_RUN=${FZ_RUN:-/tmp/fzrun}
need ip openssl curl nginx wg modprobe "$PY"
for b in "$FZPORTAL" "$FZAGENT"; do
	[ -x "$b" ] || { fail "$b is built"; exit 1; }
done
modprobe fz

D=$FZ_RUN/failover
rm -rf "$D" && mkdir -p -m 700 "$D"
# Time bounds and waits for tools widen by FZ_TIME_SCALE on the debug
# kernel; make check measures them as written.
scale=${FZ_TIME_SCALE:-1}
export FZPORTAL_DB=$D/fz.db
# On the debug kernel, where a round takes minutes and setting up the
# site ten, one round of each and ten clients to balance (each gateway
# must get one: all ten on one by chance is 1 in 512): the whole test as
# written passed its hour there (3,615 s) with two and twenty.
LB_CLIENTS=${FZ_LB_CLIENTS:-20} ROUNDS=${FZ_FAILOVER_ROUNDS:-5}
if [ "$scale" -gt 1 ]; then
	LB_CLIENTS=${FZ_LB_CLIENTS:-10} ROUNDS=${FZ_FAILOVER_ROUNDS:-1}
	diag "debug kernel: $ROUNDS round of each failover, $LB_CLIENTS clients to balance"
fi
PORT=8443
URL=https://10.251.0.1:$PORT
declare -A gw_pid gw_addr gw_key gw_pub
gw_addr[gw1]=10.251.0.2 gw_addr[gw2]=10.251.0.4
portal_pid='' cl_pid='' probe_pid='' lb_pids=''

cleanup() {
	local p ns
	for p in $probe_pid $lb_pids $cl_pid ${gw_pid[gw1]:-} ${gw_pid[gw2]:-} $portal_pid; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	[ -f "$D/nginx.pid" ] && kill "$(cat "$D/nginx.pid")" 2>/dev/null
	ip link del brfz 2>/dev/null
	for ns in $(ip netns list | awk '{ print $1 }' | grep -E '^(gw[12]|hares|hacl|halb[0-9]+)$'); do
		hosts_down "$ns"
	done
}
trap cleanup EXIT

adm() { timeout $((30 * scale)) "$FZPORTAL" admin "$@"; }
jget() { "$PY" -c 'import json,sys; o=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"; }
log_has() { wait_for "${3:-10}" grep -q -- "$2" "$1"; }
now_ns() { date +%s%N; }

# ---- The network ----
net_up() {
	local ns i
	ip link add brfz type bridge && ip addr add 10.251.0.1/24 dev brfz &&
		ip link set brfz up || return 1
	ip netns add hares && ip -n hares link add br0 type bridge &&
		ip -n hares addr add 172.31.0.10/24 dev br0 &&
		ip -n hares link set br0 up && ip -n hares link set lo up || return 1
	i=1
	for ns in gw1 gw2; do
		ip netns add "$ns" || return 1
		ip link add "v$ns" type veth peer name eth0 netns "$ns" || return 1
		ip link set "v$ns" master brfz up
		ip -n "$ns" addr add "${gw_addr[$ns]}/24" dev eth0
		ip -n "$ns" link set eth0 up
		ip -n "$ns" link set lo up
		ip -n "$ns" link add "v$i" type veth peer name "p$i" netns hares || return 1
		ip -n "$ns" addr add "172.31.0.$i/24" dev "v$i"
		ip -n "$ns" link set "v$i" up
		ip -n hares link set "p$i" master br0 up
		ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1
		i=$((i + 1))
	done
}
# client_ns NS ADDR: a namespace on the bridge.
client_ns() {
	ip netns add "$1" &&
		ip link add "v$1" type veth peer name eth0 netns "$1" &&
		ip link set "v$1" master brfz up &&
		ip -n "$1" addr add "$2/24" dev eth0 &&
		ip -n "$1" link set eth0 up && ip -n "$1" link set lo up
}
nginx_up() {
	cat >"$D/nginx.conf" <<CONF
user root;
worker_processes 1;
pid $D/nginx.pid;
error_log $D/nginx-error.log;
events { worker_connections 512; }
http {
	access_log off;
	client_body_temp_path $D/nginx-body;
	proxy_temp_path $D/nginx-proxy;
	fastcgi_temp_path $D/nginx-fcgi;
	uwsgi_temp_path $D/nginx-uwsgi;
	scgi_temp_path $D/nginx-scgi;
	server { listen 172.31.0.10:80; return 200 "gitlab"; }
}
CONF
	ip netns exec hares nginx -c "$D/nginx.conf" &&
		wait_for 10 ip netns exec hares bash -c 'echo >/dev/tcp/172.31.0.10/80'
}
check "the site: two gateways on one resource network, a bridge to the portal" net_up
check "nginx starts in hares" nginx_up
check "hares drops UDP to port 9 without a word (a one-way flow)" \
	ip netns exec hares nft -f - <<'NFT'
table inet oneway {
	chain input {
		type filter hook input priority 0;
		udp dport 9 drop
	}
}
NFT
check "... it answers from gw1 and gw2" sh -c "ip netns exec gw1 curl -s -m $((3 * scale)) http://172.31.0.10/ | grep -q gitlab &&
	ip netns exec gw2 curl -s -m $((3 * scale)) http://172.31.0.10/ | grep -q gitlab"
check "the client's namespace" client_ns hacl 10.251.0.3

# ---- The portal ----
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-subj "/CN=10.251.0.1" -addext "subjectAltName=IP:10.251.0.1" -days 2 \
	-keyout "$D/key.pem" -out "$D/cert.pem" 2>/dev/null
check "fzportal init" timeout $((60 * scale)) "$FZPORTAL" init --account acme --db "$FZPORTAL_DB"
adm site create hq >/dev/null
RES=$(jget "$(adm --json resource create --name web --type cidr \
	--address 172.31.0.0/24 --site hq --filters tcp/80,udp/9,icmp)" 'o["id"]')
adm group create eng >/dev/null
adm policy create --group eng --resource web >/dev/null
# client_token NAME FILE: a service account in eng and its client token.
client_token() {
	adm service-account create --name "$1" >/dev/null &&
		adm member add --group eng --actor "$1" >/dev/null &&
		(umask 077 && jget "$(adm --json client-token create --actor "$1")" 'o["token"]' >"$2")
}
client_token ci "$D/cl.token"
for ns in gw1 gw2; do
	(umask 077 && jget "$(adm --json gateway-token create --site hq)" 'o["token"]' >"$D/$ns.token")
	gw_key[$ns]=$(wg genkey)
	gw_pub[$ns]=$(echo "${gw_key[$ns]}" | wg pubkey)
	(umask 077 && printf '[Interface]\nPrivateKey = %s\nListenPort = 51820\n' \
		"${gw_key[$ns]}" >"$D/$ns.conf")
done
check "the portal's data: the resource, its policy, three tokens" \
	test -n "$RES" -a -s "$D/cl.token" -a -s "$D/gw1.token" -a -s "$D/gw2.token"

# count_in FILE WORDS: how many lines of FILE have WORDS (0 if none).
count_in() { grep -c -- "$2" "$1" 2>/dev/null || :; }
# more_than FILE WORDS N: FILE has more than N lines with WORDS.
more_than() { [ "$(count_in "$1" "$2")" -gt "$3" ]; }

# portal_start: fzportal (again), on the fixed port; not under `check`,
# whose $(...) would wait for it and keep $portal_pid to itself.
portal_start() {
	local n
	n=$(count_in "$D/portal.log" listening)
	"$FZPORTAL" serve --listen "10.251.0.1:$PORT" --cert "$D/cert.pem" \
		--key "$D/key.pem" --db "$FZPORTAL_DB" 2>>"$D/portal.log" &
	portal_pid=$!
	check "fzportal serve listens on 10.251.0.1:$PORT" \
		wait_for 30 more_than "$D/portal.log" listening "${n:-0}"
}
portal_start

# gw_start NS WHAT: its agent (again), logging to $D/NS.log; WHAT names
# the check that it joined and applied the portal's init.
gw_start() {
	local ns=$1 n
	n=$(count_in "$D/$ns.log" "portal: init")
	ip netns exec "$ns" env -u FZ_TOKEN "$FZAGENT" gateway "$D/$ns.conf" \
		-i fz0 --portal "$URL" --ca-file "$D/cert.pem" \
		--token-file "$D/$ns.token" --endpoint "${gw_addr[$ns]}:51820" \
		>>"$D/$ns.log" 2>&1 &
	gw_pid[$ns]=$!
	check "$2" wait_for 60 more_than "$D/$ns.log" "portal: init" "${n:-0}"
}
gw_start gw1 "gw1 joins and applies its init"
gw_start gw2 "gw2 joins and applies its init"

# The portal's gateway ids, by namespace.
declare -A gw_id ns_of
gws=$(adm --json gateway list)
for ns in gw1 gw2; do
	gw_id[$ns]=$(jget "$gws" "[g['id'] for g in o if g['public_key'] == '${gw_pub[$ns]}'][0]")
	ns_of[${gw_id[$ns]}]=$ns
done
check "the portal lists both gateways online" "$PY" -c '
import json, sys
o = json.loads(sys.argv[1])
assert len(o) == 2 and all(g["online"] for g in o), o
' "$gws"

# ---- The client ----
# stamped: each line of standard input, after the time it was read in ns
# (the failover rounds' diag lines place the client's steps on the probe's
# clock).
stamped() {
	local l
	while IFS= read -r l; do printf '%s %s\n' "${EPOCHREALTIME/./}000" "$l"; done
}
FZ_TOKEN=$(cat "$D/cl.token") ip netns exec hacl "$FZAGENT" client \
	--portal "$URL" --ca-file "$D/cert.pem" --key-file "$D/client.key" \
	-i fz0 > >(stamped >"$D/cl.log") 2>&1 &
cl_pid=$!
check "the client joins and applies its init" log_has "$D/cl.log" "portal: init: 1 resources" 30
check "the first GET through the tunnel works" \
	sh -c "ip netns exec hacl curl -s -m $((15 * scale)) http://172.31.0.10/ | grep -q gitlab"
check "... fzagent show: the gateway peer has a 9 s quiet timeout (10 s to move)" \
	sh -c "ip netns exec hacl '$FZAGENT' show fz0 | grep -q 'quiet timeout: 9 seconds'"

# A one-way flow (UDP nobody answers, 12 s, longer than the 9 s quiet
# timeout): the gateway's keepalives (every 2 s to a client sending it
# data) keep it alive in the client's eyes.
g0=$(ip netns exec hacl "$FZAGENT" show --json fz0 | "$PY" -c '
import json, sys
print(json.load(sys.stdin)["client"]["resources"][0].get("gateway", ""))')
ip netns exec hacl "$PY" -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
end = time.time() + 12
while time.time() < end:
    s.sendto(b"x" * 100, ("172.31.0.10", 9))
    time.sleep(0.2)
'
check "a one-way flow for 12 s: the gateway is not taken as dead" \
	sh -c "! grep -q ': dead' '$D/cl.log'"
check "... and the resource stays with it" \
	sh -c "ip netns exec hacl '$FZAGENT' show fz0 | grep -q 'connected via gateway $g0'"

# The gateway the client's resource goes through, as a namespace.
current_ns() {
	local id
	id=$(ip netns exec hacl "$FZAGENT" show --json fz0 | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
r = [x for x in d["client"]["resources"] if x["state"] == "connected"]
print(r[0]["gateway"] if r else "")')
	[ -n "$id" ] && echo "${ns_of[$id]:-}"
}
other() { [ "$1" = gw1 ] && echo gw2 || echo gw1; }

# probe: a GET started every 100 ms, each in a thread of its own (one
# that waits does not delay the next), timing out after 0.5 s; one line
# per try: "START-NS END-NS ok|fail", in the order they end.
ip netns exec hacl "$PY" -c '
import socket, sys, threading, time
f = open(sys.argv[1], "a", buffering=1)
lock = threading.Lock()
req = b"GET / HTTP/1.0\r\nHost: x\r\n\r\n"
def one(t):
    try:
        s = socket.create_connection(("172.31.0.10", 80), timeout=0.5)
        s.settimeout(0.5)
        s.sendall(req)
        ok = b"gitlab" in s.recv(4096)
        s.close()
    except OSError:
        ok = False
    with lock:
        f.write("%d %d %s\n" % (t, time.time_ns(), "ok" if ok else "fail"))
while True:
    threading.Thread(target=one, args=(time.time_ns(),), daemon=True).start()
    time.sleep(0.1)
' "$D/probe.log" &
probe_pid=$!
# first_ok_after NS: when the first try started at or after NS that
# worked ended.
first_ok_after() {
	sort -n "$D/probe.log" | awk -v t0="$1" '$1 >= t0 && $3 == "ok" { print $2; exit }'
}
# first_fail_after NS: when the first try started at or after NS that
# failed started.
first_fail_after() {
	sort -n "$D/probe.log" | awk -v t0="$1" '$1 >= t0 && $3 == "fail" { print $1; exit }'
}
oks_after() { awk -v t0="$1" '$1 >= t0 && $3 == "ok"' "$D/probe.log" | wc -l; }
fails_after() { awk -v t0="$1" '$1 >= t0 && $3 == "fail"' "$D/probe.log" | wc -l; }
oks_at_least() { [ "$(oks_after "$1")" -ge "$2" ]; }
moved_to() { [ "$(current_ns)" = "$1" ]; }
t=$(now_ns)
check "the probe gets answers" wait_for 30 oks_at_least "$t" 5

# fail_round KIND ROUND: the client's gateway dies (crash: link cut and
# SIGKILL; graceful: SIGTERM); the time to the first success after it,
# through the other one, must be under LIMIT ms; the dead one restarts.
declare -a times_crash times_graceful
fail_round() {
	local kind=$1 round=$2 limit=$3 g o t0 t1 ff ms line fd
	g=$(current_ns)
	[ -n "$g" ] || { fail "$kind $round: the client has a gateway"; return; }
	o=$(other "$g")
	if [ "$kind" = crash ]; then
		# The cut, by an `ip -batch` already running in the namespace:
		# t0 is then the cut's time to within a wakeup, not to within
		# the time `ip` takes to start (0.3-0.7 s seen on a loaded
		# guest); the clock is bash's own (no process either). Only
		# requests started after t0 count.
		coproc CUT { ip -force -o -n "$g" -batch - 2>&1; }
		echo "link show eth0" >&"${CUT[1]}"
		read -t 30 -r line <&"${CUT[0]}"
		case $line in
		*"state UP"*) ;;
		*) fail "$kind $round: $g's link is up before the cut (ip says: $line)" ;;
		esac
		t0=${EPOCHREALTIME/./}000
		echo "link set eth0 down" >&"${CUT[1]}"
		echo "link show eth0" >&"${CUT[1]}"
		read -t 30 -r line <&"${CUT[0]}"
		t1=${EPOCHREALTIME/./}000
		fd=${CUT[1]}
		exec {fd}>&-
		wait "$CUT_PID" 2>/dev/null
		kill -KILL "${gw_pid[$g]}"
		case $line in
		*"state DOWN"*) diag "$kind $round: $g's link down within $(((t1 - t0) / 1000)) us" ;;
		*) fail "$kind $round: $g's link is down (ip says: $line)" ;;
		esac
	else
		t0=${EPOCHREALTIME/./}000
		kill -TERM "${gw_pid[$g]}"
	fi
	wait "${gw_pid[$g]}" 2>/dev/null
	# Moved, and a request that started since has worked.
	if ! wait_for 40 moved_to "$o" || ! wait_for 10 oks_at_least "$(now_ns)" 1; then
		fail "$kind $round: the client is not working through $o within 50 s after $g went (now: '$(current_ns)')"
		tail -15 "$D/cl.log" | sed 's/^/#   /'
		return
	fi
	pass "$kind $round: the client moved to $o"
	# The outage: from t0 to the first success after the first failure
	# (none failed, as a Goodbye can make it: no outage at all).
	ff=$(first_fail_after "$t0")
	t1=$t0
	[ -n "$ff" ] && t1=$(first_ok_after "$ff")
	[ -n "$t1" ] || { fail "$kind $round: no success after the first failure"; return; }
	ms=$(((t1 - t0) / 1000000))
	if [ "$kind" = crash ]; then times_crash+=("$ms"); else times_graceful+=("$ms"); fi
	diag "failover $kind $round: $(printf '%d.%03d' $((ms / 1000)) $((ms % 1000))) s ($g -> $o)"
	check "$kind $round: requests work again ${ms} ms after $g went (limit $limit ms)" \
		test "$ms" -le "$limit"
	# The client's steps since t0, in ms after it.
	awk -v t0="$t0" '$1 >= t0 { printf "#   +%d ms:", ($1 - t0) / 1000000; $1 = ""; print }' \
		"$D/cl.log" | head -8
	[ "$kind" = crash ] && ip -n "$g" link set eth0 up
	gw_start "$g" "$kind $round: $g restarts and rejoins"
	sleep 1
	check "$kind $round: the client stays with $o (no thrash)" test "$(current_ns)" = "$o"
}

# fz.ko's 10 s quiet timer is the kernel's and does not stretch; what
# follows it (the portal's answer, a handshake) does, on the debug kernel
# (FZ_TIME_SCALE), by a second per step of the scale.
for r in $(seq "$ROUNDS"); do
	fail_round crash "$r" $((10100 + (scale - 1) * 1000))
done
check "the client said its gateway went quiet" \
	grep -q "sent nothing back while we sent to it for 9 s: dead" "$D/cl.log"
# Under a second; 8 s on the debug kernel, where two rounds took 1.1 and
# 4.6 s (the second onto a gateway just restarted, slowly).
for r in $(seq "$ROUNDS"); do
	fail_round graceful "$r" $((scale > 1 ? 2000 * scale : 1000))
done
check "the client logged the goodbyes" grep -q "said goodbye; moving its 1 resource" "$D/cl.log"

# ---- The portal away ----
kill -TERM "$portal_pid" && wait "$portal_pid" 2>/dev/null
portal_pid=
t0=$(now_ns)
sleep 5
check "the portal stopped: traffic keeps flowing (5 s, no failure)" \
	sh -c "[ $(fails_after "$t0") = 0 ] && [ $(oks_after "$t0") -ge 10 ]"
g=$(current_ns)
o=$(other "$g")
ip -n "$g" link set eth0 down
kill -KILL "${gw_pid[$g]}"
wait "${gw_pid[$g]}" 2>/dev/null
check "a gateway crash without the portal: the client says it cannot ask" \
	log_has "$D/cl.log" "cannot ask the portal" 20
t1=$(now_ns)
sleep 2
check "... and nothing works meanwhile" test "$(oks_after "$t1")" = 0
ip -n "$g" link set eth0 up
t2=$(now_ns)
portal_start
check "... the client recovers through $o" \
	wait_for 60 oks_at_least "$t2" 3
t3=$(first_ok_after "$t2")
[ -n "$t3" ] && diag "recovery after the portal returned: $(((t3 - t2) / 1000000)) ms"
check "... and uses $o" test "$(current_ns)" = "$o"
gw_start "$g" "$g restarts and rejoins"

kill "$probe_pid" 2>/dev/null && wait "$probe_pid" 2>/dev/null
probe_pid=

# ---- Load balancing ----
if [ "$LB_CLIENTS" -gt 0 ]; then
	for i in $(seq "$LB_CLIENTS"); do
		client_ns "halb$i" "10.251.0.$((100 + i))" || { fail "namespace lb$i"; break; }
		client_token "halb$i" "$D/lb$i.token" || { fail "token for lb$i"; break; }
		FZ_TOKEN=$(cat "$D/lb$i.token") ip netns exec "halb$i" "$FZAGENT" client \
			--portal "$URL" --ca-file "$D/cert.pem" --key-file "$D/lb$i.key" \
			-i fz0 >"$D/lb$i.log" 2>&1 &
		lb_pids="$lb_pids $!"
	done
	n1=0 n2=0 nok=0
	for i in $(seq "$LB_CLIENTS"); do
		log_has "$D/lb$i.log" "portal: init: 1 resources" 60 &&
			ip netns exec "halb$i" curl -s -m $((20 * scale)) http://172.31.0.10/ | grep -q gitlab &&
			nok=$((nok + 1))
		id=$(ip netns exec "halb$i" "$FZAGENT" show --json fz0 2>/dev/null | "$PY" -c '
import json, sys
r = json.load(sys.stdin)["client"]["resources"]
print(r[0].get("gateway", "") if r else "")' 2>/dev/null)
		g=
		[ -n "$id" ] && g=${ns_of[$id]:-}
		case "$g" in
		gw1) n1=$((n1 + 1)) ;;
		gw2) n2=$((n2 + 1)) ;;
		esac
	done
	diag "load balancing: $LB_CLIENTS clients: gw1 $n1, gw2 $n2"
	check "load balancing: all $LB_CLIENTS clients reach the resource" test "$nok" = "$LB_CLIENTS"
	lb_min=$((LB_CLIENTS >= 20 ? LB_CLIENTS / 5 : 1))
	check "... and land on both gateways, neither with fewer than $lb_min (gw1 $n1, gw2 $n2)" \
		test "$n1" -ge "$lb_min" -a "$n2" -ge "$lb_min" -a $((n1 + n2)) = "$LB_CLIENTS"
fi

median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
maxof() { printf '%s\n' "$@" | sort -n | tail -1; }
[ ${#times_crash[@]} -gt 0 ] && diag "failover crash: median $(median "${times_crash[@]}") ms, max $(maxof "${times_crash[@]}") ms over ${#times_crash[@]} rounds"
[ ${#times_graceful[@]} -gt 0 ] && diag "failover graceful: median $(median "${times_graceful[@]}") ms, max $(maxof "${times_graceful[@]}") ms over ${#times_graceful[@]} rounds"
ktap_done
