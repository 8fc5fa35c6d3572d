#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The Debian packages: `make deb` builds fz-dkms, fzagent and fzportal,
# then one VM boots systemd as PID 1 on a writable root (vm.sh -S) and
# installs, runs and purges them there (selftests/lib/packages-guest.sh).
# One kernel: the newest 6.12 given, the one DKMS's postinst builds for
# once (on 6.1 it builds for 6.1 and the newest kernel both); the module
# building with DKMS on every kernel is host/dkms.sh's.
#   packages.sh KVER...   (make check-packages: the installed kernels)
. "$(dirname "$0")/lib/ktap.sh"
repo=$(cd "$(dirname "$0")/.." && pwd)
need dpkg-buildpackage dh_dkms qemu-system-x86_64
kver=$(printf '%s\n' "$@" | grep '^6\.12\.' | sort -V | tail -1)
[ -n "$kver" ] || { fail "packages: a 6.12 kernel among: $*"; exit 1; }
logs=$repo/build/logs
out=$repo/build/vm-out/packages
mkdir -p "$logs"
start=$(date +%s)
if bash "$repo/debian/make-deb.sh" "$repo/build/deb" >"$logs/make-deb.log" 2>&1; then
	pass "make deb: fz-dkms, fzagent and fzportal build ($(($(date +%s) - start)) s)"
else
	fail "make deb (log: build/logs/make-deb.log, build/deb/build.log)"
	tail -20 "$logs/make-deb.log" | sed 's/^/#   /'
	exit 1
fi
rm -rf "$out"
mkdir -p "$out/debs"
cp "$repo"/build/deb/*.deb "$out/debs/"
start=$(date +%s)
"$repo/selftests/lib/vm.sh" -S -t 1200 "$kver" - "$out" \
	"bash selftests/lib/packages-guest.sh /tmp/out/debs >/tmp/out/ktap.txt 2>&1"
status=$?
[ -s "$out/ktap.txt" ] && grep -E '^(not )?ok - |^#' "$out/ktap.txt" |
	sed 's/^\(\(not \)\{0,1\}ok\) - /\1 - packages: /'
[ $status -eq 0 ] ||
	fail "packages: the guest ran to its end and every check passed (status $status; build/vm-out/packages/)"
. "$repo/selftests/lib/kernel-bugs.sh"
if grep -Eq "$KBUG_CONSOLE" "$out/console.log"; then
	fail "packages: console log free of kernel bugs"
	grep -E -A5 "$KBUG_CONSOLE" "$out/console.log" | head -30 | sed 's/^/#   /'
else
	pass "packages: console log free of kernel bugs"
fi
if [ ! -s "$out/dmesg.log" ]; then
	fail "packages: the guest's kernel log came back (build/vm-out/packages/dmesg.log)"
elif grep -Eq "$KBUG_DMESG" "$out/dmesg.log"; then
	fail "packages: kernel log free of BUG, WARNING, Oops, refcount, leak"
	grep -E -A5 "$KBUG_DMESG" "$out/dmesg.log" | head -30 | sed 's/^/#   /'
else
	pass "packages: kernel log free of BUG, WARNING, Oops, refcount, leak"
fi
diag "packages: $(($(date +%s) - start)) s in the VM ($kver, systemd)"
ktap_done
