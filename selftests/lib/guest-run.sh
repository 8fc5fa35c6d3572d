#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the VM: every selftests/tests/*.sh in order, each in its own
# process with a time limit, as KTAP. After each test the kernel log is
# searched for signs of kernel bugs; any makes that test fail.
#
#   guest-run.sh OUTFILE [TEST...]
set -u
out=$1
shift
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=("$here"/tests/*.sh)
bad_log='BUG|WARNING|Oops|refcount|leak|Call Trace|general protection'
# Per test. 06-interop, the longest, takes 450-550 s under TCG on an idle
# host; this leaves room for a busy one.
limit=900

export FZ_SELFTESTS=$here FZ_NLPROBE=$here/../build/selftests/fz-nlprobe
export FZAGENT=$here/../agent/fzagent

n=0 total=0
{
	echo "TAP version 13"
	echo "# kernel $(uname -r)"
	echo "1..$((${#tests[@]}))"
} | tee "$out"
for t in "${tests[@]}"; do
	n=$((n + 1))
	name=$(basename "$t" .sh)
	dmesg -c >/dev/null
	start=$(date +%s)
	result=$(timeout $limit bash "$t" 2>&1)
	status=$?
	elapsed=$(($(date +%s) - start))
	klog=$(dmesg | grep -E "$bad_log")
	{
		echo "# Subtest: $name"
		printf '%s\n' "$result" | sed 's/^/    /'
		if [ -n "$klog" ]; then
			echo "    not ok - $name: kernel log clean"
			printf '%s\n' "$klog" | head -30 | sed 's/^/    # /'
			status=1
		else
			echo "    ok - $name: kernel log clean"
		fi
		[ $status -eq 124 ] && echo "    # timed out after $limit s"
		if [ $status -ne 0 ] && ! printf '%s\n' "$result" | grep -q '^not ok'; then
			echo "    not ok - $name: exited with status $status"
		fi
		if [ $status -eq 0 ]; then
			echo "ok $n $name # ${elapsed}s"
		else
			echo "not ok $n $name # exit $status, ${elapsed}s"
		fi
	} | tee -a "$out"
done
