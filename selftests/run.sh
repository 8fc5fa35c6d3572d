#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh: every test of the project, as `make check` runs them.
#
#   selftests/run.sh [-k KVER]... [-t TEST]... [-D DIR [-L]]
#
#   -k KVER   test only this kernel (default: every installed kernel that
#             has headers; at least one 6.1 and one 6.12 are required)
#   -t TEST   run only this guest test (a path under selftests/tests/)
#   -D DIR    make check-debug: only the builds and the guest tests, on
#             the kernel selftests/debug/build-kernel.sh built in DIR
#   -L        with -D and -t: the tests named in two boots side by side,
#             one vCPU each, taken in turn (not one boot with two vCPUs)
#
# Steps: build fz.ko against each kernel with -Werror; build fzagent and
# the probes; run the agent's unit tests (ASan/UBSan) and the host checks
# (DKMS for each kernel, style); boot each kernel under QEMU/TCG and run
# selftests/tests/*.sh there. Every check prints one "ok - ..." or
# "not ok - ..." line; the last line is "N passed, N failed".
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
build=$repo/build
logs=$build/logs
kernels=() only=() debug= lanes=

while getopts "k:t:D:Lh" opt; do
	case $opt in
	k) kernels+=("$OPTARG") ;;
	t) only+=("$(readlink -f "$OPTARG")") ;;
	D) debug=$(cd "$OPTARG" && pwd) || exit 2 ;;
	L) lanes=1 ;;
	h) sed -n '3,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) exit 2 ;;
	esac
done

start=$(date +%s)
# Two cores build twice as fast: every make below (and Kbuild, DKMS's
# own aside) runs as many jobs as there are CPUs.
export MAKEFLAGS="-j$(nproc)"
# phase NAME: the seconds since the last phase, so a slow step shows.
phase_start=$start
phase() {
	echo "# $1: $(($(date +%s) - phase_start)) s"
	phase_start=$(date +%s)
}
rm -rf "$logs"
mkdir -p "$logs"
results=$logs/results.txt
: >"$results"

record() { # record ok|not-ok DESC
	if [ "$1" = ok ]; then
		echo "ok - $2"
	else
		echo "not ok - $2"
	fi | tee -a "$results"
}

# run_step DESC LOG CMD...: one check whose output goes to a log file.
run_step() {
	local desc=$1 log=$2
	shift 2
	if "$@" >"$log" 2>&1; then
		record ok "$desc"
	else
		record not-ok "$desc (log: ${log#"$repo"/})"
		tail -25 "$log" | sed 's/^/#   /'
	fi
}

# The debug kernel runs everything several times slower under TCG.
vm_limit=3600 test_limit=1200 vm_opts=(-A)
if [ -n "$debug" ]; then
	kernels=("$(cat "$debug/kver")")
	export KDIR=$debug/linux-source-6.12
	vm_limit=14400 test_limit=3600 vm_opts=(-K "$debug")
