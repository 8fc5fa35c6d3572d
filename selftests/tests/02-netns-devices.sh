#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fz devices in many network namespaces: created, listed, deleted with
# their namespace, and the module unloads with none left behind.
. "$FZ_SELFTESTS/lib/ktap.sh"
need ip modprobe
modprobe fz

# (5 namespaces on the debug kernel, where making and destroying each
# takes seconds: the same paths, a quarter as often.)
ns_count=20 per_ns=5 errors=0
[ "${FZ_TIME_SCALE:-1}" -gt 1 ] && ns_count=5
for n in $(seq $ns_count); do
	ip netns add "fzt$n" || errors=$((errors + 1))
	for d in $(seq $per_ns); do
		ip -n "fzt$n" link add "fz$d" type fz || errors=$((errors + 1))
	done
done
[ $errors -eq 0 ] && pass "created $((ns_count * per_ns)) fz devices in $ns_count namespaces" ||
	fail "creating devices: $errors errors"

count=0
for n in $(seq $ns_count); do
	count=$((count + $(ip -n "fzt$n" -o link show type fz | wc -l)))
done
[ $count -eq $((ns_count * per_ns)) ] && pass "every namespace lists its fz devices" ||
	fail "listed $count fz devices, expected $((ns_count * per_ns))"

check "fz0 has the defaults: mtu 1280, POINTOPOINT, NOARP" \
	bash -c "ip -n fzt1 link add fz0 type fz && ip -n fzt1 -o link show fz0 |
		grep -E 'POINTOPOINT,NOARP.*mtu 1280'"
check "link type is none (no L2 header)" \
	bash -c "ip -n fzt1 -o link show fz0 | grep -q 'link/none'"
check "device comes up with an address" \
	bash -c "ip -n fzt1 addr add 100.64.0.1/32 dev fz0 && ip -n fzt1 link set fz0 up"
check "MTU below IPv6's minimum is refused" \
	bash -c "! ip -n fzt1 link set fz0 mtu 1200 2>/dev/null"
check "packets into a device with no peers are dropped and counted" \
	bash -c "ip -n fzt1 route add 100.64.0.2/32 dev fz0 &&
		ip netns exec fzt1 ping -c 2 -W 1 100.64.0.2 >/dev/null 2>&1;
		[ \$(cat /sys/class/net/fz0/statistics/tx_dropped 2>/dev/null ||
		   ip netns exec fzt1 cat /sys/class/net/fz0/statistics/tx_dropped) -ge 2 ]"
check "a device moves to another namespace" \
	bash -c "ip -n fzt2 link set fz1 netns fzt3 2>/dev/null || ip -n fzt2 link set fz1 name fzmv netns fzt3"

for n in $(seq $ns_count); do
	ip netns del "fzt$n" || errors=$((errors + 1))
done
[ $errors -eq 0 ] && pass "deleted every namespace" || fail "deleting namespaces: $errors errors"
# Namespace teardown is asynchronous; the module stays busy until done.
for i in $(seq 100); do
	modprobe -r fz 2>/dev/null && break
	sleep 0.2
done
check_fails "fz.ko unloaded after its namespaces went away" grep -q "^fz " /proc/modules
ktap_done
