# SPDX-License-Identifier: GPL-2.0
# The resource side of the gateway tests (source after netns.sh):
#
#   $GW_NS (gateway) vres 172.31.0.1/24  fd00:31::1/64
#        |  veth
#   $RES_NS (res)    vgw  172.31.0.10/24 fd00:31::10/64, also .11 and ::11
#
# res: default routes via the gateway; nginx on ports 80 and 8443 (plain
# HTTP; access.log lines "CLIENT-ADDR SERVER-ADDR HOST "REQUEST" STATUS") with virtual hosts gitlab.company.test (body "gitlab"),
# jenkins.company.test ("jenkins"), other.company.test ("other"), and any
# other Host answered 404; a TCP listener on 22 and UDP echo on 5000-5010.
# gateway: IP forwarding on; dnsmasq on 127.0.0.1:53 answering
#   gitlab.company.test, jenkins.company.test  A 172.31.0.10  AAAA fd00:31::10
#   other.company.test                         A 172.31.0.11  (no AAAA)
# and NXDOMAIN for any other name under company.test. gw_exec runs a command
# with a resolv.conf naming only that resolver.
#
#   gateway_up            res_up, res_nginx_up, res_listeners_up, gw_dns_up
#   gateway_down          stops all of it, deletes both namespaces
#   res_up                the namespaces (gateway made if missing) and veth
#   res_nginx_up          nginx in res; logs in $FZ_RUN/res-nginx/
#   res_listeners_up [TCP-PORT,...] [UDP-FIRST-LAST]  default 22, 5000-5010:
#                         tcp sends an SSH-like banner and closes, udp echoes
#                         from the address it was sent to;
#                         $FZ_RUN/res-listen.log gets one line per packet,
#                         "tcp SRC SPORT DPORT" / "udp SRC SPORT DPORT LEN DST"
#   gw_dns_up             dnsmasq in the gateway, queries logged to
#                         $FZ_RUN/gw-dnsmasq.log; TTL $GW_DNS_TTL (default 0)
#   gw_dns_set NAME ADDR...  NAME now resolves to ADDR... (none: NXDOMAIN);
#                         returns once dnsmasq answers the new set
#   gw_dns_answers NAME A|AAAA [ADDR...]  dnsmasq answers exactly ADDR...
#   gw_exec CMD...        CMD in the gateway, resolving through dnsmasq
#                         (/etc/resolv.conf bind-mounted in a private mount
#                         namespace; `ip netns exec` alone cannot, as
#                         /etc/netns/ cannot be made on a read-only root)
#   gw_resolve NAME [A|AAAA]  the addresses the gateway's resolver gives
#   portal_net_up         the portal's side (after gateway_up): a bridge brfz
#                         10.251.0.1/24 in the root namespace, where fzportal
#                         listens, and on it eth0 of "gateway" (10.251.0.2)
#                         and of a new namespace "client" (10.251.0.3)
#   portal_net_down       removes the bridge and the client namespace
#   in_ns NS RESOLV CMD...  execs CMD in NS with RESOLV as /etc/resolv.conf
#                         (a private mount namespace, as gw_exec); call it
#                         in a subshell or with &, so that $! is CMD's pid
#
# Everything the processes write is under $FZ_RUN: in the VM the root file
# system is read-only except /tmp and the run directory.
FZ_RUN=${FZ_RUN:-/tmp/fzrun}
mkdir -p "$FZ_RUN"
chmod 700 "$FZ_RUN"
GW_NS=${GW_NS:-gateway}
RES_NS=${RES_NS:-res}
PY=${PY:-/usr/bin/python3}

res_up() {
	ip netns list | awk '{ print $1 }' | grep -qx "$GW_NS" ||
		ip netns add "$GW_NS" || return 1
	ip netns add "$RES_NS" || return 1
	ip link add vres netns "$GW_NS" type veth peer name vgw netns "$RES_NS" ||
		return 1
	ip -n "$GW_NS" addr add 172.31.0.1/24 dev vres
	ip -n "$GW_NS" addr add fd00:31::1/64 dev vres nodad
	ip -n "$RES_NS" addr add 172.31.0.10/24 dev vgw
	ip -n "$RES_NS" addr add 172.31.0.11/24 dev vgw
	ip -n "$RES_NS" addr add fd00:31::10/64 dev vgw nodad
	ip -n "$RES_NS" addr add fd00:31::11/64 dev vgw nodad
	ip -n "$GW_NS" link set lo up
	ip -n "$RES_NS" link set lo up
	ip -n "$GW_NS" link set vres up
	ip -n "$RES_NS" link set vgw up
	ip -n "$RES_NS" route add default via 172.31.0.1 || return 1
	ip -n "$RES_NS" -6 route add default via fd00:31::1 || return 1
	ip netns exec "$GW_NS" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1
}