elif [ ${#kernels[@]} -eq 0 ]; then
	mapfile -t kernels < <("$here/lib/kernels.sh")
	for series in 6.1 6.12; do
		printf '%s\n' "${kernels[@]}" | grep -q "^$series\." ||
			record not-ok "a Debian $series kernel with headers is installed"
	done
fi
echo "# kernels: ${kernels[*]}"

# --- Builds ---
for k in "${kernels[@]}"; do
	run_step "fz.ko builds with -Werror against $k" "$logs/build-$k.log" \
		"$here/lib/build-kmod.sh" "$k" "$build/kmod/$k"
done
run_step "fzagent and its test tools build (-Wall -Wextra -Werror)" \
	"$logs/build-agent.log" make -C "$repo/agent" all tools
run_step "selftest probes build" "$logs/build-probes.log" \
	make -C "$repo" probes
# make check builds the portal with its host checks; the debug kernel's
# guest tests need it too (11-portal, 12-client, 13-failover).
[ -z "$debug" ] || run_step "fzportal builds (-Wall -Wextra -Werror)" \
	"$logs/build-portal.log" make -C "$repo/portal" all tools
phase "builds"

# --- Host checks (not on the debug kernel: make check runs them) ---
host_checks() {
# unit_tests NAME DIR: a Check runner's tests, one ok/not ok line each.
unit_tests() {
	local name=$1 dir=$2 log=$logs/$1-unit.log status summary checks bad
	make -C "$dir" unit >"$log" 2>&1
	status=$?
	summary=$(grep -E '^[0-9]+%: Checks: ' "$log" | tail -1)
	if [[ $summary =~ Checks:\ ([0-9]+),\ Failures:\ ([0-9]+),\ Errors:\ ([0-9]+) ]]; then
		checks=${BASH_REMATCH[1]} bad=$((BASH_REMATCH[2] + BASH_REMATCH[3]))
		for _ in $(seq $((checks - bad))); do echo "ok - $name unit test" >>"$results"; done
		for _ in $(seq "$bad"); do echo "not ok - $name unit test" >>"$results"; done
		echo "# $name unit tests (ASan+UBSan): $summary"
		grep -E ':[EF]:' "$log" | sed 's/^/#   /' | head -20
	fi
	[ $status -eq 0 ] && [ -n "$summary" ] || {
		record not-ok "$name unit tests ran to completion (log: build/logs/$name-unit.log)"
		tail -25 "$log" | sed 's/^/#   /'
	}
}
unit_tests agent "$repo/agent"
phase "agent unit tests"
run_step "fzagent's test tools build (build/tools/fz-sigprobe)" \
	"$logs/build-agent-tools.log" make -C "$repo/agent" tools
run_step "fzportal and its test tools build (-Wall -Wextra -Werror)" \
	"$logs/build-portal.log" make -C "$repo/portal" all tools
unit_tests portal "$repo/portal"
run_step "portal: 20 s of libFuzzer on the signalling parsers find nothing" \
	"$logs/portal-fuzz.log" make -C "$repo/portal" fuzz FUZZ_SECONDS=20
phase "portal build, unit tests and fuzzing"
# The portal's integration tests run on the host (no VM): KTAP lines.
for t in "$repo"/portal/tests/integration/[0-9]*.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	out=$(FZPORTAL=$repo/portal/fzportal FZAGENT=$repo/agent/fzagent \
		FZTOOLS=$repo/portal/build/tools \
		IDP_DRIVE=$repo/portal/build/tools/idp_drive \
		FZ_ARTEFACTS=$logs/artefacts bash "$t" 2>&1)
	status=$?
	printf '%s\n' "$out" >"$logs/portal-$name.log"
	printf '%s\n' "$out" | grep -E '^(not )?ok - ' | sed 's/ - / - [portal] /' >>"$results"
	printf '%s\n' "$out" | grep -E '^(not )?ok - |^#' | sed 's/ - / - [portal] /'
	if [ $status -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^not ok'; then
		record not-ok "portal test $name exited with status $status"
	fi
	phase "portal $name"
done
for t in "$here"/host/*.sh; do
	name=$(basename "$t" .sh)
	host_check "$name"
done
}

# host_check NAME: selftests/host/NAME.sh, its lines counted.
host_check() {
	local name=$1 t=$here/host/$1.sh out status
	out=$(bash "$t" "${kernels[@]}" 2>&1)
	status=$?
	printf '%s\n' "$out" | tee "$logs/host-$name.log" | grep -E '^(not )?ok - |^#' |
		tee -a "$results" | grep -v '^#' >/dev/null
	printf '%s\n' "$out" | grep -E '^(not )?ok - |^#'
	if [ $status -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^not ok'; then
		record not-ok "host check $name exited with status $status"
	fi
	phase "host $name"
}

# --- Kernel tests in VMs ---
. "$here/lib/kernel-bugs.sh"
# vm_tests KVER CPUS SET LABEL [TEST...]: one boot of KVER with CPUS vCPUs
# running the guest tests of SET (guest-run.sh's FZ_TEST_SET), or the
# TESTs named (by default those of -t).
vm_tests() {
	local k=$1 cpus=$2 set=$3 label=$4 ko out vm_start vm_status what
	shift 4
	local tests=("$@")
	what="$set tests"
	[ $# -gt 0 ] && what="$label's tests" || tests=("${only[@]}")
	ko=$build/kmod/$k/fz.ko
	out=$build/vm-out/$label
	if [ ! -f "$ko" ]; then
		record not-ok "VM tests on $k (fz.ko did not build)"
		return
	fi
	rm -rf "$out"
	mkdir -p "$out"
	echo "# booting $k under QEMU/TCG with $cpus vCPU(s): $what"
	vm_start=$(date +%s)
	"$here/lib/vm.sh" -t "$vm_limit" -c "$cpus" "${vm_opts[@]}" "$k" "$ko" "$out" \
		"FZ_TEST_SET=$set FZ_TEST_LIMIT=$test_limit bash selftests/lib/guest-run.sh /tmp/out/ktap.txt ${tests[*]}"
	vm_status=$?
	if [ -s "$out/ktap.txt" ]; then
		grep -E '^    (not )?ok - ' "$out/ktap.txt" | sed "s/^    //; s/ - / - [$k] /" >>"$results"
		# Each test's time in the guest ("ok 5 05-datapath # 301s").
		grep -E '^(not )?ok [0-9]+ ' "$out/ktap.txt" | sed "s/^/# [$k] /"
	fi
	[ -s "$out/ktap.txt" ] && [ $vm_status -eq 0 ] ||
		record not-ok "[$k] the guest ran its $what and powered off (status $vm_status, see ${out#"$repo"/}/console.log)"
	if console_until_poweroff "$out/console.log" | grep -Eq "$KBUG_CONSOLE"; then
		record not-ok "[$k] console log free of kernel bugs ($what)"
		console_until_poweroff "$out/console.log" | grep -E -A5 "$KBUG_CONSOLE" | head -30 | sed 's/^/#   /'
	else
		record ok "[$k] console log free of kernel bugs ($what)"
	fi
	echo "# $k ($what): $(($(date +%s) - vm_start)) s in the VM"
}

# make check on two cores in two lanes, so that CI's 90 minutes hold:
# every kernel but the newest boots with one vCPU and runs every guest
# test, while the other lane runs the host checks and then the newest
# kernel's userspace scenarios (fz-kernels headers), also on one vCPU;
# last, the newest kernel runs the kernel tests alone with two vCPUs, so
# that code racing across CPUs is tested there.
# The two lanes never ask for more than the two cores between them; the
# host checks run at a lower priority, as their builds use both. The
# second lane prints as it goes; the first, when it ends. A -t or -k of
# one kernel is one lane: each kernel in turn with two vCPUs, every test
# named. make check-debug (-D without -t) is two lanes of one vCPU each,
# on the debug kernel, with the tests split between them by their time
# on it (debug_lane2; a test not named there runs in the first lane):
# several hours in one lane, about half in two.
newest=${kernels[-1]:-}
debug_lane2="07-handshakes 09-gateway-agent 10-teardown 11-portal 12-client 13-failover"
if [ -n "$debug" ] && { [ ${#only[@]} -eq 0 ] || [ -n "$lanes" ]; }; then
	lane1_tests=() lane2_tests=()
	if [ ${#only[@]} -gt 0 ]; then
		# -L: the tests named, taken in turn (their order is the
		# caller's way to balance the lanes).
		for i in "${!only[@]}"; do
			if [ $((i % 2)) -eq 0 ]; then
				lane1_tests+=("${only[$i]}")
			else
				lane2_tests+=("${only[$i]}")
			fi
		done
	else
		for t in "$here"/tests/*.sh; do
			case " $debug_lane2 " in
			*" $(basename "$t" .sh) "*) lane2_tests+=("$t") ;;
			*) lane1_tests+=("$t") ;;
			esac
		done
	fi
	# A renamed test would fall back to the first lane unseen, and an
	# empty list would make a lane run every test.
	for name in $debug_lane2; do
		[ -f "$here/tests/$name.sh" ] ||
			record not-ok "debug_lane2 names tests that exist (no tests/$name.sh)"
	done
	[ ${#lane1_tests[@]} -gt 0 ] && [ ${#lane2_tests[@]} -gt 0 ] ||
		record not-ok "each debug lane has tests (-L: two tests or more; debug_lane2: $debug_lane2)"
	rm -f "$logs/lane1.done"
	(
		results=$logs/results-lane1.txt
		: >"$results"
		[ ${#lane1_tests[@]} -eq 0 ] ||
			vm_tests "$newest" 1 all "$newest-lane1" "${lane1_tests[@]}"
		echo "lane done" >"$logs/lane1.done"
	) >"$logs/lane1.out" 2>&1 &
	lane1_pid=$!
	[ ${#lane2_tests[@]} -eq 0 ] ||
		vm_tests "$newest" 1 all "$newest-lane2" "${lane2_tests[@]}"
	wait "$lane1_pid"
	lane1_status=$?
	cat "$logs/lane1.out"
	cat "$logs/results-lane1.txt" >>"$results" 2>/dev/null
	[ -f "$logs/lane1.done" ] ||
		record not-ok "the debug kernel's first lane ran to its end (status $lane1_status, log: build/logs/lane1.out)"
elif [ -z "$debug" ] && [ ${#only[@]} -eq 0 ] && [ ${#kernels[@]} -gt 1 ]; then
	lane1=$logs/lane-older-kernels.out
	# Each lane counts into a file of its own, joined at the end: two
	# writers appending to one file could splice their lines.
	(
		results=$logs/results-lane1.txt
		: >"$results"
		for k in "${kernels[@]}"; do
			[ "$k" = "$newest" ] || vm_tests "$k" 1 all "$k"
		done
		echo "lane done" >"$logs/lane1.done"
	) >"$lane1" 2>&1 &
	lane1_pid=$!
	(
		# The demo from a fresh clone (a VM of its own, one vCPU) is a
		# host check here: the older kernels' lane runs 13-failover too.
		(
			renice -n 10 -p "$BASHPID" >/dev/null || :
			FZ_VM_CPUS=1 host_checks
		)
		vm_tests "$newest" 1 scenarios "$newest-scenarios"
	)
	wait "$lane1_pid"
	lane1_status=$?
	cat "$lane1"
	cat "$logs/results-lane1.txt" >>"$results" 2>/dev/null
	[ -f "$logs/lane1.done" ] ||
		record not-ok "the older kernels' lane ran to its end (status $lane1_status, log: ${lane1#"$repo"/})"
	phase "host checks, $newest's scenarios, older kernels (side by side)"
	vm_tests "$newest" 2 kernel "$newest"
else
	[ -z "$debug" ] && host_checks
	for k in "${kernels[@]}"; do
		vm_tests "$k" 2 all "$k"
	done
fi

passed=$(grep -c '^ok - ' "$results")
failed=$(grep -c '^not ok - ' "$results")
echo "# failures:"
grep '^not ok - ' "$results" | sed 's/^/#   /'
echo "# took $(($(date +%s) - start)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
