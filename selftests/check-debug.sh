#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check-debug: every guest test on a 6.12 kernel built with KASAN,
# lockdep (PROVE_LOCKING, PROVE_RCU), kmemleak, debug objects and netdev
# refcount tracking (selftests/debug/kernel.config), then a kmemleak scan.
# The kernel is built once and cached under /var/cache/fz (about an hour
# or more on two cores; see README); fz.ko is built against it.
#
#   selftests/check-debug.sh [-t TEST]... [-L]   (-t, -L as for run.sh)
#
# Like run.sh, it ends with "N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if ! dir=$("$here/debug/build-kernel.sh"); then
	echo "not ok - the debug kernel builds (selftests/debug/build-kernel.sh)"
	echo "0 passed, 1 failed"
	exit 1
fi
echo "# debug kernel: $dir ($(cat "$dir/kver"), built in $(cat "$dir/build-seconds" 2>/dev/null || echo ?) s)"
exec "$here/run.sh" -D "$dir" "$@"
