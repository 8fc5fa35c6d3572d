#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The client's DNS stub (agent/client/dnsstub.c) on loopback, driven by
# agent/build/tools/fz-dnsstub: real dig as the asker, real dnsmasq as
# the upstream, raw bytes from Python for what dig will not send. Then
# --dns-control resolv-conf on a bind-mounted /etc/resolv.conf in a mount
# namespace of its own (the host's file is never touched), and on a
# symlink in a temporary directory.
#   client-dns.sh [KVER...]   (kernel versions are ignored)
. "$(dirname "$0")/../lib/ktap.sh"
repo=$(cd "$(dirname "$0")/../.." && pwd)
stub=${FZDNSSTUB:-$repo/agent/build/tools/fz-dnsstub}
py=/usr/bin/python3
need dig dnsmasq unshare mount cmp
[ -x "$stub" ] || { fail "fz-dnsstub is built ($stub: make -C agent tools)"; exit 1; }
[ -x "$py" ] || { fail "$py is installed"; exit 1; }

tmp=$(mktemp -d /tmp/fz-client-dns.XXXXXX)
pids=() nses=()
cleanup() {
	local p n
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	for n in "${nses[@]}"; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT

# A free port on 127.0.0.1 (UDP and TCP), as the kernel picks them.
free_port() {
	"$py" -c 'import socket
while True:
    t = socket.socket(); t.bind(("127.0.0.1", 0)); p = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", p)); break
    except OSError: pass
print(p)'
}

# wait_for FILE PATTERN: up to 10 s for a line matching PATTERN.
wait_for() {
	local i
	for i in $(seq 100); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

R1=11111111-1111-4111-8111-111111111111
R2=22222222-2222-4222-8222-222222222222
R3=33333333-3333-4333-8333-333333333333
R4=44444444-4444-4444-8444-444444444444

# IPv6 on loopback, where the host has it: a second listener and a
# second upstream, so that forwarding alternates between the families.
have6=
"$py" -c 'import socket; socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).bind(("::1", 0))' \
	2>/dev/null && have6=1
[ -n "$have6" ] || diag "no IPv6 on loopback: the IPv6 checks are left out"

# --- The upstream: dnsmasq with records of its own and nothing else ---
up_port=$(free_port)
s250=$(printf '%0250d' 0)
dnsmasq --no-daemon --no-resolv --no-hosts --conf-file=/dev/null --log-queries=extra \
	--listen-address=127.0.0.1${have6:+,::1} --bind-interfaces --port="$up_port" \
	--address=/plain.test/192.0.2.10 \
	--host-record=other.test,192.0.2.11,2001:db8::11 \
	--host-record=gitlab.elsewhere.test,192.0.2.12 \
	--txt-record=big.test,"$s250","$s250","$s250","$s250","$s250","$s250","$s250" \
	--log-facility=- >"$tmp/dnsmasq.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do
	dig +short +time=1 +tries=1 -p "$up_port" @127.0.0.1 plain.test 2>/dev/null |
		grep -q 192.0.2.10 && break
	sleep 0.1
done

# --- The stub ---
stub_addr=127.0.0.$((100 + RANDOM % 100))
stub_port=$(free_port)
mkfifo "$tmp/stub.in"
six=()
[ -n "$have6" ] && six=(--listen "[::1]:$stub_port" --upstream "[::1]:$up_port")
"$stub" --listen "$stub_addr:$stub_port" --upstream "127.0.0.1:$up_port" "${six[@]}" \
	--resource "$R1=gitlab.company.test" --resource "$R2=*.one.test" \
	--resource "$R3=**.many.test" --idle-ms 1500 --wildcard-names 8 \
	<"$tmp/stub.in" >"$tmp/stub.out" 2>"$tmp/stub.err" &
stub_pid=$!
pids+=("$stub_pid")
exec 7>"$tmp/stub.in" # kept open: the stub's commands
if wait_for "$tmp/stub.out" '^ready'; then
	pass "fz-dnsstub listens on $stub_addr:$stub_port (UDP and TCP)"
else
	fail "fz-dnsstub listens"
	sed 's/^/#   /' "$tmp/stub.err" | head -20
	exit 1
fi
q() { dig +time=2 +tries=2 -p "$stub_port" "@$stub_addr" "$@"; }
qs() { q +short "$@" | sort; }

# --- Resource names: mapped IPs ---
a1=$(qs gitlab.company.test A)
aaaa1=$(qs gitlab.company.test AAAA)
exp4=$(printf '100.96.0.%s\n' 1 2 3 4)
exp6=$(printf 'fd00:2021:1111:8000::%s\n' 1 2 3 4)
[ "$a1" = "$exp4" ] && pass "a resource name gets 4 mapped A records, from 100.96.0.1 in order" ||
	fail "a resource name gets 4 mapped A records (got: $(echo $a1))"
[ "$aaaa1" = "$exp6" ] && pass "and 4 mapped AAAA records from fd00:2021:1111:8000::1" ||
	fail "and 4 mapped AAAA records (got: $(echo $aaaa1))"
same=1
for _ in 1 2 3; do
	[ "$(qs gitlab.company.test A)" = "$a1" ] || same=0
	[ "$(qs GitLab.Company.Test. AAAA)" = "$aaaa1" ] || same=0
done
[ $same = 1 ] && pass "the same addresses every time, in any case" ||
	fail "the same addresses every time"
ttl=$(q +noall +answer gitlab.company.test A | awk 'NR==1 { print $2 }')
[ "$ttl" = 60 ] && pass "with a TTL of 60 s" || fail "with a TTL of 60 s (got $ttl)"
out=$(q gitlab.company.test TXT)
if grep -q 'status: NOERROR' <<<"$out" && grep -q 'ANSWER: 0,' <<<"$out"; then
	pass "other types of a resource name: NOERROR with no records"
else
	fail "other types of a resource name: NOERROR with no records"
fi
grep -q "^resource gitlab.company.test $R1 100.96.0.1,100.96.0.2,100.96.0.3,100.96.0.4 fd00:2021:1111:8000::1," "$tmp/stub.out" &&
	pass "the owner is told the name, its resource and its mapped IPs" ||
	fail "the owner is told the name, its resource and its mapped IPs"

# --- Wildcards ---
one=$(qs a.one.test A)
[ "$(echo "$one" | grep -c '^100\.96\.0\.')" = 4 ] && [ "$one" != "$a1" ] &&
	pass "*.one.test matches a.one.test: 4 new mapped IPs" ||
	fail "*.one.test matches a.one.test (got: $(echo $one))"
deep=$(qs a.b.one.test A)
[ -z "$deep" ] && pass "*.one.test does not match a.b.one.test (forwarded: dnsmasq knows nothing)" ||
	fail "*.one.test does not match a.b.one.test (got: $(echo $deep))"
m1=$(qs x.many.test A) m2=$(qs x.y.z.many.test AAAA)
[ "$(echo "$m1" | grep -c '^100\.96\.')" = 4 ] && [ "$(echo "$m2" | grep -c '^fd00:2021:1111:8000::')" = 4 ] &&
	pass "**.many.test matches x.many.test and x.y.z.many.test" ||
	fail "**.many.test matches one or more labels (got: $(echo $m1 $m2))"
# --wildcard-names 8: two names above, so 6 more get addresses.
given=0
for i in $(seq 10); do
	[ "$(qs "r$i.many.test" A | grep -c '^100\.96\.')" = 4 ] && given=$((given + 1))
done
[ $given = 6 ] && [ "$(qs x.many.test A)" = "$m1" ] && [ "$(qs gitlab.company.test A)" = "$a1" ] &&
	pass "a wildcard makes at most --wildcard-names names; names it made and exact names keep theirs" ||
	fail "a wildcard makes at most --wildcard-names names (got $given of 10)"
for _ in 1 2 3 4 5; do qs rate.one.test A >/dev/null; done
told=$(grep -c '^resource rate.one.test ' "$tmp/stub.out")
[ "$told" -ge 1 ] && [ "$told" -le 2 ] &&
	pass "five queries for a name in a row tell the owner once or twice, not five times ($told)" ||
	fail "the owner is told of a name at most once a second (told $told times for 5 queries)"

# --- Forwarding ---
direct=$(dig +short -p "$up_port" @127.0.0.1 other.test AAAA)
via=$(qs other.test AAAA)
[ -n "$via" ] && [ "$via" = "$direct" ] &&
	pass "a name that is no resource resolves through dnsmasq, as dnsmasq answers it" ||
	fail "a name that is no resource resolves through dnsmasq (got '$via', dnsmasq '$direct')"
[ "$(qs gitlab.elsewhere.test A)" = 192.0.2.12 ] &&
	pass "a name a pattern does not cover is forwarded" ||
	fail "a name a pattern does not cover is forwarded"
if [ -n "$have6" ]; then
	[ "$(dig +short -6 -p "$stub_port" @::1 gitlab.company.test | sort)" = "$a1" ] &&
		pass "over IPv6 ([::1]) the same mapped IPs" || fail "over IPv6 ([::1]) the same mapped IPs"
	for _ in 1 2 3 4; do qs other.test A >/dev/null; done
	grep -q 'query\[A\] other.test from 127.0.0.1' "$tmp/dnsmasq.log" &&
		grep -q 'query\[A\] other.test from ::1' "$tmp/dnsmasq.log" &&
		pass "forwarding takes turns between the upstreams, over IPv4 and IPv6" ||
		fail "forwarding takes turns between the upstreams, over IPv4 and IPv6"
fi
# RFC 5452: each forwarded query leaves from a port of its own.
for i in 1 2 3 4 5; do qs "port$i.test" A >/dev/null; done
ports=$(sed -n 's/.* [0-9a-f.:]*\/\([0-9]*\) query\[A\] port[0-9]\.test .*/\1/p' "$tmp/dnsmasq.log" | sort -u | wc -l)
[ "$ports" -ge 4 ] && pass "five forwarded queries leave from $ports source ports" ||
	fail "forwarded queries leave from random source ports (5 queries, $ports ports)"
rc=$(q nothing.test A | sed -n 's/.*status: \([A-Z]*\).*/\1/p')
rcd=$(dig -p "$up_port" @127.0.0.1 nothing.test A | sed -n 's/.*status: \([A-Z]*\).*/\1/p')
[ -n "$rc" ] && [ "$rc" = "$rcd" ] && pass "an unknown name gets the upstream's status ($rc)" ||
	fail "an unknown name gets the upstream's status (got '$rc', dnsmasq '$rcd')"

# --- Truncation and TCP ---
out=$(q +ignore big.test TXT)
grep -q 'flags:[^;]* tc' <<<"$out" && pass "a TXT record over 1232 bytes comes back truncated over UDP (TC=1)" ||
	fail "a big TXT record comes back truncated over UDP"
out=$(q big.test TXT)
if ! grep -q 'flags:[^;]* tc' <<<"$out" && [ "$(grep -o '000000000' <<<"$out" | wc -l)" -ge 150 ]; then
	pass "dig retries over TCP and the stub forwards over TCP: the whole record"
else
	fail "dig retries over TCP and gets the whole record"
fi
[ "$(qs +tcp other.test A)" = 192.0.2.11 ] && [ "$(qs +tcp gitlab.company.test A)" = "$a1" ] &&
	pass "dig +tcp: forwarded and resource names" || fail "dig +tcp: forwarded and resource names"

# --- Malformed queries, raw ---
cat >"$tmp/raw.py" <<'PYEOF'
import socket, struct, sys, time
host, port = sys.argv[1], int(sys.argv[2])
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.settimeout(1)
def hdr(i, flags, qd):
    return struct.pack(">HHHHHH", i, flags, qd, 0, 0, 0)
q1 = b"\x07example\x04test\x00" + struct.pack(">HH", 1, 1)
def ask(data):
    u.sendto(data, (host, port))
    try:
        return u.recvfrom(65535)[0]
    except socket.timeout:
        return None
def check(name, data, want):
    r = ask(data)
    if want is None:
        ok = r is None
    else:
        ok = r is not None and r[:2] == data[:2] and r[2] & 0x80 and r[3] & 15 == want
    print(("ok - " if ok else "not ok - ") + name)
check("a 3-byte message gets nothing", b"\x12\x34\x01", None)
check("a message with QR=1 gets nothing", hdr(0x1111, 0x8100, 1) + q1, None)
check("QDCOUNT 0: FORMERR", hdr(0x2222, 0x0100, 0), 1)
check("QDCOUNT 2: FORMERR", hdr(0x3333, 0x0100, 2) + q1 + q1, 1)
check("a name pointing at itself: FORMERR",
      hdr(0x4444, 0x0100, 1) + b"\xc0\x0c" + struct.pack(">HH", 1, 1), 1)
check("a compression loop through a label: FORMERR",
      hdr(0x5555, 0x0100, 1) + b"\x01a\xc0\x0c" + struct.pack(">HH", 1, 1), 1)
check("a pointer past the end: FORMERR",
      hdr(0x5656, 0x0100, 1) + b"\xc3\xff" + struct.pack(">HH", 1, 1), 1)
check("a 320-byte name: FORMERR",
      hdr(0x6666, 0x0100, 1) + (b"\x3f" + b"a" * 63) * 5 + b"\x00" + struct.pack(">HH", 1, 1), 1)
check("a label longer than 63 bytes: FORMERR",
      hdr(0x6767, 0x0100, 1) + b"\x50" + b"a" * 80 + b"\x00" + struct.pack(">HH", 1, 1), 1)
check("a question cut short: FORMERR", hdr(0x7777, 0x0100, 1) + b"\x07exam", 1)
check("an UPDATE: NOTIMP", hdr(0x8888, 0x2800, 1) + q1, 4)
# TCP: a length the stub refuses closes the connection; nothing else.
for length in (65535, 5000, 3):
    t = socket.create_connection((host, port), timeout=3)
    t.sendall(struct.pack(">H", length) + b"\0" * 64)
    try:
        closed = t.recv(10) == b""
    except (socket.timeout, ConnectionResetError):
        closed = False if length else True
    print(("ok - " if closed else "not ok - ") +
          "a TCP length of %d closes the connection" % length)
    t.close()
# Three queries in one TCP segment: three answers, each with its ID.
t = socket.create_connection((host, port), timeout=3)
msgs = b""
for i, name in enumerate((b"\x06gitlab\x07company\x04test\x00", b"\x05other\x04test\x00",
                          b"\x01a\x03one\x04test\x00")):
    m = hdr(0xa000 + i, 0x0100, 1) + name + struct.pack(">HH", 1, 1)
    msgs += struct.pack(">H", len(m)) + m
t.sendall(msgs)
ids, buf = set(), b""
while len(ids) < 3:
    data = t.recv(4096)
    if not data:
        break
    buf += data
    while len(buf) >= 2 and len(buf) >= 2 + struct.unpack(">H", buf[:2])[0]:
        n = struct.unpack(">H", buf[:2])[0]
        ids.add(struct.unpack(">H", buf[2:4])[0])
        buf = buf[2 + n:]
t.close()
print(("ok - " if ids == {0xa000, 0xa001, 0xa002} else "not ok - ") +
      "three pipelined TCP queries get three answers (RFC 7766)")
good = hdr(0x9999, 0x0100, 1) + b"\x06gitlab\x07company\x04test\x00" + struct.pack(">HH", 1, 1)
r = ask(good)
print(("ok - " if r and r[:2] == b"\x99\x99" and r[3] & 15 == 0 and r[7] == 4 else "not ok - ") +
      "the stub still answers afterwards")
PYEOF
run_probe "$py" "$tmp/raw.py" "$stub_addr" "$stub_port"

# --- Idle TCP ---
out=$("$py" - "$stub_addr" "$stub_port" <<'PYEOF'
import socket, sys, time
t = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=6)
start = time.time()
print("closed" if t.recv(10) == b"" else "data", round(time.time() - start, 1))
PYEOF
)
case $out in
closed\ 1.* | closed\ 2.*) pass "an idle TCP connection is closed after --idle-ms (1.5 s): $out s" ;;
*) fail "an idle TCP connection is closed after --idle-ms (got '$out')" ;;
esac

