#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The README's first command as a new user runs it: `git clone` into a
# temporary directory under /tmp, then `make demo` there, to its end.
# Nothing comes from this tree's build/ (the clone has none), and the
# guest sees the clone only through vm.sh's repository share (its /tmp
# is a tmpfs of its own). One VM boot; the time is printed.
#   fresh-clone.sh [KVER...]   (the kernels are not used: the demo picks)
. "$(dirname "$0")/../lib/ktap.sh"
repo=$(cd "$(dirname "$0")/../.." && pwd)
need git make
logs=$repo/build/logs
mkdir -p "$logs"
log=$logs/fresh-clone-demo.log
if ! head=$(git -C "$repo" rev-parse --verify HEAD 2>/dev/null); then
	fail "fresh clone: $repo is not a git checkout"
	exit 1
fi
[ -z "$(git -C "$repo" status --porcelain --untracked-files=no)" ] ||
	diag "fresh clone: uncommitted changes are not in the clone (it is of $head)"
tmp=$(mktemp -d /tmp/fz-clone.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
clone=$tmp/fz
if ! git clone -q --no-checkout "$repo" "$clone" >"$log" 2>&1 ||
	! git -C "$clone" checkout -q --detach "$head" >>"$log" 2>&1; then
	fail "fresh clone: git clone of $head into $clone"
	sed 's/^/#   /' "$log" | tail -10
	exit 1
fi
start=$(date +%s)
status=0
make -C "$clone" demo >>"$log" 2>&1 || status=$?
took=$(($(date +%s) - start))
if [ $status -eq 0 ] && grep -q '^demo: done' "$log" &&
	grep -q '^== the demo ran to its end' "$log"; then
	pass "make demo runs to its end in a fresh clone under /tmp (${took}s)"
else
	fail "make demo in a fresh clone under /tmp: exit $status after ${took}s (log: ${log#"$repo"/})"
	sed 's/^/#   /' "$log" | tail -25
fi
ktap_done
