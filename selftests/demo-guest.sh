#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the demo VM: a gateway running fz.ko + fzagent, and a client
# using stock in-kernel WireGuard, in two network namespaces joined by a
# veth. Each step is shown, then run.
set -eo pipefail
export FZ_SELFTESTS=$PWD/selftests FZAGENT=$PWD/agent/fzagent
. selftests/lib/ktap.sh
. selftests/lib/netns.sh
export FZ_RUN=/tmp/fzdemo
. selftests/lib/peers.sh
step() {
	echo
	echo "\$ $*"
	"$@"
}
echo "== fz demo on Linux $(uname -r) =="
step modprobe fz
modprobe wireguard
hosts_up gateway client
echo
echo "# gateway (namespace 'gateway', 192.168.241.1): fz.ko + fzagent"
echo "# client  (namespace 'client',  192.168.241.2): in-kernel WireGuard"
gw_key=$("$FZAGENT" genkey)
cl_key=$(wg genkey)
gw_pub=$(echo "$gw_key" | "$FZAGENT" pubkey)
cl_pub=$(echo "$cl_key" | wg pubkey)
peer_up fz gateway fz0 1 51820 "$gw_key" "$cl_pub" 2
peer_up wg client wg0 2 51821 "$cl_key" "$gw_pub" 1 192.168.241.1:51820
echo
echo "# the gateway's config, as fzagent up read it (private key elided):"
sed 's/^PrivateKey = .*/PrivateKey = (secret)/' "$FZ_RUN/gateway-fz0.conf"
step ip netns exec client ping -c 3 10.20.0.1
step ip netns exec gateway "$FZAGENT" show fz0
step ip netns exec client wg show wg0
echo
echo "# fzagent's log:"
cat "$FZ_RUN/gateway-fz0.log"
peer_down gateway fz0
peer_down client wg0
hosts_down gateway client
step modprobe -r fz
echo
echo "== a WireGuard client reached an fz gateway; fz.ko unloaded cleanly =="
