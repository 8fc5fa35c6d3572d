# SPDX-License-Identifier: GPL-2.0
# Helpers for guest test scripts. A test prints one line per check,
# "ok - what" or "not ok - what", and exits non-zero if any failed.
# Diagnostics start with "#".

FZ_FAILS=0

pass() { echo "ok - $*"; }
fail() { echo "not ok - $*"; FZ_FAILS=$((FZ_FAILS + 1)); }
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

# check_fails DESC CMD...: passes when CMD exits non-zero.
check_fails() {
	local desc=$1
	shift
	if "$@" >/dev/null 2>&1; then
		fail "$desc (it succeeded)"
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
	if [ $status -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^not ok'; then
		fail "$* exited with status $status"
	fi
}

ktap_done() { [ "$FZ_FAILS" -eq 0 ]; }