res_nginx_up() {
	local d=$FZ_RUN/res-nginx v name
	rm -rf "$d" # a fresh access log for every test
	mkdir -p "$d"
	{
		cat <<CONF
user root;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections 256; }
http {
	log_format fz '\$remote_addr \$server_addr \$host "\$request" \$status';
	access_log $d/access.log fz;
	client_body_temp_path $d/client_body;
	proxy_temp_path $d/proxy;
	fastcgi_temp_path $d/fastcgi;
	uwsgi_temp_path $d/uwsgi;
	scgi_temp_path $d/scgi;
	default_type text/plain;
	server {
		listen 80 default_server;
		listen [::]:80 default_server;
		listen 8443 default_server;
		listen [::]:8443 default_server;
		return 404 "unknown host";
	}
CONF
		for v in gitlab jenkins other; do
			name=$v.company.test
			printf '\tserver {\n'
			printf '\t\tlisten 80;\n\t\tlisten [::]:80;\n'
			printf '\t\tlisten 8443;\n\t\tlisten [::]:8443;\n'
			printf '\t\tserver_name %s;\n\t\treturn 200 %s;\n\t}\n' \
				"$name" "$v"
		done
		echo "}"
	} >"$d/nginx.conf"
	# A daemon holding the test's stdout would keep its output open.
	ip netns exec "$RES_NS" nginx -p "$d" -c "$d/nginx.conf" \
		-e "$d/error.log" </dev/null >/dev/null 2>&1 ||
		{ cat "$d/error.log" >&2; return 1; }
	wait_for 30 ip netns exec "$RES_NS" curl -sf -m 1 \
		-H 'Host: gitlab.company.test' http://172.31.0.10/
}

res_listeners_up() {
	local tcp=${1:-22} udp=${2:-5000-5010} log=$FZ_RUN/res-listen.log
	: >"$log"
	cat >"$FZ_RUN/res-listen.py" <<'PYEOF'
import selectors, socket, sys

log = open(sys.argv[1], "a", buffering=1)
tcp = [int(p) for p in sys.argv[2].split(",") if p]
first, last = (int(p) for p in sys.argv[3].split("-"))
sel = selectors.DefaultSelector()

def sock(kind, port):
    s = socket.socket(socket.AF_INET6, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    if kind == socket.SOCK_DGRAM:  # which address it came to
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVPKTINFO, 1)
    s.bind(("::", port))
    s.setblocking(False)
    return s

def addr(a):
    return a[0][7:] if a[0].startswith("::ffff:") else a[0]

for p in tcp:
    s = sock(socket.SOCK_STREAM, p)
    s.listen(64)
    sel.register(s, selectors.EVENT_READ, ("tcp", p))
for p in range(first, last + 1):
    sel.register(sock(socket.SOCK_DGRAM, p), selectors.EVENT_READ, ("udp", p))
print("ready", flush=True)
while True:
    for key, _ in sel.select():
        s, (kind, port) = key.fileobj, key.data
        try:
            if kind == "tcp":
                c, a = s.accept()
                print("tcp", addr(a), a[1], port, file=log)
                try:
                    c.send(b"SSH-2.0-fz-selftest\r\n")
                except OSError:
                    pass
                c.close()
            else:
                data, anc, _, a = s.recvmsg(65535, 64)
                info = [d for lvl, t, d in anc if t == socket.IPV6_PKTINFO]
                dst = socket.inet_ntop(socket.AF_INET6, info[0][:16])
                print("udp", addr(a), a[1], port, len(data), addr((dst,)),
                      file=log)
                # in6_pktinfo with ifindex 0: the source, not the device
                s.sendmsg([data], [(socket.IPPROTO_IPV6, socket.IPV6_PKTINFO,
                                    info[0][:16] + bytes(4))], 0, a)
        except (BlockingIOError, ConnectionError):
            pass
PYEOF
	: >"$log"
	ip netns exec "$RES_NS" "$PY" "$FZ_RUN/res-listen.py" "$log" "$tcp" \
		"$udp" >"$FZ_RUN/res-listen.out" 2>&1 &
	echo $! >"$FZ_RUN/res-listen.pid"
	wait_for 30 grep -q ready "$FZ_RUN/res-listen.out" ||
		{ cat "$FZ_RUN/res-listen.out" >&2; return 1; }
}