# --- Runtime updates of the resource table ---
echo "resource $R4=late.test" >&7
wait_for "$tmp/stub.out" "^done resource $R4"
[ "$(qs late.test A | grep -c '^100\.96\.')" = 4 ] && pass "a resource added at run time answers" ||
	fail "a resource added at run time answers"
echo "remove $R2" >&7
wait_for "$tmp/stub.out" "^done remove $R2"
[ -z "$(qs c.one.test A)" ] && pass "a removed resource's names are forwarded again" ||
	fail "a removed resource's names are forwarded again"
[ "$(qs a.one.test A)" = "$one" ] && true
echo "resource $R2=*.one.test" >&7
wait_for "$tmp/stub.out" "^done resource $R2=\*.one.test"
[ "$(qs a.one.test A)" = "$one" ] && pass "and, added again, a name keeps its mapped IPs" ||
	fail "a name keeps its mapped IPs across a removal"

# --- A flood ---
# flood.py HOST PORT N [SOCKETS]: N queries, round robin from SOCKETS
# askers; with one, the answers are counted.
cat >"$tmp/flood.py" <<'PYEOF'
import random, socket, struct, sys, time
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
         for _ in range(int(sys.argv[4]) if len(sys.argv) > 4 else 1)]
for i in range(n):
    name = b"".join(bytes([len(l)]) + l for l in (b"f%d" % i, b"flood", b"test")) + b"\0"
    socks[i % len(socks)].sendto(struct.pack(">HHHHHH", i & 0xffff, 0x0100, 1, 0, 0, 0) +
                                 name + struct.pack(">HH", 1, 1), (host, port))
    if i % 100 == 99:
        time.sleep(0.01) # bursts the socket buffer can hold
