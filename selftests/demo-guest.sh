#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the demo VM. Each step is shown, then run.
set -eo pipefail
fzagent=$PWD/agent/fzagent
step() {
	echo
	echo "\$ $*"
	"$@"
}
echo "== fz demo on Linux $(uname -r) =="
step modprobe fz
step ip link add fz0 type fz
step ip address add 100.64.0.1/11 dev fz0
step ip link set fz0 up
step ip -details link show fz0
echo
echo "\$ fzagent genkey | tee /run/fz0.key | fzagent pubkey"
umask 077
"$fzagent" genkey | tee /run/fz0.key | "$fzagent" pubkey
step "$fzagent" show fz0
step "$fzagent" show
step ip link del fz0
step modprobe -r fz
echo
echo "== fz0 created, shown by fzagent, removed; fz.ko unloaded cleanly =="
