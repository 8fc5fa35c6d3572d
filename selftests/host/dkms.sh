#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# DKMS packaging: `dkms add`, `dkms build -k KVER` and `dkms install -k KVER`
# work for every kernel given, and the installed module has that kernel's
# vermagic. Cleans up after itself (dkms remove), so the host is as before.
#   dkms.sh KVER...
. "$(dirname "$0")/../lib/ktap.sh"
repo=$(cd "$(dirname "$0")/../.." && pwd)
need dkms modinfo
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$repo/dkms.conf")
src=/usr/src/fz-$version
tmp=$(mktemp -d)
cleanup() {
	dkms remove "fz/$version" --all >/dev/null 2>&1
	rm -rf "$src" "$tmp"
}
trap cleanup EXIT
cleanup
trap cleanup EXIT

# Exactly what `make dkms-install` copies, from a clean tree.
mkdir -p "$src"
cp -r "$repo/Kbuild" "$repo/dkms.conf" "$repo/kmod" "$repo/uapi" "$src/"
check "dkms add fz/$version" dkms add "fz/$version"
for k in "$@"; do
	check "dkms build fz/$version -k $k" dkms build "fz/$version" -k "$k"
	check "dkms install fz/$version -k $k" dkms install "fz/$version" -k "$k"
	ko=$(find "/lib/modules/$k/updates" -name 'fz.ko*' 2>/dev/null | head -1)
	if [ -n "$ko" ] && modinfo -F vermagic "$ko" | grep -q "^$k "; then
		pass "DKMS installed $ko with vermagic $k"
	else
		fail "DKMS installed fz.ko for $k (found: ${ko:-nothing})"
	fi
	check "modprobe finds the DKMS module for $k" \
		bash -c "modprobe -S '$k' --show-depends fz | grep -q updates"
done
check "dkms status lists fz as installed" \
	bash -c "dkms status fz | grep -q installed"
ktap_done