gw_dns_up() {
	echo "nameserver 127.0.0.1" >"$FZ_RUN/gw-resolv.conf"
	cat >"$FZ_RUN/gw-hosts" <<HOSTS
172.31.0.10 gitlab.company.test
fd00:31::10 gitlab.company.test
172.31.0.10 jenkins.company.test
fd00:31::10 jenkins.company.test
172.31.0.11 other.company.test
HOSTS
	: >"$FZ_RUN/gw-dnsmasq.log"
	ip netns exec "$GW_NS" dnsmasq --conf-file=/dev/null --no-resolv \
		--no-hosts --addn-hosts="$FZ_RUN/gw-hosts" --bind-interfaces \
		--listen-address=127.0.0.1 --port=53 --local=/company.test/ \
		--local-ttl="${GW_DNS_TTL:-0}" --user=root --group=root \
		--pid-file="$FZ_RUN/gw-dnsmasq.pid" --log-queries \
		--log-facility="$FZ_RUN/gw-dnsmasq.log" \
		</dev/null >"$FZ_RUN/gw-dnsmasq.out" 2>&1 ||
		{ cat "$FZ_RUN/gw-dnsmasq.out" >&2; return 1; }
	wait_for 30 gw_dns_answers gitlab.company.test A 172.31.0.10
}

gw_dns_answers() {
	local want got
	want=$(printf '%s\n' "${@:3}" | sed '/^$/d' | sort)
	got=$(ip netns exec "$GW_NS" dig +short +time=1 +tries=1 @127.0.0.1 \
		"$1" "$2" | sort) || return 1
	[ "$got" = "$want" ]
}

gw_dns_set() {
	local name=$1 a h=$FZ_RUN/gw-hosts v4=() v6=()
	shift
	awk -v n="$name" '$2 != n' "$h" >"$h.new"
	for a in "$@"; do
		echo "$a $name" >>"$h.new"
		case $a in
		*:*) v6+=("$a") ;;
		*) v4+=("$a") ;;
		esac
	done
	mv "$h.new" "$h"
	kill -HUP "$(cat "$FZ_RUN/gw-dnsmasq.pid")" || return 1
	wait_for 10 gw_dns_answers "$name" A "${v4[@]}" &&
		wait_for 10 gw_dns_answers "$name" AAAA "${v6[@]}"
}

gw_exec() {
	# shellcheck disable=SC2016 # expanded by the inner sh
	FZ_GW_RESOLV=$FZ_RUN/gw-resolv.conf ip netns exec "$GW_NS" \
		unshare -m sh -c \
		'mount --bind "$FZ_GW_RESOLV" /etc/resolv.conf && exec "$@"' \
		sh "$@"
}

gw_resolve() {
	gw_exec dig +short +time=1 +tries=1 "$1" "${2:-A}"
}

gateway_up() {
	local step
	for step in res_up res_nginx_up "res_listeners_up 22 5000-5010" gw_dns_up; do
		$step || { echo "# gateway_up: $step failed" >&2; return 1; }
	done
}

gateway_down() {
	local f pid
	for f in res-nginx/nginx.pid res-listen.pid gw-dnsmasq.pid; do
		# One that already ended is no failure, even under set -e.
		pid=$(cat "$FZ_RUN/$f" 2>/dev/null) && { kill "$pid" 2>/dev/null || :; }
		rm -f "$FZ_RUN/$f"
	done
	hosts_down "$RES_NS" "$GW_NS"
}

# gw_tunnel_up: fz devices in the namespaces gateway and client (made by
# hosts_up gateway client), in Firezone's address plan: gateway 100.64.0.1 /
# fd00:2021:1111::1, client 100.64.0.2 / fd00:2021:1111::2. The client runs
# `fzagent up` and routes the tunnel, mapped and resource ranges (and ::,
# for control packets) to the gateway. The gateway runs `fzagent up` with
# the client as a [Peer], or with GW_AGENT=gateway `fzagent gateway` with
# $GW_AGENT_ARGS and no [Peer]. Keys come from gw_keys (GW_PUB, CL_PUB).
# gw_tunnel_down stops both agents.
gw_keys() {
	GW_KEY=$(wg genkey) CL_KEY=$(wg genkey)
	GW_PUB=$(echo "$GW_KEY" | wg pubkey) CL_PUB=$(echo "$CL_KEY" | wg pubkey)
}

