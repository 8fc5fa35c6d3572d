#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vm.sh: boot a Debian kernel under QEMU/TCG with the host's root filesystem
# shared read-only over 9p, load a freshly built fz.ko inside it, run one
# command there, and bring its output back through a writable share.
#
#   vm.sh [-t SECONDS] [-m MiB] [-c CPUS] KVER FZ_KO OUTDIR COMMAND...
#
# COMMAND runs as root in the guest (bash -c), with the repository at the
# same path as on the host and OUTDIR mounted writable at /tmp/out. The
# guest's console goes to OUTDIR/console.log; its kernel log to
# OUTDIR/dmesg.log; the command's exit status to OUTDIR/exit-status.
# The guest never gets a network card (-nic none): test traffic stays in
# network namespaces the tests create inside it.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
timeout_s=900 mem=2048 cpus=2

usage() {
	sed -n '3,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
	exit "${1:-2}"
}

while getopts "t:m:c:h" opt; do
	case $opt in
	t) timeout_s=$OPTARG ;;
	m) mem=$OPTARG ;;
	c) cpus=$OPTARG ;;
	h) usage 0 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 4 ] || usage
kver=$1 ko=$2 outdir=$3
shift 3
cmd="$*"

die() { echo "vm.sh: $*" >&2; exit 1; }
[ -e "/boot/vmlinuz-$kver" ] || die "no kernel image /boot/vmlinuz-$kver"
[ -f "$ko" ] || die "no module $ko"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing"
[ -x /bin/busybox ] || die "/bin/busybox missing (apt-get install busybox-static)"

# The initramfs only has to reach the 9p root: busybox plus the virtio/9p
# modules, in dependency order, decompressed for busybox's insmod.
make_initramfs() {
	local out=$1 dir mod path n=0
	dir=$(mktemp -d)
	mkdir -p "$dir"/{bin,dev,proc,sys,mnt,modules}
	cp /bin/busybox "$dir/bin/busybox"
	for mod in virtio_pci 9pnet_virtio 9p; do
		modprobe --show-depends -S "$kver" "$mod"
	done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' |
		while read -r path; do
			n=$((n + 1))
			case $path in
			*.xz) xz -dc "$path" >"$dir/modules/$(printf %02d $n).ko" ;;
			*.zst) zstd -qdc "$path" >"$dir/modules/$(printf %02d $n).ko" ;;
			*) cp "$path" "$dir/modules/$(printf %02d $n).ko" ;;
			esac
		done
	cp "$here/vm-initramfs-init" "$dir/init"
	chmod 755 "$dir/init"
	(cd "$dir" && find . | cpio --quiet -o -H newc | gzip -1) >"$out"
	rm -rf "$dir"
}

cache="$repo/build/vm"
mkdir -p "$cache" "$outdir"
initrd="$cache/initramfs-$kver.cpio.gz"
if [ ! -s "$initrd" ] || [ "$here/vm-initramfs-init" -nt "$initrd" ]; then
	make_initramfs "$initrd"
fi

# depmod over every module takes a minute under TCG but seconds here: index
# a tree of symlinks to the kernel's modules plus the fresh fz.ko, and let
# the guest drop the resulting modules.* files into its overlay.
make_module_index() {
	local root="$cache/modroot-$kver" moddir
	moddir="$root/lib/modules/$kver"
	if [ ! -d "$moddir/kernel" ]; then
		rm -rf "$root"
		mkdir -p "$root/lib/modules"
		cp -as "/lib/modules/$kver" "$root/lib/modules/"
	fi
	find "$moddir" -name 'fz.ko*' -delete
	rm -f "$moddir"/modules.*
	cp "/lib/modules/$kver"/modules.{order,builtin,builtin.modinfo} "$moddir/"
	mkdir -p "$moddir/updates/fz-selftest"
	cp "$ko" "$moddir/updates/fz-selftest/fz.ko"
	depmod -b "$root" "$kver"
	rm -rf "$outdir/modindex"
	mkdir -p "$outdir/modindex"
	cp "$moddir"/modules.* "$outdir/modindex/"
}

outdir=$(cd "$outdir" && pwd)
make_module_index
rm -f "$outdir"/{console.log,dmesg.log,exit-status}
# The guest's /tmp is its own tmpfs: hand the module over in the share.
cp "$ko" "$outdir/fz.ko"
cat >"$outdir/job.env" <<JOB
FZ_REPO=$(printf %q "$repo")
FZ_KVER=$(printf %q "$kver")
FZ_KO=/tmp/out/fz.ko
FZ_CMD=$(printf %q "$cmd")
JOB

# TCG: KVM hangs on these machines (shared/notes/vm-testing.md).
status=0
timeout --foreground "$timeout_s" qemu-system-x86_64 \
	-accel tcg -m "$mem" -smp "$cpus" -nographic -no-reboot -nic none \
	-kernel "/boot/vmlinuz-$kver" -initrd "$initrd" \
	-append "console=ttyS0 quiet panic=-1 oops=panic fz_vm=1" \
	-fsdev local,id=host,path=/,security_model=none,readonly=on,multidevs=remap \
	-device virtio-9p-pci,fsdev=host,mount_tag=host \
	-fsdev local,id=out,path="$outdir",security_model=none \
	-device virtio-9p-pci,fsdev=out,mount_tag=out \
	</dev/null >"$outdir/console.log" 2>&1 || status=$?
if [ $status -eq 124 ]; then
	echo "vm.sh: guest did not finish within ${timeout_s}s" >>"$outdir/console.log"
	die "guest ($kver) timed out after ${timeout_s}s; see $outdir/console.log"
fi
[ -s "$outdir/exit-status" ] || die "guest ($kver) ended without a result; see $outdir/console.log"
exit "$(cat "$outdir/exit-status")"
