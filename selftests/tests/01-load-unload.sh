#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fz.ko loads and unloads cleanly, 100 times (10 on the debug kernel, where
# each cycle takes over fifteen seconds), by modprobe and by autoload.
. "$FZ_SELFTESTS/lib/ktap.sh"
need modprobe rmmod ip

modprobe -r fz 2>/dev/null
check "modprobe fz" modprobe fz
check "generic netlink family fz is registered" genl ctrl get name fz
check "modinfo names the version" \
	bash -c "modinfo -F version fz | grep -qx '$(sed -n 's/.*FZ_VERSION "\(.*\)"/\1/p' "$FZ_SELFTESTS/../kmod/version.h")'"
check "modprobe -r fz" modprobe -r fz

errors=0 cycles=100
[ "${FZ_TIME_SCALE:-1}" -gt 1 ] && cycles=10
for i in $(seq $cycles); do
	modprobe fz || errors=$((errors + 1))
	ip link add fzload0 type fz || errors=$((errors + 1))
	rmmod fz || errors=$((errors + 1))
done
if [ $errors -eq 0 ]; then
	pass "$cycles load/create/unload cycles"
else
	fail "$cycles load/create/unload cycles: $errors errors"
fi
check_fails "no fz link left after unload" ip link show fzload0

check "'ip link add type fz' autoloads fz.ko (rtnl-link alias)" \
	ip link add fz0 type fz
check "the autoloaded module is the fresh build" \
	bash -c "modinfo -n fz | grep -q fz-selftest"
ip link del fz0
rmmod fz
check "a genl request for family fz autoloads fz.ko (genl alias)" \
	bash -c '"$FZ_NLPROBE" empty nonexistent0 2>&1; grep -q "^fz " /proc/modules'
rmmod fz
ktap_done
