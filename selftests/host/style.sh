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
# The wings, from the bottom up; a wing may include its own headers and
# those of the wings on lower levels, never one on its own level or above
# (README.md has the picture). Wings on one level do not know each other.
# Includes name another wing's header as "wing/name.h". fzportal builds on
# the agent's lib and proto wings, which sit below its own.
# layering_problems DIR LEVEL...: one line per include that goes sideways or up.
layering_problems() {
	local dir=$1 f w inc to line i
	shift
	local -A level=()
	i=0
	for l in "$@"; do
		for w in $l; do level[$w]=$i; done
		i=$((i + 1))
	done
	for f in "$dir"/*/*.[ch]; do
		w=${f#"$dir"/}
		w=${w%%/*}
		case $w in tests | fuzz | bench) continue ;; esac
		[ -n "${level[$w]}" ] || { echo "$f: not in a wing"; continue; }
		while IFS= read -r line; do
			inc=${line#*\"}
			inc=${inc%%\"*}
			case $inc in
			../* | */../*) echo "$f: includes $inc" ;;
			*/*)
				to=${inc%%/*}
				if [ -z "${level[$to]}" ]; then
					echo "$f: includes $inc, not a wing"
				elif [ "$to" != "$w" ] && [ "${level[$to]}" -ge "${level[$w]}" ]; then
					echo "$f: $w includes $inc from $to, not below it"
				fi
				;;
			esac
		done < <(grep -E '^#[[:space:]]*include[[:space:]]+"' "$f")
	done
}
bad=$(layering_problems agent lib "wg conf" "fzk ctl" proto "gateway client signal" daemon cmd)
[ -n "$bad" ] && bad+=$'\n'
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
bad=$(layering_problems portal "lib proto" core "policy store web idp" "admin sig" signin api cli)
if [ -z "$bad" ]; then
	pass "layering: portal/ wings include only their own and lower wings"
else
	fail "layering: portal/ wings include only their own and lower wings"
	printf '%s\n' "$bad" | head -20 | sed 's/^/#   /'
fi
check "clang-format: agent/, portal/ and selftests/ C code is formatted" \
	clang-format --dry-run -Werror agent/*/*.[ch] agent/tests/*/*.[ch] \
	portal/*/*.[ch] portal/tests/*/*.[ch] selftests/*.c
ktap_done
