#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fzagent against the real fz.ko: show, its coalescing of split dumps,
# its errors, its JSON. Every check looks at fzagent's exit status as
# well as its output: a crash or an error after partial output fails.
. "$FZ_SELFTESTS/lib/ktap.sh"
need ip modprobe python3 setpriv wg
[ -x "$FZAGENT" ] || { fail "fzagent not built ($FZAGENT)"; exit 1; }
check "modprobe fz" modprobe fz
check "ip link add fz0 type fz" ip link add fz0 type fz
check "ip link add fz1 type fz" ip link add fz1 type fz

# agent ARGS...: runs fzagent, its output (both streams) in $out and its
# exit status in $rc.
agent() {
	rc=0
	out=$("$FZAGENT" "$@" 2>&1) || rc=$?
}
# The start of $out, as diagnostics.
said() { head -c 600 <<<"$out" | head -5 | sed 's/^/#   /'; }
# An error exit is 1 with a message naming the cause; not a crash, and
# not a success.
refused() { # DESC PATTERN: after agent, expects rc 1 and PATTERN in out
	if [ "$rc" -eq 1 ] && grep -Eqi -- "$2" <<<"$out"; then
		pass "$1: $(head -1 <<<"$out")"
	else
		fail "$1: exit $rc (wanted 1 and /$2/)"
		said
	fi
}

check "fzagent --help" "$FZAGENT" --help
check "fzagent show --help" "$FZAGENT" show --help
agent show fz0
[ $rc -eq 0 ] && [[ $out == *"interface: fz0"* ]] &&
	pass "fzagent show fz0 names the interface" ||
	{ fail "fzagent show fz0 exited $rc"; said; }
agent show
[ $rc -eq 0 ] && [[ $out == *"interface: fz0"* && $out == *"interface: fz1"* ]] &&
	pass "fzagent show lists every fz device" ||
	{ fail "fzagent show exited $rc"; said; }

agent show lo
refused "fzagent show lo: not an fz device" "no such fz device"
agent show nonexistent0
refused "fzagent show of a missing device fails" "no such fz device"

run_probe "$FZ_NLPROBE" dump fz0 3
agent show fz0
[ $rc -eq 0 ] && [ "$(grep -c '^peer: ' <<<"$out")" -eq 3 ] &&
	pass "fzagent show lists the 3 peers" ||
	{ fail "fzagent show fz0 with 3 peers exited $rc"; said; }
grep -q 'allowed ips: 10.0.0.1/32' <<<"$out" && pass "fzagent show prints allowed ips" ||
	{ fail "no 'allowed ips: 10.0.0.1/32' in fzagent show fz0"; said; }
key=$(python3 -c 'import base64,struct;print(base64.b64encode(struct.pack("<I",1)+b"\x5a"*28).decode())')
[ ${#key} -eq 44 ] || fail "computing the expected peer key gave '$key'"
grep -q "^peer: $key" <<<"$out" && pass "peer keys print as wg-style base64" ||
	{ fail "peer key $key not in fzagent show fz0"; said; }

run_probe "$FZ_NLPROBE" dump fz1 1000
agent show fz1
n=$(grep -c '^peer: ' <<<"$out")
[ $rc -eq 0 ] && [ "$n" -eq 1000 ] && pass "fzagent coalesces a split dump of 1000 peers" ||
	fail "fzagent show fz1 exited $rc and listed $n peers, not 1000"
agent show --json fz1
[ $rc -eq 0 ] || { fail "fzagent show --json fz1 exited $rc"; said; }
check "fzagent show --json is valid JSON with every peer" python3 -c '
import json, sys
text = sys.stdin.read()
try:
    doc = json.loads(text)
except ValueError:
    doc = [json.loads(l) for l in text.splitlines() if l.strip()]
devs = doc if isinstance(doc, list) else [doc]
n = sum(len(d["peers"]) for d in devs)
assert n == 1000, "%d peers" % n' <<<"$out"

rc=0
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	--bounding-set=-all "$FZAGENT" show fz0 2>&1) || rc=$?
refused "fzagent show without CAP_NET_ADMIN fails" "not permitted|permission"

check "ip link del fz0" ip link del fz0
check "ip link del fz1" ip link del fz1
check "modprobe -r fz (nothing holds the module)" modprobe -r fz
ktap_done
