#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The generic netlink ABI: strict policies, clear errnos, consistent and
# resumable dumps, CAP_NET_ADMIN over the device's namespace required for
# every op; every bad way of naming a device refused, by root and by an
# unprivileged user in a namespace of their own.
. "$FZ_SELFTESTS/lib/ktap.sh"
need ip modprobe setpriv unshare
[ -x "$FZ_NLPROBE" ] || { fail "fz-nlprobe not built ($FZ_NLPROBE)"; exit 1; }
modprobe fz
ip link add fz0 type fz

run_probe "$FZ_NLPROBE" empty fz0
run_probe "$FZ_NLPROBE" malformed fz0
run_probe "$FZ_NLPROBE" dump fz0 1000
run_probe "$FZ_NLPROBE" intr fz0
run_probe "$FZ_NLPROBE" selectors fz0
nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
run_probe "${nobody[@]}" --bounding-set=-all "$FZ_NLPROBE" denied fz0
# Root of a user namespace of its own, still in this network namespace:
# the namespace's owner is not its user namespace, so every op is refused.
run_probe "${nobody[@]}" unshare -Ur "$FZ_NLPROBE" denied fz0

# An unprivileged user with a user and network namespace of their own (any
# user on Debian) reaches the whole ABI on their own devices: every bad
# selector is refused there too, and nothing breaks.
userns_probe() {
	"${nobody[@]}" unshare -Urn bash -c '
		ip link add fzu type fz || { echo "not ok - fz link made in a user namespace"; exit 1; }
		ip link set fzu up
		"$0" selectors fzu && "$0" malformed fzu && "$0" empty fzu' "$FZ_NLPROBE"
}
run_probe userns_probe

# The same ABI inside another namespace: devices there are invisible here.
ip netns add fzn
ip -n fzn link add fzin type fz
check "a device in another namespace is not reachable from here" \
	bash -c "! ip link show fzin 2>/dev/null"
run_probe ip netns exec fzn "$FZ_NLPROBE" empty fzin
ip netns del fzn
ip link del fz0
ktap_done
