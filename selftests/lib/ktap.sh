# SPDX-License-Identifier: GPL-2.0
# Helpers for guest test scripts. A test prints one line per check,
# "ok - what" or "not ok - what", and exits non-zero if any failed.
# Diagnostics start with "#".

FZ_FAILS=0 FZ_PASSES=0

# On the debug kernel (FZ_TIME_SCALE > 1) each check line ends with the
# seconds since the test began, to show where its hours go.
fz_at() { [ "${FZ_TIME_SCALE:-1}" -gt 1 ] && printf ' [%ss]' "$SECONDS"; }
pass() { echo "ok - $*$(fz_at)"; FZ_PASSES=$((FZ_PASSES + 1)); }
fail() { echo "not ok - $*$(fz_at)"; FZ_FAILS=$((FZ_FAILS + 1)); }
diag() { echo "# $*"; }

# check DESC CMD...: runs CMD, passes when it exits 0.
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		pass "$desc"
	else
		fail "$desc"
		printf '%s\n' "$out" | sed 's/^/#   /' | tail -20
	fi
}

# check_fails DESC CMD...: passes when CMD runs and exits non-zero, but
# not when it could not run (126, 127) or died of a signal (128+): a
# missing tool or a crash is not the refusal the check is after.
check_fails() {
	local desc=$1 out status=0
	shift
	out=$("$@" 2>&1) || status=$?
	if [ $status -eq 0 ]; then
		fail "$desc (it succeeded)"
	elif [ $status -ge 126 ]; then
		fail "$desc (exit $status: not run or killed, not refused)"
		printf '%s\n' "$out" | sed 's/^/#   /' | tail -20
	else
		pass "$desc"
	fi
}

# need TOOL...: a test that needs a missing tool fails loudly.
need() {
	local t
	for t in "$@"; do
		if ! command -v "$t" >/dev/null 2>&1; then
			fail "required tool '$t' is missing"
			exit 1
		fi
	done
}

# Runs a probe that prints KTAP check lines itself; counts its failures.
run_probe() {
	local out status=0
	out=$("$@" 2>&1) || status=$?
	printf '%s\n' "$out"
	FZ_FAILS=$((FZ_FAILS + $(printf '%s\n' "$out" | grep -c '^not ok')))
	FZ_PASSES=$((FZ_PASSES + $(printf '%s\n' "$out" | grep -c '^ok')))
	if [ $status -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^not ok'; then
		fail "$* exited with status $status"
	elif ! printf '%s\n' "$out" | grep -Eq '^(not )?ok'; then
		fail "$* reported no checks"
	fi
}

# The last line of every test: fails if any check failed, or if none ran
# (a test that checked nothing has not passed).
ktap_done() {
	if [ "$FZ_PASSES" -eq 0 ] && [ "$FZ_FAILS" -eq 0 ]; then
		fail "the test ran no checks"
	fi
	[ "$FZ_FAILS" -eq 0 ]
}
