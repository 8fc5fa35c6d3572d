#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: build everything, boot the newest installed Debian kernel
# under QEMU/TCG (this host cannot load modules), and show fz at work
# inside it. Grows with the product: see selftests/demo-guest.sh.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
kver=${DEMO_KVER:-$("$here/lib/kernels.sh" | tail -1)}
[ -n "$kver" ] || { echo "demo: no kernel with headers installed" >&2; exit 1; }

. "$here/lib/kernel-bugs.sh"
# A fresh clone has no build/ yet.
mkdir -p "$repo/build"
echo "demo: building fz.ko for $kver, fzagent and fzportal"
"$here/lib/build-kmod.sh" "$kver" "$repo/build/kmod/$kver" >"$repo/build/demo-build.log" 2>&1 ||
	{ tail -20 "$repo/build/demo-build.log"; exit 1; }
make -s -C "$repo/agent"
make -s -C "$repo/portal"
make -s -C "$repo" probes
# The OpenID provider's npm packages: the guest's root is read-only.
bash "$repo/portal/tests/integration/idp/install.sh"
echo "demo: booting $kver under QEMU/TCG (a few minutes)"
out=$repo/build/demo
rm -rf "$out"
mkdir -p "$out"
status=0
"$here/lib/vm.sh" -A -t 1500 "$kver" "$repo/build/kmod/$kver/fz.ko" "$out" \
	"set -o pipefail; bash selftests/demo-guest.sh 2>&1 | tee /tmp/out/demo.log" || status=$?
cat "$out/demo.log" 2>/dev/null || tail -30 "$out/console.log"
# The demo's last line says it got to its end; a guest that stopped
# half-way (whatever its exit status said) has not shown fz at work.
if ! tail -1 "$out/demo.log" 2>/dev/null | grep -q '^== the demo ran to its end'; then
	echo "demo: the demo did not run to its end" >&2
	status=1
fi
if [ ! -s "$out/dmesg.log" ]; then
	echo "demo: the guest left no kernel log" >&2
	status=1
elif grep -Eq "$KBUG_DMESG" "$out/dmesg.log"; then
	echo "demo: the guest's kernel log shows a problem:" >&2
	grep -E "$KBUG_DMESG" "$out/dmesg.log" >&2
	status=1
fi
if console_until_poweroff "$out/console.log" | grep -Eq "$KBUG_CONSOLE"; then
	echo "demo: the guest's console shows a kernel problem:" >&2
	console_until_poweroff "$out/console.log" | grep -E -A5 "$KBUG_CONSOLE" | head -30 >&2
	status=1
fi
[ $status -eq 0 ] && echo "demo: done (full guest console: build/demo/console.log)"
exit $status
