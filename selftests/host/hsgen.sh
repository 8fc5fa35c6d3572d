#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The benchmark's handshake generator (agent/tests/tools/fz-hsgen.c):
# its precomputed initiations are valid to the agent's own responder
# code, and a real responder, wireguard-go in a namespace of its own,
# completes every one of them, cookie replies answered with mac2 when it
# is under load.
#   hsgen.sh [KVER...]   (kernel versions are ignored)
. "$(dirname "$0")/../lib/ktap.sh"
repo=$(cd "$(dirname "$0")/../.." && pwd)
gen=${FZHSGEN:-$repo/agent/build/tools/fz-hsgen}
need wg wireguard-go ip
[ -x "$gen" ] || { fail "fz-hsgen is built ($gen: make -C agent tools)"; exit 1; }

tmp=$(mktemp -d /tmp/fz-hsgen.XXXXXX)
ns=fz-hsgen-$$ ifname=fzhsg$(($$ % 100000)) wg_pid=
cleanup() {
	[ -z "$wg_pid" ] || kill "$wg_pid" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
(umask 077; wg genkey >"$tmp/responder.key"; wg genkey >"$tmp/other.key")
responder=$(wg pubkey <"$tmp/responder.key")

check "verify: 60 initiations from 20 initiators are valid to the responder" \
	"$gen" verify --responder-private "$tmp/responder.key" \
	--initiators 20 --seed host --messages 60
check_fails "flood: no --messages is a usage error" \
	"$gen" flood --to 127.0.0.1:9 --responder "$responder" \
	--initiators 2 --seed host
# Usage errors exit 2 (a flood that got no answer exits 1).
for bad in "flood --rate fast" "flood --idle -1" "keys -1 host"; do
	set -- $bad
	if [ "$1" = flood ]; then
		"$gen" flood --to 127.0.0.1:9 --responder "$responder" \
			--initiators 2 --seed host --messages 2 "$2" "$3" 2>/dev/null
	else
		"$gen" "$@" 2>/dev/null
	fi
	[ $? -eq 2 ] && pass "$bad is a usage error (exit 2)" ||
		fail "$bad is a usage error (exit 2)"
done
[ "$("$gen" keys 3 host | sort -u | wc -l)" = 3 ] &&
	[ "$("$gen" keys 3 host)" = "$("$gen" keys 3 host)" ] &&
	pass "keys: distinct keys, the same for the same seed" ||
	fail "keys: distinct keys, the same for the same seed"

# wireguard-go holding the generator's 300 initiators as peers, one
# initiation each (a second one's fate would hang on when the first was
# consumed: the responder's flood check); the sources are 150 addresses
# on the namespace's loopback.
ip netns add "$ns" && ip -n "$ns" link set lo up &&
	ip -n "$ns" route add local 10.80.0.0/24 dev lo || {
	fail "a namespace with 10.80.0.0/24 local"
	exit 1
}
WG_PROCESS_FOREGROUND=1 ip netns exec "$ns" wireguard-go "$ifname" \
	>"$tmp/wireguard-go.log" 2>&1 &
wg_pid=$!
for _ in $(seq 50); do
	ip -n "$ns" link show "$ifname" >/dev/null 2>&1 && break
	sleep 0.1
done
"$gen" keys 300 host | sed 's/^/[Peer]\nPublicKey = /' >"$tmp/peers.conf"
if ip netns exec "$ns" wg set "$ifname" private-key "$tmp/responder.key" \
	listen-port 51999 && ip netns exec "$ns" wg addconf "$ifname" "$tmp/peers.conf" &&
	ip -n "$ns" link set "$ifname" up; then
	pass "wireguard-go responder with the generator's 300 initiators"
else
	fail "wireguard-go responder with the generator's 300 initiators"
	sed 's/^/#   /' "$tmp/wireguard-go.log" | tail -10
	exit 1
fi
out=$(ip netns exec "$ns" "$gen" flood --to 127.0.0.1:51999 \
	--responder "$responder" --initiators 300 --seed host --messages 300 \
	--sources 10.80.0.1/150 --idle 3 2>"$tmp/flood.err")
diag "flood: $out"
field() { printf '%s' "$out" | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
# What the responder's socket had no room for is the responder's loss,
# not the generator's: sent as fast as one CPU can, some of it may be.
rcvbuf_drops=$(ip netns exec "$ns" awk '/^Udp:/ && n++ { print $6 }' /proc/net/snmp)
diag "wireguard-go's socket dropped $rcvbuf_drops for want of buffer"
[ $(($(field responses) + rcvbuf_drops)) -eq 300 ] && [ "$(field responses)" -ge 150 ] &&
	pass "wireguard-go completed every handshake its socket took (at least half)" ||
	fail "wireguard-go completed every handshake its socket took (at least half)"
# Those sent again with mac2 may be the ones the socket dropped: the
# check is that mac2 got some through (a wrong one would get none).
if [ "$(field cookie_replies)" -gt 0 ]; then
	[ "$(field sent_with_mac2)" -gt "$(field unanswered_with_mac2)" ] &&
		pass "under load: messages sent again with mac2 were completed" ||
		fail "under load: messages sent again with mac2 were completed"
else
	diag "wireguard-go was never under load: no cookie replies to answer"
fi
# Initiations made for another key fail mac1 there: nothing answers, and
# the generator says so.
check_fails "flood: a responder with another key completes none" \
	ip netns exec "$ns" "$gen" flood --to 127.0.0.1:51999 \
	--responder "$(wg pubkey <"$tmp/other.key")" --initiators 10 \
	--seed host --messages 10 --idle 1
ktap_done