if len(socks) > 1:
    sys.exit(0)
u = socks[0]
u.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
u.settimeout(3)
got = 0
try:
    while True:
        u.recvfrom(4096)
        got += 1
except socket.timeout:
    pass
print(got)
PYEOF
start=$(date +%s)
got=$("$py" "$tmp/flood.py" "$stub_addr" "$stub_port" 5000)
diag "flood: $got of 5000 answered in $(($(date +%s) - start)) s"
[ "$(qs gitlab.company.test A)" = "$a1" ] && [ "$(qs other.test A)" = 192.0.2.11 ] &&
	pass "after 5000 queries in a burst the stub still answers, locally and forwarded" ||
	fail "after a flood the stub still answers"

# A black hole upstream: every query stays pending until its tries end
# (2 of 1.5 s).
hole_port=$(free_port)
hole_addr=127.0.0.$((10 + RANDOM % 80))
"$stub" --listen "$hole_addr:$hole_port" --upstream "127.0.0.1:$(free_port)" \
	--resource "$R1=gitlab.company.test" --try-ms 1500 \
	</dev/null >"$tmp/hole.out" 2>"$tmp/hole.err" &
hole_pid=$!
pids+=("$hole_pid")
wait_for "$tmp/hole.out" '^ready' || fail "a second stub starts"
stat_of() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$stats"; }
hole_stats() {
	local n
	n=$(grep -c '^stats' "$tmp/hole.out")
	kill -USR1 "$hole_pid"
	for _ in $(seq 50); do
		[ "$(grep -c '^stats' "$tmp/hole.out")" -gt "$n" ] && break
		sleep 0.1
	done
	stats=$(grep '^stats' "$tmp/hole.out" | tail -1)
	diag "$stats"
}
# One asker (one address and port) holds 32 queries at most.
"$py" "$tmp/flood.py" "$hole_addr" "$hole_port" 5000 >/dev/null &
flood_pid=$!
sleep 1
[ "$(dig +short +time=2 -p "$hole_port" "@$hole_addr" gitlab.company.test | sort)" = "$exp4" ] &&
	pass "with no upstream answering, resource names are still answered" ||
	fail "with no upstream answering, resource names are still answered"
