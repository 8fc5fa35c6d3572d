#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# build-kmod.sh KVER OUTDIR: builds fz.ko against KVER's headers in a copy
# of the sources under OUTDIR, so builds for several kernels never share
# objects. Warnings are errors (Kbuild adds -Werror). KDIR, when set, is
# the kernel build tree to use instead of /lib/modules/KVER/build.
set -euo pipefail
kver=$1 out=$2
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
kdir=${KDIR:-/lib/modules/$kver/build}
[ -e "$kdir/Makefile" ] || { echo "no headers for $kver at $kdir" >&2; exit 1; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -rf "$out/kmod" "$out/uapi"
cp -r "$repo/Kbuild" "$repo/kmod" "$repo/uapi" "$out/"
make -C "$kdir" M="$out" W=1 modules
test -f "$out/fz.ko"
