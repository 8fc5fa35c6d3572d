#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fzagent against the real fz.ko: show, its coalescing of split dumps,
# its errors, its JSON.
. "$FZ_SELFTESTS/lib/ktap.sh"
need ip modprobe python3 setpriv wg
[ -x "$FZAGENT" ] || { fail "fzagent not built ($FZAGENT)"; exit 1; }
modprobe fz
ip link add fz0 type fz
ip link add fz1 type fz

check "fzagent --help" "$FZAGENT" --help
check "fzagent show --help" "$FZAGENT" show --help
out=$("$FZAGENT" show fz0 2>&1)
[[ $out == *"interface: fz0"* ]] && pass "fzagent show fz0 names the interface" ||
	fail "fzagent show fz0 printed: $out"
out=$("$FZAGENT" show 2>&1)
[[ $out == *"interface: fz0"* && $out == *"interface: fz1"* ]] &&
	pass "fzagent show lists every fz device" || fail "fzagent show printed: $out"

out=$("$FZAGENT" show lo 2>&1) && fail "fzagent show lo succeeded" ||
	{ [[ $out == *"no such fz device"* ]] && pass "fzagent show lo: not an fz device" ||
		fail "fzagent show lo said: $out"; }
out=$("$FZAGENT" show nonexistent0 2>&1) && fail "fzagent show of a missing device succeeded" ||
	pass "fzagent show of a missing device fails: $out"

run_probe "$FZ_NLPROBE" dump fz0 3
out=$("$FZAGENT" show fz0)
[ "$(grep -c '^peer: ' <<<"$out")" -eq 3 ] && pass "fzagent show lists the 3 peers" ||
	fail "fzagent show: $out"
grep -q 'allowed ips: 10.0.0.1/32' <<<"$out" && pass "fzagent show prints allowed ips" ||
	fail "no 'allowed ips: 10.0.0.1/32' in: $out"
key=$(python3 -c 'import base64,struct;print(base64.b64encode(struct.pack("<I",1)+b"\x5a"*28).decode())')
grep -q "^peer: $key" <<<"$out" && pass "peer keys print as wg-style base64" ||
	fail "peer key $key not in: $out"

run_probe "$FZ_NLPROBE" dump fz1 1000
n=$("$FZAGENT" show fz1 | grep -c '^peer: ')
[ "$n" -eq 1000 ] && pass "fzagent coalesces a split dump of 1000 peers" ||
	fail "fzagent show fz1 listed $n peers, not 1000"
check "fzagent show --json is valid JSON with every peer" \
	bash -c "'$FZAGENT' show --json fz1 | python3 -c '
import json, sys
text = sys.stdin.read()
try:
    doc = json.loads(text)
except ValueError:
    doc = [json.loads(l) for l in text.splitlines() if l.strip()]
devs = doc if isinstance(doc, list) else [doc]
assert sum(len(d[\"peers\"]) for d in devs) == 1000, devs[0].keys()'"

out=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	--bounding-set=-all "$FZAGENT" show fz0 2>&1) &&
	fail "fzagent show without CAP_NET_ADMIN succeeded" ||
	pass "fzagent show without CAP_NET_ADMIN fails: $out"

ip link del fz0
ip link del fz1
modprobe -r fz
ktap_done
