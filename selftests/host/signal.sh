#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The agent's signal wing (agent/signal/) against a real `fzportal serve`
# on 127.0.0.1 with TLS, driven by fz-sigprobe (agent/tests/tools/): a
# gateway and a client join and get init, an authorization goes client
# -> portal -> gateway -> portal -> client, a bad token is refused once
# and not retried, a restarted portal is rejoined by backoff, a deleted
# gateway token ends in `disconnect`, and the token shows nowhere. Then
# a portal played by Python (python3-websockets, plain ws) does what the
# real one does not on demand: refuses a join, sends a malformed and an
# oversized message, stops answering heartbeats. Data go in with
# `fzportal admin`. Everything stays on loopback.
#   signal.sh [KVER...]   (kernel versions are ignored)
. "$(dirname "$0")/../lib/ktap.sh"
repo=$(cd "$(dirname "$0")/../.." && pwd)
. "$repo/portal/tests/integration/lib.sh"
FZPORTAL=${FZPORTAL:-$repo/portal/fzportal}
probe=${FZ_SIGPROBE:-$repo/agent/build/tools/fz-sigprobe}
py=/usr/bin/python3
need openssl mkfifo
[ -x "$py" ] || { fail "$py is installed"; exit 1; }
"$py" -c 'import websockets' 2>/dev/null ||
	{ fail "python3-websockets for $py"; exit 1; }

tmp=$(mktemp -d /tmp/fz-signal.XXXXXX)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	[ -n "${PORTAL_PID:-}" ] && kill "$PORTAL_PID" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# Built here when run on their own; run.sh has built them already.
if make -C "$repo/portal" -j1 >"$tmp/build.log" 2>&1 &&
	make -C "$repo/agent" -j1 tools >>"$tmp/build.log" 2>&1; then
	pass "fzportal and fz-sigprobe are built"
else
	fail "fzportal and fz-sigprobe are built"
	tail -20 "$tmp/build.log" | sed 's/^/#   /'
	exit 1
fi

