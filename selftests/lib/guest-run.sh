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
tests=("$@") skipped=()
# A test whose header says "# fz-kernels: SERIES..." (e.g. 6.12) runs only
# on those kernel series, unless it was named on the command line: the
# userspace scenarios whose kernel paths other tests cover on every
# kernel (README, "Tests").
# FZ_TEST_SET splits the rest in two for VMs that run side by side
# (selftests/run.sh): "kernel" for the tests every kernel runs, "scenarios"
# for those with an fz-kernels header; unset, both.
test_set=${FZ_TEST_SET:-all}
if [ ${#tests[@]} -eq 0 ]; then
	for t in "$here"/tests/*.sh; do
		series=$(sed -n 's/^# fz-kernels: //p' "$t")
		case $test_set,${series:+scenario} in
		kernel,scenario | scenarios,) continue ;;
		esac
		if [ -z "$series" ] || printf '%s\n' $series |
			grep -qxF "$(uname -r | grep -oE '^[0-9]+\.[0-9]+')"; then
			tests+=("$t")
		else
			skipped+=("$(basename "$t" .sh) (fz-kernels: $series)")
		fi
	done
fi
. "$here/lib/kernel-bugs.sh"
# Per test. 06-interop, the longest, takes 450-550 s under TCG on an idle
# host; this leaves room for a busy one. A debug kernel needs more
# (FZ_TEST_LIMIT).
limit=${FZ_TEST_LIMIT:-900}
kmemleak=/sys/kernel/debug/kmemleak
# The debug kernel (it alone has kmemleak) runs five to fourteen times
# slower: the tests' waits for a state to come (wait_for) last four times
# as long there, and so do the bounds of what a test measures (a cut
# within 1 s, a failover within 10 s after the kernel's own timer) and the
# windows a test sets up for them (an expiry, rekey timers, a policy's
# end). make check measures the bounds as written on the kernels users run;
# check-debug looks for memory and locking bugs along the same paths.
[ -e $kmemleak ] && export FZ_TIME_SCALE=${FZ_TIME_SCALE:-4}

export FZ_SELFTESTS=$here FZ_NLPROBE=$here/../build/selftests/fz-nlprobe
export FZAGENT=$here/../agent/fzagent

n=0 total=0 plan=${#tests[@]}
# A kernel with kmemleak (make check-debug) gets one more test at the end,
# a scan of what is unreferenced after every test ran. What leaked during
# boot is set aside first, and the periodic scan is stopped so that its
# reports do not land in whichever test runs at the time.
if [ -e $kmemleak ]; then
	plan=$((plan + 1))
	echo scan=off >$kmemleak
	echo scan >$kmemleak
	echo clear >$kmemleak
fi
{
	echo "TAP version 13"
	echo "# kernel $(uname -r)"
	echo "# cmdline: $(cat /proc/cmdline)"
	for t in "${skipped[@]}"; do echo "# not on this kernel: $t"; done
	echo "1..$plan"
} | tee "$out"
# What kmemleak finds unreferenced now, then forgotten (so the next scan
# reports only what is new). An object is reported only once it is 5 s
# old and was unreferenced in two scans: wait, then scan twice.
kmemleak_scan() {
	sleep 6
	echo scan >$kmemleak
	sleep 1
	echo scan >$kmemleak
	cat $kmemleak
	echo clear >$kmemleak
}

for t in "${tests[@]}"; do
	n=$((n + 1))
	name=$(basename "$t" .sh)
	dmesg -c >/dev/null
	start=$(date +%s)
	result=$(timeout $limit bash "$t" 2>&1)
	status=$?
	elapsed=$(($(date +%s) - start))
	klog=$(dmesg | grep -E "$KBUG_DMESG")
	{
		# status is the test's own; found, what the checks after it
		# found (each says so in a line of its own).
		found=0
		echo "# Subtest: $name"
		printf '%s\n' "$result" | sed 's/^/    /'
		if [ -n "$klog" ]; then
			# The whole log goes beside the KTAP file; the
			# console gets each report with its call trace.
			dmesg >"$(dirname "$out")/dmesg-$name.txt"
			echo "    not ok - $name: kernel log clean"
			dmesg | grep -E -A 30 "$KBUG_DMESG" | head -120 | sed 's/^/    # /'
			found=1
		else
			echo "    ok - $name: kernel log clean"
		fi
		# On the debug kernel, after each test: a run stopped
		# part way still says which tests leaked, and which not.
		if [ -e $kmemleak ]; then
			leaks=$(kmemleak_scan)
			if [ -n "$leaks" ]; then
				echo "    not ok - $name: kmemleak finds nothing unreferenced"
				printf '%s\n' "$leaks" | head -60 | sed 's/^/    # /'
				found=1
			else
				echo "    ok - $name: kmemleak finds nothing unreferenced"
			fi
		fi
		[ $status -eq 124 ] && echo "    # timed out after $limit s"
		if [ $status -ne 0 ] && ! printf '%s\n' "$result" | grep -q '^not ok'; then
			echo "    not ok - $name: exited with status $status"
		fi
		if [ $status -eq 0 ] && [ $found -eq 0 ]; then
			echo "ok $n $name # ${elapsed}s"
		else
			echo "not ok $n $name # exit $status, ${elapsed}s"
		fi
	} | tee -a "$out"
done

if [ -e $kmemleak ]; then
	n=$((n + 1))
	leaks=$(kmemleak_scan)
	{
		echo "# Subtest: kmemleak"
		if [ -n "$leaks" ]; then
			echo "    not ok - kmemleak: no unreferenced objects after the tests"
			printf '%s\n' "$leaks" | head -60 | sed 's/^/    # /'
			echo "not ok $n kmemleak"
		else
			echo "    ok - kmemleak: no unreferenced objects after the tests"
			echo "ok $n kmemleak"
		fi
	} | tee -a "$out"
fi
