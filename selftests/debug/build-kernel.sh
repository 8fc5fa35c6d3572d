#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# build-kernel.sh: builds the make check-debug kernel (KASAN, lockdep,
# kmemleak, debug objects, netdev refcount tracking) from Debian's
# linux-source-6.12: x86_64_defconfig plus selftests/debug/kernel.config.
# The result is cached under /var/cache/fz/debug-kernel-KEY, KEY a hash of
# the fragment, of this recipe and of the source package's version, so a
# changed fragment builds a new kernel and an unchanged one is reused.
#
#   build-kernel.sh [-j JOBS]     prints the cache directory on success
#
# The directory holds vmlinuz, kver (its release), root/lib/modules/KVER
# (modules.builtin and friends, for the guest's modprobe) and
# linux-source-6.12/ (the build tree fz.ko is built against).
# The build runs at nice 19: it takes long, and must not starve VMs.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
jobs=2
while getopts "j:" opt; do
	case $opt in
	j) jobs=$OPTARG ;;
	*) exit 2 ;;
	esac
done
die() { echo "build-kernel: $*" >&2; exit 1; }

frag=$here/kernel.config
tarball=/usr/src/linux-source-6.12.tar.xz
[ -f "$tarball" ] || die "$tarball missing (bash .ci/install-deps.sh --debug-kernel)"
for t in gcc make bc flex bison perl xz depmod; do
	command -v "$t" >/dev/null || die "$t missing (bash .ci/install-deps.sh --debug-kernel)"
done
[ -e /usr/include/libelf.h ] || die "libelf-dev missing (bash .ci/install-deps.sh --debug-kernel)"
[ -e /usr/include/openssl/ssl.h ] || die "libssl-dev missing (bash .ci/install-deps.sh --debug-kernel)"

# The recipe's version: bump it when this script builds differently.
recipe=1
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
key=$({ cat "$frag"; echo "recipe $recipe source $srcver"; } | sha256sum | cut -c1-16)
cache=${FZ_CACHE:-/var/cache/fz}
dir=$cache/debug-kernel-$key
mkdir -p "$cache"

# One build at a time per key; a second caller waits and reuses it.
exec 9>"$dir.lock"
flock 9
if [ -f "$dir/done" ]; then
	echo "$dir"
	exit 0
fi
configure() {
	{
		tar -xf "$tarball" -C "$dir"
		make -C "$src" x86_64_defconfig
		"$src/scripts/kconfig/merge_config.sh" -m -O "$src" "$src/.config" "$frag"
		make -C "$src" olddefconfig
	} >"$log" 2>&1 || { tail -30 "$log" >&2; die "configuring failed"; }

	# An option Kconfig could not honour (a dependency missing) is dropped
	# silently by olddefconfig: refuse to build a kernel that lacks one.
	bad=0
	while read -r line; do
		case $line in
		CONFIG_*=*) want=$line ;;
		"# CONFIG_"*" is not set") want=$line ;;
		*) continue ;;
		esac
		opt=${want#\# }
		opt=${opt%%[= ]*}
		if ! grep -qxF "$want" "$src/.config"; then
			# "is not set" is also met when the option is absent entirely.
			if [[ $want == "# "* ]] && ! grep -q "^$opt=" "$src/.config"; then
				continue
			fi
			echo "build-kernel: wanted '$want', got '$(grep -E "^(# )?$opt[= ]" "$src/.config" || echo absent)'" >&2
			bad=1
		fi
	done <"$frag"
	[ $bad -eq 0 ] || die "the fragment does not apply to this source; fix $frag"
}

log=$dir/build.log
src=$dir/linux-source-6.12
start=$(date +%s)
# A build that was interrupted after configuring resumes where make left
# off: it takes an hour or more on two CPUs, and make is incremental.
if [ -f "$dir/configured" ]; then
	echo "build-kernel: resuming in $dir (log: $log)" >&2
else
	rm -rf "$dir"
	mkdir -p "$dir"
	echo "build-kernel: building in $dir (log: $log)" >&2
	configure
	touch "$dir/configured"
fi

if ! nice -n 19 make -C "$src" -j"$jobs" bzImage modules >>"$log" 2>&1; then
	tail -30 "$log" >&2
	die "the kernel build failed"
fi
make -C "$src" INSTALL_MOD_PATH="$dir/root" modules_install >>"$log" 2>&1 ||
	{ tail -30 "$log" >&2; die "modules_install failed"; }
kver=$(make -s -C "$src" kernelrelease)
cp "$src/arch/x86/boot/bzImage" "$dir/vmlinuz"
echo "$kver" >"$dir/kver"
took=$(($(date +%s) - start))
echo "build-kernel: $kver built in ${took}s with -j$jobs" | tee -a "$log" >&2
echo "$took" >"$dir/build-seconds"
touch "$dir/done"
echo "$dir"