wait $flood_pid
hole_stats
[ "$(stat_of pending_max)" -le 32 ] && [ "$(stat_of source_full)" -gt 0 ] &&
	[ "$(stat_of pending_full)" = 0 ] &&
	pass "one asker holds at most 32 forwarded queries ($(stat_of source_full) more refused with SERVFAIL)" ||
	fail "one asker holds at most 32 forwarded queries"
sleep 3.5
# 64 askers: 512 in all.
"$py" "$tmp/flood.py" "$hole_addr" "$hole_port" 2000 64
hole_stats
pmax=$(stat_of pending_max) pfull=$(stat_of pending_full)
[ "${pmax:-999}" -le 512 ] && [ "${pfull:-0}" -gt 0 ] &&
	pass "forwarded queries are bounded at 512 ($pfull more refused with SERVFAIL)" ||
	fail "forwarded queries are bounded at 512 (pending_max=$pmax, pending_full=$pfull)"
sleep 3.5
hole_stats
pend=$(stat_of pending)
[ "${pend:-1}" = 0 ] && pass "and every one ended after its tries (SERVFAIL)" ||
	fail "every pending query ends after its tries (pending=$pend)"
# 70 TCP connections at once: 64 at most are kept.
"$py" - "$hole_addr" "$hole_port" <<'PYEOF'
import socket, sys, time
conns = [socket.create_connection((sys.argv[1], int(sys.argv[2]))) for _ in range(70)]
time.sleep(0.5)
PYEOF
kill -USR1 "$hole_pid"
sleep 0.3
stats=$(grep '^stats' "$tmp/hole.out" | tail -1)
cmax=$(sed -n 's/.* tcp_conns_max=\([0-9]*\).*/\1/p' <<<"$stats")
cref=$(sed -n 's/.* tcp_refused=\([0-9]*\).*/\1/p' <<<"$stats")
[ "${cmax:-999}" -le 64 ] && [ "${cref:-0}" -ge 6 ] &&
	pass "TCP connections are bounded at 64 (the other $cref closed at once)" ||
	fail "TCP connections are bounded at 64 (max $cmax, refused $cref)"

