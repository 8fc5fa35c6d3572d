#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Style and static checks: checkpatch.pl (from Debian's linux-source-6.12)
# on the kernel code, sparse (make C=2) against each kernel, the layering
# of fzagent's wings (includes only go down) and clang-format on the
# userspace code.
#   style.sh KVER...
. "$(dirname "$0")/../lib/ktap.sh"
repo=$(cd "$(dirname "$0")/../.." && pwd)
need sparse clang-format perl
tools=$repo/build/tools
tarball=$(ls /usr/src/linux-source-6.12.tar.* 2>/dev/null | head -1)
checkpatch=$tools/linux-source-6.12/scripts/checkpatch.pl
if [ ! -f "$checkpatch" ] && [ -n "$tarball" ]; then
	mkdir -p "$tools"
	tar -xf "$tarball" -C "$tools" --wildcards \
		'linux-source-6.12/scripts/checkpatch.pl' \
		'linux-source-6.12/scripts/spelling.txt' \
		'linux-source-6.12/scripts/const_structs.checkpatch'
fi
if [ ! -f "$checkpatch" ]; then
	fail "checkpatch.pl available (install linux-source-6.12)"
else
	cd "$repo"
	# compat.h exists to compare kernel versions; that is its whole job.
	files=$(ls kmod/*.c kmod/*.h uapi/linux/fz.h | grep -v compat.h)
	check "checkpatch: kmod/ and uapi/ are clean" \
		perl "$checkpatch" --no-tree -q --terse --strict -f $files
	check "checkpatch: kmod/compat.h is clean (version checks allowed)" \
		perl "$checkpatch" --no-tree -q --terse --strict \
		--ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON -f kmod/compat.h
fi
for k in "$@"; do
	out=$repo/build/kmod/$k
	[ -f "$out/Kbuild" ] || { fail "sparse on $k: fz.ko was not built"; continue; }
	log=$(make -C "/lib/modules/$k/build" M="$out" C=2 modules 2>&1)
	if printf '%s\n' "$log" | grep -q 'CHECK' &&
		! printf '%s\n' "$log" | grep -E 'warning:|error:'; then
		pass "sparse (make C=2) is clean against $k"
	else
		fail "sparse (make C=2) against $k"
		printf '%s\n' "$log" | grep -E 'warning:|error:' | head -20 | sed 's/^/#   /'
	fi
done
cd "$repo"
# fzagent's wings, from the bottom up; a wing may include its own headers
# and those of the wings on lower levels, never one on its own level or
# above (agent/README.md has the picture). Wings on one level do not know
# each other. Includes name another wing's header as "wing/name.h".
layers=(lib "wg conf" "fzk ctl" proto "gateway client signal" daemon cmd)
declare -A level
for i in "${!layers[@]}"; do
	for w in ${layers[$i]}; do level[$w]=$i; done
done
bad=
for f in agent/*/*.[ch]; do
	w=${f#agent/}
	w=${w%%/*}
	[ "$w" = tests ] && continue
	[ -n "${level[$w]}" ] || { bad+="$f: not in a wing"$'\n'; continue; }
	while IFS= read -r line; do
		inc=${line#*\"}
		inc=${inc%%\"*}
		case $inc in
		../* | */../*) bad+="$f: includes $inc"$'\n' ;;
		*/*)
			to=${inc%%/*}
			if [ -z "${level[$to]}" ]; then
				bad+="$f: includes $inc, not a wing"$'\n'
			elif [ "$to" != "$w" ] && [ "${level[$to]}" -ge "${level[$w]}" ]; then
				bad+="$f: $w includes $inc from $to, not below it"$'\n'
			fi
			;;
		esac
	done < <(grep -E '^#[[:space:]]*include[[:space:]]+"' "$f")
done
# The daemon knows roles only through daemon/role.h: only a role's adapter
# (daemon/role_*.c) may include a role's wing.
for f in agent/daemon/*.[ch]; do
	case $f in agent/daemon/role_*) continue ;; esac
	while IFS= read -r line; do
		bad+="$f: the daemon core includes ${line#*include } (use role.h)"$'\n'
	done < <(grep -E '^#[[:space:]]*include[[:space:]]+"(gateway|client|signal)/' "$f")
done
if [ -z "$bad" ]; then
	pass "layering: agent/ wings include only their own and lower wings"
else
	fail "layering: agent/ wings include only their own and lower wings"
	printf '%s' "$bad" | head -20 | sed 's/^/#   /'
fi
check "clang-format: agent/ and selftests/ C code is formatted" \
	clang-format --dry-run -Werror agent/*/*.[ch] agent/tests/*/*.[ch] selftests/*.c
ktap_done