# --- the portal's data, through fzportal admin ---
export FZPORTAL_DB=$tmp/fz.db
adm() { timeout 10 "$FZPORTAL" admin --json "$@" 2>>"$tmp/admin.err"; }
jget() { "$py" -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
"$FZPORTAL" init --account acme --db "$FZPORTAL_DB" >/dev/null 2>&1
adm site create hq >/dev/null
gw_json=$(adm gateway-token create --site hq)
gw_token=$(jget token <<<"$gw_json")
gw_token_id=$(jget id <<<"$gw_json")
adm service-account create --name ci >/dev/null
cl_token=$(adm client-token create --actor ci | jget token)
res_id=$(adm resource create --name db --type ip --address 10.1.2.3 --site hq \
	--filters tcp/5432 | jget id)
pol_id=$(adm policy create --group Everyone --resource db | jget id)
if [[ $gw_token == fz1_* && $cl_token == fz1_* && ${#res_id} -eq 36 &&
	${#pol_id} -eq 36 ]]; then
	pass "fzportal admin made a site, a gateway token, a service account's client token, a resource and a policy"
else
	fail "fzportal admin made the test data"
	sed 's/^/#   /' "$tmp/admin.err"
	exit 1
fi

portal_cert "$tmp"
if portal_serve "$tmp" "$tmp/serve.log" --db "$FZPORTAL_DB"; then
	pass "fzportal serve listens on 127.0.0.1:$PORTAL_PORT (TLS)"
else
	fail "fzportal serve starts"
	exit 1
fi
port=$PORTAL_PORT
url=https://127.0.0.1:$port

# start_probe NAME ROLE TOKEN [OPTION...]: fz-sigprobe in the background
# (pid in ${NAME}_pid), its output in $tmp/NAME.out and .err, its standard
# input the FIFO $tmp/NAME.in, held open by a sleep (pid in ${NAME}_hold)
# rather than by this shell, so that no other child inherits it: killing
# the sleep is the end of the probe's input.
start_probe() {
	local name=$1 role=$2 token=$3
	shift 3
	mkfifo "$tmp/$name.in"
	FZ_TOKEN=$token "$probe" --portal "$url" --role "$role" \
		--ca-file "$tmp/cert.pem" "$@" <"$tmp/$name.in" \
		>"$tmp/$name.out" 2>"$tmp/$name.err" &
	printf -v "${name}_pid" %s $!
	pids+=($!)
	sleep 600 >"$tmp/$name.in" &
	printf -v "${name}_hold" %s $!
	pids+=($!)
}

# wait_for FILE SECONDS COUNT PATTERN: until FILE has COUNT lines
# matching the extended regular expression PATTERN.
wait_for() {
	local i
	for i in $(seq $(($2 * 10))); do
		[ "$(grep -cE -- "$4" "$1" 2>/dev/null)" -ge "$3" ] && return 0
		sleep 0.1
	done
	return 1
}

# wait_exit PID SECONDS: its exit status, or 124 after SECONDS.
wait_exit() {
	local i
	for i in $(seq $(($2 * 10))); do
		kill -0 "$1" 2>/dev/null || { wait "$1"; return $?; }
		sleep 0.1
	done
	return 124
}

show() { sed 's/^/#   /' "$tmp/$1.out" "$tmp/$1.err" | tail -15; }

# event FILE EVENT N: the Nth message with that event, as JSON.
event() {
	grep -E "\"event\":\"$2\"" "$tmp/$1.out" | sed -n "${3:-1}p"
}

# --- joins and init ---
start_probe gw gateway "$gw_token" --endpoint 127.0.0.1:51820
if wait_for "$tmp/gw.out" 10 1 '^# state joined' &&
	wait_for "$tmp/gw.out" 5 1 '"topic":"gateway","event":"init"'; then
	pass "a gateway joins with its token and gets init"
else
	fail "a gateway joins with its token and gets init"
	show gw
fi
start_probe cl client "$cl_token"
if wait_for "$tmp/cl.out" 10 1 '"event":"init"' &&
	event cl init | grep -qF "\"id\":\"$res_id\""; then
	pass "a client joins and gets init listing the resource"
else
	fail "a client joins and gets init listing the resource"
	show cl
fi

# --- an authorization, end to end ---
printf '{"topic":"client","event":"request_authorization","payload":{"resource_id":"%s","connected_gateway_ids":[],"failed_gateway_ids":[]},"ref":"7"}\n' \
	"$res_id" >"$tmp/cl.in"
if wait_for "$tmp/gw.out" 10 1 '"event":"create_authorization"' &&
	event gw create_authorization | grep -qF "\"id\":\"$res_id\""; then
	pass "the client's request_authorization reaches the gateway as create_authorization"
else
	fail "the client's request_authorization reaches the gateway as create_authorization"
	show cl
	show gw
fi
auth_ref=$(event gw create_authorization | "$py" -c \
	'import json,sys; print(json.load(sys.stdin)["payload"]["ref"])' 2>/dev/null)
printf '{"topic":"gateway","event":"authorization_created","payload":{"ref":"%s"},"ref":null}\n' \
	"$auth_ref" >"$tmp/gw.in"
if wait_for "$tmp/cl.out" 10 1 '"event":"authorization_created"' &&
	event cl authorization_created | grep -qF '"ref":"7"' &&
	event cl authorization_created | grep -qF "\"resource_id\":\"$res_id\""; then
	pass "the gateway's ack reaches the client as authorization_created (ref 7)"
else
	fail "the gateway's ack reaches the client as authorization_created (ref 7)"
	show gw
	show cl
fi
printf '{"topic":"client","event":"request_authorization","payload":{"resource_id":"nope"},"ref":"8"}\n' >"$tmp/cl.in"
wait_for "$tmp/cl.out" 5 1 '^# not sent' &&
	pass "a malformed line on stdin is refused by the parser, not sent" ||
	fail "a malformed line on stdin is refused by the parser, not sent"

# --- the token shows nowhere ---
leak=0
for p in "$gw_pid" "$cl_pid"; do
	tr '\0' ' ' <"/proc/$p/cmdline" | grep -qF -e "$gw_token" -e "$cl_token" && leak=1
	tr '\0' '\n' <"/proc/$p/environ" | grep -qF -e "$gw_token" -e "$cl_token" && leak=1
done
grep -q fz-sigprobe "/proc/$gw_pid/cmdline" && [ $leak = 0 ] &&
	pass "no token in the probes' /proc/PID/cmdline or environ" ||
	fail "no token in the probes' /proc/PID/cmdline or environ"

# --- a bad token: refused once, no retry ---
bad="fz1_AAAAAAAAAAAAAAAAAAAAAA_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
start_probe bad gateway "$bad"
wait_exit "$bad_pid" 10
status=$?
if [ $status -eq 1 ] && grep -q '^# state refused 401' "$tmp/bad.out"; then
	pass "a bad token gets '# state refused 401...' and the probe exits 1"
else
	fail "a bad token is refused (exit $status)"
	show bad
fi
sleep 1
n=$(grep -c 'conn_refused' "$tmp/serve.log")
[ "$n" -eq 1 ] && [ "$(grep -c '^# state' "$tmp/bad.out")" -eq 2 ] &&
	pass "a refused token is not retried (one refusal in the portal's log)" ||
	fail "a refused token is not retried ($n refusals in the portal's log)"

# --- the portal restarts: both probes rejoin by themselves ---
kill -TERM "$PORTAL_PID"
wait_exit "$PORTAL_PID" 10
PORTAL_PID=
if wait_for "$tmp/gw.out" 10 2 '^# state connecting' &&
	wait_for "$tmp/cl.out" 10 2 '^# state connecting'; then
	pass "the portal's stop puts both probes in '# state connecting'"
else
	fail "the portal's stop puts both probes in '# state connecting'"
	show gw
fi
sleep 1
start=$(date +%s%N)
if portal_serve "$tmp" "$tmp/serve2.log" --db "$FZPORTAL_DB" \
	--listen "127.0.0.1:$port" &&
	wait_for "$tmp/gw.out" 15 2 '^# state joined' &&
	wait_for "$tmp/cl.out" 15 2 '^# state joined'; then
	ms=$((($(date +%s%N) - start) / 1000000))
	[ $ms -lt 10000 ] &&
		pass "restarted on port $port, both probes rejoin by themselves in $ms ms (< 10 s)" ||
		fail "both probes rejoin within 10 s (took $ms ms)"
else
	fail "both probes rejoin a restarted portal"
	show gw
	show cl
fi
wait_for "$tmp/gw.out" 5 2 '"topic":"gateway","event":"init"' &&
	pass "the gateway gets a new init after the rejoin" ||
	fail "the gateway gets a new init after the rejoin"

# --- the gateway token deleted: disconnect, and the probe ends ---
adm gateway-token delete "$gw_token_id" >/dev/null
wait_exit "$gw_pid" 10
status=$?
if [ $status -eq 1 ] && event gw disconnect | grep -q . &&
	grep -q '^# state closed ' "$tmp/gw.out"; then
	pass "deleting the gateway token sends disconnect; the probe reports closed and exits 1"
else
	fail "deleting the gateway token ends the gateway probe (exit $status)"
	show gw
fi
sleep 1
[ "$(grep -c '^# state connecting' "$tmp/gw.out")" -eq 2 ] &&
	pass "no redial after disconnect" || fail "no redial after disconnect"

# --- the end of stdin ends the client probe ---
kill "$cl_hold"
wait_exit "$cl_pid" 10
status=$?
[ $status -eq 0 ] && pass "the end of standard input ends the client probe (exit 0)" ||
	fail "the end of standard input ends the client probe (exit $status)"

# --- a portal played by Python (plain ws, loopback only): what the real
# one does not do on demand ---
cat >"$tmp/fake.py" <<'EOF'
import asyncio, json, sys, websockets

mode, conns = sys.argv[1], 0


def reply(ref, status, reason=None):
    resp = {"reason": reason} if reason else {}
    return json.dumps({"topic": "client", "event": "phx_reply", "ref": ref,
                       "payload": {"status": status, "response": resp}})


async def handler(ws, path):
    global conns
    conns += 1
    n = conns
    auth = ws.request_headers.get("Authorization", "")
    print(f"conn {n} {path} bearer={auth.startswith('Bearer fz1_')}", flush=True)
    join = json.loads(await ws.recv())
    print(f"join {join['topic']} {join['event']}", flush=True)
    if mode == "refuse":
        await ws.send(reply(join["ref"], "error", "public_key_in_use"))
    elif mode == "joinfail" and n == 1:
        await ws.send(reply(join["ref"], "error", "join_failed"))
    else:
        await ws.send(reply(join["ref"], "ok"))
    if mode == "misbehave" and n == 1:
        await ws.send('{"topic":"client","event":"init","payload":')
        await ws.send(json.dumps({"topic": "client", "event": "resource_deleted",
                                  "ref": None, "payload": {
                                      "id": "00000000-0000-4000-8000-000000000001"}}))
        await ws.send("x" * 17000)
    # Connection 2 of misbehave answers no heartbeat: it only listens.
    try:
        async for m in ws:
            print(f"got {json.loads(m)['event']}", flush=True)
    except websockets.ConnectionClosed:
        pass
    print(f"closed {n} {ws.close_code}", flush=True)


async def main():
    async with websockets.serve(handler, "127.0.0.1", 0) as srv:
        print(f"port {srv.sockets[0].getsockname()[1]}", flush=True)
        await asyncio.Future()

asyncio.run(main())
EOF
# fake MODE: the fake portal in the background; sets fake_pid, fake_port.
fake() {
	"$py" "$tmp/fake.py" "$1" >"$tmp/fake-$1.log" 2>&1 &
	fake_pid=$!
	pids+=($!)
	wait_for "$tmp/fake-$1.log" 5 1 '^port '
	fake_port=$(sed -n 's/^port //p' "$tmp/fake-$1.log")
}
fake refuse
url=http://127.0.0.1:$fake_port
start_probe fr client "$cl_token"
wait_exit "$fr_pid" 10
status=$?
if [ $status -eq 1 ] &&
	grep -q '^# state refused the portal refused the join: public_key_in_use$' "$tmp/fr.out" &&
	grep -q '^conn 1 /client/websocket bearer=True$' "$tmp/fake-refuse.log"; then
	pass "http:// to loopback works; an error reply to the join is '# state refused', exit 1"
else
	fail "an error reply to the join is '# state refused' (exit $status)"
	show fr
fi
sleep 1
[ "$(grep -c '^conn ' "$tmp/fake-refuse.log")" -eq 1 ] &&
	pass "a refused join is not retried" || fail "a refused join is not retried"
kill "$fake_pid"

# The portal's store or presence failing for a moment is no refusal.
fake joinfail
url=http://127.0.0.1:$fake_port
start_probe fj client "$cl_token"
if wait_for "$tmp/fj.out" 10 1 '^# state joined' &&
	grep -q 'the portal refused the join: join_failed; redialling in' "$tmp/fj.err" &&
	! grep -q '^# state refused' "$tmp/fj.out" &&
	grep -q '^conn 2 /client/websocket' "$tmp/fake-joinfail.log"; then
	pass "a join_failed reply is redialled with backoff, and the next join holds"
else
	fail "a join_failed reply is redialled with backoff, and the next join holds"
	show fj
	sed 's/^/#   /' "$tmp/fake-joinfail.log"
fi
kill "$fj_hold"
wait_exit "$fj_pid" 10
kill "$fake_pid"

fake misbehave
url=http://127.0.0.1:$fake_port
start_probe fm client "$cl_token" --heartbeat-ms 300
if wait_for "$tmp/fm.out" 5 1 '"event":"resource_deleted"' &&
	grep -q 'dropped a message from the portal: invalid_json' "$tmp/fm.err"; then
	pass "a malformed message is logged and dropped; the next one still arrives"
else
	fail "a malformed message is logged and dropped; the next one still arrives"
	show fm
fi
if wait_for "$tmp/fake-misbehave.log" 5 1 '^closed 1 1009$' &&
	grep -q 'over 16 KiB' "$tmp/fm.err"; then
	pass "a message over 16 KiB closes the connection (1009)"
else
	fail "a message over 16 KiB closes the connection (1009)"
	show fm
	sed 's/^/#   /' "$tmp/fake-misbehave.log"
fi
if wait_for "$tmp/fake-misbehave.log" 5 1 '^closed 2 1001$' &&
	grep -q 'stopped answering heartbeats' "$tmp/fm.err" &&
	wait_for "$tmp/fake-misbehave.log" 5 1 '^conn 3 '; then
	pass "unanswered heartbeats drop the connection (1001), and it is redialled"
else
	fail "unanswered heartbeats drop the connection (1001), and it is redialled"
	show fm
	sed 's/^/#   /' "$tmp/fake-misbehave.log"
fi
kill "$fm_hold"
wait_exit "$fm_pid" 10
status=$?
[ $status -eq 0 ] && pass "the probe ends cleanly while joined (exit 0)" ||
	fail "the probe ends cleanly while joined (exit $status)"

if grep -qF -e "$gw_token" -e "$cl_token" -e "$bad" "$tmp"/*.out "$tmp"/*.err; then
	fail "no token in the probes' output or log"
else
	pass "no token in the probes' output or log"
fi
grep -h 'ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:' "$tmp"/*.err | sed 's/^/#   /'
! grep -q 'ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:' "$tmp"/*.err &&
	pass "ASan and UBSan found nothing in the probes" ||
	fail "ASan and UBSan found nothing in the probes"
ktap_done