# --- Shutdown: nothing leaked, no sanitizer report ---
exec 7>&-
for p in "$stub_pid" "$hole_pid"; do kill -TERM "$p"; done
for p in "$stub_pid" "$hole_pid"; do wait "$p"; echo $? >>"$tmp/status"; done
[ "$(sort -u "$tmp/status")" = 0 ] && ! grep -q 'Sanitizer\|runtime error' "$tmp/stub.err" "$tmp/hole.err" &&
	pass "both stubs exit 0 on SIGTERM with no ASan/UBSan report" || {
	fail "both stubs exit 0 on SIGTERM with no ASan/UBSan report"
	cat "$tmp/stub.err" "$tmp/hole.err" | head -30 | sed 's/^/#   /'
}

# --- Only this host asks ---
# The role's layout in network namespaces of the test's own: the
# sentinels on a device of their own (fz0's stand-in, a veth), and a LAN
# link (a veth to a second namespace, the LAN host) with an address of
# its own that the stub listens on too. Linux takes a packet for any of
# its addresses on any interface, so the LAN host can route queries for
# the sentinels through us: it must get nothing, over UDP or TCP, and
# make no name; this host's own programs get their answers.
nsa=fz-dns-host-$$ nsb=fz-dns-lan-$$
inA() { ip netns exec "$nsa" "$@"; }
inB() { ip netns exec "$nsb" "$@"; }
S4=100.100.111.1 S6=fd00:2021:1111:8000:100:100:111:0 L4=10.77.0.1
if command -v ip >/dev/null && ip netns add "$nsa" 2>/dev/null; then
	nses+=("$nsa")
	ip netns add "$nsb" && nses+=("$nsb")
	(
		set -e
		inA ip link set lo up
		inB ip link set lo up
		inA ip link add lan0 type veth peer name lan0 netns "$nsb"
		inA ip link add fzt0 type veth peer name fzt0p
		for d in lan0 fzt0 fzt0p; do inA ip link set "$d" up; done
		inB ip link set lan0 up
		inA ip addr add "$L4/24" dev lan0
		inA ip addr add 2001:db8:77::1/64 dev lan0 nodad
		inB ip addr add 10.77.0.2/24 dev lan0
		inB ip addr add 2001:db8:77::2/64 dev lan0 nodad
		inA ip addr add "$S4/32" dev fzt0
		inA ip addr add "$S6/128" dev fzt0 nodad
		inB ip route add 100.100.111.0/24 via "$L4"
		inB ip route add fd00:2021:1111:8000::/64 via 2001:db8:77::1
	) >"$tmp/ns.log" 2>&1 || { fail "two namespaces joined by veths"; sed 's/^/#   /' "$tmp/ns.log"; }
	# Background processes through ip itself, which execs them: $! is
	# theirs (a function would leave a subshell in between).
	ip netns exec "$nsa" dnsmasq --no-daemon --no-resolv --no-hosts --conf-file=/dev/null \
		--listen-address=127.0.0.1 --bind-interfaces --port=5353 \
		--address=/plain.test/192.0.2.10 --log-facility=- >"$tmp/ns-dnsmasq.log" 2>&1 &
	pids+=($!)
	ip netns exec "$nsa" "$stub" --listen "$S4:53" --listen "[$S6]:53" --listen "$L4:53" \
		--upstream 127.0.0.1:5353 --resource "$R1=gitlab.company.test" \
		--resource "$R2=*.one.test" </dev/null >"$tmp/ns-stub.out" 2>"$tmp/ns-stub.err" &
	ns_pid=$!
	pids+=("$ns_pid")
	wait_for "$tmp/ns-stub.out" '^ready' || fail "fz-dnsstub listens in the namespace"
	for _ in $(seq 50); do
		inA dig +short +time=1 +tries=1 -p 5353 @127.0.0.1 plain.test 2>/dev/null | grep -q . && break
		sleep 0.1
	done
	# This host: UDP and TCP, resource names and forwarded ones.
	[ "$(inA dig +short +time=2 +tries=2 "@$S4" gitlab.company.test | sort)" = "$exp4" ] &&
		[ "$(inA dig +short +time=2 +tries=2 "@$S6" gitlab.company.test AAAA | sort)" = "$exp6" ] &&
		[ "$(inA dig +short +time=2 +tries=2 "@$L4" plain.test)" = 192.0.2.10 ] &&
		[ "$(inA dig +short +tcp +time=2 +tries=2 "@$S4" plain.test)" = 192.0.2.10 ] &&
		[ "$(inA dig +short +tcp +time=2 +tries=2 "@$S6" a.one.test | grep -c '^100\.96\.')" = 4 ] &&
		pass "this host's programs are answered on the sentinels and the LAN address, over UDP and TCP" ||
		fail "this host's programs are answered on the sentinels and the LAN address, over UDP and TCP"
	# The LAN host.
	lan() { inB dig +time=1 +tries=1 "$@" 2>&1; }
	answered=
	for q in "@$S4 gitlab.company.test" "@$S4 plain.test" "@$S6 lan1.one.test AAAA" \
		"@$L4 plain.test" "@$L4 lan2.one.test" "+tcp @$S4 plain.test" \
		"+tcp @$S6 lan3.one.test" "+tcp @$L4 gitlab.company.test"; do
		# shellcheck disable=SC2086
		lan $q | grep -q 'status:' && answered="$answered [$q]"
	done
	[ -z "$answered" ] &&
		pass "a LAN host routing the sentinels through us gets no answer (UDP, TCP, IPv4, IPv6, the link's own address)" ||
		fail "a LAN host gets no answer (answered:$answered)"
	inB "$py" "$tmp/flood.py" "$S4" 53 200 4
	sleep 0.5
	kill -USR1 "$ns_pid"
	wait_for "$tmp/ns-stub.out" '^stats'
	stats=$(grep '^stats' "$tmp/ns-stub.out" | tail -1)
	diag "$stats"
	lines=$(grep -c 'not from this host' "$tmp/ns-stub.out")
	[ "$(stat_of not_local)" -ge 200 ] 2>/dev/null && [ "$lines" -ge 1 ] && [ "$lines" -le 20 ] &&
		pass "the LAN host's queries are counted ($(stat_of not_local)) and logged rate-limited ($lines lines)" ||
		fail "the LAN host's queries are counted and logged rate-limited (not_local=$(stat_of not_local), $lines lines)"
	! grep -q '^resource lan[0-9]' "$tmp/ns-stub.out" && [ "$(stat_of names)" = 2 ] &&
		pass "and they made no name: only this host's two have mapped IPs" ||
		fail "the LAN host's queries made no name (names=$(stat_of names))"
	[ "$(inA dig +short +time=2 +tries=2 "@$S4" gitlab.company.test | sort)" = "$exp4" ] &&
		pass "this host is still answered afterwards" || fail "this host is still answered afterwards"
	kill -TERM "$ns_pid"
	wait "$ns_pid"
	status=$?
	[ $status = 0 ] && ! grep -q 'Sanitizer\|runtime error' "$tmp/ns-stub.err" &&
		pass "that stub exits 0 with no ASan/UBSan report" || {
		fail "that stub exits 0 with no ASan/UBSan report (status $status)"
		head -30 "$tmp/ns-stub.err" | sed 's/^/#   /'
	}
	for n in "${nses[@]}"; do ip netns del "$n"; done
	nses=()
