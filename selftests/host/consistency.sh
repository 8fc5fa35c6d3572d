#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Things that must agree across files: versions, and the README's promise
# that its first two commands are `make demo` and `make check`.
. "$(dirname "$0")/../lib/ktap.sh"
repo=$(cd "$(dirname "$0")/../.." && pwd)
dkms=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$repo/dkms.conf")
kmod=$(sed -n 's/.*FZ_VERSION "\(.*\)"/\1/p' "$repo/kmod/version.h")
agent=$("$repo/agent/fzagent" --version 2>/dev/null | awk '{print $2}')
[ -n "$dkms" ] && [ "$dkms" = "$kmod" ] && pass "dkms.conf and fz.ko agree on version $dkms" ||
	fail "dkms.conf says '$dkms', kmod/version.h says '$kmod'"
[ "$agent" = "$kmod" ] && pass "fzagent --version matches fz.ko ($agent)" ||
	fail "fzagent --version says '$agent', fz.ko is '$kmod'"
deb=$(sed -n '1s/^fz (\([^)]*\)).*/\1/p' "$repo/debian/changelog")
[ "$deb" = "$kmod" ] && pass "debian/changelog's version is fz.ko's ($deb)" ||
	fail "debian/changelog says '$deb', fz.ko is '$kmod'"
cmds=$(grep -oE '^(sudo )?make (demo|check)' "$repo/README.md" | head -2 | tr '\n' ' ')
[ "$cmds" = "make demo make check " ] && pass "README starts with make demo, make check" ||
	fail "README's first commands are '$cmds'"
grep -q 'make check' "$repo/.ci/run" && pass ".ci/run runs the README's test command" ||
	fail ".ci/run does not run make check"
ktap_done
