#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The generic netlink ABI: strict policies, clear errnos, consistent and
# resumable dumps, CAP_NET_ADMIN required.
. "$FZ_SELFTESTS/lib/ktap.sh"
need ip modprobe setpriv
[ -x "$FZ_NLPROBE" ] || { fail "fz-nlprobe not built ($FZ_NLPROBE)"; exit 1; }
modprobe fz
ip link add fz0 type fz

run_probe "$FZ_NLPROBE" empty fz0
run_probe "$FZ_NLPROBE" malformed fz0
run_probe "$FZ_NLPROBE" dump fz0 1000
run_probe "$FZ_NLPROBE" intr fz0
run_probe setpriv --reuid=65534 --regid=65534 --clear-groups \
	--inh-caps=-all --bounding-set=-all "$FZ_NLPROBE" denied fz0

# The same ABI inside another namespace: devices there are invisible here.
ip netns add fzn
ip -n fzn link add fzin type fz
check "a device in another namespace is not reachable from here" \
	bash -c "! ip link show fzin 2>/dev/null"
run_probe ip netns exec fzn "$FZ_NLPROBE" empty fzin
ip netns del fzn
ip link del fz0
ktap_done