else
	diag "no network namespaces here (ip netns add failed): the LAN checks are left out"
fi

# --- --dns-control resolv-conf, on a bind-mounted /etc/resolv.conf ---
cat >"$tmp/sysdns.sh" <<'SHEOF'
# In a mount namespace of its own: /etc/resolv.conf is a bind mount of a
# test file, so the host's own is never written.
. "$1/selftests/lib/ktap.sh"
stub=$2 tmp=$3
printf '# the original\nnameserver 192.0.2.53\nsearch example.test\n' >"$tmp/rc"
chmod 0644 "$tmp/rc"
cp -p "$tmp/rc" "$tmp/rc.orig"
mount --bind "$tmp/rc" /etc/resolv.conf || { fail "bind mount over /etc/resolv.conf"; exit 1; }
state=$tmp/state/resolv.conf.orig
run() {
	"$stub" --listen "127.0.0.1:$4" --dns-control resolv-conf --state-file "$state" \
		--nameserver 100.100.111.1 --nameserver fd00:2021:1111:8000:100:100:111:0 \
		</dev/null >"$tmp/$1.out" 2>&1 &
	eval "$2=\$!"
	for _ in $(seq 100); do grep -q '^ready' "$tmp/$1.out" && return 0; sleep 0.1; done
	return 1
}
ours() {
	grep -qx 'nameserver 100.100.111.1' /etc/resolv.conf &&
		grep -qx 'nameserver fd00:2021:1111:8000:100:100:111:0' /etc/resolv.conf &&
		! grep -q 192.0.2.53 /etc/resolv.conf
}
port=$5
run one pid "" "$port" || { fail "fz-dnsstub starts with --dns-control resolv-conf"; cat "$tmp/one.out"; exit 1; }
ours && pass "resolv-conf: /etc/resolv.conf names the sentinels only" ||
	fail "resolv-conf: /etc/resolv.conf names the sentinels only"