gw_tunnel_up() {
	[ -n "${GW_PUB:-}" ] || gw_keys
	(
		umask 077
		cat >"$FZ_RUN/gw-fz0.conf" <<CONF
[Interface]
PrivateKey = $GW_KEY
ListenPort = 51820
Address = 100.64.0.1/11, fd00:2021:1111::1/107
CONF
		[ "${GW_AGENT:-up}" = gateway ] || cat >>"$FZ_RUN/gw-fz0.conf" <<CONF

[Peer]
PublicKey = $CL_PUB
AllowedIPs = 100.64.0.2/32, fd00:2021:1111::2/128
CONF
		cat >"$FZ_RUN/cl-fz0.conf" <<CONF
[Interface]
PrivateKey = $CL_KEY
ListenPort = 51821
Address = 100.64.0.2/11, fd00:2021:1111::2/107

[Peer]
PublicKey = $GW_PUB
Endpoint = 192.168.241.1:51820
PersistentKeepalive = 25
AllowedIPs = 100.64.0.0/11, 100.96.0.0/11, 172.31.0.0/24, fd00:2021:1111::/107, fd00:2021:1111:8000::/107, fd00:31::/64, ::/128
CONF
	)
	# shellcheck disable=SC2086 # GW_AGENT_ARGS are words
	gw_agent_up "${GW_AGENT:-up}" ${GW_AGENT_ARGS:-} || return 1
	ip netns exec client "$FZAGENT" up "$FZ_RUN/cl-fz0.conf" -i fz0 \
		>"$FZ_RUN/cl-fz0.log" 2>&1 &
	echo $! >"$FZ_RUN/cl-fz0.pid"
	wait_for 15 link_is_up client fz0 || return 1
	ip -n client route add 100.96.0.0/11 dev fz0
	ip -n client route add 172.31.0.0/24 dev fz0
	ip -n client -6 route add fd00:2021:1111:8000::/107 dev fz0
	ip -n client -6 route add fd00:31::/64 dev fz0
	ip -n client -6 route add ::/128 dev fz0
	wait_for 20 ip netns exec client ping -c 1 -W 1 100.64.0.1 >/dev/null
}

# gw_agent_up up|gateway [ARGS...]: the gateway's agent on its config,
# resolving names through the gateway's dnsmasq.
gw_agent_up() {
	local how=$1
	shift
	# Each step execs the next, so $! is the agent's own pid.
	# shellcheck disable=SC2016 # expanded by the inner sh
	(FZ_GW_RESOLV=$FZ_RUN/gw-resolv.conf exec ip netns exec gateway \
		unshare -m sh -c \
		'mount --bind "$FZ_GW_RESOLV" /etc/resolv.conf && exec "$@"' \
		sh "$FZAGENT" "$how" "$FZ_RUN/gw-fz0.conf" -i fz0 "$@") \
		>>"$FZ_RUN/gw-fz0.log" 2>&1 &
	echo $! >"$FZ_RUN/gw-fz0.pid"
	wait_for 15 link_is_up gateway fz0
}

gw_tunnel_down() {
	local f pid
	for f in gw-fz0 cl-fz0; do
		# A killed agent's status (143) is no failure: under set -e (the
		# demo) a bare wait last in this list would end the caller.
		pid=$(cat "$FZ_RUN/$f.pid" 2>/dev/null) &&
			kill "$pid" 2>/dev/null && { wait "$pid" 2>/dev/null || :; }
		rm -f "$FZ_RUN/$f.pid"
	done
	return 0
}

portal_net_up() {
	local n
	ip netns add client || return 1
	ip link add brfz type bridge || return 1
	ip addr add 10.251.0.1/24 dev brfz
	ip link set brfz up
	for n in "gateway 10.251.0.2" "client 10.251.0.3"; do
		set -- $n
		ip link add "v$1" type veth peer name eth0 netns "$1" || return 1
		ip link set "v$1" master brfz up
		ip -n "$1" addr add "$2/24" dev eth0
		ip -n "$1" link set eth0 up
		ip -n "$1" link set lo up
	done
}

portal_net_down() {
	ip link del brfz 2>/dev/null || :
	hosts_down client
}

in_ns() {
	local ns=$1 rc=$2
	shift 2
	# shellcheck disable=SC2016 # expanded by the inner sh
	FZ_RC=$rc exec ip netns exec "$ns" unshare -m sh -c \
		'mount --bind "$FZ_RC" /etc/resolv.conf && exec "$@"' sh "$@"
}