[ "$(stat -c %a "$state")" = 600 ] && cmp -s <(tail -n +2 "$state") "$tmp/rc.orig" &&
	pass "resolv-conf: the original is saved byte for byte in a 0600 state file" ||
	fail "resolv-conf: the original is saved in a 0600 state file"
kill -TERM "$pid"; wait "$pid"
cmp -s /etc/resolv.conf "$tmp/rc.orig" && [ ! -e "$state" ] &&
	pass "resolv-conf: on SIGTERM the original is back, byte for byte, and the state file gone" ||
	fail "resolv-conf: on SIGTERM the original is back byte for byte"
run two pid "" "$port" || fail "fz-dnsstub starts again"
kill -KILL "$pid"; wait "$pid" 2>/dev/null
ours && [ -e "$state" ] && pass "resolv-conf: kill -9 leaves the sentinels and the state file" ||
	fail "resolv-conf: kill -9 leaves the sentinels and the state file"
run three pid "" "$port" || fail "fz-dnsstub starts after a crash"
cmp -s <(tail -n +2 "$state") "$tmp/rc.orig" && ours &&
	pass "resolv-conf: a start after a crash restores the original first (the state still holds it)" ||
	fail "resolv-conf: a start after a crash restores the original first"
kill -TERM "$pid"; wait "$pid"
cmp -s /etc/resolv.conf "$tmp/rc.orig" && [ ! -e "$state" ] &&
	pass "resolv-conf: and its exit leaves the original, byte for byte" ||
	fail "resolv-conf: after crash recovery the exit leaves the original"
ls /etc/resolv.conf.fz-* >/dev/null 2>&1 && fail "resolv-conf: no temporary file left in /etc" ||
	pass "resolv-conf: no temporary file left in /etc"
ktap_done
SHEOF
mkdir -p "$tmp/state"
run_probe unshare -m --propagation private bash "$tmp/sysdns.sh" "$repo" "$stub" "$tmp" "" "$(free_port)"

# --- A symlinked resolv.conf (paths as parameters, no namespace) ---
mkdir -p "$tmp/etc" "$tmp/run"
printf 'nameserver 127.0.0.53\n' >"$tmp/run/stub-resolv.conf"
ln -s ../run/stub-resolv.conf "$tmp/etc/resolv.conf"
"$stub" --listen "127.0.0.1:$(free_port)" --dns-control resolv-conf \
	--resolv-conf "$tmp/etc/resolv.conf" --state-file "$tmp/state/link.orig" \
	</dev/null >"$tmp/link.out" 2>&1 &
link_pid=$!
wait_for "$tmp/link.out" '^ready'
[ ! -L "$tmp/etc/resolv.conf" ] && grep -q '^nameserver 127.0.0.1$' "$tmp/etc/resolv.conf" &&
	[ "$(cat "$tmp/run/stub-resolv.conf")" = "nameserver 127.0.0.53" ] &&
	pass "resolv-conf: a symlink is replaced by a file; its target is untouched" ||
	fail "resolv-conf: a symlink is replaced by a file; its target is untouched"
kill -TERM "$link_pid"; wait "$link_pid"
[ "$(readlink "$tmp/etc/resolv.conf")" = ../run/stub-resolv.conf ] &&
	pass "resolv-conf: on exit the symlink itself is back" ||
	fail "resolv-conf: on exit the symlink itself is back (got $(ls -l "$tmp/etc"))"

ktap_done
